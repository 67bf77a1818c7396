//! `errata sync`: share this clone's records with a remote and take in
//! everyone else's: fetch, integrate, push, and again while the remote moves.
//!
//! Integration is a merge, not a rebase. A merge keeps every local commit as it
//! was made (its id, its author, its signature, its `Errata-*` trailers), costs
//! one three-way merge of what both sides changed rather than one replay per
//! local commit, and when a record cannot be merged the repository is in the
//! state `git merge` leaves (`MERGE_HEAD`, conflict stages in the index), which
//! `git status`, `git commit` and `git merge --abort` already explain. History
//! is then a graph; `errata log` follows it as `git log` does.
//!
//! The merge is git's (libgit2's) for every file, and errata's own
//! ([`crate::merge`], field by field) for every record both sides changed:
//! libgit2 runs no merge drivers, so the records are settled here. Fetch and
//! push run the `git` executable (see `git::remote`).
//!
//! Uses `git` (through `Repo`), `merge`, `store` and `message`.

use serde::Serialize;

use super::message::{Message, Trailer};
use super::setup::ATTRIBUTES_FILE;
use super::{OpError, as_text};
use crate::git::{CommitId, Integration, MergeSides, Pushed, Settled, Upstream};
use crate::merge::{self, Labels, Outcome};
use crate::store::{self, CLAIMS_DIR, Store, write};

/// How many times to fetch again when the remote moved before our push.
const ROUNDS: u32 = 5;

/// What `sync` is asked to do.
#[derive(Debug, Clone, Default)]
pub struct SyncOptions {
    /// The remote (a name, a path or a URL); default: the branch's upstream,
    /// else `origin`.
    pub remote: Option<String>,
    /// Leave git's progress out.
    pub quiet: bool,
    /// Take in the remote's work but keep this clone's to itself for now.
    pub no_push: bool,
}

/// What `sync` did.
#[derive(Debug, Clone, Serialize)]
pub struct Synced {
    pub remote: String,
    pub branch: String,
    /// Where the remote's branch was when last fetched (`None`: it had none).
    pub fetched: Option<CommitId>,
    /// What taking in the remote's work came to.
    pub integrated: Integrated,
    /// Records both sides had changed, merged field by field.
    pub merged_records: usize,
    /// The merge commit, when there was one.
    pub merge_commit: Option<CommitId>,
    /// How many times it fetched (more than one when the remote moved meanwhile).
    pub rounds: u32,
    /// Whether this clone's commits are on the remote now.
    pub pushed: bool,
}

/// What taking in the remote's work came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Integrated {
    /// The remote had no such branch yet.
    None,
    /// This clone had all of it already.
    UpToDate,
    /// Only the remote had new commits: this clone moved forward to them.
    FastForward,
    /// Both had: a merge commit.
    Merge,
}

/// A record the merge could not settle, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Unmerged {
    pub path: String,
    /// What the sides disagree on (empty for a file git merged line by line).
    pub conflicts: Vec<String>,
}

/// Refuse to integrate over records (or the file routing them to the driver)
/// among `paths`, the files integrating would change, that hold uncommitted
/// edits: the merge would have to overwrite them or mix them in unseen. As
/// `git merge` does, the records it leaves alone may hold work in progress.
fn refuse_uncommitted(store: &Store, paths: &[String]) -> Result<(), OpError> {
    let touched: Vec<String> = paths
        .iter()
        .filter(|p| store::is_record_path(p) || *p == ATTRIBUTES_FILE)
        .cloned()
        .collect();
    // A linked record is refused for what it is, before git calls it changed.
    for p in &touched {
        store.ensure_regular(p)?;
    }
    let dirty = store.repo().uncommitted_among(&touched)?;
    if dirty.is_empty() {
        Ok(())
    } else {
        Err(OpError::SyncUncommitted { paths: dirty })
    }
}

/// Fetch, merge what the remote has, push; again (a few times) while the remote
/// moves between our fetch and our push.
pub fn sync(store: &Store, opts: &SyncOptions) -> Result<Synced, OpError> {
    let repo = store.repo();
    if repo.operation_in_progress() {
        return Err(OpError::MergeInProgress);
    }
    let up = repo.upstream(opts.remote.as_deref())?;
    let mut done = Synced {
        remote: up.remote.clone(),
        branch: up.branch.clone(),
        fetched: None,
        integrated: Integrated::None,
        merged_records: 0,
        merge_commit: None,
        rounds: 0,
        pushed: false,
    };
    for round in 1..=ROUNDS {
        done.rounds = round;
        done.fetched = repo.fetch(&up, opts.quiet)?;
        if let Some(theirs) = done.fetched {
            let integration = repo.integration(theirs)?;
            let paths = match integration {
                Integration::UpToDate => Vec::new(),
                _ => repo.paths_between(theirs)?,
            };
            refuse_uncommitted(store, &paths)?;
            match integration {
                Integration::UpToDate => done.integrated = Integrated::UpToDate,
                Integration::FastForward => {
                    repo.fast_forward(theirs, &paths)?;
                    done.integrated = Integrated::FastForward;
                }
                Integration::Merge => {
                    let (commit, merged) = merge_in(store, &up, theirs)?;
                    done.integrated = Integrated::Merge;
                    done.merge_commit = Some(commit);
                    done.merged_records += merged;
                }
            }
        }
        if !repo.has_commits()? {
            return Err(OpError::NothingToSync {
                remote: up.remote.clone(),
            });
        }
        if opts.no_push {
            return Ok(done);
        }
        match repo.push(&up, opts.quiet)? {
            Pushed::Done => {
                done.pushed = true;
                return Ok(done);
            }
            Pushed::Rejected(_) => continue,
        }
    }
    Err(OpError::RemoteKeepsMoving {
        remote: up.remote,
        rounds: ROUNDS,
    })
}

/// Merge `theirs` into HEAD: git's merge for every file, errata's for each
/// record both sides changed; a commit when everything settled, else the
/// repository left mid-merge with the conflicts named.
fn merge_in(store: &Store, up: &Upstream, theirs: CommitId) -> Result<(CommitId, usize), OpError> {
    let repo = store.repo();
    let divergence = repo.divergence(theirs)?;
    let sides = repo.changed_on_both_sides(&divergence)?;
    let other = format!("{}/{}", up.remote, up.remote_branch);
    let message = Message::new("sync", format_args!("merge {other} into {}", up.branch))
        .trailer(Trailer::Sync, &other)
        .to_string();
    let labels = Labels {
        base: "merge base".into(),
        ours: up.branch.clone(),
        theirs: other,
    };
    let mut unmerged: Vec<Unmerged> = Vec::new();
    let mut results: Vec<(&MergeSides, Outcome)> = Vec::new();
    // Records, and the transcripts beside them, are errata's to merge; any other
    // file both sides changed is left to git.
    for s in sides
        .iter()
        .filter(|s| s.path.starts_with(&format!("{CLAIMS_DIR}/")) || store::is_record_path(&s.path))
    {
        let (Some(base), Some(ours), Some(their)) = (
            as_text(s.base.as_deref()),
            as_text(s.ours.as_deref()),
            as_text(s.theirs.as_deref()),
        ) else {
            // Not text: git's merge of it stands.
            continue;
        };
        results.push((s, merge::merge(&s.path, base, ours, their, &labels, 7)));
    }
    if results.iter().all(|(_, o)| matches!(o, Outcome::Clean(_))) {
        let merged: Vec<(&str, Option<&[u8]>)> = results
            .iter()
            .filter_map(|(s, o)| match o {
                Outcome::Clean(text) => Some((s.path.as_str(), text.as_deref().map(str::as_bytes))),
                Outcome::Conflicted { .. } => None,
            })
            .collect();
        if let Some(commit) = repo.merge_cleanly(&divergence, &merged, &message)? {
            return Ok((commit, merged.len()));
        }
    }
    // Something is left for a person: git's merge into the working tree and
    // index, with errata's results written over its own for the records.
    repo.begin_merge(theirs, &message)?;
    let mut settled = Vec::with_capacity(results.len());
    let mut merged = 0;
    for (s, outcome) in &results {
        let path = store.root().join(&s.path);
        let io = |source| store::StoreError::Write {
            path: s.path.clone(),
            source,
        };
        match outcome {
            Outcome::Clean(Some(result)) => {
                write::atomic(&path, result.as_bytes()).map_err(io)?;
                settled.push(Settled::Merged {
                    path: &s.path,
                    content: Some(result.as_bytes()),
                });
                merged += 1;
            }
            Outcome::Clean(None) => {
                match std::fs::remove_file(&path) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                        return Err(io(e).into());
                    }
                    _ => {}
                }
                settled.push(Settled::Merged {
                    path: &s.path,
                    content: None,
                });
                merged += 1;
            }
            Outcome::Conflicted { text, conflicts } => {
                write::atomic(&path, text.as_bytes()).map_err(io)?;
                settled.push(Settled::Conflicted(s));
                unmerged.push(Unmerged {
                    path: s.path.clone(),
                    conflicts: conflicts.iter().map(|c| c.to_string()).collect(),
                });
            }
        }
    }
    repo.settle(&settled)?;
    // Whatever git itself could not merge (a transcript edited on both sides).
    for path in repo.conflicted()? {
        if !unmerged.iter().any(|u| u.path == path) {
            unmerged.push(Unmerged {
                path,
                conflicts: Vec::new(),
            });
        }
    }
    if !unmerged.is_empty() {
        unmerged.sort_by(|a, b| a.path.cmp(&b.path));
        return Err(OpError::SyncConflicts { unmerged });
    }
    Ok((repo.conclude_merge(theirs, &message)?, merged))
}

/// The unmerged files, a line each with what their sides disagree on.
pub(super) fn describe(unmerged: &[Unmerged]) -> String {
    unmerged
        .iter()
        .map(|u| {
            if u.conflicts.is_empty() {
                format!("  {} (both sides changed the same lines)", u.path)
            } else {
                format!("  {}: {}", u.path, u.conflicts.join("; "))
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
