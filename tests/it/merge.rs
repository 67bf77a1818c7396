//! The three-way merge of records: the corpus under `tests/merge/` run through
//! the library and through `errata merge-driver` exactly as git calls it, and
//! `git merge` itself with the driver configured.
//!
//! To write the corpus' expected files from what the merge gives now (then
//! read every changed one before committing it): `ERRATA_BLESS=1 cargo test
//! --test it merge::`.

use std::path::Path;

use errata::merge::{Labels, Outcome, merge};
use errata::model::Settings;
use errata::store::{Parsed, parse_at, parse_toml};
use errata::validate::rules;

use crate::common::{Env, MergeCase, MergeExpected, merge_cases, resolve_conflict};

fn expected_of(outcome: &Outcome) -> MergeExpected {
    match outcome {
        Outcome::Clean(Some(text)) => MergeExpected::Clean(text.clone()),
        Outcome::Clean(None) => MergeExpected::Deleted,
        Outcome::Conflicted { text, .. } => MergeExpected::Conflict(text.clone()),
    }
}

fn bless(case: &MergeCase, got: &MergeExpected) {
    for f in ["expected.toml", "expected.conflict", "expected.deleted"] {
        let _ = std::fs::remove_file(case.dir.join(f));
    }
    let (file, text) = match got {
        MergeExpected::Clean(t) => ("expected.toml", t.as_str()),
        MergeExpected::Conflict(t) => ("expected.conflict", t.as_str()),
        MergeExpected::Deleted => ("expected.deleted", ""),
    };
    std::fs::write(case.dir.join(file), text).unwrap();
}

/// Whether `text`, as the file at `path`, keeps the rules of one record (no
/// transcript), as the merge must check them; files that are not records pass.
pub fn keeps_rules(path: &str, text: &str) -> Result<(), String> {
    let found: Vec<String> = if path == "errata.toml" {
        match parse_toml::<Settings>(path, text.as_bytes()) {
            Ok(s) => rules::settings(&s).iter().map(|v| v.to_string()).collect(),
            Err(p) => vec![p.message],
        }
    } else if !path.ends_with(".toml") {
        Vec::new()
    } else {
        match parse_at(path, text.as_bytes()) {
            Parsed::Claim(c) => rules::claim(&c, None)
                .iter()
                .map(|v| v.to_string())
                .collect(),
            Parsed::Episode(e) => rules::episode(&e).iter().map(|v| v.to_string()).collect(),
            Parsed::Correction(c) => rules::correction(&c, None)
                .iter()
                .map(|v| v.to_string())
                .collect(),
            Parsed::Bad(p) => vec![p.message],
        }
    };
    if found.is_empty() {
        Ok(())
    } else {
        Err(found.join("; "))
    }
}

fn show(e: &MergeExpected) -> String {
    match e {
        MergeExpected::Clean(t) => format!("clean:\n{t}"),
        MergeExpected::Conflict(t) => format!("conflict:\n{t}"),
        MergeExpected::Deleted => "deleted".into(),
    }
}

#[test]
fn the_corpus_merges_as_expected_through_the_library() {
    let cases = merge_cases();
    assert!(cases.len() >= 40, "only {} merge cases", cases.len());
    let blessing = std::env::var_os("ERRATA_BLESS").is_some();
    let mut failures = Vec::new();
    for case in &cases {
        let outcome = merge(
            &case.path,
            case.base.as_deref(),
            case.ours.as_deref(),
            case.theirs.as_deref(),
            &Labels::default(),
            7,
        );
        let got = expected_of(&outcome);
        if blessing {
            bless(case, &got);
            continue;
        }
        if got != case.expected {
            failures.push(format!(
                "{}: expected {}\n--- got {}",
                case.name,
                show(&case.expected),
                show(&got)
            ));
        }
        // A clean merge keeps the rules; a conflict always names what it is.
        match &outcome {
            Outcome::Clean(Some(text)) => {
                if let Err(e) = keeps_rules(&case.path, text) {
                    failures.push(format!("{}: clean but breaks a rule: {e}", case.name));
                }
            }
            Outcome::Conflicted { conflicts, .. } if conflicts.is_empty() => {
                failures.push(format!("{}: a conflict that names nothing", case.name));
            }
            _ => {}
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

/// Deleting one side of every conflict, and the markers, leaves a valid
/// record whenever both sides were valid records on their own.
#[test]
fn resolving_each_conflict_to_one_side_leaves_a_valid_record() {
    for case in merge_cases() {
        let MergeExpected::Conflict(text) = &case.expected else {
            continue;
        };
        let valid = |side: &Option<String>| {
            side.as_deref()
                .is_some_and(|s| keeps_rules(&case.path, s).is_ok())
        };
        if !(valid(&case.ours) && valid(&case.theirs)) {
            continue;
        }
        for keep_ours in [true, false] {
            let resolved = resolve_conflict(text, keep_ours, 7);
            if let Err(e) = keeps_rules(&case.path, &resolved) {
                panic!(
                    "{}: keeping {} gives an invalid record ({e}):\n{resolved}",
                    case.name,
                    if keep_ours { "ours" } else { "theirs" }
                );
            }
        }
    }
}

/// The driver as git runs it: the three sides in temporary files, `%L` 7, the
/// path, the labels (the placeholders themselves, as git before 2.44 passes
/// them, for every other case); the exit code says clean or conflicted, and %A
/// holds the result.
#[test]
fn the_corpus_merges_as_expected_through_the_merge_driver() {
    let env = Env::empty();
    let mut failures = Vec::new();
    let mut ran = 0;
    for (i, case) in merge_cases().iter().enumerate() {
        // git runs a driver only where both sides have the file.
        let (Some(ours), Some(theirs)) = (&case.ours, &case.theirs) else {
            continue;
        };
        let dir = env.root.join(format!("case-{i}"));
        std::fs::create_dir_all(&dir).unwrap();
        let (o, a, b) = (
            dir.join(".merge_file_O"),
            dir.join(".merge_file_A"),
            dir.join(".merge_file_B"),
        );
        std::fs::write(&o, case.base.as_deref().unwrap_or("")).unwrap();
        std::fs::write(&a, ours).unwrap();
        std::fs::write(&b, theirs).unwrap();
        let labels: [&str; 3] = if i % 2 == 0 {
            ["merged common ancestors", "ours", "theirs"]
        } else {
            ["%S", "%X", "%Y"]
        };
        let arg = |p: &Path| p.to_string_lossy().into_owned();
        let out = env
            .errata_in(&dir)
            .args([
                "merge-driver",
                &arg(&o),
                &arg(&a),
                &arg(&b),
                "7",
                &case.path,
            ])
            .args(labels)
            .output()
            .unwrap();
        ran += 1;
        let result = std::fs::read_to_string(&a).unwrap();
        let (want_code, want_text) = match &case.expected {
            MergeExpected::Clean(t) => (0, t.as_str()),
            MergeExpected::Conflict(t) => (1, t.as_str()),
            MergeExpected::Deleted => {
                failures.push(format!("{}: a deletion with both sides present", case.name));
                continue;
            }
        };
        let stderr = String::from_utf8_lossy(&out.stderr);
        if out.status.code() != Some(want_code) || result != want_text {
            failures.push(format!(
                "{}: exit {:?} (want {want_code}), stderr:\n{stderr}\n%A:\n{result}",
                case.name,
                out.status.code()
            ));
        }
        if want_code == 1 && !stderr.contains(&format!("errata: {}: ", case.path)) {
            failures.push(format!(
                "{}: no conflict named on stderr:\n{stderr}",
                case.name
            ));
        }
    }
    assert!(ran >= 30, "only {ran} cases ran through the driver");
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

const GIT_CLAIM: &str = "claims/top10-ai-2023/nvidia-gross-margin.toml";

const GIT_BASE: &str = r#"status = "checking"
said_at = "18:08~19:08"
speaker = "哈利"
quote = "他的利潤高達70幾%耶"
claim = "NVIDIA's gross profit margin is above 70%."
tags = ["nvidia", "chips"]
assignee = "科技浪 fact-check desk"
"#;

const GIT_SOURCE_A: &str = r#"
[[sources]]
title = "NVIDIA Announces Financial Results for Third Quarter Fiscal 2024"
url = "https://nvidianews.nvidia.com/news/nvidia-announces-financial-results-for-third-quarter-fiscal-2024"
publisher = "NVIDIA"
published = 2023-11-21
excerpt = "GAAP gross margin was 74.0%"
"#;

const GIT_SOURCE_B: &str = r#"
[[sources]]
title = "輝達上季毛利率74% 營收年增逾2倍"
url = "https://www.cna.com.tw/news/afe/202311220010.aspx"
publisher = "中央社"
excerpt = "毛利率達74%"
"#;

/// A repository with one claim being checked, committed on `main` with the
/// `.gitattributes` that names errata's driver.
fn git_repository() -> Env {
    let env = Env::empty();
    env.git(&["init", "-q", "-b", "main"]);
    env.commit_by_hand(
        &[
            (
                ".gitattributes",
                "claims/** merge=errata\ncorrections/*.toml merge=errata\nerrata.toml merge=errata\n",
            ),
            ("errata.toml", "name = \"科技浪\"\nlanguage = \"zh-TW\"\n"),
            (
                "claims/top10-ai-2023/episode.toml",
                "title = \"2023 年十大關鍵 AI 發展\"\ndate = 2024-01-01\n",
            ),
            (GIT_CLAIM, GIT_BASE),
        ],
        "base",
    );
    env
}

/// Each branch from `main`, with the claim as given.
fn git_branch(env: &Env, name: &str, claim: &str) {
    env.git(&["checkout", "-q", "-b", name, "main"]);
    env.commit_by_hand(&[(GIT_CLAIM, claim)], name);
}

/// `git merge` with the driver registered for this one command, as
/// `errata setup` registers it in a clone's config.
fn git_merge(env: &Env, driver: bool, branch: &str) -> std::process::Output {
    let mut cmd = env.git_cmd();
    if driver {
        let bin = env!("CARGO_BIN_EXE_errata").replace('\'', r"'\''");
        cmd.args([
            "-c",
            "merge.errata.name=errata: field-by-field merge of records",
            "-c",
            &format!("merge.errata.driver='{bin}' merge-driver %O %A %B %L %P %S %X %Y"),
        ]);
    }
    cmd.args(["merge", "--no-edit", branch]).output().unwrap()
}

#[test]
fn git_merges_two_concurrent_citations_with_the_driver_where_its_own_merge_conflicts() {
    let env = git_repository();
    git_branch(&env, "cite-nvidia", &format!("{GIT_BASE}{GIT_SOURCE_A}"));
    git_branch(&env, "cite-cna", &format!("{GIT_BASE}{GIT_SOURCE_B}"));

    // git's own line merge: both appended at the end of the file.
    env.git(&["checkout", "-q", "-b", "plain", "cite-nvidia"]);
    let plain = git_merge(&env, false, "cite-cna");
    assert!(!plain.status.success(), "git's line merge should conflict");
    assert!(env.read(GIT_CLAIM).contains("<<<<<<<"));
    env.git(&["merge", "--abort"]);

    env.git(&["checkout", "-q", "cite-nvidia"]);
    let out = git_merge(&env, true, "cite-cna");
    assert!(
        out.status.success(),
        "git merge with the driver failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        env.read(GIT_CLAIM),
        format!("{GIT_BASE}{GIT_SOURCE_A}{GIT_SOURCE_B}")
    );
    env.assert_clean("the merge");
    let parents = env.git(&["log", "-1", "--format=%P"]);
    assert_eq!(parents.split_whitespace().count(), 2, "a merge commit");
}

#[test]
fn git_merge_of_two_verdicts_leaves_markers_and_the_path_unmerged() {
    let env = git_repository();
    let judged = |verdict: &str| {
        GIT_BASE.replace(
            "status = \"checking\"\n",
            &format!("status = \"checked\"\nverdict = \"{verdict}\"\n"),
        ) + GIT_SOURCE_A
    };
    git_branch(&env, "accurate", &judged("accurate"));
    git_branch(&env, "mostly", &judged("mostly-accurate"));
    env.git(&["checkout", "-q", "accurate"]);
    let out = git_merge(&env, true, "mostly");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "two verdicts must not merge cleanly");
    assert!(
        stderr.contains(&format!(
            "errata: {GIT_CLAIM}: verdict: both sides gave a verdict"
        )),
        "the driver names the conflict:\n{stderr}"
    );
    let text = env.read(GIT_CLAIM);
    let expected = format!(
        "<<<<<<< HEAD\nstatus = \"checked\"\nverdict = \"accurate\"\n=======\nstatus = \"checked\"\nverdict = \"mostly-accurate\"\n>>>>>>> mostly\n{}",
        GIT_BASE.replace("status = \"checking\"\n", "")
    ) + GIT_SOURCE_A;
    assert_eq!(text, expected);
    assert_eq!(env.status(), format!("UU {GIT_CLAIM}\n"));
    let stages = env.git(&["ls-files", "-u", "--", GIT_CLAIM]);
    assert_eq!(
        stages.lines().count(),
        3,
        "base, ours and theirs staged:\n{stages}"
    );
    // Resolving it by hand, as an editor does, is a valid record again.
    let resolved = resolve_conflict(&text, false, 7);
    keeps_rules(GIT_CLAIM, &resolved).unwrap();
}

#[test]
fn the_driver_that_cannot_run_exits_above_128_and_leaves_ours_alone() {
    let env = Env::empty();
    let (o, a, b) = (env.root.join("O"), env.root.join("A"), env.root.join("B"));
    std::fs::write(&o, GIT_BASE).unwrap();
    std::fs::write(&a, GIT_BASE).unwrap();
    let arg = |p: &Path| p.to_string_lossy().into_owned();
    // Theirs cannot be read.
    let out = env
        .errata()
        .args(["merge-driver", &arg(&o), &arg(&a), &arg(&b), "7", GIT_CLAIM])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(129));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
    assert_eq!(std::fs::read_to_string(&a).unwrap(), GIT_BASE);
    // A marker size that is not a number, and missing arguments.
    std::fs::write(&b, GIT_BASE).unwrap();
    for args in [
        vec![
            "merge-driver",
            &arg(&o),
            &arg(&a),
            &arg(&b),
            "%L",
            GIT_CLAIM,
        ],
        vec!["merge-driver", &arg(&o), &arg(&a)],
    ] {
        let out = env.errata().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(129), "{args:?}");
    }
    // Its help is for people all the same.
    let help = env.ok(&["merge-driver", "--help"]);
    assert!(help.contains("not by people") && help.contains("merge.errata.driver"));
}
