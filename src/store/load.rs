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
    Checker, Checks, ClaimRecord, Parsed, SETTINGS_FILE, Snapshot, Stamp, Store, correction_path,
    episode_path, parse_toml,
};
use crate::diagnostic::{Location, Problem};
use crate::model::{ClaimSummary, Settings};

/// `errata.toml` into the snapshot: its settings, or the problem that it is.
/// A file parsed afresh this run, with the stamp it was read under.
type Fresh<C> = (Parsed<C>, Stamp, Option<Checks>);

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
    pub(super) fn cache_path(&self, file: &str) -> PathBuf {
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

        // Listing is mostly the system's work and decoding the cache all ours,
        // so the two overlap.
        let cache_path = self.cache_path(C::CACHE);
        let (mut files, image) = rayon::join(
            || list_record_files(root, &mut snap),
            || cache::Image::<C>::read(&cache_path),
        );
        // Listed in order already; the sort only confirms it (one comparison a file).
        files.par_sort_unstable_by(|a, b| a.rel.cmp(&b.rel));
        snap.memo.started_ns = super::stamp::now_ns();
        let image = match image {
            Some(image) if image.holds_exactly(files.iter().map(|f| (f.rel.as_str(), f.stamp))) => {
                take_image(&mut snap, files, image);
                return snap;
            }
            other => other,
        };
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
        let kept: Vec<Option<usize>> = image.as_ref().map_or_else(
            || vec![None; files.len()],
            |image| {
                let positions = image.positions(files.iter().map(|f| f.rel.as_str()));
                files
                    .iter()
                    .zip(positions)
                    .map(|(f, i)| i.filter(|&i| f.stamp.is_some_and(|s| image.still(i, &s))))
                    .collect()
            },
        );
        let mut fresh = image.as_ref().is_none_or(|c| c.files() != files.len());
        let mut old = image.map(cache::Image::into_entries).unwrap_or_default();
        let found: Vec<Option<Fresh<C>>> = files
            .par_iter()
            .zip(&kept)
            .map(|(f, kept)| {
                kept.is_none().then(|| {
                    let (parsed, checks) = fresh_parse(f);
                    (parsed, f.stamp.unwrap_or_default(), checks)
                })
            })
            .collect();

        // Growing these by doubling would copy and fault in ever larger blocks.
        snap.memo.files.reserve(files.len());
        snap.claims.reserve(files.len());
        for ((f, found), kept) in files.into_iter().zip(found).zip(kept) {
            let cached = kept.and_then(|i| old.get_mut(i)?.take());
            let (parsed, stamp, checks) = match (cached, found) {
                (Some(e), _) => (e.parsed, e.stamp, e.checks),
                (None, Some(parsed)) => {
                    fresh = true;
                    snap.parsed += 1;
                    parsed
                }
                // An entry is taken at most once (paths are unique); if not, re-read.
                (None, None) => {
                    fresh = true;
                    snap.parsed += 1;
                    let (parsed, checks) = fresh_parse(&f);
                    let stamp = Stamp::of(&root.join(&f.rel)).unwrap_or_default();
                    (parsed, stamp, checks)
                }
            };
            push_record(&mut snap, parsed);
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
        if let Some(image) = image_of(snap) {
            let _ = image.write(&self.cache_path(C::CACHE), snap.memo.started_ns);
        }
    }
}

/// A record read from its file into the snapshot.
fn push_record<C>(snap: &mut Snapshot<C>, parsed: Parsed<C>) {
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
}

/// The snapshot of files that are all as the cache last saw them: the
/// cache's records as they are, in the order it kept them.
fn take_image<C>(snap: &mut Snapshot<C>, files: Vec<RecordFile>, image: cache::Image<C>) {
    let cache::Image {
        stamps,
        checks,
        claims,
        claim_files,
        episodes,
        corrections,
        bad,
        ..
    } = image;
    snap.claims = claims;
    snap.claim_files = claim_files;
    for (_, ep) in episodes {
        snap.episodes.insert(ep.id.clone(), ep);
    }
    snap.corrections = corrections.into_iter().map(|(_, c)| c).collect();
    for (_, p) in bad {
        snap.memo.bad.push(snap.problems.len());
        snap.problems.push(p);
    }
    snap.memo.files = files
        .into_iter()
        .zip(stamps)
        .zip(checks)
        .map(|((f, stamp), checks)| FileMeta {
            path: f.rel,
            stamp,
            checks,
        })
        .collect();
}

/// What the cache keeps of a snapshot of the whole tree: `None` for a partial
/// one, or one with a record whose file it cannot place.
fn image_of<C: ClaimRecord>(snap: &Snapshot<C>) -> Option<cache::ImageRef<'_, C>> {
    let memo = &snap.memo;
    if memo.partial {
        return None;
    }
    let place = |path: &str| {
        memo.files
            .binary_search_by(|f| f.path.as_str().cmp(path))
            .ok()
    };
    let image = cache::ImageRef {
        files: &memo.files,
        claims: &snap.claims,
        claim_files: &snap.claim_files,
        episodes: snap
            .episodes
            .values()
            .map(|ep| Some((place(&episode_path(&ep.id))?, ep)))
            .collect::<Option<_>>()?,
        corrections: snap
            .corrections
            .iter()
            .map(|c| Some((place(&correction_path(&c.id))?, c)))
            .collect::<Option<_>>()?,
        bad: memo
            .bad
            .iter()
            .map(|&i| {
                let p = snap.problems.get(i)?;
                Some((place(&p.path)?, p))
            })
            .collect::<Option<_>>()?,
    };
    let records =
        image.claims.len() + image.episodes.len() + image.corrections.len() + image.bad.len();
    (records == memo.files.len()).then_some(image)
}
