//! `errata add`: log a claim as `needs-check`, finding where its quote was said
//! when the episode has a transcript.

use serde::Serialize;
use toml_edit::{DocumentMut, value};

use super::message::{Message, Trailer};
use super::{OpError, checked_claim, ensure_initialised, ids, nonblank, resolve_episode};
use crate::git::{Change, CommitId};
use crate::model::{ClaimId, OneLine, Status, Timestamp};
use crate::store::write::string_array;
use crate::store::{Snapshot, Store, claim_path};
use crate::validate::rules;

/// A claim to log, as given on the command line.
#[derive(Debug, Default)]
pub struct NewClaim {
    pub episode: String,
    pub quote: Option<String>,
    pub claim: Option<String>,
    pub at: Option<Timestamp>,
    pub id: Option<String>,
    pub speaker: Option<OneLine>,
    pub tags: Vec<OneLine>,
}

/// What `add` did.
#[derive(Debug, Serialize)]
pub struct ClaimAdded {
    pub id: ClaimId,
    pub path: String,
    pub said_at: Option<Timestamp>,
    /// Who said it: as given, or from the transcript.
    pub speaker: Option<String>,
    pub commit: CommitId,
}

/// Log a claim as `needs-check`.
pub fn add_claim(store: &Store, snap: &Snapshot, new: NewClaim) -> Result<ClaimAdded, OpError> {
    ensure_initialised(store)?;
    let episode = resolve_episode(snap, &new.episode)?.clone();
    let quote = nonblank(new.quote);
    let claim_text = nonblank(new.claim);
    let transcript = store.transcript(&episode)?;
    // Without --at, the claim was said where its quote is; the rules below say
    // whether a given time and the quote agree.
    let said_at = new.at.or_else(|| {
        let t = transcript.as_ref()?;
        rules::quote_place(t, quote.as_deref()?)
    });
    // Without --speaker, the speaker is whoever the transcript says speaks the
    // segments where the quote is.
    let speaker: Option<String> = match &new.speaker {
        Some(s) => Some(s.to_string()),
        None => transcript.as_ref().and_then(|t| {
            let range = t.find(quote.as_deref()?)?;
            Some(t.speaker_of(range)?.to_owned())
        }),
    };
    let tags: Vec<&str> = new.tags.iter().map(OneLine::as_str).collect();

    // An id is taken when a file has it, in any episode, read or not: the
    // file names are the set of ids, so nothing is parsed to tell.
    let taken = |id: &ClaimId| !store.episodes_with_claim(id).is_empty();
    let id = match new.id {
        Some(id) => {
            let id = ClaimId::new(&id)?;
            if id.as_str() == "episode" {
                return Err(OpError::ReservedId(id.to_string()));
            }
            if taken(&id) {
                return Err(OpError::ClaimExists(id.to_string()));
            }
            id
        }
        None => ids::claim_id(claim_text.as_deref(), quote.as_deref(), &tags, taken)?
            .ok_or_else(|| OpError::NoFreeId("the claim's words".into()))?,
    };

    let mut doc = DocumentMut::new();
    doc["status"] = value(Status::NeedsCheck.as_str());
    if let Some(at) = said_at {
        doc["said_at"] = value(at.to_string());
    }
    if let Some(s) = &speaker {
        doc["speaker"] = value(s.as_str());
    }
    if let Some(q) = &quote {
        doc["quote"] = value(q.as_str());
    }
    if let Some(c) = &claim_text {
        doc["claim"] = value(c.as_str());
    }
    if !tags.is_empty() {
        doc["tags"] = string_array(tags);
    }
    let path = claim_path(&episode.id, &id);
    let text = doc.to_string();
    checked_claim(&path, &text, None, transcript.as_ref())?;
    if store.root().join(&path).exists() {
        return Err(OpError::ClaimExists(id.to_string()));
    }
    let message = Message::new("add", format_args!("{id} in {}", episode.id))
        .trailer(Trailer::Claim, &id)
        .trailer(Trailer::Status, Status::NeedsCheck);
    let commit = super::commit(
        store,
        &[Change {
            path: path.clone(),
            content: Some(text.into_bytes()),
        }],
        &message,
    )?;
    Ok(ClaimAdded {
        id,
        path,
        said_at,
        speaker,
        commit,
    })
}
