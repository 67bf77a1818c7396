//! `errata init`: lay out a fact-check repository, over `ops::init`.

use std::process::ExitCode;

use errata::model::OneLine;
use errata::ops::{self, InitSettings};

use super::{CliError, Ctx, errata_program, print_json};

/// Lay out a fact-check repository here (or at --repo).
///
/// Runs `git init` if there is no repository yet, then writes errata.toml with the show's settings and commits it.
#[derive(clap::Args)]
pub struct Args {
    /// The show's name (default: the folder's name).
    #[arg(long)]
    name: Option<OneLine>,
    /// Who publishes the fact-checks (default: "<name> fact-check desk").
    #[arg(long)]
    publisher: Option<OneLine>,
    /// The show's language, as a BCP 47 tag such as zh-TW (default: en).
    #[arg(long)]
    language: Option<OneLine>,
    /// Where the fact-check site will be published.
    #[arg(long)]
    url: Option<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode, CliError> {
    let path = match &ctx.repo {
        Some(p) => {
            std::fs::create_dir_all(p)
                .map_err(|e| CliError::failure(format!("cannot create {}: {e}", p.display())))?;
            p.clone()
        }
        None => std::env::current_dir().map_err(|e| CliError::failure(e.to_string()))?,
    };
    let outcome = ops::init(
        &path,
        InitSettings {
            name: args.name,
            publisher: args.publisher,
            language: args.language,
            url: args.url,
            program: errata_program(),
        },
    )?;
    let root = outcome.root.display();
    if ctx.json {
        print_json(&outcome)?;
    } else if outcome.commit.is_none() {
        ctx.note(format!("{root} is already a fact-check repository"));
    } else {
        if outcome.created_git {
            ctx.note(format!("Initialised an empty git repository in {root}"));
        }
        ctx.note(format!(
            "Laid out a fact-check repository in {root}\nNext: errata episode add EPISODE --title TITLE [--transcript FILE]"
        ));
    }
    Ok(ExitCode::SUCCESS)
}
