//! Which sentences of a transcript are worth checking: the ones that state
//! figures, dates, money, percentages, superlatives, comparisons, or name products
//! and companies. An editor reads the top of the list instead of the whole
//! transcript, and logs what deserves it with `errata add --quote`.
//!
//! Speech-recognition transcripts (the show's own, and most subtitles) have little
//! punctuation: the seed separates phrases with spaces and the odd `,`. A candidate is
//! therefore a run of phrases of one segment, long enough to stand alone, cut at
//! the sentence's end, and always a verbatim slice of that segment's text, so it can
//! be passed to `errata add --quote` as it is.
//!
//! Scoring is a handful of explained features, not a model: each feature found adds
//! its weight once, and the names of the features found are the reasons shown to the
//! editor. Hedged opinion (`我覺得`, `可能`) and very short pieces score lower.

use std::ops::Range;

use unicode_width::UnicodeWidthStr;

use crate::transcript::Transcript;

mod features;

pub use features::score;

/// A piece of the transcript worth checking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion<'a> {
    /// The segment it is in: its place in the transcript and its times in seconds.
    pub segment: usize,
    pub start: u32,
    pub end: u32,
    /// Verbatim from the segment's text.
    pub text: &'a str,
    pub score: i32,
    /// The features found, strongest first; penalties last.
    pub reasons: Vec<&'static str>,
    /// A claim of the episode already quotes it.
    pub logged: bool,
}

/// A candidate is closed once it is at least this many columns wide (a Han
/// character takes two), so a lone "兩倍但是" joins its neighbours.
const MIN_WIDTH: usize = 16;

/// The pieces of `transcript` that state something checkable (score above zero),
/// best first; equal scores in transcript order. A piece that a quote in
/// `logged_quotes` covers, or that covers one (whitespace ignored), is left out, or
/// kept and marked `logged` when `include_logged` is set.
pub fn suggest<'a>(
    transcript: &'a Transcript,
    logged_quotes: &[&str],
    include_logged: bool,
) -> Vec<Suggestion<'a>> {
    let quotes: Vec<String> = logged_quotes
        .iter()
        .map(|q| squash(q))
        .filter(|q| !q.is_empty())
        .collect();
    let mut out = Vec::new();
    for (index, segment) in transcript.segments.iter().enumerate() {
        for range in candidates(&segment.text) {
            let text = &segment.text[range];
            let (score, reasons) = score(text);
            if score <= 0 {
                continue;
            }
            let piece = squash(text);
            let logged = quotes
                .iter()
                .any(|q| piece.contains(q.as_str()) || q.contains(piece.as_str()));
            if logged && !include_logged {
                continue;
            }
            out.push(Suggestion {
                segment: index,
                start: segment.start,
                end: segment.end,
                text,
                score,
                reasons,
                logged,
            });
        }
    }
    // Stable: pieces of one segment keep their order.
    out.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then(a.start.cmp(&b.start))
            .then(a.segment.cmp(&b.segment))
    });
    out
}

/// Text without whitespace, as quotes are matched.
fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The candidate pieces of one segment's text, as byte ranges in order, each
/// starting and ending with a character that is neither whitespace nor a break.
pub fn candidates(text: &str) -> Vec<Range<usize>> {
    let phrases = phrases(text);
    let wide = |r: &Range<usize>| UnicodeWidthStr::width(&text[r.clone()]);
    let mut groups: Vec<Range<usize>> = Vec::new();
    // Whether the last group ended inside a sentence, so a short tail may join it.
    let mut last_open = false;
    let mut current: Option<Range<usize>> = None;
    for (range, hard) in phrases {
        let group = match current.take() {
            Some(c) => c.start..range.end,
            None => range,
        };
        if wide(&group) < MIN_WIDTH && !hard {
            current = Some(group);
            continue;
        }
        match groups.last_mut() {
            Some(last) if last_open && wide(&group) < MIN_WIDTH => last.end = group.end,
            _ => groups.push(group),
        }
        last_open = !hard;
    }
    groups
}

/// Phrases of `text` (trimmed byte ranges) and whether each ends a sentence.
/// Sentences end at `。！？!?；;`, at a `.` before a space, and at the end of the
/// text. Phrases end there and at commas (not a digit group's) and at spaces beside
/// a non-ASCII character: a space between two ASCII words ("Data Center") is a word
/// break, not a pause.
fn phrases(text: &str) -> Vec<(Range<usize>, bool)> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut start = 0;
    let push = |from: usize, to: usize, hard: bool, out: &mut Vec<(Range<usize>, bool)>| {
        let piece = &text[from..to];
        let lead = piece.len() - piece.trim_start().len();
        let trimmed = piece.trim();
        if !trimmed.is_empty() {
            out.push((from + lead..from + lead + trimmed.len(), hard));
        }
    };
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        let prev = i.checked_sub(1).map(|p| chars[p].1);
        let next = chars.get(i + 1).map(|n| n.1);
        let brk = match c {
            '。' | '！' | '？' | '!' | '?' | '；' | ';' => Some(true),
            '.' if next.is_none_or(char::is_whitespace) => Some(true),
            '，' | '…' => Some(false),
            ',' if !(prev.is_some_and(|p| p.is_ascii_digit())
                && next.is_some_and(|n| n.is_ascii_digit())) =>
            {
                Some(false)
            }
            c if c.is_whitespace() => {
                // The whole run of whitespace, and the characters either side of it.
                let mut j = i;
                while j + 1 < chars.len() && chars[j + 1].1.is_whitespace() {
                    j += 1;
                }
                let after = chars.get(j + 1).map(|n| n.1);
                let pause =
                    prev.is_some_and(|p| !p.is_ascii()) || after.is_some_and(|a| !a.is_ascii());
                if pause {
                    push(start, at, false, &mut out);
                    start = chars.get(j + 1).map_or(text.len(), |n| n.0);
                }
                i = j + 1;
                continue;
            }
            _ => None,
        };
        if let Some(hard) = brk {
            push(start, at, hard, &mut out);
            start = at + c.len_utf8();
            if hard && let Some(last) = out.last_mut() {
                last.1 = true;
            }
        }
        i += 1;
    }
    push(start, text.len(), true, &mut out);
    if let Some(last) = out.last_mut() {
        last.1 = true;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = include_str!("../../claims/top10-ai-2023/transcript.txt");

    fn seed() -> Transcript {
        Transcript::parse(SEED).unwrap()
    }

    fn rank_of(list: &[Suggestion<'_>], needle: &str) -> Option<usize> {
        list.iter()
            .position(|s| squash(s.text).contains(&squash(needle)))
    }

    #[test]
    fn every_suggestion_is_a_verbatim_piece_of_its_segment() {
        let t = seed();
        let list = suggest(&t, &[], false);
        assert!(list.len() > 50, "{}", list.len());
        for s in &list {
            let seg = &t.segments[s.segment];
            assert!(seg.text.contains(s.text), "{:?}", s.text);
            assert_eq!((s.start, s.end), (seg.start, seg.end));
            assert_eq!(s.text, s.text.trim());
            assert!(!s.text.is_empty());
            assert!(s.score > 0 && !s.reasons.is_empty() && !s.logged);
            // The quote is found where the suggestion says.
            assert!(t.find_all(s.text).iter().any(|r| r.contains(&s.segment)));
        }
    }

    #[test]
    fn figures_rank_above_filler() {
        let t = seed();
        let list = suggest(&t, &[], false);
        let margin = rank_of(&list, "他的利潤高達70幾%耶").expect("margin suggested");
        let trillion = rank_of(&list, "是NVIDIA達到1兆美金的市值").expect("trillion suggested");
        let m = &list[margin];
        assert!(
            m.reasons.contains(&"figure") && m.reasons.contains(&"percentage"),
            "{m:?}"
        );
        let tr = &list[trillion];
        for r in ["figure", "money", "name"] {
            assert!(tr.reasons.contains(&r), "{tr:?}");
        }
        assert_eq!(tr.start, 17 * 60 + 8);
        assert!(margin < 20 && trillion < 20, "{margin} {trillion}");
        // The sponsor's greeting states nothing to check.
        let greeting = rank_of(&list, "哈囉大家好");
        assert!(greeting.is_none_or(|g| g > margin && g > trillion));
        assert!(score("哈囉大家好,歡迎收聽科技浪").0 <= 0);
        assert!(score("我覺得應該是這樣吧").0 < 0);
    }

    #[test]
    fn the_ranking_is_deterministic_and_ties_go_by_time() {
        let t = seed();
        let a = suggest(&t, &[], false);
        assert_eq!(a, suggest(&t, &[], false));
        for w in a.windows(2) {
            assert!(
                w[0].score > w[1].score || (w[0].score == w[1].score && w[0].start <= w[1].start),
                "{w:?}"
            );
        }
    }

    #[test]
    fn logged_quotes_are_left_out_or_marked() {
        let t = seed();
        let all = suggest(&t, &[], false);
        let trillion = &all[rank_of(&all, "是NVIDIA達到1兆美金的市值").unwrap()];
        // Whitespace does not matter.
        let quote = "是 NVIDIA 達到1兆美金的市值";
        let left = suggest(&t, &[quote], false);
        assert_eq!(left.len(), all.len() - 1);
        assert!(rank_of(&left, "是NVIDIA達到1兆美金的市值").is_none());
        let marked = suggest(&t, &[quote, "  "], true);
        assert_eq!(marked.len(), all.len());
        let m = marked.iter().find(|s| s.logged).unwrap();
        assert_eq!(m.text, trillion.text);
        assert_eq!(marked.iter().filter(|s| s.logged).count(), 1);
    }

    #[test]
    fn pieces_are_runs_of_phrases_cut_at_sentence_ends() {
        let text = "他們的造價是 H100的 兩倍但是";
        let pieces: Vec<&str> = candidates(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(pieces, ["他們的造價是 H100的 兩倍但是"]);
        let text = "好那接下來第九名呢 是NVIDIA達到1兆美金的市值 那這邊呢我在第四集";
        let pieces: Vec<&str> = candidates(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(
            pieces,
            [
                "好那接下來第九名呢",
                "是NVIDIA達到1兆美金的市值",
                "那這邊呢我在第四集"
            ]
        );
        let text = "Revenue grew 1,000 times. ACME said so, in March!  Short? ok";
        let pieces: Vec<&str> = candidates(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(
            pieces,
            [
                "Revenue grew 1,000 times",
                "ACME said so, in March",
                "Short",
                "ok"
            ]
        );
        assert!(candidates("").is_empty());
        assert!(candidates(" , 。 ").is_empty());
        assert_eq!(candidates("Data Center 的revenue好嘛").len(), 1);
    }

    #[test]
    fn features_explain_the_score() {
        let reasons = |s: &str| score(s).1;
        assert!(reasons("2022年11月 30號的Nurbs上面").contains(&"date"));
        assert!(reasons("MI300X就是他們的AI晶片").contains(&"name"));
        assert!(!reasons("這個AI很厲害").contains(&"name"));
        assert!(!reasons("A100跟A700").contains(&"figure"));
        assert!(reasons("公司估值就來到10億").contains(&"figure"));
        // A year is a date, not a figure; a span of years is a figure.
        assert_eq!(reasons("那是在2023年的模型"), ["date"]);
        assert_eq!(reasons("然後還做了 Cuda 2006"), ["date", "name"]);
        assert_eq!(reasons("過去三十年 過去30年發生了什麼"), ["figure"]);
        assert!(reasons("是人類歷史上變動最劇烈的時刻之一").contains(&"superlative"));
        assert!(!reasons("最近我在看").contains(&"superlative"));
        assert!(!reasons("比如說這個").contains(&"comparison"));
        assert!(reasons("revenue doubled last year").contains(&"comparison"));
        assert!(reasons("it cost $5 million in 2023").contains(&"money"));
        assert!(reasons("我覺得可能是這樣").contains(&"opinion"));
    }
}
