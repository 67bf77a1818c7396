//! `errata site`: build the static website, over `publish::site`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use errata::publish::{history, site};

use super::{CliError, Ctx, print_json, today};

/// Build a static website in OUT.
///
/// An index of episodes with their scorecards, a page per episode with its fact-checks
/// (verdict, sources, time, corrections, history) and ClaimReview markup, its transcript
/// with every checked quote marked and linked, and the corrections log, in the show's
/// language. No JavaScript; pages link to each other by relative paths, so the site works
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
    // Each episode's transcript, for its page of the site; one that cannot be
    // read is left out with a warning (`errata validate` says what is wrong).
    let mut transcripts = BTreeMap::new();
    for ep in snap.episodes.values() {
        match store.transcript(ep) {
            Ok(Some(t)) => {
                transcripts.insert(ep.id.clone(), t);
            }
            Ok(None) => {}
            Err(e) => ctx.note(format!(
                "warning: the transcript is left out of the site: {e}"
            )),
        }
    }
    let built = site::build(&snap, &histories, &transcripts, today()?);
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
