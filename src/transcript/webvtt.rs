//! WebVTT by the W3C's parsing rules (<https://www.w3.org/TR/webvtt1/#file-parsing>):
//! the file's blocks, cue timings and timestamps exactly as a browser reads them,
//! so that what errata stores is what a listener's player shows. Cue settings,
//! stylesheets and regions are recognised only so that they end where the spec
//! says; their contents are not kept.
//!
//! This is the spec's layer and knows nothing of errata's segments: `import` turns
//! its [`Cue`]s into segments (whole seconds, speakers, cues errata cannot store).
//! It uses only [`snippet`] and the skip types from `mod.rs`.

use super::{SkipReason, Skipped, snippet};

/// The expected form of a WebVTT timestamp, for messages.
pub const VTT_TIME: &str = "HH:MM:SS.mmm or MM:SS.mmm";

/// One cue as the spec's parser yields it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cue {
    /// The line of its timing, from 1.
    pub line: usize,
    pub id: String,
    pub start_ms: u64,
    pub end_ms: u64,
    /// The cue text, its lines joined by LF, markup still in it.
    pub text: String,
}

/// What a WebVTT file holds: its cues in file order, and the cue timings that could
/// not be read (the spec drops those cues; errata lists them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub cues: Vec<Cue>,
    pub skipped: Vec<Skipped>,
}

/// The spec's preprocessing of the input: U+0000 becomes U+FFFD, and CRLF, CR and
/// LF are all one line break (LF). A leading BOM, which decoding removes, goes too.
pub fn normalise(input: &str) -> String {
    let input = input.strip_prefix('\u{feff}').unwrap_or(input);
    let mut out = String::with_capacity(input.len());
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\0' => out.push('\u{fffd}'),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            c => out.push(c),
        }
    }
    out
}

/// Whether the text opens with the WebVTT signature: `WEBVTT` followed by a space,
/// a tab, a line break or nothing.
pub fn has_signature(text: &str) -> bool {
    text.strip_prefix("WEBVTT")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\n', '\r']))
}

/// Parses a WebVTT file by the spec's algorithm; `None` when it lacks the signature
/// (the spec's "not a WebVTT file"). The input is preprocessed with [`normalise`]
/// first, so it may have any line breaks.
pub fn parse(input: &str) -> Option<Parsed> {
    let text = normalise(input);
    if !has_signature(&text) {
        return None;
    }
    let mut lines: Vec<&str> = text.split('\n').collect();
    if text.ends_with('\n') {
        lines.pop();
    }
    let mut parser = Parser {
        lines: &lines,
        next: 1,
        seen_cue: false,
        parsed: Parsed::default(),
    };
    // The rest of the signature line is the header's text, and is ignored; then
    // the header block, whose lines are ignored too.
    if parser.next < lines.len() {
        parser.block(true);
    }
    loop {
        while parser.next < lines.len() && lines[parser.next].is_empty() {
            parser.next += 1;
        }
        if parser.next >= lines.len() {
            break;
        }
        parser.block(false);
    }
    Some(parser.parsed)
}

struct Parser<'a> {
    lines: &'a [&'a str],
    /// The index of the next line to read.
    next: usize,
    /// Whether any cue has been read: STYLE and REGION blocks count only before.
    seen_cue: bool,
    parsed: Parsed,
}

impl Parser<'_> {
    /// The spec's "collect a WebVTT block". Only cues are kept; a stylesheet or a
    /// region block is read to its end and dropped.
    fn block(&mut self, in_header: bool) {
        let mut line_count = 0;
        let mut previous = self.next;
        let mut buffer = String::new();
        let mut seen_arrow = false;
        let mut cue: Option<Cue> = None;
        while self.next < self.lines.len() {
            let index = self.next;
            let line = self.lines[index];
            self.next += 1;
            line_count += 1;
            if line.contains("-->") {
                if !in_header && (line_count == 1 || (line_count == 2 && !seen_arrow)) {
                    seen_arrow = true;
                    previous = self.next;
                    match timings(line) {
                        Ok((start_ms, end_ms)) => {
                            cue = Some(Cue {
                                line: index + 1,
                                id: std::mem::take(&mut buffer),
                                start_ms,
                                end_ms,
                                text: String::new(),
                            });
                            self.seen_cue = true;
                        }
                        Err(reason) => {
                            cue = None;
                            self.parsed.skipped.push(Skipped {
                                place: super::Place::Line(index + 1),
                                reason,
                            });
                        }
                    }
                } else {
                    // A timing line where a cue cannot start here begins the next
                    // block: it is never the text of this one.
                    self.next = previous;
                    break;
                }
            } else if line.is_empty() {
                break;
            } else {
                if !in_header && line_count == 2 && !self.seen_cue {
                    // "STYLE" or "REGION" alone on the first line opens a block
                    // that runs to the next blank line; its text is not a cue id.
                    if keyword_only(&buffer, "STYLE") || keyword_only(&buffer, "REGION") {
                        buffer.clear();
                    }
                }
                if !buffer.is_empty() {
                    buffer.push('\n');
                }
                buffer.push_str(line);
                previous = self.next;
            }
        }
        if let Some(mut cue) = cue {
            cue.text = buffer;
            self.parsed.cues.push(cue);
        }
    }
}

fn keyword_only(buffer: &str, keyword: &str) -> bool {
    buffer
        .strip_prefix(keyword)
        .is_some_and(|rest| rest.chars().all(is_ascii_whitespace))
}

/// The spec's ASCII whitespace: tab, LF, FF, CR and space (not VT).
fn is_ascii_whitespace(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\x0c' | '\r' | ' ')
}

/// The spec's "collect WebVTT cue timings and settings", without the settings.
fn timings(line: &str) -> Result<(u64, u64), SkipReason> {
    let mut rest = line.trim_start_matches(is_ascii_whitespace);
    let start = timestamp(&mut rest, line)?;
    rest = rest.trim_start_matches(is_ascii_whitespace);
    rest = rest
        .strip_prefix("-->")
        .ok_or_else(|| SkipReason::BadTiming {
            found: snippet(line.trim()),
        })?;
    rest = rest.trim_start_matches(is_ascii_whitespace);
    let end = timestamp(&mut rest, line)?;
    Ok((start, end))
}

/// The spec's "collect a WebVTT timestamp" at the start of `rest`, advancing it.
fn timestamp(rest: &mut &str, line: &str) -> Result<u64, SkipReason> {
    let token: &str = rest
        .split(|c: char| is_ascii_whitespace(c) || c == '-')
        .next()
        .unwrap_or_default();
    let bad = || {
        if token.is_empty() {
            SkipReason::BadTiming {
                found: snippet(line.trim()),
            }
        } else {
            SkipReason::BadTime {
                found: snippet(token),
                expected: VTT_TIME,
            }
        }
    };
    let mut s = *rest;
    let first = digits(&mut s);
    if first.is_empty() {
        return Err(bad());
    }
    let value1: u64 = first.parse().map_err(|_| SkipReason::TooLate {
        found: snippet(token),
    })?;
    let hours_first = first.len() != 2 || value1 > 59;
    s = s.strip_prefix(':').ok_or_else(bad)?;
    let second = digits(&mut s);
    if second.len() != 2 {
        return Err(bad());
    }
    let value2: u64 = second.parse().map_err(|_| bad())?;
    let (hours, minutes, seconds) = if hours_first || s.starts_with(':') {
        s = s.strip_prefix(':').ok_or_else(bad)?;
        let third = digits(&mut s);
        if third.len() != 2 {
            return Err(bad());
        }
        (value1, value2, third.parse().map_err(|_| bad())?)
    } else {
        (0, value1, value2)
    };
    s = s.strip_prefix('.').ok_or_else(bad)?;
    let fraction = digits(&mut s);
    if fraction.len() != 3 {
        return Err(bad());
    }
    let ms: u64 = fraction.parse().map_err(|_| bad())?;
    if minutes > 59 || seconds > 59 {
        return Err(bad());
    }
    *rest = s;
    hours
        .checked_mul(3_600_000)
        .and_then(|h| h.checked_add((minutes * 60 + seconds) * 1000 + ms))
        .ok_or_else(|| SkipReason::TooLate {
            found: snippet(token),
        })
}

/// The ASCII digits at the start of `s`, advancing it past them.
fn digits<'a>(s: &mut &'a str) -> &'a str {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (head, tail) = s.split_at(end);
    *s = tail;
    head
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Option<u64> {
        let mut rest = s;
        timestamp(&mut rest, s).ok().filter(|_| rest.is_empty())
    }

    #[test]
    fn timestamps_follow_the_spec() {
        assert_eq!(ts("00:00:01.000"), Some(1000));
        assert_eq!(ts("01:02.500"), Some(62_500));
        assert_eq!(ts("0:00:01.000"), Some(1000));
        assert_eq!(ts("000:00:01.000"), Some(1000));
        for bad in [
            "00:00:01,000",
            "01:02.5",
            "00:60.000",
            "00:00:60.000",
            "00:0:01.000",
            "1:02.000",
            "60:00.000",
            "１:00.000",
            "",
            "99999999999999999999:00:00.000",
        ] {
            assert_eq!(ts(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_timing_line_in_a_cue_starts_the_next_cue() {
        let parsed =
            parse("WEBVTT\n\n00:00.000 --> 00:01.000\na\n00:01.000 --> 00:02.000\nb\n").unwrap();
        let texts: Vec<&str> = parsed.cues.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["a", "b"]);
        assert_eq!(parsed.cues[1].line, 5);
    }

    #[test]
    fn signature_is_required() {
        assert!(parse("WEBVTT").is_some());
        assert!(parse("\u{feff}WEBVTT\n").is_some());
        assert!(parse("WEBVTTX\n").is_none());
        assert!(parse("\nWEBVTT\n").is_none());
        assert!(parse("").is_none());
    }
}
