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

/// Claims named by corrections, with the corrections naming each. Asked of
/// every claim by `validate` and `list`: hashed with foldhash, seeded afresh
/// each run, which is several times faster than the standard hasher on ids
/// and as hard for a repository's ids to collide on purpose.
pub type CorrectionsByClaim<'a> =
    HashMap<&'a ClaimId, Vec<&'a Correction>, foldhash::fast::RandomState>;

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
    pub fn corrections_by_claim(&self) -> CorrectionsByClaim<'_> {
        let mut map = CorrectionsByClaim::default();
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

/// The places of `claims` in the order a snapshot keeps them (see
/// [`Snapshot::claims`]): by episode, then where in it each was said (a claim
/// with no place first), then id. Ids are unique within an episode's folder,
/// so the order is total. Each episode is ranked once and the claims sorted by
/// small keys, their ids compared only between claims said at one moment of
/// one episode: sorting 100,000 claims themselves by three fields moved and
/// compared more than the rest of a warm `list`'s own work.
pub(super) fn claim_order<C: ClaimRecord>(claims: &[C]) -> Vec<usize> {
    use rayon::prelude::*;
    // Claims arrive grouped by folder, so a few hundred runs name every episode.
    let mut episodes: Vec<&EpisodeId> = Vec::new();
    for c in claims {
        if episodes.last() != Some(&c.episode()) {
            episodes.push(c.episode());
        }
    }
    episodes.sort_unstable();
    episodes.dedup();
    let mut last: Option<(&EpisodeId, u32)> = None;
    let mut keys: Vec<(u32, u64, usize)> = Vec::with_capacity(claims.len());
    for (i, c) in claims.iter().enumerate() {
        let rank = match last {
            Some((e, r)) if e == c.episode() => r,
            _ => {
                let r = episodes.partition_point(|e| *e < c.episode()) as u32;
                last = Some((c.episode(), r));
                r
            }
        };
        let said = c.said_at().map_or(0, |t| u64::from(t.start()) + 1);
        keys.push((rank, said, i));
    }
    keys.par_sort_unstable_by(|a, b| {
        (a.0, a.1)
            .cmp(&(b.0, b.1))
            .then_with(|| claims[a.2].id().cmp(claims[b.2].id()))
    });
    keys.into_iter().map(|(_, _, i)| i).collect()
}

/// Rearranges `items` in place so that the `n`th is the one that was at
/// `order[n]`; `order` holds each place of `items` once, as [`claim_order`]
/// gives. Each cycle of the permutation is followed with swaps, so no second
/// copy of 100,000 claims is ever held.
pub(super) fn rearrange<T>(items: &mut [T], order: &[usize]) {
    let mut order = order.to_vec();
    for start in 0..order.len() {
        let mut at = start;
        while order[at] != usize::MAX {
            let from = order[at];
            order[at] = usize::MAX;
            if from == start || from >= items.len() {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(id: &str, episode: &str, said_at: Option<&str>) -> Claim {
        let mut c = Claim::for_test(id, episode, State::NeedsCheck);
        c.said_at = said_at.map(|t| t.parse().expect("a valid time"));
        c
    }

    #[test]
    fn claims_are_ordered_by_episode_then_time_then_id_and_moved_once() {
        // Listed as files are: `ep-1-2/` before `ep-1/`, ids in name order.
        let mut claims = vec![
            claim("b", "ep-1-2", Some("01:00")),
            claim("a", "ep-1-2", Some("02:00")),
            claim("z", "ep-1", Some("10:00")),
            claim("y", "ep-1", None),
            claim("x", "ep-1", Some("10:00~11:00")),
            claim("w", "ep-1", Some("09:59")),
        ];
        let mut expected = claims.clone();
        expected.sort_by(|a, b| {
            (&a.episode, a.said_at.map(|t| t.start()), &a.id).cmp(&(
                &b.episode,
                b.said_at.map(|t| t.start()),
                &b.id,
            ))
        });
        let order = claim_order(&claims);
        let mut files: Vec<usize> = (0..claims.len()).collect();
        rearrange(&mut claims, &order);
        rearrange(&mut files, &order);
        let ids: Vec<&str> = claims.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["y", "w", "x", "z", "b", "a"]);
        assert_eq!(claims, expected);
        assert_eq!(files, order, "each claim keeps its own file");
    }

    #[test]
    fn any_permutation_is_applied_in_place() {
        let order = [3, 0, 4, 1, 2, 6, 5, 7];
        let mut items: Vec<char> = "abcdefgh".chars().collect();
        rearrange(&mut items, &order);
        let expected: Vec<char> = order.iter().map(|&i| (b'a' + i as u8) as char).collect();
        assert_eq!(items, expected);
    }
}
