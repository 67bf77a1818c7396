//! Finding a record by what a user types: its id or a unique prefix of it, as
//! git finds a commit by a short hash. Uses `store` and `model`.

use super::OpError;
use crate::diagnostic::locate_in;
use crate::model::{Claim, ClaimId, CorrectionId, Episode, EpisodeId};
use crate::store::{
    CLAIMS_DIR, Parsed, RecordKind, RecordRef, Snapshot, Store, StoreError, claim_path, parse_at,
};

/// Find a claim by its id or a unique prefix of it. An exact id always wins
/// over longer ids it is a prefix of.
pub fn resolve_claim<'a>(snap: &'a Snapshot, prefix: &str) -> Result<&'a Claim, OpError> {
    resolve_claim_among(snap, 0..snap.claims.len(), prefix)
}

/// [`resolve_claim`] among the claims at `among` (places in `snap.claims`, in
/// its order), with the same answers when `among` holds every claim whose id
/// starts with `prefix`: a caller that keeps the claims sorted by id (the web
/// server) finds them without a scan of every claim.
pub fn resolve_claim_among<'a>(
    snap: &'a Snapshot,
    among: impl IntoIterator<Item = usize>,
    prefix: &str,
) -> Result<&'a Claim, OpError> {
    let claims = among
        .into_iter()
        .filter_map(|i| snap.claims.get(i).map(|c| (i, &c.episode, &c.id)));
    let starting = |name: &str| name.starts_with(prefix);
    let whole = |name: &str| name.strip_suffix(".toml") == Some(prefix);
    match pick(claims, prefix) {
        // A file with the whole id that could not be read wins over the
        // longer ids, as the claim in it would: acting on another claim
        // because this one is broken would be wrong.
        Ok(i) if snap.claims[i].id.as_str() != prefix => match conflicted(snap, &whole)
            .or_else(|| linked(snap, &whole, false))
            .or_else(|| unreadable(snap, &whole))
        {
            Some(e) => Err(e),
            None => Ok(&snap.claims[i]),
        },
        Ok(i) => Ok(&snap.claims[i]),
        Err(OpError::UnknownClaim(p)) => Err(conflicted(snap, &starting)
            .or_else(|| linked(snap, &starting, true))
            .or_else(|| unreadable(snap, &starting))
            .unwrap_or(OpError::UnknownClaim(p))),
        Err(e) => Err(e),
    }
}

/// A claim file whose name `names` takes (`x.toml`) but that could not be
/// read because a merge left conflict markers in it: the user needs to hear
/// that, not "no claim".
fn conflicted<C>(snap: &Snapshot<C>, names: &dyn Fn(&str) -> bool) -> Option<OpError> {
    snap.problems
        .iter()
        .filter(|p| p.is_conflict() && p.path.starts_with(&format!("{CLAIMS_DIR}/")))
        .find(|p| p.path.rsplit('/').next().is_some_and(names))
        .map(|p| OpError::Conflicted {
            path: p.path.clone(),
        })
}

/// A claim file whose name `names` takes but that could not be read as a
/// claim (bad TOML, too large, a bad field): its problem is the cause.
fn unreadable<C>(snap: &Snapshot<C>, names: &dyn Fn(&str) -> bool) -> Option<OpError> {
    snap.problems
        .iter()
        .filter(|p| crate::store::record_kind(&p.path) == Some(crate::store::RecordKind::Claim))
        .find(|p| {
            p.path
                .rsplit('/')
                .next()
                .is_some_and(|name| name.ends_with(".toml") && names(name))
        })
        .map(|p| OpError::Unreadable {
            path: p.path.clone(),
            message: p.message.clone(),
        })
}

/// A claim file whose name `names` takes, or (with `folders`) a folder that
/// could hold it, left unread because it is a symbolic link: "no claim"
/// would be untrue.
fn linked<C>(snap: &Snapshot<C>, names: &dyn Fn(&str) -> bool, folders: bool) -> Option<OpError> {
    let links = || {
        snap.problems
            .iter()
            .filter(|p| p.is_symbolic_link())
            .map(|p| p.path.as_str())
    };
    let file = links().find(|path| {
        path.strip_prefix(&format!("{CLAIMS_DIR}/"))
            .and_then(|rest| rest.split_once('/'))
            .is_some_and(|(_, name)| names(name))
    });
    let folder = || {
        links().find(|path| {
            *path == CLAIMS_DIR
                || path
                    .strip_prefix(&format!("{CLAIMS_DIR}/"))
                    .is_some_and(|rest| !rest.contains('/') && !rest.ends_with(".toml"))
        })
    };
    let path = file.or_else(|| folders.then(folder).flatten())?;
    Some(OpError::Store(StoreError::SymbolicLink {
        path: path.to_owned(),
    }))
}

/// Find a claim's file by its id or a unique prefix, by file names alone: for
/// commands that need only where a claim is (its history), not what it says.
pub fn resolve_claim_file(store: &Store, prefix: &str) -> Result<(EpisodeId, ClaimId), OpError> {
    // A whole id is looked up in each episode folder without listing them.
    if let Ok(id) = ClaimId::new(prefix)
        && let [episode] = store.episodes_with_claim(&id).as_slice()
    {
        return Ok((episode.clone(), id));
    }
    let files = store.claim_files();
    let i = pick(
        files.iter().enumerate().map(|(i, (e, c))| (i, e, c)),
        prefix,
    )?;
    Ok(files[i].clone())
}

/// Find any record, claim, correction or episode, by its id or a unique prefix
/// of it, from file names alone; or by its path (`corrections/x.toml`,
/// `claims/ep/episode.toml`), which names one record whatever others share its
/// id. An exact id wins over longer ids it is a prefix of; an id that is
/// exact for records of two kinds names neither, and the candidates say which
/// kinds there are.
pub fn resolve_record(store: &Store, input: &str) -> Result<RecordRef, OpError> {
    if input.contains('/') || input.ends_with(".toml") {
        let path = input.strip_prefix("./").unwrap_or(input);
        return RecordRef::from_path(path)
            .filter(|r| store.root().join(r.path()).is_file())
            .ok_or_else(|| OpError::UnknownRecord(input.to_owned()));
    }
    // A whole id is looked up where each kind would keep it, without listing.
    let mut exact: Vec<RecordRef> = Vec::new();
    if let Ok(id) = ClaimId::new(input) {
        exact.extend(
            store
                .episodes_with_claim(&id)
                .into_iter()
                .map(|episode| RecordRef::Claim {
                    episode,
                    id: id.clone(),
                }),
        );
    }
    if let Ok(id) = CorrectionId::new(input) {
        exact.push(RecordRef::Correction(id));
    }
    if let Ok(id) = EpisodeId::new(input) {
        exact.push(RecordRef::Episode(id));
    }
    exact.retain(|r| r.kind() == RecordKind::Claim || store.root().join(r.path()).is_file());
    let matches = if exact.is_empty() {
        store
            .record_files()
            .into_iter()
            .filter(|r| r.id().starts_with(input))
            .collect()
    } else {
        exact
    };
    match matches.as_slice() {
        [] => Err(OpError::UnknownRecord(input.to_owned())),
        [one] => Ok(one.clone()),
        many if many
            .iter()
            .all(|r| r.kind() == RecordKind::Claim && r.id() == many[0].id()) =>
        {
            Err(OpError::DuplicateClaim {
                id: many[0].id().to_owned(),
                paths: many.iter().map(RecordRef::path).collect(),
            })
        }
        many if many.iter().all(|r| r.kind() == RecordKind::Claim) => {
            let mut candidates: Vec<String> = many.iter().map(|r| r.id().to_owned()).collect();
            candidates.sort();
            candidates.dedup();
            Err(OpError::AmbiguousClaim {
                prefix: input.to_owned(),
                candidates,
            })
        }
        many => {
            let mut candidates: Vec<String> = many
                .iter()
                .map(|r| format!("{} {}", r.kind(), r.id()))
                .collect();
            candidates.sort();
            candidates.dedup();
            Err(OpError::AmbiguousRecord {
                prefix: input.to_owned(),
                candidates,
            })
        }
    }
}

/// [`resolve_record`] for a record that may exist only in history (it was
/// deleted, or renamed since): `None` where nothing now matches, while an
/// ambiguous prefix is still an error.
pub fn resolve_record_if_any(store: &Store, input: &str) -> Result<Option<RecordRef>, OpError> {
    match resolve_record(store, input) {
        Ok(r) => Ok(Some(r)),
        Err(OpError::UnknownRecord(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A record as its file holds it now in the working tree, read with the rules
/// of every load; a file that is not a valid record (a merge left markers in
/// it, a hand edit broke it) is an error that says where and why.
pub fn read_record(store: &Store, r: &RecordRef) -> Result<Parsed, OpError> {
    let path = r.path();
    let bytes = std::fs::read(store.root().join(&path)).map_err(|source| {
        OpError::Store(crate::store::StoreError::Read {
            path: path.clone(),
            source,
        })
    })?;
    match parse_at(&path, &bytes) {
        Parsed::Bad(p) if p.is_conflict() => Err(OpError::Conflicted { path }),
        Parsed::Bad(p) => {
            let d = locate_in(&String::from_utf8_lossy(&bytes), std::slice::from_ref(&p));
            let at = d
                .first()
                .map_or(path, |d| format!("{}:{}:{}", d.path, d.line, d.column));
            Err(OpError::Store(StoreError::BadFile {
                path: at,
                message: p.message,
            }))
        }
        parsed => Ok(parsed),
    }
}

/// The one of `ids` that `prefix` names, with the rules of [`resolve_claim`]:
/// the place it carries.
fn pick<'a>(
    ids: impl Iterator<Item = (usize, &'a EpisodeId, &'a ClaimId)>,
    prefix: &str,
) -> Result<usize, OpError> {
    let all: Vec<(usize, &EpisodeId, &ClaimId)> = ids
        .filter(|(_, _, id)| id.as_str().starts_with(prefix))
        .collect();
    let exact: Vec<_> = all
        .iter()
        .filter(|(_, _, id)| id.as_str() == prefix)
        .copied()
        .collect();
    let matches = if exact.is_empty() { all } else { exact };
    match matches.as_slice() {
        [] => Err(OpError::UnknownClaim(prefix.to_owned())),
        [(i, _, _)] => Ok(*i),
        many if many.iter().all(|(_, _, id)| *id == many[0].2) => Err(OpError::DuplicateClaim {
            id: many[0].2.to_string(),
            paths: many.iter().map(|(_, e, id)| claim_path(e, id)).collect(),
        }),
        many => {
            let mut candidates: Vec<String> =
                many.iter().map(|(_, _, id)| id.to_string()).collect();
            candidates.sort();
            candidates.dedup();
            Err(OpError::AmbiguousClaim {
                prefix: prefix.to_owned(),
                candidates,
            })
        }
    }
}

/// Find an episode by its whole id.
pub fn resolve_episode<'a, C>(snap: &'a Snapshot<C>, id: &str) -> Result<&'a Episode, OpError> {
    let id = EpisodeId::new(id)?;
    snap.episodes.get(&id).ok_or_else(|| {
        // An episode whose folder or record is a link was not read.
        let folder = format!("{CLAIMS_DIR}/{id}");
        let record = format!("{folder}/{}", crate::store::EPISODE_FILE);
        match snap
            .problems
            .iter()
            .filter(|p| p.is_symbolic_link())
            .find(|p| [CLAIMS_DIR, &folder, &record].contains(&p.path.as_str()))
        {
            Some(p) => OpError::Store(StoreError::SymbolicLink {
                path: p.path.clone(),
            }),
            None => OpError::UnknownEpisode(id.to_string()),
        }
    })
}
