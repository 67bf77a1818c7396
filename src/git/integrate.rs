//! Bringing another line of history into this one, for `errata sync`: a
//! fast-forward, or git's own merge (libgit2's) into the working tree and index,
//! in which errata then settles the records it merges field by field. The
//! repository goes through the states git knows (`MERGE_HEAD`, conflict stages
//! in the index), so `git status`, `git commit` and `git merge --abort` work on
//! it as after a `git merge`.

use std::path::Path;

use git2::{AnnotatedCommit, ErrorCode, MergeAnalysis, Oid, build::CheckoutBuilder};

use super::{CommitId, GitError, Repo};

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

/// One file as it is at the merge base and on each side (`None` where absent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeSides {
    pub path: String,
    pub base: Option<Vec<u8>>,
    pub ours: Option<Vec<u8>>,
    pub theirs: Option<Vec<u8>>,
}

/// Index entry flags hold the conflict stage in bits 12 and 13.
const STAGE_SHIFT: u16 = 12;

impl Repo {
    fn annotated(&self, id: CommitId) -> Result<AnnotatedCommit<'_>, GitError> {
        Ok(self.inner.find_annotated_commit(id.0)?)
    }

    /// Whether git is in the middle of anything that can leave conflicts (a
    /// merge, rebase, cherry-pick, revert): only then can the index hold them.
    pub fn operation_in_progress(&self) -> bool {
        self.inner.state() != git2::RepositoryState::Clean
    }

    /// Whether a merge (of anyone's making) is under way: `MERGE_HEAD` exists.
    pub fn merge_in_progress(&self) -> bool {
        self.inner.state() == git2::RepositoryState::Merge
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
    /// and index for the files that differ (refusing, and changing nothing,
    /// where one of them holds uncommitted changes).
    pub fn fast_forward(&self, theirs: CommitId) -> Result<(), GitError> {
        let commit = self.inner.find_commit(theirs.0)?;
        let old = self.head_id()?;
        self.inner
            .checkout_tree(commit.as_object(), Some(CheckoutBuilder::new().safe()))
            .map_err(checkout_error)?;
        let head = self.inner.find_reference("HEAD")?;
        let target = head
            .symbolic_target()?
            .map(str::to_owned)
            .ok_or(GitError::DetachedHead)?;
        let message = format!("sync: fast-forward to {}", theirs.short());
        match old {
            Some(old) => self
                .inner
                .reference_matching(&target, theirs.0, true, old.0, &message)
                .map(drop)
                .map_err(|e| {
                    if e.code() == ErrorCode::Modified {
                        GitError::HeadMoved
                    } else {
                        e.into()
                    }
                }),
            None => self
                .inner
                .reference(&target, theirs.0, false, &message)
                .map(drop)
                .map_err(GitError::from),
        }
    }

    /// The files under `dirs` that both HEAD and `theirs` changed since their
    /// merge base, with the three versions of each: what errata merges itself.
    pub fn changed_on_both_sides(
        &self,
        theirs: CommitId,
        dirs: &[&str],
    ) -> Result<Vec<MergeSides>, GitError> {
        let ours = self.head_id()?.ok_or(GitError::DetachedHead)?;
        let base = self.inner.merge_base(ours.0, theirs.0).ok();
        let tree = |id: Option<Oid>| -> Result<Option<git2::Tree<'_>>, GitError> {
            match id {
                Some(id) => Ok(Some(self.inner.find_commit(id)?.tree()?)),
                None => Ok(None),
            }
        };
        let (base_tree, our_tree, their_tree) =
            (tree(base)?, tree(Some(ours.0))?, tree(Some(theirs.0))?);
        let changed = |side: &Option<git2::Tree<'_>>| -> Result<Vec<String>, GitError> {
            let mut opts = git2::DiffOptions::new();
            for d in dirs {
                opts.pathspec(d);
            }
            let diff =
                self.inner
                    .diff_tree_to_tree(base_tree.as_ref(), side.as_ref(), Some(&mut opts))?;
            Ok(diff
                .deltas()
                .flat_map(|d| [d.old_file().path(), d.new_file().path()])
                .flatten()
                .filter_map(|p| p.to_str().map(str::to_owned))
                .collect())
        };
        let mut ours_changed = changed(&our_tree)?;
        ours_changed.sort();
        ours_changed.dedup();
        let mut theirs_changed = changed(&their_tree)?;
        theirs_changed.sort();
        theirs_changed.dedup();
        let blob = |t: &Option<git2::Tree<'_>>, path: &str| -> Result<Option<Vec<u8>>, GitError> {
            let Some(t) = t else { return Ok(None) };
            match t.get_path(Path::new(path)) {
                Ok(e) => Ok(Some(self.inner.find_blob(e.id())?.content().to_vec())),
                Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
                Err(e) => Err(e.into()),
            }
        };
        let mut out = Vec::new();
        for path in ours_changed
            .iter()
            .filter(|p| theirs_changed.binary_search(p).is_ok())
        {
            let sides = MergeSides {
                path: path.clone(),
                base: blob(&base_tree, path)?,
                ours: blob(&our_tree, path)?,
                theirs: blob(&their_tree, path)?,
            };
            // Changed the same way on both sides: nothing to merge.
            if sides.ours != sides.theirs {
                out.push(sides);
            }
        }
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
        self.inner
            .merge(&[&self.annotated(theirs)?], None, Some(&mut checkout))
            .map_err(checkout_error)?;
        std::fs::write(self.git_dir().join("MERGE_MSG"), message).map_err(|e| {
            GitError::Git(git2::Error::from_str(&format!(
                "cannot write MERGE_MSG: {e}"
            )))
        })?;
        Ok(())
    }

    /// In the merge under way, stage `path` as `content` (or as removed),
    /// resolving any conflict git left on it. The caller writes the file.
    pub fn settle(&self, path: &str, content: Option<&[u8]>) -> Result<(), GitError> {
        let mut index = self.inner.index()?;
        match index.conflict_remove(Path::new(path)) {
            Err(e) if e.code() != ErrorCode::NotFound => return Err(e.into()),
            _ => {}
        }
        match content {
            Some(bytes) => {
                let id = self.inner.blob(bytes)?;
                index.add(&entry(path, id, 0))?;
            }
            None => match index.remove_path(Path::new(path)) {
                Err(e) if e.code() != ErrorCode::NotFound => return Err(e.into()),
                _ => {}
            },
        }
        Ok(index.write()?)
    }

    /// In the merge under way, leave `path` in conflict as git records one (its
    /// base, ours and theirs at stages 1, 2 and 3), whatever git's line merge
    /// made of it. The caller writes the file with its markers.
    pub fn leave_conflict(&self, sides: &MergeSides) -> Result<(), GitError> {
        let mut index = self.inner.index()?;
        let path = Path::new(&sides.path);
        match index.conflict_remove(path) {
            Err(e) if e.code() != ErrorCode::NotFound => return Err(e.into()),
            _ => {}
        }
        match index.remove(path, 0) {
            Err(e) if e.code() != ErrorCode::NotFound => return Err(e.into()),
            _ => {}
        }
        for (stage, bytes) in [(1, &sides.base), (2, &sides.ours), (3, &sides.theirs)] {
            if let Some(bytes) = bytes {
                let id = self.inner.blob(bytes)?;
                index.add(&entry(&sides.path, id, stage))?;
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

    /// Files under `dirs` whose working tree or index differs from HEAD.
    pub fn uncommitted(&self, dirs: &[&str]) -> Result<Vec<String>, GitError> {
        let mut opts = git2::StatusOptions::new();
        opts.include_untracked(false).include_ignored(false);
        for d in dirs {
            opts.pathspec(d);
        }
        let statuses = self.inner.statuses(Some(&mut opts))?;
        Ok(statuses
            .iter()
            .filter(|s| !s.status().is_empty())
            .filter_map(|s| s.path().ok().map(str::to_owned))
            .collect())
    }
}

/// An index entry for a blob at a stage, with no stat data (git refreshes it).
fn entry(path: &str, id: Oid, stage: u16) -> git2::IndexEntry {
    git2::IndexEntry {
        ctime: git2::IndexTime::new(0, 0),
        mtime: git2::IndexTime::new(0, 0),
        dev: 0,
        ino: 0,
        mode: 0o100644,
        uid: 0,
        gid: 0,
        file_size: 0,
        id,
        flags: stage << STAGE_SHIFT,
        flags_extended: 0,
        path: path.as_bytes().to_vec(),
    }
}

/// A checkout libgit2 refused because files it had to change hold changes of
/// the user's: say so rather than pass on libgit2's words.
fn checkout_error(e: git2::Error) -> GitError {
    if e.code() == ErrorCode::Conflict {
        GitError::WouldOverwrite(e.message().to_owned())
    } else {
        e.into()
    }
}
