//! The history index (`.git/errata/pathindex`) and the streaming changelog,
//! end to end: `errata log ID` lists what `git log --follow` lists for every
//! claim, with the index built in that run (cold) and read (warm), through
//! merges, moves, a renamed episode folder, an amend, a reordering rebase, a
//! branch reset elsewhere (as a force-push leaves it) and a `git gc` that drops
//! the old commits; a damaged or deleted index changes no answer.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use crate::common::*;

/// Every claim file at HEAD: (id, path).
fn claims(env: &Env) -> Vec<(String, String)> {
    env.git(&["ls-files", "claims"])
        .lines()
        .filter(|p| p.ends_with(".toml") && !p.ends_with("/episode.toml"))
        .map(|p| {
            let id = p.rsplit('/').next().unwrap().trim_end_matches(".toml");
            (id.to_owned(), p.to_owned())
        })
        .collect()
}

fn ours(env: &Env, id: &str) -> Vec<String> {
    env.json(&["log", id])
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["commit"].as_str().unwrap().to_owned())
        .collect()
}

fn theirs(env: &Env, path: &str) -> Vec<String> {
    env.git(&["log", "--follow", "--format=%H", "--", path])
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Every claim's log equals git's, without the index (deleted with the rest
/// of `.git/errata/`), then with the index that run left.
fn check(env: &Env, after: &str) {
    let index = env.path(".git/errata/pathindex");
    for (id, path) in claims(env) {
        let git = theirs(env, &path);
        let _ = std::fs::remove_dir_all(env.path(".git/errata"));
        assert_eq!(ours(env, &id), git, "{id}, cold, after {after}");
        assert!(
            index.is_file(),
            "the first run leaves the index, after {after}"
        );
        assert_eq!(ours(env, &id), git, "{id}, warm, after {after}");
    }
}

fn edit(env: &Env, path: &str, from: &str, to: &str, message: &str) {
    let text = env.read(path);
    assert!(text.contains(from), "{path} holds {from}");
    env.commit_by_hand(&[(path, &text.replacen(from, to, 1))], message);
}

#[test]
fn log_equals_git_log_follow_for_every_claim_through_every_rewrite() {
    let env = Env::with_claims();
    env.ok(&["start", "nvidia-trillion", "--assignee", "小明"]);
    env.ok(&[
        "verdict",
        "amd-mi300x-cost",
        "unverifiable",
        "--note",
        "造價沒有公開資料。",
    ]);
    check(&env, "errata commits");

    // A side branch and a merge, each side changing other claims.
    let trunk = env.git(&["branch", "--show-current"]).trim().to_owned();
    env.git(&["checkout", "-q", "-b", "side"]);
    let yi = claim_file(EP, "yi-unicorn");
    edit(&env, &yi, "unverifiable", "misleading", "side: yi");
    env.git(&["checkout", "-q", &trunk]);
    let margin = claim_file(EP, "nvidia-margin");
    edit(&env, &margin, "accurate", "mostly-accurate", "main: margin");
    env.git(&["merge", "-q", "--no-ff", "--no-edit", "side"]);
    check(&env, "a merge");

    // A claim moved to another episode, then a whole episode folder renamed.
    let moved = claim_file(EP2, "chatgpt-launch");
    env.git(&["mv", &claim_file(EP, "chatgpt-launch"), &moved]);
    env.git(&["commit", "-q", "-m", "move chatgpt-launch"]);
    env.git(&["mv", "claims/graphcast-2023", "claims/graphcast-2024"]);
    env.git(&["commit", "-q", "-m", "rename the episode folder"]);
    check(&env, "a move and a renamed folder");

    // An amend that changes the content of the last commit.
    let moved = "claims/graphcast-2024/chatgpt-launch.toml";
    let text = env.read(moved);
    env.write(moved, &format!("{text}\n"));
    env.git(&[
        "commit",
        "-q",
        "-a",
        "--amend",
        "-m",
        "rename the folder, and a blank line",
    ]);
    check(&env, "an amend");

    // Two commits taken off and put back in the other order: new commits for
    // both, with other parents.
    edit(&env, &margin, "mostly-accurate", "accurate", "margin again");
    edit(&env, &yi, "misleading", "inaccurate", "yi again");
    let top = env.git(&["rev-parse", "HEAD"]).trim().to_owned();
    let second = env.git(&["rev-parse", "HEAD~1"]).trim().to_owned();
    env.git(&["reset", "-q", "--hard", "HEAD~2"]);
    env.git(&["cherry-pick", &top]);
    env.git(&["cherry-pick", &second]);
    check(&env, "a reordering rebase");

    // The branch reset to an older commit and built on differently, as a
    // force-push leaves a clone, then the dropped commits pruned.
    env.git(&["reset", "-q", "--hard", "HEAD~4"]);
    let text = env.read(&yi);
    env.commit_by_hand(&[(&yi, &format!("{text}\n\n"))], "yi, another way");
    env.git(&["reflog", "expire", "--expire=now", "--all"]);
    env.git(&["gc", "-q", "--prune=now"]);
    check(&env, "a reset and a gc");

    // A damaged index is not believed, and is rebuilt.
    let (id, path) = claims(&env).into_iter().next().unwrap();
    let index = env.path(".git/errata/pathindex");
    let mut bytes = std::fs::read(&index).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&index, &bytes).unwrap();
    assert_eq!(ours(&env, &id), theirs(&env, &path));
    std::fs::write(&index, b"not an index").unwrap();
    assert_eq!(ours(&env, &id), theirs(&env, &path));
    assert_ne!(std::fs::read(&index).unwrap(), b"not an index");
}

#[test]
fn the_changelog_is_the_same_with_and_without_the_index() {
    let env = Env::with_claims();
    env.ok(&["start", "nvidia-trillion", "--assignee", "小明"]);
    env.git(&[
        "mv",
        &claim_file(EP, "chatgpt-launch"),
        &claim_file(EP2, "chatgpt-launch"),
    ]);
    env.git(&["commit", "-q", "-m", "move chatgpt-launch"]);
    let _ = std::fs::remove_dir_all(env.path(".git/errata"));
    let without = env.json(&["log", "-p"]);
    env.ok(&["log", "nvidia-trillion"]);
    assert!(env.path(".git/errata/pathindex").is_file());
    assert_eq!(env.json(&["log", "-p"]), without);
    assert_eq!(env.ok(&["log"]), {
        let _ = std::fs::remove_dir_all(env.path(".git/errata"));
        env.ok(&["log"])
    });
    // The move is one renamed record, as git's rename detection pairs it.
    let newest = &without[0]["records"];
    assert_eq!(newest.as_array().unwrap().len(), 1, "{newest:#}");
    assert_eq!(newest[0]["change"], "renamed");
    assert_eq!(newest[0]["old_path"], claim_file(EP, "chatgpt-launch"));
    // -n limits the entries; the newest come first.
    let two = env.json(&["log", "-n", "2"]);
    assert_eq!(two.as_array().unwrap().len(), 2);
    assert_eq!(two[0]["commit"], without[0]["commit"]);
}

#[test]
fn the_changelog_shows_its_first_entry_before_the_walk_reaches_the_end() {
    let env = Env::with_claims();
    env.ok(&["start", "nvidia-trillion", "--assignee", "小明"]);
    // Break the oldest commit: its tree is gone, so the whole log cannot be
    // made. What is printed before the walk reaches it was streamed.
    let root = env
        .git(&["rev-list", "--max-parents=0", "HEAD"])
        .trim()
        .to_owned();
    let tree = env
        .git(&["rev-parse", &format!("{root}^{{tree}}")])
        .trim()
        .to_owned();
    let loose = env.path(&format!(".git/objects/{}/{}", &tree[..2], &tree[2..]));
    assert!(loose.is_file(), "the test repository keeps loose objects");
    std::fs::remove_file(&loose).unwrap();
    let whole = env.run(&["log", "--no-pager"]);
    assert_eq!(
        whole.status.code(),
        Some(1),
        "the whole log needs the root commit"
    );

    let mut child = env
        .errata_process()
        .args(["log", "--no-pager"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let head = env
        .git(&["rev-parse", "--short=7", "HEAD"])
        .trim()
        .to_owned();
    assert!(first.starts_with(&head), "{first}");
    assert!(first.contains("start: nvidia-trillion"), "{first}");
    let _ = child.wait();

    // -n stops the walk where it has enough.
    let one = env.ok(&["log", "-n", "1"]);
    assert!(one.starts_with(&head), "{one}");
}

/// Wait for the background build of the history index, if one runs: what a
/// cold `errata log ID` on a long history starts. At most a minute.
fn settle(env: &Env) {
    let lock = env.path(".git/errata/pathindex.lock");
    let since = std::time::Instant::now();
    while lock.exists() {
        assert!(
            since.elapsed() < std::time::Duration::from_secs(60),
            "the background build of the history index did not end"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Remove `.git/errata/`, once no background build is writing to it.
fn forget_index(env: &Env) {
    settle(env);
    let _ = std::fs::remove_dir_all(env.path(".git/errata"));
}

/// Add a line of `n` commits on top of the claims, made by fast-import: most
/// edit one of four claims in turn, every seventh changes no record, and at
/// the 700th `yi-unicorn` is renamed `yi-unicorn-2023`.
fn long_line(env: &Env, n: u32) {
    let branch = env.git(&["symbolic-ref", "HEAD"]).trim().to_owned();
    let head = env.git(&["rev-parse", "HEAD"]).trim().to_owned();
    let ids = [
        "nvidia-trillion",
        "amd-mi300x-cost",
        "nvidia-margin",
        "yi-unicorn",
    ];
    let mut stream = String::new();
    let mut renamed = false;
    for n in 0..n {
        let data = |s: &str| format!("data {}\n{s}\n", s.len());
        stream.push_str(&format!(
            "commit {branch}\ncommitter Ann Editor <ann@example.org> {} +0000\n{}",
            1_704_067_200 + u64::from(n) * 60,
            data(&format!("step {n}"))
        ));
        if n == 0 {
            stream.push_str(&format!("from {head}\n"));
        }
        let id = ids[n as usize % ids.len()];
        let path = if renamed && id == "yi-unicorn" {
            claim_file(EP, "yi-unicorn-2023")
        } else {
            claim_file(EP, id)
        };
        if n == 700 {
            stream.push_str(&format!(
                "R {} {}\n",
                claim_file(EP, "yi-unicorn"),
                claim_file(EP, "yi-unicorn-2023")
            ));
            renamed = true;
        } else if n % 7 == 3 {
            // A commit that changes no record.
            stream.push_str(&format!(
                "M 100644 inline NOTES.md\n{}",
                data(&format!("{n}"))
            ));
        } else {
            let text = format!("status = \"needs-check\"\nclaim = \"c\"\nnote = \"edit {n}\"\n");
            stream.push_str(&format!("M 100644 inline {path}\n{}", data(&text)));
        }
    }
    let imported = env.git_with_input(&["fast-import", "--quiet"], &stream);
    assert!(!imported.contains("fatal"), "{imported}");
    env.git(&["reset", "-q", "--hard"]);
}

/// A line of commits long enough that a cold walk indexes ahead in stretches
/// split over threads, and past its first stretch follows the path alone:
/// every claim's log is still exactly git's, cold and warm, through a rename
/// in the middle of the line.
#[test]
fn a_long_line_of_commits_indexed_ahead_in_parallel_answers_as_git() {
    let env = Env::with_claims();
    long_line(&env, 1_500);
    let now: Vec<(String, String)> = claims(&env);
    assert!(now.iter().any(|(id, _)| id == "yi-unicorn-2023"));
    for indexing in ["true", "false"] {
        env.git(&["config", "errata.indexInBackground", indexing]);
        for warmth in ["cold", "warm"] {
            for (id, path) in &now {
                if warmth == "cold" {
                    forget_index(&env);
                }
                assert_eq!(
                    ours(&env, id),
                    theirs(&env, path),
                    "{id}, {warmth}, in the background: {indexing}"
                );
            }
        }
    }
}

/// Commits with exactly one parent: what the history index lists.
fn single_parent_commits(env: &Env) -> usize {
    env.git(&[
        "rev-list",
        "--count",
        "--min-parents=1",
        "--max-parents=1",
        "HEAD",
    ])
    .trim()
    .parse()
    .unwrap()
}

/// On a long history the first walk answers without indexing all of it, and
/// a build in the background indexes the rest, so that the next walk reads
/// the index; `errata index` builds it in full in the foreground, and with
/// `errata.indexInBackground` false the walk indexes everything itself.
#[test]
fn a_first_walk_on_a_long_history_leaves_the_rest_to_a_background_build() {
    let env = Env::with_claims();
    long_line(&env, 1_500);
    let index = |env: &Env| env.json(&["index"])["indexed"].as_u64().unwrap() as usize;
    let all = single_parent_commits(&env);
    assert!(all > 1_500, "{all}");
    let (id, path) = ("nvidia-trillion", claim_file(EP, "nvidia-trillion"));

    forget_index(&env);
    assert_eq!(index(&env), all, "errata index from nothing");
    assert_eq!(index(&env), 0, "and again: nothing left");

    // Cold: the answer is git's, and the build it leaves behind indexes the rest.
    forget_index(&env);
    assert_eq!(ours(&env, id), theirs(&env, &path), "cold");
    settle(&env);
    assert!(env.path(".git/errata/pathindex").is_file());
    assert_eq!(index(&env), 0, "the background build left nothing to index");
    assert_eq!(ours(&env, id), theirs(&env, &path), "warm");

    // In the foreground: no build is started, and none is needed.
    env.git(&["config", "errata.indexInBackground", "false"]);
    forget_index(&env);
    assert_eq!(
        ours(&env, id),
        theirs(&env, &path),
        "cold, in the foreground"
    );
    assert!(!env.path(".git/errata/pathindex.lock").exists());
    assert_eq!(index(&env), 0, "the walk indexed everything itself");

    // A build under way (its lock held): `errata index` waits for it, says so,
    // and goes on once it ends.
    forget_index(&env);
    std::fs::create_dir_all(env.path(".git/errata")).unwrap();
    std::fs::write(env.path(".git/errata/pathindex.lock"), "").unwrap();
    let mut waiting = env
        .errata_process()
        .args(["index"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(
        waiting.try_wait().unwrap().is_none(),
        "errata index waits while the lock is held"
    );
    std::fs::remove_file(env.path(".git/errata/pathindex.lock")).unwrap();
    let done = waiting.wait_with_output().unwrap();
    assert!(done.status.success());
    let said = String::from_utf8_lossy(&done.stderr);
    assert!(
        said.contains("Waiting for the history index build"),
        "{said}"
    );
    assert!(said.contains(&format!("Indexed {all} commits")), "{said}");
}
