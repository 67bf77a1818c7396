//! When files last changed: for many files at once, the newest commit that
//! touched each, found in one walk of history from HEAD, newest first by commit
//! date, rather than one history per file.
//!
//! The walk stops where the caller says, and can go on later: a caller learns
//! first which files changed since a date (the walk then costs the commits since
//! that date), and only then, for the files it still looks for, how far back
//! they last changed. It also stops as soon as every file is found.
//!
//! A commit touches a file when the file differs between it and its parent; a
//! merge touches it only when it differs from every parent (a merge that took
//! one side's version changed nothing, as in git's history simplification), and
//! the first commit touches every file it holds. Renames are not followed: a
//! file moved to its path was touched by the commit that moved it.
//!
//! Comparing a commit with its parent descends only into folders whose tree ids
//! differ and that hold a file still looked for (libgit2's tree diff expands
//! every folder, which on 1,000 episode folders costs a thousand times more).
//! Where git has written a commit-graph, dates, parents and trees come from it,
//! and a commit whose changed-path Bloom filter rules out every file still
//! looked for (or their folders, when they are many) is passed over without
//! reading a tree. Uses git2 and `graph`.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

use git2::{ErrorCode, ObjectType, Oid, Tree};

use super::graph::{Graph, Key};
use super::{CommitId, GitError, Repo};

/// The newest commit that touched a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Touch {
    pub commit: CommitId,
    /// The commit date, seconds since the epoch.
    pub time: i64,
}

/// What the walk knows of one file so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LastChange {
    /// Not in HEAD: never committed, or its removal is.
    Uncommitted,
    /// Last changed by this commit.
    At(Touch),
    /// Touched by none of the commits walked so far: it last changed before them.
    Earlier,
}

/// How many keys a commit's Bloom filter is tested with, at most: beyond that
/// the tests cost more than reading the trees they save.
const MAX_KEYS: usize = 32;

/// Trees kept at hand: a commit's tree is read again as the parent side of the
/// next commit walked, and libgit2 does not cache trees larger than 4 KiB.
const TREE_CACHE: usize = 256;

/// The files still looked for, as a tree of path components.
#[derive(Default)]
struct Node {
    children: HashMap<String, Node>,
    /// The index of the file at this path, if one is looked for.
    file: Option<usize>,
    /// How many files are looked for at or below this path.
    count: usize,
}

impl Node {
    /// Look for the file at `path` as the `i`th; whether it was new (a path
    /// given twice is looked for once, as the first).
    fn insert(&mut self, path: &str, i: usize) -> bool {
        let (head, rest) = path
            .split_once('/')
            .map_or((path, None), |(h, r)| (h, Some(r)));
        let child = self.children.entry(head.to_owned()).or_default();
        let added = match rest {
            Some(rest) => child.insert(rest, i),
            None if child.file.is_none() => {
                child.file = Some(i);
                child.count += 1;
                true
            }
            None => false,
        };
        if added {
            self.count += 1;
        }
        added
    }

    /// Stop looking for the file at `path`; whether it was looked for.
    fn remove(&mut self, path: &str) -> bool {
        let (head, rest) = path
            .split_once('/')
            .map_or((path, None), |(h, r)| (h, Some(r)));
        let Some(child) = self.children.get_mut(head) else {
            return false;
        };
        let removed = match rest {
            Some(rest) => child.remove(rest),
            None => match child.file.take() {
                Some(_) => {
                    child.count -= 1;
                    true
                }
                None => false,
            },
        };
        if removed {
            self.count -= 1;
            if child.count == 0 {
                self.children.remove(head);
            }
        }
        removed
    }
}

/// git's order of tree entries: by name, a folder's name as if it ended in `/`.
fn tree_order(a: &[u8], a_dir: bool, b: &[u8], b_dir: bool) -> Ordering {
    let n = a.len().min(b.len());
    a[..n].cmp(&b[..n]).then_with(|| {
        let end =
            |name: &[u8], dir: bool| name.get(n).copied().unwrap_or(if dir { b'/' } else { 0 });
        end(a, a_dir).cmp(&end(b, b_dir))
    })
}

/// Changed-path filter keys for what a walk still looks for.
#[derive(Default)]
struct Keys {
    folders: Option<Vec<Key>>,
    paths: Option<Vec<Key>>,
}

/// A walk of history for the last change of each of a set of files.
pub struct LastChanges<'r> {
    repo: &'r Repo,
    graph: Option<Graph>,
    /// Commits to look at, newest first: (date, order of discovery, id).
    queue: BinaryHeap<(i64, u64, Oid)>,
    /// Every commit found so far, with its date and tree; missing ones left out.
    known: HashMap<Oid, Option<(i64, Oid)>>,
    seq: u64,
    paths: Vec<String>,
    found: Vec<LastChange>,
    pending: Node,
    /// How many files still looked for are in each folder.
    folders: HashMap<String, usize>,
    /// Filter keys for what is still looked for; `None` to rebuild.
    keys: Option<Keys>,
    trees: HashMap<Oid, Tree<'r>>,
    /// The oldest commit walked, for files a cut history never shows added.
    oldest: Option<Touch>,
}

/// A commit's date, parents and tree, from the commit-graph or the commit.
struct Meta {
    time: i64,
    parents: Vec<Oid>,
    tree: Oid,
    /// Its place in the commit-graph, if it is there.
    pos: Option<usize>,
}

fn folder_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

impl Repo {
    /// Start a walk for the last change of each of `paths` (distinct, relative
    /// to the top of the working tree, `/` separators), from HEAD. Nothing is walked until
    /// [`LastChanges::walk_until`].
    pub fn last_changes(&self, paths: &[String]) -> Result<LastChanges<'_>, GitError> {
        let mut walk = LastChanges {
            repo: self,
            graph: Graph::open(self.git_dir()),
            queue: BinaryHeap::new(),
            known: HashMap::new(),
            seq: u64::MAX,
            paths: paths.to_vec(),
            found: vec![LastChange::Uncommitted; paths.len()],
            pending: Node::default(),
            folders: HashMap::new(),
            keys: None,
            trees: HashMap::new(),
            oldest: None,
        };
        let head = match self.inner.head() {
            Ok(head) => head.peel_to_commit()?,
            Err(e) if e.code() == ErrorCode::UnbornBranch || e.code() == ErrorCode::NotFound => {
                return Ok(walk);
            }
            Err(e) => return Err(e.into()),
        };
        // Which files HEAD holds: one descent from its tree against nothing.
        let mut all = Node::default();
        for (i, path) in paths.iter().enumerate() {
            all.insert(path, i);
        }
        let tree = walk.tree(head.tree_id())?;
        let mut present = Vec::new();
        walk.descend(&all, None, Some(&tree), &mut present)?;
        for i in present {
            let path = &walk.paths[i];
            walk.found[i] = LastChange::Earlier;
            *walk.folders.entry(folder_of(path).to_owned()).or_default() += 1;
            walk.pending.insert(path, i);
        }
        if walk.pending.count > 0 {
            walk.enqueue(head.id())?;
        }
        Ok(walk)
    }
}

impl<'r> LastChanges<'r> {
    /// What is known of the `i`th path.
    pub fn get(&self, i: usize) -> LastChange {
        self.found
            .get(i)
            .copied()
            .unwrap_or(LastChange::Uncommitted)
    }

    /// How many paths are still looked for.
    pub fn pending(&self) -> usize {
        self.pending.count
    }

    /// Walk on, newest first, until every path is found, or (with `since`) the
    /// next commit is not newer than `since`: a path still [`LastChange::Earlier`]
    /// then last changed at `since` or before. Without `since`, to the first commit.
    pub fn walk_until(&mut self, since: Option<i64>) -> Result<(), GitError> {
        while self.pending.count > 0 {
            let Some(&(time, _, id)) = self.queue.peek() else {
                // A history cut short (a shallow clone): its oldest commit holds
                // what was there before it, as `git log` shows.
                if let Some(oldest) = self.oldest {
                    for (i, f) in self.found.iter_mut().enumerate() {
                        if *f == LastChange::Earlier {
                            *f = LastChange::At(oldest);
                            self.pending.remove(&self.paths[i]);
                        }
                    }
                }
                break;
            };
            if since.is_some_and(|s| time <= s) {
                break;
            }
            self.queue.pop();
            self.visit(id)?;
        }
        Ok(())
    }

    fn meta(&self, id: Oid) -> Result<Meta, GitError> {
        if let Some(g) = &self.graph
            && let Some(pos) = g.position(id)
            && let Some(e) = g.entry(pos)
            && let Some(parents) = e.parents.iter().map(|p| g.oid(*p)).collect()
        {
            return Ok(Meta {
                time: e.time,
                parents,
                tree: e.tree,
                pos: Some(pos),
            });
        }
        let c = self.repo.inner.find_commit(id)?;
        Ok(Meta {
            time: c.time().seconds(),
            parents: c.parent_ids().collect(),
            tree: c.tree_id(),
            pos: None,
        })
    }

    fn enqueue(&mut self, id: Oid) -> Result<(), GitError> {
        if self.known.contains_key(&id) {
            return Ok(());
        }
        // A parent missing from a cut history is left out, as git leaves it.
        let meta = match self.meta(id) {
            Ok(m) => m,
            Err(GitError::Git(e)) if e.code() == ErrorCode::NotFound => {
                self.known.insert(id, None);
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        self.known.insert(id, Some((meta.time, meta.tree)));
        self.seq -= 1;
        self.queue.push((meta.time, self.seq, id));
        Ok(())
    }

    fn tree(&mut self, id: Oid) -> Result<Tree<'r>, GitError> {
        if let Some(t) = self.trees.get(&id) {
            return Ok(t.clone());
        }
        if self.trees.len() >= TREE_CACHE {
            self.trees.clear();
        }
        let t = self.repo.inner.find_tree(id)?;
        self.trees.insert(id, t.clone());
        Ok(t)
    }

    /// Filter keys that cover every path still looked for: of their folders,
    /// and of the paths themselves, each when there are few enough to test.
    fn build_keys(&mut self) {
        if self.keys.is_some() {
            return;
        }
        let Some(g) = self.graph.as_ref().filter(|g| g.has_filters()) else {
            self.keys = Some(Keys::default());
            return;
        };
        // A name with no key (not ASCII, or the top folder, which filters
        // leave out) could be anywhere: that set is not tested.
        let keys_of = |names: Vec<&str>| -> Option<Vec<Key>> {
            names
                .into_iter()
                .map(|n| g.key(n).filter(|_| !n.is_empty()))
                .collect()
        };
        let folders = (self.folders.len() <= MAX_KEYS)
            .then(|| keys_of(self.folders.keys().map(String::as_str).collect()))
            .flatten();
        let paths = (self.pending.count <= MAX_KEYS)
            .then(|| {
                keys_of(
                    self.found
                        .iter()
                        .zip(&self.paths)
                        .filter(|(f, _)| **f == LastChange::Earlier)
                        .map(|(_, p)| p.as_str())
                        .collect(),
                )
            })
            .flatten();
        self.keys = Some(Keys { folders, paths });
    }

    fn visit(&mut self, id: Oid) -> Result<(), GitError> {
        let meta = self.meta(id)?;
        let touch = Touch {
            commit: CommitId(id),
            time: meta.time,
        };
        self.oldest = Some(touch);
        for p in &meta.parents {
            self.enqueue(*p)?;
        }
        if meta.pos.is_some() {
            self.build_keys();
        }
        if let (Some(pos), Some(g), Some(keys)) = (meta.pos, &self.graph, &self.keys) {
            let ruled_out = |keys: &Option<Vec<Key>>| {
                keys.as_ref()
                    .is_some_and(|keys| !keys.iter().any(|k| g.may_have_changed(pos, k)))
            };
            // The folders first: one key where the paths may need many.
            if ruled_out(&keys.folders) || ruled_out(&keys.paths) {
                return Ok(());
            }
        }
        for i in self.touched(&meta)? {
            let path = &self.paths[i];
            if self.pending.remove(path) {
                self.found[i] = LastChange::At(touch);
                let folder = folder_of(path);
                if let Some(n) = self.folders.get_mut(folder) {
                    *n -= 1;
                    if *n == 0 {
                        self.folders.remove(folder);
                    }
                }
                self.keys = None;
            }
        }
        Ok(())
    }

    /// The files still looked for that this commit touched.
    fn touched(&mut self, meta: &Meta) -> Result<Vec<usize>, GitError> {
        let parents: Vec<Oid> = meta
            .parents
            .iter()
            .filter_map(|p| self.known.get(p).copied().flatten().map(|(_, tree)| tree))
            .collect();
        if parents.first() == Some(&meta.tree) {
            return Ok(Vec::new());
        }
        let tree = self.tree(meta.tree)?;
        let first = match parents.first() {
            Some(t) => Some(self.tree(*t)?),
            None => None,
        };
        let pending = std::mem::take(&mut self.pending);
        let mut out = Vec::new();
        let result = self.descend(&pending, first.as_ref(), Some(&tree), &mut out);
        self.pending = pending;
        result?;
        if parents.len() > 1 && !out.is_empty() {
            // A merge touched a file only if it differs from every parent.
            let at = |t: &Tree<'_>, path: &str| {
                t.get_path(std::path::Path::new(path)).ok().map(|e| e.id())
            };
            let mut others = Vec::with_capacity(parents.len() - 1);
            for t in &parents[1..] {
                others.push(self.tree(*t)?);
            }
            out.retain(|&i| {
                let here = at(&tree, &self.paths[i]);
                others.iter().all(|o| at(o, &self.paths[i]) != here)
            });
        }
        Ok(out)
    }

    /// The files under `node` that differ between two trees of one folder
    /// (`None`: the folder is not there), descending only into subfolders
    /// whose ids differ and that hold a file looked for.
    fn descend(
        &mut self,
        node: &Node,
        old: Option<&Tree<'r>>,
        new: Option<&Tree<'r>>,
        out: &mut Vec<usize>,
    ) -> Result<(), GitError> {
        // (what is looked for there, old entry, new entry), each entry its id
        // and whether it is a folder.
        type Pair<'n> = (&'n Node, Option<(Oid, bool)>, Option<(Oid, bool)>);
        let entry = |e: git2::TreeEntry<'_>| (e.id(), e.kind() == Some(ObjectType::Tree));
        let size = new.map_or(0, Tree::len).max(old.map_or(0, Tree::len));
        let mut pairs: Vec<Pair<'_>> = Vec::new();
        if node.children.len() * 8 < size {
            // Few names looked for in a large folder: look each of them up.
            for (name, child) in &node.children {
                let o = old.and_then(|t| t.get_name(name)).map(entry);
                let n = new.and_then(|t| t.get_name(name)).map(entry);
                if o.map(|e| e.0) != n.map(|e| e.0) {
                    pairs.push((child, o, n));
                }
            }
        } else {
            // Walk both folders in git's order, comparing ids entry by entry.
            let mut a = old.into_iter().flat_map(Tree::iter).peekable();
            let mut b = new.into_iter().flat_map(Tree::iter).peekable();
            loop {
                let order = match (a.peek(), b.peek()) {
                    (None, None) => break,
                    (Some(_), None) => Ordering::Less,
                    (None, Some(_)) => Ordering::Greater,
                    (Some(x), Some(y)) => tree_order(
                        x.name_bytes(),
                        x.kind() == Some(ObjectType::Tree),
                        y.name_bytes(),
                        y.kind() == Some(ObjectType::Tree),
                    ),
                };
                let (x, y) = match order {
                    Ordering::Less => (a.next(), None),
                    Ordering::Greater => (None, b.next()),
                    Ordering::Equal => (a.next(), b.next()),
                };
                let (o, n) = (x.as_ref().map(|e| e.id()), y.as_ref().map(|e| e.id()));
                if o == n {
                    continue;
                }
                let name = x.as_ref().or(y.as_ref()).and_then(|e| e.name().ok());
                if let Some(child) = name.and_then(|name| node.children.get(name)) {
                    pairs.push((child, x.map(entry), y.map(entry)));
                }
            }
        }
        for (child, o, n) in pairs {
            if child.file.is_some() && !n.is_some_and(|e| e.1) {
                out.extend(child.file);
            }
            if !child.children.is_empty() {
                let sub = |e: Option<(Oid, bool)>| e.filter(|e| e.1).map(|e| e.0);
                let (o, n) = (sub(o), sub(n));
                if o != n {
                    let o = o.map(|id| self.tree(id)).transpose()?;
                    let n = n.map(|id| self.tree(id)).transpose()?;
                    self.descend(child, o.as_ref(), n.as_ref(), out)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_sort_as_if_they_ended_in_a_slash() {
        assert_eq!(tree_order(b"a", false, b"a", false), Ordering::Equal);
        assert_eq!(tree_order(b"a", true, b"a.toml", false), Ordering::Greater);
        assert_eq!(tree_order(b"a", false, b"a.toml", false), Ordering::Less);
        assert_eq!(tree_order(b"ep-1", true, b"ep-10", true), Ordering::Less);
    }

    #[test]
    fn the_pending_tree_counts_what_is_below() {
        let mut root = Node::default();
        root.insert("claims/a/x.toml", 0);
        root.insert("claims/a/y.toml", 1);
        root.insert("claims/b/z.toml", 2);
        assert!(!root.insert("claims/b/z.toml", 3), "a path given twice");
        assert_eq!(root.count, 3);
        assert!(root.remove("claims/a/x.toml"));
        assert!(!root.remove("claims/a/x.toml"), "only once");
        assert!(!root.remove("claims/c/x.toml"));
        assert!(root.remove("claims/b/z.toml"));
        assert_eq!(root.count, 1);
        assert_eq!(root.children["claims"].children.len(), 1, "b is gone");
    }
}
