//! The record cache: parsed records keyed on file metadata, as git's index keys
//! file content, so a run on an unchanged repository parses nothing.
//!
//! It lives in `.git/errata/`, never in the working tree, and is always safe to
//! delete. Any doubt about it (a different errata version, a torn file, a file
//! modified too close to the moment the cache was written to tell) means the
//! file is parsed again.

use std::collections::HashMap;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::{Checks, Parsed};
use crate::diagnostic::Problem;
use crate::model::{Claim, Correction, Episode};

/// Changes whenever the cached types change shape.
const MAGIC: &[u8] = concat!("errata-records-cache 1 ", env!("CARGO_PKG_VERSION"), "\n").as_bytes();

/// A second: files modified within it of the cache being written are not trusted,
/// since a file system with coarse timestamps could hide a later edit.
const RACY_NS: i128 = 1_000_000_000;

/// What the file system says about a file, enough to notice it changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Stamp {
    size: u64,
    mtime_ns: i128,
    ctime_ns: i128,
    inode: u64,
}

impl Stamp {
    pub fn of(path: &Path) -> Option<Stamp> {
        let meta = std::fs::symlink_metadata(path).ok()?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Some(Stamp {
                size: meta.len(),
                mtime_ns: meta.mtime() as i128 * 1_000_000_000 + meta.mtime_nsec() as i128,
                ctime_ns: meta.ctime() as i128 * 1_000_000_000 + meta.ctime_nsec() as i128,
                inode: meta.ino(),
            })
        }
        #[cfg(not(unix))]
        {
            let mtime = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
            Some(Stamp {
                size: meta.len(),
                mtime_ns: mtime.as_nanos() as i128,
                ctime_ns: 0,
                inode: 0,
            })
        }
    }
}

impl Stamp {
    /// Whether the file was last changed long enough ago that an equal stamp
    /// later means equal content.
    pub fn settled(&self) -> bool {
        let now = now_ns();
        self.mtime_ns + RACY_NS <= now && self.ctime_ns + RACY_NS <= now
    }
}

pub fn now_ns() -> i128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i128)
}

#[derive(Debug, Deserialize)]
pub struct Entry {
    pub path: String,
    pub stamp: Stamp,
    pub parsed: Parsed,
    pub checks: Option<Checks>,
}

/// The same shape as [`Parsed`], borrowed, so the cache is written straight from a
/// snapshot without copying its records.
#[derive(Serialize)]
pub enum ParsedRef<'a> {
    Claim(&'a Claim),
    Episode(&'a Episode),
    Correction(&'a Correction),
    Bad(&'a Problem),
}

#[derive(Deserialize)]
struct Body {
    written_ns: i128,
    entries: Vec<Entry>,
}

#[derive(Serialize)]
struct BodyRef<'a> {
    written_ns: i128,
    entries: Vec<EntryRef<'a>>,
}

#[derive(Serialize)]
struct EntryRef<'a> {
    path: &'a str,
    stamp: Stamp,
    parsed: &'a ParsedRef<'a>,
    checks: Option<&'a Checks>,
}

pub struct Cache {
    written_ns: i128,
    entries: Vec<Option<Entry>>,
    by_path: HashMap<String, usize>,
}

impl Cache {
    /// The cache as last written, or `None` if there is none or it cannot be trusted.
    pub fn read(path: &Path) -> Option<Cache> {
        let bytes = std::fs::read(path).ok()?;
        let body = bytes.strip_prefix(MAGIC)?;
        let Body {
            written_ns,
            entries,
        } = postcard::from_bytes(body).ok()?;
        let by_path = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.path.clone(), i))
            .collect();
        Some(Cache {
            written_ns,
            entries: entries.into_iter().map(Some).collect(),
            by_path,
        })
    }

    /// The index of the entry for `path` if the file still has `stamp` and the
    /// stamp can be trusted.
    pub fn find(&self, path: &str, stamp: &Stamp) -> Option<usize> {
        let i = *self.by_path.get(path)?;
        let entry = self.entries[i].as_ref()?;
        (entry.stamp == *stamp && self.trusts(stamp)).then_some(i)
    }

    /// Move an entry out of the cache.
    pub fn take(&mut self, i: usize) -> Option<Entry> {
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
    pub fn write(
        path: &Path,
        started_ns: i128,
        entries: &[(String, Stamp, ParsedRef<'_>, Option<&Checks>)],
    ) -> std::io::Result<()> {
        let body = BodyRef {
            written_ns: started_ns,
            entries: entries
                .iter()
                .map(|(path, stamp, parsed, checks)| EntryRef {
                    path,
                    stamp: *stamp,
                    parsed,
                    checks: *checks,
                })
                .collect(),
        };
        let mut bytes = MAGIC.to_vec();
        let encoded =
            postcard::to_allocvec(&body).map_err(|e| std::io::Error::other(e.to_string()))?;
        bytes.extend_from_slice(&encoded);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        super::write::atomic(path, &bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let entries = vec![
            ("a".to_string(), Stamp::default(), ParsedRef::Bad(&p), None),
            (
                "claims/ep/episode.toml".to_string(),
                Stamp::default(),
                ParsedRef::Episode(&episode),
                None,
            ),
        ];
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c");
        Cache::write(&path, 5, &entries).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let body = bytes.strip_prefix(MAGIC).unwrap();
        let body: Body = postcard::from_bytes(body).unwrap();
        assert_eq!(body.entries.len(), 2);
        assert!(matches!(&body.entries[1].parsed, Parsed::Episode(e) if *e == episode));
    }
}
