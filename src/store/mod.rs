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
//! (reading it, through `cache`), `parse` (one file's bytes into a record),
//! `write` (atomic writes and in-place TOML edits). It may use `git`, `model`,
//! `transcript` and `diagnostic`; it never prints.

pub mod cache;
mod layout;
mod load;
mod parse;
mod snapshot;
pub mod write;

use std::path::Path;

use crate::git::{Change, CommitId, GitError, PathState, Repo};
use crate::model::Episode;
use crate::transcript::Transcript;

pub use cache::Stamp;
pub use layout::{
    CLAIMS_DIR, CORRECTIONS_DIR, EPISODE_FILE, SETTINGS_FILE, TRANSCRIPT_FILE, claim_path,
    correction_path, episode_folders, episode_path, transcript_path,
};
pub use parse::{parse_at, parse_claim_at, parse_toml, read_transcript};
pub use snapshot::{Checker, Checks, ClaimRecord, Parsed, Snapshot};

/// Errors of the store, each with what the user can do about it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Git(#[from] GitError),
    #[error(
        "{path} has uncommitted changes; commit them with git (or discard them) and run the command again"
    )]
    Uncommitted { path: String },
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

    /// Whether `errata init` has run here.
    pub fn is_initialised(&self) -> bool {
        self.root().join(SETTINGS_FILE).is_file()
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

    fn ensure_clean(&self, rel: &str) -> Result<(), StoreError> {
        match self.repo.path_state(rel)? {
            PathState::Clean => Ok(()),
            PathState::Changed => Err(StoreError::Uncommitted {
                path: rel.to_owned(),
            }),
        }
    }

    /// Write `changes` to the working tree and commit exactly those paths, in one
    /// step that either happens whole or leaves the working tree as it was.
    pub fn commit(&self, changes: &[Change], message: &str) -> Result<CommitId, StoreError> {
        for c in changes {
            self.ensure_clean(&c.path)?;
        }
        self.commit_reviewed(changes, message)
    }

    /// Like [`Store::commit`], for content the user has reviewed whole (in an
    /// editor): uncommitted hand edits in these files are part of what they saw
    /// and approved, so they are committed rather than refused.
    pub fn commit_reviewed(
        &self,
        changes: &[Change],
        message: &str,
    ) -> Result<CommitId, StoreError> {
        let prepared = self.repo.prepare_commit(changes, message)?;
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
        match self.repo.publish(&prepared) {
            Ok(id) => Ok(id),
            Err(e) => {
                restore(&previous);
                Err(e.into())
            }
        }
    }
}
