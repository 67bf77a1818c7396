//! Properties of the three-way merge, on generated claims near the schema:
//! status and verdict pairs, tags, sources with urls or titles only, notes of
//! Chinese and Latin paragraphs; each side an arbitrary set of edits of the base.
//!
//! 10,000 cases per property under plain `cargo test`, each run printing its
//! count and time; for a longer run:
//! `PROPTEST_CASES=1000000 cargo test --release --test it merge_props`.

use proptest::prelude::*;
use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, value};

use errata::merge::{Labels, Outcome, merge};
use errata::model::{Claim, Status, Verdict};
use errata::store::parse_claim_at;

use crate::common::resolve_conflict;
use crate::fuzz::run as property;
use crate::merge::keeps_rules;

const PATH: &str = "claims/top10-ai-2023/nvidia-gross-margin.toml";

const LINES: &[&str] = &[
    "他的利潤高達70幾%耶",
    "是NVIDIA達到1兆美金的市值",
    "他們的造價是H100的兩倍",
    "但那個E呢其實 基本上就是複製拉馬的Code",
    "光是Copy這個Code他們的 公司估值就來到10億",
    "2022年11月 30號的Nurbs上面",
    "NVIDIA's gross margin is above 70%.",
    "GPT-3 came out in 2020, not 2021.",
    r#"He said "70-something percent", not "74.0%"."#,
    r"A path like C:\data\n is not a newline.",
    "Caveat: Q1 of fiscal 2024 was lower (about 64.6%).",
    "零一萬物在 2023 年 11 月宣布估值超過 10 億美元。",
    "逐字稿：「E」就是 Yi，「拉馬」就是 LLaMA。",
];
const TAGS: &[&str] = &[
    "nvidia",
    "chips",
    "financials",
    "yi",
    "llama",
    "01-ai",
    "openai",
    "中國",
    "晶片",
    "開源",
];
const URLS: &[&str] = &[
    "https://nvidianews.nvidia.com/news/q3-fy24",
    "https://www.cna.com.tw/news/afe/202311220010.aspx",
    "https://github.com/01-ai/Yi/issues/1",
    "https://openai.com/index/chatgpt/",
    "https://arxiv.org/abs/2005.14165",
    "https://huggingface.co/01-ai/Yi-34B/discussions/11",
];
const TITLES: &[&str] = &[
    "NVIDIA Announces Financial Results for Third Quarter Fiscal 2024",
    "輝達上季毛利率74% 營收年增逾2倍",
    "Model architecture? (issue #1 in 01-ai/Yi)",
    "AMD Advancing AI keynote (video)",
    "零一萬物發布 Yi-34B 開源大模型",
];
const PEOPLE: &[&str] = &["哈利", "小明", "科技浪 fact-check desk", "Ann Editor"];
const TIMES: &[&str] = &[
    "18:08",
    "18:08~19:08",
    "44:08~45:08",
    "1:02:03",
    "00:00~01:00",
];

#[derive(Debug, Clone, PartialEq)]
struct Source {
    url: Option<usize>,
    title: Option<usize>,
    publisher: Option<usize>,
    excerpt: Option<usize>,
}

#[derive(Debug, Clone, PartialEq)]
struct Gen {
    status: Status,
    verdict: Option<Verdict>,
    said_at: Option<usize>,
    speaker: Option<usize>,
    quote: Option<usize>,
    claim: Option<usize>,
    tags: Vec<usize>,
    assignee: Option<usize>,
    note: Vec<usize>,
    sources: Vec<Source>,
    /// A comment above the first field.
    comment: bool,
}

/// One edit an editor might make on a side.
#[derive(Debug, Clone)]
enum Edit {
    Status(usize),
    Verdict(usize),
    SaidAt(Option<usize>),
    Speaker(Option<usize>),
    Quote(Option<usize>),
    Claim(Option<usize>),
    AddTag(usize),
    RemoveTag(usize),
    Assignee(Option<usize>),
    Paragraph(usize, usize),
    AddParagraph(usize),
    RemoveParagraph(usize),
    AddSource(Source),
    RemoveSource(usize),
    Excerpt(usize, Option<usize>),
    Publisher(usize, Option<usize>),
    Comment,
}

fn source() -> impl Strategy<Value = Source> {
    (
        prop::option::weighted(0.8, 0..URLS.len()),
        prop::option::of(0..TITLES.len()),
        prop::option::of(0..PEOPLE.len()),
        prop::option::of(0..LINES.len()),
    )
        .prop_map(|(url, title, publisher, excerpt)| Source {
            url,
            title: title.or(url.is_none().then_some(0)),
            publisher,
            excerpt,
        })
}

fn claim() -> impl Strategy<Value = Gen> {
    (
        (0..4usize, 0..5usize),
        prop::option::of(0..TIMES.len()),
        prop::option::of(0..PEOPLE.len()),
        prop::option::of(0..LINES.len()),
        prop::option::of(0..LINES.len()),
        prop::collection::vec(0..TAGS.len(), 0..4),
        prop::option::of(0..PEOPLE.len()),
        prop::collection::vec(0..LINES.len(), 0..4),
        prop::collection::vec(source(), 0..4),
        any::<bool>(),
    )
        .prop_map(
            |((s, v), said_at, speaker, quote, claim, tags, assignee, note, sources, comment)| {
                let mut g = Gen {
                    status: Status::ALL[s],
                    verdict: Some(Verdict::ALL[v]),
                    said_at,
                    speaker,
                    quote,
                    claim,
                    tags,
                    assignee,
                    note,
                    sources,
                    comment,
                };
                g.fix();
                g
            },
        )
}

/// An edit, drawn as three small numbers (cheap to generate and to shrink:
/// proptest's strategies are slow in a debug build) and read as one of the
/// kinds above.
fn edit() -> impl Strategy<Value = Edit> {
    (0..17u8, 0..16usize, 0..16usize, any::<bool>()).prop_map(|(kind, a, b, none)| {
        let opt = |n: usize| (!none).then_some(b % n);
        match kind {
            0 => Edit::Status(a % 4),
            1 => Edit::Verdict(a % 5),
            2 => Edit::SaidAt(opt(TIMES.len())),
            3 => Edit::Speaker(opt(PEOPLE.len())),
            4 => Edit::Quote(opt(LINES.len())),
            5 => Edit::Claim(opt(LINES.len())),
            6 => Edit::AddTag(b % TAGS.len()),
            7 => Edit::RemoveTag(a),
            8 => Edit::Assignee(opt(PEOPLE.len())),
            9 => Edit::Paragraph(a, b % LINES.len()),
            10 => Edit::AddParagraph(b % LINES.len()),
            11 => Edit::RemoveParagraph(a),
            12 => Edit::AddSource(Source {
                url: (a % 4 != 0).then_some(a % URLS.len()),
                title: (none || a % 4 == 0).then_some(b % TITLES.len()),
                publisher: (b % 3 != 0).then_some(b % PEOPLE.len()),
                excerpt: (a % 3 != 0).then_some((a + b) % LINES.len()),
            }),
            13 => Edit::RemoveSource(a),
            14 => Edit::Excerpt(a, opt(LINES.len())),
            15 => Edit::Publisher(a, opt(PEOPLE.len())),
            _ => Edit::Comment,
        }
    })
}

impl Gen {
    /// Make it a valid claim: a status and verdict that belong together, a
    /// source under every verdict but unverifiable, a quote or a claim, each
    /// tag and source once.
    fn fix(&mut self) {
        match self.status {
            Status::NeedsCheck | Status::Checking => self.verdict = None,
            Status::Checked | Status::Corrected => {
                let v = self.verdict.unwrap_or(Verdict::Unverifiable);
                self.verdict = Some(match (self.status, v) {
                    (Status::Corrected, Verdict::Accurate) => Verdict::Misleading,
                    _ => v,
                });
            }
        }
        let mut seen = Vec::new();
        self.sources.retain(|s| {
            let key = (s.url, if s.url.is_some() { None } else { s.title });
            let fresh = !seen.contains(&key);
            seen.push(key);
            fresh
        });
        if self.verdict.is_some_and(|v| v != Verdict::Unverifiable) && self.sources.is_empty() {
            self.verdict = Some(Verdict::Unverifiable);
        }
        if self.quote.is_none() && self.claim.is_none() {
            self.claim = Some(6);
        }
        let mut tags = Vec::new();
        for t in &self.tags {
            if !tags.contains(t) {
                tags.push(*t);
            }
        }
        self.tags = tags;
    }

    fn apply(&self, edits: &[Edit]) -> Gen {
        let mut g = self.clone();
        for e in edits {
            match e {
                Edit::Status(s) => g.status = Status::ALL[*s],
                Edit::Verdict(v) => g.verdict = Some(Verdict::ALL[*v]),
                Edit::SaidAt(t) => g.said_at = *t,
                Edit::Speaker(p) => g.speaker = *p,
                Edit::Quote(l) => g.quote = *l,
                Edit::Claim(l) => g.claim = *l,
                Edit::AddTag(t) => g.tags.push(*t),
                Edit::RemoveTag(i) if !g.tags.is_empty() => {
                    let i = i % g.tags.len();
                    g.tags.remove(i);
                }
                Edit::Assignee(p) => g.assignee = *p,
                Edit::Paragraph(i, l) if !g.note.is_empty() => {
                    let i = i % g.note.len();
                    g.note[i] = *l;
                }
                Edit::AddParagraph(l) => g.note.push(*l),
                Edit::RemoveParagraph(i) if !g.note.is_empty() => {
                    let i = i % g.note.len();
                    g.note.remove(i);
                }
                Edit::AddSource(s) => g.sources.push(s.clone()),
                Edit::RemoveSource(i) if !g.sources.is_empty() => {
                    let i = i % g.sources.len();
                    g.sources.remove(i);
                }
                Edit::Excerpt(i, l) if !g.sources.is_empty() => {
                    let n = g.sources.len();
                    g.sources[i % n].excerpt = *l;
                }
                Edit::Publisher(i, p) if !g.sources.is_empty() => {
                    let n = g.sources.len();
                    g.sources[i % n].publisher = *p;
                }
                Edit::Comment => g.comment = !g.comment,
                _ => {}
            }
        }
        g.fix();
        g
    }

    /// The record as errata writes one (toml_edit's layout), a note as
    /// paragraphs of one line each.
    fn text(&self) -> String {
        let mut doc = DocumentMut::new();
        doc["status"] = value(self.status.as_str());
        if let Some(v) = self.verdict {
            doc["verdict"] = value(v.as_str());
        }
        let set = |doc: &mut DocumentMut, k: &str, pool: &[&str], i: Option<usize>| {
            if let Some(i) = i {
                doc[k] = value(pool[i]);
            }
        };
        set(&mut doc, "said_at", TIMES, self.said_at);
        set(&mut doc, "speaker", PEOPLE, self.speaker);
        set(&mut doc, "quote", LINES, self.quote);
        set(&mut doc, "claim", LINES, self.claim);
        if !self.tags.is_empty() {
            let mut a = toml_edit::Array::new();
            for t in &self.tags {
                a.push(TAGS[*t]);
            }
            doc["tags"] = value(a);
        }
        set(&mut doc, "assignee", PEOPLE, self.assignee);
        if !self.note.is_empty() {
            let paragraphs: Vec<&str> = self.note.iter().map(|l| LINES[*l]).collect();
            doc["note"] = value(paragraphs.join("\n\n"));
        }
        if !self.sources.is_empty() {
            let mut list = ArrayOfTables::new();
            for s in &self.sources {
                let mut t = Table::new();
                let mut put = |k: &str, pool: &[&str], i: Option<usize>| {
                    if let Some(i) = i {
                        t[k] = value(pool[i]);
                    }
                };
                put("title", TITLES, s.title);
                put("url", URLS, s.url);
                put("publisher", PEOPLE, s.publisher);
                put("excerpt", LINES, s.excerpt);
                list.push(t);
            }
            doc["sources"] = Item::ArrayOfTables(list);
        }
        if self.comment
            && let Some(mut k) = doc.key_mut("status")
        {
            k.leaf_decor_mut().set_prefix("# checked by the desk\n");
        }
        doc.to_string()
    }
}

/// A base and two sides, each an arbitrary set of edits of the base.
fn triple() -> impl Strategy<Value = (Gen, Gen, Gen)> {
    (
        claim(),
        prop::collection::vec(edit(), 1..5),
        prop::collection::vec(edit(), 1..5),
    )
        .prop_map(|(base, o, t)| {
            let (ours, theirs) = (base.apply(&o), base.apply(&t));
            (base, ours, theirs)
        })
}

fn run(base: &str, ours: &str, theirs: &str) -> Outcome {
    merge(
        PATH,
        Some(base),
        Some(ours),
        Some(theirs),
        &Labels::default(),
        7,
    )
}

/// A merged claim with its tags and sources in a canonical order: they merge
/// as sets, and their order follows whichever side is ours.
fn values(text: &str) -> Claim {
    let mut c = parse_claim_at(PATH, text.as_bytes()).expect("a clean merge is a claim");
    c.tags.sort();
    c.sources
        .sort_by(|a, b| (&a.url, &a.title).cmp(&(&b.url, &b.title)));
    c
}

#[test]
fn a_record_merged_with_itself_comes_back_byte_for_byte() {
    property("merge with itself", triple(), |(base, side, _)| {
        let text = side.text();
        prop_assert_eq!(
            run(&base.text(), &text, &text),
            Outcome::Clean(Some(text.clone()))
        );
        prop_assert_eq!(run(&text, &text, &text), Outcome::Clean(Some(text.clone())));
        Ok(())
    });
}

#[test]
fn a_change_on_one_side_only_comes_through_unchanged() {
    property("merge one-sided change", triple(), |(base, side, _)| {
        let (b, s) = (base.text(), side.text());
        prop_assert_eq!(run(&b, &s, &b), Outcome::Clean(Some(s.clone())));
        prop_assert_eq!(run(&b, &b, &s), Outcome::Clean(Some(s.clone())));
        // The other side only reformatted (a comment): still that side, exactly
        // (when that side changed anything: else the comment is the change).
        let mut reformatted = base.clone();
        reformatted.comment = !reformatted.comment;
        if s != b {
            prop_assert_eq!(
                run(&b, &s, &reformatted.text()),
                Outcome::Clean(Some(s.clone()))
            );
        }
        Ok(())
    });
}

#[test]
fn swapping_ours_and_theirs_gives_the_same_merged_values() {
    property("merge symmetric", triple(), |(base, ours, theirs)| {
        let (b, o, t) = (base.text(), ours.text(), theirs.text());
        match (run(&b, &o, &t), run(&b, &t, &o)) {
            (Outcome::Clean(Some(x)), Outcome::Clean(Some(y))) => {
                prop_assert_eq!(values(&x), values(&y));
            }
            (
                Outcome::Conflicted { conflicts: x, .. },
                Outcome::Conflicted { conflicts: y, .. },
            ) => {
                let fields = |c: &[errata::merge::Conflict]| {
                    let mut f: Vec<String> = c.iter().map(|c| c.field.clone()).collect();
                    f.sort();
                    f
                };
                prop_assert_eq!(fields(&x), fields(&y));
            }
            (x, y) => prop_assert!(false, "one way {x:?}, the other {y:?}"),
        }
        Ok(())
    });
}

#[test]
fn a_clean_merge_keeps_the_rules_and_a_conflict_resolves_to_toml() {
    property("merge keeps rules", triple(), |(base, ours, theirs)| {
        match run(&base.text(), &ours.text(), &theirs.text()) {
            Outcome::Clean(Some(text)) => prop_assert_eq!(keeps_rules(PATH, &text), Ok(())),
            Outcome::Clean(None) => prop_assert!(false, "a claim on every side is never deleted"),
            Outcome::Conflicted { text, conflicts } => {
                prop_assert!(!conflicts.is_empty());
                for keep_ours in [true, false] {
                    let resolved = resolve_conflict(&text, keep_ours, 7);
                    prop_assert!(
                        resolved.parse::<DocumentMut>().is_ok(),
                        "not TOML once resolved:\n{}",
                        resolved
                    );
                }
            }
        }
        Ok(())
    });
}

/// A generated record with a piece cut out and junk put in its place, as a
/// hand edit gone wrong or a file with markers left in it.
fn broken() -> impl Strategy<Value = String> {
    (
        claim(),
        any::<prop::sample::Index>(),
        0..40usize,
        "[\\[\\]\"'=#<>\n\r\\\\a-z0-9 ]{0,12}",
    )
        .prop_map(|(g, at, len, junk)| {
            let text = g.text();
            let chars: Vec<char> = text.chars().collect();
            let start = at.index(chars.len() + 1);
            let end = (start + len).min(chars.len());
            chars[..start]
                .iter()
                .chain(junk.chars().collect::<Vec<_>>().iter())
                .chain(chars[end..].iter())
                .collect()
        })
}

/// Whatever the sides hold, the merge answers without panicking, and a clean
/// answer keeps the rules.
#[test]
fn any_text_on_any_side_merges_without_panicking() {
    let sides = (
        prop::option::of(broken()),
        prop::option::of(broken()),
        prop::option::of(broken()),
        prop::sample::select(vec![
            PATH,
            "errata.toml",
            "corrections/c.toml",
            "claims/ep/episode.toml",
        ]),
    );
    property("merge any text", sides, |(base, ours, theirs, path)| {
        let outcome = merge(
            path,
            base.as_deref(),
            ours.as_deref(),
            theirs.as_deref(),
            &Labels::default(),
            7,
        );
        if let Outcome::Clean(Some(text)) = outcome {
            prop_assert_eq!(keeps_rules(path, &text), Ok(()));
        }
        Ok(())
    });
}
