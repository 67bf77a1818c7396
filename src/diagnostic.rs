//! Problems found in records, and where in the file they are.
//!
//! A problem is recorded with the cheapest location at hand (a byte span from the
//! TOML parser, or the field it concerns) and resolved to a line and column only
//! when it is shown, since most runs show none. Columns count characters, not
//! bytes, so a caret under a Chinese quote lands where an editor puts its cursor.
//! [`snippet`] draws the line under the problem the way rustc and cargo do, with
//! annotate-snippets, which knows a Han character takes two columns on screen.

use std::ops::Range;
use std::path::Path;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use serde::{Deserialize, Serialize};

/// One step into a TOML document: a key of a table or an index of an array.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// Where a problem is, before it is turned into a line and column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Location {
    /// The whole file (a bad file name, a missing file).
    File,
    /// Byte offsets in the file, as the TOML parser reports them.
    Span(Range<usize>),
    /// A value in the document, found by walking these steps.
    Field(Vec<Step>),
}

impl Location {
    pub fn key(key: &str) -> Location {
        Location::Field(vec![Step::Key(key.to_owned())])
    }

    pub fn source(index: usize, key: &str) -> Location {
        Location::Field(vec![
            Step::Key("sources".into()),
            Step::Index(index),
            Step::Key(key.to_owned()),
        ])
    }
}

/// How a problem reads when a record holds git's conflict markers: a merge
/// left it for a person to finish.
pub const UNRESOLVED_CONFLICT: &str = "unresolved merge conflict";

/// What errata says of a record, folder or transcript that is a symbolic link:
/// following one would read, publish or overwrite a file anywhere on the
/// machine of whoever runs errata in a cloned repository.
pub const SYMBOLIC_LINK: &str =
    "is a symbolic link: errata reads and writes only regular files inside the repository";

/// Something wrong with a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// Path relative to the top of the repository, with `/` separators.
    pub path: String,
    pub location: Location,
    pub message: String,
}

impl Problem {
    /// Whether the record holds a merge conflict a person must resolve.
    pub fn is_conflict(&self) -> bool {
        self.message.starts_with(UNRESOLVED_CONFLICT)
    }

    /// A record, folder or transcript at `path` that is a symbolic link.
    pub fn symbolic_link(path: &str) -> Self {
        Problem::new(path, Location::File, SYMBOLIC_LINK)
    }

    /// Whether the problem is that the path is a symbolic link.
    pub fn is_symbolic_link(&self) -> bool {
        self.message == SYMBOLIC_LINK
    }

    pub fn new(path: &str, location: Location, message: impl Into<String>) -> Self {
        Problem {
            path: path.to_owned(),
            location,
            message: message.into(),
        }
    }
}

/// A problem placed at a line and column (both 1-based), ready to print as
/// `path:line:col: message`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// The line the problem is on, to draw under it; `None` when the problem has
    /// no line (the whole file, a missing field). Not part of the JSON output.
    #[serde(skip)]
    pub source: Option<SourceLine>,
}

/// One line of a file and where a problem is in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLine {
    /// The line, without its line ending.
    pub text: String,
    /// Byte offsets of the problem within `text`, cut at the end of the line.
    pub span: Range<usize>,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path, self.line, self.column, self.message
        )
    }
}

/// Line and column (1-based, column in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let (line, line_start, offset) = position(text, offset);
    let column = text[line_start..offset].chars().count() + 1;
    (line, column)
}

/// A byte offset moved into the text and back to the start of its character, with
/// its line (1-based) and the offset where that line starts.
fn position(text: &str, offset: usize) -> (usize, usize, usize) {
    let offset = floor_char_boundary(text, offset);
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, line_start, offset)
}

fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The line holding the start of `span`, and the part of `span` on that line.
fn source_line(text: &str, span: &Range<usize>) -> SourceLine {
    let (_, line_start, start) = position(text, span.start);
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    let line = text[line_start..line_end]
        .strip_suffix('\r')
        .unwrap_or(&text[line_start..line_end]);
    let start = (start - line_start).min(line.len());
    // The end moves forward to the end of its character, so the caret covers it.
    let mut end = span.end.saturating_sub(line_start).clamp(start, line.len());
    while !line.is_char_boundary(end) {
        end += 1;
    }
    SourceLine {
        text: line.to_owned(),
        span: start..end,
    }
}

/// The problem's line with a caret under it, drawn as rustc and cargo draw them,
/// for showing below `path:line:col: message` (which stands in for their title);
/// `None` for a problem with no line. `styled` adds the ANSI colours cargo uses.
pub fn snippet(d: &Diagnostic, styled: bool) -> Option<String> {
    snippet_as(d, styled, Severity::Error)
}

/// How much a diagnostic matters: a problem fails `validate`, a warning does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// [`snippet`], coloured for a problem or a warning.
pub fn snippet_as(d: &Diagnostic, styled: bool, severity: Severity) -> Option<String> {
    let source = d.source.as_ref()?;
    let renderer = if styled {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let level = match severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    let report = [Group::with_level(level).element(
        Snippet::source(source.text.as_str())
            .line_start(d.line)
            .annotation(AnnotationKind::Primary.span(source.span.clone())),
    )];
    Some(renderer.render(&report))
}

/// The byte span of a field's key, or of the nearest enclosing thing that exists.
/// Read with `toml`'s spanned tables, which keep a place for every key, value
/// and `[[table]]` header at a fraction of the cost of `toml_edit`'s document:
/// `validate` places thousands of warnings in as many files.
fn field_span(text: &str, steps: &[Step]) -> Option<Range<usize>> {
    use toml::de::{DeTable, DeValue};
    let doc = DeTable::parse(text).ok()?;
    let mut best = None;
    let mut table: &DeTable<'_> = doc.get_ref();
    let mut i = 0;
    while let Some(Step::Key(k)) = steps.get(i) {
        let Some((key, value)) = table.get_key_value(k.as_str()) else {
            break;
        };
        best = Some(key.span());
        match (steps.get(i + 1), value.get_ref()) {
            (Some(Step::Index(n)), DeValue::Array(array)) => {
                let Some(entry) = array.get(*n) else { break };
                best = Some(entry.span());
                match entry.get_ref() {
                    // An entry of `[[sources]]`: its fields are looked in next.
                    DeValue::Table(t) if steps.len() > i + 2 => {
                        table = t;
                        i += 2;
                    }
                    _ => break,
                }
            }
            (Some(Step::Key(_)), DeValue::Table(t)) => {
                table = t;
                i += 1;
            }
            _ => break,
        }
    }
    best
}

/// Where a location falls in a file's text: all of a [`Diagnostic`] that comes
/// from the file rather than from the problem, so it can be remembered while
/// the file is unchanged (see `Store::locate`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    pub line: usize,
    pub column: usize,
    /// The line itself and the span in it; `None` as in [`Diagnostic::source`].
    pub source: Option<(String, Range<usize>)>,
}

/// Find `location` in `text`.
pub fn place_in(text: &str, location: &Location) -> Place {
    let span = match location {
        Location::File => None,
        // What a parser reports for a missing field: no place in the file.
        Location::Span(r) if *r == (0..0) => None,
        Location::Span(r) => Some(r.clone()),
        Location::Field(steps) => field_span(text, steps),
    };
    let (line, column) = span.as_ref().map_or((1, 1), |r| line_col(text, r.start));
    Place {
        line,
        column,
        source: span.map(|r| {
            let s = source_line(text, &r);
            (s.text, s.span)
        }),
    }
}

impl Diagnostic {
    /// `p` shown at `place`.
    pub fn placed(p: &Problem, place: Place) -> Diagnostic {
        Diagnostic {
            path: p.path.clone(),
            line: place.line,
            column: place.column,
            message: p.message.clone(),
            source: place.source.map(|(text, span)| SourceLine { text, span }),
        }
    }
}

/// Place one problem found in `text` at a line and column.
fn place(text: &str, p: &Problem) -> Diagnostic {
    Diagnostic::placed(p, place_in(text, &p.location))
}

/// Place problems found in `text` (a file not yet on disk) at lines and columns.
pub fn locate_in(text: &str, problems: &[Problem]) -> Vec<Diagnostic> {
    problems.iter().map(|p| place(text, p)).collect()
}

/// The text of a record file for placing problems in, or `None` when none of
/// `problems` needs it: a problem with the whole file needs none, and such a
/// file may be one refused unread for its size. A file gone since is empty.
pub fn text_for(root: &Path, path: &str, problems: &[Problem]) -> Option<String> {
    problems
        .iter()
        .any(|p| p.location != Location::File)
        .then(|| {
            std::fs::read(root.join(path))
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default()
        })
}

/// Place every problem at a line and column, reading each file at most once
/// (problems of one file next to each other, as `validate` sorts them), files
/// in parallel: thousands of warnings cost a fraction of reading them in turn.
pub fn locate(root: &Path, problems: &[Problem]) -> Vec<Diagnostic> {
    use rayon::prelude::*;
    let groups: Vec<Vec<Diagnostic>> = problems
        .par_chunk_by(|a, b| a.path == b.path)
        .map(|group| {
            let text = text_for(root, &group[0].path, group).unwrap_or_default();
            group.iter().map(|p| place(&text, p)).collect()
        })
        .collect();
    groups.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters() {
        let text = "quote = \"他的利潤高達70幾%耶\"\nstatus = 1\n";
        let off = text.find("70").unwrap();
        assert_eq!(line_col(text, off), (1, 16));
        assert_eq!(line_col(text, text.find("status").unwrap()), (2, 1));
        // An offset inside a multi-byte character never panics.
        assert_eq!(line_col(text, 10).0, 1);
        assert_eq!(line_col(text, 10_000).0, 3);
    }

    #[test]
    fn finds_fields_and_source_entries() {
        let text = "status = \"checked\"\nverdict = \"accurate\"\n\n[[sources]]\ntitle = \"a\"\n\n[[sources]]\ntitle = \"b\"\nurl = \"ftp://x\"\n";
        let verdict = field_span(text, &[Step::Key("verdict".into())]).unwrap();
        assert_eq!(line_col(text, verdict.start), (2, 1));
        let url = field_span(
            text,
            &[
                Step::Key("sources".into()),
                Step::Index(1),
                Step::Key("url".into()),
            ],
        )
        .unwrap();
        assert_eq!(line_col(text, url.start), (9, 1));
        // A missing entry or field falls back to the nearest thing that exists.
        let past = field_span(text, &[Step::Key("sources".into()), Step::Index(5)]).unwrap();
        assert_eq!(line_col(text, past.start), (4, 3), "the `sources` key");
        let gone = field_span(
            text,
            &[
                Step::Key("sources".into()),
                Step::Index(0),
                Step::Key("url".into()),
            ],
        )
        .unwrap();
        assert_eq!(
            line_col(text, gone.start),
            (4, 1),
            "the first entry's header"
        );
    }

    #[test]
    fn finds_fields_of_an_inline_table_in_an_array() {
        let text =
            "tags = [\"a\", \"b\"]\nsources = [{ url = \"a\" }, { url = \"b\", title = 3 }]\n";
        let tag = field_span(text, &[Step::Key("tags".into()), Step::Index(1)]).unwrap();
        assert_eq!(&text[tag], "\"b\"");
        let title = field_span(
            text,
            &[
                Step::Key("sources".into()),
                Step::Index(1),
                Step::Key("title".into()),
            ],
        )
        .unwrap();
        assert_eq!(&text[title.clone()], "title");
        assert_eq!(line_col(text, title.start), (2, 40));
    }

    fn placed(text: &str, location: Location) -> Diagnostic {
        locate_in(text, &[Problem::new("a.toml", location, "m")]).remove(0)
    }

    #[test]
    fn snippets_put_the_caret_under_the_character_on_screen() {
        let text = "status = \"checked\"\ntags = [\"輝達\", 3]\n";
        let at = text.find('3').unwrap();
        let d = placed(text, Location::Span(at..at + 1));
        assert_eq!(
            d.to_string(),
            "a.toml:2:15: m",
            "the column counts characters"
        );
        let source = d.source.as_ref().unwrap();
        assert_eq!(source.text, "tags = [\"輝達\", 3]");
        assert_eq!(&source.text[source.span.clone()], "3");
        let shown = snippet(&d, false).unwrap();
        let lines: Vec<&str> = shown.lines().collect();
        assert_eq!(
            lines,
            [
                "  |",
                "2 | tags = [\"輝達\", 3]",
                // 輝 and 達 take two columns each on screen.
                "  |                 ^",
            ],
            "{shown}"
        );
        assert!(!shown.contains('\x1b'), "plain has no colour");
        assert!(snippet(&d, true).unwrap().contains('\x1b'), "styled has");
    }

    #[test]
    fn problems_without_a_line_have_no_snippet() {
        let text = "status = \"checked\"\n";
        for location in [
            Location::File,
            Location::Span(0..0),
            Location::Field(vec![Step::Key("no-such-key".into())]),
        ] {
            let d = placed(text, location.clone());
            assert_eq!((d.line, d.column), (1, 1), "{location:?}");
            assert_eq!(d.source, None, "{location:?}");
            assert_eq!(snippet(&d, false), None, "{location:?}");
        }
        // A field that is there has its line.
        let d = placed(text, Location::key("status"));
        assert!(
            snippet(&d, false)
                .unwrap()
                .contains("1 | status = \"checked\"")
        );
    }

    #[test]
    fn snippets_keep_to_the_problems_first_line() {
        let text = "a = 1\r\nquote = \"unterminated\r\nb = 2\r\n";
        let at = text.find("\"un").unwrap();
        let d = placed(text, Location::Span(at..text.len()));
        let source = d.source.as_ref().unwrap();
        assert_eq!(
            source.text, "quote = \"unterminated",
            "no \\r, no next line"
        );
        assert_eq!(&source.text[source.span.clone()], "\"unterminated");
        // A point, at the end of a line or of the file, or inside a character.
        for (at, line) in [(5, "a = 1"), (text.len(), ""), (1_000, "")] {
            let d = placed(text, Location::Span(at..at));
            assert!(snippet(&d, false).unwrap().contains('^'), "{at}");
            assert_eq!(d.source.unwrap().text, line, "{at}");
        }
        let text = "q = \"他的利潤\"";
        let d = placed(text, Location::Span(7..8));
        let source = d.source.unwrap();
        assert_eq!(
            &source.text[source.span], "他",
            "widened to whole characters"
        );
    }

    #[test]
    fn json_leaves_the_source_line_out() {
        let d = placed("status = 1\n", Location::key("status"));
        assert!(d.source.is_some());
        assert_eq!(
            serde_json::to_value(&d).unwrap(),
            serde_json::json!({"path": "a.toml", "line": 1, "column": 1, "message": "m"})
        );
    }
}
