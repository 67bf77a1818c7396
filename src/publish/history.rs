//! A record's life as the public sees it: every revision (date, author,
//! summary), each amendment after the record was first committed with what it
//! changed field by field, and each change of a claim's verdict. A corrections
//! policy forbids quiet rewrites, so nothing here is filtered out, typo-level
//! edits included. Built from `review::record_log` (git history) at publishing
//! time; rendered here for HTML and Markdown, so the corrections log and the
//! site say it in the same words.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::i18n::Lang;
use super::{escape_html, escape_markdown};
use crate::diff::{Change, FieldChange, Piece};
use crate::model::Verdict;
use crate::review::LogEntry;

/// One commit that changed a record.
#[derive(Debug, Clone, Serialize)]
pub struct Revision {
    pub commit: String,
    /// The day of the commit, in its author's time zone (YYYY-MM-DD).
    pub date: String,
    pub author: String,
    pub summary: String,
}

/// A revision after the first: what changed, field by field.
#[derive(Debug, Clone, Serialize)]
pub struct Amendment {
    #[serde(flatten)]
    pub revision: Revision,
    /// The path the record had before, when this revision moved or renamed it.
    pub moved_from: Option<String>,
    pub changes: Vec<FieldChange>,
}

/// A claim's verdict changed after it was first given.
#[derive(Debug, Clone, Serialize)]
pub struct VerdictChange {
    pub commit: String,
    pub date: String,
    pub from: Verdict,
    pub to: Verdict,
}

/// Everything published about one record's history.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RecordHistory {
    /// Oldest first.
    pub revisions: Vec<Revision>,
    /// Every revision after the first, oldest first.
    pub amendments: Vec<Amendment>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub verdict_changes: Vec<VerdictChange>,
}

/// Histories by the record's path now.
pub type Histories = HashMap<String, RecordHistory>;

impl RecordHistory {
    /// From `review::record_log`'s entries (newest first, with field changes).
    pub fn from_log(mut entries: Vec<LogEntry>) -> RecordHistory {
        entries.reverse();
        let mut out = RecordHistory::default();
        for (i, e) in entries.into_iter().enumerate() {
            let revision = Revision {
                date: e.time.get(..10).unwrap_or(&e.time).to_owned(),
                commit: e.commit,
                author: e.author,
                summary: e.summary,
            };
            out.revisions.push(revision.clone());
            if i == 0 {
                continue;
            }
            let record = e.records.into_iter().next();
            let changes = record
                .as_ref()
                .map(|r| r.changes.clone())
                .unwrap_or_default();
            for c in &changes {
                if c.field != "verdict" {
                    continue;
                }
                if let Change::Set {
                    old: Some(old),
                    new: Some(new),
                } = &c.change
                    && let (Ok(from), Ok(to)) = (old.parse(), new.parse())
                {
                    out.verdict_changes.push(VerdictChange {
                        commit: revision.commit.clone(),
                        date: revision.date.clone(),
                        from,
                        to,
                    });
                }
            }
            out.amendments.push(Amendment {
                revision,
                moved_from: record.and_then(|r| r.old_path),
                changes,
            });
        }
        out
    }
}

fn short(commit: &str) -> &str {
    commit.get(..7).unwrap_or(commit)
}

/// A revision's day in the reader's words, inside a `<time>` that keeps the
/// ISO date for machines.
fn html_date(lang: &Lang, iso: &str) -> String {
    let shown = iso
        .parse()
        .map_or_else(|_| iso.to_owned(), |d| lang.date(d));
    format!(
        "<time datetime=\"{}\">{}</time>",
        escape_html(iso),
        escape_html(&shown)
    )
}

fn plain_date(lang: &Lang, iso: &str) -> String {
    iso.parse()
        .map_or_else(|_| iso.to_owned(), |d| lang.date(d))
}

/// A field change in words a reader follows: the field, then old → new, or
/// the text with what was taken out struck and what was put in marked.
fn html_change(lang: &Lang, c: &FieldChange) -> String {
    let field = escape_html(&c.field);
    let body = match &c.change {
        Change::Set {
            old: Some(o),
            new: Some(n),
        } => format!(
            "<del>{}</del> → <ins>{}</ins>",
            escape_html(o),
            escape_html(n)
        ),
        Change::Set {
            old: None,
            new: Some(n),
        } => format!("{} <ins>{}</ins>", lang.t("set-to"), escape_html(n)),
        Change::Set {
            old: Some(o),
            new: None,
        } => format!("{} <del>{}</del>", lang.t("removed"), escape_html(o)),
        Change::Set {
            old: None,
            new: None,
        } => String::new(),
        Change::Added { item } => format!("{} <ins>{}</ins>", lang.t("added"), escape_html(item)),
        Change::Removed { item } => {
            format!("{} <del>{}</del>", lang.t("removed"), escape_html(item))
        }
        text @ Change::Text { .. } => text
            .pieces()
            .iter()
            .map(|p| match p {
                Piece::Same(s) => escape_html(s),
                Piece::Removed(s) => format!("<del>{}</del>", escape_html(s)),
                Piece::Added(s) => format!("<ins>{}</ins>", escape_html(s)),
            })
            .collect(),
    };
    format!("<li><span class=\"field\">{field}</span>: {body}</li>")
}

/// The same in Markdown, with git's word-diff markers `[-..-]` and `{+..+}`,
/// as `errata log -p` shows it.
fn markdown_change(c: &FieldChange) -> String {
    let one = |s: &str| escape_markdown(&s.replace('\n', " ⏎ "));
    let body = match &c.change {
        Change::Set {
            old: Some(o),
            new: Some(n),
        } => format!("[-{}-] → {{+{}+}}", one(o), one(n)),
        Change::Set {
            old: None,
            new: Some(n),
        } => format!("{{+{}+}}", one(n)),
        Change::Set {
            old: Some(o),
            new: None,
        } => format!("[-{}-]", one(o)),
        Change::Set {
            old: None,
            new: None,
        } => String::new(),
        Change::Added { item } => format!("{{+{}+}}", one(item)),
        Change::Removed { item } => format!("[-{}-]", one(item)),
        text @ Change::Text { .. } => text
            .pieces()
            .iter()
            .map(|p| match p {
                Piece::Same(s) => one(s),
                Piece::Removed(s) => format!("[-{}-]", one(s)),
                Piece::Added(s) => format!("{{+{}+}}", one(s)),
            })
            .collect(),
    };
    format!("- `{}`: {body}", c.field)
}

/// "Amended on DATE" for each amendment, with what changed, as HTML.
pub fn html_amendments(lang: &Lang, h: &RecordHistory) -> String {
    if h.amendments.is_empty() {
        return String::new();
    }
    let mut s = String::from("<div class=\"amendments\">\n");
    for a in &h.amendments {
        let said = lang.text(
            "amended",
            &[
                ("date", html_date(lang, &a.revision.date).into()),
                ("author", escape_html(&a.revision.author).into()),
                ("summary", escape_html(&a.revision.summary).into()),
            ],
        );
        let _ = write!(s, "<p class=\"amended\">{said}</p>");
        let mut items: Vec<String> = a.changes.iter().map(|c| html_change(lang, c)).collect();
        if let Some(from) = &a.moved_from {
            let moved = lang.t1("moved-from", "path", &escape_html(from));
            items.insert(0, format!("<li>{moved}</li>"));
        }
        if !items.is_empty() {
            let _ = write!(s, "<ul class=\"changes\">{}</ul>", items.join(""));
        }
        s.push('\n');
    }
    s.push_str("</div>\n");
    s
}

/// The same as Markdown.
pub fn markdown_amendments(lang: &Lang, h: &RecordHistory) -> String {
    let mut s = String::new();
    for a in &h.amendments {
        let said = lang.text(
            "amended",
            &[
                ("date", plain_date(lang, &a.revision.date).into()),
                ("author", escape_markdown(&a.revision.author).into()),
                ("summary", escape_markdown(&a.revision.summary).into()),
            ],
        );
        let _ = writeln!(s, "*{said}*\n");
        if let Some(from) = &a.moved_from {
            let _ = writeln!(
                s,
                "- {}",
                lang.t1("moved-from", "path", &format!("`{from}`"))
            );
        }
        for c in &a.changes {
            let _ = writeln!(s, "{}", markdown_change(c));
        }
        if !a.changes.is_empty() || a.moved_from.is_some() {
            s.push('\n');
        }
    }
    s
}

/// "Verdict changed on DATE from X to Y", one line each, as HTML.
pub fn html_verdict_changes(lang: &Lang, h: &RecordHistory) -> String {
    h.verdict_changes
        .iter()
        .map(|v| {
            let said = lang.text(
                "verdict-changed",
                &[
                    ("date", html_date(lang, &v.date).into()),
                    ("from", lang.verdict(v.from).into()),
                    ("to", lang.verdict(v.to).into()),
                ],
            );
            format!("<p class=\"verdict-changed\">{said}</p>\n")
        })
        .collect()
}

/// The whole revision history, in a `<details>` a reader opens (no script
/// needed): date, author, summary and short commit of each revision.
pub fn html_revisions(lang: &Lang, h: &RecordHistory) -> String {
    if h.revisions.is_empty() {
        return String::new();
    }
    let mut s = format!(
        "<details class=\"history\"><summary>{}</summary>\n<ol class=\"revisions\">\n",
        lang.count("history", h.revisions.len())
    );
    for r in &h.revisions {
        let _ = writeln!(
            s,
            "<li>{} <span class=\"author\">{}</span>: {} <code>{}</code></li>",
            html_date(lang, &r.date),
            escape_html(&r.author),
            escape_html(&r.summary),
            escape_html(short(&r.commit)),
        );
    }
    s.push_str("</ol></details>\n");
    s
}

/// The published history of every claim and correction of `snap`, from git.
pub fn collect<C: crate::store::ClaimRecord>(
    store: &crate::store::Store,
    snap: &crate::store::Snapshot<C>,
    with_claims: bool,
) -> Result<Histories, crate::git::GitError> {
    let mut paths: Vec<String> = snap
        .corrections
        .iter()
        .map(|c| crate::store::correction_path(&c.id))
        .collect();
    if with_claims {
        paths.extend(
            snap.claims
                .iter()
                .map(|c| crate::store::claim_path(c.episode(), c.id())),
        );
    }
    Ok(crate::review::histories(store, &paths)?
        .into_iter()
        .map(|(path, log)| (path, RecordHistory::from_log(log)))
        .collect())
}
