//! The public corrections log, newest first: when and where each correction
//! aired, what was said, what is right, the sources behind it, and every
//! amendment made to it since it was first recorded (`publish::history`).

use std::collections::HashMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::history::{self, Histories, RecordHistory};
use super::i18n::Lang;
use super::{escape_html, escape_markdown, external_link, safe_href};
use crate::model::{Claim, ClaimId, Correction, Date, Medium, Source, Verdict};
use crate::store::{Snapshot, correction_path};

/// The history of a record that has none in git yet (not committed).
static NO_HISTORY: RecordHistory = RecordHistory {
    revisions: Vec::new(),
    amendments: Vec::new(),
    verdict_changes: Vec::new(),
};

/// One correction, with what it corrects.
#[derive(Debug, Clone, Serialize)]
pub struct Entry<'a> {
    pub id: &'a str,
    /// The episode in which it aired.
    pub episode: &'a str,
    pub episode_title: Option<&'a str>,
    pub episode_date: Option<Date>,
    pub aired_at: String,
    pub medium: Medium,
    pub reported_by: Option<&'a str>,
    /// What is right, as aired or published.
    pub text: &'a str,
    /// The claims it corrects that exist (`errata validate` names any that do not).
    pub claims: Vec<Corrected<'a>>,
    /// Its revisions and amendments, from git.
    #[serde(flatten)]
    pub history: &'a RecordHistory,
}

/// A claim as the log shows it: what was said, where, and its verdict.
#[derive(Debug, Clone, Serialize)]
pub struct Corrected<'a> {
    pub id: &'a str,
    pub episode: &'a str,
    pub episode_title: Option<&'a str>,
    pub episode_date: Option<Date>,
    pub said_at: Option<String>,
    pub speaker: Option<&'a str>,
    pub quote: Option<&'a str>,
    pub claim: Option<&'a str>,
    pub verdict: Option<Verdict>,
    pub sources: &'a [Source],
}

/// Where a link in the log points, so the same log can link within the site or
/// to the published site.
pub type Links<'l> = &'l dyn Fn(&str, Option<&str>) -> Option<String>;

/// Every correction, newest first: by the date of the episode it aired in
/// (episodes without a date last), then by where in the episode, then by id.
pub fn entries<'a>(snap: &'a Snapshot, histories: &'a Histories) -> Vec<Entry<'a>> {
    let date_of = |c: &Correction| snap.episodes.get(&c.episode).and_then(|e| e.date);
    let mut sorted: Vec<&Correction> = snap.corrections.iter().collect();
    sorted.sort_by(|a, b| {
        let (da, db) = (date_of(a), date_of(b));
        // Dated before undated, then newest first.
        db.is_some()
            .cmp(&da.is_some())
            .then_with(|| (db, b.aired_at).cmp(&(da, a.aired_at)))
            .then_with(|| a.id.cmp(&b.id))
    });
    let by_id: HashMap<&ClaimId, &Claim> = snap.claims.iter().map(|k| (&k.id, k)).collect();
    sorted
        .into_iter()
        .map(|c| {
            let ep = snap.episodes.get(&c.episode);
            let claims = c
                .claims
                .iter()
                .filter_map(|id| by_id.get(id))
                .map(|k| corrected(snap, k))
                .collect();
            Entry {
                id: c.id.as_str(),
                episode: c.episode.as_str(),
                episode_title: ep.map(|e| e.title.as_str()),
                episode_date: ep.and_then(|e| e.date),
                aired_at: c.aired_at.to_string(),
                medium: c.medium,
                reported_by: c.reported_by.as_deref().filter(|r| !r.trim().is_empty()),
                text: c.text.as_str(),
                claims,
                history: histories
                    .get(&correction_path(&c.id))
                    .unwrap_or(&NO_HISTORY),
            }
        })
        .collect()
}

fn corrected<'a>(snap: &'a Snapshot, k: &'a Claim) -> Corrected<'a> {
    let ep = snap.episodes.get(&k.episode);
    let text = |s: &'a Option<String>| s.as_deref().filter(|s| !s.trim().is_empty());
    Corrected {
        id: k.id.as_str(),
        episode: k.episode.as_str(),
        episode_title: ep.map(|e| e.title.as_str()),
        episode_date: ep.and_then(|e| e.date),
        said_at: k.said_at.map(|t| t.to_string()),
        speaker: text(&k.speaker),
        quote: text(&k.quote),
        claim: text(&k.claim),
        verdict: k.state.verdict(),
        sources: &k.sources,
    }
}

/// How a correction was published, as a sentence.
fn medium_words(lang: &Lang, m: Medium) -> String {
    lang.t(match m {
        Medium::OnAir => "medium-on-air",
        Medium::ShowNotes => "medium-show-notes",
        Medium::Website => "medium-website",
        Medium::Social => "medium-social",
    })
}

/// "title (date)", or the id when the episode is not registered.
pub fn episode_label(lang: &Lang, id: &str, title: Option<&str>, date: Option<Date>) -> String {
    let title = title.unwrap_or(id);
    match date {
        Some(d) => lang.text(
            "episode-with-date",
            &[("title", title.into()), ("date", lang.date(d).into())],
        ),
        None => title.to_owned(),
    }
}

/// A source in one line of plain words: title, publisher, date.
fn source_words(lang: &Lang, s: &Source) -> (String, Vec<String>) {
    let title = s
        .title
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .or(s.url.as_deref())
        .map_or_else(|| lang.t("untitled-source"), str::to_owned);
    let mut by = Vec::new();
    if let Some(p) = s.publisher.as_deref().filter(|p| !p.trim().is_empty()) {
        by.push(p.to_owned());
    }
    if let Some(d) = s.published {
        by.push(lang.date(d));
    }
    (title, by)
}

/// The log as Markdown for show notes: headings, quotes and lists only, and
/// record text escaped so it reads as written.
pub fn markdown(lang: &Lang, entries: &[Entry], show: Option<&str>, links: Links) -> String {
    let mut s = String::new();
    match show {
        Some(name) => {
            let _ = writeln!(
                s,
                "# {}\n",
                escape_markdown(&lang.t1("corrections-of", "show", name))
            );
        }
        None => {
            let _ = writeln!(s, "# {}\n", lang.t("corrections-title"));
        }
    }
    if entries.is_empty() {
        let _ = writeln!(s, "{}", lang.t("no-corrections"));
        return s;
    }
    for e in entries {
        let where_ = episode_label(lang, e.episode, e.episode_title, e.episode_date);
        // Catalogue text is plain words (a test holds it to that); only what
        // comes from records is escaped.
        let heading = lang.text(
            "log-heading",
            &[
                ("episode", escape_markdown(&where_).into()),
                ("time", e.aired_at.as_str().into()),
            ],
        );
        let _ = writeln!(s, "## {heading}\n");
        s.push_str(&medium_words(lang, e.medium));
        if let Some(r) = e.reported_by {
            s.push_str(&lang.t1("reported-by", "who", &escape_markdown(r)));
        }
        s.push_str("\n\n");
        for c in &e.claims {
            let place = episode_label(lang, c.episode, c.episode_title, c.episode_date);
            let mut said = format!(
                "**{}**{}",
                lang.t("what-was-said"),
                lang.t1("said-in", "episode", &escape_markdown(&place))
            );
            if let Some(at) = &c.said_at {
                said.push_str(&lang.t1("said-at-time", "time", at));
            }
            if let Some(sp) = c.speaker {
                said.push_str(&lang.t1("said-by-speaker", "speaker", &escape_markdown(sp)));
            }
            if let Some(v) = c.verdict {
                let words = format!("*{}*", lang.verdict(v).to_lowercase());
                said.push_str(&lang.t1("rated", "verdict", &words));
            }
            if let Some(url) = links(c.episode, Some(c.id)) {
                let _ = write!(said, " ([{}]({url}))", lang.t("fact-check"));
            }
            let _ = writeln!(s, "{said}{}\n", lang.t("colon"));
            if let Some(q) = c.quote {
                for line in escape_markdown(q).lines() {
                    let _ = writeln!(s, "> {line}");
                }
                s.push('\n');
            }
            if let Some(cl) = c.claim {
                let _ = writeln!(s, "{}\n", escape_markdown(cl));
            }
        }
        let _ = writeln!(
            s,
            "**{}{}** {}\n",
            lang.t("what-is-right"),
            lang.t("colon"),
            escape_markdown(e.text.trim())
        );
        s.push_str(&history::markdown_amendments(lang, e.history));
        let sources: Vec<&Source> = e.claims.iter().flat_map(|c| c.sources).collect();
        if !sources.is_empty() {
            let _ = writeln!(s, "**{}{}**\n", lang.t("sources"), lang.t("colon"));
            for src in sources {
                let (title, by) = source_words(lang, src);
                let title = escape_markdown(&title);
                let head = match safe_href(src.url.as_deref()) {
                    // A source known only by its address is an autolink.
                    Some(u) if src.title.as_deref().is_none_or(|t| t.trim().is_empty()) => {
                        format!("<{}>", u.replace('<', "%3C").replace('>', "%3E"))
                    }
                    Some(u) => {
                        format!("[{title}](<{}>)", u.replace('<', "%3C").replace('>', "%3E"))
                    }
                    None => title,
                };
                let by: Vec<String> = by.iter().map(|b| escape_markdown(b)).collect();
                let tail = if by.is_empty() {
                    String::new()
                } else {
                    format!(", {}", by.join(", "))
                };
                let archived = safe_href(src.archived.as_deref())
                    .map(|a| {
                        format!(
                            " [{}](<{}>)",
                            lang.t("archived-copy"),
                            a.replace('<', "%3C").replace('>', "%3E")
                        )
                    })
                    .unwrap_or_default();
                let _ = writeln!(s, "- {head}{tail}{archived}");
            }
            s.push('\n');
        }
    }
    s
}

/// Text as HTML paragraphs: a blank line starts a paragraph, a line break stays one.
pub fn html_paragraphs(text: &str) -> String {
    let mut out = String::new();
    let normalised = text.replace("\r\n", "\n");
    for para in normalised.split("\n\n") {
        let para = para.trim();
        if para.is_empty() {
            continue;
        }
        let lines: Vec<String> = para.lines().map(escape_html).collect();
        let _ = write!(out, "<p>{}</p>", lines.join("<br>\n"));
    }
    out
}

/// A source as an HTML list item.
pub fn html_source(lang: &Lang, src: &Source) -> String {
    let (title, by) = source_words(lang, src);
    let title = escape_html(&title);
    let mut s = String::from("<li>");
    match src
        .url
        .as_deref()
        .and_then(|u| external_link(u, None, &title))
    {
        Some(link) => s.push_str(&link),
        None => s.push_str(&title),
    }
    if !by.is_empty() {
        let by: Vec<String> = by.iter().map(|b| escape_html(b)).collect();
        let _ = write!(s, " <span class=\"by\">{}</span>", by.join(", "));
    }
    // The archived copy beside the original, for when the original moves or changes.
    if let Some(link) = src
        .archived
        .as_deref()
        .and_then(|a| external_link(a, Some("archived"), &escape_html(&lang.t("archived-copy"))))
    {
        let _ = write!(s, " {link}");
    }
    if let Some(e) = src.excerpt.as_deref().filter(|e| !e.trim().is_empty()) {
        let _ = write!(
            s,
            "<blockquote class=\"excerpt\">{}</blockquote>",
            escape_html(e.trim())
        );
    }
    s.push_str("</li>");
    s
}

/// The log as an HTML fragment (a `<section>`), for the website or a CMS.
pub fn html(lang: &Lang, entries: &[Entry], links: Links) -> String {
    let mut s = String::from("<section class=\"corrections-log\">\n");
    if entries.is_empty() {
        let _ = writeln!(
            s,
            "<p class=\"empty\">{}</p>",
            escape_html(&lang.t("no-corrections"))
        );
    }
    for e in entries {
        let _ = writeln!(
            s,
            "<article class=\"correction\" id=\"{}\">",
            escape_html(e.id)
        );
        let where_ = escape_html(&episode_label(
            lang,
            e.episode,
            e.episode_title,
            e.episode_date,
        ));
        let where_ = match links(e.episode, None) {
            Some(u) => format!("<a href=\"{}\">{where_}</a>", escape_html(&u)),
            None => where_,
        };
        let time = format!("<span class=\"time\">{}</span>", escape_html(&e.aired_at));
        let heading = lang.text(
            "log-heading",
            &[("episode", where_.into()), ("time", time.into())],
        );
        let _ = writeln!(s, "<h2>{heading}</h2>");
        let _ = write!(
            s,
            "<p class=\"medium\">{}",
            escape_html(&medium_words(lang, e.medium))
        );
        if let Some(r) = e.reported_by {
            s.push_str(&lang.t1("reported-by", "who", &escape_html(r)));
        }
        s.push_str("</p>\n");
        for c in &e.claims {
            let verdict = c
                .verdict
                .map(|v| {
                    format!(
                        " <span class=\"verdict verdict-{}\">{}</span>",
                        v.as_str(),
                        escape_html(&lang.verdict(v))
                    )
                })
                .unwrap_or_default();
            let place = episode_label(lang, c.episode, c.episode_title, c.episode_date);
            // Catalogue text is plain words (a test holds it to that); what
            // comes from records is escaped before it goes in.
            let mut said = lang.t("what-was-said");
            said.push_str(&lang.t1("said-in", "episode", &escape_html(&place)));
            if let Some(at) = &c.said_at {
                let time = format!("<span class=\"time\">{}</span>", escape_html(at));
                said.push_str(&lang.t1("said-at-time", "time", &time));
            }
            if let Some(sp) = c.speaker {
                said.push_str(&lang.t1("said-by-speaker", "speaker", &escape_html(sp)));
            }
            let said = match links(c.episode, Some(c.id)) {
                Some(u) => format!("<a href=\"{}\">{said}</a>", escape_html(&u)),
                None => said,
            };
            let _ = writeln!(s, "<div class=\"what-was-said\"><h3>{said}{verdict}</h3>");
            if let Some(q) = c.quote {
                let _ = writeln!(
                    s,
                    "<blockquote class=\"quote\">{}</blockquote>",
                    escape_html(q)
                );
            }
            if let Some(cl) = c.claim {
                let _ = writeln!(s, "<p class=\"claim-text\">{}</p>", escape_html(cl));
            }
            s.push_str("</div>\n");
        }
        let _ = writeln!(
            s,
            "<div class=\"right\"><h3>{}</h3>{}</div>",
            escape_html(&lang.t("what-is-right")),
            html_paragraphs(e.text)
        );
        s.push_str(&history::html_amendments(lang, e.history));
        let sources: Vec<&Source> = e.claims.iter().flat_map(|c| c.sources).collect();
        if !sources.is_empty() {
            let _ = writeln!(
                s,
                "<h3>{}</h3>\n<ol class=\"sources\">",
                escape_html(&lang.t("sources"))
            );
            for src in sources {
                let _ = writeln!(s, "{}", html_source(lang, src));
            }
            s.push_str("</ol>\n");
        }
        s.push_str(&history::html_revisions(lang, e.history));
        s.push_str("</article>\n");
    }
    s.push_str("</section>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_are_escaped_and_split_on_blank_lines() {
        assert_eq!(
            html_paragraphs("a <b>\nc\n\n\nd & e\r\n"),
            "<p>a &lt;b&gt;<br>\nc</p><p>d &amp; e</p>"
        );
        assert_eq!(html_paragraphs("  \n\n "), "");
    }

    #[test]
    fn sources_link_only_to_web_addresses() {
        let mut src = Source::from_url("javascript:alert(1)");
        src.title = Some("<b>t</b>".into());
        let li = html_source(&Lang::for_tag(None), &src);
        assert!(!li.contains("href"), "{li}");
        assert!(li.contains("&lt;b&gt;t&lt;/b&gt;"), "{li}");
        let li = html_source(
            &Lang::for_tag(None),
            &Source::from_url("https://a.org/?x=1&y='2'"),
        );
        assert!(
            li.contains(
                "href=\"https://a.org/?x=1&amp;y=&#39;2&#39;\" rel=\"noopener noreferrer\""
            ),
            "{li}"
        );
        // A quote or angle bracket is in no address, only in markup.
        let li = html_source(
            &Lang::for_tag(None),
            &Source::from_url("https://a.org/\"onclick=\"x"),
        );
        assert!(!li.contains("href"), "{li}");
    }
}
