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
use toml::de::{DeFloat, DeInteger, DeTable, DeValue};
use toml::{Spanned, Value};

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

/// A record's TOML as the parser gives it, borrowing the record's text. A
/// summary over tens of thousands of records spends a third of its time
/// building owned `toml::Value`s it only compares, so the comparison works on
/// these, and only a change that is shown is turned into text.
type Doc<'i> = DeTable<'i>;
type Item<'i> = Spanned<DeValue<'i>>;

/// A record's text as a table, or `None` where `toml::Table` would refuse it:
/// not TOML at all, or a number no `toml::Value` holds (an integer past 64
/// bits, say). Both then compare as whole text, as they always have.
fn parse(s: &str) -> Option<Doc<'_>> {
    let doc = DeTable::parse(s).ok()?.into_inner();
    doc.values()
        .all(|v| representable(v.as_ref()))
        .then_some(doc)
}

fn representable(v: &DeValue<'_>) -> bool {
    match v {
        DeValue::Integer(i) => integer(i).is_some(),
        DeValue::Float(f) => float(f).is_some(),
        DeValue::Array(a) => a.iter().all(|v| representable(v.as_ref())),
        DeValue::Table(t) => t.values().all(|v| representable(v.as_ref())),
        DeValue::String(_) | DeValue::Boolean(_) | DeValue::Datetime(_) => true,
    }
}

fn integer(i: &DeInteger<'_>) -> Option<i64> {
    i64::from_str_radix(i.as_str(), i.radix()).ok()
}

/// As `toml` reads a float: an overflow to infinity is refused unless the
/// record wrote `inf`.
fn float(f: &DeFloat<'_>) -> Option<f64> {
    let v: f64 = f.as_str().parse().ok()?;
    (!v.is_infinite() || f.as_str().contains("inf")).then_some(v)
}

/// Whether two values are equal as `toml::Value`s are: numbers by value (so
/// `0x10` equals `16`), tables whatever the order of their keys.
fn same(a: &DeValue<'_>, b: &DeValue<'_>) -> bool {
    match (a, b) {
        (DeValue::String(a), DeValue::String(b)) => a == b,
        (DeValue::Integer(a), DeValue::Integer(b)) => integer(a) == integer(b),
        (DeValue::Float(a), DeValue::Float(b)) => float(a) == float(b),
        (DeValue::Boolean(a), DeValue::Boolean(b)) => a == b,
        (DeValue::Datetime(a), DeValue::Datetime(b)) => a == b,
        (DeValue::Array(a), DeValue::Array(b)) => {
            a.len() == b.len()
                && a.iter()
                    .zip(b.iter())
                    .all(|(a, b)| same(a.as_ref(), b.as_ref()))
        }
        (DeValue::Table(a), DeValue::Table(b)) => same_table(a, b),
        _ => false,
    }
}

fn same_table(a: &Doc<'_>, b: &Doc<'_>) -> bool {
    a.len() == b.len()
        && a.iter().all(|(k, v)| {
            b.get(k.as_ref().as_ref())
                .is_some_and(|w| same(v.as_ref(), w.as_ref()))
        })
}

/// A value as a person writes it in a record.
fn show(v: &DeValue<'_>) -> String {
    match v {
        DeValue::String(s) => s.to_string(),
        DeValue::Array(items) => items
            .iter()
            .map(|v| show(v.as_ref()))
            .collect::<Vec<_>>()
            .join(", "),
        DeValue::Table(t) => t
            .iter()
            .map(|(k, v)| format!("{} = {}", k.as_ref(), show(v.as_ref())))
            .collect::<Vec<_>>()
            .join(", "),
        // Written as `toml::Value` writes them, which [`parse`] made sure holds them.
        DeValue::Integer(i) => {
            integer(i).map_or_else(|| i.to_string(), |n| Value::Integer(n).to_string())
        }
        DeValue::Float(f) => {
            float(f).map_or_else(|| f.to_string(), |n| Value::Float(n).to_string())
        }
        DeValue::Boolean(b) => Value::Boolean(*b).to_string(),
        DeValue::Datetime(d) => Value::Datetime(*d).to_string(),
    }
}

/// How a source (or any table in a list) is known across versions: its url,
/// else its title, else its position.
fn label<'a>(t: &'a Doc<'_>, index: usize) -> Cow<'a, str> {
    ["url", "title"]
        .iter()
        .find_map(|k| match t.get(*k).map(|v| v.as_ref()) {
            Some(DeValue::String(s)) => Some(Cow::Borrowed(s.as_ref())),
            _ => None,
        })
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

fn is_table(v: &Item<'_>) -> bool {
    matches!(v.as_ref(), DeValue::Table(_))
}

fn diff_value<O: Out>(
    field: &str,
    key: &str,
    old: Option<&DeValue<'_>>,
    new: Option<&DeValue<'_>>,
    out: &mut O,
) {
    if let (Some(a), Some(b)) = (old, new)
        && same(a, b)
    {
        return;
    }
    match (old, new) {
        (Some(DeValue::String(a)), Some(DeValue::String(b))) if TEXT_FIELDS.contains(&key) => out
            .push(field, || Change::Text {
                old: a.to_string(),
                new: b.to_string(),
            }),
        (Some(DeValue::Array(a)), Some(DeValue::Array(b)))
            if a.iter().chain(b.iter()).all(is_table) =>
        {
            diff_tables(field, a, b, out)
        }
        (Some(DeValue::Array(a)), Some(DeValue::Array(b))) => {
            let has =
                |list: &[Item<'_>], v: &Item<'_>| list.iter().any(|w| same(v.as_ref(), w.as_ref()));
            for item in b.iter().filter(|v| !has(a, v)) {
                out.push(field, || Change::Added {
                    item: show(item.as_ref()),
                });
            }
            for item in a.iter().filter(|v| !has(b, v)) {
                out.push(field, || Change::Removed {
                    item: show(item.as_ref()),
                });
            }
        }
        (None, Some(DeValue::Array(b))) if b.iter().all(is_table) => {
            diff_tables(field, &[], b, out)
        }
        (Some(DeValue::Array(a)), None) if a.iter().all(is_table) => {
            diff_tables(field, a, &[], out)
        }
        (a, b) => out.push(field, || Change::Set {
            old: a.map(show),
            new: b.map(show),
        }),
    }
}

/// Lists of tables (sources): matched by url or title, then compared field by field.
fn diff_tables<O: Out>(field: &str, old: &[Item<'_>], new: &[Item<'_>], out: &mut O) {
    fn labelled<'a, 'i>(list: &'a [Item<'i>]) -> Vec<(Cow<'a, str>, &'a Doc<'i>)> {
        list.iter()
            .enumerate()
            .filter_map(|(i, v)| match v.as_ref() {
                DeValue::Table(t) => Some((label(t, i), t)),
                _ => None,
            })
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

fn diff_table<O: Out>(prefix: &str, old: &Doc<'_>, new: &Doc<'_>, out: &mut O) {
    for (key, v) in old {
        let key: &str = key.as_ref();
        diff_value(
            &field_name::<O>(prefix, key),
            key,
            Some(v.as_ref()),
            new.get(key).map(|v| v.as_ref()),
            out,
        );
    }
    for (key, v) in new {
        let key: &str = key.as_ref();
        if !old.contains_key(key) {
            diff_value(
                &field_name::<O>(prefix, key),
                key,
                None,
                Some(v.as_ref()),
                out,
            );
        }
    }
}

/// Compares two versions of a record's text into `out`: field by field when
/// both are TOML (a side that did not exist is an empty table), else the
/// whole text as the field `(file)`.
fn compare<O: Out>(old: Option<&str>, new: Option<&str>, out: &mut O) {
    fn read(s: Option<&str>) -> Option<Doc<'_>> {
        s.map_or_else(|| Some(Doc::new()), parse)
    }
    match (read(old), read(new)) {
        (Some(a), Some(b)) => diff_table("", &a, &b, out),
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
    fn values_compare_as_toml_reads_them_not_as_written() {
        // One number written two ways, keys in another order, an inline table
        // for a header: nothing changed, for the list and for the count alike.
        let old = "n = 16\nx = 1.5\nwhen = 2024-05-01T10:00:00Z\n[meta]\na = 1\nb = \"二\"\n";
        let new = "x = 1.50\nn = 0x10\nwhen = 2024-05-01T10:00:00Z\nmeta = { b = \"二\", a = 1 }\n";
        assert_eq!(diff_records(Some(old), Some(new)), vec![]);
        assert_eq!(count_changes(Some(old), Some(new)), 0);
        let changes = diff_records(Some("n = 16\n"), Some("n = 0x11\n"));
        assert_eq!(
            changes,
            vec![FieldChange {
                field: "n".into(),
                change: Change::Set {
                    old: Some("16".into()),
                    new: Some("17".into())
                }
            }]
        );
        assert_eq!(count_changes(Some("n = 16\n"), Some("n = 0x11\n")), 1);
    }

    #[test]
    fn a_number_no_toml_value_holds_compares_the_whole_file() {
        let huge = "n = 99999999999999999999\n";
        let changes = diff_records(Some("n = 1\n"), Some(huge));
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].field, "(file)");
        assert_eq!(count_changes(Some("n = 1\n"), Some(huge)), 1);
        assert_eq!(count_changes(Some(huge), Some(huge)), 0);
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
