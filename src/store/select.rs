//! Reading only the records a command about one or a few records needs, so it
//! costs what it touches rather than the size of the repository: the files are
//! found by name (a folder listing, no file's metadata; for a whole claim id,
//! that one name looked up in each folder), and only those read and parsed,
//! never the cache of every record. Uses `layout`, `folder`, `load` (one
//! file's reading) and `snapshot`.
//!
//! The snapshot it gives holds, for the records selected, exactly what
//! [`Store::load`] would: the same records, in the same order, and the same
//! problems (a link, a file that is not a record), so finding a record by a
//! prefix in it answers as finding it in a whole load does. (A whole id that
//! names a good claim leaves out the problems of longer names; see
//! [`Store::load_selected`].)

use std::path::Path;

use rayon::prelude::*;

use super::folder::Folder;
use super::layout::{Kind, RecordFile, read_dir_names, read_toml_files};
use super::load::{read_record_file, read_settings};
use super::snapshot::{claim_order, rearrange};
use super::{CLAIMS_DIR, CORRECTIONS_DIR, EPISODE_FILE, Parsed, Snapshot, Stamp, Store};
use crate::diagnostic::{Location, Problem};
use crate::model::EpisodeId;

/// Which records [`Store::load_selected`] reads.
#[derive(Debug, Default, Clone)]
pub struct Selection {
    /// Claims whose file name, without `.toml`, starts with one of these, in
    /// any episode: every claim an id or a prefix could name.
    pub claims: Vec<String>,
    /// Every claim of these episodes.
    pub claims_of: Vec<EpisodeId>,
    /// These episodes' records; the episode of every claim read is read too.
    pub episodes: Vec<EpisodeId>,
    /// Every correction.
    pub corrections: bool,
    /// The corrections that could name one of these claim ids (or an id one
    /// of these prefixes starts): those whose text holds it, or holds an
    /// escape (`\u0061` could spell it), so none that names it is missed and
    /// the rest are never parsed. Ignored with `corrections`.
    pub corrections_naming: Vec<String>,
}

impl Selection {
    /// The claims a user's id or prefix could name, with their episodes.
    pub fn claim(prefix: &str) -> Selection {
        Selection {
            claims: vec![prefix.to_owned()],
            ..Selection::default()
        }
    }
}

impl Store {
    /// Read the records `sel` names, and no others; see the module comment.
    /// The snapshot is never saved as the record cache.
    ///
    /// A whole claim id (as `start`, `verdict` and `source` are given) is
    /// looked for first in each episode folder by its file name alone, since
    /// an exact id wins over the longer ids it begins: when that finds the
    /// claim and it reads cleanly, the folders are not listed (on 1,000
    /// episodes, 2,000 `getdents` calls and 100,000 names). Anything else (no
    /// such file, a link, a problem reading it) takes the listing, which
    /// answers as a whole load does; only problems of other files whose
    /// names begin with the id go unreported when the id names a good claim.
    pub fn load_selected(&self, sel: &Selection) -> Snapshot {
        if let [prefix] = sel.claims.as_slice()
            && let Some(exact) = self.claim_files_named_exactly(prefix)
        {
            let snap = self.load_selected_from(sel, Some(exact));
            if snap.problems.is_empty() && !snap.claims.is_empty() {
                return snap;
            }
        }
        self.load_selected_from(sel, None)
    }

    /// The files of the claim whose whole id is `prefix`, where each is a
    /// plain file in a plain episode folder; `None` where there is none.
    fn claim_files_named_exactly(&self, prefix: &str) -> Option<Vec<RecordFile>> {
        let id = crate::model::ClaimId::new(prefix).ok()?;
        let mut files = Vec::new();
        for episode in self.episodes_with_claim(&id) {
            let rel = super::claim_path(&episode, &id);
            let meta = std::fs::symlink_metadata(self.root().join(&rel)).ok()?;
            if !meta.file_type().is_file() {
                return None;
            }
            files.push(RecordFile {
                rel,
                kind: Kind::Claim,
                stamp: Some(Stamp::from_metadata(&meta)),
            });
        }
        (!files.is_empty()).then_some(files)
    }

    /// [`Store::load_selected`], the claims named taken from `exact` where
    /// given, else from the listing of every episode folder.
    fn load_selected_from(&self, sel: &Selection, exact: Option<Vec<RecordFile>>) -> Snapshot {
        let root = self.root();
        let mut snap = Snapshot::default();
        snap.memo.partial = true;
        read_settings(root, &mut snap);
        let mut files: Vec<RecordFile> = Vec::new();
        let claims_linked = super::symbolic_link_in(root, CLAIMS_DIR);
        if let Some(link) = &claims_linked {
            snap.problems.push(Problem::symbolic_link(link));
        } else {
            match exact {
                Some(exact) => files.extend(exact),
                None if !sel.claims.is_empty() => {
                    files.extend(self.claims_named(&sel.claims, &mut snap))
                }
                None => {}
            }
            for ep in &sel.claims_of {
                let rel_dir = format!("{CLAIMS_DIR}/{ep}");
                if let Some(link) = super::symbolic_link_in(root, &rel_dir) {
                    snap.problems.push(Problem::symbolic_link(&link));
                    continue;
                }
                let (toml, links) = read_toml_files(&root.join(&rel_dir));
                for l in links {
                    snap.problems
                        .push(Problem::symbolic_link(&format!("{rel_dir}/{l}")));
                }
                for (name, stamp) in toml {
                    let kind = if name == EPISODE_FILE {
                        Kind::Episode
                    } else {
                        Kind::Claim
                    };
                    files.push(RecordFile {
                        rel: format!("{rel_dir}/{name}"),
                        kind,
                        stamp,
                    });
                }
            }
        }
        if sel.corrections || !sel.corrections_naming.is_empty() {
            match super::symbolic_link_in(root, CORRECTIONS_DIR) {
                Some(link) => snap.problems.push(Problem::symbolic_link(&link)),
                None if sel.corrections => {
                    let (toml, links) = read_toml_files(&root.join(CORRECTIONS_DIR));
                    for l in links {
                        snap.problems
                            .push(Problem::symbolic_link(&format!("{CORRECTIONS_DIR}/{l}")));
                    }
                    files.extend(toml.into_iter().map(|(name, stamp)| RecordFile {
                        rel: format!("{CORRECTIONS_DIR}/{name}"),
                        kind: Kind::Correction,
                        stamp,
                    }));
                }
                // Only those that could name the claims: each file opened
                // once, its stamp taken from the open file.
                None => {
                    let dir = root.join(CORRECTIONS_DIR);
                    let folder = Folder::open(&dir);
                    let found: Vec<Result<RecordFile, Problem>> = read_dir_names(&dir)
                        .into_par_iter()
                        .map_init(
                            || Vec::with_capacity(16 << 10),
                            |buf, e| {
                                let rel = || format!("{CORRECTIONS_DIR}/{}", e.name);
                                if e.is_linked_record() {
                                    return Some(Err(Problem::symbolic_link(&rel())));
                                }
                                e.record_stem()?;
                                let stamp =
                                    may_name(&folder, &e.name, &sel.corrections_naming, buf)?;
                                Some(Ok(RecordFile {
                                    rel: rel(),
                                    kind: Kind::Correction,
                                    stamp,
                                }))
                            },
                        )
                        .flatten()
                        .collect();
                    for f in found {
                        match f {
                            Ok(file) => files.push(file),
                            Err(problem) => snap.problems.push(problem),
                        }
                    }
                }
            }
        }
        let mut parsed = read_all(root, files);
        // The episodes asked for, and those of the claims read.
        if claims_linked.is_none() {
            let mut wanted: Vec<EpisodeId> = sel.episodes.clone();
            wanted.extend(parsed.iter().filter_map(|(_, p)| match p {
                Parsed::Claim(c) => Some(c.episode.clone()),
                _ => None,
            }));
            wanted.sort();
            wanted.dedup();
            let have: Vec<&str> = parsed.iter().map(|(rel, _)| rel.as_str()).collect();
            let mut episodes = Vec::new();
            for ep in wanted {
                let rel = super::episode_path(&ep);
                if have.contains(&rel.as_str()) {
                    continue;
                }
                match super::symbolic_link_in(root, &rel) {
                    Some(link) => snap.problems.push(Problem::symbolic_link(&link)),
                    None => {
                        if let Some(stamp) = Stamp::of(&root.join(&rel)) {
                            episodes.push(RecordFile {
                                rel,
                                kind: Kind::Episode,
                                stamp: Some(stamp),
                            });
                        }
                    }
                }
            }
            parsed.extend(read_all(root, episodes));
            parsed.sort_by(|a, b| a.0.cmp(&b.0));
        }
        snap.problems.sort_by(|a, b| a.path.cmp(&b.path));
        snap.problems.dedup_by(|a, b| a.path == b.path);
        for (_, p) in parsed {
            match p {
                Parsed::Claim(c) => snap.claims.push(c),
                Parsed::Episode(e) => {
                    snap.episodes.insert(e.id.clone(), e);
                }
                Parsed::Correction(c) => snap.corrections.push(c),
                Parsed::Bad(p) => snap.problems.push(p),
            }
        }
        let order = claim_order(&snap.claims);
        rearrange(&mut snap.claims, &order);
        snap.corrections.sort_by(|a, b| a.id.cmp(&b.id));
        snap
    }

    /// The claim files whose names start with one of `prefixes`, from the
    /// listing of each episode folder; the links met on the way (the episode
    /// folders', the files' named so) and the misplaced files named so are
    /// problems, as a whole load reports them.
    fn claims_named(&self, prefixes: &[String], snap: &mut Snapshot) -> Vec<RecordFile> {
        let root = self.root();
        let claims = root.join(CLAIMS_DIR);
        let named = |stem: &str| prefixes.iter().any(|p| stem.starts_with(p.as_str()));
        let top = read_dir_names(&claims);
        for e in &top {
            if e.is_link {
                snap.problems
                    .push(Problem::symbolic_link(&format!("{CLAIMS_DIR}/{}", e.name)));
            } else if let Some(stem) = e.record_stem()
                && named(stem)
            {
                snap.problems.push(Problem::new(
                    &format!("{CLAIMS_DIR}/{}", e.name),
                    Location::File,
                    "a claim must be in its episode's folder: move it to claims/<episode>/",
                ));
            }
        }
        let listed: Vec<(Vec<RecordFile>, Vec<Problem>)> = top
            .into_par_iter()
            .filter(|e| e.is_dir && !e.is_link && !e.name.starts_with('.'))
            .filter(|e| EpisodeId::new(&e.name).is_ok())
            .map(|e| {
                let rel_dir = format!("{CLAIMS_DIR}/{}", e.name);
                let mut files = Vec::new();
                let mut links = Vec::new();
                for f in read_dir_names(&claims.join(&e.name)) {
                    if !f.name.strip_suffix(".toml").is_some_and(named) {
                        continue;
                    }
                    let rel = format!("{rel_dir}/{}", f.name);
                    if f.is_linked_record() {
                        links.push(Problem::symbolic_link(&rel));
                        continue;
                    }
                    if f.record_stem().is_none() {
                        continue;
                    }
                    let kind = if f.name == EPISODE_FILE {
                        Kind::Episode
                    } else {
                        Kind::Claim
                    };
                    let stamp = Stamp::of(&root.join(&rel));
                    files.push(RecordFile { rel, kind, stamp });
                }
                (files, links)
            })
            .collect();
        let mut out = Vec::new();
        for (files, links) in listed {
            out.extend(files);
            snap.problems.extend(links);
        }
        out
    }
}

/// Read and parse `files` (in parallel), each once, by path.
fn read_all(root: &Path, mut files: Vec<RecordFile>) -> Vec<(String, Parsed)> {
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    files.dedup_by(|a, b| a.rel == b.rel);
    files
        .into_par_iter()
        .map(|f| {
            let parsed = read_record_file(root, &f);
            (f.rel, parsed)
        })
        .collect()
}

/// Whether the file `name` in `folder` could name one of `ids` (its bytes
/// hold one, or an escape), and if so its stamp. A file that cannot be read,
/// or is too large to be, is kept, so its problem is reported (unread) as a
/// whole load would. One open, one read into `buf` (a thread's, reused); the
/// stamp is asked of the open file only for a file kept, since most are not.
fn may_name(
    folder: &Folder,
    name: &str,
    ids: &[String],
    buf: &mut Vec<u8>,
) -> Option<Option<Stamp>> {
    use std::io::Read as _;
    let Ok(mut file) = folder.open_file(name) else {
        return Some(None);
    };
    buf.clear();
    let read = (&mut file)
        .take(super::MAX_RECORD_BYTES + 1)
        .read_to_end(buf);
    let stamp = || file.metadata().ok().map(|m| Stamp::from_metadata(&m));
    if read.is_err() || buf.len() as u64 > super::MAX_RECORD_BYTES {
        return Some(stamp());
    }
    let names = memchr::memchr(b'\\', buf).is_some()
        || ids
            .iter()
            .any(|id| memchr::memmem::find(buf, id.as_bytes()).is_some());
    names.then(stamp)
}
