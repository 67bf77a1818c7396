//! `errata validate`: every rule over every record, from `validate`; problems
//! placed at line and column by `diagnostic`.

use std::process::ExitCode;

use errata::diagnostic::{Diagnostic, Severity, snippet_as};
use errata::validate::{Report, validate, warnings};
use rayon::prelude::*;

use super::{CliError, Ctx, Gathered, print_json};

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
    let mut placed = store.locate(&snap, &[&problems, &found]).lists.into_iter();
    let (problems, found) = (
        placed.next().unwrap_or_default(),
        placed.next().unwrap_or_default(),
    );
    let report = Report::new(&snap, problems, found);
    let diagnostics = &report.problems;
    if ctx.json {
        print_json(&report)?;
    } else {
        // The snippets go to stderr, as rustc's and cargo's do: stdout stays one
        // line per problem for scripts, and a terminal shows each below its line.
        // Drawn in parallel, and all written at once: thousands of warnings.
        let styled = anstream::stderr().current_choice() != anstream::ColorChoice::Never;
        let draw = |ds: &[Diagnostic], severity: Severity| -> Vec<Option<String>> {
            if ctx.quiet {
                return vec![None; ds.len()];
            }
            ds.par_iter()
                .map(|d| snippet_as(d, styled, severity))
                .collect()
        };
        let mut shown = Gathered::new();
        for (d, s) in diagnostics.iter().zip(draw(diagnostics, Severity::Error)) {
            shown.out(format_args!("{d}\n"));
            if let Some(s) = s {
                shown.err(format_args!("{s}\n"));
            }
        }
        let records = report.records;
        match diagnostics.len() {
            0 if ctx.quiet => {}
            0 => shown.err(format_args!("ok: {records} records, no problems\n")),
            1 => shown.out(format_args!("1 problem\n")),
            n => shown.out(format_args!("{n} problems\n")),
        }
        let warned = &report.warnings;
        for (d, s) in warned.iter().zip(draw(warned, Severity::Warning)) {
            shown.out(format_args!(
                "{}:{}:{}: warning: {}\n",
                d.path, d.line, d.column, d.message
            ));
            if let Some(s) = s {
                shown.err(format_args!("{s}\n"));
            }
        }
        match warned.len() {
            0 => {}
            1 => shown.out(format_args!("1 warning\n")),
            n => shown.out(format_args!("{n} warnings\n")),
        }
        shown.finish()?;
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
