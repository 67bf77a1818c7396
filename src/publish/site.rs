//! The static website: an index of episodes with their scorecards, a page per
//! episode with its fact-checks (and their ClaimReview markup), and the
//! corrections log.
//!
//! Pages use no JavaScript, link to each other by relative paths (so the site
//! works from `file://` as well as from any web server), and forbid scripts
//! outright with a Content-Security-Policy, as a second wall behind escaping.
//! [`build`] makes the pages as text; [`write()`] (in `publish::folder`) puts
//! them in a folder.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use super::history::{self, Histories};
use super::i18n::Lang;
use super::log::{self, html_paragraphs, html_source};
use super::transcript;
use super::{Publisher, escape_html, external_link, json_for_script, link_at, safe_href};
use crate::model::{Claim, Correction, Date, Episode, EpisodeId, Medium, Status, Verdict};
use crate::report::{Scorecard, scorecards};
use crate::store::{CorrectionsByClaim, Snapshot, claim_path};
use crate::transcript::Transcript;

pub use super::folder::{MARKER, Written, write};

/// The stylesheet, shared by every page.
pub const STYLE: &str = include_str!("style.css");

/// A built site: files by path relative to its folder, and what the editor should know.
#[derive(Debug, Clone)]
pub struct Site {
    pub files: Vec<(String, String)>,
    /// Things left out and why, e.g. ClaimReview without a `url` in errata.toml.
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
pub fn build(
    snap: &Snapshot,
    histories: &Histories,
    transcripts: &BTreeMap<EpisodeId, Transcript>,
    published: Date,
) -> Site {
    let mut warnings = Vec::new();
    let settings = snap.settings.as_ref();
    let lang = Lang::for_tag(
        settings
            .and_then(|s| s.language.as_deref())
            .filter(|l| !l.trim().is_empty()),
    );
    let show = settings
        .and_then(|s| s.name.as_deref())
        .filter(|s| !s.trim().is_empty())
        .map_or_else(|| lang.t("default-show"), str::to_owned);
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
        lang,
        desk,
        publisher: publisher.as_ref(),
        published,
        cards: scorecards(snap)
            .into_iter()
            .map(|c| (c.episode.to_string(), c))
            .collect(),
        named: snap.corrections_by_claim(),
        histories,
    };

    let mut files = vec![
        ("style.css".to_owned(), STYLE.to_owned()),
        ("index.html".to_owned(), ctx.index_page()),
        ("corrections.html".to_owned(), ctx.corrections_page()),
    ];
    for ep in snap.episodes.values() {
        let transcript = transcripts.get(&ep.id);
        files.push((
            format!("{}/index.html", ep.id),
            ctx.episode_page(ep, transcript.is_some()),
        ));
        if let Some(t) = transcript {
            files.push((
                format!("{}/transcript.html", ep.id),
                ctx.transcript_page(ep, t),
            ));
        }
    }
    Site { files, warnings }
}

struct Ctx<'a> {
    snap: &'a Snapshot,
    show: &'a str,
    lang: Lang,
    desk: Option<&'a str>,
    publisher: Option<&'a Publisher>,
    published: Date,
    cards: HashMap<String, Scorecard>,
    named: CorrectionsByClaim<'a>,
    histories: &'a Histories,
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
            lang = escape_html(self.lang.tag()),
            title = escape_html(title),
            style = rel.style(),
        );
        let _ = write!(
            s,
            "<header class=\"site\"><nav><a class=\"home\" href=\"{}\">{}</a> \
             <a href=\"{}\">{}</a></nav></header>\n<main>\n{main}</main>\n",
            rel.index(),
            escape_html(self.show),
            rel.corrections(None),
            self.lang.t("nav-corrections"),
        );
        s.push_str("<footer class=\"site\">\n");
        let _ = writeln!(
            s,
            "<p id=\"about-the-score\"><strong>{}</strong> {}</p>",
            self.lang.t("about-score-title"),
            self.lang.t("about-score"),
        );
        if let Some(d) = self.desk {
            let _ = writeln!(
                s,
                "<p>{}</p>",
                self.lang.t1("fact-checks-by", "desk", &escape_html(d))
            );
        }
        s.push_str("</footer>\n</body>\n</html>\n");
        s
    }

    fn index_page(&self) -> String {
        let mut m = String::new();
        let title = self.lang.t1("index-title", "show", self.show);
        let _ = writeln!(m, "<h1>{}</h1>", escape_html(&title));
        let _ = writeln!(
            m,
            "<p class=\"lede\">{} <a href=\"{}\">{}</a>.</p>",
            self.lang.t("index-lede"),
            ROOT.corrections(None),
            self.lang
                .count("corrections-so-far", self.snap.corrections.len()),
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
            let _ = writeln!(m, "<p class=\"empty\">{}</p>", self.lang.t("no-episodes"));
        }
        m.push_str("<ul class=\"episodes\">\n");
        for ep in episodes {
            let _ = writeln!(
                m,
                "<li class=\"episode-card\"><h2><a href=\"{}\">{}</a></h2>{}{}</li>",
                ROOT.episode(ep.id.as_str(), None),
                escape_html(&ep.title),
                self.episode_meta(ep, false),
                self.scorecard(&ROOT, ep),
            );
        }
        m.push_str("</ul>\n");
        self.page(&ROOT, &title, "", &m)
    }

    fn corrections_page(&self) -> String {
        let entries = log::entries(self.snap, self.histories);
        let links = |ep: &str, claim: Option<&str>| Some(ROOT.episode(ep, claim));
        let mut m = format!("<h1>{}</h1>\n", self.lang.t("corrections-title"));
        let _ = writeln!(
            m,
            "<p class=\"lede\">{}</p>",
            self.lang.t("corrections-lede")
        );
        m.push_str(&log::html(&self.lang, &entries, &links));
        let title = self.lang.t1("corrections-of", "show", self.show);
        self.page(&ROOT, &title, "", &m)
    }

    /// The episode's transcript with each published claim's quote marked.
    fn transcript_page(&self, ep: &Episode, t: &Transcript) -> String {
        let claims: Vec<&Claim> = self
            .snap
            .claims
            .iter()
            .filter(|c| c.episode == ep.id && c.state.verdict().is_some())
            .collect();
        let title = self.lang.t1("transcript-title", "episode", &ep.title);
        let mut m = format!("<h1>{}</h1>\n", escape_html(&title));
        m.push_str(&self.episode_meta(ep, true));
        let _ = writeln!(
            m,
            "<p class=\"lede\">{} <a href=\"index.html\">{}</a></p>",
            self.lang.t("transcript-lede"),
            self.lang.t("transcript-back"),
        );
        let link = |c: &Claim| format!("index.html#{}", c.id);
        m.push_str(&transcript::html(&self.lang, ep, t, &claims, &link));
        self.page(&IN_EPISODE, &format!("{title}: {}", self.show), "", &m)
    }

    fn episode_page(&self, ep: &Episode, has_transcript: bool) -> String {
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
        m.push_str(&self.episode_meta(ep, true));
        if has_transcript {
            let _ = writeln!(
                m,
                "<p class=\"transcript-link\"><a href=\"transcript.html\">{}</a></p>",
                self.lang.t("transcript-link")
            );
        }
        m.push_str(&self.scorecard(&IN_EPISODE, ep));
        let aired: Vec<&Correction> = self
            .snap
            .corrections
            .iter()
            .filter(|c| c.episode == ep.id)
            .collect();
        if !aired.is_empty() {
            let _ = writeln!(
                m,
                "<section class=\"aired\"><h2>{}</h2>\n<ul>",
                self.lang.t("aired-heading")
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
                let at = self.lang.text(
                    "aired-at",
                    &[
                        (
                            "time",
                            format!("<span class=\"time\">{}</span>", c.aired_at).into(),
                        ),
                        ("claims", names.join("; ").into()),
                    ],
                );
                let _ = writeln!(
                    m,
                    "<li>{at} <a href=\"{}\">{}</a></li>",
                    IN_EPISODE.corrections(Some(c.id.as_str())),
                    self.lang.t("in-the-log"),
                );
            }
            m.push_str("</ul></section>\n");
        }
        m.push_str("<section class=\"claims\">\n");
        if reviewed.is_empty() {
            let _ = writeln!(m, "<p class=\"empty\">{}</p>", self.lang.t("none-checked"));
        }
        for c in &reviewed {
            m.push_str(&self.claim_article(ep, c));
        }
        m.push_str("</section>\n");

        let mut head = String::new();
        if let Some(p) = self.publisher {
            let reviews: Vec<serde_json::Value> = reviewed
                .iter()
                .filter_map(|c| {
                    super::claimreview::claim_review(p, &self.lang, c, Some(ep), self.published)
                })
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
            self.lang.verdict(verdict)
        );
        if c.state.status() == Status::Corrected {
            let _ = write!(
                a,
                " <span class=\"corrected\">{}</span>",
                self.lang.t("badge-corrected")
            );
        } else if c.state.is_owed() && !self.named.contains_key(&c.id) {
            let _ = write!(
                a,
                " <span class=\"owed\">{}</span>",
                self.lang.t("badge-owed")
            );
        }
        a.push_str("</p>\n");
        let life = self.histories.get(&claim_path(&c.episode, &c.id));
        if let Some(h) = life {
            a.push_str(&history::html_verdict_changes(&self.lang, h));
        }
        let _ = writeln!(
            a,
            "<h2 class=\"claim-text\">{}</h2>",
            escape_html(c.headline().trim())
        );
        let speaker = c
            .speaker
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(escape_html);
        let time = c.said_at.map(|at| {
            let time = escape_html(&at.to_string());
            safe_href(ep.url.as_deref())
                .and_then(|u| external_link(&link_at(u, Some(at.start())), Some("time"), &time))
                .unwrap_or_else(|| format!("<span class=\"time\">{time}</span>"))
        });
        let said = match (speaker, time) {
            (Some(sp), Some(t)) => Some(
                self.lang
                    .text("said-by-at", &[("speaker", sp.into()), ("time", t.into())]),
            ),
            (Some(sp), None) => Some(self.lang.t1("said-by", "speaker", &sp)),
            (None, Some(t)) => Some(self.lang.t1("said-at", "time", &t)),
            (None, None) => None,
        };
        if let Some(line) = said {
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
            let _ = writeln!(
                a,
                "<h3>{}</h3>\n<ol class=\"sources\">",
                self.lang.t("sources")
            );
            for s in &c.sources {
                let _ = writeln!(a, "{}", html_source(&self.lang, s));
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
                Medium::OnAir => "corrected-on-air",
                Medium::ShowNotes => "corrected-show-notes",
                Medium::Website => "corrected-website",
                Medium::Social => "corrected-social",
            };
            let where_ = self.lang.text(
                how,
                &[
                    ("episode", where_.into()),
                    (
                        "time",
                        format!("<span class=\"time\">{}</span>", corr.aired_at).into(),
                    ),
                ],
            );
            let _ = writeln!(
                a,
                "<aside class=\"correction-note\"><h3>{}</h3><p class=\"where\">{where_} \
                 <a href=\"{}\">{}</a></p>{}</aside>",
                self.lang.t("correction"),
                IN_EPISODE.corrections(Some(corr.id.as_str())),
                self.lang.t("in-the-log"),
                html_paragraphs(&corr.text),
            );
        }
        if let Some(h) = life {
            a.push_str(&history::html_revisions(&self.lang, h));
        }
        let _ = writeln!(
            a,
            "<p class=\"permalink\"><a href=\"#{id}\">{}</a></p>\n</article>",
            self.lang.t("permalink")
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
                let basis = self.lang.text(
                    "score-basis",
                    &[("good", good.into()), ("rated", card.rated.into())],
                );
                let _ = writeln!(
                    s,
                    "<p class=\"score\"><span class=\"value\">{score}</span><span class=\"out-of\">/100</span> \
                     <a class=\"about\" href=\"#about-the-score\">{}</a></p>\n\
                     <p class=\"basis\">{basis}</p>",
                    self.lang.t("accuracy-score"),
                );
            }
            None => {
                let _ = writeln!(
                    s,
                    "<p class=\"score none\"><span class=\"value\">–</span> <a class=\"about\" href=\"#about-the-score\">{}</a></p>",
                    self.lang.t("not-scored")
                );
            }
        }
        let mut facts = Vec::new();
        facts.push(match (card.unchecked, card.claims) {
            (_, 0) => self.lang.t("no-claims-logged"),
            (0, 1) => self.lang.t("one-claim-checked"),
            (0, n) => self.lang.count("all-claims-checked", n),
            (u, n) => self.lang.text(
                "some-unchecked",
                &[("unchecked", u.into()), ("n", n.into())],
            ),
        });
        if card.owed > 0 {
            facts.push(format!(
                "<strong>{}</strong>",
                self.lang.count("corrections-owed", card.owed)
            ));
        }
        if card.corrections > 0 {
            facts.push(format!(
                "<a href=\"{}\">{}</a>",
                rel.corrections(None),
                self.lang.count("corrections-aired", card.corrections)
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
                    self.lang.verdict(*v)
                )
            })
            .collect();
        if !counts.is_empty() {
            let _ = writeln!(s, "<ul class=\"verdicts\">{}</ul>", counts.join(""));
        }
        s.push_str("</div>\n");
        s
    }

    /// Date and where to listen, under an episode's title.
    fn episode_meta(&self, ep: &Episode, listen: bool) -> String {
        let mut parts = Vec::new();
        if let Some(d) = ep.date {
            parts.push(format!(
                "<time datetime=\"{d}\">{}</time>",
                self.lang.date(d)
            ));
        }
        if listen
            && let Some(link) = ep
                .url
                .as_deref()
                .and_then(|u| external_link(u, None, &escape_html(&self.lang.t("listen"))))
        {
            parts.push(link);
        }
        if parts.is_empty() {
            return String::new();
        }
        format!("<p class=\"meta\">{}</p>\n", parts.join(" · "))
    }
}
