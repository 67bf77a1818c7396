//! `errata site`: build the static website, over `publish::site`.

use std::path::PathBuf;
use std::process::ExitCode;

use errata::publish::{history, site};

use super::{CliError, Ctx, print_json, today};

/// Build a static website in OUT.
///
/// An index of episodes with their scorecards, a page per episode with its fact-checks
/// (verdict, sources, time, corrections) and ClaimReview markup, and the corrections
/// log. No JavaScript; pages link to each other by relative paths, so the site works
/// from file:// and from any web server. OUT must be new, empty, or a site errata made
/// before (which is replaced).
#[derive(clap::Args)]
pub struct Args {
    /// The folder to write the site into.
    out: PathBuf,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode, CliError> {
    let store = ctx.store()?;
    let snap = ctx.load(&store);
    let histories = history::collect(&store, &snap, true)?;
    let built = site::build(&snap, &histories, today()?);
    let written = site::write(&built, &args.out)?;
    for w in &built.warnings {
        ctx.note(format!("warning: {w}"));
    }
    let index = args.out.join("index.html");
    if ctx.json {
        print_json(&written)?;
    } else {
        ctx.note(format!(
            "Wrote {} files to {}; open {}",
            written.files,
            args.out.display(),
            index.display()
        ));
    }
    Ok(ExitCode::SUCCESS)
}
