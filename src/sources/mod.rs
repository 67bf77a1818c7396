//! Are the sources still there, and do they still say what the claims quote
//! from them? This module owns the check of every source address: fetching
//! (`fetch`: politely, with caps per host and overall, retries, timeouts and a
//! size limit), reading the page's text (`extract`: charsets, HTML, the
//! comparison of an excerpt with the page) and remembering results under
//! `.git/errata/` (`cache`). It also knows the Wayback Machine's address form,
//! for the archived copy of a source that went away or changed.
//!
//! Uses `model` and `store::write` (the cache's atomic write); never prints:
//! progress goes to a callback the command gives.

mod cache;
mod extract;
mod fetch;

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use crate::model::{ClaimId, Date, Source};

pub use cache::{Cache, CacheError};
pub use extract::{contains_excerpt, normalise, page_text};

/// What a check found of one source, in the words the desk uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    /// Answers, and still holds the excerpt (if the source has one).
    Ok,
    /// Answers, but the excerpt is no longer in the page.
    Drifted,
    /// Permanently redirected to another address.
    Moved,
    /// 404 or 410: the page is gone.
    Gone,
    /// 401, 403, 429 after retries, or a bot wall: unknown, never dead.
    Blocked,
    /// DNS, TLS, timeout, too many redirects, a body too large, a server error.
    Error,
    /// `--offline`, and nothing in the cache for it.
    Unchecked,
}

impl Health {
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Ok => "ok",
            Health::Drifted => "drifted",
            Health::Moved => "moved",
            Health::Gone => "gone",
            Health::Blocked => "blocked",
            Health::Error => "error",
            Health::Unchecked => "unchecked",
        }
    }

    /// Whether the desk must act: the source is gone or no longer says it.
    pub fn fails(self) -> bool {
        matches!(self, Health::Gone | Health::Drifted)
    }

    /// Whether a result may be remembered: errors (and not knowing) never are,
    /// so the next run asks again.
    fn cacheable(self) -> bool {
        !matches!(self, Health::Error | Health::Blocked | Health::Unchecked)
    }
}

impl std::fmt::Display for Health {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One source of one claim to check.
#[derive(Debug, Clone)]
pub struct Target {
    pub claim: ClaimId,
    /// Its place in the claim's `[[sources]]`.
    pub index: usize,
    pub url: String,
    pub excerpt: Option<String>,
    pub accessed: Option<Date>,
    pub published: Option<Date>,
    pub archived: Option<String>,
}

impl Target {
    /// The sources of a claim that have an address to check.
    pub fn of_claim(claim: &ClaimId, sources: &[Source]) -> Vec<Target> {
        sources
            .iter()
            .enumerate()
            .filter_map(|(index, s)| {
                Some(Target {
                    claim: claim.clone(),
                    index,
                    url: s.url.clone()?,
                    excerpt: s.excerpt.clone().filter(|e| !e.trim().is_empty()),
                    accessed: s.accessed,
                    published: s.published,
                    archived: s.archived.clone(),
                })
            })
            .collect()
    }
}

/// What was found at one address, before it is judged against an excerpt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Finding {
    pub health: Health,
    /// The last status code received, if any answer came.
    pub http: Option<u16>,
    /// Where the redirects ended (for `moved`, the new address).
    pub final_url: Option<String>,
    /// Unix seconds of the check.
    pub checked_at: i64,
    pub detail: String,
}

/// The outcome for one source, as `errata sources check` reports it.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub id: ClaimId,
    /// The source's place in the claim's `[[sources]]`, from 0.
    pub index: usize,
    pub url: String,
    pub status: Health,
    pub http: Option<u16>,
    pub final_url: Option<String>,
    /// RFC 3339, UTC; null when never checked.
    pub checked_at: Option<String>,
    pub detail: String,
    /// Whether the result came from the cache.
    pub cached: bool,
    /// For a source gone or drifted without an archived copy on record: the
    /// Wayback Machine's copy nearest the day the desk read it.
    pub suggested_archive: Option<String>,
}

/// How politely and how patiently to check.
#[derive(Debug, Clone)]
pub struct Options {
    /// Requests at once to one host.
    pub per_host: usize,
    /// Requests at once in all.
    pub jobs: usize,
    /// For one request, from connecting to the last byte of the body.
    pub timeout: Duration,
    /// Further tries after a 429, a 5xx or a failed connection.
    pub retries: u32,
    /// The first wait between tries; doubled each time.
    pub backoff: Duration,
    /// The longest `Retry-After` honoured; a longer one ends the tries.
    pub max_retry_after: Duration,
    /// The largest body read, in bytes.
    pub max_body: usize,
    /// How long a remembered result stands.
    pub max_age: Duration,
    /// Report the cache only: no request at all.
    pub offline: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            per_host: 2,
            jobs: 100,
            timeout: Duration::from_secs(20),
            retries: 2,
            backoff: Duration::from_millis(500),
            max_retry_after: Duration::from_secs(60),
            max_body: 10 * 1024 * 1024,
            max_age: Duration::from_secs(24 * 3600),
            offline: false,
        }
    }
}

/// The `User-Agent` every request carries, naming errata so a site's owner
/// can tell who is asking.
pub const USER_AGENT: &str = concat!(
    "errata/",
    env!("CARGO_PKG_VERSION"),
    " (fact-check source checker)"
);

/// Why no check could run at all.
#[derive(Debug, thiserror::Error)]
pub enum SourcesError {
    #[error("cannot start the HTTP client: {0}")]
    Client(String),
    #[error(transparent)]
    Cache(#[from] CacheError),
}

/// Check every target: from the cache where a fresh result is remembered,
/// else over the network (one fetch per address, however many claims cite
/// it), judging each excerpt against the page. `progress` is called once per
/// address as it is settled, with how many are settled and how many there are.
pub fn check(
    git_dir: &Path,
    targets: &[Target],
    opts: &Options,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Vec<Outcome>, SourcesError> {
    let mut cache = Cache::open(git_dir)?;
    let now = now_unix();
    let max_age = i64::try_from(opts.max_age.as_secs()).unwrap_or(i64::MAX);
    let mut settled: HashMap<usize, (Finding, bool)> = HashMap::new();
    let mut to_fetch: Vec<&str> = Vec::new();
    for (i, t) in targets.iter().enumerate() {
        let key = cache::key(&t.url, t.excerpt.as_deref());
        match cache.get(&key) {
            Some(f) if opts.offline || now.saturating_sub(f.checked_at) < max_age => {
                settled.insert(i, (f.clone(), true));
            }
            _ if opts.offline => {
                let f = Finding {
                    health: Health::Unchecked,
                    http: None,
                    final_url: None,
                    checked_at: 0,
                    detail: "not in the cache (checked offline)".into(),
                };
                settled.insert(i, (f, false));
            }
            _ => {
                if !to_fetch.contains(&t.url.as_str()) {
                    to_fetch.push(&t.url);
                }
            }
        }
    }
    let pages = if to_fetch.is_empty() {
        HashMap::new()
    } else {
        fetch::fetch_all(&to_fetch, opts, progress)?
    };
    let mut out = Vec::with_capacity(targets.len());
    for (i, t) in targets.iter().enumerate() {
        let (finding, cached) = match settled.remove(&i) {
            Some(s) => s,
            None => {
                let finding = match pages.get(t.url.as_str()) {
                    Some(page) => judge(page, t.excerpt.as_deref()),
                    None => Finding {
                        health: Health::Error,
                        http: None,
                        final_url: None,
                        checked_at: now,
                        detail: "not fetched".into(),
                    },
                };
                if finding.health.cacheable() {
                    cache.put(cache::key(&t.url, t.excerpt.as_deref()), finding.clone());
                }
                (finding, false)
            }
        };
        let suggested_archive = (finding.health.fails() && t.archived.is_none())
            .then(|| t.accessed.or(t.published))
            .flatten()
            .map(|day| wayback(&t.url, day));
        out.push(Outcome {
            id: t.claim.clone(),
            index: t.index,
            url: t.url.clone(),
            status: finding.health,
            http: finding.http,
            final_url: finding.final_url,
            checked_at: (finding.checked_at > 0).then(|| rfc3339(finding.checked_at)),
            detail: finding.detail,
            cached,
            suggested_archive,
        });
    }
    if !opts.offline {
        cache.save()?;
    }
    Ok(out)
}

/// A fetched page judged against one excerpt.
fn judge(page: &fetch::Page, excerpt: Option<&str>) -> Finding {
    let mut f = page.finding.clone();
    let Some(text) = &page.text else {
        return f;
    };
    let Some(excerpt) = excerpt else {
        return f;
    };
    match text {
        Err(why) => {
            f.detail = join(&f.detail, &format!("excerpt not checked: {why}"));
        }
        Ok(text) if contains_excerpt(text, excerpt) => {
            f.detail = join(&f.detail, "excerpt found");
        }
        Ok(_) if page.bot_wall => {
            f.health = Health::Blocked;
            f.detail = join(&f.detail, "a bot wall answered instead of the page");
        }
        Ok(_) => {
            f.health = Health::Drifted;
            f.detail = join(&f.detail, "excerpt not found in the page");
        }
    }
    f
}

fn join(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_owned()
    } else {
        format!("{a}; {b}")
    }
}

/// The Wayback Machine's address of its copy of `url` nearest noon (UTC) of
/// `day`, in the documented `https://web.archive.org/web/<timestamp>/<url>`
/// form: the archive redirects to the closest snapshot it holds. No request
/// is made, so whether a copy exists is for the reader (or the desk) to see.
pub fn wayback(url: &str, day: Date) -> String {
    format!(
        "https://web.archive.org/web/{:04}{:02}{:02}120000/{url}",
        day.year, day.month, day.day
    )
}

fn now_unix() -> i64 {
    jiff::Timestamp::now().as_second()
}

fn rfc3339(secs: i64) -> String {
    jiff::Timestamp::from_second(secs)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wayback_address_is_the_documented_form() {
        let day: Date = "2023-12-30".parse().unwrap();
        assert_eq!(
            wayback("https://example.org/a?b=1", day),
            "https://web.archive.org/web/20231230120000/https://example.org/a?b=1"
        );
    }

    #[test]
    fn only_gone_and_drifted_fail_and_errors_are_never_remembered() {
        assert!(Health::Gone.fails() && Health::Drifted.fails());
        assert!(!Health::Blocked.fails() && !Health::Error.fails() && !Health::Moved.fails());
        assert!(!Health::Error.cacheable() && !Health::Blocked.cacheable());
        assert!(Health::Ok.cacheable() && Health::Gone.cacheable());
    }
}
