//! The operations that change a fact-check repository, one file each, as cargo
//! keeps `ops/cargo_<verb>.rs`. Each checks everything it can before it writes:
//! the lifecycle move (in `model`), then every rule of one record on the record
//! it is about to write (`validate::rules`, the same rules `errata validate`
//! runs), then writes and commits in one step with a message from `message`,
//! and returns what it did as data the command prints or serialises.
//!
//! Uses `store`, `model`, `validate`, `transcript`, `feed`, `diff` and `merge`; never
//! `git2` itself and never prints.

mod add;
pub mod amend;
mod archive;
mod correct;
pub mod edit;
mod episode;
mod feed;
mod ids;
mod init;
pub mod message;
mod resolve;
pub mod setup;
mod source;
mod start;
mod sync;
mod verdict;

use serde::Serialize;
use toml_edit::DocumentMut;

pub use add::{ClaimAdded, NewClaim, add_claim};
pub use archive::{ArchivesRecorded, NewArchive, record_archives};
pub use correct::{Corrected, NewCorrection, correct};
pub use episode::{EpisodeAdded, NewEpisode, add_episode};
pub use feed::{FeedChoice, FeedEpisode, FeedImported, import_feed};
pub use init::{InitOutcome, InitSettings, init};
pub use resolve::{
    read_record, resolve_claim, resolve_claim_among, resolve_claim_file, resolve_episode,
    resolve_record, resolve_record_if_any,
};
pub use setup::{SetupOutcome, setup};
pub use source::{NewSource, SourceAdded, add_source};
pub use start::start;
pub use sync::{Integrated, SyncOptions, Synced, Unmerged, sync};
pub use verdict::verdict;

use crate::diagnostic::Problem;
use crate::git::{Change, CommitId, GitError};
use crate::merge;
use crate::model::{Claim, ClaimId, CorrectionId, IdError, LifecycleError, State, Status, Verdict};
use crate::store::{Parsed, Snapshot, Store, StoreError, claim_path, parse_at};
use crate::transcript::{Transcript, TranscriptError};
use crate::validate::{Violation, rules};
use message::Message;

/// What stops an operation, one variant per cause. Each says what is wrong in
/// the library's words; the command line adds what to do and the exit code.
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
    #[error("no correction matches `{0}`")]
    UnknownCorrection(String),
    #[error("correction {correction} already names {claim}")]
    AlreadyNamed {
        correction: CorrectionId,
        claim: ClaimId,
    },
    #[error("correction {correction} names no claim `{claim}`")]
    NotNamed {
        correction: CorrectionId,
        claim: String,
    },
    #[error("no claim, correction or episode matches `{0}`")]
    UnknownRecord(String),
    #[error("`{prefix}` matches {} records: {}", candidates.len(), candidates.join(", "))]
    AmbiguousRecord {
        prefix: String,
        candidates: Vec<String>,
    },
    #[error("claim id `{id}` is used in more than one episode: {}", paths.join(", "))]
    DuplicateClaim { id: String, paths: Vec<String> },
    #[error("{path} has an unresolved merge conflict")]
    Conflicted { path: String },
    /// The claim's file is there but is not a claim errata can read.
    #[error("{path} cannot be read as a claim: {message}")]
    Unreadable { path: String, message: String },
    #[error("no episode `{0}`")]
    UnknownEpisode(String),
    #[error("episode `{0}` already exists")]
    EpisodeExists(String),
    #[error("a claim with id `{0}` already exists")]
    ClaimExists(String),
    #[error("a correction with id `{0}` already exists")]
    CorrectionExists(CorrectionId),
    #[error("every id tried from `{0}` is taken")]
    NoFreeId(String),
    #[error("invalid id: {0}")]
    BadId(#[from] IdError),
    #[error("`{0}` is reserved for the episode file and cannot be a claim id")]
    ReservedId(String),
    /// The record the operation would write is not a record at all.
    #[error("{}", .0.message)]
    Record(Problem),
    /// The record the operation would write breaks a rule of one record.
    #[error(transparent)]
    Rule(#[from] Violation),
    /// The lifecycle does not allow this move for this claim.
    #[error("{id} {error}")]
    Lifecycle { id: ClaimId, error: LifecycleError },
    #[error("{id} is already being checked{}", by.as_deref().map(|a| format!(" by {a}")).unwrap_or_default())]
    AlreadyChecking { id: ClaimId, by: Option<String> },
    #[error("{id} is already corrected by {}", by.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", "))]
    AlreadyCorrected { id: ClaimId, by: Vec<CorrectionId> },
    #[error("{id} already cites {url}")]
    AlreadyCited { id: ClaimId, url: String },
    #[error("nothing to change: {path} already says so")]
    NothingToChange { path: String },
    #[error("{path} changed on disk while it was being edited; nothing was committed")]
    ChangedOnDisk { path: String },
    #[error("cannot import the transcript: {0}")]
    BadTranscript(#[from] TranscriptError),
    #[error("the feed has no item `{0}`")]
    UnknownFeedItem(String),
    #[error("the feed's item {episode}: {problem}")]
    FeedItem { episode: String, problem: String },
    #[error("the transcript of {episode} ({url}): {problem}")]
    FeedTranscript {
        episode: String,
        url: String,
        problem: String,
    },
    #[error("this repository is not laid out for errata yet (no errata.toml)")]
    NotInitialised,
    #[error("a merge is under way in this clone (or a rebase, cherry-pick or revert)")]
    MergeInProgress,
    #[error("records have uncommitted changes: {}", paths.join(", "))]
    SyncUncommitted { paths: Vec<String> },
    #[error("the merge left {} file{} to resolve:\n{}", unmerged.len(), if unmerged.len() == 1 { "" } else { "s" }, sync::describe(unmerged))]
    SyncConflicts { unmerged: Vec<Unmerged> },
    #[error("neither this clone nor {remote} has a commit yet")]
    NothingToSync { remote: String },
    #[error("{remote} kept moving: {rounds} rounds of fetch, merge and push were each overtaken")]
    RemoteKeepsMoving { remote: String, rounds: u32 },
}

impl From<GitError> for OpError {
    fn from(e: GitError) -> Self {
        OpError::Store(StoreError::Git(e))
    }
}

/// A claim's step through its lifecycle, as `--json` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClaimMove {
    pub id: ClaimId,
    pub from: Status,
    pub to: Status,
    /// The verdict the claim has after the move.
    pub verdict: Option<Verdict>,
}

impl ClaimMove {
    fn new(id: &ClaimId, from: State, to: State) -> Self {
        ClaimMove {
            id: id.clone(),
            from: from.status(),
            to: to.status(),
            verdict: to.verdict(),
        }
    }
}

/// What a lifecycle step (`start`, `verdict`) did.
#[derive(Debug, Clone, Serialize)]
pub struct Moved {
    #[serde(flatten)]
    pub claim: ClaimMove,
    pub commit: CommitId,
}

fn ensure_initialised(store: &Store) -> Result<(), OpError> {
    if store.is_initialised() {
        Ok(())
    } else {
        Err(OpError::NotInitialised)
    }
}

fn nonblank(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty())
}

/// The transcript a claim's rules run against, if its episode has one that can
/// be read. An unreadable transcript is the episode's problem (`validate` names
/// it), not a reason to refuse a change to one claim.
fn transcript_of(store: &Store, snap: &Snapshot, claim: &Claim) -> Option<Transcript> {
    let episode = snap.episodes.get(&claim.episode)?;
    store.transcript(episode).ok().flatten()
}

/// Parse the text a claim's file is about to hold and check it against every
/// rule of one claim, refusing what it would newly break: a rule the record
/// already broke before (a hand edit `validate` names) does not block a change
/// that leaves it as it was.
fn checked_claim(
    path: &str,
    text: &str,
    before: Option<&Claim>,
    transcript: Option<&Transcript>,
) -> Result<Claim, OpError> {
    let claim = match parse_at(path, text.as_bytes()) {
        Parsed::Claim(c) => c,
        Parsed::Bad(p) => return Err(OpError::Record(p)),
        _ => unreachable_record(path)?,
    };
    let known = before
        .map(|b| rules::claim(b, transcript))
        .unwrap_or_default();
    match rules::claim(&claim, transcript)
        .into_iter()
        .find(|v| !known.contains(v))
    {
        Some(v) => Err(v.into()),
        None => Ok(claim),
    }
}

/// A claim's file with its status set to `to`'s, checked as every operation
/// checks the claim it writes: how a correction (recorded or amended) moves
/// the claims it names, in its own commit.
fn status_change(
    store: &Store,
    snap: &Snapshot,
    claim: &Claim,
    to: State,
) -> Result<Change, OpError> {
    let rel = claim_path(&claim.episode, &claim.id);
    let before = store.read_for_change(&rel)?;
    let mut doc = document(&rel, &before)?;
    crate::store::write::set_key(
        &mut doc,
        "status",
        toml_edit::value(to.status().as_str()),
        crate::store::write::CLAIM_KEY_ORDER,
    );
    let after = doc.to_string();
    let transcript = transcript_of(store, snap, claim);
    checked_claim(&rel, &after, Some(claim), transcript.as_ref())?;
    Ok(Change {
        path: rel,
        content: Some(after.into_bytes()),
    })
}

/// A path that [`parse_at`] read as another kind of record than the operation
/// writes: a bug in the operation, reported rather than written.
fn unreachable_record<T>(path: &str) -> Result<T, OpError> {
    Err(OpError::Record(Problem::new(
        path,
        crate::diagnostic::Location::File,
        "not the kind of record this operation writes",
    )))
}

/// Commit an operation's changes with its message. When another writer
/// committed meanwhile, a file both changed is merged field by field as
/// `errata sync` merges (see [`reconcile`]); a change that no longer applies
/// is refused, naming the other commit.
fn commit(store: &Store, changes: &[Change], message: &Message) -> Result<CommitId, OpError> {
    Ok(store.commit(changes, &message.to_string(), &reconcile)?)
}

/// Carry this operation's change of `path` (made against `base`) onto the
/// version another writer committed meanwhile (`now`): the same three-way
/// merge `errata sync` and the merge driver make, with the other writer's
/// version as the current side, so its layout is kept. `None` when the two
/// changes conflict, or a version is not text.
fn reconcile(
    path: &str,
    base: Option<&[u8]>,
    now: Option<&[u8]>,
    ours: Option<&[u8]>,
) -> Option<Option<Vec<u8>>> {
    // Both made the same change: nothing is lost by keeping it.
    if now == ours {
        return Some(ours.map(<[u8]>::to_vec));
    }
    let labels = merge::Labels {
        base: "before".into(),
        ours: "committed meanwhile".into(),
        theirs: "this change".into(),
    };
    let (base, now, ours) = (as_text(base)?, as_text(now)?, as_text(ours)?);
    match merge::merge(path, base, now, ours, &labels, 7) {
        merge::Outcome::Clean(result) => Some(result.map(String::into_bytes)),
        merge::Outcome::Conflicted { .. } => None,
    }
}

/// A version of a file as text for the merge: `Some(None)` when the file is
/// absent, `None` when it is not UTF-8 (errata does not merge it).
fn as_text(bytes: Option<&[u8]>) -> Option<Option<&str>> {
    bytes.map(std::str::from_utf8).transpose().ok()
}

/// Parse a file errata is about to change, as `toml_edit` keeps it.
fn document(path: &str, text: &str) -> Result<DocumentMut, OpError> {
    text.parse().map_err(|e: toml_edit::TomlError| {
        StoreError::BadFile {
            path: path.to_owned(),
            message: e.message().to_owned(),
        }
        .into()
    })
}

/// Apply an edit to a claim file's document, check the claim it becomes, and
/// commit it: the path of every operation that changes one claim.
fn rewrite_claim(
    store: &Store,
    snap: &Snapshot,
    claim: &Claim,
    message: &Message,
    edit: impl FnOnce(&mut DocumentMut),
) -> Result<CommitId, OpError> {
    let path = claim_path(&claim.episode, &claim.id);
    let text = store.read_for_change(&path)?;
    let mut doc = document(&path, &text)?;
    edit(&mut doc);
    let mut out = doc.to_string();
    // toml_edit writes "\n" line ends; keep a hand-written file's "\r\n" ones.
    if text.contains("\r\n") {
        out = out.replace("\r\n", "\n").replace('\n', "\r\n");
    }
    if out == text {
        // An empty commit would only add noise to the record's history.
        return Err(OpError::NothingToChange { path });
    }
    let transcript = transcript_of(store, snap, claim);
    checked_claim(&path, &out, Some(claim), transcript.as_ref())?;
    commit(
        store,
        &[Change {
            path,
            content: Some(out.into_bytes()),
        }],
        message,
    )
}

#[cfg(test)]
mod tests {
    use super::reconcile;

    const BASE: &str = "status = \"checking\"\nclaim = \"x\"\n";

    fn with_source(url: &str) -> String {
        format!("{BASE}\n[[sources]]\nurl = \"{url}\"\n")
    }

    #[test]
    fn a_change_overtaken_by_another_on_the_same_record_is_merged_or_refused() {
        let path = "claims/ep/x.toml";
        let now = with_source("https://example.org/a");
        let ours = with_source("https://example.org/b");
        let merged = reconcile(
            path,
            Some(BASE.as_bytes()),
            Some(now.as_bytes()),
            Some(ours.as_bytes()),
        )
        .expect("two citations merge")
        .expect("the record stays");
        let merged = String::from_utf8(merged).unwrap();
        assert!(
            merged.contains("https://example.org/a") && merged.contains("https://example.org/b"),
            "{merged}"
        );
        // Two different verdicts do not merge: the change is refused.
        let judged = |v: &str| format!("status = \"checked\"\nverdict = \"{v}\"\nclaim = \"x\"\n");
        let (a, b) = (judged("unverifiable"), judged("accurate"));
        assert_eq!(
            reconcile(
                path,
                Some(BASE.as_bytes()),
                Some(a.as_bytes()),
                Some(b.as_bytes())
            ),
            None
        );
        // The same change twice is kept as it is; bytes that are not text are refused.
        assert_eq!(
            reconcile(
                path,
                Some(BASE.as_bytes()),
                Some(a.as_bytes()),
                Some(a.as_bytes())
            ),
            Some(Some(a.clone().into_bytes()))
        );
        assert_eq!(
            reconcile(
                path,
                Some(BASE.as_bytes()),
                Some(&[0xff, 0xfe][..]),
                Some(a.as_bytes())
            ),
            None
        );
    }
}
