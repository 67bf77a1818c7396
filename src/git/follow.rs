//! One record's history: the commits that changed it, newest first, following
//! it when it moves to another episode or is renamed, as `git log --follow`
//! does. A commit with one parent is answered by the history index
//! (`pathindex`), a commit the changed-path filters of a commit-graph rule out
//! is passed over unread, and the rest compare tree entry ids down the
//! record's path, one level at a time, reading a tree only when the level
//! above it differs. Uses `pathindex`, `graph` and git2.

use std::collections::hash_map::Entry;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::hash::BuildHasherDefault;
use std::path::Path;

use git2::{Delta, DiffFindOptions, DiffOptions, ObjectType, Odb, Oid};

use super::graph::{Graph, Key};
use super::pathindex::{IndexedChange, PathIndex, Session};
use super::treediff::{IdHasher, find_entry};
use super::{BlobId, BuildLock, ChangeKind, FileChange, GitError, Repo, Revision};

/// The chains computed so far, by commit and the number of the path the walk
/// follows (a record renamed has several).
type Chains = HashMap<(Oid, usize), Chain, BuildHasherDefault<IdHasher>>;

/// The chain of tree entry ids down a path in one commit, computed a level at a
/// time as comparisons need them.
struct Chain {
    root: Oid,
    levels: Vec<Option<Oid>>,
}

/// Entry ids down the paths a walk follows, read from raw trees: a folder of
/// a thousand episodes is scanned for one name, not parsed whole.
struct Levels<'r> {
    odb: Odb<'r>,
    chains: Chains,
}

impl Repo {
    /// The entry id at level `k` of path number `n`, `parts` (0 = the first
    /// component).
    fn level(
        &self,
        levels: &mut Levels<'_>,
        commit: Oid,
        (n, parts): (usize, &[String]),
        k: usize,
    ) -> Result<Option<Oid>, GitError> {
        let chain = match levels.chains.entry((commit, n)) {
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
                Some(t) => {
                    let tree = levels.odb.read(t).map_err(|e| match e.code() {
                        // Gone from the repository: damage, not an absent path.
                        git2::ErrorCode::NotFound => GitError::Damaged {
                            what: format!("tree {t}"),
                            message: "it is missing".to_owned(),
                        },
                        _ => GitError::from(e),
                    })?;
                    // Not a tree when the level above is a file, not a folder.
                    if tree.kind() != ObjectType::Tree {
                        None
                    } else {
                        find_entry(tree.data(), parts[i].as_bytes())
                            .map_err(|e| GitError::Damaged {
                                what: format!("tree {t}"),
                                message: e.message().to_owned(),
                            })?
                            .map(|(id, _)| id)
                    }
                }
            };
            chain.levels.push(id);
        }
        Ok(chain.levels[k])
    }

    /// Whether the file at path number `n`, `parts`, is the same in commits `a`
    /// and `b`, reading no tree below the first level at which the two agree.
    fn same_at(
        &self,
        levels: &mut Levels<'_>,
        a: Oid,
        b: Oid,
        path: (usize, &[String]),
    ) -> Result<bool, GitError> {
        for k in 0..path.1.len() {
            let x = self.level(levels, a, path, k)?;
            let y = self.level(levels, b, path, k)?;
            if x == y {
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn blob_at(
        &self,
        levels: &mut Levels<'_>,
        commit: Oid,
        path: (usize, &[String]),
    ) -> Result<Option<Oid>, GitError> {
        self.level(levels, commit, path, path.1.len() - 1)
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
    /// git's history simplification does. Every commit met that the history
    /// index lacks is indexed, for the walks to come.
    pub fn path_history(&self, start: &str, path: &str) -> Result<Vec<Revision>, GitError> {
        Ok(self
            .path_history_with(start, path, Indexing::All)?
            .revisions)
    }

    /// [`Repo::path_history`], indexing as `indexing` allows.
    pub fn path_history_with(
        &self,
        start: &str,
        path: &str,
        indexing: Indexing,
    ) -> Result<History, GitError> {
        let start = self.resolve(start)?;
        let mut index =
            PathIndex::covers(path).then(|| PathIndex::session(&self.inner, self.git_dir()));
        let graph = Graph::open(self.git_dir()).filter(Graph::has_filters);
        let mut levels = Levels {
            odb: self.inner.odb()?,
            chains: Chains::default(),
        };
        // The paths walked (a record renamed has several), numbered, so that
        // the queue, the chains and the walked commits hold a number, not a
        // string to hash or split at each of thousands of commits; with each,
        // its components and its changed-path filter key (computed when first
        // needed).
        struct Followed {
            path: String,
            parts: Vec<String>,
            covered: bool,
            keys: Option<Option<Key>>,
        }
        let mut paths: Vec<Followed> = Vec::new();
        let number = |paths: &mut Vec<Followed>, path: &str| -> usize {
            match paths.iter().position(|p| p.path == path) {
                Some(n) => n,
                None => {
                    paths.push(Followed {
                        path: path.to_owned(),
                        parts: path.split('/').map(str::to_owned).collect(),
                        covered: PathIndex::covers(path),
                        keys: None,
                    });
                    paths.len() - 1
                }
            }
        };
        let mut queue: BinaryHeap<(i64, u64, Oid, usize)> = BinaryHeap::new();
        // Until a merge is met the walk is one line, where no commit comes
        // twice; only then does it note the commits it has walked.
        let mut seen: HashSet<(Oid, usize), BuildHasherDefault<IdHasher>> = HashSet::default();
        let mut merged = false;
        let mut unindexed = false;
        let mut seq = u64::MAX;
        // A date orders the queue, so it is looked up only where the queue
        // holds another commit to order against (`needed`): a commit pushed
        // alone into an empty queue is the next one taken, so down a line of
        // single parents the walk reads no date.
        let time_of =
            |index: &Option<Session<'_>>, needed: bool, id: Oid| -> Result<i64, GitError> {
                if !needed {
                    return Ok(0);
                }
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
        let first = number(&mut paths, path);
        queue.push((0, seq, start.0, first));
        let mut out = Vec::new();
        while let Some((_, _, id, n)) = queue.pop() {
            if merged && !seen.insert((id, n)) {
                continue;
            }
            // A commit with one parent is told by the index whether, and how, it
            // changed the record; only an added file (maybe renamed) needs trees.
            // A commit the index lacks is indexed now, unless the changed-path
            // filter rules the record out without reading a tree, or this walk
            // has indexed all it may.
            // The index, where it knows the commit, answers without the filter.
            // (So whether it knows the commit is asked only where there is a
            // filter to consult.)
            let ruled_out = |paths: &mut Vec<Followed>, pos: usize, g: &Graph| -> bool {
                let p = &mut paths[n];
                p.keys
                    .get_or_insert_with(|| g.key(&p.path))
                    .as_ref()
                    .is_some_and(|k| !g.may_have_changed(pos, k))
            };
            let filtered = graph.as_ref().is_some_and(|g| {
                !index.as_ref().is_some_and(|ix| ix.knows(id))
                    && g.position(id)
                        .and_then(|pos| Some((pos, g.entry(pos)?)))
                        .is_some_and(|(pos, e)| {
                            e.parents.len() == 1 && ruled_out(&mut paths, pos, g)
                        })
            });
            let answer = match index.as_mut() {
                Some(ix) if paths[n].covered => {
                    let budget = match (filtered, indexing) {
                        (true, _) => 0,
                        (false, Indexing::All) => usize::MAX,
                        (false, Indexing::AtMost(most)) => most.saturating_sub(ix.indexed()),
                    };
                    let answer =
                        ix.single_parent_change(id, &paths[n].path, budget, graph.is_none());
                    unindexed |= answer.is_none() && budget == 0 && !filtered && !ix.knows(id);
                    answer
                }
                _ => None,
            };
            if let Some((parent, change)) = answer {
                let known = match change {
                    None => {
                        seq -= 1;
                        queue.push((time_of(&index, !queue.is_empty(), parent)?, seq, parent, n));
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
                    let path = &paths[n].path;
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
                    queue.push((time_of(&index, !queue.is_empty(), parent)?, seq, parent, n));
                    continue;
                }
            }
            // A commit with one parent whose changed-path filter rules the record
            // out is passed over without reading it or any tree.
            if let Some(g) = &graph
                && let Some(pos) = g.position(id)
                && let Some(entry) = g.entry(pos)
                && let [parent] = entry.parents.as_slice()
                && ruled_out(&mut paths, pos, g)
                && let Some(parent) = g.oid(*parent)
            {
                seq -= 1;
                queue.push((time_of(&index, !queue.is_empty(), parent)?, seq, parent, n));
                continue;
            }
            let commit = self.inner.find_commit(id)?;
            let parents: Vec<Oid> = commit.parent_ids().collect();
            merged |= parents.len() > 1;
            let mut push =
                |queue: &mut BinaryHeap<_>, parent: Oid, n: usize| -> Result<(), GitError> {
                    seq -= 1;
                    queue.push((time_of(&index, true, parent)?, seq, parent, n));
                    Ok(())
                };
            if parents.is_empty() {
                if let Some(blob) = self.blob_at(&mut levels, id, (n, &paths[n].parts))? {
                    out.push(Revision {
                        commit: self.info(&commit),
                        change: FileChange {
                            kind: ChangeKind::Added,
                            old_path: None,
                            new_path: Some(paths[n].path.clone()),
                            old_blob: None,
                            new_blob: Some(BlobId(blob)),
                        },
                    });
                }
                continue;
            }
            let mut same = None;
            for &p in &parents {
                if self.same_at(&mut levels, id, p, (n, &paths[n].parts))? {
                    same = Some(p);
                    break;
                }
            }
            if let Some(p) = same {
                push(&mut queue, p, n)?;
                continue;
            }
            // Changed against every parent: this commit is in the record's history.
            // (Only now is the record's own entry looked up: a commit that left
            // it alone is told by the first level at which the two agree, and
            // its folder of a thousand files is not scanned.)
            let here = self.blob_at(&mut levels, id, (n, &paths[n].parts))?;
            let first = parents[0];
            let before = self.blob_at(&mut levels, first, (n, &paths[n].parts))?;
            let path = paths[n].path.clone();
            let (kind, old_path, old_blob, follow) = match (before, here) {
                (None, Some(_)) => {
                    match self.renamed_from(first, id, &path, &paths[n].parts[0])? {
                        Some(old) => {
                            let m = number(&mut paths, &old);
                            let old_blob =
                                self.blob_at(&mut levels, first, (m, &paths[m].parts))?;
                            (ChangeKind::Renamed, Some(old.clone()), old_blob, Some(m))
                        }
                        None => (ChangeKind::Added, None, None, None),
                    }
                }
                (Some(b), None) => (ChangeKind::Deleted, Some(path.clone()), Some(b), Some(n)),
                (b, _) => (ChangeKind::Modified, Some(path.clone()), b, Some(n)),
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
                    push(&mut queue, p, follow)?;
                }
            }
        }
        if let Some(ix) = index {
            ix.save();
        }
        Ok(History {
            revisions: out,
            unindexed,
        })
    }
}

impl Repo {
    /// Index all of history from `start` that the index lacks and write it
    /// back: what a walk with [`Indexing::AtMost`] left. How many commits it
    /// indexed.
    pub fn index_history(&self, start: &str) -> Result<usize, GitError> {
        let start = self.resolve(start)?;
        let mut index = PathIndex::session(&self.inner, self.git_dir());
        index.index_all(start.0);
        let indexed = index.indexed();
        index.save();
        Ok(indexed)
    }

    /// Hold the right to build the history index in full; `None` while
    /// another process builds it.
    pub fn lock_index_build(&self) -> Option<BuildLock> {
        BuildLock::take(self.git_dir())
    }
}

/// How much of the history index a walk builds as it goes.
#[derive(Debug, Clone, Copy)]
pub enum Indexing {
    /// Every commit met that the index lacks: for the many walks to come (a
    /// site, a server).
    All,
    /// At most this many commits; past them the walk follows only its path,
    /// as git does, and leaves the rest to [`Repo::index_history`].
    AtMost(usize),
}

/// What a walk found, and whether it met commits the index lacks and left
/// them unindexed.
pub struct History {
    pub revisions: Vec<Revision>,
    pub unindexed: bool,
}
