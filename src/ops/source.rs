//! `errata source`: cite a source for a claim, with as much of its citation as
//! is known, in one commit.

use serde::Serialize;
use toml_edit::{Item, value};

use super::message::{Message, Trailer};
use super::{OpError, rewrite_claim};
use crate::git::CommitId;
use crate::model::{Claim, ClaimId, Date, OneLine, Source};
use crate::store::write;
use crate::store::{Snapshot, Store};

/// A source as given on the command line: one-line fields are one line.
#[derive(Debug, Clone, Default)]
pub struct NewSource {
    pub title: Option<OneLine>,
    pub url: Option<String>,
    pub publisher: Option<OneLine>,
    pub published: Option<Date>,
    pub excerpt: Option<String>,
    pub accessed: Option<Date>,
    pub archived: Option<String>,
}

impl NewSource {
    /// The source as its record holds it.
    pub fn to_source(&self) -> Source {
        Source {
            title: self.title.as_ref().map(OneLine::to_string),
            url: self.url.clone(),
            publisher: self.publisher.as_ref().map(OneLine::to_string),
            published: self.published,
            excerpt: self.excerpt.clone(),
            accessed: self.accessed,
            archived: self.archived.clone(),
        }
    }
}

/// What `source` did.
#[derive(Debug, Serialize)]
pub struct SourceAdded {
    pub id: ClaimId,
    pub source: Source,
    /// How many sources the claim cites now.
    pub sources: usize,
    pub commit: CommitId,
}

/// Add a source to a claim: the evidence an editor found. The rules of a
/// claim's sources (a title or a url; a url a reader can follow) are checked on
/// the record as it will be written.
pub fn add_source(
    store: &Store,
    snap: &Snapshot,
    claim: &Claim,
    new: &NewSource,
) -> Result<SourceAdded, OpError> {
    let source = new.to_source();
    if let Some(url) = &source.url
        && claim.sources.iter().any(|s| s.url.as_deref() == Some(url))
    {
        return Err(OpError::AlreadyCited {
            id: claim.id.clone(),
            url: url.clone(),
        });
    }
    let label = source
        .title
        .as_deref()
        .or(source.url.as_deref())
        .unwrap_or("a source");
    let mut message = Message::new("source", format_args!("{} cites {label}", claim.id))
        .trailer(Trailer::Claim, &claim.id);
    if let Some(url) = &source.url {
        message = message.trailer(Trailer::Source, url);
    }
    let commit = rewrite_claim(store, snap, claim, &message, |doc| {
        let mut t = toml_edit::Table::new();
        let fields: [(&str, Option<Item>); 7] = [
            ("title", source.title.as_deref().map(value)),
            ("url", source.url.as_deref().map(value)),
            ("publisher", source.publisher.as_deref().map(value)),
            ("published", source.published.map(write::date)),
            ("excerpt", source.excerpt.as_deref().map(value)),
            ("accessed", source.accessed.map(write::date)),
            ("archived", source.archived.as_deref().map(value)),
        ];
        debug_assert!(
            fields
                .iter()
                .map(|(k, _)| *k)
                .eq(write::SOURCE_KEY_ORDER.iter().copied())
        );
        for (key, item) in fields {
            if let Some(item) = item {
                t[key] = item;
            }
        }
        let tables = doc
            .as_table_mut()
            .entry("sources")
            .or_insert(Item::ArrayOfTables(toml_edit::ArrayOfTables::new()));
        if let Some(array) = tables.as_array_of_tables_mut() {
            array.push(t);
        }
    })?;
    Ok(SourceAdded {
        id: claim.id.clone(),
        sources: claim.sources.len() + 1,
        source,
        commit,
    })
}
