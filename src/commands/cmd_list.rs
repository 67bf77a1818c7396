//! `errata list`: claims filtered and shown as a table or JSON, from a
//! snapshot of summaries; whose they are and how long they have sat idle come
//! from `queue`. `--corrections` lists the corrections instead.

use std::process::ExitCode;

use std::collections::HashSet;

use errata::model::{Status, Verdict};
use errata::queue::{self, Assignees, Idle};
use errata::render::{
    Cell, ClaimJson, CorrectionJson, status_style, table, truncate, verdict_cell, write_rows,
};
use errata::store::{ClaimRecord, Snapshot, Store};

use super::{CliError, Ctx, out, output_error, print_json};

/// List claims, filtered; or, with --corrections, the corrections.
///
/// Filters combine: `--status checked --tag nvidia` lists the checked claims tagged
/// nvidia. The assignee filters (`--assignee`, `--mine`, `--unassigned`) add up to
/// one set of people: `--mine --assignee Mei` lists your claims and Mei's.
#[derive(clap::Args)]
pub struct Args {
    /// List the corrections instead of the claims: where each aired and what it
    /// corrects (with --episode, those aired in that episode).
    #[arg(long, conflicts_with_all = ["status", "verdict", "tag", "owed", "assignee", "mine", "unassigned", "stale"])]
    corrections: bool,
    /// Only claims with this status.
    #[arg(long)]
    status: Option<Status>,
    /// Only claims with this verdict.
    #[arg(long)]
    verdict: Option<Verdict>,
    /// Only claims of this episode (with --corrections: aired in it).
    #[arg(long)]
    episode: Option<String>,
    /// Only claims with this tag.
    #[arg(long)]
    tag: Option<String>,
    /// Only claims owed a correction: checked as misleading or inaccurate, with no correction yet.
    #[arg(long)]
    owed: bool,
    /// Only claims assigned to NAME, as written (repeatable: any of them).
    /// `Mei` also matches an assignee written `Mei <mei@example.org>`.
    #[arg(long, value_name = "NAME")]
    assignee: Vec<String>,
    /// Only claims assigned to you: to your git identity's user.name, or its
    /// user.email (in any case).
    #[arg(long)]
    mine: bool,
    /// Only claims nobody is assigned to.
    #[arg(long)]
    unassigned: bool,
    /// Only open claims (needs-check or checking) whose file no commit has
    /// changed for DAYS days, by commit date; a file never committed counts as
    /// changed now. Shows IDLE (days) and ASSIGNEE, longest idle first; `--json`
    /// adds `idle_days`, `last_change` (RFC 3339) and `last_commit`.
    #[arg(long, value_name = "DAYS")]
    stale: Option<u32>,
}

/// The claims the filters keep (with how long each has been idle, under
/// `--stale`), and the ids of those owed a correction.
struct Selected<'a, C> {
    claims: Vec<&'a C>,
    idle: Option<Vec<Idle>>,
    owed: HashSet<&'a str>,
}

fn select<'a, C: ClaimRecord>(
    store: &Store,
    snap: &'a Snapshot<C>,
    args: &Args,
) -> Result<Selected<'a, C>, CliError> {
    if let Some(ep) = &args.episode {
        errata::ops::resolve_episode(snap, ep)?;
    }
    let mut who = Assignees::default();
    for a in &args.assignee {
        who = who.name(a);
    }
    if args.mine {
        let (name, email) = store.repo().identity()?;
        who = who.person(&name, &email);
    }
    if args.unassigned {
        who = who.unassigned();
    }
    let owed: HashSet<&str> = snap.owed().iter().map(|c| c.id().as_str()).collect();
    let claims: Vec<&C> = snap
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
        .filter(|c| who.keeps(c.assignee()))
        .collect();
    let Some(days) = args.stale else {
        return Ok(Selected {
            claims,
            idle: None,
            owed,
        });
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|_| CliError::failure("the system clock is set before 1970"))?
        .as_secs();
    let now = i64::try_from(now).unwrap_or(i64::MAX);
    let (claims, idle) = queue::stale(store.repo(), &claims, days, now)?
        .into_iter()
        .unzip();
    Ok(Selected {
        claims,
        idle: Some(idle),
        owed,
    })
}

fn claim_json<'a>(c: &'a errata::model::Claim, owed: &HashSet<&str>) -> ClaimJson<'a> {
    ClaimJson::new(c, owed.contains(c.id.as_str()))
}

/// A claim under `--stale --json`: the claim, and how long it has been idle.
#[derive(serde::Serialize)]
struct StaleJson<'a> {
    #[serde(flatten)]
    claim: ClaimJson<'a>,
    #[serde(flatten)]
    idle: &'a Idle,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode, CliError> {
    let store = ctx.store()?;
    if args.corrections {
        return list_corrections(ctx, &store, args.episode.as_deref());
    }
    if ctx.json {
        // Scripts get whole records.
        let snap = ctx.load(&store);
        let sel = select(&store, &snap, &args)?;
        let claim = |c| claim_json(c, &sel.owed);
        match &sel.idle {
            Some(idle) => print_json(
                &sel.claims
                    .iter()
                    .zip(idle)
                    .map(|(c, idle)| StaleJson {
                        claim: claim(*c),
                        idle,
                    })
                    .collect::<Vec<_>>(),
            )?,
            None => print_json(&sel.claims.iter().map(|c| claim(*c)).collect::<Vec<_>>())?,
        }
        return Ok(ExitCode::SUCCESS);
    }
    let snap = ctx.load_summaries(&store);
    let Selected { claims, idle, .. } = select(&store, &snap, &args)?;
    if claims.is_empty() {
        ctx.note(if snap.claims.is_empty() {
            "No claims yet: log one with `errata add EPISODE --quote ...`"
        } else if args.stale.is_some() {
            "No open claim has sat that long."
        } else {
            "No claims match."
        });
        return Ok(ExitCode::SUCCESS);
    }
    let multi_episode = args.episode.is_none() && snap.episodes.len() > 1;
    let idle = idle.as_deref();
    let row = |i: usize| {
        let c = claims[i];
        // Room for every column at once: growing it cell by cell was two
        // reallocations a row.
        let mut row = Vec::with_capacity(8);
        row.push(Cell::plain(c.id.as_str()));
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
        if let Some(idle) = idle {
            row.push(Cell::plain(idle[i].idle_days.to_string()));
            row.push(Cell::plain(c.assignee.as_deref().unwrap_or("-")));
        }
        row.push(Cell::plain(truncate(c.headline(), 60)));
        row
    };
    let mut header = vec!["ID"];
    if multi_episode {
        header.push("EPISODE");
    }
    header.extend(["STATUS", "VERDICT", "AT"]);
    if idle.is_some() {
        header.extend(["IDLE", "ASSIGNEE"]);
    }
    header.push("CLAIM");
    // Widths straight from the claims (all but the last column are ASCII, and
    // the few assignees are measured), so no row is made twice.
    let mut widths: Vec<usize> = header[..header.len() - 1].iter().map(|h| h.len()).collect();
    for c in &claims {
        let mut col = [c.id.as_str().len(), c.episode.as_str().len()].into_iter();
        widths[0] = widths[0].max(col.next().unwrap_or(0));
        if multi_episode {
            widths[1] = widths[1].max(col.next().unwrap_or(0));
        }
    }
    let status = usize::from(multi_episode) + 1;
    widths[status] = widths[status].max("needs-check".len());
    widths[status + 1] = widths[status + 1].max(
        claims
            .iter()
            .filter_map(|c| c.state.verdict())
            .map(|v| v.as_str().len())
            .max()
            .unwrap_or(1),
    );
    // A later moment is never written shorter, so the latest is the widest.
    widths[status + 2] = widths[status + 2].max(
        claims
            .iter()
            .filter_map(|c| c.said_at.map(|t| t.start()))
            .max()
            .map_or(1, |t| errata::model::format_point(t).len()),
    );
    if let Some(idle) = idle {
        let digits = idle.iter().map(|d| d.idle_days.to_string().len()).max();
        widths[status + 3] = widths[status + 3].max(digits.unwrap_or(1));
        let names = claims
            .iter()
            .map(|c| c.assignee.as_deref().map_or(1, errata::render::width))
            .max();
        widths[status + 4] = widths[status + 4].max(names.unwrap_or(1));
    }
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

/// The corrections as a table (or JSON), by id, as `episode list` shows episodes.
fn list_corrections(ctx: &Ctx, store: &Store, episode: Option<&str>) -> Result<ExitCode, CliError> {
    let snap = ctx.load_summaries(store);
    if let Some(ep) = episode {
        errata::ops::resolve_episode(&snap, ep)?;
    }
    let corrections: Vec<&errata::model::Correction> = snap
        .corrections
        .iter()
        .filter(|c| episode.is_none_or(|e| c.episode.as_str() == e))
        .collect();
    if ctx.json {
        print_json(
            &corrections
                .iter()
                .map(|c| CorrectionJson::new(c))
                .collect::<Vec<_>>(),
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    if corrections.is_empty() {
        ctx.note(if snap.corrections.is_empty() {
            "No corrections yet: record one with `errata correct CLAIM --episode EPISODE --at TIME --text TEXT`"
        } else {
            "No corrections match."
        });
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<Cell>> = corrections
        .iter()
        .map(|c| {
            let claims: Vec<&str> = c.claims.iter().map(|k| k.as_str()).collect();
            vec![
                Cell::plain(c.id.as_str()),
                Cell::plain(c.episode.as_str()),
                Cell::plain(c.aired_at.to_string()),
                Cell::plain(c.medium.as_str()),
                Cell::plain(claims.join(", ")),
            ]
        })
        .collect();
    out(format_args!(
        "{}",
        table(
            &["CORRECTION", "EPISODE", "AIRED AT", "MEDIUM", "CORRECTS"],
            &rows
        )
    ))?;
    Ok(ExitCode::SUCCESS)
}
