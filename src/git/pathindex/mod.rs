//! The history index: for every commit with one parent, that parent, the
//! commit's date and the record files it changed against the parent, kept in
//! `.git/errata/pathindex` so that the history of one record is a walk in
//! memory instead of reading trees all the way down to the root commit. This
//! file owns the file format (reading, checking, writing); `session` owns how
//! a walk uses and extends it.
//!
//! It is never wrong, because everything in it is keyed by commit id and a
//! commit id fixes the commit's parents and trees: an amend, a rebase, a
//! force-pushed branch or a `git gc` make new commits (indexed from where they
//! part from indexed ones, the first time a walk meets them) or leave entries
//! no walk reaches again. A file that does not check out (wrong magic, size,
//! CRC-32 or a reference out of range) is as if absent, and the index is built
//! again; deleting it only costs the next run the time to rebuild it. Merges
//! and root commits are not listed: the walk compares their trees itself.
//!
//! Only files under `claims/` and `corrections/` (and `errata.toml`) are
//! listed; [`PathIndex::covers`] says which paths the index can answer for.
//! Uses git2's ids only.

mod lock;
mod session;

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use git2::Oid;

pub use lock::BuildLock;
pub use session::Session;

use super::treediff::{IdMap, TOPS};

/// The format: a header, then sections one after another, then a CRC-32.
///
/// ```text
/// "ERRPIDX2" commits:u32 changes:u32 paths:u32 strings:u32
/// commits × (id:20 parent:20 time:i64 parent_at:u32 first_change:u32 changes:u32)
/// changes × (path:u32 old:20 new:20)      zero ids where the file did not exist;
///                                         the path's top bit marks a folder
/// (paths + 1) × offset:u32, strings       the paths, sorted bytewise
/// crc32:u32                               of everything before it
/// ```
///
/// Commits are sorted by id, so a lookup is a binary search in the file's
/// bytes; `parent_at` is the parent's place in the same table (`u32::MAX`
/// when the parent is not listed), so a walk goes from one commit to the next
/// without a search, and paths are sorted, so a record's path is found once
/// and compared as a number after that.
const MAGIC: &[u8; 8] = b"ERRPIDX2";
const FILE: &str = "pathindex";
const HEADER: usize = 8 + 4 * 4;
const COMMIT_LEN: usize = 20 + 20 + 8 + 4 + 4 + 4;
const CHANGE_LEN: usize = 4 + 20 + 20;
const NONE: u32 = u32::MAX;
/// The bit of a change's path number that marks a folder only one side has
/// (its path ends in `/`), listed as one entry rather than file by file.
const FOLDER: u32 = 1 << 31;

/// One file a commit changed against its parent: the blobs before and after,
/// `None` where the file did not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexedChange {
    pub old: Option<Oid>,
    pub new: Option<Oid>,
}

/// What the index holds of one commit.
pub struct IndexedCommit<'a> {
    index: &'a PathIndex,
    at: usize,
}

/// The index as read from (or about to be written to) `.git/errata/pathindex`.
pub struct PathIndex {
    data: Vec<u8>,
    commits: usize,
    changes_at: usize,
    offsets_at: usize,
    paths: usize,
    strings_at: usize,
}

fn le32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn le64(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

fn oid_or_none(bytes: &[u8]) -> Option<Oid> {
    let id = Oid::from_bytes(bytes).ok()?;
    (!id.is_zero()).then_some(id)
}

impl IndexedCommit<'_> {
    fn base(&self) -> usize {
        HEADER + COMMIT_LEN * self.at
    }

    fn field(&self, k: usize) -> u32 {
        le32(&self.index.data, self.base() + 48 + 4 * k).unwrap_or(NONE)
    }

    /// Commit time, seconds since the epoch.
    pub fn time(&self) -> i64 {
        le64(&self.index.data, self.base() + 40).unwrap_or(0) as i64
    }

    /// The only parent.
    pub fn parent(&self) -> Option<Oid> {
        let at = self.base() + 20;
        Oid::from_bytes(self.index.data.get(at..at + 20)?).ok()
    }

    /// The parent's place in the index, if it is listed.
    pub(super) fn parent_at(&self) -> Option<usize> {
        let p = self.field(0);
        (p != NONE).then_some(p as usize)
    }

    fn change_at(&self, k: usize) -> Option<(u32, IndexedChange)> {
        let d = &self.index.data;
        let at = self.index.changes_at + CHANGE_LEN * k;
        Some((
            le32(d, at)?,
            IndexedChange {
                old: oid_or_none(d.get(at + 4..at + 24)?),
                new: oid_or_none(d.get(at + 24..at + 44)?),
            },
        ))
    }

    fn change_range(&self) -> std::ops::Range<usize> {
        let (start, len) = (self.field(1) as usize, self.field(2) as usize);
        start..start + len
    }

    /// Whether a folder added or removed whole is listed as one entry.
    pub fn has_folders(&self) -> bool {
        self.change_range()
            .filter_map(|k| self.change_at(k))
            .any(|(p, _)| p & FOLDER != 0)
    }

    /// Every covered file the commit changed against its parent (a folder
    /// added or removed whole as one entry, see [`Self::has_folders`]).
    pub fn changes(&self) -> Vec<(String, IndexedChange)> {
        self.change_range()
            .filter_map(|k| {
                let (p, change) = self.change_at(k)?;
                let path = self.index.path((p & !FOLDER) as usize)?;
                Some((String::from_utf8_lossy(path).into_owned(), change))
            })
            .collect()
    }

    /// How the commit changed `path`, numbered `id` in the index (see
    /// [`PathIndex::path_id`]): `Some(None)` if it did not, `None` if a
    /// folder it added or removed whole holds the path, so only the trees
    /// tell.
    pub(super) fn change_of(&self, id: Option<u32>, path: &[u8]) -> Option<Option<IndexedChange>> {
        let mut found = None;
        for (p, c) in self.change_range().filter_map(|k| self.change_at(k)) {
            if p & FOLDER != 0 {
                let folder = self.index.path((p & !FOLDER) as usize).unwrap_or_default();
                if path.starts_with(folder) {
                    return None;
                }
            } else if Some(p) == id {
                found = Some(c);
            }
        }
        Some(found)
    }
}

impl PathIndex {
    fn file(git_dir: &Path) -> PathBuf {
        git_dir.join("errata").join(FILE)
    }

    /// Whether the index answers for `path`.
    pub fn covers(path: &str) -> bool {
        let top = path.split('/').next().unwrap_or_default();
        TOPS.contains(&top)
    }

    /// The index on disk, if there is one that checks out.
    pub fn read(git_dir: &Path) -> Option<PathIndex> {
        let data = std::fs::read(Self::file(git_dir)).ok()?;
        Self::parse(data)
    }

    fn parse(data: Vec<u8>) -> Option<PathIndex> {
        if data.len() < HEADER + 4 || data.get(..8)? != MAGIC {
            return None;
        }
        let body = data.len() - 4;
        if le32(&data, body)? != crc32fast::hash(&data[..body]) {
            return None;
        }
        let n = |k: usize| le32(&data, 8 + 4 * k).map(|v| v as usize);
        let (commits, changes, paths, strings_len) = (n(0)?, n(1)?, n(2)?, n(3)?);
        let changes_at = HEADER.checked_add(commits.checked_mul(COMMIT_LEN)?)?;
        let offsets_at = changes_at.checked_add(changes.checked_mul(CHANGE_LEN)?)?;
        let strings_at = offsets_at.checked_add(paths.checked_add(1)?.checked_mul(4)?)?;
        if strings_at.checked_add(strings_len)? != body
            || commits >= NONE as usize
            || paths >= FOLDER as usize
        {
            return None;
        }
        let index = PathIndex {
            data,
            commits,
            changes_at,
            offsets_at,
            paths,
            strings_at,
        };
        // Every reference inside the file stays inside it, and ids and paths
        // are in order, so a search finds what is there.
        for at in 0..commits {
            let c = IndexedCommit { index: &index, at };
            let (parent, start, len) = (c.field(0), c.field(1), c.field(2));
            if (parent != NONE && parent as usize >= commits)
                || start as usize + len as usize > changes
                || (at > 0 && index.oid_bytes(at - 1) >= index.oid_bytes(at))
            {
                return None;
            }
        }
        for k in 0..changes {
            if (le32(&index.data, changes_at + CHANGE_LEN * k)? & !FOLDER) as usize >= paths {
                return None;
            }
        }
        let mut prev = 0;
        for i in 0..=paths {
            let o = le32(&index.data, offsets_at + 4 * i)? as usize;
            if o < prev || o > strings_len {
                return None;
            }
            prev = o;
        }
        for i in 1..paths {
            if index.path(i - 1)? >= index.path(i)? {
                return None;
            }
        }
        Some(index)
    }

    fn oid_bytes(&self, i: usize) -> &[u8] {
        let at = HEADER + COMMIT_LEN * i;
        self.data.get(at..at + 20).unwrap_or_default()
    }

    fn path(&self, i: usize) -> Option<&[u8]> {
        let a = le32(&self.data, self.offsets_at + 4 * i)? as usize;
        let b = le32(&self.data, self.offsets_at + 4 * (i + 1))? as usize;
        self.data.get(self.strings_at + a..self.strings_at + b)
    }

    /// The number the index gives `path`, if any commit in it changed it.
    pub(super) fn path_id(&self, path: &[u8]) -> Option<u32> {
        let (mut lo, mut hi) = (0, self.paths);
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.path(mid)?.cmp(path) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid as u32),
            }
        }
        None
    }

    /// Where commit `id` is in the index.
    pub(super) fn position(&self, id: Oid) -> Option<usize> {
        let want = id.as_bytes();
        let (mut lo, mut hi) = (0, self.commits);
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.oid_bytes(mid).cmp(want) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    /// Whether the commit at `at` is `id`: a walk's guess checked.
    pub(super) fn is_at(&self, at: usize, id: Oid) -> bool {
        at < self.commits && self.oid_bytes(at) == id.as_bytes()
    }

    pub(super) fn at(&self, at: usize) -> IndexedCommit<'_> {
        IndexedCommit { index: self, at }
    }

    /// The commit `id`, if the index has it.
    pub fn get(&self, id: Oid) -> Option<IndexedCommit<'_>> {
        self.position(id).map(|at| self.at(at))
    }

    fn save(&self, git_dir: &Path) -> std::io::Result<()> {
        let dir = git_dir.join("errata");
        std::fs::create_dir_all(&dir)?;
        let mut tmp = tempfile::NamedTempFile::new_in(&dir)?;
        tmp.write_all(&self.data)?;
        tmp.persist(Self::file(git_dir)).map_err(|e| e.error)?;
        Ok(())
    }
}

/// A commit on its way into the index.
struct NewCommit {
    time: i64,
    parent: Oid,
    /// (path number in the builder, old blob, new blob)
    changes: Vec<(u32, Option<Oid>, Option<Oid>)>,
}

/// The index as owned data, for adding commits and writing it out.
struct Builder {
    commits: IdMap<NewCommit>,
    paths: Vec<Vec<u8>>,
    path_ids: HashMap<Vec<u8>, u32>,
}

impl Builder {
    fn from(old: Option<&PathIndex>) -> Builder {
        let mut b = Builder {
            commits: IdMap::default(),
            paths: Vec::new(),
            path_ids: HashMap::new(),
        };
        let Some(ix) = old else { return b };
        for p in 0..ix.paths {
            let path = ix.path(p).unwrap_or_default().to_vec();
            b.path_ids.insert(path.clone(), p as u32);
            b.paths.push(path);
        }
        for at in 0..ix.commits {
            let c = ix.at(at);
            let changes = c
                .change_range()
                .filter_map(|k| c.change_at(k))
                .map(|(p, ch)| (p & !FOLDER, ch.old, ch.new))
                .collect();
            if let (Ok(id), Some(parent)) = (Oid::from_bytes(ix.oid_bytes(at)), c.parent()) {
                b.commits.insert(
                    id,
                    NewCommit {
                        time: c.time(),
                        parent,
                        changes,
                    },
                );
            }
        }
        b
    }

    fn path_id(&mut self, path: &[u8]) -> u32 {
        if let Some(&i) = self.path_ids.get(path) {
            return i;
        }
        let i = self.paths.len() as u32;
        self.paths.push(path.to_vec());
        self.path_ids.insert(path.to_vec(), i);
        i
    }

    /// Add a commit with one parent and the files it changed against it.
    fn add(&mut self, id: Oid, time: i64, parent: Oid, changes: super::treediff::Found) {
        let changes = changes
            .into_iter()
            .map(|(path, old, new)| (self.path_id(&path), old, new))
            .collect();
        self.commits.insert(
            id,
            NewCommit {
                time,
                parent,
                changes,
            },
        );
    }

    /// The index in its file format, commits sorted by id and paths bytewise.
    fn finish(self) -> PathIndex {
        let mut ids: Vec<Oid> = self.commits.keys().copied().collect();
        ids.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        let place: IdMap<u32> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (*id, i as u32))
            .collect();
        let mut order: Vec<u32> = (0..self.paths.len() as u32).collect();
        order.sort_unstable_by(|a, b| self.paths[*a as usize].cmp(&self.paths[*b as usize]));
        let mut renumber = vec![0u32; order.len()];
        for (new, old) in order.iter().enumerate() {
            renumber[*old as usize] = new as u32;
        }
        let n_changes: usize = self.commits.values().map(|c| c.changes.len()).sum();
        let mut commits = Vec::with_capacity(ids.len() * COMMIT_LEN);
        let mut changes = Vec::with_capacity(n_changes * CHANGE_LEN);
        let mut first = 0u32;
        for id in &ids {
            let c = &self.commits[id];
            commits.extend_from_slice(id.as_bytes());
            commits.extend_from_slice(c.parent.as_bytes());
            commits.extend_from_slice(&(c.time as u64).to_le_bytes());
            let parent_at = place.get(&c.parent).copied().unwrap_or(NONE);
            commits.extend_from_slice(&parent_at.to_le_bytes());
            commits.extend_from_slice(&first.to_le_bytes());
            commits.extend_from_slice(&(c.changes.len() as u32).to_le_bytes());
            for (p, old, new) in &c.changes {
                let mut n = renumber[*p as usize];
                if self.paths[*p as usize].ends_with(b"/") {
                    n |= FOLDER;
                }
                changes.extend_from_slice(&n.to_le_bytes());
                changes.extend_from_slice(old.unwrap_or(Oid::ZERO_SHA1).as_bytes());
                changes.extend_from_slice(new.unwrap_or(Oid::ZERO_SHA1).as_bytes());
            }
            first += c.changes.len() as u32;
        }
        let mut offsets = Vec::with_capacity((order.len() + 1) * 4);
        let mut strings = Vec::new();
        offsets.extend_from_slice(&0u32.to_le_bytes());
        for p in &order {
            strings.extend_from_slice(&self.paths[*p as usize]);
            offsets.extend_from_slice(&(strings.len() as u32).to_le_bytes());
        }
        let mut data = Vec::with_capacity(
            HEADER + commits.len() + changes.len() + offsets.len() + strings.len() + 4,
        );
        data.extend_from_slice(MAGIC);
        for n in [ids.len(), n_changes, order.len(), strings.len()] {
            data.extend_from_slice(&(n as u32).to_le_bytes());
        }
        data.extend_from_slice(&commits);
        data.extend_from_slice(&changes);
        data.extend_from_slice(&offsets);
        data.extend_from_slice(&strings);
        let sum = crc32fast::hash(&data);
        data.extend_from_slice(&sum.to_le_bytes());
        // What was just built always parses; if not, no index rather than a wrong one.
        PathIndex::parse(data).unwrap_or(PathIndex {
            data: Vec::new(),
            commits: 0,
            changes_at: 0,
            offsets_at: 0,
            paths: 0,
            strings_at: 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> Oid {
        Oid::from_bytes(&[n; 20]).unwrap()
    }

    fn sample() -> PathIndex {
        let mut b = Builder::from(None);
        b.add(
            id(3),
            30,
            id(2),
            vec![(b"claims/e/b.toml".to_vec(), Some(id(9)), Some(id(8)))],
        );
        b.add(
            id(2),
            20,
            id(1),
            vec![(b"claims/e/a.toml".to_vec(), None, Some(id(7)))],
        );
        b.add(
            id(4),
            40,
            id(3),
            vec![(b"claims/new/".to_vec(), None, Some(id(6)))],
        );
        b.finish()
    }

    #[test]
    fn what_was_written_reads_back() {
        let ix = PathIndex::parse(sample().data).expect("parses");
        let c = ix.get(id(3)).expect("listed");
        assert_eq!((c.time(), c.parent()), (30, Some(id(2))));
        let parent = ix.at(c.parent_at().expect("parent listed"));
        assert_eq!(parent.time(), 20);
        assert_eq!(parent.parent_at(), None);
        let a = b"claims/e/a.toml";
        let n = ix.path_id(a);
        assert!(n.is_some());
        assert_eq!(
            parent.change_of(n, a),
            Some(Some(IndexedChange {
                old: None,
                new: Some(id(7))
            }))
        );
        assert_eq!(c.change_of(n, a), Some(None));
        // A folder added whole leaves the question to the trees.
        let f = ix.get(id(4)).expect("listed");
        assert!(f.has_folders() && !c.has_folders());
        assert_eq!(f.change_of(None, b"claims/new/x.toml"), None);
        assert_eq!(f.change_of(n, a), Some(None));
        assert!(ix.path_id(b"claims/e/c.toml").is_none());
        // Rebuilt from what is on disk, it is the same file.
        assert_eq!(Builder::from(Some(&ix)).finish().data, ix.data);
    }

    #[test]
    fn a_damaged_file_is_not_believed() {
        let ix = sample();
        assert!(PathIndex::parse(ix.data.clone()).is_some());
        for i in 0..ix.data.len() {
            let mut bad = ix.data.clone();
            bad[i] ^= 0x40;
            assert!(PathIndex::parse(bad).is_none(), "byte {i}");
        }
        assert!(PathIndex::parse(ix.data[..ix.data.len() - 1].to_vec()).is_none());
    }
}
