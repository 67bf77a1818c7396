//! What a claim's rules run in besides the claim itself: its episode's record
//! and transcript, built once per episode and shared across threads. While
//! neither file changes (the key `store` computes from their stamps), the
//! checks remembered for a claim stand. Uses `store` and `transcript`.

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

use crate::model::{Episode, EpisodeFile, EpisodeId};
use crate::store::{self, context_key};
use crate::transcript::Transcript;

/// One episode's part of the context.
struct EpisodeContext {
    /// Equal while the episode's record and transcript are unchanged.
    key: u64,
    episode: Option<Episode>,
    /// The transcript (or why it cannot be read), parsed only when a claim of
    /// the episode is checked afresh.
    transcript: OnceLock<Result<Option<Transcript>, String>>,
}

/// Episode contexts, each built the first time a claim of that episode needs
/// it, from any thread: a warm run over an unchanged repository only stamps the
/// episode files and parses no transcript.
pub(super) struct Contexts<'a> {
    root: &'a Path,
    /// Asked once per claim, from every thread: foldhash, not SipHash.
    by_episode: HashMap<EpisodeId, OnceLock<EpisodeContext>, foldhash::fast::RandomState>,
    /// Episode records already read (the snapshot's), so a context built after
    /// loading stamps the episode's files without parsing its record again.
    known: HashMap<EpisodeId, Episode>,
}

impl<'a> Contexts<'a> {
    pub(super) fn new(root: &'a Path) -> Self {
        let by_episode = store::episode_folders(root)
            .into_iter()
            .map(|id| (id, OnceLock::new()))
            .collect();
        Contexts {
            root,
            by_episode,
            known: HashMap::new(),
        }
    }

    /// Take the episode records a snapshot read, for contexts not built yet:
    /// parsing 1,000 episode files again was a twentieth of a warm `validate`.
    /// Each is the record of the file as it was listed; should the file change
    /// after, its stamp in the key changes too, and the checks run again.
    pub(super) fn learn<'e>(&mut self, episodes: impl IntoIterator<Item = &'e Episode>) {
        self.known
            .extend(episodes.into_iter().map(|e| (e.id.clone(), e.clone())));
    }

    /// The repository the contexts are read from.
    pub(super) fn root(&self) -> &'a Path {
        self.root
    }

    fn get(&self, id: &EpisodeId) -> Option<&EpisodeContext> {
        let cell = self.by_episode.get(id)?;
        Some(cell.get_or_init(|| self.build(id)))
    }

    fn build(&self, id: &EpisodeId) -> EpisodeContext {
        let path = store::episode_path(id);
        let episode = self.known.get(id).cloned().or_else(|| {
            std::fs::read(self.root.join(&path))
                .ok()
                .and_then(|b| store::parse_toml::<EpisodeFile>(&path, &b).ok())
                .map(|f| Episode::from_file(id.clone(), f))
        });
        let transcript = episode
            .as_ref()
            .and_then(|e| e.transcript.as_ref())
            .map(|file| store::transcript_path(id, file));
        let mut paths = vec![path.as_str()];
        paths.extend(transcript.as_deref());
        EpisodeContext {
            key: context_key(self.root, &paths),
            episode,
            transcript: OnceLock::new(),
        }
    }

    /// The key under which checks of this episode's claims are remembered.
    pub(super) fn key(&self, id: &EpisodeId) -> u64 {
        self.get(id).map_or(0, |c| c.key)
    }

    fn read_transcript(&self, id: &EpisodeId) -> Option<&Result<Option<Transcript>, String>> {
        let ctx = self.get(id)?;
        Some(ctx.transcript.get_or_init(|| {
            match &ctx.episode {
                None => Ok(None),
                Some(ep) => store::read_transcript(self.root, ep)
                    .map_err(|e| format!("transcript cannot be read: {e}")),
            }
        }))
    }

    pub(super) fn transcript(&self, id: &EpisodeId) -> Option<&Transcript> {
        self.read_transcript(id)?.as_ref().ok()?.as_ref()
    }

    /// Why the episode's transcript cannot be read, if it cannot.
    pub(super) fn problem(&self, id: &EpisodeId) -> Option<String> {
        self.read_transcript(id)?.as_ref().err().cloned()
    }
}
