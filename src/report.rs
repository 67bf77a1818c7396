//! Scorecards: how an episode did, in numbers an editor can act on.
//!
//! The accuracy score is the share of *rated* claims (checked or corrected, with a
//! verdict other than `unverifiable`) that were rated `accurate` or
//! `mostly-accurate`, out of 100. A claim that was later corrected still counts
//! against the episode it was said in: the correction is to the show's credit, but
//! the score measures what went out on air. The score is `None` when no claim is
//! rated yet, and always travels with the number of claims still unchecked, since
//! a score over two rated claims out of twenty means little.
//!
//! The desk's view, [`by_assignee`], counts each editor's claims: open (not
//! checked yet), checked and corrected.
//!
//! Everything here is a pure function of a [`Snapshot`].

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{Claim, ClaimId, CorrectionId, Date, EpisodeId, State, Status, Verdict};
use crate::store::{ClaimRecord, Snapshot};

/// One episode's numbers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scorecard {
    pub episode: EpisodeId,
    pub title: String,
    pub date: Option<Date>,
    /// Claims logged for the episode, whatever their status.
    pub claims: usize,
    /// Every status, with zero where there is none.
    pub by_status: BTreeMap<Status, usize>,
    /// Every verdict, with zero where there is none (checked and corrected claims).
    pub by_verdict: BTreeMap<Verdict, usize>,
    /// Out of 100, one decimal; `None` when no claim is rated.
    pub score: Option<f64>,
    /// How many claims the score rests on.
    pub rated: usize,
    /// Claims not checked yet (`needs-check` or `checking`): read beside the score.
    pub unchecked: usize,
    /// How many claims of this episode are owed a correction.
    pub owed: usize,
    pub owed_claims: Vec<ClaimId>,
    /// How many corrections aired in this episode (of claims from any episode).
    pub corrections: usize,
    pub corrections_aired: Vec<CorrectionId>,
}

/// The accuracy score of a set of claims: see the module documentation.
pub fn score<'a>(claims: impl IntoIterator<Item = &'a Claim>) -> (Option<f64>, usize) {
    let mut rated = 0usize;
    let mut good = 0usize;
    for c in claims {
        if let State::Checked(v) | State::Corrected(v) = c.state {
            match v {
                Verdict::Unverifiable => {}
                Verdict::Accurate | Verdict::MostlyAccurate => {
                    rated += 1;
                    good += 1;
                }
                Verdict::Misleading | Verdict::Inaccurate => rated += 1,
            }
        }
    }
    if rated == 0 {
        return (None, 0);
    }
    // One decimal, rounded half up: 2 of 3 is 66.7.
    let tenths = (good * 1000 * 2 + rated) / (rated * 2);
    (Some(tenths as f64 / 10.0), rated)
}

/// A scorecard for every episode, in the snapshot's episode order.
pub fn scorecards(snap: &Snapshot) -> Vec<Scorecard> {
    let owed: Vec<&Claim> = snap.owed();
    snap.episodes
        .values()
        .map(|ep| {
            let claims: Vec<&Claim> = snap.claims.iter().filter(|c| c.episode == ep.id).collect();
            let mut by_status: BTreeMap<Status, usize> =
                Status::ALL.iter().map(|s| (*s, 0)).collect();
            let mut by_verdict: BTreeMap<Verdict, usize> =
                Verdict::ALL.iter().map(|v| (*v, 0)).collect();
            for c in &claims {
                *by_status.entry(c.state.status()).or_default() += 1;
                if let Some(v) = c.state.verdict() {
                    *by_verdict.entry(v).or_default() += 1;
                }
            }
            let (score, rated) = score(claims.iter().copied());
            let owed_claims: Vec<ClaimId> = owed
                .iter()
                .filter(|c| c.episode == ep.id)
                .map(|c| c.id.clone())
                .collect();
            let corrections_aired: Vec<CorrectionId> = snap
                .corrections
                .iter()
                .filter(|c| c.episode == ep.id)
                .map(|c| c.id.clone())
                .collect();
            Scorecard {
                episode: ep.id.clone(),
                title: ep.title.clone(),
                date: ep.date,
                claims: claims.len(),
                unchecked: claims
                    .iter()
                    .filter(|c| matches!(c.state, State::NeedsCheck | State::Checking))
                    .count(),
                by_status,
                by_verdict,
                score,
                rated,
                owed: owed_claims.len(),
                owed_claims,
                corrections: corrections_aired.len(),
                corrections_aired,
            }
        })
        .collect()
}

/// One editor's claims, by where they are in the lifecycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Workload {
    /// As written in the claims (spaces around it aside); `None` for the
    /// claims nobody is assigned to.
    pub assignee: Option<String>,
    /// Needs-check or checking.
    pub open: usize,
    pub checked: usize,
    pub corrected: usize,
}

/// Every assignee's counts, of one episode's claims or of all: by assignee in
/// order of their names, the unassigned claims last.
pub fn by_assignee<C: ClaimRecord>(
    snap: &Snapshot<C>,
    episode: Option<&EpisodeId>,
) -> Vec<Workload> {
    let mut by: BTreeMap<Option<&str>, Workload> = BTreeMap::new();
    for c in &snap.claims {
        if episode.is_some_and(|e| c.episode() != e) {
            continue;
        }
        let who = c.assignee().map(str::trim).filter(|a| !a.is_empty());
        let w = by.entry(who).or_insert_with(|| Workload {
            assignee: who.map(str::to_owned),
            open: 0,
            checked: 0,
            corrected: 0,
        });
        match c.state() {
            State::NeedsCheck | State::Checking => w.open += 1,
            State::Checked(_) => w.checked += 1,
            State::Corrected(_) => w.corrected += 1,
        }
    }
    // `None` sorts first in the map; the unassigned go last.
    let mut out: Vec<Workload> = by.into_values().collect();
    let unassigned_first = out.first().is_some_and(|w| w.assignee.is_none());
    out.rotate_left(usize::from(unassigned_first));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::EpisodeId;

    fn claim(id: &str, state: State) -> Claim {
        Claim::for_test(id, "ep", state)
    }

    #[test]
    fn workloads_count_each_editors_claims_with_the_unassigned_last() {
        use Verdict::*;
        let assigned = |id: &str, state, who: Option<&str>| Claim {
            assignee: who.map(str::to_owned),
            ..claim(id, state)
        };
        let mut snap = Snapshot::default();
        snap.claims = vec![
            assigned("a", State::NeedsCheck, None),
            assigned("b", State::Checking, Some("小明")),
            assigned("c", State::Checked(Accurate), Some("小明 ")),
            assigned("d", State::Corrected(Misleading), Some("Mei")),
            assigned("e", State::NeedsCheck, Some("Mei")),
            assigned("f", State::Checked(Inaccurate), Some(" ")),
        ];
        let w = |who: Option<&str>, open, checked, corrected| Workload {
            assignee: who.map(str::to_owned),
            open,
            checked,
            corrected,
        };
        assert_eq!(
            by_assignee(&snap, None),
            [
                w(Some("Mei"), 1, 0, 1),
                w(Some("小明"), 1, 1, 0),
                w(None, 1, 1, 0)
            ]
        );
        let other = EpisodeId::new("other").unwrap();
        assert_eq!(by_assignee(&snap, Some(&other)), []);
        assert_eq!(
            by_assignee(&Snapshot::<Claim>::default(), None),
            [],
            "no claims, no rows"
        );
    }

    #[test]
    fn the_score_leaves_out_unverifiable_and_unchecked_claims() {
        use Verdict::*;
        let claims = [
            claim("a", State::Checked(Accurate)),
            claim("b", State::Checked(MostlyAccurate)),
            claim("c", State::Corrected(Misleading)),
            claim("d", State::Checked(Unverifiable)),
            claim("e", State::NeedsCheck),
            claim("f", State::Checking),
        ];
        assert_eq!(score(&claims), (Some(66.7), 3));
        assert_eq!(score(&claims[..1]), (Some(100.0), 1));
        assert_eq!(score(&claims[2..3]), (Some(0.0), 1));
        assert_eq!(score(&claims[3..]), (None, 0));
        assert_eq!(score(&[]), (None, 0));
        // Rounded half up at one decimal: 5 of 8 is 62.5, 1 of 6 is 16.7.
        let mut eight: Vec<Claim> = (0..5)
            .map(|i| claim(&format!("g{i}"), State::Checked(Accurate)))
            .collect();
        eight.extend((0..3).map(|i| claim(&format!("h{i}"), State::Checked(Inaccurate))));
        assert_eq!(score(&eight), (Some(62.5), 8));
        let mut six = vec![claim("i", State::Checked(Accurate))];
        six.extend((0..5).map(|i| claim(&format!("j{i}"), State::Checked(Inaccurate))));
        assert_eq!(score(&six), (Some(16.7), 6));
    }
}
