//! The right to build the whole history index, held by one process at a time:
//! a file, `.git/errata/pathindex.lock`, made with `create_new` and removed
//! when the build ends. A walk that leaves history unindexed starts a build in
//! the background only if none holds this, so runs of `errata log` on a long
//! history start one build, not one each. Uses std only.

use std::path::{Path, PathBuf};
use std::time::Duration;

/// A build that has held the lock this long has died without removing it
/// (killed, or its machine went down): the lock is taken over.
const STALE: Duration = Duration::from_secs(600);

/// The held lock; dropping it removes the file, unless it was handed over.
#[derive(Debug)]
pub struct BuildLock {
    path: PathBuf,
    /// Whether this process removes the file: not once it has handed the
    /// lock to the background build it started.
    owned: bool,
}

impl BuildLock {
    fn file(git_dir: &Path) -> PathBuf {
        git_dir.join("errata").join("pathindex.lock")
    }

    /// Take the lock, unless a live build holds it.
    pub fn take(git_dir: &Path) -> Option<BuildLock> {
        let path = Self::file(git_dir);
        std::fs::create_dir_all(path.parent()?).ok()?;
        for _ in 0..2 {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(_) => return Some(BuildLock { path, owned: true }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    if !is_stale(&path) {
                        return None;
                    }
                    // A dead build's: remove it and try once more, so that of
                    // two processes taking it over only one succeeds.
                    let _ = std::fs::remove_file(&path);
                }
                Err(_) => return None,
            }
        }
        None
    }

    /// The lock of a build that another process took and handed to this one
    /// (the background build `errata log` starts), removed when this ends.
    pub fn inherit(git_dir: &Path) -> BuildLock {
        BuildLock {
            path: Self::file(git_dir),
            owned: true,
        }
    }

    /// Leave the file in place for the process this one hands the lock to.
    pub fn hand_over(mut self) {
        self.owned = false;
    }
}

impl Drop for BuildLock {
    fn drop(&mut self) {
        if self.owned {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

fn is_stale(path: &Path) -> bool {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age > STALE)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether a live build holds the lock.
    fn held(git_dir: &Path) -> bool {
        let path = BuildLock::file(git_dir);
        path.exists() && !is_stale(&path)
    }

    #[test]
    fn one_build_at_a_time_and_a_dead_ones_lock_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let git = dir.path();
        let first = BuildLock::take(git).expect("free");
        assert!(held(git));
        assert!(
            BuildLock::take(git).is_none(),
            "a second build beside the first"
        );
        drop(first);
        assert!(!held(git), "released on drop");

        // Handed over: the file stays for the process that inherits it.
        BuildLock::take(git).unwrap().hand_over();
        assert!(held(git));
        drop(BuildLock::inherit(git));
        assert!(!held(git));

        // Left by a build that died long ago.
        let lock = BuildLock::take(git).unwrap();
        let old = std::time::SystemTime::now() - STALE - Duration::from_secs(1);
        std::fs::File::options()
            .write(true)
            .open(BuildLock::file(git))
            .unwrap()
            .set_modified(old)
            .unwrap();
        lock.hand_over();
        assert!(!held(git), "stale");
        assert!(BuildLock::take(git).is_some(), "taken over");
    }
}
