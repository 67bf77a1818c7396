//! Recording a correction: the show said something wrong, and said (or published)
//! what is right. The correction record and every claim it names change in one
//! commit, so history never holds a correction whose claims are not yet marked
//! `corrected`, or a `corrected` claim that no correction names.

use toml_edit::{DocumentMut, value};

use super::{
    OpError, ensure_initialised, nonblank, random_suffix, resolve_claim, resolve_episode, slug,
};
use crate::git::{Change, CommitId};
use crate::model::{
    Claim, ClaimId, CorrectionId, EpisodeId, Medium, State, Status, Timestamp, Verdict,
    format_point,
};
use crate::store::write::{CLAIM_KEY_ORDER, set_key, string_array};
use crate::store::{Snapshot, Store, StoreError, claim_path, correction_path};

/// Why a correction cannot be recorded. Nothing is written when any of these occur.
#[derive(Debug, thiserror::Error)]
pub enum CorrectError {
    #[error(transparent)]
    Op(#[from] OpError),
    #[error("name at least one claim the correction corrects")]
    NoClaims,
    #[error("{id} is {status}: only a checked claim can be corrected")]
    NotChecked { id: ClaimId, status: Status },
    #[error("{id} is rated accurate: an accurate claim needs no correction")]
    Accurate { id: ClaimId },
    #[error("{id} is already corrected by {}", by.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", "))]
    AlreadyCorrected { id: ClaimId, by: Vec<CorrectionId> },
    #[error("a correction with id `{0}` already exists")]
    Exists(CorrectionId),
    #[error("a correction needs its text: what was aired or published")]
    NoText,
}

impl From<StoreError> for CorrectError {
    fn from(e: StoreError) -> Self {
        CorrectError::Op(OpError::Store(e))
    }
}

impl From<crate::model::IdError> for CorrectError {
    fn from(e: crate::model::IdError) -> Self {
        CorrectError::Op(OpError::BadId(e))
    }
}

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
    pub reported_by: Option<String>,
    /// The correction's id; made from the text or the first claim when absent.
    pub id: Option<String>,
}

/// What `correct` did.
#[derive(Debug)]
pub struct Corrected {
    pub id: CorrectionId,
    pub path: String,
    /// Each claim corrected, with the state it left and the one it has now.
    pub claims: Vec<(ClaimId, State, State)>,
    pub commit: CommitId,
}

/// Key order of a correction file, as the design writes it.
const CORRECTION_KEY_ORDER: &[&str] = &[
    "claims",
    "episode",
    "aired_at",
    "medium",
    "reported_by",
    "text",
];

/// Record a correction and mark every claim it names `corrected`, in one commit.
pub fn correct(
    store: &Store,
    snap: &Snapshot,
    new: NewCorrection,
) -> Result<Corrected, CorrectError> {
    ensure_initialised(store)?;
    if new.claims.is_empty() {
        return Err(CorrectError::NoClaims);
    }
    let text = nonblank(Some(new.text)).ok_or(CorrectError::NoText)?;
    let episode = resolve_episode(snap, &new.episode)?.clone();

    // The claims, each once, in the order given.
    let mut claims: Vec<&Claim> = Vec::new();
    for prefix in &new.claims {
        let c = resolve_claim(snap, prefix)?;
        if !claims.iter().any(|k| k.id == c.id) {
            claims.push(c);
        }
    }
    let named = snap.corrections_by_claim();
    for c in &claims {
        match c.state {
            State::Checked(Verdict::Accurate) => {
                return Err(CorrectError::Accurate { id: c.id.clone() });
            }
            State::Checked(_) => {}
            State::Corrected(_) => {
                let by = named
                    .get(&c.id)
                    .map(|cs| cs.iter().map(|k| k.id.clone()).collect())
                    .unwrap_or_default();
                return Err(CorrectError::AlreadyCorrected {
                    id: c.id.clone(),
                    by,
                });
            }
            State::NeedsCheck | State::Checking => {
                return Err(CorrectError::NotChecked {
                    id: c.id.clone(),
                    status: c.state.status(),
                });
            }
        }
    }

    // The moment it aired must be in the episode, when the episode's length is known.
    if let Some(t) = store.transcript(&episode)?
        && let Some((start, end)) = t.span()
        && Timestamp::range(start, end).is_some_and(|span| !new.at.within(&span))
    {
        return Err(OpError::OutsideTranscript {
            time: new.at,
            episode: episode.id.clone(),
            start: format_point(start),
            end: format_point(end),
        }
        .into());
    }

    let taken = |id: &CorrectionId| {
        snap.corrections.iter().any(|c| &c.id == id)
            || store.root().join(correction_path(id)).exists()
    };
    let id = match &new.id {
        Some(given) => {
            let id = CorrectionId::new(given)?;
            if taken(&id) {
                return Err(CorrectError::Exists(id));
            }
            id
        }
        None => generate_correction_id(&text, &claims[0].id, taken)?,
    };

    let mut doc = DocumentMut::new();
    let order = CORRECTION_KEY_ORDER;
    set_key(
        &mut doc,
        "claims",
        string_array(claims.iter().map(|c| c.id.as_str())),
        order,
    );
    set_key(&mut doc, "episode", value(episode.id.as_str()), order);
    set_key(&mut doc, "aired_at", value(new.at.to_string()), order);
    set_key(&mut doc, "medium", value(new.medium.as_str()), order);
    if let Some(r) = nonblank(new.reported_by) {
        set_key(&mut doc, "reported_by", value(r), order);
    }
    set_key(&mut doc, "text", value(text.as_str()), order);
    let path = correction_path(&id);
    let mut changes = vec![Change {
        path: path.clone(),
        content: Some(doc.to_string().into_bytes()),
    }];

    let mut moved = Vec::new();
    for c in &claims {
        let rel = claim_path(&c.episode, &c.id);
        let before = store.read_for_change(&rel)?;
        let mut claim_doc: DocumentMut =
            before
                .parse()
                .map_err(|e: toml_edit::TomlError| StoreError::BadFile {
                    path: rel.clone(),
                    message: e.message().to_owned(),
                })?;
        set_key(
            &mut claim_doc,
            "status",
            value(Status::Corrected.as_str()),
            CLAIM_KEY_ORDER,
        );
        changes.push(Change {
            path: rel,
            content: Some(claim_doc.to_string().into_bytes()),
        });
        // Checked above: every claim here is checked with a verdict.
        let verdict = c.state.verdict().unwrap_or(Verdict::Inaccurate);
        moved.push((c.id.clone(), c.state, State::Corrected(verdict)));
    }

    let message = commit_message(&id, &episode.id, new.at, new.medium, &claims);
    let commit = store.commit(&changes, &message)?;
    Ok(Corrected {
        id,
        path,
        claims: moved,
        commit,
    })
}

/// `correct: a, b corrected on air in EP at T`, then trailers a script can read.
fn commit_message(
    id: &CorrectionId,
    episode: &EpisodeId,
    at: Timestamp,
    medium: Medium,
    claims: &[&Claim],
) -> String {
    let names: Vec<&str> = claims.iter().map(|c| c.id.as_str()).collect();
    let place = match medium {
        Medium::OnAir => "on air",
        Medium::ShowNotes => "in the show notes",
        Medium::Website => "on the website",
        Medium::Social => "on social media",
    };
    let mut m = format!(
        "correct: {} corrected {place} in {episode} at {at}\n\nErrata-Correction: {id}\nErrata-Episode: {episode}\n",
        names.join(", ")
    );
    for n in &names {
        m.push_str(&format!("Errata-Claim: {n}\n"));
    }
    m.push_str(&format!(
        "Errata-Status: {} -> {}\n",
        Status::Checked,
        Status::Corrected
    ));
    m
}

/// A new correction id: readable words from the text when it is mostly in Latin
/// letters (else, as for Chinese, from the first claim's id), then four random
/// characters, so corrections recorded at once on two clones do not collide.
fn generate_correction_id(
    text: &str,
    first_claim: &ClaimId,
    taken: impl Fn(&CorrectionId) -> bool,
) -> Result<CorrectionId, CorrectError> {
    // A Chinese text with a product name or two makes a poor slug ("graphcast-
    // graphcast"); the claim's id says more.
    let latin = text.chars().filter(char::is_ascii_alphabetic).count();
    let other = text
        .chars()
        .filter(|c| c.is_alphabetic() && !c.is_ascii())
        .count();
    let from_text = if latin > other {
        slug(text)
    } else {
        String::new()
    };
    let base = if from_text.is_empty() {
        shorten(first_claim.as_str(), 40)
    } else {
        from_text
    };
    let next = || -> Result<CorrectionId, CorrectError> {
        Ok(CorrectionId::new(&format!("{base}-{}", random_suffix()))?)
    };
    let mut id = next()?;
    // 34^4 suffixes: a hundred tries all taken means something else is wrong.
    for _ in 0..100 {
        if !taken(&id) {
            return Ok(id);
        }
        id = next()?;
    }
    Err(CorrectError::Exists(id))
}

/// An id cut to at most `max` characters at a hyphen, so it stays whole words.
fn shorten(id: &str, max: usize) -> String {
    if id.len() <= max {
        return id.to_owned();
    }
    let cut = &id[..max];
    match cut.rfind('-') {
        Some(i) if i > 0 => cut[..i].to_owned(),
        _ => cut.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_come_from_latin_words_or_the_claim() {
        let claim = ClaimId::new("graphcast-no-supercomputers").unwrap();
        let id = generate_correction_id(
            "GraphCast still needs a supercomputer for its input.",
            &claim,
            |_| false,
        )
        .unwrap();
        assert!(
            id.as_str()
                .starts_with("graphcast-still-needs-supercomputer-"),
            "{id}"
        );
        let id =
            generate_correction_id("上週說錯了:仍然需要超級電腦。", &claim, |_| false).unwrap();
        assert!(
            id.as_str().starts_with("graphcast-no-supercomputers-"),
            "{id}"
        );
        assert_eq!(id.as_str().len(), "graphcast-no-supercomputers-".len() + 4);
        let long = ClaimId::new(&format!("{}tail", "word-".repeat(11))).unwrap();
        let id = generate_correction_id("", &long, |_| false).unwrap();
        assert!(id.as_str().len() <= 45, "{id}");
        assert!(!id.as_str().contains("--"), "{id}");
    }

    #[test]
    fn generated_ids_avoid_taken_ones_and_give_up_cleanly() {
        let claim = ClaimId::new("x").unwrap();
        let err = generate_correction_id("", &claim, |_| true).unwrap_err();
        assert!(matches!(err, CorrectError::Exists(_)), "{err}");
    }
}
