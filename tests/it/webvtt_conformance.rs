//! The WebVTT parser against web-platform-tests' file-parsing cases, vendored
//! unchanged under `tests/webvtt-wpt/` with their licence. Each `.test` file is a
//! title, the JavaScript assertions a browser runs, `===`, and the VTT file written
//! with Python escapes (the suite's build script decodes it with `unicode_escape`;
//! [`unicode_escape`] here does the same). The assertions that concern cue times,
//! ids and text are restated below as checks; the cases about stylesheets and
//! regions are run for the cues around those blocks, which is what errata keeps.
//! The test prints its pass count and fails unless every check passes.

use errata::transcript::webvtt::{self, Cue};
use errata::transcript::{Format, Transcript, TranscriptError};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/webvtt-wpt");

enum Check {
    Count(usize),
    Id(usize, &'static str),
    Text(usize, &'static str),
    /// Start and end in milliseconds.
    Times(usize, u64, u64),
}

use Check::{Count, Id, Text, Times};

fn cases() -> Vec<(&'static str, Vec<Check>)> {
    let texts = |n: usize| (0..n).map(move |i| Text(i, TEXTS[i]));
    const TEXTS: [&str; 7] = [
        "text1", "text2", "text3", "text4", "text5", "text6", "text7",
    ];
    let zero_to_one = |n: usize| (0..n).map(|i| Times(i, 0, 1000));
    let mut out: Vec<(&'static str, Vec<Check>)> = vec![
        ("arrows", vec![Count(6)]),
        (
            "ids",
            vec![
                Count(5),
                Id(0, " leading space"),
                Id(1, "trailing space "),
                Id(2, "-- >"),
                Id(3, "->"),
                Id(4, " "),
            ],
        ),
        (
            "newlines",
            [
                Count(4),
                Id(0, "cr"),
                Id(1, "lf"),
                Id(2, "crlf"),
                Id(3, "lfcr"),
            ]
            .into_iter()
            .chain(texts(4))
            .collect(),
        ),
        (
            "nulls",
            vec![
                Count(7),
                Id(0, ""),
                Text(0, "text1"),
                Id(1, "\u{fffd} (null in id)"),
                Text(1, "text2"),
                Id(2, "\u{fffd} (null in cue data)"),
                Text(2, "\u{fffd}text\u{fffd}3"),
                Text(3, "text4"),
                Text(4, "text5"),
                Text(5, "text6"),
                Text(6, "text7"),
            ],
        ),
        (
            "timings-negative",
            [
                Count(4),
                Times(0, 0, 0),
                Times(1, 1000, 999),
                Times(2, 60_000, 59_999),
                Times(3, 3_600_000, 3_599_999),
            ]
            .into_iter()
            .chain(texts(4))
            .collect(),
        ),
        (
            "timings-omitted-hours",
            std::iter::once(Count(3))
                .chain(texts(3))
                .chain(zero_to_one(3))
                .collect(),
        ),
        (
            "whitespace-chars",
            vec![
                Count(3),
                Id(0, "spaces"),
                Text(0, "   text1"),
                Id(1, "tabs"),
                Text(1, "text2"),
                Id(2, "form feed"),
                Text(2, "text3"),
            ],
        ),
        ("signature-no-newline", vec![Count(0)]),
        ("stylesheets-none", vec![Count(0)]),
        (
            "stylesheets-newlines",
            vec![
                Count(2),
                Id(0, "foo"),
                Text(0, "text"),
                Id(1, "bar"),
                Text(1, "text"),
            ],
        ),
        ("regions-old", vec![Count(2)]),
        ("regions-id", vec![Count(4)]),
        (
            "settings-multiple",
            vec![
                Count(2),
                Id(0, "id1"),
                Text(0, "text1"),
                Id(1, "id2"),
                Text(1, "text2"),
            ],
        ),
    ];
    for name in ["timings-too-long", "timings-too-short"] {
        out.push((
            name,
            std::iter::once(Count(2))
                .chain(texts(2))
                .chain(zero_to_one(2))
                .collect(),
        ));
    }
    out
}

/// Python's `unicode_escape` on ASCII text: `\n`, `\r`, `\t`, `\f`, `\v`, `\0`
/// to `\777` (octal), `\xHH`, `\uHHHH`, `\\`, and a backslash before a line break
/// joining the lines.
fn unicode_escape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = chars.next() else {
            out.push('\\');
            break;
        };
        let hex = |n: usize, chars: &mut std::iter::Peekable<std::str::Chars>| {
            let digits: String = (0..n).filter_map(|_| chars.next()).collect();
            char::from_u32(u32::from_str_radix(&digits, 16).expect("hex escape")).expect("a char")
        };
        match e {
            '\n' => {}
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'f' => out.push('\x0c'),
            'v' => out.push('\x0b'),
            '\\' => out.push('\\'),
            'x' => out.push(hex(2, &mut chars)),
            'u' => out.push(hex(4, &mut chars)),
            '0'..='7' => {
                let mut value = e.to_digit(8).unwrap();
                for _ in 0..2 {
                    match chars.peek().and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            value = value * 8 + d;
                            chars.next();
                        }
                        None => break,
                    }
                }
                out.push(char::from_u32(value).unwrap());
            }
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    out
}

fn vtt_of(name: &str) -> String {
    let path = format!("{DIR}/{name}.test");
    let source = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let (_, vtt) = source.split_once("===\n").expect("a === line");
    unicode_escape(vtt)
}

fn check(cues: &[Cue], check: &Check) -> Result<(), String> {
    let cue = |i: usize| cues.get(i).ok_or(format!("no cue {i}"));
    match *check {
        Count(n) if cues.len() == n => Ok(()),
        Count(n) => Err(format!("{} cues, expected {n}", cues.len())),
        Id(i, id) if cue(i)?.id == id => Ok(()),
        Id(i, id) => Err(format!("cue {i} id {:?}, expected {id:?}", cue(i)?.id)),
        Text(i, text) if cue(i)?.text == text => Ok(()),
        Text(i, text) => Err(format!(
            "cue {i} text {:?}, expected {text:?}",
            cue(i)?.text
        )),
        Times(i, s, e) if (cue(i)?.start_ms, cue(i)?.end_ms) == (s, e) => Ok(()),
        Times(i, s, e) => {
            let c = cue(i)?;
            Err(format!(
                "cue {i} at {}..{}, expected {s}..{e}",
                c.start_ms, c.end_ms
            ))
        }
    }
}

#[test]
fn webvtt_parser_passes_the_web_platform_tests_cases() {
    let cases = cases();
    let (mut passed, mut total, mut failures) = (0, 0, Vec::new());
    for (name, checks) in &cases {
        let parsed = webvtt::parse(&vtt_of(name)).unwrap_or_default();
        for c in checks {
            total += 1;
            match check(&parsed.cues, c) {
                Ok(()) => passed += 1,
                Err(e) => failures.push(format!("{name}: {e}")),
            }
        }
    }
    println!(
        "WebVTT conformance: {passed} of {total} checks passed in {} web-platform-tests cases",
        cases.len()
    );
    assert!(failures.is_empty(), "failed:\n{}", failures.join("\n"));
    assert_eq!(cases.len(), 15, "every vendored case is run");
    let vendored = std::fs::read_dir(DIR)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "test")
        })
        .count();
    assert_eq!(vendored, cases.len());
}

/// The same files through errata's import: never refused while a cue is left,
/// what the spec keeps but errata cannot store (an end before the start) listed.
#[test]
fn errata_imports_every_case_with_cues() {
    for (name, _) in cases() {
        let vtt = vtt_of(name);
        let spec = webvtt::parse(&vtt).unwrap_or_default();
        match Transcript::import_report(&vtt) {
            Ok(imported) => {
                assert_eq!(imported.format, Format::WebVtt, "{name}");
                assert!(!imported.transcript.segments.is_empty(), "{name}");
                assert!(
                    imported.transcript.segments.len() <= spec.cues.len(),
                    "{name}"
                );
            }
            Err(TranscriptError::NoCues { .. }) => assert!(spec.cues.is_empty(), "{name}"),
            Err(e) => panic!("{name}: {e}"),
        }
    }
    let negative = Transcript::import_report(&vtt_of("timings-negative")).unwrap();
    assert_eq!(negative.transcript.segments.len(), 1);
    assert_eq!(negative.skipped.len(), 3);
    assert_eq!(
        negative.skipped[0].to_string(),
        "line 6: the cue ends (00:00:00.999) before it starts (00:00:01.000)"
    );
    let nulls = Transcript::import(&vtt_of("nulls")).unwrap().0;
    assert!(nulls.render().chars().all(|c| c != '\0'));
}
