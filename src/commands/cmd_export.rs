use std::process::ExitCode;

use errata::model::Date;
use errata::ops;
use errata::publish::{PublishError, Publisher, claimreview, date_of_unix};

use super::{CliError, Ctx, print_json};

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
    for ep in claimreview::episodes_without_url(&snap, only.as_ref()) {
        ctx.note(format!(
            "note: episode {ep} has no url, so its claims' ClaimReviews have no appearance; add url = \"...\" to claims/{ep}/episode.toml"
        ));
    }
    print_json(&reviews)?;
    Ok(ExitCode::SUCCESS)
}

/// The publication date: SOURCE_DATE_EPOCH's day when set (reproducible builds),
/// else today, in UTC.
pub fn today() -> Result<Date, CliError> {
    let secs = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => v.trim().parse::<i64>().map_err(|_| {
            CliError::usage(format!(
                "SOURCE_DATE_EPOCH is `{v}`, which is not a number of seconds since 1970"
            ))
        })?,
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .map_err(|_| CliError::failure("the system clock is set before 1970"))?,
    };
    date_of_unix(secs).ok_or_else(|| {
        CliError::usage(format!(
            "the time {secs} is outside the years errata can write"
        ))
    })
}

impl From<PublishError> for CliError {
    fn from(e: PublishError) -> Self {
        let msg = e.to_string();
        match e {
            PublishError::MissingSetting { key, .. } | PublishError::BadSetting { key, .. } => {
                CliError::usage(msg)
                    .hint(format!("edit errata.toml and set `{key}`, then commit it"))
            }
            PublishError::NotASite(_) | PublishError::NotAFolder(_) => {
                CliError::usage(msg).hint("choose a new or empty folder")
            }
            PublishError::Write { .. } => CliError::failure(msg),
        }
    }
}
