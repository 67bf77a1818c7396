//! `errata correct`: record a correction that aired, over `ops::correct`.

use std::process::ExitCode;

use errata::model::{EpisodeId, Medium, OneLine, Timestamp};
use errata::ops::{self, NewCorrection};
use errata::store::Selection;

use super::{CliError, Ctx, out, print_json};

/// Record a correction that aired, and mark the claims it corrects.
///
/// The correction (aired on air, or published in show notes, on the website or on
/// social media) and every claim it names, marked `corrected`, go into one commit.
/// Only checked claims rated something other than accurate can be corrected. The claims
/// may come from any episode, including one without a transcript; the correction's id
/// is the last line printed.
#[derive(clap::Args)]
pub struct Args {
    /// The claims it corrects: ids or unique prefixes.
    #[arg(required = true, value_name = "ID")]
    claims: Vec<String>,
    /// The episode in which the correction aired.
    #[arg(long, value_name = "EPISODE")]
    episode: String,
    /// Where in that episode: MM:SS, H:MM:SS or a range 06:07~09:08.
    #[arg(long, value_name = "TIME")]
    at: Timestamp,
    /// What the correction says, as aired or published.
    #[arg(long)]
    text: String,
    /// Where it was published: on-air, show-notes, website or social.
    #[arg(long, default_value = "on-air")]
    medium: Medium,
    /// Who flagged the error, e.g. "listener message".
    #[arg(long, value_name = "WHO")]
    reported_by: Option<OneLine>,
    /// The correction's id (default: made from the text, or the first claim's id, plus four random characters).
    #[arg(long = "id", value_name = "ID")]
    correction_id: Option<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode, CliError> {
    let (store, _lock) = ctx.store_for_writing()?;
    // The claims named, the episodes involved and the corrections that could
    // name those claims (to say which, if one is corrected already), not every
    // record: a new correction's id is free when no file has it.
    let sel = Selection {
        claims: args.claims.clone(),
        episodes: EpisodeId::new(&args.episode).into_iter().collect(),
        corrections_naming: args.claims.clone(),
        ..Selection::default()
    };
    let snap = ctx.load_selected(&store, &sel);
    let done = ops::correct(
        &store,
        &snap,
        NewCorrection {
            claims: args.claims,
            episode: args.episode,
            at: args.at,
            text: args.text,
            medium: args.medium,
            reported_by: args.reported_by,
            id: args.correction_id,
        },
    )?;
    if ctx.json {
        print_json(&done)?;
    } else {
        for m in &done.claims {
            ctx.note(format!("{}: {} -> {}", m.id, m.from, m.to));
        }
        ctx.note(format!("Recorded {}", done.path));
        out(format_args!("{}\n", done.id))?;
    }
    Ok(ExitCode::SUCCESS)
}
