//! `errata index`: bring the history index up to date, over
//! `git::Repo::index_history`; also the build `errata log` starts in the
//! background.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use errata::git::BuildLock;

use super::{CliError, Ctx, print_json};

/// Bring the history index up to date: which records each commit changed.
///
/// `errata log ID` answers from this index instead of reading trees down to
/// the root commit. A walk indexes what it meets, but on a long history only
/// its first stretch, and leaves the rest to this command, which it starts
/// in the background; run it yourself after cloning a long history, or before
/// timing anything. The index lives in .git/errata/ and is only a shortcut:
/// deleting it changes no answer. While another build runs, this waits for
/// it and then indexes what is left.
#[derive(clap::Args)]
pub struct Args {
    /// Run as the build `errata log` starts, holding the lock it took.
    #[arg(long, hide = true)]
    detached: bool,
}

#[derive(serde::Serialize)]
struct Indexed {
    /// Commits added to the index.
    indexed: usize,
}

/// How often to look whether another build has finished.
const POLL: Duration = Duration::from_millis(100);

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode, CliError> {
    let store = ctx.store()?;
    let repo = store.repo();
    let _lock = if args.detached {
        BuildLock::inherit(repo.git_dir())
    } else {
        let started = Instant::now();
        loop {
            if let Some(lock) = repo.lock_index_build() {
                break lock;
            }
            if started.elapsed() < POLL {
                ctx.note("Waiting for the history index build under way…");
            }
            std::thread::sleep(POLL);
        }
    };
    let indexed = if repo.has_commits()? {
        repo.index_history("HEAD")?
    } else {
        0
    };
    if ctx.json {
        print_json(&Indexed { indexed })?;
    } else if indexed == 0 {
        ctx.note("The history index is up to date");
    } else {
        ctx.note(format!(
            "Indexed {indexed} commit{}",
            if indexed == 1 { "" } else { "s" }
        ));
    }
    Ok(ExitCode::SUCCESS)
}
