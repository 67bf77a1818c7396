//! One module per command. Each holds the command's arguments (whose doc comment is
//! its `--help`) and a `run` that calls the library and prints what it returns.
//!
//! Commands never import each other: what several need lives here: the global
//! flags ([`Ctx`]), output ([`out`], [`print_json`]), the one error type at the
//! edge ([`CliError`], in `error.rs` with the conversions from the library's
//! errors that choose its exit code and hint), [`report_move`] and [`today`].

pub mod cmd_add;
pub mod cmd_amend;
pub mod cmd_completions;
pub mod cmd_correct;
pub mod cmd_corrections;
pub mod cmd_diff;
pub mod cmd_edit;
pub mod cmd_episode;
pub mod cmd_export;
pub mod cmd_index;
pub mod cmd_init;
pub mod cmd_list;
pub mod cmd_log;
pub mod cmd_man;
pub mod cmd_merge_driver;
pub mod cmd_report;
pub mod cmd_serve;
pub mod cmd_setup;
pub mod cmd_show;
pub mod cmd_site;
pub mod cmd_source;
pub mod cmd_sources;
pub mod cmd_start;
pub mod cmd_suggest;
pub mod cmd_sync;
pub mod cmd_validate;
pub mod cmd_verdict;
mod error;
mod gather;

pub use error::CliError;
pub use gather::Gathered;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anstyle::{AnsiColor, Style};
use clap::{Parser, Subcommand, ValueEnum};

use errata::diagnostic::{Problem, UNRESOLVED_CONFLICT, locate};
use errata::model::ClaimSummary;
use errata::model::Date;
use errata::ops::{self, Moved};
use errata::publish::date_of_unix;
use errata::store::{Selection, Snapshot, Store, WriteLock};

/// errata: log the factual claims a show makes, check them, and record the
/// corrections that aired, every step a git commit.
#[derive(Parser)]
#[command(
    name = "errata",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// The fact-check repository (default: the one holding the current folder).
    #[arg(long, global = true, value_name = "PATH")]
    pub repo: Option<PathBuf>,
    /// Machine-readable JSON output.
    #[arg(long, global = true)]
    pub json: bool,
    /// When to colour the output; NO_COLOR is honoured under `auto`.
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,
    /// Say only what was asked for: no confirmations, no hints.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand)]
pub enum Command {
    Init(cmd_init::Args),
    Episode(cmd_episode::Args),
    Suggest(cmd_suggest::Args),
    Add(cmd_add::Args),
    List(cmd_list::Args),
    Show(cmd_show::Args),
    Start(cmd_start::Args),
    Verdict(cmd_verdict::Args),
    Source(cmd_source::Args),
    Sources(cmd_sources::Args),
    Correct(cmd_correct::Args),
    Amend(cmd_amend::Args),
    Report(cmd_report::Args),
    Corrections(cmd_corrections::Args),
    Export(cmd_export::Args),
    Site(cmd_site::Args),
    Validate(cmd_validate::Args),
    Log(cmd_log::Args),
    Index(cmd_index::Args),
    Diff(cmd_diff::Args),
    Edit(cmd_edit::Args),
    Setup(cmd_setup::Args),
    Sync(cmd_sync::Args),
    Serve(cmd_serve::Args),
    Completions(cmd_completions::Args),
    Man(cmd_man::Args),
    MergeDriver(cmd_merge_driver::Args),
}

/// What every command needs from the global flags.
pub struct Ctx {
    pub repo: Option<PathBuf>,
    pub json: bool,
    pub quiet: bool,
    /// Whether to say that this clone lacks the merge driver (not for the
    /// commands that set it up or that git itself runs).
    pub check_setup: bool,
}

impl Cli {
    pub fn context(&self) -> Ctx {
        let choice = match self.color {
            ColorWhen::Auto => anstream::ColorChoice::Auto,
            ColorWhen::Always => anstream::ColorChoice::Always,
            ColorWhen::Never => anstream::ColorChoice::Never,
        };
        choice.write_global();
        Ctx {
            repo: self.repo.clone(),
            json: self.json,
            quiet: self.quiet,
            check_setup: !matches!(
                self.command,
                Command::Setup(_) | Command::Init(_) | Command::Completions(_) | Command::Man(_)
            ),
        }
    }
}

impl Ctx {
    /// The fact-check repository the command works on.
    pub fn store(&self) -> Result<Store, CliError> {
        let start = match &self.repo {
            Some(p) => {
                if !p.exists() {
                    return Err(CliError::usage(format!(
                        "--repo {}: no such folder",
                        p.display()
                    )));
                }
                p.clone()
            }
            None => std::env::current_dir().map_err(|e| CliError::failure(e.to_string()))?,
        };
        let store = Store::discover(&start)?;
        if self.check_setup && !self.quiet && ops::setup::driver_missing(&store) {
            let yellow = Style::new().fg_color(Some(AnsiColor::Yellow.into())).bold();
            let _ = writeln!(
                anstream::stderr(),
                "{}warning:{} this clone has no merge driver for records (git does not clone config): run `errata setup`",
                yellow.render(),
                yellow.render_reset(),
            );
        }
        Ok(store)
    }

    /// The repository, locked for a command that changes records: taken before
    /// the records are read, so what the command checks is what it changes.
    pub fn store_for_writing(&self) -> Result<(Store, WriteLock), CliError> {
        let store = self.store()?;
        let lock = store.write_lock()?;
        Ok((store, lock))
    }

    /// Load every record, warning (unless quiet) about files that could not be read.
    pub fn load(&self, store: &Store) -> Snapshot {
        let snap = store.load();
        self.warn_unreadable(&snap, store.root());
        snap
    }

    /// Only the records `sel` names, for commands about one or a few records,
    /// warning as [`Ctx::load`] does about those that could not be read.
    pub fn load_selected(&self, store: &Store, sel: &Selection) -> Snapshot {
        let snap = store.load_selected(sel);
        self.warn_unreadable(&snap, store.root());
        snap
    }

    /// Claims as summaries, for commands that show or count them in bulk.
    pub fn load_summaries(&self, store: &Store) -> Snapshot<ClaimSummary> {
        let snap = store.load_summaries(None);
        self.warn_unreadable(&snap, store.root());
        snap
    }

    fn warn_unreadable<C>(&self, snap: &Snapshot<C>, root: &std::path::Path) {
        if snap.problems.is_empty() || self.quiet {
            return;
        }
        let mut err = anstream::stderr();
        let yellow = Style::new().fg_color(Some(AnsiColor::Yellow.into())).bold();
        let conflicts: Vec<Problem> = snap
            .problems
            .iter()
            .filter(|p| p.is_conflict())
            .cloned()
            .collect();
        for d in locate(root, &conflicts) {
            let _ = writeln!(
                err,
                "{}warning:{} {}:{}: {UNRESOLVED_CONFLICT}; it is left out until it is resolved",
                yellow.render(),
                yellow.render_reset(),
                d.path,
                d.line
            );
        }
        let n = snap.problems.len() - conflicts.len();
        if n > 0 {
            let _ = writeln!(
                err,
                "{}warning:{} {n} record{} could not be read and {} left out; run `errata validate` for details",
                yellow.render(),
                yellow.render_reset(),
                if n == 1 { "" } else { "s" },
                if n == 1 { "is" } else { "are" },
            );
        }
    }

    /// A warning on stderr, marked as cargo and git mark theirs.
    pub fn warn(&self, msg: impl std::fmt::Display) {
        if !self.quiet {
            let yellow = Style::new().fg_color(Some(AnsiColor::Yellow.into())).bold();
            let _ = writeln!(
                anstream::stderr(),
                "{}warning:{} {msg}",
                yellow.render(),
                yellow.render_reset()
            );
        }
    }

    /// A confirmation on stderr, so stdout stays what a script reads.
    pub fn note(&self, msg: impl std::fmt::Display) {
        if !self.quiet {
            let _ = writeln!(anstream::stderr(), "{msg}");
        }
    }
}

/// Print JSON to stdout.
pub fn print_json<T: serde::Serialize>(value: &T) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value).map_err(|e| CliError::failure(e.to_string()))?;
    out(format_args!("{text}\n"))
}

/// Print to stdout, treating a closed pipe (`errata list | head`) as success.
/// Text with no escape sequence in it (a `diff --stat` of 48,000 lines, say)
/// is written as it is; only styled text goes through `anstream`, which strips
/// the styles where stdout is not a terminal by scanning every byte.
pub fn out(args: std::fmt::Arguments<'_>) -> Result<(), CliError> {
    let text = std::fmt::format(args);
    if memchr::memchr(0x1b, text.as_bytes()).is_none() {
        std::io::stdout()
            .lock()
            .write_all(text.as_bytes())
            .map_err(output_error)
    } else {
        anstream::stdout()
            .write_all(text.as_bytes())
            .map_err(output_error)
    }
}

/// Where a long output goes: through the user's pager when stdout is a
/// terminal, as git does (`$PAGER`, else `less` with `LESS=FRX` unless `LESS`
/// is set), else straight to stdout.
pub struct Paged {
    pager: Option<std::process::Child>,
    pub out: Box<dyn std::io::Write>,
}

impl Paged {
    pub fn start(no_pager: bool) -> Paged {
        use std::io::IsTerminal;
        use std::process::{Command, Stdio};
        let stdout = || Paged {
            pager: None,
            out: Box::new(std::io::BufWriter::new(anstream::stdout())),
        };
        if no_pager || !std::io::stdout().is_terminal() {
            return stdout();
        }
        let pager = std::env::var("PAGER").unwrap_or_else(|_| "less".to_owned());
        if pager.trim().is_empty() || pager.trim() == "cat" {
            return stdout();
        }
        let mut cmd = Command::new("sh");
        cmd.arg("-c").arg(&pager).stdin(Stdio::piped());
        if std::env::var_os("LESS").is_none() {
            cmd.env("LESS", "FRX");
        }
        if std::env::var_os("LV").is_none() {
            cmd.env("LV", "-c");
        }
        let Ok(mut child) = cmd.spawn() else {
            return stdout();
        };
        let Some(stdin) = child.stdin.take() else {
            return stdout();
        };
        // Colours as they would be on the terminal the pager writes to.
        let choice = anstream::AutoStream::choice(&std::io::stdout());
        let raw: Box<dyn std::io::Write + Send> = Box::new(stdin);
        Paged {
            pager: Some(child),
            out: Box::new(std::io::BufWriter::new(anstream::AutoStream::new(
                raw, choice,
            ))),
        }
    }

    /// Flush what is left and wait for the pager to be quit.
    pub fn finish(mut self) -> Result<(), CliError> {
        let flushed = self.out.flush();
        self.out = Box::new(std::io::sink());
        if let Some(mut child) = self.pager.take() {
            let _ = child.wait();
        }
        flushed.map_err(output_error)
    }
}

/// An error writing output: a closed pipe (`errata list | head`) ends the
/// command quietly and successfully, as it does for git.
pub fn output_error(e: std::io::Error) -> CliError {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        CliError {
            code: 0,
            message: String::new(),
            hint: None,
        }
    } else {
        CliError::failure(e.to_string())
    }
}

/// Report a lifecycle step the same way for every command that makes one.
pub fn report_move(ctx: &Ctx, moved: &Moved) -> Result<ExitCode, CliError> {
    if ctx.json {
        print_json(moved)?;
    } else {
        let m = &moved.claim;
        let verdict = m.verdict.map(|v| format!(" ({v})")).unwrap_or_default();
        ctx.note(format!("{}: {} -> {}{verdict}", m.id, m.from, m.to));
    }
    Ok(ExitCode::SUCCESS)
}

/// How git should call this errata as its merge driver: `errata` when that
/// is what PATH finds, else this executable's full path, quoted for the shell
/// git runs the driver with.
pub fn errata_program() -> String {
    let me = std::env::current_exe()
        .ok()
        .and_then(|p| p.canonicalize().ok());
    let on_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|d| d.join("errata"))
            .find(|p| p.is_file())
            .and_then(|p| p.canonicalize().ok())
    });
    match me {
        Some(me) if on_path.as_ref() != Some(&me) => {
            format!("'{}'", me.display().to_string().replace('\'', r"'\''"))
        }
        _ => "errata".to_owned(),
    }
}

/// The publication date of what errata publishes: SOURCE_DATE_EPOCH's day when
/// set (reproducible builds), else today, in UTC.
pub fn today() -> Result<Date, CliError> {
    let secs = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => v.trim().parse::<i64>().map_err(|_| {
            CliError::usage(format!(
                "SOURCE_DATE_EPOCH is `{v}`, which is not a number of seconds since 1970"
            ))
        })?,
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .map_err(|_| CliError::failure("the system clock is set before 1970"))?,
    };
    date_of_unix(secs).ok_or_else(|| {
        CliError::usage(format!(
            "the time {secs} is outside the years errata can write"
        ))
    })
}
