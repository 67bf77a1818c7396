//! Terminal rendering: tables aligned by display width (a Han character takes two
//! columns), styles that say what a value means, and the JSON shapes of records.
//! Everything returns text; the command decides where it goes.

use std::borrow::Cow;

use anstyle::{AnsiColor, Style};
use serde::Serialize;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::model::{Claim, Source, State, Status, Verdict};

/// Columns `s` takes in a terminal. Printable ASCII (ids, statuses, times:
/// most cells of a table) takes one column a byte, counted without looking
/// each character up.
pub fn width(s: &str) -> usize {
    if s.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        s.len()
    } else {
        UnicodeWidthStr::width(s)
    }
}

/// Cut `s` to at most `max` columns, ending with `…` when something was cut.
/// Whitespace runs (line breaks included) become one space, so a cell is one line.
/// Text that is already one line of at most `max` printable ASCII characters,
/// single spaces between words (most headlines), is returned as it is, borrowed:
/// `list` on 100,000 claims then makes no string per row.
pub fn truncate(s: &str, max: usize) -> Cow<'_, str> {
    let b = s.as_bytes();
    let plain = b.len() <= max
        && b.first().is_none_or(|&c| c != b' ')
        && b.last().is_none_or(|&c| c != b' ')
        && b.iter().all(|&c| c.is_ascii_graphic() || c == b' ')
        && !b.windows(2).any(|w| w == b"  ");
    if plain {
        return Cow::Borrowed(s);
    }
    Cow::Owned(truncate_owned(s, max))
}

fn truncate_owned(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max * 4));
    // Where the text stood the last time it still had room for the `…`.
    let mut fits = 0;
    let mut used = 0;
    let mut space = false;
    for c in s.trim().chars() {
        let (w, white) = columns(c);
        if white {
            space = true;
            continue;
        }
        let pieces = if std::mem::take(&mut space) { 2 } else { 1 };
        let w = w + pieces - 1;
        if used + w > max {
            out.truncate(fits);
            out.push('…');
            return out;
        }
        if pieces == 2 {
            out.push(' ');
        }
        out.push(c);
        used += w;
        if used < max {
            fits = out.len();
        }
    }
    out
}

/// How many columns `c` takes and whether it is white space. Printable ASCII
/// and the CJK ideographs (most of a headline, in either script) are told
/// without looking up Unicode's tables, which cutting 100,000 Chinese
/// headlines spent a tenth of a warm `list` in.
fn columns(c: char) -> (usize, bool) {
    match c {
        ' '..='~' => (1, c == ' '),
        '\u{4E00}'..='\u{9FFF}' => (2, false),
        _ => (c.width().unwrap_or(0), c.is_whitespace()),
    }
}

/// One cell: its text (borrowed where it can be, as most cells are) and how to
/// style it.
pub struct Cell<'a> {
    pub text: Cow<'a, str>,
    pub style: Style,
}

impl<'a> Cell<'a> {
    pub fn plain(text: impl Into<Cow<'a, str>>) -> Self {
        Cell {
            text: text.into(),
            style: Style::new(),
        }
    }

    pub fn styled(text: impl Into<Cow<'a, str>>, style: Style) -> Self {
        Cell {
            text: text.into(),
            style,
        }
    }
}

/// A table whose columns line up in a terminal whatever the script of the text.
/// The last column is never padded, so lines carry no trailing spaces.
pub fn table(header: &[&str], rows: &[Vec<Cell<'_>>]) -> String {
    let mut out = Vec::new();
    let row = |i: usize| {
        rows[i]
            .iter()
            .map(|c| Cell::styled(c.text.as_ref(), c.style))
            .collect()
    };
    let widths = column_widths(header, rows.len(), row);
    // Writing to a Vec cannot fail.
    let _ = write_rows(&mut out, header, &widths, rows.len(), row, true);
    String::from_utf8(out).unwrap_or_default()
}

/// The width of each column but the last (which is never padded): the widest
/// of its header and its cells.
pub fn column_widths<'a>(
    header: &[&str],
    count: usize,
    row: impl Fn(usize) -> Vec<Cell<'a>>,
) -> Vec<usize> {
    let cols = header.len().saturating_sub(1);
    let mut widths: Vec<usize> = header.iter().take(cols).map(|h| width(h)).collect();
    for i in 0..count {
        for (c, cell) in row(i).iter().enumerate().take(cols) {
            widths[c] = widths[c].max(width(&cell.text));
        }
    }
    widths
}

/// Write a table of `count` rows to `w`. Rows are made and laid out in batches
/// on every core and written in order, so a list of 100,000 claims costs little
/// time and no more memory than a batch. Without `color` no style is written at
/// all, so the table can go straight to a pipe.
pub fn write_rows<'a, W: std::io::Write>(
    w: &mut W,
    header: &[&str],
    widths: &[usize],
    count: usize,
    row: impl Fn(usize) -> Vec<Cell<'a>> + Sync,
    color: bool,
) -> std::io::Result<()> {
    use rayon::prelude::*;
    const SPACES: &[u8] = &[b' '; 128];
    const BATCH: usize = 4096;
    let line = |out: &mut Vec<u8>, cells: &[(&str, Style)]| {
        use std::io::Write as _;
        for (c, (text, style)) in cells.iter().enumerate() {
            if color && *style != Style::new() {
                // Writing to a Vec cannot fail.
                let _ = write!(out, "{style}{text}{style:#}");
            } else {
                out.extend_from_slice(text.as_bytes());
            }
            if c + 1 < cells.len() {
                let mut pad = widths
                    .get(c)
                    .copied()
                    .unwrap_or(0)
                    .saturating_sub(width(text))
                    + 2;
                while pad > 0 {
                    let n = pad.min(SPACES.len());
                    out.extend_from_slice(&SPACES[..n]);
                    pad -= n;
                }
            }
        }
        out.push(b'\n');
    };
    let bold = if color {
        Style::new().bold()
    } else {
        Style::new()
    };
    let head: Vec<(&str, Style)> = header.iter().map(|h| (*h, bold)).collect();
    let mut first = Vec::new();
    line(&mut first, &head);
    w.write_all(&first)?;
    let starts: Vec<usize> = (0..count).step_by(BATCH).collect();
    for group in starts.chunks(rayon::current_num_threads().max(1) * 4) {
        let rendered: Vec<Vec<u8>> = group
            .par_iter()
            .map(|&start| {
                let mut out = Vec::with_capacity(BATCH * 100);
                for i in start..(start + BATCH).min(count) {
                    let cells = row(i);
                    let cells: Vec<(&str, Style)> =
                        cells.iter().map(|c| (c.text.as_ref(), c.style)).collect();
                    line(&mut out, &cells);
                }
                out
            })
            .collect();
        for part in rendered {
            w.write_all(&part)?;
        }
    }
    Ok(())
}

pub fn status_style(s: Status) -> Style {
    match s {
        Status::NeedsCheck => Style::new().fg_color(Some(AnsiColor::Yellow.into())),
        Status::Checking => Style::new().fg_color(Some(AnsiColor::Cyan.into())),
        Status::Checked => Style::new(),
        Status::Corrected => Style::new().fg_color(Some(AnsiColor::Magenta.into())),
    }
}

pub fn verdict_style(v: Verdict) -> Style {
    match v {
        Verdict::Accurate => Style::new().fg_color(Some(AnsiColor::Green.into())),
        Verdict::MostlyAccurate => Style::new().fg_color(Some(AnsiColor::Green.into())),
        Verdict::Misleading => Style::new().fg_color(Some(AnsiColor::Yellow.into())).bold(),
        Verdict::Inaccurate => Style::new().fg_color(Some(AnsiColor::Red.into())).bold(),
        Verdict::Unverifiable => Style::new().dimmed(),
    }
}

/// A claim as JSON: the stable field names scripts rely on.
#[derive(Serialize)]
pub struct ClaimJson<'a> {
    pub id: &'a str,
    pub episode: &'a str,
    pub path: String,
    pub status: Status,
    pub verdict: Option<Verdict>,
    pub said_at: Option<String>,
    pub speaker: Option<&'a str>,
    pub quote: Option<&'a str>,
    pub claim: Option<&'a str>,
    pub tags: &'a [String],
    pub assignee: Option<&'a str>,
    pub note: Option<&'a str>,
    pub sources: &'a [Source],
    pub owed: bool,
}

impl<'a> ClaimJson<'a> {
    /// `owed` is passed in because it depends on the corrections, not the claim alone.
    pub fn new(c: &'a Claim, owed: bool) -> Self {
        ClaimJson {
            id: c.id.as_str(),
            episode: c.episode.as_str(),
            path: crate::store::claim_path(&c.episode, &c.id),
            status: c.state.status(),
            verdict: c.state.verdict(),
            said_at: c.said_at.map(|t| t.to_string()),
            speaker: c.speaker.as_deref(),
            quote: c.quote.as_deref(),
            claim: c.claim.as_deref(),
            tags: &c.tags,
            assignee: c.assignee.as_deref(),
            note: c.note.as_deref(),
            sources: &c.sources,
            owed,
        }
    }
}

/// A record as `show --json` prints it: what kind it is, then its fields, so a
/// script reading any record's JSON can tell claims from corrections and episodes.
#[derive(Serialize)]
pub struct Kinded<T> {
    pub kind: crate::store::RecordKind,
    #[serde(flatten)]
    pub record: T,
}

impl<'a> Kinded<ClaimJson<'a>> {
    pub fn claim(record: ClaimJson<'a>) -> Self {
        Kinded {
            kind: crate::store::RecordKind::Claim,
            record,
        }
    }
}

impl<'a> Kinded<CorrectionJson<'a>> {
    pub fn correction(record: CorrectionJson<'a>) -> Self {
        Kinded {
            kind: crate::store::RecordKind::Correction,
            record,
        }
    }
}

impl<'a> Kinded<EpisodeJson<'a>> {
    pub fn episode(record: EpisodeJson<'a>) -> Self {
        Kinded {
            kind: crate::store::RecordKind::Episode,
            record,
        }
    }
}

/// A correction as JSON, with the field names of its file.
#[derive(Serialize)]
pub struct CorrectionJson<'a> {
    pub id: &'a str,
    pub path: String,
    pub claims: Vec<&'a str>,
    pub episode: &'a str,
    pub aired_at: String,
    pub medium: crate::model::Medium,
    pub reported_by: Option<&'a str>,
    pub text: &'a str,
}

impl<'a> CorrectionJson<'a> {
    pub fn new(c: &'a crate::model::Correction) -> Self {
        CorrectionJson {
            id: c.id.as_str(),
            path: crate::store::correction_path(&c.id),
            claims: c.claims.iter().map(|k| k.as_str()).collect(),
            episode: c.episode.as_str(),
            aired_at: c.aired_at.to_string(),
            medium: c.medium,
            reported_by: c.reported_by.as_deref(),
            text: &c.text,
        }
    }
}

/// An episode as JSON: its file's fields, the ids of its claims and of the
/// corrections aired in it.
#[derive(Serialize)]
pub struct EpisodeJson<'a> {
    pub id: &'a str,
    pub path: String,
    pub title: &'a str,
    pub date: Option<String>,
    pub url: Option<&'a str>,
    pub transcript: Option<&'a str>,
    pub claims: Vec<&'a str>,
    pub corrections: Vec<&'a str>,
}

impl<'a> EpisodeJson<'a> {
    pub fn new(
        e: &'a crate::model::Episode,
        claims: &[&'a Claim],
        corrections: &[&'a crate::model::Correction],
    ) -> Self {
        EpisodeJson {
            id: e.id.as_str(),
            path: crate::store::episode_path(&e.id),
            title: &e.title,
            date: e.date.map(|d| d.to_string()),
            url: e.url.as_deref(),
            transcript: e.transcript.as_deref(),
            claims: claims.iter().map(|k| k.id.as_str()).collect(),
            corrections: corrections.iter().map(|c| c.id.as_str()).collect(),
        }
    }
}

/// The verdict column of a claim: its verdict, or `-` when it has none yet.
pub fn verdict_cell(state: State) -> Cell<'static> {
    match state.verdict() {
        Some(v) => Cell::styled(v.as_str(), verdict_style(v)),
        None => Cell::styled("-", Style::new().dimmed()),
    }
}

/// Equal text longer than this inside an inline diff is shortened to its ends.
const CONTEXT: usize = 16;

fn elide(s: &str, keep_start: bool, keep_end: bool) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= CONTEXT * 2 + 1 {
        return s.to_owned();
    }
    let mut out = String::new();
    if keep_start {
        out.extend(&chars[..CONTEXT]);
    }
    out.push('…');
    if keep_end {
        out.extend(&chars[chars.len() - CONTEXT..]);
    }
    out
}

/// Field changes as lines a person reviews, one per change. Removed text is
/// marked `[-…-]` and added text `{+…+}`, in red and green where colour is on,
/// so a change reads the same without colour.
pub fn field_changes(changes: &[crate::diff::FieldChange], indent: &str) -> String {
    use crate::diff::{Change, Piece};
    let red = Style::new().fg_color(Some(AnsiColor::Red.into()));
    let green = Style::new().fg_color(Some(AnsiColor::Green.into()));
    let removed = |s: &str| format!("{red}[-{s}-]{red:#}");
    let added = |s: &str| format!("{green}{{+{s}+}}{green:#}");
    let one_line = |s: &str| s.replace('\n', "⏎");
    // A whole text set or removed at once (a new note) reads better as the
    // paragraphs it is than as one line with ⏎ marks.
    let block_indent = format!("{indent}    ");
    let block = |s: &str| -> String {
        if !s.contains('\n') {
            return s.to_owned();
        }
        let mut b = String::from("\n");
        for line in s.trim_end().lines() {
            b.push_str(format!("{block_indent}{line}").trim_end());
            b.push('\n');
        }
        b.push_str(&block_indent);
        b
    };
    let mut out = String::new();
    for c in changes {
        let body = match &c.change {
            Change::Set {
                old: Some(o),
                new: Some(n),
            } => format!(
                "{red}{}{red:#} → {green}{}{green:#}",
                one_line(o),
                one_line(n)
            ),
            Change::Set {
                old: None,
                new: Some(n),
            } => added(&block(n)),
            Change::Set {
                old: Some(o),
                new: None,
            } => removed(&block(o)),
            Change::Set {
                old: None,
                new: None,
            } => String::new(),
            Change::Added { item } => added(item),
            Change::Removed { item } => removed(item),
            text @ Change::Text { old, new } => {
                let pieces = text.pieces();
                let same: usize = pieces
                    .iter()
                    .map(|p| match p {
                        Piece::Same(s) => s.chars().count(),
                        _ => 0,
                    })
                    .sum();
                let longest = old.chars().count().max(new.chars().count());
                if same * 2 < longest {
                    // Rewritten more than kept: the two versions whole read better
                    // than a word-by-word patchwork.
                    out.push_str(&format!(
                        "{indent}{}: {} {}\n",
                        c.field,
                        removed(&block(old)),
                        added(&block(new))
                    ));
                    continue;
                }
                let last = pieces.len().saturating_sub(1);
                pieces
                    .iter()
                    .enumerate()
                    .map(|(i, p)| match p {
                        Piece::Same(s) => one_line(&elide(s, i > 0, i < last)),
                        Piece::Removed(s) => removed(&one_line(s)),
                        Piece::Added(s) => added(&one_line(s)),
                    })
                    .collect()
            }
        };
        out.push_str(&format!("{indent}{}: {body}\n", c.field));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text without its style escapes.
    fn plain(s: &str) -> String {
        let mut out = String::new();
        let mut in_esc = false;
        for c in s.chars() {
            match (in_esc, c) {
                (false, '\x1b') => in_esc = true,
                (true, 'm') => in_esc = false,
                (false, c) => out.push(c),
                _ => {}
            }
        }
        out
    }

    #[test]
    fn width_counts_columns_as_unicode_width_does() {
        let ascii: String = (b' '..=b'~').map(char::from).collect();
        for s in [
            "",
            "nvidia-margin",
            "00:50~01:12",
            ascii.as_str(),
            "tab\there",
            "del\u{7f}",
            "輝達的利潤高達70幾%耶",
            "AMD最近出貨的那個 MI300X",
            "é",
        ] {
            assert_eq!(width(s), UnicodeWidthStr::width(s), "{s:?}");
        }
        assert_eq!(width("輝達 AMD"), 8);
    }

    #[test]
    fn tables_align_chinese_text_by_columns() {
        let rows = vec![
            vec![Cell::plain("輝達"), Cell::plain("x")],
            vec![Cell::plain("AMD"), Cell::plain("y")],
        ];
        let t = table(&["名稱", "v"], &rows);
        let lines: Vec<&str> = t.lines().collect();
        // Strip styles for the check.
        let plain: Vec<String> = lines.iter().map(|l| plain(l)).collect();
        assert_eq!(plain[1], "輝達  x");
        assert_eq!(plain[2], "AMD   y");
        assert_eq!(width(&plain[1][..plain[1].len() - 1]), width("AMD   "));
    }

    #[test]
    fn borrowed_headlines_are_what_cutting_would_give() {
        let cases = [
            "",
            "short",
            "two words",
            "exactly ten",
            "elevenchars",
            " leading",
            "trailing ",
            "two  spaces",
            "tab\there",
            "line\nbreak",
            "輝達 H100",
            "a b c d e f",
        ];
        for s in cases {
            for max in [0, 1, 5, 10, 11, 12, 60] {
                let got = truncate(s, max);
                assert_eq!(got, truncate_owned(s, max), "{s:?} at {max}");
            }
        }
        assert!(matches!(truncate("two words", 60), Cow::Borrowed(_)));
        assert!(matches!(truncate("two  words", 60), Cow::Owned(_)));
    }

    #[test]
    fn the_quick_column_count_agrees_with_unicodes_tables() {
        let every_ascii = (0..=0x7f_u32).filter_map(char::from_u32);
        let ideographs = ('\u{4E00}'..='\u{9FFF}').chain(['\u{3000}', '，', '。', '「', '🙂']);
        for c in every_ascii.chain(ideographs) {
            assert_eq!(
                columns(c),
                (c.width().unwrap_or(0), c.is_whitespace()),
                "{c:?}"
            );
        }
    }

    #[test]
    fn truncation_counts_columns() {
        assert_eq!(truncate("他的利潤高達70幾%耶", 8), "他的利…");
        assert_eq!(truncate("short", 8), "short");
        assert!(width(&truncate("他的利潤高達70幾%耶", 9)) <= 9);
    }

    #[test]
    fn new_paragraphs_show_as_lines_and_rewrites_show_both_versions() {
        use crate::diff::diff_records;
        let added = diff_records(
            Some("status = \"checking\"\n"),
            Some("status = \"checking\"\nnote = \"\"\"\n第一段。\n\n第二段。\"\"\"\n"),
        );
        let shown = plain(&field_changes(&added, "  "));
        assert!(
            shown.contains("note: {+\n      第一段。\n\n      第二段。\n      +}"),
            "{shown}"
        );
        let rewritten = diff_records(
            Some("note = \"The margin was 74.0% in the quarter.\"\n"),
            Some("note = \"Nobody reported a figure for that year at all.\"\n"),
        );
        let shown = plain(&field_changes(&rewritten, ""));
        assert_eq!(
            shown,
            "note: [-The margin was 74.0% in the quarter.-] {+Nobody reported a figure for that year at all.+}\n"
        );
        let edited = diff_records(
            Some("note = \"The margin was 74.0% in the quarter.\"\n"),
            Some("note = \"The margin was 70.1% in the quarter.\"\n"),
        );
        assert_eq!(
            plain(&field_changes(&edited, "")),
            "note: The margin was [-74.0-]{+70.1+}% in the quarter.\n"
        );
    }
}
