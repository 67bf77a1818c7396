use std::process::ExitCode;

use errata::diagnostic::locate;
use errata::validate::validate;

use super::{CliError, Ctx, out, print_json};

/// Check every record against every rule.
///
/// Each problem is reported as `path:line:col: message`. Exits 1 if there is any.
#[derive(clap::Args)]
pub struct Args {}

pub fn run(ctx: &Ctx, _args: Args) -> Result<ExitCode, CliError> {
    let store = ctx.store()?;
    let (problems, snap) = validate(&store);
    let diagnostics = locate(store.root(), &problems);
    if ctx.json {
        print_json(&serde_json::json!({
            "ok": diagnostics.is_empty(),
            "claims": snap.claims.len(),
            "problems": diagnostics,
        }))?;
    } else {
        for d in &diagnostics {
            out(format_args!("{d}\n"))?;
        }
        let records = snap.claims.len() + snap.corrections.len() + snap.episodes.len();
        match diagnostics.len() {
            0 => ctx.note(format!("ok: {records} records, no problems")),
            1 => out(format_args!("1 problem\n"))?,
            n => out(format_args!("{n} problems\n"))?,
        }
    }
    let ok = diagnostics.is_empty();
    // The process ends here: freeing 100,000 records one by one would only
    // delay the exit, and the system takes the memory back at once.
    std::mem::forget(snap);
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
