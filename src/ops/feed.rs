//! `errata episode import FEED`: register the episodes a podcast feed lists, with
//! their transcripts, in one commit that names them all. Everything is fetched and
//! checked before anything is written, so a broken feed or an unreachable
//! transcript changes nothing.
//!
//! Uses `feed` for the items and fetching, `transcript` for the import, `store` and
//! `validate::rules` as every operation does.

use serde::Serialize;
use toml_edit::{DocumentMut, value};

use super::message::{Message, Trailer};
use super::{OpError, ensure_initialised, rules};
use crate::feed::{Feed, Item, Location};
use crate::git::{Change, CommitId};
use crate::model::{Date, Episode, EpisodeId};
use crate::store::{self, Snapshot, Store, TRANSCRIPT_FILE, episode_path, write};
use crate::transcript::{Skipped, Transcript};

/// Which of the feed's items to take, and how.
#[derive(Debug, Default)]
pub struct FeedChoice {
    /// Items by id (as `--dry-run` lists them) or guid; all when empty.
    pub ids: Vec<String>,
    /// Only items published on or after this date.
    pub since: Option<Date>,
    /// Only the newest N (after the filters above).
    pub latest: Option<usize>,
    /// Rewrite the title, date, url and transcript of items already registered.
    pub update: bool,
    /// Refuse a transcript with any cue that cannot be read.
    pub strict: bool,
    /// Say what would be done, and do nothing.
    pub dry_run: bool,
}

/// One episode the import registered or updated (or would, under `--dry-run`).
#[derive(Debug, Serialize)]
pub struct FeedEpisode {
    pub episode: EpisodeId,
    pub title: String,
    pub date: Option<Date>,
    pub url: Option<String>,
    /// The transcript's address, when the feed links one errata can read.
    pub transcript: Option<String>,
    /// What it was read as, and how many segments it has.
    pub format: Option<String>,
    pub segments: usize,
    /// Its cues that could not be read and were left out.
    pub skipped_cues: Vec<Skipped>,
}

/// What `episode import` did.
#[derive(Debug, Serialize)]
pub struct FeedImported {
    pub feed: String,
    pub registered: Vec<FeedEpisode>,
    pub updated: Vec<FeedEpisode>,
    /// Items already registered, left as they are (matched by id or url).
    pub existing: Vec<EpisodeId>,
    /// Transcript links of a kind errata cannot import (HTML, plain text), by episode.
    pub unreadable_transcripts: Vec<(EpisodeId, String)>,
    pub dry_run: bool,
    pub commit: Option<CommitId>,
}

pub fn import_feed(
    store: &Store,
    snap: &Snapshot,
    feed: &Feed,
    source: &Location,
    choice: &FeedChoice,
) -> Result<FeedImported, OpError> {
    ensure_initialised(store)?;
    let items = choose(snap, feed, choice)?;
    let mut out = FeedImported {
        feed: feed.title.clone(),
        registered: Vec::new(),
        updated: Vec::new(),
        existing: Vec::new(),
        unreadable_transcripts: Vec::new(),
        dry_run: choice.dry_run,
        commit: None,
    };
    let mut changes: Vec<Change> = Vec::new();
    for item in items {
        let registered = registered(snap, item);
        if let Some(existing) = registered
            && !choice.update
        {
            out.existing.push(existing.id.clone());
            continue;
        }
        if registered.is_none() && store.root().join(episode_path(&item.id)).exists() {
            // A folder the snapshot could not read: never overwrite it.
            return Err(OpError::EpisodeExists(item.id.to_string()));
        }
        let id = registered.map_or_else(|| item.id.clone(), |e| e.id.clone());
        for t in item.transcripts.iter().filter(|t| !t.importable()) {
            out.unreadable_transcripts
                .push((id.clone(), format!("{} ({})", t.url, t.kind)));
        }
        let link = item.transcripts.iter().find(|t| t.importable());
        let (transcript, episode) = episode_of(item, &id, link, source, choice)?;
        let record = Episode {
            id: id.clone(),
            title: item.title.clone(),
            date: item.date,
            url: item.url.clone(),
            transcript: transcript
                .as_ref()
                .map(|_| TRANSCRIPT_FILE.to_owned())
                .or_else(|| registered.and_then(|e| e.transcript.clone())),
        };
        if let Some(v) = rules::episode(&record).into_iter().next() {
            return Err(OpError::FeedItem {
                episode: id.to_string(),
                problem: v.to_string(),
            });
        }
        let path = episode_path(&id);
        let mut doc = match registered {
            Some(_) => store
                .read_for_change(&path)?
                .parse::<DocumentMut>()
                .map_err(|e| OpError::FeedItem {
                    episode: id.to_string(),
                    problem: e.to_string(),
                })?,
            None => DocumentMut::new(),
        };
        let before = doc.to_string();
        doc["title"] = value(record.title.as_str());
        if let Some(date) = record.date {
            doc["date"] = write::date(date);
        }
        if let Some(url) = &record.url {
            doc["url"] = value(url.as_str());
        }
        if transcript.is_some() {
            doc["transcript"] = value(TRANSCRIPT_FILE);
        }
        let mut changed = doc.to_string() != before;
        if let (Some(t), Some(_)) = (&transcript, registered) {
            // A new transcript must still hold every quote logged from the old one,
            // or the claims would stop passing `errata validate`.
            if let Some(c) = snap
                .claims
                .iter()
                .filter(|c| c.episode == id)
                .find(|c| c.quote.as_deref().is_some_and(|q| t.find(q).is_none()))
            {
                return Err(OpError::FeedTranscript {
                    episode: id.to_string(),
                    url: link.map(|l| l.url.clone()).unwrap_or_default(),
                    problem: format!(
                        "it no longer holds the quote of claim {}, so it is not updated",
                        c.id
                    ),
                });
            }
        }
        if let Some(t) = &transcript {
            let rel = store::transcript_path(&id, TRANSCRIPT_FILE);
            let rendered = t.render();
            let old =
                registered.and_then(|_| std::fs::read_to_string(store.root().join(&rel)).ok());
            if old.as_deref() != Some(rendered.as_str()) {
                if registered.is_some() && old.is_some() {
                    store.read_for_change(&rel)?;
                }
                changes.push(Change {
                    path: rel,
                    content: Some(rendered.into_bytes()),
                });
                changed = true;
            }
        }
        if changed {
            changes.push(Change {
                path,
                content: Some(doc.to_string().into_bytes()),
            });
        }
        match registered {
            None => out.registered.push(episode),
            Some(_) if changed => out.updated.push(episode),
            Some(e) => out.existing.push(e.id.clone()),
        }
    }
    if choice.dry_run || changes.is_empty() {
        return Ok(out);
    }
    let ids: Vec<&EpisodeId> = out
        .registered
        .iter()
        .chain(&out.updated)
        .map(|e| &e.episode)
        .collect();
    let names = if ids.len() <= 5 {
        ids.iter()
            .map(|i| i.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        format!("{} episodes", ids.len())
    };
    let mut message = Message::new(
        "episode",
        format_args!("import {names} from {}", feed.title),
    );
    for id in &ids {
        message = message.trailer(Trailer::Episode, id);
    }
    changes.sort_by(|a, b| a.path.cmp(&b.path));
    out.commit = Some(super::commit(store, &changes, &message)?);
    Ok(out)
}

/// The episode already registered for an item: the one with its url (a link
/// outlives a retitling), else the one with its id.
fn registered<'s>(snap: &'s Snapshot, item: &Item) -> Option<&'s Episode> {
    let by_url = item
        .url
        .as_ref()
        .and_then(|u| snap.episodes.values().find(|e| e.url.as_ref() == Some(u)));
    by_url.or_else(|| snap.episodes.get(&item.id))
}

/// The items chosen, oldest first so the commit lists them in airing order. An
/// id names an item by the id it has (or would get) here, or by its guid.
fn choose<'f>(
    snap: &Snapshot,
    feed: &'f Feed,
    choice: &FeedChoice,
) -> Result<Vec<&'f Item>, OpError> {
    let named = |item: &Item, wanted: &str| {
        item.id.as_str() == wanted
            || item.guid.as_deref() == Some(wanted)
            || registered(snap, item).is_some_and(|e| e.id.as_str() == wanted)
    };
    for wanted in &choice.ids {
        if !feed.items.iter().any(|i| named(i, wanted)) {
            return Err(OpError::UnknownFeedItem(wanted.clone()));
        }
    }
    let mut items: Vec<&Item> = feed
        .items
        .iter()
        .filter(|i| choice.ids.is_empty() || choice.ids.iter().any(|w| named(i, w)))
        .filter(|i| {
            choice
                .since
                .is_none_or(|since| i.date.is_some_and(|d| d >= since))
        })
        .collect();
    // Newest first for --latest; items without a date count as oldest.
    items.sort_by_key(|i| std::cmp::Reverse(i.date));
    if let Some(n) = choice.latest {
        items.truncate(n);
    }
    items.reverse();
    Ok(items)
}

/// The item's transcript, fetched and imported, and what to report of it.
fn episode_of(
    item: &Item,
    id: &EpisodeId,
    link: Option<&crate::feed::TranscriptLink>,
    source: &Location,
    choice: &FeedChoice,
) -> Result<(Option<Transcript>, FeedEpisode), OpError> {
    let mut episode = FeedEpisode {
        episode: id.clone(),
        title: item.title.clone(),
        date: item.date,
        url: item.url.clone(),
        transcript: link.map(|l| l.url.clone()),
        format: None,
        segments: 0,
        skipped_cues: Vec::new(),
    };
    let Some(link) = link else {
        return Ok((None, episode));
    };
    let failed = |problem: String| OpError::FeedTranscript {
        episode: id.to_string(),
        url: link.url.clone(),
        problem,
    };
    let at = source
        .join(&link.url)
        .ok_or_else(|| failed("not an http(s) address".into()))?;
    if choice.dry_run {
        return Ok((None, episode));
    }
    let bytes = at.fetch().map_err(|e| failed(e.to_string()))?;
    let imported = Transcript::import_bytes_report(&bytes).map_err(|e| failed(e.to_string()))?;
    let imported = if choice.strict {
        imported.strict().map_err(|e| failed(e.to_string()))?
    } else {
        imported
    };
    episode.format = Some(imported.format.to_string());
    episode.segments = imported.transcript.segments.len();
    episode.skipped_cues = imported.skipped;
    Ok((Some(imported.transcript), episode))
}
