//! `errata sources check --write-archived`: record the archived copy of
//! sources that went away or changed, every claim touched in one commit.

use serde::Serialize;
use toml_edit::{DocumentMut, value};

use super::message::{Message, Trailer};
use super::{OpError, checked_claim, commit, document, transcript_of};
use crate::git::{Change, CommitId};
use crate::model::{Claim, ClaimId};
use crate::store::{Snapshot, Store, claim_path};

/// An archived copy to record for one source of one claim.
#[derive(Debug, Clone, Serialize)]
pub struct NewArchive {
    pub id: ClaimId,
    /// The source's address, which names it in the claim.
    pub url: String,
    pub archived: String,
}

/// What `--write-archived` did.
#[derive(Debug, Serialize)]
pub struct ArchivesRecorded {
    pub recorded: Vec<NewArchive>,
    pub commit: CommitId,
}

/// Set `archived` on each named source (one that already has one is left as
/// it is), check every claim it changes, and commit them together.
pub fn record_archives(
    store: &Store,
    snap: &Snapshot,
    archives: &[NewArchive],
) -> Result<Option<ArchivesRecorded>, OpError> {
    let mut changes = Vec::new();
    let mut recorded = Vec::new();
    let mut claims: Vec<&Claim> = Vec::new();
    for a in archives {
        if let Some(c) = snap.claims.iter().find(|c| c.id == a.id)
            && !claims.iter().any(|k| k.id == c.id)
        {
            claims.push(c);
        }
    }
    for claim in claims {
        let path = claim_path(&claim.episode, &claim.id);
        let text = store.read_for_change(&path)?;
        let mut doc = document(&path, &text)?;
        let mut any = false;
        for a in archives.iter().filter(|a| a.id == claim.id) {
            if set_archived(&mut doc, &a.url, &a.archived) {
                recorded.push(a.clone());
                any = true;
            }
        }
        if !any {
            continue;
        }
        let mut out = doc.to_string();
        if text.contains("\r\n") {
            out = out.replace("\r\n", "\n").replace('\n', "\r\n");
        }
        let transcript = transcript_of(store, snap, claim);
        checked_claim(&path, &out, Some(claim), transcript.as_ref())?;
        changes.push(Change {
            path,
            content: Some(out.into_bytes()),
        });
    }
    if recorded.is_empty() {
        return Ok(None);
    }
    let n = recorded.len();
    let mut message = Message::new(
        "sources",
        format_args!(
            "archived copies of {n} source{}",
            if n == 1 { "" } else { "s" }
        ),
    );
    let mut named: Vec<&ClaimId> = Vec::new();
    for a in &recorded {
        if !named.contains(&&a.id) {
            named.push(&a.id);
            message = message.trailer(Trailer::Claim, &a.id);
        }
    }
    for a in &recorded {
        message = message.trailer(Trailer::Source, &a.url);
    }
    let commit = commit(store, &changes, &message)?;
    Ok(Some(ArchivesRecorded { recorded, commit }))
}

/// Set `archived` on the source table whose url is `url`, unless it has one:
/// whether anything changed. `archived` is the last key of a source, so it goes
/// at the end of the table.
fn set_archived(doc: &mut DocumentMut, url: &str, archived: &str) -> bool {
    let Some(tables) = doc
        .as_table_mut()
        .get_mut("sources")
        .and_then(|s| s.as_array_of_tables_mut())
    else {
        return false;
    };
    for t in tables.iter_mut() {
        if t.get("url").and_then(|v| v.as_str()) == Some(url) && !t.contains_key("archived") {
            t["archived"] = value(archived);
            return true;
        }
    }
    false
}
