//! Episode transcripts: the timed text that claims' quotes are checked against.
//!
//! errata stores a transcript in its own line format, `(MM:SS~MM:SS) text`, one
//! segment per line, because that diffs well in git and is what the show's
//! speech-recognition tool writes. WebVTT and SRT files are imported into it.
//!
//! This module depends on no other module of the crate, so times are plain `u32`
//! seconds.

use std::collections::HashMap;
use std::fmt;
use std::ops::RangeInclusive;

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
const VTT_TIME: &str = "HH:MM:SS.mmm or MM:SS.mmm";
const SRT_TIME: &str = "HH:MM:SS,mmm";

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

    /// Locates a quote so its time can be shown or checked. Whitespace is ignored
    /// entirely because speech recognition breaks phrases with spaces at random and
    /// a quote may run from one segment into the next; everything else must match
    /// exactly. An empty or whitespace-only quote matches nothing.
    pub fn find(&self, quote: &str) -> Option<RangeInclusive<usize>> {
        search(&self.segments, quote, 1).pop()
    }

    /// Every place a quote occurs (same rules as [`Transcript::find`]), so a quote that
    /// is repeated in the episode is accepted if any occurrence lies in the claimed
    /// time range. Overlapping occurrences count; ranges are in transcript order, each
    /// distinct range once.
    pub fn find_all(&self, quote: &str) -> Vec<RangeInclusive<usize>> {
        search(&self.segments, quote, usize::MAX)
    }

    /// Where a quote that is not in the transcript was probably meant to be, as
    /// `(MM:SS~MM:SS) excerpt`, for the hint beside the error.
    pub fn closest_hint(&self, quote: &str) -> Option<String> {
        let i = self.closest(quote)?;
        let s = &self.segments[i];
        Some(format!(
            "({}~{}) {}",
            format_time(s.start),
            format_time(s.end),
            self.excerpt(i, quote, 40)
        ))
    }

    /// The stretch of about `width` characters of segment `index` that shares the
    /// most character pairs with `quote`, marked with `…` where it was cut: a hint
    /// short enough for one line, at the place the editor probably meant.
    pub fn excerpt(&self, index: usize, quote: &str, width: usize) -> String {
        let Some(segment) = self.segments.get(index) else {
            return String::new();
        };
        let chars: Vec<char> = segment.text.chars().collect();
        if chars.len() <= width || width == 0 {
            return segment.text.clone();
        }
        let wanted: std::collections::HashSet<(char, char)> = {
            let q: Vec<char> = quote.chars().filter(|c| !c.is_whitespace()).collect();
            q.windows(2).map(|w| (w[0], w[1])).collect()
        };
        let hit = |i: usize| usize::from(wanted.contains(&(chars[i], chars[i + 1])));
        let mut score: usize = (0..width - 1).map(hit).sum();
        let (mut best, mut best_at) = (score, 0);
        for start in 1..=chars.len() - width {
            score = score + hit(start + width - 2) - hit(start - 1);
            if score > best {
                (best, best_at) = (score, start);
            }
        }
        let mut out = String::new();
        if best_at > 0 {
            out.push('…');
        }
        out.extend(&chars[best_at..best_at + width]);
        if best_at + width < chars.len() {
            out.push('…');
        }
        out
    }

    /// Points the editor at where a mistyped quote probably is. Scores each segment
    /// by the distinct character bigrams it shares with the quote, because Chinese has
    /// no word breaks to compare; whitespace and punctuation are left out and ASCII
    /// case is folded, since those are what a quote typed from listening gets wrong.
    /// Ties go to the earlier segment. A one-character quote is matched by that
    /// character.
    pub fn closest(&self, quote: &str) -> Option<usize> {
        let q: Vec<char> = hint_chars(quote).collect();
        if q.is_empty() {
            return None;
        }
        let mut ids: HashMap<(char, char), usize> = HashMap::new();
        if q.len() == 1 {
            ids.insert((q[0], q[0]), 0);
        } else {
            for pair in q.windows(2) {
                let next = ids.len();
                ids.entry((pair[0], pair[1])).or_insert(next);
            }
        }
        // A bitmap of the quote's bigrams spares nearly every transcript character a
        // hash lookup.
        let mut filter = vec![0u64; FILTER_BITS / 64];
        for &(a, b) in ids.keys() {
            let (word, bit) = bigram_slot(a, b);
            filter[word] |= bit;
        }
        let single = q.len() == 1;
        let mut seen = vec![usize::MAX; ids.len()];
        let mut best: Option<(usize, usize)> = None;
        for (index, segment) in self.segments.iter().enumerate() {
            let mut score = 0;
            let mut previous: Option<char> = None;
            for c in hint_chars(&segment.text) {
                let key = if single {
                    Some((c, c))
                } else {
                    previous.map(|p| (p, c))
                };
                previous = Some(c);
                if let Some((a, b)) = key
                    && in_filter(&filter, a, b)
                    && let Some(&id) = ids.get(&(a, b))
                    && seen[id] != index
                {
                    seen[id] = index;
                    score += 1;
                }
            }
            if score > 0 && best.is_none_or(|(_, top)| score > top) {
                best = Some((index, score));
            }
        }
        best.map(|(index, _)| index)
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
    line.strip_prefix("WEBVTT")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
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

const FILTER_BITS: usize = 1 << 16;

/// Where a bigram sits in `closest`'s bitmap: the word, and the bit within it.
fn bigram_slot(a: char, b: char) -> (usize, u64) {
    let mixed = (a as u32).wrapping_mul(0x9E37_79B1) ^ (b as u32).wrapping_mul(0x85EB_CA77);
    let slot = (mixed >> 16) as usize % FILTER_BITS;
    (slot / 64, 1 << (slot % 64))
}

fn in_filter(filter: &[u64], a: char, b: char) -> bool {
    let (word, bit) = bigram_slot(a, b);
    filter[word] & bit != 0
}

/// Up to `limit` distinct occurrences of `quote`, whitespace ignored.
fn search(segments: &[Segment], quote: &str, limit: usize) -> Vec<RangeInclusive<usize>> {
    let needle: Vec<char> = quote.chars().filter(|c| !c.is_whitespace()).collect();
    if needle.is_empty() {
        return Vec::new();
    }
    anchored(segments, &needle, limit)
        .unwrap_or_else(|| Haystack::new(segments).search(&needle, limit))
}

fn push_distinct(found: &mut Vec<RangeInclusive<usize>>, range: RangeInclusive<usize>) {
    if found.last() != Some(&range) {
        found.push(range);
    }
}

/// Searches the segments in place: jumps to each occurrence of the quote's first
/// character (a memchr-speed scan) and compares from there. Copying the transcript
/// without its whitespace costs ten times more than this for a typical quote, and a
/// validate run checks many. Gives up (`None`) once the comparisons cost about as
/// much as that copy, which only a very repetitive text can cause, so the worst case
/// stays linear.
fn anchored(
    segments: &[Segment],
    needle: &[char],
    limit: usize,
) -> Option<Vec<RangeInclusive<usize>>> {
    let budget = segments.iter().map(|s| s.text.len()).sum::<usize>() + 1024;
    let mut steps = 0;
    let mut found = Vec::new();
    for (index, segment) in segments.iter().enumerate() {
        for (at, _) in segment.text.match_indices(needle[0]) {
            if let Some(last) = match_at(segments, index, at, needle, &mut steps) {
                push_distinct(&mut found, index..=last);
                if found.len() >= limit {
                    return Some(found);
                }
            }
            if steps > budget {
                return None;
            }
        }
    }
    Some(found)
}

/// Whether `needle` occurs, whitespace skipped, from byte `at` of segment `index`;
/// if so, the segment where it ends. Counts the characters looked at in `steps`.
fn match_at(
    segments: &[Segment],
    index: usize,
    at: usize,
    needle: &[char],
    steps: &mut usize,
) -> Option<usize> {
    let mut matched = 0;
    for (i, segment) in segments.iter().enumerate().skip(index) {
        let text = if i == index {
            segment.text.get(at..)?
        } else {
            segment.text.as_str()
        };
        for c in text.chars() {
            *steps += 1;
            if c.is_whitespace() {
                continue;
            }
            if needle.get(matched) != Some(&c) {
                return None;
            }
            matched += 1;
            if matched == needle.len() {
                return Some(i);
            }
        }
    }
    None
}

/// The characters [`Transcript::closest`] compares: letters and digits only, ASCII
/// lower-cased.
fn hint_chars(text: &str) -> impl Iterator<Item = char> {
    // The common CJK block is tested first: `is_alphanumeric` is a table search.
    text.chars()
        .filter(|&c| {
            c.is_ascii_alphanumeric()
                || ('\u{4e00}'..='\u{9fff}').contains(&c)
                || (!c.is_ascii() && c.is_alphanumeric())
        })
        .map(|c| c.to_ascii_lowercase())
}

/// The whole transcript without whitespace, and where each segment begins in it: a
/// search that stays linear however repetitive the text.
struct Haystack {
    text: String,
    starts: Vec<usize>,
}

impl Haystack {
    fn new(segments: &[Segment]) -> Self {
        let capacity = segments.iter().map(|s| s.text.len()).sum();
        let mut text = String::with_capacity(capacity);
        let mut starts = Vec::with_capacity(segments.len());
        for segment in segments {
            starts.push(text.len());
            for piece in segment.text.split_whitespace() {
                text.push_str(piece);
            }
        }
        Haystack { text, starts }
    }

    /// The segment holding byte `at` of `text`. Segments with no text share their
    /// start with the next one, and the last of equal starts is the one that holds it.
    fn segment_at(&self, at: usize) -> usize {
        self.starts.partition_point(|&s| s <= at).saturating_sub(1)
    }

    /// The segments covered by `len` (> 0) bytes of `text` from `at`.
    fn range(&self, at: usize, len: usize) -> RangeInclusive<usize> {
        self.segment_at(at)..=self.segment_at(at + len.max(1) - 1)
    }

    fn search(&self, needle: &[char], limit: usize) -> Vec<RangeInclusive<usize>> {
        let needle: String = needle.iter().collect();
        let step = needle.chars().next().map_or(1, char::len_utf8);
        let mut found = Vec::new();
        let mut from = 0;
        while found.len() < limit
            && let Some(i) = self.text.get(from..).and_then(|rest| rest.find(&needle))
        {
            let at = from + i;
            push_distinct(&mut found, self.range(at, needle.len()));
            from = at + step;
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seed transcript, as the shipped episode stores it (byte for byte the seed).
    const SEED: &str = include_str!("../claims/top10-ai-2023/transcript.txt");

    fn seed() -> Transcript {
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
    fn finds_a_quote_in_its_segment() {
        let seed = seed();
        let found = seed.find("他的利潤高達70幾%耶").unwrap();
        assert_eq!(found, 18..=18);
        let segment = &seed.segments[*found.start()];
        assert_eq!(
            (format_time(segment.start), format_time(segment.end)),
            ("18:08".to_owned(), "19:08".to_owned())
        );
    }

    #[test]
    fn finds_a_quote_across_a_segment_boundary() {
        let seed = seed();
        // Line 18 ends "...revenue為什麼好", line 19 begins "因為他的AI GPU賣得好啊".
        let quote = "那Data Center revenue為什麼好 因為他的AI GPU賣得好啊";
        assert_eq!(seed.find(quote), Some(17..=18));
        assert_eq!(seed.find_all(quote), vec![17..=18]);
    }

    #[test]
    fn whitespace_differences_are_ignored() {
        let seed = seed();
        // The seed has "對吧他的A100跟A700 賣得真的是太好了".
        assert_eq!(
            seed.find("對吧他的A100跟A700賣得真的是太好了"),
            Some(18..=18)
        );
        assert_eq!(
            seed.find("  他的 利潤\t高達\n70幾%耶 "),
            Some(18..=18),
            "extra whitespace inside and around the quote"
        );
        assert_eq!(seed.find("gross   profit margin"), Some(18..=18));
        assert_eq!(seed.find("grossprofitmargin"), Some(18..=18));
    }

    #[test]
    fn empty_quotes_match_nothing() {
        let seed = seed();
        for quote in ["", " ", "\n\t\u{3000}"] {
            assert_eq!(seed.find(quote), None);
            assert!(seed.find_all(quote).is_empty());
            assert_eq!(seed.closest(quote), None);
        }
        assert_eq!(Transcript::default().find("你好"), None);
        assert_eq!(Transcript::default().closest("你好"), None);
    }

    #[test]
    fn a_missing_quote_points_at_the_closest_segment() {
        let seed = seed();
        let misquote = "他的利潤高達80幾%喔";
        assert_eq!(seed.find(misquote), None);
        assert!(seed.find_all(misquote).is_empty());
        assert_eq!(seed.closest(misquote), Some(18));
        // Punctuation and ASCII case do not get in the way of the hint.
        assert_eq!(seed.closest("nvidia的GROSS PROFIT，margin"), Some(18));
        assert_eq!(seed.closest("ChatGPT剛出來一個禮拜"), Some(46));
        assert_eq!(seed.closest("xyzzy"), None);
    }

    #[test]
    fn find_all_returns_every_occurrence_in_order() {
        let seed = seed();
        assert_eq!(seed.find_all("逆境思維課"), vec![0..=0, 3..=3, 4..=4]);
        assert_eq!(seed.find("逆境思維課"), Some(0..=0));
        // Twice in one segment: reported once.
        assert_eq!(seed.find_all("gross profit margin"), vec![18..=18]);
    }

    #[test]
    fn find_all_sees_overlapping_occurrences() {
        let transcript = Transcript {
            segments: vec![
                Segment {
                    start: 0,
                    end: 1,
                    text: "哈".into(),
                },
                Segment {
                    start: 1,
                    end: 2,
                    text: String::new(),
                },
                Segment {
                    start: 2,
                    end: 3,
                    text: "哈 哈".into(),
                },
            ],
        };
        assert_eq!(transcript.find_all("哈哈"), vec![0..=2, 2..=2]);
        assert_eq!(transcript.find("哈 哈 哈"), Some(0..=2));
        assert_eq!(transcript.find("哈哈哈哈"), None);
    }

    #[test]
    fn the_in_place_search_agrees_with_the_linear_one() {
        let seed = seed();
        let haystack = Haystack::new(&seed.segments);
        let text: Vec<char> = haystack.text.chars().collect();
        for len in [1, 2, 5, 17, 60, 400, 2000] {
            for start in (0..text.len() - len).step_by(89) {
                let needle = &text[start..start + len];
                let in_place = anchored(&seed.segments, needle, usize::MAX).expect("in budget");
                assert!(!in_place.is_empty());
                assert_eq!(in_place, haystack.search(needle, usize::MAX), "{needle:?}");
                assert_eq!(
                    anchored(&seed.segments, needle, 1),
                    Some(vec![in_place[0].clone()])
                );
            }
        }
    }

    #[test]
    fn a_repetitive_transcript_falls_back_to_the_linear_search() {
        let mut transcript = Transcript {
            segments: (0..50)
                .map(|i| Segment {
                    start: i,
                    end: i + 1,
                    text: "哈 ".repeat(300),
                })
                .collect(),
        };
        let quote = format!("{}耶", "哈".repeat(400));
        let needle: Vec<char> = quote.chars().collect();
        assert_eq!(anchored(&transcript.segments, &needle, usize::MAX), None);
        assert_eq!(transcript.find(&quote), None);
        transcript.segments[49].text.push('耶');
        assert_eq!(transcript.find(&quote), Some(48..=49));
        assert_eq!(transcript.find_all(&quote), vec![48..=49]);
        assert_eq!(transcript.find_all("哈哈").len(), 50 + 49);
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
        let seed = seed();
        for quote in ["耶", "%", "開始", "開始\u{feff}", "\u{0}", "(00:00~01:00)"] {
            let _ = seed.find(quote);
            let _ = seed.find_all(quote);
            let _ = seed.closest(quote);
        }
        assert_eq!(seed.closest("耶"), Some(18));
    }

    #[test]
    fn excerpt_is_the_part_most_like_the_quote() {
        let t = Transcript::parse(SEED).unwrap();
        let i = t.closest("他的利潤高達80幾%耶").unwrap();
        let e = t.excerpt(i, "他的利潤高達80幾%耶", 20);
        assert!(e.contains("利潤高達70幾%"), "{e}");
        assert!(e.starts_with('…') && e.ends_with('…'), "{e}");
        assert_eq!(e.chars().count(), 22);
    }
}
