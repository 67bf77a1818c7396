//! The one error type at the edge, [`CliError`]: what went wrong, what to do,
//! and the exit code; and the conversions from the library's errors that
//! choose each cause's code and hint. Commands return it; `main` prints it.

use std::io::Write;
use std::process::ExitCode;

use anstyle::{AnsiColor, Style};
use errata::git::GitError;
use errata::model::{ClaimId, LifecycleError};
use errata::ops::OpError;
use errata::publish::PublishError;
use errata::review::ReviewError;
use errata::store::StoreError;
use errata::validate::Violation;

use super::Ctx;

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
            GitError::HeadMoved => {
                CliError::failure(msg).hint("nothing was changed; run the command again")
            }
            GitError::Locked { lock, .. } => CliError::failure(msg).hint(format!(
                "nothing was changed; run the command again once the other git process has finished (if none is running, one that crashed left {lock} behind: remove it)"
            )),
            GitError::IndexBehind { paths, .. } => CliError::failure(msg).hint(format!(
                "the commit is made; `git reset -q -- {}` stages what it holds",
                paths.join(" ")
            )),
            GitError::LockFile { .. } => CliError::failure(msg).hint("nothing was changed"),
            GitError::Damaged { .. } => CliError::failure(msg).hint(
                "`git fsck` names what is broken; a fresh clone from the desk's remote has a whole copy",
            ),
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
