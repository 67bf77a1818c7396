//! Publishing: what listeners and search engines see of the fact-checks. The
//! corrections log (Markdown, HTML, JSON), schema.org ClaimReview, and a static
//! website that needs no JavaScript and works from `file://`.
//!
//! Everything here returns text or data built from a [`crate::store::Snapshot`];
//! only [`site::write`] touches the disk, and only inside the folder it is given.
//! Every piece of record text that reaches HTML goes through [`escape_html`],
//! and every piece of JSON placed inside a `<script>` element goes through
//! [`json_for_script`], so a claim that quotes `<script>` shows as text.

pub mod claimreview;
mod folder;
pub mod history;
pub mod i18n;
pub mod log;
pub mod site;
pub mod transcript;

use crate::model::{Date, Settings, Verdict, is_web_url};

/// What stops publishing; each names what to fix.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("errata.toml has no `{key}`; {why}")]
    MissingSetting {
        key: &'static str,
        why: &'static str,
    },
    #[error(
        "`{key}` in errata.toml is `{value}`, which is not a web address (http:// or https://)"
    )]
    BadSetting { key: &'static str, value: String },
    #[error(
        "{0} is not empty and was not made by `errata site`; errata only replaces a site it made itself"
    )]
    NotASite(String),
    #[error("{0} is a file, not a folder")]
    NotAFolder(String),
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

/// What ClaimReview needs from `errata.toml`, checked once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publisher {
    /// Where the site is published, without a trailing `/`.
    pub url: String,
    /// Who publishes the fact-checks.
    pub publisher: String,
    /// The show: the author of a claim whose speaker is not recorded.
    pub show: String,
    pub language: Option<String>,
}

impl Publisher {
    /// The settings ClaimReview needs, or an error naming the first key missing.
    pub fn from_settings(settings: Option<&Settings>) -> Result<Publisher, PublishError> {
        let get = |v: Option<&String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        let url = get(settings.and_then(|s| s.url.as_ref())).ok_or(PublishError::MissingSetting {
            key: "url",
            why: "set url = \"https://...\" to where `errata site` is published: ClaimReview urls point there",
        })?;
        if !is_web_url(&url) {
            return Err(PublishError::BadSetting {
                key: "url",
                value: url,
            });
        }
        let publisher = get(settings.and_then(|s| s.publisher.as_ref())).ok_or(
            PublishError::MissingSetting {
                key: "publisher",
                why: "set publisher = \"...\" to who publishes the fact-checks: ClaimReview names it as the author",
            },
        )?;
        let show = get(settings.and_then(|s| s.name.as_ref())).ok_or(PublishError::MissingSetting {
            key: "name",
            why: "set name = \"...\" to the show's name: ClaimReview names it as the author of claims with no speaker",
        })?;
        Ok(Publisher {
            url: url.trim_end_matches('/').to_owned(),
            publisher,
            show,
            language: get(settings.and_then(|s| s.language.as_ref())),
        })
    }
}

/// The verdict scale of ClaimReview's `ratingValue`, from 1 (worst) to 5 (best).
/// 3 is left free: no verdict is "half true". `unverifiable` is not on the scale
/// and gets no `ratingValue`, only its name.
pub fn rating_value(v: Verdict) -> Option<u8> {
    match v {
        Verdict::Accurate => Some(5),
        Verdict::MostlyAccurate => Some(4),
        Verdict::Misleading => Some(2),
        Verdict::Inaccurate => Some(1),
        Verdict::Unverifiable => None,
    }
}

pub const WORST_RATING: u8 = 1;
pub const BEST_RATING: u8 = 5;

/// Text made safe for HTML element content and for attribute values in double
/// or single quotes.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// JSON made safe inside `<script type="application/ld+json">`: `<`, `>` and `&`
/// become `\u003c`, `\u003e` and `\u0026`, which JSON reads as the same
/// characters, so neither `</script>` nor `<!--` in a record can end or change the
/// block. (These characters only occur inside JSON strings, where the escapes are valid.)
pub fn json_for_script(value: &serde_json::Value) -> String {
    let text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".to_owned());
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Text made safe for Markdown: characters that would start emphasis, code,
/// links or HTML are escaped with a backslash, so a record reads the same
/// wherever the Markdown is pasted. Line starts that Markdown would read as a
/// heading, quote or list are escaped too.
pub fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let trimmed = line.trim_start();
        out.push_str(&line[..line.len() - trimmed.len()]);
        for (j, c) in trimmed.char_indices() {
            let list_number = matches!(c, '.' | ')')
                && j > 0
                && trimmed[..j].bytes().all(|b| b.is_ascii_digit())
                && trimmed[j + 1..]
                    .chars()
                    .next()
                    .is_none_or(char::is_whitespace);
            if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|')
                || (j == 0 && matches!(c, '#' | '+' | '-' | '='))
                || list_number
            {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

/// A web address to link to, or `None` for anything else (`javascript:`, a typo),
/// so a record can never make a link that runs code.
pub fn safe_href(url: Option<&str>) -> Option<&str> {
    url.filter(|u| is_web_url(u))
}

/// A link out of the site, the one way one is made: the address must be a web
/// address ([`safe_href`]; anything else gives `None`, and the caller shows the
/// text alone), it is escaped here, and the link carries
/// `rel="noopener noreferrer"`, so the page it opens can neither reach back into
/// this one nor learn where the reader came from. `text` is HTML, escaped by
/// the caller.
pub fn external_link(url: &str, class: Option<&str>, text: &str) -> Option<String> {
    let url = safe_href(Some(url))?;
    let class = class.map_or_else(String::new, |c| format!(" class=\"{}\"", escape_html(c)));
    Some(format!(
        "<a{class} href=\"{}\" rel=\"noopener noreferrer\">{text}</a>",
        escape_html(url)
    ))
}

/// Where a moment of an episode can be heard: its address with a media fragment
/// (`#t=1088`, seconds), unless the address already has a fragment.
pub fn link_at(episode_url: &str, seconds: Option<u32>) -> String {
    match seconds {
        Some(t) if !episode_url.contains('#') => format!("{episode_url}#t={t}"),
        _ => episode_url.to_owned(),
    }
}

/// The calendar date (UTC) of a Unix time, for `datePublished`; `None` outside the
/// years a date can be written in (0000 to 9999).
pub fn date_of_unix(secs: i64) -> Option<Date> {
    Date::of_unix(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escaping_covers_markup_and_both_quotes() {
        assert_eq!(
            escape_html(r#"<script>alert("x" & 'y')</script>"#),
            "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;"
        );
        assert_eq!(escape_html("他的利潤高達70幾%耶"), "他的利潤高達70幾%耶");
        assert_eq!(escape_html("&amp;"), "&amp;amp;");
    }

    #[test]
    fn json_in_a_script_block_cannot_close_it() {
        let v = serde_json::json!({"claimReviewed": "</script><script>alert(1)</script><!-- & \u{2028}"});
        let s = json_for_script(&v);
        assert!(
            !s.contains('<') && !s.contains('>') && !s.contains('&'),
            "{s}"
        );
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v, "the escaped JSON reads as the same value");
    }

    #[test]
    fn markdown_escaping_keeps_text_literal() {
        assert_eq!(escape_markdown("a*b*_c_"), r"a\*b\*\_c\_");
        assert_eq!(escape_markdown("[x](javascript:y)"), r"\[x\](javascript:y)");
        assert_eq!(escape_markdown("<b>"), r"\<b\>");
        assert_eq!(escape_markdown("# not a heading"), r"\# not a heading");
        assert_eq!(escape_markdown("1. not a list"), r"1\. not a list");
        assert_eq!(escape_markdown("2023. 年"), r"2023\. 年");
        assert_eq!(escape_markdown("v1.5 and 3.5%"), "v1.5 and 3.5%");
        assert_eq!(escape_markdown("- x\n  > y"), "\\- x\n  \\> y");
        assert_eq!(
            escape_markdown("輝達市值達到1兆美金"),
            "輝達市值達到1兆美金"
        );
    }

    #[test]
    fn only_web_addresses_become_links() {
        assert_eq!(safe_href(Some("https://a.org/x")), Some("https://a.org/x"));
        assert_eq!(safe_href(Some("javascript:alert(1)")), None);
        assert_eq!(safe_href(Some("data:text/html,x")), None);
        assert_eq!(safe_href(None), None);
    }

    #[test]
    fn links_into_an_episode_carry_the_time() {
        assert_eq!(
            link_at("https://a.org/ep", Some(1088)),
            "https://a.org/ep#t=1088"
        );
        assert_eq!(
            link_at("https://a.org/ep#x", Some(1088)),
            "https://a.org/ep#x"
        );
        assert_eq!(link_at("https://a.org/ep", None), "https://a.org/ep");
    }

    #[test]
    fn unix_times_become_utc_dates() {
        let d = |s| date_of_unix(s).map(|d| d.to_string());
        assert_eq!(d(0).as_deref(), Some("1970-01-01"));
        assert_eq!(d(1_704_067_199).as_deref(), Some("2023-12-31"));
        assert_eq!(d(1_704_067_200).as_deref(), Some("2024-01-01"));
        assert_eq!(d(1_709_164_800).as_deref(), Some("2024-02-29"));
        assert_eq!(d(-1).as_deref(), Some("1969-12-31"));
        assert_eq!(d(i64::MAX), None);
    }

    #[test]
    fn unix_times_at_the_edges() {
        let d = |s| date_of_unix(s).map(|d| d.to_string());
        // Around the epoch, on both sides of midnight.
        assert_eq!(d(86_399).as_deref(), Some("1970-01-01"));
        assert_eq!(d(86_400).as_deref(), Some("1970-01-02"));
        assert_eq!(d(-86_400).as_deref(), Some("1969-12-31"));
        assert_eq!(d(-86_401).as_deref(), Some("1969-12-30"));
        assert_eq!(d(-31_536_000).as_deref(), Some("1969-01-01"));
        // Leap days far from the epoch, either way.
        assert_eq!(d(951_782_400).as_deref(), Some("2000-02-29"));
        assert_eq!(d(-2_203_891_200).as_deref(), Some("1900-03-01"));
        assert_eq!(d(-2_203_891_201).as_deref(), Some("1900-02-28"));
        // The first and last seconds of the years a date can be written in.
        assert_eq!(d(-62_167_219_200).as_deref(), Some("0000-01-01"));
        assert_eq!(d(-62_167_219_201), None, "year -1");
        assert_eq!(d(253_402_300_799).as_deref(), Some("9999-12-31"));
        assert_eq!(d(253_402_300_800), None, "year 10000");
        // Far out of range: None, never a panic or an overflow.
        for secs in [i64::MIN, i64::MIN + 1, i64::MAX - 1, -(1 << 62), 1 << 62] {
            assert_eq!(d(secs), None, "{secs}");
        }
    }

    #[test]
    fn every_rating_lies_within_the_bounds() {
        for v in Verdict::ALL {
            if let Some(r) = rating_value(*v) {
                assert!((WORST_RATING..=BEST_RATING).contains(&r), "{v}");
            }
        }
        assert_eq!(rating_value(Verdict::Unverifiable), None);
    }

    #[test]
    fn missing_settings_name_the_key() {
        let mut s = Settings {
            name: Some("科技浪".into()),
            publisher: Some("科技浪 fact-check desk".into()),
            language: Some("zh-TW".into()),
            url: None,
        };
        let err = Publisher::from_settings(Some(&s)).unwrap_err().to_string();
        assert!(err.contains("`url`"), "{err}");
        s.url = Some("factcheck.example.org".into());
        let err = Publisher::from_settings(Some(&s)).unwrap_err().to_string();
        assert!(
            err.contains("`url`") && err.contains("not a web address"),
            "{err}"
        );
        s.url = Some("https://factcheck.example.org/".into());
        s.publisher = Some("  ".into());
        let err = Publisher::from_settings(Some(&s)).unwrap_err().to_string();
        assert!(err.contains("`publisher`"), "{err}");
        s.publisher = Some("desk".into());
        let p = Publisher::from_settings(Some(&s)).unwrap();
        assert_eq!(p.url, "https://factcheck.example.org");
        let err = Publisher::from_settings(None).unwrap_err().to_string();
        assert!(err.contains("`url`"), "{err}");
    }
}
