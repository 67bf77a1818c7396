//! The Podcast Namespace JSON transcript
//! (<https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/examples/transcripts/transcripts.md>):
//! `{"version": "1.0.0", "segments": [{"speaker", "startTime", "endTime", "body"}]}`,
//! times in seconds. A segment that cannot be used (no body, a time that is not a
//! number, an end before its start) is skipped and listed; a file that is not such
//! JSON at all is refused.
//!
//! Uses `import`'s [`TimedCue`] and the model's types.

use serde_json::Value;

use super::cuetext::Run;
use super::import::TimedCue;
use super::{Place, Result, SkipReason, Skipped, TranscriptError, speaker_name};

pub fn parse(text: &str) -> Result<(Vec<TimedCue>, Vec<Skipped>)> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| TranscriptError::BadJson(e.to_string()))?;
    let segments = value
        .get("segments")
        .and_then(Value::as_array)
        .ok_or_else(|| TranscriptError::BadJson("it has no \"segments\" array".into()))?;
    let mut cues = Vec::new();
    let mut skipped = Vec::new();
    for (index, segment) in segments.iter().enumerate() {
        let place = Place::Segment(index + 1);
        match cue(segment) {
            Ok(Some((start_ms, end_ms, run))) => cues.push(TimedCue {
                place,
                start_ms,
                end_ms,
                runs: vec![run],
            }),
            Ok(None) => {}
            Err(problem) => skipped.push(Skipped {
                place,
                reason: SkipReason::BadSegment(problem),
            }),
        }
    }
    Ok((cues, skipped))
}

/// One segment's times in milliseconds and its words; `None` for one with no words.
fn cue(segment: &Value) -> std::result::Result<Option<(u64, u64, Run)>, String> {
    let time = |key: &str| -> std::result::Result<u64, String> {
        let v = segment
            .get(key)
            .ok_or_else(|| format!("it has no \"{key}\""))?;
        let seconds = match v {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse::<f64>().ok(),
            _ => None,
        }
        .filter(|s| s.is_finite() && *s >= 0.0)
        .ok_or_else(|| format!("\"{key}\" is not a number of seconds: {v}"))?;
        let ms = (seconds * 1000.0).round();
        if ms > u32::MAX as f64 * 1000.0 {
            return Err(format!("\"{key}\" is later than errata can store: {v}"));
        }
        Ok(ms as u64)
    };
    let body = match segment.get("body") {
        Some(Value::String(s)) => s,
        Some(other) => return Err(format!("\"body\" is not text: {other}")),
        None => return Err("it has no \"body\"".into()),
    };
    let (start_ms, end_ms) = (time("startTime")?, time("endTime")?);
    // JSON can escape a NUL the file's own preprocessing never saw.
    let text = body
        .replace('\0', "\u{fffd}")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if text.is_empty() {
        return Ok(None);
    }
    let speaker = segment
        .get("speaker")
        .and_then(Value::as_str)
        .and_then(|s| speaker_name(&s.replace('\0', "\u{fffd}")));
    Ok(Some((start_ms, end_ms, Run { speaker, text })))
}
