use std::process::ExitCode;

use errata::model::Verdict;
use errata::ops::{self, Moved};

use super::{CliError, Ctx, print_json};

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
    let store = ctx.store()?;
    let snap = ctx.load(&store);
    let claim = ops::resolve_claim(&snap, &args.id)?;
    let moved = ops::verdict(
        &store,
        claim,
        args.verdict,
        &args.sources,
        args.note.as_deref(),
    )?;
    report_move(ctx, &moved)
}

/// Report a lifecycle step the same way for every command that makes one.
pub fn report_move(ctx: &Ctx, moved: &Moved) -> Result<ExitCode, CliError> {
    if ctx.json {
        print_json(&serde_json::json!({
            "id": moved.id.as_str(),
            "from": moved.from.status(),
            "to": moved.to.status(),
            "verdict": moved.to.verdict(),
            "commit": moved.commit.to_string(),
        }))?;
    } else {
        let verdict = moved
            .to
            .verdict()
            .map(|v| format!(" ({v})"))
            .unwrap_or_default();
        ctx.note(format!(
            "{}: {} -> {}{verdict}",
            moved.id,
            moved.from.status(),
            moved.to.status()
        ));
    }
    Ok(ExitCode::SUCCESS)
}
