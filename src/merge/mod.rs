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

use std::cell::OnceCell;
use std::fmt;

use toml_edit::DocumentMut;

use crate::store::{self, RecordKind};
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
        match store::record_kind(path) {
            Some(RecordKind::Claim) => Kind::Claim,
            Some(RecordKind::Episode) => Kind::Episode,
            Some(RecordKind::Correction) => Kind::Correction,
            Some(RecordKind::Settings) => Kind::Settings,
            None => Kind::Text,
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
        let Some(text) = ours else {
            return Outcome::Clean(None);
        };
        if check::check(kind, path, text).is_empty() {
            return Outcome::Clean(Some(text.to_owned()));
        }
    }
    // Merged with `\n` line ends, written back with those of ours.
    let lf = |s: Option<&str>| s.map(|s| s.replace("\r\n", "\n"));
    let (b, o, t) = (lf(base), lf(ours), lf(theirs));
    let outcome = merge_lf(kind, path, b.as_deref(), o.as_deref(), t.as_deref(), &m);
    if !eol_of([ours, theirs, base]) {
        return outcome;
    }
    match crlf_like(outcome) {
        // A stray `\r` (`\r\r\n`) reads differently once the line ends are
        // back: what is returned is what must keep the rules.
        Outcome::Clean(Some(text)) => {
            let broken = check::check(kind, path, &text);
            if broken.is_empty() {
                return Outcome::Clean(Some(text));
            }
            let conflicts = broken
                .iter()
                .map(|b| Conflict {
                    field: markers::FILE.into(),
                    kind: ConflictKind::BreaksRule {
                        rule: b.message(path),
                    },
                })
                .collect();
            let ours_lf = o.as_deref().unwrap_or("");
            let theirs_lf = t.as_deref().unwrap_or("");
            crlf_like(Outcome::Conflicted {
                text: markers::whole_file(ours_lf, theirs_lf, &m),
                conflicts,
            })
        }
        other => other,
    }
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

fn crlf_like(outcome: Outcome) -> Outcome {
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
/// line ends), and their documents, parsed only when a conflict needs them.
/// Without both documents (a side is not TOML), the blocks are the whole file.
pub(crate) struct Sides<'a> {
    pub ours: &'a str,
    pub theirs: &'a str,
    docs: OnceCell<Option<(DocumentMut, DocumentMut)>>,
}

impl<'a> Sides<'a> {
    fn new(ours: &'a str, theirs: &'a str) -> Self {
        Sides {
            ours,
            theirs,
            docs: OnceCell::new(),
        }
    }

    fn with_docs(ours: &'a str, theirs: &'a str, docs: (DocumentMut, DocumentMut)) -> Self {
        Sides {
            ours,
            theirs,
            docs: OnceCell::from(Some(docs)),
        }
    }

    /// Ours' and theirs' documents, when both are TOML.
    pub(crate) fn docs(&self) -> Option<(&DocumentMut, &DocumentMut)> {
        self.docs
            .get_or_init(|| Some((self.ours.parse().ok()?, self.theirs.parse().ok()?)))
            .as_ref()
            .map(|(o, t)| (o, t))
    }
}

/// Whether two texts hold the same record: the same text, or the same values.
fn same(x: &str, y: &str) -> bool {
    x == y
        || match (x.parse::<DocumentMut>(), y.parse::<DocumentMut>()) {
            (Ok(x), Ok(y)) => Val::of_table(x.as_table()) == Val::of_table(y.as_table()),
            _ => false,
        }
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
    let sides = Sides::new(ours.unwrap_or(""), theirs.unwrap_or(""));
    let whole = |kind: ConflictKind| Outcome::Conflicted {
        text: markers::whole_file(sides.ours, sides.theirs, m),
        conflicts: vec![Conflict {
            field: markers::FILE.into(),
            kind,
        }],
    };
    let deleted = |by: Side, base: &str, other: &str| {
        if same(base, other) {
            Outcome::Clean(None)
        } else {
            whole(ConflictKind::DeletedAndChanged { deleted_by: by })
        }
    };
    match (base, ours, theirs) {
        (_, None, None) => Outcome::Clean(None),
        (None, Some(one), None) | (None, None, Some(one)) => finish(kind, path, one, &sides, m),
        (Some(b), None, Some(t)) => deleted(Side::Ours, b, t),
        (Some(b), Some(o), None) => deleted(Side::Theirs, b, o),
        (None, Some(o), Some(t)) if same(o, t) => finish(kind, path, o, &sides, m),
        (None, Some(_), Some(_)) => whole(ConflictKind::AddedDifferently),
        // Changed on one side only: that side, as it is.
        (Some(b), Some(o), Some(t)) if b == o => finish(kind, path, t, &sides, m),
        (Some(b), Some(o), Some(t)) if b == t => finish(kind, path, o, &sides, m),
        (Some(b), Some(o), Some(t)) => {
            let parse = |s: &str| s.parse::<DocumentMut>();
            match (parse(b), parse(o), parse(t)) {
                (Ok(bd), Ok(od), Ok(td)) => {
                    let merged = fields::merge_fields(kind, &bd, &od, &td);
                    let sides = Sides::with_docs(o, t, (od, td));
                    if merged.conflicts.is_empty() {
                        finish(kind, path, &merged.doc.to_string(), &sides, m)
                    } else {
                        let (conflicts, regions): (Vec<_>, Vec<_>) =
                            merged.conflicts.into_iter().unzip();
                        let text = markers::render(kind, &merged.doc, &regions, &sides, m);
                        Outcome::Conflicted { text, conflicts }
                    }
                }
                (bd, od, td) => {
                    // A side that is not TOML at all (a broken hand edit): the
                    // whole file, line by line, clean only if it then validates.
                    let unparsable = match (od.err(), td.err(), bd.err()) {
                        (Some(e), _, _) => ConflictKind::Unparsable {
                            side: Side::Ours,
                            message: e.message().trim().to_owned(),
                        },
                        (_, Some(e), _) => ConflictKind::Unparsable {
                            side: Side::Theirs,
                            message: e.message().trim().to_owned(),
                        },
                        (_, _, e) => ConflictKind::BaseUnparsable {
                            message: e.map(|e| e.message().trim().to_owned()).unwrap_or_default(),
                        },
                    };
                    match lines::merge_lines(b, o, t) {
                        Some(text) if text.parse::<DocumentMut>().is_ok() => {
                            finish(kind, path, &text, &sides, m)
                        }
                        _ => whole(unparsable),
                    }
                }
            }
        }
    }
}

/// A merged text is clean only if it keeps every rule of one record; otherwise a
/// conflict around the fields the broken rules name.
fn finish(kind: Kind, path: &str, text: &str, sides: &Sides, m: &Markers) -> Outcome {
    let broken = check::check(kind, path, text);
    if broken.is_empty() {
        return Outcome::Clean(Some(text.to_owned()));
    }
    let doc = text.parse::<DocumentMut>().ok();
    let (conflicts, regions) = check::conflicts(kind, path, &broken, doc.as_ref(), sides);
    let whole_file =
        regions.is_empty() || regions.contains(&Region::File) || sides.docs().is_none();
    let text = match &doc {
        Some(doc) if !whole_file => markers::render(kind, doc, &regions, sides, m),
        _ => markers::whole_file(sides.ours, sides.theirs, m),
    };
    Outcome::Conflicted { text, conflicts }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLAIM: &str =
        "status = \"needs-check\"\nclaim = \"NVIDIA's gross margin is above 70%.\"\n";
    const PATH: &str = "claims/top10-ai-2023/nvidia-gross-margin.toml";

    fn run(base: Option<&str>, ours: Option<&str>, theirs: Option<&str>) -> Outcome {
        merge(PATH, base, ours, theirs, &Labels::default(), 7)
    }

    #[test]
    fn a_stray_carriage_return_is_never_a_clean_merge() {
        // `\r\r\n` reads as `\r\n` once line ends are `\n`; written back, the
        // lone `\r` is not TOML.
        let ours = format!("# \r\r\n{}", CLAIM.replace('\n', "\r\n"));
        assert!(matches!(
            run(None, Some(&ours), None),
            Outcome::Conflicted { .. }
        ));
        assert!(matches!(
            run(None, Some(&ours), Some(&ours)),
            Outcome::Conflicted { .. }
        ));
    }

    #[test]
    fn a_source_s_accessed_and_archived_merge_field_by_field() {
        let base = format!("{CLAIM}\n[[sources]]\nurl = \"https://example.org/a\"\n");
        let ours = format!("{base}accessed = 2023-12-30\n");
        let archived = |a: &str| {
            format!("{base}archived = \"https://web.archive.org/web/{a}/https://example.org/a\"\n")
        };
        let theirs = archived("20231230120000");
        let Outcome::Clean(Some(merged)) = run(Some(&base), Some(&ours), Some(&theirs)) else {
            panic!("one side's accessed and the other's archived merge cleanly");
        };
        assert!(merged.contains("accessed = 2023-12-30"), "{merged}");
        assert!(
            merged.contains("archived = \"https://web.archive.org/web/20231230120000/"),
            "{merged}"
        );
        // The same source archived at two different addresses is the desk's call.
        let Outcome::Conflicted { conflicts, .. } =
            run(Some(&base), Some(&archived("2023")), Some(&theirs))
        else {
            panic!("two archived copies of one source conflict");
        };
        assert_eq!(conflicts[0].field, "sources[https://example.org/a]");
        // A merge may not bring in an archived copy that is not a web address.
        let bad = format!("{base}archived = \"not a url\"\n");
        assert!(matches!(
            run(Some(&base), Some(&ours), Some(&bad)),
            Outcome::Conflicted { .. }
        ));
    }

    #[test]
    fn labels_from_git_before_2_44_are_the_usual_words() {
        assert_eq!(
            Labels::from_driver(Some("%S"), Some("%X"), None),
            Labels::default()
        );
        let given = Labels::from_driver(Some("base"), Some("HEAD"), Some("topic"));
        assert_eq!(
            (given.ours.as_str(), given.theirs.as_str()),
            ("HEAD", "topic")
        );
    }

    #[test]
    fn what_the_path_says_the_file_is() {
        assert_eq!(Kind::of("errata.toml"), Kind::Settings);
        assert_eq!(Kind::of("corrections/x.toml"), Kind::Correction);
        assert_eq!(Kind::of("claims/ep/episode.toml"), Kind::Episode);
        assert_eq!(Kind::of("claims/ep/x.toml"), Kind::Claim);
        assert_eq!(Kind::of("claims/ep/transcript.txt"), Kind::Text);
        assert_eq!(Kind::of("README.md"), Kind::Text);
    }
}
