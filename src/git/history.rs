//! Reading history: commits and what errata shows of them, the record files
//! changed between two revisions (with renames found) and patches of them.
//! One record's own history is `follow`'s.

use git2::{Delta, DiffFindOptions, DiffFormat, DiffOptions, ObjectType, Oid, Sort};

use super::treediff::{TOPS, TreeCache, diff_trees};
use super::{CommitId, GitError, Repo};

/// A commit as errata shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    pub id: CommitId,
    pub author: String,
    pub email: String,
    /// Seconds since the epoch, and the author's offset from UTC in minutes.
    pub time: i64,
    pub offset_minutes: i32,
    pub summary: String,
    pub message: String,
}

impl CommitId {
    /// The full hex id.
    pub fn hex(&self) -> String {
        self.0.to_string()
    }

    /// The short id people type: the first seven hex digits.
    pub fn short(&self) -> String {
        let mut s = self.0.to_string();
        s.truncate(7);
        s
    }
}

/// How a record changed in one commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Added,
    Modified,
    Deleted,
    Renamed,
}

/// A record file as it was on each side of a change; `None` where it did not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    pub kind: ChangeKind,
    pub old_path: Option<String>,
    pub new_path: Option<String>,
    pub old_blob: Option<BlobId>,
    pub new_blob: Option<BlobId>,
}

impl FileChange {
    /// The change of the file at `path` from blob `old` to blob `new`, as a
    /// comparison of two trees finds it (`None` where a side lacks the file).
    pub(super) fn between(path: &str, old: Option<Oid>, new: Option<Oid>) -> FileChange {
        let kind = match (old, new) {
            (None, _) => ChangeKind::Added,
            (_, None) => ChangeKind::Deleted,
            _ => ChangeKind::Modified,
        };
        FileChange {
            kind,
            old_path: old.map(|_| path.to_owned()),
            new_path: new.map(|_| path.to_owned()),
            old_blob: old.map(BlobId),
            new_blob: new.map(BlobId),
        }
    }

    /// The path to name the change by: the new one, or the old one if deleted.
    pub fn path(&self) -> &str {
        self.new_path
            .as_deref()
            .or(self.old_path.as_deref())
            .unwrap_or_default()
    }
}

/// A file's content id; reading it goes through [`Repo::blob`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BlobId(pub(super) Oid);

impl BlobId {
    /// The id git gives these bytes as a file's content (`git hash-object`),
    /// without writing anything: a version of a record that any two readers
    /// of the same bytes agree on.
    pub fn of(bytes: &[u8]) -> Option<BlobId> {
        Oid::hash_object(git2::ObjectType::Blob, bytes)
            .ok()
            .map(BlobId)
    }

    pub fn hex(&self) -> String {
        self.0.to_string()
    }

    /// A blob id as [`BlobId::hex`] wrote it.
    pub fn parse(hex: &str) -> Option<BlobId> {
        Oid::from_str(hex).ok().map(BlobId)
    }
}

/// A blob read from the repository, its bytes borrowed from it.
pub struct BlobContent<'r>(git2::Blob<'r>);

impl BlobContent<'_> {
    pub fn bytes(&self) -> &[u8] {
        self.0.content()
    }
}

/// One revision of a record: the commit and how the record changed in it.
#[derive(Debug, Clone)]
pub struct Revision {
    pub commit: CommitInfo,
    pub change: FileChange,
}

/// One side of a comparison: a revision, or the working tree (with the index).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Side {
    /// Nothing: the side before a repository's first commit.
    Empty,
    Rev(String),
    WorkingTree,
}

impl Repo {
    pub(super) fn info(&self, commit: &git2::Commit<'_>) -> CommitInfo {
        let author = commit.author();
        CommitInfo {
            id: CommitId(commit.id()),
            author: author.name().unwrap_or_default().to_owned(),
            email: author.email().unwrap_or_default().to_owned(),
            time: author.when().seconds(),
            offset_minutes: author.when().offset_minutes(),
            summary: commit
                .summary()
                .ok()
                .flatten()
                .unwrap_or_default()
                .to_owned(),
            message: commit.message().unwrap_or_default().to_owned(),
        }
    }

    /// The content of a blob.
    pub fn blob(&self, id: BlobId) -> Result<Vec<u8>, GitError> {
        Ok(self.blob_content(id)?.bytes().to_vec())
    }

    /// The content of a blob, lent rather than copied: reading thousands of
    /// records for a diff need not copy each one again.
    pub fn blob_content(&self, id: BlobId) -> Result<BlobContent<'_>, GitError> {
        Ok(BlobContent(self.inner.find_blob(id.0)?))
    }

    fn tree_of(&self, side: &Side) -> Result<Option<git2::Tree<'_>>, GitError> {
        match side {
            Side::Rev(rev) => {
                let id = self.resolve(rev)?;
                Ok(Some(self.inner.find_commit(id.0)?.tree()?))
            }
            Side::Empty | Side::WorkingTree => Ok(None),
        }
    }

    fn record_diff(
        &self,
        old: &Side,
        new: &Side,
        paths: &[&str],
    ) -> Result<git2::Diff<'_>, GitError> {
        let mut opts = DiffOptions::new();
        for p in paths {
            opts.pathspec(*p);
        }
        let untracked = |opts: &mut DiffOptions| {
            opts.include_untracked(true)
                .recurse_untracked_dirs(true)
                .show_untracked_content(true);
        };
        let mut diff = match (old, new) {
            (Side::WorkingTree, Side::WorkingTree) => {
                self.inner.diff_tree_to_tree(None, None, Some(&mut opts))?
            }
            (a, Side::WorkingTree) => {
                untracked(&mut opts);
                let a = self.tree_of(a)?;
                self.inner
                    .diff_tree_to_workdir_with_index(a.as_ref(), Some(&mut opts))?
            }
            (Side::WorkingTree, b) => {
                untracked(&mut opts);
                opts.reverse(true);
                let b = self.tree_of(b)?;
                self.inner
                    .diff_tree_to_workdir_with_index(b.as_ref(), Some(&mut opts))?
            }
            (a, b) => {
                let (a, b) = (self.tree_of(a)?, self.tree_of(b)?);
                self.inner
                    .diff_tree_to_tree(a.as_ref(), b.as_ref(), Some(&mut opts))?
            }
        };
        diff.find_similar(Some(
            DiffFindOptions::new().renames(true).for_untracked(true),
        ))?;
        Ok(diff)
    }

    /// The files under `paths` that differ between two sides, with renames found.
    /// Working-tree files are hashed as they are on disk, so a read of the
    /// content afterwards goes through [`Repo::blob`] or the file itself.
    pub fn changed_files(
        &self,
        old: &Side,
        new: &Side,
        paths: &[&str],
    ) -> Result<Vec<FileChange>, GitError> {
        let all_records = paths.len() == TOPS.len() && TOPS.iter().all(|t| paths.contains(t));
        if all_records
            && *old != Side::WorkingTree
            && *new != Side::WorkingTree
            && let Some(found) = self.changed_between_trees(old, new)?
        {
            return Ok(found);
        }
        let diff = self.record_diff(old, new, paths)?;
        let path_of =
            |f: &git2::DiffFile<'_>| f.path().map(|p| p.to_string_lossy().replace('\\', "/"));
        let blob_of =
            |f: &git2::DiffFile<'_>| (f.exists() && !f.id().is_zero()).then(|| BlobId(f.id()));
        let mut out = Vec::new();
        for d in diff.deltas() {
            let kind = match d.status() {
                Delta::Added | Delta::Untracked => ChangeKind::Added,
                Delta::Deleted => ChangeKind::Deleted,
                Delta::Renamed => ChangeKind::Renamed,
                Delta::Modified | Delta::Typechange | Delta::Copied => ChangeKind::Modified,
                _ => continue,
            };
            let (old_file, new_file) = (d.old_file(), d.new_file());
            // A record is its content: a file whose mode alone changed is
            // the same record, as the history index and the trees' own
            // comparison below count it.
            if kind == ChangeKind::Modified
                && blob_of(&old_file).is_some()
                && blob_of(&old_file) == blob_of(&new_file)
            {
                continue;
            }
            out.push(FileChange {
                kind,
                old_path: (kind != ChangeKind::Added)
                    .then(|| path_of(&old_file))
                    .flatten(),
                new_path: (kind != ChangeKind::Deleted)
                    .then(|| path_of(&new_file))
                    .flatten(),
                old_blob: (kind != ChangeKind::Added)
                    .then(|| blob_of(&old_file))
                    .flatten(),
                new_blob: (kind != ChangeKind::Deleted)
                    .then(|| blob_of(&new_file))
                    .flatten(),
            });
        }
        Ok(out)
    }

    /// The record files two committed sides differ in, from their raw trees
    /// (only folders whose ids differ are read), in git's order as libgit2's
    /// diff lists them: 70–95 ms where that diff took 110–160 ms over 48,000
    /// changed records, and it runs before anything is compared. `None` where
    /// a file was added and another deleted: one may be the other renamed,
    /// which only libgit2's similarity search tells.
    fn changed_between_trees(
        &self,
        old: &Side,
        new: &Side,
    ) -> Result<Option<Vec<FileChange>>, GitError> {
        let tree_id = |side: &Side| -> Result<Option<Oid>, GitError> {
            Ok(self.tree_of(side)?.map(|t| t.id()))
        };
        let (a, b) = (tree_id(old)?, tree_id(new)?);
        let mut found = Vec::new();
        diff_trees(
            &self.inner.odb()?,
            &mut TreeCache::default(),
            a,
            b,
            &mut Vec::new(),
            true,
            false,
            &mut found,
        )?;
        let added = found.iter().any(|(_, before, _)| before.is_none());
        let deleted = found.iter().any(|(_, _, after)| after.is_none());
        if added && deleted {
            return Ok(None);
        }
        Ok(Some(
            found
                .iter()
                .map(|(path, before, after)| {
                    FileChange::between(&String::from_utf8_lossy(path), *before, *after)
                })
                .collect(),
        ))
    }

    /// A patch of the files under `paths` between two sides, in the form
    /// `git apply` accepts (with `diff --git` headers and renames).
    pub fn patch(&self, old: &Side, new: &Side, paths: &[&str]) -> Result<String, GitError> {
        let diff = self.record_diff(old, new, paths)?;
        let mut out = Vec::new();
        diff.print(DiffFormat::Patch, |_, _, line| {
            match line.origin() {
                '+' | '-' | ' ' => out.push(line.origin() as u8),
                _ => {}
            }
            out.extend_from_slice(line.content());
            true
        })?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    /// Commits reachable from `start` and not from any of `hide`, newest first,
    /// in git's default order.
    pub fn commits(&self, start: &str, hide: &[String]) -> Result<Vec<CommitInfo>, GitError> {
        let mut walk = self.inner.revwalk()?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)?;
        walk.push(self.resolve(start)?.0)?;
        for h in hide {
            walk.hide(self.resolve(h)?.0)?;
        }
        let mut out = Vec::new();
        for id in walk {
            out.push(self.info(&self.inner.find_commit(id?)?));
        }
        Ok(out)
    }

    /// The first parent of a commit, if it has one.
    pub fn parent(&self, id: CommitId) -> Result<Option<CommitId>, GitError> {
        let commit = self.inner.find_commit(id.0)?;
        Ok(commit.parent_ids().next().map(CommitId))
    }

    /// Whether a commit is a merge (its changes are its parents').
    pub fn is_merge(&self, id: CommitId) -> Result<bool, GitError> {
        Ok(self.inner.find_commit(id.0)?.parent_count() > 1)
    }

    /// Whether HEAD points at a commit yet.
    pub fn has_commits(&self) -> Result<bool, GitError> {
        let Some(id) = self.inner.head().ok().and_then(|h| h.target()) else {
            return Ok(false);
        };
        // HEAD names a commit the repository cannot read (a truncated pack, a
        // lost object): an empty history would be a wrong answer.
        match self.inner.find_object(id, Some(ObjectType::Commit)) {
            Ok(_) => Ok(true),
            Err(e) => Err(GitError::Damaged {
                what: format!("HEAD's commit {id}"),
                message: e.message().to_owned(),
            }),
        }
    }
}
