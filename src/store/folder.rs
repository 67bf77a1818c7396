//! A folder opened once and the files under it looked up relative to it, for
//! the few-record commands that probe one name in each of 1,000 episode
//! folders or open each of many corrections: on Linux each lookup is an
//! `fstatat`/`openat` on the open folder, so the kernel walks two path
//! components rather than the whole path from `/`, and no path is built on
//! the heap. Elsewhere it joins paths as `std::fs` would. Uses only `std` (and
//! `rustix` on Linux).

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// A folder to look files up in, by paths relative to it.
pub(super) struct Folder {
    path: PathBuf,
    #[cfg(target_os = "linux")]
    fd: Option<rustix::fd::OwnedFd>,
}

impl Folder {
    /// Opens `path`; a folder that cannot be opened (gone, not a folder)
    /// gives a handle that looks paths up whole, so its lookups fail as the
    /// lookups of those paths would.
    pub(super) fn open(path: &Path) -> Folder {
        #[cfg(target_os = "linux")]
        {
            use rustix::fs::{Mode, OFlags};
            let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
            Folder {
                path: path.to_path_buf(),
                fd: rustix::fs::open(path, flags, Mode::empty()).ok(),
            }
        }
        #[cfg(not(target_os = "linux"))]
        Folder {
            path: path.to_path_buf(),
        }
    }

    /// Whether `rel` is a regular file, following links as `Path::is_file`.
    pub(super) fn is_file(&self, rel: &str) -> bool {
        #[cfg(target_os = "linux")]
        {
            use rustix::fs::{AtFlags, FileType};
            match &self.fd {
                Some(fd) => rustix::fs::statat(fd, rel, AtFlags::empty())
                    .is_ok_and(|st| FileType::from_raw_mode(st.st_mode).is_file()),
                None => self.path.join(rel).is_file(),
            }
        }
        #[cfg(not(target_os = "linux"))]
        self.path.join(rel).is_file()
    }

    /// Opens `rel` for reading, following links as `File::open`.
    pub(super) fn open_file(&self, rel: &str) -> io::Result<File> {
        #[cfg(target_os = "linux")]
        {
            use rustix::fs::{Mode, OFlags};
            let Some(fd) = &self.fd else {
                return File::open(self.path.join(rel));
            };
            let flags = OFlags::RDONLY | OFlags::CLOEXEC;
            Ok(File::from(rustix::fs::openat(
                fd,
                rel,
                flags,
                Mode::empty(),
            )?))
        }
        #[cfg(not(target_os = "linux"))]
        File::open(self.path.join(rel))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_found_relative_to_the_folder_and_folders_are_not_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("ep-1")).unwrap();
        std::fs::write(dir.path().join("ep-1/a.toml"), "x = 1\n").unwrap();
        let f = Folder::open(dir.path());
        assert!(f.is_file("ep-1/a.toml"));
        assert!(!f.is_file("ep-1"));
        assert!(!f.is_file("ep-1/b.toml"));
        let mut s = String::new();
        io::Read::read_to_string(&mut f.open_file("ep-1/a.toml").unwrap(), &mut s).unwrap();
        assert_eq!(s, "x = 1\n");
        let missing = f.open_file("ep-1/b.toml").unwrap_err();
        assert_eq!(missing.kind(), io::ErrorKind::NotFound);
        let gone = Folder::open(&dir.path().join("no-such-folder"));
        assert!(!gone.is_file("ep-1/a.toml"));
        assert!(gone.open_file("ep-1/a.toml").is_err());
    }
}
