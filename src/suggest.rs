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
/// Narrower than this, a whole sentence is too short to say much.
const SHORT_WIDTH: usize = 10;

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

/// A feature of check-worthy speech, with its weight and the reason shown.
struct Feature {
    reason: &'static str,
    weight: i32,
    found: fn(&Text) -> bool,
}

const FEATURES: &[Feature] = &[
    Feature {
        reason: "figure",
        weight: 3,
        found: has_figure,
    },
    Feature {
        reason: "date",
        weight: 2,
        found: has_date,
    },
    Feature {
        reason: "money",
        weight: 3,
        found: has_money,
    },
    Feature {
        reason: "percentage",
        weight: 3,
        found: has_percentage,
    },
    Feature {
        reason: "superlative",
        weight: 2,
        found: has_superlative,
    },
    Feature {
        reason: "comparison",
        weight: 2,
        found: has_comparison,
    },
    Feature {
        reason: "name",
        weight: 2,
        found: has_name,
    },
    Feature {
        reason: "absolute",
        weight: 1,
        found: has_absolute,
    },
    Feature {
        reason: "opinion",
        weight: -2,
        found: has_opinion,
    },
    Feature {
        reason: "short",
        weight: -2,
        found: is_short,
    },
];

/// How check-worthy a piece of speech is, and why: the sum of the weights of the
/// features it has, and their names in the order of the feature table.
pub fn score(text: &str) -> (i32, Vec<&'static str>) {
    let t = Text::new(text);
    let mut score = 0;
    let mut reasons = Vec::new();
    for f in FEATURES {
        if (f.found)(&t) {
            score += f.weight;
            reasons.push(f.reason);
        }
    }
    (score, reasons)
}

/// A piece of text prepared for the feature tests.
struct Text<'a> {
    raw: &'a str,
    chars: Vec<char>,
    /// ASCII lowercased, for English words.
    lower: String,
    numbers: Numbers,
}

impl<'a> Text<'a> {
    fn new(raw: &'a str) -> Self {
        let chars: Vec<char> = raw.chars().collect();
        Text {
            raw,
            numbers: numbers(&chars),
            chars,
            lower: raw.to_ascii_lowercase(),
        }
    }

    /// Whether `word` occurs, not where it begins one of `unless` ("最近" is not a
    /// superlative).
    fn has(&self, word: &str, unless: &[&str]) -> bool {
        self.raw
            .match_indices(word)
            .any(|(i, _)| !unless.iter().any(|u| self.raw[i..].starts_with(u)))
    }

    fn has_any(&self, words: &[&str]) -> bool {
        words.iter().any(|w| self.raw.contains(w))
    }

    /// Whether an English word or phrase occurs on word boundaries, in any case.
    fn has_word(&self, words: &[&str]) -> bool {
        words.iter().any(|w| {
            self.lower.match_indices(w).any(|(i, _)| {
                let before = self.lower[..i].chars().next_back();
                let after = self.lower[i + w.len()..].chars().next();
                !before.is_some_and(|c| c.is_ascii_alphanumeric())
                    && !after.is_some_and(|c| c.is_ascii_alphanumeric())
            })
        })
    }

    /// The ASCII words (letters, digits and `-+.&`), each with whether it is the
    /// first thing in the text.
    fn words(&self) -> Vec<(&'a str, bool)> {
        let is_word = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '+' | '.' | '&');
        let mut out = Vec::new();
        let mut start = None;
        for (i, c) in self.raw.char_indices().chain([(self.raw.len(), ' ')]) {
            match (start, is_word(c)) {
                (None, true) => start = Some(i),
                (Some(s), false) => {
                    let w = self.raw[s..i].trim_matches(['-', '+', '.', '&']);
                    if !w.is_empty() {
                        out.push((w, self.raw[..s].trim().is_empty()));
                    }
                    start = None;
                }
                _ => {}
            }
        }
        out
    }

    /// Whether a character that `before` accepts comes right before one of `units`.
    fn before_unit(&self, before: impl Fn(char) -> bool, units: &[char]) -> bool {
        self.chars
            .windows(2)
            .any(|w| before(w[0]) && units.contains(&w[1]))
    }
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

const CHINESE_NUMERALS: &str = "零一二三四五六七八九十百千兩幾半";

fn is_numeral(c: char) -> bool {
    is_digit(c) || CHINESE_NUMERALS.contains(c)
}

/// What the numbers written in digits are: quantities, or years and days.
#[derive(Default)]
struct Numbers {
    figure: bool,
    date: bool,
}

/// Reads the numbers written in digits (ASCII or full-width; `1,000` and `1.5` are
/// one number), leaving out those that are part of a name (H100, GPT-3, MI300X). A
/// number before 年 is a year when it has four digits and a span of years
/// otherwise; before 月, 號 or 日 it is a date; a lone four-digit number from 1900 to
/// 2099 is a year; any other is a figure.
fn numbers(chars: &[char]) -> Numbers {
    let mut found = Numbers::default();
    let mut i = 0;
    while i < chars.len() {
        if !is_digit(chars[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len()
            && (is_digit(chars[i])
                || (matches!(chars[i], '.' | ',')
                    && chars.get(i + 1).is_some_and(|&c| is_digit(c))
                    && i > start))
        {
            i += 1;
        }
        let before = start.checked_sub(1).map(|p| chars[p]);
        let after = chars.get(i).copied();
        let named = before.is_some_and(|c| c.is_ascii_alphabetic())
            || (before == Some('-') && start >= 2 && chars[start - 2].is_ascii_alphanumeric())
            || after.is_some_and(|c| c.is_ascii_alphabetic());
        if named {
            continue;
        }
        let digits = chars[start..i].iter().filter(|&&c| is_digit(c)).count();
        let value: Option<u32> = if digits == i - start {
            chars[start..i]
                .iter()
                .map(|&c| c.to_digit(10).or_else(|| Some(c as u32 - '０' as u32)))
                .try_fold(0u32, |n, d| Some(n.saturating_mul(10).saturating_add(d?)))
        } else {
            None
        };
        let year = digits == 4 && value.is_some_and(|y| (1900..=2099).contains(&y));
        match after {
            Some('年') if digits == 4 => found.date = true,
            Some('月' | '號' | '日') => found.date = true,
            Some('年') => found.figure = true,
            _ if year => found.date = true,
            _ => found.figure = true,
        }
    }
    found
}

/// A number that is not a year, a date or part of a product's name (H100, GPT-3),
/// or a Chinese numeral with a unit of magnitude (十億, 兩倍).
fn has_figure(t: &Text) -> bool {
    t.numbers.figure
        || t.before_unit(is_numeral, &['兆', '億', '萬', '倍', '%', '％'])
        || t.has_word(&[
            "million", "billion", "trillion", "thousand", "hundred", "dozen",
        ])
}

/// A year (2022年, 1999), a month (11月, 十一月) or a day (30號, 5日).
fn has_date(t: &Text) -> bool {
    t.numbers.date
        || t.has_any(&[
            "一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月",
        ])
        || t.has_word(&[
            "january",
            "february",
            "march",
            "april",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ])
}

fn has_money(t: &Text) -> bool {
    t.has_any(&[
        "美金",
        "美元",
        "台幣",
        "臺幣",
        "新台幣",
        "人民幣",
        "塊錢",
        "萬元",
        "億元",
        "$",
        "＄",
        "€",
        "£",
        "¥",
    ]) || t.before_unit(is_numeral, &['塊', '元'])
        || t.has_word(&["dollar", "dollars", "usd", "euro", "euros", "pounds"])
}

fn has_percentage(t: &Text) -> bool {
    t.has_any(&["%", "％", "百分之", "趴"]) || t.has_word(&["percent", "per cent"])
}

fn has_superlative(t: &Text) -> bool {
    t.has("最", &["最近", "最後"])
        || t.has_any(&["第一", "首次", "首個", "首款", "唯一", "史上", "前所未有"])
        || t.has_word(&[
            "first", "only", "most", "biggest", "largest", "best", "worst", "highest", "lowest",
            "fastest", "never", "record",
        ])
}

fn has_comparison(t: &Text) -> bool {
    t.has("比", &["比如", "比方"])
        || t.has("更", &["更新"])
        || t.has_any(&[
            "超過", "倍", "高於", "低於", "多於", "少於", "勝過", "贏過", "打敗", "領先", "不如",
        ])
        || t.has_word(&[
            "than",
            "twice",
            "double",
            "doubled",
            "tripled",
            "half",
            "more",
            "less",
            "fewer",
            "beat",
            "beats",
            "outperforms",
        ])
}

/// Sweeping words that make a claim checkable but are also everyday emphasis.
fn has_absolute(t: &Text) -> bool {
    t.has_any(&["全部", "所有", "完全", "每一", "沒有人", "從來"])
        || t.has_word(&["all", "every", "always", "nobody", "none"])
}

/// Words written in capitals that name something: NVIDIA, OpenAI, LLaMA, GPT-3,
/// H100, Meta (not at the start of the piece, where any word is capitalised).
/// Generic abbreviations that the seed uses in every other sentence do not count.
fn has_name(t: &Text) -> bool {
    const GENERIC: &[&str] = &[
        "AI", "GPU", "GPUs", "CPU", "API", "APP", "App", "OK", "PDF", "Podcast", "Code", "Copy",
        "Data", "Center", "The", "This", "That", "And", "But", "So", "We", "You", "It", "In", "On",
        "I", "A", "An",
    ];
    const COMPANIES: &[&str] = &[
        "輝達",
        "英偉達",
        "超微",
        "台積電",
        "微軟",
        "谷歌",
        "蘋果",
        "臉書",
        "亞馬遜",
        "特斯拉",
        "三星",
        "英特爾",
        "聯發科",
        "鴻海",
        "百度",
        "阿里巴巴",
        "騰訊",
        "華為",
        "小米",
        "字節跳動",
        "零一萬物",
        "高通",
        "甲骨文",
        "推特",
    ];
    t.words().iter().any(|&(w, first)| {
        let letters = w.chars().any(|c| c.is_ascii_alphabetic());
        let capitals = w.chars().filter(|c| c.is_ascii_uppercase()).count();
        let digits = w.chars().any(|c| c.is_ascii_digit());
        letters
            && !GENERIC.contains(&w)
            && (capitals >= 2
                || (digits && capitals >= 1)
                || (capitals == 1 && !first && w.starts_with(|c: char| c.is_ascii_uppercase())))
    }) || t.has_any(COMPANIES)
}

fn has_opinion(t: &Text) -> bool {
    t.has_any(&[
        "我覺得",
        "可能",
        "好像",
        "應該",
        "也許",
        "大概",
        "感覺",
        "我猜",
        "我認為",
        "我個人",
    ]) || t.has_word(&[
        "i think", "maybe", "probably", "i guess", "i feel", "perhaps",
    ])
}

fn is_short(t: &Text) -> bool {
    UnicodeWidthStr::width(t.raw) < SHORT_WIDTH
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = include_str!("../claims/top10-ai-2023/transcript.txt");

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
