//! Importing transcripts from other formats: WebVTT and SRT, format detection, cue
//! text and markup stripping, and the [`Transcript::import`] /
//! [`Transcript::import_bytes`] entry points that hand native files to
//! [`Transcript::parse`].
//!
//! Uses only the model and the native format's line helpers in `mod.rs`; it knows
//! nothing of search.

use super::{Format, Result, Segment, Transcript, TranscriptError};
use super::{numbered_lines, snippet, strip_bom};

const VTT_TIME: &str = "HH:MM:SS.mmm or MM:SS.mmm";
const SRT_TIME: &str = "HH:MM:SS,mmm";

impl Transcript {
    /// Accepts whatever transcript an editor has at hand (the show's own export,
    /// or subtitles from a video platform) and says which format it was taken for.
    /// Cue times are widened to whole seconds (start down, end up); cue markup,
    /// NOTE/STYLE/REGION blocks and cue settings are dropped because only the
    /// spoken words matter for quotes. Cues left with no text are skipped.
    pub fn import(text: &str) -> Result<(Transcript, Format)> {
        let text = strip_bom(text);
        let format = detect(text);
        let transcript = match format {
            Format::Native => Transcript::parse(text)?,
            Format::WebVtt => parse_webvtt(text)?,
            Format::Srt => parse_srt(text)?,
        };
        Ok((transcript, format))
    }

    /// [`Transcript::import`] for raw file contents, so a file in a legacy encoding
    /// is refused with the line where it goes wrong rather than as a generic I/O error.
    pub fn import_bytes(bytes: &[u8]) -> Result<(Transcript, Format)> {
        match std::str::from_utf8(bytes) {
            Ok(text) => Transcript::import(text),
            Err(e) => {
                let before = bytes.get(..e.valid_up_to()).unwrap_or_default();
                let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
                Err(TranscriptError::NotUtf8 { line })
            }
        }
    }
}

/// An all-ASCII-digit number of `min..=max` digits (`str::parse` alone would accept
/// a leading `+`).
fn number(s: &str, min: usize, max: usize) -> Option<u32> {
    if s.len() < min || s.len() > max || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Exactly two digits, below 60.
fn sexagesimal(s: &str) -> Option<u32> {
    number(s, 2, 2).filter(|&n| n < 60)
}

fn detect(text: &str) -> Format {
    let mut lines = numbered_lines(text)
        .map(|(_, line)| line.trim())
        .skip_while(|line| line.is_empty());
    match lines.next() {
        Some(first) if is_webvtt_header(first) => Format::WebVtt,
        Some(first) if is_cue_timing(first) => Format::Srt,
        Some(first)
            if first.bytes().all(|b| b.is_ascii_digit())
                && lines.next().is_some_and(is_cue_timing) =>
        {
            Format::Srt
        }
        _ => Format::Native,
    }
}

/// A line that starts with a cue time and an arrow: strict, so that speech with an
/// arrow in it does not turn a native transcript into SRT.
fn is_cue_timing(line: &str) -> bool {
    line.split_once("-->")
        .is_some_and(|(start, _)| parse_cue_time(start.trim()).is_some())
}

fn is_webvtt_header(line: &str) -> bool {
    is_keyword_line(line, "WEBVTT")
}

/// Runs of non-blank lines, with their line numbers: the blocks of WebVTT and SRT.
fn blocks(text: &str) -> Vec<Vec<(usize, &str)>> {
    let mut blocks = Vec::new();
    let mut current = Vec::new();
    for (line, raw) in numbered_lines(text) {
        if raw.trim().is_empty() {
            if !current.is_empty() {
                blocks.push(std::mem::take(&mut current));
            }
        } else {
            current.push((line, raw));
        }
    }
    if !current.is_empty() {
        blocks.push(current);
    }
    blocks
}

/// Collects cues into segments, checking order on the exact cue times.
struct Cues {
    format: Format,
    expected: &'static str,
    segments: Vec<Segment>,
    previous: Option<(u64, String)>,
}

impl Cues {
    fn new(format: Format, expected: &'static str) -> Self {
        Cues {
            format,
            expected,
            segments: Vec::new(),
            previous: None,
        }
    }

    /// Adds the cue whose timing is `block[timing]` and whose text follows it.
    fn push(&mut self, block: &[(usize, &str)], timing: usize) -> Result<()> {
        let Some(&(line, timing_line)) = block.get(timing) else {
            return Ok(());
        };
        let bad_timing = || TranscriptError::BadCueTiming {
            line,
            found: snippet(timing_line.trim()),
        };
        let (start_raw, rest) = timing_line.split_once("-->").ok_or_else(bad_timing)?;
        let start_raw = start_raw.trim();
        let end_raw = rest.split_whitespace().next().ok_or_else(bad_timing)?;
        let time = |s: &str| {
            parse_cue_time(s).ok_or_else(|| TranscriptError::BadTime {
                line,
                found: snippet(s),
                expected: self.expected,
            })
        };
        let (start_ms, end_ms) = (time(start_raw)?, time(end_raw)?);
        if end_ms < start_ms {
            return Err(TranscriptError::EndsBeforeStart {
                line,
                start: start_raw.to_owned(),
                end: end_raw.to_owned(),
            });
        }
        if let Some((previous_ms, previous_raw)) = &self.previous
            && start_ms < *previous_ms
        {
            return Err(TranscriptError::OutOfOrder {
                line,
                start: start_raw.to_owned(),
                previous: previous_raw.clone(),
            });
        }
        self.previous = Some((start_ms, start_raw.to_owned()));
        let seconds = |ms: u64, raw: &str| {
            u32::try_from(ms).map_err(|_| TranscriptError::BadTime {
                line,
                found: snippet(raw),
                expected: self.expected,
            })
        };
        let start = seconds(start_ms / 1000, start_raw)?;
        let end = seconds(end_ms.div_ceil(1000), end_raw)?;
        let text = cue_text(block.get(timing + 1..).unwrap_or_default());
        if !text.is_empty() {
            self.segments.push(Segment { start, end, text });
        }
        Ok(())
    }

    fn finish(self) -> Result<Transcript> {
        if self.segments.is_empty() {
            return Err(TranscriptError::NoCues {
                format: self.format,
            });
        }
        Ok(Transcript {
            segments: self.segments,
        })
    }
}

fn parse_webvtt(text: &str) -> Result<Transcript> {
    let mut cues = Cues::new(Format::WebVtt, VTT_TIME);
    for (index, block) in blocks(text).iter().enumerate() {
        if index == 0 {
            // The header block; a cue written right under it without a blank line
            // is still a cue.
            if let Some(timing) = block.iter().position(|(_, l)| l.contains("-->")) {
                cues.push(block, timing)?;
            }
            continue;
        }
        let first = block[0].1.trim();
        if ["NOTE", "STYLE", "REGION"]
            .iter()
            .any(|keyword| is_keyword_line(first, keyword))
        {
            continue;
        }
        let timing = if first.contains("-->") {
            0
        } else if block.get(1).is_some_and(|(_, l)| l.contains("-->")) {
            1
        } else {
            let &(line, found) = block.get(1).unwrap_or(&block[0]);
            return Err(TranscriptError::BadCueTiming {
                line,
                found: snippet(found.trim()),
            });
        };
        cues.push(block, timing)?;
    }
    cues.finish()
}

fn is_keyword_line(line: &str, keyword: &str) -> bool {
    line.strip_prefix(keyword)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
}

fn parse_srt(text: &str) -> Result<Transcript> {
    let mut cues = Cues::new(Format::Srt, SRT_TIME);
    for block in blocks(text) {
        let (line, first) = block[0];
        let first = first.trim();
        if first.contains("-->") {
            // A missing cue number is harmless: the number carries nothing.
            cues.push(&block, 0)?;
        } else if !first.bytes().all(|b| b.is_ascii_digit()) {
            return Err(TranscriptError::BadCueNumber {
                line,
                found: snippet(first),
            });
        } else if block.get(1).is_some_and(|(_, l)| l.contains("-->")) {
            cues.push(&block, 1)?;
        } else {
            let (line, found) = block.get(1).copied().unwrap_or((line + 1, ""));
            return Err(TranscriptError::BadCueTiming {
                line,
                found: snippet(found.trim()),
            });
        }
    }
    cues.finish()
}

/// A WebVTT or SRT timestamp in milliseconds. Either decimal separator is taken
/// from either format, because converters mix them up.
fn parse_cue_time(s: &str) -> Option<u64> {
    let (clock, fraction) = match s.rfind(['.', ',']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let ms = match fraction {
        None => 0,
        Some(f) => {
            let value = u64::from(number(f, 1, 3)?);
            value * 10u64.pow(3 - f.len() as u32)
        }
    };
    let mut parts = clock.split(':');
    let first = parts.next()?;
    let second = parts.next()?;
    let third = parts.next();
    if parts.next().is_some() {
        return None;
    }
    let (h, m, s) = match third {
        None => (0, sexagesimal(first)?, sexagesimal(second)?),
        Some(third) => (
            number(first, 1, 6)?,
            sexagesimal(second)?,
            sexagesimal(third)?,
        ),
    };
    Some((u64::from(h) * 3600 + u64::from(m) * 60 + u64::from(s)) * 1000 + ms)
}

/// A cue's spoken text: markup removed, lines joined with single spaces.
fn cue_text(lines: &[(usize, &str)]) -> String {
    let mut out = String::new();
    for (_, line) in lines {
        let clean = strip_markup(line);
        let clean = clean.trim();
        if clean.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(clean);
    }
    out
}

/// Removes WebVTT/SRT tags (`<v Speaker>`, `<c.x>`, `</i>`, `<00:00:01.000>`), SSA
/// overrides (`{\an8}`) and decodes character references.
fn strip_markup(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        let after = &rest[c.len_utf8()..];
        match c {
            '<' if after.starts_with(|n: char| n.is_ascii_alphanumeric() || n == '/') => {
                rest = after.find('>').map_or("", |i| &after[i + 1..]);
            }
            '{' if after.starts_with('\\') => {
                rest = after.find('}').map_or("", |i| &after[i + 1..]);
            }
            '&' => match entity(after) {
                Some((decoded, len)) => {
                    out.extend(decoded);
                    rest = &after[len..];
                }
                None => {
                    out.push('&');
                    rest = after;
                }
            },
            _ => {
                out.push(c);
                rest = after;
            }
        }
    }
    out
}

/// The character reference at the start of `s` (just after the `&`): what it stands
/// for (nothing for the invisible direction marks, which would break quote matching)
/// and how many bytes it takes, `;` included.
fn entity(s: &str) -> Option<(Option<char>, usize)> {
    let end = s.bytes().take(12).position(|b| b == b';')?;
    let name = &s[..end];
    let decoded = match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some(' '),
        "lrm" | "rlm" => None,
        _ => {
            let code = name.strip_prefix('#')?;
            let value = match code.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => code.parse().ok()?,
            };
            let c = char::from_u32(value)?;
            Some(c)
        }
    };
    Some((decoded, end + 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::tests::SEED;

    #[test]
    fn invalid_utf8_names_the_line() {
        let bytes = b"(00:00~01:00) ok\n(01:00~02:00) \xe4\xbd\n";
        assert_eq!(
            Transcript::import_bytes(bytes),
            Err(TranscriptError::NotUtf8 { line: 2 })
        );
        assert_eq!(
            TranscriptError::NotUtf8 { line: 2 }.to_string(),
            "line 2: the transcript is not UTF-8"
        );
        let (transcript, format) = Transcript::import_bytes(SEED.as_bytes()).unwrap();
        assert_eq!((transcript.segments.len(), format), (48, Format::Native));
    }

    #[test]
    fn imports_webvtt() {
        let vtt = "\u{feff}WEBVTT - 科技浪\r\nKind: captions\r\n\r\n\
            NOTE 這是註解\r\n00:00:00.000 --> 00:00:01.000 not a cue\r\n\r\n\
            STYLE\r\n::cue { color: yellow }\r\n\r\n\
            intro\r\n00:01.500 --> 00:04.200 align:start position:10%\r\n\
            <v 哈利>哈囉大家好，</v>\r\n<c.yellow>歡迎收聽</c>科技浪\r\n\r\n\
            00:00:04.200 --> 00:00:06.000\r\n<i>NVIDIA</i> 的利潤 &amp; 營收\r\n\r\n\
            00:00:06.000 --> 00:00:07.000\r\n<v.loud 哈利></v>\r\n\r\n\
            1:00:00.000 --> 1:00:02.000\r\n一小時&lrm;後\r\n";
        let (transcript, format) = Transcript::import(vtt).unwrap();
        assert_eq!(format, Format::WebVtt);
        assert_eq!(
            transcript.segments,
            vec![
                Segment {
                    start: 1,
                    end: 5,
                    text: "哈囉大家好， 歡迎收聽科技浪".into()
                },
                Segment {
                    start: 4,
                    end: 6,
                    text: "NVIDIA 的利潤 & 營收".into()
                },
                Segment {
                    start: 3600,
                    end: 3602,
                    text: "一小時後".into()
                },
            ]
        );
        assert_eq!(transcript.find("大家好，歡迎收聽"), Some(0..=0));
        assert_eq!(Transcript::parse(&transcript.render()).unwrap(), transcript);
    }

    #[test]
    fn imports_webvtt_with_a_cue_under_the_header() {
        let vtt = "WEBVTT\n00:01.000 --> 00:02.000\n你好\n";
        let (transcript, _) = Transcript::import(vtt).unwrap();
        assert_eq!(
            transcript.segments,
            vec![Segment {
                start: 1,
                end: 2,
                text: "你好".into()
            }]
        );
    }

    #[test]
    fn webvtt_errors_name_the_line() {
        let err = |text: &str| Transcript::import(text).unwrap_err();
        assert_eq!(
            err("WEBVTT\n\nNOTE only a note\n"),
            TranscriptError::NoCues {
                format: Format::WebVtt
            }
        );
        assert_eq!(
            err("WEBVTT\n").to_string(),
            "the WebVTT file has no cues with text"
        );
        assert_eq!(
            err("WEBVTT\n\nid\nhello\n"),
            TranscriptError::BadCueTiming {
                line: 4,
                found: "hello".into()
            }
        );
        assert_eq!(
            err("WEBVTT\n\n00:01.000 --> 00:61.000\nhi\n").to_string(),
            "line 3: \"00:61.000\" is not a time (expected HH:MM:SS.mmm or MM:SS.mmm)"
        );
        assert_eq!(
            err("WEBVTT\n\n00:02.000 --> 00:01.000\nhi\n").to_string(),
            "line 3: segment ends (00:01.000) before it starts (00:02.000)"
        );
        assert_eq!(
            err("WEBVTT\n\n00:02.000 --> 00:03.000\nhi\n\n00:01.000 --> 00:03.000\nho\n"),
            TranscriptError::OutOfOrder {
                line: 6,
                start: "00:01.000".into(),
                previous: "00:02.000".into()
            }
        );
        assert_eq!(
            err("WEBVTT\n\n00:01.000 -->\nhi\n"),
            TranscriptError::BadCueTiming {
                line: 3,
                found: "00:01.000 -->".into()
            }
        );
    }

    #[test]
    fn imports_srt() {
        let srt = "1\r\n00:00:01,000 --> 00:00:04,000\r\n哈囉大家好\r\n歡迎收聽<b>科技浪</b>\r\n\r\n\
            2\r\n00:00:04,500 --> 00:00:07,001 X1:10 X2:20\r\n{\\an8}他的利潤高達70幾%耶\r\n\r\n\
            3\r\n00:00:08,000 --> 00:00:09,000\r\na &lt; b\r\n";
        let (transcript, format) = Transcript::import(srt).unwrap();
        assert_eq!(format, Format::Srt);
        assert_eq!(
            transcript.segments,
            vec![
                Segment {
                    start: 1,
                    end: 4,
                    text: "哈囉大家好 歡迎收聽科技浪".into()
                },
                Segment {
                    start: 4,
                    end: 8,
                    text: "他的利潤高達70幾%耶".into()
                },
                Segment {
                    start: 8,
                    end: 9,
                    text: "a < b".into()
                },
            ]
        );
        assert_eq!(transcript.find("大家好歡迎"), Some(0..=0));
        assert_eq!(transcript.find("科技浪他的利潤"), Some(0..=1));
        assert_eq!(transcript.span(), Some((1, 9)));
    }

    #[test]
    fn srt_errors_name_the_line() {
        let err = |text: &str| Transcript::import(text).unwrap_err();
        assert_eq!(
            err("1\n00:00:01,000 --> 00:00:02,000\nhi\n\nx\n00:00:03,000 --> 00:00:04,000\nho\n"),
            TranscriptError::BadCueNumber {
                line: 5,
                found: "x".into()
            }
        );
        assert_eq!(
            err("1\n00:00:01,000 --> 00:00:02,000\nhi\n\n2\nho\n"),
            TranscriptError::BadCueTiming {
                line: 6,
                found: "ho".into()
            }
        );
        assert_eq!(
            err("1\n00:00:01,000 --> 00:00:02,000\nhi\n\n2\n"),
            TranscriptError::BadCueTiming {
                line: 6,
                found: String::new()
            }
        );
        assert_eq!(
            err("1\n00:00:01,000 --> 00:00:02,000\n\n").to_string(),
            "the SRT file has no cues with text"
        );
    }

    #[test]
    fn detects_formats() {
        assert_eq!(detect("WEBVTT\n"), Format::WebVtt);
        assert_eq!(detect("WEBVTT\tx\n"), Format::WebVtt);
        assert_eq!(detect("WEBVTTX\n"), Format::Native);
        assert_eq!(
            detect("\n\n12\n00:00:01,000 --> 00:00:02,000\n"),
            Format::Srt
        );
        assert_eq!(detect("12\n(00:00~00:01) a\n"), Format::Native);
        assert_eq!(detect("00:00:01,000 --> 00:00:02,000\n"), Format::Srt);
        assert_eq!(detect("(00:00~00:01) A --> B\n"), Format::Native);
        assert_eq!(detect("1\n(00:00~00:01) A --> B\n"), Format::Native);
        assert_eq!(detect(SEED), Format::Native);
    }

    #[test]
    fn cue_times_parse() {
        assert_eq!(parse_cue_time("00:00:01.000"), Some(1000));
        assert_eq!(parse_cue_time("01:02.5"), Some(62_500));
        assert_eq!(parse_cue_time("10:00:00,042"), Some(36_000_042));
        assert_eq!(parse_cue_time("00:00:01.0000"), None);
        assert_eq!(parse_cue_time("00:60.000"), None);
        assert_eq!(parse_cue_time("１:00.000"), None);
    }

    #[test]
    fn odd_input_does_not_panic() {
        let inputs = [
            "(",
            ")",
            "(~)",
            "(~) x",
            "(:~:)",
            "(０７:００~01:00) 全形",
            "((00:00~01:00)) x",
            "WEBVTT\n\n-->\n",
            "WEBVTT\n\n中文 --> 中文\n",
            "1\n-->",
            "1\n中 --> 文,",
            "WEBVTT\n\n00:01.000 --> 00:02.000\n<v 未閉合\n&#x110000; &#xZZ; &; &中文長長長長;\n",
            "\u{feff}",
            "\r",
            "\r\n\r\n",
        ];
        for input in inputs {
            let _ = Transcript::import(input);
            let _ = Transcript::parse(input);
        }
    }
}
