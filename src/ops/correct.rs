//! `errata correct`: the show said something wrong, and said (or published)
//! what is right. The correction record and every claim it names change in one
//! commit, so history never holds a correction whose claims are not yet marked
//! `corrected`, or a `corrected` claim that no correction names.

use serde::Serialize;
use toml_edit::{DocumentMut, value};

use super::message::{Message, Trailer};
use super::{ClaimMove, OpError, ensure_initialised, ids, resolve_claim, resolve_episode};
use crate::git::{Change, CommitId};
use crate::model::{Claim, ClaimId, Correction, CorrectionId, LifecycleError, Medium, Timestamp};
use crate::store::write::{CORRECTION_KEY_ORDER, set_key, string_array};
use crate::store::{Parsed, Snapshot, Store, correction_path, parse_at};
use crate::validate::rules;

/// A correction as given on the command line.
#[derive(Debug, Clone)]
pub struct NewCorrection {
    /// Ids (or unique prefixes) of the claims it corrects, from any episode.
    pub claims: Vec<String>,
    /// The episode in which the correction aired.
    pub episode: String,
    /// Where in that episode it aired.
    pub at: Timestamp,
    pub text: String,
    pub medium: Medium,
    pub reported_by: Option<crate::model::OneLine>,
    /// The correction's id; made from the text or the first claim when absent.
    pub id: Option<String>,
}

/// What `correct` did.
#[derive(Debug, Serialize)]
pub struct Corrected {
    pub id: CorrectionId,
    pub path: String,
    /// Each claim corrected, with the state it left and the one it has now.
    pub claims: Vec<ClaimMove>,
    pub commit: CommitId,
}

/// Record a correction and mark every claim it names `corrected`, in one commit.
pub fn correct(store: &Store, snap: &Snapshot, new: NewCorrection) -> Result<Corrected, OpError> {
    ensure_initialised(store)?;
    let episode = resolve_episode(snap, &new.episode)?.clone();

    // The claims, each once, in the order given, each allowed by the lifecycle.
    let mut claims: Vec<&Claim> = Vec::new();
    for prefix in &new.claims {
        let c = resolve_claim(snap, prefix)?;
        if !claims.iter().any(|k| k.id == c.id) {
            claims.push(c);
        }
    }
    let named = snap.corrections_by_claim();
    let mut moves = Vec::new();
    for c in &claims {
        match c.state.correct() {
            Ok(to) => moves.push((*c, to)),
            Err(LifecycleError::AlreadyCorrected) => {
                return Err(OpError::AlreadyCorrected {
                    id: c.id.clone(),
                    by: named
                        .get(&c.id)
                        .map(|cs| cs.iter().map(|k| k.id.clone()).collect())
                        .unwrap_or_default(),
                });
            }
            Err(error) => {
                return Err(OpError::Lifecycle {
                    id: c.id.clone(),
                    error,
                });
            }
        }
    }

    let taken = |id: &CorrectionId| {
        snap.corrections.iter().any(|c| &c.id == id)
            || store.root().join(correction_path(id)).exists()
    };
    let text = new.text.as_str();
    let id = match &new.id {
        Some(given) => {
            let id = CorrectionId::new(given)?;
            if taken(&id) {
                return Err(OpError::CorrectionExists(id));
            }
            id
        }
        None => ids::correction_id(text, claims.first().map(|c| &c.id), taken)?
            .ok_or_else(|| OpError::NoFreeId("the correction's words".into()))?,
    };

    let mut doc = DocumentMut::new();
    let order = CORRECTION_KEY_ORDER;
    let names: Vec<&ClaimId> = claims.iter().map(|c| &c.id).collect();
    set_key(
        &mut doc,
        "claims",
        string_array(names.iter().map(|id| id.as_str())),
        order,
    );
    set_key(&mut doc, "episode", value(episode.id.as_str()), order);
    set_key(&mut doc, "aired_at", value(new.at.to_string()), order);
    set_key(&mut doc, "medium", value(new.medium.as_str()), order);
    if let Some(r) = &new.reported_by {
        set_key(&mut doc, "reported_by", value(r.as_str()), order);
    }
    set_key(&mut doc, "text", value(text), order);
    let path = correction_path(&id);
    let record = doc.to_string();
    check_correction(store, &path, &record, snap)?;
    let mut changes = vec![Change {
        path: path.clone(),
        content: Some(record.into_bytes()),
    }];

    let mut moved = Vec::new();
    for (c, to) in moves {
        changes.push(super::status_change(store, snap, c, to)?);
        moved.push(ClaimMove::new(&c.id, c.state, to));
    }

    let message = commit_message(&id, &episode.id, new.at, new.medium, &names);
    let commit = super::commit(store, &changes, &message)?;
    Ok(Corrected {
        id,
        path,
        claims: moved,
        commit,
    })
}

/// The correction as it will be written, against the rules of one correction
/// (and the transcript of the episode it aired in).
fn check_correction(store: &Store, path: &str, text: &str, snap: &Snapshot) -> Result<(), OpError> {
    let correction: Correction = match parse_at(path, text.as_bytes()) {
        Parsed::Correction(c) => c,
        Parsed::Bad(p) => return Err(OpError::Record(p)),
        _ => return super::unreachable_record(path),
    };
    let transcript = snap
        .episodes
        .get(&correction.episode)
        .and_then(|ep| store.transcript(ep).transpose())
        .transpose()?;
    match rules::correction(&correction, transcript.as_ref())
        .into_iter()
        .next()
    {
        Some(v) => Err(v.into()),
        None => Ok(()),
    }
}

/// `correct: a, b corrected on air in EP at T`, then trailers a script can read.
fn commit_message(
    id: &CorrectionId,
    episode: &crate::model::EpisodeId,
    at: Timestamp,
    medium: Medium,
    claims: &[&ClaimId],
) -> Message {
    let names: Vec<&str> = claims.iter().map(|c| c.as_str()).collect();
    let place = match medium {
        Medium::OnAir => "on air",
        Medium::ShowNotes => "in the show notes",
        Medium::Website => "on the website",
        Medium::Social => "on social media",
    };
    let mut m = Message::new(
        "correct",
        format_args!(
            "{} corrected {place} in {episode} at {at}",
            names.join(", ")
        ),
    )
    .trailer(Trailer::Correction, id)
    .trailer(Trailer::Episode, episode);
    for n in &names {
        m = m.trailer(Trailer::Claim, n);
    }
    m.status(
        crate::model::Status::Checked,
        crate::model::Status::Corrected,
    )
}
