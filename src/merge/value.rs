//! What a TOML item means, apart from how it is written: two sides agree on a
//! field when its values are equal, whatever their quoting, spacing, comments
//! or key order. Uses only `toml_edit`.

use std::collections::BTreeMap;

use toml_edit::{Item, Table, Value};

/// A TOML value, stripped of its formatting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Val {
    Str(String),
    Int(i64),
    /// By its bits, so that equality is total (a NaN equals itself).
    Float(u64),
    Bool(bool),
    /// As written by `toml_datetime` (`2023-11-21`).
    Datetime(String),
    Array(Vec<Val>),
    /// Keys in order of their names: key order is layout, not meaning.
    Table(BTreeMap<String, Val>),
}

impl Val {
    /// The value of an item; None for an absent one.
    pub(crate) fn of(item: Option<&Item>) -> Option<Val> {
        match item? {
            Item::None => None,
            Item::Value(v) => Some(Val::of_value(v)),
            Item::Table(t) => Some(Val::of_table(t)),
            Item::ArrayOfTables(a) => Some(Val::Array(a.iter().map(Val::of_table).collect())),
        }
    }

    pub(crate) fn of_value(v: &Value) -> Val {
        match v {
            Value::String(s) => Val::Str(s.value().clone()),
            Value::Integer(i) => Val::Int(*i.value()),
            Value::Float(f) => Val::Float(f.value().to_bits()),
            Value::Boolean(b) => Val::Bool(*b.value()),
            Value::Datetime(d) => Val::Datetime(d.value().to_string()),
            Value::Array(a) => Val::Array(a.iter().map(Val::of_value).collect()),
            Value::InlineTable(t) => Val::Table(
                t.iter()
                    .map(|(k, v)| (k.to_owned(), Val::of_value(v)))
                    .collect(),
            ),
        }
    }

    pub(crate) fn of_table(t: &Table) -> Val {
        Val::Table(
            t.iter()
                .filter_map(|(k, item)| Some((k.to_owned(), Val::of(Some(item))?)))
                .collect(),
        )
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// The value of a key of a table (a record's top level, or one source).
pub(crate) fn field(t: &Table, key: &str) -> Option<Val> {
    Val::of(t.get(key))
}
