//! The text of a conflicted merge: git-style markers around the smallest TOML
//! region that holds the disagreement (a field's `key = value` lines, one
//! `[[sources]]` table, or the whole file), the cleanly merged rest outside
//! them, so that deleting one side and the markers leaves a valid record.
//!
//! Each region is first written into the merged document as a placeholder
//! value that cannot occur in a record, so `toml_edit` lays out everything
//! around it; the placeholder's line is then replaced by the blocks of both
//! sides, each drawn from that side's own document. Uses `fields` (where a
//! field goes) and `sources` (which table is which source).

use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, value};

use super::fields::{put, remove_key};
use super::sources::{SourceId, keyed, tables};
use super::{Kind, Labels, Sides};

/// The field name of a conflict about the whole file.
pub(crate) const FILE: &str = "(file)";

/// The placeholder written where region N goes: `@@errata-conflict:N@@`.
const PLACEHOLDER: &str = "@@errata-conflict:";
/// The key of the one field of a source's placeholder table.
const PLACEHOLDER_KEY: &str = "errata-conflict";

/// What the markers look like: git's labels and `%L`.
pub(crate) struct Markers<'a> {
    pub labels: &'a Labels,
    pub size: usize,
}

impl Markers<'_> {
    fn line(&self, c: char, label: &str) -> String {
        let marker = c.to_string().repeat(self.size);
        if label.is_empty() {
            format!("{marker}\n")
        } else {
            format!("{marker} {label}\n")
        }
    }

    pub(crate) fn open(&self) -> String {
        self.line('<', &self.labels.ours)
    }

    pub(crate) fn close(&self) -> String {
        self.line('>', &self.labels.theirs)
    }

    /// Ours and theirs between markers; a side with nothing there is an empty block.
    pub(crate) fn block(&self, ours: &str, theirs: &str) -> String {
        let lines = |s: &str| {
            if s.is_empty() || s.ends_with('\n') {
                s.to_owned()
            } else {
                format!("{s}\n")
            }
        };
        format!(
            "{}{}{}{}{}",
            self.open(),
            lines(ours),
            self.line('=', ""),
            lines(theirs),
            self.close()
        )
    }
}

/// Where a conflict is drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Region {
    /// These top-level fields, in one block at the place of the first of them.
    Keys(Vec<String>),
    /// One `[[sources]]` table.
    Source(SourceId),
    /// The whole file on each side.
    File,
}

/// Both whole files between markers: for a record deleted on one side and
/// changed on the other, added differently on both, or not TOML.
pub(crate) fn whole_file(ours: &str, theirs: &str, m: &Markers) -> String {
    m.block(ours, theirs)
}

/// The merged record with each region replaced by both sides' blocks.
pub(crate) fn render(
    kind: Kind,
    merged: &DocumentMut,
    regions: &[Region],
    sides: &Sides,
    m: &Markers,
) -> String {
    let whole = || whole_file(sides.ours, sides.theirs, m);
    let Some((ours, theirs)) = sides.docs() else {
        return whole();
    };
    let mut regions = regions.to_vec();
    regions.dedup();
    let mut doc = merged.clone();
    let mut blocks = Vec::new();
    for (n, region) in regions.iter().enumerate() {
        let placeholder = format!("{PLACEHOLDER}{n}@@");
        let block = match region {
            Region::File => return whole(),
            Region::Keys(keys) => {
                let values_only = [&doc, ours, theirs].iter().all(|d| {
                    keys.iter()
                        .all(|k| d.get(k).is_none_or(|item| item.is_value()))
                });
                if !values_only {
                    return whole();
                }
                let present: Vec<String> = doc
                    .iter()
                    .map(|(k, _)| k.to_owned())
                    .filter(|k| keys.contains(k))
                    .collect();
                for k in present.iter().skip(1) {
                    remove_key(&mut doc, k);
                }
                let anchor = present.first().unwrap_or(&keys[0]);
                put(&mut doc, kind, anchor, value(placeholder.as_str()));
                m.block(&key_lines(ours, keys), &key_lines(theirs, keys))
            }
            Region::Source(id) => {
                let Some(list) = tables(doc.get("sources")) else {
                    return whole();
                };
                let mut list = list.cloned().unwrap_or_default();
                let at = keyed(Some(&list)).iter().position(|(i, _)| i == id);
                let mut stand_in = Table::new();
                stand_in.insert(PLACEHOLDER_KEY, value(placeholder.as_str()));
                match at {
                    Some(i) => {
                        let prefix = list
                            .get(i)
                            .and_then(|t| t.decor().prefix())
                            .and_then(|p| p.as_str())
                            .map(str::to_owned);
                        if let Some(p) = prefix {
                            stand_in.decor_mut().set_prefix(p);
                        }
                        list.replace(i, stand_in);
                    }
                    None => list.push(stand_in),
                }
                put(&mut doc, kind, "sources", Item::ArrayOfTables(list));
                m.block(&source_lines(ours, id), &source_lines(theirs, id))
            }
        };
        blocks.push(block);
    }
    // Each placeholder's line (and a source's `[[sources]]` header above it)
    // becomes the blocks.
    let text = doc.to_string();
    let mut out: Vec<String> = Vec::new();
    for line in text.split_inclusive('\n') {
        let Some(n) = placeholder_in(line) else {
            out.push(line.to_owned());
            continue;
        };
        if line.trim_start().starts_with(PLACEHOLDER_KEY)
            && out
                .last()
                .is_some_and(|h| h.trim_start().starts_with("[[sources]]"))
        {
            out.pop();
        }
        match blocks.get(n) {
            Some(block) => out.push(block.clone()),
            None => out.push(line.to_owned()),
        }
    }
    out.concat()
}

fn placeholder_in(line: &str) -> Option<usize> {
    let at = line.find(PLACEHOLDER)? + PLACEHOLDER.len();
    let rest = &line[at..];
    rest[..rest.find("@@")?].parse().ok()
}

/// A side's `key = value` lines for these fields, in that side's order.
fn key_lines(side: &DocumentMut, keys: &[String]) -> String {
    let mut doc = DocumentMut::new();
    for (k, item) in side.iter() {
        if keys.iter().any(|key| key == k) {
            doc.insert(k, item.clone());
        }
    }
    doc.to_string()
}

/// A side's `[[sources]]` table for this source, with the comments inside it.
fn source_lines(side: &DocumentMut, id: &SourceId) -> String {
    let list = tables(side.get("sources")).flatten();
    let Some((_, table)) = keyed(list).into_iter().find(|(i, _)| i == id) else {
        return String::new();
    };
    let mut table = table.clone();
    table.decor_mut().set_prefix("");
    table.set_position(None);
    let mut one = ArrayOfTables::new();
    one.push(table);
    let mut doc = DocumentMut::new();
    doc.insert("sources", Item::ArrayOfTables(one));
    doc.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_have_the_size_and_labels_asked_for() {
        let labels = Labels {
            base: "b".into(),
            ours: "HEAD".into(),
            theirs: "topic".into(),
        };
        let m = Markers {
            labels: &labels,
            size: 3,
        };
        assert_eq!(m.block("a", ""), "<<< HEAD\na\n===\n>>> topic\n");
    }
}
