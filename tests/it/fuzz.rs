//! Property and fuzz-style tests: no input makes errata panic, and what it
//! accepts it reads back the same. Each property runs 10,000 generated cases
//! under plain `cargo test` (the count and time are printed to stderr); for a
//! longer run, `PROPTEST_CASES=1000000 cargo test --release --test it fuzz::`.
//! A panic anywhere is a failure, reported with the smallest input proptest
//! shrinks it to.
//!
//! Inputs are of two kinds: any bytes, and text near the formats (TOML built
//! from the schema's keys and odd values, transcripts built from cue lines,
//! commit-graph files with valid structure and checksums), which reach the
//! code past the first parse error.

use std::io::Write;
use std::sync::OnceLock;
use std::time::Instant;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use errata::diagnostic::Location;
use errata::git::Graph;
use errata::model::{Claim, ClaimId, CorrectionId, Date, EpisodeId, Timestamp};
use errata::ops::resolve_claim;
use errata::store::{Parsed, Snapshot, parse_at};
use errata::transcript::Transcript;
use errata::validate::check_claim;

/// Cases per property: 10,000 unless PROPTEST_CASES says otherwise.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000)
}

/// Run `test` on `cases()` values of `strategy`, printing how many and how long.
pub(crate) fn run<S: Strategy>(
    name: &str,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) {
    let config = Config {
        cases: cases(),
        failure_persistence: None,
        max_shrink_iters: 2_000,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let started = Instant::now();
    let result = runner.run(&strategy, test);
    let _ = writeln!(
        std::io::stderr(),
        "fuzz {name}: {} cases in {:.2?}, {}",
        cases(),
        started.elapsed(),
        if result.is_ok() {
            "no failure"
        } else {
            "FAILED"
        }
    );
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
}

const PATHS: &[&str] = &[
    "claims/top10-ai-2023/nvidia-margin.toml",
    "claims/top10-ai-2023/episode.toml",
    "corrections/graphcast-fix.toml",
    "errata.toml",
];

/// The first minutes of the seed transcript: validation searches it for quotes.
fn transcript() -> &'static Transcript {
    static T: OnceLock<Transcript> = OnceLock::new();
    T.get_or_init(|| {
        let text = std::fs::read_to_string(crate::common::SEED).unwrap();
        let head: String = text.lines().take(12).map(|l| format!("{l}\n")).collect();
        Transcript::parse(&head).unwrap()
    })
}

fn pick(items: &'static [&'static str]) -> impl Strategy<Value = &'static str> {
    proptest::sample::select(items)
}

/// Text that tends to break things: quotes, escapes, Han characters, emoji,
/// controls, conflict markers, times.
fn odd_text() -> impl Strategy<Value = String> {
    let piece = pick(&[
        "他的利潤高達70幾%耶",
        "輝達",
        "🙂",
        "a",
        " ",
        "\n",
        "\r\n",
        "\t",
        "\"",
        "'",
        "\\",
        "\\u0000",
        "\u{0}",
        "\u{7f}",
        "\u{200b}",
        "\u{feff}",
        "<<<<<<< ours\n",
        "=======\n",
        ">>>>>>> theirs\n",
        "18:08~19:08",
        "99:99",
        "-1",
        "https://",
        "javascript:",
        "<b>",
        "&amp;",
        "]]",
        "[[",
        "{",
        "}",
        "=",
        "#",
        "~",
        ":",
        ",",
        ".",
    ]);
    prop::collection::vec(piece, 0..8).prop_map(|v| v.concat())
}

/// A TOML value for a key of a record, valid or not for that key.
fn toml_value() -> impl Strategy<Value = String> {
    prop_oneof![
        odd_text().prop_map(|s| toml_edit::value(s).to_string()),
        pick(&[
            "\"needs-check\"",
            "\"checking\"",
            "\"checked\"",
            "\"accurate\"",
            "\"misleading\"",
            "\"inaccurate\"",
            "\"unverifiable\"",
            "\"mostly-accurate\"",
            "\"18:08~19:08\"",
            "\"1:02:03\"",
            "\"19:08~18:08\"",
            "\"00:00\"",
            "2023-11-21",
            "2023-02-30",
            "1979-05-27T07:32:00Z",
            "42",
            "-0",
            "1e999",
            "nan",
            "true",
            "[]",
            "[\"nvidia\"]",
            "[\"晶片\", 1]",
            "{}",
            "{ title = \"t\" }",
            "\"\"\"\n多行\n\"\"\"",
            "'''x'''",
        ])
        .prop_map(str::to_owned),
    ]
}

/// TOML near a record's schema: known and unknown keys with odd values, and
/// source tables.
fn near_schema() -> impl Strategy<Value = String> {
    let key = pick(&[
        "status",
        "verdict",
        "said_at",
        "speaker",
        "quote",
        "claim",
        "tags",
        "assignee",
        "note",
        "title",
        "date",
        "url",
        "transcript",
        "episode",
        "at",
        "text",
        "reported_by",
        "name",
        "language",
        "claims",
        "unknown",
        "\"quoted key\"",
    ]);
    let line = (key, toml_value()).prop_map(|(k, v)| format!("{k} = {v}\n"));
    let source_key = pick(&[
        "title",
        "url",
        "publisher",
        "published",
        "excerpt",
        "archived",
    ]);
    let source_line = (source_key, toml_value()).prop_map(|(k, v)| format!("{k} = {v}\n"));
    let source = prop::collection::vec(source_line, 0..5)
        .prop_map(|lines| format!("\n[[sources]]\n{}", lines.concat()));
    (
        prop::collection::vec(line, 0..10),
        prop::collection::vec(source, 0..3),
        any::<u8>(),
    )
        .prop_map(|(lines, sources, cut)| {
            let mut text = lines.concat() + &sources.concat();
            // Now and then the file ends mid-way, as a torn write would leave it.
            if cut < 16 && !text.is_empty() {
                let at = usize::from(cut) * text.len() / 16;
                let at = (0..=at)
                    .rev()
                    .find(|i| text.is_char_boundary(*i))
                    .unwrap_or(0);
                text.truncate(at);
            }
            text
        })
}

/// Parse as a claim and as another kind of record; a claim that parses is
/// validated too, against a transcript and without one.
fn parse_everywhere(bytes: &[u8], other: usize) {
    for path in [PATHS[0], PATHS[1 + other % (PATHS.len() - 1)]] {
        if let Parsed::Claim(c) = parse_at(path, bytes) {
            let _ = check_claim(&c, Some(transcript()));
            let _ = check_claim(&c, None);
        }
    }
}

#[test]
fn records_of_any_bytes_are_errors_not_panics() {
    run(
        "records from any bytes",
        (prop::collection::vec(any::<u8>(), 0..600), any::<usize>()),
        |(bytes, other)| {
            parse_everywhere(&bytes, other);
            Ok(())
        },
    );
}

#[test]
fn records_near_the_schema_parse_or_say_why() {
    run(
        "records near the schema",
        (near_schema(), any::<usize>()),
        |(text, other)| {
            parse_everywhere(text.as_bytes(), other);
            // Whatever does not parse says so with a location inside the file.
            if let Parsed::Bad(p) = parse_at(PATHS[0], text.as_bytes()) {
                prop_assert!(!p.message.is_empty());
                if let Location::Span(span) = &p.location {
                    prop_assert!(span.start <= span.end && span.end <= text.len(), "{p:?}");
                }
            }
            Ok(())
        },
    );
}

/// Lines a transcript of any format might hold.
fn transcript_text() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        pick(&[
            "WEBVTT",
            "WEBVTT - 科技浪",
            "NOTE 註解",
            "STYLE",
            "REGION",
            "1",
            "2",
            "10",
            "",
            "00:00:01.000 --> 00:00:02.500",
            "00:01.000 --> 00:02.000 align:start",
            "00:00:01,000 --> 00:00:02,500",
            "01:02:03,004 --> 01:02:05,000",
            "00:00:09.000 --> 00:00:01.000",
            "99:99:99,999 --> 00:00:00,000",
            "-->",
            "00:00:01.000 -->",
            "[00:01~00:02] 他的利潤高達70幾%耶",
            "00:01~00:02 輝達",
            "18:08~19:08 他的利潤高達70幾%耶",
            "1:00:00~1:00:05 是NVIDIA達到1兆美金的市值",
            "<v 哈利>他們的造價是 H100的 兩倍",
            "<b>粗體</b>",
            "{\\an8}字幕",
            "&amp; &lt;",
        ])
        .prop_map(str::to_owned),
        odd_text(),
    ];
    (
        prop::collection::vec(line, 0..24),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(lines, crlf, bom)| {
            let sep = if crlf { "\r\n" } else { "\n" };
            let text = lines.join(sep);
            if bom { format!("\u{feff}{text}") } else { text }
        })
}

/// An imported transcript reads back as itself from its native rendering, and
/// a stretch of any of its segments is found where it is.
fn check_transcript(bytes: &[u8], probe: &str, pos: usize) -> Result<(), TestCaseError> {
    let Ok((t, _format)) = Transcript::import_bytes(bytes) else {
        return Ok(());
    };
    let _ = t.find(probe);
    let _ = t.closest_hint(probe);
    let _ = t.span();
    let rendered = t.render();
    let again = Transcript::parse(&rendered);
    prop_assert!(again.is_ok(), "{rendered:?} does not parse: {again:?}");
    if let Some(seg) = t.segments.get(pos % t.segments.len().max(1)) {
        let chars: Vec<char> = seg.text.chars().collect();
        if chars.len() >= 2 {
            let start = pos % (chars.len() - 1);
            let piece: String = chars[start..(start + 4).min(chars.len())].iter().collect();
            if !piece.trim().is_empty() {
                let _ = t.find(&piece);
                let _ = t.excerpt(pos % t.segments.len(), &piece, 40);
            }
        }
    }
    Ok(())
}

#[test]
fn transcripts_of_any_bytes_are_errors_not_panics() {
    run(
        "transcripts from any bytes",
        (
            prop::collection::vec(any::<u8>(), 0..600),
            odd_text(),
            any::<usize>(),
        ),
        |(bytes, probe, pos)| check_transcript(&bytes, &probe, pos),
    );
}

#[test]
fn transcripts_in_every_format_import_or_say_why() {
    run(
        "transcripts near each format",
        (transcript_text(), odd_text(), any::<usize>()),
        |(text, probe, pos)| check_transcript(text.as_bytes(), &probe, pos),
    );
}

#[test]
fn timestamps_and_dates_parse_or_say_why_and_print_back() {
    let near = prop_oneof![
        "[0-9:~ .,-]{0,14}",
        "([0-9]{1,3}:){0,2}[0-9]{1,2}(~([0-9]{1,3}:){0,2}[0-9]{1,2})?",
        "[0-9]{1,5}-[0-9]{1,2}-[0-9]{1,3}",
        any::<String>(),
    ];
    run("timestamps and dates", near, |s| {
        if let Ok(t) = s.parse::<Timestamp>() {
            prop_assert!(t.start() <= t.end(), "{s:?} gives {t:?}");
            let back: Timestamp = t.to_string().parse().unwrap();
            prop_assert_eq!(back, t, "{} from {:?}", t, s);
            prop_assert!(t.within(&t) && t.overlaps(&t));
        }
        if let Ok(d) = s.parse::<Date>() {
            let back: Date = d.to_string().parse().unwrap();
            prop_assert_eq!(back, d);
        }
        Ok(())
    });
}

/// A snapshot holding claims with these ids, in two episodes.
fn snapshot_of(ids: &[String]) -> Snapshot {
    static CLAIM: OnceLock<Claim> = OnceLock::new();
    let template = CLAIM.get_or_init(|| {
        let text = "status = \"needs-check\"\nclaim = \"c\"\n";
        match parse_at("claims/ep-a/x.toml", text.as_bytes()) {
            Parsed::Claim(c) => c,
            _ => unreachable!("the template claim parses"),
        }
    });
    let mut snap = Snapshot::default();
    for (i, id) in ids.iter().enumerate() {
        let Ok(id) = ClaimId::new(id) else { continue };
        let mut c = template.clone();
        c.id = id;
        c.episode = EpisodeId::new(if i % 3 == 0 { "ep-b" } else { "ep-a" }).unwrap();
        snap.claims.push(c);
    }
    snap
}

#[test]
fn ids_and_prefixes_resolve_as_git_resolves_short_hashes() {
    let ids = prop::collection::vec("[ab-]{1,4}", 0..8);
    let prefix = prop_oneof!["[ab-]{0,4}", any::<String>()];
    run(
        "ids and prefix resolution",
        (ids, prefix),
        |(ids, prefix)| {
            for s in ids.iter().chain([&prefix]) {
                for ok in [
                    ClaimId::new(s).is_ok(),
                    EpisodeId::new(s).is_ok(),
                    CorrectionId::new(s).is_ok(),
                ] {
                    if ok {
                        prop_assert!(!s.is_empty() && s.len() <= 64, "{s:?}");
                    }
                }
            }
            let snap = snapshot_of(&ids);
            let named: Vec<&Claim> = snap
                .claims
                .iter()
                .filter(|c| c.id.as_str().starts_with(prefix.as_str()))
                .collect();
            let exact = named.iter().filter(|c| c.id.as_str() == prefix).count();
            match resolve_claim(&snap, &prefix) {
                Ok(c) => {
                    prop_assert!(c.id.as_str().starts_with(prefix.as_str()));
                    prop_assert!(
                        exact == 1 && c.id.as_str() == prefix || exact == 0 && named.len() == 1,
                        "{prefix:?} resolved to {} among {ids:?}",
                        c.id
                    );
                }
                Err(e) => prop_assert!(
                    named.is_empty() || exact > 1 || exact == 0 && named.len() > 1,
                    "{prefix:?} refused ({e}) though it names one of {ids:?}"
                ),
            }
            Ok(())
        },
    );
}

/// A commit-graph file laid out as git writes one, with random content in
/// every field and a correct checksum: it passes the reader's checks, so the
/// queries reach every field.
fn graph_file() -> impl Strategy<Value = (Vec<u8>, Vec<[u8; 20]>)> {
    (
        prop::collection::btree_set(any::<[u8; 20]>(), 0..12),
        prop::collection::vec(any::<u32>(), 48),
        prop::collection::vec(any::<u8>(), 0..64),
        any::<bool>(),
        1u32..8,
    )
        .prop_map(|(ids, words, bloom, with_edges, hashes)| {
            let ids: Vec<[u8; 20]> = ids.into_iter().collect();
            let n = ids.len();
            let mut word = words.iter().cycle().copied();
            let mut fanout = Vec::new();
            for b in 0..256usize {
                let count = ids.iter().filter(|id| usize::from(id[0]) <= b).count() as u32;
                fanout.extend(count.to_be_bytes());
            }
            let oidl: Vec<u8> = ids.iter().flatten().copied().collect();
            let mut cdat = Vec::new();
            for _ in 0..n {
                cdat.extend((0..20).map(|_| word.next().unwrap() as u8));
                for _ in 0..4 {
                    // Parents in range most of the time, the markers or garbage else.
                    let w = word.next().unwrap();
                    let v = match w % 4 {
                        0 => 0x7000_0000,
                        1 => 0x8000_0000 | ((w >> 8) % 4),
                        2 if n > 0 => (w >> 8) % n as u32,
                        _ => w,
                    };
                    cdat.extend(v.to_be_bytes());
                }
            }
            let edges: Vec<u8> = (0..6)
                .flat_map(|_| word.next().unwrap().to_be_bytes())
                .collect();
            let mut bidx = Vec::new();
            let mut end = 0u32;
            for _ in 0..n {
                end = (end + word.next().unwrap() % 8).min(bloom.len() as u32);
                bidx.extend(end.to_be_bytes());
            }
            let mut bdat = Vec::new();
            bdat.extend(2u32.to_be_bytes());
            bdat.extend(hashes.to_be_bytes());
            bdat.extend(10u32.to_be_bytes());
            bdat.extend(&bloom);
            let mut chunks: Vec<(&[u8; 4], Vec<u8>)> = vec![
                (b"OIDF", fanout),
                (b"OIDL", oidl),
                (b"CDAT", cdat),
                (b"BIDX", bidx),
                (b"BDAT", bdat),
            ];
            if with_edges {
                chunks.push((b"EDGE", edges));
            }
            let mut file = b"CGPH\x01\x01".to_vec();
            file.push(chunks.len() as u8);
            file.push(0);
            let mut offset = 8 + (chunks.len() as u64 + 1) * 12;
            for (id, body) in &chunks {
                file.extend(*id);
                file.extend(offset.to_be_bytes());
                offset += body.len() as u64;
            }
            file.extend([0; 4]);
            file.extend(offset.to_be_bytes());
            for (_, body) in &chunks {
                file.extend(body);
            }
            use sha1::{Digest, Sha1};
            let sum = Sha1::digest(&file);
            file.extend(sum.as_slice());
            (file, ids)
        })
}

fn query(g: &Graph, ids: &[[u8; 20]], probe: &[u8]) {
    let key = g.key("claims/top10-ai-2023/nvidia-margin.toml");
    for (i, id) in ids.iter().enumerate() {
        let oid = git2::Oid::from_bytes(id).unwrap();
        assert_eq!(g.position(oid), Some(i), "every id is found where it is");
        assert_eq!(g.oid(i), Some(oid));
        if let Some(e) = g.entry(i) {
            assert!(e.parents.iter().all(|&p| p < ids.len()));
        }
        if let Some(k) = &key {
            let _ = g.may_have_changed(i, k);
        }
    }
    for pos in [ids.len(), ids.len() + 1, usize::MAX] {
        assert!(g.entry(pos).is_none() && g.oid(pos).is_none());
    }
    if let Ok(oid) = git2::Oid::from_bytes(&probe[..20.min(probe.len())]) {
        let _ = g.position(oid);
    }
}

#[test]
fn commit_graphs_of_any_bytes_and_any_length_are_never_half_read() {
    run(
        "commit-graph from any bytes",
        prop_oneof![
            prop::collection::vec(any::<u8>(), 0..200),
            prop::collection::vec(any::<u8>(), 0..200).prop_map(|tail| {
                let mut b = b"CGPH\x01\x01\x05\x00".to_vec();
                b.extend(tail);
                b
            }),
        ],
        |bytes| {
            if let Some(g) = Graph::parse(bytes.clone()) {
                query(&g, &[], &bytes);
            }
            Ok(())
        },
    );
}

#[test]
fn commit_graphs_with_valid_structure_are_read_and_changed_ones_refused() {
    run(
        "commit-graph with valid structure",
        (graph_file(), any::<usize>(), any::<u8>()),
        |((file, ids), at, flip)| {
            let g = Graph::parse(file.clone());
            prop_assert!(g.is_some(), "a well-formed graph is read");
            query(&g.unwrap(), &ids, &file);
            // Any change to the bytes, or a cut, fails the checksum.
            let mut changed = file.clone();
            let at = at % changed.len();
            changed[at] ^= flip.max(1);
            prop_assert!(Graph::parse(changed).is_none(), "byte {at} changed");
            prop_assert!(Graph::parse(file[..at].to_vec()).is_none(), "cut at {at}");
            Ok(())
        },
    );
}
