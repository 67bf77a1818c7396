//! Problems found in records, and where in the file they are.
//!
//! A problem is recorded with the cheapest location at hand (a byte span from the
//! TOML parser, or the field it concerns) and resolved to a line and column only
//! when it is shown, since most runs show none. Columns count characters, not
//! bytes, so a caret under a Chinese quote lands where an editor puts its cursor.

use std::ops::Range;
use std::path::Path;

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

/// Something wrong with a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// Path relative to the top of the repository, with `/` separators.
    pub path: String,
    pub location: Location,
    pub message: String,
}

impl Problem {
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
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..offset].chars().count() + 1;
    (line, column)
}

/// The byte span of a field's key, or of the nearest enclosing thing that exists.
fn field_span(text: &str, steps: &[Step]) -> Option<Range<usize>> {
    use toml_edit::{Item, TableLike, Value};
    let doc = toml_edit::Document::parse(text).ok()?;
    let mut best = None;
    let mut table: &dyn TableLike = doc.as_table();
    let mut i = 0;
    while let Some(Step::Key(k)) = steps.get(i) {
        let Some((key, item)) = table.get_key_value(k) else {
            break;
        };
        best = key.span().or(best);
        match (steps.get(i + 1), item) {
            (Some(Step::Index(n)), Item::ArrayOfTables(array)) => {
                let Some(entry) = array.get(*n) else { break };
                best = entry.span().or(best);
                table = entry;
                i += 2;
            }
            (Some(Step::Index(n)), Item::Value(Value::Array(array))) => {
                if let Some(v) = array.get(*n) {
                    best = v.span().or(best);
                }
                break;
            }
            (Some(Step::Key(_)), _) => match item.as_table_like() {
                Some(t) => {
                    table = t;
                    i += 1;
                }
                None => break,
            },
            _ => break,
        }
    }
    best
}

/// Place one problem found in `text` at a line and column.
fn place(text: &str, p: &Problem) -> Diagnostic {
    let span = match &p.location {
        Location::File => None,
        Location::Span(r) => Some(r.clone()),
        Location::Field(steps) => field_span(text, steps),
    };
    let (line, column) = span.map_or((1, 1), |r| line_col(text, r.start));
    Diagnostic {
        path: p.path.clone(),
        line,
        column,
        message: p.message.clone(),
    }
}

/// Place problems found in `text` (a file not yet on disk) at lines and columns.
pub fn locate_in(text: &str, problems: &[Problem]) -> Vec<Diagnostic> {
    problems.iter().map(|p| place(text, p)).collect()
}

/// Place every problem at a line and column, reading each file at most once.
pub fn locate(root: &Path, problems: &[Problem]) -> Vec<Diagnostic> {
    let mut out = Vec::with_capacity(problems.len());
    let mut cache: Option<(String, String)> = None;
    for p in problems {
        if cache.as_ref().is_none_or(|(path, _)| path != &p.path) {
            let text = std::fs::read(root.join(&p.path))
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default();
            cache = Some((p.path.clone(), text));
        }
        let text = cache.as_ref().map(|(_, t)| t.as_str()).unwrap_or("");
        out.push(place(text, p));
    }
    out
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
    }
}
