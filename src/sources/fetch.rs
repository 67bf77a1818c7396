//! Fetching source addresses, politely: at most `per_host` requests at once
//! to one host and `jobs` in all, a timeout per request, a size limit per
//! body, bounded retries with doubling waits (a `Retry-After` honoured up to a
//! bound), and a `User-Agent` naming errata. Redirects are followed here,
//! not by the client, so a permanent one (301, 308) is told from a temporary
//! one (302, 303, 307), and a loop or too long a chain is an error.
//!
//! reqwest on tokio, TLS by rustls with the `ring` provider (nothing to build
//! but Rust and C). Uses `extract` for the page's text.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, LOCATION, RETRY_AFTER};
use tokio::sync::Semaphore;

use super::extract;
use super::{Finding, Health, Options, SourcesError, USER_AGENT};

/// The longest chain of redirects followed.
const MAX_REDIRECTS: usize = 10;

/// What one address gave: the finding before any excerpt is judged, and the
/// page's normalised text (or why it has none to compare) when it answered 2xx.
#[derive(Debug, Clone)]
pub(super) struct Page {
    pub finding: Finding,
    pub text: Option<Result<String, String>>,
    /// The answer looks like a bot wall (a challenge page), not the page.
    pub bot_wall: bool,
}

/// Fetch every address, each once; the result is keyed by address.
pub(super) fn fetch_all(
    urls: &[&str],
    opts: &Options,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<HashMap<String, Page>, SourcesError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| SourcesError::Client(e.to_string()))?;
    let client = reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(opts.timeout)
        .connect_timeout(opts.timeout)
        .pool_max_idle_per_host(opts.per_host.max(1))
        .build()
        .map_err(|e| SourcesError::Client(e.to_string()))?;
    let global = Arc::new(Semaphore::new(opts.jobs.max(1)));
    let opts = Arc::new(opts.clone());
    let hosts = Arc::new(Hosts::default());
    let total = urls.len();
    runtime.block_on(async {
        let mut set = tokio::task::JoinSet::new();
        for &url in urls {
            let (client, global, opts, hosts, url) = (
                client.clone(),
                global.clone(),
                opts.clone(),
                hosts.clone(),
                url.to_owned(),
            );
            set.spawn(async move {
                let page = fetch_one(&client, &url, &opts, &hosts, &global).await;
                (url, page)
            });
        }
        let mut out = HashMap::with_capacity(total);
        while let Some(joined) = set.join_next().await {
            // A task that panicked leaves its address unfetched, reported as such.
            if let Ok((url, page)) = joined {
                out.insert(url, page);
            }
            progress(total - set.len(), total);
        }
        Ok(out)
    })
}

/// One cap per host, shared by every request to it, redirected ones too.
#[derive(Default)]
struct Hosts(std::sync::Mutex<HashMap<String, Arc<Semaphore>>>);

impl Hosts {
    fn cap(&self, url: &str, per_host: usize) -> Arc<Semaphore> {
        let mut map = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.entry(host_of(url))
            .or_insert_with(|| Arc::new(Semaphore::new(per_host.max(1))))
            .clone()
    }
}

/// `host:port` of an address, the unit the per-host cap counts.
fn host_of(url: &str) -> String {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|u| {
            let host = u.host_str()?.to_ascii_lowercase();
            Some(format!("{host}:{}", u.port_or_known_default().unwrap_or(0)))
        })
        .unwrap_or_else(|| url.to_owned())
}

/// One answer (no redirect followed), or why none came.
enum Answer {
    Response {
        status: StatusCode,
        location: Option<String>,
        content_type: Option<String>,
        challenge: bool,
        body: Result<Vec<u8>, String>,
        retry_after: Option<Duration>,
    },
    Failed {
        detail: String,
        retry: bool,
    },
}

/// Follow one address to its end.
async fn fetch_one(
    client: &reqwest::Client,
    url: &str,
    opts: &Options,
    hosts: &Hosts,
    global: &Arc<Semaphore>,
) -> Page {
    let checked_at = jiff::Timestamp::now().as_second();
    let finding = |health, http, final_url: &str, detail: String| Finding {
        health,
        http,
        final_url: Some(final_url.to_owned()),
        checked_at,
        detail,
    };
    let mut current = match reqwest::Url::parse(url) {
        Ok(u) => u,
        Err(e) => {
            return Page {
                finding: Finding {
                    health: Health::Error,
                    http: None,
                    final_url: None,
                    checked_at,
                    detail: format!("not an address: {e}"),
                },
                text: None,
                bot_wall: false,
            };
        }
    };
    let mut seen: HashSet<String> = HashSet::new();
    seen.insert(current.to_string());
    // Where the unbroken run of permanent redirects from the start led.
    let mut moved_to: Option<String> = None;
    let mut permanent_so_far = true;
    let mut hops = 0;
    loop {
        // Permits are taken per hop: a redirect to another host queues there.
        let host = hosts.cap(current.as_str(), opts.per_host);
        let answer = fetch_with_retries(client, current.as_str(), opts, &host, global).await;
        let (status, location, content_type, challenge, body) = match answer {
            Answer::Failed { detail, .. } => {
                return Page {
                    finding: finding(Health::Error, None, current.as_str(), detail),
                    text: None,
                    bot_wall: false,
                };
            }
            Answer::Response {
                status,
                location,
                content_type,
                challenge,
                body,
                ..
            } => (status, location, content_type, challenge, body),
        };
        let code = Some(status.as_u16());
        if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
            let Some(next) = location.and_then(|l| current.join(&l).ok()) else {
                return Page {
                    finding: finding(
                        Health::Error,
                        code,
                        current.as_str(),
                        format!("{status} without a usable Location"),
                    ),
                    text: None,
                    bot_wall: false,
                };
            };
            hops += 1;
            let permanent = matches!(
                status,
                StatusCode::MOVED_PERMANENTLY | StatusCode::PERMANENT_REDIRECT
            );
            permanent_so_far &= permanent;
            if permanent_so_far {
                moved_to = Some(next.to_string());
            }
            if !seen.insert(next.to_string()) {
                return Page {
                    finding: finding(
                        Health::Error,
                        code,
                        next.as_str(),
                        format!("redirect loop after {hops} redirects"),
                    ),
                    text: None,
                    bot_wall: false,
                };
            }
            if hops > MAX_REDIRECTS {
                return Page {
                    finding: finding(
                        Health::Error,
                        code,
                        next.as_str(),
                        format!("more than {MAX_REDIRECTS} redirects"),
                    ),
                    text: None,
                    bot_wall: false,
                };
            }
            current = next;
            continue;
        }
        let final_url = current.as_str();
        let moved_note = moved_to
            .as_deref()
            .map(|m| format!("moved permanently to {m}"));
        return match status.as_u16() {
            200..=299 => {
                let (health, detail) = match &moved_to {
                    Some(_) => (Health::Moved, moved_note.clone().unwrap_or_default()),
                    None => (Health::Ok, String::new()),
                };
                let text = match body {
                    Err(why) => {
                        return Page {
                            finding: finding(Health::Error, code, final_url, why),
                            text: None,
                            bot_wall: false,
                        };
                    }
                    Ok(bytes) => readable_text(&bytes, content_type.as_deref()),
                };
                let bot_wall = challenge
                    || text
                        .as_ref()
                        .ok()
                        .is_some_and(|(_, title)| looks_like_a_bot_wall(title.as_deref()));
                Page {
                    finding: finding(health, code, final_url, detail),
                    text: Some(text.map(|(t, _)| t)),
                    bot_wall,
                }
            }
            404 | 410 => Page {
                finding: finding(
                    Health::Gone,
                    code,
                    final_url,
                    with(moved_note, &status_words(status)),
                ),
                text: None,
                bot_wall: false,
            },
            401 | 403 | 429 => Page {
                finding: finding(
                    Health::Blocked,
                    code,
                    final_url,
                    with(
                        moved_note,
                        &format!(
                            "{}: refused to errata, not known to be gone",
                            status_words(status)
                        ),
                    ),
                ),
                text: None,
                bot_wall: false,
            },
            _ if challenge => Page {
                finding: finding(
                    Health::Blocked,
                    code,
                    final_url,
                    format!("{}: a bot wall", status_words(status)),
                ),
                text: None,
                bot_wall: true,
            },
            _ => Page {
                finding: finding(Health::Error, code, final_url, status_words(status)),
                text: None,
                bot_wall: false,
            },
        };
    }
}

fn with(note: Option<String>, s: &str) -> String {
    match note {
        Some(n) => format!("{n}; {s}"),
        None => s.to_owned(),
    }
}

fn status_words(status: StatusCode) -> String {
    format!(
        "HTTP {}{}",
        status.as_u16(),
        status
            .canonical_reason()
            .map(|r| format!(" {r}"))
            .unwrap_or_default()
    )
}

/// The page's normalised text and title, or why there is none to compare.
fn readable_text(
    bytes: &[u8],
    content_type: Option<&str>,
) -> Result<(String, Option<String>), String> {
    if !extract::is_text(content_type) {
        return Err(format!(
            "the page is {}, not text",
            content_type.unwrap_or("of no type")
        ));
    }
    let text = extract::decode(bytes, content_type);
    if extract::is_html(content_type, &text) {
        let (body, title) = extract::page_text(&text);
        Ok((extract::normalise(&body), title))
    } else {
        Ok((extract::normalise(&text), None))
    }
}

/// Titles of the challenge pages that bot walls answer with.
fn looks_like_a_bot_wall(title: Option<&str>) -> bool {
    let Some(t) = title.map(str::to_lowercase) else {
        return false;
    };
    [
        "just a moment",
        "attention required",
        "access denied",
        "are you a robot",
        "captcha",
        "verify you are human",
        "ddos-guard",
    ]
    .iter()
    .any(|p| t.contains(p))
}

/// One request, tried again after a 429, a 5xx or a failed connection, at
/// most `opts.retries` more times, waiting `Retry-After` (up to
/// `opts.max_retry_after`) or a doubling backoff between tries. The host's
/// permit is kept through the wait (the host asked errata to slow down); the
/// global one is given back so other hosts go on.
async fn fetch_with_retries(
    client: &reqwest::Client,
    url: &str,
    opts: &Options,
    host: &Semaphore,
    global: &Semaphore,
) -> Answer {
    let Ok(_host_permit) = host.acquire().await else {
        return Answer::Failed {
            detail: "cancelled".into(),
            retry: false,
        };
    };
    let mut wait = opts.backoff;
    let mut attempt = 0;
    loop {
        let answer = {
            let Ok(_permit) = global.acquire().await else {
                return Answer::Failed {
                    detail: "cancelled".into(),
                    retry: false,
                };
            };
            request(client, url, opts).await
        };
        let (retry, retry_after) = match &answer {
            Answer::Failed { retry, .. } => (*retry, None),
            Answer::Response {
                status,
                retry_after,
                ..
            } => (
                *status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error(),
                *retry_after,
            ),
        };
        if !retry || attempt >= opts.retries {
            return answer;
        }
        let pause = match retry_after {
            Some(d) if d > opts.max_retry_after => return answer,
            Some(d) => d,
            None => wait,
        };
        tokio::time::sleep(pause).await;
        wait = wait.saturating_mul(2);
        attempt += 1;
    }
}

/// One GET, its body read up to the size limit.
async fn request(client: &reqwest::Client, url: &str, opts: &Options) -> Answer {
    let resp = match client
        .get(url)
        .header(
            reqwest::header::ACCEPT,
            "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.8",
        )
        .send()
        .await
    {
        Ok(r) => r,
        Err(e) => return failed(&e),
    };
    let status = resp.status();
    let headers = resp.headers();
    let text = |h| {
        headers
            .get(h)
            .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
            .map(str::to_owned)
    };
    let location = text(LOCATION);
    let content_type = text(CONTENT_TYPE);
    let retry_after = text(RETRY_AFTER).and_then(|v| parse_retry_after(&v));
    let challenge = headers
        .get("cf-mitigated")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"challenge"));
    let declared: Option<u64> = text(CONTENT_LENGTH).and_then(|v| v.parse().ok());
    let body = if !status.is_success() {
        // Only a page's body is read; an error page's is not needed.
        Ok(Vec::new())
    } else if declared.is_some_and(|n| n > opts.max_body as u64) {
        Err(too_large(opts.max_body))
    } else {
        read_body(resp, opts.max_body).await
    };
    if let Err(e) = &body
        && e.starts_with("timed out")
    {
        return Answer::Failed {
            detail: e.clone(),
            retry: false,
        };
    }
    Answer::Response {
        status,
        location,
        content_type,
        challenge,
        body,
        retry_after,
    }
}

async fn read_body(mut resp: reqwest::Response, limit: usize) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > limit {
                    return Err(too_large(limit));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(e) if e.is_timeout() => return Err("timed out reading the page".into()),
            Err(e) => return Err(format!("the page could not be read: {}", chain(&e))),
        }
    }
}

fn too_large(limit: usize) -> String {
    format!("the page is larger than {limit} bytes, the limit")
}

fn failed(e: &reqwest::Error) -> Answer {
    if e.is_timeout() {
        Answer::Failed {
            detail: "timed out".into(),
            retry: false,
        }
    } else if let Some(tls) = tls_error(e) {
        // A handshake refused the same way next time: asking again is no use.
        Answer::Failed {
            detail: format!("TLS handshake failed: {tls}"),
            retry: false,
        }
    } else if e.is_connect() {
        Answer::Failed {
            detail: format!("cannot connect: {}", chain(e)),
            retry: true,
        }
    } else {
        Answer::Failed {
            detail: chain(e),
            retry: false,
        }
    }
}

/// The TLS error somewhere in `e`'s causes: reqwest reports a failed
/// handshake as a connection error whose text ("received corrupt message")
/// does not say it was TLS. An `io::Error`'s `source()` skips the error it
/// wraps, so the walk steps into it with `get_ref`.
fn tls_error<'e>(e: &'e (dyn std::error::Error + 'static)) -> Option<&'e rustls::Error> {
    let mut cause = Some(e);
    while let Some(c) = cause {
        if let Some(tls) = c.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        cause = match c.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => c.source(),
        };
    }
    None
}

/// An error with its causes (DNS, TLS and the like say why only there).
fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let c_text = c.to_string();
        if !s.contains(&c_text) {
            s.push_str(": ");
            s.push_str(&c_text);
        }
        cause = c.source();
    }
    s
}

/// `Retry-After`: seconds, or an HTTP date.
fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = jiff::fmt::rfc2822::parse(v).ok()?.timestamp();
    let now = jiff::Timestamp::now();
    let secs = when.as_second().saturating_sub(now.as_second()).max(0);
    Some(Duration::from_secs(u64::try_from(secs).unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_counted_with_their_port() {
        assert_eq!(host_of("https://Example.org/a"), "example.org:443");
        assert_eq!(host_of("http://127.0.0.1:8080/x"), "127.0.0.1:8080");
    }

    #[test]
    fn retry_after_is_seconds_or_a_date() {
        assert_eq!(parse_retry_after("2"), Some(Duration::from_secs(2)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn bot_walls_are_known_by_their_titles() {
        assert!(looks_like_a_bot_wall(Some("Just a moment...")));
        assert!(!looks_like_a_bot_wall(Some(
            "NVIDIA Announces Financial Results"
        )));
    }
}
