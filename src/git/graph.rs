//! git's commit-graph file, read directly: libgit2 ignores its changed-path
//! Bloom filters, and they are what lets `git log -- PATH` skip most commits
//! without reading a tree. With them errata's history walk reads a commit's
//! parents and date from the graph and looks at trees only where the filter
//! says the record may have changed.
//!
//! Only a single `objects/info/commit-graph` file with SHA-1 ids is read (not a
//! split chain); anything else means no graph, and the walk reads commits as
//! before. The format is git's `Documentation/gitformat-commit-graph.txt`.

use std::path::Path;

use git2::Oid;

const NO_PARENT: u32 = 0x7000_0000;
const EXTRA_EDGES: u32 = 0x8000_0000;
const LAST_EDGE: u32 = 0x8000_0000;
const HASH_LEN: usize = 20;
const CDAT_LEN: usize = HASH_LEN + 16;

/// A commit-graph file, with the positions of its chunks. Every range here was
/// checked against the file when it was opened; reads still go through `get`,
/// so no byte of the file can make errata panic.
pub struct Graph {
    data: Vec<u8>,
    count: usize,
    fanout: usize,
    oids: usize,
    commits: usize,
    /// The extra-edges chunk of octopus merges: its start and end.
    edges: Option<(usize, usize)>,
    bloom: Option<Bloom>,
}

struct Bloom {
    index: usize,
    data: usize,
    data_len: usize,
    hashes: u32,
}

/// What the graph says of one commit.
pub struct Entry {
    /// The commit's root tree.
    pub tree: Oid,
    pub parents: Vec<usize>,
    /// Commit time, seconds since the epoch.
    pub time: i64,
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

fn be64(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(
        b.get(at..at.checked_add(8)?)?.try_into().ok()?,
    ))
}

/// MurmurHash3 (x86, 32 bits), as git's Bloom filters use it. For ASCII input
/// both of git's filter versions agree (version 1 mishandles bytes >= 0x80).
fn murmur3(seed: u32, data: &[u8]) -> u32 {
    const C1: u32 = 0xcc9e_2d51;
    const C2: u32 = 0x1b87_3593;
    let mut h = seed;
    let mut chunks = data.chunks_exact(4);
    for c in &mut chunks {
        let mut k = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        k = k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        h ^= k;
        h = h.rotate_left(13).wrapping_mul(5).wrapping_add(0xe654_6b64);
    }
    let tail = chunks.remainder();
    let mut k = 0u32;
    for (i, b) in tail.iter().enumerate() {
        k ^= u32::from(*b) << (8 * i);
    }
    if !tail.is_empty() {
        k = k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        h ^= k;
    }
    h ^= data.len() as u32;
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^= h >> 16;
    h
}

/// The bit positions a path sets in a changed-path filter, before the modulo.
pub struct Key(Vec<u32>);

impl Graph {
    /// The repository's commit-graph, if it has a single file this reader knows
    /// and that file is whole. A clone can hold any bytes there, so a graph
    /// whose checksum, sizes or order do not hold is not read at all: the walk
    /// then reads commits, as git would after `git commit-graph verify` fails.
    /// A shallow or grafted repository's commits have other parents than the
    /// graph records (git does not use its graph there either).
    pub fn open(git_dir: &Path) -> Option<Graph> {
        if git_dir.join("shallow").exists() || git_dir.join("info/grafts").exists() {
            return None;
        }
        Graph::parse(std::fs::read(git_dir.join("objects/info/commit-graph")).ok()?)
    }

    /// A commit-graph from its bytes, or `None` when they are not a whole,
    /// consistent SHA-1 graph.
    pub fn parse(data: Vec<u8>) -> Option<Graph> {
        use sha1::{Digest, Sha1};
        let header = data.get(..8)?;
        if &header[..4] != b"CGPH" || header[4] != 1 || header[5] != 1 || header[7] != 0 {
            return None;
        }
        let chunks = usize::from(header[6]);
        // The file ends with the SHA-1 of everything before it.
        let body_len = data.len().checked_sub(HASH_LEN)?;
        let (body, sum) = data.split_at(body_len);
        if Sha1::digest(body).as_slice() != sum {
            return None;
        }
        let mut table = Vec::with_capacity(chunks + 1);
        for i in 0..=chunks {
            let at = 8 + i * 12;
            let offset = usize::try_from(be64(body, at + 4)?).ok()?;
            // Chunks follow the table in order and end before the checksum.
            if offset < 8 + (chunks + 1) * 12
                || offset > body_len
                || table.last().is_some_and(|(_, prev)| offset < *prev)
            {
                return None;
            }
            table.push((be32(body, at)?, offset));
        }
        if table.last()?.0 != 0 {
            return None;
        }
        let find = |id: &[u8; 4]| -> Option<(usize, usize)> {
            let want = u32::from_be_bytes(*id);
            let i = table[..chunks].iter().position(|(c, _)| *c == want)?;
            Some((table[i].1, table.get(i + 1)?.1))
        };
        let (fanout, fanout_end) = find(b"OIDF")?;
        let (oids, oids_end) = find(b"OIDL")?;
        let (commits, commits_end) = find(b"CDAT")?;
        if fanout_end - fanout != 256 * 4 {
            return None;
        }
        let count = be32(body, fanout + 255 * 4)? as usize;
        if oids_end - oids != count.checked_mul(HASH_LEN)?
            || commits_end - commits != count.checked_mul(CDAT_LEN)?
        {
            return None;
        }
        // Ids strictly ascending, and the fan-out counting them by first byte:
        // the binary search in `position` relies on both.
        let ids = body.get(oids..oids_end)?;
        let mut seen = 0usize;
        for first in 0..256usize {
            while seen < count && ids.get(seen * HASH_LEN).map(|b| usize::from(*b)) == Some(first) {
                seen += 1;
            }
            if be32(body, fanout + first * 4)? as usize != seen {
                return None;
            }
        }
        let mut pairs = ids.chunks_exact(HASH_LEN);
        if let Some(mut prev) = pairs.next() {
            for id in pairs {
                if id <= prev {
                    return None;
                }
                prev = id;
            }
        }
        let edges = find(b"EDGE");
        let bloom = match (find(b"BIDX"), find(b"BDAT")) {
            (Some((index, index_end)), Some((bdat, bdat_end)))
                if index_end - index == count.checked_mul(4)? && bdat_end - bdat >= 12 =>
            {
                let version = be32(body, bdat)?;
                let hashes = be32(body, bdat + 4)?;
                let data_len = bdat_end - bdat - 12;
                // Each commit's filter ends where the next begins, inside BDAT.
                let mut prev = 0;
                let ends_hold = (0..count).all(|p| {
                    be32(body, index + p * 4).is_some_and(|end| {
                        let end = end as usize;
                        let ok = end >= prev && end <= data_len;
                        prev = end;
                        ok
                    })
                });
                (matches!(version, 1 | 2) && hashes > 0 && hashes < 64 && ends_hold).then_some(
                    Bloom {
                        index,
                        data: bdat + 12,
                        data_len,
                        hashes,
                    },
                )
            }
            _ => None,
        };
        Some(Graph {
            data,
            count,
            fanout,
            oids,
            commits,
            edges,
            bloom,
        })
    }

    /// Whether changed-path filters are there to use.
    pub fn has_filters(&self) -> bool {
        self.bloom.is_some()
    }

    fn oid_at(&self, pos: usize) -> Option<&[u8]> {
        if pos >= self.count {
            return None;
        }
        let at = self.oids + pos * HASH_LEN;
        self.data.get(at..at + HASH_LEN)
    }

    /// The commit's id at a position.
    pub fn oid(&self, pos: usize) -> Option<Oid> {
        Oid::from_bytes(self.oid_at(pos)?).ok()
    }

    /// The position of a commit in the graph, if it is there.
    pub fn position(&self, id: Oid) -> Option<usize> {
        let bytes = id.as_bytes();
        let first = usize::from(*bytes.first()?);
        let lo = if first == 0 {
            0
        } else {
            be32(&self.data, self.fanout + (first - 1) * 4)? as usize
        };
        let hi = be32(&self.data, self.fanout + first * 4)? as usize;
        let (mut lo, mut hi) = (lo, hi.min(self.count));
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.oid_at(mid)?.cmp(bytes) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    /// A commit's parents and time.
    pub fn entry(&self, pos: usize) -> Option<Entry> {
        if pos >= self.count {
            return None;
        }
        let tree = Oid::from_bytes(
            self.data
                .get(self.commits + pos * CDAT_LEN..)?
                .get(..HASH_LEN)?,
        )
        .ok()?;
        let at = self.commits + pos * CDAT_LEN + HASH_LEN;
        let (p1, p2) = (be32(&self.data, at)?, be32(&self.data, at + 4)?);
        let mut parents = Vec::with_capacity(2);
        if p1 != NO_PARENT {
            parents.push(p1 as usize);
        }
        if p2 & EXTRA_EDGES != 0 {
            let (edges, edges_end) = self.edges?;
            let mut at = edges.checked_add(((p2 & !EXTRA_EDGES) as usize).checked_mul(4)?)?;
            loop {
                if at >= edges_end {
                    return None;
                }
                let e = be32(&self.data, at)?;
                parents.push((e & !LAST_EDGE) as usize);
                if e & LAST_EDGE != 0 {
                    break;
                }
                at += 4;
            }
        } else if p2 != NO_PARENT {
            parents.push(p2 as usize);
        }
        if parents.iter().any(|&p| p >= self.count) {
            return None;
        }
        let high = u64::from(be32(&self.data, at + 8)? & 0x3);
        let low = u64::from(be32(&self.data, at + 12)?);
        Some(Entry {
            tree,
            parents,
            time: i64::try_from((high << 32) | low).ok()?,
        })
    }

    /// The filter key of a path (git's seeds and hash count).
    pub fn key(&self, path: &str) -> Option<Key> {
        let bloom = self.bloom.as_ref()?;
        if !path.is_ascii() {
            return None;
        }
        let h0 = murmur3(0x293a_e76f, path.as_bytes());
        let h1 = murmur3(0x7e64_6e2c, path.as_bytes());
        Some(Key((0..bloom.hashes)
            .map(|i| h0.wrapping_add(i.wrapping_mul(h1)))
            .collect()))
    }

    /// Whether the commit at `pos` may have changed `key`'s path against its
    /// first parent. `false` is certain; `true` means "look at the trees".
    pub fn may_have_changed(&self, pos: usize, key: &Key) -> bool {
        let Some(bloom) = &self.bloom else {
            return true;
        };
        let end_of =
            |p: usize| -> Option<usize> { Some(be32(&self.data, bloom.index + p * 4)? as usize) };
        let start = if pos == 0 { Some(0) } else { end_of(pos - 1) };
        let (Some(start), Some(end)) = (start, end_of(pos)) else {
            return true;
        };
        if start >= end || end > bloom.data_len {
            // No filter (or none that can be trusted): anything may have changed.
            return true;
        }
        let Some(filter) = self.data.get(bloom.data + start..bloom.data + end) else {
            return true;
        };
        let bits = (filter.len() * 8) as u64;
        key.0.iter().all(|h| {
            let bit = u64::from(*h) % bits;
            filter
                .get((bit / 8) as usize)
                .is_none_or(|byte| byte & (1 << (bit % 8)) != 0)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn murmur3_matches_the_reference_values() {
        // Values of the reference MurmurHash3_x86_32, as git's t/helper tests use.
        assert_eq!(murmur3(0, b""), 0);
        assert_eq!(murmur3(1, b""), 0x514e_28b7);
        assert_eq!(murmur3(0, b"Hello world!"), 0x627b_0c2c);
        assert_eq!(
            murmur3(0, b"The quick brown fox jumps over the lazy dog"),
            0x2e4f_f723
        );
    }
}
