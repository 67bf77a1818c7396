//! `errata completions`: a shell completion script, by clap_complete.

use std::process::ExitCode;

use clap::CommandFactory;

use super::{Cli, CliError, Ctx};

/// Print a shell completion script.
///
/// For example: `errata completions bash > ~/.local/share/bash-completion/completions/errata`.
#[derive(clap::Args)]
pub struct Args {
    shell: clap_complete::Shell,
}

pub fn run(_ctx: &Ctx, args: Args) -> Result<ExitCode, CliError> {
    clap_complete::generate(
        args.shell,
        &mut Cli::command(),
        "errata",
        &mut std::io::stdout(),
    );
    Ok(ExitCode::SUCCESS)
}
