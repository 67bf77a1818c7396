//! Whether a merged record keeps the rules of one record, checked as every
//! read and write of the project checks it (`store::parse_at`, which enforces
//! the status and verdict pairing, then `validate::rules`, without a
//! transcript: a merge driver has none), and where to draw the conflict when
//! it does not: around the fields the broken rule names.

use toml_edit::DocumentMut;

use super::fields::region_of;
use super::markers::{FILE, Region};
use super::sources::{keyed, tables};
use super::value::{Val, field};
use super::{Conflict, ConflictKind, Kind, Sides};
use crate::diagnostic::{Location, Problem, Step};
use crate::model::Settings;
use crate::store::{self, Parsed};
use crate::validate::{Violation, rules};

/// A rule the merged record breaks.
pub(crate) enum Broken {
    /// It is not a record at all (parsing refused it).
    Record(Problem),
    /// A record that breaks a rule of one record.
    Rule(Violation),
}

impl Broken {
    fn location(&self) -> Location {
        match self {
            Broken::Record(p) => p.location.clone(),
            Broken::Rule(v) => v.location(),
        }
    }

    pub(crate) fn message(&self, path: &str) -> String {
        match self {
            Broken::Record(p) => p.message.clone(),
            Broken::Rule(v) => v.problem(path).message,
        }
    }
}

/// The rules of one record that `text`, as the file at `path`, breaks.
pub(crate) fn check(kind: Kind, path: &str, text: &str) -> Vec<Broken> {
    let bytes = text.as_bytes();
    let rules = |found: Vec<Violation>| found.into_iter().map(Broken::Rule).collect();
    match kind {
        Kind::Text => Vec::new(),
        Kind::Settings => match store::parse_toml::<Settings>(path, bytes) {
            Ok(s) => rules(rules::settings(&s)),
            Err(p) => vec![Broken::Record(p)],
        },
        Kind::Claim | Kind::Episode | Kind::Correction => match store::parse_at(path, bytes) {
            Parsed::Claim(c) => rules(rules::claim(&c, None)),
            Parsed::Episode(e) => rules(rules::episode(&e)),
            Parsed::Correction(c) => rules(rules::correction(&c, None)),
            Parsed::Bad(p) => vec![Broken::Record(p)],
        },
    }
}

/// One conflict per broken rule, and the regions to draw: the fields each rule
/// names, where the two sides differ (a region both sides agree on offers no
/// choice). Without such a region, or without both sides' documents, the
/// whole file.
pub(crate) fn conflicts(
    kind: Kind,
    path: &str,
    broken: &[Broken],
    merged: Option<&DocumentMut>,
    sides: &Sides,
) -> (Vec<Conflict>, Vec<Region>) {
    let merged_sources = merged.and_then(|d| tables(d.get("sources"))).flatten();
    let merged_ids: Vec<_> = keyed(merged_sources)
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let mut conflicts = Vec::new();
    let mut regions: Vec<Region> = Vec::new();
    for b in broken {
        let mut field_name = FILE.to_owned();
        let mut found = Vec::new();
        match b.location() {
            Location::Field(steps) => match steps.as_slice() {
                [Step::Key(k), Step::Index(i), ..] if k == "sources" => match merged_ids.get(*i) {
                    Some(id) => {
                        field_name = id.field();
                        found.push(Region::Source(id.clone()));
                    }
                    None => found.push(Region::File),
                },
                [Step::Key(k), ..] => {
                    field_name = k.clone();
                    found.push(region_of(kind, k));
                }
                _ => found.push(Region::File),
            },
            Location::File if kind == Kind::Claim && merged.is_some_and(no_words) => {
                field_name = "quote".into();
                found.push(Region::Keys(vec!["quote".into(), "claim".into()]));
            }
            Location::File | Location::Span(_) => found.push(Region::File),
        }
        if let (Broken::Rule(Violation::SourceNeeded { .. }), Some((ours, theirs))) =
            (b, sides.docs())
        {
            // The verdict stands on sources the merge dropped: each of them
            // (present on one side only) is part of the choice.
            for doc in [ours, theirs] {
                for (id, _) in keyed(tables(doc.get("sources")).flatten()) {
                    let region = Region::Source(id.clone());
                    if !merged_ids.contains(&id) && !found.contains(&region) {
                        found.push(region);
                    }
                }
            }
        }
        conflicts.push(Conflict {
            field: field_name,
            kind: ConflictKind::BreaksRule {
                rule: b.message(path),
            },
        });
        for r in found {
            if !regions.contains(&r) {
                regions.push(r);
            }
        }
    }
    let Some((ours, theirs)) = sides.docs() else {
        return (conflicts, vec![Region::File]);
    };
    regions.retain(|r| match r {
        Region::File => true,
        Region::Keys(keys) => keys
            .iter()
            .any(|k| field(ours.as_table(), k) != field(theirs.as_table(), k)),
        Region::Source(id) => {
            let table = |d: &DocumentMut| {
                keyed(tables(d.get("sources")).flatten())
                    .into_iter()
                    .find(|(i, _)| i == id)
                    .map(|(_, t)| Val::of_table(t))
            };
            table(ours) != table(theirs)
        }
    });
    if regions.is_empty() {
        regions.push(Region::File);
    }
    (conflicts, regions)
}

/// A claim with neither a quote nor a claim: the two fields of one choice.
fn no_words(doc: &DocumentMut) -> bool {
    ["quote", "claim"].iter().all(|k| {
        doc.get(k)
            .and_then(|i| i.as_str())
            .is_none_or(|s| s.trim().is_empty())
    })
}
