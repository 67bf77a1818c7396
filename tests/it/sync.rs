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
        bare_remote(&remote);
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
fn sync_refuses_to_merge_over_uncommitted_records_and_changes_nothing() {
    let desk = Desk::new(2);
    let (a, b) = (&desk.clones[0], &desk.clones[1]);
    a.ok(&["start", "nvidia-trillion", "--assignee", "Ann"]);
    a.ok(&["sync"]);
    // B has a hand edit in progress on the record A changed: refused.
    let path = claim_file(EP, "nvidia-trillion");
    let text = b.read(&path);
    b.write(&path, &format!("{text}# a hand edit\n"));
    b.refused(&["sync"], 2, &["uncommitted changes", &path, "commit them"]);
    // Work in progress on a record the merge leaves alone is no obstacle, as
    // with `git merge`; it stays as it was.
    b.write(&path, &text);
    let other = claim_file(EP, "yi-unicorn");
    let draft = format!("{}# still thinking\n", b.read(&other));
    b.write(&other, &draft);
    b.ok(&["sync"]);
    assert_eq!(b.read(&other), draft);
    assert_eq!(b.claim("nvidia-trillion")["status"], "checking");
}

#[test]
fn sync_to_an_empty_remote_pushes_and_then_is_up_to_date() {
    let a = Env::with_claims();
    let dir = tempfile::tempdir().unwrap();
    let remote = dir.path().join("empty.git");
    bare_remote(&remote);
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

// ------------------------------------------------------------ a grid of edits

/// How the second editor takes in the first one's pushed work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Way {
    /// `git pull` in a clone where `errata setup` registered the driver.
    PullWithDriver,
    /// `git pull` where nobody ran `errata setup`: git's line merge.
    PullWithoutDriver,
    /// `errata sync`.
    Sync,
}

impl Way {
    /// Take in the remote's commits and push; whether it merged cleanly.
    fn integrate(self, env: &Env) -> bool {
        match self {
            Way::Sync => {
                let out = env.run(&["sync"]);
                match out.status.code() {
                    Some(0) => true,
                    Some(1) => false,
                    other => panic!(
                        "sync exit {other:?}: {}",
                        String::from_utf8_lossy(&out.stderr)
                    ),
                }
            }
            Way::PullWithDriver | Way::PullWithoutDriver => {
                let pulled = env
                    .git_cmd()
                    .args(["-c", "pull.rebase=false", "pull", "-q", "--no-edit"])
                    .output()
                    .unwrap();
                if !pulled.status.success() {
                    return false;
                }
                env.git(&["push", "-q"]);
                true
            }
        }
    }

    fn prepare(self, env: &Env) {
        if self == Way::PullWithDriver {
            env.ok(&["setup"]);
        }
    }
}

/// Replace `from` by `to` in a record and commit it with plain git, as an
/// editor with a text editor would.
fn hand_edit(env: &Env, id: &str, from: &str, to: &str) {
    let path = claim_file(EP, id);
    let text = env.read(&path);
    assert!(text.contains(from), "{from:?} in {text}");
    env.commit_by_hand(
        &[(&path, &text.replacen(from, to, 1))],
        &format!("edit {id} by hand"),
    );
}

type Step = fn(&Env);
type Check = fn(&Env);

struct Case {
    name: &'static str,
    /// Committed and shared by everyone before the two edits.
    before: Option<Step>,
    a: Step,
    b: Step,
    /// Whether errata (driver or sync) merges it cleanly.
    clean: bool,
    /// On a clean merge: what every clone must hold afterwards.
    check: Check,
    /// On a conflict: the records it is in.
    conflicted: &'static [&'static str],
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "both cite sources",
            before: None,
            a: |e| {
                e.ok(&[
                    "source",
                    "nvidia-margin",
                    "--url",
                    "https://example.org/a",
                    "--title",
                    "A",
                ])
                .truncate(0)
            },
            b: |e| {
                e.ok(&[
                    "source",
                    "nvidia-margin",
                    "--url",
                    "https://example.org/b",
                    "--title",
                    "B",
                ])
                .truncate(0)
            },
            clean: true,
            check: |e| {
                let mut got = urls(e, "nvidia-margin");
                got.sort();
                assert_eq!(
                    got,
                    ["https://example.org/a", "https://example.org/b", URL_NVIDIA]
                );
            },
            conflicted: &[],
        },
        Case {
            name: "a verdict against a note edit",
            before: None,
            a: |e| {
                e.ok(&[
                    "verdict",
                    "amd-mi300x-cost",
                    "inaccurate",
                    "--source",
                    "https://example.org/amd",
                ])
                .truncate(0)
            },
            b: |e| {
                hand_edit(
                    e,
                    "amd-mi300x-cost",
                    "tags = ",
                    "note = \"MI300X 的造價沒有公開數字。\"\ntags = ",
                )
            },
            clean: true,
            check: |e| {
                let c = e.claim("amd-mi300x-cost");
                assert_eq!(c["verdict"], "inaccurate");
                assert_eq!(c["note"], "MI300X 的造價沒有公開數字。");
                assert_eq!(urls(e, "amd-mi300x-cost"), ["https://example.org/amd"]);
            },
            conflicted: &[],
        },
        Case {
            name: "tags on both sides",
            before: None,
            a: |e| {
                hand_edit(
                    e,
                    "nvidia-trillion",
                    "tags = [\"nvidia\"]",
                    "tags = [\"nvidia\", \"market-cap\"]",
                )
            },
            b: |e| {
                hand_edit(
                    e,
                    "nvidia-trillion",
                    "tags = [\"nvidia\"]",
                    "tags = [\"nvidia\", \"輝達\"]",
                )
            },
            clean: true,
            check: |e| {
                let tags = e.claim("nvidia-trillion")["tags"].clone();
                let mut tags: Vec<String> = serde_json::from_value(tags).unwrap();
                tags.sort();
                assert_eq!(tags, ["market-cap", "nvidia", "輝達"]);
            },
            conflicted: &[],
        },
        Case {
            name: "note paragraphs on both sides",
            before: Some(|e| {
                e.ok(&[
                    "verdict",
                    "nvidia-margin",
                    "accurate",
                    "--note",
                    "第一段：毛利率。\n\n第二段：來源。\n\n第三段：結論。",
                ]);
            }),
            a: |e| {
                hand_edit(
                    e,
                    "nvidia-margin",
                    "第一段：毛利率。",
                    "第一段：GAAP 毛利率 74.0%。",
                )
            },
            b: |e| hand_edit(e, "nvidia-margin", "第三段：結論。", "第三段：結論成立。"),
            clean: true,
            check: |e| {
                assert_eq!(
                    e.claim("nvidia-margin")["note"],
                    "第一段：GAAP 毛利率 74.0%。\n\n第二段：來源。\n\n第三段：結論成立。"
                );
            },
            conflicted: &[],
        },
        Case {
            name: "two different verdicts",
            before: None,
            a: |e| {
                e.ok(&["verdict", "nvidia-margin", "mostly-accurate"])
                    .truncate(0)
            },
            b: |e| {
                e.ok(&["verdict", "nvidia-margin", "misleading"])
                    .truncate(0)
            },
            clean: false,
            check: |_| {},
            conflicted: &["nvidia-margin"],
        },
        Case {
            name: "modified on one side, deleted on the other",
            before: None,
            a: |e| {
                e.ok(&["start", "nvidia-trillion", "--assignee", "Ann"])
                    .truncate(0)
            },
            b: |e| {
                e.git(&["rm", "-q", &claim_file(EP, "nvidia-trillion")]);
                e.git(&["commit", "-q", "-m", "drop a duplicate claim"]);
            },
            clean: false,
            check: |_| {},
            conflicted: &["nvidia-trillion"],
        },
        Case {
            name: "new claims in one episode from both",
            before: None,
            a: |e| {
                e.add(&[EP, "--id", "from-a", "--claim", "A logged this."])
                    .truncate(0)
            },
            b: |e| {
                e.add(&[EP, "--id", "from-b", "--claim", "B logged this."])
                    .truncate(0)
            },
            clean: true,
            check: |e| {
                assert_eq!(e.claim("from-a")["claim"], "A logged this.");
                assert_eq!(e.claim("from-b")["claim"], "B logged this.");
            },
            conflicted: &[],
        },
        Case {
            name: "a correction naming a claim the other side re-judged",
            before: None,
            a: |e| {
                e.ok(&[
                    "correct",
                    "graphcast-no-supercomputers",
                    "--episode",
                    EP,
                    "--at",
                    "06:07",
                    "--text",
                    "GraphCast 仍需要超級電腦準備初始資料。",
                    "--id",
                    "graphcast-fix",
                ]);
            },
            b: |e| {
                e.ok(&[
                    "verdict",
                    "graphcast-no-supercomputers",
                    "misleading",
                    "--note",
                    "說法誤導，但不算全錯。",
                ])
                .truncate(0)
            },
            clean: true,
            check: |e| {
                let c = e.claim("graphcast-no-supercomputers");
                assert_eq!(c["status"], "corrected");
                assert_eq!(c["verdict"], "misleading");
                assert_eq!(c["note"], "說法誤導，但不算全錯。");
                assert!(e.path("corrections/graphcast-fix.toml").is_file());
            },
            conflicted: &[],
        },
    ]
}

/// Run one case one way; whether errata (or git) merged it cleanly.
fn run_case(case: &Case, way: Way) -> bool {
    let what = format!("{} ({way:?})", case.name);
    let desk = Desk::new(3);
    let [a, b, c] = &desk.clones[..] else {
        unreachable!()
    };
    if let Some(before) = case.before {
        before(a);
        a.git(&["push", "-q"]);
        for e in [b, c] {
            e.git(&["pull", "-q", "--ff-only"]);
        }
    }
    for e in [a, b, c] {
        way.prepare(e);
    }
    (case.a)(a);
    (case.b)(b);
    assert!(
        way.integrate(a),
        "{what}: the first to share has nothing to merge"
    );
    let clean = way.integrate(b);
    if way == Way::PullWithoutDriver {
        return clean;
    }
    assert_eq!(clean, case.clean, "{what}: merged cleanly?");
    if !clean {
        // The conflicts are exactly the ones expected, and named as such.
        let validate = b.run(&["validate"]);
        let stdout = String::from_utf8_lossy(&validate.stdout);
        let named: Vec<&str> = stdout
            .lines()
            .filter(|l| l.contains("unresolved merge conflict"))
            .collect();
        assert_eq!(named.len(), case.conflicted.len(), "{what}:\n{stdout}");
        for id in case.conflicted {
            assert!(
                named.iter().any(|l| l.starts_with(&claim_file(EP, id))),
                "{what}: {id} in\n{stdout}"
            );
        }
        return false;
    }
    for e in [a, c] {
        assert!(way.integrate(e), "{what}: catching up is a fast-forward");
    }
    let trees: Vec<String> = [a, b, c].iter().map(|e| tree(e)).collect();
    assert!(
        trees.iter().all(|t| *t == trees[0]),
        "{what}: every clone holds the same tree"
    );
    for e in [a, b, c] {
        e.git(&["fsck", "--strict"]);
        let v = e.run(&["validate"]);
        assert!(
            v.status.success(),
            "{what}: {}",
            String::from_utf8_lossy(&v.stdout)
        );
        (case.check)(e);
    }
    true
}

#[test]
fn a_grid_of_concurrent_edits_merges_field_by_field_three_ways() {
    let cases = cases();
    // Each case on its own desk, the cases side by side.
    let plain_git: Vec<(&str, bool)> = std::thread::scope(|s| {
        let runs: Vec<_> = cases
            .iter()
            .map(|case| {
                s.spawn(move || {
                    run_case(case, Way::PullWithDriver);
                    run_case(case, Way::Sync);
                    (case.name, run_case(case, Way::PullWithoutDriver))
                })
            })
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    });
    let plain_git_conflicts: Vec<&str> = plain_git
        .iter()
        .filter(|(_, clean)| !clean)
        .map(|(name, _)| *name)
        .collect();
    // What the driver saves: plain git stops on these, errata merges them.
    for name in [
        "both cite sources",
        "tags on both sides",
        "a correction naming a claim the other side re-judged",
    ] {
        assert!(
            plain_git_conflicts.contains(&name),
            "{name}: {plain_git_conflicts:?}"
        );
    }
    eprintln!("plain git pull conflicted on: {plain_git_conflicts:?}");
}

#[test]
fn when_the_remote_moves_between_fetch_and_push_sync_merges_again() {
    let desk = Desk::new(2);
    let (a, b) = (&desk.clones[0], &desk.clones[1]);
    // B's citation reaches the remote under another name; the remote's hook
    // moves the branch to it while A's first push is being received, as if B
    // had pushed in between A's fetch and A's push.
    b.ok(&[
        "source",
        "nvidia-margin",
        "--url",
        "https://example.org/b",
        "--title",
        "B",
    ]);
    b.git(&["push", "-q", "origin", "HEAD:refs/heads/in-between"]);
    let remote = a.git(&["remote", "get-url", "origin"]);
    let hook = Path::new(remote.trim()).join("hooks/pre-receive");
    std::fs::write(
        &hook,
        "#!/bin/sh\nif [ ! -e moved ]; then touch moved; env -u GIT_QUARANTINE_PATH git update-ref refs/heads/master refs/heads/in-between; fi\ncat >/dev/null\n",
    )
    .unwrap();
    let mut perms = std::fs::metadata(&hook).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&hook, perms).unwrap();

    a.ok(&[
        "source",
        "nvidia-margin",
        "--url",
        "https://example.org/a",
        "--title",
        "A",
    ]);
    let synced = a.json(&["sync"]);
    assert_eq!(synced["rounds"], 2, "{synced}");
    assert_eq!(synced["integrated"], "merge", "{synced}");
    let mut got = urls(a, "nvidia-margin");
    got.sort();
    assert_eq!(
        got,
        ["https://example.org/a", "https://example.org/b", URL_NVIDIA]
    );
    b.ok(&["sync"]);
    assert_eq!(tree(a), tree(b));
}

#[test]
fn a_clone_with_no_commit_yet_takes_the_remotes_and_an_empty_desk_is_refused() {
    let desk = Desk::new(1);
    let remote = desk.clones[0].git(&["remote", "get-url", "origin"]);
    // An editor starts from `git init` and a remote, not from `git clone`.
    let fresh = Env::empty();
    fresh.git(&["init", "-q"]);
    fresh.git(&["remote", "add", "origin", remote.trim()]);
    let synced = fresh.json(&["sync"]);
    assert_eq!(synced["integrated"], "fast-forward", "{synced}");
    assert_eq!(tree(&fresh), tree(&desk.clones[0]));
    fresh.ok(&["validate"]);

    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.git");
    bare_remote(&empty);
    let nobody = Env::empty();
    nobody.git(&["init", "-q"]);
    nobody.refused(
        &["sync", empty.to_str().unwrap()],
        2,
        &["has a commit yet", "errata init"],
    );
}
