//! Every rule a fact-check repository must keep, checked across all records.
//!
//! Parsing already refused what cannot be a record at all (bad TOML, unknown
//! fields, a verdict on an unchecked claim); the rules here need more than one
//! file: sources behind verdicts, corrections and the claims they name, quotes
//! and the transcripts they come from.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;
use std::sync::OnceLock;

use rayon::prelude::*;

use crate::diagnostic::{Location, Problem, Step};
use crate::model::{
    Claim, ClaimSummary, Episode, EpisodeFile, EpisodeId, State, Timestamp, format_point,
    is_web_url,
};
use crate::store::{
    self, Checks, SETTINGS_FILE, Snapshot, Stamp, Store, cache, claim_path, correction_path,
    episode_path,
};
use crate::transcript::Transcript;

/// What a claim's own checks depend on besides the claim file: its episode's
/// record and transcript. While neither changes, remembered checks stand.
struct EpisodeContext {
    /// A hash of the stamps of the episode's record and transcript.
    context: u64,
    episode: Option<Episode>,
    /// The transcript (or why it cannot be read), parsed only when a claim of
    /// the episode is checked afresh.
    transcript: OnceLock<Result<Option<Transcript>, String>>,
}

/// Episode contexts, each built the first time a claim of that episode needs
/// it, from any thread: a warm run over an unchanged repository only stamps the
/// episode files and parses no transcript.
struct Contexts<'a> {
    root: &'a Path,
    by_episode: HashMap<EpisodeId, OnceLock<EpisodeContext>>,
}

impl<'a> Contexts<'a> {
    fn new(root: &'a Path) -> Self {
        let by_episode = std::fs::read_dir(root.join(store::CLAIMS_DIR))
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .filter_map(|e| EpisodeId::new(e.file_name().to_str()?).ok())
            .map(|id| (id, OnceLock::new()))
            .collect();
        Contexts { root, by_episode }
    }

    fn get(&self, id: &EpisodeId) -> Option<&EpisodeContext> {
        let cell = self.by_episode.get(id)?;
        Some(cell.get_or_init(|| self.build(id)))
    }

    fn build(&self, id: &EpisodeId) -> EpisodeContext {
        let path = episode_path(id);
        let mut h = DefaultHasher::new();
        let mut fresh = false;
        let mut stamp = |p: &str, h: &mut DefaultHasher| {
            let s = Stamp::of(&self.root.join(p));
            fresh |= s.is_some_and(|s| !s.settled());
            s.hash(h);
        };
        stamp(&path, &mut h);
        let episode = std::fs::read(self.root.join(&path))
            .ok()
            .and_then(|b| store::parse_toml::<EpisodeFile>(&path, &b).ok())
            .map(|f| Episode::from_file(id.clone(), f));
        if let Some(file) = episode.as_ref().and_then(|e| e.transcript.as_ref()) {
            stamp(&store::transcript_path(id, file), &mut h);
        }
        if fresh {
            // Too fresh to tell a later edit from this one: never match again.
            cache::now_ns().hash(&mut h);
        }
        EpisodeContext {
            context: h.finish(),
            episode,
            transcript: OnceLock::new(),
        }
    }

    fn context(&self, id: &EpisodeId) -> u64 {
        self.get(id).map_or(0, |c| c.context)
    }

    fn read_transcript(&self, id: &EpisodeId) -> Option<&Result<Option<Transcript>, String>> {
        let ctx = self.get(id)?;
        Some(ctx.transcript.get_or_init(|| {
            match &ctx.episode {
                None => Ok(None),
                Some(ep) => store::read_transcript(self.root, ep)
                    .map_err(|e| format!("transcript cannot be read: {e}")),
            }
        }))
    }

    fn transcript(&self, id: &EpisodeId) -> Option<&Transcript> {
        self.read_transcript(id)?.as_ref().ok()?.as_ref()
    }

    fn problem(&self, id: &EpisodeId) -> Option<String> {
        self.read_transcript(id)?.as_ref().err().cloned()
    }
}

/// All problems in the repository, those that kept a file from being read first
/// among them, ordered by file. Each claim's checks against its transcript run
/// while it is parsed and are remembered in the cache, so an unchanged
/// repository is validated from claim summaries without reading a record.
pub fn validate(store: &Store) -> (Vec<Problem>, Snapshot<ClaimSummary>) {
    let root = store.root();
    let contexts = Contexts::new(root);
    let checker = |c: &Claim| Checks {
        context: contexts.context(&c.episode),
        problems: check_claim(c, contexts.transcript(&c.episode)),
    };
    let mut snap = store.load_summaries(Some(&checker));
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

    let mut remember: Vec<(String, Checks)> = Vec::new();
    for ep in snap.episodes.values() {
        let path = episode_path(&ep.id);
        let context = contexts.context(&ep.id);
        if let Some(known) = snap.remembered_checks(&path, context) {
            problems.extend_from_slice(known);
            continue;
        }
        let mut found = Vec::new();
        if let Some(url) = &ep.url
            && !is_web_url(url)
        {
            found.push(Problem::new(
                &path,
                Location::key("url"),
                format!("`{url}` is not a web address: use an http:// or https:// url"),
            ));
        }
        if let Some(p) = contexts.problem(&ep.id) {
            found.push(Problem::new(&path, Location::key("transcript"), p));
        }
        problems.extend_from_slice(&found);
        remember.push((
            path,
            Checks {
                context,
                problems: found,
            },
        ));
    }

    // Ids are unique across the whole repository, not only inside an episode.
    let mut by_id: Vec<&ClaimSummary> = snap.claims.iter().collect();
    by_id.par_sort_unstable_by(|a, b| a.id.cmp(&b.id));
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
    let id_exists = |id: &str| by_id.binary_search_by(|c| c.id.as_str().cmp(id)).is_ok();

    let named = snap.corrections_by_claim();
    /// A claim's problems, and its checks if they are new and worth remembering.
    type Checked = (Vec<Problem>, Option<(String, Checks)>);
    let per_claim: Vec<Checked> = snap
        .claims
        .par_iter()
        .enumerate()
        .map(|(i, c)| {
            let context = contexts.context(&c.episode);
            let known = snap.remembered_claim_checks(i, context);
            let named_by = named.get(&c.id);
            let consistent = matches!(
                (c.state, named_by),
                (State::Corrected(_), Some(_))
                    | (State::NeedsCheck | State::Checking | State::Checked(_), None)
            );
            if consistent && known.is_some_and(<[Problem]>::is_empty) {
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
                    (
                        found.clone(),
                        Some((
                            path.clone(),
                            Checks {
                                context,
                                problems: found,
                            },
                        )),
                    )
                }
            };
            match (c.state, named_by) {
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
            (out, new)
        })
        .collect();
    for (found, new) in per_claim {
        problems.extend(found);
        remember.extend(new);
    }

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
            if !id_exists(id.as_str()) {
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
        } else if let Some(t) = contexts.transcript(&corr.episode)
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

    drop(contexts);
    snap.remember_checks(remember);
    store.save_checks(&snap);
    problems.sort_by(|a, b| a.path.cmp(&b.path));
    (problems, snap)
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
