//! `errata edit`: a record (claim, correction or episode) changed by hand in an
//! editor, checked before it is committed. The editor loop itself belongs to the command; this module says
//! whether a text is a valid record and commits it.

use crate::diagnostic::{Location, Problem, locate_in};
use crate::diff::{Change as FieldChangeKind, diff_records, summary};
use crate::git::{Change, CommitId};
use crate::model::{Claim, Correction, Episode};
use crate::store::{Parsed, RecordKind, Snapshot, Store, parse_at, parse_claim_at};
use crate::validate::{check_claim, rules};

use super::amend::Planned;

use super::OpError;
use super::message::{Message, Trailer};

/// What `errata edit` did: the commit of the edit, or none when nothing changed.
#[derive(Debug, serde::Serialize)]
pub struct Edited {
    pub kind: RecordKind,
    pub id: String,
    pub commit: Option<CommitId>,
    /// Claims whose status moved with an edited correction.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub claims: Vec<super::ClaimMove>,
}

/// The record being edited, as it is now.
pub enum Target {
    Claim(Claim),
    Correction(Correction),
    Episode(Episode),
}

impl Target {
    pub fn kind(&self) -> RecordKind {
        match self {
            Target::Claim(_) => RecordKind::Claim,
            Target::Correction(_) => RecordKind::Correction,
            Target::Episode(_) => RecordKind::Episode,
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Target::Claim(c) => c.id.as_str(),
            Target::Correction(c) => c.id.as_str(),
            Target::Episode(e) => e.id.as_str(),
        }
    }

    pub fn path(&self) -> String {
        match self {
            Target::Claim(c) => crate::store::claim_path(&c.episode, &c.id),
            Target::Correction(c) => crate::store::correction_path(&c.id),
            Target::Episode(e) => crate::store::episode_path(&e.id),
        }
    }
}

/// An edited text that passed its checks, with what committing it involves.
pub enum Checked {
    Claim,
    Correction(Planned),
    Episode,
}

/// Lines errata puts at the top of a file it reopens, so they can be taken out
/// again before the file is checked or committed.
pub const NOTE_PREFIX: &str = "# errata: ";

/// The text without the notes errata added on top.
pub fn strip_notes(text: &str) -> String {
    text.lines()
        .skip_while(|l| l.starts_with(NOTE_PREFIX))
        .collect::<Vec<_>>()
        .join("\n")
        + if text.ends_with('\n') { "\n" } else { "" }
}

/// The notes to put on top of a text that did not pass, one per problem, with
/// the line and column where the editor will show them (below the notes).
pub fn notes(problems: &[(usize, usize, String)]) -> String {
    let offset = problems.len() + 2;
    let mut out = format!(
        "{NOTE_PREFIX}this record was not saved: fix what is listed here and save again,\n"
    );
    out.push_str(&format!(
        "{NOTE_PREFIX}or empty the file (or leave it unchanged) to give up.\n"
    ));
    for (line, col, message) in problems {
        out.push_str(&format!(
            "{NOTE_PREFIX}line {}, column {col}: {message}\n",
            line + offset
        ));
    }
    out
}

/// Check an edited record file: it must parse as the same kind of record and
/// keep every rule that record can keep on its own (a claim: sources behind
/// verdicts, quotes in the transcript; a correction: claims that exist and may
/// be corrected). Problems come with line and column in `text`.
pub fn check_edit(
    store: &Store,
    snap: &Snapshot,
    target: &Target,
    text: &str,
) -> Result<Checked, Vec<(usize, usize, String)>> {
    let path = target.path();
    let placed = |problems: Vec<Problem>| -> Vec<(usize, usize, String)> {
        locate_in(text, &problems)
            .into_iter()
            .map(|d| (d.line, d.column, d.message))
            .collect()
    };
    match target {
        Target::Claim(_) => {
            let edited = parse_claim_at(&path, text.as_bytes()).map_err(|p| placed(vec![p]))?;
            let transcript = super::transcript_of(store, snap, &edited);
            let problems = check_claim(&edited, transcript.as_ref());
            if problems.is_empty() {
                Ok(Checked::Claim)
            } else {
                Err(placed(problems))
            }
        }
        Target::Correction(old) => super::amend::plan(store, snap, old, text)
            .map(Checked::Correction)
            .map_err(placed),
        Target::Episode(_) => match parse_at(&path, text.as_bytes()) {
            Parsed::Episode(e) => {
                let problems: Vec<Problem> = rules::episode(&e)
                    .iter()
                    .map(|v| v.problem(&path))
                    .collect();
                if problems.is_empty() {
                    Ok(Checked::Episode)
                } else {
                    Err(placed(problems))
                }
            }
            Parsed::Bad(p) => Err(placed(vec![p])),
            _ => Err(placed(vec![Problem::new(
                &path,
                Location::File,
                "not an episode",
            )])),
        },
    }
}

/// Commit an edited record file, with the field changes in the message (and,
/// for a correction, the claims whose status moves with it).
pub fn commit_edit(
    store: &Store,
    snap: &Snapshot,
    target: &Target,
    before: &str,
    after: &str,
    checked: Checked,
) -> Result<Edited, OpError> {
    let edited = |commit, claims| Edited {
        kind: target.kind(),
        id: target.id().to_owned(),
        commit: Some(commit),
        claims,
    };
    if let (Target::Correction(old), Checked::Correction(planned)) = (target, checked) {
        let done = super::amend::commit_planned(store, snap, old, before, after, planned, "edit")?;
        return Ok(edited(done.commit, done.claims));
    }
    let path = target.path();
    let current = std::fs::read_to_string(store.root().join(&path)).unwrap_or_default();
    if current != before {
        return Err(OpError::ChangedOnDisk { path });
    }
    let changes = diff_records(Some(before), Some(after));
    let mut message = Message::new(
        "edit",
        format_args!("{} ({})", target.id(), summary(&changes)),
    );
    message = match target {
        Target::Claim(_) => message.trailer(Trailer::Claim, target.id()),
        _ => message.trailer(Trailer::Episode, target.id()),
    };
    for c in &changes {
        if let FieldChangeKind::Set { old, new } = &c.change {
            let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".into());
            match c.field.as_str() {
                "status" => {
                    message = message.trailer(
                        Trailer::Status,
                        format_args!("{} -> {}", show(old), show(new)),
                    )
                }
                "verdict" => message = message.trailer(Trailer::Verdict, show(new)),
                _ => {}
            }
        }
    }
    let commit = store.commit_reviewed(
        &[Change {
            path,
            content: Some(after.as_bytes().to_vec()),
        }],
        &message.to_string(),
    )?;
    Ok(edited(commit, Vec::new()))
}
