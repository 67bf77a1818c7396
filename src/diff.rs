//! Field-level differences between two versions of a record.
//!
//! Editors review changes to claims, not to lines of TOML: a status moving from
//! `checking` to `checked`, a source added, one character of a long Chinese quote
//! changed. Records are compared as TOML documents (so any record kind, and
//! records that no longer pass validation, can be compared); long text is
//! diffed inline with `similar`, by Unicode words, which splits Han text into
//! single characters and keeps numbers like 74.0% whole.

use std::borrow::Cow;
use std::time::Duration;

use serde::Serialize;
use similar::{ChangeTag, TextDiff};
use toml::{Table, Value};

/// Text fields long enough to be compared word by word rather than whole.
const TEXT_FIELDS: &[&str] = &["quote", "claim", "note", "text", "excerpt", "title"];

/// Past this, a diff gives up looking for the smallest edit and shows a coarser one.
const DIFF_TIMEOUT: Duration = Duration::from_millis(250);

/// A piece of an inline text diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Piece {
    Same(String),
    Removed(String),
    Added(String),
}

/// What happened to one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "lowercase")]
pub enum Change {
    /// A value set, changed or removed; `None` where it was absent.
    Set {
        old: Option<String>,
        new: Option<String>,
    },
    /// A long text changed; [`Change::pieces`] compares it word by word
    /// (character by character in Han text) when it is shown, so a summary of
    /// many changes never pays for it.
    Text { old: String, new: String },
    /// An item added to a list (a tag, a source, a claim named by a correction).
    Added { item: String },
    /// An item removed from a list.
    Removed { item: String },
}

impl Change {
    /// The inline diff of a text change; empty for other changes.
    pub fn pieces(&self) -> Vec<Piece> {
        match self {
            Change::Text { old, new } => text_pieces(old, new),
            _ => Vec::new(),
        }
    }
}

/// One field's change; `field` is a path like `status` or `sources[2].url`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: String,
    #[serde(flatten)]
    pub change: Change,
}

/// Inline diff of two texts.
pub fn text_pieces(old: &str, new: &str) -> Vec<Piece> {
    let diff = TextDiff::configure()
        .timeout(DIFF_TIMEOUT)
        .diff_unicode_words(old, new);
    let mut out: Vec<Piece> = Vec::new();
    for change in diff.iter_all_changes() {
        let text = change.value();
        match (change.tag(), out.last_mut()) {
            (ChangeTag::Equal, Some(Piece::Same(s)))
            | (ChangeTag::Delete, Some(Piece::Removed(s)))
            | (ChangeTag::Insert, Some(Piece::Added(s))) => s.push_str(text),
            (ChangeTag::Equal, _) => out.push(Piece::Same(text.to_owned())),
            (ChangeTag::Delete, _) => out.push(Piece::Removed(text.to_owned())),
            (ChangeTag::Insert, _) => out.push(Piece::Added(text.to_owned())),
        }
    }
    out
}

/// A value as a person writes it in a record.
fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(show).collect::<Vec<_>>().join(", "),
        Value::Table(t) => t
            .iter()
            .map(|(k, v)| format!("{k} = {}", show(v)))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// How a source (or any table in a list) is known across versions: its url,
/// else its title, else its position.
fn label(t: &Table, index: usize) -> Cow<'_, str> {
    ["url", "title"]
        .iter()
        .find_map(|k| t.get(*k).and_then(Value::as_str).map(Cow::Borrowed))
        .unwrap_or_else(|| Cow::Owned(format!("#{}", index + 1)))
}

/// Where a comparison's findings go: the field changes themselves, or only
/// how many there are (`diff --stat`), so both come from one rule.
trait Out {
    /// Whether field names and changes are wanted, or only counted.
    const NAMED: bool;
    fn push(&mut self, field: &str, change: impl FnOnce() -> Change);
}

impl Out for Vec<FieldChange> {
    const NAMED: bool = true;
    fn push(&mut self, field: &str, change: impl FnOnce() -> Change) {
        Vec::push(
            self,
            FieldChange {
                field: field.to_owned(),
                change: change(),
            },
        )
    }
}

/// Counts field changes without building them.
struct Count(usize);

impl Out for Count {
    const NAMED: bool = false;
    fn push(&mut self, _field: &str, _change: impl FnOnce() -> Change) {
        self.0 += 1;
    }
}

fn diff_value<O: Out>(
    field: &str,
    key: &str,
    old: Option<&Value>,
    new: Option<&Value>,
    out: &mut O,
) {
    if old == new {
        return;
    }
    match (old, new) {
        (Some(Value::String(a)), Some(Value::String(b))) if TEXT_FIELDS.contains(&key) => {
            out.push(field, || Change::Text {
                old: a.clone(),
                new: b.clone(),
            })
        }
        (Some(Value::Array(a)), Some(Value::Array(b)))
            if a.iter().chain(b).all(|v| v.is_table()) =>
        {
            diff_tables(field, a, b, out)
        }
        (Some(Value::Array(a)), Some(Value::Array(b))) => {
            for item in b.iter().filter(|v| !a.contains(v)) {
                out.push(field, || Change::Added { item: show(item) });
            }
            for item in a.iter().filter(|v| !b.contains(v)) {
                out.push(field, || Change::Removed { item: show(item) });
            }
        }
        (None, Some(Value::Array(b))) if b.iter().all(|v| v.is_table()) => {
            diff_tables(field, &[], b, out)
        }
        (Some(Value::Array(a)), None) if a.iter().all(|v| v.is_table()) => {
            diff_tables(field, a, &[], out)
        }
        (a, b) => out.push(field, || Change::Set {
            old: a.map(show),
            new: b.map(show),
        }),
    }
}

/// Lists of tables (sources): matched by url or title, then compared field by field.
fn diff_tables<O: Out>(field: &str, old: &[Value], new: &[Value], out: &mut O) {
    fn labelled(list: &[Value]) -> Vec<(Cow<'_, str>, &Table)> {
        list.iter()
            .enumerate()
            .filter_map(|(i, v)| v.as_table().map(|t| (label(t, i), t)))
            .collect()
    }
    let (old_l, new_l) = (labelled(old), labelled(new));
    for (i, (l, t)) in new_l.iter().enumerate() {
        match old_l.iter().find(|(ol, _)| ol == l) {
            Some((_, ot)) => {
                let prefix = if O::NAMED {
                    format!("{field}[{}]", i + 1)
                } else {
                    String::new()
                };
                diff_table(&prefix, ot, t, out)
            }
            None => out.push(field, || Change::Added {
                item: l.clone().into_owned(),
            }),
        }
    }
    for (l, _) in old_l
        .iter()
        .filter(|(ol, _)| !new_l.iter().any(|(nl, _)| nl == ol))
    {
        out.push(field, || Change::Removed {
            item: l.clone().into_owned(),
        });
    }
}

/// The name of field `key` of a table at `prefix` (none when only counted).
fn field_name<'a, O: Out>(prefix: &str, key: &'a str) -> Cow<'a, str> {
    if !O::NAMED {
        Cow::Borrowed("")
    } else if prefix.is_empty() {
        Cow::Borrowed(key)
    } else {
        Cow::Owned(format!("{prefix}.{key}"))
    }
}

fn diff_table<O: Out>(prefix: &str, old: &Table, new: &Table, out: &mut O) {
    for (key, v) in old {
        diff_value(
            &field_name::<O>(prefix, key),
            key,
            Some(v),
            new.get(key),
            out,
        );
    }
    for (key, v) in new {
        if !old.contains_key(key) {
            diff_value(&field_name::<O>(prefix, key), key, None, Some(v), out);
        }
    }
}

/// Compares two versions of a record's text into `out`: field by field when
/// both are TOML (a side that did not exist is an empty table), else the
/// whole text as the field `(file)`.
fn compare<O: Out>(old: Option<&str>, new: Option<&str>, out: &mut O) {
    let parse = |s: Option<&str>| -> Result<Table, ()> {
        match s {
            None => Ok(Table::new()),
            Some(s) => s.parse::<Table>().map_err(|_| ()),
        }
    };
    match (parse(old), parse(new)) {
        (Ok(a), Ok(b)) => diff_table("", &a, &b, out),
        _ => {
            if old != new {
                out.push("(file)", || Change::Text {
                    old: old.unwrap_or_default().to_owned(),
                    new: new.unwrap_or_default().to_owned(),
                })
            }
        }
    }
}

/// The field changes between two versions of a record's text; `None` for a side
/// where the record did not exist. Text that is not TOML is compared whole, as
/// the field `(file)`.
pub fn diff_records(old: Option<&str>, new: Option<&str>) -> Vec<FieldChange> {
    let mut out = Vec::new();
    compare(old, new, &mut out);
    out
}

/// How many field changes [`diff_records`] finds, always the length of its
/// list, without building one: a summary of many records pays only for the
/// parse and the comparison.
pub fn count_changes(old: Option<&str>, new: Option<&str>) -> usize {
    let mut out = Count(0);
    compare(old, new, &mut out);
    out.0
}

/// A short summary of changes for a commit message: `status: checking → checked`.
pub fn summary(changes: &[FieldChange]) -> String {
    let mut parts: Vec<String> = Vec::new();
    for c in changes {
        let part = match &c.change {
            Change::Set { old, new } => match (old, new) {
                (Some(o), Some(n)) if o.chars().count() + n.chars().count() < 40 => {
                    format!("{}: {o} -> {n}", c.field)
                }
                (None, Some(_)) => format!("{} set", c.field),
                (Some(_), None) => format!("{} removed", c.field),
                _ => format!("{} changed", c.field),
            },
            Change::Text { .. } => format!("{} edited", c.field),
            Change::Added { item } => format!("{} +{item}", c.field),
            Change::Removed { item } => format!("{} -{item}", c.field),
        };
        if !parts.contains(&part) {
            parts.push(part);
        }
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces_text(p: &[Piece]) -> String {
        p.iter()
            .map(|p| match p {
                Piece::Same(s) => s.clone(),
                Piece::Removed(s) => format!("[-{s}-]"),
                Piece::Added(s) => format!("{{+{s}+}}"),
            })
            .collect()
    }

    #[test]
    fn a_changed_han_character_stands_out_in_a_long_quote() {
        let old = "AMD最近出貨的那個 MI300X就是他們的AI晶片 他們的造價是 H100的 兩倍但是";
        let new = "AMD最近出貨的那個 MI300X就是他們的AI晶片 他們的造價是 H100的 三倍但是";
        assert_eq!(
            pieces_text(&text_pieces(old, new)),
            "AMD最近出貨的那個 MI300X就是他們的AI晶片 他們的造價是 H100的 [-兩-]{+三+}倍但是"
        );
    }

    #[test]
    fn numbers_change_whole_and_latin_text_by_words() {
        assert_eq!(
            pieces_text(&text_pieces(
                "GAAP gross margin was 74.0%",
                "GAAP gross margin was 70.1%"
            )),
            "GAAP gross margin was [-74.0-]{+70.1+}%"
        );
        assert_eq!(
            pieces_text(&text_pieces("the quick fox", "the slow fox")),
            "the [-quick-]{+slow+} fox"
        );
    }

    #[test]
    fn records_differ_field_by_field() {
        let old = "status = \"checking\"\ntags = [\"nvidia\"]\nquote = \"他的利潤高達70幾%耶\"\n\n[[sources]]\nurl = \"https://a.example\"\ntitle = \"A\"\n";
        let new = "status = \"checked\"\nverdict = \"accurate\"\ntags = [\"nvidia\", \"chips\"]\nquote = \"他的利潤高達80幾%耶\"\n\n[[sources]]\nurl = \"https://a.example\"\ntitle = \"A2\"\n\n[[sources]]\nurl = \"https://b.example\"\n";
        let changes = diff_records(Some(old), Some(new));
        let set = |f: &str| {
            changes
                .iter()
                .find(|c| c.field == f)
                .map(|c| c.change.clone())
        };
        assert_eq!(
            set("status"),
            Some(Change::Set {
                old: Some("checking".into()),
                new: Some("checked".into())
            })
        );
        assert_eq!(
            set("verdict"),
            Some(Change::Set {
                old: None,
                new: Some("accurate".into())
            })
        );
        assert_eq!(
            set("tags"),
            Some(Change::Added {
                item: "chips".into()
            })
        );
        match set("quote") {
            Some(c @ Change::Text { .. }) => {
                assert_eq!(pieces_text(&c.pieces()), "他的利潤高達[-70-]{+80+}幾%耶")
            }
            other => panic!("{other:?}"),
        }
        assert!(changes.iter().any(|c| c.field == "sources[1].title"));
        assert!(changes.iter().any(|c| c.field == "sources"
            && c.change
                == Change::Added {
                    item: "https://b.example".into()
                }));
        assert_eq!(diff_records(Some(old), Some(old)), vec![]);
    }

    #[test]
    fn a_new_or_deleted_record_lists_its_fields() {
        let changes = diff_records(None, Some("status = \"needs-check\"\n"));
        assert_eq!(changes.len(), 1);
        assert_eq!(summary(&changes), "status set");
        let broken = diff_records(Some("status = \"x\""), Some("status = "));
        assert_eq!(broken[0].field, "(file)");
    }
}
