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

use super::Parsed;

/// Changes whenever the cached types change shape.
const MAGIC: &[u8] = concat!("errata-records-cache 1 ", env!("CARGO_PKG_VERSION"), "\n").as_bytes();

/// A second: files modified within it of the cache being written are not trusted,
/// since a file system with coarse timestamps could hide a later edit.
const RACY_NS: i128 = 1_000_000_000;

/// What the file system says about a file, enough to notice it changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
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

pub fn now_ns() -> i128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i128)
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    pub path: String,
    pub stamp: Stamp,
    pub parsed: Parsed,
}

#[derive(Serialize, Deserialize)]
struct Body {
    written_ns: i128,
    entries: Vec<Entry>,
}

pub struct Cache {
    written_ns: i128,
    entries: Vec<Entry>,
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
            entries,
            by_path,
        })
    }

    pub fn get(&self, path: &str) -> Option<&Entry> {
        self.by_path.get(path).map(|&i| &self.entries[i])
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether a file with this stamp was surely last changed before the cache was
    /// written, so an equal stamp means equal content.
    pub fn trusts(&self, stamp: &Stamp) -> bool {
        stamp.mtime_ns + RACY_NS <= self.written_ns && stamp.ctime_ns + RACY_NS <= self.written_ns
    }

    /// Write the cache atomically; `started_ns` is when the files were examined,
    /// so an edit made while this run parsed is never trusted later.
    pub fn write(path: &Path, started_ns: i128, entries: Vec<Entry>) -> std::io::Result<()> {
        let body = Body {
            written_ns: started_ns,
            entries,
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
