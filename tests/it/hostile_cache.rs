//! The record caches under `.git/errata/` are input too: torn by a crash,
//! changed by a disk or a hand, or left by another errata version. Whatever is
//! there, the answers are the ones errata gives with no cache at all, and the
//! cache is written again whole.

use std::path::Path;
use std::time::Duration;

use errata::model::{Claim, ClaimSummary};
use errata::store::cache::Image;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::common::*;

/// A cache file, the command whose answer it holds, and its reader.
struct Kind {
    file: &'static str,
    args: &'static [&'static str],
    readable: fn(&Path) -> bool,
}

/// `list --json` shows whole records; `list` reads summaries.
const KINDS: [Kind; 2] = [
    Kind {
        file: ".git/errata/records.cache",
        args: &["--json", "list"],
        readable: |p| Image::<Claim>::read(p).is_some(),
    },
    Kind {
        file: ".git/errata/summaries.cache",
        args: &["list"],
        readable: |p| Image::<ClaimSummary>::read(p).is_some(),
    },
];

/// The prepared claims and 100 more written by hand, all older than the
/// cache's one-second window for racy edits, so a cache written now is used.
fn many_claims() -> Env {
    let env = Env::with_claims();
    let text = env.read(&claim_file(EP, "nvidia-margin"));
    for i in 0..100 {
        let t = text.replace("nvidia", &format!("nvidia-{i}"));
        env.write(&claim_file(EP, &format!("copy-{i:03}")), &t);
    }
    env.git(&["add", "-A"]);
    env.git(&["commit", "-q", "-m", "copies"]);
    std::thread::sleep(Duration::from_millis(1100));
    env
}

/// The answer with no cache, leaving a good cache of `kind` behind.
fn without_cache(env: &Env, kind: &Kind) -> (String, Vec<u8>) {
    let _ = std::fs::remove_dir_all(env.path(".git/errata"));
    let answer = env.ok(kind.args);
    let path = env.path(kind.file);
    assert!((kind.readable)(&path), "{} written and readable", kind.file);
    assert_eq!(env.ok(kind.args), answer, "from {}", kind.file);
    (answer, std::fs::read(path).unwrap())
}

/// Put `bytes` in place of the cache, check the answer, and that the cache was
/// written again whole by this errata.
fn answers_with(env: &Env, kind: &Kind, bytes: &[u8], expected: &str, good: &[u8], what: &str) {
    let path = env.path(kind.file);
    std::fs::write(&path, bytes).unwrap();
    assert!(!(kind.readable)(&path), "{} {what} is not read", kind.file);
    assert_eq!(env.ok(kind.args), expected, "{} {what}", kind.file);
    let again = std::fs::read(&path).unwrap();
    assert!(
        again.len() == good.len() && again.starts_with(&good[..29]),
        "{} {what}: written again whole",
        kind.file
    );
}

#[test]
fn a_cache_cut_at_every_thousandth_byte_is_rebuilt_and_answers_the_same() {
    let env = many_claims();
    for kind in &KINDS {
        let (expected, good) = without_cache(&env, kind);
        assert!(good.len() > 10_000, "{}: {} bytes", kind.file, good.len());
        for len in (0..good.len()).step_by(1000) {
            let what = format!("cut at {len} bytes");
            answers_with(&env, kind, &good[..len], &expected, &good, &what);
        }
    }
}

#[test]
fn a_bit_flipped_cache_is_never_believed() {
    let env = many_claims();
    let mut rng = StdRng::seed_from_u64(3);
    for kind in &KINDS {
        let (expected, good) = without_cache(&env, kind);
        // A spread of bits through the reader: none decodes into records.
        let path = env.path(kind.file);
        for bit in (0..good.len() * 8).step_by(good.len() * 8 / 400) {
            let mut bytes = good.clone();
            bytes[bit / 8] ^= 1 << (bit % 8);
            std::fs::write(&path, &bytes).unwrap();
            assert!(!(kind.readable)(&path), "{}: bit {bit} flipped", kind.file);
        }
        // And end to end, a sample.
        for _ in 0..6 {
            let mut bytes = good.clone();
            let bit = rng.random_range(0..bytes.len() * 8);
            bytes[bit / 8] ^= 1 << (bit % 8);
            answers_with(&env, kind, &bytes, &expected, &good, &format!("bit {bit}"));
        }
    }
}

#[test]
fn a_cache_from_another_version_is_rebuilt() {
    let env = many_claims();
    for kind in &KINDS {
        let (expected, good) = without_cache(&env, kind);
        let head = String::from_utf8_lossy(&good[..29]).into_owned();
        assert!(head.starts_with("errata-records-cache "), "{head}");
        // The format number of an older errata, the rest as it was.
        let mut old = good.clone();
        old[21] = b'4';
        answers_with(&env, kind, &old, &expected, &good, "from another version");
    }
}
