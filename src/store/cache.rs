//! The record cache: the snapshot the last run read, kept with each record
//! file's [`Stamp`] as git's index keeps file content, so a run on an unchanged
//! repository parses nothing, and when no file changed at all takes the
//! snapshot whole, already in its order, with nothing to merge or sort.
//!
//! It lives in `.git/errata/`, never in the working tree, and is always safe to
//! delete. Any doubt about it (a different errata version, a torn or corrupt
//! file, which the CRC-32 of its header and of each chunk tells, a file it
//! does not account for, a file modified too close to the moment the cache was
//! written to tell) means the records are parsed again. Uses `snapshot`'s
//! types and `stamp`.

use rayon::prelude::*;
use std::path::Path;

use serde::de::{DeserializeSeed, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use super::snapshot::FileMeta;
use super::{Checks, Parsed, Stamp};
use crate::diagnostic::Problem;
use crate::model::{Correction, Episode};

/// Changes whenever the cached types or the layout below change shape.
const MAGIC: &[u8] = concat!("errata-records-cache 9 ", env!("CARGO_PKG_VERSION"), "\n").as_bytes();

/// Files or claims per independently encoded chunk, so reading decodes on
/// every core.
const CHUNK: usize = 2048;

/// What the cache holds: every record file in path order, with its stamp and
/// the checks remembered for it, and the records those files were read as:
/// claims in the snapshot's order with the place of each one's file, then
/// episodes, corrections and the files that are not records (each with its
/// file's place, in file order). Every file is accounted for exactly once.
pub struct Image<C> {
    written_ns: i64,
    /// Every path, one after another; `ends[i]` is where the `i`th ends.
    paths: String,
    ends: Vec<usize>,
    pub(super) stamps: Vec<Stamp>,
    pub(super) checks: Vec<Option<Checks>>,
    pub(super) claims: Vec<C>,
    pub(super) claim_files: Vec<usize>,
    pub(super) episodes: Vec<(usize, Episode)>,
    pub(super) corrections: Vec<(usize, Correction)>,
    pub(super) bad: Vec<(usize, Problem)>,
}

/// An [`Image`] borrowed from a snapshot, to be written without copying it.
pub(super) struct ImageRef<'a, C> {
    /// In path order.
    pub files: &'a [FileMeta],
    pub claims: &'a [C],
    pub claim_files: &'a [usize],
    pub episodes: Vec<(usize, &'a Episode)>,
    pub corrections: Vec<(usize, &'a Correction)>,
    pub bad: Vec<(usize, &'a Problem)>,
}

/// One file's part of the cache, for a run that must merge what changed.
pub(super) struct Entry<C> {
    pub stamp: Stamp,
    pub parsed: Parsed<C>,
    pub checks: Option<Checks>,
}

/// The first chunk: the records that are few. Owned when read, borrowed when
/// written; both encode alike.
#[derive(Serialize, Deserialize)]
struct Head<E, K, B> {
    episodes: Vec<(usize, E)>,
    corrections: Vec<(usize, K)>,
    bad: Vec<(usize, B)>,
}

/// Up to [`CHUNK`] files: their paths run together, each one's length, stamp
/// and checks. One string a chunk, so reading it allocates and checks UTF-8
/// once, not once a path; the stamps as [`Stamp::to_bytes`] one after
/// another, copied whole rather than decoded number by number.
#[derive(Serialize)]
struct Files<K> {
    paths: String,
    lens: Vec<u32>,
    #[serde(with = "serde_bytes")]
    stamps: Vec<u8>,
    checks: Vec<Option<K>>,
}

/// A [`Files`] chunk as read: its paths and stamps borrowed from the chunk's
/// bytes, to be appended to the image's.
#[derive(Deserialize)]
struct FilesIn<'a> {
    #[serde(borrow)]
    paths: &'a str,
    lens: Vec<u32>,
    #[serde(borrow)]
    stamps: &'a [u8],
    checks: Vec<Option<Checks>>,
}

/// Decodes a sequence onto the end of a `Vec`, so a chunk of 2,048 claims
/// lands where the whole image keeps it, with no chunk of its own to be copied
/// from (over 100,000 claims those copies were a fifth of a warm `list`'s page
/// faults). The value is how many it appended.
struct Append<'v, T>(&'v mut Vec<T>);

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for Append<'_, T> {
    type Value = usize;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<usize, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for Append<'_, T> {
    type Value = usize;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a sequence")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<usize, A::Error> {
        let before = self.0.len();
        while let Some(item) = seq.next_element()? {
            self.0.push(item);
        }
        Ok(self.0.len() - before)
    }
}

/// A claims chunk (the claims' files' places, then the claims) appended to the
/// image's two columns; the value is whether the two counts agree.
struct AppendClaims<'v, C> {
    files: &'v mut Vec<usize>,
    claims: &'v mut Vec<C>,
}

impl<'de, C: Deserialize<'de>> DeserializeSeed<'de> for AppendClaims<'_, C> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_tuple(2, self)
    }
}

impl<'de, C: Deserialize<'de>> Visitor<'de> for AppendClaims<'_, C> {
    type Value = bool;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a chunk of claims")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        let files = seq.next_element_seed(Append(self.files))?;
        let claims = seq.next_element_seed(Append(self.claims))?;
        Ok(files.is_some() && files == claims)
    }
}

/// `len` bytes of `file` from `offset` into `buf` (its memory reused).
fn read_at(file: &std::fs::File, offset: u64, len: usize, buf: &mut Vec<u8>) -> Option<()> {
    buf.clear();
    buf.resize(len, 0);
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        file.read_exact_at(buf, offset).ok()?;
    }
    #[cfg(windows)]
    {
        use std::os::windows::fs::FileExt;
        let mut done = 0;
        while done < len {
            let n = file
                .seek_read(&mut buf[done..], offset + done as u64)
                .ok()?;
            if n == 0 {
                return None;
            }
            done += n;
        }
    }
    Some(())
}

/// A chunk's bytes into `buf`, if they are whole: `(offset, length, CRC-32)`.
fn read_chunk(
    file: &std::fs::File,
    (offset, len, crc): (u64, usize, u64),
    buf: &mut Vec<u8>,
) -> Option<()> {
    read_at(file, offset, len, buf)?;
    (u64::from(crc32fast::hash(buf)) == crc).then_some(())
}

fn take_u64(bytes: &mut &[u8]) -> Option<u64> {
    let (head, rest) = bytes.split_first_chunk::<8>()?;
    *bytes = rest;
    Some(u64::from_le_bytes(*head))
}

impl<C: Serialize + serde::de::DeserializeOwned> Image<C> {
    /// The cache as last written, or `None` if there is none or it cannot be
    /// trusted. Laid out as the magic line, the time it was written, the number
    /// of chunks and of file chunks (8 bytes each), the length and CRC-32 of each
    /// chunk (8 bytes each), the CRC-32 of all that (8 bytes), then the chunks,
    /// each postcard-encoded: the [`Head`], the [`Files`], then the claims (each
    /// chunk their files' places, then the claims).
    /// Numbers are little-endian. The chunks are decoded one after another
    /// straight onto the image's columns, each read into the buffer the last
    /// one used, so the file is never held whole beside what it decodes to.
    pub fn read(path: &Path) -> Option<Image<C>> {
        let file = std::fs::File::open(path).ok()?;
        let size = file.metadata().ok()?.len();
        let fixed = MAGIC.len() as u64 + 24;
        let mut head = Vec::new();
        read_at(&file, 0, usize::try_from(fixed).ok()?, &mut head)?;
        let mut rest = head.strip_prefix(MAGIC)?;
        let written_ns = take_u64(&mut rest)? as i64;
        let chunks = take_u64(&mut rest)?;
        let file_chunks = take_u64(&mut rest)?;
        if chunks > size / 16 || file_chunks >= chunks {
            return None;
        }
        let table_len = usize::try_from(chunks * 16 + 8).ok()?;
        let mut table = Vec::new();
        read_at(&file, fixed, table_len, &mut table)?;
        let (mut lens, mut sum) = table.split_at(table_len - 8);
        let mut hasher = crc32fast::Hasher::new();
        hasher.update(&head);
        hasher.update(lens);
        if u64::from(hasher.finalize()) != take_u64(&mut sum)? {
            return None;
        }
        let mut parts: Vec<(u64, usize, u64)> = Vec::with_capacity(chunks as usize);
        let mut offset = fixed + table_len as u64;
        for _ in 0..chunks {
            let len = take_u64(&mut lens)?;
            let crc = take_u64(&mut lens)?;
            parts.push((offset, usize::try_from(len).ok()?, crc));
            offset = offset.checked_add(len)?;
        }
        if offset != size {
            return None;
        }
        let mut parts = parts.into_iter();
        let mut bytes = Vec::new();
        read_chunk(&file, parts.next()?, &mut bytes)?;
        let head: Head<Episode, Correction, Problem> = postcard::from_bytes(&bytes).ok()?;
        let mut image = Image {
            written_ns,
            paths: String::new(),
            ends: Vec::new(),
            stamps: Vec::new(),
            checks: Vec::new(),
            claims: Vec::new(),
            claim_files: Vec::new(),
            episodes: head.episodes,
            corrections: head.corrections,
            bad: head.bad,
        };
        // Room for every file and claim at once, so nothing is copied as the
        // columns grow. Every chunk but the last holds CHUNK; and each file
        // takes its stamp's bytes in the cache, which bounds a header that
        // lies, or the memory it could ask for.
        let most = usize::try_from(size).ok()? / Stamp::BYTES;
        let file_chunks = usize::try_from(file_chunks).ok()?;
        let claim_chunks = parts.len() - file_chunks;
        let files = most.min(file_chunks.saturating_mul(CHUNK));
        // The paths are part of the file, so its size bounds them.
        image.paths.reserve(usize::try_from(size).ok()?);
        image.ends.reserve(files);
        image.stamps.reserve(files);
        image.checks.reserve(files);
        let claims = most.min(claim_chunks.saturating_mul(CHUNK));
        image.claims.reserve(claims);
        image.claim_files.reserve(claims);
        // One chunk after another, on this thread: the caller lists the files
        // on the others meanwhile, and each chunk's buffer is the last one's.
        for (k, part) in parts.enumerate() {
            read_chunk(&file, part, &mut bytes)?;
            if k < file_chunks {
                let f: FilesIn<'_> = postcard::from_bytes(&bytes).ok()?;
                image.append_files(f)?;
            } else {
                let mut de = postcard::Deserializer::from_bytes(&bytes);
                let seed = AppendClaims {
                    files: &mut image.claim_files,
                    claims: &mut image.claims,
                };
                if !seed.deserialize(&mut de).ok()? {
                    return None;
                }
            }
        }
        image.accounts_for_every_file().then_some(image)
    }

    /// A chunk of files appended to the image's columns; `None` if its
    /// columns do not agree.
    fn append_files(&mut self, f: FilesIn<'_>) -> Option<()> {
        let n = f.lens.len();
        if f.stamps.len() != n * Stamp::BYTES || f.checks.len() != n {
            return None;
        }
        let base = self.paths.len();
        let mut end = 0;
        for len in f.lens {
            end += len as usize;
            // Also refuses an end past the chunk's paths.
            if !f.paths.is_char_boundary(end) {
                return None;
            }
            self.ends.push(base + end);
        }
        if end != f.paths.len() {
            return None;
        }
        self.paths.push_str(f.paths);
        let (stamps, _) = f.stamps.as_chunks::<{ Stamp::BYTES }>();
        self.stamps.extend(stamps.iter().map(Stamp::from_bytes));
        self.checks.extend(f.checks);
        Some(())
    }

    /// Whether each file is the file of exactly one record, as a snapshot's are.
    fn accounts_for_every_file(&self) -> bool {
        let mut seen = vec![false; self.files()];
        let mut places = self
            .claim_files
            .iter()
            .copied()
            .chain(self.episodes.iter().map(|(i, _)| *i))
            .chain(self.corrections.iter().map(|(i, _)| *i))
            .chain(self.bad.iter().map(|(i, _)| *i));
        let all_once = places.all(|i| match seen.get_mut(i) {
            Some(s) if !*s => {
                *s = true;
                true
            }
            _ => false,
        });
        all_once && seen.iter().all(|s| *s)
    }

    /// How many files the cache knew.
    pub fn files(&self) -> usize {
        self.ends.len()
    }

    fn path(&self, i: usize) -> Option<&str> {
        let start = if i == 0 { 0 } else { *self.ends.get(i - 1)? };
        self.paths.get(start..*self.ends.get(i)?)
    }

    /// Whether `listed` (path order) are exactly the files the cache was made
    /// from, each with the stamp it had then: the cached snapshot is then the
    /// snapshot of the working tree as it is.
    pub fn holds_exactly<'p>(
        &self,
        listed: impl ExactSizeIterator<Item = (&'p str, Option<Stamp>)>,
    ) -> bool {
        listed.len() == self.files()
            && listed.enumerate().all(|(i, (path, stamp))| {
                self.path(i) == Some(path) && stamp.is_some_and(|s| self.still(i, &s))
            })
    }

    /// For each of `paths` (sorted, as the cache's are), the place of its file
    /// in the cache, found in one merge of the two lists.
    pub fn positions<'p>(&self, paths: impl Iterator<Item = &'p str>) -> Vec<Option<usize>> {
        let mut at = 0;
        paths
            .map(|p| {
                while let Some(mine) = self.path(at) {
                    match mine.cmp(p) {
                        std::cmp::Ordering::Less => at += 1,
                        std::cmp::Ordering::Equal => return Some(at),
                        std::cmp::Ordering::Greater => return None,
                    }
                }
                None
            })
            .collect()
    }

    /// Whether the `i`th file still is what it was, now that it has `stamp`:
    /// equal, and surely last changed before the cache was written.
    pub fn still(&self, i: usize, stamp: &Stamp) -> bool {
        self.stamps
            .get(i)
            .is_some_and(|s| s == stamp && stamp.settled_by(self.written_ns))
    }

    /// Each file's entry, by its place, for a run that takes some and parses
    /// the rest again.
    pub(super) fn into_entries(self) -> Vec<Option<Entry<C>>> {
        let mut parsed: Vec<Option<Parsed<C>>> = Vec::with_capacity(self.files());
        parsed.resize_with(self.files(), || None);
        let records = self
            .claim_files
            .into_iter()
            .zip(self.claims.into_iter().map(Parsed::Claim))
            .chain(
                self.episodes
                    .into_iter()
                    .map(|(i, e)| (i, Parsed::Episode(e))),
            )
            .chain(
                self.corrections
                    .into_iter()
                    .map(|(i, c)| (i, Parsed::Correction(c))),
            )
            .chain(self.bad.into_iter().map(|(i, p)| (i, Parsed::Bad(p))));
        for (i, record) in records {
            if let Some(slot) = parsed.get_mut(i) {
                *slot = Some(record);
            }
        }
        parsed
            .into_iter()
            .zip(self.stamps)
            .zip(self.checks)
            .map(|((parsed, stamp), checks)| {
                parsed.map(|parsed| Entry {
                    stamp,
                    parsed,
                    checks,
                })
            })
            .collect()
    }
}

impl<C: Sync + Serialize> ImageRef<'_, C> {
    /// Write the cache atomically; `started_ns` is when the files were examined,
    /// so an edit made while this run parsed is never trusted later.
    pub(super) fn write(self, path: &Path, started_ns: i64) -> std::io::Result<()> {
        let head = Head {
            episodes: self.episodes,
            corrections: self.corrections,
            bad: self.bad,
        };
        let mut encoded: Vec<Vec<u8>> = vec![encode(&head)?];
        let files: Vec<Vec<u8>> = self
            .files
            .par_chunks(CHUNK)
            .map(|chunk| {
                let mut paths = String::with_capacity(chunk.iter().map(|f| f.path.len()).sum());
                let mut lens = Vec::with_capacity(chunk.len());
                for f in chunk {
                    paths.push_str(&f.path);
                    lens.push(u32::try_from(f.path.len()).map_err(std::io::Error::other)?);
                }
                encode(&Files {
                    paths,
                    lens,
                    stamps: chunk.iter().flat_map(|f| f.stamp.to_bytes()).collect(),
                    checks: chunk.iter().map(|f| f.checks.as_ref()).collect(),
                })
            })
            .collect::<std::io::Result<_>>()?;
        let file_chunks = files.len() as u64;
        encoded.extend(files);
        let claims: Vec<Vec<u8>> = self
            .claims
            .par_chunks(CHUNK)
            .zip(self.claim_files.par_chunks(CHUNK))
            .map(|(claims, files)| encode(&(files, claims)))
            .collect::<std::io::Result<_>>()?;
        encoded.extend(claims);
        let mut head = Vec::with_capacity(MAGIC.len() + 24 + encoded.len() * 16);
        head.extend_from_slice(MAGIC);
        head.extend_from_slice(&started_ns.to_le_bytes());
        head.extend_from_slice(&(encoded.len() as u64).to_le_bytes());
        head.extend_from_slice(&file_chunks.to_le_bytes());
        let crcs: Vec<u32> = encoded.par_iter().map(|c| crc32fast::hash(c)).collect();
        for (chunk, crc) in encoded.iter().zip(crcs) {
            head.extend_from_slice(&(chunk.len() as u64).to_le_bytes());
            head.extend_from_slice(&u64::from(crc).to_le_bytes());
        }
        let sum = u64::from(crc32fast::hash(&head));
        super::write::atomic_with(path, false, |w| {
            w.write_all(&head)?;
            w.write_all(&sum.to_le_bytes())?;
            for chunk in &encoded {
                w.write_all(chunk)?;
            }
            Ok(())
        })
    }
}

fn encode<T: Serialize + ?Sized>(value: &T) -> std::io::Result<Vec<u8>> {
    postcard::to_allocvec(value).map_err(|e| std::io::Error::other(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Location;
    use crate::model::{Claim, State};

    /// A stamp of a file last changed long before any cache is written.
    fn stamp(size: u64) -> Stamp {
        let mut bytes = [0; Stamp::BYTES];
        bytes[..8].copy_from_slice(&size.to_le_bytes());
        bytes[24..].copy_from_slice(&(size + 100).to_le_bytes());
        Stamp::from_bytes(&bytes)
    }

    fn file(path: &str, size: u64) -> FileMeta {
        FileMeta {
            path: path.into(),
            stamp: stamp(size),
            checks: None,
        }
    }

    struct Fixture {
        files: Vec<FileMeta>,
        claims: Vec<Claim>,
        claim_files: Vec<usize>,
        episode: Episode,
        bad: Problem,
    }

    /// Files in path order: a bad file, two claims (kept in snapshot order,
    /// which is not theirs), an episode.
    fn fixture() -> Fixture {
        let mut files = vec![
            file("claims/ep/a.toml", 1),
            file("claims/ep/b.toml", 2),
            file("claims/ep/episode.toml", 3),
            file("claims/x.toml", 4),
        ];
        files[1].checks = Some(Checks {
            context: 7,
            problems: vec![Problem::new("claims/ep/b.toml", Location::File, "這段話")],
        });
        Fixture {
            files,
            claims: vec![
                Claim::for_test("b", "ep", State::Checking),
                Claim::for_test("a", "ep", State::NeedsCheck),
            ],
            claim_files: vec![1, 0],
            episode: Episode {
                id: "ep".parse().unwrap(),
                title: "科技浪".into(),
                date: Some("2024-01-01".parse().unwrap()),
                url: None,
                transcript: Some("transcript.txt".into()),
            },
            bad: Problem::new("claims/x.toml", Location::File, "move it"),
        }
    }

    fn write(f: &Fixture, path: &Path, files: usize) {
        ImageRef {
            files: &f.files[..files],
            claims: &f.claims,
            claim_files: &f.claim_files,
            episodes: vec![(2, &f.episode)],
            corrections: vec![],
            bad: vec![(3, &f.bad)],
        }
        .write(path, now_ns_for_test())
        .unwrap();
    }

    /// The fixture written whole to a cache in a new folder, and read back.
    fn written_and_read(f: &Fixture) -> (tempfile::TempDir, Image<Claim>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("records.cache");
        write(f, &path, 4);
        let image = Image::<Claim>::read(&path).expect("the cache just written");
        (dir, image)
    }

    fn now_ns_for_test() -> i64 {
        crate::store::stamp::now_ns()
    }

    fn listed(f: &Fixture) -> Vec<(&str, Option<Stamp>)> {
        f.files
            .iter()
            .map(|m| (m.path.as_str(), Some(m.stamp)))
            .collect()
    }

    #[test]
    fn a_snapshot_comes_back_whole_and_in_its_order() {
        let f = fixture();
        let (_dir, image) = written_and_read(&f);
        assert_eq!(image.files(), 4);
        assert!(image.holds_exactly(listed(&f).into_iter()));
        assert_eq!(image.claims, f.claims, "claims keep the snapshot's order");
        assert_eq!(image.claim_files, [1, 0]);
        assert_eq!(image.episodes, [(2, f.episode.clone())]);
        assert_eq!(image.bad, [(3, f.bad.clone())]);
        assert_eq!(image.checks[1], f.files[1].checks);
        assert_eq!(
            image.stamps,
            f.files.iter().map(|m| m.stamp).collect::<Vec<_>>()
        );
        assert_eq!(
            image.positions(["claims/ep/b.toml", "claims/ep/c.toml", "claims/x.toml"].into_iter()),
            [Some(1), None, Some(3)]
        );
        let entries = image.into_entries();
        let ids: Vec<Option<&str>> = entries
            .iter()
            .map(|e| match e.as_ref().map(|e| &e.parsed) {
                Some(Parsed::Claim(c)) => Some(c.id.as_str()),
                Some(Parsed::Episode(e)) => Some(e.id.as_str()),
                Some(Parsed::Bad(p)) => Some(p.path.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(
            ids,
            [Some("a"), Some("b"), Some("ep"), Some("claims/x.toml")],
            "each file's record, by the file's place"
        );
    }

    /// Chunks are decoded one onto the end of the last: many of them, the last
    /// one short, and claims kept in an order that is not their files'.
    #[test]
    fn a_snapshot_of_many_chunks_comes_back_whole_and_in_its_order() {
        let n = 2 * CHUNK + 17;
        let files: Vec<FileMeta> = (0..n)
            .map(|i| {
                let mut f = file(&format!("claims/ep/{i:05}-科技浪.toml"), i as u64);
                if i % 1000 == 1 {
                    f.checks = Some(Checks {
                        context: i as u64,
                        problems: vec![Problem::new(&f.path, Location::File, "引述")],
                    });
                }
                f
            })
            .collect();
        // Newest first, as a snapshot might keep them.
        let claim_files: Vec<usize> = (0..n).rev().collect();
        let claims: Vec<Claim> = claim_files
            .iter()
            .map(|i| Claim::for_test(&format!("c{i:05}"), "ep", State::NeedsCheck))
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("records.cache");
        ImageRef {
            files: &files,
            claims: &claims,
            claim_files: &claim_files,
            episodes: vec![],
            corrections: vec![],
            bad: vec![],
        }
        .write(&path, now_ns_for_test())
        .unwrap();
        let image = Image::<Claim>::read(&path).expect("the cache just written");
        assert_eq!(image.files(), n);
        let listed = files.iter().map(|f| (f.path.as_str(), Some(f.stamp)));
        assert!(image.holds_exactly(listed));
        assert_eq!(image.claims, claims);
        assert_eq!(image.claim_files, claim_files);
        let checks: Vec<Option<Checks>> = files.iter().map(|f| f.checks.clone()).collect();
        assert_eq!(image.checks, checks);
        assert_eq!(image.path(CHUNK), Some(files[CHUNK].path.as_str()));
    }

    #[test]
    fn any_change_to_the_files_means_the_snapshot_is_not_taken_whole() {
        let f = fixture();
        let (_dir, image) = written_and_read(&f);
        let mut changed = listed(&f);
        changed[2].1 = Some(stamp(30));
        assert!(!image.holds_exactly(changed.into_iter()), "a file changed");
        let mut unreadable = listed(&f);
        unreadable[0].1 = None;
        assert!(
            !image.holds_exactly(unreadable.into_iter()),
            "a file that could not be stamped"
        );
        let mut more = listed(&f);
        more.insert(2, ("claims/ep/c.toml", Some(stamp(9))));
        assert!(!image.holds_exactly(more.into_iter()), "a new file");
        assert!(
            !image.holds_exactly(listed(&f)[1..].iter().copied()),
            "a file removed"
        );
        let mut renamed = listed(&f);
        renamed[0].0 = "claims/ep/a2.toml";
        assert!(!image.holds_exactly(renamed.into_iter()), "a file renamed");
    }

    #[test]
    fn a_file_changed_as_the_cache_was_written_is_never_trusted() {
        let f = fixture();
        let (_dir, image) = written_and_read(&f);
        let now = now_ns_for_test();
        let mut bytes = stamp(1).to_bytes();
        bytes[8..16].copy_from_slice(&now.to_le_bytes());
        let fresh = Stamp::from_bytes(&bytes);
        assert!(!image.still(0, &fresh));
        assert!(image.still(0, &stamp(1)));
    }

    #[test]
    fn caches_cut_or_bit_flipped_anywhere_are_never_read() {
        use proptest::prelude::*;
        use proptest::test_runner::{Config, TestRunner};
        // In memory where the system has it: the property is the reader's, not the disk's.
        let shm = Path::new("/dev/shm");
        let dir = if shm.is_dir() {
            tempfile::tempdir_in(shm).unwrap()
        } else {
            tempfile::tempdir().unwrap()
        };
        let path = dir.path().join("records.cache");
        let paths = prop::collection::btree_set("[a-z/.]{1,12}|輝達/[a-z]{1,3}", 0..20);
        let config = Config {
            cases: 2_000,
            failure_persistence: None,
            ..Config::default()
        };
        let strategy = (paths, "\\PC{0,24}", any::<usize>(), any::<u8>());
        let result = TestRunner::new(config).run(&strategy, |(paths, message, at, bit)| {
            let files: Vec<FileMeta> = paths.iter().map(|p| file(p, p.len() as u64)).collect();
            let problems: Vec<Problem> = paths
                .iter()
                .map(|p| Problem::new(p, Location::File, message.clone()))
                .collect();
            ImageRef::<Claim> {
                files: &files,
                claims: &[],
                claim_files: &[],
                episodes: vec![],
                corrections: vec![],
                bad: problems.iter().enumerate().collect(),
            }
            .write(&path, now_ns_for_test())
            .unwrap();
            let good = std::fs::read(&path).unwrap();
            let read = Image::<Claim>::read(&path);
            prop_assert!(read.is_some(), "a whole cache is read");
            prop_assert_eq!(read.unwrap().files(), paths.len());
            let at = at % good.len();
            std::fs::write(&path, &good[..at]).unwrap();
            prop_assert!(Image::<Claim>::read(&path).is_none(), "cut at {}", at);
            let mut flipped = good.clone();
            flipped[at] ^= 1 << (bit % 8);
            std::fs::write(&path, &flipped).unwrap();
            prop_assert!(
                Image::<Claim>::read(&path).is_none(),
                "bit flipped at {}",
                at
            );
            Ok(())
        });
        if let Err(e) = result {
            panic!("{e}");
        }
    }

    #[test]
    fn a_torn_corrupt_or_incomplete_cache_is_refused() {
        let f = fixture();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("records.cache");
        write(&f, &path, 4);
        let good = std::fs::read(&path).unwrap();
        for at in [10, MAGIC.len() + 3, good.len() / 2, good.len() - 1] {
            let mut bad = good.clone();
            bad[at] ^= 0x20;
            std::fs::write(&path, &bad).unwrap();
            assert!(
                Image::<Claim>::read(&path).is_none(),
                "a bit flipped at {at}"
            );
        }
        std::fs::write(&path, &good[..good.len() - 5]).unwrap();
        assert!(Image::<Claim>::read(&path).is_none(), "torn");
        std::fs::write(&path, b"").unwrap();
        assert!(Image::<Claim>::read(&path).is_none(), "empty");
        // Written by hand as a bad release might: a record names a file that
        // is not there, so a file would have no record.
        write(&f, &path, 3);
        assert!(
            Image::<Claim>::read(&path).is_none(),
            "a record without its file"
        );
        ImageRef {
            files: &f.files,
            claims: &f.claims,
            claim_files: &f.claim_files,
            episodes: vec![(2, &f.episode)],
            corrections: vec![],
            bad: vec![],
        }
        .write(&path, now_ns_for_test())
        .unwrap();
        assert!(
            Image::<Claim>::read(&path).is_none(),
            "a file without its record"
        );
    }
}
