//! The rules one record keeps on its own, given what it depends on (for a
//! claim, its episode's transcript). `validate` runs them on every record, and
//! every operation that writes a record runs them on the record it is about to
//! write, so each rule is written once and no command writes what `validate`
//! would refuse. Uses `model`, `transcript` and `diagnostic` (for where a
//! problem is); reads no file.

use crate::diagnostic::{Location, Problem, Step};
use crate::model::{
    Claim, Correction, Date, Episode, EpisodeId, LineError, Seconds, Settings, State, Timestamp,
    Verdict, format_point, is_web_url, one_line_fault,
};
use crate::transcript::Transcript;

/// A rule a record breaks. Its `Display` is the rule as an operation reports
/// it; [`Violation::problem`] is how `validate` reports it, with what to change
/// in the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Violation {
    #[error("verdict {verdict} needs at least one source")]
    SourceNeeded { verdict: Verdict },
    #[error("`{url}` is not a web address: use an http:// or https:// url")]
    NotAWebAddress { location: Location, url: String },
    #[error("accessed {accessed} is after today ({today}): give the day the desk read the source")]
    AccessedInFuture {
        index: usize,
        accessed: Date,
        today: Date,
    },
    #[error("a source needs at least a title or a url")]
    SourceUnnamed { index: usize },
    #[error(
        "{time} is outside the transcript of {episode}, which runs from {} to {}",
        format_point(*start),
        format_point(*end)
    )]
    OutsideTranscript {
        key: &'static str,
        time: Timestamp,
        episode: EpisodeId,
        start: Seconds,
        end: Seconds,
    },
    #[error("quote is not in the transcript of {episode} (whitespace aside)")]
    QuoteNotFound {
        episode: EpisodeId,
        /// The segment most like the quote, as `(MM:SS~MM:SS) text`.
        closest: Option<String>,
    },
    #[error("said_at {said_at} does not cover the quote, which is at {found}")]
    QuoteElsewhere {
        said_at: Timestamp,
        found: Timestamp,
    },
    #[error("{field} is not one line: {error}")]
    NotOneLine {
        field: String,
        location: Location,
        error: LineError,
    },
    #[error("a correction must name at least one claim it corrects")]
    NoClaimsNamed,
    #[error("a correction needs its text: what was aired or published")]
    NoText,
}

impl Violation {
    /// Where in the record the rule is broken.
    pub fn location(&self) -> Location {
        match self {
            Violation::SourceNeeded { .. } => Location::key("verdict"),
            Violation::NotAWebAddress { location, .. } | Violation::NotOneLine { location, .. } => {
                location.clone()
            }
            Violation::AccessedInFuture { index, .. } => Location::source(*index, "accessed"),
            Violation::SourceUnnamed { index } => {
                Location::Field(vec![Step::Key("sources".into()), Step::Index(*index)])
            }
            Violation::OutsideTranscript { key, .. } => Location::key(key),
            Violation::QuoteNotFound { .. } => Location::key("quote"),
            Violation::QuoteElsewhere { .. } => Location::key("said_at"),
            Violation::NoClaimsNamed => Location::key("claims"),
            Violation::NoText => Location::key("text"),
        }
    }

    /// The violation as `validate` reports it in the file at `path`: the rule,
    /// and what to change in the file to keep it.
    pub fn problem(&self, path: &str) -> Problem {
        let message = match self {
            Violation::SourceNeeded { .. } => {
                format!("{self}: add a [[sources]] entry (only unverifiable may stand without one)")
            }
            Violation::QuoteNotFound {
                closest: Some(c), ..
            } => format!("{self}; the closest segment is {c}"),
            _ => self.to_string(),
        };
        Problem::new(path, self.location(), message)
    }
}

/// Each text that must be one line, with its name and place in the record.
fn one_line<'a>(
    fields: impl IntoIterator<Item = (String, Location, Option<&'a str>)>,
) -> Vec<Violation> {
    fields
        .into_iter()
        .filter_map(|(field, location, text)| {
            let error = one_line_fault(text?)?;
            Some(Violation::NotOneLine {
                field,
                location,
                error,
            })
        })
        .collect()
}

/// The rules one claim keeps, given its episode's transcript when there is one.
pub fn claim(c: &Claim, transcript: Option<&Transcript>) -> Vec<Violation> {
    let episode = &c.episode;
    let mut out = Vec::new();
    if let State::Checked(v) | State::Corrected(v) = c.state
        && v.needs_source()
        && c.sources.is_empty()
    {
        out.push(Violation::SourceNeeded { verdict: v });
    }
    for (i, s) in c.sources.iter().enumerate() {
        match &s.url {
            Some(url) if !is_web_url(url) => out.push(Violation::NotAWebAddress {
                location: Location::source(i, "url"),
                url: url.clone(),
            }),
            None if s.title.as_deref().is_none_or(|t| t.trim().is_empty()) => {
                out.push(Violation::SourceUnnamed { index: i })
            }
            _ => {}
        }
        if let Some(archived) = s.archived.as_deref().filter(|a| !is_web_url(a)) {
            out.push(Violation::NotAWebAddress {
                location: Location::source(i, "archived"),
                url: archived.to_owned(),
            });
        }
        if let (Some(accessed), Some(today)) = (s.accessed, Date::latest_today())
            && accessed > today
        {
            out.push(Violation::AccessedInFuture {
                index: i,
                accessed,
                today,
            });
        }
    }
    let key = |k: &str| (k.to_owned(), Location::key(k));
    let mut lines = vec![
        (key("speaker"), c.speaker.as_deref()),
        (key("assignee"), c.assignee.as_deref()),
    ];
    for (i, t) in c.tags.iter().enumerate() {
        let location = Location::Field(vec![Step::Key("tags".into()), Step::Index(i)]);
        lines.push(((format!("tags[{i}]"), location), Some(t)));
    }
    for (i, s) in c.sources.iter().enumerate() {
        for (k, v) in [("title", &s.title), ("publisher", &s.publisher)] {
            let field = format!("sources[{i}].{k}");
            lines.push(((field, Location::source(i, k)), v.as_deref()));
        }
    }
    out.extend(one_line(lines.into_iter().map(|((f, l), v)| (f, l, v))));
    let Some(t) = transcript else {
        return out;
    };
    if let Some(at) = c.said_at {
        out.extend(outside(t, "said_at", at, episode));
    }
    if let Some(quote) = c.quote.as_deref().filter(|q| !q.trim().is_empty()) {
        let found = t.find_all(quote);
        let place = |r: &std::ops::RangeInclusive<usize>| {
            Timestamp::range(t.segments[*r.start()].start, t.segments[*r.end()].end)
        };
        match (found.first(), c.said_at) {
            (None, _) => out.push(Violation::QuoteNotFound {
                episode: episode.clone(),
                closest: t.closest_hint(quote),
            }),
            (Some(first), Some(said_at)) => {
                let inside = found
                    .iter()
                    .filter_map(place)
                    .any(|seg| seg.overlaps(&said_at));
                if let (false, Some(found)) = (inside, place(first)) {
                    out.push(Violation::QuoteElsewhere { said_at, found });
                }
            }
            (Some(_), None) => {}
        }
    }
    out
}

/// Whether the claim's rules depend on the day they run: a source accessed
/// "after today" stops being so once that day comes, so such a claim's
/// problems are not to be remembered.
pub fn depends_on_today(c: &Claim) -> bool {
    let today = Date::latest_today();
    c.sources
        .iter()
        .any(|s| matches!((s.accessed, today), (Some(a), Some(t)) if a > t))
}

/// Where a quote is in a transcript: the segments of its first occurrence.
pub fn quote_place(t: &Transcript, quote: &str) -> Option<Timestamp> {
    let r = t.find(quote)?;
    Timestamp::range(t.segments[*r.start()].start, t.segments[*r.end()].end)
}

/// The rules one correction keeps, given the transcript of the episode it aired in.
pub fn correction(c: &Correction, transcript: Option<&Transcript>) -> Vec<Violation> {
    let mut out = Vec::new();
    if c.claims.is_empty() {
        out.push(Violation::NoClaimsNamed);
    }
    if let Some(t) = transcript {
        out.extend(outside(t, "aired_at", c.aired_at, &c.episode));
    }
    if c.text.trim().is_empty() {
        out.push(Violation::NoText);
    }
    out.extend(one_line([(
        "reported_by".to_owned(),
        Location::key("reported_by"),
        c.reported_by.as_deref(),
    )]));
    out
}

/// The rules an episode's record keeps (its transcript is read, and judged, apart).
pub fn episode(e: &Episode) -> Vec<Violation> {
    let mut out = web_address(e.url.as_deref());
    out.extend(one_line([(
        "title".to_owned(),
        Location::key("title"),
        Some(e.title.as_str()),
    )]));
    out
}

/// The rules the show's settings keep.
pub fn settings(s: &Settings) -> Vec<Violation> {
    let mut out = web_address(s.url.as_deref());
    out.extend(one_line(
        [
            ("name", &s.name),
            ("publisher", &s.publisher),
            ("language", &s.language),
        ]
        .map(|(k, v)| (k.to_owned(), Location::key(k), v.as_deref())),
    ));
    out
}

fn web_address(url: Option<&str>) -> Vec<Violation> {
    match url {
        Some(url) if !is_web_url(url) => vec![Violation::NotAWebAddress {
            location: Location::key("url"),
            url: url.to_owned(),
        }],
        _ => Vec::new(),
    }
}

/// A time that lies outside the transcript, when its length is known.
fn outside(
    t: &Transcript,
    key: &'static str,
    time: Timestamp,
    episode: &EpisodeId,
) -> Option<Violation> {
    let (start, end) = t.span()?;
    let span = Timestamp::range(start, end)?;
    (!time.within(&span)).then(|| Violation::OutsideTranscript {
        key,
        time,
        episode: episode.clone(),
        start,
        end,
    })
}
