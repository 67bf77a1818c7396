//! `errata episode add|import|list`: register episodes (over `ops::add_episode`),
//! import them from the show's feed (over `feed` and `ops::import_feed`) and list
//! them with their claim counts.

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
    Import(ImportArgs),
    List(ListArgs),
}

/// Register an episode, importing its transcript if one is given.
///
/// The transcript may be in errata's own "(MM:SS~MM:SS) text" lines, WebVTT, SRT or
/// the Podcast Namespace JSON format; it is stored as claims/EPISODE/transcript.txt in
/// errata's format, with the speakers it names. A cue that cannot be read is left
/// out and listed in a warning (--strict refuses the file instead).
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
    /// Refuse a transcript with any cue that cannot be read, instead of leaving it
    /// out with a warning.
    #[arg(long, requires = "transcript")]
    strict: bool,
}

/// Register episodes from the show's podcast RSS feed, with their transcripts.
///
/// FEED is a file or an http(s) address. Each item becomes an episode: an id made
/// from its title (`--dry-run` lists them), its title, date (pubDate), url (the
/// item's link, else its enclosure), and the transcript it links under the Podcast
/// Namespace (<podcast:transcript>), preferring JSON, then WebVTT, then SRT (HTML
/// and plain-text transcripts have no times and are not imported). Items already
/// registered (the same id or url) are left as they are unless --update. One
/// commit registers them all and names each; if the feed or a transcript cannot be
/// fetched or read, nothing is changed.
#[derive(clap::Args)]
struct ImportArgs {
    /// The feed: a file or an http(s) address.
    feed: String,
    /// Only these items: their ids (as --dry-run lists them) or guids.
    #[arg(value_name = "ID")]
    ids: Vec<String>,
    /// Only the newest N items.
    #[arg(long, value_name = "N")]
    latest: Option<usize>,
    /// Only items published on or after this date, YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    since: Option<Date>,
    /// Rewrite the title, date, url and transcript of items already registered.
    #[arg(long)]
    update: bool,
    /// Refuse a transcript with any cue that cannot be read, instead of leaving it
    /// out with a warning.
    #[arg(long)]
    strict: bool,
    /// List what would be registered, and change nothing (transcripts are not fetched).
    #[arg(long)]
    dry_run: bool,
}

/// List the episodes with how many claims each has, by status.
#[derive(clap::Args)]
struct ListArgs {}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode, CliError> {
    match args.command {
        Sub::Add(a) => add(ctx, a),
        Sub::Import(a) => import(ctx, a),
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
            strict: a.strict,
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
        .hint(TRANSCRIPT_HINT),
        other => other.into(),
    })?;
    warn_skipped(ctx, &added.skipped, added.format.as_deref());
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

fn import(ctx: &Ctx, a: ImportArgs) -> Result<ExitCode, CliError> {
    use errata::feed::{self, FeedError, Location};
    let store = ctx.store()?;
    let source = Location::parse(&a.feed);
    let feed_error = |e: FeedError| match e {
        FeedError::NotRss { .. } => CliError::usage(e.to_string())
            .hint("give the show's RSS feed (the address podcast apps subscribe to)"),
        FeedError::Read { .. } => CliError::usage(e.to_string()),
        _ => CliError::failure(e.to_string()).hint("nothing was changed; try again later"),
    };
    let bytes = source.fetch().map_err(feed_error)?;
    let parsed = feed::parse(&bytes, &source.to_string()).map_err(feed_error)?;
    let _lock = store.write_lock()?;
    let snap = ctx.load(&store);
    let choice = ops::FeedChoice {
        ids: a.ids,
        since: a.since,
        latest: a.latest,
        update: a.update,
        strict: a.strict,
        dry_run: a.dry_run,
    };
    let done = ops::import_feed(&store, &snap, &parsed, &source, &choice)?;
    for e in done.registered.iter().chain(&done.updated) {
        warn_skipped(ctx, &e.skipped_cues, e.format.as_deref());
    }
    for (episode, link) in &done.unreadable_transcripts {
        ctx.warn(format!(
            "{episode}: the transcript {link} has no times errata can keep; it is not imported"
        ));
    }
    if ctx.json {
        print_json(&done)?;
        return Ok(ExitCode::SUCCESS);
    }
    let (new, updated) = if done.dry_run {
        ("Would register", "Would update")
    } else {
        ("Registered", "Updated")
    };
    for (verb, list) in [(new, &done.registered), (updated, &done.updated)] {
        for e in list {
            let date = e.date.map(|d| format!(" ({d})")).unwrap_or_default();
            let t = match (&e.format, &e.transcript) {
                (Some(format), _) => {
                    format!(", with a {format} transcript of {} segments", e.segments)
                }
                (None, Some(url)) if done.dry_run => format!(", with the transcript {url}"),
                _ => String::new(),
            };
            ctx.note(format!("{verb} {}{date}: {}{t}", e.episode, e.title));
        }
    }
    if !done.existing.is_empty() {
        let ids: Vec<&str> = done.existing.iter().map(|i| i.as_str()).collect();
        ctx.note(format!(
            "Already registered, left as they are: {}{}",
            ids.join(", "),
            if a.update {
                ""
            } else {
                " (--update refreshes them)"
            }
        ));
    }
    match &done.commit {
        Some(_) => {
            let n = done.registered.len() + done.updated.len();
            ctx.note(format!(
                "Imported {n} episode{} from {} in one commit",
                if n == 1 { "" } else { "s" },
                done.feed
            ));
        }
        None if !done.dry_run => ctx.note("Nothing to import"),
        None => {}
    }
    Ok(ExitCode::SUCCESS)
}

const TRANSCRIPT_HINT: &str =
    "errata reads \"(MM:SS~MM:SS) text\" lines, WebVTT, SRT and Podcast Namespace JSON";

/// The cues an import left out, one warning line each, so the editor sees what
/// speech is missing from the stored transcript.
fn warn_skipped(ctx: &Ctx, skipped: &[errata::transcript::Skipped], format: Option<&str>) {
    if skipped.is_empty() {
        return;
    }
    let n = skipped.len();
    let mut text = format!(
        "left out {n} cue{} of the {} transcript that cannot be read (--strict refuses the file instead):",
        if n == 1 { "" } else { "s" },
        format.unwrap_or("imported")
    );
    for s in skipped {
        text.push_str(&format!("\n  {s}"));
    }
    ctx.warn(text);
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
