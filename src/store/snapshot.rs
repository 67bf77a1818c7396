//! What one read of the working tree holds: every record that could be read,
//! the problems of those that could not, and what the cache needs to be written
//! back. Uses `model` and `diagnostic`.

use std::collections::{BTreeMap, HashMap};

use super::Stamp;
use crate::diagnostic::Problem;
use crate::model::{
    Claim, ClaimId, ClaimSummary, Correction, Episode, EpisodeId, Settings, State, Timestamp,
};

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
    /// Who is checking the claim, if anyone is named.
    fn assignee(&self) -> Option<&str>;
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
    fn assignee(&self) -> Option<&str> {
        self.assignee.as_deref()
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
    fn assignee(&self) -> Option<&str> {
        self.assignee.as_deref()
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
    pub(super) memo: Memo,
    /// For each claim, its file's place in `memo.files`.
    pub(super) claim_files: Vec<usize>,
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
pub(super) struct Memo {
    pub(super) started_ns: i64,
    pub(super) files: Vec<FileMeta>,
    pub(super) bad: Vec<usize>,
    pub(super) dirty: bool,
    /// The snapshot holds only some records ([`Store::load_selected`]), so it
    /// must never be written back as the cache of all of them.
    ///
    /// [`Store::load_selected`]: super::Store::load_selected
    pub(super) partial: bool,
}

#[derive(Debug)]
pub(super) struct FileMeta {
    pub(super) path: String,
    pub(super) stamp: Stamp,
    pub(super) checks: Option<Checks>,
}

impl Memo {
    pub(super) fn get(&self, path: &str) -> Option<&FileMeta> {
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

    /// Remember checks for files; [`Store::save_checks`](super::Store::save_checks) makes them last.
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
