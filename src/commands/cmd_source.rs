//! `errata source`: cite a source for a claim, over `ops::add_source`.

use std::process::ExitCode;

use errata::model::{Date, OneLine};
use errata::ops::{self, NewSource};

use errata::store::Selection;

use super::{CliError, Ctx, print_json};

/// Cite a source for a claim: the evidence behind its verdict.
///
/// Give at least a title or a url; cite only addresses
/// that really exist, and quote the source exactly in --excerpt.
#[derive(clap::Args)]
pub struct Args {
    /// The claim's id, or a unique prefix of it.
    id: String,
    /// The source's title, as published.
    #[arg(long)]
    title: Option<OneLine>,
    /// Its address (http or https).
    #[arg(long)]
    url: Option<String>,
    /// Who published it.
    #[arg(long)]
    publisher: Option<OneLine>,
    /// When it was published, YYYY-MM-DD.
    #[arg(long)]
    published: Option<Date>,
    /// The passage that settles the claim, quoted exactly.
    #[arg(long)]
    excerpt: Option<String>,
    /// When the desk read it, YYYY-MM-DD (not after today).
    #[arg(long)]
    accessed: Option<Date>,
    /// The address of an archived copy (http or https), e.g. on the Wayback Machine.
    #[arg(long)]
    archived: Option<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode, CliError> {
    let (store, _lock) = ctx.store_for_writing()?;
    // The claims the id could name and their episodes, not every record.
    let snap = ctx.load_selected(&store, &Selection::claim(&args.id));
    let claim = ops::resolve_claim(&snap, &args.id)?;
    let source = NewSource {
        title: args.title,
        url: args.url,
        publisher: args.publisher,
        published: args.published,
        excerpt: args.excerpt,
        accessed: args.accessed,
        archived: args.archived,
    };
    let added = ops::add_source(&store, &snap, claim, &source)?;
    if ctx.json {
        print_json(&added)?;
    } else {
        let n = added.sources;
        ctx.note(format!(
            "{}: {n} source{}",
            added.id,
            if n == 1 { "" } else { "s" }
        ));
    }
    Ok(ExitCode::SUCCESS)
}
