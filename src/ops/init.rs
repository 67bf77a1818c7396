//! `errata init`: lay out a fact-check repository, running `git init` first
//! where there is no repository yet.

use std::path::{Path, PathBuf};

use serde::Serialize;
use toml_edit::{DocumentMut, value};

use super::message::{Message, Trailer};
use super::{OpError, rules, setup};
use crate::git::{Change, CommitId, Repo};
use crate::model::{OneLine, Settings};
use crate::store::{SETTINGS_FILE, Store};

/// What `errata init` found and did.
#[derive(Serialize)]
pub struct InitOutcome {
    #[serde(skip)]
    pub store: Store,
    /// The top of the working tree.
    pub root: PathBuf,
    pub created_git: bool,
    /// `None` when the repository was already laid out.
    pub commit: Option<CommitId>,
}

/// Show settings for a new repository.
#[derive(Debug, Default, Clone)]
pub struct InitSettings {
    pub name: Option<OneLine>,
    pub publisher: Option<OneLine>,
    pub language: Option<OneLine>,
    pub url: Option<String>,
    /// How git should call errata for its merge driver (see [`super::setup`]).
    pub program: String,
}

/// Lay out a fact-check repository at `path`, running `git init` there if needed.
pub fn init(path: &Path, settings: InitSettings) -> Result<InitOutcome, OpError> {
    let name = settings.name.as_ref().map(|n| n.to_string());
    let checked = Settings {
        name: name.clone(),
        publisher: settings.publisher.as_ref().map(|p| p.to_string()),
        language: settings.language.as_ref().map(|l| l.to_string()),
        url: settings.url.clone(),
    };
    if let Some(v) = rules::settings(&checked).into_iter().next() {
        return Err(v.into());
    }
    let (repo, created_git) = Repo::init(path)?;
    let store = Store::from_repo(repo);
    let root = store.root().to_path_buf();
    if store.is_initialised() {
        return Ok(InitOutcome {
            store,
            root,
            created_git,
            commit: None,
        });
    }
    if let Err(e) = store.repo().identity() {
        // Leave nothing behind: the repository was made a moment ago for this commit.
        if created_git {
            let _ = std::fs::remove_dir_all(store.repo().git_dir());
        }
        return Err(e.into());
    }
    let name = name.unwrap_or_else(|| {
        store
            .root()
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "my show".into())
    });
    let mut doc = DocumentMut::new();
    doc.decor_mut().set_prefix(
        "# errata: settings of this fact-check repository.\n# See `errata --help`; claims live under claims/<episode>/, corrections under corrections/.\n",
    );
    doc["name"] = value(name.as_str());
    doc["publisher"] = value(
        checked
            .publisher
            .unwrap_or_else(|| format!("{name} fact-check desk")),
    );
    doc["language"] = value(checked.language.unwrap_or_else(|| "en".into()));
    if let Some(url) = checked.url {
        doc["url"] = value(url);
    }
    let message = Message::new("init", format_args!("fact-check repository for {name}"))
        .trailer(Trailer::Init, &name);
    let mut changes = vec![Change {
        path: SETTINGS_FILE.into(),
        content: Some(doc.to_string().into_bytes()),
    }];
    changes.extend(setup::attributes_change(&store)?);
    setup::configure(&store, &setup::driver_command(&settings.program))?;
    let commit = super::commit(&store, &changes, &message)?;
    Ok(InitOutcome {
        store,
        root,
        created_git,
        commit: Some(commit),
    })
}
