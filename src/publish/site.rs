//! The static website: an index of episodes with their scorecards, a page per
//! episode with its fact-checks (and their ClaimReview markup), and the
//! corrections log.
//!
//! Pages use no JavaScript, link to each other by relative paths (so the site
//! works from `file://` as well as from any web server), and forbid scripts
//! outright with a Content-Security-Policy, as a second wall behind escaping.
//! [`build`] makes the pages as text; [`write()`] puts them in a folder.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::{Component, Path};

use super::log::{self, html_paragraphs, html_source};
use super::{
    PublishError, Publisher, escape_html, external_link, json_for_script, link_at, safe_href,
    verdict_words,
};
use crate::model::{Claim, ClaimId, Correction, Date, Episode, Medium, Status, Verdict};
use crate::report::{Scorecard, scorecards};
use crate::store::Snapshot;

/// The stylesheet, shared by every page.
pub const STYLE: &str = include_str!("style.css");

/// The file `errata site` leaves in a folder it made, listing the files it
/// wrote, so a later run replaces exactly those and never touches anything else.
pub const MARKER: &str = ".errata-site";
const MARKER_HEADER: &str =
    "# Made by `errata site`; the files it wrote, so the next run can replace them.";

/// A built site: files by path relative to its folder, and what the editor should know.
#[derive(Debug, Clone)]
pub struct Site {
    pub files: Vec<(String, String)>,
    /// Things left out and why, e.g. ClaimReview without a `url` in errata.toml.
    pub warnings: Vec<String>,
}

/// What [`write()`] did, as `errata site --json` reports it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Written {
    /// The folder written, as given.
    pub out: String,
    pub files: usize,
    /// Files of an earlier run that the new site no longer has.
    pub removed: usize,
    /// The site's warnings (see [`Site::warnings`]).
    pub warnings: Vec<String>,
}

/// Paths to other pages, relative to the page being written.
struct Rel {
    /// `""` at the top of the site, `"../"` in an episode folder.
    up: &'static str,
}

impl Rel {
    fn index(&self) -> String {
        format!("{}index.html", self.up)
    }
    fn corrections(&self, id: Option<&str>) -> String {
        match id {
            Some(id) => format!("{}corrections.html#{id}", self.up),
            None => format!("{}corrections.html", self.up),
        }
    }
    fn episode(&self, ep: &str, claim: Option<&str>) -> String {
        match claim {
            Some(c) => format!("{}{ep}/index.html#{c}", self.up),
            None => format!("{}{ep}/index.html", self.up),
        }
    }
    fn style(&self) -> String {
        format!("{}style.css", self.up)
    }
}

const ROOT: Rel = Rel { up: "" };
const IN_EPISODE: Rel = Rel { up: "../" };

/// Build every page. `published` is the ClaimReviews' `datePublished`.
pub fn build(snap: &Snapshot, published: Date) -> Site {
    let mut warnings = Vec::new();
    let settings = snap.settings.as_ref();
    let show = settings
        .and_then(|s| s.name.as_deref())
        .filter(|s| !s.trim().is_empty())
        .unwrap_or("Fact-checks")
        .to_owned();
    let lang = settings
        .and_then(|s| s.language.as_deref())
        .filter(|l| !l.trim().is_empty())
        .unwrap_or("en")
        .to_owned();
    let publisher = match Publisher::from_settings(settings) {
        Ok(p) => Some(p),
        Err(e) => {
            warnings.push(format!("the pages carry no ClaimReview markup: {e}"));
            None
        }
    };
    let desk = settings
        .and_then(|s| s.publisher.as_deref())
        .filter(|s| !s.trim().is_empty());
    let ctx = Ctx {
        snap,
        show: &show,
        lang: &lang,
        desk,
        publisher: publisher.as_ref(),
        published,
        cards: scorecards(snap)
            .into_iter()
            .map(|c| (c.episode.to_string(), c))
            .collect(),
        named: snap.corrections_by_claim(),
    };

    let mut files = vec![
        ("style.css".to_owned(), STYLE.to_owned()),
        ("index.html".to_owned(), ctx.index_page()),
        ("corrections.html".to_owned(), ctx.corrections_page()),
    ];
    for ep in snap.episodes.values() {
        files.push((format!("{}/index.html", ep.id), ctx.episode_page(ep)));
    }
    Site { files, warnings }
}

struct Ctx<'a> {
    snap: &'a Snapshot,
    show: &'a str,
    lang: &'a str,
    desk: Option<&'a str>,
    publisher: Option<&'a Publisher>,
    published: Date,
    cards: HashMap<String, Scorecard>,
    named: HashMap<&'a ClaimId, Vec<&'a Correction>>,
}

impl Ctx<'_> {
    /// A whole page around `main`.
    fn page(&self, rel: &Rel, title: &str, head: &str, main: &str) -> String {
        let mut s = String::new();
        let _ = write!(
            s,
            "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'\">\n\
             <meta name=\"generator\" content=\"errata\">\n\
             <title>{title}</title>\n<link rel=\"stylesheet\" href=\"{style}\">\n{head}</head>\n<body>\n",
            lang = escape_html(self.lang),
            title = escape_html(title),
            style = rel.style(),
        );
        let _ = write!(
            s,
            "<header class=\"site\"><nav><a class=\"home\" href=\"{}\">{}</a> \
             <a href=\"{}\">Corrections</a></nav></header>\n<main>\n{main}</main>\n",
            rel.index(),
            escape_html(self.show),
            rel.corrections(None),
        );
        s.push_str("<footer class=\"site\">\n");
        s.push_str(
            "<p id=\"about-the-score\"><strong>About the score.</strong> The accuracy score is the share of rated claims \
             (checked or corrected, leaving out those rated unverifiable) that were rated accurate or mostly accurate, \
             out of 100. A claim corrected later still counts against the episode it was said in. \
             Claims not yet checked are not in the score: read it beside their number.</p>\n",
        );
        if let Some(d) = self.desk {
            let _ = writeln!(s, "<p>Fact-checks by {}.</p>", escape_html(d));
        }
        s.push_str("</footer>\n</body>\n</html>\n");
        s
    }

    fn index_page(&self) -> String {
        let mut m = String::new();
        let _ = writeln!(m, "<h1>{}: fact-checks</h1>", escape_html(self.show));
        let n_corr = self.snap.corrections.len();
        let _ = writeln!(
            m,
            "<p class=\"lede\">What the show said, what we checked, and what we corrected. \
             <a href=\"{}\">{}</a>.</p>",
            ROOT.corrections(None),
            match n_corr {
                0 => "No corrections so far".to_owned(),
                1 => "1 correction so far".to_owned(),
                n => format!("{n} corrections so far"),
            }
        );
        let mut episodes: Vec<&Episode> = self.snap.episodes.values().collect();
        // Newest first; undated episodes last.
        episodes.sort_by(|a, b| {
            b.date
                .is_some()
                .cmp(&a.date.is_some())
                .then(b.date.cmp(&a.date))
                .then(a.id.cmp(&b.id))
        });
        if episodes.is_empty() {
            m.push_str("<p class=\"empty\">No episodes yet.</p>\n");
        }
        m.push_str("<ul class=\"episodes\">\n");
        for ep in episodes {
            let _ = writeln!(
                m,
                "<li class=\"episode-card\"><h2><a href=\"{}\">{}</a></h2>{}{}</li>",
                ROOT.episode(ep.id.as_str(), None),
                escape_html(&ep.title),
                episode_meta(ep, false),
                self.scorecard(&ROOT, ep),
            );
        }
        m.push_str("</ul>\n");
        self.page(&ROOT, &format!("{}: fact-checks", self.show), "", &m)
    }

    fn corrections_page(&self) -> String {
        let entries = log::entries(self.snap);
        let links = |ep: &str, claim: Option<&str>| Some(ROOT.episode(ep, claim));
        let mut m = String::from("<h1>Corrections</h1>\n");
        m.push_str(
            "<p class=\"lede\">When the show gets something wrong, we say so. Newest first.</p>\n",
        );
        m.push_str(&log::html(&entries, &links));
        self.page(&ROOT, &format!("Corrections: {}", self.show), "", &m)
    }

    fn episode_page(&self, ep: &Episode) -> String {
        let claims: Vec<&Claim> = self
            .snap
            .claims
            .iter()
            .filter(|c| c.episode == ep.id)
            .collect();
        let reviewed: Vec<&Claim> = claims
            .iter()
            .copied()
            .filter(|c| c.state.verdict().is_some())
            .collect();
        let mut m = String::new();
        let _ = writeln!(m, "<h1>{}</h1>", escape_html(&ep.title));
        m.push_str(&episode_meta(ep, true));
        m.push_str(&self.scorecard(&IN_EPISODE, ep));
        let aired: Vec<&Correction> = self
            .snap
            .corrections
            .iter()
            .filter(|c| c.episode == ep.id)
            .collect();
        if !aired.is_empty() {
            m.push_str(
                "<section class=\"aired\"><h2>Corrections aired in this episode</h2>\n<ul>\n",
            );
            for c in aired {
                let names: Vec<String> = c
                    .claims
                    .iter()
                    .map(|id| {
                        let target = self.snap.claims.iter().find(|k| &k.id == id);
                        match target {
                            Some(k) => format!(
                                "<a href=\"{}\">{}</a>",
                                IN_EPISODE.episode(k.episode.as_str(), Some(k.id.as_str())),
                                escape_html(k.headline())
                            ),
                            None => escape_html(id.as_str()),
                        }
                    })
                    .collect();
                let _ = writeln!(
                    m,
                    "<li>At <span class=\"time\">{}</span>: {} <a href=\"{}\">(in the log)</a></li>",
                    c.aired_at,
                    names.join("; "),
                    IN_EPISODE.corrections(Some(c.id.as_str())),
                );
            }
            m.push_str("</ul></section>\n");
        }
        m.push_str("<section class=\"claims\">\n");
        if reviewed.is_empty() {
            m.push_str("<p class=\"empty\">No claim of this episode has been checked yet.</p>\n");
        }
        for c in &reviewed {
            m.push_str(&self.claim_article(ep, c));
        }
        m.push_str("</section>\n");

        let mut head = String::new();
        if let Some(p) = self.publisher {
            let reviews: Vec<serde_json::Value> = reviewed
                .iter()
                .filter_map(|c| super::claimreview::claim_review(p, c, Some(ep), self.published))
                .collect();
            if !reviews.is_empty() {
                let _ = writeln!(
                    head,
                    "<script type=\"application/ld+json\">\n{}\n</script>",
                    json_for_script(&serde_json::Value::Array(reviews))
                );
            }
        }
        self.page(
            &IN_EPISODE,
            &format!("{}: {}", ep.title, self.show),
            &head,
            &m,
        )
    }

    fn claim_article(&self, ep: &Episode, c: &Claim) -> String {
        let mut a = String::new();
        let id = escape_html(c.id.as_str());
        let verdict = c.state.verdict().unwrap_or(Verdict::Unverifiable);
        let _ = writeln!(a, "<article class=\"claim\" id=\"{id}\">");
        let _ = write!(
            a,
            "<p class=\"verdict-line\"><span class=\"verdict verdict-{}\">{}</span>",
            verdict.as_str(),
            verdict_words(verdict)
        );
        if c.state.status() == Status::Corrected {
            a.push_str(" <span class=\"corrected\">Corrected</span>");
        } else if c.state.is_owed() && !self.named.contains_key(&c.id) {
            a.push_str(" <span class=\"owed\">Correction owed</span>");
        }
        a.push_str("</p>\n");
        let _ = writeln!(
            a,
            "<h2 class=\"claim-text\">{}</h2>",
            escape_html(c.headline().trim())
        );
        let mut said = Vec::new();
        if let Some(sp) = c.speaker.as_deref().filter(|s| !s.trim().is_empty()) {
            said.push(format!("Said by {}", escape_html(sp)));
        }
        if let Some(at) = c.said_at {
            let time = escape_html(&at.to_string());
            let time = safe_href(ep.url.as_deref())
                .and_then(|u| external_link(&link_at(u, Some(at.start())), Some("time"), &time))
                .unwrap_or_else(|| format!("<span class=\"time\">{time}</span>"));
            said.push(format!("at {time} in the episode"));
        }
        if !said.is_empty() {
            let mut line = said.join(" ");
            if let Some(first) = line.get(..1) {
                let upper = first.to_uppercase();
                line.replace_range(..1, &upper);
            }
            let _ = writeln!(a, "<p class=\"said\">{line}</p>");
        }
        // The quote as aired, unless it is already the heading.
        if let (Some(q), Some(_)) = (
            c.quote.as_deref().filter(|q| !q.trim().is_empty()),
            c.claim.as_deref().filter(|s| !s.trim().is_empty()),
        ) {
            let _ = writeln!(
                a,
                "<blockquote class=\"quote\"><p>{}</p></blockquote>",
                escape_html(q.trim())
            );
        }
        if let Some(note) = c.note.as_deref().filter(|n| !n.trim().is_empty()) {
            let _ = writeln!(a, "<div class=\"note\">{}</div>", html_paragraphs(note));
        }
        if !c.sources.is_empty() {
            a.push_str("<h3>Sources</h3>\n<ol class=\"sources\">\n");
            for s in &c.sources {
                let _ = writeln!(a, "{}", html_source(s));
            }
            a.push_str("</ol>\n");
        }
        for corr in self.named.get(&c.id).map(Vec::as_slice).unwrap_or_default() {
            let where_ = match self.snap.episodes.get(&corr.episode) {
                Some(e) => format!(
                    "<a href=\"{}\">{}</a>",
                    IN_EPISODE.episode(e.id.as_str(), None),
                    escape_html(&e.title)
                ),
                None => escape_html(corr.episode.as_str()),
            };
            let how = match corr.medium {
                Medium::OnAir => "on air",
                Medium::ShowNotes => "in the show notes of",
                Medium::Website => "on the website, for",
                Medium::Social => "on social media, for",
            };
            let _ = writeln!(
                a,
                "<aside class=\"correction-note\"><h3>Correction</h3><p class=\"where\">Corrected {how} {in_}{where_} at <span class=\"time\">{}</span> \
                 (<a href=\"{}\">in the log</a>)</p>{}</aside>",
                corr.aired_at,
                IN_EPISODE.corrections(Some(corr.id.as_str())),
                html_paragraphs(&corr.text),
                in_ = if corr.medium == Medium::OnAir {
                    "in "
                } else {
                    ""
                },
            );
        }
        let _ = writeln!(
            a,
            "<p class=\"permalink\"><a href=\"#{id}\">Link to this fact-check</a></p>\n</article>"
        );
        a
    }

    fn scorecard(&self, rel: &Rel, ep: &Episode) -> String {
        let Some(card) = self.cards.get(ep.id.as_str()) else {
            return String::new();
        };
        let mut s = String::from("<div class=\"scorecard\">\n");
        match card.score {
            Some(score) => {
                let count = |v| card.by_verdict.get(&v).copied().unwrap_or(0);
                let good = count(Verdict::Accurate) + count(Verdict::MostlyAccurate);
                let _ = writeln!(
                    s,
                    "<p class=\"score\"><span class=\"value\">{score}</span><span class=\"out-of\">/100</span> \
                     <a class=\"about\" href=\"#about-the-score\">accuracy score</a></p>\n\
                     <p class=\"basis\">{good} of {} rated claim{} accurate or mostly accurate</p>",
                    card.rated,
                    if card.rated == 1 { "" } else { "s" },
                );
            }
            None => s.push_str(
                "<p class=\"score none\"><span class=\"value\">–</span> <a class=\"about\" href=\"#about-the-score\">not scored yet</a></p>\n",
            ),
        }
        let mut facts = Vec::new();
        facts.push(match (card.unchecked, card.claims) {
            (_, 0) => "No claims logged yet".to_owned(),
            (0, 1) => "The 1 logged claim is checked".to_owned(),
            (0, n) => format!("All {n} logged claims checked"),
            (u, n) => format!("{u} of {n} logged claims not yet checked"),
        });
        if card.owed > 0 {
            facts.push(format!(
                "<strong>{} correction{} owed</strong>",
                card.owed,
                if card.owed == 1 { "" } else { "s" }
            ));
        }
        if card.corrections > 0 {
            facts.push(format!(
                "<a href=\"{}\">{} correction{} aired</a>",
                rel.corrections(None),
                card.corrections,
                if card.corrections == 1 { "" } else { "s" }
            ));
        }
        let _ = writeln!(s, "<p class=\"facts\">{}</p>", facts.join(" · "));
        let counts: Vec<String> = card
            .by_verdict
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(v, n)| {
                format!(
                    "<li><span class=\"verdict verdict-{}\">{}</span> {n}</li>",
                    v.as_str(),
                    verdict_words(*v)
                )
            })
            .collect();
        if !counts.is_empty() {
            let _ = writeln!(s, "<ul class=\"verdicts\">{}</ul>", counts.join(""));
        }
        s.push_str("</div>\n");
        s
    }
}

/// Date and where to listen, under an episode's title.
fn episode_meta(ep: &Episode, listen: bool) -> String {
    let mut parts = Vec::new();
    if let Some(d) = ep.date {
        parts.push(format!("<time datetime=\"{d}\">{d}</time>"));
    }
    if listen
        && let Some(link) = ep
            .url
            .as_deref()
            .and_then(|u| external_link(u, None, "Listen to the episode"))
    {
        parts.push(link);
    }
    if parts.is_empty() {
        return String::new();
    }
    format!("<p class=\"meta\">{}</p>\n", parts.join(" · "))
}

/// Whether a path from the marker file is one errata could have written: relative,
/// with no `..`, so cleaning up never reaches outside the site's folder.
fn is_inside(rel: &str) -> bool {
    !rel.is_empty()
        && Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// Replace each folder on the way to `rel` inside `out` that is a symbolic link
/// with a real folder, so a page is never written through a link into whatever
/// it points to. A link in the place of the file itself is replaced by the
/// atomic write's rename.
fn unlink_folders(out: &Path, rel: &str) -> std::io::Result<()> {
    while let Some(link) = crate::store::symbolic_link_in(out, rel).filter(|l| l != rel) {
        let at = out.join(&link);
        std::fs::remove_file(&at)?;
        std::fs::create_dir(&at)?;
    }
    Ok(())
}

/// Write the site into `out`: a new or empty folder, or one an earlier run of
/// `errata site` made (its files are replaced and those no longer part of the
/// site removed). Anything else is refused, so no one's files are overwritten.
pub fn write(site: &Site, out: &Path) -> Result<Written, PublishError> {
    let shown = out.display().to_string();
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| PublishError::Write { path, source }
    };
    let mut previous: Vec<String> = Vec::new();
    if out.exists() {
        if !out.is_dir() {
            return Err(PublishError::NotAFolder(shown));
        }
        let marker = out.join(MARKER);
        if marker.is_file() {
            let text = std::fs::read_to_string(&marker).map_err(io(&marker))?;
            previous = text
                .lines()
                .filter(|l| !l.starts_with('#') && is_inside(l))
                .map(str::to_owned)
                .collect();
        } else if std::fs::read_dir(out).map_err(io(out))?.next().is_some() {
            return Err(PublishError::NotASite(shown));
        }
    }
    std::fs::create_dir_all(out).map_err(io(out))?;
    let new: BTreeSet<&str> = site.files.iter().map(|(p, _)| p.as_str()).collect();
    for (rel, text) in &site.files {
        let path = out.join(rel);
        unlink_folders(out, rel).map_err(io(&path))?;
        crate::store::write::atomic(&path, text.as_bytes()).map_err(io(&path))?;
    }
    let mut removed = 0;
    for rel in previous.iter().filter(|p| !new.contains(p.as_str())) {
        let path = out.join(rel);
        // Through a linked folder the file is not the site's to remove.
        let through_link = crate::store::symbolic_link_in(out, rel).is_some_and(|l| l != *rel);
        if !through_link && std::fs::symlink_metadata(&path).is_ok_and(|m| !m.is_dir()) {
            std::fs::remove_file(&path).map_err(io(&path))?;
            removed += 1;
            // An episode folder left empty goes too; one holding anything else stays.
            if let Some(parent) = path.parent()
                && parent != out
            {
                let _ = std::fs::remove_dir(parent);
            }
        }
    }
    let mut marker = String::from(MARKER_HEADER);
    marker.push('\n');
    for p in &new {
        marker.push_str(p);
        marker.push('\n');
    }
    let marker_path = out.join(MARKER);
    crate::store::write::atomic(&marker_path, marker.as_bytes()).map_err(io(&marker_path))?;
    Ok(Written {
        out: shown,
        files: site.files.len(),
        removed,
        warnings: site.warnings.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_paths_never_leave_the_folder() {
        assert!(is_inside("top10-ai-2023/index.html"));
        assert!(is_inside("index.html"));
        assert!(!is_inside("../etc/passwd"));
        assert!(!is_inside("/etc/passwd"));
        assert!(!is_inside("a/../../b"));
        assert!(!is_inside(""));
    }
}
