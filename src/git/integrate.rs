//! Bringing another line of history into this one, for `errata sync`: a
//! fast-forward, or git's own merge (libgit2's) into the working tree and index,
//! in which errata then settles the records it merges field by field. The
//! repository goes through the states git knows (`MERGE_HEAD`, conflict stages
//! in the index), so `git status`, `git commit` and `git merge --abort` work on
//! it as after a `git merge`.

use std::path::Path;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use git2::build::{CheckoutBuilder, TreeUpdateBuilder};
use git2::{AnnotatedCommit, CheckoutNotificationType, ErrorCode, FileMode, MergeAnalysis, Oid};

use super::{BLOB_MODE, CommitId, GitError, Repo, index_entry};

/// What it takes to bring a commit into HEAD.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Integration {
    /// HEAD has it already.
    UpToDate,
    /// HEAD is behind it: move HEAD forward.
    FastForward,
    /// Both moved on: a merge.
    Merge,
}

/// How two lines of history went apart: the files each changed since their
/// merge base, each with its new blob (`None` where it was removed).
#[derive(Debug, Clone)]
pub struct Divergence {
    base: Option<Oid>,
    ours: Oid,
    theirs: Oid,
    ours_changed: BTreeMap<String, Option<Oid>>,
    theirs_changed: BTreeMap<String, Option<Oid>>,
}

/// One file as it is at the merge base and on each side (`None` where absent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeSides {
    pub path: String,
    pub base: Option<Vec<u8>>,
    pub ours: Option<Vec<u8>>,
    pub theirs: Option<Vec<u8>>,
}

/// How errata settled one file of a merge under way (see [`Repo::settle`]).
#[derive(Debug, Clone, Copy)]
pub enum Settled<'a> {
    /// Merged: its content, or `None` when the merge removes it.
    Merged {
        path: &'a str,
        content: Option<&'a [u8]>,
    },
    /// Left for a person to resolve.
    Conflicted(&'a MergeSides),
}

impl Repo {
    fn annotated(&self, id: CommitId) -> Result<AnnotatedCommit<'_>, GitError> {
        Ok(self.inner.find_annotated_commit(id.0)?)
    }

    /// The branch HEAD is on (`refs/heads/main`), born or not.
    fn branch_ref(&self) -> Result<String, GitError> {
        self.inner
            .find_reference("HEAD")?
            .symbolic_target()?
            .map(str::to_owned)
            .ok_or(GitError::DetachedHead)
    }

    /// Move the current branch from `from` (`None`: it is unborn) to `to`,
    /// only if it is still at `from`; `HeadMoved` when it is not.
    fn move_branch(&self, from: Option<Oid>, to: Oid, reflog: &str) -> Result<(), GitError> {
        let target = self.branch_ref()?;
        let moved = match from {
            Some(from) => self
                .inner
                .reference_matching(&target, to, true, from, reflog),
            None => self.inner.reference(&target, to, false, reflog),
        };
        moved.map(drop).map_err(|e| {
            if e.code() == ErrorCode::Modified {
                GitError::HeadMoved
            } else {
                e.into()
            }
        })
    }

    /// Whether git is in the middle of anything that can leave conflicts (a
    /// merge, rebase, cherry-pick, revert): only then can the index hold them.
    pub fn operation_in_progress(&self) -> bool {
        self.inner.state() != git2::RepositoryState::Clean
    }

    /// What bringing `theirs` into HEAD takes.
    pub fn integration(&self, theirs: CommitId) -> Result<Integration, GitError> {
        let (analysis, _) = self.inner.merge_analysis(&[&self.annotated(theirs)?])?;
        Ok(if analysis.contains(MergeAnalysis::ANALYSIS_UP_TO_DATE) {
            Integration::UpToDate
        } else if analysis.contains(MergeAnalysis::ANALYSIS_FASTFORWARD)
            || analysis.contains(MergeAnalysis::ANALYSIS_UNBORN)
        {
            Integration::FastForward
        } else {
            Integration::Merge
        })
    }

    /// Move the current branch forward to `theirs`, updating the working tree
    /// and index for `paths`, the files that differ ([`Repo::paths_between`]),
    /// refusing, and changing nothing, where one of them holds uncommitted
    /// changes.
    pub fn fast_forward(&self, theirs: CommitId, paths: &[String]) -> Result<(), GitError> {
        let commit = self.inner.find_commit(theirs.0)?;
        let old = self.head_id()?;
        let mut checkout = CheckoutBuilder::new();
        checkout.safe();
        let in_the_way = note_conflicts(&mut checkout);
        if old.is_some() {
            // Only the files that differ, taken as paths rather than patterns:
            // a checkout of the whole tree would look at every file.
            checkout.disable_pathspec_match(true);
            for p in paths {
                checkout.path(p);
            }
        }
        self.inner
            .checkout_tree(commit.as_object(), Some(&mut checkout))
            .map_err(|e| checkout_error(e, &in_the_way))?;
        let message = format!("sync: fast-forward to {}", theirs.short());
        self.move_branch(old.map(|o| o.0), theirs.0, &message)
    }

    /// How HEAD and `theirs` went apart since their merge base: every file
    /// each side changed, compared tree to tree (a rename is a removal and an
    /// addition), reading no file content.
    pub fn divergence(&self, theirs: CommitId) -> Result<Divergence, GitError> {
        let ours = self.head_id()?.ok_or(GitError::DetachedHead)?;
        let base = self.inner.merge_base(ours.0, theirs.0).ok();
        let tree = |id: Option<Oid>| -> Result<Option<git2::Tree<'_>>, GitError> {
            match id {
                Some(id) => Ok(Some(self.inner.find_commit(id)?.tree()?)),
                None => Ok(None),
            }
        };
        let base_tree = tree(base)?;
        let changes = |side: Oid| -> Result<BTreeMap<String, Option<Oid>>, GitError> {
            let side_tree = tree(Some(side))?;
            let diff =
                self.inner
                    .diff_tree_to_tree(base_tree.as_ref(), side_tree.as_ref(), None)?;
            let mut out = BTreeMap::new();
            for d in diff.deltas() {
                if let Some(p) = d.old_file().path().and_then(|p| p.to_str()) {
                    out.insert(p.to_owned(), None);
                }
                if d.status() != git2::Delta::Deleted
                    && let Some(p) = d.new_file().path().and_then(|p| p.to_str())
                {
                    out.insert(p.to_owned(), Some(d.new_file().id()));
                }
            }
            Ok(out)
        };
        Ok(Divergence {
            base,
            ours: ours.0,
            theirs: theirs.0,
            ours_changed: changes(ours.0)?,
            theirs_changed: changes(theirs.0)?,
        })
    }

    /// The files both sides changed, differently, with the three versions of
    /// each: what errata merges itself.
    pub fn changed_on_both_sides(&self, d: &Divergence) -> Result<Vec<MergeSides>, GitError> {
        let base_tree = match d.base {
            Some(b) => Some(self.inner.find_commit(b)?.tree()?),
            None => None,
        };
        let blob = |id: Option<Oid>| -> Result<Option<Vec<u8>>, GitError> {
            match id {
                Some(id) => Ok(Some(self.inner.find_blob(id)?.content().to_vec())),
                None => Ok(None),
            }
        };
        let mut out = Vec::new();
        for (path, ours) in &d.ours_changed {
            let Some(theirs) = d.theirs_changed.get(path) else {
                continue;
            };
            if ours == theirs {
                continue;
            }
            let base = match &base_tree {
                Some(t) => match t.get_path(Path::new(path)) {
                    Ok(e) => Some(e.id()),
                    Err(e) if e.code() == ErrorCode::NotFound => None,
                    Err(e) => return Err(e.into()),
                },
                None => None,
            };
            out.push(MergeSides {
                path: path.clone(),
                base: blob(base)?,
                ours: blob(*ours)?,
                theirs: blob(*theirs)?,
            });
        }
        Ok(out)
    }

    /// Merge `theirs` into HEAD with errata's results for the files both sides
    /// changed (`merged`: each path's content, or `None` to remove it): HEAD's
    /// tree with `theirs`' own changes and those results, committed, and the
    /// working tree and index brought to it for those files only. `None` when
    /// a file both sides changed is not among `merged`: git's merge must then
    /// decide it ([`Repo::begin_merge`]).
    pub fn merge_cleanly(
        &self,
        d: &Divergence,
        merged: &[(&str, Option<&[u8]>)],
        message: &str,
    ) -> Result<Option<CommitId>, GitError> {
        let settled: BTreeMap<&str, Option<&[u8]>> = merged.iter().copied().collect();
        let both = d
            .ours_changed
            .iter()
            .filter(|(p, id)| d.theirs_changed.get(*p).is_some_and(|t| t != *id));
        if both.clone().any(|(p, _)| !settled.contains_key(p.as_str())) {
            return Ok(None);
        }
        let ours = self.inner.find_commit(d.ours)?;
        let their_commit = self.inner.find_commit(d.theirs)?;
        let mut update = TreeUpdateBuilder::new();
        let mut paths: Vec<&str> = Vec::new();
        for (path, id) in &d.theirs_changed {
            if d.ours_changed.contains_key(path) {
                continue;
            }
            match id {
                Some(id) => update.upsert(path.as_str(), *id, FileMode::Blob),
                None => update.remove(path.as_str()),
            };
            paths.push(path);
        }
        for (path, content) in &settled {
            match content {
                Some(bytes) => update.upsert(*path, self.inner.blob(bytes)?, FileMode::Blob),
                None => update.remove(*path),
            };
            paths.push(path);
        }
        let tree_id = update.create_updated(&self.inner, &ours.tree()?)?;
        let tree = self.inner.find_tree(tree_id)?;
        let author = self.author()?;
        let committer = self
            .inner
            .committer_from_env()
            .map_err(|_| GitError::NoIdentity)?;
        let commit = self.inner.commit(
            None,
            &author,
            &committer,
            message,
            &tree,
            &[&ours, &their_commit],
        )?;
        let only = |builder: &mut CheckoutBuilder<'_>| {
            // The paths as they are, not as patterns to match every file against.
            builder.disable_pathspec_match(true);
            for p in &paths {
                builder.path(*p);
            }
        };
        if !paths.is_empty() {
            let mut checkout = CheckoutBuilder::new();
            checkout.safe();
            let in_the_way = note_conflicts(&mut checkout);
            only(&mut checkout);
            self.inner
                .checkout_tree(tree.as_object(), Some(&mut checkout))
                .map_err(|e| checkout_error(e, &in_the_way))?;
        }
        let reflog = format!("sync: merge {}", CommitId(d.theirs).short());
        if let Err(e) = self.move_branch(Some(ours.id()), commit, &reflog) {
            // Someone moved the branch meanwhile: put the files back as HEAD has them.
            let mut back = CheckoutBuilder::new();
            back.force();
            only(&mut back);
            let _ = self.inner.checkout_tree(ours.as_object(), Some(&mut back));
            return Err(e);
        }
        Ok(Some(CommitId(commit)))
    }

    /// The files bringing `theirs` into HEAD would change in this working tree:
    /// where local changes of the user's would be in the way.
    pub fn paths_between(&self, theirs: CommitId) -> Result<Vec<String>, GitError> {
        // Before the first commit (an unborn branch), everything is new.
        let our_tree = match self.head_commit()? {
            Some(c) => Some(c.tree()?),
            None => None,
        };
        let their_tree = self.inner.find_commit(theirs.0)?.tree()?;
        let diff = self
            .inner
            .diff_tree_to_tree(our_tree.as_ref(), Some(&their_tree), None)?;
        let mut out: Vec<String> = diff
            .deltas()
            .flat_map(|d| [d.old_file().path(), d.new_file().path()])
            .flatten()
            .filter_map(|p| p.to_str().map(str::to_owned))
            .collect();
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// Start git's merge of `theirs` into the working tree and index, with
    /// git's own line merge for every file, as `git merge` would leave it;
    /// `MERGE_MSG` holds `message` for whoever commits it.
    pub fn begin_merge(&self, theirs: CommitId, message: &str) -> Result<(), GitError> {
        let mut checkout = CheckoutBuilder::new();
        checkout
            .safe()
            .allow_conflicts(true)
            .conflict_style_merge(true);
        let in_the_way = note_conflicts(&mut checkout);
        self.inner
            .merge(&[&self.annotated(theirs)?], None, Some(&mut checkout))
            .map_err(|e| checkout_error(e, &in_the_way))?;
        std::fs::write(self.git_dir().join("MERGE_MSG"), message).map_err(|e| {
            GitError::Git(git2::Error::from_str(&format!(
                "cannot write MERGE_MSG: {e}"
            )))
        })?;
        Ok(())
    }

    /// In the merge under way, record how errata settled the files it merged
    /// itself, in one write of the index: a merged file staged as its content
    /// (or as removed), resolving any conflict git left on it; a conflicted one
    /// left unmerged as git records it (base, ours and theirs at stages 1, 2
    /// and 3), whatever git's line merge made of it. The caller writes the files.
    pub fn settle(&self, settled: &[Settled<'_>]) -> Result<(), GitError> {
        let mut index = self.inner.index()?;
        let forget = |index: &mut git2::Index, path: &Path, stage: i32| -> Result<(), GitError> {
            let gone = if stage < 0 {
                index.conflict_remove(path)
            } else {
                index.remove(path, stage)
            };
            match gone {
                Err(e) if e.code() != ErrorCode::NotFound => Err(e.into()),
                _ => Ok(()),
            }
        };
        for s in settled {
            match s {
                Settled::Merged { path, content } => {
                    forget(&mut index, Path::new(path), -1)?;
                    match content {
                        Some(bytes) => {
                            let id = self.inner.blob(bytes)?;
                            index.add(&index_entry(path, id, BLOB_MODE, 0))?;
                        }
                        None => forget(&mut index, Path::new(path), 0)?,
                    }
                }
                Settled::Conflicted(sides) => {
                    let path = Path::new(&sides.path);
                    forget(&mut index, path, -1)?;
                    forget(&mut index, path, 0)?;
                    for (stage, bytes) in [(1, &sides.base), (2, &sides.ours), (3, &sides.theirs)] {
                        if let Some(bytes) = bytes {
                            let id = self.inner.blob(bytes)?;
                            index.add(&index_entry(&sides.path, id, BLOB_MODE, stage))?;
                        }
                    }
                }
            }
        }
        Ok(index.write()?)
    }

    /// The paths the merge under way still has in conflict.
    pub fn conflicted(&self) -> Result<Vec<String>, GitError> {
        let index = self.inner.index()?;
        let mut out = Vec::new();
        for c in index.conflicts()? {
            let c = c?;
            let e = c.our.or(c.their).or(c.ancestor);
            if let Some(p) = e.and_then(|e| String::from_utf8(e.path).ok()) {
                out.push(p);
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// Commit the merge under way from the index, with HEAD and `theirs` as
    /// parents, and end the merging state.
    pub fn conclude_merge(&self, theirs: CommitId, message: &str) -> Result<CommitId, GitError> {
        let author = self.author()?;
        let committer = self
            .inner
            .committer_from_env()
            .map_err(|_| GitError::NoIdentity)?;
        let mut index = self.inner.index()?;
        let tree = self.inner.find_tree(index.write_tree()?)?;
        let head = self.head_commit()?.ok_or(GitError::DetachedHead)?;
        let theirs = self.inner.find_commit(theirs.0)?;
        let id = self
            .inner
            .commit(
                Some("HEAD"),
                &author,
                &committer,
                message,
                &tree,
                &[&head, &theirs],
            )
            .map_err(|e| {
                if e.code() == ErrorCode::Modified {
                    GitError::HeadMoved
                } else {
                    e.into()
                }
            })?;
        self.inner.cleanup_state()?;
        Ok(CommitId(id))
    }

    /// Those of `paths` whose working tree or index differs from HEAD, found
    /// in one pass over the index (the paths taken as they are, not as
    /// patterns).
    pub fn uncommitted_among(&self, paths: &[String]) -> Result<Vec<String>, GitError> {
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        let mut opts = git2::StatusOptions::new();
        opts.include_untracked(true)
            .include_ignored(false)
            .disable_pathspec_match(true);
        for p in paths {
            opts.pathspec(p);
        }
        let statuses = self.inner.statuses(Some(&mut opts))?;
        Ok(statuses
            .iter()
            .filter(|s| !s.status().is_empty())
            .filter_map(|s| s.path().ok().map(str::to_owned))
            .collect())
    }
}

/// The files a checkout finds in its way (changed by the user where it must
/// write), noted as libgit2 meets them: its own error only counts them.
fn note_conflicts(checkout: &mut CheckoutBuilder<'_>) -> Rc<RefCell<Vec<String>>> {
    let noted = Rc::new(RefCell::new(Vec::new()));
    let into = Rc::clone(&noted);
    checkout
        .notify_on(CheckoutNotificationType::CONFLICT)
        .notify(move |_, path, _, _, _| {
            if let Some(p) = path {
                into.borrow_mut().push(p.to_string_lossy().into_owned());
            }
            true
        });
    noted
}

/// A checkout libgit2 refused because files it had to change hold changes of
/// the user's: say which, rather than pass on libgit2's count.
fn checkout_error(e: git2::Error, in_the_way: &RefCell<Vec<String>>) -> GitError {
    if e.code() == ErrorCode::Conflict {
        let paths = in_the_way.borrow();
        GitError::WouldOverwrite(if paths.is_empty() {
            e.message().to_owned()
        } else {
            paths.join(", ")
        })
    } else {
        e.into()
    }
}
