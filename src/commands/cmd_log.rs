//! `errata log`: the history of one record, or the changelog of every record,
//! from `review`; this file prints it.

use std::fmt::Write as _;
use std::process::ExitCode;

use anstyle::{AnsiColor, Style};
use errata::ops;
use errata::render::field_changes;
use errata::review::{self, Bound, LogEntry, LogFilter};

use super::{CliError, Ctx, out, print_json};

/// Show the history of a record, or the changelog of every record.
///
/// Newest first. For a claim, a correction or an episode, every commit that changed it,
/// as `git log --follow` lists them, moves to another episode and renames included.
#[derive(clap::Args)]
pub struct Args {
    /// The id (or a unique prefix, or the path) of a claim, correction or episode;
    /// without it, every change to any record.
    id: Option<String>,
    /// Show the field changes of each commit.
    #[arg(short = 'p', long = "patch")]
    patch: bool,
    /// Only changes to claims of this episode.
    #[arg(long)]
    episode: Option<String>,
    /// Only commits whose author's name or email contains this.
    #[arg(long)]
    author: Option<String>,
    /// Only commits after this date (YYYY-MM-DD) or revision.
    #[arg(long, value_name = "DATE|REV")]
    since: Option<String>,
    /// Only commits up to this date (YYYY-MM-DD) or revision.
    #[arg(long, value_name = "DATE|REV")]
    until: Option<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode, CliError> {
    let store = ctx.store()?;
    let entries: Vec<LogEntry> = match &args.id {
        Some(id) => {
            let record = ops::resolve_record(&store, id)?;
            if !store.repo().has_commits() {
                Vec::new()
            } else {
                let with_changes = args.patch || ctx.json;
                review::record_log(&store, &record.path(), "HEAD", with_changes)?
            }
        }
        None => {
            if let Some(ep) = &args.episode {
                errata::model::EpisodeId::new(ep)
                    .map_err(|e| CliError::usage(format!("--episode: {e}")))?;
            }
            let filter = LogFilter {
                episode: args.episode.clone(),
                author: args.author.clone(),
                since: args.since.as_deref().map(Bound::parse),
                until: args.until.as_deref().map(Bound::parse),
            };
            review::changelog(&store, &filter)?
        }
    };
    if ctx.json {
        print_json(&entries)?;
        return Ok(ExitCode::SUCCESS);
    }
    let yellow = Style::new().fg_color(Some(AnsiColor::Yellow.into()));
    let dim = Style::new().dimmed();
    let mut s = String::new();
    for e in &entries {
        let _ = writeln!(
            s,
            "{yellow}{}{yellow:#}  {}  {dim}{}{dim:#}  {}",
            e.short,
            review::short_time(&e.time),
            e.author,
            e.summary
        );
        if args.patch || args.id.is_none() {
            for r in &e.records {
                if args.id.is_none() || r.old_path.is_some() {
                    let moved = r
                        .old_path
                        .as_deref()
                        .map(|o| format!(" (from {o})"))
                        .unwrap_or_default();
                    let _ = writeln!(s, "    {dim}{} {}{moved}{dim:#}", r.change, r.path);
                }
                if args.patch {
                    s.push_str(&field_changes(&r.changes, "        "));
                }
            }
        }
    }
    out(format_args!("{s}"))?;
    Ok(ExitCode::SUCCESS)
}
