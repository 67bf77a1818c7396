//! `errata verdict`: a claim's verdict, over `ops::verdict`.

use std::process::ExitCode;

use errata::model::Verdict;
use errata::ops;

use errata::store::Selection;

use super::{CliError, Ctx, report_move};

/// Give a claim its verdict: its status becomes `checked`.
///
/// Every verdict but `unverifiable` needs at least one
/// source, given here or already in the record.
#[derive(clap::Args)]
pub struct Args {
    /// The claim's id, or a unique prefix of it.
    id: String,
    /// accurate, mostly-accurate, misleading, inaccurate or unverifiable.
    verdict: Verdict,
    /// A source's address (repeatable); add its title and excerpt with `errata edit`.
    #[arg(long = "source", value_name = "URL")]
    sources: Vec<String>,
    /// The reasoning, in Markdown.
    #[arg(long)]
    note: Option<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode, CliError> {
    let (store, _lock) = ctx.store_for_writing()?;
    // The claims the id could name and their episodes, not every record.
    let snap = ctx.load_selected(&store, &Selection::claim(&args.id));
    let claim = ops::resolve_claim(&snap, &args.id)?;
    let moved = ops::verdict(
        &store,
        &snap,
        claim,
        args.verdict,
        &args.sources,
        args.note.as_deref(),
    )?;
    report_move(ctx, &moved)
}
