//! `errata episode add`: register an episode, importing its transcript into
//! errata's own format in the same commit.

use serde::Serialize;
use toml_edit::{DocumentMut, value};

use super::message::{Message, Trailer};
use super::{OpError, ensure_initialised, rules};
use crate::git::{Change, CommitId};
use crate::model::{Date, Episode, EpisodeId, OneLine};
use crate::store::{self, Snapshot, Store, TRANSCRIPT_FILE, episode_path, write};
use crate::transcript::{Skipped, Transcript};

/// A new episode, as given on the command line.
pub struct NewEpisode {
    pub id: EpisodeId,
    pub title: OneLine,
    pub date: Option<Date>,
    pub url: Option<String>,
    /// Transcript text to import, in any format [`Transcript::import`] reads.
    pub transcript: Option<String>,
    /// Refuse a transcript with any cue that cannot be read, instead of skipping it.
    pub strict: bool,
}

/// What `episode add` did.
#[derive(Debug, Serialize)]
pub struct EpisodeAdded {
    pub episode: EpisodeId,
    /// How many segments the imported transcript has (0 without one).
    pub segments: usize,
    /// What the transcript was read as.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// Cues of the transcript that could not be read and were left out.
    pub skipped: Vec<Skipped>,
    pub commit: CommitId,
}

pub fn add_episode(
    store: &Store,
    snap: &Snapshot,
    ep: NewEpisode,
) -> Result<EpisodeAdded, OpError> {
    ensure_initialised(store)?;
    if snap.episodes.contains_key(&ep.id) || store.root().join(episode_path(&ep.id)).exists() {
        return Err(OpError::EpisodeExists(ep.id.to_string()));
    }
    let imported = match &ep.transcript {
        Some(text) => {
            let imported = Transcript::import_report(text)?;
            Some(if ep.strict {
                imported.strict()?
            } else {
                imported
            })
        }
        None => None,
    };
    let format = imported.as_ref().map(|i| i.format.to_string());
    let (transcript, skipped) = match imported {
        Some(i) => (Some(i.transcript), i.skipped),
        None => (None, Vec::new()),
    };
    let record = Episode {
        id: ep.id.clone(),
        title: ep.title.to_string(),
        date: ep.date,
        url: ep.url.clone(),
        transcript: transcript.as_ref().map(|_| TRANSCRIPT_FILE.to_owned()),
    };
    if let Some(v) = rules::episode(&record).into_iter().next() {
        return Err(v.into());
    }
    let mut doc = DocumentMut::new();
    doc["title"] = value(record.title.as_str());
    if let Some(date) = record.date {
        doc["date"] = write::date(date);
    }
    if let Some(url) = &record.url {
        doc["url"] = value(url.as_str());
    }
    let mut changes = Vec::new();
    let mut segments = 0;
    if let Some(t) = &transcript {
        doc["transcript"] = value(TRANSCRIPT_FILE);
        segments = t.segments.len();
    }
    changes.push(Change {
        path: episode_path(&ep.id),
        content: Some(doc.to_string().into_bytes()),
    });
    if let Some(t) = &transcript {
        changes.push(Change {
            path: store::transcript_path(&ep.id, TRANSCRIPT_FILE),
            content: Some(t.render().into_bytes()),
        });
    }
    let message = Message::new("episode", format_args!("add {} ({})", ep.id, ep.title))
        .trailer(Trailer::Episode, &ep.id);
    let commit = super::commit(store, &changes, &message)?;
    Ok(EpisodeAdded {
        episode: ep.id,
        segments,
        format,
        skipped,
        commit,
    })
}
