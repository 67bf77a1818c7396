//! Writing records: atomic file replacement, and edits through `toml_edit` that
//! keep every comment and layout choice a person made by hand.

use std::io::Write;
use std::path::Path;

use toml_edit::{DocumentMut, Item, Table, value};

use crate::model::Date;

/// Replace a file's content so that a crash leaves either the old file or the new
/// one, never a mix: write a temporary file beside it, flush it to disk, rename.
pub fn atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    atomic_with(path, true, |w| w.write_all(bytes))
}

/// [`atomic`] for content written piece by piece, so it need not be held whole
/// in memory. Without `durable` the data is not flushed to disk before the
/// rename: right for a cache, whose reader checks it and rebuilds it if torn.
pub fn atomic_with(
    path: &Path,
    durable: bool,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| std::io::Error::other("a file to write has no parent folder"))?;
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".errata-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    {
        let mut w = std::io::BufWriter::new(tmp.as_file_mut());
        write(&mut w)?;
        w.flush()?;
    }
    // A temporary file is private (0600); the record keeps the permissions the
    // file had, or gets the usual ones for a new file. A link found in its place
    // is replaced by the rename, and what it pointed to is not looked at.
    let permissions = match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_file() => Some(meta.permissions()),
        _ => default_permissions(),
    };
    if let Some(p) = permissions {
        tmp.as_file().set_permissions(p)?;
    }
    if durable {
        tmp.as_file().sync_data()?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(unix)]
fn default_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn default_permissions() -> Option<std::fs::Permissions> {
    None
}

/// Key order for new claim files, so records written by errata read the same way.
pub const CLAIM_KEY_ORDER: &[&str] = &[
    "status", "verdict", "said_at", "speaker", "quote", "claim", "tags", "assignee", "note",
];

/// Key order of a `[[sources]]` table: the citation, the passage, then when the
/// desk read it and where a copy is kept.
pub const SOURCE_KEY_ORDER: &[&str] = &[
    "title",
    "url",
    "publisher",
    "published",
    "excerpt",
    "accessed",
    "archived",
];

/// Key order of a correction file, as the design writes it.
pub const CORRECTION_KEY_ORDER: &[&str] = &[
    "claims",
    "episode",
    "aired_at",
    "medium",
    "reported_by",
    "text",
];

/// Key order of an episode's record.
pub const EPISODE_KEY_ORDER: &[&str] = &["title", "date", "url", "transcript"];

/// Key order of `errata.toml`.
pub const SETTINGS_KEY_ORDER: &[&str] = &["name", "publisher", "language", "url"];

/// Set a top-level key, keeping its decoration (comments) if it existed, and
/// placing a new key after the nearest earlier key in `order` that is present.
pub fn set_key(doc: &mut DocumentMut, key: &str, item: Item, order: &[&str]) {
    let table = doc.as_table_mut();
    if let Some(existing) = table.get_mut(key) {
        // Keep the comment after the value on the same line, if any.
        let suffix = existing
            .as_value()
            .and_then(|v| v.decor().suffix())
            .and_then(|s| s.as_str())
            .map(str::to_owned);
        *existing = item;
        if let (Some(suffix), Some(v)) = (suffix, existing.as_value_mut()) {
            v.decor_mut().set_suffix(suffix);
        }
        return;
    }
    let rank = |k: &str| order.iter().position(|o| *o == k);
    let Some(my_rank) = rank(key) else {
        table.insert(key, item);
        return;
    };
    // Rebuild the root table's key/value part in place, inserting after the last
    // present key that ranks before ours; tables (like [[sources]]) stay as they are.
    let after = table
        .iter()
        .filter(|(k, v)| {
            !v.is_table() && !v.is_array_of_tables() && rank(k).is_some_and(|r| r < my_rank)
        })
        .map(|(k, _)| k.to_owned())
        .last();
    let old = std::mem::replace(table, Table::new());
    let mut placed = false;
    if after.is_none() {
        table.insert(key, item.clone());
        placed = true;
    }
    for (k, v) in old.iter() {
        let k_owned = old
            .key(k)
            .cloned()
            .unwrap_or_else(|| toml_edit::Key::new(k));
        table.insert_formatted(&k_owned, v.clone());
        if !placed && after.as_deref() == Some(k) {
            table.insert(key, item.clone());
            placed = true;
        }
    }
    if !placed {
        table.insert(key, item);
    }
    table.decor_mut().clone_from(old.decor());
}

/// A TOML date (`2023-11-21`), as a person writes one.
pub fn date(d: Date) -> Item {
    value(toml_edit::Datetime {
        date: Some(toml_edit::Date {
            year: d.year,
            month: d.month,
            day: d.day,
        }),
        time: None,
        offset: None,
    })
}

/// An array of strings.
pub fn string_array<'a>(items: impl IntoIterator<Item = &'a str>) -> Item {
    let mut a = toml_edit::Array::new();
    for s in items {
        a.push(s);
    }
    value(a)
}
