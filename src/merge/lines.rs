//! Merging text line by line, through `diffy`: a long field of a record (a
//! note's paragraph is one line), a whole record file that is not TOML, and a
//! file that is not a record at all (a transcript). Uses `markers` for the
//! labels of the conflicts it leaves.

use diffy::{ConflictStyle, MergeOptions};

use super::markers::{self, Markers};
use super::{Conflict, ConflictKind, Outcome, Side};

/// The three-way merge of a text by lines, or None when both sides changed the
/// same or adjacent lines. Whether the text ends with a newline merges as a
/// field of its own, so a last line without one is a line like the others.
pub(crate) fn merge_lines(base: &str, ours: &str, theirs: &str) -> Option<String> {
    let ends = |s: &str| s.is_empty() || s.ends_with('\n');
    let with_nl = |s: &str| {
        if ends(s) {
            s.to_owned()
        } else {
            format!("{s}\n")
        }
    };
    let (b, o, t) = (with_nl(base), with_nl(ours), with_nl(theirs));
    let mut merged = diffy::merge(&b, &o, &t).ok()?;
    let (eb, eo, et) = (ends(base), ends(ours), ends(theirs));
    let newline_at_end = if eo == et || eb == et { eo } else { et };
    if !newline_at_end && merged.ends_with('\n') {
        merged.pop();
    }
    Some(merged)
}

/// A file that is not a record, merged as git merges text: whole, by lines,
/// with git's markers around the lines both sides changed.
pub(crate) fn merge_text(
    base: Option<&str>,
    ours: Option<&str>,
    theirs: Option<&str>,
    m: &Markers,
) -> Outcome {
    let conflict = |kind, text| Outcome::Conflicted {
        text,
        conflicts: vec![Conflict {
            field: markers::FILE.into(),
            kind,
        }],
    };
    match (base, ours, theirs) {
        (_, None, None) => Outcome::Clean(None),
        (None, Some(one), None) | (None, None, Some(one)) => Outcome::Clean(Some(one.to_owned())),
        (Some(b), None, Some(t)) if b == t => Outcome::Clean(None),
        (Some(b), Some(o), None) if b == o => Outcome::Clean(None),
        (Some(_), None, Some(t)) => conflict(
            ConflictKind::DeletedAndChanged {
                deleted_by: Side::Ours,
            },
            markers::whole_file("", t, m),
        ),
        (Some(_), Some(o), None) => conflict(
            ConflictKind::DeletedAndChanged {
                deleted_by: Side::Theirs,
            },
            markers::whole_file(o, "", m),
        ),
        (base, Some(o), Some(t)) => {
            let b = base.unwrap_or("");
            if let Some(text) = merge_lines(b, o, t) {
                return Outcome::Clean(Some(text));
            }
            let nl = |s: &str| {
                if s.is_empty() || s.ends_with('\n') {
                    s.to_owned()
                } else {
                    format!("{s}\n")
                }
            };
            let mut options = MergeOptions::new();
            options
                .set_conflict_style(ConflictStyle::Merge)
                .set_conflict_marker_length(m.size);
            let text = match options.merge(&nl(b), &nl(o), &nl(t)) {
                Ok(text) | Err(text) => text,
            };
            conflict(ConflictKind::LinesOverlap, relabel(&text, m))
        }
    }
}

/// diffy writes `ours` and `theirs` after its markers: git's labels instead.
fn relabel(text: &str, m: &Markers) -> String {
    let open = format!("{} ours", "<".repeat(m.size));
    let close = format!("{} theirs", ">".repeat(m.size));
    text.split_inclusive('\n')
        .map(|line| {
            let bare = line.strip_suffix('\n').unwrap_or(line);
            if bare == open {
                m.open()
            } else if bare == close {
                m.close()
            } else {
                line.to_owned()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_changed_apart_merge() {
        let base = "一\n\n二\n\n三";
        let ours = "一改\n\n二\n\n三";
        let theirs = "一\n\n二\n\n三改";
        assert_eq!(
            merge_lines(base, ours, theirs).as_deref(),
            Some("一改\n\n二\n\n三改")
        );
    }

    #[test]
    fn the_same_paragraph_changed_twice_does_not() {
        assert_eq!(merge_lines("a\n\nb", "A\n\nb", "a!\n\nb"), None);
    }

    #[test]
    fn a_newline_added_at_the_end_comes_through() {
        assert_eq!(
            merge_lines("a\nb", "A\nb", "a\nb\n").as_deref(),
            Some("A\nb\n")
        );
    }
}
