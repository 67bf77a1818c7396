//! A repository is input: a clone from anyone can hold any bytes in
//! `.git/objects/info/commit-graph`. Whatever is there, `errata log` never
//! panics and lists exactly what `git log --follow` lists; a graph that is not
//! whole is ignored, not half believed.

use errata::git::Graph;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::common::*;

const ID: &str = "nvidia-margin";

/// A claim with several revisions among unrelated commits, a rename and a merge.
fn history() -> Env {
    let env = Env::with_claims();
    let path = claim_file(EP, ID);
    for i in 0..4 {
        env.commit_by_hand(&[(&format!("notes/{i}.txt"), "unrelated\n")], "notes");
        let text = env.read(&path).replace("nvidia", &format!("nvidia{i}"));
        env.commit_by_hand(&[(&path, &text)], "retag by hand");
    }
    env.git(&["checkout", "-q", "-b", "side"]);
    env.commit_by_hand(&[("side.txt", "side\n")], "side");
    env.git(&["checkout", "-q", "-"]);
    env.git(&["merge", "-q", "--no-edit", "side"]);
    env.git(&["mv", &path, &claim_file(EP2, ID)]);
    env.git(&["commit", "-q", "-m", "move"]);
    env
}

fn git_follow(env: &Env) -> Vec<String> {
    env.git(&["log", "--follow", "--format=%H", "--", &claim_file(EP2, ID)])
        .lines()
        .map(str::to_owned)
        .collect()
}

fn ours(env: &Env) -> Vec<String> {
    let out = env.run(&["--json", "log", ID]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "errata log failed:\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    log.as_array()
        .unwrap()
        .iter()
        .map(|e| e["commit"].as_str().unwrap().to_owned())
        .collect()
}

const GRAPH: &str = ".git/objects/info/commit-graph";

fn put_graph(env: &Env, bytes: &[u8]) {
    std::fs::write(env.path(GRAPH), bytes).unwrap();
}

fn real_graph(env: &Env) -> Vec<u8> {
    env.git(&["commit-graph", "write", "--reachable", "--changed-paths"]);
    std::fs::read(env.path(GRAPH)).unwrap()
}

/// The SHA-1 trailer recomputed, so a change inside the file passes the checksum.
fn resealed(mut bytes: Vec<u8>) -> Vec<u8> {
    use sha1::{Digest, Sha1};
    let n = bytes.len() - 20;
    let sum = Sha1::digest(&bytes[..n]);
    bytes[n..].copy_from_slice(&sum);
    bytes
}

#[test]
fn a_commit_graph_of_any_length_up_to_64_bytes_changes_nothing() {
    let env = history();
    let expected = git_follow(&env);
    assert!(expected.len() >= 6, "{expected:?}");
    std::fs::create_dir_all(env.path(".git/objects/info")).unwrap();
    let mut rng = StdRng::seed_from_u64(0xc9a9);
    // A header that passes the first checks, then anything.
    let header = b"CGPH\x01\x01\x04\x00";
    for len in 0..=64usize {
        let random: Vec<u8> = (0..len).map(|_| rng.random()).collect();
        let mut crafted: Vec<u8> = header.iter().copied().chain(random.clone()).collect();
        crafted.truncate(len);
        for bytes in [random, crafted] {
            assert!(Graph::parse(bytes.clone()).is_none(), "{bytes:?}");
            put_graph(&env, &bytes);
            assert_eq!(ours(&env), expected, "a commit-graph of {len} bytes");
        }
    }
}

#[test]
fn a_truncated_or_bit_flipped_commit_graph_is_ignored() {
    let env = history();
    let expected = git_follow(&env);
    let good = real_graph(&env);
    assert!(Graph::parse(good.clone()).is_some_and(|g| g.has_filters()));
    assert_eq!(ours(&env), expected, "with the graph git wrote");
    // Every truncation and every flipped bit fails the checks: none is half read.
    for len in 0..good.len() {
        assert!(Graph::parse(good[..len].to_vec()).is_none(), "cut at {len}");
    }
    for bit in 0..good.len() * 8 {
        let mut bytes = good.clone();
        bytes[bit / 8] ^= 1 << (bit % 8);
        assert!(Graph::parse(bytes).is_none(), "bit {bit} flipped");
    }
    // End to end, a sample of both.
    for len in (0..good.len()).step_by(good.len() / 7 + 1) {
        put_graph(&env, &good[..len]);
        assert_eq!(ours(&env), expected, "a graph cut at {len} bytes");
    }
    let mut rng = StdRng::seed_from_u64(11);
    for _ in 0..6 {
        let mut bytes = good.clone();
        let bit = rng.random_range(0..bytes.len() * 8);
        bytes[bit / 8] ^= 1 << (bit % 8);
        put_graph(&env, &bytes);
        assert_eq!(ours(&env), expected, "bit {bit} flipped");
    }
}

#[test]
fn a_graph_changed_and_resealed_never_panics_the_reader() {
    let env = history();
    let good = real_graph(&env);
    let ids: Vec<git2::Oid> = env
        .git(&["rev-list", "--all"])
        .lines()
        .map(|l| l.parse().unwrap())
        .collect();
    let mut rng = StdRng::seed_from_u64(0xbad);
    let mut read = 0;
    for _ in 0..3000 {
        let mut bytes = good.clone();
        for _ in 0..rng.random_range(1..4) {
            let at = rng.random_range(0..bytes.len() - 20);
            bytes[at] = rng.random();
        }
        let Some(g) = Graph::parse(resealed(bytes)) else {
            continue;
        };
        read += 1;
        let key = g.key(&claim_file(EP2, ID));
        for id in &ids {
            if let Some(pos) = g.position(*id) {
                let _ = g.entry(pos);
                let _ = g.oid(pos);
                if let Some(key) = &key {
                    let _ = g.may_have_changed(pos, key);
                }
            }
        }
        for pos in [0, 1, usize::MAX / 2, usize::MAX] {
            let _ = g.entry(pos);
            let _ = g.oid(pos);
        }
    }
    assert!(read > 100, "most resealed changes still parse ({read})");
}
