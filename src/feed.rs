//! A show's podcast RSS feed as errata reads it: each item's title, date
//! (`pubDate`), address (the item link, else the enclosure), guid, a readable id
//! made from its title, and the transcripts it links under the Podcast Namespace
//! (`<podcast:transcript url type>`), best first. Also fetching a feed or a
//! transcript from a file or an http(s) address.
//!
//! Parsing is the `rss` crate's; fetching is `reqwest`'s (blocking, rustls). Uses
//! `model` for ids and dates; knows nothing of the store or of commits.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::model::{Date, EpisodeId};

/// The Podcast Namespace's URI; the prefix a feed binds it to may be any.
const PODCAST_NAMESPACE: &str = "https://podcastindex.org/namespace/1.0";

/// Why a feed or a transcript could not be had.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error("cannot read {path}: {message}")]
    Read { path: String, message: String },
    #[error("cannot fetch {url}: {message}")]
    Fetch { url: String, message: String },
    #[error("{url} answered HTTP {status}")]
    Status { url: String, status: u16 },
    #[error("{url} is larger than {limit} MiB", limit = MAX_BYTES >> 20)]
    TooLarge { url: String },
    #[error("{source_name} is not an RSS feed: {message}")]
    NotRss {
        source_name: String,
        message: String,
    },
}

/// Where a feed or a transcript is: a file or an http(s) address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    File(PathBuf),
    Url(reqwest::Url),
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::File(p) => write!(f, "{}", p.display()),
            Location::Url(u) => write!(f, "{u}"),
        }
    }
}

impl Location {
    /// A command-line argument: an http(s) address, else a file path.
    pub fn parse(arg: &str) -> Location {
        match reqwest::Url::parse(arg) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => Location::Url(url),
            _ => Location::File(PathBuf::from(arg)),
        }
    }

    /// An address found in the feed, relative to the feed's own location.
    pub fn join(&self, href: &str) -> Option<Location> {
        if let Ok(url) = reqwest::Url::parse(href) {
            return matches!(url.scheme(), "http" | "https").then_some(Location::Url(url));
        }
        match self {
            Location::Url(base) => base.join(href).ok().map(Location::Url),
            Location::File(path) => Some(Location::File(
                path.parent().unwrap_or(Path::new(".")).join(href),
            )),
        }
    }

    /// The bytes at this location.
    pub fn fetch(&self) -> Result<Vec<u8>, FeedError> {
        match self {
            Location::File(path) => std::fs::read(path).map_err(|e| FeedError::Read {
                path: path.display().to_string(),
                message: e.to_string(),
            }),
            Location::Url(url) => fetch_url(url),
        }
    }
}

/// More than any feed or transcript needs; a guard against a runaway response.
const MAX_BYTES: u64 = 64 << 20;

fn fetch_url(url: &reqwest::Url) -> Result<Vec<u8>, FeedError> {
    use std::io::Read;
    let failed = |e: &dyn std::fmt::Display| FeedError::Fetch {
        url: url.to_string(),
        message: e.to_string(),
    };
    let client = reqwest::blocking::Client::builder()
        .user_agent(concat!("errata/", env!("CARGO_PKG_VERSION")))
        .timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| failed(&e))?;
    let response = client.get(url.clone()).send().map_err(|e| failed(&e))?;
    let status = response.status();
    if !status.is_success() {
        return Err(FeedError::Status {
            url: url.to_string(),
            status: status.as_u16(),
        });
    }
    let mut body = Vec::new();
    response
        .take(MAX_BYTES + 1)
        .read_to_end(&mut body)
        .map_err(|e| failed(&e))?;
    if body.len() as u64 > MAX_BYTES {
        return Err(FeedError::TooLarge {
            url: url.to_string(),
        });
    }
    Ok(body)
}

/// A feed's show and its items, in the feed's order.
#[derive(Debug, Clone)]
pub struct Feed {
    pub title: String,
    pub items: Vec<Item>,
}

/// One episode as the feed lists it.
#[derive(Debug, Clone)]
pub struct Item {
    /// A readable id made from the title, unique within the feed.
    pub id: EpisodeId,
    pub guid: Option<String>,
    pub title: String,
    pub date: Option<Date>,
    /// Where it can be heard: the item's link, else its enclosure.
    pub url: Option<String>,
    /// The transcripts it links, the most useful first (times and speakers).
    pub transcripts: Vec<TranscriptLink>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscriptLink {
    pub url: String,
    /// The MIME type the feed gives.
    pub kind: String,
}

impl TranscriptLink {
    /// Whether errata can import it: JSON, WebVTT and SRT carry times; HTML and
    /// plain text transcripts carry none, and errata's segments need them.
    pub fn importable(&self) -> bool {
        rank(&self.kind).is_some()
    }
}

/// Lower is better: JSON has times and a speaker per segment, WebVTT times and
/// voice spans, SRT times only.
fn rank(kind: &str) -> Option<u8> {
    let kind = kind.split(';').next().unwrap_or_default().trim();
    match kind.to_ascii_lowercase().as_str() {
        "application/json" => Some(0),
        "text/vtt" => Some(1),
        "application/x-subrip" | "application/srt" | "text/srt" | "text/x-srt" => Some(2),
        _ => None,
    }
}

/// Reads a feed. `source_name` is for messages.
pub fn parse(bytes: &[u8], source_name: &str) -> Result<Feed, FeedError> {
    let channel = rss::Channel::read_from(bytes).map_err(|e| FeedError::NotRss {
        source_name: source_name.to_owned(),
        message: e.to_string(),
    })?;
    let prefixes: Vec<&str> = channel
        .namespaces()
        .iter()
        .filter(|(_, uri)| uri.trim_end_matches('/') == PODCAST_NAMESPACE)
        .map(|(prefix, _)| prefix.as_str())
        .chain(["podcast"])
        .collect();
    let mut items = Vec::new();
    let mut taken: Vec<String> = Vec::new();
    for item in channel.items() {
        let title = item
            .title()
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|t| !t.is_empty());
        let Some(title) = title else {
            continue;
        };
        let date = item.pub_date().and_then(rfc2822_date);
        let url = item
            .link()
            .or_else(|| item.enclosure().map(|e| e.url()))
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(str::to_owned);
        let mut transcripts: Vec<TranscriptLink> = prefixes
            .iter()
            .filter_map(|p| item.extensions().get(*p))
            .flat_map(|m| m.get("transcript").into_iter().flatten())
            .filter_map(|e| {
                Some(TranscriptLink {
                    url: e.attrs.get("url")?.trim().to_owned(),
                    kind: e.attrs.get("type").cloned().unwrap_or_default(),
                })
            })
            .collect();
        transcripts.dedup();
        transcripts.sort_by_key(|t| rank(&t.kind).unwrap_or(u8::MAX));
        let id = unique(slug(&title, date), &mut taken);
        items.push(Item {
            id,
            guid: item.guid().map(|g| g.value().trim().to_owned()),
            title,
            date,
            url,
            transcripts,
        });
    }
    Ok(Feed {
        title: channel.title().trim().to_owned(),
        items,
    })
}

/// `Mon, 01 Jan 2024 08:00:00 +0800` as the date it names in its own offset.
fn rfc2822_date(s: &str) -> Option<Date> {
    let zoned = jiff::fmt::rfc2822::parse(s.trim()).ok()?;
    let d = zoned.date();
    Date::new(
        u16::try_from(d.year()).ok()?,
        u8::try_from(d.month()).ok()?,
        u8::try_from(d.day()).ok()?,
    )
    .ok()
}

/// The title's ASCII words, lowercased and joined by `-` (at most 48 characters),
/// so `Episode 42: ACME's year` becomes `episode-42-acme-s-year`; a title with no
/// letter in them (a Chinese one) is led by its date, so it stays readable.
fn slug(title: &str, date: Option<Date>) -> String {
    let mut out = String::new();
    for word in title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let word = word.to_ascii_lowercase();
        if out.len() + word.len() + 1 > 48 {
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&word);
    }
    if !out.bytes().any(|b| b.is_ascii_lowercase()) {
        let lead = date.map_or_else(|| "episode".to_owned(), |d| d.to_string());
        out = if out.is_empty() {
            lead
        } else {
            format!("{lead}-{out}")
        };
    }
    out
}

/// `base`, or `base-2`, `base-3`, ... when an earlier item took it.
fn unique(base: String, taken: &mut Vec<String>) -> EpisodeId {
    let mut n = 1;
    loop {
        let candidate = if n == 1 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
        if !taken.contains(&candidate)
            && let Ok(id) = EpisodeId::new(&candidate)
        {
            taken.push(candidate);
            return id;
        }
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_readable() {
        let d = Date::new(2024, 1, 1).ok();
        assert_eq!(slug("Episode 42: ACME's year", d), "episode-42-acme-s-year");
        assert_eq!(slug("2023 年十大關鍵 AI 發展", d), "2023-ai");
        assert_eq!(slug("科技浪 第一集", d), "2024-01-01");
        assert_eq!(slug("2023", None), "episode-2023");
        let long = slug(&"word ".repeat(40), None);
        assert!(long.len() <= 48 && !long.ends_with('-'));
        let mut taken = Vec::new();
        assert_eq!(unique("a".into(), &mut taken).as_str(), "a");
        assert_eq!(unique("a".into(), &mut taken).as_str(), "a-2");
    }

    #[test]
    fn dates_are_read_in_their_own_offset() {
        assert_eq!(
            rfc2822_date("Mon, 01 Jan 2024 08:00:00 +0800"),
            Date::new(2024, 1, 1).ok()
        );
        assert_eq!(
            rfc2822_date("Tue, 2 Jan 2024 23:30:00 GMT"),
            Date::new(2024, 1, 2).ok()
        );
        assert_eq!(rfc2822_date("yesterday"), None);
    }
}
