//! Where problems sit in record files, remembered by each file's stamp, so a
//! warm `validate` shows thousands of warnings without reading and parsing
//! their files again: placing them was a quarter of a warm `validate` of
//! 100,000 claims. Kept in `.git/errata/places`, beside the record cache and as
//! safe to delete; a different errata version, a bad checksum, a place that does
//! not fit its line, or a file changed too close to the moment the memo was
//! written to tell, and the file is read again. Only the files with problems in
//! the last run are kept. Uses `diagnostic` to place, `stamp`, and `write` for
//! the atomic write.

use std::collections::HashMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::stamp::now_ns;
use super::{Snapshot, Stamp, Store};
use crate::diagnostic::{Diagnostic, Location, Place, Problem, place_in, text_for};

const MAGIC: &[u8] = concat!("errata-places 1 ", env!("CARGO_PKG_VERSION"), "\n").as_bytes();
const FILE: &str = "places";

#[derive(Debug, Default, Serialize, Deserialize)]
struct Places {
    /// When the files were examined: a stamp not settled by then proves nothing.
    written_ns: i64,
    files: Vec<Known>,
}

/// The places found in one file as it was under `stamp`.
#[derive(Debug, Serialize, Deserialize)]
struct Known {
    path: String,
    stamp: Stamp,
    places: Vec<(Location, Place)>,
}

/// What placing one file's problems left for the memo.
enum Outcome {
    /// Every place came from this entry of the old memo.
    Reused(usize),
    /// Read afresh from a file still as the snapshot saw it.
    Found(Known),
    /// Nothing worth keeping: no text was needed, or the file had changed.
    Nothing,
}

/// Problems placed: one list of diagnostics for each list of problems given.
#[derive(Debug)]
pub struct Located {
    pub lists: Vec<Vec<Diagnostic>>,
    /// How many files were read to place them (the rest came from the memo).
    pub files_read: usize,
}

impl Store {
    /// Place each list of problems at lines and columns (as
    /// [`diagnostic::locate`](crate::diagnostic::locate) does), taking the places
    /// in a file from the memo while the file's stamp is the one `snap` read it
    /// under, and remembering the rest for next time. The lists are placed
    /// together so that one memo holds them all.
    pub fn locate<C>(&self, snap: &Snapshot<C>, lists: &[&[Problem]]) -> Located {
        let started_ns = now_ns();
        let path = self.cache_path(FILE);
        let old = std::fs::read(&path)
            .ok()
            .and_then(|b| decode(&b))
            .unwrap_or_default();
        // The memo is written in path order; one out of order is only missed.
        let by_path = |file: &str| {
            old.files
                .binary_search_by(|k| k.path.as_str().cmp(file))
                .ok()
        };
        let (root, seen) = (self.root(), &snap.memo);
        let remembered = |group: &[Problem]| -> Option<(usize, Vec<Diagnostic>)> {
            let file = &group[0].path;
            let stamp = seen.get(file)?.stamp;
            let i = by_path(file)?;
            let known = &old.files[i];
            if known.stamp != stamp || !stamp.settled_by(old.written_ns) {
                return None;
            }
            let placed = group
                .iter()
                .map(|p| {
                    let (_, place) = known.places.iter().find(|(l, _)| *l == p.location)?;
                    Some(Diagnostic::placed(p, place.clone()))
                })
                .collect::<Option<Vec<_>>>()?;
            Some((i, placed))
        };
        let afresh = |group: &[Problem]| -> (Vec<Diagnostic>, Outcome, bool) {
            let file = &group[0].path;
            let full = root.join(file);
            // Stamped before it is read: a later edit gives a stamp that differs.
            let before = Stamp::of(&full);
            let Some(text) = text_for(root, file, group) else {
                let placed = group
                    .iter()
                    .map(|p| Diagnostic::placed(p, place_in("", &p.location)))
                    .collect();
                return (placed, Outcome::Nothing, false);
            };
            let places: Vec<(Location, Place)> = group
                .iter()
                .map(|p| (p.location.clone(), place_in(&text, &p.location)))
                .collect();
            let placed = group
                .iter()
                .zip(&places)
                .map(|(p, (_, place))| Diagnostic::placed(p, place.clone()))
                .collect();
            let outcome = match before {
                Some(stamp) if seen.get(file).map(|f| f.stamp) == Some(stamp) => {
                    Outcome::Found(Known {
                        path: file.clone(),
                        stamp,
                        places,
                    })
                }
                _ => Outcome::Nothing,
            };
            (placed, outcome, true)
        };

        let mut out = Located {
            lists: Vec::with_capacity(lists.len()),
            files_read: 0,
        };
        let mut outcomes = Vec::new();
        for problems in lists {
            let groups: Vec<(Vec<Diagnostic>, Outcome, bool)> = problems
                .par_chunk_by(|a, b| a.path == b.path)
                .map(|group| match remembered(group) {
                    Some((i, placed)) => (placed, Outcome::Reused(i), false),
                    None => afresh(group),
                })
                .collect();
            let mut placed = Vec::with_capacity(problems.len());
            for (diagnostics, outcome, read) in groups {
                placed.extend(diagnostics);
                outcomes.push(outcome);
                out.files_read += usize::from(read);
            }
            out.lists.push(placed);
        }

        // Rewritten only if it would say something else: a place found afresh,
        // or one it holds no longer asked for. A warm run asks the same again.
        let mut reused = vec![false; old.files.len()];
        let mut found = false;
        for outcome in &outcomes {
            match outcome {
                Outcome::Reused(i) => reused[*i] = true,
                Outcome::Found(_) => found = true,
                Outcome::Nothing => {}
            }
        }
        if !found && reused.iter().all(|r| *r) {
            return out;
        }
        let mut old_files: Vec<Option<Known>> = old.files.into_iter().map(Some).collect();
        let mut kept: HashMap<String, Known> = HashMap::new();
        for outcome in outcomes {
            let known = match outcome {
                Outcome::Reused(i) => match old_files[i].take() {
                    Some(k) => k,
                    None => continue,
                },
                Outcome::Found(k) => k,
                Outcome::Nothing => continue,
            };
            // A file with both problems and warnings is placed in two groups.
            match kept.get_mut(&known.path) {
                Some(k) if k.stamp == known.stamp => k.places.extend(known.places),
                Some(_) => {}
                None => {
                    kept.insert(known.path.clone(), known);
                }
            }
        }
        let mut files: Vec<Known> = kept.into_values().collect();
        files.sort_unstable_by(|a, b| a.path.cmp(&b.path));
        let memo = Places {
            written_ns: started_ns,
            files,
        };
        // A memo that cannot be written costs only speed next time.
        if let Ok(body) = postcard::to_allocvec(&memo) {
            let _ = super::write::atomic_with(&path, false, |w| {
                w.write_all(MAGIC)?;
                w.write_all(&crc32fast::hash(&body).to_le_bytes())?;
                w.write_all(&body)
            });
        }
        out
    }
}

/// The memo in `bytes`, if it is whole, of this version, and every place in it
/// fits the line it names (a snippet is drawn from it).
fn decode(bytes: &[u8]) -> Option<Places> {
    let rest = bytes.strip_prefix(MAGIC)?;
    let (crc, body) = rest.split_first_chunk::<4>()?;
    if crc32fast::hash(body) != u32::from_le_bytes(*crc) {
        return None;
    }
    let memo: Places = postcard::from_bytes(body).ok()?;
    let fits = |p: &Place| match &p.source {
        None => true,
        Some((text, span)) => {
            span.start <= span.end
                && text.is_char_boundary(span.start)
                && text.is_char_boundary(span.end)
                && !text.contains('\n')
        }
    };
    let sound = memo
        .files
        .iter()
        .all(|k| k.places.iter().all(|(_, p)| fits(p) && p.line >= 1));
    sound.then_some(memo)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn memo_bytes(memo: &Places) -> Vec<u8> {
        let body = postcard::to_allocvec(memo).unwrap();
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&crc32fast::hash(&body).to_le_bytes());
        out.extend_from_slice(&body);
        out
    }

    fn one(source: Option<(String, std::ops::Range<usize>)>) -> Places {
        Places {
            written_ns: 1,
            files: vec![Known {
                path: "claims/ep-1/a.toml".into(),
                stamp: Stamp::default(),
                places: vec![(
                    Location::key("quote"),
                    Place {
                        line: 3,
                        column: 1,
                        source,
                    },
                )],
            }],
        }
    }

    #[test]
    fn a_memo_reads_back_and_a_damaged_one_is_refused() {
        let good = memo_bytes(&one(Some(("quote = \"輝達\"".into(), 0..5))));
        let back = decode(&good).expect("a whole memo is read");
        assert_eq!(back.files[0].places[0].1.line, 3);
        for cut in [0, MAGIC.len(), MAGIC.len() + 3, good.len() - 1] {
            assert!(decode(&good[..cut]).is_none(), "cut at {cut}");
        }
        for i in 0..good.len() {
            let mut bad = good.clone();
            bad[i] ^= 0x10;
            assert!(decode(&bad).is_none(), "bit flipped at {i}");
        }
    }

    #[test]
    fn a_place_that_does_not_fit_its_line_is_refused() {
        // 輝 is three bytes: a span ending at 10 cuts it.
        for source in [
            ("quote = \"輝達\"".to_owned(), 0..10),
            ("q".to_owned(), 0..2),
        ] {
            assert!(
                decode(&memo_bytes(&one(Some(source.clone())))).is_none(),
                "{source:?}"
            );
        }
        assert!(decode(&memo_bytes(&one(Some(("a\nb".into(), 0..1))))).is_none());
        assert!(decode(&memo_bytes(&one(None))).is_some());
    }
}
