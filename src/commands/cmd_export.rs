//! `errata export claimreview`: schema.org ClaimReview JSON-LD, from
//! `publish::claimreview`.

use std::process::ExitCode;

use errata::ops;
use errata::publish::{Publisher, claimreview};

use super::{CliError, Ctx, print_json, today};

/// Export the fact-checks for others to read.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    what: What,
}

#[derive(clap::Subcommand)]
enum What {
    Claimreview(ClaimReviewArgs),
}

/// schema.org ClaimReview JSON-LD for every checked or corrected claim, as a JSON array.
///
/// Needs `url`, `publisher` and `name` in errata.toml. Ratings run from 1 (inaccurate)
/// to 5 (accurate): inaccurate 1, misleading 2, mostly-accurate 4, accurate 5;
/// unverifiable has no ratingValue. datePublished is today (UTC), or the day of
/// SOURCE_DATE_EPOCH when it is set.
#[derive(clap::Args)]
struct ClaimReviewArgs {
    /// Only the claims of this episode.
    #[arg(long)]
    episode: Option<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode, CliError> {
    match args.what {
        What::Claimreview(a) => claim_review(ctx, a),
    }
}

fn claim_review(ctx: &Ctx, args: ClaimReviewArgs) -> Result<ExitCode, CliError> {
    let store = ctx.store()?;
    let snap = ctx.load(&store);
    let only = match &args.episode {
        Some(ep) => Some(ops::resolve_episode(&snap, ep)?.id.clone()),
        None => None,
    };
    let publisher = Publisher::from_settings(snap.settings.as_ref())?;
    let reviews = claimreview::claim_reviews(&snap, &publisher, only.as_ref(), today()?);
    print_json(&reviews)?;
    Ok(ExitCode::SUCCESS)
}
