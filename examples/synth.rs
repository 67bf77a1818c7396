//! Synthetic fact-check repository for scale benchmarks.
//!
//! ```text
//! cargo run --release --example synth -- DIR [--claims 100000] [--episodes 1000]
//!     [--commits 20000] [--seed N] [--old N] [--checkout git|git2|none]
//! ```
//!
//! Creates a new git repository at DIR that follows DESIGN.md: `errata.toml`,
//! `claims/<episode>/{episode.toml,transcript.txt,<claim-id>.toml}` and
//! `corrections/<id>.toml`, with a history of `--commits` commits: episodes are
//! added over time with their claims, and in between single claims move
//! through their lifecycle (`start: X is checking`, `verdict: X is accurate`,
//! re-checks, on-air corrections), each commit carrying the `Errata-Claim` and
//! `Errata-Status` trailers. The commit halfway is tagged `v1`, the last `v2`.
//!
//! `--old N` (default 0, today's layout) makes the other end of history: the
//! root commit also adds the first episode, and N of its claims are re-checked
//! at even intervals all through the history (together one edit every 97th
//! commit), so their `git log` has to walk down to the root commit.
//!
//! Objects are written straight into one packfile (see `Pack` below), indexed by
//! libgit2: the root, `claims/`, `corrections/` and every episode folder keep
//! their sorted entries in memory, so a commit only rewrites the trees on the
//! path it changed and reuses every other subtree, and each new version of a
//! tree or claim is stored as a delta against its previous version. Then HEAD
//! is `refs/heads/main` and the work tree is checked out (`git reset --hard`
//! with parallel checkout: about 3x faster here than libgit2's checkout, which
//! is used when git is not installed). The output is deterministic for a given
//! set of options. `git fsck --strict --full` passes.

use std::error::Error;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use git2::{ObjectType, Odb, Oid, Repository, RepositoryInitOptions};
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};

type Res<T> = Result<T, Box<dyn Error>>;

const USAGE: &str = "usage: synth DIR [--claims N] [--episodes N] [--commits N] [--seed N] \
                     [--old N] [--checkout git|git2|none]";
const AUTHOR: &str = "Synth Editor <synth@example.org>";
/// Local time zone of the desk (Taiwan).
const TZ_SECS: i64 = 8 * 3600;
/// Wall-clock time of one "episode slot" on the history timeline (2.5 days).
const SLOT_SECS: f64 = 2.5 * 86400.0;

// ---------------------------------------------------------------- arguments

#[derive(Clone, Copy, PartialEq, Eq)]
enum CheckoutMode {
    Git,
    Git2,
    None,
}

struct Args {
    dir: PathBuf,
    claims: usize,
    episodes: usize,
    commits: usize,
    seed: u64,
    /// Claims created in the root commit and edited throughout the history.
    old: usize,
    checkout: CheckoutMode,
}

fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let mut dir = None;
    let mut out = Args {
        dir: PathBuf::new(),
        claims: 100_000,
        episodes: 1_000,
        commits: 20_000,
        seed: 2024,
        old: 0,
        checkout: CheckoutMode::Git,
    };
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        let number = |name: &str, v: String| -> Result<u64, String> {
            v.replace('_', "")
                .parse::<u64>()
                .map_err(|_| format!("{name}: not a number: {v}"))
        };
        match flag.as_str() {
            "-h" | "--help" => return Err(String::new()),
            "--claims" => out.claims = number("--claims", value("--claims")?)? as usize,
            "--episodes" => out.episodes = number("--episodes", value("--episodes")?)? as usize,
            "--commits" => out.commits = number("--commits", value("--commits")?)? as usize,
            "--seed" => out.seed = number("--seed", value("--seed")?)?,
            "--old" => out.old = number("--old", value("--old")?)? as usize,
            "--checkout" => {
                out.checkout = match value("--checkout")?.as_str() {
                    "git" => CheckoutMode::Git,
                    "git2" => CheckoutMode::Git2,
                    "none" => CheckoutMode::None,
                    other => return Err(format!("--checkout: unknown mode {other}")),
                }
            }
            f if f.starts_with('-') => return Err(format!("unknown option {f}")),
            _ if dir.is_none() => dir = Some(PathBuf::from(arg)),
            _ => return Err(format!("unexpected argument {arg}")),
        }
    }
    out.dir = dir.ok_or("missing DIR")?;
    if out.episodes == 0 {
        return Err("--episodes must be at least 1".into());
    }
    if out.episodes > 99_999 || out.claims > 9_999_999 {
        return Err("at most 99999 episodes and 9999999 claims".into());
    }
    Ok(out)
}

// --------------------------------------------------------------- vocabulary

struct Subject {
    zh: &'static str,
    en: &'static str,
    slug: &'static str,
}

const fn s(zh: &'static str, en: &'static str, slug: &'static str) -> Subject {
    Subject { zh, en, slug }
}

const COMPANIES: &[Subject] = &[
    s("NVIDIA", "NVIDIA", "nvidia"),
    s("輝達", "NVIDIA", "nvidia"),
    s("AMD", "AMD", "amd"),
    s("Intel", "Intel", "intel"),
    s("台積電", "TSMC", "tsmc"),
    s("蘋果", "Apple", "apple"),
    s("Google", "Google", "google"),
    s("微軟", "Microsoft", "microsoft"),
    s("OpenAI", "OpenAI", "openai"),
    s("Meta", "Meta", "meta"),
    s("三星", "Samsung", "samsung"),
    s("特斯拉", "Tesla", "tesla"),
    s("Anthropic", "Anthropic", "anthropic"),
    s("零一萬物", "01.AI", "01ai"),
    s("聯發科", "MediaTek", "mediatek"),
    s("亞馬遜", "Amazon", "amazon"),
];

const MODELS: &[Subject] = &[
    s("拉馬2", "LLaMA 2", "llama2"),
    s("拉馬", "LLaMA", "llama"),
    s("GPT-4", "GPT-4", "gpt4"),
    s("GPT-3.5", "GPT-3.5", "gpt35"),
    s("Yi", "Yi-34B", "yi"),
    s("Gemini", "Gemini", "gemini"),
    s("Claude", "Claude", "claude"),
    s("Mistral", "Mistral 7B", "mistral"),
    s("GrafiCast", "GraphCast", "graphcast"),
    s("Falcon", "Falcon 180B", "falcon"),
];

const PRODUCTS: &[Subject] = &[
    s("ChatGPT", "ChatGPT", "chatgpt"),
    s("iPhone 15", "iPhone 15", "iphone15"),
    s("Vision Pro", "Apple Vision Pro", "vision-pro"),
    s("Threads", "Threads", "threads"),
    s("Copilot", "GitHub Copilot", "copilot"),
    s("Midjourney", "Midjourney", "midjourney"),
    s("Stable Diffusion", "Stable Diffusion", "stable-diffusion"),
    s("Bard", "Google Bard", "bard"),
];

const CHIPS: &[Subject] = &[
    s("H100", "NVIDIA H100", "h100"),
    s("A100", "NVIDIA A100", "a100"),
    s("MI300X", "AMD MI300X", "mi300x"),
    s("TPU v5", "Google TPU v5", "tpu-v5"),
    s("M3 Max", "Apple M3 Max", "m3-max"),
    s("Gaudi 2", "Intel Gaudi 2", "gaudi2"),
];

const KINDS: usize = 14;

fn subjects(kind: u8) -> &'static [Subject] {
    match kind {
        6..=8 => MODELS,
        9 | 10 => PRODUCTS,
        11 | 12 => CHIPS,
        _ => COMPANIES,
    }
}

const FILLERS: &[&str] = &[
    "那我覺得這個很有意思",
    "大家可以想像一下",
    "就是說呢",
    "其實這件事情背後的原因很簡單",
    "我們上一集有講到",
    "對,沒錯",
    "這個部分我們等一下再聊",
    "AI的發展真的是太快了",
    "你看像是雲端的服務",
    "很多人沒有意識到這一點",
    "所以呢整個產業鏈都在動",
    "這個東西叫做大型元模型",
    "開源社群把群眾都放出來了",
    "聽眾可以在Podcast的留言區告訴我們",
    "今年的CES有很多新東西",
    "GPU現在真的是一卡難求",
    "我們來看一下數據",
    "這個其實是一個很大的轉變",
    "然後呢",
    "講到這裡",
    "我自己是覺得",
    "這個大家應該都有印象",
    "就像我們在2023年看到的",
    "API的價格一直在降",
    "你去看它的財報",
    "這邊要特別說明一下",
    "好,那我們繼續往下",
    "本集節目由知識衛星贊助播出",
    "歡迎收聽科技浪",
    "這個我們之後會再追蹤",
    "簡單來說就是",
    "背後的技術其實是Transformer",
    "有一派的說法是",
    "當然這個還有爭議",
    "我們先把它記下來",
    "開發者的社群反應很熱烈",
    "雲端的算力成本很高",
    "晶片的供應鏈在台灣",
    "這就是所謂的摩爾定律",
    "資料中心的需求爆炸",
    "LLM的應用越來越多",
    "SaaS的商業模式",
];

const SPEAKERS: &[&str] = &["哈利", "主持人", "來賓 Amy", "Kevin", "小安"];
const ASSIGNEES: &[&str] = &["阿明", "Yuki", "小芳", "Chen Wei", "Ray"];
const PUBLISHERS: &[&str] = &[
    "Reuters",
    "Bloomberg",
    "The Verge",
    "TechCrunch",
    "MIT Technology Review",
    "經濟日報",
    "數位時代",
    "iThome",
];
const HOSTS: &[&str] = &[
    "news.example.com",
    "www.example.org",
    "data.example.net",
    "research.example.com",
];
const REPORTERS: &[&str] = &["listener message", "editor review", "guest email"];
const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

// ------------------------------------------------------------------- model

#[derive(Clone, Copy, PartialEq, Eq)]
enum Status {
    NeedsCheck,
    Checking,
    Checked,
    Corrected,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::NeedsCheck => "needs-check",
            Status::Checking => "checking",
            Status::Checked => "checked",
            Status::Corrected => "corrected",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Accurate,
    MostlyAccurate,
    Misleading,
    Inaccurate,
    Unverifiable,
}

impl Verdict {
    fn as_str(self) -> &'static str {
        match self {
            Verdict::Accurate => "accurate",
            Verdict::MostlyAccurate => "mostly-accurate",
            Verdict::Misleading => "misleading",
            Verdict::Inaccurate => "inaccurate",
            Verdict::Unverifiable => "unverifiable",
        }
    }

    fn draw(rng: &mut StdRng) -> Verdict {
        match rng.random_range(0..100) {
            0..40 => Verdict::Accurate,
            40..60 => Verdict::MostlyAccurate,
            60..72 => Verdict::Misleading,
            72..82 => Verdict::Inaccurate,
            _ => Verdict::Unverifiable,
        }
    }

    fn draw_wrong(rng: &mut StdRng) -> Verdict {
        if rng.random_bool(0.5) {
            Verdict::Misleading
        } else {
            Verdict::Inaccurate
        }
    }

    fn reasoning(self) -> &'static str {
        match self {
            Verdict::Accurate => "The figure matches the sources.",
            Verdict::MostlyAccurate => {
                "Close: the sources give a slightly different figure, the point stands."
            }
            Verdict::Misleading => {
                "The number is right but the comparison leaves out context that changes its meaning."
            }
            Verdict::Inaccurate => "The sources contradict the figure given on air.",
            Verdict::Unverifiable => "No primary source could be found for this figure.",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
struct State {
    status: Status,
    verdict: Option<Verdict>,
    sources: u8,
}

impl State {
    const NEW: State = State {
        status: Status::NeedsCheck,
        verdict: None,
        sources: 0,
    };
}

struct Claim {
    id: String,
    ep: u32,
    seg: u16,
    kind: u8,
    subj: u8,
    n: u32,
    speaker: u8,
    hash: u64,
    quote: String,
    claim: String,
}

struct Episode {
    name: String,
    title: String,
    segments: u16,
    first_claim: usize,
    claims: usize,
    /// Days since 1970-01-01 (local date of the commit that adds it).
    date: i64,
}

struct Correction {
    id: String,
    claims: Vec<usize>,
    episode: usize,
    reported_by: Option<&'static str>,
}

enum Ev {
    Init,
    AddEpisode(usize),
    Step {
        claim: usize,
        from: State,
        to: State,
    },
    Correct(usize),
}

struct Event {
    pos: f64,
    ev: Ev,
}

impl Ev {
    fn rank(&self) -> u8 {
        match self {
            Ev::Init => 0,
            Ev::AddEpisode(_) => 1,
            Ev::Step { .. } => 2,
            Ev::Correct(_) => 3,
        }
    }
}

fn mix(mut z: u64) -> u64 {
    // splitmix64 finaliser
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn pick<T: Copy>(items: &[T], h: u64) -> T {
    items[(h % items.len() as u64) as usize]
}

/// The quote as aired, the clean claim, and the slug for the claim id.
fn claim_text(kind: u8, sub: &Subject, n: u32) -> (String, String, String) {
    let (zh, en, sl) = (sub.zh, sub.en, sub.slug);
    match kind {
        0 => (
            format!("{zh}的毛利率高達{n}%耶"),
            format!("{en}'s gross margin is above {n}%."),
            format!("{sl}-margin"),
        ),
        1 => (
            format!("{zh}的市值已經突破{n}兆美元"),
            format!("{en} is worth more than ${n} trillion."),
            format!("{sl}-market-cap"),
        ),
        2 => (
            format!("{zh}這一季的營收成長了{n}%"),
            format!("{en}'s quarterly revenue grew {n}% year on year."),
            format!("{sl}-revenue-growth"),
        ),
        3 => (
            format!("{zh}那個團隊只有{n}個人"),
            format!("The {en} team has only {n} people."),
            format!("{sl}-headcount"),
        ),
        4 => {
            let money = if n >= 10 {
                format!("${}.{} billion", n / 10, n % 10)
            } else {
                format!("${n}00 million")
            };
            (
                format!("{zh}這輪募到了{n}億美元"),
                format!("{en} raised {money} in its latest round."),
                format!("{sl}-funding"),
            )
        }
        5 => (
            format!("{zh}在這個市場的市佔率大概是{n}%"),
            format!("{en} holds about {n}% of its market."),
            format!("{sl}-market-share"),
        ),
        6 => (
            format!("{zh}有{n}B的參數"),
            format!("{en} has {n} billion parameters."),
            format!("{sl}-parameters"),
        ),
        7 => (
            format!("{zh}在MMLU拿到{n}分"),
            format!("{en} scores {n} on the MMLU benchmark."),
            format!("{sl}-mmlu"),
        ),
        8 => (
            format!("訓練{zh}花了大概{n}百萬美金"),
            format!("Training {en} cost about ${n} million."),
            format!("{sl}-training-cost"),
        ),
        9 => {
            let (y, m) = (2015 + n / 12, n % 12);
            (
                format!("{zh}是{y}年{}月推出的", m + 1),
                format!("{en} was launched in {} {y}.", MONTHS[m as usize]),
                format!("{sl}-launch"),
            )
        }
        10 => (
            format!("{zh}上線{n}天就有一億個用戶"),
            format!("{en} reached 100 million users within {n} days of launch."),
            format!("{sl}-users"),
        ),
        11 => (
            format!("一張{zh}大概要{n}萬美金"),
            format!("One {en} costs about ${n}0,000."),
            format!("{sl}-price"),
        ),
        12 => (
            format!("{zh}的效能是上一代的{n}倍"),
            format!("{en} is {n} times faster than its predecessor."),
            format!("{sl}-speedup"),
        ),
        _ => (
            format!("{zh}的{n}奈米製程明年就會量產"),
            format!("{en} will start volume production of its {n} nm process next year."),
            format!("{sl}-process-node"),
        ),
    }
}

fn draw_number(kind: u8, rng: &mut StdRng) -> u32 {
    match kind {
        0 => rng.random_range(40..80),
        1 => rng.random_range(1..4),
        2 => rng.random_range(5..120),
        3 => rng.random_range(50..900),
        4 => rng.random_range(2..100),
        5 => rng.random_range(10..95),
        6 => *[7, 13, 34, 70, 175, 180, 540].choose(rng).unwrap_or(&7),
        7 => rng.random_range(60..95),
        8 => rng.random_range(2..200),
        9 => rng.random_range(0..120),
        10 => rng.random_range(2..90),
        11 => rng.random_range(1..5),
        12 => rng.random_range(2..10),
        _ => *[2, 3, 5, 7].choose(rng).unwrap_or(&3),
    }
}

fn kind_tag(kind: u8) -> &'static str {
    match kind {
        0 | 2 => "earnings",
        1 | 5 => "markets",
        3 => "companies",
        4 => "funding",
        6 | 8 => "llm",
        7 => "benchmarks",
        9 | 10 => "products",
        _ => "chips",
    }
}

fn kind_metric(kind: u8) -> &'static str {
    match kind {
        0 => "gross margin (%)",
        1 => "market capitalisation (US$ trillion)",
        2 => "revenue growth (%)",
        3 => "team size",
        4 => "amount raised (US$ 100 million)",
        5 => "market share (%)",
        6 => "parameters (billion)",
        7 => "MMLU score",
        8 => "training cost (US$ million)",
        9 => "months since January 2015 at launch",
        10 => "days to 100 million users",
        11 => "unit price (US$ 10,000)",
        12 => "speed-up over the previous generation",
        _ => "process node (nm)",
    }
}

// --------------------------------------------------------------- rendering

/// A TOML basic string.
fn q(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn mmss(minutes: u32) -> String {
    format!("{minutes:02}:00")
}

fn seg_range(seg: u16) -> String {
    format!("{}~{}", mmss(u32::from(seg)), mmss(u32::from(seg) + 1))
}

/// (year, month, day) from days since 1970-01-01 (proleptic Gregorian).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn date(days: i64) -> String {
    let (y, m, d) = civil(days);
    format!("{y:04}-{m:02}-{d:02}")
}

fn render_claim(c: &Claim, ep: &Episode, st: State, correction: Option<&str>) -> String {
    let sub = &subjects(c.kind)[c.subj as usize];
    let mut t = String::with_capacity(1024);
    let _ = writeln!(t, "status = \"{}\"", st.status.as_str());
    if let Some(v) = st.verdict {
        let _ = writeln!(t, "verdict = \"{}\"", v.as_str());
    }
    let _ = writeln!(t, "said_at = \"{}\"", seg_range(c.seg));
    let _ = writeln!(t, "speaker = {}", q(SPEAKERS[c.speaker as usize]));
    let _ = writeln!(t, "quote = {}", q(&c.quote));
    let _ = writeln!(t, "claim = {}", q(&c.claim));
    let _ = writeln!(t, "tags = [{}, {}]", q(sub.slug), q(kind_tag(c.kind)));
    if st.status != Status::NeedsCheck {
        let _ = writeln!(t, "assignee = {}", q(pick(ASSIGNEES, c.hash >> 7)));
    }
    if let Some(v) = st.verdict {
        t.push_str("note = \"\"\"\n");
        let _ = writeln!(
            t,
            "Compared the quote with {} source(s). {}",
            st.sources,
            v.reasoning()
        );
        if let Some(id) = correction {
            let _ = write!(t, "\nCorrected on air, see `{id}`.\n");
        }
        t.push_str("\"\"\"\n");
    }
    for k in 0..u64::from(st.sources) {
        let h = mix(c.hash ^ (k + 1));
        let published = ep.date - 1 - (h % 365) as i64;
        let (year, _, _) = civil(published);
        let publisher = if k == 0 && h.is_multiple_of(3) {
            sub.en
        } else {
            pick(PUBLISHERS, h >> 11)
        };
        let figure = match c.n {
            0 | 1 => c.n + (h >> 20) as u32 % 3,
            n => n - 1 + (h >> 20) as u32 % 3,
        };
        let _ = write!(
            t,
            "\n[[sources]]\ntitle = {}\nurl = \"https://{}/{year}/{}-{}\"\npublisher = {}\npublished = {}\nexcerpt = {}\n",
            q(&format!("{}: {} in {year}", sub.en, kind_metric(c.kind))),
            pick(HOSTS, h >> 5),
            c.id,
            k + 1,
            q(publisher),
            date(published),
            q(&format!("{}: {figure}", kind_metric(c.kind))),
        );
    }
    t
}

fn render_transcript(ep: &Episode, claims: &[Claim], seed: u64) -> String {
    let mut rng = StdRng::seed_from_u64(mix(seed ^ mix(ep.first_claim as u64 ^ 0xE915)));
    let mut by_seg: Vec<Vec<&str>> = vec![Vec::new(); ep.segments as usize];
    for c in &claims[ep.first_claim..ep.first_claim + ep.claims] {
        by_seg[c.seg as usize].push(&c.quote);
    }
    let mut out = String::with_capacity(ep.segments as usize * 400);
    for (seg, quotes) in by_seg.into_iter().enumerate() {
        let mut parts: Vec<&str> = (0..rng.random_range(8..15))
            .map(|_| *FILLERS.choose(&mut rng).unwrap_or(&"然後呢"))
            .collect();
        for quote in quotes {
            let at = rng.random_range(0..=parts.len());
            parts.insert(at, quote);
        }
        let _ = writeln!(
            out,
            "({}~{}) {}",
            mmss(seg as u32),
            mmss(seg as u32 + 1),
            parts.join(" ")
        );
    }
    out
}

fn render_episode(ep: &Episode) -> String {
    format!(
        "title = {}\ndate = {}\nurl = \"https://podcast.example.org/episodes/{}\"\ntranscript = \"transcript.txt\"\n",
        q(&ep.title),
        date(ep.date),
        ep.name
    )
}

fn render_correction(cor: &Correction, claims: &[Claim], episodes: &[Episode], h: u64) -> String {
    let air = &episodes[cor.episode];
    let start = (h % u64::from(air.segments.max(1))) as u16;
    let end = (start + 1 + (h >> 9) as u16 % 3).min(air.segments.max(1));
    let ids: Vec<String> = cor.claims.iter().map(|&c| q(&claims[c].id)).collect();
    let mut t = format!(
        "claims = [{}]\nepisode = {}\naired_at = \"{}~{}\"\nmedium = \"on-air\"\n",
        ids.join(", "),
        q(&air.name),
        mmss(u32::from(start)),
        mmss(u32::from(end)),
    );
    if let Some(r) = cor.reported_by {
        let _ = writeln!(t, "reported_by = {}", q(r));
    }
    t.push_str("text = \"\"\"\n");
    for &c in &cor.claims {
        let c = &claims[c];
        let _ = writeln!(
            t,
            "更正:我們在 {} 說「{}」,這個說法不正確,詳見查核報告。(We said: {})",
            episodes[c.ep as usize].name, c.quote, c.claim,
        );
    }
    t.push_str("\"\"\"\n");
    t
}

// ------------------------------------------------------------------ planning

struct Plan {
    claims: Vec<Claim>,
    episodes: Vec<Episode>,
    corrections: Vec<Correction>,
    /// Final state of each claim that is not tracked through lifecycle commits,
    /// or the state it is added with.
    initial: Vec<State>,
    correction_of: Vec<Option<u32>>,
    events: Vec<Event>,
    times: Vec<i64>,
    /// The root commit adds the first episode too (`--old`).
    root_episode: bool,
}

fn plan(a: &Args) -> Res<Plan> {
    let mut rng = StdRng::seed_from_u64(a.seed);
    let (n_eps, n_claims) = (a.episodes, a.claims);
    let ep_width = n_eps.to_string().len().max(4);
    let claim_width = n_claims.div_ceil(n_eps).to_string().len().max(5);

    // Episodes and their claims.
    let mut episodes = Vec::with_capacity(n_eps);
    let mut claims = Vec::with_capacity(n_claims);
    for e in 0..n_eps {
        let count = n_claims / n_eps + usize::from(e < n_claims % n_eps);
        let segments: u16 = rng.random_range(40..=58);
        let name = format!("ep-{:0w$}", e + 1, w = ep_width);
        let first_claim = claims.len();
        for k in 0..count {
            let kind = rng.random_range(0..KINDS as u8);
            let subj = rng.random_range(0..subjects(kind).len() as u8);
            let n = draw_number(kind, &mut rng);
            let (quote, claim, slug) = claim_text(kind, &subjects(kind)[subj as usize], n);
            claims.push(Claim {
                id: format!(
                    "{slug}-ep{:0w$}-{:0cw$}",
                    e + 1,
                    k + 1,
                    w = ep_width,
                    cw = claim_width
                ),
                ep: e as u32,
                seg: rng.random_range(0..segments),
                kind,
                subj,
                n,
                speaker: rng.random_range(0..SPEAKERS.len() as u8),
                hash: rng.random(),
                quote,
                claim,
            });
        }
        let topic = claims[first_claim..]
            .first()
            .map_or("科技新聞", |c: &Claim| {
                subjects(c.kind)[c.subj as usize].zh
            });
        episodes.push(Episode {
            title: format!("第 {} 集:{topic} 與本週科技大事", e + 1),
            name,
            segments,
            first_claim,
            claims: count,
            date: 0,
        });
    }

    // Corrections: groups of 1-3 claims of one episode.
    let n_corrections = if n_claims == 0 {
        0
    } else {
        (n_claims / 300).max(1)
    };
    let mut correction_of: Vec<Option<u32>> = vec![None; n_claims];
    let mut corrections: Vec<Correction> = Vec::with_capacity(n_corrections);
    let mut guard = 0;
    while corrections.len() < n_corrections && guard < n_corrections * 100 {
        guard += 1;
        let c = rng.random_range(0..n_claims);
        if correction_of[c].is_some() {
            continue;
        }
        let ep = &episodes[claims[c].ep as usize];
        let size = match rng.random_range(0..10) {
            0..7 => 1,
            7..9 => 2,
            _ => 3,
        };
        let group: Vec<usize> = std::iter::once(c)
            .chain(
                (c + 1..ep.first_claim + ep.claims)
                    .filter(|&o| correction_of[o].is_none())
                    .take(size - 1),
            )
            .collect();
        let j = corrections.len() as u32;
        for &g in &group {
            correction_of[g] = Some(j);
        }
        corrections.push(Correction {
            id: format!("fix-{}", claims[c].id),
            claims: group,
            episode: 0,
            reported_by: if rng.random_bool(0.5) {
                REPORTERS.choose(&mut rng).copied()
            } else {
                None
            },
        });
    }
    let n_corrected: usize = corrections.iter().map(|c| c.claims.len()).sum();

    // Lifecycle steps: one commit each. With `--old`, the first episode comes
    // with the root commit instead of a commit of its own.
    let root_episode = a.old > 0 && n_eps > 0 && episodes[0].claims > 0;
    let fixed = 1 + n_eps - usize::from(root_episode) + corrections.len();
    let need = fixed + 2 * n_corrected;
    if a.commits < need {
        return Err(format!(
            "--commits {} is too few for this layout: need at least {need} \
             (1 initial + {n_eps} episodes + {} corrections + 2 steps for each of {n_corrected} corrected claims)",
            a.commits,
            corrections.len()
        )
        .into());
    }
    let mut steps = vec![0u32; n_claims];
    let mut budget = a.commits - fixed;
    for (c, s) in steps.iter_mut().enumerate() {
        if correction_of[c].is_some() {
            *s = 2;
            budget -= 2;
        }
    }
    // The old claims: uncorrected claims of the first episode, sharing one edit
    // every 97th commit between them.
    let mut old = vec![false; n_claims];
    if root_episode {
        let ep = &episodes[0];
        let picked: Vec<usize> = (ep.first_claim..ep.first_claim + ep.claims)
            .filter(|&c| correction_of[c].is_none())
            .take(a.old)
            .collect();
        let each = (a.commits / 97 / picked.len().max(1)).max(1);
        for &c in &picked {
            let s = each.min(budget);
            steps[c] = s as u32;
            budget -= s;
            old[c] = true;
        }
    }
    let mut order: Vec<usize> = (0..n_claims).filter(|&c| steps[c] == 0).collect();
    order.shuffle(&mut rng);
    for &c in &order {
        if budget == 0 {
            break;
        }
        let s = match rng.random_range(0..100) {
            0..20 => 1,
            20..70 => 2,
            70..90 => 3,
            90..97 => 4,
            _ => 5,
        }
        .min(budget);
        steps[c] = s as u32;
        budget -= s;
    }
    while budget > 0 && n_claims > 0 {
        // More commits than steps to go around: re-check claims again.
        let c = rng.random_range(0..n_claims);
        steps[c] += 1;
        budget -= 1;
    }
    if budget > 0 {
        return Err("--commits: more commits than a repository without claims can hold".into());
    }

    // Initial states of untracked claims, and the event timeline.
    let mut initial = vec![State::NEW; n_claims];
    let mut events = Vec::with_capacity(a.commits);
    events.push(Event {
        pos: -1.0,
        ev: Ev::Init,
    });
    for e in usize::from(root_episode)..n_eps {
        events.push(Event {
            pos: e as f64,
            ev: Ev::AddEpisode(e),
        });
    }
    let mut last_pos = vec![0f64; n_claims];
    for c in 0..n_claims {
        let mut pos = f64::from(claims[c].ep) + rng.random_range(0.02..1.5);
        if steps[c] == 0 {
            initial[c] = match rng.random_range(0..100) {
                0..12 => State::NEW,
                12..18 => State {
                    status: Status::Checking,
                    ..State::NEW
                },
                _ => {
                    let v = Verdict::draw(&mut rng);
                    State {
                        status: Status::Checked,
                        verdict: Some(v),
                        sources: if v == Verdict::Unverifiable {
                            0
                        } else {
                            rng.random_range(1..=3)
                        },
                    }
                }
            };
            continue;
        }
        let mut st = State::NEW;
        let span = n_eps as f64 / f64::from(steps[c].max(1));
        if old[c] {
            pos = rng.random_range(0.02..span.max(0.03));
        }
        for k in 1..=steps[c] {
            let next = if k == 1 {
                State {
                    status: Status::Checking,
                    ..st
                }
            } else {
                // A re-check always changes the record (new verdict or one
                // more source), so no commit is empty.
                let mut next = st;
                for _ in 0..64 {
                    let v = if correction_of[c].is_some() && k == steps[c] {
                        Verdict::draw_wrong(&mut rng)
                    } else {
                        Verdict::draw(&mut rng)
                    };
                    next = State {
                        status: Status::Checked,
                        verdict: Some(v),
                        sources: if v == Verdict::Unverifiable {
                            st.sources
                        } else {
                            st.sources.saturating_add(1).min(6)
                        },
                    };
                    if next != st {
                        break;
                    }
                }
                next
            };
            events.push(Event {
                pos,
                ev: Ev::Step {
                    claim: c,
                    from: st,
                    to: next,
                },
            });
            st = next;
            if old[c] {
                pos += span;
                continue;
            }
            // Most steps follow within days or weeks; some claims are
            // picked up again much later, anywhere in the rest of history.
            pos += match rng.random_range(0..100) {
                0..65 => rng.random_range(0.05..3.0),
                65..90 => rng.random_range(3.0..30.0),
                _ => rng.random_range(0.05..(n_eps as f64 - pos).max(1.0)),
            };
        }
        last_pos[c] = pos;
    }
    for (j, cor) in corrections.iter_mut().enumerate() {
        let pos = cor.claims.iter().map(|&c| last_pos[c]).fold(0f64, f64::max)
            + rng.random_range(0.05..2.0);
        cor.episode = (pos.floor() as usize).min(n_eps - 1);
        events.push(Event {
            pos,
            ev: Ev::Correct(j),
        });
    }
    events.sort_by(|x, y| x.pos.total_cmp(&y.pos).then(x.ev.rank().cmp(&y.ev.rank())));
    assert_eq!(events.len(), a.commits, "commit plan adds up");

    // Wall-clock times: one episode slot is 2.5 days, from Monday 2017-01-02
    // 10:00 in Taipei; strictly increasing.
    let t0 = days_from_civil(2017, 1, 2) * 86_400 + 10 * 3600 - TZ_SECS;
    let mut times = Vec::with_capacity(events.len());
    let mut prev = i64::MIN;
    for ev in &events {
        let jitter = rng.random_range(0..900);
        let t = (t0 + ((ev.pos + 1.0) * SLOT_SECS) as i64 + jitter).max(prev + 1);
        match ev.ev {
            Ev::AddEpisode(e) => episodes[e].date = (t + TZ_SECS).div_euclid(86_400),
            Ev::Init if root_episode => episodes[0].date = (t + TZ_SECS).div_euclid(86_400),
            _ => {}
        }
        times.push(t);
        prev = t;
    }
    Ok(Plan {
        claims,
        episodes,
        corrections,
        initial,
        correction_of,
        events,
        times,
        root_episode,
    })
}

// -------------------------------------------------------------- packfile
//
// Objects go straight into one packfile, built in memory: every new version
// of a tree or a claim is stored as an OFS_DELTA against the previous version
// at the same path (chains capped at MAX_DEPTH, as git's own default), so the
// 20,000 rewrites of the 1,000-entry `claims/` tree cost a few dozen bytes
// each instead of a 36 KB loose object each. libgit2's indexer then writes the
// .idx next to it. (Loose objects: ~200,000 files and 1 GB; libgit2's
// packbuilder needs minutes to find the same deltas.)
//
// The zlib streams use stored (uncompressed) deflate blocks: no compression
// crate is needed, and deltas keep the pack small anyway.

const MAX_DEPTH: u32 = 50;
const OBJ_COMMIT: u8 = 1;
const OBJ_TREE: u8 = 2;
const OBJ_BLOB: u8 = 3;
const OBJ_OFS_DELTA: u8 = 6;

/// The last version written at one path: the delta base for the next one.
#[derive(Default)]
struct Slot {
    last: Option<(usize, u32)>,
    data: Vec<u8>,
}

struct Pack {
    buf: Vec<u8>,
    count: u32,
    seen: std::collections::HashMap<Oid, (usize, u32)>,
}

impl Pack {
    fn new() -> Pack {
        let mut buf = Vec::with_capacity(64 << 20);
        buf.extend_from_slice(b"PACK\0\0\0\x02\0\0\0\0");
        Pack {
            buf,
            count: 0,
            seen: std::collections::HashMap::new(),
        }
    }

    /// Add one object (unless the pack has it already), as a delta against the
    /// slot's previous version when that pays off; the slot then holds this one.
    fn put(&mut self, kind: ObjectType, data: Vec<u8>, slot: Option<&mut Slot>) -> Res<Oid> {
        let oid = Oid::hash_object(kind, &data)?;
        let at = if let Some(&at) = self.seen.get(&oid) {
            at
        } else {
            let offset = self.buf.len();
            let base = slot.as_ref().and_then(|s| {
                s.last
                    .filter(|&(_, depth)| depth < MAX_DEPTH)
                    .map(|b| (s, b))
            });
            let delta = base
                .map(|(s, b)| (delta(&s.data, &data), b))
                .filter(|(d, _)| d.len() < data.len() / 2);
            let depth = if let Some((d, (base_offset, base_depth))) = delta {
                obj_header(&mut self.buf, OBJ_OFS_DELTA, d.len());
                ofs_encode(&mut self.buf, offset - base_offset);
                zlib_stored(&mut self.buf, &d);
                base_depth + 1
            } else {
                let ty = match kind {
                    ObjectType::Commit => OBJ_COMMIT,
                    ObjectType::Tree => OBJ_TREE,
                    _ => OBJ_BLOB,
                };
                obj_header(&mut self.buf, ty, data.len());
                zlib_stored(&mut self.buf, &data);
                0
            };
            self.count += 1;
            self.seen.insert(oid, (offset, depth));
            (offset, depth)
        };
        if let Some(slot) = slot {
            slot.last = Some(at);
            slot.data = data;
        }
        Ok(oid)
    }

    /// Patch the object count, append the checksum and hand the pack to the
    /// repository's indexer (which writes pack-*.pack and pack-*.idx).
    fn finish(mut self, odb: &Odb) -> Res<usize> {
        let count = self.count.to_be_bytes();
        self.buf[8..12].copy_from_slice(&count);
        let sum = sha1(&self.buf);
        self.buf.extend_from_slice(&sum);
        let mut w = odb.packwriter()?;
        std::io::Write::write_all(&mut w, &self.buf)?;
        w.commit()?;
        Ok(self.buf.len())
    }
}

fn obj_header(out: &mut Vec<u8>, ty: u8, size: usize) {
    let mut byte = (ty << 4) | (size & 0x0f) as u8;
    let mut rest = size >> 4;
    while rest > 0 {
        out.push(byte | 0x80);
        byte = (rest & 0x7f) as u8;
        rest >>= 7;
    }
    out.push(byte);
}

fn ofs_encode(out: &mut Vec<u8>, mut ofs: usize) {
    let mut bytes = vec![(ofs & 0x7f) as u8];
    ofs >>= 7;
    while ofs > 0 {
        ofs -= 1;
        bytes.push(0x80 | (ofs & 0x7f) as u8);
        ofs >>= 7;
    }
    bytes.reverse();
    out.extend_from_slice(&bytes);
}

fn zlib_stored(out: &mut Vec<u8>, data: &[u8]) {
    out.extend_from_slice(&[0x78, 0x01]);
    if data.is_empty() {
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    let mut chunks = data.chunks(0xffff).peekable();
    while let Some(chunk) = chunks.next() {
        out.push(u8::from(chunks.peek().is_none()));
        let len = chunk.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &x in chunk {
            a += u32::from(x);
            b += a;
        }
        a %= 65_521;
        b %= 65_521;
    }
    out.extend_from_slice(&((b << 16) | a).to_be_bytes());
}

fn varint(out: &mut Vec<u8>, mut n: usize) {
    while n >= 0x80 {
        out.push((n & 0x7f) as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// A git delta from `src` to `dst`: copy the common prefix and suffix, insert
/// the middle. Exactly what a one-entry tree change or a claim edit needs.
fn delta(src: &[u8], dst: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    varint(&mut out, src.len());
    varint(&mut out, dst.len());
    let prefix = src.iter().zip(dst).take_while(|(a, b)| a == b).count();
    let suffix = src[prefix..]
        .iter()
        .rev()
        .zip(dst[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let copy = |out: &mut Vec<u8>, mut offset: usize, mut len: usize| {
        while len > 0 {
            let n = len.min(0xff_ffff);
            let at = out.len();
            out.push(0x80);
            for i in 0..4 {
                let byte = (offset >> (8 * i)) as u8;
                if byte != 0 {
                    out[at] |= 1 << i;
                    out.push(byte);
                }
            }
            for i in 0..3 {
                let byte = (n >> (8 * i)) as u8;
                if byte != 0 {
                    out[at] |= 0x10 << i;
                    out.push(byte);
                }
            }
            offset += n;
            len -= n;
        }
    };
    copy(&mut out, 0, prefix);
    for chunk in dst[prefix..dst.len() - suffix].chunks(0x7f) {
        out.push(chunk.len() as u8);
        out.extend_from_slice(chunk);
    }
    copy(&mut out, src.len() - suffix, suffix);
    out
}

/// SHA-1 of a buffer, for the pack trailer.
fn sha1(data: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [
        0x6745_2301,
        0xEFCD_AB89,
        0x98BA_DCFE,
        0x1032_5476,
        0xC3D2_E1F0,
    ];
    let full = data.len() / 64 * 64;
    let mut tail = data[full..].to_vec();
    tail.push(0x80);
    while tail.len() % 64 != 56 {
        tail.push(0);
    }
    tail.extend_from_slice(&(data.len() as u64 * 8).to_be_bytes());
    let mut w = [0u32; 80];
    for block in data[..full].chunks_exact(64).chain(tail.chunks_exact(64)) {
        for (wi, word) in w.iter_mut().zip(block.chunks_exact(4)) {
            *wi = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, wi) in w.iter().enumerate() {
            let (f, k) = match i {
                0..20 => ((b & c) | (!b & d), 0x5A82_7999),
                20..40 => (b ^ c ^ d, 0x6ED9_EBA1),
                40..60 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
                _ => (b ^ c ^ d, 0xCA62_C1D6),
            };
            let t = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(*wi);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = t;
        }
        for (hi, v) in h.iter_mut().zip([a, b, c, d, e]) {
            *hi = hi.wrapping_add(v);
        }
    }
    let mut out = [0u8; 20];
    for (o, hi) in out.chunks_exact_mut(4).zip(h) {
        o.copy_from_slice(&hi.to_be_bytes());
    }
    out
}

// --------------------------------------------------------------------- git

/// One tree of the working state, kept sorted; written only when it changed,
/// so every untouched subtree is shared with the parent commit.
#[derive(Default)]
struct Tree {
    /// Sort key (git orders a subtree `name` as `name/`) -> (is tree, id).
    entries: std::collections::BTreeMap<String, (bool, Oid)>,
    slot: Slot,
}

impl Tree {
    fn set(&mut self, name: &str, oid: Oid, is_tree: bool) {
        let key = if is_tree {
            format!("{name}/")
        } else {
            name.to_string()
        };
        self.entries.insert(key, (is_tree, oid));
    }

    fn write(&mut self, pack: &mut Pack) -> Res<Oid> {
        let mut data = Vec::with_capacity(self.entries.len() * 48);
        for (key, (is_tree, oid)) in &self.entries {
            data.extend_from_slice(if *is_tree { b"40000 " } else { b"100644 " });
            data.extend_from_slice(key.trim_end_matches('/').as_bytes());
            data.push(0);
            data.extend_from_slice(oid.as_bytes());
        }
        pack.put(ObjectType::Tree, data, Some(&mut self.slot))
    }
}

struct Trees {
    root: Tree,
    claims: Tree,
    corrections: Tree,
    episodes: Vec<Tree>,
}

impl Trees {
    /// Rewrite the trees above the changed episodes and return the root tree.
    fn write(
        &mut self,
        pack: &mut Pack,
        plan: &Plan,
        changed_eps: &[usize],
        corrections: bool,
    ) -> Res<Oid> {
        for &e in changed_eps {
            let oid = self.episodes[e].write(pack)?;
            self.claims.set(&plan.episodes[e].name, oid, true);
        }
        if !changed_eps.is_empty() {
            let oid = self.claims.write(pack)?;
            self.root.set("claims", oid, true);
        }
        if corrections {
            let oid = self.corrections.write(pack)?;
            self.root.set("corrections", oid, true);
        }
        self.root.write(pack)
    }
}

fn commit_object(tree: Oid, parent: Option<Oid>, time: i64, msg: &str) -> Vec<u8> {
    let mut buf = String::with_capacity(200 + msg.len());
    let _ = writeln!(buf, "tree {tree}");
    if let Some(p) = parent {
        let _ = writeln!(buf, "parent {p}");
    }
    let _ = writeln!(buf, "author {AUTHOR} {time} +0800");
    let _ = writeln!(buf, "committer {AUTHOR} {time} +0800");
    buf.push('\n');
    buf.push_str(msg);
    buf.into_bytes()
}

struct Built {
    head: Oid,
    v1: Oid,
    pack_bytes: usize,
    objects: u32,
}

/// The files of episode `e` with its claims as they are added.
fn add_episode(
    pack: &mut Pack,
    trees: &mut Trees,
    plan: &Plan,
    state: &[State],
    claim_slots: &mut [Slot],
    seed: u64,
    e: usize,
) -> Res<()> {
    let ep = &plan.episodes[e];
    let tree = &mut trees.episodes[e];
    let blob = pack.put(ObjectType::Blob, render_episode(ep).into(), None)?;
    tree.set("episode.toml", blob, false);
    let transcript = render_transcript(ep, &plan.claims, seed);
    let blob = pack.put(ObjectType::Blob, transcript.into(), None)?;
    tree.set("transcript.txt", blob, false);
    for c in ep.first_claim..ep.first_claim + ep.claims {
        let claim = &plan.claims[c];
        let data = render_claim(claim, ep, state[c], None).into();
        let blob = pack.put(ObjectType::Blob, data, Some(&mut claim_slots[c]))?;
        tree.set(&format!("{}.toml", claim.id), blob, false);
    }
    Ok(())
}

fn build(repo: &Repository, plan: &Plan, seed: u64) -> Res<Built> {
    let mut pack = Pack::new();
    let mut trees = Trees {
        root: Tree::default(),
        claims: Tree::default(),
        corrections: Tree::default(),
        episodes: (0..plan.episodes.len()).map(|_| Tree::default()).collect(),
    };
    let mut claim_slots: Vec<Slot> = (0..plan.claims.len()).map(|_| Slot::default()).collect();
    let mut state = plan.initial.clone();
    let mut head: Option<Oid> = None;
    let mut v1 = None;
    let middle = (plan.events.len() / 2).max(1);
    let mut msg = String::new();
    for (i, event) in plan.events.iter().enumerate() {
        msg.clear();
        let tree = match &event.ev {
            Ev::Init => {
                let settings = "name = \"合成科技浪\"\npublisher = \"合成科技浪 fact-check desk\"\n\
                                language = \"zh-TW\"\nurl = \"https://factcheck.example.org\"\n";
                let blob = pack.put(ObjectType::Blob, settings.into(), None)?;
                trees.root.set("errata.toml", blob, false);
                msg.push_str("init: fact-check repository\n");
                if plan.root_episode {
                    let ep = &plan.episodes[0];
                    add_episode(
                        &mut pack,
                        &mut trees,
                        plan,
                        &state,
                        &mut claim_slots,
                        seed,
                        0,
                    )?;
                    let _ = write!(msg, "\nWith {} and its {} claims.\n", ep.name, ep.claims);
                    trees.write(&mut pack, plan, &[0], false)?
                } else {
                    trees.write(&mut pack, plan, &[], false)?
                }
            }
            Ev::AddEpisode(e) => {
                let ep = &plan.episodes[*e];
                add_episode(
                    &mut pack,
                    &mut trees,
                    plan,
                    &state,
                    &mut claim_slots,
                    seed,
                    *e,
                )?;
                let _ = write!(
                    msg,
                    "episode add: {} with {} claims\n\n{}\n",
                    ep.name, ep.claims, ep.title
                );
                trees.write(&mut pack, plan, &[*e], false)?
            }
            Ev::Step { claim, from, to } => {
                let c = &plan.claims[*claim];
                let e = c.ep as usize;
                state[*claim] = *to;
                let data = render_claim(c, &plan.episodes[e], *to, None).into();
                let blob = pack.put(ObjectType::Blob, data, Some(&mut claim_slots[*claim]))?;
                trees.episodes[e].set(&format!("{}.toml", c.id), blob, false);
                let summary = match (to.status, to.verdict) {
                    (Status::Checking, _) => format!("start: {} is checking", c.id),
                    (_, Some(v)) => format!("verdict: {} is {}", c.id, v.as_str()),
                    _ => format!("edit: {}", c.id),
                };
                let _ = write!(
                    msg,
                    "{summary}\n\nErrata-Claim: {}\nErrata-Status: {} -> {}\n",
                    c.id,
                    from.status.as_str(),
                    to.status.as_str()
                );
                trees.write(&mut pack, plan, &[e], false)?
            }
            Ev::Correct(j) => {
                let cor = &plan.corrections[*j];
                let h = mix(*j as u64 ^ seed);
                let data = render_correction(cor, &plan.claims, &plan.episodes, h).into();
                let blob = pack.put(ObjectType::Blob, data, None)?;
                trees
                    .corrections
                    .set(&format!("{}.toml", cor.id), blob, false);
                let mut eps = Vec::new();
                let mut trailers = String::new();
                for &ci in &cor.claims {
                    let c = &plan.claims[ci];
                    let e = c.ep as usize;
                    debug_assert_eq!(plan.correction_of[ci], Some(*j as u32));
                    state[ci] = State {
                        status: Status::Corrected,
                        ..state[ci]
                    };
                    let data = render_claim(c, &plan.episodes[e], state[ci], Some(&cor.id)).into();
                    let blob = pack.put(ObjectType::Blob, data, Some(&mut claim_slots[ci]))?;
                    trees.episodes[e].set(&format!("{}.toml", c.id), blob, false);
                    if !eps.contains(&e) {
                        eps.push(e);
                    }
                    let _ = writeln!(trailers, "Errata-Claim: {}", c.id);
                }
                let ids: Vec<&str> = cor
                    .claims
                    .iter()
                    .map(|&c| plan.claims[c].id.as_str())
                    .collect();
                let _ = write!(
                    msg,
                    "correct: {}\n\nAired in {}.\n\n{trailers}Errata-Correction: {}\n\
                     Errata-Status: checked -> corrected\n",
                    ids.join(", "),
                    plan.episodes[cor.episode].name,
                    cor.id
                );
                trees.write(&mut pack, plan, &eps, true)?
            }
        };
        let data = commit_object(tree, head, plan.times[i], &msg);
        let oid = pack.put(ObjectType::Commit, data, None)?;
        head = Some(oid);
        if i + 1 == middle {
            v1 = Some(oid);
        }
    }
    let head = head.ok_or("no commits")?;
    let objects = pack.count;
    let pack_bytes = pack.finish(&repo.odb()?)?;
    Ok(Built {
        head,
        v1: v1.unwrap_or(head),
        pack_bytes,
        objects,
    })
}

fn checkout(repo: &Repository, dir: &Path, mode: CheckoutMode) -> Res<()> {
    match mode {
        CheckoutMode::None => Ok(()),
        CheckoutMode::Git2 => {
            let mut cb = git2::build::CheckoutBuilder::new();
            cb.force();
            repo.checkout_head(Some(&mut cb))?;
            Ok(())
        }
        CheckoutMode::Git => {
            let status = Command::new("git")
                .arg("-C")
                .arg(dir)
                .args(["-c", "checkout.workers=0", "reset", "--hard", "-q", "HEAD"])
                .status();
            match status {
                Ok(s) if s.success() => Ok(()),
                Ok(s) => Err(format!("git reset --hard failed: {s}").into()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    checkout(repo, dir, CheckoutMode::Git2)
                }
                Err(e) => Err(format!("git: {e}").into()),
            }
        }
    }
}

fn run(a: &Args) -> Res<()> {
    let start = Instant::now();
    if a.dir.exists() {
        let mut entries =
            std::fs::read_dir(&a.dir).map_err(|e| format!("{}: {e}", a.dir.display()))?;
        if entries.next().is_some() {
            return Err(format!("{} exists and is not empty", a.dir.display()).into());
        }
    }
    let plan = plan(a)?;
    let planned = start.elapsed();

    let mut opts = RepositoryInitOptions::new();
    opts.initial_head("main").mkpath(true);
    let repo = Repository::init_opts(&a.dir, &opts)?;
    let built = build(&repo, &plan, a.seed)?;
    repo.reference(
        "refs/heads/main",
        built.head,
        true,
        "synth: generated history",
    )?;
    repo.reference("refs/tags/v1", built.v1, true, "")?;
    repo.reference("refs/tags/v2", built.head, true, "")?;
    repo.set_head("refs/heads/main")?;
    let generated = start.elapsed();

    checkout(&repo, &a.dir, a.checkout)?;
    let total = start.elapsed();

    let corrected: usize = plan.corrections.iter().map(|c| c.claims.len()).sum();
    println!(
        "synth: {} — {} claims in {} episodes, {} corrections ({corrected} corrected claims), \
         {} commits (v1 = commit {}, v2 = {}), {} objects in a {:.1} MiB pack; \
         plan {:.1}s, objects {:.1}s, checkout {:.1}s, total {:.1}s",
        a.dir.display(),
        plan.claims.len(),
        plan.episodes.len(),
        plan.corrections.len(),
        plan.events.len(),
        (plan.events.len() / 2).max(1),
        plan.events.len(),
        built.objects,
        built.pack_bytes as f64 / 1048576.0,
        planned.as_secs_f64(),
        (generated - planned).as_secs_f64(),
        (total - generated).as_secs_f64(),
        total.as_secs_f64(),
    );
    Ok(())
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("synth: {e}");
            }
            eprintln!("{USAGE}");
            std::process::exit(if e.is_empty() { 0 } else { 2 });
        }
    };
    if let Err(e) = run(&args) {
        eprintln!("synth: {e}");
        std::process::exit(1);
    }
}
