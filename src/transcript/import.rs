//! Importing transcripts from other formats: format detection, the preprocessing
//! every format gets (BOM, NUL, CR/LF), and turning the cues the format parsers
//! yield (`webvtt`, `srt`, `json`) into segments: whole seconds, one segment per
//! speaker's run, time order, speakers from `Name:` prefixes. What cannot be stored
//! is skipped and listed in [`Imported::skipped`], never silently and never by
//! refusing the whole file. [`Transcript::import`] and [`Transcript::import_bytes`]
//! are the entry points; native files go to [`Transcript::parse`].
//!
//! Uses only the model and the native format's helpers in `mod.rs` and the format
//! parsers beside it; it knows nothing of search.

use super::cuetext::{self, Run};
use super::webvtt;
#[cfg(test)]
use super::webvtt::VTT_TIME;
use super::{Format, Place, Result, Segment, SkipReason, Skipped, Transcript, TranscriptError};
use super::{json, numbered_lines, srt};

/// An imported transcript, what it was read as, and the cues left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub transcript: Transcript,
    pub format: Format,
    /// Cues (or JSON segments) that could not be read or stored, in file order.
    pub skipped: Vec<Skipped>,
}

impl Imported {
    /// Refuses the import if any cue was skipped (`--strict`).
    pub fn strict(self) -> Result<Imported> {
        if self.skipped.is_empty() {
            Ok(self)
        } else {
            Err(TranscriptError::Strict {
                format: self.format,
                skipped: self.skipped,
            })
        }
    }
}

/// A cue from any format, in exact times, with its words by speaker.
pub(super) struct TimedCue {
    pub place: Place,
    pub start_ms: u64,
    pub end_ms: u64,
    pub runs: Vec<Run>,
}

impl Transcript {
    /// Accepts whatever transcript an editor has at hand (the show's own export,
    /// subtitles from a video platform, a podcast host's JSON) and says which format
    /// it was taken for. Cue times are widened to whole seconds (start down, end
    /// up); cue markup, NOTE/STYLE/REGION blocks and cue settings are dropped
    /// because only the spoken words and their speakers matter for quotes. Cues
    /// left with no text are dropped; cues that cannot be read are skipped (see
    /// [`Transcript::import_report`] for the list).
    pub fn import(text: &str) -> Result<(Transcript, Format)> {
        let imported = Transcript::import_report(text)?;
        Ok((imported.transcript, imported.format))
    }

    /// [`Transcript::import`] for raw file contents, so a file in a legacy encoding
    /// is refused with the line where it goes wrong rather than as a generic I/O error.
    pub fn import_bytes(bytes: &[u8]) -> Result<(Transcript, Format)> {
        let imported = Transcript::import_bytes_report(bytes)?;
        Ok((imported.transcript, imported.format))
    }

    /// [`Transcript::import`], with the cues it skipped.
    pub fn import_report(text: &str) -> Result<Imported> {
        let text = webvtt::normalise(text);
        let format = detect(&text);
        let (cues, skipped) = match format {
            Format::Native => {
                return Ok(Imported {
                    transcript: Transcript::parse(&text)?,
                    format,
                    skipped: Vec::new(),
                });
            }
            Format::WebVtt => parse_webvtt(&text),
            Format::Srt => srt::parse(&text),
            Format::Json => json::parse(&text)?,
        };
        collect(format, cues, skipped)
    }

    /// [`Transcript::import_bytes`], with the cues it skipped.
    pub fn import_bytes_report(bytes: &[u8]) -> Result<Imported> {
        match std::str::from_utf8(bytes) {
            Ok(text) => Transcript::import_report(text),
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
pub(super) fn number(s: &str, min: usize, max: usize) -> Option<u32> {
    if s.len() < min || s.len() > max || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Exactly two digits, below 60.
pub(super) fn sexagesimal(s: &str) -> Option<u32> {
    number(s, 2, 2).filter(|&n| n < 60)
}

fn detect(text: &str) -> Format {
    if text.trim_start().starts_with('{') {
        return Format::Json;
    }
    let mut lines = numbered_lines(text)
        .map(|(_, line)| line.trim())
        .skip_while(|line| line.is_empty());
    match lines.next() {
        Some(first) if webvtt::has_signature(first) => Format::WebVtt,
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
        .is_some_and(|(start, _)| srt::parse_time(start.trim()).is_some())
}

/// The spec's parser, on the text from its signature line (blank lines or spaces
/// before it, which the spec would refuse, are forgiven), with line numbers of the
/// whole file.
fn parse_webvtt(text: &str) -> (Vec<TimedCue>, Vec<Skipped>) {
    let leading = text.len() - text.trim_start().len();
    let offset = text[..leading].matches('\n').count();
    let from = text[..leading].rfind('\n').map_or(0, |i| i + 1);
    let body = text[from..].trim_start_matches([' ', '\t']);
    let Some(parsed) = webvtt::parse(body) else {
        return (Vec::new(), Vec::new());
    };
    let shift = |place: Place| match place {
        Place::Line(n) => Place::Line(n + offset),
        other => other,
    };
    let cues = parsed
        .cues
        .into_iter()
        .map(|cue| TimedCue {
            place: Place::Line(cue.line + offset),
            start_ms: cue.start_ms,
            end_ms: cue.end_ms,
            runs: cuetext::runs(&cue.text),
        })
        .collect();
    let skipped = parsed
        .skipped
        .into_iter()
        .map(|s| Skipped {
            place: shift(s.place),
            reason: s.reason,
        })
        .collect();
    (cues, skipped)
}

/// Cues into segments: those errata cannot store are added to `skipped` (an end
/// before the start, a time past `u32` seconds), those without words dropped; the
/// rest in time order (a player shows cues by start time, whatever the file's
/// order), with speakers from `Name:` prefixes where no other is named.
fn collect(format: Format, cues: Vec<TimedCue>, mut skipped: Vec<Skipped>) -> Result<Imported> {
    let mut timed: Vec<(u64, Segment)> = Vec::new();
    for cue in cues {
        let skip = |reason| Skipped {
            place: cue.place,
            reason,
        };
        if cue.end_ms < cue.start_ms {
            skipped.push(skip(SkipReason::EndsBeforeStart {
                start: format_ms(cue.start_ms),
                end: format_ms(cue.end_ms),
            }));
            continue;
        }
        let (Ok(start), Ok(end)) = (
            u32::try_from(cue.start_ms / 1000),
            u32::try_from(cue.end_ms.div_ceil(1000)),
        ) else {
            skipped.push(skip(SkipReason::TooLate {
                found: format_ms(cue.end_ms),
            }));
            continue;
        };
        for run in cue.runs {
            timed.push((
                cue.start_ms,
                Segment {
                    start,
                    end,
                    text: run.text,
                    speaker: run.speaker,
                },
            ));
        }
    }
    skipped.sort_by_key(|s| match s.place {
        Place::Line(n) | Place::Segment(n) => n,
    });
    timed.sort_by_key(|(ms, _)| *ms);
    let mut segments: Vec<Segment> = timed.into_iter().map(|(_, s)| s).collect();
    cuetext::speakers_from_prefixes(&mut segments);
    if segments.is_empty() {
        return Err(if skipped.is_empty() {
            TranscriptError::NoCues { format }
        } else {
            TranscriptError::Unreadable { format, skipped }
        });
    }
    Ok(Imported {
        transcript: Transcript { segments },
        format,
        skipped,
    })
}

/// Milliseconds as a WebVTT time, for messages.
fn format_ms(ms: u64) -> String {
    let (s, ms) = (ms / 1000, ms % 1000);
    format!("{:02}:{:02}:{:02}.{ms:03}", s / 3600, s / 60 % 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::tests::SEED;

    fn seg(start: u32, end: u32, text: &str) -> Segment {
        Segment::new(start, end, text)
    }

    fn said(start: u32, end: u32, speaker: &str, text: &str) -> Segment {
        Segment {
            speaker: Some(speaker.into()),
            ..Segment::new(start, end, text)
        }
    }

    fn line(n: usize, reason: SkipReason) -> Skipped {
        Skipped {
            place: Place::Line(n),
            reason,
        }
    }

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
        let imported = Transcript::import_report(vtt).unwrap();
        assert_eq!(imported.format, Format::WebVtt);
        assert_eq!(imported.skipped, []);
        let transcript = imported.transcript;
        assert_eq!(
            transcript.segments,
            vec![
                said(1, 5, "哈利", "哈囉大家好，"),
                seg(1, 5, "歡迎收聽科技浪"),
                seg(4, 6, "NVIDIA 的利潤 & 營收"),
                seg(3600, 3602, "一小時後"),
            ]
        );
        assert_eq!(transcript.find("大家好，歡迎收聽"), Some(0..=1));
        assert_eq!(Transcript::parse(&transcript.render()).unwrap(), transcript);
    }

    #[test]
    fn imports_webvtt_with_a_cue_under_the_header() {
        let vtt = "WEBVTT\n00:01.000 --> 00:02.000\n你好\n";
        let (transcript, _) = Transcript::import(vtt).unwrap();
        assert_eq!(transcript.segments, vec![seg(1, 2, "你好")]);
    }

    /// The issue's first defect: two cues with no blank line between them.
    #[test]
    fn a_timing_line_never_becomes_text() {
        let vtt = "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\ntext1\n\
            00:00:00.000 --> 00:00:01.000\ntext6\n";
        let (transcript, _) = Transcript::import(vtt).unwrap();
        assert_eq!(
            transcript.segments,
            vec![seg(0, 1, "text1"), seg(0, 1, "text6")]
        );
        let srt = "1\n00:00:01,000 --> 00:00:02,000\nhi\n2\n00:00:02,000 --> 00:00:03,000\nho\n";
        let (transcript, format) = Transcript::import(srt).unwrap();
        assert_eq!(format, Format::Srt);
        assert_eq!(transcript.segments, vec![seg(1, 2, "hi"), seg(2, 3, "ho")]);
    }

    /// The second: one bad cue is skipped and listed with its line; the file is kept.
    #[test]
    fn a_bad_cue_is_skipped_and_listed() {
        let vtt = "WEBVTT\n\n00:01.000 --> 00:61.000\nbad time\n\n\
            00:02.000 --> 00:01.000\nbackwards\n\n\
            00:03.000 --> 00:04.000\nkept\n\n\
            00:05.000 -> 00:06.000\nno arrow\n";
        let imported = Transcript::import_report(vtt).unwrap();
        assert_eq!(imported.transcript.segments, vec![seg(3, 4, "kept")]);
        assert_eq!(
            imported.skipped,
            [
                line(
                    3,
                    SkipReason::BadTime {
                        found: "00:61.000".into(),
                        expected: VTT_TIME
                    }
                ),
                line(
                    6,
                    SkipReason::EndsBeforeStart {
                        start: "00:00:02.000".into(),
                        end: "00:00:01.000".into()
                    }
                ),
            ]
        );
        assert_eq!(
            imported.skipped[0].to_string(),
            "line 3: \"00:61.000\" is not a time (expected HH:MM:SS.mmm or MM:SS.mmm)"
        );
        assert_eq!(
            imported.skipped[1].to_string(),
            "line 6: the cue ends (00:00:01.000) before it starts (00:00:02.000)"
        );
        let strict = imported.strict().unwrap_err();
        assert!(matches!(&strict, TranscriptError::Strict { skipped, .. } if skipped.len() == 2));
        assert!(
            strict
                .to_string()
                .starts_with("2 cues of the WebVTT file cannot be read, and --strict refuses")
        );
        assert_eq!(
            Transcript::import("WEBVTT\n\n00:01.000 --> 00:00.000\nx\n")
                .unwrap_err()
                .to_string(),
            "no cue of the WebVTT file can be read: \
             line 3: the cue ends (00:00:00.000) before it starts (00:00:01.000)"
        );
    }

    /// The third: NUL becomes U+FFFD, so git keeps seeing text.
    #[test]
    fn nul_becomes_the_replacement_character() {
        let (transcript, _) =
            Transcript::import("WEBVTT\n\n00:01.000 --> 00:02.000\na\0b\n").unwrap();
        assert_eq!(transcript.segments, vec![seg(1, 2, "a\u{fffd}b")]);
        assert!(!transcript.render().contains('\0'));
        let (transcript, _) = Transcript::import("(00:00~00:01) a\0b\n").unwrap();
        assert_eq!(transcript.segments[0].text, "a\u{fffd}b");
    }

    /// The fourth: CR, LF and CRLF are all line breaks.
    #[test]
    fn cr_only_files_import() {
        let vtt = "WEBVTT\r\r00:01.000 --> 00:02.000\r你好\r\r00:02.000 --> 00:03.000\r再見\r";
        let (transcript, format) = Transcript::import(vtt).unwrap();
        assert_eq!(format, Format::WebVtt);
        assert_eq!(
            transcript.segments,
            vec![seg(1, 2, "你好"), seg(2, 3, "再見")]
        );
        let srt = "1\r00:00:01,000 --> 00:00:02,000\rhi\r";
        let (transcript, format) = Transcript::import(srt).unwrap();
        assert_eq!(
            (format, transcript.segments),
            (Format::Srt, vec![seg(1, 2, "hi")])
        );
        let native = "(00:00~00:01) a\r(00:01~00:02) b";
        assert_eq!(Transcript::import(native).unwrap().0.segments.len(), 2);
    }

    #[test]
    fn a_style_block_ends_at_its_blank_line() {
        let vtt = "WEBVTT\n\nSTYLE\n::cue { color: red }\n\n::cue(b) { color: blue }\n\n\
            REGION\nid:r\n\n00:01.000 --> 00:02.000\nhi\n\nNOTE a\nb\n\n00:02.000 --> 00:03.000\nho\n";
        let imported = Transcript::import_report(vtt).unwrap();
        assert_eq!(
            imported.transcript.segments,
            vec![seg(1, 2, "hi"), seg(2, 3, "ho")]
        );
        assert_eq!(imported.skipped, []);
    }

    #[test]
    fn webvtt_without_cues_is_refused() {
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
            TranscriptError::NoCues {
                format: Format::WebVtt
            }
        );
        assert_eq!(
            err("WEBVTT\n\n00:01.000 -->\nhi\n"),
            TranscriptError::Unreadable {
                format: Format::WebVtt,
                skipped: vec![line(
                    3,
                    SkipReason::BadTiming {
                        found: "00:01.000 -->".into()
                    }
                )]
            }
        );
    }

    #[test]
    fn out_of_order_cues_are_put_in_time_order() {
        let vtt = "WEBVTT\n\n00:02.000 --> 00:03.000\nhi\n\n00:01.000 --> 00:03.000\nho\n";
        let (transcript, _) = Transcript::import(vtt).unwrap();
        assert_eq!(transcript.segments, vec![seg(1, 3, "ho"), seg(2, 3, "hi")]);
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
                seg(1, 4, "哈囉大家好 歡迎收聽科技浪"),
                seg(4, 8, "他的利潤高達70幾%耶"),
                seg(8, 9, "a < b"),
            ]
        );
        assert_eq!(transcript.find("大家好歡迎"), Some(0..=0));
        assert_eq!(transcript.find("科技浪他的利潤"), Some(0..=1));
        assert_eq!(transcript.span(), Some((1, 9)));
    }

    #[test]
    fn srt_skips_what_it_cannot_read() {
        let srt = "1\n00:00:01,000 --> 00:00:02,000\nhi\n\nx\nstray\n\n\
            3\n00:00:03,000 --> 00:00:61,000\nlost\n\n4\n00:00:05,000 --> 00:00:06,000\nho\n";
        let imported = Transcript::import_report(srt).unwrap();
        assert_eq!(
            imported.transcript.segments,
            vec![seg(1, 2, "hi"), seg(5, 6, "ho")]
        );
        assert_eq!(
            imported.skipped,
            [
                line(5, SkipReason::NoTiming { found: "x".into() }),
                line(
                    9,
                    SkipReason::BadTime {
                        found: "00:00:61,000".into(),
                        expected: srt::SRT_TIME
                    }
                ),
            ]
        );
        assert_eq!(
            Transcript::import("1\n00:00:01,000 --> 00:00:02,000\n\n")
                .unwrap_err()
                .to_string(),
            "the SRT file has no cues with text"
        );
    }

    #[test]
    fn imports_podcast_namespace_json() {
        let json = r#"{"version": "1.0.0", "segments": [
            {"speaker": "哈利", "startTime": 0.5, "endTime": 2.25, "body": "哈囉大家好"},
            {"speaker": "哈利", "startTime": 2.25, "endTime": 4, "body": "歡迎收聽"},
            {"startTime": 4, "endTime": 5, "body": "  "},
            {"speaker": "小明", "startTime": "5.0", "endTime": 3, "body": "backwards"},
            {"speaker": "小明", "startTime": 6, "body": "no end"},
            {"speaker": " ", "startTime": 7, "endTime": 8, "body": "nobody"}
        ]}"#;
        let imported = Transcript::import_report(json).unwrap();
        assert_eq!(imported.format, Format::Json);
        assert_eq!(
            imported.transcript.segments,
            vec![
                said(0, 3, "哈利", "哈囉大家好"),
                said(2, 4, "哈利", "歡迎收聽"),
                seg(7, 8, "nobody"),
            ]
        );
        let reasons: Vec<String> = imported.skipped.iter().map(|s| s.to_string()).collect();
        assert_eq!(
            reasons,
            [
                "segment 4: the cue ends (00:00:03.000) before it starts (00:00:05.000)",
                "segment 5: it has no \"endTime\"",
            ]
        );
        assert_eq!(
            Transcript::import("{\"segments\": 3}")
                .unwrap_err()
                .to_string(),
            "not a Podcast Namespace JSON transcript: it has no \"segments\" array"
        );
        assert!(matches!(
            Transcript::import("{ not json"),
            Err(TranscriptError::BadJson(_))
        ));
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
        assert_eq!(detect(" {\"segments\": []}"), Format::Json);
        assert_eq!(detect(SEED), Format::Native);
    }

    #[test]
    fn leading_blank_lines_before_webvtt_keep_line_numbers() {
        let imported = Transcript::import_report(
            "\n\nWEBVTT\n\n00:01.000 --> 00:0x.000\nx\n\n00:01.000 --> 00:02.000\ny\n",
        )
        .unwrap();
        assert_eq!(imported.skipped[0].place, Place::Line(5));
        assert_eq!(imported.transcript.segments, vec![seg(1, 2, "y")]);
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
            "WEBVTT\n\n99999999999999:00:00.000 --> 99999999999999:00:01.000\nx\n",
            "{\"segments\": [{\"startTime\": 1e300, \"endTime\": 1e301, \"body\": \"x\"}]}",
            "{\"segments\": [null, 1, \"x\", {\"body\": 3}]}",
            "\u{feff}",
            "\r",
            "\r\n\r\n",
            "\0",
        ];
        for input in inputs {
            let _ = Transcript::import(input);
            let _ = Transcript::parse(input);
        }
    }
}
