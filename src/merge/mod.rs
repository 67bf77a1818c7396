//! The three-way merge of one record file: what `errata merge-driver` (for plain
//! `git merge`) and an in-process merge run on each file both sides changed.
//!
//! The merge is on parsed values, field by field, and the result is written back
//! into *ours* through `toml_edit`, so the comments and layout of the current side
//! survive. Each field merges by its kind (`fields`): a scalar takes the side
//! that changed it; `tags` (and a correction's `claims`) merge as a set; `sources`
//! as a list keyed by url; long texts line by line (`lines`, over `diffy`); a
//! status or verdict is never picked silently. A result is clean only if it
//! keeps every rule of one record (`check`, over `store::parse_at` and
//! `validate::rules`); otherwise, and wherever both sides disagree, the text
//! carries git-style markers around the smallest TOML region (`markers`).
//!
//! This file owns the public types and the order of the cases: a record absent
//! on a side, sides that are the same, a side that is not TOML. Pure functions
//! only: no file, no git, no printing. Uses `store` (the layout, parsing) and
//! `validate`.

mod check;
mod fields;
mod lines;
mod markers;
mod sources;
mod value;

use std::fmt;

use toml_edit::DocumentMut;

use crate::store::{CLAIMS_DIR, CORRECTIONS_DIR, EPISODE_FILE, SETTINGS_FILE};
use markers::{Markers, Region};
use value::Val;

/// The labels written after the conflict markers, as git gives them to a driver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labels {
    pub base: String,
    pub ours: String,
    pub theirs: String,
}

impl Labels {
    /// The labels as a merge driver gets them (`%S %X %Y`): git before 2.44
    /// passes the placeholders themselves, and a driver may be configured
    /// without them; either way the usual words stand in.
    pub fn from_driver(base: Option<&str>, ours: Option<&str>, theirs: Option<&str>) -> Labels {
        let pick = |given: Option<&str>, placeholder: &str, default: &str| match given {
            Some(l) if !l.is_empty() && l != placeholder => l.to_owned(),
            _ => default.to_owned(),
        };
        Labels {
            base: pick(base, "%S", "base"),
            ours: pick(ours, "%X", "ours"),
            theirs: pick(theirs, "%Y", "theirs"),
        }
    }
}

impl Default for Labels {
    fn default() -> Self {
        Labels {
            base: "base".into(),
            ours: "ours".into(),
            theirs: "theirs".into(),
        }
    }
}

/// What the merge of one file came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Merged cleanly; None when the record is deleted (deleted on one side, unchanged on the other, or on both).
    Clean(Option<String>),
    /// Conflicts remain: `text` is the file with git-style markers, `conflicts` what they are.
    Conflicted {
        text: String,
        conflicts: Vec<Conflict>,
    },
}

/// One thing the two sides disagree on, for the editor who resolves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The field (`verdict`, `note`), one source (`sources[https://…]`, by its
    /// url, or its title when it has none), or `(file)` for the whole file.
    pub field: String,
    pub kind: ConflictKind,
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.kind)
    }
}

/// One side of the merge, as the editor sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Ours,
    Theirs,
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::Ours => "ours",
            Side::Theirs => "theirs",
        })
    }
}

/// Why a conflict remains, one variant per cause; `Display` says it as an
/// editor would.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConflictKind {
    #[error("changed on both sides, to different values")]
    BothChanged,
    #[error(
        "both sides gave a verdict, {ours} on ours and {theirs} on theirs; errata never picks one"
    )]
    DifferentVerdicts { ours: String, theirs: String },
    #[error(
        "both sides moved the status, to {ours} on ours and to {theirs} on theirs; errata never picks one"
    )]
    DifferentStatus { ours: String, theirs: String },
    #[error("both sides edited the same lines (paragraphs) of this text")]
    TextOverlaps,
    #[error("removed on {removed_by} but changed on the other side")]
    RemovedAndChanged { removed_by: Side },
    #[error("the same source was edited differently on both sides ({})", fields.join(", "))]
    SourceEdited { fields: Vec<String> },
    #[error("the record was deleted on {deleted_by} but changed on the other side")]
    DeletedAndChanged { deleted_by: Side },
    #[error("the record was added on both sides, with different content")]
    AddedDifferently,
    #[error("{side} is not valid TOML ({message}): the whole file is left to merge by hand")]
    Unparsable { side: Side, message: String },
    #[error(
        "the common ancestor is not valid TOML ({message}): the whole file is left to merge by hand"
    )]
    BaseUnparsable { message: String },
    #[error("both sides changed the same lines")]
    LinesOverlap,
    #[error("the merged record would break a rule: {rule}")]
    BreaksRule { rule: String },
}

/// What a file's path says it holds: the fields that merge other than as a
/// scalar, and the order a field missing from ours is placed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Claim,
    Episode,
    Correction,
    Settings,
    /// Not a record (a transcript, any other file): merged as lines of text.
    Text,
}

impl Kind {
    fn of(path: &str) -> Kind {
        let in_dir = |dir: &str| path.strip_prefix(dir).and_then(|r| r.strip_prefix('/'));
        if path == SETTINGS_FILE {
            Kind::Settings
        } else if in_dir(CORRECTIONS_DIR).is_some_and(|r| r.ends_with(".toml")) {
            Kind::Correction
        } else if let Some(rest) = in_dir(CLAIMS_DIR) {
            if rest.ends_with(&format!("/{EPISODE_FILE}")) {
                Kind::Episode
            } else if rest.ends_with(".toml") {
                Kind::Claim
            } else {
                Kind::Text
            }
        } else {
            Kind::Text
        }
    }
}

/// `path` is the record's path in the repository (claims/<ep>/<id>.toml, claims/<ep>/episode.toml, corrections/<id>.toml, errata.toml): it says what kind of record it is (use `store::parse_at` / store's layout constants). Each side is the file's text, None when absent on that side.
///
/// A file that is not a record (a transcript under `claims/`) is merged as
/// lines of text, with git's markers where the lines overlap. `marker_size` is
/// the length of each marker (git's `%L`, 7 unless configured).
pub fn merge(
    path: &str,
    base: Option<&str>,
    ours: Option<&str>,
    theirs: Option<&str>,
    labels: &Labels,
    marker_size: usize,
) -> Outcome {
    let kind = Kind::of(path);
    let m = Markers {
        labels,
        size: marker_size.max(1),
    };
    // The same text on both sides (git never calls a driver for it, but an
    // in-process merge may): ours, byte for byte, if it keeps the rules.
    if ours == theirs {
        return match ours {
            None => Outcome::Clean(None),
            Some(text) => match kind {
                Kind::Text => Outcome::Clean(Some(text.to_owned())),
                _ => {
                    let lf = text.replace("\r\n", "\n");
                    let doc = lf.parse::<DocumentMut>().ok();
                    let sides = Sides {
                        ours: &lf,
                        theirs: &lf,
                        docs: doc.as_ref().map(|d| (d, d)),
                    };
                    match finish(kind, path, &lf, doc.as_ref(), &sides, &m) {
                        Outcome::Clean(_) => Outcome::Clean(Some(text.to_owned())),
                        conflicted => crlf_like(conflicted, eol_of([ours, theirs, base])),
                    }
                }
            },
        };
    }
    // Merged with `\n` line ends, written back with those of ours.
    let lf = |s: Option<&str>| s.map(|s| s.replace("\r\n", "\n"));
    let (b, o, t) = (lf(base), lf(ours), lf(theirs));
    let outcome = merge_lf(kind, path, b.as_deref(), o.as_deref(), t.as_deref(), &m);
    crlf_like(outcome, eol_of([ours, theirs, base]))
}

/// Whether the file ends its lines with `\r\n`: as ours does, or, where ours
/// deleted it, as theirs (then the base) did.
fn eol_of(sides: [Option<&str>; 3]) -> bool {
    sides
        .into_iter()
        .flatten()
        .next()
        .is_some_and(|s| s.contains("\r\n"))
}

fn crlf_like(outcome: Outcome, crlf: bool) -> Outcome {
    if !crlf {
        return outcome;
    }
    let to_crlf = |s: String| s.replace('\n', "\r\n");
    match outcome {
        Outcome::Clean(text) => Outcome::Clean(text.map(to_crlf)),
        Outcome::Conflicted { text, conflicts } => Outcome::Conflicted {
            text: to_crlf(text),
            conflicts,
        },
    }
}

/// The two sides a conflict's blocks are drawn from: their texts (with `\n`
/// line ends), and their documents where they are TOML. Without both
/// documents, the blocks are the whole file.
pub(crate) struct Sides<'a> {
    pub ours: &'a str,
    pub theirs: &'a str,
    pub docs: Option<(&'a DocumentMut, &'a DocumentMut)>,
}

fn merge_lf(
    kind: Kind,
    path: &str,
    base: Option<&str>,
    ours: Option<&str>,
    theirs: Option<&str>,
    m: &Markers,
) -> Outcome {
    if kind == Kind::Text {
        return lines::merge_text(base, ours, theirs, m);
    }
    let whole = |kind: ConflictKind| {
        let conflicts = vec![Conflict {
            field: markers::FILE.into(),
            kind,
        }];
        Outcome::Conflicted {
            text: markers::whole_file(ours.unwrap_or(""), theirs.unwrap_or(""), m),
            conflicts,
        }
    };
    let parsed = |s: Option<&str>| s.map(str::parse::<DocumentMut>);
    let (b_doc, o_doc, t_doc) = (parsed(base), parsed(ours), parsed(theirs));
    let doc = |d: &Option<Result<DocumentMut, toml_edit::TomlError>>| {
        d.as_ref().and_then(|r| r.as_ref().ok()).cloned()
    };
    let (bd, od, td) = (doc(&b_doc), doc(&o_doc), doc(&t_doc));
    let sides = Sides {
        ours: ours.unwrap_or(""),
        theirs: theirs.unwrap_or(""),
        docs: od.as_ref().zip(td.as_ref()),
    };
    // The same record: the same text, or the same values.
    let same = |x: &str, xd: &Option<DocumentMut>, y: &str, yd: &Option<DocumentMut>| {
        x == y
            || match (xd, yd) {
                (Some(x), Some(y)) => Val::of_table(x.as_table()) == Val::of_table(y.as_table()),
                _ => false,
            }
    };
    match (base, ours, theirs) {
        (_, None, None) => Outcome::Clean(None),
        (None, Some(one), None) => finish(kind, path, one, od.as_ref(), &sides, m),
        (None, None, Some(one)) => finish(kind, path, one, td.as_ref(), &sides, m),
        (Some(b), None, Some(t)) => {
            if same(b, &bd, t, &td) {
                Outcome::Clean(None)
            } else {
                whole(ConflictKind::DeletedAndChanged {
                    deleted_by: Side::Ours,
                })
            }
        }
        (Some(b), Some(o), None) => {
            if same(b, &bd, o, &od) {
                Outcome::Clean(None)
            } else {
                whole(ConflictKind::DeletedAndChanged {
                    deleted_by: Side::Theirs,
                })
            }
        }
        (None, Some(o), Some(t)) => {
            if same(o, &od, t, &td) {
                finish(kind, path, o, od.as_ref(), &sides, m)
            } else {
                whole(ConflictKind::AddedDifferently)
            }
        }
        (Some(b), Some(o), Some(t)) => {
            // Changed on one side only: that side, as it is.
            if b == o {
                return finish(kind, path, t, td.as_ref(), &sides, m);
            }
            if b == t || o == t {
                return finish(kind, path, o, od.as_ref(), &sides, m);
            }
            match (&bd, &od, &td) {
                (Some(bd), Some(od), Some(td)) => {
                    let merged = fields::merge_fields(kind, bd, od, td);
                    if merged.conflicts.is_empty() {
                        let text = merged.doc.to_string();
                        finish(kind, path, &text, Some(&merged.doc), &sides, m)
                    } else {
                        let (conflicts, regions): (Vec<_>, Vec<_>) =
                            merged.conflicts.into_iter().unzip();
                        let text = markers::render(kind, &merged.doc, &regions, &sides, m);
                        Outcome::Conflicted { text, conflicts }
                    }
                }
                _ => {
                    // A side that is not TOML at all (a broken hand edit): the
                    // whole file, line by line, clean only if it then validates.
                    let broken = |d: &Option<Result<DocumentMut, toml_edit::TomlError>>| match d {
                        Some(Err(e)) => Some(e.message().trim().to_owned()),
                        _ => None,
                    };
                    let unparsable = match (broken(&o_doc), broken(&t_doc), broken(&b_doc)) {
                        (Some(message), _, _) => ConflictKind::Unparsable {
                            side: Side::Ours,
                            message,
                        },
                        (_, Some(message), _) => ConflictKind::Unparsable {
                            side: Side::Theirs,
                            message,
                        },
                        (_, _, message) => ConflictKind::BaseUnparsable {
                            message: message.unwrap_or_default(),
                        },
                    };
                    match lines::merge_lines(b, o, t).map(|text| {
                        let doc = text.parse::<DocumentMut>().ok();
                        (text, doc)
                    }) {
                        Some((text, Some(doc))) => finish(kind, path, &text, Some(&doc), &sides, m),
                        _ => whole(unparsable),
                    }
                }
            }
        }
    }
}

/// A merged text is clean only if it keeps every rule of one record; otherwise a
/// conflict around the fields the broken rules name.
fn finish(
    kind: Kind,
    path: &str,
    text: &str,
    doc: Option<&DocumentMut>,
    sides: &Sides,
    m: &Markers,
) -> Outcome {
    let broken = check::check(kind, path, text);
    if broken.is_empty() {
        return Outcome::Clean(Some(text.to_owned()));
    }
    let (conflicts, regions) = check::conflicts(kind, path, &broken, doc, sides);
    let whole_file = regions.is_empty() || regions.contains(&Region::File) || sides.docs.is_none();
    let text = match doc {
        Some(doc) if !whole_file => markers::render(kind, doc, &regions, sides, m),
        _ => markers::whole_file(sides.ours, sides.theirs, m),
    };
    Outcome::Conflicted { text, conflicts }
}
