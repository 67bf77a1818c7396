//! The pages of `errata serve`, rendered on the server with maud (which
//! escapes every value it is given) and read from the repository afresh on
//! each request: episodes with scorecards, an episode's claims and transcript,
//! a claim with its forms and history, the owed list and the problems
//! `validate` finds. The HTML pieces shared with the static site (the marked
//! transcript, a record's history) come from `publish`, already escaped.

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::live::{Live, View};
use super::{App, Who};
use crate::git::BlobId;
use crate::model::{Claim, Status, Verdict};
use crate::publish::history::{self, RecordHistory};
use crate::publish::i18n::Lang;
use crate::store::{Store, claim_path};

/// A page that could not be made, as the reader sees it.
pub(crate) struct PageError {
    pub status: StatusCode,
    pub message: String,
}

impl PageError {
    pub fn new(status: StatusCode, message: impl std::fmt::Display) -> Self {
        PageError {
            status,
            message: message.to_string(),
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let body = layout(
            "errata",
            html! {
                h1 { "Something went wrong" }
                p.error { (self.message) }
                p { a href="/" { "Back to the episodes" } }
            },
        );
        (self.status, body).into_response()
    }
}

/// Make a page off the async threads (reading the repository is blocking
/// work) from the store and the records as they are now.
pub(crate) async fn with_view<T: Send + 'static>(
    app: &App,
    page: impl FnOnce(&Live, &Store, &View) -> Result<T, PageError> + Send + 'static,
) -> Result<T, PageError> {
    let live = app.live.clone();
    tokio::task::spawn_blocking(move || {
        let store = live
            .store()
            .map_err(|e| PageError::new(StatusCode::INTERNAL_SERVER_ERROR, e))?;
        let view = live.view(&store);
        page(&live, &store, &view)
    })
    .await
    .map_err(|e| PageError::new(StatusCode::INTERNAL_SERVER_ERROR, e))?
}

/// The version of a record's file as a form is rendered from it: the id git
/// gives its bytes, so a change by anyone, through errata or by hand, shows.
pub(crate) fn version_of(bytes: &[u8]) -> String {
    BlobId::of(bytes).map(|b| b.hex()).unwrap_or_default()
}

pub(crate) fn layout(title: &str, main: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                link rel="stylesheet" href="/style.css";
                script src="/app.js" defer {}
            }
            body {
                header.site { nav {
                    a.home href="/" { "Episodes" } " "
                    a href="/owed" { "Owed" } " "
                    a href="/corrections" { "Corrections" } " "
                    a href="/problems" { "Problems" }
                } }
                main { (main) }
            }
        }
    }
}

fn verdict_badge(lang: &Lang, v: Option<Verdict>) -> Markup {
    match v {
        Some(v) => html! { span class={ "verdict verdict-" (v.as_str()) } { (lang.verdict(v)) } },
        None => html! { span.verdict { "–" } },
    }
}

fn claims_table(lang: &Lang, claims: &[&Claim]) -> Markup {
    html! {
        table.claims {
            thead { tr { th { "Claim" } th { "Status" } th { "Verdict" } th { "At" } th { "Assignee" } } }
            tbody {
                @for c in claims {
                    tr {
                        td { a href={ "/claims/" (c.id) } { (c.id) } br; (c.headline()) }
                        td { (c.state.status().as_str()) }
                        td { (verdict_badge(lang, c.state.verdict())) }
                        td { @if let Some(t) = c.said_at { (t.to_string()) } }
                        td { (c.assignee.as_deref().unwrap_or("")) }
                    }
                }
            }
        }
    }
}

pub(crate) async fn index(State(app): State<App>) -> Result<Markup, PageError> {
    with_view(&app, |_, _, view| Ok(index_page(view))).await
}

fn index_page(view: &View) -> Markup {
    let snap = &view.snap;
    let lang = Lang::for_tag(None);
    let cards = crate::report::scorecards(snap);
    let show = snap
        .settings
        .as_ref()
        .and_then(|s| s.name.clone())
        .unwrap_or_else(|| "errata".into());
    layout(
        &show,
        html! {
            h1 { (show) ": the desk" }
            @if cards.is_empty() { p.empty { "No episodes yet: register one with `errata episode add`." } }
            ul.episodes {
                @for card in &cards {
                    li.episode-card {
                        h2 { a href={ "/episodes/" (card.episode) } { (card.title) } }
                        p.meta {
                            @if let Some(d) = card.date { (lang.date(d)) " · " }
                            (card.claims) " claims, " (card.unchecked) " not yet checked"
                            @if let Some(s) = card.score { " · score " (s) "/100" }
                            @if card.owed > 0 { " · " strong { (card.owed) " owed" } }
                        }
                    }
                }
            }
        },
    )
}

pub(crate) async fn episode(
    State(app): State<App>,
    Extension(who): Extension<Who>,
    Path(id): Path<String>,
) -> Result<Markup, PageError> {
    with_view(&app, move |_, store, view| {
        episode_page(store, view, &who, &id)
    })
    .await
}

fn episode_page(store: &Store, view: &View, who: &Who, id: &str) -> Result<Markup, PageError> {
    let ep = crate::ops::resolve_episode(&view.snap, id)
        .map_err(|e| PageError::new(StatusCode::NOT_FOUND, e))?;
    let lang = Lang::for_tag(None);
    let claims = view.claims_of(&ep.id);
    let marked = view.marked(store, &ep.id, |t| {
        let link = |c: &Claim| format!("/claims/{}", c.id);
        crate::publish::transcript::html(&lang, ep, t, &claims, &link)
    });
    Ok(layout(
        &ep.title,
        html! {
            h1 { (ep.title) }
            p.meta { (ep.id) @if let Some(d) = ep.date { " · " (lang.date(d)) } }
            h2 { "Claims" }
            (claims_table(&lang, &claims))
            h2 { "Log a claim" }
            p.lede { "Select words in the transcript below to take them as the quote, or type it." }
            form.action method="post" action={ "/episodes/" (ep.id) "/claims" } {
                input type="hidden" name="csrf" value=(who.csrf);
                label { "Quote, exactly as said (its time is found in the transcript)" textarea name="quote" rows="2" {} }
                label { "The claim, in the desk's words" textarea name="claim" rows="2" {} }
                label { "Speaker" input type="text" name="speaker"; }
                button type="submit" { "Log the claim" }
            }
            @if let Some(m) = marked.as_ref() {
                h2 { "Transcript" }
                (PreEscaped(m))
            }
        },
    ))
}

pub(crate) async fn claim(
    State(app): State<App>,
    Extension(who): Extension<Who>,
    Path(id): Path<String>,
) -> Result<Markup, PageError> {
    with_view(&app, move |live, store, view| {
        let found = view
            .resolve_claim(&id)
            .map_err(|e| PageError::new(StatusCode::NOT_FOUND, e))?;
        let path = claim_path(&found.episode, &found.id);
        // The claim as its file is now, read with the version its forms carry.
        let bytes = std::fs::read(store.root().join(&path))
            .map_err(|e| PageError::new(StatusCode::NOT_FOUND, format!("{path}: {e}")))?;
        let c = crate::store::parse_claim_at(&path, &bytes)
            .map_err(|p| PageError::new(StatusCode::INTERNAL_SERVER_ERROR, p.message))?;
        let life = live.history(store, &path, history_html);
        Ok(claim_page(&who, &c, &version_of(&bytes), &life, None))
    })
    .await
}

/// A record's history as a claim page shows it: its verdict changes,
/// amendments and revisions with their field changes.
pub(crate) fn history_html(life: &RecordHistory) -> String {
    let lang = Lang::for_tag(None);
    let mut out = history::html_verdict_changes(&lang, life);
    out.push_str(&history::html_amendments(&lang, life));
    out.push_str(&history::html_revisions(&lang, life));
    out
}

/// A claim with its forms, each carrying `version`; `notice` above them (a
/// refusal, say).
pub(crate) fn claim_page(
    who: &Who,
    c: &Claim,
    version: &str,
    life: &str,
    notice: Option<Markup>,
) -> Markup {
    let lang = Lang::for_tag(None);
    let hidden = html! {
        input type="hidden" name="csrf" value=(who.csrf);
        input type="hidden" name="version" value=(version);
    };
    let checked = matches!(c.state.status(), Status::Checked | Status::Corrected);
    layout(
        c.id.as_str(),
        html! {
            @if let Some(n) = notice { (n) }
            p.meta { a href={ "/episodes/" (c.episode) } { (c.episode) } " · " (claim_path(&c.episode, &c.id)) }
            h1.claim-text { (c.headline()) }
            p { "Status: " strong { (c.state.status().as_str()) } " " (verdict_badge(&lang, c.state.verdict()))
                @if let Some(a) = &c.assignee { " · checking: " (a) } }
            @if let Some(q) = &c.quote { blockquote.quote { (q) @if let Some(t) = c.said_at { " (" (t.to_string()) ")" } } }
            @if let Some(n) = &c.note { div.note { (PreEscaped(crate::publish::log::html_paragraphs(n))) } }
            @if !c.sources.is_empty() {
                h2 { "Sources" }
                ol.sources { @for s in &c.sources { (PreEscaped(crate::publish::log::html_source(&lang, s))) } }
            }
            @if !checked {
                h2 { "Start checking" }
                form.action method="post" action={ "/claims/" (c.id) "/start" } {
                    (hidden)
                    label { "Assignee" input type="text" name="assignee" value=(c.assignee.as_deref().unwrap_or("")); }
                    button type="submit" { "Start" }
                }
            }
            h2 { "Cite a source" }
            form.action method="post" action={ "/claims/" (c.id) "/source" } {
                (hidden)
                label { "Title" input type="text" name="title"; }
                label { "Address (url)" input type="url" name="url"; }
                label { "Publisher" input type="text" name="publisher"; }
                label { "Published (YYYY-MM-DD)" input type="text" name="published"; }
                label { "Excerpt, exactly as the source says it" textarea name="excerpt" rows="3" {} }
                label { "Read by the desk on (YYYY-MM-DD, not after today)" input type="text" name="accessed"; }
                label { "Archived copy (url), e.g. on the Wayback Machine" input type="url" name="archived"; }
                button type="submit" { "Cite" }
            }
            @if c.state.status() != Status::Corrected {
                h2 { "Give a verdict" }
                form.action method="post" action={ "/claims/" (c.id) "/verdict" } {
                    (hidden)
                    label { "Verdict" select name="verdict" {
                        @for v in Verdict::ALL { option value=(v.as_str()) selected[c.state.verdict() == Some(*v)] { (lang.verdict(*v)) } }
                    } }
                    label { "Note: the reasoning" textarea name="note" rows="5" { (c.note.as_deref().unwrap_or("")) } }
                    label { "Source address behind it (optional)" input type="url" name="source"; }
                    button type="submit" { "Give the verdict" }
                }
            }
            h2 { "History" }
            (PreEscaped(life))
        },
    )
}

pub(crate) async fn corrections(
    State(app): State<App>,
    Extension(who): Extension<Who>,
) -> Result<Markup, PageError> {
    with_view(&app, move |_, _, view| {
        Ok(corrections_page(&view.snap, &who))
    })
    .await
}

fn corrections_page(snap: &crate::store::Snapshot, who: &Who) -> Markup {
    let owed: Vec<&Claim> = snap.owed();
    layout(
        "Corrections",
        html! {
            h1 { "Corrections" }
            @if snap.corrections.is_empty() { p.empty { "No corrections yet." } }
            ul.corrections {
                @for c in &snap.corrections {
                    li {
                        strong { (c.id) } " · " (c.episode) " at " (c.aired_at.to_string()) " · "
                        @for (i, k) in c.claims.iter().enumerate() {
                            @if i > 0 { ", " }
                            a href={ "/claims/" (k) } { (k) }
                        }
                        p { (c.text) }
                    }
                }
            }
            h2 { "Record a correction" }
            p { "The correction and every claim it names (marked corrected) go into one commit." }
            form.action method="post" action="/corrections" {
                input type="hidden" name="csrf" value=(who.csrf);
                label { "Claims it corrects (ids, separated by spaces or commas)"
                    input type="text" name="claims" value=(owed.iter().map(|c| c.id.as_str()).collect::<Vec<_>>().join(" ")); }
                label { "Episode it aired in" select name="episode" {
                    @for ep in snap.episodes.values() { option value=(ep.id) { (ep.title) } }
                } }
                label { "Where in that episode (MM:SS or a range 06:07~09:08)" input type="text" name="at"; }
                label { "What the correction says, as aired or published" textarea name="text" rows="4" {} }
                label { "Where it was published" select name="medium" {
                    option value="on-air" { "on air" } option value="show-notes" { "show notes" }
                    option value="website" { "website" } option value="social" { "social media" }
                } }
                label { "Who flagged the error" input type="text" name="reported_by"; }
                button type="submit" { "Record the correction" }
            }
        },
    )
}

pub(crate) async fn owed(State(app): State<App>) -> Result<Markup, PageError> {
    with_view(&app, |_, _, view| Ok(owed_page(&view.snap))).await
}

fn owed_page(snap: &crate::store::Snapshot) -> Markup {
    let lang = Lang::for_tag(None);
    let owed: Vec<&Claim> = snap.owed();
    layout(
        "Owed",
        html! {
            h1 { "Corrections owed" }
            p.lede { "Checked claims rated misleading or inaccurate that no correction names yet." }
            @if owed.is_empty() { p.empty { "None: every such claim has its correction." } }
            @else { (claims_table(&lang, &owed)) }
        },
    )
}

pub(crate) async fn problems(State(app): State<App>) -> Result<Markup, PageError> {
    let live = app.live.clone();
    let found = tokio::task::spawn_blocking(move || {
        let store = live.store().map_err(|e| e.to_string())?;
        let (problems, _) = crate::validate::validate(&store);
        Ok::<_, String>(crate::diagnostic::locate(store.root(), &problems))
    })
    .await
    .map_err(|e| PageError::new(StatusCode::INTERNAL_SERVER_ERROR, e))?
    .map_err(|e| PageError::new(StatusCode::INTERNAL_SERVER_ERROR, e))?;
    Ok(layout(
        "Problems",
        html! {
            h1 { "Problems" }
            @if found.is_empty() { p.empty { "None: every record keeps every rule." } }
            ul.problems { @for d in &found { li { code { (d.path) ":" (d.line) ":" (d.column) } " " (d.message) } } }
        },
    ))
}
