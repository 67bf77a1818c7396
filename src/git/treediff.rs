//! Comparing two trees read raw from the object database: the files under
//! the record folders (`claims/`, `corrections/`, `errata.toml`) that differ,
//! found by descending only into folders whose ids differ and skipping, unparsed,
//! the bytes two versions of a folder share. The history index and the
//! changelog's walk use it. Uses git2's object database only.

use std::collections::HashMap;
use std::rc::Rc;

use git2::{ObjectType, Odb, Oid};

/// Top-level names whose files are compared (and the history index lists).
pub(super) const TOPS: &[&str] = &["claims", "corrections", "errata.toml"];

/// Commit and tree ids are uniformly random already: their first bytes are
/// the hash, without SipHash's cost on every lookup of the build.
#[derive(Default, Clone, Copy)]
pub(super) struct IdHasher(u64);

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

pub(super) type IdMap<V> = HashMap<Oid, V, std::hash::BuildHasherDefault<IdHasher>>;

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

/// The entry named `name` in a raw tree: its id and whether it is a folder.
/// Entries are in git's order, so the scan stops at the first entry past
/// where `name` would be, as a file or as a folder.
pub(super) fn find_entry(data: &[u8], name: &[u8]) -> Result<Option<(Oid, bool)>, git2::Error> {
    let sought = RawEntry {
        name,
        is_tree: true,
        id: &[],
    };
    let mut at = 0;
    while let Some((e, next)) = entry_at(data, at)? {
        if e.name == name {
            return Ok(e.oid().map(|id| (id, e.is_tree)));
        }
        if git_order(&e, &sought) == std::cmp::Ordering::Greater {
            break;
        }
        at = next;
    }
    Ok(None)
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

/// The files two trees differ in: path, old blob, new blob.
pub(super) type Found = Vec<(Vec<u8>, Option<Oid>, Option<Oid>)>;

/// The files that differ between two trees, descending only into folders
/// whose ids differ; at the top, only the folders the index covers. The
/// bytes both trees share at their start and end are skipped unparsed, so a
/// folder of thousands of files with one changed costs two compares.
/// With `folders`, a folder below the top that only one side has (an episode
/// added with its thousand claims) is one entry, its path ending in `/` and
/// its tree id in place of a blob's, rather than every file in it.
#[allow(clippy::too_many_arguments)]
pub(super) fn diff_trees(
    odb: &Odb<'_>,
    trees: &mut TreeCache,
    a: Option<Oid>,
    b: Option<Oid>,
    prefix: &mut Vec<u8>,
    top: bool,
    folders: bool,
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
        if folders && !top && ta.is_some() != tb.is_some() {
            // A folder only one side has, as one entry (its path ends in `/`).
            let mut folder = prefix.clone();
            folder.push(b'/');
            out.push((folder, ta, tb));
        } else if ta.is_some() || tb.is_some() {
            diff_trees(odb, trees, ta, tb, prefix, false, folders, out)?;
        }
        let (ba, bb) = (blob_of(x), blob_of(y));
        if ba != bb {
            out.push((prefix.clone(), ba, bb));
        }
        prefix.truncate(len);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// A raw tree as git writes it: `mode name\0` and 20 bytes of id, sorted.
    fn raw_tree(entries: &[(&str, &str, u8)]) -> Vec<u8> {
        let mut out = Vec::new();
        for (mode, name, id) in entries {
            out.extend_from_slice(format!("{mode} {name}\0").as_bytes());
            out.extend_from_slice(&[*id; 20]);
        }
        out
    }

    #[test]
    fn finds_an_entry_by_name_as_a_file_or_a_folder() {
        // git's order: a folder sorts as its name and `/`, so after "b.toml".
        let data = raw_tree(&[
            ("100644", "a", 1),
            ("100644", "a.b", 2),
            ("100644", "b.toml", 4),
            ("40000", "b", 3),
            ("40000", "ep-0001", 5),
            ("100644", "節目.toml", 6),
        ]);
        let id = |b: u8| Oid::from_bytes(&[b; 20]).unwrap();
        assert_eq!(find_entry(&data, b"a").unwrap(), Some((id(1), false)));
        assert_eq!(find_entry(&data, b"a.b").unwrap(), Some((id(2), false)));
        assert_eq!(find_entry(&data, b"b").unwrap(), Some((id(3), true)));
        assert_eq!(find_entry(&data, b"b.toml").unwrap(), Some((id(4), false)));
        assert_eq!(find_entry(&data, b"ep-0001").unwrap(), Some((id(5), true)));
        assert_eq!(
            find_entry(&data, "節目.toml".as_bytes()).unwrap(),
            Some((id(6), false))
        );
        for absent in ["", "0", "a.a", "ep-0000", "ep-0002", "zz", "節"] {
            assert_eq!(
                find_entry(&data, absent.as_bytes()).unwrap(),
                None,
                "{absent}"
            );
        }
        assert_eq!(find_entry(&[], b"a").unwrap(), None);
        // Cut short: the scan says so rather than read past the end.
        assert!(find_entry(&data[..data.len() - 3], "節目.toml".as_bytes()).is_err());
    }
}
