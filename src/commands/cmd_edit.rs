//! `errata edit`: a record in the user's editor, reopened until it is valid;
//! the checks and the commit are `ops::edit`'s, the editor loop is this file's.

use std::path::Path;
use std::process::{Command, ExitCode};

use errata::ops::{self, edit, edit::Target};
use errata::store::Parsed;

use super::{CliError, Ctx, print_json};

/// Edit a claim, a correction or an episode in $VISUAL or $EDITOR (else vi).
///
/// When you save, the record is checked (for a correction: the claims it names must
/// exist and may be corrected; a claim added becomes `corrected` and one taken out goes
/// back to `checked`, in the same commit); if it has problems it is reopened with them
/// listed on top, as `git rebase -i` does, until it is valid (then it is committed) or
/// you empty it or leave it unchanged (then nothing changes).
#[derive(clap::Args)]
pub struct Args {
    /// The record's id, a unique prefix of it, or its path.
    id: String,
}

/// Run the user's editor on a file, the way git does: through the shell, so an
/// editor setting like `code --wait` works.
fn run_editor(file: &Path) -> Result<(), CliError> {
    let editor = std::env::var("VISUAL")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .or_else(|| {
            std::env::var("EDITOR")
                .ok()
                .filter(|v| !v.trim().is_empty())
        })
        .unwrap_or_else(|| "vi".to_owned());
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$@\""))
        .arg(&editor)
        .arg(file)
        .status()
        .map_err(|e| CliError::failure(format!("cannot start the editor `{editor}`: {e}")))?;
    if status.success() {
        Ok(())
    } else {
        Err(CliError::failure(format!(
            "the editor `{editor}` failed ({status}); nothing was committed"
        ))
        .hint(format!("your text is kept in {}", file.display())))
    }
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode, CliError> {
    let store = ctx.store()?;
    let record = ops::resolve_record(&store, &args.id)?;
    let target = match ops::read_record(&store, &record)? {
        Parsed::Claim(c) => Target::Claim(c),
        Parsed::Correction(c) => Target::Correction(c),
        Parsed::Episode(e) => Target::Episode(e),
        Parsed::Bad(p) => return Err(ops::OpError::Record(p).into()),
    };
    let snap = ctx.load(&store);
    let path = target.path();
    let before = std::fs::read_to_string(store.root().join(&path))
        .map_err(|e| CliError::failure(format!("cannot read {path}: {e}")))?;
    let dir = store.repo().git_dir().join("errata").join("edit");
    std::fs::create_dir_all(&dir).map_err(|e| CliError::failure(e.to_string()))?;
    let file = dir.join(format!("{}-{}.toml", target.kind(), target.id()));
    let write = |text: &str| {
        std::fs::write(&file, text)
            .map_err(|e| CliError::failure(format!("cannot write {}: {e}", file.display())))
    };
    write(&before)?;
    let (after, checked) = loop {
        run_editor(&file)?;
        let text = std::fs::read_to_string(&file)
            .map_err(|e| CliError::failure(format!("cannot read {}: {e}", file.display())))?;
        let body = edit::strip_notes(&text);
        if body.trim().is_empty() || body == before {
            let _ = std::fs::remove_file(&file);
            ctx.note(format!("No change to {}; nothing committed", target.id()));
            if ctx.json {
                print_json(&edit::Edited {
                    kind: target.kind(),
                    id: target.id().to_owned(),
                    commit: None,
                    claims: Vec::new(),
                })?;
            }
            return Ok(ExitCode::SUCCESS);
        }
        match edit::check_edit(&store, &snap, &target, &body) {
            Ok(checked) => break (body, checked),
            Err(problems) => {
                write(&(edit::notes(&problems) + &body))?;
                ctx.note(format!(
                    "{} has {} problem(s); reopening the editor",
                    target.id(),
                    problems.len()
                ));
            }
        }
    };
    // Locked only now: the editor may stay open for long, and commit_edit
    // refuses if the file changed on disk meanwhile.
    let _lock = store.write_lock()?;
    let done = edit::commit_edit(&store, &snap, &target, &before, &after, checked)?;
    let _ = std::fs::remove_file(&file);
    if ctx.json {
        print_json(&done)?;
    } else {
        for m in &done.claims {
            ctx.note(format!("{}: {} -> {}", m.id, m.from, m.to));
        }
        ctx.note(format!("Committed your edit of {}", target.id()));
    }
    Ok(ExitCode::SUCCESS)
}
