//! Reviewing changes: the history of a record, the changelog of the whole
//! repository, what changed between two revisions, each as field changes, and
//! a record as it was at any revision. Uses `git` (through `Repo`), `store`
//! (paths and parsing) and `diff`.

use std::borrow::Cow;
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use crate::diff::{FieldChange, count_changes, diff_records};
use crate::git::{ChangeKind, CommitInfo, FileChange, GitError, Indexing, Repo, Side};
use crate::store::{
    self, CLAIMS_DIR, CORRECTIONS_DIR, EPISODE_FILE, Parsed, RecordKind, RecordRef, SETTINGS_FILE,
    Store,
};

/// The folders and files that hold records.
pub const RECORD_PATHS: &[&str] = &[CLAIMS_DIR, CORRECTIONS_DIR, SETTINGS_FILE];

/// Why a record cannot be read at a revision.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error(transparent)]
    Git(#[from] GitError),
    #[error("{kind} `{id}` did not exist at {rev}")]
    NotAtRevision {
        kind: &'static str,
        id: String,
        rev: String,
    },
    #[error("{path} at {rev} is not a valid {kind}: {message}")]
    Invalid {
        kind: RecordKind,
        path: String,
        rev: String,
        message: String,
    },
    #[error("no claim, correction or episode matches `{0}` (and no revision is named so)")]
    NoSuchRecord(String),
}

/// A record as it was at `rev`: at the path it has now when it was there, else
/// wherever a file of that id was (a claim may have moved between episodes
/// since). `current` is the record `id` names now, if it still exists; without
/// it, `id` is looked for whole among every kind of record at `rev`.
pub fn record_at(
    store: &Store,
    current: Option<&RecordRef>,
    id: &str,
    rev: &str,
) -> Result<Parsed, ReviewError> {
    let repo = store.repo();
    repo.resolve(rev)?;
    let mut found = None;
    if let Some(r) = current
        && let Some(bytes) = repo.read_at(rev, &r.path())?
    {
        found = Some((r.path(), bytes));
    }
    let claim_may_have_moved = current.is_none_or(|r| r.kind() == RecordKind::Claim);
    let id = current.map_or(id, RecordRef::id);
    if found.is_none() && current.is_none() {
        for path in [
            format!("{CORRECTIONS_DIR}/{id}.toml"),
            format!("{CLAIMS_DIR}/{id}/{EPISODE_FILE}"),
        ] {
            if let Some(bytes) = repo.read_at(rev, &path)? {
                found = Some((path, bytes));
                break;
            }
        }
    }
    if found.is_none() && claim_may_have_moved {
        let suffix = format!("/{id}.toml");
        for path in repo.files_at(rev, CLAIMS_DIR)? {
            if path.ends_with(&suffix)
                && let Some(bytes) = repo.read_at(rev, &path)?
            {
                found = Some((path, bytes));
                break;
            }
        }
    }
    let (path, bytes) = found.ok_or_else(|| ReviewError::NotAtRevision {
        kind: current.map_or("record", |r| r.kind().as_str()),
        id: id.to_owned(),
        rev: rev.to_owned(),
    })?;
    match store::parse_at(&path, &bytes) {
        Parsed::Bad(p) => Err(ReviewError::Invalid {
            kind: store::record_kind(&path).unwrap_or(RecordKind::Claim),
            path,
            rev: rev.to_owned(),
            message: p.message,
        }),
        parsed => Ok(parsed),
    }
}

/// Every path a record's file has on any of `sides` (a claim may have moved
/// between them), for limiting a diff to it. `current` is the record `id`
/// names now.
pub fn record_paths(
    store: &Store,
    current: Option<&RecordRef>,
    id: &str,
    sides: &[&Side],
) -> Result<Vec<String>, ReviewError> {
    let mut paths: Vec<String> = current.map(RecordRef::path).into_iter().collect();
    let claim_may_have_moved = current.is_none_or(|r| r.kind() == RecordKind::Claim);
    let full = current.map_or(id, RecordRef::id);
    let suffix = format!("/{full}.toml");
    for side in sides {
        if let Side::Rev(r) = side {
            for path in [
                format!("{CORRECTIONS_DIR}/{full}.toml"),
                format!("{CLAIMS_DIR}/{full}/{EPISODE_FILE}"),
            ] {
                if current.is_none() && store.repo().read_at(r, &path)?.is_some() {
                    paths.push(path);
                }
            }
            if claim_may_have_moved {
                paths.extend(
                    store
                        .repo()
                        .files_at(r, CLAIMS_DIR)?
                        .into_iter()
                        .filter(|p| p.ends_with(&suffix) && !p.ends_with(EPISODE_FILE)),
                );
            }
        }
    }
    if paths.is_empty() {
        return Err(ReviewError::NoSuchRecord(id.to_owned()));
    }
    paths.sort();
    paths.dedup();
    Ok(paths)
}

/// A record file changed, with its field changes.
#[derive(Debug, Clone, Serialize)]
pub struct RecordChange {
    /// What the record is (claim, correction, episode, settings); none for a
    /// file under the record folders that holds no record.
    pub kind: Option<RecordKind>,
    /// added, modified, deleted or renamed.
    pub change: &'static str,
    pub path: String,
    /// The path before a rename or move.
    pub old_path: Option<String>,
    pub changes: Vec<FieldChange>,
}

/// One commit and the records it changed.
#[derive(Debug, Clone, Serialize)]
pub struct LogEntry {
    pub commit: String,
    #[serde(skip)]
    pub short: String,
    pub author: String,
    pub email: String,
    /// RFC 3339, in the author's time zone.
    pub time: String,
    pub summary: String,
    pub records: Vec<RecordChange>,
}

/// Dates as RFC 3339 in the author's own offset, as `git log --date=iso-strict` shows.
pub fn rfc3339(seconds: i64, offset_minutes: i32) -> String {
    let offset =
        jiff::tz::Offset::from_seconds(offset_minutes * 60).unwrap_or(jiff::tz::Offset::UTC);
    match jiff::Timestamp::from_second(seconds) {
        Ok(ts) => ts
            .to_zoned_datetime(jiff::tz::TimeZone::fixed(offset))
            .strftime("%Y-%m-%dT%H:%M:%S%:z")
            .to_string(),
        Err(_) => seconds.to_string(),
    }
}

/// A date and time for a person: `2024-01-01 13:43`, in the author's own offset.
pub fn short_time(rfc3339: &str) -> String {
    rfc3339.get(..16).unwrap_or(rfc3339).replace('T', " ")
}

fn kind_name(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Added => "added",
        ChangeKind::Modified => "modified",
        ChangeKind::Deleted => "deleted",
        ChangeKind::Renamed => "renamed",
    }
}

pub(crate) fn entry(commit: &CommitInfo, records: Vec<RecordChange>) -> LogEntry {
    LogEntry {
        commit: commit.id.hex(),
        short: commit.id.short(),
        author: commit.author.clone(),
        email: commit.email.clone(),
        time: rfc3339(commit.time, commit.offset_minutes),
        summary: commit.summary.clone(),
        records,
    }
}

/// One side of a file change as read: a blob lent by the repository, or a
/// working-tree file.
enum Read<'r> {
    Blob(crate::git::BlobContent<'r>),
    File(Vec<u8>),
}

impl Read<'_> {
    /// The text, borrowed when it is valid UTF-8 (records are), else with
    /// invalid bytes replaced.
    fn text(&self) -> Cow<'_, str> {
        let bytes = match self {
            Read::Blob(b) => b.bytes(),
            Read::File(f) => f,
        };
        match std::str::from_utf8(bytes) {
            Ok(s) => Cow::Borrowed(s),
            Err(_) => String::from_utf8_lossy(bytes),
        }
    }
}

/// Read both sides of a file change and hand their texts to `compare`.
fn compare_change<'r, T>(
    repo: &'r Repo,
    root: &Path,
    change: &FileChange,
    new_side: &Side,
    compare: impl FnOnce(Option<&str>, Option<&str>) -> T,
) -> Result<T, GitError> {
    let read = |blob: Option<crate::git::BlobId>,
                path: Option<&str>,
                working: bool|
     -> Result<Option<Read<'r>>, GitError> {
        if working {
            return Ok(path
                .and_then(|p| std::fs::read(root.join(p)).ok())
                .map(Read::File));
        }
        match blob {
            Some(b) => Ok(Some(Read::Blob(repo.blob_content(b)?))),
            None => Ok(None),
        }
    };
    let old = read(change.old_blob, change.old_path.as_deref(), false)?;
    let new = read(
        change.new_blob,
        change.new_path.as_deref(),
        *new_side == Side::WorkingTree,
    )?;
    let (old, new) = (old.as_ref().map(Read::text), new.as_ref().map(Read::text));
    Ok(compare(old.as_deref(), new.as_deref()))
}

/// Read both sides of a file change and compare them field by field.
fn record_change(
    repo: &Repo,
    root: &Path,
    change: &FileChange,
    new_side: &Side,
) -> Result<RecordChange, GitError> {
    Ok(RecordChange {
        changes: compare_change(repo, root, change, new_side, diff_records)?,
        ..unread_change(change)
    })
}

/// `f` for each of many items (file changes, record paths), on every core:
/// each thread reads the repository through a handle of its own, and
/// parsing and comparing run in parallel.
fn on_every_core<I: Sync, T: Send>(
    store: &Store,
    items: &[I],
    f: impl Fn(&Repo, &Path, &I) -> Result<T, GitError> + Sync,
) -> Result<Vec<T>, GitError> {
    let git_dir = store.repo().git_dir().to_path_buf();
    let root = store.root().to_path_buf();
    items
        .par_iter()
        .map_init(
            || Repo::open_git_dir(&git_dir),
            |repo, file| match repo {
                Ok(repo) => f(repo, &root, file),
                Err(e) => Err(GitError::Reopen(e.to_string())),
            },
        )
        .collect()
}

/// [`record_change`] for many files, on every core.
pub(crate) fn record_changes(
    store: &Store,
    files: &[FileChange],
    new_side: &Side,
) -> Result<Vec<RecordChange>, GitError> {
    on_every_core(store, files, |repo, root, f| {
        record_change(repo, root, f, new_side)
    })
}

/// Every revision of the record at `path`, newest first, as `git log --follow`
/// lists them, each with its field changes.
/// Field changes are read and compared only `with_changes`, since a plain list
/// of commits needs no record read.
pub fn record_log(
    store: &Store,
    path: &str,
    from: &str,
    with_changes: bool,
) -> Result<Vec<LogEntry>, GitError> {
    Ok(record_log_with(store, path, from, with_changes, Indexing::All)?.entries)
}

/// One record's log, and whether the walk left commits unindexed.
pub struct RecordLog {
    pub entries: Vec<LogEntry>,
    /// The walk met commits the history index lacks and, as `indexing`
    /// allowed, left them for [`crate::git::Repo::index_history`].
    pub unindexed: bool,
}

/// [`record_log`], building as much of the history index as `indexing` allows.
pub fn record_log_with(
    store: &Store,
    path: &str,
    from: &str,
    with_changes: bool,
    indexing: Indexing,
) -> Result<RecordLog, GitError> {
    log_in(
        store.repo(),
        store.root(),
        path,
        from,
        with_changes,
        indexing,
    )
}

/// [`record_log_with`] through a given handle on the repository.
fn log_in(
    repo: &Repo,
    root: &Path,
    path: &str,
    from: &str,
    with_changes: bool,
    indexing: Indexing,
) -> Result<RecordLog, GitError> {
    let history = repo.path_history_with(from, path, indexing)?;
    let mut entries = Vec::with_capacity(history.revisions.len());
    for r in history.revisions {
        let new = Side::Rev(r.commit.id.hex());
        let change = if with_changes {
            record_change(repo, root, &r.change, &new)?
        } else {
            unread_change(&r.change)
        };
        entries.push(entry(&r.commit, vec![change]));
    }
    Ok(RecordLog {
        entries,
        unindexed: history.unindexed,
    })
}

/// A file change named without reading the record: no field changes.
pub(crate) fn unread_change(change: &FileChange) -> RecordChange {
    RecordChange {
        kind: store::record_kind(change.path()),
        change: kind_name(change.kind),
        path: change.path().to_owned(),
        old_path: (change.kind == ChangeKind::Renamed)
            .then(|| change.old_path.clone())
            .flatten(),
        changes: Vec::new(),
    }
}

/// The history of each of `paths` (newest first, with field changes), as
/// [`record_log`] gives it, for publishing every record's life at once; the
/// records are read on every core, each thread with its own handle on the
/// repository. Empty for a repository without commits.
pub fn histories(
    store: &Store,
    paths: &[String],
) -> Result<std::collections::HashMap<String, Vec<LogEntry>>, GitError> {
    if !store.repo().has_commits()? {
        return Ok(Default::default());
    }
    let logs = on_every_core(store, paths, |repo, root, path| {
        let log = log_in(repo, root, path, "HEAD", true, Indexing::All)?;
        Ok((path.clone(), log.entries))
    })?;
    Ok(logs.into_iter().collect())
}

/// Which commits a changelog covers.
#[derive(Debug, Default, Clone)]
pub struct LogFilter {
    /// Only records of this episode (and corrections aired in it are not implied).
    pub episode: Option<String>,
    /// Substring of the author's name or email, case-insensitive.
    pub author: Option<String>,
    /// Commits after this date (YYYY-MM-DD, seconds since the epoch) or revision.
    pub since: Option<Bound>,
    pub until: Option<Bound>,
}

/// A limit of a changelog: a moment or a revision.
#[derive(Debug, Clone)]
pub enum Bound {
    Time(i64),
    Rev(String),
}

impl Bound {
    /// A date (`2024-01-31`, as midnight UTC), a date and time in RFC 3339, or else
    /// a revision git understands.
    pub fn parse(s: &str) -> Bound {
        if let Ok(d) = s.parse::<jiff::civil::Date>()
            && let Ok(z) = d.to_zoned_datetime(jiff::tz::TimeZone::UTC)
        {
            return Bound::Time(z.timestamp().as_second());
        }
        if let Ok(ts) = s.parse::<jiff::Timestamp>() {
            return Bound::Time(ts.as_second());
        }
        Bound::Rev(s.to_owned())
    }
}

/// The record files that differ between two sides, limited to `only` paths when given.
fn changed(
    store: &Store,
    old: &Side,
    new: &Side,
    only: &[String],
) -> Result<Vec<FileChange>, GitError> {
    Ok(store
        .repo()
        .changed_files(old, new, RECORD_PATHS)?
        .into_iter()
        .filter(|f| {
            only.is_empty()
                || only
                    .iter()
                    .any(|p| f.new_path.as_deref() == Some(p) || f.old_path.as_deref() == Some(p))
        })
        .collect())
}

/// The records that differ between two sides, each with its field changes,
/// limited to `only` paths when given.
pub fn diff(
    store: &Store,
    old: &Side,
    new: &Side,
    only: &[String],
) -> Result<Vec<RecordChange>, GitError> {
    record_changes(store, &changed(store, old, new, only)?, new)
}

/// The records [`diff`] lists, each with how many field changes it has
/// (always the length of [`diff`]'s list) in place of the changes
/// themselves, which a summary does not show.
pub fn diff_stat(
    store: &Store,
    old: &Side,
    new: &Side,
    only: &[String],
) -> Result<Vec<(RecordChange, usize)>, GitError> {
    let files = changed(store, old, new, only)?;
    on_every_core(store, &files, |repo, root, f| {
        let n = compare_change(repo, root, f, new, count_changes)?;
        Ok((unread_change(f), n))
    })
}

/// A patch of the record files between two sides that `git apply` accepts.
pub fn unified(store: &Store, old: &Side, new: &Side, only: &[String]) -> Result<String, GitError> {
    let paths: Vec<&str> = if only.is_empty() {
        RECORD_PATHS.to_vec()
    } else {
        only.iter().map(String::as_str).collect()
    };
    store.repo().patch(old, new, &paths)
}
