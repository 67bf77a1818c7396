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

use git2::{Delta, DiffFindOptions, DiffOptions, ObjectType, Oid};

use super::graph::{Graph, Key};
use super::pathindex::{IndexedChange, PathIndex, Session};
use super::treediff::IdHasher;
use super::{BlobId, ChangeKind, FileChange, GitError, Repo, Revision};

/// The chains computed so far, by commit and path.
type Chains = HashMap<(Oid, String), Chain>;

/// The chain of tree entry ids down a path in one commit, computed a level at a
/// time as comparisons need them.
struct Chain {
    root: Oid,
    levels: Vec<Option<Oid>>,
}

impl Repo {
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
        // The paths walked (a record renamed has several), numbered, so that a
        // commit already walked for a path is found without hashing the path
        // at each of thousands of commits.
        let mut paths: Vec<String> = Vec::new();
        // Until a merge is met the walk is one line, where no commit comes
        // twice; only then does it note the commits it has walked.
        let mut seen: HashSet<(Oid, usize), BuildHasherDefault<IdHasher>> = HashSet::default();
        let mut merged = false;
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
        queue.push((0, seq, start.0, path.to_owned()));
        let mut out = Vec::new();
        while let Some((_, _, id, path)) = queue.pop() {
            if merged {
                let n = match paths.iter().position(|p| *p == path) {
                    Some(n) => n,
                    None => {
                        paths.push(path.clone());
                        paths.len() - 1
                    }
                };
                if !seen.insert((id, n)) {
                    continue;
                }
            }
            // A commit with one parent is told by the index whether, and how, it
            // changed the record; only an added file (maybe renamed) needs trees.
            // A commit the index lacks is indexed now, unless the changed-path
            // filter rules the record out without reading a tree.
            // The index, where it knows the commit, answers without the filter.
            // (So whether it knows the commit is asked only where there is a
            // filter to consult.)
            let filtered = graph.as_ref().is_some_and(|g| {
                !index.as_ref().is_some_and(|ix| ix.knows(id))
                    && g.position(id)
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
                    ix.single_parent_change(id, &path, !filtered, graph.is_none())
                }
                _ => None,
            };
            if let Some((parent, change)) = answer {
                let known = match change {
                    None => {
                        seq -= 1;
                        queue.push((
                            time_of(&index, !queue.is_empty(), parent)?,
                            seq,
                            parent,
                            path,
                        ));
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
                    queue.push((
                        time_of(&index, !queue.is_empty(), parent)?,
                        seq,
                        parent,
                        path,
                    ));
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
                queue.push((
                    time_of(&index, !queue.is_empty(), parent)?,
                    seq,
                    parent,
                    path,
                ));
                continue;
            }
            let commit = self.inner.find_commit(id)?;
            let parents: Vec<Oid> = commit.parent_ids().collect();
            merged |= parents.len() > 1;
            let mut push =
                |queue: &mut BinaryHeap<_>, parent: Oid, path: String| -> Result<(), GitError> {
                    seq -= 1;
                    queue.push((time_of(&index, true, parent)?, seq, parent, path));
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
}
