//! `errata setup`: make this clone merge records field by field. git reads the
//! merge driver's *name* from `.gitattributes` (committed, so every clone has
//! it) but its *command* from config, which git does not clone: each clone must
//! register it. Without it git silently falls back to its line merge, which
//! turns two citations of one claim into a conflict.
//!
//! Uses `store` (to commit `.gitattributes`) and `git` config through `Repo`.

use serde::Serialize;

use super::OpError;
use super::message::Message;
use crate::git::{Change, CommitId};
use crate::store::{CLAIMS_DIR, CORRECTIONS_DIR, SETTINGS_FILE, Store};

/// The file that names the driver for record paths.
pub const ATTRIBUTES_FILE: &str = ".gitattributes";

/// The config keys git reads a merge driver from.
const NAME_KEY: &str = "merge.errata.name";
const DRIVER_KEY: &str = "merge.errata.driver";
const DRIVER_NAME: &str = "errata: field-by-field merge of fact-check records";

/// The `.gitattributes` lines that send every record through the driver.
pub fn attribute_lines() -> [String; 3] {
    [
        format!("{CLAIMS_DIR}/**/*.toml merge=errata"),
        format!("{CORRECTIONS_DIR}/*.toml merge=errata"),
        format!("{SETTINGS_FILE} merge=errata"),
    ]
}

/// The driver command for git's config: `program` (how this errata is
/// called) with git's placeholders. `%S %X %Y` (the labels of the sides) are
/// filled in by git 2.44 and later; older git passes them as they are, which
/// `errata merge-driver` understands as "no label".
pub fn driver_command(program: &str) -> String {
    format!("{program} merge-driver %O %A %B %L %P %S %X %Y")
}

/// What `errata setup` did.
#[derive(Debug, Serialize)]
pub struct SetupOutcome {
    /// The driver command now in this clone's config.
    pub driver: String,
    /// Whether the config had to change (false when it was set up already).
    pub configured: bool,
    /// The commit that added the `.gitattributes` lines, when they were missing.
    pub attributes_commit: Option<CommitId>,
}

/// Register the driver in this clone's config (idempotent), and add the
/// `.gitattributes` lines in a commit of their own where they are missing.
pub fn setup(store: &Store, program: &str) -> Result<SetupOutcome, OpError> {
    let driver = driver_command(program);
    let configured = configure(store, &driver)?;
    let attributes_commit = match attributes_change(store)? {
        Some(change) => {
            let message =
                Message::new("setup", "merge records field by field with errata's driver");
            Some(super::commit(store, &[change], &message)?)
        }
        None => None,
    };
    Ok(SetupOutcome {
        driver,
        configured,
        attributes_commit,
    })
}

/// Set the driver's config keys; whether anything changed.
pub(super) fn configure(store: &Store, driver: &str) -> Result<bool, OpError> {
    let repo = store.repo();
    let mut changed = false;
    for (key, value) in [(NAME_KEY, DRIVER_NAME), (DRIVER_KEY, driver)] {
        if repo.config(key)?.as_deref() != Some(value) {
            repo.set_local_config(key, value)?;
            changed = true;
        }
    }
    Ok(changed)
}

/// `.gitattributes` with the driver's lines added, if any is missing; the
/// lines already there (the user's own) stay as they are.
pub(super) fn attributes_change(store: &Store) -> Result<Option<Change>, OpError> {
    let current = match std::fs::symlink_metadata(store.root().join(ATTRIBUTES_FILE)) {
        Ok(_) => store.read_for_change(ATTRIBUTES_FILE)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => {
            return Err(crate::store::StoreError::Read {
                path: ATTRIBUTES_FILE.into(),
                source,
            }
            .into());
        }
    };
    let have: Vec<&str> = current.lines().map(str::trim).collect();
    let missing: Vec<String> = attribute_lines()
        .into_iter()
        .filter(|l| !have.contains(&l.as_str()))
        .collect();
    if missing.is_empty() {
        return Ok(None);
    }
    let mut text = current.clone();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    if !current.contains("errata setup") {
        text.push_str(
            "# errata merges records field by field; each clone registers the driver with `errata setup`.\n",
        );
    }
    for l in missing {
        text.push_str(&l);
        text.push('\n');
    }
    Ok(Some(Change {
        path: ATTRIBUTES_FILE.into(),
        content: Some(text.into_bytes()),
    }))
}

/// Whether this clone's `.gitattributes` sends records to errata's driver but
/// its config does not say how to run it: git would then merge them line by
/// line without a word.
pub fn driver_missing(store: &Store) -> bool {
    let names_driver = std::fs::read_to_string(store.root().join(ATTRIBUTES_FILE)).is_ok_and(|t| {
        t.lines()
            .any(|l| l.split_whitespace().any(|w| w == "merge=errata"))
    });
    names_driver && store.repo().config(DRIVER_KEY).ok().flatten().is_none()
}
