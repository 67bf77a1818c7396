//! How one walk uses the history index: answers from the file on disk, the
//! commits it lacks indexed as the walk meets them, and the whole written back
//! at the end. Where the walk goes down a line of commits the index lacks (the
//! first run on a record as old as the repository), it indexes a stretch of
//! them ahead at a time, split over the machine's cores, each thread comparing
//! trees through its own handle on the repository; the stretch doubles each
//! time, so a walk that stops early has indexed at most twice what it passed.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use git2::{Oid, Repository};

use super::super::treediff::{Found, IdMap, TreeCache, diff_trees};
use super::{Builder, IndexedChange, PathIndex};

/// The first stretch indexed ahead, and the longest.
const AHEAD_FIRST: usize = 64;
const AHEAD_MOST: usize = 8192;
/// Fewer commits than this a thread are compared on one thread.
const PER_THREAD: usize = 256;

/// The index as one walk uses it: what was on disk, and the commits the walk
/// indexed as it met them, written back at the end.
pub struct Session<'r> {
    repo: &'r Repository,
    git_dir: PathBuf,
    old: Option<Arc<PathIndex>>,
    fresh: IdMap<Fresh>,
    ahead: usize,
    /// Where in `old` the parent of the last commit answered for is: the next
    /// commit a walk asks about, found without a search.
    hint: Option<usize>,
    /// The last path asked about and its number in `old`.
    path: Option<(String, Option<u32>)>,
}

/// A commit with one parent, indexed by this walk.
struct Fresh {
    time: i64,
    parent: Oid,
    changes: Found,
}

impl PathIndex {
    /// A walk's use of the index: read from disk, and extended with the
    /// commits the walk meets that it lacks.
    pub fn session<'r>(repo: &'r Repository, git_dir: &Path) -> Session<'r> {
        Session {
            repo,
            git_dir: git_dir.to_path_buf(),
            old: shared(git_dir),
            fresh: IdMap::default(),
            ahead: AHEAD_FIRST,
            hint: None,
            path: None,
        }
    }
}

impl Session<'_> {
    fn old_at(&self, id: Oid) -> Option<usize> {
        let ix = self.old.as_ref()?;
        match self.hint {
            Some(at) if ix.is_at(at, id) => Some(at),
            _ => ix.position(id),
        }
    }

    /// The commit time, if the index knows the commit.
    pub fn time(&self, id: Oid) -> Option<i64> {
        if let Some(f) = self.fresh.get(&id) {
            return Some(f.time);
        }
        let at = self.old_at(id)?;
        Some(self.old.as_ref()?.at(at).time())
    }

    pub fn knows(&self, id: Oid) -> bool {
        self.fresh.contains_key(&id) || self.old_at(id).is_some()
    }

    /// How many commits this walk has indexed.
    pub fn indexed(&self) -> usize {
        self.fresh.len()
    }

    /// The parent of a commit the index knows.
    fn known_parent(&self, id: Oid) -> Option<Oid> {
        match self.fresh.get(&id) {
            Some(f) => Some(f.parent),
            None => self.old.as_ref()?.at(self.old_at(id)?).parent(),
        }
    }

    /// For a commit with one parent: the parent, and how the commit changed
    /// `path` (`None`: it did not). `None` for a merge, a root commit or one
    /// that cannot be read: the walk compares trees itself there.
    /// A commit not indexed yet is indexed now, with at most `budget - 1` of
    /// the line of commits below it when `ahead`; with no budget, not at all.
    pub fn single_parent_change(
        &mut self,
        id: Oid,
        path: &str,
        budget: usize,
        ahead: bool,
    ) -> Option<(Oid, Option<IndexedChange>)> {
        if let Some(at) = self.old_at(id)
            && let Some(ix) = self.old.clone()
        {
            let path_id = match &self.path {
                Some((p, n)) if p == path => *n,
                _ => {
                    let n = ix.path_id(path.as_bytes());
                    self.path = Some((path.to_owned(), n));
                    n
                }
            };
            let c = ix.at(at);
            self.hint = c.parent_at();
            return Some((c.parent()?, c.change_of(path_id, path.as_bytes())?));
        }
        if !self.fresh.contains_key(&id) {
            if budget == 0 {
                return None;
            }
            self.index_from(id, if ahead { self.ahead.min(budget) } else { 1 });
            if ahead {
                self.ahead = (self.ahead * 2).min(AHEAD_MOST);
            }
        }
        let f = self.fresh.get(&id)?;
        // A folder added or removed whole: only the trees tell.
        if f.changes
            .iter()
            .any(|(p, _, _)| p.ends_with(b"/") && path.as_bytes().starts_with(p))
        {
            return None;
        }
        let change = f
            .changes
            .iter()
            .find(|(p, _, _)| p.as_slice() == path.as_bytes())
            .map(|(_, old, new)| IndexedChange {
                old: *old,
                new: *new,
            });
        Some((f.parent, change))
    }

    /// Index `id` and up to `most - 1` of the commits below it, following
    /// single parents until a merge, a root or a commit already indexed.
    fn index_from(&mut self, id: Oid, most: usize) {
        // (commit, its tree, its parent, time)
        let mut line: Vec<(Oid, Oid, Oid, i64)> = Vec::new();
        let mut at = id;
        while line.len() < most && (line.is_empty() || !self.knows(at)) {
            let Ok(commit) = self.repo.find_commit(at) else {
                break;
            };
            let Ok(parent) = commit.parent_id(0) else {
                break;
            };
            if commit.parent_count() != 1 {
                break;
            }
            line.push((at, commit.tree_id(), parent, commit.time().seconds()));
            at = parent;
        }
        // The tree before the last one; a parent that cannot be read (the
        // edge of a shallow clone) leaves that commit to the walk.
        let before_last = match self.repo.find_commit(at) {
            Ok(c) => Some(c.tree_id()),
            Err(_) => line.pop().map(|l| l.1),
        };
        let Some(tree) = before_last else { return };
        let pairs: Vec<(Oid, Oid)> = (0..line.len())
            .map(|k| (line.get(k + 1).map_or(tree, |n| n.1), line[k].1))
            .collect();
        let found = compare(self.repo, &self.git_dir, &pairs);
        for ((id, _, parent, time), changes) in line.into_iter().zip(found) {
            if let Some(changes) = changes {
                self.fresh.insert(
                    id,
                    Fresh {
                        time,
                        parent,
                        changes,
                    },
                );
            }
        }
    }

    /// Index every commit with one parent reachable from `start` that the
    /// index lacks: down each line of them at once, over the machine's cores,
    /// and through what is indexed already in memory.
    pub fn index_all(&mut self, start: Oid) {
        let mut stack = vec![start];
        let mut merges: HashSet<Oid> = HashSet::new();
        while let Some(mut at) = stack.pop() {
            while let Some(parent) = self.known_parent(at) {
                at = parent;
            }
            let Ok(commit) = self.repo.find_commit(at) else {
                continue;
            };
            match commit.parent_count() {
                0 => {}
                1 => {
                    self.index_from(at, usize::MAX);
                    // Indexed now, so the next turn goes down the line; one
                    // that could not be (a shallow clone's edge) ends here.
                    if self.knows(at) {
                        stack.push(at);
                    }
                }
                _ => {
                    if merges.insert(at) {
                        stack.extend(commit.parent_ids());
                    }
                }
            }
        }
    }

    /// Write the index back with what this walk added. The index is only a
    /// shortcut: when it cannot be saved, nothing is lost but time.
    pub fn save(self) {
        if self.fresh.is_empty() {
            return;
        }
        let mut build = Builder::from(self.old.as_deref());
        for (id, f) in self.fresh {
            build.add(id, f.time, f.parent, f.changes);
        }
        let index = build.finish();
        let _ = index.save(&self.git_dir);
        if let Ok(mut loaded) = LOADED.lock() {
            *loaded = Some((self.git_dir.clone(), Arc::new(index)));
        }
    }
}

/// The files each pair of trees (before, after) differs in, in order; `None`
/// for a pair that could not be read. Long lists are split over threads.
fn compare(repo: &Repository, git_dir: &Path, pairs: &[(Oid, Oid)]) -> Vec<Option<Found>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(pairs.len() / PER_THREAD)
        .max(1);
    if threads == 1 {
        return compare_on(repo, pairs);
    }
    let part = pairs.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = pairs
            .chunks(part)
            .map(|chunk| {
                s.spawn(move || match Repository::open(git_dir) {
                    Ok(repo) => compare_on(&repo, chunk),
                    Err(_) => vec![None; chunk.len()],
                })
            })
            .collect();
        handles
            .into_iter()
            .zip(pairs.chunks(part))
            .flat_map(|(h, chunk)| h.join().unwrap_or_else(|_| vec![None; chunk.len()]))
            .collect()
    })
}

fn compare_on(repo: &Repository, pairs: &[(Oid, Oid)]) -> Vec<Option<Found>> {
    let Ok(odb) = repo.odb() else {
        return vec![None; pairs.len()];
    };
    let mut trees = TreeCache::default();
    pairs
        .iter()
        .map(|&(before, after)| {
            let mut found = Vec::new();
            let ok = diff_trees(
                &odb,
                &mut trees,
                Some(before),
                Some(after),
                &mut Vec::new(),
                true,
                true,
                &mut found,
            );
            trees.next_commit();
            ok.ok().map(|()| found)
        })
        .collect()
}

/// The index as this process last read or wrote it, so the many walks of one
/// command (a site publishes every record's history) read the file once.
static LOADED: Mutex<Option<(PathBuf, Arc<PathIndex>)>> = Mutex::new(None);

fn shared(git_dir: &Path) -> Option<Arc<PathIndex>> {
    let mut loaded = LOADED.lock().ok()?;
    if let Some((dir, index)) = loaded.as_ref()
        && dir == git_dir
    {
        return Some(index.clone());
    }
    let index = Arc::new(PathIndex::read(git_dir)?);
    *loaded = Some((git_dir.to_path_buf(), index.clone()));
    Some(index)
}
