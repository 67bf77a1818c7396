//! The forms of `errata serve`: each checks its CSRF token and the version of
//! the record it was rendered from, then runs the one operation the command
//! line runs for it (`ops::start`, `ops::add_source`, `ops::verdict`,
//! `ops::add_claim`) under the same write lock, so it makes the same single
//! commit with the same message and trailers, and two browsers at once lose
//! nothing. A form against a record that changed since its page was loaded is
//! refused (409) with both versions shown; a refusal of the operation (the
//! lifecycle, a rule) is shown with its message (400).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use maud::html;
use serde::Deserialize;

use super::pages::{PageError, claim_page, version_of};
use super::{App, Who};
use crate::git::BlobId;
use crate::model::{Claim, Date, Medium, OneLine, Verdict};
use crate::ops::{self, NewClaim, NewCorrection, NewSource, OpError};
use crate::store::{Snapshot, Store, claim_path};

#[derive(Deserialize)]
pub(crate) struct StartForm {
    csrf: String,
    version: String,
    #[serde(default)]
    assignee: String,
}

#[derive(Deserialize)]
pub(crate) struct SourceForm {
    csrf: String,
    version: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    publisher: String,
    #[serde(default)]
    published: String,
    #[serde(default)]
    excerpt: String,
    #[serde(default)]
    accessed: String,
    #[serde(default)]
    archived: String,
}

#[derive(Deserialize)]
pub(crate) struct VerdictForm {
    csrf: String,
    version: String,
    verdict: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    source: String,
}

#[derive(Deserialize)]
pub(crate) struct CorrectForm {
    csrf: String,
    claims: String,
    episode: String,
    at: String,
    text: String,
    #[serde(default)]
    medium: String,
    #[serde(default)]
    reported_by: String,
}

#[derive(Deserialize)]
pub(crate) struct AddForm {
    csrf: String,
    #[serde(default)]
    quote: String,
    #[serde(default)]
    claim: String,
    #[serde(default)]
    speaker: String,
}

/// Why a form was not applied.
enum Refusal {
    Page(PageError),
    /// The record changed since the form's page was loaded.
    Stale(Box<Stale>),
}

/// A record as it is now, and as the refused form's page showed it.
struct Stale {
    current: Claim,
    version: String,
    theirs: String,
    yours: Option<String>,
    life: std::sync::Arc<String>,
}

impl From<PageError> for Refusal {
    fn from(e: PageError) -> Self {
        Refusal::Page(e)
    }
}

fn bad(e: impl std::fmt::Display) -> Refusal {
    Refusal::Page(PageError::new(StatusCode::BAD_REQUEST, e))
}

fn op_refused(e: OpError) -> Refusal {
    let status = match e {
        OpError::UnknownClaim(_) | OpError::UnknownEpisode(_) => StatusCode::NOT_FOUND,
        OpError::Store(crate::store::StoreError::Busy(_))
        | OpError::Store(crate::store::StoreError::Overtaken { .. }) => StatusCode::CONFLICT,
        _ => StatusCode::BAD_REQUEST,
    };
    Refusal::Page(PageError::new(status, e))
}

fn text(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

fn one_line(what: &str, s: &str) -> Result<Option<OneLine>, Refusal> {
    text(s)
        .map(|t| {
            t.parse::<OneLine>()
                .map_err(|e| bad(format!("{what}: {e}")))
        })
        .transpose()
}

/// A claim page's form, once parsed into the operation it asks for (or why it
/// cannot be): run it by [`on_claim`] and answer with the claim's page, or the
/// refusal.
async fn claim_form<F>(
    app: &App,
    who: &Who,
    id: String,
    csrf: &str,
    seen: String,
    prepared: Result<F, Refusal>,
) -> Response
where
    F: FnOnce(&Store, &Snapshot, &Claim) -> Result<(), Refusal> + Send + 'static,
{
    let result = match prepared {
        Ok(act) => on_claim(app, who, id, csrf, seen, act).await,
        Err(refusal) => Err(refusal),
    };
    respond(who, result)
}

/// Run `act` on the claim `id` as its form saw it: under the write lock, with
/// a fresh snapshot, refused when the file is no longer at `seen`.
async fn on_claim(
    app: &App,
    who: &Who,
    id: String,
    csrf: &str,
    seen: String,
    act: impl FnOnce(&Store, &Snapshot, &Claim) -> Result<(), Refusal> + Send + 'static,
) -> Result<String, Refusal> {
    if csrf != who.csrf {
        return Err(Refusal::Page(PageError::new(StatusCode::FORBIDDEN, FORGED)));
    }
    let live = app.live.clone();
    let author = who.author.clone();
    tokio::task::spawn_blocking(move || {
        let store = open_store(live.root(), author)?;
        let _lock = store.write_lock().map_err(|e| op_refused(e.into()))?;
        // Under the lock, the records as they are now (every change before is seen).
        let view = live.view(&store);
        let snap = &view.snap;
        let claim = ops::resolve_claim(snap, &id).map_err(op_refused)?.clone();
        let path = claim_path(&claim.episode, &claim.id);
        let bytes = std::fs::read(store.root().join(&path)).unwrap_or_default();
        let now = version_of(&bytes);
        if now != seen {
            let yours = BlobId::parse(&seen)
                .and_then(|b| store.repo().blob(b).ok())
                .map(|b| String::from_utf8_lossy(&b).into_owned());
            let current = crate::store::parse_claim_at(&path, &bytes).unwrap_or(claim);
            return Err(Refusal::Stale(Box::new(Stale {
                current,
                version: now,
                theirs: String::from_utf8_lossy(&bytes).into_owned(),
                yours,
                life: live.history(&store, &path, super::pages::history_html),
            })));
        }
        act(&store, snap, &claim)?;
        Ok(claim.id.to_string())
    })
    .await
    .map_err(|e| Refusal::Page(PageError::new(StatusCode::INTERNAL_SERVER_ERROR, e)))?
}

/// The repository, its commits authored by the signed-in editor when there is one.
fn open_store(root: &std::path::Path, author: Option<(String, String)>) -> Result<Store, Refusal> {
    let mut store = Store::discover(root).map_err(bad)?;
    if let Some((name, email)) = author {
        store.author_as(&name, &email);
    }
    Ok(store)
}

fn respond(who: &Who, result: Result<String, Refusal>) -> Response {
    match result {
        Ok(id) => Redirect::to(&format!("/claims/{id}")).into_response(),
        Err(Refusal::Page(e)) => e.into_response(),
        Err(Refusal::Stale(stale)) => {
            let Stale {
                current,
                version,
                theirs,
                yours,
                life,
            } = *stale;
            let notice = html! {
                div.refused {
                    h2 { "Not applied: this claim changed since you loaded the page" }
                    p { "Someone (through errata or by hand) changed it meanwhile. Nothing of yours was written. Both versions are below; the forms now carry the current one, so you can apply your change again if it still holds." }
                    div.versions {
                        div { h3 { "The version your page showed" }
                            pre { (yours.as_deref().unwrap_or("(not in git: it was never committed)")) } }
                        div { h3 { "The version now" } pre { (theirs) } }
                    }
                }
            };
            (
                StatusCode::CONFLICT,
                claim_page(who, &current, &version, &life, Some(notice)),
            )
                .into_response()
        }
    }
}

pub(crate) async fn start(
    State(app): State<App>,
    Extension(who): Extension<Who>,
    Path(id): Path<String>,
    Form(f): Form<StartForm>,
) -> Response {
    let prepared = one_line("assignee", &f.assignee).map(|assignee| {
        move |store: &Store, snap: &Snapshot, claim: &Claim| {
            ops::start(store, snap, claim, assignee.as_ref())
                .map(drop)
                .map_err(op_refused)
        }
    });
    claim_form(&app, &who, id, &f.csrf, f.version, prepared).await
}

pub(crate) async fn source(
    State(app): State<App>,
    Extension(who): Extension<Who>,
    Path(id): Path<String>,
    Form(f): Form<SourceForm>,
) -> Response {
    // Parsed as `errata source` parses its flags; the rules (a web address,
    // not read after today) are the operation's, as on the command line.
    let date = |what: &str, s: &str| -> Result<Option<Date>, Refusal> {
        text(s)
            .map(|d| d.parse().map_err(|e| bad(format!("{what}: {e}"))))
            .transpose()
    };
    let prepared = (|| {
        let new = NewSource {
            title: one_line("title", &f.title)?,
            url: text(&f.url),
            publisher: one_line("publisher", &f.publisher)?,
            published: date("published", &f.published)?,
            excerpt: text(&f.excerpt),
            accessed: date("accessed", &f.accessed)?,
            archived: text(&f.archived),
        };
        Ok(move |store: &Store, snap: &Snapshot, claim: &Claim| {
            ops::add_source(store, snap, claim, &new)
                .map(drop)
                .map_err(op_refused)
        })
    })();
    claim_form(&app, &who, id, &f.csrf, f.version, prepared).await
}

pub(crate) async fn verdict(
    State(app): State<App>,
    Extension(who): Extension<Who>,
    Path(id): Path<String>,
    Form(f): Form<VerdictForm>,
) -> Response {
    let prepared = f.verdict.parse::<Verdict>().map_err(bad).map(|verdict| {
        let sources: Vec<String> = text(&f.source).into_iter().collect();
        let note = text(&f.note);
        move |store: &Store, snap: &Snapshot, claim: &Claim| {
            ops::verdict(store, snap, claim, verdict, &sources, note.as_deref())
                .map(drop)
                .map_err(op_refused)
        }
    });
    claim_form(&app, &who, id, &f.csrf, f.version, prepared).await
}

pub(crate) async fn add(
    State(app): State<App>,
    Extension(who): Extension<Who>,
    Path(episode): Path<String>,
    Form(f): Form<AddForm>,
) -> Response {
    if f.csrf != who.csrf {
        return forged();
    }
    let live = app.live.clone();
    let author = who.author.clone();
    let result = tokio::task::spawn_blocking(move || -> Result<String, Refusal> {
        let new = NewClaim {
            episode,
            quote: text(&f.quote),
            claim: text(&f.claim),
            at: None,
            id: None,
            speaker: one_line("speaker", &f.speaker)?,
            tags: Vec::new(),
        };
        let store = open_store(live.root(), author)?;
        let _lock = store.write_lock().map_err(|e| op_refused(e.into()))?;
        let view = live.view(&store);
        let added = ops::add_claim(&store, &view.snap, new).map_err(op_refused)?;
        Ok(added.id.to_string())
    })
    .await;
    match result {
        Ok(Ok(id)) => Redirect::to(&format!("/claims/{id}")).into_response(),
        Ok(Err(refusal)) => respond(&who, Err(refusal)),
        Err(e) => PageError::new(StatusCode::INTERNAL_SERVER_ERROR, e).into_response(),
    }
}

pub(crate) async fn correct(
    State(app): State<App>,
    Extension(who): Extension<Who>,
    Form(f): Form<CorrectForm>,
) -> Response {
    if f.csrf != who.csrf {
        return forged();
    }
    let live = app.live.clone();
    let author = who.author.clone();
    let result = tokio::task::spawn_blocking(move || -> Result<(), Refusal> {
        let claims: Vec<String> = f
            .claims
            .split([' ', ','])
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        if claims.is_empty() {
            return Err(bad("name at least one claim the correction corrects"));
        }
        let new = NewCorrection {
            claims,
            episode: f.episode,
            at: f
                .at
                .trim()
                .parse()
                .map_err(|e| bad(format!("where in the episode: {e}")))?,
            text: text(&f.text).ok_or_else(|| bad("say what the correction says"))?,
            medium: match text(&f.medium) {
                Some(m) => m.parse().map_err(bad)?,
                None => Medium::OnAir,
            },
            reported_by: one_line("who flagged it", &f.reported_by)?,
            id: None,
        };
        let store = open_store(live.root(), author)?;
        let _lock = store.write_lock().map_err(|e| op_refused(e.into()))?;
        let view = live.view(&store);
        ops::correct(&store, &view.snap, new).map_err(op_refused)?;
        Ok(())
    })
    .await;
    match result {
        Ok(Ok(())) => Redirect::to("/corrections").into_response(),
        Ok(Err(refusal)) => respond(&who, Err(refusal)),
        Err(e) => PageError::new(StatusCode::INTERNAL_SERVER_ERROR, e).into_response(),
    }
}

/// The answer to a form that did not carry this server's token.
fn forged() -> Response {
    PageError::new(StatusCode::FORBIDDEN, FORGED).into_response()
}

const FORGED: &str = "this form did not come from this server's page (its token is missing or old): reload the page and try again";
