//! Episode transcripts: the timed text that claims' quotes are checked against.
//!
//! errata stores a transcript in its own line format, `(MM:SS~MM:SS) text`, one
//! segment per line, because that diffs well in git and is what the show's
//! speech-recognition tool writes. WebVTT and SRT files are imported into it.
//!
//! This file owns the model ([`Segment`], [`Transcript`], [`TranscriptError`],
//! [`Format`]) and the native format: [`Transcript::parse`], [`Transcript::render`],
//! [`Transcript::span`], [`parse_time`] and [`format_time`], plus the line helpers the
//! importers share (BOM, numbered lines, error snippets). The importers live in
//! `import` and the quote search in `search`; each may use only what is here, and
//! the code here uses neither (its tests call `import` through the public API).
//!
//! Apart from the time format, which [`crate::model`] owns, this module depends on
//! no other module of the crate, so times are plain `u32` seconds.

use std::fmt;

mod import;
mod search;

/// One stretch of speech. Times are whole seconds because editors cite moments as
/// `MM:SS`; sub-second cue times are widened outwards on import so no speech is lost.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Segment {
    pub start: u32,
    pub end: u32,
    pub text: String,
}

/// A whole episode's transcript, kept as segments (in time order when it comes from
/// [`Transcript::parse`] or [`Transcript::import`]) so a found quote can be given a
/// time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transcript {
    pub segments: Vec<Segment>,
}

/// Why a transcript file was refused. Each message names the line, so an editor can
/// fix a hand-edited transcript without hunting.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TranscriptError {
    #[error("the file is empty")]
    Empty,
    #[error("the {format} file has no cues with text")]
    NoCues { format: Format },
    #[error("line {line}: the transcript is not UTF-8")]
    NotUtf8 { line: usize },
    #[error("line {line}: expected \"(MM:SS~MM:SS) text\", found {found:?}")]
    BadLine { line: usize, found: String },
    #[error("line {line}: {found:?} is not a time (expected {expected})")]
    BadTime {
        line: usize,
        found: String,
        expected: &'static str,
    },
    #[error("line {line}: segment ends ({end}) before it starts ({start})")]
    EndsBeforeStart {
        line: usize,
        start: String,
        end: String,
    },
    #[error(
        "line {line}: segment starts ({start}) before the one above it ({previous}); \
         segments must be in time order"
    )]
    OutOfOrder {
        line: usize,
        start: String,
        previous: String,
    },
    #[error(
        "line {line}: expected a cue timing such as \"00:00:01.000 --> 00:00:04.000\", \
         found {found:?}"
    )]
    BadCueTiming { line: usize, found: String },
    #[error("line {line}: expected an SRT cue number, found {found:?}")]
    BadCueNumber { line: usize, found: String },
}

/// Where an imported transcript came from, so the caller can tell the editor what was
/// recognised (a mis-detected file otherwise fails with puzzling line errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Native,
    WebVtt,
    Srt,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Native => "errata transcript",
            Format::WebVtt => "WebVTT",
            Format::Srt => "SRT",
        })
    }
}

const NATIVE_TIME: &str = "MM:SS or H:MM:SS";

type Result<T> = std::result::Result<T, TranscriptError>;

impl Transcript {
    /// Reads the stored `transcript.txt`. Blank lines, a trailing `\r` and spaces
    /// around times and text are tolerated because the file is hand-edited and
    /// travels through git on Windows; [`Transcript::render`] writes the canonical
    /// form back (text trimmed, `125:00` as `2:05:00`). Segments must start in time
    /// order, as a misplaced line would otherwise give quotes wrong times.
    pub fn parse(text: &str) -> Result<Transcript> {
        let text = strip_bom(text);
        let mut segments: Vec<Segment> = Vec::new();
        for (line, raw) in numbered_lines(text) {
            let trimmed = raw.trim();
            if trimmed.is_empty() {
                continue;
            }
            let segment = parse_native_line(line, trimmed)?;
            if let Some(previous) = segments.last()
                && segment.start < previous.start
            {
                return Err(TranscriptError::OutOfOrder {
                    line,
                    start: format_time(segment.start),
                    previous: format_time(previous.start),
                });
            }
            segments.push(segment);
        }
        if segments.is_empty() {
            return Err(TranscriptError::Empty);
        }
        Ok(Transcript { segments })
    }

    /// Writes the stored form, one line per segment, so that git diffs of a
    /// transcript show exactly the segments that changed. `parse(render(t)) == t`
    /// for any non-empty transcript whose texts are trimmed and have no line breaks
    /// (which is every transcript `parse` or `import` returns).
    pub fn render(&self) -> String {
        let capacity = self.segments.iter().map(|s| s.text.len() + 24).sum();
        let mut out = String::with_capacity(capacity);
        for segment in &self.segments {
            out.push('(');
            out.push_str(&format_time(segment.start));
            out.push('~');
            out.push_str(&format_time(segment.end));
            out.push(')');
            if !segment.text.is_empty() {
                out.push(' ');
                out.push_str(&segment.text);
            }
            out.push('\n');
        }
        out
    }

    /// The stretch of the episode the transcript covers, to check that a claim's
    /// `said_at` falls inside it. Taken as the earliest start and latest end, which
    /// for an ordered transcript are the first start and the last end.
    pub fn span(&self) -> Option<(u32, u32)> {
        let start = self.segments.iter().map(|s| s.start).min()?;
        let end = self.segments.iter().map(|s| s.end).max()?;
        Some((start, end))
    }
}

/// Writes a time the way editors cite it (`07:08`, `1:02:03`); the record model
/// owns the format so transcripts and records always agree.
pub fn format_time(seconds: u32) -> String {
    crate::model::format_point(seconds)
}

/// Reads a time as editors write it, with the record model's rules.
pub fn parse_time(s: &str) -> Option<u32> {
    crate::model::parse_point(s).ok()
}

fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// Lines with their 1-based numbers, without the `\r` of a CRLF ending.
fn numbered_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split('\n')
        .enumerate()
        .map(|(i, line)| (i + 1, line.strip_suffix('\r').unwrap_or(line)))
}

/// A line for an error message: whole if short, else its first 60 characters.
fn snippet(line: &str) -> String {
    const MAX: usize = 60;
    match line.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line.to_owned(),
    }
}

fn parse_native_line(line: usize, trimmed: &str) -> Result<Segment> {
    let bad = || TranscriptError::BadLine {
        line,
        found: snippet(trimmed),
    };
    let rest = trimmed.strip_prefix('(').ok_or_else(bad)?;
    let (times, text) = rest.split_once(')').ok_or_else(bad)?;
    let (start, end) = times.split_once('~').ok_or_else(bad)?;
    let time = |s: &str| {
        let s = s.trim();
        parse_time(s).ok_or_else(|| TranscriptError::BadTime {
            line,
            found: snippet(s),
            expected: NATIVE_TIME,
        })
    };
    let (start, end) = (time(start)?, time(end)?);
    if end < start {
        return Err(TranscriptError::EndsBeforeStart {
            line,
            start: format_time(start),
            end: format_time(end),
        });
    }
    Ok(Segment {
        start,
        end,
        text: text.trim().to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seed transcript, as the shipped episode stores it (byte for byte the seed).
    pub(super) const SEED: &str = include_str!("../../claims/top10-ai-2023/transcript.txt");

    pub(super) fn seed() -> Transcript {
        Transcript::parse(SEED).expect("the seed transcript parses")
    }

    fn t(s: &str) -> u32 {
        parse_time(s).unwrap()
    }

    #[test]
    fn seed_parses_into_48_segments() {
        let seed = seed();
        assert_eq!(seed.segments.len(), 48);
        let first = &seed.segments[0];
        assert_eq!((first.start, first.end), (0, t("01:00")));
        assert!(first.text.starts_with("【科技浪】 哈囉大家好"));
        let last = &seed.segments[47];
        assert_eq!((last.start, last.end), (t("47:08"), t("48:04")));
        assert!(last.text.ends_with("年有一個好的開始"));
        assert_eq!(seed.span(), Some((0, t("48:04"))));
        assert_eq!(Transcript::default().span(), None);
    }

    #[test]
    fn render_round_trips_the_seed_byte_for_byte() {
        let seed = seed();
        assert_eq!(seed.render(), SEED);
        assert_eq!(Transcript::parse(&seed.render()).unwrap(), seed);
        let (imported, format) = Transcript::import(SEED).unwrap();
        assert_eq!(format, Format::Native);
        assert_eq!(imported, seed);
    }

    #[test]
    fn render_writes_hours_and_round_trips() {
        let transcript = Transcript {
            segments: vec![
                Segment {
                    start: 3599,
                    end: 3600,
                    text: "一小時".into(),
                },
                Segment {
                    start: 3723,
                    end: 3723,
                    text: String::new(),
                },
                Segment {
                    start: u32::MAX - 1,
                    end: u32::MAX,
                    text: "end".into(),
                },
            ],
        };
        let rendered = transcript.render();
        assert_eq!(
            rendered,
            "(59:59~1:00:00) 一小時\n(1:02:03~1:02:03)\n(1193046:28:14~1193046:28:15) end\n"
        );
        assert_eq!(Transcript::parse(&rendered).unwrap(), transcript);
    }

    #[test]
    fn parse_tolerates_blank_lines_crlf_and_bom() {
        let text = "\u{feff}(00:00~00:05)  你好 \r\n\r\n   \n(00:05~1:00:00) 再見\r\n";
        let transcript = Transcript::parse(text).unwrap();
        assert_eq!(
            transcript.segments,
            vec![
                Segment {
                    start: 0,
                    end: 5,
                    text: "你好".into()
                },
                Segment {
                    start: 5,
                    end: 3600,
                    text: "再見".into()
                },
            ]
        );
    }

    #[test]
    fn bad_lines_name_the_line() {
        let err = |text: &str| Transcript::parse(text).unwrap_err();
        assert_eq!(
            err("(00:00~01:00) ok\n\nhello there\n"),
            TranscriptError::BadLine {
                line: 3,
                found: "hello there".into()
            }
        );
        assert_eq!(
            err("(00:00~01:00) ok\n\nhello there\n").to_string(),
            "line 3: expected \"(MM:SS~MM:SS) text\", found \"hello there\""
        );
        assert_eq!(
            err("(00:00 01:00) no tilde").to_string(),
            "line 1: expected \"(MM:SS~MM:SS) text\", found \"(00:00 01:00) no tilde\""
        );
        assert!(matches!(
            err("(00:00~01:00 no paren"),
            TranscriptError::BadLine { line: 1, .. }
        ));
        assert_eq!(
            err("(00:00~01:00) a\n(07:68~08:00) b").to_string(),
            "line 2: \"07:68\" is not a time (expected MM:SS or H:MM:SS)"
        );
        let mut text = "(00:00~01:00) a\n".repeat(6);
        text.push_str("(02:00~01:00) b\n");
        assert_eq!(
            err(&text).to_string(),
            "line 7: segment ends (01:00) before it starts (02:00)"
        );
        assert_eq!(
            err("(02:00~03:00) a\n(01:00~02:00) b").to_string(),
            "line 2: segment starts (01:00) before the one above it (02:00); \
             segments must be in time order"
        );
        assert_eq!(err("").to_string(), "the file is empty");
        assert_eq!(err(" \n\r\n\t\n"), TranscriptError::Empty);
        assert_eq!(
            Transcript::import("\u{feff}\n"),
            Err(TranscriptError::Empty)
        );
    }

    #[test]
    fn long_bad_lines_are_cut_on_a_char_boundary() {
        let line = "這不是時間".repeat(30);
        let TranscriptError::BadLine { line: 1, found } = Transcript::parse(&line).unwrap_err()
        else {
            panic!("expected a bad line");
        };
        assert_eq!(found.chars().count(), 61);
        assert!(found.ends_with('…'));
    }

    #[test]
    fn parse_time_is_strict() {
        for bad in [
            "07:68",
            "7:5",
            "",
            "1:60:00",
            ":",
            "07:",
            ":08",
            "+7:08",
            "07:08:",
            "1:2:03",
            "0７:08",
            "1:00:00:00",
            "1234:00",
            "99999999999:00:00",
            " 07:08",
            "07:08.5",
        ] {
            assert_eq!(parse_time(bad), None, "{bad:?}");
        }
        assert_eq!(parse_time("07:08"), Some(7 * 60 + 8));
        assert_eq!(parse_time("7:08"), Some(7 * 60 + 8));
        assert_eq!(parse_time("1:02:03"), Some(3723));
        assert_eq!(parse_time("125:00"), Some(7500));
        assert_eq!(parse_time("1193046:28:15"), Some(u32::MAX));
        assert_eq!(parse_time("1193046:28:16"), None);
    }

    #[test]
    fn format_time_round_trips() {
        assert_eq!(format_time(0), "00:00");
        assert_eq!(format_time(428), "07:08");
        assert_eq!(format_time(3599), "59:59");
        assert_eq!(format_time(3600), "1:00:00");
        assert_eq!(format_time(3723), "1:02:03");
        for seconds in (0..20_000).chain([u32::MAX - 1, u32::MAX]) {
            assert_eq!(parse_time(&format_time(seconds)), Some(seconds));
        }
    }
}
