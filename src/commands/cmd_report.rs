//! `errata report`: the scorecard per episode, or each editor's workload,
//! computed by `report`.

use std::process::ExitCode;

use errata::model::{Status, Verdict};
use errata::ops;
use errata::render::{Cell, table, verdict_style};
use errata::report::{Scorecard, Workload, by_assignee, scorecards};

use super::{CliError, Ctx, out, print_json};

/// A scorecard per episode, with its accuracy score out of 100.
///
/// Claims by status and by verdict, the accuracy score, how many claims are still
/// unchecked, corrections owed, and corrections aired in the episode.
///
/// The score is the share of rated claims (checked or corrected, unverifiable
/// ones left out) rated accurate or mostly-accurate, shown as `66.7 (2/3)`: two
/// of three rated claims. `-` when none is rated. Corrections AIRED counts the
/// corrections broadcast in the episode, whatever episode their claims are from.
///
/// With --by-assignee, one row per editor instead: how many of the claims
/// assigned to them are open (needs-check or checking), checked and corrected;
/// the claims nobody is assigned to are the row `(unassigned)` (in JSON,
/// `"assignee": null`).
#[derive(clap::Args)]
pub struct Args {
    /// Only this episode.
    #[arg(long)]
    episode: Option<String>,
    /// Count claims per assignee rather than per episode.
    #[arg(long)]
    by_assignee: bool,
}

#[derive(serde::Serialize)]
struct CardJson<'a> {
    episode: &'a str,
    title: &'a str,
    date: Option<String>,
    claims: usize,
    by_status: &'a std::collections::BTreeMap<Status, usize>,
    by_verdict: &'a std::collections::BTreeMap<Verdict, usize>,
    score: Option<f64>,
    rated: usize,
    unchecked: usize,
    owed: usize,
    owed_claims: Vec<&'a str>,
    corrections: usize,
    corrections_aired: Vec<&'a str>,
}

impl<'a> CardJson<'a> {
    fn new(c: &'a Scorecard) -> Self {
        CardJson {
            episode: c.episode.as_str(),
            title: &c.title,
            date: c.date.map(|d| d.to_string()),
            claims: c.claims,
            by_status: &c.by_status,
            by_verdict: &c.by_verdict,
            score: c.score,
            rated: c.rated,
            unchecked: c.unchecked,
            owed: c.owed,
            owed_claims: c.owed_claims.iter().map(|i| i.as_str()).collect(),
            corrections: c.corrections,
            corrections_aired: c.corrections_aired.iter().map(|i| i.as_str()).collect(),
        }
    }
}

/// `--by-assignee`: from claim summaries, since no text is needed.
fn workloads(ctx: &Ctx, args: &Args) -> Result<ExitCode, CliError> {
    let store = ctx.store()?;
    let snap = ctx.load_summaries(&store);
    let only = match &args.episode {
        Some(ep) => Some(ops::resolve_episode(&snap, ep)?.id.clone()),
        None => None,
    };
    let rows: Vec<Workload> = by_assignee(&snap, only.as_ref());
    if ctx.json {
        print_json(&rows)?;
        return Ok(ExitCode::SUCCESS);
    }
    if rows.is_empty() {
        ctx.note("No claims yet: log one with `errata add EPISODE --quote ...`");
        return Ok(ExitCode::SUCCESS);
    }
    let cells: Vec<Vec<Cell>> = rows
        .iter()
        .map(|w| {
            vec![
                Cell::plain(w.assignee.as_deref().unwrap_or("(unassigned)")),
                Cell::plain(w.open.to_string()),
                Cell::plain(w.checked.to_string()),
                Cell::plain(w.corrected.to_string()),
            ]
        })
        .collect();
    out(format_args!(
        "{}",
        table(&["ASSIGNEE", "OPEN", "CHECKED", "CORRECTED"], &cells)
    ))?;
    Ok(ExitCode::SUCCESS)
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode, CliError> {
    if args.by_assignee {
        return workloads(ctx, &args);
    }
    let store = ctx.store()?;
    let snap = ctx.load(&store);
    let only = match &args.episode {
        Some(ep) => Some(ops::resolve_episode(&snap, ep)?.id.clone()),
        None => None,
    };
    let cards: Vec<Scorecard> = scorecards(&snap)
        .into_iter()
        .filter(|c| only.as_ref().is_none_or(|e| &c.episode == e))
        .collect();
    if ctx.json {
        print_json(&cards.iter().map(CardJson::new).collect::<Vec<_>>())?;
        return Ok(ExitCode::SUCCESS);
    }
    if cards.is_empty() {
        ctx.note("No episodes yet: register one with `errata episode add EPISODE --title TITLE`");
        return Ok(ExitCode::SUCCESS);
    }
    let n = |c: &Scorecard, s: Status| c.by_status.get(&s).copied().unwrap_or(0).to_string();
    let rows: Vec<Vec<Cell>> = cards
        .iter()
        .map(|c| {
            let good = |v| c.by_verdict.get(&v).copied().unwrap_or(0);
            let score = match c.score {
                Some(s) => format!(
                    "{s:.1} ({}/{})",
                    good(Verdict::Accurate) + good(Verdict::MostlyAccurate),
                    c.rated
                ),
                None => "-".into(),
            };
            vec![
                Cell::plain(c.episode.as_str()),
                Cell::plain(c.date.map(|d| d.to_string()).unwrap_or_else(|| "-".into())),
                Cell::plain(score),
                Cell::plain(c.unchecked.to_string()),
                Cell::plain(c.claims.to_string()),
                Cell::plain(n(c, Status::Checked)),
                Cell::plain(n(c, Status::Corrected)),
                Cell::plain(c.owed.to_string()),
                Cell::plain(c.corrections.to_string()),
                Cell::plain(&c.title),
            ]
        })
        .collect();
    let mut text = table(
        &[
            "EPISODE",
            "DATE",
            "SCORE",
            "UNCHECKED",
            "CLAIMS",
            "CHECKED",
            "CORRECTED",
            "OWED",
            "AIRED",
            "TITLE",
        ],
        &rows,
    );
    text.push('\n');
    // One column per verdict, in the order of `Verdict::ALL`.
    let header = [
        "EPISODE",
        "ACCURATE",
        "MOSTLY-ACCURATE",
        "MISLEADING",
        "INACCURATE",
        "UNVERIFIABLE",
    ];
    let rows: Vec<Vec<Cell>> = cards
        .iter()
        .map(|c| {
            let mut row = vec![Cell::plain(c.episode.as_str())];
            row.extend(Verdict::ALL.iter().map(|v| {
                let k = c.by_verdict.get(v).copied().unwrap_or(0);
                if k > 0 {
                    Cell::styled(k.to_string(), verdict_style(*v))
                } else {
                    Cell::plain("0")
                }
            }));
            row
        })
        .collect();
    text.push_str(&table(&header, &rows));
    out(format_args!("{text}"))?;
    ctx.note(
        "SCORE: of the rated claims (checked or corrected, unverifiable left out), the share rated accurate or mostly-accurate, out of 100; (good/rated) beside it. Read it with UNCHECKED.",
    );
    Ok(ExitCode::SUCCESS)
}
