//! The records of a fact-check repository, as they are after parsing.
//!
//! Each record has a `*File` twin that mirrors the TOML on disk field for field
//! (unknown fields refused, so a typo like `stauts` is an error rather than a
//! silently dropped value). Turning a file into a record is where the lifecycle is
//! enforced: a `Claim` can only hold a status and verdict that belong together.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::ids::{ClaimId, CorrectionId, EpisodeId};
use super::quote::QuoteKey;
use super::time::{Date, Timestamp};

macro_rules! keyword_enum {
    ($(#[$doc:meta])* $name:ident, $what:literal { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "kebab-case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(format!(
                        concat!("`{}` is not a ", $what, "; use one of: {}"),
                        s,
                        [$($text),+].join(", ")
                    )),
                }
            }
        }
    };
}

keyword_enum!(
    /// Where a claim is in its lifecycle.
    Status, "status" {
        NeedsCheck => "needs-check",
        Checking => "checking",
        Checked => "checked",
        Corrected => "corrected",
    }
);

keyword_enum!(
    /// The judgement of a checked claim.
    Verdict, "verdict" {
        Accurate => "accurate",
        MostlyAccurate => "mostly-accurate",
        Misleading => "misleading",
        Inaccurate => "inaccurate",
        Unverifiable => "unverifiable",
    }
);

keyword_enum!(
    /// Where a correction was published.
    Medium, "medium" {
        OnAir => "on-air",
        ShowNotes => "show-notes",
        Website => "website",
        Social => "social",
    }
);

impl Verdict {
    /// Whether a claim with this verdict is owed a correction until one airs.
    pub fn owes_correction(self) -> bool {
        matches!(self, Verdict::Misleading | Verdict::Inaccurate)
    }

    /// Every verdict but `unverifiable` must rest on at least one source.
    pub fn needs_source(self) -> bool {
        self != Verdict::Unverifiable
    }
}

/// A claim's status and verdict together, so a verdict cannot exist without the
/// status that allows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum State {
    NeedsCheck,
    Checking,
    Checked(Verdict),
    Corrected(Verdict),
}

/// Why a status and verdict do not belong together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StateError {
    #[error("a claim that is {0} has no verdict yet; remove `verdict` or set status = \"checked\"")]
    VerdictTooEarly(Status),
    #[error("a claim that is {0} needs a verdict")]
    MissingVerdict(Status),
    #[error("a corrected claim cannot be rated accurate: an accurate claim needs no correction")]
    CorrectedAccurate,
}

impl State {
    pub fn new(status: Status, verdict: Option<Verdict>) -> Result<Self, StateError> {
        match (status, verdict) {
            (Status::NeedsCheck, None) => Ok(State::NeedsCheck),
            (Status::Checking, None) => Ok(State::Checking),
            (Status::NeedsCheck | Status::Checking, Some(_)) => {
                Err(StateError::VerdictTooEarly(status))
            }
            (Status::Checked | Status::Corrected, None) => Err(StateError::MissingVerdict(status)),
            (Status::Corrected, Some(Verdict::Accurate)) => Err(StateError::CorrectedAccurate),
            (Status::Checked, Some(v)) => Ok(State::Checked(v)),
            (Status::Corrected, Some(v)) => Ok(State::Corrected(v)),
        }
    }

    pub fn status(self) -> Status {
        match self {
            State::NeedsCheck => Status::NeedsCheck,
            State::Checking => Status::Checking,
            State::Checked(_) => Status::Checked,
            State::Corrected(_) => Status::Corrected,
        }
    }

    pub fn verdict(self) -> Option<Verdict> {
        match self {
            State::Checked(v) | State::Corrected(v) => Some(v),
            _ => None,
        }
    }

    /// Checked with a verdict that says the show got it wrong, and no correction yet.
    pub fn is_owed(self) -> bool {
        matches!(self, State::Checked(v) if v.owes_correction())
    }

    /// `start`: needs-check → checking. A claim being checked may be started again
    /// (to hand it to someone else); one with a verdict may not go back.
    pub fn start(self) -> Result<State, LifecycleError> {
        match self {
            State::NeedsCheck | State::Checking => Ok(State::Checking),
            State::Checked(verdict) | State::Corrected(verdict) => {
                Err(LifecycleError::HasVerdict {
                    status: self.status(),
                    verdict,
                })
            }
        }
    }

    /// `verdict`: any state but corrected → checked with this verdict. A verdict
    /// may be revised until a correction has aired on it.
    pub fn judge(self, verdict: Verdict) -> Result<State, LifecycleError> {
        match self {
            State::Corrected(old) => Err(LifecycleError::JudgeCorrected { verdict: old }),
            _ => Ok(State::Checked(verdict)),
        }
    }

    /// `correct`: checked with a verdict other than accurate → corrected.
    pub fn correct(self) -> Result<State, LifecycleError> {
        match self {
            State::Checked(Verdict::Accurate) => Err(LifecycleError::Accurate),
            State::Checked(v) => Ok(State::Corrected(v)),
            State::Corrected(_) => Err(LifecycleError::AlreadyCorrected),
            State::NeedsCheck | State::Checking => Err(LifecycleError::NotChecked {
                status: self.status(),
            }),
        }
    }
}

impl State {
    /// A correction no longer names the claim (it was amended, and no other
    /// correction names it): corrected → checked, with the verdict it had.
    /// Any other state has nothing to undo and stays as it is.
    pub fn uncorrect(self) -> State {
        match self {
            State::Corrected(v) => State::Checked(v),
            other => other,
        }
    }
}

/// A move the lifecycle does not allow. The message follows the claim's id:
/// `nvidia-gross-margin is already checked (accurate); ...`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleError {
    #[error("is already {status} ({verdict}); a claim with a verdict cannot go back to checking")]
    HasVerdict { status: Status, verdict: Verdict },
    #[error("is already corrected ({verdict}); its verdict stands with the correction that aired")]
    JudgeCorrected { verdict: Verdict },
    #[error("is {status}: only a checked claim can be corrected")]
    NotChecked { status: Status },
    #[error("is rated accurate: an accurate claim needs no correction")]
    Accurate,
    #[error("is already corrected")]
    AlreadyCorrected,
}

/// Evidence behind a verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub publisher: Option<String>,
    #[serde(default)]
    pub published: Option<Date>,
    #[serde(default)]
    pub excerpt: Option<String>,
    /// When the desk read it: the page as it stood that day is what the
    /// excerpt quotes, and the archived copy to look for is the one nearest it.
    #[serde(default)]
    pub accessed: Option<Date>,
    /// The address of an archived copy, for when the original moves or changes.
    #[serde(default)]
    pub archived: Option<String>,
}

impl Source {
    /// A source an editor gave only as an address on the command line.
    pub fn from_url(url: &str) -> Self {
        Source {
            title: None,
            url: Some(url.to_owned()),
            publisher: None,
            published: None,
            excerpt: None,
            accessed: None,
            archived: None,
        }
    }
}

/// A claim record exactly as written in `claims/<episode>/<id>.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimFile {
    pub status: Status,
    #[serde(default)]
    pub verdict: Option<Verdict>,
    #[serde(default)]
    pub said_at: Option<Timestamp>,
    #[serde(default)]
    pub speaker: Option<String>,
    #[serde(default)]
    pub quote: Option<String>,
    #[serde(default)]
    pub claim: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub assignee: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub sources: Vec<Source>,
}

/// A claim made on air, with its place in the lifecycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    pub id: ClaimId,
    pub episode: EpisodeId,
    pub state: State,
    pub said_at: Option<Timestamp>,
    pub speaker: Option<String>,
    pub quote: Option<String>,
    pub claim: Option<String>,
    pub tags: Vec<String>,
    pub assignee: Option<String>,
    pub note: Option<String>,
    pub sources: Vec<Source>,
}

/// Why a claim file, though valid TOML of the right shape, is not a claim.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClaimError {
    #[error(transparent)]
    State(#[from] StateError),
    #[error("a claim needs a `quote` (what was said) or a `claim` (what it means), or both")]
    Empty,
}

impl Claim {
    /// A claim needing nothing but its id, episode and state, for unit tests
    /// of code that reads claims.
    #[cfg(test)]
    pub(crate) fn for_test(id: &str, episode: &str, state: State) -> Claim {
        Claim {
            id: ClaimId::new(id).expect("a valid claim id"),
            episode: EpisodeId::new(episode).expect("a valid episode id"),
            state,
            said_at: None,
            speaker: None,
            quote: None,
            claim: Some("x".into()),
            tags: vec![],
            assignee: None,
            note: None,
            sources: vec![],
        }
    }

    pub fn from_file(id: ClaimId, episode: EpisodeId, f: ClaimFile) -> Result<Self, ClaimError> {
        let state = State::new(f.status, f.verdict)?;
        let blank = |s: &Option<String>| s.as_deref().is_none_or(|s| s.trim().is_empty());
        if blank(&f.quote) && blank(&f.claim) {
            return Err(ClaimError::Empty);
        }
        Ok(Claim {
            id,
            episode,
            state,
            said_at: f.said_at,
            speaker: f.speaker,
            quote: f.quote,
            claim: f.claim,
            tags: f.tags,
            assignee: f.assignee,
            note: f.note,
            sources: f.sources,
        })
    }

    /// The words to show for a claim in one line: the clean claim if there is one,
    /// else the quote as aired.
    pub fn headline(&self) -> &str {
        self.claim
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .or(self.quote.as_deref())
            .unwrap_or("")
    }
}

/// What lists, counts and checks across records need of a claim, without the
/// long texts and sources: small enough that a warm run over 100,000 claims
/// reads a few megabytes rather than the whole records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimSummary {
    pub id: ClaimId,
    pub episode: EpisodeId,
    pub state: State,
    pub said_at: Option<Timestamp>,
    /// [`Claim::headline`], whole.
    pub headline: String,
    pub tags: Vec<String>,
    pub assignee: Option<String>,
    /// The quote's words, fingerprinted (the quote itself is long and only
    /// compared): `None` when there is no quote.
    pub quote_key: Option<QuoteKey>,
}

impl From<Claim> for ClaimSummary {
    fn from(c: Claim) -> Self {
        ClaimSummary {
            headline: c.headline().to_owned(),
            quote_key: c.quote.as_deref().and_then(QuoteKey::of),
            id: c.id,
            episode: c.episode,
            state: c.state,
            said_at: c.said_at,
            tags: c.tags,
            assignee: c.assignee,
        }
    }
}

/// A correction record, `corrections/<id>.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorrectionFile {
    pub claims: Vec<ClaimId>,
    pub episode: EpisodeId,
    pub aired_at: Timestamp,
    #[serde(default = "default_medium")]
    pub medium: Medium,
    #[serde(default)]
    pub reported_by: Option<String>,
    pub text: String,
}

fn default_medium() -> Medium {
    Medium::OnAir
}

/// A published correction of one or more claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correction {
    pub id: CorrectionId,
    pub claims: Vec<ClaimId>,
    pub episode: EpisodeId,
    pub aired_at: Timestamp,
    pub medium: Medium,
    pub reported_by: Option<String>,
    pub text: String,
}

impl Correction {
    pub fn from_file(id: CorrectionId, f: CorrectionFile) -> Self {
        Correction {
            id,
            claims: f.claims,
            episode: f.episode,
            aired_at: f.aired_at,
            medium: f.medium,
            reported_by: f.reported_by,
            text: f.text,
        }
    }
}

/// `claims/<episode>/episode.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EpisodeFile {
    pub title: String,
    #[serde(default)]
    pub date: Option<Date>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub transcript: Option<String>,
}

/// An episode of the show, with the id its folder gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Episode {
    pub id: EpisodeId,
    pub title: String,
    pub date: Option<Date>,
    pub url: Option<String>,
    /// File name of the transcript inside the episode folder.
    pub transcript: Option<String>,
}

impl Episode {
    pub fn from_file(id: EpisodeId, f: EpisodeFile) -> Self {
        Episode {
            id,
            title: f.title,
            date: f.date,
            url: f.url,
            transcript: f.transcript,
        }
    }
}

/// `errata.toml`: the show and who publishes its fact-checks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub publisher: Option<String>,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
}

/// Whether a source address is one a reader can follow.
pub fn is_web_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(rest) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            // Characters no address holds unencoded, which only markup would.
            !host.is_empty()
                && !url
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || "\"<>`".contains(c))
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_follow_the_lifecycle() {
        use Verdict::*;
        assert_eq!(State::NeedsCheck.start(), Ok(State::Checking));
        assert_eq!(State::Checking.start(), Ok(State::Checking));
        assert!(matches!(
            State::Checked(Accurate).start(),
            Err(LifecycleError::HasVerdict { .. })
        ));
        assert_eq!(
            State::Checking.judge(Inaccurate),
            Ok(State::Checked(Inaccurate))
        );
        assert_eq!(
            State::Checked(Accurate).judge(Misleading),
            Ok(State::Checked(Misleading))
        );
        assert!(State::Corrected(Misleading).judge(Accurate).is_err());
        assert_eq!(
            State::Checked(Misleading).correct(),
            Ok(State::Corrected(Misleading))
        );
        assert_eq!(
            State::Checked(Accurate).correct(),
            Err(LifecycleError::Accurate)
        );
        assert_eq!(
            State::Corrected(Misleading).correct(),
            Err(LifecycleError::AlreadyCorrected)
        );
        assert!(matches!(
            State::Checking.correct(),
            Err(LifecycleError::NotChecked { .. })
        ));
    }

    #[test]
    fn state_follows_the_lifecycle() {
        assert_eq!(
            State::new(Status::Checked, Some(Verdict::Accurate)),
            Ok(State::Checked(Verdict::Accurate))
        );
        assert_eq!(
            State::new(Status::NeedsCheck, Some(Verdict::Accurate)),
            Err(StateError::VerdictTooEarly(Status::NeedsCheck))
        );
        assert_eq!(
            State::new(Status::Checked, None),
            Err(StateError::MissingVerdict(Status::Checked))
        );
        assert_eq!(
            State::new(Status::Corrected, Some(Verdict::Accurate)),
            Err(StateError::CorrectedAccurate)
        );
        assert!(State::Checked(Verdict::Misleading).is_owed());
        assert!(!State::Corrected(Verdict::Misleading).is_owed());
        assert!(!State::Checked(Verdict::MostlyAccurate).is_owed());
    }

    #[test]
    fn unknown_keywords_name_the_choices() {
        let err = "false".parse::<Verdict>().unwrap_err();
        assert!(err.contains("`false` is not a verdict"), "{err}");
        assert!(err.contains("mostly-accurate"), "{err}");
    }

    #[test]
    fn unknown_fields_are_refused() {
        let err = toml::from_str::<ClaimFile>("stauts = \"checked\"\nstatus = \"checked\"\n")
            .unwrap_err();
        assert!(err.to_string().contains("stauts"), "{err}");
    }

    #[test]
    fn web_urls() {
        assert!(is_web_url("https://nvidianews.nvidia.com/news/x"));
        assert!(is_web_url("http://example.org"));
        assert!(!is_web_url("ftp://example.org"));
        assert!(!is_web_url("https://"));
        assert!(!is_web_url("javascript:alert(1)"));
        assert!(!is_web_url("https://a b"));
    }
}
