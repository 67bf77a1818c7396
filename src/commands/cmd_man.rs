//! `errata man`: the man page, by clap_mangen.

use std::process::ExitCode;

use clap::CommandFactory;

use super::{Cli, CliError, Ctx};

/// Print the man page (roff).
///
/// For example: `errata man > errata.1`.
#[derive(clap::Args)]
pub struct Args {}

pub fn run(_ctx: &Ctx, _args: Args) -> Result<ExitCode, CliError> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut buf)
        .map_err(|e| CliError::failure(e.to_string()))?;
    super::out(format_args!("{}", String::from_utf8_lossy(&buf)))?;
    Ok(ExitCode::SUCCESS)
}
