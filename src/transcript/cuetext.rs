//! The spoken words of a cue and who speaks them: cue markup removed (WebVTT tags,
//! SSA overrides in SRT), character references decoded, ruby annotations dropped,
//! and the text split where a voice span (`<v 哈利>`) changes the speaker; then,
//! over a whole transcript, `Name:` prefixes taken as speakers.
//!
//! Uses only [`Segment`] and [`speaker_name`] from `mod.rs`.

use super::{Segment, speaker_name};

/// A stretch of a cue's text with one speaker (or none named).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub speaker: Option<String>,
    pub text: String,
}

/// The runs of one cue's raw text (lines joined by LF), each run's lines trimmed
/// and joined with single spaces; runs left without text are dropped.
pub fn runs(raw: &str) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    let mut speaker: Option<String> = None;
    let mut current = String::new();
    let mut in_ruby_text = false;
    let mut rest = raw;
    let flush = |out: &mut Vec<Run>, speaker: &Option<String>, current: &mut String| {
        let text = join_lines(current);
        current.clear();
        if text.is_empty() {
            return;
        }
        match out.last_mut() {
            Some(last) if &last.speaker == speaker => {
                last.text.push(' ');
                last.text.push_str(&text);
            }
            _ => out.push(Run {
                speaker: speaker.clone(),
                text,
            }),
        }
    };
    while let Some(c) = rest.chars().next() {
        let after = &rest[c.len_utf8()..];
        match c {
            '<' if after.starts_with(|n: char| n.is_ascii_alphanumeric() || n == '/') => {
                let (tag, tail) = match after.find('>') {
                    Some(i) => (&after[..i], &after[i + 1..]),
                    None => (after, ""),
                };
                rest = tail;
                let (name, annotation) = match tag.find(|c: char| c.is_whitespace()) {
                    Some(i) => (&tag[..i], &tag[i..]),
                    None => (tag, ""),
                };
                let name = name.split('.').next().unwrap_or_default();
                match name {
                    "v" => {
                        let voice = speaker_name(annotation);
                        if voice != speaker {
                            flush(&mut out, &speaker, &mut current);
                            speaker = voice;
                        }
                    }
                    "/v" => {
                        flush(&mut out, &speaker, &mut current);
                        speaker = None;
                    }
                    "rt" => in_ruby_text = true,
                    "/rt" | "/ruby" => in_ruby_text = false,
                    _ => {}
                }
            }
            '{' if after.starts_with('\\') => {
                rest = after.find('}').map_or("", |i| &after[i + 1..]);
            }
            '&' => match entity(after) {
                Some((decoded, len)) => {
                    if !in_ruby_text {
                        current.extend(decoded);
                    }
                    rest = &after[len..];
                }
                None => {
                    if !in_ruby_text {
                        current.push('&');
                    }
                    rest = after;
                }
            },
            _ => {
                if !in_ruby_text {
                    current.push(c);
                }
                rest = after;
            }
        }
    }
    flush(&mut out, &speaker, &mut current);
    out
}

/// Lines trimmed, blank ones dropped, joined with single spaces.
fn join_lines(text: &str) -> String {
    let mut out = String::new();
    for line in text.split('\n') {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(line);
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
            // As HTML decodes them: NUL is U+FFFD; a line break or other space
            // written as a reference is a space, so one cue stays one line.
            match char::from_u32(value)? {
                '\0' => Some('\u{fffd}'),
                c if c.is_whitespace() => Some(' '),
                c => Some(c),
            }
        }
    };
    Some((decoded, end + 1))
}

/// Takes `Name:` (or `Name：`) at the start of segments with no speaker as who
/// speaks, and keeps that speaker for the unprefixed segments after it, since such
/// transcripts name the speaker only where it changes. A name counts only if it
/// opens at least two segments, so a sentence that happens to hold a colon
/// ("他說：…", "Note: …") is not taken for a speaker. A segment whose speaker the
/// file names otherwise (a voice span, a JSON field) ends the carried speaker.
pub fn speakers_from_prefixes(segments: &mut [Segment]) {
    let mut counts: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for s in segments.iter().filter(|s| s.speaker.is_none()) {
        if let Some((name, _)) = prefix(&s.text) {
            *counts.entry(name).or_default() += 1;
        }
    }
    if !counts.values().any(|&n| n >= 2) {
        return;
    }
    let mut carried: Option<String> = None;
    for s in segments.iter_mut() {
        if s.speaker.is_some() {
            carried = None;
            continue;
        }
        match prefix(&s.text) {
            Some((name, rest)) if counts.get(&name).is_some_and(|&n| n >= 2) => {
                s.text = rest;
                s.speaker = Some(name.clone());
                carried = Some(name);
            }
            _ => s.speaker.clone_from(&carried),
        }
    }
}

/// A speaker's prefix at the start of a text: the name (1 to 24 characters,
/// starting with a letter, at most four words, no sentence punctuation) and the
/// text after the colon.
fn prefix(text: &str) -> Option<(String, String)> {
    let colon = text
        .char_indices()
        .take(26)
        .find(|&(_, c)| c == ':' || c == '：')?;
    let (name, after) = (&text[..colon.0], &text[colon.0 + colon.1.len_utf8()..]);
    let name = name.trim();
    let chars = name.chars().count();
    if !(1..=24).contains(&chars)
        || !name.chars().next()?.is_alphabetic()
        || name.split_whitespace().count() > 4
        || name
            .chars()
            .any(|c| "，。,.!?！？;；「」『』\"“”、…".contains(c))
        || after.starts_with('/')
        || (colon.1 == ':' && after.starts_with(|c: char| c.is_ascii_digit()))
    {
        return None;
    }
    let rest = after.trim();
    if rest.is_empty() {
        return None;
    }
    Some((speaker_name(name)?, rest.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(speaker: Option<&str>, text: &str) -> Run {
        Run {
            speaker: speaker.map(str::to_owned),
            text: text.to_owned(),
        }
    }

    #[test]
    fn voice_spans_split_the_text_by_speaker() {
        assert_eq!(
            runs("<v 哈利>哈囉大家好，</v>\n<v.loud 小明>歡迎收聽<c.yellow>科技浪</c>"),
            [
                run(Some("哈利"), "哈囉大家好，"),
                run(Some("小明"), "歡迎收聽科技浪")
            ]
        );
        assert_eq!(
            runs("<v  Mei  Ling >a\nb</v>"),
            [run(Some("Mei Ling"), "a b")]
        );
        assert_eq!(runs("<v 哈利></v>"), []);
        assert_eq!(
            runs("<ruby>漢<rt>かん</rt></ruby>字 &amp; a < b"),
            [run(None, "漢字 & a < b")]
        );
    }

    #[test]
    fn prefixes_name_speakers_where_they_recur() {
        let mut segments = vec![
            Segment::new(0, 1, "哈利：今天來聊 AI"),
            Segment::new(1, 2, "對，很多新聞"),
            Segment::new(2, 3, "Sam: thanks"),
            Segment::new(3, 4, "哈利: 第一名是 ChatGPT"),
            Segment::new(4, 5, "Sam: 10:30 is late"),
            Segment::new(5, 6, "see https://example.org"),
        ];
        speakers_from_prefixes(&mut segments);
        let got: Vec<(Option<&str>, &str)> = segments
            .iter()
            .map(|s| (s.speaker.as_deref(), s.text.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (Some("哈利"), "今天來聊 AI"),
                (Some("哈利"), "對，很多新聞"),
                (Some("Sam"), "thanks"),
                (Some("哈利"), "第一名是 ChatGPT"),
                (Some("Sam"), "10:30 is late"),
                (Some("Sam"), "see https://example.org"),
            ]
        );
        let mut once = vec![Segment::new(0, 1, "他說：不會吧"), Segment::new(1, 2, "好")];
        speakers_from_prefixes(&mut once);
        assert!(once.iter().all(|s| s.speaker.is_none()));
        assert_eq!(once[0].text, "他說：不會吧");
    }
}
