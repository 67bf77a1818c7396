//! `errata list`: claims filtered and shown as a table or JSON, from a
//! snapshot of summaries.

use std::process::ExitCode;

use std::collections::HashSet;

use errata::model::{Status, Verdict};
use errata::render::{Cell, ClaimJson, status_style, truncate, verdict_cell, write_rows};
use errata::store::{ClaimRecord, Snapshot};

use super::{CliError, Ctx, output_error, print_json};

/// List claims, filtered.
///
/// Filters combine: `--status checked --tag nvidia` lists the checked claims tagged
/// nvidia.
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

/// The claims the filters keep, and the ids of those owed a correction.
fn select<'a, C: ClaimRecord>(
    snap: &'a Snapshot<C>,
    args: &Args,
) -> Result<(Vec<&'a C>, HashSet<&'a str>), CliError> {
    if let Some(ep) = &args.episode {
        errata::ops::resolve_episode(snap, ep)?;
    }
    let owed: HashSet<&str> = snap.owed().iter().map(|c| c.id().as_str()).collect();
    let claims = snap
        .claims
        .iter()
        .filter(|c| args.status.is_none_or(|s| c.state().status() == s))
        .filter(|c| args.verdict.is_none_or(|v| c.state().verdict() == Some(v)))
        .filter(|c| {
            args.episode
                .as_deref()
                .is_none_or(|e| c.episode().as_str() == e)
        })
        .filter(|c| args.tag.as_ref().is_none_or(|t| c.tags().contains(t)))
        .filter(|c| !args.owed || owed.contains(c.id().as_str()))
        .collect();
    Ok((claims, owed))
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode, CliError> {
    let store = ctx.store()?;
    if ctx.json {
        // Scripts get whole records.
        let snap = ctx.load(&store);
        let (claims, owed) = select(&snap, &args)?;
        let rows: Vec<ClaimJson> = claims
            .iter()
            .map(|c| ClaimJson::new(c, owed.contains(c.id.as_str())))
            .collect();
        print_json(&rows)?;
        return Ok(ExitCode::SUCCESS);
    }
    let snap = ctx.load_summaries(&store);
    let (claims, _) = select(&snap, &args)?;
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
    // Widths straight from the claims (all but the last column are ASCII), so
    // no row is made twice.
    let mut widths: Vec<usize> = header[..header.len() - 1].iter().map(|h| h.len()).collect();
    for c in &claims {
        let mut col = [c.id.as_str().len(), c.episode.as_str().len()].into_iter();
        widths[0] = widths[0].max(col.next().unwrap_or(0));
        if multi_episode {
            widths[1] = widths[1].max(col.next().unwrap_or(0));
        }
    }
    let n = widths.len();
    widths[n - 3] = widths[n - 3].max("needs-check".len());
    widths[n - 2] = widths[n - 2].max(
        claims
            .iter()
            .filter_map(|c| c.state.verdict())
            .map(|v| v.as_str().len())
            .max()
            .unwrap_or(1),
    );
    widths[n - 1] = widths[n - 1].max(
        claims
            .iter()
            .filter_map(|c| c.said_at)
            .map(|t| errata::model::format_point(t.start()).len())
            .max()
            .unwrap_or(1),
    );
    // Styles are written only when they will be shown: stripping them again from
    // 100,000 rows costs more than making the rows.
    let color = anstream::stdout().current_choice() != anstream::ColorChoice::Never;
    let mut w = std::io::BufWriter::new(std::io::stdout().lock());
    write_rows(&mut w, &header, &widths, claims.len(), row, color)
        .and_then(|()| std::io::Write::flush(&mut w))
        .map_err(output_error)?;
    // The process ends here: freeing 100,000 records one by one would only
    // delay the exit, and the system takes the memory back at once.
    drop(claims);
    std::mem::forget(snap);
    Ok(ExitCode::SUCCESS)
}
