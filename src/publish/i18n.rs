//! The words of what errata publishes (the site, the corrections log, the
//! verdict names in ClaimReview), in the show's language: `errata.toml`'s
//! `language` picks a catalogue under `publish/lang/` (Fluent files a
//! translator edits without touching code); English is the fallback for a
//! language errata has no catalogue for, and for any message a catalogue lacks.
//! Messages are plain text: callers escape what they put around them and the
//! arguments they pass, for HTML or Markdown as the output needs.

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

use crate::model::{Date, Verdict};

/// The catalogues errata ships: (language tag, Fluent source).
const CATALOGUES: &[(&str, &str)] = &[
    ("en", include_str!("lang/en.ftl")),
    ("zh-TW", include_str!("lang/zh-TW.ftl")),
];

/// The words of one language, with English behind them.
pub struct Lang {
    tag: &'static str,
    bundle: FluentBundle<FluentResource>,
    english: Option<FluentBundle<FluentResource>>,
}

fn bundle(tag: &str, source: &str) -> FluentBundle<FluentResource> {
    let id: LanguageIdentifier = tag.parse().unwrap_or_default();
    let mut bundle = FluentBundle::new(vec![id]);
    // No bidi isolation marks: the texts around the arguments are ours, and
    // the marks would show up in Markdown and in plain-text tests.
    bundle.set_use_isolating(false);
    // Both catalogues are errata's own and are checked by a test, so a
    // resource that does not parse is a bug caught there; what parses is kept.
    let resource = match FluentResource::try_new(source.to_owned()) {
        Ok(r) => r,
        Err((r, _)) => r,
    };
    let _ = bundle.add_resource(resource);
    bundle
}

/// Which shipped catalogue serves a BCP 47 tag: `zh-TW`, `zh-Hant` and
/// `zh-Hant-TW` read Traditional Chinese; anything else English.
fn catalogue_for(tag: Option<&str>) -> usize {
    let Some(tag) = tag else { return 0 };
    let lower = tag.trim().to_ascii_lowercase().replace('_', "-");
    let parts: Vec<&str> = lower.split('-').collect();
    if parts.first() == Some(&"zh")
        && (parts.contains(&"tw") || parts.contains(&"hant") || parts.contains(&"hk"))
    {
        return 1;
    }
    0
}

impl Lang {
    /// The catalogue for `errata.toml`'s `language` (English when it is
    /// missing or has no catalogue).
    pub fn for_tag(tag: Option<&str>) -> Lang {
        let i = catalogue_for(tag);
        let (tag, source) = CATALOGUES[i];
        Lang {
            tag,
            bundle: bundle(tag, source),
            english: (i != 0).then(|| bundle(CATALOGUES[0].0, CATALOGUES[0].1)),
        }
    }

    /// The language tag of the catalogue in use, for `<html lang>`.
    pub fn tag(&self) -> &'static str {
        self.tag
    }

    /// A message with its arguments filled in. A message missing from the
    /// catalogue comes from English; one missing from English too is its id,
    /// so a gap shows rather than vanishes.
    pub fn text(&self, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let mut fluent_args = FluentArgs::new();
        for (k, v) in args {
            fluent_args.set(*k, v.clone());
        }
        for bundle in std::iter::once(&self.bundle).chain(self.english.as_ref()) {
            if let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) {
                let mut errors = Vec::new();
                return bundle
                    .format_pattern(pattern, Some(&fluent_args), &mut errors)
                    .into_owned();
            }
        }
        id.to_owned()
    }

    /// A message without arguments.
    pub fn t(&self, id: &str) -> String {
        self.text(id, &[])
    }

    /// A message with one string argument.
    pub fn t1(&self, id: &str, key: &str, value: &str) -> String {
        self.text(id, &[(key, FluentValue::from(value))])
    }

    /// A message with a count, for its plural forms.
    pub fn count(&self, id: &str, n: usize) -> String {
        self.text(id, &[("n", FluentValue::from(n))])
    }

    pub fn verdict(&self, v: Verdict) -> String {
        self.t(&format!("verdict-{}", v.as_str()))
    }

    /// A date as the reader reads it: `2024-01-01`, `2024年1月1日`.
    pub fn date(&self, d: Date) -> String {
        let s = d.to_string();
        let mut parts = s.split('-');
        let (Some(y), Some(m), Some(day)) = (parts.next(), parts.next(), parts.next()) else {
            return s;
        };
        let plain = |x: &str| x.trim_start_matches('0').to_owned();
        self.text(
            "date",
            &[
                ("year", FluentValue::from(y)),
                ("month", FluentValue::from(plain(m))),
                ("day", FluentValue::from(plain(day))),
                ("month2", FluentValue::from(m)),
                ("day2", FluentValue::from(day)),
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(source: &str) -> Vec<String> {
        source
            .lines()
            .filter(|l| !l.starts_with([' ', '#', '*', '[']) && l.contains(" = "))
            .filter_map(|l| l.split(" = ").next())
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn every_catalogue_parses_and_has_every_english_message_as_plain_text() {
        let english = keys(CATALOGUES[0].1);
        assert!(english.len() > 50, "{english:?}");
        for (tag, source) in CATALOGUES {
            let resource = FluentResource::try_new((*source).to_owned());
            assert!(resource.is_ok(), "{tag}: {:?}", resource.err().map(|e| e.1));
            let have = keys(source);
            for k in &english {
                assert!(have.contains(k), "{tag} lacks `{k}`");
            }
            let lang = Lang::for_tag(Some(tag));
            for k in &have {
                let text = lang.text(k, &[]);
                // Plain words, so they need no escaping in HTML or Markdown.
                assert!(
                    !text.contains(['<', '>', '&', '*', '_', '[', ']', '`', '\\', '#']),
                    "{tag} {k}: {text}"
                );
            }
        }
    }

    #[test]
    fn languages_fall_back_to_english_and_plurals_and_dates_follow_the_language() {
        let zh = Lang::for_tag(Some("zh-TW"));
        assert_eq!(zh.tag(), "zh-TW");
        assert_eq!(zh.verdict(Verdict::Misleading), "誤導");
        assert_eq!(zh.date("2024-01-01".parse().unwrap()), "2024年1月1日");
        assert_eq!(Lang::for_tag(Some("zh-Hant")).tag(), "zh-TW");
        let en = Lang::for_tag(Some("fr"));
        assert_eq!(en.tag(), "en");
        assert_eq!(en.verdict(Verdict::MostlyAccurate), "Mostly accurate");
        assert_eq!(en.date("2024-01-01".parse().unwrap()), "2024-01-01");
        assert_eq!(en.count("corrections-so-far", 1), "1 correction so far");
        assert_eq!(en.count("corrections-so-far", 3), "3 corrections so far");
        assert_eq!(en.count("corrections-so-far", 0), "No corrections so far");
        assert_eq!(zh.count("history", 3), "修訂紀錄：3 次");
        // A message English has and the catalogue lacks comes from English;
        // one nobody has shows its id.
        assert_eq!(zh.t("no-such-message"), "no-such-message");
    }
}
