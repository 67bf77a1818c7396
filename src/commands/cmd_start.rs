//! `errata start`: a claim is being checked, over `ops::start`.

use std::process::ExitCode;

use errata::model::OneLine;
use errata::ops;

use errata::store::Selection;

use super::{CliError, Ctx, report_move};

/// Start checking a claim: its status becomes `checking`.
#[derive(clap::Args)]
pub struct Args {
    /// The claim's id, or a unique prefix of it.
    id: String,
    /// Who is checking it.
    #[arg(long, short = 'a')]
    assignee: Option<OneLine>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode, CliError> {
    let (store, _lock) = ctx.store_for_writing()?;
    // The claims the id could name and their episodes, not every record.
    let snap = ctx.load_selected(&store, &Selection::claim(&args.id));
    let claim = ops::resolve_claim(&snap, &args.id)?;
    let moved = ops::start(&store, &snap, claim, args.assignee.as_ref())?;
    report_move(ctx, &moved)
}
