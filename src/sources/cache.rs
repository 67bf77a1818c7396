//! What earlier checks found, in `.git/errata/sources.json`, keyed by address
//! and excerpt (the same page judged against another excerpt is another
//! result). Errors and blocked answers are never written, so they are asked
//! again next time; an entry older than the time-to-live is asked again too.
//! Like every cache of errata's it is safe to delete: an unreadable file is
//! taken as empty.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::Finding;
use crate::store::write;

const FILE: &str = "sources.json";
const VERSION: u32 = 1;

/// Why the cache could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the source cache {path}: {source}")]
pub struct CacheError {
    path: String,
    source: std::io::Error,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct OnDisk {
    version: u32,
    entries: BTreeMap<String, Finding>,
}

/// The remembered results, read once and written once per run.
pub struct Cache {
    path: PathBuf,
    entries: BTreeMap<String, Finding>,
    dirty: bool,
}

/// The key of an address judged against an excerpt: FNV-1a of the excerpt
/// (stable across builds), so the file stays small whatever the excerpts.
pub fn key(url: &str, excerpt: Option<&str>) -> String {
    match excerpt {
        None => url.to_owned(),
        Some(e) => {
            let mut h: u64 = 0xcbf2_9ce4_8422_2325;
            for b in e.as_bytes() {
                h ^= u64::from(*b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
            format!("{url} #{h:016x}")
        }
    }
}

impl Cache {
    pub fn open(git_dir: &Path) -> Result<Cache, CacheError> {
        let path = git_dir.join("errata").join(FILE);
        let entries = std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice::<OnDisk>(&b).ok())
            .filter(|d| d.version == VERSION)
            .map(|d| d.entries)
            .unwrap_or_default();
        Ok(Cache {
            path,
            entries,
            dirty: false,
        })
    }

    pub fn get(&self, key: &str) -> Option<&Finding> {
        self.entries.get(key)
    }

    pub fn put(&mut self, key: String, finding: Finding) {
        self.entries.insert(key, finding);
        self.dirty = true;
    }

    pub fn save(&self) -> Result<(), CacheError> {
        if !self.dirty {
            return Ok(());
        }
        let disk = OnDisk {
            version: VERSION,
            entries: self.entries.clone(),
        };
        write::atomic_with(&self.path, false, |w| {
            serde_json::to_writer(w, &disk).map_err(std::io::Error::other)
        })
        .map_err(|source| CacheError {
            path: self.path.display().to_string(),
            source,
        })
    }
}
