//! `errata edit`: a record changed by hand in an editor, checked before it is
//! committed. The editor loop itself belongs to the command; this module says
//! whether a text is a valid record and commits it.

use crate::diagnostic::{Problem, locate_in};
use crate::diff::{Change as FieldChangeKind, diff_records, summary};
use crate::git::{Change, CommitId};
use crate::model::Claim;
use crate::store::{Snapshot, Store, parse_claim_at};
use crate::validate::check_claim;

use super::OpError;
use super::message::{Message, Trailer};

/// What `errata edit` did: the commit of the edit, or none when nothing changed.
#[derive(Debug, serde::Serialize)]
pub struct Edited {
    pub id: crate::model::ClaimId,
    pub commit: Option<CommitId>,
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

/// Check an edited claim file: it must parse as a claim and keep every rule one
/// claim can keep on its own (sources behind verdicts, quotes in the transcript).
/// Problems come with line and column in `text`.
pub fn check_edit(
    store: &Store,
    snap: &Snapshot,
    claim: &Claim,
    text: &str,
) -> Result<Claim, Vec<(usize, usize, String)>> {
    let path = crate::store::claim_path(&claim.episode, &claim.id);
    let placed = |problems: Vec<Problem>| -> Vec<(usize, usize, String)> {
        locate_in(text, &problems)
            .into_iter()
            .map(|d| (d.line, d.column, d.message))
            .collect()
    };
    let edited = parse_claim_at(&path, text.as_bytes()).map_err(|p| placed(vec![p]))?;
    let transcript = super::transcript_of(store, snap, &edited);
    let problems = check_claim(&edited, transcript.as_ref());
    if problems.is_empty() {
        Ok(edited)
    } else {
        Err(placed(problems))
    }
}

/// Commit an edited claim file, with the field changes in the message.
pub fn commit_edit(
    store: &Store,
    claim: &Claim,
    before: &str,
    after: &str,
) -> Result<CommitId, OpError> {
    let path = crate::store::claim_path(&claim.episode, &claim.id);
    let current = std::fs::read_to_string(store.root().join(&path)).unwrap_or_default();
    if current != before {
        return Err(OpError::ChangedOnDisk { path });
    }
    let changes = diff_records(Some(before), Some(after));
    let mut message = Message::new("edit", format_args!("{} ({})", claim.id, summary(&changes)))
        .trailer(Trailer::Claim, &claim.id);
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
    Ok(store.commit_reviewed(
        &[Change {
            path,
            content: Some(after.as_bytes().to_vec()),
        }],
        &message.to_string(),
    )?)
}
