//! `errata validate`: every rule over every record, from `validate`; problems
//! placed at line and column by `diagnostic`.

use std::io::Write;
use std::process::ExitCode;

use errata::diagnostic::{Severity, locate, snippet, snippet_as};
use errata::validate::{Report, validate, warnings};

use super::{CliError, Ctx, out, print_json};

/// Check every record against every rule.
///
/// Each problem is reported as `path:line:col: message`, one line each on stdout;
/// below it, on stderr, the line it is on with a caret under the place, as cargo
/// shows them (not under --quiet). Exits 1 if there is any.
///
/// Then the warnings, which do not fail the check, as `path:line:col: warning:
/// message`: two claims of one episode that quote the same words (whitespace
/// aside), as when two editors log the same claim; each names the other.
#[derive(clap::Args)]
pub struct Args {}

pub fn run(ctx: &Ctx, _args: Args) -> Result<ExitCode, CliError> {
    let store = ctx.store()?;
    let (problems, snap) = validate(&store);
    let found = warnings(&snap);
    let report = Report::new(
        &snap,
        locate(store.root(), &problems),
        locate(store.root(), &found),
    );
    let diagnostics = &report.problems;
    if ctx.json {
        print_json(&report)?;
    } else {
        // The snippets go to stderr, as rustc's and cargo's do: stdout stays one
        // line per problem for scripts, and a terminal shows each below its line.
        let styled = anstream::stderr().current_choice() != anstream::ColorChoice::Never;
        for d in diagnostics {
            out(format_args!("{d}\n"))?;
            if !ctx.quiet
                && let Some(s) = snippet(d, styled)
            {
                let _ = writeln!(anstream::stderr(), "{s}");
            }
        }
        let records = report.records;
        match diagnostics.len() {
            0 => ctx.note(format!("ok: {records} records, no problems")),
            1 => out(format_args!("1 problem\n"))?,
            n => out(format_args!("{n} problems\n"))?,
        }
        for d in &report.warnings {
            out(format_args!(
                "{}:{}:{}: warning: {}\n",
                d.path, d.line, d.column, d.message
            ))?;
            if !ctx.quiet
                && let Some(s) = snippet_as(d, styled, Severity::Warning)
            {
                let _ = writeln!(anstream::stderr(), "{s}");
            }
        }
        match report.warnings.len() {
            0 => {}
            1 => out(format_args!("1 warning\n"))?,
            n => out(format_args!("{n} warnings\n"))?,
        }
    }
    let ok = report.ok;
    // The process ends here: freeing 100,000 records one by one would only
    // delay the exit, and the system takes the memory back at once.
    std::mem::forget(snap);
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
