//! `errata diff`: what changed in the records between two revisions, over
//! `review::diff` and `review::unified`; this file parses the arguments and prints.

use std::fmt::Write as _;
use std::process::ExitCode;

use anstyle::Style;
use errata::git::{GitError, Side};
use errata::ops;
use errata::render::field_changes;
use errata::review::{self, RecordChange};

use super::{CliError, Ctx, out, print_json};

/// Show what changed in the records between two revisions, field by field.
///
/// By default between HEAD and the working tree (uncommitted hand edits included); with
/// one revision, between it and the working tree.
#[derive(clap::Args)]
pub struct Args {
    /// Revisions and record ids: up to two revisions first (HEAD~3, a tag, a hash), then ids of claims, corrections or episodes to limit the diff to.
    #[arg(value_name = "REV|ID")]
    args: Vec<String>,
    /// A summary: one line per record with how many fields changed.
    #[arg(long, conflicts_with = "unified")]
    stat: bool,
    /// A patch of the record files that `git apply` accepts.
    #[arg(long)]
    unified: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode, CliError> {
    let store = ctx.store()?;
    let repo = store.repo();
    // Leading arguments that git resolves are revisions; the rest are ids.
    let mut revs: Vec<String> = Vec::new();
    let mut ids: Vec<String> = Vec::new();
    for a in args.args {
        if !ids.is_empty() || revs.len() == 2 {
            ids.push(a);
            continue;
        }
        match repo.resolve(&a) {
            Ok(_) => revs.push(a),
            // A revision that exists but cannot be read is not an id.
            Err(damaged @ GitError::Damaged { .. }) => return Err(damaged.into()),
            Err(_) => ids.push(a),
        }
    }
    if !repo.has_commits()? && revs.is_empty() {
        return Err(CliError::usage("there are no commits yet to compare with"));
    }
    let (old, new) = match revs.as_slice() {
        [] => (Side::Rev("HEAD".into()), Side::WorkingTree),
        [a] => (Side::Rev(a.clone()), Side::WorkingTree),
        [a, b] => (Side::Rev(a.clone()), Side::Rev(b.clone())),
        _ => unreachable!("at most two revisions are taken"),
    };
    let mut only: Vec<String> = Vec::new();
    if !ids.is_empty() {
        for id in &ids {
            let current = ops::resolve_record_if_any(&store, id)?;
            only.extend(review::record_paths(
                &store,
                current.as_ref(),
                id,
                &[&old, &new],
            )?);
        }
        only.sort();
        only.dedup();
    }
    if args.unified {
        let patch = review::unified(&store, &old, &new, &only)?;
        out(format_args!("{patch}"))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut s = String::new();
    // --json shows every change whole, --stat or not.
    if args.stat && !ctx.json {
        let records = review::diff_stat(&store, &old, &new, &only)?;
        let width = records.iter().map(|(r, _)| r.path.len()).max().unwrap_or(0);
        for (r, n) in &records {
            let n = *n;
            let _ = writeln!(
                s,
                " {:<width$} | {:>3} field{} {}",
                r.path,
                n,
                if n == 1 { " " } else { "s" },
                r.change
            );
        }
        let fields: usize = records.iter().map(|(_, n)| n).sum();
        let _ = writeln!(
            s,
            " {} record{} changed, {fields} field change{}",
            records.len(),
            if records.len() == 1 { "" } else { "s" },
            if fields == 1 { "" } else { "s" }
        );
        out(format_args!("{s}"))?;
        return Ok(ExitCode::SUCCESS);
    }
    let records: Vec<RecordChange> = review::diff(&store, &old, &new, &only)?;
    if ctx.json {
        print_json(&records)?;
        return Ok(ExitCode::SUCCESS);
    }
    let bold = Style::new().bold();
    for r in &records {
        let moved = r
            .old_path
            .as_deref()
            .map(|o| format!(" (from {o})"))
            .unwrap_or_default();
        let _ = writeln!(s, "{bold}{} {}{moved}{bold:#}", r.change, r.path);
        s.push_str(&field_changes(&r.changes, "    "));
    }
    out(format_args!("{s}"))?;
    Ok(ExitCode::SUCCESS)
}
