//! Where each kind of record lives in a fact-check repository, and listing the
//! files that should hold records without reading them. Uses only `model` (ids)
//! and `diagnostic` (a misplaced file is a problem).

use std::path::Path;

use rayon::prelude::*;

use super::folder::Folder;
use super::{Snapshot, Stamp, Store};
use crate::diagnostic::{Location, Problem};
use crate::model::{ClaimId, CorrectionId, EpisodeId};

pub const SETTINGS_FILE: &str = "errata.toml";
pub const CLAIMS_DIR: &str = "claims";
pub const CORRECTIONS_DIR: &str = "corrections";
pub const EPISODE_FILE: &str = "episode.toml";
pub const TRANSCRIPT_FILE: &str = "transcript.txt";

/// Where a claim's file lives.
pub fn claim_path(episode: &EpisodeId, id: &ClaimId) -> String {
    format!("{CLAIMS_DIR}/{episode}/{id}.toml")
}

pub fn episode_path(episode: &EpisodeId) -> String {
    format!("{CLAIMS_DIR}/{episode}/{EPISODE_FILE}")
}

pub fn transcript_path(episode: &EpisodeId, file: &str) -> String {
    format!("{CLAIMS_DIR}/{episode}/{file}")
}

pub fn correction_path(id: &CorrectionId) -> String {
    format!("{CORRECTIONS_DIR}/{id}.toml")
}

/// The largest record errata reads or writes. A real one, with a long note and
/// a dozen sources, is a few kilobytes; a larger file is refused unread, so a
/// hostile repository cannot make a run take unbounded memory or time.
pub const MAX_RECORD_BYTES: u64 = 1 << 20;

/// The largest transcript: a three-hour show is about 200 KB of text, and a
/// 100,000-line transcript about 6 MB, which every search handles in linear time.
pub const MAX_TRANSCRIPT_BYTES: u64 = 32 << 20;

/// How large a file errata writes or reads at `rel` may be: a record's limit,
/// else a transcript's.
pub fn size_limit(rel: &str) -> u64 {
    if is_record_path(rel) {
        MAX_RECORD_BYTES
    } else {
        MAX_TRANSCRIPT_BYTES
    }
}

/// Why a file over its limit is refused, in the words a user reads.
pub fn too_large(rel: &str, size: u64) -> String {
    let (what, limit, fix) = if is_record_path(rel) {
        (
            "a record",
            "1 MiB",
            "shorten its text; a long document belongs at a source's address",
        )
    } else {
        ("a transcript", "32 MiB", "split the episode's transcript")
    };
    format!(
        "{rel} is {:.1} MiB, and {what} may be at most {limit} (a limit that keeps every run bounded in memory and time): {fix}",
        size as f64 / f64::from(1u32 << 20)
    )
}

/// What kind of record a path (relative, `/`-separated) holds, by where it is
/// in the layout: the one place that reads a path so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RecordKind {
    Claim,
    Episode,
    Correction,
    Settings,
}

impl RecordKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Claim => "claim",
            RecordKind::Episode => "episode",
            RecordKind::Correction => "correction",
            RecordKind::Settings => "settings",
        }
    }
}

impl std::fmt::Display for RecordKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A record named by its ids alone: what a user's id or prefix resolves to
/// before anything is read, and where that record's file lives.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RecordRef {
    Claim { episode: EpisodeId, id: ClaimId },
    Correction(CorrectionId),
    Episode(EpisodeId),
}

impl RecordRef {
    pub fn kind(&self) -> RecordKind {
        match self {
            RecordRef::Claim { .. } => RecordKind::Claim,
            RecordRef::Correction(_) => RecordKind::Correction,
            RecordRef::Episode(_) => RecordKind::Episode,
        }
    }

    /// The id a user types for it.
    pub fn id(&self) -> &str {
        match self {
            RecordRef::Claim { id, .. } => id.as_str(),
            RecordRef::Correction(id) => id.as_str(),
            RecordRef::Episode(id) => id.as_str(),
        }
    }

    pub fn path(&self) -> String {
        match self {
            RecordRef::Claim { episode, id } => claim_path(episode, id),
            RecordRef::Correction(id) => correction_path(id),
            RecordRef::Episode(id) => episode_path(id),
        }
    }

    /// The record a path names, when the path is where a claim, correction or
    /// episode file lives and its ids are valid.
    pub fn from_path(path: &str) -> Option<RecordRef> {
        let stem = |p: &str| {
            p.rsplit('/')
                .next()?
                .strip_suffix(".toml")
                .map(str::to_owned)
        };
        match record_kind(path)? {
            RecordKind::Correction => {
                let rest = path.strip_prefix(CORRECTIONS_DIR)?.strip_prefix('/')?;
                if rest.contains('/') {
                    return None;
                }
                CorrectionId::new(&stem(rest)?)
                    .ok()
                    .map(RecordRef::Correction)
            }
            RecordKind::Episode | RecordKind::Claim => {
                let rest = path.strip_prefix(CLAIMS_DIR)?.strip_prefix('/')?;
                let (episode, file) = rest.split_once('/')?;
                if file.contains('/') {
                    return None;
                }
                let episode = EpisodeId::new(episode).ok()?;
                if file == EPISODE_FILE {
                    Some(RecordRef::Episode(episode))
                } else {
                    let id = ClaimId::new(&stem(file)?).ok()?;
                    Some(RecordRef::Claim { episode, id })
                }
            }
            RecordKind::Settings => None,
        }
    }
}

/// The kind of record at `path`, or `None` where no record lives (a
/// transcript, any other file).
pub fn record_kind(path: &str) -> Option<RecordKind> {
    let under = |dir: &str| path.strip_prefix(dir).and_then(|r| r.strip_prefix('/'));
    if path == SETTINGS_FILE {
        Some(RecordKind::Settings)
    } else if under(CORRECTIONS_DIR).is_some_and(|r| r.ends_with(".toml")) {
        Some(RecordKind::Correction)
    } else if let Some(rest) = under(CLAIMS_DIR) {
        if rest.ends_with(&format!("/{EPISODE_FILE}")) {
            Some(RecordKind::Episode)
        } else if rest.ends_with(".toml") {
            Some(RecordKind::Claim)
        } else {
            None
        }
    } else {
        None
    }
}

/// Whether a record lives at `path`.
pub fn is_record_path(path: &str) -> bool {
    record_kind(path).is_some()
}

/// The first part of `rel` (relative to `root`, `/`-separated), from the top
/// down, that is a symbolic link: the one rule for every path errata reads a
/// record or transcript from or writes one to. A path through a link could
/// lead anywhere outside the repository. Parts that do not exist (a file about
/// to be made) are not links.
pub fn symbolic_link_in(root: &Path, rel: &str) -> Option<String> {
    let mut at = root.to_path_buf();
    let mut end = 0;
    for part in rel.split('/') {
        end += part.len();
        at.push(part);
        match std::fs::symlink_metadata(&at) {
            Ok(meta) if meta.file_type().is_symlink() => return Some(rel[..end].to_owned()),
            Ok(_) => end += 1,
            Err(_) => return None,
        }
    }
    None
}

/// The episode folders under `claims/` whose names are valid ids, from the
/// folder listing alone. A linked `claims/` or episode folder holds none.
pub fn episode_folders(root: &Path) -> Vec<EpisodeId> {
    let mut folders = episode_folders_as_listed(root);
    folders.sort_unstable();
    folders
}

/// [`episode_folders`] in the order the file system lists them, for a caller
/// that keeps a few of a thousand and need not sort the rest.
fn episode_folders_as_listed(root: &Path) -> Vec<EpisodeId> {
    if symbolic_link_in(root, CLAIMS_DIR).is_some() {
        return Vec::new();
    }
    list_dir(&root.join(CLAIMS_DIR))
        .into_iter()
        .filter(|e| e.is_dir)
        .filter_map(|e| EpisodeId::new(&e.name).ok())
        .collect()
}

impl Store {
    /// The episodes that have a claim file named for `id`, found by looking for
    /// that one file in each episode folder.
    pub fn episodes_with_claim(&self, id: &ClaimId) -> Vec<EpisodeId> {
        let name = format!("{id}.toml");
        // `episode.toml` is each folder's episode file, never a claim's.
        if name == EPISODE_FILE {
            return Vec::new();
        }
        let claims = Folder::open(&self.root().join(CLAIMS_DIR));
        // On threads: a look-up that finds nothing is the kernel's work, about a
        // third of `show`'s time over 500 episodes.
        let mut found: Vec<EpisodeId> = episode_folders_as_listed(self.root())
            .into_par_iter()
            .with_min_len(64)
            .filter(|ep| claims.is_file(&format!("{ep}/{name}")))
            .collect();
        found.sort_unstable();
        found
    }

    /// Every claim, correction and episode file, from file names alone (no
    /// record is read), for finding a record by id or prefix cheaply.
    pub fn record_files(&self) -> Vec<RecordRef> {
        let mut out: Vec<RecordRef> = self
            .claim_files()
            .into_iter()
            .map(|(episode, id)| RecordRef::Claim { episode, id })
            .collect();
        out.extend(
            episode_folders(self.root())
                .into_iter()
                .filter(|ep| self.root().join(episode_path(ep)).is_file())
                .map(RecordRef::Episode),
        );
        out.extend(
            read_dir_names(&self.root().join(CORRECTIONS_DIR))
                .into_iter()
                .filter_map(|e| CorrectionId::new(e.record_stem()?).ok())
                .map(RecordRef::Correction),
        );
        out
    }

    /// Every claim file's episode and id, from file names alone (no record is
    /// read), for finding a claim's path cheaply.
    pub fn claim_files(&self) -> Vec<(EpisodeId, ClaimId)> {
        let claims = self.root().join(CLAIMS_DIR);
        episode_folders(self.root())
            .into_par_iter()
            .flat_map_iter(|episode| {
                read_dir_names(&claims.join(episode.as_str()))
                    .into_iter()
                    .filter(|e| e.name != EPISODE_FILE)
                    .filter_map(|e| ClaimId::new(e.record_stem()?).ok())
                    .map(move |id| (episode.clone(), id))
            })
            .collect()
    }
}

/// A file that should hold a record, with what its place in the layout says.
pub(super) struct RecordFile {
    pub(super) rel: String,
    pub(super) kind: Kind,
    /// Taken while listing the folder, relative to it, as git's own scan does.
    pub(super) stamp: Option<Stamp>,
}

/// What a file's place in the layout says it is; its ids come from its path
/// ([`RecordFile::stem`], [`RecordFile::episode`]) only when it is parsed, so
/// listing 100,000 files allocates nothing more than their paths.
pub(super) enum Kind {
    Claim,
    Episode,
    Correction,
}

impl RecordFile {
    /// The file name without `.toml`.
    pub(super) fn stem(&self) -> &str {
        let name = self.rel.rsplit('/').next().unwrap_or_default();
        name.strip_suffix(".toml").unwrap_or(name)
    }

    /// The episode whose folder holds the file (`claims/<episode>/<id>.toml`).
    pub(super) fn episode(&self) -> Option<EpisodeId> {
        EpisodeId::new(self.rel.rsplit('/').nth(1)?).ok()
    }
}

/// A folder entry as listed: its type is the entry's own (a link is a link,
/// whatever it points to).
#[derive(PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Name {
    pub(super) name: String,
    pub(super) is_dir: bool,
    pub(super) is_link: bool,
}

impl Name {
    /// The id part of a record file's name (`x` of `x.toml`), if this entry
    /// is one: a `.toml` name that is neither a folder nor a link. Every
    /// listing of records asks this of each entry, so all agree on what a
    /// record file is.
    pub(super) fn record_stem(&self) -> Option<&str> {
        if self.is_dir || self.is_link {
            return None;
        }
        self.name.strip_suffix(".toml")
    }

    /// Whether this is a link where a record file would be: a problem to
    /// report, never a file to read.
    pub(super) fn is_linked_record(&self) -> bool {
        self.is_link && self.name.ends_with(".toml")
    }
}

/// How the paths of two folders' files compare: as `a/` and `b/`, which is
/// not always as `a` and `b` (`ep-1-2/` sorts before `ep-1/`).
fn as_folders(a: &str, b: &str) -> std::cmp::Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.iter().chain(b"/").cmp(b.iter().chain(b"/"))
}

/// The entries of a folder, sorted by name.
pub(super) fn read_dir_names(dir: &Path) -> Vec<Name> {
    let mut names = list_dir(dir);
    // Names in one folder are distinct, so an unstable sort orders them as a stable one.
    names.sort_unstable();
    names
}

/// The entries of a folder in the order the file system lists them.
fn list_dir(dir: &Path) -> Vec<Name> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    rd.filter_map(Result::ok)
        .filter_map(|e| {
            let kind = e.file_type().ok()?;
            Some(Name {
                name: e.file_name().into_string().ok()?,
                is_dir: kind.is_dir(),
                is_link: kind.is_symlink(),
            })
        })
        .collect()
}

/// A folder's record files, each with its stamp, and its linked ones.
pub(super) type TomlFiles = (Vec<(String, Option<Stamp>)>, Vec<String>);

/// The `.toml` files of a folder with their stamps, and those that are links
/// (to report, never to read). The metadata of a directory entry is read
/// relative to the open folder (fstatat on Linux), which spares resolving the
/// whole path again for each of 100,000 files.
pub(super) fn read_toml_files(dir: &Path) -> TomlFiles {
    #[cfg(target_os = "linux")]
    if let Some(listed) = read_toml_files_at(dir) {
        return listed;
    }
    read_toml_files_portable(dir)
}

/// [`read_toml_files`] through the standard library, on every system.
fn read_toml_files_portable(dir: &Path) -> TomlFiles {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Default::default();
    };
    let mut links = Vec::new();
    let files = rd
        .filter_map(Result::ok)
        .filter_map(|e| {
            let kind = e.file_type().ok()?;
            let entry = Name {
                name: e.file_name().into_string().ok()?,
                is_dir: kind.is_dir(),
                is_link: kind.is_symlink(),
            };
            if entry.is_linked_record() {
                links.push(entry.name);
                return None;
            }
            entry.record_stem()?;
            let stamp = e.metadata().ok().map(|m| Stamp::from_metadata(&m));
            Some((entry.name, stamp))
        })
        .collect();
    (files, links)
}

/// [`read_toml_files`] as git's own scan does it: the entries read straight
/// from the open folder, and only `.toml` names looked at, each with one
/// `fstatat` relative to it (the same call as git's `lstat`, with less to
/// fill in than the `statx` behind `DirEntry::metadata`), whose mode also
/// says what the entry is. No name but a record's is copied. `None` when the
/// folder cannot be read this way, to fall back to the standard library.
#[cfg(target_os = "linux")]
fn read_toml_files_at(dir: &Path) -> Option<TomlFiles> {
    use rustix::fs::{AtFlags, FileType, Mode, OFlags};
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
    let fd = match rustix::fs::open(dir, flags, Mode::empty()) {
        Ok(fd) => fd,
        // Not there, or not a folder: nothing in it, as `read_dir` would say.
        Err(_) => return Some(Default::default()),
    };
    // Read through a duplicate of the folder's descriptor: `Dir::read_from`
    // would open `.` again, which a folder that may be listed but not
    // searched refuses.
    let mut entries = rustix::fs::Dir::new(fd.try_clone().ok()?).ok()?;
    let (mut files, mut links) = (Vec::new(), Vec::new());
    while let Some(entry) = entries.read() {
        let Ok(entry) = entry else { break };
        let Ok(name) = entry.file_name().to_str() else {
            continue;
        };
        if !name.ends_with(".toml") {
            continue;
        }
        // A file whose metadata cannot be read is still listed, as the
        // portable listing lists it: typed by its entry, with no stamp, so
        // reading it reports the cause rather than the record going missing.
        let st = rustix::fs::statat(&fd, entry.file_name(), AtFlags::SYMLINK_NOFOLLOW).ok();
        let kind = st.as_ref().map_or_else(
            || entry.file_type(),
            |st| FileType::from_raw_mode(st.st_mode),
        );
        let entry = Name {
            name: name.to_owned(),
            is_dir: kind == FileType::Directory,
            is_link: kind == FileType::Symlink,
        };
        if entry.is_linked_record() {
            links.push(entry.name);
        } else if entry.record_stem().is_some() {
            files.push((entry.name, st.as_ref().map(Stamp::from_stat)));
        }
    }
    Some((files, links))
}

pub(super) fn list_record_files<C>(root: &Path, snap: &mut Snapshot<C>) -> Vec<RecordFile> {
    let mut out = Vec::new();
    let mut episode_dirs: Vec<Name> = Vec::new();
    match symbolic_link_in(root, CLAIMS_DIR) {
        Some(link) => snap.problems.push(Problem::symbolic_link(&link)),
        None => episode_dirs = list_dir(&root.join(CLAIMS_DIR)),
    }
    // The files come out sorted by path, folder after folder, so the caller's
    // sort finds them in order.
    episode_dirs.sort_unstable_by(|a, b| as_folders(&a.name, &b.name));
    for e in episode_dirs.iter().filter(|e| e.is_link) {
        snap.problems
            .push(Problem::symbolic_link(&format!("{CLAIMS_DIR}/{}", e.name)));
    }
    for name in episode_dirs
        .iter()
        .filter(|e| e.record_stem().is_some())
        .map(|e| &e.name)
    {
        snap.problems.push(Problem::new(
            &format!("{CLAIMS_DIR}/{name}"),
            Location::File,
            "a claim must be in its episode's folder: move it to claims/<episode>/",
        ));
    }
    type Listed = (Vec<RecordFile>, Vec<Problem>, Option<EpisodeId>);
    let per_episode: Vec<Listed> = episode_dirs
        .into_par_iter()
        .filter(|e| e.is_dir && !e.name.starts_with('.'))
        .map(|Name { name, .. }| {
            let rel_dir = format!("{CLAIMS_DIR}/{name}");
            let episode = match EpisodeId::new(&name) {
                Ok(id) => id,
                Err(e) => {
                    return (
                        Vec::new(),
                        vec![Problem::new(
                            &rel_dir,
                            Location::File,
                            format!("episode folder name is not a valid id: {e}"),
                        )],
                        None,
                    );
                }
            };
            let mut files = Vec::new();
            let mut has_episode = false;
            let (mut toml, links) = read_toml_files(&root.join(&rel_dir));
            toml.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            let problems: Vec<Problem> = links
                .iter()
                .map(|l| Problem::symbolic_link(&format!("{rel_dir}/{l}")))
                .collect();
            // A linked episode file still makes the folder an episode's.
            has_episode |= links.iter().any(|l| l == EPISODE_FILE);
            for (file, stamp) in toml {
                // Joined by hand: `format!` here was 7% of a warm `list`'s
                // instructions over 100,000 claims.
                let mut rel = String::with_capacity(rel_dir.len() + 1 + file.len());
                rel.push_str(&rel_dir);
                rel.push('/');
                rel.push_str(&file);
                let kind = if file == EPISODE_FILE {
                    has_episode = true;
                    Kind::Episode
                } else {
                    Kind::Claim
                };
                files.push(RecordFile { rel, kind, stamp });
            }
            let orphan = (!has_episode).then_some(episode);
            (files, problems, orphan)
        })
        .collect();
    out.reserve(per_episode.iter().map(|(f, _, _)| f.len()).sum());
    for (files, problem, orphan) in per_episode {
        out.extend(files);
        snap.problems.extend(problem);
        snap.orphan_folders.extend(orphan);
    }
    let (corrections, links) = match symbolic_link_in(root, CORRECTIONS_DIR) {
        Some(link) => (Vec::new(), vec![link]),
        None => {
            let (mut files, links) = read_toml_files(&root.join(CORRECTIONS_DIR));
            files.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            let links = links
                .into_iter()
                .map(|l| format!("{CORRECTIONS_DIR}/{l}"))
                .collect();
            (files, links)
        }
    };
    snap.problems
        .extend(links.iter().map(|l| Problem::symbolic_link(l)));
    for (file, stamp) in corrections {
        out.push(RecordFile {
            rel: format!("{CORRECTIONS_DIR}/{file}"),
            kind: Kind::Correction,
            stamp,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_compare_as_the_paths_of_their_files() {
        use std::cmp::Ordering::*;
        assert_eq!(as_folders("ep-1-2", "ep-1"), Less, "`-` sorts before `/`");
        assert_eq!(as_folders("ep-1", "ep-10"), Less);
        assert_eq!(as_folders("ep-1", "ep-1"), Equal);
        let mut names = ["ep-1", "ep-1-2", "ep-10", "ep-0"];
        names.sort_by(|a, b| as_folders(a, b));
        let mut paths: Vec<String> = names.iter().map(|n| format!("claims/{n}/x.toml")).collect();
        let listed = paths.clone();
        paths.sort();
        assert_eq!(listed, paths);
    }

    /// The Linux listing and the portable one must agree entry for entry and
    /// stamp for stamp: the record cache written by one is read by the other.
    #[cfg(target_os = "linux")]
    #[test]
    fn listing_at_the_folder_agrees_with_the_standard_library() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("nvidia-gross-margin.toml"), "id = 1\n").unwrap();
        std::fs::write(d.join("台積電-2奈米.toml"), "").unwrap();
        std::fs::write(d.join("notes.txt"), "").unwrap();
        std::fs::create_dir(d.join("folder.toml")).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", d.join("linked.toml")).unwrap();
        std::os::unix::fs::symlink("missing", d.join("dangling.toml")).unwrap();
        let not_utf8 = std::ffi::OsStr::from_bytes(b"\xff\xfe.toml");
        std::fs::write(d.join(not_utf8), "").unwrap();

        let sorted = |(mut files, mut links): TomlFiles| {
            files.sort_by(|a, b| a.0.cmp(&b.0));
            links.sort();
            (files, links)
        };
        let at = sorted(read_toml_files_at(d).unwrap());
        let (files, links) = &at;
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["nvidia-gross-margin.toml", "台積電-2奈米.toml"]);
        assert_eq!(links, &["dangling.toml", "linked.toml"]);
        for (name, stamp) in files {
            assert_eq!(*stamp, Stamp::of(&d.join(name)), "{name}");
        }

        assert_eq!(at, sorted(read_toml_files_portable(d)));
        assert_eq!(
            read_toml_files_at(&d.join("absent")),
            Some(Default::default())
        );
    }

    /// A record whose metadata cannot be read (a folder that may be listed but
    /// not searched) is still listed, with no stamp, by both listings: reading
    /// it then reports why. Root reads any folder, so this runs as a user.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_record_that_cannot_be_stamped_is_still_listed() {
        use std::os::unix::fs::PermissionsExt;
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } == 0 {
            eprintln!("skipped: root may stat in a folder it cannot search");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join("ep");
        std::fs::create_dir(&d).unwrap();
        std::fs::write(d.join("nvidia-gross-margin.toml"), "").unwrap();
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o600)).unwrap();
        let at = read_toml_files_at(&d).unwrap();
        let portable = read_toml_files_portable(&d);
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o700)).unwrap();
        assert_eq!(at.0, [("nvidia-gross-margin.toml".to_owned(), None)]);
        assert_eq!(at, portable);
    }
}
