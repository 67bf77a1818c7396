//! The changelog's walk: commits newest first, in git's default order (by
//! date, as `git log` shows them), each with the record files it changed
//! against its parent, produced one at a time so the first is shown before
//! the walk has gone further. A commit's changes come from the history index
//! when it has them, else from comparing the two trees, reading only the
//! folders whose ids differ: the cost is that of the files the commit changed,
//! not of the records in the repository.

use std::collections::{BinaryHeap, HashSet};

use git2::{Oid, Sort};

use super::pathindex::PathIndex;
use super::treediff::{TreeCache, diff_trees};
use super::{CommitId, CommitInfo, FileChange, GitError, Repo, Side};

/// A walk over the commits of a changelog.
pub struct RecordWalk<'r> {
    repo: &'r Repo,
    order: Order<'r>,
    odb: git2::Odb<'r>,
    trees: TreeCache,
    index: Option<PathIndex>,
}

/// The order of the walk: by date as `git log` goes, a commit shown when it is
/// the newest of those reached, so the first is out at once; or libgit2's
/// walk, when commits reachable from another revision are to be left out.
enum Order<'r> {
    Dates {
        queue: BinaryHeap<(i64, u64, Oid)>,
        seen: HashSet<Oid>,
        seq: u64,
    },
    Limited(git2::Revwalk<'r>),
}

impl Repo {
    /// Commits reachable from `start` and not from any of `hide`, newest first.
    pub fn record_walk(&self, start: &str, hide: &[String]) -> Result<RecordWalk<'_>, GitError> {
        let start = self.resolve(start)?.0;
        let order = if hide.is_empty() {
            let time = self.inner.find_commit(start)?.time().seconds();
            Order::Dates {
                queue: BinaryHeap::from([(time, u64::MAX, start)]),
                seen: HashSet::from([start]),
                seq: u64::MAX,
            }
        } else {
            // What to leave out is known only once the walk has reached it:
            // libgit2 finds that first.
            let mut walk = self.inner.revwalk()?;
            walk.set_sorting(Sort::TIME)?;
            walk.push(start)?;
            for h in hide {
                walk.hide(self.resolve(h)?.0)?;
            }
            Order::Limited(walk)
        };
        Ok(RecordWalk {
            repo: self,
            order,
            odb: self.inner.odb()?,
            trees: TreeCache::default(),
            index: PathIndex::read(self.git_dir()),
        })
    }
}

impl RecordWalk<'_> {
    /// The next commit with at most one parent (a merge's changes are its
    /// parents'), or `None` at the end of history.
    pub fn next_commit(&mut self) -> Result<Option<CommitInfo>, GitError> {
        loop {
            let commit = match &mut self.order {
                Order::Limited(walk) => match walk.next() {
                    Some(id) => self.repo.read_commit(id?)?,
                    None => return Ok(None),
                },
                Order::Dates { queue, seen, seq } => {
                    let Some((_, _, id)) = queue.pop() else {
                        return Ok(None);
                    };
                    let commit = self.repo.read_commit(id)?;
                    // By id, not `parents()`, which ends quietly at a parent it
                    // cannot read: history would look shorter than it is.
                    for p in commit.parent_ids() {
                        if seen.insert(p) {
                            let parent = self.repo.read_commit(p)?;
                            *seq -= 1;
                            queue.push((parent.time().seconds(), *seq, p));
                        }
                    }
                    commit
                }
            };
            if commit.parent_count() <= 1 {
                return Ok(Some(self.repo.info(&commit)));
            }
        }
    }

    /// The record files `id` changed against its parent (everything it holds,
    /// for a root commit), under `under` only when given, with renames found
    /// as git finds them.
    pub fn changes(
        &mut self,
        id: &CommitId,
        under: Option<&str>,
    ) -> Result<Vec<FileChange>, GitError> {
        let commit = self.repo.inner.find_commit(id.0)?;
        let parent = commit.parent_ids().next();
        let indexed = self
            .index
            .as_ref()
            .and_then(|ix| ix.get(id.0))
            // A folder added or removed whole is listed file by file below.
            .filter(|c| !c.has_folders())
            .map(|c| {
                c.changes()
                    .into_iter()
                    .map(|(p, ch)| (p, ch.old, ch.new))
                    .collect::<Vec<_>>()
            });
        let found = match indexed {
            Some(found) => found,
            None => {
                let before = match parent {
                    Some(p) => Some(self.repo.inner.find_commit(p)?.tree_id()),
                    None => None,
                };
                let mut found = Vec::new();
                diff_trees(
                    &self.odb,
                    &mut self.trees,
                    before,
                    Some(commit.tree_id()),
                    &mut Vec::new(),
                    true,
                    false,
                    &mut found,
                )?;
                self.trees.next_commit();
                found
                    .into_iter()
                    .map(|(p, a, b)| (String::from_utf8_lossy(&p).into_owned(), a, b))
                    .collect()
            }
        };
        let found: Vec<(String, Option<Oid>, Option<Oid>)> = found
            .into_iter()
            .filter(|(p, _, _)| under.is_none_or(|u| p.starts_with(u)))
            .collect();
        let added = found.iter().any(|(_, a, _)| a.is_none());
        let deleted = found.iter().any(|(_, _, b)| b.is_none());
        if added
            && deleted
            && let Some(p) = parent
        {
            // A file gone and one new: git's rename detection pairs them.
            let paths: Vec<&str> = found
                .iter()
                .filter(|(_, a, b)| a.is_none() || b.is_none())
                .map(|(p, _, _)| p.as_str())
                .collect();
            let mut out: Vec<FileChange> = found
                .iter()
                .filter(|(_, a, b)| a.is_some() && b.is_some())
                .map(|(p, a, b)| FileChange::between(p, *a, *b))
                .collect();
            out.extend(self.repo.changed_files(
                &Side::Rev(p.to_string()),
                &Side::Rev(id.hex()),
                &paths,
            )?);
            out.sort_by(|x, y| x.path().cmp(y.path()));
            return Ok(out);
        }
        Ok(found
            .iter()
            .map(|(p, a, b)| FileChange::between(p, *a, *b))
            .collect())
    }
}
