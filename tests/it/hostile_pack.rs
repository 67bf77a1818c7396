//! A damaged pack (cut short, or a byte changed anywhere in it) never makes
//! errata give a wrong answer: each command either answers exactly as it does
//! on the whole repository, or stops saying the repository is damaged.

use std::path::Path;
use std::process::Command;

use crate::common::*;

/// The claims template with every object in one pack and no loose copy, and
/// errata's caches gone, so every answer is read from the pack.
fn packed() -> Env {
    let env = Env::with_claims();
    env.ok(&["start", "nvidia-trillion", "--assignee", "Ann"]);
    env.ok(&[
        "verdict",
        "amd-mi300x-cost",
        "unverifiable",
        "--note",
        "未能證實",
    ]);
    env.git(&["repack", "-adq"]);
    env.git(&["prune-packed", "-q"]);
    let _ = std::fs::remove_dir_all(env.path(".git/errata"));
    env
}

fn pack_file(env: &Env) -> std::path::PathBuf {
    std::fs::read_dir(env.path(".git/objects/pack"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "pack"))
        .expect("a pack")
}

/// What each command prints and its exit code.
const COMMANDS: &[&[&str]] = &[
    &["log", "--no-pager"],
    &["log", "-p", "--no-pager", "nvidia-margin"],
    &["log", "--no-pager", "amd-mi300x-cost"],
    &["show", "nvidia-trillion@HEAD~1"],
    &["diff", "HEAD~2", "HEAD"],
    &["--json", "list"],
    &["validate"],
];

fn answers(env: &Env) -> Vec<(Option<i32>, String, String)> {
    COMMANDS
        .iter()
        .map(|args| {
            let out = env.run(args);
            (
                out.status.code(),
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        })
        .collect()
}

fn copy_of(env: &Env) -> Env {
    let copy = Env::empty();
    std::fs::remove_dir_all(&copy.repo).unwrap();
    let ok = Command::new("cp")
        .arg("-a")
        .arg(&env.repo)
        .arg(&copy.repo)
        .status()
        .unwrap()
        .success();
    assert!(ok);
    copy
}

/// Each answer on the damaged copy is the whole repository's, or a stop that
/// names the damage.
fn right_or_damaged(whole: &[(Option<i32>, String, String)], env: &Env, what: &str) -> usize {
    let mut stopped = 0;
    for (args, (expect, got)) in COMMANDS.iter().zip(whole.iter().zip(answers(env))) {
        assert!(
            !got.2.contains("panicked"),
            "{what}: {args:?} panicked:\n{}",
            got.2
        );
        if (got.0, &got.1) == (expect.0, &expect.1) {
            continue;
        }
        assert_eq!(
            got.0,
            Some(1),
            "{what}: errata {args:?} answered differently:\n{}\n{}",
            got.1,
            got.2
        );
        assert!(
            got.2.contains("the repository is damaged") && got.2.contains("git fsck"),
            "{what}: errata {args:?} stopped without naming the damage:\n{}",
            got.2
        );
        stopped += 1;
        let _ = std::fs::remove_dir_all(env.path(".git/errata"));
    }
    stopped
}

#[test]
fn a_pack_cut_short_stops_every_history_command_with_the_damage_named() {
    let env = packed();
    let whole = answers(&env);
    assert!(whole.iter().all(|a| a.0 == Some(0)), "{whole:#?}");
    for fraction in [0.0, 0.25, 0.5, 0.9] {
        let copy = copy_of(&env);
        let pack = pack_file(&copy);
        let len = std::fs::metadata(&pack).unwrap().len();
        let keep = (len as f64 * fraction) as u64;
        make_writable(&pack);
        std::fs::OpenOptions::new()
            .write(true)
            .open(&pack)
            .unwrap()
            .set_len(keep)
            .unwrap();
        let stopped = right_or_damaged(&whole, &copy, &format!("pack cut at {keep} of {len}"));
        // HEAD cannot be read: every command that reads history stops.
        assert!(stopped >= 5, "cut at {keep}: only {stopped} stopped");
        // What the working tree holds is still listed, and nothing was written.
        let add = copy.run(&["add", EP, "--id", "new-one", "--claim", "c"]);
        assert_eq!(add.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&add.stderr).contains("the repository is damaged"));
        assert!(!copy.path(&claim_file(EP, "new-one")).exists());
    }
}

#[test]
fn a_byte_changed_anywhere_in_a_pack_never_gives_a_wrong_answer() {
    let env = packed();
    let whole = answers(&env);
    let pack = pack_file(&env);
    let bytes = std::fs::read(&pack).unwrap();
    // Past the 12-byte header, before the 20-byte trailer: 40 places spread
    // over the objects (ERRATA_PACK_PLACES=N for more).
    let places: usize = std::env::var("ERRATA_PACK_PLACES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let (start, end) = (12, bytes.len() - 20);
    let mut stopped = 0;
    for k in 0..places {
        let at = start + (end - start) * k / places;
        let copy = copy_of(&env);
        let pack = pack_file(&copy);
        let mut damaged = bytes.clone();
        damaged[at] ^= 0x5a;
        make_writable(&pack);
        std::fs::write(&pack, &damaged).unwrap();
        stopped += right_or_damaged(&whole, &copy, &format!("byte {at} of the pack changed"));
    }
    eprintln!("hostile_pack: {places} damaged packs, {stopped} answers stopped, the rest right");
    assert!(stopped > 0, "some damage must be met");
}

fn make_writable(path: &Path) {
    let mut perms = std::fs::metadata(path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(path, perms).unwrap();
}
