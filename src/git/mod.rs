//! Git, wrapped in a few small types. This is the only module that touches git2,
//! so the rest of errata speaks of records and revisions, not of objects and refs.
//!
//! A change is committed in two steps so a crash never leaves half of it behind:
//! [`Repo::prepare_commit`] writes the blobs, tree and commit object (invisible
//! until a ref points at them), the caller writes the files, and
//! [`Repo::publish`] moves the branch with a compare-and-swap and records the
//! touched paths, and only those, in the index.

mod follow;
mod graph;
mod history;
mod integrate;
mod pathindex;
mod recency;
mod remote;
mod treediff;
mod walk;

pub use follow::{History, Indexing};
pub use graph::Graph;
pub use history::{BlobContent, BlobId, ChangeKind, CommitInfo, FileChange, Revision, Side};
pub use integrate::{Divergence, Integration, MergeSides, Settled};
pub use pathindex::BuildLock;
pub use recency::{LastChange, LastChanges, Touch};
pub use remote::{Pushed, Upstream};
pub use walk::RecordWalk;

use std::path::{Path, PathBuf};
use std::thread::sleep;
use std::time::Duration;

use git2::{
    ErrorClass, ErrorCode, FileMode, ObjectType, Oid, Repository, build::TreeUpdateBuilder,
};

/// What can go wrong talking to git, in words a user can act on.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("not inside a git repository (looked from {0} upwards)")]
    NotARepository(PathBuf),
    #[error("{0} is a bare repository; errata needs a working tree")]
    Bare(PathBuf),
    #[error("no git identity: set user.name and user.email")]
    NoIdentity,
    #[error("the branch moved while errata was committing (another process committed first)")]
    HeadMoved,
    #[error("the repository is busy: {what} is locked by another git process")]
    Locked {
        what: String,
        /// The lock file, relative to the working tree (`.git/index.lock`):
        /// one a crashed process left behind is removed by hand.
        lock: String,
    },
    #[error("cannot create the lock file {lock}: {source}")]
    LockFile {
        lock: String,
        source: std::io::Error,
    },
    #[error(
        "committed {commit}, but the index was taken by another git process meanwhile, so it still stages {} as before",
        paths.join(", ")
    )]
    IndexBehind { commit: String, paths: Vec<String> },
    #[error("unknown revision `{0}`")]
    UnknownRevision(String),
    #[error("cannot open the repository again for another thread: {0}")]
    Reopen(String),
    #[error("files the merge must change hold uncommitted changes: {0}")]
    WouldOverwrite(String),
    #[error("HEAD is not on a branch; check out the branch to sync first")]
    DetachedHead,
    #[error("`{command}` failed: {message}")]
    Program { command: String, message: String },
    #[error("the repository is damaged: {what} cannot be read ({message})")]
    Damaged { what: String, message: String },
    #[error("git: {0}")]
    Git(git2::Error),
}

impl From<git2::Error> for GitError {
    /// An object that does not inflate, or a pack that does not hold what its
    /// index says, is damage whatever asked for it: say so, rather than pass
    /// on zlib's or the pack reader's words as if they were the cause. (An
    /// object merely not found may be a question about one that never was.)
    fn from(e: git2::Error) -> Self {
        let damage = e.class() == ErrorClass::Zlib
            || e.class() == ErrorClass::Odb && e.code() != ErrorCode::NotFound;
        if damage {
            GitError::Damaged {
                what: "an object".to_owned(),
                message: e.message().to_owned(),
            }
        } else {
            GitError::Git(e)
        }
    }
}

/// A full commit id, in hex.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CommitId(Oid);

impl std::fmt::Display for CommitId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// As its full hex id, as `git log --format=%H` gives it.
impl serde::Serialize for CommitId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// One path a commit writes or removes, relative to the top of the working tree,
/// with `/` separators.
#[derive(Debug, Clone)]
pub struct Change {
    pub path: String,
    /// New content, or `None` to remove the file.
    pub content: Option<Vec<u8>>,
}

/// A commit object written to the object database but not yet on any branch.
pub struct Prepared {
    commit: Oid,
    parent: Option<Oid>,
    paths: Vec<(String, bool)>,
}

impl Prepared {
    pub fn id(&self) -> CommitId {
        CommitId(self.commit)
    }

    /// The commit it was prepared on top of: what its changes were made against.
    pub fn parent(&self) -> Option<CommitId> {
        self.parent.map(CommitId)
    }
}

/// Whether a record file on disk matches what HEAD has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathState {
    /// Same in HEAD, the index and the working tree (or absent from all three).
    Clean,
    /// Differs from HEAD in the working tree or the index: a hand edit not yet committed.
    Changed,
}

/// The file mode of a regular file in git.
const BLOB_MODE: u32 = 0o100644;

/// Index entry flags hold the conflict stage in bits 12 and 13.
const STAGE_SHIFT: u16 = 12;

/// An index entry for a blob at a conflict stage (0 when merged), with no stat
/// data: git compares the file's content the next time it looks, and refreshes it.
fn index_entry(path: &str, id: Oid, mode: u32, stage: u16) -> git2::IndexEntry {
    git2::IndexEntry {
        ctime: git2::IndexTime::new(0, 0),
        mtime: git2::IndexTime::new(0, 0),
        dev: 0,
        ino: 0,
        mode,
        uid: 0,
        gid: 0,
        file_size: 0,
        id,
        flags: stage << STAGE_SHIFT,
        flags_extended: 0,
        path: path.as_bytes().to_vec(),
    }
}

pub struct Repo {
    inner: Repository,
    workdir: PathBuf,
    /// Who commits are authored by, when not the identity git's config and
    /// environment give (the signed-in user of `errata serve`).
    author_as: Option<(String, String)>,
}

const INDEX: &str = "the index";

/// `.git/index.lock`, held the way git holds it: created only if absent,
/// removed when dropped. Waits a moment for another process, as git would.
struct IndexLock(PathBuf);

impl IndexLock {
    /// `lock` names the file for messages, as the user sees it.
    fn take(path: &Path, lock: &str) -> Result<IndexLock, GitError> {
        let mut waits = lock_waits();
        loop {
            let created = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path);
            match created {
                Ok(_) => return Ok(IndexLock(path.to_owned())),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => match waits.next() {
                    Some(wait) => sleep(wait),
                    None => {
                        return Err(GitError::Locked {
                            what: INDEX.to_owned(),
                            lock: lock.to_owned(),
                        });
                    }
                },
                Err(source) => {
                    return Err(GitError::LockFile {
                        lock: lock.to_owned(),
                        source,
                    });
                }
            }
        }
    }
}

impl Drop for IndexLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Retry an operation that libgit2 refuses at once when another process holds a
/// lock, as git itself would wait a moment; give up with a clear message.
fn with_lock_retry<T>(
    what: &str,
    lock: &str,
    mut f: impl FnMut() -> Result<T, git2::Error>,
) -> Result<T, GitError> {
    let mut waits = lock_waits();
    loop {
        match f() {
            Err(e) if e.code() == ErrorCode::Locked => match waits.next() {
                Some(wait) => sleep(wait),
                None => {
                    return Err(GitError::Locked {
                        what: what.to_owned(),
                        lock: lock.to_owned(),
                    });
                }
            },
            other => return other.map_err(GitError::from),
        }
    }
}

/// How long to wait, between tries, for a lock another process holds, as
/// git would wait a moment: 10 ms, doubling, eight times (2.55 s in all).
fn lock_waits() -> impl Iterator<Item = Duration> {
    (0..8).map(|k| Duration::from_millis(10 << k))
}

impl Repo {
    /// Find the repository that holds `start`, walking up as git does.
    pub fn discover(start: &Path) -> Result<Repo, GitError> {
        let inner = Repository::discover(start).map_err(|e| {
            if e.code() == ErrorCode::NotFound {
                GitError::NotARepository(start.to_path_buf())
            } else {
                GitError::Git(e)
            }
        })?;
        Self::wrap(inner)
    }

    /// Open the repository whose git folder is `git_dir`: a second handle for
    /// another thread, since a handle cannot be shared between threads.
    pub fn open_git_dir(git_dir: &Path) -> Result<Repo, GitError> {
        Self::wrap(Repository::open(git_dir)?)
    }

    /// The repository holding `path` (found as git finds it, walking up), or a
    /// new one created at `path` as `git init` would if there is none.
    pub fn init(path: &Path) -> Result<(Repo, bool), GitError> {
        match Repository::discover(path) {
            Ok(inner) => Ok((Self::wrap(inner)?, false)),
            Err(e) if e.code() == ErrorCode::NotFound => {
                Ok((Self::wrap(Repository::init(path)?)?, true))
            }
            Err(e) => Err(e.into()),
        }
    }

    fn wrap(inner: Repository) -> Result<Repo, GitError> {
        // libgit2 re-hashes every object it reads; git does not (that is what
        // `git fsck` is for), and on a long history it is a tenth of the time.
        static SETTINGS: std::sync::Once = std::sync::Once::new();
        SETTINGS.call_once(|| git2::opts::strict_hash_verification(false));
        let workdir = inner
            .workdir()
            .ok_or_else(|| GitError::Bare(inner.path().to_path_buf()))?
            .to_path_buf();
        Ok(Repo {
            inner,
            workdir,
            author_as: None,
        })
    }

    /// The top of the working tree.
    pub fn workdir(&self) -> &Path {
        &self.workdir
    }

    /// The `.git` folder, where errata keeps its cache.
    pub fn git_dir(&self) -> &Path {
        self.inner.path()
    }

    /// The user's identity as `git commit` would use it, so a missing one is
    /// reported before anything is written.
    pub fn identity(&self) -> Result<(String, String), GitError> {
        let sig = self.author()?;
        Ok((
            sig.name().unwrap_or_default().to_owned(),
            sig.email().unwrap_or_default().to_owned(),
        ))
    }

    fn author(&self) -> Result<git2::Signature<'static>, GitError> {
        if let Some((name, email)) = &self.author_as {
            return Ok(git2::Signature::now(name, email)?);
        }
        self.inner
            .author_from_env()
            .map_err(|_| GitError::NoIdentity)
    }

    /// Author this handle's commits as `name <email>` (the committer stays
    /// the identity git's config gives), as a shared server does for each
    /// signed-in editor.
    pub fn author_as(&mut self, name: &str, email: &str) {
        self.author_as = Some((name.to_owned(), email.to_owned()));
    }

    /// A commit the history names, which therefore must exist: one that
    /// cannot be read is damage, never the end of history.
    pub(crate) fn read_commit(&self, id: Oid) -> Result<git2::Commit<'_>, GitError> {
        self.inner.find_commit(id).map_err(|e| GitError::Damaged {
            what: format!("commit {id}"),
            message: e.message().to_owned(),
        })
    }

    fn head_commit(&self) -> Result<Option<git2::Commit<'_>>, GitError> {
        match self.inner.head() {
            Ok(head) => head
                .peel_to_commit()
                .map(Some)
                .map_err(|e| GitError::Damaged {
                    what: format!(
                        "HEAD's commit {}",
                        head.target().map(|t| t.to_string()).unwrap_or_default()
                    ),
                    message: e.message().to_owned(),
                }),
            Err(e) if e.code() == ErrorCode::UnbornBranch || e.code() == ErrorCode::NotFound => {
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Compare a file in the working tree with HEAD and the index, so a command
    /// can refuse to commit over a hand edit instead of sweeping it in.
    pub fn path_state(&self, rel: &str) -> Result<PathState, GitError> {
        let head_id = match self.head_commit()? {
            Some(c) => c.tree()?.get_path(Path::new(rel)).ok().map(|e| e.id()),
            None => None,
        };
        let index = self.inner.index()?;
        let index_id = index.get_path(Path::new(rel), 0).map(|e| e.id);
        let disk = match std::fs::read(self.workdir.join(rel)) {
            Ok(bytes) => Some(Oid::hash_object(ObjectType::Blob, &bytes)?),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(GitError::Git(git2::Error::from_str(&e.to_string()))),
        };
        if head_id == index_id && head_id == disk {
            Ok(PathState::Clean)
        } else {
            Ok(PathState::Changed)
        }
    }

    /// Write the objects of a commit that applies `changes` on top of HEAD.
    /// Nothing is visible to the user until [`Repo::publish`].
    pub fn prepare_commit(&self, changes: &[Change], message: &str) -> Result<Prepared, GitError> {
        let author = self.author()?;
        let committer = self
            .inner
            .committer_from_env()
            .map_err(|_| GitError::NoIdentity)?;
        let parent = self.head_commit()?;
        let base = match &parent {
            Some(c) => c.tree()?,
            None => {
                let empty = self.inner.treebuilder(None)?.write()?;
                self.inner.find_tree(empty)?
            }
        };
        let mut update = TreeUpdateBuilder::new();
        for change in changes {
            match &change.content {
                Some(bytes) => {
                    let blob = self.inner.blob(bytes)?;
                    update.upsert(change.path.as_str(), blob, FileMode::Blob);
                }
                None => {
                    update.remove(change.path.as_str());
                }
            }
        }
        let tree_id = update.create_updated(&self.inner, &base)?;
        let tree = self.inner.find_tree(tree_id)?;
        let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
        let commit = self
            .inner
            .commit(None, &author, &committer, message, &tree, &parents)?;
        Ok(Prepared {
            commit,
            parent: parent.map(|p| p.id()),
            paths: changes
                .iter()
                .map(|c| (c.path.clone(), c.content.is_some()))
                .collect(),
        })
    }

    /// Point the current branch at a prepared commit, failing if it moved since
    /// [`Repo::prepare_commit`], then stage exactly the touched paths so
    /// `git status` agrees; every other index entry stays as the user left it.
    pub fn publish(&self, prepared: &Prepared) -> Result<CommitId, GitError> {
        let summary = self
            .inner
            .find_commit(prepared.commit)?
            .summary()
            .ok()
            .flatten()
            .unwrap_or_default()
            .to_owned();
        let reflog = format!("commit: {summary}");
        let head = self.inner.find_reference("HEAD")?;
        let target = head
            .symbolic_target()?
            .map(str::to_owned)
            .unwrap_or_else(|| "HEAD".to_owned());
        let shown = |p: PathBuf| {
            p.strip_prefix(&self.workdir)
                .unwrap_or(&p)
                .display()
                .to_string()
        };
        let ref_lock = shown(self.inner.path().join(format!("{target}.lock")));
        let index_path = self.inner.path().join("index.lock");
        let index_shown = shown(index_path.clone());
        // Taken before the branch moves, as `git commit` holds it throughout:
        // an index another process holds would leave the new commit with an
        // index that still stages the old files.
        let index_lock = IndexLock::take(&index_path, &index_shown)?;
        let moved = |e: git2::Error| {
            if e.code() == ErrorCode::Modified
                || e.code() == ErrorCode::Exists
                || e.class() == ErrorClass::Reference && e.code() != ErrorCode::Locked
            {
                GitError::HeadMoved
            } else if e.code() == ErrorCode::Locked {
                GitError::Locked {
                    what: target.clone(),
                    lock: ref_lock.clone(),
                }
            } else {
                GitError::Git(e)
            }
        };
        match prepared.parent {
            Some(parent) => {
                with_lock_retry(&target, &ref_lock, || {
                    self.inner
                        .reference_matching(&target, prepared.commit, true, parent, &reflog)
                })
                .map_err(|e| match e {
                    GitError::Git(e) => moved(e),
                    other => other,
                })?;
            }
            None => {
                with_lock_retry(&target, &ref_lock, || {
                    self.inner
                        .reference(&target, prepared.commit, false, &reflog)
                })
                .map_err(|e| match e {
                    GitError::Git(e) => moved(e),
                    other => other,
                })?;
            }
        }
        let tree = self.inner.find_commit(prepared.commit)?.tree()?;
        drop(index_lock);
        let staged = with_lock_retry(INDEX, &index_shown, || {
            let mut index = self.inner.index()?;
            index.read(false)?;
            for (path, present) in &prepared.paths {
                if *present {
                    self.stage(&mut index, &tree, path)?;
                } else {
                    match index.remove_path(Path::new(path)) {
                        Err(e) if e.code() != ErrorCode::NotFound => return Err(e),
                        _ => {}
                    }
                }
            }
            index.write()
        });
        match staged {
            // Only in the moment between our lock and libgit2's own can
            // another process take it; the commit stands, so say so.
            Err(GitError::Locked { .. }) => Err(GitError::IndexBehind {
                commit: CommitId(prepared.commit).short(),
                paths: prepared.paths.iter().map(|(p, _)| p.clone()).collect(),
            }),
            other => other.map(|()| CommitId(prepared.commit)),
        }
    }

    /// Stage `path` as the commit has it. Normally the file on disk is that
    /// content and is staged with its stat data, as `git add` would; if another
    /// process has written the file since (a concurrent writer in this checkout),
    /// the committed blob is staged instead, so the index never holds content
    /// that no commit made.
    fn stage(
        &self,
        index: &mut git2::Index,
        tree: &git2::Tree<'_>,
        path: &str,
    ) -> Result<(), git2::Error> {
        let entry = tree.get_path(Path::new(path))?;
        let on_disk = std::fs::read(self.workdir.join(path))
            .ok()
            .and_then(|b| Oid::hash_object(ObjectType::Blob, &b).ok());
        if on_disk == Some(entry.id()) {
            return index.add_path(Path::new(path));
        }
        let mode = u32::try_from(entry.filemode()).unwrap_or(BLOB_MODE);
        index.add(&index_entry(path, entry.id(), mode, 0))
    }

    /// A value of this repository's git config (local, global and system, as
    /// git reads them), if it is set.
    pub fn config(&self, key: &str) -> Result<Option<String>, GitError> {
        let config = self.inner.config()?;
        match config.get_string(key) {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Set a value in this clone's own config (`.git/config`), as
    /// `git config KEY VALUE` does.
    pub fn set_local_config(&self, key: &str, value: &str) -> Result<(), GitError> {
        let mut config = self.inner.config()?.open_level(git2::ConfigLevel::Local)?;
        Ok(config.set_str(key, value)?)
    }

    /// The commit HEAD points at, if any.
    pub fn head_id(&self) -> Result<Option<CommitId>, GitError> {
        Ok(self.head_commit()?.map(|c| CommitId(c.id())))
    }

    /// A file's content in a commit (`None` for no commit, or no such file).
    pub fn blob_in(
        &self,
        commit: Option<CommitId>,
        rel: &str,
    ) -> Result<Option<Vec<u8>>, GitError> {
        let Some(commit) = commit else {
            return Ok(None);
        };
        let tree = self.inner.find_commit(commit.0)?.tree()?;
        match tree.get_path(Path::new(rel)) {
            Ok(entry) => Ok(Some(self.inner.find_blob(entry.id())?.content().to_vec())),
            Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The newest commit after `since` (not included) up to `newest` that changed
    /// `rel`: who moved a file under a command that was committing it.
    pub fn last_change(
        &self,
        rel: &str,
        newest: CommitId,
        since: Option<CommitId>,
    ) -> Result<Option<CommitInfo>, GitError> {
        let mut walk = self.inner.revwalk()?;
        walk.push(newest.0)?;
        if let Some(s) = since {
            walk.hide(s.0)?;
        }
        let entry = |c: &git2::Commit<'_>| -> Result<Option<Oid>, GitError> {
            Ok(c.tree()?.get_path(Path::new(rel)).ok().map(|e| e.id()))
        };
        for id in walk {
            let commit = self.inner.find_commit(id?)?;
            // By id, not `parents()`, which ends quietly at a parent it cannot
            // read: a damaged parent is an error, not a root.
            let before = match commit.parent_ids().next() {
                Some(p) => entry(&self.read_commit(p)?)?,
                None => None,
            };
            if entry(&commit)? != before {
                return Ok(Some(self.info(&commit)));
            }
        }
        Ok(None)
    }

    /// The content of a file at a revision (`HEAD~3`, a tag, a short hash).
    pub fn read_at(&self, rev: &str, rel: &str) -> Result<Option<Vec<u8>>, GitError> {
        let commit = self.resolve(rev)?;
        let tree = self.inner.find_commit(commit.0)?.tree()?;
        match tree.get_path(Path::new(rel)) {
            Ok(entry) => Ok(Some(
                entry
                    .to_object(&self.inner)?
                    .peel_to_blob()?
                    .content()
                    .to_vec(),
            )),
            Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Paths of all files under `dir` at a revision, for finding a record whose
    /// episode folder may have changed since.
    pub fn files_at(&self, rev: &str, dir: &str) -> Result<Vec<String>, GitError> {
        let commit = self.resolve(rev)?;
        let tree = self.inner.find_commit(commit.0)?.tree()?;
        let sub = match tree.get_path(Path::new(dir)) {
            Ok(entry) => entry.to_object(&self.inner)?.peel_to_tree()?,
            Err(e) if e.code() == ErrorCode::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        let mut out = Vec::new();
        sub.walk(git2::TreeWalkMode::PreOrder, |root, entry| {
            if entry.kind() == Some(ObjectType::Blob)
                && let Ok(name) = entry.name()
            {
                out.push(format!("{dir}/{root}{name}"));
            }
            git2::TreeWalkResult::Ok
        })?;
        Ok(out)
    }

    /// Resolve a revision to a commit.
    pub fn resolve(&self, rev: &str) -> Result<CommitId, GitError> {
        // A revision that names nothing, unless the repository cannot be read
        // at all: then that is the cause.
        let unknown = |e: git2::Error| -> GitError {
            if let damaged @ GitError::Damaged { .. } = GitError::from(e) {
                return damaged;
            }
            match self.has_commits() {
                Err(damaged) => damaged,
                Ok(_) => GitError::UnknownRevision(rev.to_owned()),
            }
        };
        let obj = self.inner.revparse_single(rev).map_err(unknown)?;
        let commit = obj.peel_to_commit().map_err(unknown)?;
        Ok(CommitId(commit.id()))
    }
}
