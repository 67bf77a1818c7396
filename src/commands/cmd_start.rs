use std::process::ExitCode;

use errata::ops;

use super::{CliError, Ctx};

/// Start checking a claim: its status becomes `checking`.
#[derive(clap::Args)]
pub struct Args {
    /// The claim's id, or a unique prefix of it.
    id: String,
    /// Who is checking it.
    #[arg(long, short = 'a')]
    assignee: Option<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode, CliError> {
    let store = ctx.store()?;
    let snap = ctx.load(&store);
    let claim = ops::resolve_claim(&snap, &args.id)?;
    let moved = ops::start(&store, claim, args.assignee.as_deref())?;
    super::cmd_verdict::report_move(ctx, &moved)
}
