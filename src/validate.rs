//! Every rule a fact-check repository must keep, checked across all records.
//!
//! Parsing already refused what cannot be a record at all (bad TOML, unknown
//! fields, a verdict on an unchecked claim); the rules here need more than one
//! file: sources behind verdicts, corrections and the claims they name, quotes
//! and the transcripts they come from.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;

use crate::diagnostic::{Location, Problem, Step};
use crate::model::{Claim, EpisodeId, State, Timestamp, format_point, is_web_url};
use crate::store::{
    self, SETTINGS_FILE, Snapshot, Store, claim_path, correction_path, episode_path,
};
use crate::transcript::Transcript;

/// All problems in the repository, those that kept a file from being read first
/// among them, ordered by file.
pub fn validate(store: &Store, snap: &Snapshot) -> Vec<Problem> {
    let mut problems = snap.problems.clone();
    if snap.settings.is_none() && !problems.iter().any(|p| p.path == SETTINGS_FILE) {
        problems.push(Problem::new(
            SETTINGS_FILE,
            Location::File,
            "errata.toml is missing: run `errata init` to lay out the repository",
        ));
    }
    for folder in &snap.orphan_folders {
        problems.push(Problem::new(
            &format!("{}/{folder}", store::CLAIMS_DIR),
            Location::File,
            format!("episode folder has no episode.toml: register it with `errata episode add {folder} --title ...`"),
        ));
    }

    let mut transcripts: HashMap<&EpisodeId, Transcript> = HashMap::new();
    for ep in snap.episodes.values() {
        let path = episode_path(&ep.id);
        if let Some(url) = &ep.url
            && !is_web_url(url)
        {
            problems.push(Problem::new(
                &path,
                Location::key("url"),
                format!("`{url}` is not a web address: use an http:// or https:// url"),
            ));
        }
        match store.transcript(ep) {
            Ok(Some(t)) => {
                transcripts.insert(&ep.id, t);
            }
            Ok(None) => {}
            Err(e) => problems.push(Problem::new(
                &path,
                Location::key("transcript"),
                format!("transcript cannot be read: {e}"),
            )),
        }
    }

    // Ids are unique across the whole repository, not only inside an episode.
    let mut by_id: BTreeMap<&str, Vec<&Claim>> = BTreeMap::new();
    for c in &snap.claims {
        by_id.entry(c.id.as_str()).or_default().push(c);
    }
    for (id, claims) in &by_id {
        if claims.len() > 1 {
            for c in claims {
                let others: Vec<String> = claims
                    .iter()
                    .filter(|o| o.episode != c.episode)
                    .map(|o| claim_path(&o.episode, &o.id))
                    .collect();
                problems.push(Problem::new(
                    &claim_path(&c.episode, &c.id),
                    Location::File,
                    format!(
                        "claim id `{id}` is also used by {}; ids must be unique across episodes: rename one file",
                        others.join(", ")
                    ),
                ));
            }
        }
    }

    let named = snap.corrections_by_claim();
    let per_claim: Vec<Vec<Problem>> = snap
        .claims
        .par_iter()
        .map(|c| {
            let mut out = check_claim(c, transcripts.get(&c.episode));
            let path = claim_path(&c.episode, &c.id);
            match (c.state, named.get(&c.id)) {
                (State::Corrected(_), None) => out.push(Problem::new(
                    &path,
                    Location::key("status"),
                    "status is corrected but no correction names this claim: record one with `errata correct`, or set status = \"checked\"",
                )),
                (State::NeedsCheck | State::Checking | State::Checked(_), Some(corrections)) => {
                    out.push(Problem::new(
                        &path,
                        Location::key("status"),
                        format!(
                            "correction {} names this claim, so its status must be corrected, not {}",
                            corrections[0].id,
                            c.state.status()
                        ),
                    ))
                }
                _ => {}
            }
            out
        })
        .collect();
    problems.extend(per_claim.into_iter().flatten());

    for corr in &snap.corrections {
        let path = correction_path(&corr.id);
        if corr.claims.is_empty() {
            problems.push(Problem::new(
                &path,
                Location::key("claims"),
                "a correction must name at least one claim it corrects",
            ));
        }
        for (i, id) in corr.claims.iter().enumerate() {
            if !by_id.contains_key(id.as_str()) {
                problems.push(Problem::new(
                    &path,
                    Location::Field(vec![Step::Key("claims".into()), Step::Index(i)]),
                    format!("no claim has the id `{id}`"),
                ));
            }
        }
        if !snap.episodes.contains_key(&corr.episode) {
            problems.push(Problem::new(
                &path,
                Location::key("episode"),
                format!(
                    "no episode `{}`: register it with `errata episode add`",
                    corr.episode
                ),
            ));
        } else if let Some(t) = transcripts.get(&corr.episode)
            && let Some(p) = outside_transcript(t, &corr.aired_at)
        {
            problems.push(Problem::new(&path, Location::key("aired_at"), p));
        }
        if corr.text.trim().is_empty() {
            problems.push(Problem::new(
                &path,
                Location::key("text"),
                "a correction needs its text: what was aired or published",
            ));
        }
    }

    problems.sort_by(|a, b| a.path.cmp(&b.path));
    problems
}

fn outside_transcript(t: &Transcript, at: &Timestamp) -> Option<String> {
    let (start, end) = t.span()?;
    let span = Timestamp::range(start, end)?;
    (!at.within(&span)).then(|| {
        format!(
            "{at} is outside the transcript, which runs from {} to {}",
            format_point(start),
            format_point(end)
        )
    })
}

/// The rules one claim must keep on its own, given its episode's transcript.
pub fn check_claim(c: &Claim, transcript: Option<&Transcript>) -> Vec<Problem> {
    let path = claim_path(&c.episode, &c.id);
    let mut out = Vec::new();
    if let State::Checked(v) | State::Corrected(v) = c.state
        && v.needs_source()
        && c.sources.is_empty()
    {
        out.push(Problem::new(
            &path,
            Location::key("verdict"),
            format!("verdict {v} needs at least one source: add a [[sources]] entry (only unverifiable may stand without one)"),
        ));
    }
    for (i, s) in c.sources.iter().enumerate() {
        match &s.url {
            Some(url) if !is_web_url(url) => out.push(Problem::new(
                &path,
                Location::source(i, "url"),
                format!("`{url}` is not a web address: source urls start with http:// or https://"),
            )),
            None if s.title.as_deref().is_none_or(|t| t.trim().is_empty()) => {
                out.push(Problem::new(
                    &path,
                    Location::Field(vec![Step::Key("sources".into()), Step::Index(i)]),
                    "a source needs at least a title or a url",
                ))
            }
            _ => {}
        }
    }
    let Some(t) = transcript else {
        return out;
    };
    if let Some(at) = &c.said_at
        && let Some(p) = outside_transcript(t, at)
    {
        out.push(Problem::new(&path, Location::key("said_at"), p));
    }
    if let Some(quote) = c.quote.as_deref().filter(|q| !q.trim().is_empty()) {
        let found = t.find_all(quote);
        if found.is_empty() {
            let hint = t
                .closest_hint(quote)
                .map(|h| format!("; the closest segment is {h}"))
                .unwrap_or_default();
            out.push(Problem::new(
                &path,
                Location::key("quote"),
                format!("quote is not in the transcript (whitespace aside){hint}"),
            ));
        } else if let Some(at) = &c.said_at {
            let inside = found.iter().any(|r| {
                let (a, b) = (&t.segments[*r.start()], &t.segments[*r.end()]);
                Timestamp::range(a.start, b.end).is_some_and(|seg| seg.overlaps(at))
            });
            if !inside {
                let r = &found[0];
                out.push(Problem::new(
                    &path,
                    Location::key("said_at"),
                    format!(
                        "said_at {at} does not cover the quote, which is at {}~{}",
                        format_point(t.segments[*r.start()].start),
                        format_point(t.segments[*r.end()].end)
                    ),
                ));
            }
        }
    }
    out
}
