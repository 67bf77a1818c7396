//! The features that make a piece of speech worth checking (figures, dates,
//! money, percentages, superlatives, comparisons, absolutes, names) and those
//! that make it less so (hedged opinion, very short pieces), each with its
//! weight and the reason shown to the editor; and [`score`], which adds them
//! up. Knows nothing of transcripts: it reads one piece of text.

use unicode_width::UnicodeWidthStr;

/// Narrower than this, a whole sentence is too short to say much.
const SHORT_WIDTH: usize = 10;

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
