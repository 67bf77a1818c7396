//! The field-by-field merge of two parsed records against their base, written
//! into a copy of ours: a field changed on one side takes that side's value
//! (as that side wrote it); one changed differently on both merges by what it
//! is (a set, a long text, the sources) or is a conflict. Uses `value`,
//! `lines`, `sources`, and `store::write` to place a field ours does not have.

use toml_edit::{Array, DocumentMut, Item, Value};

use super::markers::Region;
use super::value::Val;
use super::{Conflict, ConflictKind, Kind, Side, lines, sources};
use crate::store::write::{
    CLAIM_KEY_ORDER, CORRECTION_KEY_ORDER, EPISODE_KEY_ORDER, SETTINGS_KEY_ORDER, set_key,
};

/// A claim's status and verdict: one conflict region, since each only means
/// something with the other.
pub(crate) const STATE: [&str; 2] = ["status", "verdict"];

/// Where a field that ours does not have goes: after the nearest earlier field
/// of the record's usual order.
pub(crate) fn order(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Claim => CLAIM_KEY_ORDER,
        Kind::Correction => CORRECTION_KEY_ORDER,
        Kind::Episode => EPISODE_KEY_ORDER,
        Kind::Settings => SETTINGS_KEY_ORDER,
        Kind::Text => &[],
    }
}

/// How a field merges when both sides changed it.
enum Class {
    Scalar,
    /// Tags, a correction's claims: additions of both, removals of either.
    Set,
    /// Long text: by lines.
    Text,
    Sources,
    Status,
    Verdict,
}

fn class(kind: Kind, key: &str) -> Class {
    match (kind, key) {
        (Kind::Claim, "tags") | (Kind::Correction, "claims") => Class::Set,
        (Kind::Claim, "note" | "claim" | "quote") | (Kind::Correction, "text") => Class::Text,
        (Kind::Claim, "sources") => Class::Sources,
        (Kind::Claim, "status") => Class::Status,
        (Kind::Claim, "verdict") => Class::Verdict,
        _ => Class::Scalar,
    }
}

/// Where a conflict on a field is drawn.
pub(crate) fn region_of(kind: Kind, key: &str) -> Region {
    if kind == Kind::Claim && STATE.contains(&key) {
        Region::Keys(STATE.iter().map(|k| k.to_string()).collect())
    } else {
        Region::Keys(vec![key.to_owned()])
    }
}

/// Ours with every clean change of theirs; where a conflict remains, ours'
/// value holds its place for the markers.
pub(crate) struct FieldMerge {
    pub doc: DocumentMut,
    pub conflicts: Vec<(Conflict, Region)>,
}

pub(crate) fn merge_fields(
    kind: Kind,
    base: &DocumentMut,
    ours: &DocumentMut,
    theirs: &DocumentMut,
) -> FieldMerge {
    let (bt, ot, tt) = (base.as_table(), ours.as_table(), theirs.as_table());
    let mut keys: Vec<&str> = ot.iter().map(|(k, _)| k).collect();
    keys.extend(tt.iter().map(|(k, _)| k).filter(|k| !ot.contains_key(k)));
    let mut doc = ours.clone();
    let mut conflicts = Vec::new();
    for key in keys {
        let (b, o, t) = (bt.get(key), ot.get(key), tt.get(key));
        let (vb, vo, vt) = (Val::of(b), Val::of(o), Val::of(t));
        if vo == vt || vb == vt {
            continue;
        }
        if vb == vo {
            put(&mut doc, kind, key, t.cloned().unwrap_or(Item::None));
            continue;
        }
        let removed = || match (&vo, &vt) {
            (None, _) => Some(ConflictKind::RemovedAndChanged {
                removed_by: Side::Ours,
            }),
            (_, None) => Some(ConflictKind::RemovedAndChanged {
                removed_by: Side::Theirs,
            }),
            _ => None,
        };
        let kind_of_conflict = match class(kind, key) {
            Class::Set => match merge_set(b, o, t) {
                Some(item) => {
                    put(&mut doc, kind, key, item);
                    continue;
                }
                None => ConflictKind::BothChanged,
            },
            Class::Text => match merge_text(b, o, t) {
                Ok(item) => {
                    put(&mut doc, kind, key, item);
                    continue;
                }
                Err(k) => k,
            },
            Class::Sources => match sources::merge(b, o, t) {
                Some((item, found)) => {
                    put(&mut doc, kind, key, item);
                    conflicts.extend(found);
                    continue;
                }
                None => ConflictKind::BothChanged,
            },
            Class::Status | Class::Verdict if removed().is_none() => {
                let word = |v: &Option<Val>| {
                    v.as_ref()
                        .and_then(Val::as_str)
                        .unwrap_or("(not a word)")
                        .to_owned()
                };
                let (ours, theirs) = (word(&vo), word(&vt));
                if matches!(class(kind, key), Class::Verdict) {
                    ConflictKind::DifferentVerdicts { ours, theirs }
                } else {
                    ConflictKind::DifferentStatus { ours, theirs }
                }
            }
            _ => removed().unwrap_or(ConflictKind::BothChanged),
        };
        conflicts.push((
            Conflict {
                field: key.to_owned(),
                kind: kind_of_conflict,
            },
            region_of(kind, key),
        ));
    }
    FieldMerge { doc, conflicts }
}

/// Set a top-level field of the merged record (`Item::None` removes it),
/// keeping ours' comments around it.
pub(crate) fn put(doc: &mut DocumentMut, kind: Kind, key: &str, item: Item) {
    if item.is_none() {
        remove_key(doc, key);
    } else {
        set_key(doc, key, item, order(kind));
    }
}

/// Remove a top-level field. Comment lines written above it are about the
/// file as much as the field (the first field carries the file's opening
/// comment): they move to the next field rather than going with it.
pub(crate) fn remove_key(doc: &mut DocumentMut, key: &str) {
    let table = doc.as_table_mut();
    let comments = table
        .key(key)
        .and_then(|k| k.leaf_decor().prefix())
        .and_then(|p| p.as_str())
        .filter(|p| p.contains('#'))
        .map(str::to_owned);
    let next = table
        .iter()
        .skip_while(|(k, _)| *k != key)
        .skip(1)
        .find(|(_, item)| item.is_value())
        .map(|(k, _)| k.to_owned());
    table.remove(key);
    if let (Some(comments), Some(next)) = (comments, next)
        && let Some(mut k) = table.key_mut(&next)
    {
        let own = k
            .leaf_decor()
            .prefix()
            .and_then(|p| p.as_str())
            .unwrap_or("")
            .to_owned();
        k.leaf_decor_mut().set_prefix(format!("{comments}{own}"));
    }
}

/// The elements of an array field (absent is empty); None when it is not an array.
fn elements(item: Option<&Item>) -> Option<Vec<&Value>> {
    match item {
        None | Some(Item::None) => Some(Vec::new()),
        Some(item) => Some(item.as_array()?.iter().collect()),
    }
}

/// A set changed on both sides: the elements of ours, less what theirs removed,
/// then what theirs added, in theirs' order; written with ours' formatting.
fn merge_set(base: Option<&Item>, ours: Option<&Item>, theirs: Option<&Item>) -> Option<Item> {
    let (b, o, t) = (elements(base)?, elements(ours)?, elements(theirs)?);
    let vals = |s: &[&Value]| s.iter().map(|v| Val::of_value(v)).collect::<Vec<_>>();
    let (vb, vo, vt) = (vals(&b), vals(&o), vals(&t));
    // (value, its index in ours if it comes from there)
    let mut kept: Vec<(&Value, Option<usize>)> = Vec::new();
    let mut seen: Vec<&Val> = Vec::new();
    for (i, v) in vo.iter().enumerate() {
        if (vb.contains(v) && !vt.contains(v)) || seen.contains(&v) {
            continue;
        }
        seen.push(v);
        kept.push((o[i], Some(i)));
    }
    for (i, v) in vt.iter().enumerate() {
        if vo.contains(v) || vb.contains(v) || seen.contains(&v) {
            continue;
        }
        seen.push(v);
        kept.push((t[i], None));
    }
    let template = ours
        .and_then(Item::as_array)
        .or_else(|| theirs.and_then(Item::as_array));
    let Some(template) = template else {
        // Neither side writes it as an array: only possible when the set is empty.
        return Some(Item::None);
    };
    if kept.is_empty() && ours.is_none() {
        return Some(Item::None);
    }
    // The first element's spacing, and that of the others (the last of ours,
    // so a list written one per line stays one per line).
    let first = o.first().map(|v| v.decor().clone());
    let rest = match o.len() {
        0 => None,
        1 if !o[0]
            .decor()
            .prefix()
            .and_then(|p| p.as_str())
            .is_some_and(|p| p.contains('\n')) =>
        {
            None
        }
        n => Some(o[n - 1].decor().clone()),
    };
    let mut array: Array = template.clone();
    array.clear();
    for (n, (v, from)) in kept.into_iter().enumerate() {
        let mut v = v.clone();
        let decor = match (n, from) {
            (0, _) => first.clone(),
            (_, Some(i)) if i != 0 => Some(v.decor().clone()),
            _ => rest.clone(),
        };
        match decor {
            Some(d) => *v.decor_mut() = d,
            None => {
                let prefix = if n == 0 { "" } else { " " };
                v.decor_mut().clear();
                v.decor_mut().set_prefix(prefix);
            }
        }
        array.push_formatted(v);
    }
    let mut value = Value::Array(array);
    if let Some(o) = ours.and_then(Item::as_value) {
        *value.decor_mut() = o.decor().clone();
    }
    Some(Item::Value(value))
}

/// A long text changed on both sides, merged by lines, written with ours'
/// spacing around it.
fn merge_text(
    base: Option<&Item>,
    ours: Option<&Item>,
    theirs: Option<&Item>,
) -> Result<Item, ConflictKind> {
    fn text(i: Option<&Item>) -> Option<&str> {
        i.and_then(Item::as_str)
    }
    let (Some(o), Some(t)) = (text(ours), text(theirs)) else {
        return Err(match (ours, theirs) {
            (None, _) => ConflictKind::RemovedAndChanged {
                removed_by: Side::Ours,
            },
            (_, None) => ConflictKind::RemovedAndChanged {
                removed_by: Side::Theirs,
            },
            _ => ConflictKind::BothChanged,
        });
    };
    let merged =
        lines::merge_lines(text(base).unwrap_or(""), o, t).ok_or(ConflictKind::TextOverlaps)?;
    let mut value = Value::from(merged);
    if let Some(o) = ours.and_then(Item::as_value) {
        *value.decor_mut() = o.decor().clone();
    }
    Ok(Item::Value(value))
}
