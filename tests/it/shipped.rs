//! The shipped data set: 科技浪's New Year 2024 episode (`top10-ai-2023`), the
//! previous week's `graphcast` episode and the correction that aired between them,
//! kept in this repository's own `errata.toml`, `claims/` and `corrections/`.
//!
//! A new user's first command runs on these records, so they are checked here as
//! a reader relies on them: they keep every rule, every quote is where its
//! `said_at` says, the episode is covered from end to end, the list of corrections
//! owed is honest, every verdict cites real addresses, and the history is the one
//! errata's own commands write.
//!
//! The records are read straight from `CARGO_MANIFEST_DIR`. errata itself runs on
//! a copy in a temp repository (it keeps a cache under `.git/errata/`), and the
//! project's clone is only read, with `git log`, so a test run never writes into it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::common::Env;
use errata::model::Timestamp;
use errata::transcript::Transcript;

/// The project's own folder: the shipped fact-check repository.
const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// The shipped episode with a transcript.
const TOP: &str = "top10-ai-2023";
/// The previous week's episode, which has no transcript here.
const GRAPHCAST: &str = "graphcast";
/// Where in `TOP` the host corrected the GraphCast episode.
const CORRECTION_AIRED: &str = "06:07~09:08";

/// Fewest claims `TOP` must hold, and fewest 5-minute stretches they must come from.
const MIN_CLAIMS: usize = 40;
const MIN_WINDOWS: usize = 8;
const WINDOW_SECONDS: u32 = 5 * 60;

// ---------------------------------------------------------------- the records

struct ClaimRec {
    episode: String,
    id: String,
    /// Relative to the repository, with `/`.
    path: String,
    table: toml::Table,
}

struct CorrectionRec {
    id: String,
    path: String,
    table: toml::Table,
}

struct Shipped {
    /// Every record file (settings, episodes, claims, corrections) and its table.
    files: Vec<(String, toml::Table)>,
    /// Episode id → episode.toml.
    episodes: BTreeMap<String, toml::Table>,
    claims: Vec<ClaimRec>,
    corrections: Vec<CorrectionRec>,
}

impl Shipped {
    fn claims_of<'a>(&'a self, episode: &'a str) -> impl Iterator<Item = &'a ClaimRec> + 'a {
        self.claims.iter().filter(move |c| c.episode == episode)
    }
}

fn root() -> &'static Path {
    Path::new(ROOT)
}

fn read_table(rel: &str) -> toml::Table {
    let text =
        std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"));
    text.parse::<toml::Table>()
        .unwrap_or_else(|e| panic!("{rel} is not valid TOML: {e}"))
}

/// The `.toml` files of a folder, sorted by name, as (stem, relative path).
fn toml_files(rel_dir: &str) -> Vec<(String, String)> {
    let Ok(entries) = std::fs::read_dir(root().join(rel_dir)) else {
        return Vec::new();
    };
    let mut out: Vec<(String, String)> = entries
        .map(|e| {
            e.expect("read_dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter_map(|name| {
            let stem = name.strip_suffix(".toml")?.to_owned();
            Some((stem, format!("{rel_dir}/{name}")))
        })
        .collect();
    out.sort();
    out
}

/// The shipped records, read once with the `toml` crate (not with errata's own
/// reader, so the tests below are an independent account of what is shipped).
fn shipped() -> &'static Shipped {
    static SHIPPED: OnceLock<Shipped> = OnceLock::new();
    SHIPPED.get_or_init(|| {
        let mut files = vec![("errata.toml".to_owned(), read_table("errata.toml"))];
        let mut episodes = BTreeMap::new();
        let mut claims = Vec::new();
        let mut folders: Vec<String> = std::fs::read_dir(root().join("claims"))
            .expect("the repository ships claims/")
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().unwrap().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        folders.sort();
        for episode in folders {
            for (stem, path) in toml_files(&format!("claims/{episode}")) {
                let table = read_table(&path);
                files.push((path.clone(), table.clone()));
                if stem == "episode" {
                    episodes.insert(episode.clone(), table);
                } else {
                    claims.push(ClaimRec {
                        episode: episode.clone(),
                        id: stem,
                        path,
                        table,
                    });
                }
            }
        }
        let mut corrections = Vec::new();
        for (id, path) in toml_files("corrections") {
            let table = read_table(&path);
            files.push((path.clone(), table.clone()));
            corrections.push(CorrectionRec { id, path, table });
        }
        Shipped {
            files,
            episodes,
            claims,
            corrections,
        }
    })
}

fn text<'a>(t: &'a toml::Table, key: &str) -> Option<&'a str> {
    t.get(key).and_then(toml::Value::as_str)
}

fn strings<'a>(t: &'a toml::Table, key: &str) -> Vec<&'a str> {
    t.get(key)
        .and_then(toml::Value::as_array)
        .map(|a| a.iter().filter_map(toml::Value::as_str).collect())
        .unwrap_or_default()
}

fn sources(t: &toml::Table) -> Vec<&toml::Table> {
    t.get("sources")
        .and_then(toml::Value::as_array)
        .map(|a| a.iter().filter_map(toml::Value::as_table).collect())
        .unwrap_or_default()
}

fn time(s: &str, what: &str) -> Timestamp {
    s.parse()
        .unwrap_or_else(|e| panic!("{what}: {s:?} is not a time: {e}"))
}

/// Fail with every problem found, not just the first.
fn assert_none(problems: &[String], what: &str) {
    assert!(
        problems.is_empty(),
        "{what}: {} problem(s) in the shipped records:\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}

// ---------------------------------------------------------------- (a) validate

#[test]
fn the_shipped_records_keep_every_rule() {
    let env = Env::shipped();
    let out = env.run(&["validate"]);
    assert!(
        out.status.success(),
        "`errata validate` fails on the shipped records:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // Every claim was read as one: nothing shipped is silently skipped.
    let listed = env.json(&["list"]);
    let listed = listed.as_array().expect("`list --json` is an array");
    assert_eq!(
        listed.len(),
        shipped().claims.len(),
        "`errata list` shows {} claims of the {} shipped",
        listed.len(),
        shipped().claims.len()
    );
}

// ---------------------------------------------------------------- (b) quotes

#[test]
fn every_quote_is_in_the_transcript_where_said_at_puts_it() {
    let s = shipped();
    let mut problems = Vec::new();
    let mut checked = 0;
    for c in &s.claims {
        let episode = s
            .episodes
            .get(&c.episode)
            .unwrap_or_else(|| panic!("claims/{}/ has no episode.toml", c.episode));
        let transcript = text(episode, "transcript").map(|file| {
            let rel = format!("claims/{}/{file}", c.episode);
            let raw = std::fs::read_to_string(root().join(&rel))
                .unwrap_or_else(|e| panic!("read {rel}: {e}"));
            Transcript::parse(&raw).unwrap_or_else(|e| panic!("{rel}: {e}"))
        });
        let said_at = text(&c.table, "said_at").map(|a| time(a, &c.path));
        let quote = text(&c.table, "quote").filter(|q| !q.trim().is_empty());

        let Some(t) = transcript else {
            if let Some(q) = quote {
                problems.push(format!(
                    "{}: quote {q:?}, but episode {} has no transcript to find it in",
                    c.path, c.episode
                ));
            }
            continue;
        };
        let (first, last) = t.span().expect("a parsed transcript has segments");
        if let Some(at) = said_at
            && !(first <= at.start() && at.end() <= last)
        {
            problems.push(format!(
                "{}: said_at {at} lies outside the transcript ({}~{})",
                c.path,
                Timestamp::point(first),
                Timestamp::point(last)
            ));
        }
        let Some(q) = quote else { continue };
        checked += 1;
        let found = t.find_all(q);
        if found.is_empty() {
            let hint = t.closest_hint(q).unwrap_or_default();
            problems.push(format!(
                "{}: quote {q:?} is not in the transcript (whitespace aside); closest: {hint}",
                c.path
            ));
            continue;
        }
        let Some(at) = said_at else {
            problems.push(format!("{}: has a quote but no said_at", c.path));
            continue;
        };
        // Segments share their boundaries (01:00 ends one and starts the next), so
        // a range must overlap the quote's segments by more than that shared
        // second; a single moment must fall inside them.
        let spans: Vec<(u32, u32)> = found
            .iter()
            .map(|r| (t.segments[*r.start()].start, t.segments[*r.end()].end))
            .collect();
        let inside = spans.iter().any(|&(a, b)| {
            if at.start() == at.end() {
                a <= at.start() && at.start() <= b
            } else {
                at.start().max(a) < at.end().min(b)
            }
        });
        if !inside {
            let at_list: Vec<String> = spans
                .iter()
                .map(|&(a, b)| Timestamp::range(a, b).unwrap().to_string())
                .collect();
            problems.push(format!(
                "{}: said_at {at}, but the quote {q:?} is at {}",
                c.path,
                at_list.join(", ")
            ));
        }
    }
    assert_none(&problems, "quotes and times");
    assert!(
        checked >= MIN_CLAIMS,
        "only {checked} quotes were checked against a transcript"
    );
}

// ---------------------------------------------------------------- (c) coverage

#[test]
fn the_episode_is_covered_from_end_to_end() {
    let s = shipped();
    assert!(
        s.episodes.contains_key(TOP),
        "episode {TOP} is not shipped (claims/{TOP}/episode.toml)"
    );
    let claims: Vec<&ClaimRec> = s.claims_of(TOP).collect();
    assert!(
        claims.len() >= MIN_CLAIMS,
        "{TOP} has {} claims; at least {MIN_CLAIMS} are wanted",
        claims.len()
    );
    let mut problems = Vec::new();
    let mut windows: BTreeMap<u32, usize> = BTreeMap::new();
    for c in &claims {
        if text(&c.table, "quote").is_none_or(|q| q.trim().is_empty()) {
            problems.push(format!(
                "{}: no quote (every claim of {TOP} keeps its words as aired)",
                c.path
            ));
        }
        if text(&c.table, "claim").is_none_or(|q| q.trim().is_empty()) {
            problems.push(format!("{}: no `claim` in clean words", c.path));
        }
        match text(&c.table, "said_at") {
            Some(at) => {
                *windows
                    .entry(time(at, &c.path).start() / WINDOW_SECONDS)
                    .or_default() += 1
            }
            None => problems.push(format!("{}: no said_at", c.path)),
        }
    }
    assert_none(&problems, "claims of the episode");
    let shown: Vec<String> = windows
        .iter()
        .map(|(w, n)| format!("{}-{} min: {n}", w * 5, w * 5 + 5))
        .collect();
    assert!(
        windows.len() >= MIN_WINDOWS,
        "the claims of {TOP} bunch up in {} five-minute stretches ({}); \
         at least {MIN_WINDOWS} are wanted",
        windows.len(),
        shown.join(", ")
    );
}

#[test]
fn the_graphcast_claim_is_corrected_in_the_new_year_episode() {
    let s = shipped();
    assert!(
        s.episodes.contains_key(GRAPHCAST),
        "episode {GRAPHCAST} is not shipped (claims/{GRAPHCAST}/episode.toml)"
    );
    let graphcast: BTreeMap<&str, &ClaimRec> =
        s.claims_of(GRAPHCAST).map(|c| (c.id.as_str(), c)).collect();
    assert!(!graphcast.is_empty(), "episode {GRAPHCAST} has no claim");
    let aired = time(CORRECTION_AIRED, "the GraphCast correction");
    let correction = s
        .corrections
        .iter()
        .find(|k| {
            text(&k.table, "episode") == Some(TOP)
                // The correction's points are at 06:07~09:08; its record may
                // also take in the lead-in and the host's account of the error.
                && text(&k.table, "aired_at").is_some_and(|a| aired.within(&time(a, &k.path)))
                && strings(&k.table, "claims")
                    .iter()
                    .any(|id| graphcast.contains_key(id))
        })
        .unwrap_or_else(|| {
            panic!(
                "no correction aired in {TOP} over {CORRECTION_AIRED} names a claim of {GRAPHCAST} \
                 ({:?}); corrections: {:?}",
                graphcast.keys().collect::<Vec<_>>(),
                s.corrections.iter().map(|k| &k.path).collect::<Vec<_>>()
            )
        });
    for id in strings(&correction.table, "claims") {
        if let Some(c) = graphcast.get(id) {
            assert_eq!(
                text(&c.table, "status"),
                Some("corrected"),
                "{} is named by {} but not marked corrected",
                c.path,
                correction.path
            );
            assert!(
                matches!(
                    text(&c.table, "verdict"),
                    Some("misleading" | "inaccurate" | "mostly-accurate")
                ),
                "{}: a corrected claim needs a verdict that is not accurate",
                c.path
            );
        }
    }
    assert!(
        text(&correction.table, "text").is_some_and(|t| !t.trim().is_empty()),
        "{} has no text",
        correction.path
    );
    // The correction's own points are claims of the episode it aired in.
    let points: Vec<&str> = s
        .claims_of(TOP)
        .filter(|c| {
            text(&c.table, "said_at").is_some_and(|a| {
                let at = time(a, &c.path);
                at.start().max(aired.start()) < at.end().min(aired.end())
            })
        })
        .map(|c| c.id.as_str())
        .collect();
    assert!(
        points.len() >= 2,
        "the correction segment {CORRECTION_AIRED} of {TOP} has too few claims of its own: {points:?}"
    );
}

// ---------------------------------------------------------------- (d) owed

#[test]
fn list_owed_is_exactly_the_uncorrected_misleading_and_inaccurate_claims() {
    let s = shipped();
    let named: BTreeSet<&str> = s
        .corrections
        .iter()
        .flat_map(|k| strings(&k.table, "claims"))
        .collect();
    let want: BTreeSet<(String, String)> = s
        .claims
        .iter()
        .filter(|c| text(&c.table, "status") == Some("checked"))
        .filter(|c| matches!(text(&c.table, "verdict"), Some("misleading" | "inaccurate")))
        .filter(|c| !named.contains(c.id.as_str()))
        .map(|c| (c.episode.clone(), c.id.clone()))
        .collect();

    let env = Env::shipped();
    let owed = env.json(&["list", "--owed"]);
    let owed = owed.as_array().expect("`list --owed --json` is an array");
    let got: BTreeSet<(String, String)> = owed
        .iter()
        .map(|c| {
            (
                c["episode"].as_str().expect("episode").to_owned(),
                c["id"].as_str().expect("id").to_owned(),
            )
        })
        .collect();
    assert_eq!(got.len(), owed.len(), "a claim is listed twice: {owed:#?}");
    assert_eq!(
        got, want,
        "`errata list --owed` (left) is not the checked misleading/inaccurate claims no correction names (right)"
    );
    for c in owed {
        assert_eq!(c["status"], "checked", "{c:#}");
        assert!(
            c["verdict"] == "misleading" || c["verdict"] == "inaccurate",
            "{c:#}"
        );
    }
}

// ---------------------------------------------------------------- (e) sources

/// Hosts reserved for documentation and testing (RFC 2606 and 6761), or that
/// name no public site: an address on one was made up, not looked up.
fn placeholder_host(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    let host = host.trim_end_matches('.');
    let labels: Vec<&str> = host.split('.').collect();
    let tld = labels.last().copied().unwrap_or_default();
    ["example", "test", "invalid", "localhost", "local"].contains(&tld)
        || labels.contains(&"example")
        || host == "localhost"
        || host.parse::<std::net::IpAddr>().is_ok()
        || !host.contains('.')
}

/// Why `url` is not an address a reader can follow, if it is not.
fn bad_url(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let Some(rest) = rest else {
        return Some("is not an http(s) address".into());
    };
    if url.chars().any(char::is_whitespace) {
        return Some("has whitespace in it".into());
    }
    if url.contains("...") || url.contains('…') || url.contains('<') || url.contains('>') {
        return Some("is elided or a template, not an address".into());
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit('@').next().unwrap_or_default();
    let host = host.split(':').next().unwrap_or_default();
    if host.is_empty() {
        return Some("has no host".into());
    }
    if placeholder_host(host) {
        return Some(format!("points at the placeholder host `{host}`"));
    }
    None
}

/// Every string in a TOML value, with its dotted key.
fn walk_strings<'a>(key: String, v: &'a toml::Value, out: &mut Vec<(String, &'a str)>) {
    match v {
        toml::Value::String(s) => out.push((key, s)),
        toml::Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                walk_strings(format!("{key}[{i}]"), v, out);
            }
        }
        toml::Value::Table(t) => {
            for (k, v) in t {
                let key = if key.is_empty() {
                    k.clone()
                } else {
                    format!("{key}.{k}")
                };
                walk_strings(key, v, out);
            }
        }
        _ => {}
    }
}

#[test]
fn every_verdict_cites_real_sources() {
    let s = shipped();
    let mut problems = Vec::new();
    for c in &s.claims {
        let verdict = text(&c.table, "verdict");
        let srcs = sources(&c.table);
        if verdict.is_some_and(|v| v != "unverifiable") && srcs.is_empty() {
            problems.push(format!(
                "{}: verdict {} cites no source",
                c.path,
                verdict.unwrap()
            ));
        }
        for (i, src) in srcs.iter().enumerate() {
            // POLICY.md: every source says when the desk read it, never before
            // it was published.
            match (src.get("accessed"), src.get("published")) {
                (Some(toml::Value::Datetime(read)), published) => {
                    if let Some(toml::Value::Datetime(out)) = published
                        && read.to_string() < out.to_string()
                    {
                        problems.push(format!(
                            "{}: sources[{i}] was accessed on {read}, before it was published on {out}",
                            c.path
                        ));
                    }
                }
                (Some(other), _) => problems.push(format!(
                    "{}: sources[{i}].accessed is not a date: {other}",
                    c.path
                )),
                (None, _) => {
                    problems.push(format!("{}: sources[{i}] has no `accessed` date", c.path))
                }
            }
            let title = text(src, "title").filter(|t| !t.trim().is_empty());
            match src.get("url") {
                None if title.is_none() => problems.push(format!(
                    "{}: sources[{i}] has neither title nor url",
                    c.path
                )),
                None => {}
                // Checked with every other address below.
                Some(toml::Value::String(_)) => {}
                Some(other) => problems.push(format!(
                    "{}: sources[{i}].url is not a string: {other}",
                    c.path
                )),
            }
        }
    }

    // No made-up address anywhere: settings, episodes, notes, excerpts, corrections.
    for (path, table) in &s.files {
        let mut all = Vec::new();
        for (k, v) in table {
            walk_strings(k.clone(), v, &mut all);
        }
        for (key, value) in all {
            if key == "url" || key.ends_with(".url") {
                if let Some(why) = bad_url(value) {
                    problems.push(format!("{path}: {key} `{value}` {why}"));
                }
                continue;
            }
            let lower = value.to_ascii_lowercase();
            for marker in ["example.com", "example.org", "example.net", "example.edu"] {
                if lower.contains(marker) {
                    problems.push(format!("{path}: {key} mentions the placeholder {marker}"));
                }
            }
            for word in ["TODO", "FIXME", "XXX", "TBD", "lorem ipsum", "Lorem ipsum"] {
                if value.contains(word) {
                    problems.push(format!("{path}: {key} has the placeholder {word:?}"));
                }
            }
            // Addresses written into notes and texts must be real ones too.
            for (at, _) in value.match_indices("http") {
                let tail = &value[at..];
                if !(tail.starts_with("http://") || tail.starts_with("https://")) {
                    continue;
                }
                let url: String = tail
                    .chars()
                    .take_while(|c| !c.is_whitespace() && !"\"'<>()[]`，。）".contains(*c))
                    .collect();
                if let Some(why) = bad_url(url.trim_end_matches(['.', ',', ';', ':'])) {
                    problems.push(format!(
                        "{path}: {key} has the address `{url}`, which {why}"
                    ));
                }
            }
        }
    }
    assert_none(&problems, "sources and addresses");
}

// ---------------------------------------------------------------- (e2) the desk's standard

/// POLICY.md at the repository root: the desk's written sourcing standard.
fn policy() -> &'static str {
    static POLICY: OnceLock<String> = OnceLock::new();
    POLICY.get_or_init(|| {
        std::fs::read_to_string(root().join("POLICY.md")).unwrap_or_else(|e| {
            panic!("the shipped data's standard, POLICY.md, cannot be read: {e}")
        })
    })
}

/// The backticked hosts of the list that follows `<!-- policy:NAME ... -->` in
/// POLICY.md, up to the first line that is not a list item.
fn policy_hosts(name: &str) -> Vec<String> {
    let marker = format!("<!-- policy:{name}");
    let text = policy();
    let start = text
        .find(&marker)
        .unwrap_or_else(|| panic!("POLICY.md has no `{marker} ... -->` list"));
    let mut hosts = Vec::new();
    for line in text[start..].lines().skip(1) {
        let Some(item) = line.strip_prefix("- ") else {
            break;
        };
        hosts.extend(
            item.split('`')
                .skip(1)
                .step_by(2)
                .map(|h| h.trim().to_ascii_lowercase()),
        );
    }
    assert!(!hosts.is_empty(), "POLICY.md's `{name}` list names no host");
    hosts
}

/// The host of an http(s) address, lowercased.
fn url_host(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?.split(':').next()?;
    Some(host.trim_end_matches('.').to_ascii_lowercase())
}

/// A host is on a listed one when it is that host or one of its subdomains.
fn on_host(host: &str, listed: &str) -> bool {
    host == listed
        || host
            .strip_suffix(listed)
            .is_some_and(|head| head.ends_with('.'))
}

/// How POLICY.md says a republication is marked: in its publisher.
const REPUBLISHED: &str = ", republished by ";
/// Words in a publisher that say the source is someone else's text.
const COPY_WORDS: &[&str] = &["repost", "mirror", "copy", "syndicat", " via ", "adapted"];

#[test]
fn every_source_keeps_the_desks_written_standard() {
    let s = shipped();
    let banned = policy_hosts("hosts-not-accepted");
    let republishers = policy_hosts("hosts-republishing");
    let mut problems = Vec::new();
    for c in &s.claims {
        let srcs = sources(&c.table);
        for (i, src) in srcs.iter().enumerate() {
            let publisher = text(src, "publisher").unwrap_or_default();
            let host = text(src, "url").and_then(url_host);
            if let Some(host) = &host {
                if let Some(listed) = banned.iter().find(|b| on_host(host, b)) {
                    problems.push(format!(
                        "{}: sources[{i}] is on `{host}`, which POLICY.md lists as not acceptable (`{listed}`)",
                        c.path
                    ));
                }
                if republishers.iter().any(|r| on_host(host, r)) && !publisher.contains(REPUBLISHED)
                {
                    problems.push(format!(
                        "{}: sources[{i}] is on `{host}`, which only republishes others' texts, but its publisher {publisher:?} does not say \"ORIGINAL{REPUBLISHED}SITE\"",
                        c.path
                    ));
                }
            }
            let lower = publisher.to_lowercase();
            if let Some(word) = COPY_WORDS.iter().find(|w| lower.contains(*w))
                && !publisher.contains(REPUBLISHED)
            {
                problems.push(format!(
                    "{}: sources[{i}]'s publisher {publisher:?} calls it a copy ({:?}) but is not marked \"ORIGINAL{REPUBLISHED}SITE\"",
                    c.path,
                    word.trim()
                ));
            }
        }
        let verdict = text(&c.table, "verdict");
        if verdict.is_some_and(|v| v != "unverifiable")
            && !srcs.iter().any(|src| {
                text(src, "publisher").is_some_and(|p| !p.trim().is_empty())
                    && src.get("published").is_some_and(|d| d.is_datetime())
            })
        {
            problems.push(format!(
                "{}: verdict {} rests on no source with both a publisher and a `published` date",
                c.path,
                verdict.unwrap()
            ));
        }
    }
    assert_none(&problems, "the standard of POLICY.md");
}

#[test]
fn the_policy_lists_are_read_and_matched_by_host() {
    let banned = policy_hosts("hosts-not-accepted");
    assert!(banned.iter().any(|h| h == "thecoli.com"), "{banned:?}");
    let republishers = policy_hosts("hosts-republishing");
    assert!(
        republishers.iter().any(|h| h == "wikimili.com"),
        "{republishers:?}"
    );
    assert!(
        republishers.iter().any(|h| h == "cinxe.com"),
        "{republishers:?}"
    );
    for (url, host, listed, hit) in [
        (
            "https://thecoli.com/threads/x",
            "thecoli.com",
            "thecoli.com",
            true,
        ),
        (
            "https://www.localnewswave.com/a",
            "www.localnewswave.com",
            "localnewswave.com",
            true,
        ),
        (
            "http://cdn.4pmtech.com/x",
            "cdn.4pmtech.com",
            "4pmtech.com",
            true,
        ),
        (
            "https://notthecoli.com/",
            "notthecoli.com",
            "thecoli.com",
            false,
        ),
        (
            "https://user@deepai.org:443/p",
            "deepai.org",
            "deepai.org",
            true,
        ),
    ] {
        assert_eq!(url_host(url).as_deref(), Some(host), "{url}");
        assert_eq!(on_host(host, listed), hit, "{host} on {listed}");
    }
    assert_eq!(url_host("ftp://deepai.org/"), None);
}

#[test]
fn the_placeholder_check_catches_made_up_addresses() {
    for url in [
        "https://example.com/report",
        "https://factcheck.example.org",
        "http://www.example.net/x",
        "https://podcasts.example/ep1",
        "https://...",
        "https://",
        "ftp://nvidia.com/x",
        "https://localhost:8080/",
        "https://10.0.0.1/",
    ] {
        assert!(bad_url(url).is_some(), "{url} should be refused");
    }
    for url in [
        "https://nvidianews.nvidia.com/news/x",
        "http://timeandnavigation.si.edu/multimedia-asset/christiaan-huygens",
        "https://github.com/01-ai/Yi?tab=readme#x",
    ] {
        assert_eq!(bad_url(url), None, "{url} is a real address");
    }
}

// ---------------------------------------------------------------- (f) history

/// `git` in the project's own folder, read only, with none of the caller's git
/// environment (GIT_DIR and the like) or configuration.
fn project_git(args: &[&str]) -> std::process::Output {
    let home = tempfile::tempdir().expect("temp HOME");
    Command::new("git")
        .args(args)
        .current_dir(ROOT)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join(".config"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("LC_ALL", "C")
        .output()
        .expect("run git")
}

fn project_git_ok(args: &[&str]) -> String {
    let out = project_git(args);
    assert!(
        out.status.success(),
        "git {args:?} failed in {ROOT}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("git output is UTF-8")
}

/// The project folder is a full git clone whose history can be read; fails with
/// why not (a source tarball, a folder inside another repository, a shallow clone).
fn require_history() {
    let out = project_git(&["rev-parse", "--show-toplevel", "--is-shallow-repository"]);
    assert!(
        out.status.success(),
        "{ROOT} is not a git repository (or not one git can read), so the history of the shipped records cannot be \
         checked (each claim must have been made by errata's own commands, one commit per \
         step). Run this test in a git clone of errata, not in an unpacked source archive.\n\
         git says: {}",
        String::from_utf8_lossy(&out.stderr).trim()
    );
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    let mut lines = stdout.lines();
    let top = PathBuf::from(lines.next().unwrap_or_default());
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    assert_eq!(
        canon(&top),
        canon(root()),
        "{ROOT} is inside the git repository {}, not a clone of errata: the history of \
         the shipped records cannot be checked there",
        top.display()
    );
    assert_eq!(
        lines.next(),
        Some("false"),
        "{ROOT} is a shallow clone: the history of the shipped records is cut off. \
         Fetch it whole (`git fetch --unshallow`) before running this test."
    );
}

struct Commit {
    hash: String,
    summary: String,
    /// `Key: value` lines of the message.
    trailers: Vec<(String, String)>,
}

impl Commit {
    fn has(&self, key: &str, value: &str) -> bool {
        self.trailers.iter().any(|(k, v)| k == key && v == value)
    }
}

/// `git log --format=%B -- path`, newest first, with each commit's id.
fn history(path: &str) -> Vec<Commit> {
    let out = project_git_ok(&["log", "--format=%x1e%H%n%B", "--", path]);
    out.split('\u{1e}')
        .filter(|c| !c.trim().is_empty())
        .map(|c| {
            let mut lines = c.lines();
            let hash = lines.next().unwrap_or_default().to_owned();
            let summary = lines.next().unwrap_or_default().to_owned();
            let trailers = lines
                .filter_map(|l| l.split_once(": "))
                .filter(|(k, _)| !k.is_empty() && !k.contains(' '))
                .map(|(k, v)| (k.to_owned(), v.trim().to_owned()))
                .collect();
            Commit {
                hash,
                summary,
                trailers,
            }
        })
        .collect()
}

/// The history of many paths, read in parallel to keep the test fast.
fn histories(paths: &[String]) -> Vec<Vec<Commit>> {
    let chunk = paths.len().div_ceil(8).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = paths
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(|p| history(p)).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("git log thread"))
            .collect()
    })
}

#[test]
fn every_claim_was_made_step_by_step_with_errata() {
    require_history();
    let s = shipped();
    let tracked: BTreeSet<String> = project_git_ok(&["ls-files", "--", "claims", "corrections"])
        .lines()
        .map(str::to_owned)
        .collect();
    let claims: Vec<&ClaimRec> = s.claims.iter().collect();
    let paths: Vec<String> = claims.iter().map(|c| c.path.clone()).collect();
    let logs = histories(&paths);

    let mut problems = Vec::new();
    // add commit → the claims it added.
    let mut adds: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for (c, log) in claims.iter().zip(&logs) {
        let id = c.id.as_str();
        if !tracked.contains(&c.path) {
            problems.push(format!("{}: not committed", c.path));
            continue;
        }
        let mine = |prefix: &str| -> Vec<&Commit> {
            log.iter()
                .filter(|k| k.summary.starts_with(prefix) && k.has("Errata-Claim", id))
                .collect()
        };
        let added = mine("add: ");
        match added.last() {
            None => problems.push(format!(
                "{}: no `add:` commit with `Errata-Claim: {id}` in its history",
                c.path
            )),
            Some(add) => {
                adds.entry(add.hash.clone()).or_default().push(id);
                let first = log.last().expect("a tracked file has history");
                if first.hash != add.hash {
                    problems.push(format!(
                        "{}: created by {} {:?}, not by errata add",
                        c.path,
                        &first.hash[..12],
                        first.summary
                    ));
                }
            }
        }
        let status = text(&c.table, "status").unwrap_or_default();
        if matches!(status, "checked" | "corrected") && mine("verdict: ").is_empty() {
            problems.push(format!(
                "{}: status {status}, but no `verdict:` commit with `Errata-Claim: {id}`",
                c.path
            ));
        }
        if status == "corrected" && mine("correct: ").is_empty() {
            problems.push(format!(
                "{}: corrected, but no `correct:` commit with `Errata-Claim: {id}`",
                c.path
            ));
        }
    }
    for k in &s.corrections {
        let log = history(&k.path);
        if !log
            .iter()
            .any(|c| c.summary.starts_with("correct: ") && c.has("Errata-Correction", &k.id))
        {
            problems.push(format!(
                "{}: no `correct:` commit with `Errata-Correction: {}`",
                k.path, k.id
            ));
        }
    }
    for (hash, ids) in &adds {
        if ids.len() > 1 {
            problems.push(format!(
                "commit {} added {} claims at once: {}",
                &hash[..12],
                ids.len(),
                ids.join(", ")
            ));
        }
    }
    assert_none(&problems, "history");
    assert_eq!(
        adds.len(),
        claims.len(),
        "each claim is added by a commit of its own"
    );
}
