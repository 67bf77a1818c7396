//! `errata episode add|list`: register episodes (over `ops::add_episode`)
//! and list them with their claim counts.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;

use errata::model::{Date, EpisodeId, OneLine};
use errata::ops::{self, NewEpisode};
use errata::render::{Cell, table};

use super::{CliError, Ctx, out, print_json};

/// Register episodes and list them.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Sub,
}

#[derive(clap::Subcommand)]
enum Sub {
    Add(AddArgs),
    List(ListArgs),
}

/// Register an episode, importing its transcript if one is given.
///
/// The transcript may be in errata's own "(MM:SS~MM:SS) text" lines, WebVTT or SRT; it
/// is stored as claims/EPISODE/transcript.txt in errata's format.
#[derive(clap::Args)]
struct AddArgs {
    /// The episode's id: lowercase a-z, 0-9 and -, e.g. top10-ai-2023.
    episode: EpisodeId,
    /// The episode's title.
    #[arg(long)]
    title: OneLine,
    /// When it was published, YYYY-MM-DD.
    #[arg(long)]
    date: Option<Date>,
    /// Where the episode can be heard.
    #[arg(long)]
    url: Option<String>,
    /// A transcript file to import.
    #[arg(long, value_name = "FILE")]
    transcript: Option<PathBuf>,
}

/// List the episodes with how many claims each has, by status.
#[derive(clap::Args)]
struct ListArgs {}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode, CliError> {
    match args.command {
        Sub::Add(a) => add(ctx, a),
        Sub::List(_) => list(ctx),
    }
}

fn add(ctx: &Ctx, a: AddArgs) -> Result<ExitCode, CliError> {
    let store = ctx.store()?;
    let transcript = match &a.transcript {
        Some(path) => {
            // Refused unread: a file far over a transcript's size is not one.
            if let Ok(meta) = std::fs::metadata(path)
                && meta.len() > errata::store::MAX_TRANSCRIPT_BYTES
            {
                return Err(CliError::failure(errata::store::too_large(
                    &path.display().to_string(),
                    meta.len(),
                )));
            }
            let bytes = std::fs::read(path).map_err(|e| {
                CliError::usage(format!(
                    "cannot read the transcript {}: {e}",
                    path.display()
                ))
            })?;
            Some(String::from_utf8(bytes).map_err(|_| {
                CliError::usage(format!("{} is not UTF-8 text", path.display()))
                    .hint("convert it first, e.g. iconv -f BIG5 -t UTF-8")
            })?)
        }
        None => None,
    };
    let _lock = store.write_lock()?;
    let snap = ctx.load(&store);
    let id = a.episode.clone();
    let added = ops::add_episode(
        &store,
        &snap,
        NewEpisode {
            id: a.episode,
            title: a.title,
            date: a.date,
            url: a.url,
            transcript,
        },
    )
    .map_err(|e| match e {
        ops::OpError::BadTranscript(message) => CliError::usage(format!(
            "cannot import the transcript {}: {message}",
            a.transcript
                .as_deref()
                .unwrap_or(std::path::Path::new(""))
                .display()
        ))
        .hint("errata reads \"(MM:SS~MM:SS) text\" lines, WebVTT and SRT"),
        other => other.into(),
    })?;
    if ctx.json {
        print_json(&added)?;
    } else {
        let t = if added.segments > 0 {
            format!(" with a transcript of {} segments", added.segments)
        } else {
            String::new()
        };
        ctx.note(format!("Registered episode {id}{t}"));
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(serde::Serialize)]
struct EpisodeRow<'a> {
    id: &'a str,
    title: &'a str,
    date: Option<String>,
    url: Option<&'a str>,
    transcript: bool,
    claims: usize,
    unchecked: usize,
    checked: usize,
    corrected: usize,
}

fn list(ctx: &Ctx) -> Result<ExitCode, CliError> {
    let store = ctx.store()?;
    let snap = ctx.load(&store);
    use errata::model::Status;
    // Claims counted by episode and status in one pass over them.
    let mut counts: HashMap<&EpisodeId, [usize; 4]> = HashMap::new();
    for c in &snap.claims {
        let slot = match c.state.status() {
            Status::NeedsCheck => 0,
            Status::Checking => 1,
            Status::Checked => 2,
            Status::Corrected => 3,
        };
        counts.entry(&c.episode).or_default()[slot] += 1;
    }
    let rows: Vec<EpisodeRow> = snap
        .episodes
        .values()
        .map(|ep| {
            let [needs, checking, checked, corrected] =
                counts.get(&ep.id).copied().unwrap_or_default();
            EpisodeRow {
                id: ep.id.as_str(),
                title: &ep.title,
                date: ep.date.map(|d| d.to_string()),
                url: ep.url.as_deref(),
                transcript: ep.transcript.is_some(),
                claims: needs + checking + checked + corrected,
                unchecked: needs + checking,
                checked,
                corrected,
            }
        })
        .collect();
    if ctx.json {
        print_json(&rows)?;
        return Ok(ExitCode::SUCCESS);
    }
    if rows.is_empty() {
        ctx.note("No episodes yet: register one with `errata episode add EPISODE --title TITLE`");
        return Ok(ExitCode::SUCCESS);
    }
    let cells: Vec<Vec<Cell>> = rows
        .iter()
        .map(|r| {
            vec![
                Cell::plain(r.id),
                Cell::plain(r.date.clone().unwrap_or_else(|| "-".into())),
                Cell::plain(r.claims.to_string()),
                Cell::plain(r.unchecked.to_string()),
                Cell::plain(r.checked.to_string()),
                Cell::plain(r.corrected.to_string()),
                Cell::plain(r.title),
            ]
        })
        .collect();
    out(format_args!(
        "{}",
        table(
            &[
                "EPISODE",
                "DATE",
                "CLAIMS",
                "UNCHECKED",
                "CHECKED",
                "CORRECTED",
                "TITLE"
            ],
            &cells
        )
    ))?;
    Ok(ExitCode::SUCCESS)
}
