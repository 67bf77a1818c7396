use std::process::ExitCode;

use errata::model::{Status, Verdict};
use errata::render::{Cell, ClaimJson, status_style, truncate, verdict_cell, write_table};

use super::{CliError, Ctx, output_error, print_json};

/// List claims, filtered. Filters combine: `--status checked --tag nvidia` lists
/// the checked claims tagged nvidia.
#[derive(clap::Args)]
pub struct Args {
    /// Only claims with this status.
    #[arg(long)]
    status: Option<Status>,
    /// Only claims with this verdict.
    #[arg(long)]
    verdict: Option<Verdict>,
    /// Only claims of this episode.
    #[arg(long)]
    episode: Option<String>,
    /// Only claims with this tag.
    #[arg(long)]
    tag: Option<String>,
    /// Only claims owed a correction: checked as misleading or inaccurate, with no correction yet.
    #[arg(long)]
    owed: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode, CliError> {
    let store = ctx.store()?;
    let snap = ctx.load(&store);
    if let Some(ep) = &args.episode {
        errata::ops::resolve_episode(&snap, ep)?;
    }
    let owed: std::collections::HashSet<&str> = snap.owed().iter().map(|c| c.id.as_str()).collect();
    let claims: Vec<_> = snap
        .claims
        .iter()
        .filter(|c| args.status.is_none_or(|s| c.state.status() == s))
        .filter(|c| args.verdict.is_none_or(|v| c.state.verdict() == Some(v)))
        .filter(|c| {
            args.episode
                .as_deref()
                .is_none_or(|e| c.episode.as_str() == e)
        })
        .filter(|c| args.tag.as_ref().is_none_or(|t| c.tags.contains(t)))
        .filter(|c| !args.owed || owed.contains(c.id.as_str()))
        .collect();
    if ctx.json {
        let rows: Vec<ClaimJson> = claims
            .iter()
            .map(|c| ClaimJson::new(c, owed.contains(c.id.as_str())))
            .collect();
        print_json(&rows)?;
        return Ok(ExitCode::SUCCESS);
    }
    if claims.is_empty() {
        ctx.note(if snap.claims.is_empty() {
            "No claims yet: log one with `errata add EPISODE --quote ...`"
        } else {
            "No claims match."
        });
        return Ok(ExitCode::SUCCESS);
    }
    let multi_episode = args.episode.is_none() && snap.episodes.len() > 1;
    let row = |i: usize| {
        let c = claims[i];
        let mut row = vec![Cell::plain(c.id.as_str())];
        if multi_episode {
            row.push(Cell::plain(c.episode.as_str()));
        }
        row.push(Cell::styled(
            c.state.status().as_str(),
            status_style(c.state.status()),
        ));
        row.push(verdict_cell(c.state));
        row.push(Cell::plain(
            c.said_at
                .map(|t| errata::model::format_point(t.start()))
                .unwrap_or_else(|| "-".into()),
        ));
        row.push(Cell::plain(truncate(c.headline(), 60)));
        row
    };
    let mut header = vec!["ID"];
    if multi_episode {
        header.push("EPISODE");
    }
    header.extend(["STATUS", "VERDICT", "AT", "CLAIM"]);
    let stdout = anstream::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    write_table(&mut w, &header, claims.len(), row)
        .and_then(|()| std::io::Write::flush(&mut w))
        .map_err(output_error)?;
    Ok(ExitCode::SUCCESS)
}
