//! `errata start`: a claim's status becomes `checking`, optionally with who is
//! checking it.

use toml_edit::value;

use super::message::{Message, Trailer};
use super::{ClaimMove, Moved, OpError, rewrite_claim};
use crate::model::{Claim, OneLine, State};
use crate::store::Snapshot;
use crate::store::Store;
use crate::store::write::{CLAIM_KEY_ORDER, set_key};

/// Mark a claim as being checked, optionally by someone. A claim already being
/// checked may be handed to someone else; started again by the same person,
/// nothing would change, which is refused.
pub fn start(
    store: &Store,
    snap: &Snapshot,
    claim: &Claim,
    assignee: Option<&OneLine>,
) -> Result<Moved, OpError> {
    let to = claim.state.start().map_err(|error| OpError::Lifecycle {
        id: claim.id.clone(),
        error,
    })?;
    let reassigned = assignee.is_some_and(|a| claim.assignee.as_deref() != Some(a.as_str()));
    if claim.state == State::Checking && !reassigned {
        return Err(OpError::AlreadyChecking {
            id: claim.id.clone(),
            by: claim.assignee.clone(),
        });
    }
    let mut message = Message::new("start", format_args!("{} is checking", claim.id))
        .trailer(Trailer::Claim, &claim.id)
        .status(claim.state.status(), to.status());
    if let Some(a) = assignee {
        message = message.trailer(Trailer::Assignee, a);
    }
    let commit = rewrite_claim(store, snap, claim, &message, |doc| {
        set_key(doc, "status", value(to.status().as_str()), CLAIM_KEY_ORDER);
        if let Some(a) = assignee {
            set_key(doc, "assignee", value(a.as_str()), CLAIM_KEY_ORDER);
        }
    })?;
    Ok(Moved {
        claim: ClaimMove::new(&claim.id, claim.state, to),
        commit,
    })
}
