//! `errata log`: the history of one record, or the changelog of every record,
//! from `review` and `changelog`; this file prints it, entry by entry, through
//! the pager on a terminal.

use std::io::Write as _;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anstyle::{AnsiColor, Style};
use errata::changelog;
use errata::git::Indexing;
use errata::ops;
use errata::render::field_changes;
use errata::review::{self, Bound, LogEntry, LogFilter};
use errata::store::Store;

use super::{CliError, Ctx, Paged, output_error, print_json};

const FLUSH_EVERY: Duration = Duration::from_millis(50);

/// How many commits the history of one record indexes as it walks; on a
/// longer history it follows only the record's path past them, as git does,
/// and the rest is indexed in the background (`errata index`). A few
/// milliseconds of work (at a million claims, where each commit's changed
/// episode folders hold a thousand files, 256 commits were a sixth of a cold
/// run), so a first run costs what `git log -- PATH` does; a short history is
/// indexed whole in the foreground.
const INDEX_AT_ONCE: usize = 64;

/// Show the history of a record, or the changelog of every record.
///
/// Newest first. For a claim, a correction or an episode, every commit that changed it,
/// as `git log --follow` lists them, moves to another episode and renames included.
/// On a terminal the output goes through the pager, as git's does ($PAGER, else
/// `less -FRX`).
///
/// A record's history is answered from the history index in .git/errata/,
/// built as the walk goes. On a long history the first walk indexes its first
/// stretch only, follows the record's path past it as git does, and leaves
/// the rest to `errata index` in the background, as `git gc --auto` detaches;
/// set `errata.indexInBackground` to false to index everything in the
/// foreground instead.
#[derive(clap::Args)]
pub struct Args {
    /// The id (or a unique prefix, or the path) of a claim, correction or episode;
    /// without it, every change to any record.
    id: Option<String>,
    /// Show the field changes of each commit.
    #[arg(short = 'p', long = "patch")]
    patch: bool,
    /// Show at most this many commits.
    #[arg(short = 'n', long = "max-count", value_name = "N")]
    max_count: Option<usize>,
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
    /// Write to stdout even on a terminal.
    #[arg(long)]
    no_pager: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode, CliError> {
    let store = ctx.store()?;
    let limit = args.max_count.unwrap_or(usize::MAX);
    let with_changes = args.patch || ctx.json;
    let entries: Box<dyn Iterator<Item = Result<LogEntry, CliError>>> = match &args.id {
        Some(id) => {
            let record = ops::resolve_record(&store, id)?;
            if !store.repo().has_commits()? {
                Box::new(std::iter::empty())
            } else {
                let background = background_indexing(&store);
                let indexing = if background {
                    Indexing::AtMost(INDEX_AT_ONCE)
                } else {
                    Indexing::All
                };
                let log = review::record_log_with(
                    &store,
                    &record.path(),
                    "HEAD",
                    with_changes,
                    indexing,
                )?;
                if log.unindexed {
                    index_in_background(&store);
                }
                Box::new(log.entries.into_iter().map(Ok))
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
            Box::new(
                changelog::changelog(&store, &filter, with_changes)?
                    .map(|e| e.map_err(CliError::from)),
            )
        }
    };
    let entries = entries.take(limit);
    if ctx.json {
        let entries: Vec<LogEntry> = entries.collect::<Result<_, _>>()?;
        print_json(&entries)?;
        return Ok(ExitCode::SUCCESS);
    }
    let yellow = Style::new().fg_color(Some(AnsiColor::Yellow.into()));
    let dim = Style::new().dimmed();
    let mut paged = Paged::start(args.no_pager);
    let mut last_flush: Option<Instant> = None;
    for e in entries {
        let e = e?;
        let mut s = format!(
            "{yellow}{}{yellow:#}  {}  {dim}{}{dim:#}  {}\n",
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
                    s.push_str(&format!("    {dim}{} {}{moved}{dim:#}\n", r.change, r.path));
                }
                if args.patch {
                    s.push_str(&field_changes(&r.changes, "        "));
                }
            }
        }
        // The first entry is shown at once and the rest at least every 50 ms,
        // while the walk goes on; in between, writes are buffered.
        let written = paged.out.write_all(s.as_bytes()).and_then(|()| {
            if last_flush.is_none_or(|t| t.elapsed() >= FLUSH_EVERY) {
                last_flush = Some(Instant::now());
                paged.out.flush()
            } else {
                Ok(())
            }
        });
        if let Err(e) = written {
            let _ = paged.finish();
            return Err(output_error(e));
        }
    }
    paged.finish()?;
    Ok(ExitCode::SUCCESS)
}

/// Whether a walk may leave the history index to a build in the background:
/// yes unless `errata.indexInBackground` says no.
fn background_indexing(store: &Store) -> bool {
    let value = store
        .repo()
        .config("errata.indexInBackground")
        .ok()
        .flatten();
    !value.is_some_and(|v| {
        matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "false" | "no" | "off" | "0"
        )
    })
}

/// Start `errata index` detached, to index what a walk left, unless a build
/// runs already. It takes over this process's build lock, inherits no
/// terminal and is in a process group of its own, so it outlives this
/// command and a Ctrl-C at the prompt; if it cannot start, nothing is lost
/// but the time the next walk takes.
fn index_in_background(store: &Store) {
    use std::process::{Command, Stdio};
    let Some(lock) = store.repo().lock_index_build() else {
        return;
    };
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let mut cmd = Command::new(exe);
    cmd.arg("--repo")
        .arg(store.root())
        .args(["--quiet", "index", "--detached"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    if cmd.spawn().is_ok() {
        lock.hand_over();
    }
}
