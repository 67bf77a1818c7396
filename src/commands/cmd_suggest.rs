//! `errata suggest`: a transcript ranked by check-worthiness, from `suggest`.

use std::process::ExitCode;

use errata::render::{Cell, table, truncate};
use errata::suggest::{Suggestion, suggest};
use errata::transcript::format_time;

use super::{CliError, Ctx, out, print_json};

/// Rank an episode's transcript by what is worth checking.
///
/// Each piece of the transcript is scored by the features of a checkable claim it has:
/// figures, dates, money, percentages, superlatives, comparisons, and names of products
/// and companies; hedged opinion ("我覺得", "maybe") and very short pieces score lower.
/// Pieces that state nothing checkable are not listed, nor are those a claim of the
/// episode already quotes (unless --all). Each TEXT is verbatim from the transcript,
/// so it can be logged with `errata add EPISODE --quote TEXT` (--json gives it whole).
#[derive(clap::Args)]
pub struct Args {
    /// The episode whose transcript to rank.
    episode: String,
    /// How many suggestions to show, best first.
    #[arg(long, short = 'n', value_name = "N", default_value_t = 20)]
    limit: usize,
    /// Also list pieces that are already logged as a claim's quote, marked as such.
    #[arg(long)]
    all: bool,
}

#[derive(serde::Serialize)]
struct SuggestionJson<'a> {
    at: String,
    start: u32,
    end: u32,
    text: &'a str,
    score: i32,
    reasons: &'a [&'static str],
    logged: bool,
}

impl<'a> SuggestionJson<'a> {
    fn new(s: &'a Suggestion<'a>) -> Self {
        SuggestionJson {
            at: format!("{}~{}", format_time(s.start), format_time(s.end)),
            start: s.start,
            end: s.end,
            text: s.text,
            score: s.score,
            reasons: &s.reasons,
            logged: s.logged,
        }
    }
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode, CliError> {
    let store = ctx.store()?;
    let snap = ctx.load(&store);
    let episode = errata::ops::resolve_episode(&snap, &args.episode)?;
    let Some(transcript) = store.transcript(episode)? else {
        return Err(CliError::usage(format!(
            "episode {} has no transcript to rank",
            episode.id
        ))
        .hint(format!(
            "put its transcript in claims/{}/transcript.txt as \"(MM:SS~MM:SS) text\" lines and set transcript = \"transcript.txt\" in its episode.toml, or register the episode with `errata episode add ... --transcript FILE`",
            episode.id
        )));
    };
    let quotes: Vec<&str> = snap
        .claims
        .iter()
        .filter(|c| c.episode == episode.id)
        .filter_map(|c| c.quote.as_deref())
        .collect();
    let mut list = suggest(&transcript, &quotes, args.all);
    let found = !list.is_empty();
    list.truncate(args.limit);
    if ctx.json {
        let rows: Vec<SuggestionJson> = list.iter().map(SuggestionJson::new).collect();
        print_json(&rows)?;
        return Ok(ExitCode::SUCCESS);
    }
    if !found {
        ctx.note(if quotes.is_empty() || args.all {
            "Nothing in the transcript looks checkable."
        } else {
            "Nothing left to suggest: every checkable piece is logged (`--all` lists them)."
        });
        return Ok(ExitCode::SUCCESS);
    }
    let mut header = vec!["AT", "SCORE", "WHY"];
    if args.all {
        header.push("LOGGED");
    }
    header.push("TEXT");
    let rows: Vec<Vec<Cell>> = list
        .iter()
        .map(|s| {
            let mut row = vec![
                Cell::plain(format_time(s.start)),
                Cell::plain(s.score.to_string()),
                Cell::plain(s.reasons.join(",")),
            ];
            if args.all {
                row.push(Cell::plain(if s.logged { "logged" } else { "-" }));
            }
            row.push(Cell::plain(truncate(s.text, 60)));
            row
        })
        .collect();
    out(format_args!("{}", table(&header, &rows)))?;
    ctx.note(format!(
        "Log one with `errata add {} --quote TEXT`; `--json` gives each text whole.",
        episode.id
    ));
    Ok(ExitCode::SUCCESS)
}
