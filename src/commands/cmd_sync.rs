//! `errata sync`: fetch, merge field by field, push, over `ops::sync`.

use std::process::ExitCode;

use errata::ops::{self, Integrated, SyncOptions};

use super::{CliError, Ctx, print_json};

/// Share this clone's records with a remote and take in everyone else's.
///
/// Fetches the remote's branch, merges it in (records both sides changed are
/// merged field by field: sources by url, tags as a set, notes line by line,
/// and a verdict is never picked silently), and pushes; when someone pushed in
/// between, it fetches and merges again. Local commits are kept as they were
/// made: integration is a merge, not a rebase. Fetch and push run `git`
/// itself, so your ssh agent and credential helpers work as for `git pull`.
///
/// Records with uncommitted changes are refused (commit them first). Where a
/// record cannot be merged, it stops mid-merge, as `git merge` does: resolve the
/// files it names, `git add` them and `git commit`, then sync again; or
/// `git merge --abort`.
#[derive(clap::Args)]
pub struct Args {
    /// The remote: a name, a path or a URL (default: the branch's upstream, else origin).
    remote: Option<String>,
    /// Take in the remote's work, but do not push this clone's yet.
    #[arg(long)]
    no_push: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode, CliError> {
    let (store, _lock) = ctx.store_for_writing()?;
    let done = ops::sync(
        &store,
        &SyncOptions {
            remote: args.remote,
            quiet: ctx.quiet || ctx.json,
            no_push: args.no_push,
        },
    )?;
    if ctx.json {
        print_json(&done)?;
        return Ok(ExitCode::SUCCESS);
    }
    let what = match done.integrated {
        Integrated::Merge => format!(
            "merged {}/{} ({} record{} merged field by field)",
            done.remote,
            done.branch,
            done.merged_records,
            if done.merged_records == 1 { "" } else { "s" }
        ),
        Integrated::FastForward => format!("fast-forwarded to {}/{}", done.remote, done.branch),
        Integrated::UpToDate => "up to date".to_owned(),
        Integrated::None => format!("{} had no {} yet", done.remote, done.branch),
    };
    let pushed = if done.pushed { "pushed" } else { "not pushed" };
    ctx.note(format!("Synced with {}: {what}; {pushed}", done.remote));
    Ok(ExitCode::SUCCESS)
}
