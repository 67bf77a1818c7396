//! What the file system says about a file, enough to tell it changed: the key
//! the record cache is stored under, as git's index keys file content on the
//! same four numbers. Uses only the standard library.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

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
                mtime_ns: nanos(meta.mtime(), meta.mtime_nsec()),
                ctime_ns: nanos(meta.ctime(), meta.ctime_nsec()),
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

#[cfg(target_os = "linux")]
impl Stamp {
    /// From an `fstatat` already at hand; the same four numbers as
    /// [`Stamp::from_metadata`].
    // `From`, not `as`: the fields are narrower on 32-bit Linux, and the
    // conversions only look useless on 64-bit.
    #[allow(clippy::useless_conversion)]
    pub(super) fn from_stat(st: &rustix::fs::Stat) -> Stamp {
        // A nanosecond count is below 10^9 whatever its type.
        let nsec = |n: u64| n as i64;
        Stamp {
            size: u64::try_from(st.st_size).unwrap_or_default(),
            mtime_ns: nanos(i64::from(st.st_mtime), nsec(u64::from(st.st_mtime_nsec))),
            ctime_ns: nanos(i64::from(st.st_ctime), nsec(u64::from(st.st_ctime_nsec))),
            inode: st.st_ino,
        }
    }
}

/// Seconds and nanoseconds since the epoch as one count, as both ways of
/// reading a file's times give them.
#[cfg(unix)]
fn nanos(secs: i64, nsec: i64) -> i64 {
    secs.saturating_mul(1_000_000_000).saturating_add(nsec)
}

impl Stamp {
    /// How many bytes [`Stamp::to_bytes`] makes.
    pub(super) const BYTES: usize = 32;

    /// The four numbers, little-endian, for a cache that stores many at once.
    pub(super) fn to_bytes(self) -> [u8; Self::BYTES] {
        let mut out = [0; Self::BYTES];
        out[..8].copy_from_slice(&self.size.to_le_bytes());
        out[8..16].copy_from_slice(&self.mtime_ns.to_le_bytes());
        out[16..24].copy_from_slice(&self.ctime_ns.to_le_bytes());
        out[24..].copy_from_slice(&self.inode.to_le_bytes());
        out
    }

    pub(super) fn from_bytes(bytes: &[u8; Self::BYTES]) -> Stamp {
        let word = |i: usize| {
            let mut w = [0; 8];
            w.copy_from_slice(&bytes[i..i + 8]);
            w
        };
        Stamp {
            size: u64::from_le_bytes(word(0)),
            mtime_ns: i64::from_le_bytes(word(8)),
            ctime_ns: i64::from_le_bytes(word(16)),
            inode: u64::from_le_bytes(word(24)),
        }
    }

    /// The file's size in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Whether the file was last changed long enough ago that an equal stamp
    /// later means equal content.
    pub fn settled(&self) -> bool {
        self.settled_by(now_ns())
    }

    /// Whether the file was surely last changed before `ns`, so that an equal
    /// stamp seen at `ns` or later means equal content.
    pub(super) fn settled_by(&self, ns: i64) -> bool {
        self.mtime_ns.saturating_add(RACY_NS) <= ns && self.ctime_ns.saturating_add(RACY_NS) <= ns
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
