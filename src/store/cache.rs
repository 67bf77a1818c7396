//! The record cache: parsed records keyed on file metadata, as git's index keys
//! file content, so a run on an unchanged repository parses nothing.
//!
//! It lives in `.git/errata/`, never in the working tree, and is always safe to
//! delete. Any doubt about it (a different errata version, a torn or corrupt
//! file, which the CRC-32 of its header and of each chunk tells, a file
//! modified too close to the moment the cache was written to tell) means the
//! records are parsed again.

use rayon::prelude::*;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::{Checks, Parsed};
use crate::diagnostic::Problem;
use crate::model::{Correction, Episode};

/// Changes whenever the cached types change shape.
const MAGIC: &[u8] = concat!("errata-records-cache 8 ", env!("CARGO_PKG_VERSION"), "\n").as_bytes();

/// A second: files modified within it of the cache being written are not trusted,
/// since a file system with coarse timestamps could hide a later edit.
const RACY_NS: i64 = 1_000_000_000;

/// What the file system says about a file, enough to notice it changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Stamp {
    size: u64,
    /// Nanoseconds since the epoch (an `i64` lasts until 2262).
    mtime_ns: i64,
    ctime_ns: i64,
    inode: u64,
}

impl Stamp {
    pub fn of(path: &Path) -> Option<Stamp> {
        Some(Stamp::from_metadata(&std::fs::symlink_metadata(path).ok()?))
    }

    /// From metadata already at hand (a directory entry's, say).
    pub fn from_metadata(meta: &std::fs::Metadata) -> Stamp {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Stamp {
                size: meta.len(),
                mtime_ns: meta
                    .mtime()
                    .saturating_mul(1_000_000_000)
                    .saturating_add(meta.mtime_nsec()),
                ctime_ns: meta
                    .ctime()
                    .saturating_mul(1_000_000_000)
                    .saturating_add(meta.ctime_nsec()),
                inode: meta.ino(),
            }
        }
        #[cfg(not(unix))]
        {
            let mtime = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .unwrap_or_default();
            Stamp {
                size: meta.len(),
                mtime_ns: i64::try_from(mtime.as_nanos()).unwrap_or(i64::MAX),
                ctime_ns: 0,
                inode: 0,
            }
        }
    }
}

impl Stamp {
    /// The file's size in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Whether the file was last changed long enough ago that an equal stamp
    /// later means equal content.
    pub fn settled(&self) -> bool {
        let now = now_ns();
        self.mtime_ns + RACY_NS <= now && self.ctime_ns + RACY_NS <= now
    }
}

/// A key for checks that depend on files other than the record checked (a
/// claim's on its episode's record and transcript): equal while none of `paths`
/// under `root` has changed. A file changed too recently to tell a later edit
/// from this one gives a key that never matches again.
pub fn context_key(root: &Path, paths: &[&str]) -> u64 {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut h = DefaultHasher::new();
    let mut fresh = false;
    for p in paths {
        let s = Stamp::of(&root.join(p));
        fresh |= s.is_some_and(|s| !s.settled());
        s.hash(&mut h);
    }
    if fresh {
        now_ns().hash(&mut h);
    }
    h.finish()
}

pub fn now_ns() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

#[derive(Debug, Deserialize)]
#[serde(bound = "C: serde::de::DeserializeOwned")]
pub struct Entry<C> {
    pub path: String,
    pub stamp: Stamp,
    pub parsed: Parsed<C>,
    pub checks: Option<Checks>,
}

/// The same shape as [`Parsed`], borrowed, so the cache is written straight from a
/// snapshot without copying its records.
#[derive(Serialize)]
#[serde(bound = "C: Serialize")]
pub enum ParsedRef<'a, C> {
    Claim(&'a C),
    Episode(&'a Episode),
    Correction(&'a Correction),
    Bad(&'a Problem),
}

#[derive(Serialize)]
#[serde(bound = "C: Serialize")]
struct EntryRef<'a, C> {
    path: &'a str,
    stamp: Stamp,
    parsed: &'a ParsedRef<'a, C>,
    checks: Option<&'a Checks>,
}

/// One record to write into the cache.
pub struct Row<'a, C> {
    pub path: String,
    pub stamp: Stamp,
    pub parsed: ParsedRef<'a, C>,
    pub checks: Option<&'a Checks>,
}

/// Entries per independently encoded chunk, so reading decodes on every core.
const CHUNK: usize = 2048;

/// Parsed records by path. Laid out as the magic line, the time it was written
/// (8 bytes), the number of chunks (8 bytes), the length and CRC-32 of each chunk
/// (8 bytes each), the CRC-32 of all that (8 bytes), then the chunks, each a
/// postcard-encoded list of entries; entries are sorted by path across chunks,
/// so lookups are binary searches. Numbers are little-endian.
pub struct Cache<C> {
    written_ns: i64,
    entries: Vec<Option<Entry<C>>>,
}

/// `len` bytes of `file` from `offset`, read without moving a shared cursor, so
/// threads can read chunks of one file at once.
fn read_at(file: &std::fs::File, offset: u64, len: usize) -> Option<Vec<u8>> {
    let mut buf = vec![0; len];
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        file.read_exact_at(&mut buf, offset).ok()?;
    }
    #[cfg(windows)]
    {
        use std::os::windows::fs::FileExt;
        let mut done = 0;
        while done < len {
            let n = file
                .seek_read(&mut buf[done..], offset + done as u64)
                .ok()?;
            if n == 0 {
                return None;
            }
            done += n;
        }
    }
    Some(buf)
}

fn take_u64(bytes: &mut &[u8]) -> Option<u64> {
    let (head, rest) = bytes.split_first_chunk::<8>()?;
    *bytes = rest;
    Some(u64::from_le_bytes(*head))
}

impl<C: Send + Serialize + serde::de::DeserializeOwned> Cache<C> {
    /// The cache as last written, or `None` if there is none or it cannot be trusted.
    /// Chunks are read and decoded in parallel, each buffer freed once decoded,
    /// so the whole file is never held in memory beside what it decodes to.
    pub fn read(path: &Path) -> Option<Cache<C>> {
        let file = std::fs::File::open(path).ok()?;
        let size = file.metadata().ok()?.len();
        let fixed = MAGIC.len() as u64 + 8 + 8;
        let head = read_at(&file, 0, usize::try_from(fixed).ok()?)?;
        let mut rest = head.strip_prefix(MAGIC)?;
        let (written, tail) = rest.split_first_chunk::<8>()?;
        let written_ns = i64::from_le_bytes(*written);
        rest = tail;
        let chunks = take_u64(&mut rest)?;
        if chunks > size / 16 {
            return None;
        }
        let table_len = usize::try_from(chunks * 16 + 8).ok()?;
        let table = read_at(&file, fixed, table_len)?;
        let (mut lens, mut sum) = table.split_at(table_len - 8);
        let mut hasher = crc32fast::Hasher::new();
        hasher.update(&head);
        hasher.update(lens);
        if u64::from(hasher.finalize()) != take_u64(&mut sum)? {
            return None;
        }
        let mut parts: Vec<(u64, usize, u64)> = Vec::with_capacity(chunks as usize);
        let mut offset = fixed + table_len as u64;
        for _ in 0..chunks {
            let len = take_u64(&mut lens)?;
            let crc = take_u64(&mut lens)?;
            parts.push((offset, usize::try_from(len).ok()?, crc));
            offset = offset.checked_add(len)?;
        }
        if offset != size {
            return None;
        }
        let decoded: Option<Vec<Vec<Entry<C>>>> = parts
            .into_par_iter()
            .map(|(offset, len, crc)| {
                let bytes = read_at(&file, offset, len)?;
                if u64::from(crc32fast::hash(&bytes)) != crc {
                    return None;
                }
                postcard::from_bytes::<Vec<Entry<C>>>(&bytes).ok()
            })
            .collect();
        let decoded = decoded?;
        let mut entries: Vec<Option<Entry<C>>> =
            Vec::with_capacity(decoded.iter().map(Vec::len).sum());
        entries.extend(decoded.into_iter().flatten().map(Some));
        let sorted = entries.windows(2).all(|w| match (&w[0], &w[1]) {
            (Some(a), Some(b)) => a.path < b.path,
            _ => false,
        });
        sorted.then_some(Cache {
            written_ns,
            entries,
        })
    }

    /// For each of `paths` (sorted, as the entries are), the index of its entry,
    /// found in one merge of the two lists. Call before any [`Cache::take`].
    pub fn positions<'p>(&self, paths: impl Iterator<Item = &'p str>) -> Vec<Option<usize>> {
        let mut at = 0;
        paths
            .map(|p| {
                while let Some(Some(e)) = self.entries.get(at) {
                    match e.path.as_str().cmp(p) {
                        std::cmp::Ordering::Less => at += 1,
                        std::cmp::Ordering::Equal => return Some(at),
                        std::cmp::Ordering::Greater => return None,
                    }
                }
                None
            })
            .collect()
    }

    /// Whether entry `i` still stands for a file that now has `stamp`.
    pub fn still(&self, i: usize, stamp: &Stamp) -> bool {
        self.entries
            .get(i)
            .and_then(Option::as_ref)
            .is_some_and(|e| e.stamp == *stamp && self.trusts(stamp))
    }

    /// Move an entry out of the cache.
    pub fn take(&mut self, i: usize) -> Option<Entry<C>> {
        self.entries.get_mut(i)?.take()
    }

    /// How many files the cache knew, so a run can tell files were removed.
    pub fn files(&self) -> usize {
        self.entries.len()
    }

    /// Whether a file with this stamp was surely last changed before the cache was
    /// written, so an equal stamp means equal content.
    fn trusts(&self, stamp: &Stamp) -> bool {
        stamp.mtime_ns + RACY_NS <= self.written_ns && stamp.ctime_ns + RACY_NS <= self.written_ns
    }

    /// Write the cache atomically; `started_ns` is when the files were examined,
    /// so an edit made while this run parsed is never trusted later.
    pub fn write(path: &Path, started_ns: i64, mut rows: Vec<Row<'_, C>>) -> std::io::Result<()>
    where
        C: Sync,
    {
        rows.par_sort_unstable_by(|a, b| a.path.cmp(&b.path));
        rows.dedup_by(|a, b| a.path == b.path);
        let encoded: Vec<Vec<u8>> = rows
            .par_chunks(CHUNK)
            .map(|chunk| {
                let refs: Vec<EntryRef<'_, C>> = chunk
                    .iter()
                    .map(|r| EntryRef {
                        path: &r.path,
                        stamp: r.stamp,
                        parsed: &r.parsed,
                        checks: r.checks,
                    })
                    .collect();
                postcard::to_allocvec(&refs).map_err(|e| std::io::Error::other(e.to_string()))
            })
            .collect::<std::io::Result<_>>()?;
        drop(rows);
        let mut head = Vec::with_capacity(MAGIC.len() + 24 + encoded.len() * 16);
        head.extend_from_slice(MAGIC);
        head.extend_from_slice(&started_ns.to_le_bytes());
        head.extend_from_slice(&(encoded.len() as u64).to_le_bytes());
        let crcs: Vec<u32> = encoded.par_iter().map(|c| crc32fast::hash(c)).collect();
        for (chunk, crc) in encoded.iter().zip(crcs) {
            head.extend_from_slice(&(chunk.len() as u64).to_le_bytes());
            head.extend_from_slice(&u64::from(crc).to_le_bytes());
        }
        let sum = u64::from(crc32fast::hash(&head));
        super::write::atomic_with(path, false, |w| {
            w.write_all(&head)?;
            w.write_all(&sum.to_le_bytes())?;
            for chunk in &encoded {
                w.write_all(chunk)?;
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Claim;

    #[test]
    fn entries_round_trip() {
        let p = Problem::new("a", crate::diagnostic::Location::File, "m");
        let episode = Episode {
            id: "ep".parse().unwrap(),
            title: "標題".into(),
            date: Some("2024-01-01".parse().unwrap()),
            url: None,
            transcript: Some("transcript.txt".into()),
        };
        let rows: Vec<Row<'_, Claim>> = vec![
            Row {
                path: "a".into(),
                stamp: Stamp::default(),
                parsed: ParsedRef::Bad(&p),
                checks: None,
            },
            Row {
                path: "claims/ep/episode.toml".into(),
                stamp: Stamp::default(),
                parsed: ParsedRef::Episode(&episode),
                checks: None,
            },
        ];
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c");
        Cache::<Claim>::write(&path, 5, rows).unwrap();
        let cache = Cache::<Claim>::read(&path).unwrap();
        assert_eq!(cache.files(), 2);
        assert_eq!(
            cache.positions(["a", "b", "claims/ep/episode.toml"].into_iter()),
            vec![Some(0), None, Some(1)]
        );
        assert!(
            !cache.still(0, &Stamp::default()),
            "a fresh stamp is not trusted"
        );
        let body = cache;
        assert!(
            matches!(&body.entries[1], Some(Entry { parsed: Parsed::Episode(e), .. }) if *e == episode)
        );
    }
}
