//! `errata serve`: the desk in a browser, over `serve`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use errata::serve::{self, ServeError};

use super::{CliError, Ctx, out};

/// Serve the desk as a local web app: every action is a commit.
///
/// Episodes with scorecards; an episode's claims and its transcript with every logged
/// quote marked; a form that logs a claim (its time found in the transcript); a claim's
/// page that starts it, cites sources and gives the verdict, with its history; the owed
/// list; the problems `errata validate` finds. Every action runs the same operation as
/// the command line, with its checks, its one commit, its message and trailers; a form
/// sent against a record that changed since its page was loaded is refused, with both
/// versions shown. It listens on 127.0.0.1 and acts as your git identity; it refuses
/// any address others can reach (accounts are not built yet). Ctrl-C stops it.
#[derive(clap::Args)]
pub struct Args {
    /// The address to listen on; only loopback addresses (127.0.0.1, ::1).
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    bind: IpAddr,
    /// The port (0: any free port, which is printed).
    #[arg(long, default_value_t = 7878)]
    port: u16,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode, CliError> {
    let store = ctx.store()?;
    let addr = SocketAddr::new(args.bind, args.port);
    let bound = serve::bind(store.root().to_path_buf(), addr).map_err(serve_error)?;
    let at = bound.addr().map_err(serve_error)?;
    out(format_args!(
        "Serving {} at http://{at}/\n",
        store.root().display()
    ))?;
    bound.run().map_err(serve_error)?;
    Ok(ExitCode::SUCCESS)
}

fn serve_error(e: ServeError) -> CliError {
    let msg = e.to_string();
    match e {
        ServeError::NotLoopback(_) => CliError::usage(msg).hint(
            "serve on 127.0.0.1 (the default) and reach it through an SSH tunnel, or share the repository through a git remote",
        ),
        ServeError::Bind { .. } => {
            CliError::failure(msg).hint("choose another --port, or --port 0 for any free one")
        }
        ServeError::Io(_) => CliError::failure(msg),
    }
}
