//! `errata sync` and plain `git pull` on a desk: clones of one repository
//! sharing a bare remote, each editor changing records at once.

use std::path::Path;

use crate::common::*;

/// A bare remote and clones of it, the first seeded from the claims template.
pub struct Desk {
    _remote_dir: tempfile::TempDir,
    pub clones: Vec<Env>,
}

impl Desk {
    pub fn new(editors: usize) -> Desk {
        let dir = tempfile::Builder::new()
            .prefix("errata-remote-")
            .tempdir()
            .unwrap();
        let remote = dir.path().join("desk.git");
        let first = Env::with_claims();
        let out = first
            .git_cmd()
            .args(["init", "-q", "--bare"])
            .arg(&remote)
            .output()
            .unwrap();
        assert!(out.status.success());
        first.git(&["remote", "add", "origin", remote.to_str().unwrap()]);
        first.git(&["push", "-q", "-u", "origin", "HEAD"]);
        let mut clones = vec![first];
        for _ in 1..editors {
            clones.push(clone_of(&remote));
        }
        Desk {
            _remote_dir: dir,
            clones,
        }
    }
}

/// A fresh `git clone` of `remote`, as an editor makes one.
pub fn clone_of(remote: &Path) -> Env {
    let env = Env::empty();
    std::fs::remove_dir(&env.repo).unwrap();
    let out = env
        .git_cmd()
        .current_dir(&env.root)
        .args(["clone", "-q"])
        .arg(remote)
        .arg(&env.repo)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    env
}

/// The tree HEAD points at, to compare clones.
pub fn tree(env: &Env) -> String {
    env.git(&["rev-parse", "HEAD^{tree}"]).trim().to_owned()
}

fn urls(env: &Env, id: &str) -> Vec<String> {
    env.claim(id)["sources"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["url"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn two_editors_citing_one_claim_both_keep_their_source() {
    let desk = Desk::new(2);
    let (a, b) = (&desk.clones[0], &desk.clones[1]);
    a.ok(&[
        "source",
        "nvidia-margin",
        "--url",
        "https://example.org/a",
        "--title",
        "A's source",
    ]);
    b.ok(&[
        "source",
        "nvidia-margin",
        "--url",
        "https://example.org/b",
        "--title",
        "B's source",
    ]);
    let out = a.run(&["sync"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let synced = b.json(&["sync"]);
    assert_eq!(synced["integrated"], "merge", "{synced}");
    assert_eq!(synced["merged_records"], 1);
    let again = a.json(&["sync"]);
    assert_eq!(again["integrated"], "fast-forward", "{again}");

    assert_eq!(tree(a), tree(b), "both clones hold the same records");
    for env in [a, b] {
        let mut got = urls(env, "nvidia-margin");
        got.sort();
        assert_eq!(
            got,
            ["https://example.org/a", "https://example.org/b", URL_NVIDIA],
            "no citation lost"
        );
        env.git(&["fsck", "--strict"]);
        env.ok(&["validate"]);
        env.assert_clean("after sync");
    }
    // B's merge commit has both lines of history, and both editors' commits.
    let parents = b.git(&["log", "-1", "--format=%p"]);
    assert_eq!(parents.split_whitespace().count(), 2, "a merge: {parents}");
    let message = b.git(&["log", "-1", "--format=%B"]);
    assert!(message.starts_with("sync: merge origin/"), "{message}");
    assert!(message.contains("Errata-Sync: origin/"), "{message}");
    let subjects = a.git(&["log", "--format=%s", "-4"]);
    assert_eq!(
        subjects
            .lines()
            .filter(|s| s.starts_with("source: nvidia-margin"))
            .count(),
        2,
        "{subjects}"
    );
}

#[test]
fn two_verdicts_stop_the_sync_mid_merge_as_git_merge_would() {
    let desk = Desk::new(2);
    let (a, b) = (&desk.clones[0], &desk.clones[1]);
    a.ok(&["verdict", "nvidia-margin", "mostly-accurate"]);
    b.ok(&["verdict", "nvidia-margin", "misleading"]);
    a.ok(&["sync"]);
    let head = b.git(&["rev-parse", "HEAD"]);
    let out = b.run(&["sync"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let path = claim_file(EP, "nvidia-margin");
    assert!(
        stderr.contains(&path) && stderr.contains("verdict"),
        "{stderr}"
    );
    assert!(stderr.contains("git merge --abort"), "{stderr}");
    // git itself sees an unfinished merge with this record unmerged.
    let status = b.git(&["status", "--porcelain"]);
    assert!(status.contains(&format!("UU {path}")), "{status}");
    assert!(b.path(".git/MERGE_HEAD").is_file());
    let text = b.read(&path);
    assert!(
        text.contains("<<<<<<< ") && text.contains(">>>>>>> origin/"),
        "{text}"
    );
    // errata names it, and a second sync refuses until it is finished.
    let validate = b.run(&["validate"]);
    assert!(String::from_utf8_lossy(&validate.stdout).contains("unresolved merge conflict"));
    b.refused(&["sync"], 2, &["a merge is under way"]);
    // Abort goes back to where the editor was.
    b.git(&["merge", "--abort"]);
    assert_eq!(b.git(&["rev-parse", "HEAD"]), head);
    b.assert_clean("after abort");
}

#[test]
fn sync_refuses_uncommitted_records_and_changes_nothing() {
    let desk = Desk::new(1);
    let a = &desk.clones[0];
    let path = claim_file(EP, "nvidia-trillion");
    let text = a.read(&path);
    a.write(&path, &format!("{text}# a hand edit\n"));
    a.refused(&["sync"], 2, &["uncommitted changes", &path, "commit them"]);
}

#[test]
fn sync_to_an_empty_remote_pushes_and_then_is_up_to_date() {
    let a = Env::with_claims();
    let dir = tempfile::tempdir().unwrap();
    let remote = dir.path().join("empty.git");
    let out = a
        .git_cmd()
        .args(["init", "-q", "--bare"])
        .arg(&remote)
        .output()
        .unwrap();
    assert!(out.status.success());
    let synced = a.json(&["sync", remote.to_str().unwrap()]);
    assert_eq!(synced["integrated"], "none", "{synced}");
    let theirs = a
        .git_cmd()
        .arg("--git-dir")
        .arg(&remote)
        .args(["rev-parse", "HEAD"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&theirs.stdout),
        a.git(&["rev-parse", "HEAD"]),
        "pushed"
    );
    let again = a.json(&["sync", remote.to_str().unwrap()]);
    assert_eq!(again["integrated"], "up-to-date", "{again}");
}
