//! Where each kind of record lives in a fact-check repository, and listing the
//! files that should hold records without reading them. Uses only `model` (ids)
//! and `diagnostic` (a misplaced file is a problem).

use std::path::Path;

use rayon::prelude::*;

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

/// The episode folders under `claims/` whose names are valid ids, from the
/// folder listing alone.
pub fn episode_folders(root: &Path) -> Vec<EpisodeId> {
    read_dir_names(&root.join(CLAIMS_DIR))
        .into_iter()
        .filter(|(_, is_dir)| *is_dir)
        .filter_map(|(name, _)| EpisodeId::new(&name).ok())
        .collect()
}

impl Store {
    /// The episodes that have a claim file named for `id`, found by looking for
    /// that one file in each episode folder.
    pub fn episodes_with_claim(&self, id: &ClaimId) -> Vec<EpisodeId> {
        let claims = self.root().join(CLAIMS_DIR);
        episode_folders(self.root())
            .into_iter()
            .filter(|ep| {
                claims
                    .join(ep.as_str())
                    .join(format!("{id}.toml"))
                    .is_file()
            })
            .collect()
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
                .filter(|(_, is_dir)| !is_dir)
                .filter_map(|(name, _)| CorrectionId::new(name.strip_suffix(".toml")?).ok())
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
                    .filter(|(name, is_dir)| !is_dir && name != EPISODE_FILE)
                    .filter_map(|(name, _)| ClaimId::new(name.strip_suffix(".toml")?).ok())
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

fn read_dir_names(dir: &Path) -> Vec<(String, bool)> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<(String, bool)> = rd
        .filter_map(Result::ok)
        .filter_map(|e| {
            let is_dir = e.file_type().ok()?.is_dir();
            Some((e.file_name().into_string().ok()?, is_dir))
        })
        .collect();
    names.sort();
    names
}

/// The `.toml` files of a folder with their stamps. The metadata of a directory
/// entry is read relative to the open folder (fstatat on Linux), which spares
/// resolving the whole path again for each of 100,000 files.
fn read_toml_files(dir: &Path) -> Vec<(String, Option<Stamp>)> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    rd.filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            if !name.ends_with(".toml") || e.file_type().ok()?.is_dir() {
                return None;
            }
            let stamp = e.metadata().ok().map(|m| Stamp::from_metadata(&m));
            Some((name, stamp))
        })
        .collect()
}

pub(super) fn list_record_files<C>(root: &Path, snap: &mut Snapshot<C>) -> Vec<RecordFile> {
    let mut out = Vec::new();
    let episode_dirs: Vec<(String, bool)> = read_dir_names(&root.join(CLAIMS_DIR));
    for (name, _) in episode_dirs
        .iter()
        .filter(|(name, is_dir)| !is_dir && name.ends_with(".toml"))
    {
        snap.problems.push(Problem::new(
            &format!("{CLAIMS_DIR}/{name}"),
            Location::File,
            "a claim must be in its episode's folder: move it to claims/<episode>/",
        ));
    }
    let per_episode: Vec<(Vec<RecordFile>, Option<Problem>, Option<EpisodeId>)> = episode_dirs
        .into_par_iter()
        .filter(|(name, is_dir)| *is_dir && !name.starts_with('.'))
        .map(|(name, _)| {
            let rel_dir = format!("{CLAIMS_DIR}/{name}");
            let episode = match EpisodeId::new(&name) {
                Ok(id) => id,
                Err(e) => {
                    return (
                        Vec::new(),
                        Some(Problem::new(
                            &rel_dir,
                            Location::File,
                            format!("episode folder name is not a valid id: {e}"),
                        )),
                        None,
                    );
                }
            };
            let mut files = Vec::new();
            let mut has_episode = false;
            for (file, stamp) in read_toml_files(&root.join(&rel_dir)) {
                let rel = format!("{rel_dir}/{file}");
                let kind = if file == EPISODE_FILE {
                    has_episode = true;
                    Kind::Episode
                } else {
                    Kind::Claim
                };
                files.push(RecordFile { rel, kind, stamp });
            }
            let orphan = (!has_episode).then_some(episode);
            (files, None, orphan)
        })
        .collect();
    out.reserve(per_episode.iter().map(|(f, _, _)| f.len()).sum());
    for (files, problem, orphan) in per_episode {
        out.extend(files);
        snap.problems.extend(problem);
        snap.orphan_folders.extend(orphan);
    }
    for (file, stamp) in read_toml_files(&root.join(CORRECTIONS_DIR)) {
        out.push(RecordFile {
            rel: format!("{CORRECTIONS_DIR}/{file}"),
            kind: Kind::Correction,
            stamp,
        });
    }
    out
}
