//! The rules that need more than one record: ids unique across episodes, a
//! correction naming claims and an episode that exist, and a claim's status
//! agreeing with the corrections that name it; and one warning, two claims of
//! an episode quoting the same words (two editors logging one claim). Uses
//! `store` (paths) and `model`.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::diagnostic::{Location, Problem, Step};
use crate::model::{ClaimId, ClaimSummary, Correction, Episode, EpisodeId, QuoteKey, State};
use crate::store::{claim_path, correction_path};

/// Claim ids used in more than one episode, one problem per file; and the ids
/// in order, for [`has_claim`].
pub(super) fn duplicate_ids(claims: &[ClaimSummary]) -> (Vec<Problem>, Vec<&ClaimSummary>) {
    let mut by_id: Vec<&ClaimSummary> = claims.iter().collect();
    by_id.par_sort_unstable_by(|a, b| a.id.cmp(&b.id));
    let mut problems = Vec::new();
    for group in by_id.chunk_by(|a, b| a.id == b.id) {
        if group.len() < 2 {
            continue;
        }
        for c in group {
            let others: Vec<String> = group
                .iter()
                .filter(|o| o.episode != c.episode)
                .map(|o| claim_path(&o.episode, &o.id))
                .collect();
            problems.push(Problem::new(
                &claim_path(&c.episode, &c.id),
                Location::File,
                format!(
                    "claim id `{}` is also used by {}; ids must be unique across episodes: rename one file",
                    c.id,
                    others.join(", ")
                ),
            ));
        }
    }
    (problems, by_id)
}

/// Whether `id` is among claims sorted by id.
pub(super) fn has_claim(by_id: &[&ClaimSummary], id: &ClaimId) -> bool {
    by_id.binary_search_by(|c| c.id.cmp(id)).is_ok()
}

/// Whether a claim's status agrees with the corrections that name it.
pub(super) fn agrees(state: State, named_by: Option<&Vec<&Correction>>) -> bool {
    matches!(
        (state, named_by),
        (State::Corrected(_), Some(_))
            | (
                State::NeedsCheck | State::Checking | State::Checked(_),
                None
            )
    )
}

/// The problem with a claim whose status does not agree with the corrections
/// that name it.
pub(super) fn disagreement(
    path: &str,
    state: State,
    named_by: Option<&Vec<&Correction>>,
) -> Option<Problem> {
    match (state, named_by) {
        (State::Corrected(_), None) => Some(Problem::new(
            path,
            Location::key("status"),
            "status is corrected but no correction names this claim: record one with `errata correct`, or set status = \"checked\"",
        )),
        (State::NeedsCheck | State::Checking | State::Checked(_), Some(corrections)) => {
            Some(Problem::new(
                path,
                Location::key("status"),
                format!(
                    "correction {} names this claim, so its status must be corrected, not {}",
                    corrections[0].id,
                    state.status()
                ),
            ))
        }
        _ => None,
    }
}

/// A correction's links: every claim it names and the episode it aired in exist.
pub(super) fn correction_links(
    corr: &Correction,
    by_id: &[&ClaimSummary],
    episodes: &BTreeMap<EpisodeId, Episode>,
) -> Vec<Problem> {
    let path = correction_path(&corr.id);
    let mut out = Vec::new();
    for (i, id) in corr.claims.iter().enumerate() {
        if !has_claim(by_id, id) {
            out.push(Problem::new(
                &path,
                Location::Field(vec![Step::Key("claims".into()), Step::Index(i)]),
                format!("no claim has the id `{id}`"),
            ));
        }
    }
    if !episodes.contains_key(&corr.episode) {
        out.push(Problem::new(
            &path,
            Location::key("episode"),
            format!(
                "no episode `{}`: register it with `errata episode add`",
                corr.episode
            ),
        ));
    }
    out
}

/// Claims of one episode whose quotes are the same words, whitespace aside: one
/// warning per claim, at its quote, naming the others, so the desk can keep one.
/// Found by the quote keys in the summaries, without reading a record: two
/// different quotes of one episode share a 64-bit key about once in 10^13
/// episodes of 1,000 quotes, so the key stands for the words.
pub(super) fn same_quotes(claims: &[ClaimSummary]) -> Vec<Problem> {
    let mut keyed: Vec<(&EpisodeId, QuoteKey, &ClaimSummary)> = claims
        .iter()
        .filter_map(|c| Some((&c.episode, c.quote_key?, c)))
        .collect();
    keyed.par_sort_unstable_by(|a, b| (a.0, a.1, &a.2.id).cmp(&(b.0, b.1, &b.2.id)));
    let mut out = Vec::new();
    for group in keyed.chunk_by(|a, b| a.0 == b.0 && a.1 == b.1) {
        if group.len() < 2 {
            continue;
        }
        for (_, _, c) in group {
            let others: Vec<String> = group
                .iter()
                .filter(|(_, _, o)| o.id != c.id)
                .map(|(_, _, o)| format!("`{}` ({})", o.id, claim_path(&o.episode, &o.id)))
                .collect();
            out.push(Problem::new(
                &claim_path(&c.episode, &c.id),
                Location::key("quote"),
                format!(
                    "claim `{}` quotes the same words as {} (whitespace aside): two editors may have logged one claim; keep one and remove the other",
                    c.id,
                    others.join(", ")
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Claim;

    fn summary(episode: &str, id: &str, quote: Option<&str>) -> ClaimSummary {
        ClaimSummary::from(Claim {
            id: ClaimId::new(id).unwrap(),
            episode: EpisodeId::new(episode).unwrap(),
            state: State::NeedsCheck,
            said_at: None,
            speaker: None,
            quote: quote.map(str::to_owned),
            claim: Some("c".into()),
            tags: vec![],
            assignee: None,
            note: None,
            sources: vec![],
        })
    }

    #[test]
    fn the_same_words_in_one_episode_are_named_on_both_claims() {
        let claims = [
            summary("ep", "a", Some("他的利潤高達70幾%耶")),
            summary("ep", "b", Some("他的利潤 高達70幾%耶 ")),
            summary("ep", "c", Some("他的利潤高達80幾%耶")),
            summary("other", "d", Some("他的利潤高達70幾%耶")),
            summary("ep", "e", None),
            summary("ep", "f", Some("  ")),
        ];
        let found = same_quotes(&claims);
        let paths: Vec<&str> = found.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["claims/ep/a.toml", "claims/ep/b.toml"]);
        assert!(
            found[0].message.contains("`b` (claims/ep/b.toml)"),
            "{}",
            found[0].message
        );
        assert!(found[1].message.contains("`a` (claims/ep/a.toml)"));
        assert_eq!(found[0].location, Location::key("quote"));
    }
}
