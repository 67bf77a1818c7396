//! `errata amend`: change a correction after it was recorded, over `ops::amend`.

use std::process::ExitCode;

use errata::model::{Medium, OneLine, Timestamp};
use errata::ops::amend::{self, Amendment};

use super::{CliError, Ctx, out, print_json};

/// Change a correction after it was recorded: its text, where it aired, the claims it
/// corrects.
///
/// One commit holds the correction and every claim whose status moves with it: a claim
/// added with --claim becomes `corrected`; one taken out with --drop-claim goes back to
/// `checked` with its verdict (unless another correction names it). Every amendment is
/// kept in history and shown in the public corrections log, so nothing is rewritten
/// quietly. For any other change, `errata edit CORRECTION` opens the file.
#[derive(clap::Args)]
pub struct Args {
    /// The correction's id, or a unique prefix of it.
    #[arg(value_name = "CORRECTION")]
    id: String,
    /// What the correction says, as aired or published.
    #[arg(long)]
    text: Option<String>,
    /// The episode in which the correction aired.
    #[arg(long, value_name = "EPISODE")]
    episode: Option<String>,
    /// Where in that episode: MM:SS, H:MM:SS or a range 06:07~09:08.
    #[arg(long, value_name = "TIME")]
    at: Option<Timestamp>,
    /// Where it was published: on-air, show-notes, website or social.
    #[arg(long)]
    medium: Option<Medium>,
    /// Who flagged the error, e.g. "listener message".
    #[arg(long, value_name = "WHO", conflicts_with = "no_reported_by")]
    reported_by: Option<OneLine>,
    /// Take out who flagged the error.
    #[arg(long)]
    no_reported_by: bool,
    /// Another claim it corrects (id or unique prefix); may be repeated.
    #[arg(long = "claim", value_name = "ID")]
    add: Vec<String>,
    /// A claim it no longer corrects; may be repeated.
    #[arg(long = "drop-claim", value_name = "ID")]
    remove: Vec<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode, CliError> {
    let reported_by = match (args.reported_by, args.no_reported_by) {
        (Some(r), _) => Some(Some(r)),
        (None, true) => Some(None),
        (None, false) => None,
    };
    let amendment = Amendment {
        text: args.text,
        episode: args.episode,
        at: args.at,
        medium: args.medium,
        reported_by,
        add: args.add,
        remove: args.remove,
    };
    if amendment.text.is_none()
        && amendment.episode.is_none()
        && amendment.at.is_none()
        && amendment.medium.is_none()
        && amendment.reported_by.is_none()
        && amendment.add.is_empty()
        && amendment.remove.is_empty()
    {
        return Err(CliError::usage("say what to change")
            .hint("give --text, --at, --episode, --medium, --reported-by, --claim or --drop-claim; or use `errata edit` to change the file by hand"));
    }
    let (store, _lock) = ctx.store_for_writing()?;
    let snap = ctx.load(&store);
    let done = amend::amend(&store, &snap, &args.id, amendment)?;
    if ctx.json {
        print_json(&done)?;
    } else {
        for m in &done.claims {
            ctx.note(format!("{}: {} -> {}", m.id, m.from, m.to));
        }
        ctx.note(format!("Amended {} ({})", done.path, done.summary));
        out(format_args!("{}\n", done.id))?;
    }
    Ok(ExitCode::SUCCESS)
}
