//! The history index: for every commit, its parents, its date and the record
//! files it changed against its only parent, kept in `.git/errata/pathindex`
//! so that the history of one record is a walk in memory instead of reading
//! trees all the way down to the root commit.
//!
//! It is never wrong, because everything in it is keyed by commit id and a
//! commit id fixes the commit's parents and trees: an amend, a rebase, a
//! force-pushed branch or a `git gc` make new commits (indexed from where they
//! part from indexed ones, the first time a walk meets them) or leave entries
//! no walk reaches again. A file that does not check out (wrong magic, size or
//! checksum) is as if absent, and the index is built again; deleting it only
//! costs the next run the time to rebuild it. Merges and root commits carry no
//! changes here: the walk compares their trees itself, as before.
//!
//! Only files under `claims/` and `corrections/` (and `errata.toml`) are
//! listed; [`PathIndex::covers`] says which paths the index can answer for.
//! Uses git2's object database only.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use std::rc::Rc;
use std::sync::{Arc, Mutex};

use git2::{ObjectType, Odb, Oid, Repository};

const MAGIC: &[u8; 8] = b"ERRPIDX1";
const FILE: &str = "pathindex";
const COMMIT_LEN: usize = 20 + 8 + 4 + 4 + 4 + 4;
const CHANGE_LEN: usize = 4 + 20 + 20;
/// Top-level names whose files the index lists.
const TOPS: &[&str] = &["claims", "corrections", "errata.toml"];

/// Commit and tree ids are uniformly random already: their first bytes are
/// the hash, without SipHash's cost on every lookup of the build.
#[derive(Default, Clone, Copy)]
struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8).take(2) {
            let mut w = [0u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            self.0 =
                (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }
}

type IdMap<V> = HashMap<Oid, V, std::hash::BuildHasherDefault<IdHasher>>;

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
/// Commits are sorted by id, so a lookup is a binary search in the file's bytes.
pub struct PathIndex {
    data: Vec<u8>,
    commits: usize,
    parents_at: usize,
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

/// A checksum of the file's content (FNV-1a over 8-byte words), so a damaged
/// file is rebuilt instead of believed.
fn checksum(data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut chunks = data.chunks_exact(8);
    for c in &mut chunks {
        h ^= u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        h = h.wrapping_mul(0x0000_0100_0000_01b3).rotate_left(29);
    }
    for b in chunks.remainder() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn oid_or_none(bytes: &[u8]) -> Option<Oid> {
    let id = Oid::from_bytes(bytes).ok()?;
    (!id.is_zero()).then_some(id)
}

impl<'a> IndexedCommit<'a> {
    fn field(&self, k: usize) -> u32 {
        let at = self.index.commit_at(self.at) + 28 + 4 * k;
        le32(&self.index.data, at).unwrap_or(0)
    }

    /// Commit time, seconds since the epoch.
    pub fn time(&self) -> i64 {
        le64(&self.index.data, self.index.commit_at(self.at) + 20).unwrap_or(0) as i64
    }

    /// The parents' ids, in order.
    pub fn parents(&self) -> Vec<Oid> {
        let (start, len) = (self.field(0) as usize, self.field(1) as usize);
        (start..start + len)
            .filter_map(|i| {
                let at = self.index.parents_at + 20 * i;
                Oid::from_bytes(self.index.data.get(at..at + 20)?).ok()
            })
            .collect()
    }

    /// Whether the commit has one parent, so its changes are listed.
    pub fn complete_with_one_parent(&self) -> bool {
        self.field(1) == 1
    }

    /// Every covered file the commit changed against its only parent.
    pub fn changes(&self) -> Vec<(String, IndexedChange)> {
        let (start, len) = (self.field(2) as usize, self.field(3) as usize);
        let d = &self.index.data;
        (start..start + len)
            .filter_map(|i| {
                let at = self.index.changes_at + CHANGE_LEN * i;
                let p = le32(d, at)? as usize;
                let path = String::from_utf8_lossy(self.index.path(p)?).into_owned();
                Some((
                    path,
                    IndexedChange {
                        old: oid_or_none(d.get(at + 4..at + 24)?),
                        new: oid_or_none(d.get(at + 24..at + 44)?),
                    },
                ))
            })
            .collect()
    }

    /// How the commit changed `path` against its only parent, or `None` if it
    /// did not. Only meaningful for a commit with one parent and a covered path.
    pub fn change(&self, path: &str) -> Option<IndexedChange> {
        let (start, len) = (self.field(2) as usize, self.field(3) as usize);
        let d = &self.index.data;
        (start..start + len).find_map(|i| {
            let at = self.index.changes_at + CHANGE_LEN * i;
            let p = le32(d, at)? as usize;
            if self.index.path(p)? != path.as_bytes() {
                return None;
            }
            Some(IndexedChange {
                old: oid_or_none(d.get(at + 4..at + 24)?),
                new: oid_or_none(d.get(at + 24..at + 44)?),
            })
        })
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
        if data.len() < 8 + 20 + 8 || data.get(..8)? != MAGIC {
            return None;
        }
        let body = data.len() - 8;
        if le64(&data, body)? != checksum(&data[..body]) {
            return None;
        }
        let n = |k: usize| le32(&data, 8 + 4 * k).map(|v| v as usize);
        let (commits, parents_len, changes_len, paths, strings_len) =
            (n(0)?, n(1)?, n(2)?, n(3)?, n(4)?);
        let commits_at = 28usize;
        let parents_at = commits_at.checked_add(commits.checked_mul(COMMIT_LEN)?)?;
        let changes_at = parents_at.checked_add(parents_len.checked_mul(20)?)?;
        let offsets_at = changes_at.checked_add(changes_len.checked_mul(CHANGE_LEN)?)?;
        let strings_at = offsets_at.checked_add(paths.checked_add(1)?.checked_mul(4)?)?;
        if strings_at.checked_add(strings_len)? != body {
            return None;
        }
        let index = PathIndex {
            data,
            commits,
            parents_at,
            changes_at,
            offsets_at,
            paths,
            strings_at,
        };
        // Every reference inside the file stays inside it.
        for i in 0..commits {
            let c = IndexedCommit {
                index: &index,
                at: i,
            };
            let (ps, pl, cs, cl) = (c.field(0), c.field(1), c.field(2), c.field(3));
            if ps as usize + pl as usize > parents_len || cs as usize + cl as usize > changes_len {
                return None;
            }
        }
        for i in 0..changes_len {
            if le32(&index.data, changes_at + CHANGE_LEN * i)? as usize >= paths {
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
        Some(index)
    }

    fn commit_at(&self, i: usize) -> usize {
        28 + COMMIT_LEN * i
    }

    fn oid_bytes(&self, i: usize) -> &[u8] {
        let at = self.commit_at(i);
        &self.data[at..at + 20]
    }

    fn oid(&self, i: usize) -> Option<Oid> {
        (i < self.commits).then(|| Oid::from_bytes(self.oid_bytes(i)).ok())?
    }

    fn path(&self, i: usize) -> Option<&[u8]> {
        let a = le32(&self.data, self.offsets_at + 4 * i)? as usize;
        let b = le32(&self.data, self.offsets_at + 4 * (i + 1))? as usize;
        self.data.get(self.strings_at + a..self.strings_at + b)
    }

    fn position(&self, id: Oid) -> Option<usize> {
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

    /// The commit `id`, if the index has it.
    pub fn get(&self, id: Oid) -> Option<IndexedCommit<'_>> {
        self.position(id)
            .map(|at| IndexedCommit { index: self, at })
    }

    /// A walk's use of the index: read from disk, and extended with the
    /// commits the walk meets that it lacks.
    pub fn session<'r>(repo: &'r Repository, git_dir: &Path) -> Session<'r> {
        Session {
            repo,
            git_dir: git_dir.to_path_buf(),
            old: shared(git_dir),
            fresh: IdMap::default(),
            trees: TreeCache::default(),
        }
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

/// The index as one walk uses it: what was on disk, and the commits the walk
/// indexed as it met them, written back at the end.
pub struct Session<'r> {
    repo: &'r Repository,
    git_dir: PathBuf,
    old: Option<Arc<PathIndex>>,
    fresh: IdMap<Fresh>,
    trees: TreeCache,
}

/// A commit with one parent, indexed by this walk.
struct Fresh {
    time: i64,
    parent: Oid,
    changes: Found,
}

impl Session<'_> {
    /// The commit time, if the index knows the commit.
    pub fn time(&self, id: Oid) -> Option<i64> {
        if let Some(f) = self.fresh.get(&id) {
            return Some(f.time);
        }
        self.old.as_ref()?.get(id).map(|c| c.time())
    }

    /// For a commit with one parent: the parent, and how the commit changed
    /// `path` (`None`: it did not). `None` for a merge, a root commit or one
    /// that cannot be read: the walk compares trees itself there.
    /// A commit not indexed yet is indexed now only if `index_now`.
    pub fn single_parent_change(
        &mut self,
        id: Oid,
        path: &str,
        index_now: bool,
    ) -> Option<(Oid, Option<IndexedChange>)> {
        if let Some(c) = self.old.as_ref().and_then(|ix| ix.get(id)) {
            return match c.parents().as_slice() {
                [parent] => Some((*parent, c.change(path))),
                _ => None,
            };
        }
        if !self.fresh.contains_key(&id) {
            if !index_now {
                return None;
            }
            let commit = self.repo.find_commit(id).ok()?;
            let [parent] = commit.parent_ids().collect::<Vec<_>>()[..] else {
                return None;
            };
            let before = self.repo.find_commit(parent).ok()?.tree_id();
            let odb = self.repo.odb().ok()?;
            let mut changes = Vec::new();
            diff_trees(
                &odb,
                &mut self.trees,
                Some(before),
                Some(commit.tree_id()),
                &mut Vec::new(),
                true,
                &mut changes,
            )
            .ok()?;
            self.trees.next_commit();
            let time = commit.time().seconds();
            self.fresh.insert(
                id,
                Fresh {
                    time,
                    parent,
                    changes,
                },
            );
        }
        let f = self.fresh.get(&id)?;
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

    /// Write the index back with what this walk added. The index is only a
    /// shortcut: when it cannot be saved, nothing is lost but time.
    pub fn save(self) {
        if self.fresh.is_empty() {
            return;
        }
        let mut build = Builder::from(self.old.as_deref());
        for (id, f) in self.fresh {
            let changes = f
                .changes
                .into_iter()
                .map(|(path, old, new)| (build.path_id(&path), old, new))
                .collect();
            build.commits.insert(
                id,
                NewCommit {
                    time: f.time,
                    parents: vec![f.parent],
                    changes,
                },
            );
        }
        let index = build.finish();
        let _ = index.save(&self.git_dir);
        if let Ok(mut loaded) = LOADED.lock() {
            *loaded = Some((self.git_dir.clone(), Arc::new(index)));
        }
    }
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

/// A commit on its way into the index.
struct NewCommit {
    time: i64,
    parents: Vec<Oid>,
    /// (path id, old blob, new blob)
    changes: Vec<(u32, Option<Oid>, Option<Oid>)>,
}

/// The index as owned data, for adding commits and writing it out.
struct Builder {
    commits: IdMap<NewCommit>,
    paths: Vec<Vec<u8>>,
    path_ids: HashMap<Vec<u8>, u32>,
}

/// Raw trees read for the commit being indexed and the one before, since a
/// commit's trees are its parent's "after" side and the next commit's "before".
#[derive(Default)]
pub(super) struct TreeCache {
    current: IdMap<Rc<Vec<u8>>>,
    previous: IdMap<Rc<Vec<u8>>>,
}

impl TreeCache {
    fn get(&mut self, odb: &Odb<'_>, id: Oid) -> Result<Rc<Vec<u8>>, git2::Error> {
        if let Some(t) = self.current.get(&id) {
            return Ok(t.clone());
        }
        let t = match self.previous.get(&id) {
            Some(t) => t.clone(),
            None => {
                let obj = odb.read(id)?;
                if obj.kind() != ObjectType::Tree {
                    return Err(git2::Error::from_str("not a tree"));
                }
                Rc::new(obj.data().to_vec())
            }
        };
        self.current.insert(id, t.clone());
        Ok(t)
    }

    /// Forget the trees of all but the last commit read.
    pub(super) fn next_commit(&mut self) {
        self.previous = std::mem::take(&mut self.current);
    }
}

/// One entry of a raw tree.
#[derive(Clone, Copy)]
struct RawEntry<'a> {
    name: &'a [u8],
    is_tree: bool,
    id: &'a [u8],
}

impl RawEntry<'_> {
    fn oid(&self) -> Option<Oid> {
        Oid::from_bytes(self.id).ok()
    }
}

/// The entry of a raw tree that starts at byte `at`, and where the next starts.
fn entry_at(data: &[u8], at: usize) -> Result<Option<(RawEntry<'_>, usize)>, git2::Error> {
    let bad = || git2::Error::from_str("malformed tree");
    let Some(rest) = data.get(at..).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    // A mode holds no NUL, so the name ends at the first one.
    let nul = memchr::memchr(0, rest).ok_or_else(bad)?;
    let sp = memchr::memchr(b' ', &rest[..nul]).ok_or_else(bad)?;
    let id = rest.get(nul + 1..nul + 21).ok_or_else(bad)?;
    Ok(Some((
        RawEntry {
            name: &rest[sp + 1..nul],
            is_tree: &rest[..sp] == b"40000",
            id,
        },
        at + nul + 21,
    )))
}

/// Where the entry holding byte `pos` of a raw tree starts.
fn entry_start(data: &[u8], pos: usize) -> usize {
    let mut start = 0;
    while let Some(nul) = data.get(start..).and_then(|r| memchr::memchr(0, r)) {
        let next = start + nul + 21;
        if next > pos || next > data.len() {
            break;
        }
        start = next;
    }
    start
}

/// How many leading bytes two buffers share.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let mut i = 0;
    for chunk in [4096, 256, 16] {
        while i + chunk <= n && a[i..i + chunk] == b[i..i + chunk] {
            i += chunk;
        }
    }
    while i < n && a[i] == b[i] {
        i += 1;
    }
    i
}

/// git's order of tree entries: a folder sorts as if its name ended in `/`.
fn git_order(a: &RawEntry<'_>, b: &RawEntry<'_>) -> std::cmp::Ordering {
    let n = a.name.len().min(b.name.len());
    match a.name[..n].cmp(&b.name[..n]) {
        std::cmp::Ordering::Equal => {}
        o => return o,
    }
    let end = |e: &RawEntry<'_>, len: usize| -> u8 {
        match e.name.get(len) {
            Some(c) => *c,
            None if e.is_tree => b'/',
            None => 0,
        }
    };
    end(a, n)
        .cmp(&end(b, n))
        .then(a.name.len().cmp(&b.name.len()))
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
        let d = &ix.data;
        for i in 0..ix.commits {
            let c = IndexedCommit { index: ix, at: i };
            let (cs, cl) = (c.field(2) as usize, c.field(3) as usize);
            let changes = (cs..cs + cl)
                .filter_map(|k| {
                    let at = ix.changes_at + CHANGE_LEN * k;
                    Some((
                        le32(d, at)?,
                        oid_or_none(d.get(at + 4..at + 24)?),
                        oid_or_none(d.get(at + 24..at + 44)?),
                    ))
                })
                .collect();
            if let Some(id) = ix.oid(i) {
                b.commits.insert(
                    id,
                    NewCommit {
                        time: c.time(),
                        parents: c.parents(),
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
}

/// The files two trees differ in: path, old blob, new blob.
pub(super) type Found = Vec<(Vec<u8>, Option<Oid>, Option<Oid>)>;

/// The files that differ between two trees, descending only into folders
/// whose ids differ; at the top, only the folders the index covers. The
/// bytes both trees share at their start and end are skipped unparsed, so a
/// folder of thousands of files with one changed costs two compares.
pub(super) fn diff_trees(
    odb: &Odb<'_>,
    trees: &mut TreeCache,
    a: Option<Oid>,
    b: Option<Oid>,
    prefix: &mut Vec<u8>,
    top: bool,
    out: &mut Vec<(Vec<u8>, Option<Oid>, Option<Oid>)>,
) -> Result<(), git2::Error> {
    if a == b {
        return Ok(());
    }
    let da = a.map(|t| trees.get(odb, t)).transpose()?;
    let db = b.map(|t| trees.get(odb, t)).transpose()?;
    let ra = da.as_deref().map_or(&[][..], |o| o.as_slice());
    let rb = db.as_deref().map_or(&[][..], |o| o.as_slice());
    let shared = common_prefix(ra, rb);
    let start = entry_start(ra, shared);
    let (mut i, mut j) = (start, start);
    loop {
        let (ex, ey) = (entry_at(ra, i)?, entry_at(rb, j)?);
        let (x, y) = match (ex, ey) {
            (None, None) => break,
            (Some((x, ni)), Some((y, nj))) => match git_order(&x, &y) {
                std::cmp::Ordering::Less => {
                    i = ni;
                    (Some(x), None)
                }
                std::cmp::Ordering::Greater => {
                    j = nj;
                    (None, Some(y))
                }
                std::cmp::Ordering::Equal => {
                    (i, j) = (ni, nj);
                    if x.id == y.id && x.is_tree == y.is_tree {
                        if ra[i..] == rb[j..] {
                            break;
                        }
                        continue;
                    }
                    (Some(x), Some(y))
                }
            },
            (Some((x, ni)), None) => {
                i = ni;
                (Some(x), None)
            }
            (None, Some((y, nj))) => {
                j = nj;
                (None, Some(y))
            }
        };
        let name = x.or(y).map(|e| e.name).unwrap_or_default();
        if top && !TOPS.iter().any(|t| t.as_bytes() == name) {
            continue;
        }
        let len = prefix.len();
        if len > 0 {
            prefix.push(b'/');
        }
        prefix.extend_from_slice(name);
        let tree_of = |e: Option<RawEntry<'_>>| e.filter(|e| e.is_tree).and_then(|e| e.oid());
        let blob_of = |e: Option<RawEntry<'_>>| e.filter(|e| !e.is_tree).and_then(|e| e.oid());
        let (ta, tb) = (tree_of(x), tree_of(y));
        if ta.is_some() || tb.is_some() {
            diff_trees(odb, trees, ta, tb, prefix, false, out)?;
        }
        let (ba, bb) = (blob_of(x), blob_of(y));
        if ba != bb {
            out.push((prefix.clone(), ba, bb));
        }
        prefix.truncate(len);
    }
    Ok(())
}

impl Builder {
    /// The index in its file format, commits sorted by id.
    fn finish(self) -> PathIndex {
        let mut ids: Vec<Oid> = self.commits.keys().copied().collect();
        ids.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        let mut commits = Vec::with_capacity(ids.len() * COMMIT_LEN);
        let mut parents = Vec::new();
        let mut changes = Vec::new();
        let (mut n_parents, mut n_changes) = (0u32, 0u32);
        for id in &ids {
            let c = &self.commits[id];
            commits.extend_from_slice(id.as_bytes());
            commits.extend_from_slice(&(c.time as u64).to_le_bytes());
            commits.extend_from_slice(&n_parents.to_le_bytes());
            commits.extend_from_slice(&(c.parents.len() as u32).to_le_bytes());
            for p in &c.parents {
                parents.extend_from_slice(p.as_bytes());
            }
            n_parents += c.parents.len() as u32;
            commits.extend_from_slice(&n_changes.to_le_bytes());
            commits.extend_from_slice(&(c.changes.len() as u32).to_le_bytes());
            for (p, old, new) in &c.changes {
                changes.extend_from_slice(&p.to_le_bytes());
                changes.extend_from_slice(old.unwrap_or(Oid::ZERO_SHA1).as_bytes());
                changes.extend_from_slice(new.unwrap_or(Oid::ZERO_SHA1).as_bytes());
            }
            n_changes += c.changes.len() as u32;
        }
        let mut offsets = Vec::with_capacity((self.paths.len() + 1) * 4);
        let mut strings = Vec::new();
        offsets.extend_from_slice(&0u32.to_le_bytes());
        for p in &self.paths {
            strings.extend_from_slice(p);
            offsets.extend_from_slice(&(strings.len() as u32).to_le_bytes());
        }
        let mut data = Vec::with_capacity(
            28 + commits.len() + parents.len() + changes.len() + offsets.len() + strings.len() + 8,
        );
        data.extend_from_slice(MAGIC);
        for n in [
            ids.len(),
            n_parents as usize,
            n_changes as usize,
            self.paths.len(),
            strings.len(),
        ] {
            data.extend_from_slice(&(n as u32).to_le_bytes());
        }
        data.extend_from_slice(&commits);
        data.extend_from_slice(&parents);
        data.extend_from_slice(&changes);
        data.extend_from_slice(&offsets);
        data.extend_from_slice(&strings);
        let sum = checksum(&data);
        data.extend_from_slice(&sum.to_le_bytes());
        // What was just built always parses; if not, no index rather than a wrong one.
        PathIndex::parse(data).unwrap_or(PathIndex {
            data: Vec::new(),
            commits: 0,
            parents_at: 0,
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

    #[test]
    fn a_damaged_file_is_not_believed() {
        let b = Builder::from(None);
        let ix = b.finish();
        assert!(PathIndex::parse(ix.data.clone()).is_some());
        for i in 0..ix.data.len() {
            let mut bad = ix.data.clone();
            bad[i] ^= 0x40;
            assert!(PathIndex::parse(bad).is_none(), "byte {i}");
        }
        assert!(PathIndex::parse(ix.data[..ix.data.len() - 1].to_vec()).is_none());
    }

    #[test]
    fn folders_sort_as_git_sorts_them() {
        let e = |name: &'static str, is_tree| RawEntry {
            name: name.as_bytes(),
            is_tree,
            id: &[0; 20],
        };
        use std::cmp::Ordering::*;
        assert_eq!(git_order(&e("a", true), &e("a.b", false)), Greater);
        assert_eq!(git_order(&e("a", false), &e("a.b", false)), Less);
        assert_eq!(git_order(&e("a", true), &e("a0", false)), Less);
        assert_eq!(git_order(&e("a", true), &e("a", true)), Equal);
    }
}
