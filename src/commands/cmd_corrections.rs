//! `errata corrections`: the public corrections log, rendered by `publish::log`.

use std::process::ExitCode;

use errata::publish::i18n::Lang;
use errata::publish::{Publisher, history, log};

use super::{CliError, Ctx, out, print_json};

/// The public corrections log, newest first.
///
/// Where and when each correction aired, what was said, what is right, the sources
/// behind it, and every amendment made to it since it was first recorded (from git). Markdown pastes into show notes; HTML is a fragment (a <section>) for a
/// website; JSON is for scripts. Links point to the published site when errata.toml has
/// a `url`.
#[derive(clap::Args)]
pub struct Args {
    /// md, html or json (--json does the same as --format json).
    #[arg(long, value_enum, default_value_t = Format::Md)]
    format: Format,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Md,
    Html,
    Json,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode, CliError> {
    let store = ctx.store()?;
    let snap = ctx.load(&store);
    let histories = history::collect(&store, &snap, false)?;
    let entries = log::entries(&snap, &histories);
    let format = if ctx.json { Format::Json } else { args.format };
    // In the show's language (errata.toml's `language`), English otherwise.
    let lang = Lang::for_tag(snap.settings.as_ref().and_then(|s| s.language.as_deref()));
    // Links to each fact-check on the published site, when it is known.
    let site = Publisher::from_settings(snap.settings.as_ref())
        .ok()
        .map(|p| p.url);
    let links = |ep: &str, claim: Option<&str>| {
        site.as_ref().map(|base| match claim {
            Some(c) => format!("{base}/{ep}/#{c}"),
            None => format!("{base}/{ep}/"),
        })
    };
    match format {
        Format::Json => print_json(&entries)?,
        Format::Md => {
            let show = snap.settings.as_ref().and_then(|s| s.name.as_deref());
            out(format_args!(
                "{}",
                log::markdown(&lang, &entries, show, &links)
            ))?;
        }
        Format::Html => out(format_args!("{}", log::html(&lang, &entries, &links)))?,
    }
    Ok(ExitCode::SUCCESS)
}
