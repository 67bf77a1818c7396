//! `errata verdict`: a claim is `checked`, with its verdict and the sources
//! behind it. A verdict may be revised until a correction has aired on it.

use toml_edit::{Item, value};

use super::message::{Message, Trailer};
use super::{ClaimMove, Moved, OpError, rewrite_claim};
use crate::model::{Claim, Verdict};
use crate::store::write::{CLAIM_KEY_ORDER, set_key};
use crate::store::{Snapshot, Store};

/// Give a claim its verdict, with the addresses of sources behind it (added to
/// those it cites already) and the reasoning.
pub fn verdict(
    store: &Store,
    snap: &Snapshot,
    claim: &Claim,
    verdict: Verdict,
    sources: &[String],
    note: Option<&str>,
) -> Result<Moved, OpError> {
    let to = claim
        .state
        .judge(verdict)
        .map_err(|error| OpError::Lifecycle {
            id: claim.id.clone(),
            error,
        })?;
    let summary = match claim.state.verdict().filter(|v| *v != verdict) {
        Some(old) => format!("{} is {verdict} (was {old})", claim.id),
        None => format!("{} is {verdict}", claim.id),
    };
    let message = Message::new("verdict", summary)
        .trailer(Trailer::Claim, &claim.id)
        .status(claim.state.status(), to.status())
        .trailer(Trailer::Verdict, verdict);
    let commit = rewrite_claim(store, snap, claim, &message, |doc| {
        set_key(doc, "status", value(to.status().as_str()), CLAIM_KEY_ORDER);
        set_key(doc, "verdict", value(verdict.as_str()), CLAIM_KEY_ORDER);
        if let Some(n) = note {
            set_key(doc, "note", value(n), CLAIM_KEY_ORDER);
        }
        if !sources.is_empty() {
            let tables = doc
                .as_table_mut()
                .entry("sources")
                .or_insert(Item::ArrayOfTables(toml_edit::ArrayOfTables::new()));
            if let Some(array) = tables.as_array_of_tables_mut() {
                for url in sources {
                    if array
                        .iter()
                        .any(|t| t.get("url").and_then(|u| u.as_str()) == Some(url.as_str()))
                    {
                        continue;
                    }
                    let mut t = toml_edit::Table::new();
                    t["url"] = value(url.as_str());
                    array.push(t);
                }
            }
        }
    })?;
    Ok(Moved {
        claim: ClaimMove::new(&claim.id, claim.state, to),
        commit,
    })
}
