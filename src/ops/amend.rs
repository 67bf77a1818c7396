//! Changing a correction after it was recorded: its text, where and how it
//! aired, the claims it names; through `errata amend` or `errata edit`. The
//! claims keep the lifecycle in the same commit as the correction: a claim it
//! newly names becomes `corrected`, one it no longer names (and no other
//! correction names) goes back to `checked` with the verdict it had. Every
//! amendment is a commit of its own, so the public log can show it. Uses
//! `store`, `model`, `validate::rules` and `diff` (what changed, for the message).

use serde::Serialize;
use toml_edit::value;

use super::message::{Message, Trailer};
use super::{ClaimMove, OpError, checked_claim, document, resolve_claim, transcript_of};
use crate::diagnostic::{Location, Problem, Step};
use crate::diff::{diff_records, summary};
use crate::git::{Change, CommitId};
use crate::model::{
    Claim, ClaimId, Correction, CorrectionId, EpisodeId, LifecycleError, Medium, OneLine, State,
    Timestamp,
};
use crate::store::write::{CLAIM_KEY_ORDER, CORRECTION_KEY_ORDER, set_key, string_array};
use crate::store::{Parsed, Snapshot, Store, claim_path, correction_path, parse_at};
use crate::validate::rules;

/// What to change in a correction; what is `None` (or empty) stays as it is.
#[derive(Debug, Clone, Default)]
pub struct Amendment {
    pub text: Option<String>,
    pub episode: Option<String>,
    pub at: Option<Timestamp>,
    pub medium: Option<Medium>,
    /// `Some(None)` takes the name of who reported it out.
    pub reported_by: Option<Option<OneLine>>,
    /// Claims (ids or unique prefixes) the correction also corrects.
    pub add: Vec<String>,
    /// Claims (ids or unique prefixes of those it names) it no longer corrects.
    pub remove: Vec<String>,
}

/// What an amendment (or an edit) of a correction did.
#[derive(Debug, Serialize)]
pub struct Amended {
    pub id: CorrectionId,
    pub path: String,
    /// The fields that changed, in words: `text changed, claims: +a`.
    pub summary: String,
    /// Each claim whose status moved with the correction.
    pub claims: Vec<ClaimMove>,
    pub commit: CommitId,
}

/// A correction's new text checked against every rule it must keep, with the
/// status each claim must move to for the lifecycle to hold.
pub struct Planned {
    pub correction: Correction,
    moves: Vec<(Claim, State)>,
}

/// Find a correction by its id or a unique prefix of it.
pub fn resolve_correction<'a, C>(
    snap: &'a Snapshot<C>,
    prefix: &str,
) -> Result<&'a Correction, OpError> {
    if let Some(c) = snap.corrections.iter().find(|c| c.id.as_str() == prefix) {
        return Ok(c);
    }
    let matches: Vec<&Correction> = snap
        .corrections
        .iter()
        .filter(|c| c.id.as_str().starts_with(prefix))
        .collect();
    match matches.as_slice() {
        [] => Err(OpError::UnknownCorrection(prefix.to_owned())),
        [one] => Ok(one),
        many => Err(OpError::AmbiguousRecord {
            prefix: prefix.to_owned(),
            candidates: many
                .iter()
                .map(|c| format!("correction {}", c.id))
                .collect(),
        }),
    }
}

/// Check what a correction's file is to hold instead of `old`: it parses, keeps
/// the rules of one correction, names claims and an episode that exist, and
/// every claim it newly names may be corrected. Problems come with where in
/// `text` they are, for an editor to show.
pub fn plan(
    store: &Store,
    snap: &Snapshot,
    old: &Correction,
    text: &str,
) -> Result<Planned, Vec<Problem>> {
    let path = correction_path(&old.id);
    let correction = match parse_at(&path, text.as_bytes()) {
        Parsed::Correction(c) => c,
        Parsed::Bad(p) => return Err(vec![p]),
        _ => {
            return Err(vec![Problem::new(
                &path,
                Location::File,
                "not a correction",
            )]);
        }
    };
    let transcript = snap
        .episodes
        .get(&correction.episode)
        .and_then(|ep| store.transcript(ep).ok().flatten());
    let mut problems: Vec<Problem> = rules::correction(&correction, transcript.as_ref())
        .iter()
        .map(|v| v.problem(&path))
        .collect();
    if !snap.episodes.contains_key(&correction.episode) {
        problems.push(Problem::new(
            &path,
            Location::key("episode"),
            format!(
                "no episode `{}`: register it with `errata episode add`",
                correction.episode
            ),
        ));
    }
    let others = |id: &ClaimId| -> Vec<&CorrectionId> {
        snap.corrections
            .iter()
            .filter(|c| c.id != old.id && c.claims.contains(id))
            .map(|c| &c.id)
            .collect()
    };
    let mut moves = Vec::new();
    for (i, id) in correction.claims.iter().enumerate() {
        if old.claims.contains(id) || correction.claims[..i].contains(id) {
            continue;
        }
        let at = Location::Field(vec![Step::Key("claims".into()), Step::Index(i)]);
        let Some(claim) = snap.claims.iter().find(|c| &c.id == id) else {
            problems.push(Problem::new(
                &path,
                at,
                format!("no claim has the id `{id}`"),
            ));
            continue;
        };
        match claim.state.correct() {
            Ok(to) => moves.push((claim.clone(), to)),
            Err(LifecycleError::AlreadyCorrected) => {
                let by: Vec<String> = others(id).iter().map(|c| c.to_string()).collect();
                problems.push(Problem::new(
                    &path,
                    at,
                    format!(
                        "claim `{id}` is already corrected by {}",
                        if by.is_empty() {
                            "a correction".to_owned()
                        } else {
                            by.join(", ")
                        }
                    ),
                ));
            }
            Err(e) => problems.push(Problem::new(&path, at, format!("claim `{id}` {e}"))),
        }
    }
    for id in &old.claims {
        if correction.claims.contains(id) || !others(id).is_empty() {
            continue;
        }
        if let Some(claim) = snap.claims.iter().find(|c| &c.id == id)
            && claim.state.uncorrect() != claim.state
        {
            moves.push((claim.clone(), claim.state.uncorrect()));
        }
    }
    if problems.is_empty() {
        Ok(Planned { correction, moves })
    } else {
        Err(problems)
    }
}

/// Apply an [`Amendment`] to a correction and commit it with the claims that
/// move with it.
pub fn amend(
    store: &Store,
    snap: &Snapshot,
    prefix: &str,
    amendment: Amendment,
) -> Result<Amended, OpError> {
    super::ensure_initialised(store)?;
    let old = resolve_correction(snap, prefix)?.clone();
    let path = correction_path(&old.id);
    let before = store.read_for_change(&path)?;
    let mut doc = document(&path, &before)?;
    let order = CORRECTION_KEY_ORDER;
    if let Some(text) = &amendment.text {
        set_key(&mut doc, "text", value(text.as_str()), order);
    }
    if let Some(ep) = &amendment.episode {
        let ep = EpisodeId::new(ep)?;
        if !snap.episodes.contains_key(&ep) {
            return Err(OpError::UnknownEpisode(ep.to_string()));
        }
        set_key(&mut doc, "episode", value(ep.as_str()), order);
    }
    if let Some(at) = amendment.at {
        set_key(&mut doc, "aired_at", value(at.to_string()), order);
    }
    if let Some(m) = amendment.medium {
        set_key(&mut doc, "medium", value(m.as_str()), order);
    }
    match &amendment.reported_by {
        Some(Some(r)) => set_key(&mut doc, "reported_by", value(r.as_str()), order),
        Some(None) => {
            doc.remove("reported_by");
        }
        None => {}
    }
    if !amendment.add.is_empty() || !amendment.remove.is_empty() {
        let mut claims: Vec<ClaimId> = old.claims.clone();
        for prefix in &amendment.remove {
            let id = named_claim(&old, prefix)?;
            claims.retain(|c| c != &id);
        }
        for prefix in &amendment.add {
            let id = resolve_claim(snap, prefix)?.id.clone();
            if old.claims.contains(&id) {
                return Err(OpError::AlreadyNamed {
                    correction: old.id.clone(),
                    claim: id,
                });
            }
            if !claims.contains(&id) {
                claims.push(id);
            }
        }
        set_key(
            &mut doc,
            "claims",
            string_array(claims.iter().map(ClaimId::as_str)),
            order,
        );
    }
    let after = doc.to_string();
    if after == before {
        return Err(OpError::NothingToChange { path });
    }
    let planned = plan(store, snap, &old, &after).map_err(|mut p| OpError::Record(p.remove(0)))?;
    commit_planned(store, snap, &old, &before, &after, planned, "amend")
}

/// The id among those `old` names that `prefix` names.
fn named_claim(old: &Correction, prefix: &str) -> Result<ClaimId, OpError> {
    if let Some(id) = old.claims.iter().find(|c| c.as_str() == prefix) {
        return Ok(id.clone());
    }
    let matches: Vec<&ClaimId> = old
        .claims
        .iter()
        .filter(|c| c.as_str().starts_with(prefix))
        .collect();
    match matches.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(OpError::NotNamed {
            correction: old.id.clone(),
            claim: prefix.to_owned(),
        }),
        many => Err(OpError::AmbiguousClaim {
            prefix: prefix.to_owned(),
            candidates: many.iter().map(|c| c.to_string()).collect(),
        }),
    }
}

/// Commit a correction's new text with the status of every claim that moves
/// with it, in one commit: `VERB: ID (what changed)`, with trailers.
pub fn commit_planned(
    store: &Store,
    snap: &Snapshot,
    old: &Correction,
    before: &str,
    after: &str,
    planned: Planned,
    verb: &str,
) -> Result<Amended, OpError> {
    let path = correction_path(&old.id);
    let current = std::fs::read_to_string(store.root().join(&path)).unwrap_or_default();
    if current != before {
        return Err(OpError::ChangedOnDisk { path });
    }
    let what = summary(&diff_records(Some(before), Some(after)));
    let mut message = Message::new(verb, format_args!("{} ({what})", old.id))
        .trailer(Trailer::Correction, &old.id)
        .trailer(Trailer::Episode, &planned.correction.episode);
    let mut changes = vec![Change {
        path: path.clone(),
        content: Some(after.as_bytes().to_vec()),
    }];
    let mut moved = Vec::new();
    for (claim, to) in &planned.moves {
        let rel = claim_path(&claim.episode, &claim.id);
        let text = store.read_for_change(&rel)?;
        let mut doc = document(&rel, &text)?;
        set_key(
            &mut doc,
            "status",
            value(to.status().as_str()),
            CLAIM_KEY_ORDER,
        );
        let new_text = doc.to_string();
        let transcript = transcript_of(store, snap, claim);
        checked_claim(&rel, &new_text, Some(claim), transcript.as_ref())?;
        changes.push(Change {
            path: rel,
            content: Some(new_text.into_bytes()),
        });
        message = message
            .trailer(Trailer::Claim, &claim.id)
            .status(claim.state.status(), to.status());
        moved.push(ClaimMove::new(&claim.id, claim.state, *to));
    }
    let commit = super::commit(store, &changes, &message)?;
    Ok(Amended {
        id: old.id.clone(),
        path,
        summary: what,
        claims: moved,
        commit,
    })
}
