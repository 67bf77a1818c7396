//! The public corrections log, newest first: when and where each correction
//! aired, what was said, what is right, and the sources behind it.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::{escape_html, escape_markdown, external_link, safe_href, verdict_words};
use crate::model::{Claim, ClaimId, Correction, Date, Medium, Source, Verdict};
use crate::store::Snapshot;

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
pub fn entries(snap: &Snapshot) -> Vec<Entry<'_>> {
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

fn medium_words(m: Medium) -> &'static str {
    match m {
        Medium::OnAir => "Corrected on air",
        Medium::ShowNotes => "Corrected in the show notes",
        Medium::Website => "Corrected on the website",
        Medium::Social => "Corrected on social media",
    }
}

/// "title (date)", or the id when the episode is not registered.
fn episode_label(id: &str, title: Option<&str>, date: Option<Date>) -> String {
    let mut s = title.unwrap_or(id).to_owned();
    if let Some(d) = date {
        let _ = write!(s, " ({d})");
    }
    s
}

/// A source in one line of plain words: title, publisher, date.
fn source_words(s: &Source) -> (String, Vec<String>) {
    let title = s
        .title
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .or(s.url.as_deref())
        .unwrap_or("(untitled source)")
        .to_owned();
    let mut by = Vec::new();
    if let Some(p) = s.publisher.as_deref().filter(|p| !p.trim().is_empty()) {
        by.push(p.to_owned());
    }
    if let Some(d) = s.published {
        by.push(d.to_string());
    }
    (title, by)
}

/// The log as Markdown for show notes: headings, quotes and lists only, and
/// record text escaped so it reads as written.
pub fn markdown(entries: &[Entry], show: Option<&str>, links: Links) -> String {
    let mut s = String::new();
    match show {
        Some(name) => {
            let _ = writeln!(s, "# Corrections: {}\n", escape_markdown(name));
        }
        None => s.push_str("# Corrections\n\n"),
    }
    if entries.is_empty() {
        s.push_str("No corrections so far.\n");
        return s;
    }
    for e in entries {
        let _ = writeln!(
            s,
            "## {}, at {}\n",
            escape_markdown(&episode_label(e.episode, e.episode_title, e.episode_date)),
            e.aired_at
        );
        let _ = write!(s, "{}.", medium_words(e.medium));
        if let Some(r) = e.reported_by {
            let _ = write!(s, " Reported by {}.", escape_markdown(r));
        }
        s.push_str("\n\n");
        for c in &e.claims {
            let mut said = format!(
                "**What was said** in {}",
                escape_markdown(&episode_label(c.episode, c.episode_title, c.episode_date))
            );
            if let Some(at) = &c.said_at {
                let _ = write!(said, " at {at}");
            }
            if let Some(sp) = c.speaker {
                let _ = write!(said, " by {}", escape_markdown(sp));
            }
            if let Some(v) = c.verdict {
                let _ = write!(said, ", rated *{}*", verdict_words(v).to_lowercase());
            }
            if let Some(url) = links(c.episode, Some(c.id)) {
                let _ = write!(said, " ([fact-check]({url}))");
            }
            let _ = writeln!(s, "{said}:\n");
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
        let _ = writeln!(s, "**What is right:** {}\n", escape_markdown(e.text.trim()));
        let sources: Vec<&Source> = e.claims.iter().flat_map(|c| c.sources).collect();
        if !sources.is_empty() {
            s.push_str("**Sources:**\n\n");
            for src in sources {
                let (title, by) = source_words(src);
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
                let _ = writeln!(s, "- {head}{tail}");
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
pub fn html_source(src: &Source) -> String {
    let (title, by) = source_words(src);
    let title = escape_html(&title);
    let mut s = String::from("<li>");
    match src.url.as_deref().and_then(|u| external_link(u, None, &title)) {
        Some(link) => s.push_str(&link),
        None => s.push_str(&title),
    }
    if !by.is_empty() {
        let by: Vec<String> = by.iter().map(|b| escape_html(b)).collect();
        let _ = write!(s, " <span class=\"by\">{}</span>", by.join(", "));
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
pub fn html(entries: &[Entry], links: Links) -> String {
    let mut s = String::from("<section class=\"corrections-log\">\n");
    if entries.is_empty() {
        s.push_str("<p class=\"empty\">No corrections so far.</p>\n");
    }
    for e in entries {
        let _ = writeln!(
            s,
            "<article class=\"correction\" id=\"{}\">",
            escape_html(e.id)
        );
        let where_ = escape_html(&episode_label(e.episode, e.episode_title, e.episode_date));
        let where_ = match links(e.episode, None) {
            Some(u) => format!("<a href=\"{}\">{where_}</a>", escape_html(&u)),
            None => where_,
        };
        let _ = writeln!(
            s,
            "<h2>{where_}, at <span class=\"time\">{}</span></h2>",
            escape_html(&e.aired_at)
        );
        let _ = write!(s, "<p class=\"medium\">{}.", medium_words(e.medium));
        if let Some(r) = e.reported_by {
            let _ = write!(s, " Reported by {}.", escape_html(r));
        }
        s.push_str("</p>\n");
        for c in &e.claims {
            let verdict = c
                .verdict
                .map(|v| {
                    format!(
                        " <span class=\"verdict verdict-{}\">{}</span>",
                        v.as_str(),
                        verdict_words(v)
                    )
                })
                .unwrap_or_default();
            let mut said = format!(
                "What was said in {}",
                escape_html(&episode_label(c.episode, c.episode_title, c.episode_date))
            );
            if let Some(at) = &c.said_at {
                let _ = write!(said, " at <span class=\"time\">{}</span>", escape_html(at));
            }
            if let Some(sp) = c.speaker {
                let _ = write!(said, " by {}", escape_html(sp));
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
            "<div class=\"right\"><h3>What is right</h3>{}</div>",
            html_paragraphs(e.text)
        );
        let sources: Vec<&Source> = e.claims.iter().flat_map(|c| c.sources).collect();
        if !sources.is_empty() {
            s.push_str("<h3>Sources</h3>\n<ol class=\"sources\">\n");
            for src in sources {
                let _ = writeln!(s, "{}", html_source(src));
            }
            s.push_str("</ol>\n");
        }
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
        let li = html_source(&src);
        assert!(!li.contains("href"), "{li}");
        assert!(li.contains("&lt;b&gt;t&lt;/b&gt;"), "{li}");
        let li = html_source(&Source::from_url("https://a.org/?x=1&y='2'"));
        assert!(
            li.contains("href=\"https://a.org/?x=1&amp;y=&#39;2&#39;\" rel=\"noopener noreferrer\""),
            "{li}"
        );
        // A quote or angle bracket is in no address, only in markup.
        let li = html_source(&Source::from_url("https://a.org/\"onclick=\"x"));
        assert!(!li.contains("href"), "{li}");
    }
}
