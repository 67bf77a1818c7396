//! Finding quotes in a transcript: [`Transcript::find`], [`Transcript::find_all`],
//! [`Transcript::closest`], [`Transcript::closest_hint`] and
//! [`Transcript::excerpt`], with the in-place and whole-haystack searches and the
//! bigram filter behind them.
//!
//! Uses only the model (and [`format_time`] for hints) from `mod.rs`; it knows
//! nothing of file formats.

use std::collections::HashMap;
use std::ops::RangeInclusive;

use super::{Segment, Transcript, format_time};

impl Transcript {
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
        let mut found = Vec::new();
        if limit == 1 {
            if let Some(at) = self.text.find(&needle) {
                found.push(self.range(at, needle.len()));
            }
            return found;
        }
        // Every occurrence, overlapping ones too, in one pass: `str::find` again
        // from each occurrence would compare the quote anew at each, which a
        // long quote in a repetitive transcript ("哈哈哈…") makes quadratic.
        for at in occurrences(self.text.as_bytes(), needle.as_bytes()) {
            push_distinct(&mut found, self.range(at, needle.len()));
            if found.len() >= limit {
                break;
            }
        }
        found
    }
}

/// The start of every occurrence of `needle` (not empty) in `hay`, overlapping
/// ones included, by Knuth–Morris–Pratt: linear in both. On UTF-8 text every
/// match of a whole UTF-8 needle starts at a character boundary.
fn occurrences<'a>(hay: &'a [u8], needle: &'a [u8]) -> impl Iterator<Item = usize> + 'a {
    // fail[i]: the length of the longest proper border of needle[..=i].
    let mut fail = vec![0usize; needle.len()];
    let mut k = 0;
    for i in 1..needle.len() {
        while k > 0 && needle[i] != needle[k] {
            k = fail[k - 1];
        }
        if needle[i] == needle[k] {
            k += 1;
        }
        fail[i] = k;
    }
    let mut matched = 0;
    hay.iter().enumerate().filter_map(move |(i, &b)| {
        while matched > 0 && b != needle[matched] {
            matched = fail[matched - 1];
        }
        if b == needle[matched] {
            matched += 1;
        }
        if matched == needle.len() {
            matched = fail[matched - 1];
            Some(i + 1 - needle.len())
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::tests::{SEED, seed};

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
                Segment::new(0, 1, "哈"),
                Segment::new(1, 2, ""),
                Segment::new(2, 3, "哈 哈"),
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
                .map(|i| Segment::new(i, i + 1, "哈 ".repeat(300)))
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
    fn odd_quotes_do_not_panic() {
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
