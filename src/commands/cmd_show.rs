//! `errata show`: one claim whole, now or at a revision (`review::claim_at`).

use std::fmt::Write as _;
use std::process::ExitCode;

use anstyle::Style;
use errata::model::Claim;
use errata::ops;
use errata::render::{ClaimJson, status_style, verdict_style};
use errata::review;
use errata::store::claim_path;

use super::{CliError, Ctx, out, print_json};

/// Show one claim whole.
///
/// Quote, claim, verdict, note, sources and any correction. `ID@REV` shows it as it was
/// at any revision git understands (HEAD~3, a tag, a short hash).
#[derive(clap::Args)]
pub struct Args {
    /// The claim's id or a unique prefix, optionally followed by @REV.
    id: String,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode, CliError> {
    let store = ctx.store()?;
    let snap = ctx.load(&store);
    let (prefix, rev) = match args.id.split_once('@') {
        Some((id, rev)) if !rev.is_empty() => (id, Some(rev)),
        _ => (args.id.as_str(), None),
    };
    let claim: Claim = match rev {
        None => ops::resolve_claim(&snap, prefix)?.clone(),
        Some(rev) => review::claim_at(&store, ops::resolve_claim(&snap, prefix).ok(), prefix, rev)?,
    };
    let corrections = snap.corrections_by_claim();
    let named = corrections.get(&claim.id).cloned().unwrap_or_default();
    let owed = claim.state.is_owed() && named.is_empty();
    if ctx.json {
        print_json(&ClaimJson::new(&claim, owed))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut s = String::new();
    let bold = Style::new().bold();
    let dim = Style::new().dimmed();
    let _ = writeln!(
        s,
        "{bold}{}{bold:#}  {dim}{}{dim:#}",
        claim.id,
        claim_path(&claim.episode, &claim.id)
    );
    let field = |s: &mut String, name: &str, value: &str| {
        let _ = writeln!(s, "{dim}{name:<9}{dim:#}{value}");
    };
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
