//! One file's bytes into a record, with the same rules wherever the bytes come
//! from (the working tree, the cache's miss, a revision in history). A file that
//! is not a record becomes a [`Problem`] at the span the parser names.

use std::path::Path;

use super::layout::{Kind, RecordFile};
use super::{Parsed, RecordKind, StoreError, episode_path, record_kind, transcript_path};
use crate::diagnostic::{Location, Problem, UNRESOLVED_CONFLICT};
use crate::model::{
    Claim, ClaimError, ClaimFile, ClaimId, Correction, CorrectionFile, CorrectionId, Episode,
    EpisodeFile,
};
use crate::transcript::Transcript;

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
    if let Some(link) = super::symbolic_link_in(root, &path) {
        return Err(StoreError::SymbolicLink { path: link });
    }
    if let Ok(meta) = std::fs::metadata(root.join(&path))
        && meta.len() > super::MAX_TRANSCRIPT_BYTES
    {
        return Err(StoreError::TooLarge {
            path,
            size: meta.len(),
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

/// Parse a TOML file into `T`, turning a failure into a problem at the parser's span.
pub fn parse_toml<T: serde::de::DeserializeOwned>(rel: &str, bytes: &[u8]) -> Result<T, Problem> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Problem::new(
            rel,
            Location::Span(e.valid_up_to()..e.valid_up_to()),
            "the file is not UTF-8 text; save it as UTF-8",
        )
    })?;
    if let Some(marker) = conflict_marker(text) {
        return Err(Problem::new(
            rel,
            Location::Span(marker),
            format!(
                "{UNRESOLVED_CONFLICT}: keep what is right from each side, delete the marker lines (<<<<<<<, =======, >>>>>>>), then `git add {rel}` and commit (or `git merge --abort`)"
            ),
        ));
    }
    toml::from_str(text).map_err(|e| {
        let location = match e.span() {
            Some(span) if span != (0..0) => Location::Span(span),
            _ => Location::File,
        };
        Problem::new(rel, location, e.message().trim_end().to_owned())
    })
}

/// Where the first git conflict marker is: a `<<<<<<<` line followed by a
/// `=======` line and then a `>>>>>>>` line (of any length of seven or more, as
/// `%L` sets it). A file in this state is what a merge left for a person to
/// finish; naming it so says more than TOML's complaint about a stray `<`.
fn conflict_marker(text: &str) -> Option<std::ops::Range<usize>> {
    let is = |line: &str, c: char| {
        let run = line.chars().take_while(|&x| x == c).count();
        run >= 7
            && line[run..]
                .chars()
                .next()
                .is_none_or(|x| x == ' ' || x == '\r')
    };
    let mut offset = 0;
    let mut start = None;
    let mut middle = false;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches('\n');
        match start {
            None if is(bare, '<') => start = Some(offset..offset + bare.trim_end().len()),
            Some(_) if !middle && is(bare, '=') => middle = true,
            Some(_) if middle && is(bare, '>') => return start,
            _ => {}
        }
        offset += line.len();
    }
    None
}

/// Parse a record's content as it is at `rel` (in the working tree, about to be
/// written, or at any revision), with the same rules as [`Store::load`]; what
/// the record is comes from its path, as it does when the tree is loaded.
///
/// [`Store::load`]: super::Store::load
pub fn parse_at(rel: &str, bytes: &[u8]) -> Parsed {
    // Anything else is read as a claim, whose checks then say what is wrong.
    let kind = match record_kind(rel) {
        Some(RecordKind::Correction) => Kind::Correction,
        Some(RecordKind::Episode) => Kind::Episode,
        _ => Kind::Claim,
    };
    let file = RecordFile {
        rel: rel.to_owned(),
        kind,
        stamp: None,
    };
    parse_record(&file, bytes)
}

/// [`parse_at`] for a file that must hold a claim.
pub fn parse_claim_at(rel: &str, bytes: &[u8]) -> Result<Claim, Problem> {
    match parse_at(rel, bytes) {
        Parsed::Claim(c) => Ok(c),
        Parsed::Bad(p) => Err(p),
        _ => Err(Problem::new(rel, Location::File, "not a claim")),
    }
}

pub(super) fn parse_record(f: &RecordFile, bytes: &[u8]) -> Parsed {
    let bad = |location, message: String| Parsed::Bad(Problem::new(&f.rel, location, message));
    if bytes.len() as u64 > super::MAX_RECORD_BYTES {
        return bad(Location::File, super::too_large(&f.rel, bytes.len() as u64));
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflict_markers_are_found_only_as_a_whole() {
        let text = "status = \"checked\"\n<<<<<<< ours\nverdict = \"accurate\"\n=======\nverdict = \"misleading\"\n>>>>>>> theirs\n";
        let at = conflict_marker(text).unwrap();
        assert_eq!(&text[at], "<<<<<<< ours");
        let crlf = text.replace('\n', "\r\n");
        assert_eq!(&crlf[conflict_marker(&crlf).unwrap()], "<<<<<<< ours");
        let long = "<<<<<<<<<< a\nx\n==========\ny\n>>>>>>>>>> b\n";
        assert_eq!(conflict_marker(long), Some(0..12));
        // A note that merely mentions a marker, or half a conflict, is not one.
        assert_eq!(
            conflict_marker("note = \"\"\"\n<<<<<<< ours\n\"\"\"\n"),
            None
        );
        assert_eq!(conflict_marker("<<<<<<x\n=======\n>>>>>>>\n"), None);
        let problem = parse_toml::<toml::Table>("claims/e/x.toml", text.as_bytes()).unwrap_err();
        assert!(problem.is_conflict(), "{}", problem.message);
        assert_eq!(problem.location, Location::Span(19..31));
    }
}
