//! End-to-end tests of `errata correct`, run on real git repositories in temp
//! folders and checked with the real `git`.

mod common;

use std::collections::BTreeSet;

use common::*;
use serde_json::Value;

/// The GraphCast correction of the seed episode, as aired at 06:07~09:08.
const GRAPHCAST_TEXT: &str = "上週說 GraphCast 不需要超級電腦,這是錯的:GraphCast 的輸入仍要先用超級電腦做資料同化,算出大氣現況。";

fn ids(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .expect("a JSON array")
        .iter()
        .map(|c| c["id"].as_str().expect("id").to_owned())
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn toml_of(env: &Env, rel: &str) -> toml::Table {
    toml::from_str(&env.read(rel)).unwrap_or_else(|e| panic!("{rel} is not TOML: {e}"))
}

/// `errata correct ARGS...`; returns the correction id, the last line of stdout.
fn correct(env: &Env, args: &[&str]) -> String {
    let mut all = vec!["correct"];
    all.extend_from_slice(args);
    let out = env.ok(&all);
    out.lines()
        .last()
        .expect("correct printed the id")
        .to_owned()
}

fn correct_graphcast(env: &Env) -> String {
    correct(
        env,
        &[
            "graphcast-no",
            "--episode",
            EP,
            "--at",
            "06:07~09:08",
            "--text",
            GRAPHCAST_TEXT,
            "--reported-by",
            "listener message",
        ],
    )
}

// ---------------------------------------------------------------- correct

#[test]
fn correct_commits_the_correction_and_its_claims_together() {
    let env = Env::with_claims();
    let before = env.log().len();
    let id = correct(
        &env,
        &[
            "graphcast-no",
            "yi-cop",
            "--episode",
            EP,
            "--at",
            "06:07~09:08",
            "--text",
            GRAPHCAST_TEXT,
            "--medium",
            "on-air",
            "--reported-by",
            "listener message",
        ],
    );
    assert!(is_valid_id(&id), "{id}");
    // Readable words from the first claim (the text is Chinese), then 4 random characters.
    assert!(id.starts_with("graphcast-no-supercomputers-"), "{id}");
    assert_eq!(id.len(), "graphcast-no-supercomputers-".len() + 4, "{id}");

    assert_eq!(env.log().len(), before + 1, "exactly one commit");
    let correction = format!("corrections/{id}.toml");
    let mut paths = env.head_paths();
    paths.sort();
    let mut want = vec![
        claim_file(EP2, "graphcast-no-supercomputers"),
        claim_file(EP, "yi-copies-llama"),
        correction.clone(),
    ];
    want.sort();
    assert_eq!(
        paths, want,
        "the commit holds the correction and both claims"
    );
    env.assert_clean("correct");
    env.git(&["fsck", "--strict"]);

    let msg = env.head_message();
    assert!(
        msg.starts_with("correct: graphcast-no-supercomputers, yi-copies-llama corrected on air in top10-ai-2023 at 06:07~09:08\n"),
        "{msg}"
    );
    let trailers = env.head_trailers();
    let t = |k: &str| -> Vec<&str> {
        trailers
            .iter()
            .filter(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
            .collect()
    };
    assert_eq!(t("Errata-Correction"), [id.as_str()]);
    assert_eq!(
        t("Errata-Claim"),
        ["graphcast-no-supercomputers", "yi-copies-llama"]
    );
    assert_eq!(t("Errata-Status"), ["checked -> corrected"]);
    assert_eq!(t("Errata-Episode"), [EP]);

    let record = toml_of(&env, &correction);
    assert_eq!(
        record["claims"].as_array().unwrap(),
        &vec![
            toml::Value::from("graphcast-no-supercomputers"),
            toml::Value::from("yi-copies-llama")
        ]
    );
    assert_eq!(record["episode"].as_str(), Some(EP));
    assert_eq!(record["aired_at"].as_str(), Some("06:07~09:08"));
    assert_eq!(record["medium"].as_str(), Some("on-air"));
    assert_eq!(record["reported_by"].as_str(), Some("listener message"));
    assert_eq!(record["text"].as_str(), Some(GRAPHCAST_TEXT));

    for (ep, claim, verdict) in [
        (EP2, "graphcast-no-supercomputers", "inaccurate"),
        (EP, "yi-copies-llama", "misleading"),
    ] {
        let c = toml_of(&env, &claim_file(ep, claim));
        assert_eq!(c["status"].as_str(), Some("corrected"), "{claim}");
        assert_eq!(
            c["verdict"].as_str(),
            Some(verdict),
            "{claim} keeps its verdict"
        );
        assert_eq!(env.claim(claim)["status"], "corrected");
    }
    env.errata().arg("validate").assert().success();
}

#[test]
fn list_owed_is_the_misleading_and_inaccurate_claims_no_correction_names() {
    let env = Env::with_claims();
    let owed = || ids(&env.json(&["list", "--owed"]));
    assert_eq!(
        owed(),
        set(&["yi-copies-llama", "graphcast-no-supercomputers"])
    );
    correct_graphcast(&env);
    assert_eq!(owed(), set(&["yi-copies-llama"]));
    correct(
        &env,
        &[
            "yi-copies",
            "--episode",
            EP,
            "--at",
            "44:08",
            "--text",
            "Yi 用的是 LLaMA 的架構,但權重是自己訓練的,不是複製。",
            "--medium",
            "show-notes",
        ],
    );
    assert_eq!(owed(), BTreeSet::new());
    // What was owed is now corrected, with its verdict.
    let corrected = env.json(&["list", "--status", "corrected"]);
    assert_eq!(
        ids(&corrected),
        set(&["yi-copies-llama", "graphcast-no-supercomputers"])
    );
    env.errata().arg("validate").assert().success();
}

#[test]
fn a_correction_may_air_in_an_episode_without_a_transcript_at_any_time() {
    let env = Env::with_claims();
    let id = correct(
        &env,
        &[
            "yi-copies-llama",
            "--episode",
            EP2,
            "--at",
            "1:35:00",
            "--text",
            "Yi is not a copy of LLaMA's weights.",
            "--medium",
            "website",
            "--id",
            "yi-not-a-copy",
        ],
    );
    assert_eq!(id, "yi-not-a-copy");
    let record = toml_of(&env, "corrections/yi-not-a-copy.toml");
    assert_eq!(record["aired_at"].as_str(), Some("1:35:00"));
    assert_eq!(record["medium"].as_str(), Some("website"));
    assert!(record.get("reported_by").is_none());
    // Latin words in the text make the id when no --id is given.
    env.errata().arg("validate").assert().success();
}

#[test]
fn generated_ids_come_from_latin_words_of_the_text() {
    let env = Env::with_claims();
    let id = correct(
        &env,
        &[
            "graphcast",
            "--episode",
            EP,
            "--at",
            "06:07",
            "--text",
            "GraphCast still needs a supercomputer to prepare its input.",
        ],
    );
    assert!(
        id.starts_with("graphcast-still-needs-supercomputer-"),
        "{id}"
    );
    assert!(is_valid_id(&id), "{id}");
}

#[test]
fn correct_keeps_the_hand_comments_of_claim_files() {
    let env = Env::with_claims();
    let path = claim_file(EP, "yi-copies-llama");
    let text = env.read(&path).replace(
        "status = \"checked\"",
        "# Checked twice: see the GitHub issue.\nstatus = \"checked\" # by Mei",
    );
    env.commit_by_hand(&[(&path, &text)], "note on yi");
    correct(
        &env,
        &[
            "yi-copies",
            "--episode",
            EP,
            "--at",
            "44:08",
            "--text",
            "Yi 不是複製。",
        ],
    );
    let after = env.read(&path);
    assert!(
        after.contains("# Checked twice: see the GitHub issue.\n"),
        "{after}"
    );
    assert!(after.contains("status = \"corrected\" # by Mei"), "{after}");
}

#[test]
fn correct_refuses_claims_that_need_no_correction_and_changes_nothing() {
    let env = Env::with_claims();
    let base = ["--episode", EP, "--at", "06:07~09:08", "--text", "x"];
    let run = |claims: &[&str], needles: &[&str]| {
        let mut args = vec!["correct"];
        args.extend_from_slice(claims);
        args.extend_from_slice(&base);
        env.refused(&args, 2, needles);
    };
    run(
        &["nvidia-margin"],
        &["nvidia-margin is rated accurate", "needs no correction"],
    );
    run(
        &["nvidia-trillion"],
        &[
            "nvidia-trillion is needs-check",
            "only a checked claim",
            "errata verdict",
        ],
    );
    run(
        &["amd-mi300x"],
        &["amd-mi300x-cost is checking", "only a checked claim"],
    );
    // One bad claim among good ones: nothing is written for any of them.
    run(&["graphcast-no", "nvidia-margin"], &["rated accurate"]);
    run(&["no-such-claim"], &["no claim matches `no-such-claim`"]);
    run(
        &["yi"],
        &["matches 2 claims", "yi-copies-llama", "yi-unicorn"],
    );

    correct_graphcast(&env);
    run(
        &["graphcast-no"],
        &["already corrected by", "edit corrections/"],
    );
}

#[test]
fn correct_refuses_bad_input_and_changes_nothing() {
    let env = Env::with_claims();
    let ok = |over: &[(&str, &str)]| -> Vec<String> {
        let mut args: Vec<(&str, &str)> = vec![
            ("--episode", EP),
            ("--at", "06:07~09:08"),
            ("--text", "GraphCast 仍需要超級電腦。"),
        ];
        for (k, v) in over {
            if let Some(slot) = args.iter_mut().find(|(key, _)| key == k) {
                slot.1 = v;
            } else {
                args.push((k, v));
            }
        }
        let mut out = vec!["correct".to_owned(), "graphcast-no".to_owned()];
        for (k, v) in args {
            out.push(k.to_owned());
            out.push(v.to_owned());
        }
        out
    };
    let refused = |args: Vec<String>, needles: &[&str]| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        env.refused(&args, 2, needles);
    };
    refused(
        ok(&[("--episode", "no-such-episode")]),
        &["no episode `no-such-episode`"],
    );
    refused(ok(&[("--episode", "Bad Episode")]), &["invalid id"]);
    refused(
        ok(&[("--at", "59:00")]),
        &[
            "59:00 is outside the transcript of top10-ai-2023",
            "runs from 00:00 to",
        ],
    );
    refused(ok(&[("--at", "6:7")]), &["`6:7` is not a time"]);
    refused(ok(&[("--at", "09:08~06:07")]), &["ends before it starts"]);
    refused(ok(&[("--text", "  \n ")]), &["a correction needs its text"]);
    refused(
        ok(&[("--medium", "podcast")]),
        &["`podcast` is not a medium", "on-air"],
    );
    refused(ok(&[("--id", "../escape")]), &["invalid id", "'.'"]);
    refused(ok(&[("--id", &"x".repeat(65))]), &["at most 64"]);
    // Required arguments.
    env.refused(
        &["correct", "--episode", EP, "--at", "06:07", "--text", "x"],
        2,
        &["<ID>"],
    );
    env.refused(
        &["correct", "graphcast-no", "--at", "06:07", "--text", "x"],
        2,
        &["--episode"],
    );
    env.refused(
        &["correct", "graphcast-no", "--episode", EP, "--text", "x"],
        2,
        &["--at"],
    );
    env.refused(
        &["correct", "graphcast-no", "--episode", EP, "--at", "06:07"],
        2,
        &["--text"],
    );

    // An id already taken.
    let first: Vec<String> = ok(&[("--id", "graphcast-fix")]);
    env.ok(&first.iter().map(String::as_str).collect::<Vec<_>>());
    refused(
        {
            let mut a = ok(&[("--id", "graphcast-fix")]);
            a[1] = "yi-copies-llama".into();
            a
        },
        &[
            "a correction with id `graphcast-fix` already exists",
            "--id",
        ],
    );
}

#[test]
fn correct_refuses_a_claim_with_uncommitted_hand_edits() {
    let env = Env::with_claims();
    let path = claim_file(EP, "yi-copies-llama");
    let edited = env.read(&path).replace("misleading", "inaccurate");
    env.write(&path, &edited);
    env.refused(
        &[
            "correct",
            "yi-copies",
            "--episode",
            EP,
            "--at",
            "44:08",
            "--text",
            "x",
        ],
        2,
        &["uncommitted changes", &path],
    );
    assert_eq!(env.read(&path), edited, "the hand edit is kept");
}

#[test]
fn correct_leaves_what_the_user_staged_alone() {
    let env = Env::with_claims();
    env.write("notes.txt", "call 01.AI\n");
    env.git(&["add", "notes.txt"]);
    correct_graphcast(&env);
    assert!(!env.head_paths().contains(&"notes.txt".to_owned()));
    assert_eq!(env.status(), "A  notes.txt\n");
}

#[test]
fn correct_json_reports_the_moves() {
    let env = Env::with_claims();
    let v = env.json(&[
        "correct",
        "graphcast-no",
        "--episode",
        EP,
        "--at",
        "06:07",
        "--text",
        "x",
        "--id",
        "gc-fix",
    ]);
    assert_eq!(v["id"], "gc-fix");
    assert_eq!(v["path"], "corrections/gc-fix.toml");
    assert_eq!(v["claims"][0]["id"], "graphcast-no-supercomputers");
    assert_eq!(v["claims"][0]["from"], "checked");
    assert_eq!(v["claims"][0]["to"], "corrected");
    assert_eq!(v["claims"][0]["verdict"], "inaccurate");
    assert_eq!(v["commit"].as_str().unwrap(), env.log()[0]);
}
