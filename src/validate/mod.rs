//! Every rule a fact-check repository must keep, checked across all records.
//!
//! Parsing already refused what cannot be a record at all (bad TOML, unknown
//! fields, a verdict on an unchecked claim). Here: `rules`, what one record
//! keeps on its own (also run by every operation before it writes); `cross`,
//! what needs several records; `context`, what a claim's rules depend on
//! besides the claim (its episode's transcript). This file runs them all over a
//! snapshot, remembering each claim's checks in the store's cache so that an
//! unchanged repository is validated from claim summaries without reading a
//! record. Uses `store`, `model`, `transcript` and `diagnostic`.

mod context;
mod cross;
pub mod rules;

use rayon::prelude::*;
use serde::Serialize;

pub use rules::Violation;

use crate::diagnostic::{Diagnostic, Location, Problem, UNRESOLVED_CONFLICT};
use crate::model::{Claim, ClaimSummary};
use crate::store::{
    self, Checks, SETTINGS_FILE, Snapshot, Store, claim_path, correction_path, episode_path,
};
use crate::transcript::Transcript;
use context::Contexts;

/// What `validate` found, placed at lines and columns, as `--json` reports it.
#[derive(Debug, Serialize)]
pub struct Report {
    /// No problems (warnings do not count).
    pub ok: bool,
    /// How many claims were read.
    pub claims: usize,
    /// Every record that was read: claims, episodes and corrections.
    #[serde(skip)]
    pub records: usize,
    pub problems: Vec<Diagnostic>,
    /// What is worth a look but breaks no rule, in the shape of problems.
    pub warnings: Vec<Diagnostic>,
}

impl Report {
    pub fn new(
        snap: &Snapshot<ClaimSummary>,
        problems: Vec<Diagnostic>,
        warnings: Vec<Diagnostic>,
    ) -> Self {
        Report {
            ok: problems.is_empty(),
            claims: snap.claims.len(),
            records: snap.claims.len() + snap.corrections.len() + snap.episodes.len(),
            problems,
            warnings,
        }
    }
}

/// Records git holds unmerged (a merge, rebase or cherry-pick stopped on them)
/// that carry no conflict markers: one side deleted the record and the other
/// changed it, and git left the changed version in place without a word in
/// the file. Looked for only while git is in the middle of such an operation.
fn unmerged_in_git(store: &Store, found: &[Problem]) -> Vec<Problem> {
    let repo = store.repo();
    if !repo.operation_in_progress() {
        return Vec::new();
    }
    let Ok(paths) = repo.conflicted() else {
        return Vec::new();
    };
    paths
        .into_iter()
        .filter(|p| store::is_record_path(p))
        .filter(|p| !found.iter().any(|f| &f.path == p && f.is_conflict()))
        .map(|p| {
            let message = format!(
                "{UNRESOLVED_CONFLICT}: git holds this record unmerged (one side deleted it, or git could not merge it); keep it with `git add {p}` or drop it with `git rm {p}`, then commit"
            );
            Problem::new(&p, Location::File, message)
        })
        .collect()
}

/// What is worth a look in a validated snapshot without breaking a rule, ordered
/// by file: two claims of one episode quoting the same words. Found from the
/// claim summaries alone (their quote keys), so a warm run reads no record.
pub fn warnings(snap: &Snapshot<ClaimSummary>) -> Vec<Problem> {
    let mut out = cross::same_quotes(&snap.claims);
    out.par_sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// The problems of one claim on its own, given its episode's transcript, as
/// `validate` reports them.
pub fn check_claim(c: &Claim, transcript: Option<&Transcript>) -> Vec<Problem> {
    let path = claim_path(&c.episode, &c.id);
    rules::claim(c, transcript)
        .iter()
        .map(|v| v.problem(&path))
        .collect()
}

/// The problems of a file whose checks depend on it and on one episode's
/// record and transcript alone: those remembered while `context` holds, else
/// what `check` finds, which is remembered for the next run.
fn remembered_or(
    snap: &Snapshot<ClaimSummary>,
    problems: &mut Vec<Problem>,
    remember: &mut Vec<(String, Checks)>,
    path: String,
    context: u64,
    check: impl FnOnce(&str) -> Vec<Problem>,
) {
    if let Some(known) = snap.remembered_checks(&path, context) {
        problems.extend_from_slice(known);
        return;
    }
    let found = check(&path);
    problems.extend_from_slice(&found);
    remember.push((
        path,
        Checks {
            context,
            problems: found,
        },
    ));
}

/// A claim's problems, and its checks if they are new and worth remembering.
type Checked = (Vec<Problem>, Option<(String, Checks)>);

/// Each claim's problems: those remembered while its episode's context holds
/// (a claim read afresh this run was checked as it was parsed), else found by
/// reading it again; and whether its status agrees with its corrections.
fn check_claims(
    snap: &Snapshot<ClaimSummary>,
    contexts: &Contexts<'_>,
    named: &store::CorrectionsByClaim<'_>,
) -> Vec<Checked> {
    let root = contexts.root();
    snap.claims
        .par_iter()
        .enumerate()
        .map(|(i, c)| {
            let context = contexts.key(&c.episode);
            let known = snap.remembered_claim_checks(i, context);
            let named_by = named.get(&c.id);
            if cross::agrees(c.state, named_by) && known.is_some_and(<[Problem]>::is_empty) {
                // The common case on a large repository: nothing to say, no path to build.
                return (Vec::new(), None);
            }
            let path = claim_path(&c.episode, &c.id);
            let (mut out, new) = match known {
                Some(known) => (known.to_vec(), None),
                None => {
                    // The transcript changed since the claim was checked: check again.
                    let found = match std::fs::read(root.join(&path))
                        .map_err(|e| e.to_string())
                        .and_then(|b| store::parse_claim_at(&path, &b).map_err(|p| p.message))
                    {
                        Ok(claim) => check_claim(&claim, contexts.transcript(&c.episode)),
                        Err(message) => vec![Problem::new(&path, Location::File, message)],
                    };
                    let checks = Checks {
                        context,
                        problems: found.clone(),
                    };
                    (found, Some((path.clone(), checks)))
                }
            };
            out.extend(cross::disagreement(&path, c.state, named_by));
            (out, new)
        })
        .collect()
}

/// All problems in the repository, those that kept a file from being read first
/// among them, ordered by file. Each claim's checks against its transcript run
/// while it is parsed and are remembered in the cache, so an unchanged
/// repository is validated from claim summaries without reading a record.
pub fn validate(store: &Store) -> (Vec<Problem>, Snapshot<ClaimSummary>) {
    let root = store.root();
    let mut contexts = Contexts::new(root);
    // A claim whose problems depend on today's date is remembered under a key
    // no warm run asks for, so it is checked afresh each time.
    let checker = |c: &Claim| Checks {
        context: contexts.key(&c.episode) ^ u64::from(rules::depends_on_today(c)),
        problems: check_claim(c, contexts.transcript(&c.episode)),
    };
    let mut snap = store.load_summaries(Some(&checker));
    contexts.learn(snap.episodes.values());
    let mut problems = snap.problems.clone();
    match &snap.settings {
        Some(settings) => problems.extend(
            rules::settings(settings)
                .iter()
                .map(|v| v.problem(SETTINGS_FILE)),
        ),
        None if !problems.iter().any(|p| p.path == SETTINGS_FILE) => {
            problems.push(Problem::new(
                SETTINGS_FILE,
                Location::File,
                "errata.toml is missing: run `errata init` to lay out the repository",
            ));
        }
        None => {}
    }
    for folder in &snap.orphan_folders {
        problems.push(Problem::new(
            &format!("{}/{folder}", store::CLAIMS_DIR),
            Location::File,
            format!("episode folder has no episode.toml: add one with its `title`, or register the episode with `errata episode add {folder}`"),
        ));
    }

    let named = snap.corrections_by_claim();
    let mut remember: Vec<(String, Checks)> = Vec::new();
    // The ids' one pass beside the claims' checks, which share out the rest.
    let ((duplicates, ids), per_claim) = rayon::join(
        || cross::duplicate_ids(&snap.claims),
        || check_claims(&snap, &contexts, &named),
    );
    problems.extend(duplicates);
    for (found, new) in per_claim {
        problems.extend(found);
        remember.extend(new);
    }

    // After the claims: their threads have built the episodes' contexts.
    for ep in snap.episodes.values() {
        let (path, context) = (episode_path(&ep.id), contexts.key(&ep.id));
        remembered_or(&snap, &mut problems, &mut remember, path, context, |path| {
            let mut found: Vec<Problem> =
                rules::episode(ep).iter().map(|v| v.problem(path)).collect();
            if let Some(p) = contexts.problem(&ep.id) {
                found.push(Problem::new(path, Location::key("transcript"), p));
            }
            found
        });
    }

    for corr in &snap.corrections {
        problems.extend(cross::correction_links(corr, &ids, &snap.episodes));
        // Its own rules depend on it and its episode's transcript alone, so
        // they are remembered as a claim's are: a warm run then reads no
        // transcript for the corrections.
        let (path, context) = (correction_path(&corr.id), contexts.key(&corr.episode));
        remembered_or(&snap, &mut problems, &mut remember, path, context, |path| {
            let transcript = snap
                .episodes
                .contains_key(&corr.episode)
                .then(|| contexts.transcript(&corr.episode))
                .flatten();
            rules::correction(corr, transcript)
                .iter()
                .map(|v| v.problem(path))
                .collect()
        });
    }

    problems.extend(unmerged_in_git(store, &problems));

    drop(ids);
    drop(named);
    drop(contexts);
    snap.remember_checks(remember);
    store.save_checks(&snap);
    problems.sort_by(|a, b| a.path.cmp(&b.path));
    (problems, snap)
}
