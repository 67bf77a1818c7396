//! The changelog of every record, produced one commit at a time: `errata log`
//! prints its first entry as soon as the walk meets it, however long the
//! history, and stops reading when the reader (a pager, `head`, `-n`) has had
//! enough. Each commit costs what it changed: the files come from the history
//! index or a comparison of the folders that differ, and the records are read
//! and compared field by field only when asked for. Uses `git` (the walk) and
//! `review` (the entries and their field changes).

use crate::git::{GitError, RecordWalk};
use crate::review::{self, Bound, LogEntry, LogFilter};
use crate::store::{CLAIMS_DIR, Store};

/// The changelog's entries, newest first, as an iterator.
pub struct Changelog<'s> {
    store: &'s Store,
    walk: Option<RecordWalk<'s>>,
    since: Option<i64>,
    until: Option<i64>,
    author: Option<String>,
    under: Option<String>,
    with_changes: bool,
}

/// Every change to any record (of one episode, by one author, in a span of
/// time when `filter` says so), newest first. Field changes are read only
/// `with_changes`, since a list of the files changed needs no record read.
pub fn changelog<'s>(
    store: &'s Store,
    filter: &LogFilter,
    with_changes: bool,
) -> Result<Changelog<'s>, GitError> {
    let repo = store.repo();
    let walk = if repo.has_commits()? {
        let start = match &filter.until {
            Some(Bound::Rev(r)) => r.clone(),
            _ => "HEAD".to_owned(),
        };
        let hide: Vec<String> = match &filter.since {
            Some(Bound::Rev(r)) => vec![r.clone()],
            _ => Vec::new(),
        };
        Some(repo.record_walk(&start, &hide)?)
    } else {
        None
    };
    let time = |b: &Option<Bound>| match b {
        Some(Bound::Time(t)) => Some(*t),
        _ => None,
    };
    Ok(Changelog {
        store,
        walk,
        since: time(&filter.since),
        until: time(&filter.until),
        author: filter.author.as_ref().map(|a| a.to_lowercase()),
        under: filter
            .episode
            .as_ref()
            .map(|e| format!("{CLAIMS_DIR}/{e}/")),
        with_changes,
    })
}

impl Changelog<'_> {
    fn next_entry(&mut self) -> Result<Option<LogEntry>, GitError> {
        let Some(walk) = self.walk.as_mut() else {
            return Ok(None);
        };
        while let Some(commit) = walk.next_commit()? {
            if self.since.is_some_and(|t| commit.time < t)
                || self.until.is_some_and(|t| commit.time > t)
            {
                continue;
            }
            if let Some(a) = &self.author
                && !commit.author.to_lowercase().contains(a)
                && !commit.email.to_lowercase().contains(a)
            {
                continue;
            }
            let files = walk.changes(&commit.id, self.under.as_deref())?;
            if files.is_empty() {
                continue;
            }
            let new = crate::git::Side::Rev(commit.id.hex());
            let records = if self.with_changes {
                review::record_changes(self.store, &files, &new)?
            } else {
                files.iter().map(review::unread_change).collect()
            };
            return Ok(Some(review::entry(&commit, records)));
        }
        self.walk = None;
        Ok(None)
    }
}

impl Iterator for Changelog<'_> {
    type Item = Result<LogEntry, GitError>;

    fn next(&mut self) -> Option<Self::Item> {
        let next = self.next_entry();
        if next.is_err() {
            self.walk = None;
        }
        next.transpose()
    }
}
