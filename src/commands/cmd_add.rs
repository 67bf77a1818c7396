//! `errata add`: log a claim, over `ops::add_claim`; prints its id last.

use std::process::ExitCode;

use errata::model::{EpisodeId, OneLine, Timestamp};
use errata::ops::{self, NewClaim};
use errata::store::Selection;

use super::{CliError, Ctx, out, print_json};

/// Log a claim that needs checking.
///
/// Give the quote as aired, the claim in clean words, or both. With a quote and a
/// transcript, the time is found for you (whitespace in the quote need not match). The
/// new claim's id is the last line printed.
#[derive(clap::Args)]
pub struct Args {
    /// The episode the claim was made in.
    episode: String,
    /// The words as aired, verbatim from the transcript.
    #[arg(long)]
    quote: Option<String>,
    /// The claim in clean words.
    #[arg(long, short = 'c')]
    claim: Option<String>,
    /// Where in the episode: MM:SS, H:MM:SS or a range 18:08~19:08 (default: where the quote is).
    #[arg(long)]
    at: Option<Timestamp>,
    /// The claim's id (default: made from the claim's words plus four random characters).
    #[arg(long)]
    id: Option<String>,
    /// Who said it (default: the speaker the transcript names where the quote is).
    #[arg(long, short = 's')]
    speaker: Option<OneLine>,
    /// A tag (repeatable).
    #[arg(long = "tag", short = 't', value_name = "TAG")]
    tags: Vec<OneLine>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode, CliError> {
    let (store, _lock) = ctx.store_for_writing()?;
    // The episode's record; the new id is checked against file names.
    let sel = Selection {
        episodes: EpisodeId::new(&args.episode).into_iter().collect(),
        ..Selection::default()
    };
    let snap = ctx.load_selected(&store, &sel);
    let added = ops::add_claim(
        &store,
        &snap,
        NewClaim {
            episode: args.episode,
            quote: args.quote,
            claim: args.claim,
            at: args.at,
            id: args.id,
            speaker: args.speaker,
            tags: args.tags,
        },
    )?;
    if ctx.json {
        print_json(&added)?;
    } else {
        let at = added
            .said_at
            .map(|t| format!(" at {t}"))
            .unwrap_or_default();
        let by = added
            .speaker
            .as_deref()
            .map(|s| format!(" by {s}"))
            .unwrap_or_default();
        ctx.note(format!("Logged {}{at}{by} as needs-check", added.path));
        out(format_args!("{}\n", added.id))?;
    }
    Ok(ExitCode::SUCCESS)
}
