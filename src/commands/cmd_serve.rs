//! `errata serve`: the desk in a browser, over `serve`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use std::path::PathBuf;

use errata::serve::{self, ServeError, accounts};

use super::{CliError, Ctx, out};

/// Serve the desk as a local web app: every action is a commit.
///
/// Episodes with scorecards; an episode's claims and its transcript with every logged
/// quote marked; a form that logs a claim (its time found in the transcript); a claim's
/// page that starts it, cites sources and gives the verdict, with its history; the owed
/// list; the problems `errata validate` finds. Every action runs the same operation as
/// the command line, with its checks, its one commit, its message and trailers; a form
/// sent against a record that changed since its page was loaded is refused, with both
/// versions shown. On 127.0.0.1 it acts as your git identity; with --accounts, every
/// page needs signing in and commits are authored by the editor signed in, and only
/// then may it listen on an address others can reach (behind an HTTPS proxy: its
/// cookies are Secure there). Ctrl-C stops it.
#[derive(clap::Args)]
pub struct Args {
    /// The address to listen on; only loopback addresses (127.0.0.1, ::1).
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    bind: IpAddr,
    /// The port (0: any free port, which is printed).
    #[arg(long, default_value_t = 7878)]
    port: u16,
    /// A TOML file of accounts (`[[user]]` with login, name, email and an argon2
    /// `password` hash): then nothing is readable without signing in, and commits are
    /// authored by the signed-in editor. Needed to bind to an address others can reach.
    #[arg(long, value_name = "FILE")]
    accounts: Option<PathBuf>,
    /// Read a password from standard input and print its argon2 hash, for the
    /// accounts file; serve nothing.
    #[arg(long, conflicts_with_all = ["accounts", "bind", "port"])]
    hash_password: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode, CliError> {
    if args.hash_password {
        let mut password = String::new();
        std::io::stdin()
            .read_line(&mut password)
            .map_err(|e| CliError::failure(format!("cannot read the password: {e}")))?;
        let password = password.trim_end_matches(['\n', '\r']);
        if password.is_empty() {
            return Err(CliError::usage("the password is empty")
                .hint("type it on standard input: errata serve --hash-password < file"));
        }
        let hash = accounts::hash_password(password).map_err(CliError::failure)?;
        out(format_args!("{hash}\n"))?;
        return Ok(ExitCode::SUCCESS);
    }
    let accounts = match &args.accounts {
        Some(path) => {
            Some(accounts::Accounts::load(path).map_err(|e| CliError::usage(e.to_string()))?)
        }
        None => None,
    };
    let store = ctx.store()?;
    let addr = SocketAddr::new(args.bind, args.port);
    let bound = serve::bind(store.root().to_path_buf(), addr, accounts).map_err(serve_error)?;
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
            "give --accounts FILE (see `errata serve --help`), or serve on 127.0.0.1 (the default) and reach it through an SSH tunnel",
        ),
        ServeError::Bind { .. } => {
            CliError::failure(msg).hint("choose another --port, or --port 0 for any free one")
        }
        ServeError::Io(_) => CliError::failure(msg),
    }
}
