//! The rules that need more than one record: ids unique across episodes, a
//! correction naming claims and an episode that exist, and a claim's status
//! agreeing with the corrections that name it; and one warning, two claims of
//! an episode quoting the same words (two editors logging one claim). Uses
//! `store` (paths) and `model`.

use std::collections::{BTreeMap, HashMap, HashSet};

use rayon::prelude::*;

use crate::diagnostic::{Location, Problem, Step};
use crate::model::{ClaimId, ClaimSummary, Correction, Episode, EpisodeId, QuoteKey, State};
use crate::store::{claim_path, correction_path};

/// Every claim's id, to ask whether a correction names a claim that exists.
/// Seeded afresh each run (foldhash), so a repository's ids cannot be chosen
/// to collide.
pub(super) type ClaimIds<'a> = HashSet<&'a ClaimId, foldhash::fast::RandomState>;

/// Claim ids used in more than one episode, one problem per file; and every
/// id, for [`correction_links`]. One pass over the ids with a hash set: a sort
/// of 100,000 ids by their text was a tenth of a warm `validate`.
pub(super) fn duplicate_ids(claims: &[ClaimSummary]) -> (Vec<Problem>, ClaimIds<'_>) {
    let mut ids = ClaimIds::with_capacity_and_hasher(claims.len(), Default::default());
    let repeated: ClaimIds<'_> = claims
        .iter()
        .filter(|c| !ids.insert(&c.id))
        .map(|c| &c.id)
        .collect();
    let mut problems = Vec::new();
    if repeated.is_empty() {
        return (problems, ids);
    }
    // The claims of each repeated id, ids in order, claims in the snapshot's.
    let mut groups: BTreeMap<&ClaimId, Vec<&ClaimSummary>> = BTreeMap::new();
    for c in claims.iter().filter(|c| repeated.contains(&c.id)) {
        groups.entry(&c.id).or_default().push(c);
    }
    for group in groups.values() {
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
    (problems, ids)
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
    ids: &ClaimIds<'_>,
    episodes: &BTreeMap<EpisodeId, Episode>,
) -> Vec<Problem> {
    let path = correction_path(&corr.id);
    let mut out = Vec::new();
    for (i, id) in corr.claims.iter().enumerate() {
        if !ids.contains(id) {
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
    // Episodes as small numbers, so the sort compares numbers: the same quote
    // in many episodes (a show's recurring lines) made it compare their names
    // a million times over 100,000 claims.
    let mut ranks: HashMap<&EpisodeId, u32, foldhash::fast::RandomState> = HashMap::default();
    let mut keyed: Vec<(QuoteKey, u32, &ClaimSummary)> = claims
        .iter()
        .filter_map(|c| {
            let next = ranks.len() as u32;
            let rank = *ranks.entry(&c.episode).or_insert(next);
            Some((c.quote_key?, rank, c))
        })
        .collect();
    keyed.par_sort_unstable_by(|a, b| (a.0, a.1, &a.2.id).cmp(&(b.0, b.1, &b.2.id)));
    // Groups are few but their messages many (317,060 at 1,000,000 claims):
    // written on threads, in the sorted order still.
    let groups: Vec<&[(QuoteKey, u32, &ClaimSummary)]> = keyed
        .chunk_by(|a, b| a.0 == b.0 && a.1 == b.1)
        .filter(|group| group.len() >= 2)
        .collect();
    groups
        .par_iter()
        .flat_map_iter(|group| {
            group.iter().map(|(_, _, c)| {
                let others: Vec<String> = group
                    .iter()
                    .filter(|(_, _, o)| o.id != c.id)
                    .map(|(_, _, o)| format!("`{}` ({})", o.id, claim_path(&o.episode, &o.id)))
                    .collect();
                Problem::new(
                    &claim_path(&c.episode, &c.id),
                    Location::key("quote"),
                    format!(
                        "claim `{}` quotes the same words as {} (whitespace aside): two editors may have logged one claim; keep one and remove the other",
                        c.id,
                        others.join(", ")
                    ),
                )
            })
        })
        .collect()
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
