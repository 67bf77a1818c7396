//! The operations that change a fact-check repository: each checks everything it
//! can before it writes, then writes and commits in one step, and returns what it
//! did. Commands are thin wrappers over these.

use std::path::Path;

use rand::Rng;
use toml_edit::{DocumentMut, Item, value};

use crate::git::{Change, CommitId, GitError, Repo};
use crate::model::{
    Claim, ClaimId, Date, Episode, EpisodeId, IdError, Source, State, Status, Timestamp, Verdict,
    format_point, is_web_url,
};
use crate::store::write::{CLAIM_KEY_ORDER, set_key, string_array};
use crate::store::{
    self, EPISODE_FILE, SETTINGS_FILE, Snapshot, Store, StoreError, TRANSCRIPT_FILE, claim_path,
    episode_path,
};
use crate::transcript::{Transcript, TranscriptError};

mod correct;
pub use correct::{CorrectError, Corrected, NewCorrection, correct};

pub mod edit;

/// What stops an operation. Each says what is wrong; the command line adds what to do.
#[derive(Debug, thiserror::Error)]
pub enum OpError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no claim matches `{0}`")]
    UnknownClaim(String),
    #[error("`{prefix}` matches {} claims: {}", candidates.len(), candidates.join(", "))]
    AmbiguousClaim {
        prefix: String,
        candidates: Vec<String>,
    },
    #[error("claim id `{id}` is used in more than one episode: {}", paths.join(", "))]
    DuplicateClaim { id: String, paths: Vec<String> },
    #[error("no episode `{0}`")]
    UnknownEpisode(String),
    #[error("episode `{0}` already exists")]
    EpisodeExists(String),
    #[error("a claim with id `{0}` already exists")]
    ClaimExists(String),
    #[error("invalid id: {0}")]
    BadId(#[from] IdError),
    #[error("`{0}` is reserved for the episode file and cannot be a claim id")]
    ReservedId(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("verdict {0} needs at least one source")]
    SourceNeeded(Verdict),
    #[error("`{0}` is not a web address: sources are http:// or https:// urls")]
    BadUrl(String),
    #[error("a claim needs a quote or a claim (or both)")]
    NothingToAdd,
    #[error("the quote is not in the transcript of {episode}")]
    QuoteNotFound {
        episode: EpisodeId,
        /// The segment most like the quote, as `(MM:SS~MM:SS) text`.
        closest: Option<String>,
    },
    #[error("the quote is at {found}, not at {given}")]
    QuoteElsewhere { found: Timestamp, given: Timestamp },
    #[error("{time} is outside the transcript of {episode}, which runs from {start} to {end}")]
    OutsideTranscript {
        time: Timestamp,
        episode: EpisodeId,
        start: String,
        end: String,
    },
    #[error("cannot read the transcript {path}: {message}")]
    BadTranscript { path: String, message: String },
    #[error("this repository is not laid out for errata yet (no errata.toml)")]
    NotInitialised,
}

impl From<GitError> for OpError {
    fn from(e: GitError) -> Self {
        OpError::Store(StoreError::Git(e))
    }
}

/// Text given by the user, on one line for a commit message, so a line break
/// cannot end the summary early or forge an `Errata-*` trailer.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Find a claim by its id or a unique prefix of it, as git finds a commit by a
/// short hash. An exact id always wins over longer ids it is a prefix of.
pub fn resolve_claim<'a>(snap: &'a Snapshot, prefix: &str) -> Result<&'a Claim, OpError> {
    let i = pick(snap.claims.iter().map(|c| (&c.episode, &c.id)), prefix)?;
    Ok(&snap.claims[i])
}

/// Find a claim's file by its id or a unique prefix, by file names alone: for
/// commands that need only where a claim is (its history), not what it says.
pub fn resolve_claim_file(store: &Store, prefix: &str) -> Result<(EpisodeId, ClaimId), OpError> {
    // A whole id is looked up in each episode folder without listing them.
    if let Ok(id) = ClaimId::new(prefix)
        && let [episode] = store.episodes_with_claim(&id).as_slice()
    {
        return Ok((episode.clone(), id));
    }
    let files = store.claim_files();
    let i = pick(files.iter().map(|(e, c)| (e, c)), prefix)?;
    Ok(files[i].clone())
}

/// The one of `ids` that `prefix` names, with the rules of [`resolve_claim`].
fn pick<'a>(
    ids: impl Iterator<Item = (&'a EpisodeId, &'a ClaimId)>,
    prefix: &str,
) -> Result<usize, OpError> {
    let all: Vec<(usize, &EpisodeId, &ClaimId)> = ids
        .enumerate()
        .filter(|(_, (_, id))| id.as_str().starts_with(prefix))
        .map(|(i, (e, id))| (i, e, id))
        .collect();
    let exact: Vec<_> = all
        .iter()
        .filter(|(_, _, id)| id.as_str() == prefix)
        .copied()
        .collect();
    let matches = if exact.is_empty() { all } else { exact };
    match matches.as_slice() {
        [] => Err(OpError::UnknownClaim(prefix.to_owned())),
        [(i, _, _)] => Ok(*i),
        many if many.iter().all(|(_, _, id)| *id == many[0].2) => Err(OpError::DuplicateClaim {
            id: many[0].2.to_string(),
            paths: many.iter().map(|(_, e, id)| claim_path(e, id)).collect(),
        }),
        many => {
            let mut candidates: Vec<String> =
                many.iter().map(|(_, _, id)| id.to_string()).collect();
            candidates.sort();
            candidates.dedup();
            Err(OpError::AmbiguousClaim {
                prefix: prefix.to_owned(),
                candidates,
            })
        }
    }
}

pub fn resolve_episode<'a, C>(snap: &'a Snapshot<C>, id: &str) -> Result<&'a Episode, OpError> {
    let id = EpisodeId::new(id)?;
    snap.episodes
        .get(&id)
        .ok_or_else(|| OpError::UnknownEpisode(id.to_string()))
}

fn ensure_initialised(store: &Store) -> Result<(), OpError> {
    if store.is_initialised() {
        Ok(())
    } else {
        Err(OpError::NotInitialised)
    }
}

/// What `errata init` found and did.
pub struct InitOutcome {
    pub store: Store,
    pub created_git: bool,
    /// `None` when the repository was already laid out.
    pub commit: Option<CommitId>,
}

/// Show settings for a new repository.
#[derive(Debug, Default, Clone)]
pub struct InitSettings {
    pub name: Option<String>,
    pub publisher: Option<String>,
    pub language: Option<String>,
    pub url: Option<String>,
}

/// Lay out a fact-check repository at `path`, running `git init` there if needed.
pub fn init(path: &Path, settings: InitSettings) -> Result<InitOutcome, OpError> {
    if let Some(url) = &settings.url
        && !is_web_url(url)
    {
        return Err(OpError::BadUrl(url.clone()));
    }
    let (repo, created_git) = Repo::init(path)?;
    let store = Store::from_repo(repo);
    if store.is_initialised() {
        return Ok(InitOutcome {
            store,
            created_git,
            commit: None,
        });
    }
    if let Err(e) = store.repo().identity() {
        // Leave nothing behind: the repository was made a moment ago for this commit.
        if created_git {
            let _ = std::fs::remove_dir_all(store.repo().git_dir());
        }
        return Err(e.into());
    }
    let name = settings.name.clone().unwrap_or_else(|| {
        store
            .root()
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "my show".into())
    });
    let mut doc = DocumentMut::new();
    doc.decor_mut().set_prefix(
        "# errata: settings of this fact-check repository.\n# See `errata --help`; claims live under claims/<episode>/, corrections under corrections/.\n",
    );
    doc["name"] = value(name.as_str());
    doc["publisher"] = value(
        settings
            .publisher
            .unwrap_or_else(|| format!("{name} fact-check desk")),
    );
    doc["language"] = value(settings.language.unwrap_or_else(|| "en".into()));
    if let Some(url) = settings.url {
        doc["url"] = value(url);
    }
    let message = format!("init: fact-check repository for {name}\n\nErrata-Init: {name}\n");
    let commit = store.commit(
        &[Change {
            path: SETTINGS_FILE.into(),
            content: Some(doc.to_string().into_bytes()),
        }],
        &message,
    )?;
    Ok(InitOutcome {
        store,
        created_git,
        commit: Some(commit),
    })
}

/// A new episode, as given on the command line.
pub struct NewEpisode {
    pub id: EpisodeId,
    pub title: String,
    pub date: Option<Date>,
    pub url: Option<String>,
    /// Transcript text to import, in any format [`Transcript::import`] reads.
    pub transcript: Option<String>,
}

/// What `episode add` did.
pub struct EpisodeAdded {
    pub commit: CommitId,
    pub segments: usize,
}

pub fn add_episode(
    store: &Store,
    snap: &Snapshot,
    ep: NewEpisode,
) -> Result<EpisodeAdded, OpError> {
    ensure_initialised(store)?;
    if snap.episodes.contains_key(&ep.id) || store.root().join(episode_path(&ep.id)).exists() {
        return Err(OpError::EpisodeExists(ep.id.to_string()));
    }
    if let Some(url) = &ep.url
        && !is_web_url(url)
    {
        return Err(OpError::BadUrl(url.clone()));
    }
    let transcript =
        match &ep.transcript {
            Some(text) => Some(Transcript::import(text).map_err(|e: TranscriptError| {
                OpError::BadTranscript {
                    path: "the transcript file".into(),
                    message: e.to_string(),
                }
            })?),
            None => None,
        };
    let mut doc = DocumentMut::new();
    doc["title"] = value(ep.title.as_str());
    if let Some(date) = ep.date {
        doc["date"] = value(
            date.to_string()
                .parse::<toml_edit::Datetime>()
                .map_err(|e| OpError::Forbidden(e.to_string()))?,
        );
    }
    if let Some(url) = &ep.url {
        doc["url"] = value(url.as_str());
    }
    let mut changes = Vec::new();
    let mut segments = 0;
    if let Some((t, _format)) = &transcript {
        doc["transcript"] = value(TRANSCRIPT_FILE);
        segments = t.segments.len();
        changes.push(Change {
            path: store::transcript_path(&ep.id, TRANSCRIPT_FILE),
            content: Some(t.render().into_bytes()),
        });
    }
    changes.insert(
        0,
        Change {
            path: format!("{}/{}/{EPISODE_FILE}", store::CLAIMS_DIR, ep.id),
            content: Some(doc.to_string().into_bytes()),
        },
    );
    let message = format!(
        "episode: add {} ({})\n\nErrata-Episode: {}\n",
        ep.id,
        one_line(&ep.title),
        ep.id
    );
    let commit = store.commit(&changes, &message)?;
    Ok(EpisodeAdded { commit, segments })
}

/// A claim to log, as given on the command line.
#[derive(Debug, Default)]
pub struct NewClaim {
    pub episode: String,
    pub quote: Option<String>,
    pub claim: Option<String>,
    pub at: Option<Timestamp>,
    pub id: Option<String>,
    pub speaker: Option<String>,
    pub tags: Vec<String>,
}

pub struct ClaimAdded {
    pub id: ClaimId,
    pub path: String,
    pub said_at: Option<Timestamp>,
    pub commit: CommitId,
}

fn nonblank(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty())
}

/// Log a claim as `needs-check`.
pub fn add_claim(store: &Store, snap: &Snapshot, new: NewClaim) -> Result<ClaimAdded, OpError> {
    ensure_initialised(store)?;
    let episode = resolve_episode(snap, &new.episode)?.clone();
    let quote = nonblank(new.quote);
    let claim_text = nonblank(new.claim);
    if quote.is_none() && claim_text.is_none() {
        return Err(OpError::NothingToAdd);
    }
    let transcript = store.transcript(&episode)?;
    let said_at = locate_quote(&episode, transcript.as_ref(), quote.as_deref(), new.at)?;

    let id = match new.id {
        Some(id) => {
            let id = ClaimId::new(&id)?;
            if id.as_str() == "episode" {
                return Err(OpError::ReservedId(id.to_string()));
            }
            if snap.claims.iter().any(|c| c.id == id) {
                return Err(OpError::ClaimExists(id.to_string()));
            }
            id
        }
        None => generate_id(snap, claim_text.as_deref(), quote.as_deref(), &new.tags),
    };

    let mut doc = DocumentMut::new();
    doc["status"] = value(Status::NeedsCheck.as_str());
    if let Some(at) = said_at {
        doc["said_at"] = value(at.to_string());
    }
    if let Some(s) = nonblank(new.speaker) {
        doc["speaker"] = value(s);
    }
    if let Some(q) = &quote {
        doc["quote"] = value(q.as_str());
    }
    if let Some(c) = &claim_text {
        doc["claim"] = value(c.as_str());
    }
    let tags: Vec<&str> = new
        .tags
        .iter()
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
        .collect();
    if !tags.is_empty() {
        doc["tags"] = string_array(tags);
    }
    let path = claim_path(&episode.id, &id);
    if store.root().join(&path).exists() {
        return Err(OpError::ClaimExists(id.to_string()));
    }
    let message = format!(
        "add: {id} in {}\n\nErrata-Claim: {id}\nErrata-Status: {}\n",
        episode.id,
        Status::NeedsCheck
    );
    let commit = store.commit(
        &[Change {
            path: path.clone(),
            content: Some(doc.to_string().into_bytes()),
        }],
        &message,
    )?;
    Ok(ClaimAdded {
        id,
        path,
        said_at,
        commit,
    })
}

/// Where a quote was said: found in the transcript when there is one, checked
/// against `--at` when both are given.
fn locate_quote(
    episode: &Episode,
    transcript: Option<&Transcript>,
    quote: Option<&str>,
    at: Option<Timestamp>,
) -> Result<Option<Timestamp>, OpError> {
    let Some(t) = transcript else {
        return Ok(at);
    };
    if let (Some(at), Some((start, end))) = (at, t.span())
        && Timestamp::range(start, end).is_some_and(|span| !at.within(&span))
    {
        return Err(OpError::OutsideTranscript {
            time: at,
            episode: episode.id.clone(),
            start: format_point(start),
            end: format_point(end),
        });
    }
    let Some(quote) = quote else {
        return Ok(at);
    };
    let found: Vec<Timestamp> = t
        .find_all(quote)
        .into_iter()
        .filter_map(|r| Timestamp::range(t.segments[*r.start()].start, t.segments[*r.end()].end))
        .collect();
    let Some(first) = found.first().copied() else {
        let closest = t.closest_hint(quote);
        return Err(OpError::QuoteNotFound {
            episode: episode.id.clone(),
            closest,
        });
    };
    match at {
        None => Ok(Some(first)),
        Some(at) => {
            if found.iter().any(|f| f.overlaps(&at)) {
                Ok(Some(at))
            } else {
                Err(OpError::QuoteElsewhere {
                    found: first,
                    given: at,
                })
            }
        }
    }
}

const STOPWORDS: &[&str] = &[
    "a", "an", "the", "is", "are", "was", "were", "be", "been", "of", "to", "in", "on", "and",
    "or", "s", "that", "this", "it", "its", "for", "with", "as", "by", "at", "from", "has", "have",
    "had", "than", "not", "no", "will", "would", "can", "could",
];

/// A readable slug from the first meaningful ASCII words of a text.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for word in text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .map(str::to_ascii_lowercase)
        .filter(|w| !w.is_empty() && !STOPWORDS.contains(&w.as_str()))
        .take(5)
    {
        if out.len() + word.len() + 1 > 40 {
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&word);
    }
    out
}

/// Four random characters (no `l` or `o`, easily misread) that make an id made
/// from words unique, without asking any other clone.
fn random_suffix() -> String {
    const ALPHABET: &[u8] = b"0123456789abcdefghijkmnpqrstuvwxyz";
    let mut rng = rand::rng();
    (0..4)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// A new id: readable words from the claim (or quote, or tags), then four random
/// characters, so two editors adding claims at once on different clones do not
/// pick the same id for different claims.
fn generate_id(
    snap: &Snapshot,
    claim: Option<&str>,
    quote: Option<&str>,
    tags: &[String],
) -> ClaimId {
    let base = [claim, quote]
        .into_iter()
        .flatten()
        .map(slug)
        .chain(std::iter::once(slug(&tags.join(" "))))
        .find(|s| !s.is_empty())
        .unwrap_or_else(|| "claim".to_owned());
    loop {
        if let Ok(id) = ClaimId::new(&format!("{base}-{}", random_suffix()))
            && !snap.claims.iter().any(|c| c.id == id)
        {
            return id;
        }
    }
}

/// What a lifecycle step did, for the command to report.
pub struct Moved {
    pub id: ClaimId,
    pub from: State,
    pub to: State,
    pub commit: CommitId,
}

/// Apply a change to a claim file's document and commit it.
fn rewrite_claim(
    store: &Store,
    claim: &Claim,
    message: &str,
    edit: impl FnOnce(&mut DocumentMut),
) -> Result<CommitId, OpError> {
    let path = claim_path(&claim.episode, &claim.id);
    let text = store.read_for_change(&path)?;
    let mut doc: DocumentMut =
        text.parse()
            .map_err(|e: toml_edit::TomlError| StoreError::BadFile {
                path: path.clone(),
                message: e.message().to_owned(),
            })?;
    edit(&mut doc);
    let mut out = doc.to_string();
    // toml_edit writes "\n" line ends; keep a hand-written file's "\r\n" ones.
    if text.contains("\r\n") {
        out = out.replace("\r\n", "\n").replace('\n', "\r\n");
    }
    if out == text {
        // An empty commit would only add noise to the record's history.
        return Err(OpError::Forbidden(format!(
            "nothing to change: {path} already says so"
        )));
    }
    Ok(store.commit(
        &[Change {
            path,
            content: Some(out.into_bytes()),
        }],
        message,
    )?)
}

/// Mark a claim as being checked, optionally by someone.
pub fn start(store: &Store, claim: &Claim, assignee: Option<&str>) -> Result<Moved, OpError> {
    match claim.state {
        State::NeedsCheck => {}
        State::Checking if assignee.is_some_and(|a| claim.assignee.as_deref() != Some(a)) => {}
        State::Checking => {
            return Err(OpError::Forbidden(format!(
                "{} is already being checked{}",
                claim.id,
                claim
                    .assignee
                    .as_deref()
                    .map(|a| format!(" by {a}"))
                    .unwrap_or_default()
            )));
        }
        State::Checked(v) | State::Corrected(v) => {
            return Err(OpError::Forbidden(format!(
                "{} is already {} ({v}); a claim with a verdict cannot go back to checking",
                claim.id,
                claim.state.status()
            )));
        }
    }
    let to = State::Checking;
    let mut message = format!(
        "start: {} is checking\n\nErrata-Claim: {}\nErrata-Status: {} -> {}\n",
        claim.id,
        claim.id,
        claim.state.status(),
        to.status()
    );
    if let Some(a) = assignee {
        message.push_str(&format!("Errata-Assignee: {}\n", one_line(a)));
    }
    let commit = rewrite_claim(store, claim, &message, |doc| {
        set_key(doc, "status", value(to.status().as_str()), CLAIM_KEY_ORDER);
        if let Some(a) = assignee {
            set_key(doc, "assignee", value(a), CLAIM_KEY_ORDER);
        }
    })?;
    Ok(Moved {
        id: claim.id.clone(),
        from: claim.state,
        to,
        commit,
    })
}

/// Give a claim its verdict, with the sources behind it.
pub fn verdict(
    store: &Store,
    claim: &Claim,
    verdict: Verdict,
    sources: &[String],
    note: Option<&str>,
) -> Result<Moved, OpError> {
    if let State::Corrected(v) = claim.state {
        return Err(OpError::Forbidden(format!(
            "{} is already corrected ({v}); its verdict stands with the correction that aired",
            claim.id
        )));
    }
    for url in sources {
        if !is_web_url(url) {
            return Err(OpError::BadUrl(url.clone()));
        }
    }
    if verdict.needs_source() && claim.sources.is_empty() && sources.is_empty() {
        return Err(OpError::SourceNeeded(verdict));
    }
    let to = State::Checked(verdict);
    let mut message = format!(
        "verdict: {} is {verdict}\n\nErrata-Claim: {}\nErrata-Status: {} -> {}\nErrata-Verdict: {verdict}\n",
        claim.id,
        claim.id,
        claim.state.status(),
        to.status()
    );
    if let Some(old) = claim.state.verdict().filter(|v| *v != verdict) {
        message = message.replacen(
            &format!("is {verdict}\n"),
            &format!("is {verdict} (was {old})\n"),
            1,
        );
    }
    let commit = rewrite_claim(store, claim, &message, |doc| {
        set_key(doc, "status", value(to.status().as_str()), CLAIM_KEY_ORDER);
        set_key(doc, "verdict", value(verdict.as_str()), CLAIM_KEY_ORDER);
        if let Some(n) = note {
            set_key(doc, "note", value(n), CLAIM_KEY_ORDER);
        }
        if !sources.is_empty() {
            let tables = doc
                .as_table_mut()
                .entry("sources")
                .or_insert(Item::ArrayOfTables(toml_edit::ArrayOfTables::new()));
            if let Some(array) = tables.as_array_of_tables_mut() {
                for url in sources {
                    if array
                        .iter()
                        .any(|t| t.get("url").and_then(|u| u.as_str()) == Some(url.as_str()))
                    {
                        continue;
                    }
                    let mut t = toml_edit::Table::new();
                    t["url"] = value(url.as_str());
                    array.push(t);
                }
            }
        }
    })?;
    Ok(Moved {
        id: claim.id.clone(),
        from: claim.state,
        to,
        commit,
    })
}

/// Add a source to a claim: the evidence an editor found, with as much of its
/// citation as is known. A source needs at least a title or a url.
pub fn add_source(store: &Store, claim: &Claim, source: &Source) -> Result<CommitId, OpError> {
    if let Some(url) = &source.url
        && !is_web_url(url)
    {
        return Err(OpError::BadUrl(url.clone()));
    }
    let title = source.title.as_deref().filter(|t| !t.trim().is_empty());
    let Some(label) = title.or(source.url.as_deref()) else {
        return Err(OpError::Forbidden(
            "a source needs at least a --title or a --url".into(),
        ));
    };
    if let Some(url) = &source.url
        && claim.sources.iter().any(|s| s.url.as_deref() == Some(url))
    {
        return Err(OpError::Forbidden(format!(
            "{} already cites {url}",
            claim.id
        )));
    }
    let mut message = format!(
        "source: {} cites {label}\n\nErrata-Claim: {}\n",
        claim.id, claim.id
    );
    if let Some(url) = &source.url {
        message.push_str(&format!("Errata-Source: {url}\n"));
    }
    rewrite_claim(store, claim, &message, |doc| {
        let mut t = toml_edit::Table::new();
        let fields: [(&str, Option<Item>); 5] = [
            ("title", source.title.as_deref().map(value)),
            ("url", source.url.as_deref().map(value)),
            ("publisher", source.publisher.as_deref().map(value)),
            (
                "published",
                source
                    .published
                    .and_then(|d| d.to_string().parse::<toml_edit::Datetime>().ok())
                    .map(value),
            ),
            ("excerpt", source.excerpt.as_deref().map(value)),
        ];
        for (key, item) in fields {
            if let Some(item) = item {
                t[key] = item;
            }
        }
        let tables = doc
            .as_table_mut()
            .entry("sources")
            .or_insert(Item::ArrayOfTables(toml_edit::ArrayOfTables::new()));
        if let Some(array) = tables.as_array_of_tables_mut() {
            array.push(t);
        }
    })
}
