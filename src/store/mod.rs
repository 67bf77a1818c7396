//! The fact-check repository on disk: where records live, how they are read, and
//! how a change reaches the working tree and history together.
//!
//! Reading never stops at a bad record: each file is parsed on its own, and what
//! cannot be read becomes a [`Problem`](crate::diagnostic::Problem) beside the
//! records that could. Parsed records are cached under `.git/errata/`, keyed on
//! file metadata as git's index is, so a run on an unchanged repository re-reads
//! nothing but the cache.
//!
//! This file owns the [`Store`] handle and the one way a change is written:
//! [`Store::commit`]. Its parts: `layout` (where each kind of record lives, and
//! listing them), `snapshot` (what one read of the working tree holds), `load`
//! (reading it, through `cache`, keyed on each file's `stamp`), `select` (reading only the
//! records a command about a few of them needs), `places` (where problems sit
//! in files, remembered for `validate`), `parse` (one file's bytes into a record),
//! `write` (atomic writes and in-place TOML edits), `folder` (files looked up
//! relative to an open folder). It may use `git`, `model`,
//! `transcript` and `diagnostic`; it never prints.

pub mod cache;
mod folder;
mod layout;
mod load;
mod parse;
mod places;
mod select;
mod snapshot;
mod stamp;
pub mod write;

use std::path::Path;

use crate::git::{Change, CommitId, GitError, PathState, Prepared, Repo};
use crate::model::Episode;
use crate::transcript::Transcript;

pub use layout::{
    CLAIMS_DIR, CORRECTIONS_DIR, EPISODE_FILE, MAX_RECORD_BYTES, MAX_TRANSCRIPT_BYTES, RecordKind,
    RecordRef, SETTINGS_FILE, TRANSCRIPT_FILE, claim_path, correction_path, episode_folders,
    episode_path, is_record_path, record_kind, size_limit, symbolic_link_in, too_large,
    transcript_path,
};
pub use parse::{parse_at, parse_claim_at, parse_toml, read_transcript};
pub use places::Located;
pub use select::Selection;
pub use snapshot::{Checker, Checks, ClaimRecord, CorrectionsByClaim, Parsed, Snapshot};
pub use stamp::{Stamp, context_key};

/// Errors of the store, each with what the user can do about it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Git(#[from] GitError),
    #[error(
        "{path} has uncommitted changes; commit them with git (or discard them) and run the command again"
    )]
    Uncommitted { path: String },
    /// `path` is the part of the path that is the link: the record itself, or
    /// the folder it would be in.
    #[error("{path} {}", crate::diagnostic::SYMBOLIC_LINK)]
    SymbolicLink { path: String },
    #[error("{}", too_large(path, *size))]
    TooLarge { path: String, size: u64 },
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    BadFile { path: String, message: String },
    #[error("{path} was changed{} while this command ran, in a way this change cannot be merged with; nothing was changed", by.as_deref().map(|b| format!(" by {b}")).unwrap_or_default())]
    Overtaken { path: String, by: Option<String> },
    #[error(
        "another errata command has been changing this repository for a minute ({0} is locked)"
    )]
    Busy(String),
}

/// The right to change records in one checkout; see [`Store::write_lock`].
#[must_use = "the lock is released when this is dropped"]
pub struct WriteLock {
    _file: std::fs::File,
}

/// A fact-check repository: a git repository with errata's layout.
pub struct Store {
    repo: Repo,
}

impl Store {
    /// Open the repository at `path`, or the one holding the current folder.
    pub fn discover(path: &Path) -> Result<Store, StoreError> {
        Ok(Store {
            repo: Repo::discover(path)?,
        })
    }

    pub fn from_repo(repo: Repo) -> Store {
        Store { repo }
    }

    pub fn root(&self) -> &Path {
        self.repo.workdir()
    }

    pub fn repo(&self) -> &Repo {
        &self.repo
    }

    /// Author the commits of this store's operations as `name <email>`.
    pub fn author_as(&mut self, name: &str, email: &str) {
        self.repo.author_as(name, email);
    }

    /// Whether `errata init` has run here.
    pub fn is_initialised(&self) -> bool {
        self.root().join(SETTINGS_FILE).is_file()
    }

    /// Hold the right to change records in this checkout until the lock is
    /// dropped: errata commands that write take it before they read what they
    /// change, so two of them on one checkout (a script, editors sharing a
    /// server) run one after the other and each sees the other's commit. The
    /// lock is advisory (`flock`), lives in `.git/errata/`, and ends with the
    /// process however it ends. Writers other than errata (plain git) are
    /// handled by [`Store::commit`]'s retry instead.
    pub fn write_lock(&self) -> Result<WriteLock, StoreError> {
        use std::fs::TryLockError;
        const WAIT: std::time::Duration = std::time::Duration::from_secs(60);
        let path = self.repo.git_dir().join("errata").join("write.lock");
        let shown = || path.display().to_string();
        let file = std::fs::create_dir_all(path.parent().unwrap_or(&path))
            .and_then(|()| {
                std::fs::OpenOptions::new()
                    .create(true)
                    .truncate(false)
                    .write(true)
                    .open(&path)
            })
            .map_err(|source| StoreError::Write {
                path: shown(),
                source,
            })?;
        let started = std::time::Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(WriteLock { _file: file }),
                Err(TryLockError::WouldBlock) if started.elapsed() < WAIT => {
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                Err(TryLockError::WouldBlock) => return Err(StoreError::Busy(shown())),
                Err(TryLockError::Error(source)) => {
                    return Err(StoreError::Write {
                        path: shown(),
                        source,
                    });
                }
            }
        }
    }

    /// The transcript of an episode, if it has one.
    pub fn transcript(&self, episode: &Episode) -> Result<Option<Transcript>, StoreError> {
        read_transcript(self.root(), episode)
    }

    /// Read a file of the working tree that a command is about to change,
    /// refusing if it holds a hand edit that is not committed: the command's commit
    /// would otherwise sweep it in.
    pub fn read_for_change(&self, rel: &str) -> Result<String, StoreError> {
        self.ensure_clean(rel)?;
        std::fs::read_to_string(self.root().join(rel)).map_err(|source| StoreError::Read {
            path: rel.to_owned(),
            source,
        })
    }

    /// Refuse a path that is, or is inside, a symbolic link: what errata writes
    /// there would land wherever the link points.
    pub fn ensure_regular(&self, rel: &str) -> Result<(), StoreError> {
        match symbolic_link_in(self.root(), rel) {
            Some(path) => Err(StoreError::SymbolicLink { path }),
            None => Ok(()),
        }
    }

    fn ensure_clean(&self, rel: &str) -> Result<(), StoreError> {
        self.ensure_regular(rel)?;
        match self.repo.path_state(rel)? {
            PathState::Clean => Ok(()),
            PathState::Changed => Err(StoreError::Uncommitted {
                path: rel.to_owned(),
            }),
        }
    }

    /// Write `changes` to the working tree and commit exactly those paths, in one
    /// step that either happens whole or leaves the working tree as it was.
    ///
    /// Another writer may commit while this one does (two editors on a shared
    /// checkout, a script): the branch then moved, and the change is carried onto
    /// the new commit and committed again, a few times at most with a random
    /// pause between. A path the other commit left alone keeps this change as it
    /// is; a path it changed too goes through `reconcile`, which merges the two
    /// or refuses, so no update is ever lost.
    pub fn commit(
        &self,
        changes: &[Change],
        message: &str,
        reconcile: Reconcile<'_>,
    ) -> Result<CommitId, StoreError> {
        for c in changes {
            self.ensure_clean(&c.path)?;
        }
        self.commit_retrying(changes.to_vec(), message, reconcile)
    }

    /// Like [`Store::commit`], for content the user has reviewed whole (in an
    /// editor): uncommitted hand edits in these files are part of what they saw
    /// and approved, so they are committed rather than refused; and what they
    /// approved is never merged with another writer's change to the same file.
    pub fn commit_reviewed(
        &self,
        changes: &[Change],
        message: &str,
    ) -> Result<CommitId, StoreError> {
        self.commit_retrying(changes.to_vec(), message, &|_, _, _, _| None)
    }

    fn commit_retrying(
        &self,
        mut changes: Vec<Change>,
        message: &str,
        reconcile: Reconcile<'_>,
    ) -> Result<CommitId, StoreError> {
        const ATTEMPTS: u32 = 12;
        for c in &changes {
            self.ensure_regular(&c.path)?;
            let size = c.content.as_ref().map_or(0, |b| b.len() as u64);
            if size > size_limit(&c.path) {
                return Err(StoreError::TooLarge {
                    path: c.path.clone(),
                    size,
                });
            }
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            let prepared = self.repo.prepare_commit(&changes, message)?;
            match self.write_and_publish(&changes, &prepared) {
                Err(StoreError::Git(GitError::HeadMoved)) if attempt < ATTEMPTS => {
                    pause(attempt);
                    changes = self.carry_over(changes, prepared.parent(), reconcile)?;
                }
                other => return other,
            }
        }
    }

    /// The same change, made against the commit HEAD points at now rather than
    /// `base`, where the commits in between touched its paths.
    fn carry_over(
        &self,
        changes: Vec<Change>,
        base: Option<CommitId>,
        reconcile: Reconcile<'_>,
    ) -> Result<Vec<Change>, StoreError> {
        let now = self.repo.head_id()?;
        let mut out = Vec::with_capacity(changes.len());
        for c in changes {
            let before = self.repo.blob_in(base, &c.path)?;
            let current = self.repo.blob_in(now, &c.path)?;
            if before == current {
                out.push(c);
                continue;
            }
            match reconcile(
                &c.path,
                before.as_deref(),
                current.as_deref(),
                c.content.as_deref(),
            ) {
                Some(content) => out.push(Change {
                    path: c.path,
                    content,
                }),
                None => {
                    let by = match now {
                        Some(now) => self.repo.last_change(&c.path, now, base)?,
                        None => None,
                    };
                    return Err(StoreError::Overtaken {
                        path: c.path,
                        by: by.map(|i| format!("{} ({})", i.id.short(), i.summary)),
                    });
                }
            }
        }
        Ok(out)
    }

    /// Write the files, then move the branch; if it cannot move, put the files
    /// back as they were.
    fn write_and_publish(
        &self,
        changes: &[Change],
        prepared: &Prepared,
    ) -> Result<CommitId, StoreError> {
        let root = self.root();
        let mut previous: Vec<(&Change, Option<Vec<u8>>)> = Vec::new();
        let restore = |previous: &[(&Change, Option<Vec<u8>>)]| {
            for (c, old) in previous.iter().rev() {
                let path = root.join(&c.path);
                let _ = match old {
                    Some(bytes) => write::atomic(&path, bytes),
                    None => std::fs::remove_file(&path),
                };
            }
        };
        for c in changes {
            let path = root.join(&c.path);
            let old = std::fs::read(&path).ok();
            let result = match &c.content {
                Some(bytes) => write::atomic(&path, bytes),
                None => match std::fs::remove_file(&path) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                    _ => Ok(()),
                },
            };
            previous.push((c, old));
            if let Err(source) = result {
                restore(&previous);
                return Err(StoreError::Write {
                    path: c.path.clone(),
                    source,
                });
            }
        }
        match self.repo.publish(prepared) {
            Ok(id) => Ok(id),
            Err(e) => {
                restore(&previous);
                Err(e.into())
            }
        }
    }
}

/// A random pause before the next attempt, longer each time, so writers that
/// collided do not collide again in step.
fn pause(attempt: u32) {
    use rand::Rng;
    let most = 5 * u64::from(attempt.min(8)) * u64::from(attempt.min(8));
    let ms = rand::rng().random_range(1..=most.max(2));
    std::thread::sleep(std::time::Duration::from_millis(ms));
}

/// How a change made against one version of a file (`path`, the version it was
/// made from, the version another writer committed meanwhile, this change's
/// content) is carried onto the other writer's: `Some(content)` when the two
/// merge (`Some(None)` to remove the file), `None` when they do not.
pub type Reconcile<'a> =
    &'a dyn Fn(&str, Option<&[u8]>, Option<&[u8]>, Option<&[u8]>) -> Option<Option<Vec<u8>>>;

#[cfg(test)]
mod tests {
    use super::*;

    /// A repository with one committed file, `a.toml`, and a git identity.
    fn repo() -> (tempfile::TempDir, Store) {
        let tmp = tempfile::tempdir().unwrap();
        let git = |args: &[&str]| {
            let ok = std::process::Command::new("git")
                .args(args)
                .current_dir(tmp.path())
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("HOME", tmp.path())
                .status()
                .unwrap()
                .success();
            assert!(ok, "git {args:?}");
        };
        git(&["init", "-q"]);
        git(&["config", "user.name", "Ann"]);
        git(&["config", "user.email", "ann@example.org"]);
        std::fs::write(tmp.path().join("a.toml"), "x = 1\n").unwrap();
        git(&["add", "a.toml"]);
        git(&["commit", "-qm", "a"]);
        let store = Store::discover(tmp.path()).unwrap();
        (tmp, store)
    }

    fn change(path: &str, text: &str) -> Change {
        Change {
            path: path.into(),
            content: Some(text.as_bytes().to_vec()),
        }
    }

    /// Another writer commits while this one is between preparing its commit
    /// and moving the branch: what `commit` meets in a race, made to happen.
    fn overtaken(store: &Store, mine: &[Change], theirs: &[Change]) -> Prepared {
        let prepared = store.repo.prepare_commit(mine, "mine").unwrap();
        store.commit(theirs, "theirs", &|_, _, _, _| None).unwrap();
        let moved = store.write_and_publish(mine, &prepared);
        assert!(
            matches!(moved, Err(StoreError::Git(GitError::HeadMoved))),
            "{moved:?}"
        );
        prepared
    }

    #[test]
    fn a_change_to_another_file_is_carried_over_as_it_is() {
        let (_tmp, store) = repo();
        let mine = [change("b.toml", "y = 2\n")];
        let prepared = overtaken(&store, &mine, &[change("a.toml", "x = 3\n")]);
        let carried = store
            .carry_over(mine.to_vec(), prepared.parent(), &|_, _, _, _| {
                panic!("nothing to reconcile")
            })
            .unwrap();
        assert_eq!(carried[0].content.as_deref(), Some(&b"y = 2\n"[..]));
        store
            .commit_retrying(carried, "mine", &|_, _, _, _| None)
            .unwrap();
        let head = store.repo.head_id().unwrap();
        assert_eq!(
            store.repo.blob_in(head, "a.toml").unwrap().unwrap(),
            b"x = 3\n"
        );
        assert_eq!(
            store.repo.blob_in(head, "b.toml").unwrap().unwrap(),
            b"y = 2\n"
        );
    }

    #[test]
    fn a_change_to_the_same_file_is_reconciled_or_refused_naming_the_other_commit() {
        let (_tmp, store) = repo();
        let mine = [change("a.toml", "x = 2\n")];
        let prepared = overtaken(&store, &mine, &[change("a.toml", "x = 3\n")]);
        let seen = std::cell::RefCell::new(Vec::new());
        let merged = store
            .carry_over(
                mine.to_vec(),
                prepared.parent(),
                &|path, base, now, ours| {
                    seen.borrow_mut().push((
                        path.to_owned(),
                        base.map(<[u8]>::to_vec),
                        now.map(<[u8]>::to_vec),
                        ours.map(<[u8]>::to_vec),
                    ));
                    Some(Some(b"x = 5\n".to_vec()))
                },
            )
            .unwrap();
        assert_eq!(
            seen.borrow().as_slice(),
            [(
                "a.toml".to_owned(),
                Some(b"x = 1\n".to_vec()),
                Some(b"x = 3\n".to_vec()),
                Some(b"x = 2\n".to_vec())
            )]
        );
        assert_eq!(merged[0].content.as_deref(), Some(&b"x = 5\n"[..]));
        let refused = store
            .carry_over(mine.to_vec(), prepared.parent(), &|_, _, _, _| None)
            .unwrap_err();
        let StoreError::Overtaken { path, by } = &refused else {
            panic!("{refused:?}");
        };
        assert_eq!(path, "a.toml");
        assert!(
            by.as_deref().is_some_and(|b| b.ends_with("(theirs)")),
            "{by:?}"
        );
        assert!(refused.to_string().contains("was changed by"), "{refused}");
    }
}
