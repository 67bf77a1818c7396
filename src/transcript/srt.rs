//! SRT (SubRip), read as tolerantly as players read it: a cue is its timing line
//! and the text under it, the number above a timing carries nothing, a timing
//! line never becomes text (a missing blank line starts the next cue), and a cue
//! whose timing cannot be read is skipped and listed instead of refusing the file.
//!
//! Uses `cuetext` for the words and `import`'s [`TimedCue`]; the input arrives
//! with its line breaks already made LF by `import`.

use super::cuetext;
use super::import::{TimedCue, number, sexagesimal};
use super::{Place, SkipReason, Skipped, snippet};

pub const SRT_TIME: &str = "HH:MM:SS,mmm";

pub fn parse(text: &str) -> (Vec<TimedCue>, Vec<Skipped>) {
    let mut cues = Vec::new();
    let mut skipped = Vec::new();
    // The cue being read: its timing and its text lines so far.
    let mut current: Option<(usize, u64, u64, Vec<&str>)> = None;
    // Inside a cue whose timing could not be read: its text goes with it.
    let mut skipping = false;
    let finish = |current: &mut Option<(usize, u64, u64, Vec<&str>)>, cues: &mut Vec<TimedCue>| {
        if let Some((line, start_ms, end_ms, lines)) = current.take() {
            cues.push(TimedCue {
                place: Place::Line(line),
                start_ms,
                end_ms,
                runs: cuetext::runs(&lines.join("\n")),
            });
        }
    };
    for (index, raw) in text.split('\n').enumerate() {
        let line = index + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            finish(&mut current, &mut cues);
            skipping = false;
            continue;
        }
        if trimmed.contains("-->") {
            // The cue number written right above this timing belongs to it, not
            // to the text of the cue before.
            if let Some((_, _, _, lines)) = &mut current
                && lines.last().is_some_and(|l| is_number(l.trim()))
            {
                lines.pop();
            }
            finish(&mut current, &mut cues);
            match timing(trimmed) {
                Ok((start_ms, end_ms)) => {
                    current = Some((line, start_ms, end_ms, Vec::new()));
                    skipping = false;
                }
                Err(reason) => {
                    skipped.push(Skipped {
                        place: Place::Line(line),
                        reason,
                    });
                    skipping = true;
                }
            }
            continue;
        }
        match &mut current {
            Some((_, _, _, lines)) => lines.push(raw),
            None if skipping || is_number(trimmed) => {}
            None => {
                skipped.push(Skipped {
                    place: Place::Line(line),
                    reason: SkipReason::NoTiming {
                        found: snippet(trimmed),
                    },
                });
                skipping = true;
            }
        }
    }
    finish(&mut current, &mut cues);
    (cues, skipped)
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// `start --> end [position settings]`.
fn timing(line: &str) -> Result<(u64, u64), SkipReason> {
    let bad_timing = || SkipReason::BadTiming {
        found: snippet(line),
    };
    let (start, rest) = line.split_once("-->").ok_or_else(bad_timing)?;
    let start = start.trim();
    let end = rest.split_whitespace().next().ok_or_else(bad_timing)?;
    let time = |s: &str| {
        parse_time(s).ok_or_else(|| SkipReason::BadTime {
            found: snippet(s),
            expected: SRT_TIME,
        })
    };
    Ok((time(start)?, time(end)?))
}

/// An SRT timestamp in milliseconds. Either decimal separator, and one to three
/// digits of fraction, are taken, because converters mix them up.
pub fn parse_time(s: &str) -> Option<u64> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn srt_times_parse() {
        assert_eq!(parse_time("00:00:01.000"), Some(1000));
        assert_eq!(parse_time("01:02.5"), Some(62_500));
        assert_eq!(parse_time("10:00:00,042"), Some(36_000_042));
        assert_eq!(parse_time("00:00:01.0000"), None);
        assert_eq!(parse_time("00:60.000"), None);
        assert_eq!(parse_time("１:00.000"), None);
    }
}
