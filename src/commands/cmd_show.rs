//! `errata show`: one record whole, a claim, a correction or an episode, now or
//! at a revision (`review::record_at`).

use std::fmt::Write as _;
use std::process::ExitCode;

use anstyle::Style;
use errata::model::{Claim, Correction, Episode};
use errata::ops;
use errata::render::{ClaimJson, CorrectionJson, EpisodeJson, Kinded, status_style, verdict_style};
use errata::review;
use errata::store::{Parsed, Selection, Snapshot, claim_path, correction_path, episode_path};

use super::{CliError, Ctx, out, print_json};

/// Show one record whole: a claim, a correction or an episode.
///
/// For a claim: quote, claim, verdict, note, sources and any correction. For a
/// correction: where it aired, the claims it corrects and what it says. For an episode:
/// its details, claims and the corrections aired in it. `ID@REV` shows the record as it
/// was at any revision git understands (HEAD~3, a tag, a short hash).
#[derive(clap::Args)]
pub struct Args {
    /// The record's id or a unique prefix (or its path, such as
    /// claims/EPISODE/episode.toml), optionally followed by @REV.
    id: String,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode, CliError> {
    let store = ctx.store()?;
    let (prefix, rev) = match args.id.split_once('@') {
        Some((id, rev)) if !rev.is_empty() => (id, Some(rev)),
        _ => (args.id.as_str(), None),
    };
    let record = match rev {
        None => ops::read_record(&store, &ops::resolve_record(&store, prefix)?)?,
        Some(rev) => {
            let current = ops::resolve_record_if_any(&store, prefix)?;
            review::record_at(&store, current.as_ref(), prefix, rev)?
        }
    };
    // What the record's page names besides itself, not every record.
    let sel = match &record {
        Parsed::Claim(c) => Selection {
            corrections_naming: vec![c.id.to_string()],
            ..Selection::default()
        },
        Parsed::Correction(c) => Selection {
            claims: c.claims.iter().map(|k| k.to_string()).collect(),
            episodes: vec![c.episode.clone()],
            ..Selection::default()
        },
        Parsed::Episode(e) => Selection {
            claims_of: vec![e.id.clone()],
            corrections: true,
            ..Selection::default()
        },
        Parsed::Bad(_) => Selection::default(),
    };
    let snap = ctx.load_selected(&store, &sel);
    match record {
        Parsed::Claim(claim) => show_claim(ctx, &snap, &claim),
        Parsed::Correction(c) => show_correction(ctx, &snap, &c),
        Parsed::Episode(e) => show_episode(ctx, &snap, &e),
        Parsed::Bad(p) => Err(ops::OpError::Record(p).into()),
    }
}

fn show_claim(ctx: &Ctx, snap: &Snapshot, claim: &Claim) -> Result<ExitCode, CliError> {
    let corrections = snap.corrections_by_claim();
    let named = corrections.get(&claim.id).cloned().unwrap_or_default();
    let owed = claim.state.is_owed() && named.is_empty();
    if ctx.json {
        print_json(&Kinded::claim(ClaimJson::new(claim, owed)))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut s = String::new();
    let bold = Style::new().bold();
    heading(
        &mut s,
        claim.id.as_str(),
        &claim_path(&claim.episode, &claim.id),
    );
    let field = |s: &mut String, name: &str, value: &str| field(s, 9, name, value);
    field(&mut s, "episode", claim.episode.as_str());
    let st = claim.state.status();
    let status_style = status_style(st);
    field(
        &mut s,
        "status",
        &format!("{status_style}{st}{status_style:#}"),
    );
    if let Some(v) = claim.state.verdict() {
        let vs = verdict_style(v);
        field(&mut s, "verdict", &format!("{vs}{v}{vs:#}"));
    }
    if owed {
        field(&mut s, "owed", "a correction is owed");
    }
    if let Some(at) = claim.said_at {
        field(&mut s, "said at", &at.to_string());
    }
    for (name, value) in [
        ("speaker", &claim.speaker),
        ("quote", &claim.quote),
        ("claim", &claim.claim),
        ("assignee", &claim.assignee),
    ] {
        if let Some(v) = value {
            field(&mut s, name, &v.replace('\n', "\n         "));
        }
    }
    if !claim.tags.is_empty() {
        field(&mut s, "tags", &claim.tags.join(", "));
    }
    if let Some(note) = &claim.note {
        let _ = writeln!(s, "\n{bold}note{bold:#}");
        for line in note.trim_end().lines() {
            let _ = writeln!(s, "{}", format!("  {line}").trim_end());
        }
    }
    if !claim.sources.is_empty() {
        let _ = writeln!(s, "\n{bold}sources{bold:#}");
        for (i, src) in claim.sources.iter().enumerate() {
            let mut head: Vec<String> = Vec::new();
            if let Some(t) = &src.title {
                head.push(t.clone());
            }
            let by: Vec<String> = [src.publisher.clone(), src.published.map(|d| d.to_string())]
                .into_iter()
                .flatten()
                .collect();
            if !by.is_empty() {
                head.push(format!("({})", by.join(", ")));
            }
            let mut url = src.url.as_deref();
            if head.is_empty() {
                // A source given only by its address: the address is its heading.
                head.push(url.take().unwrap_or("(untitled)").to_owned());
            }
            let _ = writeln!(s, "  {}. {}", i + 1, head.join(" "));
            if let Some(u) = url {
                let _ = writeln!(s, "     {u}");
            }
            if let Some(e) = &src.excerpt {
                let _ = writeln!(s, "     “{}”", e.trim());
            }
            if let Some(d) = src.accessed {
                let _ = writeln!(s, "     accessed {d}");
            }
            if let Some(a) = &src.archived {
                let _ = writeln!(s, "     archived {a}");
            }
        }
    }
    if !named.is_empty() {
        let _ = writeln!(s, "\n{bold}corrections{bold:#}");
        for c in named {
            let _ = writeln!(
                s,
                "  {} ({} in {} at {})",
                c.id, c.medium, c.episode, c.aired_at
            );
        }
    }
    out(format_args!("{s}"))?;
    Ok(ExitCode::SUCCESS)
}

fn show_correction(ctx: &Ctx, snap: &Snapshot, c: &Correction) -> Result<ExitCode, CliError> {
    if ctx.json {
        print_json(&Kinded::correction(CorrectionJson::new(c)))?;
        return Ok(ExitCode::SUCCESS);
    }
    let bold = Style::new().bold();
    let dim = Style::new().dimmed();
    let mut s = String::new();
    heading(&mut s, c.id.as_str(), &correction_path(&c.id));
    let field = |s: &mut String, name: &str, value: &str| field(s, 12, name, value);
    let aired_in = match snap.episodes.get(&c.episode) {
        Some(ep) => format!("{} ({}) at {}", c.episode, ep.title, c.aired_at),
        None => format!("{} at {} (no such episode)", c.episode, c.aired_at),
    };
    field(&mut s, "aired in", &aired_in);
    field(&mut s, "medium", c.medium.as_str());
    if let Some(r) = &c.reported_by {
        field(&mut s, "reported by", r);
    }
    let _ = writeln!(s, "\n{bold}corrects{bold:#}");
    for id in &c.claims {
        match snap.claims.iter().find(|k| &k.id == id) {
            Some(k) => {
                let st = k.state.status();
                let ss = status_style(st);
                let verdict = k
                    .state
                    .verdict()
                    .map(|v| {
                        let vs = verdict_style(v);
                        format!(", {vs}{v}{vs:#}")
                    })
                    .unwrap_or_default();
                let _ = writeln!(
                    s,
                    "  {id}  {ss}{st}{ss:#}{verdict}  {dim}{}{dim:#}",
                    claim_path(&k.episode, &k.id)
                );
                let _ = writeln!(s, "    {}", k.headline());
            }
            None => {
                let _ = writeln!(s, "  {id}  (no such claim)");
            }
        }
    }
    let _ = writeln!(s, "\n{bold}text{bold:#}");
    for line in c.text.trim_end().lines() {
        let _ = writeln!(s, "{}", format!("  {line}").trim_end());
    }
    out(format_args!("{s}"))?;
    Ok(ExitCode::SUCCESS)
}

fn show_episode(ctx: &Ctx, snap: &Snapshot, e: &Episode) -> Result<ExitCode, CliError> {
    let claims: Vec<&Claim> = snap.claims.iter().filter(|k| k.episode == e.id).collect();
    let aired: Vec<&Correction> = snap
        .corrections
        .iter()
        .filter(|c| c.episode == e.id)
        .collect();
    if ctx.json {
        print_json(&Kinded::episode(EpisodeJson::new(e, &claims, &aired)))?;
        return Ok(ExitCode::SUCCESS);
    }
    let bold = Style::new().bold();
    let mut s = String::new();
    heading(&mut s, e.id.as_str(), &episode_path(&e.id));
    let field = |s: &mut String, name: &str, value: &str| field(s, 11, name, value);
    field(&mut s, "title", &e.title);
    if let Some(d) = e.date {
        field(&mut s, "date", &d.to_string());
    }
    if let Some(u) = &e.url {
        field(&mut s, "url", u);
    }
    if let Some(t) = &e.transcript {
        field(&mut s, "transcript", t);
    }
    let counted = |pred: &dyn Fn(&Claim) -> bool| claims.iter().filter(|k| pred(k)).count();
    field(
        &mut s,
        "claims",
        &format!(
            "{} ({} unchecked, {} checked, {} corrected)",
            claims.len(),
            counted(&|k| k.state.verdict().is_none()),
            counted(&|k| k.state.status() == errata::model::Status::Checked),
            counted(&|k| k.state.status() == errata::model::Status::Corrected),
        ),
    );
    if !aired.is_empty() {
        let _ = writeln!(s, "\n{bold}corrections aired{bold:#}");
        for c in aired {
            let _ = writeln!(
                s,
                "  {} at {} ({})",
                c.id,
                c.aired_at,
                c.claims
                    .iter()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    out(format_args!("{s}"))?;
    Ok(ExitCode::SUCCESS)
}

/// The first line of a record shown: its id in bold, then its path, dimmed.
fn heading(s: &mut String, id: &str, path: &str) {
    let bold = Style::new().bold();
    let dim = Style::new().dimmed();
    let _ = writeln!(s, "{bold}{id}{bold:#}  {dim}{path}{dim:#}");
}

/// One `name  value` line, the name dimmed and padded to `width`.
fn field(s: &mut String, width: usize, name: &str, value: &str) {
    let dim = Style::new().dimmed();
    let _ = writeln!(s, "{dim}{name:<width$}{dim:#}{value}");
}
