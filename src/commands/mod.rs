//! One module per command. Each holds the command's arguments (whose doc comment is
//! its `--help`) and a `run` that calls the library and prints what it returns.
//!
//! Commands never import each other: what several need lives here: the global
//! flags ([`Ctx`]), output ([`out`], [`print_json`]), the one error type at the
//! edge ([`CliError`], with its exit code and hint, and the conversions from the
//! library's errors that choose them), [`report_move`] and [`today`].

pub mod cmd_add;
pub mod cmd_amend;
pub mod cmd_completions;
pub mod cmd_correct;
pub mod cmd_corrections;
pub mod cmd_diff;
pub mod cmd_edit;
pub mod cmd_episode;
pub mod cmd_export;
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

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anstyle::{AnsiColor, Style};
use clap::{Parser, Subcommand, ValueEnum};

use errata::diagnostic::{Problem, UNRESOLVED_CONFLICT, locate};
use errata::git::GitError;
use errata::model::ClaimSummary;
use errata::model::{ClaimId, Date, LifecycleError};
use errata::ops::{self, Moved, OpError};
use errata::publish::{PublishError, date_of_unix};
use errata::review::ReviewError;
use errata::store::{Snapshot, Store, StoreError, WriteLock};
use errata::validate::Violation;

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
pub fn out(args: std::fmt::Arguments<'_>) -> Result<(), CliError> {
    anstream::stdout().write_fmt(args).map_err(output_error)
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

/// The one error type at the edge: what went wrong, what to do, and the exit code.
#[derive(Debug)]
pub struct CliError {
    /// 2 for a usage error (the input was wrong), 1 for a failure or a failed check.
    pub code: u8,
    pub message: String,
    pub hint: Option<String>,
}

impl CliError {
    pub fn usage(message: impl Into<String>) -> Self {
        CliError {
            code: 2,
            message: message.into(),
            hint: None,
        }
    }

    pub fn failure(message: impl Into<String>) -> Self {
        CliError {
            code: 1,
            message: message.into(),
            hint: None,
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn report(&self, ctx: &Ctx) -> ExitCode {
        if !self.message.is_empty() {
            let mut err = anstream::stderr();
            let red = Style::new().fg_color(Some(AnsiColor::Red.into())).bold();
            let _ = writeln!(
                err,
                "{}error:{} {}",
                red.render(),
                red.render_reset(),
                self.message
            );
            if let Some(h) = &self.hint
                && !ctx.quiet
            {
                let cyan = Style::new().fg_color(Some(AnsiColor::Cyan.into())).bold();
                let _ = writeln!(err, "{}hint:{} {h}", cyan.render(), cyan.render_reset());
            }
        }
        ExitCode::from(self.code)
    }
}

impl From<GitError> for CliError {
    fn from(e: GitError) -> Self {
        let msg = e.to_string();
        match e {
            GitError::NotARepository(_) => CliError::usage(msg).hint(
                "run `errata init` to make this folder a fact-check repository, or pass --repo PATH",
            ),
            GitError::NoIdentity => CliError::usage(msg).hint(
                "tell git who you are: git config --global user.name \"Your Name\" && git config --global user.email you@example.org",
            ),
            GitError::HeadMoved | GitError::Locked(_) => {
                CliError::failure(msg).hint("nothing was changed; run the command again")
            }
            GitError::UnknownRevision(_) => CliError::usage(msg),
            GitError::Bare(_) => CliError::usage(msg).hint("run errata in a clone with a working tree"),
            GitError::WouldOverwrite(_) => CliError::usage(msg)
                .hint("commit or stash those changes (`git status` lists them), then run the command again"),
            GitError::DetachedHead => CliError::usage(msg).hint("git switch BRANCH"),
            GitError::Program { .. } => CliError::failure(msg),
            GitError::Git(_) | GitError::Reopen(_) => CliError::failure(msg),
        }
    }
}

impl From<ReviewError> for CliError {
    fn from(e: ReviewError) -> Self {
        let msg = e.to_string();
        match e {
            ReviewError::Git(g) => g.into(),
            ReviewError::NotAtRevision { id, .. } => CliError::usage(msg).hint(format!(
                "`git log --oneline -- '*{id}.toml' '*{id}/episode.toml'` shows when it did"
            )),
            ReviewError::NoSuchRecord(_) => CliError::usage(msg)
                .hint("`errata list` shows the claims; revisions come before ids"),
            ReviewError::Invalid { .. } => CliError::failure(msg),
        }
    }
}

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Git(g) => g.into(),
            StoreError::Uncommitted { .. } => CliError::usage(e.to_string())
                .hint("errata commits only what it changes; use `errata edit` or `git commit` for hand edits"),
            StoreError::SymbolicLink { .. } => CliError::failure(e.to_string()).hint(
                "put the file itself (or a folder holding the files) in place of the link, then run the command again",
            ),
            StoreError::Busy(_) => CliError::failure(e.to_string())
                .hint("wait for it to finish and run the command again; if none is running, delete the lock file"),
            StoreError::Overtaken { ref path, .. } => {
                let hint = format!(
                    "see what changed with `errata log` or `git log -1 -- {path}`, then run the command again if it still applies"
                );
                CliError::failure(e.to_string()).hint(hint)
            }
            other => CliError::failure(other.to_string()),
        }
    }
}

impl From<OpError> for CliError {
    fn from(e: OpError) -> Self {
        let msg = e.to_string();
        match e {
            OpError::Store(s) => s.into(),
            OpError::UnknownClaim(_) => {
                CliError::usage(msg).hint("`errata list` shows every claim with its id")
            }
            OpError::AmbiguousClaim { .. } => {
                CliError::usage(msg).hint("type more of the id to pick one")
            }
            OpError::UnknownRecord(_) => CliError::usage(msg).hint(
                "`errata list` shows the claims, `errata list --corrections` the corrections, `errata episode list` the episodes",
            ),
            OpError::AmbiguousRecord { .. } => CliError::usage(msg).hint(
                "type more of the id, or give the record's path (e.g. corrections/ID.toml or claims/EPISODE/episode.toml)",
            ),
            OpError::DuplicateClaim { .. } => CliError::failure(msg).hint(
                "rename one of the files so ids are unique; `errata validate` lists such problems",
            ),
            OpError::Conflicted { path } => CliError::failure(msg).hint(format!(
                "`errata validate` shows where; keep what is right from each side, delete the marker lines, then `git add {path}` and commit"
            )),
            OpError::Unreadable { .. } => CliError::failure(msg).hint(
                "`errata validate` shows where; fix the file by hand (or `errata edit` it), then run the command again",
            ),
            OpError::UnknownEpisode(_) => CliError::usage(msg).hint(
                "`errata episode list` shows the episodes; `errata episode add` registers one",
            ),
            OpError::NotInitialised => CliError::usage(msg).hint("run `errata init` first"),
            OpError::BadId(_) | OpError::ReservedId(_) => CliError::usage(msg).hint(
                "ids use lowercase a-z, 0-9 and -, at most 64 characters, e.g. nvidia-gross-margin",
            ),
            OpError::ClaimExists(_) | OpError::EpisodeExists(_) | OpError::CorrectionExists(_) => {
                CliError::usage(msg).hint("choose another --id")
            }
            OpError::NoFreeId(_) => CliError::failure(msg).hint("give an id with --id"),
            OpError::Rule(v) => rule_error(msg, &v),
            OpError::Lifecycle { id, error } => lifecycle_error(msg, &id, error),
            OpError::AlreadyChecking { id, .. } => CliError::usage(msg).hint(format!(
                "to hand it to someone else: errata start {id} --assignee NAME"
            )),
            OpError::AlreadyCorrected { by, .. } => {
                let first = by.first().map(|c| c.as_str()).unwrap_or("the correction");
                CliError::usage(msg).hint(format!(
                    "to change what the correction says, edit corrections/{first}.toml"
                ))
            }
            OpError::AlreadyCited { id, .. } => {
                CliError::usage(msg).hint(format!("to change a source it cites: errata edit {id}"))
            }
            OpError::UnknownCorrection(_) => CliError::usage(msg)
                .hint("`errata list --corrections` shows every correction with its id"),
            OpError::AlreadyNamed { .. } => CliError::usage(msg),
            OpError::NotNamed { correction, .. } => CliError::usage(msg).hint(format!(
                "`errata show {correction}` lists the claims it corrects"
            )),
            OpError::ChangedOnDisk { .. } => {
                CliError::failure(msg).hint("run the command again to edit the file as it is now")
            }
            OpError::BadTranscript(_) => CliError::usage(msg).hint(
                "errata reads \"(MM:SS~MM:SS) text\" lines, WebVTT, SRT and Podcast Namespace JSON",
            ),
            OpError::UnknownFeedItem(_) => CliError::usage(msg)
                .hint("`errata episode import FEED --dry-run` lists the feed's items with their ids"),
            OpError::FeedItem { .. } => CliError::usage(msg),
            OpError::FeedTranscript { .. } => CliError::failure(msg).hint(
                "nothing was changed; try again later, or leave the item out (name the others, or --since)",
            ),
            OpError::NothingToChange { .. } | OpError::Record(_) => CliError::usage(msg),
            OpError::MergeInProgress => CliError::usage(msg).hint(
                "finish it (resolve, `git add`, `git commit`) or `git merge --abort`, then sync again",
            ),
            OpError::SyncUncommitted { .. } => CliError::usage(msg)
                .hint("commit them (or `git stash`) first; sync merges commits, not work in progress"),
            OpError::SyncConflicts { .. } => CliError::failure(msg).hint(
                "resolve each (`errata validate` shows where), `git add` them and `git commit`, then `errata sync` again to push; or `git merge --abort` to go back",
            ),
            OpError::NothingToSync { .. } => CliError::usage(msg)
                .hint("lay out the repository with `errata init` (it commits errata.toml), then sync"),
            OpError::RemoteKeepsMoving { .. } => {
                CliError::failure(msg).hint("run `errata sync` again in a moment")
            }
        }
    }
}

/// A rule the record would break, with what to give on the command line instead.
fn rule_error(msg: String, v: &Violation) -> CliError {
    let err = CliError::usage(msg);
    match v {
        Violation::SourceNeeded { .. } => err.hint(
            "give the evidence with --source URL (repeatable), or use the verdict unverifiable",
        ),
        Violation::QuoteNotFound { closest, .. } => {
            let quote = "quote the transcript exactly (whitespace may differ), or log the claim with --claim alone";
            err.hint(match closest {
                Some(seg) => format!("the closest segment is {seg}; {quote}"),
                None => quote.to_owned(),
            })
        }
        Violation::QuoteElsewhere { found, .. } => {
            err.hint(format!("leave out --at to use {found}, where the quote is"))
        }
        Violation::SourceUnnamed { .. } => err.hint("give the source a --title, a --url, or both"),
        _ => err,
    }
}

/// A move the lifecycle refuses, with the way forward.
fn lifecycle_error(msg: String, id: &ClaimId, error: LifecycleError) -> CliError {
    let err = CliError::usage(msg);
    match error {
        LifecycleError::NotChecked { .. } => err.hint(format!(
            "check it first: `errata verdict {id} VERDICT --source URL`; only a claim found wrong needs a correction"
        )),
        LifecycleError::Accurate => {
            err.hint("if the verdict was wrong, change it first with `errata verdict`")
        }
        LifecycleError::HasVerdict { .. }
        | LifecycleError::JudgeCorrected { .. }
        | LifecycleError::AlreadyCorrected => err.hint(
            "the lifecycle is needs-check -> checking -> checked -> corrected; `errata edit` changes a record by hand",
        ),
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

impl From<PublishError> for CliError {
    fn from(e: PublishError) -> Self {
        let msg = e.to_string();
        match e {
            PublishError::MissingSetting { key, .. } | PublishError::BadSetting { key, .. } => {
                CliError::usage(msg)
                    .hint(format!("edit errata.toml and set `{key}`, then commit it"))
            }
            PublishError::NotASite(_) | PublishError::NotAFolder(_) => {
                CliError::usage(msg).hint("choose a new or empty folder")
            }
            PublishError::Write { .. } => CliError::failure(msg),
        }
    }
}
