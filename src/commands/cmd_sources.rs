//! `errata sources check`: the health of every source, over `sources::check`
//! (and `ops::record_archives` for `--write-archived`).

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use anstyle::{AnsiColor, Style};
use errata::model::EpisodeId;
use errata::ops::{self, NewArchive};
use errata::render::{Cell, table};
use errata::sources::{self, Health, Options, Outcome, Target};

use super::{CliError, Ctx, out, print_json};

/// Work on the claims' sources.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Sub,
}

#[derive(clap::Subcommand)]
enum Sub {
    Check(CheckArgs),
}

/// Is each source still there, and does it still say what its excerpt quotes?
///
/// Fetches every source address of the chosen claims (all by default) and says of
/// each: ok (answers, and holds the excerpt), drifted (answers, without the excerpt),
/// moved (a permanent redirect; the new address is given), gone (404 or 410),
/// blocked (401, 403, 429 or a bot wall: unknown, not dead) or error (DNS, TLS, a
/// timeout, too many redirects, a body too large). Exits 1 when any source is gone
/// or drifted. Results are remembered in .git/errata/ (errors never are) for
/// --max-age; --offline reports what is remembered and asks nothing.
///
/// For a source gone or drifted without an `archived` copy, it suggests the Wayback
/// Machine's copy nearest the day the desk read it (`accessed`, else `published`);
/// --write-archived records those in one commit.
#[derive(clap::Args)]
struct CheckArgs {
    /// Claims to check (ids or unique prefixes); all by default.
    ids: Vec<String>,
    /// Only the claims of this episode.
    #[arg(long, value_name = "EP")]
    episode: Option<EpisodeId>,
    /// Report only what the cache holds; make no request.
    #[arg(long)]
    offline: bool,
    /// Record the suggested archived copies in the claims, in one commit.
    #[arg(long, conflicts_with = "offline")]
    write_archived: bool,
    /// How long a remembered result stands (e.g. 30m, 12h, 7d; 0 asks again).
    #[arg(long, value_name = "AGE", default_value = "1d", value_parser = duration)]
    max_age: Duration,
    /// The longest one request may take (e.g. 20s, 500ms).
    #[arg(long, value_name = "TIME", default_value = "20s", value_parser = duration)]
    timeout: Duration,
    /// Requests at once to one host.
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..))]
    per_host: u16,
    /// Requests at once in all.
    #[arg(long, value_name = "N", default_value_t = 100, value_parser = clap::value_parser!(u16).range(1..))]
    jobs: u16,
    /// Tries after the first on a 429, a 5xx or a failed connection.
    #[arg(long, value_name = "N", default_value_t = 2)]
    retries: u32,
    /// The first wait between tries, doubled each time.
    #[arg(long, value_name = "TIME", default_value = "500ms", value_parser = duration, hide = true)]
    backoff: Duration,
    /// The longest Retry-After waited for.
    #[arg(long, value_name = "TIME", default_value = "60s", value_parser = duration, hide = true)]
    max_retry_after: Duration,
    /// The largest page read, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 10 * 1024 * 1024, hide = true)]
    max_body: usize,
}

/// `500ms`, `20s`, `30m`, `12h`, `7d`, or plain seconds.
fn duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: f64 = n
        .parse()
        .map_err(|_| format!("`{s}` is not a length of time; write e.g. 500ms, 20s, 12h or 7d"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "" | "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        "d" => n * 86400.0,
        _ => {
            return Err(format!(
                "`{unit}` is not a unit of time; use ms, s, m, h or d"
            ));
        }
    };
    Duration::try_from_secs_f64(secs).map_err(|e| format!("`{s}`: {e}"))
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode, CliError> {
    match args.command {
        Sub::Check(a) => check(ctx, a),
    }
}

fn check(ctx: &Ctx, a: CheckArgs) -> Result<ExitCode, CliError> {
    let (store, _lock) = if a.write_archived {
        let (s, l) = ctx.store_for_writing()?;
        (s, Some(l))
    } else {
        (ctx.store()?, None)
    };
    let snap = ctx.load(&store);
    let episode = a
        .episode
        .as_ref()
        .map(|e| ops::resolve_episode(&snap, e.as_str()).map(|e| e.id.clone()))
        .transpose()?;
    let mut chosen: Vec<&errata::model::Claim> = Vec::new();
    for id in &a.ids {
        let c = ops::resolve_claim(&snap, id)?;
        if !chosen.iter().any(|k| k.id == c.id) {
            chosen.push(c);
        }
    }
    if a.ids.is_empty() {
        chosen = snap.claims.iter().collect();
    }
    if let Some(ep) = &episode {
        chosen.retain(|c| &c.episode == ep);
    }
    let targets: Vec<Target> = chosen
        .iter()
        .flat_map(|c| Target::of_claim(&c.id, &c.sources))
        .collect();
    let opts = Options {
        per_host: a.per_host.into(),
        jobs: a.jobs.into(),
        timeout: a.timeout,
        retries: a.retries,
        backoff: a.backoff,
        max_retry_after: a.max_retry_after,
        max_body: a.max_body,
        max_age: a.max_age,
        offline: a.offline,
    };
    let bar = (std::io::stderr().is_terminal() && !ctx.quiet && !a.offline).then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} checking sources {pos}/{len} {wide_bar}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let progress = |done: usize, total: usize| {
        if let Some(b) = &bar {
            b.set_length(total as u64);
            b.set_position(done as u64);
        }
    };
    let outcomes = sources::check(store.repo().git_dir(), &targets, &opts, &progress)
        .map_err(|e| CliError::failure(e.to_string()))?;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let failed = outcomes.iter().any(|o| o.status.fails());

    let recorded = if a.write_archived {
        let archives: Vec<NewArchive> = outcomes
            .iter()
            .filter_map(|o| {
                Some(NewArchive {
                    id: o.id.clone(),
                    url: o.url.clone(),
                    archived: o.suggested_archive.clone()?,
                })
            })
            .collect();
        ops::record_archives(&store, &snap, &archives)?
    } else {
        None
    };

    if ctx.json {
        print_json(&serde_json::json!({
            "sources": outcomes,
            "archived": recorded,
        }))?;
    } else {
        print_table(&outcomes)?;
        print_suggestions(&outcomes, a.write_archived)?;
        ctx.note(summary(&outcomes));
        if let Some(r) = &recorded {
            ctx.note(format!(
                "Recorded {} archived cop{} in {}",
                r.recorded.len(),
                if r.recorded.len() == 1 { "y" } else { "ies" },
                r.commit.short()
            ));
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn health_style(h: Health) -> Style {
    let fg = |c: AnsiColor| Style::new().fg_color(Some(c.into()));
    match h {
        Health::Ok => fg(AnsiColor::Green),
        Health::Drifted | Health::Gone => fg(AnsiColor::Red).bold(),
        Health::Moved => fg(AnsiColor::Yellow),
        Health::Blocked | Health::Unchecked => Style::new().dimmed(),
        Health::Error => fg(AnsiColor::Magenta),
    }
}

fn print_table(outcomes: &[Outcome]) -> Result<(), CliError> {
    let rows: Vec<Vec<Cell<'_>>> = outcomes
        .iter()
        .map(|o| {
            let mut detail = o.detail.clone();
            if o.cached {
                detail = if detail.is_empty() {
                    "(cached)".into()
                } else {
                    format!("{detail} (cached)")
                };
            }
            vec![
                Cell::styled(o.status.as_str(), health_style(o.status)),
                Cell::plain(o.http.map_or("-".to_owned(), |h| h.to_string())),
                Cell::plain(o.id.as_str()),
                Cell::plain(o.url.as_str()),
                Cell::plain(detail),
            ]
        })
        .collect();
    out(format_args!(
        "{}",
        table(&["STATUS", "HTTP", "ID", "URL", "DETAIL"], &rows)
    ))
}

fn print_suggestions(outcomes: &[Outcome], written: bool) -> Result<(), CliError> {
    let suggested: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| o.suggested_archive.is_some())
        .collect();
    if suggested.is_empty() {
        return Ok(());
    }
    let how = if written {
        "recorded"
    } else {
        "record them with --write-archived"
    };
    let mut s = format!("\nArchived copies nearest the day each was read ({how}):\n");
    for o in suggested {
        s.push_str(&format!(
            "  {}  {}\n    {}\n",
            o.id,
            o.url,
            o.suggested_archive.as_deref().unwrap_or("")
        ));
    }
    out(format_args!("{s}"))
}

fn summary(outcomes: &[Outcome]) -> String {
    let all = [
        Health::Ok,
        Health::Drifted,
        Health::Moved,
        Health::Gone,
        Health::Blocked,
        Health::Error,
        Health::Unchecked,
    ];
    let counts: Vec<String> = all
        .iter()
        .filter_map(|h| {
            let n = outcomes.iter().filter(|o| o.status == *h).count();
            (n > 0).then(|| format!("{n} {h}"))
        })
        .collect();
    let n = outcomes.len();
    let cached = outcomes.iter().filter(|o| o.cached).count();
    format!(
        "{n} source{}: {}{}",
        if n == 1 { "" } else { "s" },
        if counts.is_empty() {
            "none to check".to_owned()
        } else {
            counts.join(", ")
        },
        if cached > 0 {
            format!(" ({cached} from the cache)")
        } else {
            String::new()
        }
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn lengths_of_time() {
        use std::time::Duration;
        assert_eq!(super::duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(super::duration("2"), Ok(Duration::from_secs(2)));
        assert_eq!(super::duration("1d"), Ok(Duration::from_secs(86400)));
        assert!(
            super::duration("5y")
                .unwrap_err()
                .contains("`y` is not a unit")
        );
        assert!(super::duration("soon").is_err());
    }
}
