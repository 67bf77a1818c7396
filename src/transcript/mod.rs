//! Episode transcripts: the timed text that claims' quotes are checked against.
//!
//! errata stores a transcript in its own line format, `(MM:SS~MM:SS) text`, one
//! segment per line, because that diffs well in git and is what the show's
//! speech-recognition tool writes; a segment whose speaker is known names them
//! after its times, `(MM:SS~MM:SS 哈利) text`. WebVTT, SRT and the Podcast
//! Namespace JSON format are imported into it.
//!
//! This file owns the model ([`Segment`], [`Transcript`], [`TranscriptError`],
//! [`Format`], [`Skipped`]) and the native format: [`Transcript::parse`],
//! [`Transcript::render`], [`Transcript::span`], [`parse_time`] and [`format_time`],
//! plus the line helpers the importers share (BOM, numbered lines, error snippets,
//! speaker names). The importers live in `import` (with `webvtt`, `srt`, `json` and
//! `cuetext` beside it) and the quote search in `search`; each may use only what is
//! here, and the code here uses neither (its tests call `import` through the public
//! API).
//!
//! Apart from the time format, which [`crate::model`] owns, this module depends on
//! no other module of the crate, so times are plain `u32` seconds.

use std::fmt;

mod cuetext;
mod import;
mod json;
mod search;
mod srt;
pub mod webvtt;

pub use import::Imported;

/// One stretch of speech. Times are whole seconds because editors cite moments as
/// `MM:SS`; sub-second cue times are widened outwards on import so no speech is lost.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Segment {
    pub start: u32,
    pub end: u32,
    pub text: String,
    /// Who speaks, when the transcript says (a WebVTT voice span, a JSON `speaker`,
    /// a `Name:` prefix), so `add` can fill a claim's `speaker`. Normalised by
    /// [`speaker_name`]: one line, trimmed, parentheses balanced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<String>,
}

impl Segment {
    /// A segment with no speaker named.
    pub fn new(start: u32, end: u32, text: impl Into<String>) -> Segment {
        Segment {
            start,
            end,
            text: text.into(),
            speaker: None,
        }
    }
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
    #[error("no cue of the {format} file can be read: {}", list(skipped))]
    Unreadable {
        format: Format,
        skipped: Vec<Skipped>,
    },
    #[error(
        "{} of the {format} file cannot be read, and --strict refuses the file: {}",
        cues(skipped.len()),
        list(skipped)
    )]
    Strict {
        format: Format,
        skipped: Vec<Skipped>,
    },
    #[error("not a Podcast Namespace JSON transcript: {0}")]
    BadJson(String),
}

/// One cue (or JSON segment) an import left out, and why, so the editor can see
/// exactly which speech is missing and fix the file if it matters.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    /// Where it is: a line of a WebVTT or SRT file, or a segment (from 1) of a JSON one.
    pub place: Place,
    pub reason: SkipReason,
}

impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.place, self.reason)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Place {
    Line(usize),
    Segment(usize),
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Line(n) => write!(f, "line {n}"),
            Place::Segment(n) => write!(f, "segment {n}"),
        }
    }
}

/// Why a cue was left out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum SkipReason {
    #[error("{found:?} is not a time (expected {expected})")]
    BadTime {
        found: String,
        expected: &'static str,
    },
    #[error("expected a cue timing such as \"00:00:01.000 --> 00:00:04.000\", found {found:?}")]
    BadTiming { found: String },
    #[error("the cue ends ({end}) before it starts ({start})")]
    EndsBeforeStart { start: String, end: String },
    #[error("{found:?} is later than errata can store")]
    TooLate { found: String },
    #[error("text with no cue timing above it: {found:?}")]
    NoTiming { found: String },
    #[error("{0}")]
    BadSegment(String),
}

fn cues(n: usize) -> String {
    if n == 1 {
        "1 cue".to_owned()
    } else {
        format!("{n} cues")
    }
}

/// The skipped cues for one error line: the first few in full, then how many more.
fn list(skipped: &[Skipped]) -> String {
    const SHOWN: usize = 5;
    let mut out: Vec<String> = skipped.iter().take(SHOWN).map(|s| s.to_string()).collect();
    if skipped.len() > SHOWN {
        out.push(format!("and {} more", skipped.len() - SHOWN));
    }
    out.join("; ")
}

/// Where an imported transcript came from, so the caller can tell the editor what was
/// recognised (a mis-detected file otherwise fails with puzzling line errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Native,
    WebVtt,
    Srt,
    /// The Podcast Namespace JSON transcript (`{"version": "1.0.0", "segments": [...]}`).
    Json,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Native => "errata transcript",
            Format::WebVtt => "WebVTT",
            Format::Srt => "SRT",
            Format::Json => "JSON",
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
    /// and whose speakers are as [`speaker_name`] makes them (which is every
    /// transcript `parse` or `import` returns).
    pub fn render(&self) -> String {
        let capacity = self.segments.iter().map(|s| s.text.len() + 24).sum();
        let mut out = String::with_capacity(capacity);
        for segment in &self.segments {
            out.push('(');
            out.push_str(&format_time(segment.start));
            out.push('~');
            out.push_str(&format_time(segment.end));
            if let Some(speaker) = &segment.speaker {
                out.push(' ');
                out.push_str(speaker);
            }
            out.push(')');
            if !segment.text.is_empty() {
                out.push(' ');
                out.push_str(&segment.text);
            }
            out.push('\n');
        }
        out
    }

    /// Who speaks the segments `range` covers, when the transcript names one
    /// speaker for all of them (a quote that runs across a change of speaker has
    /// none).
    pub fn speaker_of(&self, range: std::ops::RangeInclusive<usize>) -> Option<&str> {
        let mut speakers = self
            .segments
            .get(range)?
            .iter()
            .map(|s| s.speaker.as_deref());
        let first = speakers.next()??;
        speakers.all(|s| s == Some(first)).then_some(first)
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
    // The parenthesis that closes the times: a speaker's name may hold a balanced
    // pair ("Harry (host)"); times never do, so lines without a speaker split at
    // the first `)` as they always have.
    let close = closing_paren(rest).ok_or_else(bad)?;
    let (times, text) = (&rest[..close], &rest[close + 1..]);
    let (start, end) = times.split_once('~').ok_or_else(bad)?;
    let end = end.trim_start();
    let (end, speaker) = match end.split_once(char::is_whitespace) {
        Some((end, speaker)) => (end, speaker_name(speaker)),
        None => (end, None),
    };
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
        speaker,
    })
}

/// The byte index of the `)` that closes an already opened `(`.
fn closing_paren(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return Some(i),
            ')' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// A speaker's name as stored: whitespace runs made one space, trimmed, and
/// parentheses kept only when they pair up (else made full-width), so the name
/// cannot end the times of a stored line early. `None` for a blank name.
pub fn speaker_name(raw: &str) -> Option<String> {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return None;
    }
    let balanced = {
        let mut depth = 0i64;
        name.chars().all(|c| {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            depth >= 0
        }) && depth == 0
    };
    if balanced {
        Some(name)
    } else {
        Some(name.replace('(', "（").replace(')', "）"))
    }
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
                Segment::new(3599, 3600, "一小時"),
                Segment::new(3723, 3723, String::new()),
                Segment::new(u32::MAX - 1, u32::MAX, "end"),
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
    fn speakers_are_stored_after_the_times() {
        let text = "(00:00~00:05 哈利) 你好\n(00:05~00:09) 旁白 (music)\n\
            (00:09~00:10   Harry  (host) ) (laughs) yes\n(00:10~00:11 A) \n";
        let transcript = Transcript::parse(text).unwrap();
        let said = |start, end, speaker: Option<&str>, text: &str| Segment {
            speaker: speaker.map(str::to_owned),
            ..Segment::new(start, end, text)
        };
        assert_eq!(
            transcript.segments,
            vec![
                said(0, 5, Some("哈利"), "你好"),
                said(5, 9, None, "旁白 (music)"),
                said(9, 10, Some("Harry (host)"), "(laughs) yes"),
                said(10, 11, Some("A"), ""),
            ]
        );
        assert_eq!(
            transcript.render(),
            "(00:00~00:05 哈利) 你好\n(00:05~00:09) 旁白 (music)\n\
             (00:09~00:10 Harry (host)) (laughs) yes\n(00:10~00:11 A)\n"
        );
        assert_eq!(Transcript::parse(&transcript.render()).unwrap(), transcript);
        assert_eq!(speaker_name(" a)b( "), Some("a）b（".to_owned()));
        assert_eq!(speaker_name(" \t "), None);
        let odd = Transcript {
            segments: vec![Segment {
                speaker: speaker_name("x)"),
                ..Segment::new(0, 1, "t")
            }],
        };
        assert_eq!(Transcript::parse(&odd.render()).unwrap(), odd);
        assert!(matches!(
            Transcript::parse("(00:00~00:05 哈利 (x) y"),
            Err(TranscriptError::BadLine { line: 1, .. })
        ));
    }

    #[test]
    fn parse_tolerates_blank_lines_crlf_and_bom() {
        let text = "\u{feff}(00:00~00:05)  你好 \r\n\r\n   \n(00:05~1:00:00) 再見\r\n";
        let transcript = Transcript::parse(text).unwrap();
        assert_eq!(
            transcript.segments,
            vec![Segment::new(0, 5, "你好"), Segment::new(5, 3600, "再見"),]
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
