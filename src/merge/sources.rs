//! A claim's `[[sources]]`, merged as a list keyed by url (by title when a
//! source has none): what either side added is kept, what one side removed and
//! the other left alone goes, and each source's fields merge one by one, so only
//! the same field of the same source edited differently on both sides is a
//! conflict, on that source alone. Uses `value` to compare.

use toml_edit::{ArrayOfTables, Item, Table};

use super::markers::Region;
use super::value::{Val, field};
use super::{Conflict, ConflictKind, Side};

/// Which source a table is, on every side: its url, or its title when it has
/// none, and which of the tables of that name it is (a hand edit may list one
/// twice).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SourceId {
    pub name: String,
    pub nth: usize,
}

impl SourceId {
    /// How a conflict names the source: `sources[https://…]`.
    pub(crate) fn field(&self) -> String {
        match self.nth {
            0 => format!("sources[{}]", self.name),
            n => format!("sources[{}#{}]", self.name, n + 1),
        }
    }
}

/// Each table of the list with its id, in order.
pub(crate) fn keyed(aot: Option<&ArrayOfTables>) -> Vec<(SourceId, &Table)> {
    let mut out: Vec<(SourceId, &Table)> = Vec::new();
    for (i, t) in aot.into_iter().flat_map(ArrayOfTables::iter).enumerate() {
        let named = |k: &str| {
            field(t, k)
                .and_then(|v| v.as_str().map(str::to_owned))
                .filter(|s| !s.trim().is_empty())
        };
        let name = named("url")
            .or_else(|| named("title"))
            .unwrap_or_else(|| format!("#{}", i + 1));
        let nth = out.iter().filter(|(id, _)| id.name == name).count();
        out.push((SourceId { name, nth }, t));
    }
    out
}

/// The sources of a record (absent is an empty list); None when they are not
/// written as `[[sources]]` tables, and so merge as one value.
pub(crate) fn tables(item: Option<&Item>) -> Option<Option<&ArrayOfTables>> {
    match item {
        None | Some(Item::None) => Some(None),
        Some(Item::ArrayOfTables(a)) => Some(Some(a)),
        Some(_) => None,
    }
}

/// The merged list (`Item::None` when it is empty) and the sources left in
/// conflict; each of those holds its place in the list with one side's table,
/// for the markers to replace. None when a side's sources are not tables.
pub(crate) fn merge(
    base: Option<&Item>,
    ours: Option<&Item>,
    theirs: Option<&Item>,
) -> Option<(Item, Vec<(Conflict, Region)>)> {
    let (b, o, t) = (
        keyed(tables(base)?),
        keyed(tables(ours)?),
        keyed(tables(theirs)?),
    );
    let find = |list: &[(SourceId, &'_ Table)], id: &SourceId| {
        list.iter().find(|(i, _)| i == id).map(|(_, t)| *t).cloned()
    };
    let mut order: Vec<SourceId> = o.iter().map(|(id, _)| id.clone()).collect();
    for (id, _) in &t {
        if !order.contains(id) {
            order.push(id.clone());
        }
    }
    let mut out = ArrayOfTables::new();
    let mut conflicts = Vec::new();
    for id in order {
        let (bs, os, ts) = (find(&b, &id), find(&o, &id), find(&t, &id));
        let val = |s: &Option<Table>| s.as_ref().map(Val::of_table);
        let (vb, vo, vt) = (val(&bs), val(&os), val(&ts));
        let chosen = if vo == vt || vb == vt {
            os
        } else if vb == vo {
            ts
        } else {
            let conflict = match (&os, &ts) {
                (Some(o), Some(t)) => match merge_table(bs.as_ref(), o, t) {
                    Ok(merged) => {
                        out.push(merged);
                        continue;
                    }
                    Err(fields) => ConflictKind::SourceEdited { fields },
                },
                (None, _) => ConflictKind::RemovedAndChanged {
                    removed_by: Side::Ours,
                },
                (_, None) => ConflictKind::RemovedAndChanged {
                    removed_by: Side::Theirs,
                },
            };
            conflicts.push((
                Conflict {
                    field: id.field(),
                    kind: conflict,
                },
                Region::Source(id.clone()),
            ));
            os.or(ts)
        };
        out.extend(chosen);
    }
    // Tables of both sides in one list: their places in either document mean
    // nothing here, so each is written where the list has it.
    for t in out.iter_mut() {
        t.set_position(None);
    }
    let item = if out.is_empty() {
        Item::None
    } else {
        Item::ArrayOfTables(out)
    };
    Some((item, conflicts))
}

/// One source edited on both sides, field by field: ours' table with theirs'
/// changes, or the fields both sides changed differently.
fn merge_table(base: Option<&Table>, ours: &Table, theirs: &Table) -> Result<Table, Vec<String>> {
    let mut merged = ours.clone();
    let mut keys: Vec<&str> = ours.iter().map(|(k, _)| k).collect();
    keys.extend(
        theirs
            .iter()
            .map(|(k, _)| k)
            .filter(|k| !ours.contains_key(k)),
    );
    let mut conflicts = Vec::new();
    for k in keys {
        let vb = base.and_then(|b| field(b, k));
        let (vo, vt) = (field(ours, k), field(theirs, k));
        if vo == vt || vb == vt {
            continue;
        }
        if vb != vo {
            conflicts.push(k.to_owned());
            continue;
        }
        match (theirs.get(k), merged.get_mut(k)) {
            (Some(item), Some(slot)) => *slot = item.clone(),
            (Some(item), None) => {
                merged.insert(k, item.clone());
            }
            (None, _) => {
                merged.remove(k);
            }
        }
    }
    if conflicts.is_empty() {
        Ok(merged)
    } else {
        Err(conflicts)
    }
}
