//! Reading history: the commits that changed one record (following it when it
//! moves to another episode or is renamed, as `git log --follow` does), the
//! records changed between two revisions, and the commits themselves.
//!
//! The walk is the expensive part on a long history, so it compares tree entry
//! ids down the record's path, one level at a time, and reads a tree only when
//! the level above it differs: most commits are told apart from their parent by
//! the root and `claims/` trees alone.

use std::collections::hash_map::Entry;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::path::Path;

use git2::{Delta, DiffFindOptions, DiffFormat, DiffOptions, ObjectType, Oid, Sort};

use super::graph::{Graph, Key};
use super::pathindex::{IndexedChange, PathIndex, Session};
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

/// The chains computed so far, by commit and path.
type Chains = HashMap<(Oid, String), Chain>;

/// The chain of tree entry ids down a path in one commit, computed a level at a
/// time as comparisons need them.
struct Chain {
    root: Oid,
    levels: Vec<Option<Oid>>,
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
        Ok(self.inner.find_blob(id.0)?.content().to_vec())
    }

    /// The entry id at level `k` of `path` (0 = the first component).
    fn level(
        &self,
        chains: &mut Chains,
        commit: Oid,
        parts: &[&str],
        k: usize,
    ) -> Result<Option<Oid>, GitError> {
        let chain = match chains.entry((commit, parts.join("/"))) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(Chain {
                root: self.inner.find_commit(commit)?.tree_id(),
                levels: Vec::new(),
            }),
        };
        while chain.levels.len() <= k {
            let i = chain.levels.len();
            let parent_tree = if i == 0 {
                Some(chain.root)
            } else {
                chain.levels[i - 1]
            };
            let id = match parent_tree {
                None => None,
                Some(t) => match self.inner.find_tree(t) {
                    Ok(tree) => tree.get_name(parts[i]).map(|e| e.id()),
                    Err(e) => match GitError::from(e) {
                        damaged @ GitError::Damaged { .. } => return Err(damaged),
                        // Gone from the repository: damage, not an absent path.
                        _ if !self.inner.odb()?.exists(t) => {
                            return Err(GitError::Damaged {
                                what: format!("tree {t}"),
                                message: "it is missing".to_owned(),
                            });
                        }
                        // Not a tree when the level above is a file, not a folder.
                        _ => None,
                    },
                },
            };
            chain.levels.push(id);
        }
        Ok(chain.levels[k])
    }

    /// The blob at `path` in `commit`, and whether it equals the one in `parent`,
    /// reading no tree below the first level at which the two agree.
    fn same_at(&self, chains: &mut Chains, a: Oid, b: Oid, path: &str) -> Result<bool, GitError> {
        let parts: Vec<&str> = path.split('/').collect();
        for k in 0..parts.len() {
            let x = self.level(chains, a, &parts, k)?;
            let y = self.level(chains, b, &parts, k)?;
            if x == y {
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn blob_at(
        &self,
        chains: &mut Chains,
        commit: Oid,
        path: &str,
    ) -> Result<Option<Oid>, GitError> {
        let parts: Vec<&str> = path.split('/').collect();
        self.level(chains, commit, &parts, parts.len() - 1)
    }

    /// Where `path` of `commit` came from in `parent`, if it was renamed or moved
    /// in that commit (git's rename detection, as `--follow` uses it).
    fn renamed_from(
        &self,
        parent: Oid,
        commit: Oid,
        path: &str,
        under: &str,
    ) -> Result<Option<String>, GitError> {
        let old = self.inner.find_commit(parent)?.tree()?;
        let new = self.inner.find_commit(commit)?.tree()?;
        // A rename needs a file that went away: find those first, reading only
        // the folders that changed, and compare just them with the new path.
        let deleted = self.deleted_under(&old, &new, under)?;
        if deleted.is_empty() {
            return Ok(None);
        }
        let mut opts = DiffOptions::new();
        opts.disable_pathspec_match(true).pathspec(path);
        for d in &deleted {
            opts.pathspec(d);
        }
        let mut diff = self
            .inner
            .diff_tree_to_tree(Some(&old), Some(&new), Some(&mut opts))?;
        diff.find_similar(Some(DiffFindOptions::new().renames(true)))?;
        for delta in diff.deltas() {
            if delta.status() == Delta::Renamed && delta.new_file().path() == Some(Path::new(path))
            {
                return Ok(delta
                    .old_file()
                    .path()
                    .map(|p| p.to_string_lossy().replace('\\', "/")));
            }
        }
        Ok(None)
    }

    /// Files under the folder `under` that are in `old` and not in `new`, found
    /// by descending only into subtrees whose ids differ.
    fn deleted_under(
        &self,
        old: &git2::Tree<'_>,
        new: &git2::Tree<'_>,
        under: &str,
    ) -> Result<Vec<String>, GitError> {
        let sub = |t: &git2::Tree<'_>| -> Option<Oid> {
            t.get_name(under)
                .filter(|e| e.kind() == Some(ObjectType::Tree))
                .map(|e| e.id())
        };
        let mut out = Vec::new();
        let mut stack: Vec<(String, Option<Oid>, Option<Oid>)> =
            vec![(under.to_owned(), sub(old), sub(new))];
        while let Some((prefix, a, b)) = stack.pop() {
            let Some(a) = a else { continue };
            if Some(a) == b {
                continue;
            }
            let a = self.inner.find_tree(a)?;
            let b = match b {
                Some(b) => Some(self.inner.find_tree(b)?),
                None => None,
            };
            for entry in a.iter() {
                let Ok(name) = entry.name() else { continue };
                let there = b.as_ref().and_then(|b| b.get_name(name).map(|e| e.id()));
                let child = format!("{prefix}/{name}");
                if entry.kind() == Some(ObjectType::Tree) {
                    stack.push((child, Some(entry.id()), there));
                } else if there.is_none() {
                    out.push(child);
                }
            }
        }
        Ok(out)
    }

    /// The commits that changed the file at `path`, newest first, from `start`
    /// back, following renames: the same commits `git log --follow -- path` lists.
    /// At a merge the walk follows a parent the file is unchanged from, if any, as
    /// git's history simplification does.
    pub fn path_history(&self, start: &str, path: &str) -> Result<Vec<Revision>, GitError> {
        let start = self.resolve(start)?;
        let mut index =
            PathIndex::covers(path).then(|| PathIndex::session(&self.inner, self.git_dir()));
        let graph = Graph::open(self.git_dir()).filter(Graph::has_filters);
        let mut keys: HashMap<String, Option<Key>> = HashMap::new();
        let mut chains: Chains = HashMap::new();
        let mut queue: BinaryHeap<(i64, u64, Oid, String)> = BinaryHeap::new();
        let mut seen: HashSet<(Oid, String)> = HashSet::new();
        let mut seq = u64::MAX;
        let time_of = |index: &Option<Session<'_>>, id: Oid| -> Result<i64, GitError> {
            if let Some(t) = index.as_ref().and_then(|ix| ix.time(id)) {
                return Ok(t);
            }
            if let Some(e) = graph
                .as_ref()
                .and_then(|g| g.position(id))
                .and_then(|pos| graph.as_ref()?.entry(pos))
            {
                return Ok(e.time);
            }
            Ok(self.inner.find_commit(id)?.time().seconds())
        };
        queue.push((time_of(&index, start.0)?, seq, start.0, path.to_owned()));
        let mut out = Vec::new();
        while let Some((_, _, id, path)) = queue.pop() {
            if !seen.insert((id, path.clone())) {
                continue;
            }
            // A commit with one parent is told by the index whether, and how, it
            // changed the record; only an added file (maybe renamed) needs trees.
            // A commit the index lacks is indexed now, unless the changed-path
            // filter rules the record out without reading a tree.
            let filtered = graph.as_ref().is_some_and(|g| {
                g.position(id)
                    .and_then(|pos| Some((pos, g.entry(pos)?)))
                    .is_some_and(|(pos, e)| {
                        e.parents.len() == 1
                            && keys
                                .entry(path.clone())
                                .or_insert_with(|| g.key(&path))
                                .as_ref()
                                .is_some_and(|k| !g.may_have_changed(pos, k))
                    })
            });
            let answer = match index.as_mut() {
                Some(ix) if PathIndex::covers(&path) => {
                    ix.single_parent_change(id, &path, !filtered)
                }
                _ => None,
            };
            if let Some((parent, change)) = answer {
                let known = match change {
                    None => {
                        seq -= 1;
                        queue.push((time_of(&index, parent)?, seq, parent, path));
                        continue;
                    }
                    Some(IndexedChange {
                        old: Some(o),
                        new: Some(n),
                    }) => Some((ChangeKind::Modified, o, Some(n))),
                    Some(IndexedChange {
                        old: Some(o),
                        new: None,
                    }) => Some((ChangeKind::Deleted, o, None)),
                    Some(IndexedChange { old: None, .. }) => None,
                };
                if let Some((kind, old, new)) = known {
                    let commit = self.inner.find_commit(id)?;
                    out.push(Revision {
                        commit: self.info(&commit),
                        change: FileChange {
                            kind,
                            old_path: Some(path.clone()),
                            new_path: new.map(|_| path.clone()),
                            old_blob: Some(BlobId(old)),
                            new_blob: new.map(BlobId),
                        },
                    });
                    seq -= 1;
                    queue.push((time_of(&index, parent)?, seq, parent, path));
                    continue;
                }
            }
            // A commit with one parent whose changed-path filter rules the record
            // out is passed over without reading it or any tree.
            if let Some(g) = &graph
                && let Some(pos) = g.position(id)
                && let Some(entry) = g.entry(pos)
                && let [parent] = entry.parents.as_slice()
                && let Some(key) = keys.entry(path.clone()).or_insert_with(|| g.key(&path))
                && !g.may_have_changed(pos, key)
                && let Some(parent) = g.oid(*parent)
            {
                seq -= 1;
                queue.push((time_of(&index, parent)?, seq, parent, path));
                continue;
            }
            let commit = self.inner.find_commit(id)?;
            let parents: Vec<Oid> = commit.parent_ids().collect();
            let mut push =
                |queue: &mut BinaryHeap<_>, parent: Oid, path: String| -> Result<(), GitError> {
                    seq -= 1;
                    queue.push((time_of(&index, parent)?, seq, parent, path));
                    Ok(())
                };
            let here = self.blob_at(&mut chains, id, &path)?;
            if parents.is_empty() {
                if let Some(blob) = here {
                    out.push(Revision {
                        commit: self.info(&commit),
                        change: FileChange {
                            kind: ChangeKind::Added,
                            old_path: None,
                            new_path: Some(path.clone()),
                            old_blob: None,
                            new_blob: Some(BlobId(blob)),
                        },
                    });
                }
                continue;
            }
            let mut same = None;
            for &p in &parents {
                if self.same_at(&mut chains, id, p, &path)? {
                    same = Some(p);
                    break;
                }
            }
            if let Some(p) = same {
                push(&mut queue, p, path)?;
                continue;
            }
            // Changed against every parent: this commit is in the record's history.
            let first = parents[0];
            let before = self.blob_at(&mut chains, first, &path)?;
            let (kind, old_path, old_blob, follow) = match (before, here) {
                (None, Some(_)) => {
                    let dir = path.split('/').next().unwrap_or_default().to_owned();
                    match self.renamed_from(first, id, &path, &dir)? {
                        Some(old) => {
                            let old_blob = self.blob_at(&mut chains, first, &old)?;
                            (ChangeKind::Renamed, Some(old.clone()), old_blob, Some(old))
                        }
                        None => (ChangeKind::Added, None, None, None),
                    }
                }
                (Some(b), None) => (
                    ChangeKind::Deleted,
                    Some(path.clone()),
                    Some(b),
                    Some(path.clone()),
                ),
                (b, _) => (
                    ChangeKind::Modified,
                    Some(path.clone()),
                    b,
                    Some(path.clone()),
                ),
            };
            out.push(Revision {
                commit: self.info(&commit),
                change: FileChange {
                    kind,
                    old_path,
                    new_path: here.map(|_| path.clone()),
                    old_blob: old_blob.map(BlobId),
                    new_blob: here.map(BlobId),
                },
            });
            if let Some(follow) = follow {
                for &p in &parents {
                    push(&mut queue, p, follow.clone())?;
                }
            }
        }
        if let Some(ix) = index {
            ix.save();
        }
        Ok(out)
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
