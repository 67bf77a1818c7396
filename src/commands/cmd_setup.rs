//! `errata setup`: register errata's merge driver in this clone, over
//! `ops::setup`.

use std::process::ExitCode;

use errata::ops;

use super::{CliError, Ctx, errata_program, print_json};

/// Register errata's merge driver in this clone (git does not clone config).
///
/// With it, a plain `git pull`, `git merge`, `git rebase` or `git cherry-pick`
/// merges records field by field: two editors citing sources on one claim, or
/// one giving a verdict while the other edits the note, merge cleanly. It sets
/// `merge.errata.name` and `merge.errata.driver` in .git/config, and where
/// .gitattributes does not yet send records to the driver, adds those lines in a
/// commit of their own. Running it again changes nothing.
#[derive(clap::Args)]
pub struct Args {}

pub fn run(ctx: &Ctx, _args: Args) -> Result<ExitCode, CliError> {
    let store = ctx.store()?;
    let _lock = store.write_lock()?;
    let done = ops::setup(&store, &errata_program())?;
    if ctx.json {
        print_json(&done)?;
        return Ok(ExitCode::SUCCESS);
    }
    if done.configured {
        ctx.note(format!("Registered the merge driver: {}", done.driver));
    } else {
        ctx.note("The merge driver was registered already");
    }
    if let Some(c) = done.attributes_commit {
        ctx.note(format!(
            "Committed {} ({}): records now merge through the driver",
            ops::setup::ATTRIBUTES_FILE,
            c.short()
        ));
    }
    Ok(ExitCode::SUCCESS)
}
