//! The repository as the pages read it: one snapshot of every record, shared
//! by every request and read again only after something in the working tree
//! changed, and each record's history, kept by the commit it was walked from.
//!
//! A snapshot is never served stale. On Linux an inotify watch covers the top
//! folder, `claims/`, every episode folder in it and `corrections/`; the kernel
//! queues an event within the very system call that writes, renames or
//! removes a file there, and each request drains that queue (one non-blocking
//! read) before it takes the snapshot: a change that finished before the
//! request came in, by this server, the command line, git or an editor, makes
//! it read the working tree again. The watches are set before the working tree
//! is read, so a change during the read is seen by the next request. Where
//! there is no inotify (another system, or no watch could be set), each
//! request reads the working tree, through the record cache, as before.
//!
//! A history is keyed by the commit id it was walked from, which fixes it: a
//! request resolves HEAD and takes the history walked from that commit, so a
//! new commit is a new key, never a stale answer.
//!
//! Uses `store` (its `load`, a claim file's parse, transcripts) and `review`
//! (a record's log, through the history index).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use crate::model::EpisodeId;
use crate::publish::history::RecordHistory;
use crate::store::{Snapshot, Store};
use crate::transcript::Transcript;

/// The shared state of one server.
pub(crate) struct Live {
    root: PathBuf,
    state: Mutex<State>,
    /// Histories as the claim page shows them, by (commit id, path); emptied
    /// when it grows past [`HISTORIES`].
    /// Requests for one that is being made wait for it rather than make it too.
    histories: Memo<(String, String), Arc<String>>,
}

/// Pages' parts made once, by key; the one request that makes a part makes
/// the others that want it wait rather than make it too.
type Memo<K, V> = Mutex<HashMap<K, Arc<OnceLock<V>>>>;

/// How many histories are kept before they are all let go.
const HISTORIES: usize = 4096;

struct State {
    watch: Option<watch::Watch>,
    view: Option<Arc<View>>,
}

/// Every record as the working tree held it when it was read.
pub(crate) struct View {
    pub snap: Snapshot,
    /// Each episode's claims, as places in `snap.claims` (in its order).
    by_episode: HashMap<EpisodeId, Vec<usize>>,
    /// Places in `snap.claims` sorted by claim id, so the claims a prefix
    /// names are found by a binary search rather than a scan of every claim.
    by_id: Vec<usize>,
    /// Each episode's transcript as its page shows it, made once per snapshot
    /// (`None`: the episode has none, or it cannot be read).
    marked: Memo<EpisodeId, Arc<Option<String>>>,
}

impl View {
    fn new(snap: Snapshot) -> View {
        let mut by_episode: HashMap<EpisodeId, Vec<usize>> = HashMap::new();
        for (i, c) in snap.claims.iter().enumerate() {
            by_episode.entry(c.episode.clone()).or_default().push(i);
        }
        let mut by_id: Vec<usize> = (0..snap.claims.len()).collect();
        by_id.sort_by(|&a, &b| snap.claims[a].id.as_str().cmp(snap.claims[b].id.as_str()));
        View {
            snap,
            by_episode,
            by_id,
            marked: Mutex::new(HashMap::new()),
        }
    }

    /// The claim `prefix` names, as [`crate::ops::resolve_claim`] finds it.
    pub fn resolve_claim(&self, prefix: &str) -> Result<&crate::model::Claim, crate::ops::OpError> {
        let claims = &self.snap.claims;
        let from = self
            .by_id
            .partition_point(|&i| claims[i].id.as_str() < prefix);
        let mut named: Vec<usize> = self.by_id[from..]
            .iter()
            .copied()
            .take_while(|&i| claims[i].id.as_str().starts_with(prefix))
            .collect();
        named.sort_unstable();
        crate::ops::resolve_claim_among(&self.snap, named, prefix)
    }

    /// The claims of `episode`, in the snapshot's order.
    pub fn claims_of(&self, episode: &EpisodeId) -> Vec<&crate::model::Claim> {
        self.by_episode
            .get(episode)
            .map(|ix| ix.iter().map(|&i| &self.snap.claims[i]).collect())
            .unwrap_or_default()
    }

    /// The transcript of `episode` with its claims marked, by `mark`, made
    /// once per snapshot: its file is in a watched folder, so a change to it,
    /// as to a claim, makes a new snapshot. (Marking is most of an episode
    /// page's work.)
    pub fn marked(
        &self,
        store: &Store,
        episode: &EpisodeId,
        mark: impl FnOnce(&Transcript) -> String,
    ) -> Arc<Option<String>> {
        let cell = lock(&self.marked)
            .entry(episode.clone())
            .or_default()
            .clone();
        cell.get_or_init(|| {
            Arc::new(
                self.snap
                    .episodes
                    .get(episode)
                    .and_then(|ep| store.transcript(ep).ok().flatten())
                    .map(|t| mark(&t)),
            )
        })
        .clone()
    }
}

/// A poisoned lock only means a request panicked while holding it; what it
/// guards is whole either way (a view is replaced, never edited).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Live {
    pub fn new(root: PathBuf) -> Live {
        Live {
            state: Mutex::new(State {
                watch: watch::Watch::new(),
                view: None,
            }),
            root,
            histories: Mutex::new(HashMap::new()),
        }
    }

    /// The snapshot as the working tree is now (blocking: it may read it all).
    pub fn view(&self, store: &Store) -> Arc<View> {
        let mut state = lock(&self.state);
        let changed = match state.watch.as_mut() {
            Some(w) => w.changed(),
            None => true,
        };
        if !changed && let Some(v) = &state.view {
            return v.clone();
        }
        state.view = None;
        if let Some(w) = state.watch.as_mut()
            && !w.arm(store.root())
        {
            state.watch = None;
        }
        let view = Arc::new(View::new(store.load()));
        if state.watch.is_some() {
            state.view = Some(view.clone());
        }
        view
    }

    /// The history of the record at `path` from HEAD, as `errata log -p`
    /// gives it, as `show` makes it into a page's part (the walk and the
    /// page's part are the claim page's work).
    pub fn history(
        &self,
        store: &Store,
        path: &str,
        show: impl FnOnce(&RecordHistory) -> String,
    ) -> Arc<String> {
        let Ok(head) = store.repo().resolve("HEAD") else {
            return Arc::new(show(&RecordHistory::default()));
        };
        let key = (head.to_string(), path.to_owned());
        let cell = {
            let mut kept = lock(&self.histories);
            if kept.len() >= HISTORIES && !kept.contains_key(&key) {
                kept.clear();
            }
            kept.entry(key.clone()).or_default().clone()
        };
        cell.get_or_init(|| {
            let life = crate::review::record_log(store, path, &key.0, true)
                .map(RecordHistory::from_log)
                .unwrap_or_default();
            Arc::new(show(&life))
        })
        .clone()
    }

    /// The repository, opened for one request.
    pub fn store(&self) -> Result<Store, crate::store::StoreError> {
        Store::discover(&self.root)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
}

#[cfg(target_os = "linux")]
mod watch {
    //! inotify through rustix: set on folders, drained without blocking.

    use std::mem::MaybeUninit;
    use std::os::fd::OwnedFd;
    use std::path::Path;

    use rustix::fs::inotify::{self, CreateFlags, WatchFlags};
    use rustix::io::Errno;

    use crate::store::{CLAIMS_DIR, CORRECTIONS_DIR};

    pub(super) struct Watch {
        fd: OwnedFd,
    }

    impl Watch {
        pub fn new() -> Option<Watch> {
            let fd = inotify::init(CreateFlags::CLOEXEC | CreateFlags::NONBLOCK).ok()?;
            Some(Watch { fd })
        }

        /// Watch the top folder, `claims/`, each folder in it and
        /// `corrections/` (again: a folder already watched keeps its watch).
        /// False when a folder that is there could not be watched.
        pub fn arm(&mut self, root: &Path) -> bool {
            let flags = WatchFlags::CREATE
                | WatchFlags::DELETE
                | WatchFlags::MODIFY
                | WatchFlags::ATTRIB
                | WatchFlags::CLOSE_WRITE
                | WatchFlags::MOVED_FROM
                | WatchFlags::MOVED_TO
                | WatchFlags::DELETE_SELF
                | WatchFlags::MOVE_SELF;
            let claims = root.join(CLAIMS_DIR);
            let mut dirs = vec![
                root.to_path_buf(),
                claims.clone(),
                root.join(CORRECTIONS_DIR),
            ];
            if let Ok(entries) = std::fs::read_dir(&claims) {
                dirs.extend(
                    entries
                        .flatten()
                        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                        .map(|e| e.path()),
                );
            }
            dirs.iter().all(|d| {
                match inotify::add_watch(&self.fd, d.as_path(), flags) {
                    Ok(_) => true,
                    // Not there (yet): its parent is watched, so its making is seen.
                    Err(Errno::NOENT | Errno::NOTDIR) => true,
                    Err(_) => false,
                }
            })
        }

        /// Whether anything happened in a watched folder since the last call
        /// (an overflowed queue or an error counts as a change).
        pub fn changed(&mut self) -> bool {
            let mut buf = [MaybeUninit::<u8>::uninit(); 16 * 1024];
            let mut reader = inotify::Reader::new(&self.fd, &mut buf);
            let mut any = false;
            loop {
                match reader.next() {
                    Ok(_) => any = true,
                    Err(Errno::AGAIN) => return any,
                    Err(Errno::INTR) => {}
                    Err(_) => return true,
                }
            }
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod watch {
    //! No watch: every request reads the working tree (through the cache).

    pub(super) struct Watch;

    impl Watch {
        pub fn new() -> Option<Watch> {
            None
        }
        pub fn arm(&mut self, _: &std::path::Path) -> bool {
            false
        }
        pub fn changed(&mut self) -> bool {
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Claim, State};

    fn claim(id: &str, episode: &str) -> Claim {
        Claim::for_test(id, episode, State::NeedsCheck)
    }

    /// The server's sorted lookup answers every prefix as the scan of every
    /// claim does: a unique prefix, an exact id among longer ones, the same id
    /// in two episodes, an ambiguous prefix, and none.
    #[test]
    fn a_claim_is_found_by_prefix_as_the_command_line_finds_it() {
        let make = || {
            let mut snap = Snapshot::default();
            snap.claims = vec![
                claim("m3-max-price", "ep-2"),
                claim("gpu-share", "ep-1"),
                claim("m3", "ep-1"),
                claim("m3-max", "ep-2"),
                claim("gpu-share", "ep-2"),
                claim("tsmc-2nm", "ep-1"),
                claim("tsmc-2nm-yield", "ep-2"),
            ];
            snap
        };
        let snap = make();
        let view = View::new(make());
        let ids: Vec<String> = snap.claims.iter().map(|c| c.id.to_string()).collect();
        let mut prefixes: Vec<String> =
            vec![String::new(), "zz".into(), "m3-maxx".into(), "台積".into()];
        for id in &ids {
            for (i, _) in id.char_indices().chain([(id.len(), ' ')]) {
                prefixes.push(id[..i].to_owned());
            }
        }
        let show = |r: Result<&Claim, crate::ops::OpError>| match r {
            Ok(c) => format!("ok {} {}", c.episode, c.id),
            Err(e) => format!("err {e}"),
        };
        for p in &prefixes {
            assert_eq!(
                show(view.resolve_claim(p)),
                show(crate::ops::resolve_claim(&snap, p)),
                "prefix {p:?}"
            );
        }
        assert_eq!(show(view.resolve_claim("m3")), "ok ep-1 m3");
        assert!(show(view.resolve_claim("gpu")).contains("gpu-share"));
        assert!(show(view.resolve_claim("tsmc-2")).contains("tsmc-2nm-yield"));
        assert!(show(view.resolve_claim("台積")).starts_with("err"));
    }
}
