//! `errata merge-driver`: git's merge-driver contract, over `merge::merge`.
//! Reads the three files git names, writes the result over ours, and answers
//! in exit codes; it needs no repository.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use errata::merge::{self, Labels, Outcome};
use errata::store::write::atomic;

use super::{CliError, Ctx};

/// The exit code for a driver that could not run at all: git treats a code
/// above 128 as a failure of the driver, not as conflicts left in the file.
const CANNOT_RUN: u8 = 129;

/// Merge a record field by field, for git: run by git, not by people
///
/// git runs it during `git merge`, `pull`, `rebase` and `cherry-pick`. It
/// merges the ancestor (%O), ours (%A) and theirs (%B) of the record at %P
/// (sources keyed by url, tags as a set, long texts by lines, a verdict never
/// picked silently), writes the result over %A, and exits 0 when the merge is
/// clean, 1 when conflict markers remain in %A (each conflict named on
/// stderr), and 129 when it cannot run (a file it cannot read or write, bad
/// arguments).
///
/// git runs it for the paths that `.gitattributes` (committed) gives to it:
///
///     claims/** merge=errata
///     corrections/*.toml merge=errata
///     errata.toml merge=errata
///
/// with the driver registered in each clone's config (git does not clone it):
///
///     git config merge.errata.name "errata: field-by-field merge of records"
///     git config merge.errata.driver "errata merge-driver %O %A %B %L %P %S %X %Y"
///
/// Without that config, git silently falls back to its own line merge.
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// %O: the common ancestor's version (empty when both sides added the file).
    #[arg(value_name = "BASE")]
    base: PathBuf,
    /// %A: our version; overwritten with the result.
    #[arg(value_name = "OURS")]
    ours: PathBuf,
    /// %B: their version.
    #[arg(value_name = "THEIRS")]
    theirs: PathBuf,
    /// %L: the length of each conflict marker (7 unless configured).
    #[arg(value_name = "MARKER_SIZE")]
    marker_size: String,
    /// %P: the file's path in the repository, which says what kind of record it is.
    #[arg(value_name = "PATH")]
    path: String,
    /// %S, %X, %Y: the labels of base, ours and theirs (git 2.44 and later;
    /// older git passes them as written, and "base", "ours", "theirs" stand in).
    #[arg(value_name = "LABEL", num_args = 0..=3, allow_hyphen_values = true)]
    labels: Vec<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode, CliError> {
    let cannot = |message: String| CliError {
        code: CANNOT_RUN,
        message,
        hint: None,
    };
    let marker_size = match args.marker_size.trim().parse::<usize>() {
        Ok(n) if n > 0 => n,
        _ => {
            return Err(cannot(format!(
                "the marker size (%L) is `{}`, not a positive number",
                args.marker_size
            )));
        }
    };
    let read = |p: &PathBuf| -> Result<String, CliError> {
        let bytes =
            std::fs::read(p).map_err(|e| cannot(format!("cannot read {}: {e}", p.display())))?;
        String::from_utf8(bytes).map_err(|_| cannot(format!("{} is not UTF-8 text", p.display())))
    };
    let base = read(&args.base)?;
    let ours = read(&args.ours)?;
    let theirs = read(&args.theirs)?;
    let label = |i: usize| args.labels.get(i).map(String::as_str);
    let labels = Labels::from_driver(label(0), label(1), label(2));
    // git only runs a driver where both sides have the file; an empty ancestor
    // is a file both sides added.
    let base = (!base.is_empty()).then_some(base.as_str());
    let outcome = merge::merge(
        &args.path,
        base,
        Some(&ours),
        Some(&theirs),
        &labels,
        marker_size,
    );
    let (text, code) = match &outcome {
        // Both sides have the file, so the merge never deletes it.
        Outcome::Clean(text) => (text.as_deref().unwrap_or(""), ExitCode::SUCCESS),
        Outcome::Conflicted { text, conflicts } => {
            for c in conflicts {
                ctx.note(format!("errata: {}: {c}", args.path));
            }
            (text.as_str(), ExitCode::FAILURE)
        }
    };
    atomic(&args.ours, text.as_bytes())
        .map_err(|e| cannot(format!("cannot write {}: {e}", args.ours.display())))?;
    Ok(code)
}

/// When git's call to the driver does not parse (a config with the wrong
/// placeholders), say so and exit as a driver that cannot run, not with the
/// usage code 2, which git would take for conflicts left in the file.
pub fn exit_on_parse_error(e: clap::Error, args: &[OsString]) -> ! {
    let is_driver = args
        .iter()
        .skip(1)
        .find(|a| !a.to_string_lossy().starts_with('-'))
        .is_some_and(|a| a == "merge-driver");
    if is_driver && e.use_stderr() {
        let _ = e.print();
        std::process::exit(i32::from(CANNOT_RUN));
    }
    e.exit()
}
