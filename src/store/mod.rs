//! The fact-check repository on disk: where records live, how they are read, and
//! how a change reaches the working tree and history together.
//!
//! Reading never stops at a bad record: each file is parsed on its own, and what
//! cannot be read becomes a [`Problem`] beside the records that could. Parsed
//! records are cached under `.git/errata/`, keyed on file metadata as git's index
//! is, so a run on an unchanged repository re-reads nothing but the cache.

pub mod cache;
pub mod write;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::diagnostic::{Location, Problem};
use crate::git::{Change, CommitId, GitError, PathState, Repo};
use crate::model::{
    Claim, ClaimError, ClaimFile, ClaimId, ClaimSummary, Correction, CorrectionFile, CorrectionId,
    Episode, EpisodeFile, EpisodeId, Settings, State, Timestamp,
};
use crate::transcript::Transcript;

pub use cache::Stamp;

pub const SETTINGS_FILE: &str = "errata.toml";
pub const CLAIMS_DIR: &str = "claims";
pub const CORRECTIONS_DIR: &str = "corrections";
pub const EPISODE_FILE: &str = "episode.toml";
pub const TRANSCRIPT_FILE: &str = "transcript.txt";

/// Errors of the store, each with what the user can do about it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Git(#[from] GitError),
    #[error(
        "{path} has uncommitted changes; commit them with git (or discard them) and run the command again"
    )]
    Uncommitted { path: String },
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    BadFile { path: String, message: String },
}

/// A file of the repository as parsed.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Parsed<C = Claim> {
    Claim(C),
    Episode(Episode),
    Correction(Correction),
    /// A file that is not a record errata can use; the problem says why.
    Bad(Problem),
}

/// A claim as a snapshot holds it: whole ([`Claim`]), or as the
/// [`ClaimSummary`] that lists and checks across records need, which a warm run
/// over 100,000 claims reads in a fraction of the time and memory.
pub trait ClaimRecord: Send + Sync + serde::Serialize + serde::de::DeserializeOwned {
    /// The cache file that holds records of this kind.
    const CACHE: &'static str;
    fn from_claim(c: Claim) -> Self;
    fn id(&self) -> &ClaimId;
    fn episode(&self) -> &EpisodeId;
    fn state(&self) -> State;
    fn said_at(&self) -> Option<Timestamp>;
    fn tags(&self) -> &[String];
    /// The words to show for the claim in one line.
    fn headline(&self) -> &str;
}

impl ClaimRecord for Claim {
    const CACHE: &'static str = "records.cache";
    fn from_claim(c: Claim) -> Self {
        c
    }
    fn id(&self) -> &ClaimId {
        &self.id
    }
    fn episode(&self) -> &EpisodeId {
        &self.episode
    }
    fn state(&self) -> State {
        self.state
    }
    fn said_at(&self) -> Option<Timestamp> {
        self.said_at
    }
    fn tags(&self) -> &[String] {
        &self.tags
    }
    fn headline(&self) -> &str {
        Claim::headline(self)
    }
}

impl ClaimRecord for ClaimSummary {
    const CACHE: &'static str = "summaries.cache";
    fn from_claim(c: Claim) -> Self {
        ClaimSummary::from(c)
    }
    fn id(&self) -> &ClaimId {
        &self.id
    }
    fn episode(&self) -> &EpisodeId {
        &self.episode
    }
    fn state(&self) -> State {
        self.state
    }
    fn said_at(&self) -> Option<Timestamp> {
        self.said_at
    }
    fn tags(&self) -> &[String] {
        &self.tags
    }
    fn headline(&self) -> &str {
        &self.headline
    }
}

/// Checks of a freshly parsed claim, run while it is parsed (for `validate`, so
/// a cold run reads each file once).
pub type Checker<'a> = &'a (dyn Fn(&Claim) -> Checks + Sync);

/// Everything read from the working tree in one pass.
#[derive(Debug)]
pub struct Snapshot<C = Claim> {
    pub settings: Option<Settings>,
    /// By id.
    pub episodes: BTreeMap<EpisodeId, Episode>,
    /// Ordered by episode, then by where in the episode, then by id.
    pub claims: Vec<C>,
    /// Ordered by id.
    pub corrections: Vec<Correction>,
    /// Files that could not be read as records.
    pub problems: Vec<Problem>,
    /// Episode folders that have no `episode.toml`.
    pub orphan_folders: Vec<EpisodeId>,
    /// How many record files this load parsed rather than took from the cache.
    pub parsed: usize,
    memo: Memo,
    /// For each claim, its file's place in `memo.files`.
    claim_files: Vec<usize>,
}

impl<C> Default for Snapshot<C> {
    fn default() -> Self {
        Snapshot {
            settings: None,
            episodes: BTreeMap::new(),
            claims: Vec::new(),
            corrections: Vec::new(),
            problems: Vec::new(),
            orphan_folders: Vec::new(),
            parsed: 0,
            memo: Memo::default(),
            claim_files: Vec::new(),
        }
    }
}

/// What the cache needs to be written back: each file's stamp and the checks
/// remembered for it (sorted by path), and which problems stand for whole files.
#[derive(Debug, Default)]
struct Memo {
    started_ns: i64,
    files: Vec<FileMeta>,
    bad: Vec<usize>,
    dirty: bool,
}

#[derive(Debug)]
struct FileMeta {
    path: String,
    stamp: Stamp,
    checks: Option<Checks>,
}

impl Memo {
    fn get(&self, path: &str) -> Option<&FileMeta> {
        self.files
            .binary_search_by(|f| f.path.as_str().cmp(path))
            .ok()
            .map(|i| &self.files[i])
    }
}

/// Problems found in one file by checks that depend on it and on one other
/// thing (its episode's transcript, say), remembered while both stay the same.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Checks {
    /// Identifies what besides the file the checks depended on.
    pub context: u64,
    pub problems: Vec<Problem>,
}

impl<C: ClaimRecord> Snapshot<C> {
    /// The problems remembered for a file, if it and `context` have not changed.
    pub fn remembered_checks(&self, path: &str, context: u64) -> Option<&[Problem]> {
        self.memo
            .get(path)
            .and_then(|f| f.checks.as_ref())
            .filter(|c| c.context == context)
            .map(|c| c.problems.as_slice())
    }

    /// Remember checks for files; [`Store::save_checks`] makes them last.
    pub fn remember_checks(&mut self, checks: impl IntoIterator<Item = (String, Checks)>) {
        for (path, c) in checks {
            if let Ok(i) = self
                .memo
                .files
                .binary_search_by(|f| f.path.as_str().cmp(&path))
            {
                self.memo.files[i].checks = Some(c);
                self.memo.dirty = true;
            }
        }
    }

    /// The problems remembered for the `i`th claim, if it and `context` have not
    /// changed: [`Snapshot::remembered_checks`] without building its path.
    pub fn remembered_claim_checks(&self, i: usize, context: u64) -> Option<&[Problem]> {
        self.claim_files
            .get(i)
            .and_then(|&f| self.memo.files.get(f))
            .and_then(|f| f.checks.as_ref())
            .filter(|c| c.context == context)
            .map(|c| c.problems.as_slice())
    }

    /// Claims named by at least one correction, with the corrections naming them.
    pub fn corrections_by_claim(&self) -> HashMap<&ClaimId, Vec<&Correction>> {
        let mut map: HashMap<&ClaimId, Vec<&Correction>> = HashMap::new();
        for c in &self.corrections {
            for id in &c.claims {
                map.entry(id).or_default().push(c);
            }
        }
        map
    }

    /// Claims owed a correction: checked as misleading or inaccurate, and named
    /// by no correction yet.
    pub fn owed(&self) -> Vec<&C> {
        let corrected = self.corrections_by_claim();
        self.claims
            .iter()
            .filter(|c| c.state().is_owed() && !corrected.contains_key(c.id()))
            .collect()
    }
}

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

/// A fact-check repository: a git repository with errata's layout.
pub struct Store {
    repo: Repo,
}

impl Store {
    /// Open the repository at `path`, or the one holding the current folder.
    pub fn discover(path: &Path) -> Result<Store, StoreError> {
        Ok(Store {
            repo: Repo::discover(path)?,
        })
    }

    pub fn from_repo(repo: Repo) -> Store {
        Store { repo }
    }

    pub fn root(&self) -> &Path {
        self.repo.workdir()
    }

    pub fn repo(&self) -> &Repo {
        &self.repo
    }

    /// Whether `errata init` has run here.
    pub fn is_initialised(&self) -> bool {
        self.root().join(SETTINGS_FILE).is_file()
    }

    fn cache_path(&self, file: &str) -> PathBuf {
        self.repo.git_dir().join("errata").join(file)
    }

    /// Read every record whole, from the cache where a file has not changed.
    pub fn load(&self) -> Snapshot {
        self.load_as(None)
    }

    /// Read every record, claims as summaries: what `list` and the checks across
    /// records need. `check`, when given, runs on each claim parsed afresh and its
    /// result is remembered with the claim (see [`Snapshot::remembered_checks`]).
    pub fn load_summaries(&self, check: Option<Checker<'_>>) -> Snapshot<ClaimSummary> {
        self.load_as(check)
    }

    fn load_as<C: ClaimRecord>(&self, check: Option<Checker<'_>>) -> Snapshot<C> {
        let root = self.root();
        let mut snap: Snapshot<C> = Snapshot::default();
        if let Ok(bytes) = std::fs::read(root.join(SETTINGS_FILE)) {
            match parse_toml::<Settings>(SETTINGS_FILE, &bytes) {
                Ok(s) => snap.settings = Some(s),
                Err(p) => snap.problems.push(p),
            }
        }

        let mut files = list_record_files(root, &mut snap);
        files.par_sort_unstable_by(|a, b| a.rel.cmp(&b.rel));
        let mut old = cache::Cache::<C>::read(&self.cache_path(C::CACHE));
        snap.memo.started_ns = cache::now_ns();
        enum Found<C> {
            Cached(usize),
            Fresh(Box<(Parsed<C>, Stamp, Option<Checks>)>),
        }
        let fresh_parse = |f: &RecordFile| -> (Parsed<C>, Option<Checks>) {
            let parsed = match std::fs::read(root.join(&f.rel)) {
                Ok(bytes) => parse_record(f, &bytes),
                Err(e) => Parsed::Bad(Problem::new(
                    &f.rel,
                    Location::File,
                    format!("cannot read: {e}"),
                )),
            };
            match parsed {
                Parsed::Claim(c) => {
                    let checks = check.map(|check| check(&c));
                    (Parsed::Claim(C::from_claim(c)), checks)
                }
                Parsed::Episode(e) => (Parsed::Episode(e), None),
                Parsed::Correction(c) => (Parsed::Correction(c), None),
                Parsed::Bad(p) => (Parsed::Bad(p), None),
            }
        };
        let positions = old.as_ref().map_or_else(Vec::new, |c| {
            c.positions(files.iter().map(|f| f.rel.as_str()))
        });
        let found: Vec<Found<C>> = files
            .par_iter()
            .enumerate()
            .map(|(n, f)| {
                let stamp = f.stamp;
                if let (Some(stamp), Some(old), Some(Some(i))) =
                    (stamp, old.as_ref(), positions.get(n))
                    && old.still(*i, &stamp)
                {
                    return Found::Cached(*i);
                }
                let (parsed, checks) = fresh_parse(f);
                Found::Fresh(Box::new((parsed, stamp.unwrap_or_default(), checks)))
            })
            .collect();

        let mut fresh = old.as_ref().is_none_or(|c| c.files() != files.len());
        // Growing these by doubling would copy and fault in ever larger blocks.
        snap.memo.files.reserve(files.len());
        snap.claims.reserve(files.len());
        for (f, found) in files.into_iter().zip(found) {
            let reparse = |f: &RecordFile| {
                let (parsed, checks) = fresh_parse(f);
                (
                    parsed,
                    Stamp::of(&root.join(&f.rel)).unwrap_or_default(),
                    checks,
                )
            };
            let cached = match found {
                Found::Cached(i) => old.as_mut().and_then(|c| c.take(i)),
                Found::Fresh(_) => None,
            };
            let (parsed, stamp, checks) = match (cached, found) {
                (Some(e), _) => (e.parsed, e.stamp, e.checks),
                (None, Found::Fresh(b)) => {
                    fresh = true;
                    snap.parsed += 1;
                    *b
                }
                // An entry is taken at most once (paths are unique); if not, re-read.
                (None, Found::Cached(_)) => {
                    fresh = true;
                    snap.parsed += 1;
                    reparse(&f)
                }
            };
            match parsed {
                Parsed::Claim(c) => {
                    snap.claims.push(c);
                    snap.claim_files.push(snap.memo.files.len());
                }
                Parsed::Episode(ep) => {
                    snap.episodes.insert(ep.id.clone(), ep);
                }
                Parsed::Correction(c) => snap.corrections.push(c),
                Parsed::Bad(p) => {
                    snap.memo.bad.push(snap.problems.len());
                    snap.problems.push(p);
                }
            }
            snap.memo.files.push(FileMeta {
                path: f.rel,
                stamp,
                checks,
            });
        }
        drop(old);
        let mut paired: Vec<(C, usize)> = std::mem::take(&mut snap.claims)
            .into_iter()
            .zip(std::mem::take(&mut snap.claim_files))
            .collect();
        paired.par_sort_unstable_by(|(a, _), (b, _)| {
            (a.episode(), a.said_at().map(|t| t.start()), a.id()).cmp(&(
                b.episode(),
                b.said_at().map(|t| t.start()),
                b.id(),
            ))
        });
        (snap.claims, snap.claim_files) = paired.into_iter().unzip();
        snap.corrections.sort_by(|a, b| a.id.cmp(&b.id));
        if fresh {
            if check.is_some() {
                // The caller adds checks of its own and saves once, at the end.
                snap.memo.dirty = true;
            } else {
                self.save_cache(&snap);
            }
        }
        snap
    }

    /// Keep checks remembered during this run for the next one.
    pub fn save_checks<C: ClaimRecord>(&self, snap: &Snapshot<C>) {
        if snap.memo.dirty {
            self.save_cache(snap);
        }
    }

    /// Write the cache from a snapshot. A cache that cannot be written only costs
    /// speed next time, so failures are ignored.
    pub fn save_cache<C: ClaimRecord>(&self, snap: &Snapshot<C>) {
        let memo = &snap.memo;
        let mut records: Vec<(String, cache::ParsedRef<'_, C>)> =
            Vec::with_capacity(memo.files.len());
        for c in &snap.claims {
            records.push((claim_path(c.episode(), c.id()), cache::ParsedRef::Claim(c)));
        }
        for ep in snap.episodes.values() {
            records.push((episode_path(&ep.id), cache::ParsedRef::Episode(ep)));
        }
        for c in &snap.corrections {
            records.push((correction_path(&c.id), cache::ParsedRef::Correction(c)));
        }
        for &i in &memo.bad {
            let p = &snap.problems[i];
            records.push((p.path.clone(), cache::ParsedRef::Bad(p)));
        }
        let rows = records
            .into_iter()
            .map(|(path, parsed)| {
                // Every record has a memo entry; one missing only means a miss next time.
                let (stamp, checks) = memo
                    .get(&path)
                    .map_or((Stamp::default(), None), |f| (f.stamp, f.checks.as_ref()));
                cache::Row {
                    path,
                    stamp,
                    parsed,
                    checks,
                }
            })
            .collect();
        let _ = cache::Cache::<C>::write(&self.cache_path(C::CACHE), memo.started_ns, rows);
    }

    /// The episodes that have a claim file named for `id`, found by looking for
    /// that one file in each episode folder.
    pub fn episodes_with_claim(&self, id: &ClaimId) -> Vec<EpisodeId> {
        let claims = self.root().join(CLAIMS_DIR);
        read_dir_names(&claims)
            .into_iter()
            .filter(|(_, is_dir)| *is_dir)
            .filter_map(|(name, _)| EpisodeId::new(&name).ok())
            .filter(|ep| {
                claims
                    .join(ep.as_str())
                    .join(format!("{id}.toml"))
                    .is_file()
            })
            .collect()
    }

    /// Every claim file's episode and id, from file names alone (no record is
    /// read), for finding a claim's path cheaply.
    pub fn claim_files(&self) -> Vec<(EpisodeId, ClaimId)> {
        let claims = self.root().join(CLAIMS_DIR);
        read_dir_names(&claims)
            .into_par_iter()
            .filter(|(_, is_dir)| *is_dir)
            .filter_map(|(name, _)| EpisodeId::new(&name).ok())
            .flat_map_iter(|episode| {
                read_dir_names(&claims.join(episode.as_str()))
                    .into_iter()
                    .filter(|(name, is_dir)| !is_dir && name != EPISODE_FILE)
                    .filter_map(|(name, _)| ClaimId::new(name.strip_suffix(".toml")?).ok())
                    .map(move |id| (episode.clone(), id))
            })
            .collect()
    }

    /// The transcript of an episode, if it has one.
    pub fn transcript(&self, episode: &Episode) -> Result<Option<Transcript>, StoreError> {
        read_transcript(self.root(), episode)
    }

    /// Read a file of the working tree that a command is about to change,
    /// refusing if it holds a hand edit that is not committed: the command's commit
    /// would otherwise sweep it in.
    pub fn read_for_change(&self, rel: &str) -> Result<String, StoreError> {
        self.ensure_clean(rel)?;
        std::fs::read_to_string(self.root().join(rel)).map_err(|source| StoreError::Read {
            path: rel.to_owned(),
            source,
        })
    }

    fn ensure_clean(&self, rel: &str) -> Result<(), StoreError> {
        match self.repo.path_state(rel)? {
            PathState::Clean => Ok(()),
            PathState::Changed => Err(StoreError::Uncommitted {
                path: rel.to_owned(),
            }),
        }
    }

    /// Write `changes` to the working tree and commit exactly those paths, in one
    /// step that either happens whole or leaves the working tree as it was.
    pub fn commit(&self, changes: &[Change], message: &str) -> Result<CommitId, StoreError> {
        for c in changes {
            self.ensure_clean(&c.path)?;
        }
        self.commit_reviewed(changes, message)
    }

    /// Like [`Store::commit`], for content the user has reviewed whole (in an
    /// editor): uncommitted hand edits in these files are part of what they saw
    /// and approved, so they are committed rather than refused.
    pub fn commit_reviewed(
        &self,
        changes: &[Change],
        message: &str,
    ) -> Result<CommitId, StoreError> {
        let prepared = self.repo.prepare_commit(changes, message)?;
        let root = self.root();
        let mut previous: Vec<(&Change, Option<Vec<u8>>)> = Vec::new();
        let restore = |previous: &[(&Change, Option<Vec<u8>>)]| {
            for (c, old) in previous.iter().rev() {
                let path = root.join(&c.path);
                let _ = match old {
                    Some(bytes) => write::atomic(&path, bytes),
                    None => std::fs::remove_file(&path),
                };
            }
        };
        for c in changes {
            let path = root.join(&c.path);
            let old = std::fs::read(&path).ok();
            let result = match &c.content {
                Some(bytes) => write::atomic(&path, bytes),
                None => match std::fs::remove_file(&path) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                    _ => Ok(()),
                },
            };
            previous.push((c, old));
            if let Err(source) = result {
                restore(&previous);
                return Err(StoreError::Write {
                    path: c.path.clone(),
                    source,
                });
            }
        }
        match self.repo.publish(&prepared) {
            Ok(id) => Ok(id),
            Err(e) => {
                restore(&previous);
                Err(e.into())
            }
        }
    }
}

/// The transcript of an episode in the working tree at `root`, if it has one.
pub fn read_transcript(root: &Path, episode: &Episode) -> Result<Option<Transcript>, StoreError> {
    let Some(file) = &episode.transcript else {
        return Ok(None);
    };
    let path = transcript_path(&episode.id, file);
    if file.is_empty() || file.contains(['/', '\\']) || file.starts_with('.') {
        return Err(StoreError::BadFile {
            path: episode_path(&episode.id),
            message: format!(
                "transcript = \"{file}\" must name a file inside the episode folder, like \"transcript.txt\""
            ),
        });
    }
    let text = std::fs::read_to_string(root.join(&path)).map_err(|source| StoreError::Read {
        path: path.clone(),
        source,
    })?;
    Transcript::parse(&text)
        .map(Some)
        .map_err(|e| StoreError::BadFile {
            path,
            message: e.to_string(),
        })
}

/// A file that should hold a record, with what its place in the layout says.
struct RecordFile {
    rel: String,
    kind: Kind,
    /// Taken while listing the folder, relative to it, as git's own scan does.
    stamp: Option<Stamp>,
}

/// What a file's place in the layout says it is; its ids come from its path
/// ([`RecordFile::stem`], [`RecordFile::episode`]) only when it is parsed, so
/// listing 100,000 files allocates nothing more than their paths.
enum Kind {
    Claim,
    Episode,
    Correction,
}

impl RecordFile {
    /// The file name without `.toml`.
    fn stem(&self) -> &str {
        let name = self.rel.rsplit('/').next().unwrap_or_default();
        name.strip_suffix(".toml").unwrap_or(name)
    }

    /// The episode whose folder holds the file (`claims/<episode>/<id>.toml`).
    fn episode(&self) -> Option<EpisodeId> {
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

fn list_record_files<C>(root: &Path, snap: &mut Snapshot<C>) -> Vec<RecordFile> {
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

/// Parse a TOML file into `T`, turning a failure into a problem at the parser's span.
pub fn parse_toml<T: serde::de::DeserializeOwned>(rel: &str, bytes: &[u8]) -> Result<T, Problem> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Problem::new(
            rel,
            Location::Span(e.valid_up_to()..e.valid_up_to()),
            "the file is not UTF-8 text; save it as UTF-8",
        )
    })?;
    toml::from_str(text).map_err(|e| {
        let location = match e.span() {
            Some(span) if span != (0..0) => Location::Span(span),
            _ => Location::File,
        };
        Problem::new(rel, location, e.message().trim_end().to_owned())
    })
}

/// Parse a claim file's content as it is at `rel` (in the working tree or at any
/// revision), with the same rules as [`Store::load`].
pub fn parse_claim_at(rel: &str, bytes: &[u8]) -> Result<Claim, Problem> {
    let file = RecordFile {
        rel: rel.to_owned(),
        kind: Kind::Claim,
        stamp: None,
    };
    match parse_record(&file, bytes) {
        Parsed::Claim(c) => Ok(c),
        Parsed::Bad(p) => Err(p),
        _ => Err(Problem::new(rel, Location::File, "not a claim")),
    }
}

fn parse_record(f: &RecordFile, bytes: &[u8]) -> Parsed {
    let bad = |location, message: String| Parsed::Bad(Problem::new(&f.rel, location, message));
    let episode = || {
        f.episode()
            .ok_or_else(|| Problem::new(&f.rel, Location::File, "not in an episode folder"))
    };
    match &f.kind {
        Kind::Episode => match (episode(), parse_toml::<EpisodeFile>(&f.rel, bytes)) {
            (Ok(episode), Ok(file)) => Parsed::Episode(Episode::from_file(episode, file)),
            (Err(p), _) | (_, Err(p)) => Parsed::Bad(p),
        },
        Kind::Claim => {
            let episode = match episode() {
                Ok(e) => e,
                Err(p) => return Parsed::Bad(p),
            };
            let id = match ClaimId::new(f.stem()) {
                Ok(id) => id,
                Err(e) => {
                    return bad(
                        Location::File,
                        format!("file name is not a valid claim id: {e}"),
                    );
                }
            };
            let file = match parse_toml::<ClaimFile>(&f.rel, bytes) {
                Ok(file) => file,
                Err(p) => return Parsed::Bad(p),
            };
            match Claim::from_file(id, episode, file) {
                Ok(claim) => Parsed::Claim(claim),
                Err(ClaimError::State(e)) => {
                    let key = if matches!(e, crate::model::StateError::MissingVerdict(_)) {
                        "status"
                    } else {
                        "verdict"
                    };
                    bad(Location::key(key), e.to_string())
                }
                Err(e @ ClaimError::Empty) => bad(Location::File, e.to_string()),
            }
        }
        Kind::Correction => {
            let id = match CorrectionId::new(f.stem()) {
                Ok(id) => id,
                Err(e) => {
                    return bad(
                        Location::File,
                        format!("file name is not a valid correction id: {e}"),
                    );
                }
            };
            match parse_toml::<CorrectionFile>(&f.rel, bytes) {
                Ok(file) => Parsed::Correction(Correction::from_file(id, file)),
                Err(p) => Parsed::Bad(p),
            }
        }
    }
}
