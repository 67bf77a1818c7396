//! Reading every record of the working tree at once: listed by `layout`, each
//! file taken from the cache while its stamp holds, else parsed by `parse`, in
//! parallel. Uses `cache`, `layout`, `parse` and `snapshot`.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::cache;
use super::layout::{RecordFile, list_record_files};
use super::parse::parse_record;
use super::snapshot::{FileMeta, claim_order, rearrange};
use super::{
    Checker, Checks, ClaimRecord, Parsed, SETTINGS_FILE, Snapshot, Stamp, Store, claim_path,
    correction_path, episode_path, parse_toml,
};
use crate::diagnostic::{Location, Problem};
use crate::model::{ClaimSummary, Settings};

/// `errata.toml` into the snapshot: its settings, or the problem that it is.
pub(super) fn read_settings<C>(root: &Path, snap: &mut Snapshot<C>) {
    if super::symbolic_link_in(root, SETTINGS_FILE).is_some() {
        snap.problems.push(Problem::symbolic_link(SETTINGS_FILE));
    } else if let Ok(bytes) = std::fs::read(root.join(SETTINGS_FILE)) {
        match parse_toml::<Settings>(SETTINGS_FILE, &bytes) {
            Ok(s) => snap.settings = Some(s),
            Err(p) => snap.problems.push(p),
        }
    }
}

/// One listed file read and parsed; a file far over a record's size (by the
/// stamp taken when it was listed) is not read at all.
pub(super) fn read_record_file(root: &Path, f: &RecordFile) -> Parsed {
    let size = f.stamp.map_or(0, |s| s.size());
    if size > super::MAX_RECORD_BYTES {
        return Parsed::Bad(Problem::new(
            &f.rel,
            Location::File,
            super::too_large(&f.rel, size),
        ));
    }
    match std::fs::read(root.join(&f.rel)) {
        Ok(bytes) => parse_record(f, &bytes),
        Err(e) => Parsed::Bad(Problem::new(
            &f.rel,
            Location::File,
            format!("cannot read: {e}"),
        )),
    }
}

impl Store {
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
        read_settings(root, &mut snap);

        let mut files = list_record_files(root, &mut snap);
        // Listed in order already; the sort only confirms it (one comparison a file).
        files.par_sort_unstable_by(|a, b| a.rel.cmp(&b.rel));
        let mut old = cache::Cache::<C>::read(&self.cache_path(C::CACHE));
        snap.memo.started_ns = cache::now_ns();
        enum Found<C> {
            Cached(usize),
            Fresh(Box<(Parsed<C>, Stamp, Option<Checks>)>),
        }
        let fresh_parse = |f: &RecordFile| -> (Parsed<C>, Option<Checks>) {
            match read_record_file(root, f) {
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
        let order = claim_order(&snap.claims);
        rearrange(&mut snap.claims, &order);
        rearrange(&mut snap.claim_files, &order);
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
        if memo.partial {
            return;
        }
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
}
