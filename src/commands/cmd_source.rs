use std::process::ExitCode;

use errata::model::{Date, Source};
use errata::ops;

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
    title: Option<String>,
    /// Its address (http or https).
    #[arg(long)]
    url: Option<String>,
    /// Who published it.
    #[arg(long)]
    publisher: Option<String>,
    /// When it was published, YYYY-MM-DD.
    #[arg(long)]
    published: Option<Date>,
    /// The passage that settles the claim, quoted exactly.
    #[arg(long)]
    excerpt: Option<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode, CliError> {
    let store = ctx.store()?;
    let snap = ctx.load(&store);
    let claim = ops::resolve_claim(&snap, &args.id)?;
    let source = Source {
        title: args.title,
        url: args.url,
        publisher: args.publisher,
        published: args.published,
        excerpt: args.excerpt,
    };
    let commit = ops::add_source(&store, claim, &source)?;
    if ctx.json {
        print_json(&serde_json::json!({
            "id": claim.id.as_str(),
            "source": source,
            "commit": commit.to_string(),
        }))?;
    } else {
        ctx.note(format!(
            "{}: {} source{}",
            claim.id,
            claim.sources.len() + 1,
            if claim.sources.is_empty() { "" } else { "s" }
        ));
    }
    Ok(ExitCode::SUCCESS)
}
