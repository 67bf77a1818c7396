//! A desk's queues, end to end: `list --assignee`, `--mine`, `--unassigned` and
//! `--stale DAYS` (idle time from git history, with commit dates pinned
//! relative to now), `report --by-assignee`, and `validate`'s warning about two
//! claims of one episode quoting the same words.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::common::*;
use serde_json::{Value, json};

/// `with_claims`, with claims given to people: nvidia-trillion to Ann Editor
/// (the identity the tests commit as) by `start`; chatgpt-launch to her email
/// and graphcast-no-supercomputers to `A. Editor <her email>`, by hand edits
/// committed with plain git; amd-mi300x-cost is 小明's from the template.
fn assigned() -> Env {
    let env = Env::with_claims();
    env.ok(&["start", "nvidia-trillion", "--assignee", AUTHOR_NAME]);
    let chatgpt = claim_file(EP, "chatgpt-launch");
    let graphcast = claim_file(EP2, "graphcast-no-supercomputers");
    // At the top: below the last `[[sources]]` it would be a source's key.
    let with = |rel: &str, who: &str| format!("assignee = \"{who}\"\n{}", env.read(rel));
    let upper = AUTHOR_EMAIL.to_uppercase();
    let a_editor = format!("A. Editor <{AUTHOR_EMAIL}>");
    env.commit_by_hand(
        &[
            (&chatgpt, &with(&chatgpt, &upper)),
            (&graphcast, &with(&graphcast, &a_editor)),
        ],
        "assign two claims by hand",
    );
    env
}

#[test]
fn list_assignee_keeps_the_claims_of_the_names_given() {
    let env = assigned();
    assert_eq!(
        ids(&env.json(&["list", "--assignee", "小明"])),
        set(&["amd-mi300x-cost"])
    );
    assert_eq!(
        ids(&env.json(&["list", "--assignee", "小明", "--assignee", AUTHOR_NAME])),
        set(&["amd-mi300x-cost", "nvidia-trillion"]),
        "repeated, any of them"
    );
    assert_eq!(
        ids(&env.json(&["list", "--assignee", "A. Editor"])),
        set(&["graphcast-no-supercomputers"]),
        "a name matches `Name <email>`"
    );
    assert_eq!(ids(&env.json(&["list", "--assignee", "nobody"])), set(&[]));
    assert_eq!(
        ids(&env.json(&["list", "--unassigned"])),
        set(&["nvidia-margin", "yi-copies-llama", "yi-unicorn"])
    );
    // The JSON claim carries its assignee.
    let amd = env.json(&["list", "--assignee", "小明"]);
    assert_eq!(amd[0]["assignee"], "小明");
    // The table, from the summaries, agrees.
    let table = env.ok(&["list", "--assignee", "小明", "--assignee", AUTHOR_NAME]);
    let rows: Vec<&str> = table.lines().skip(1).collect();
    assert_eq!(rows.len(), 2, "{table}");
    assert!(rows[0].starts_with("nvidia-trillion "), "{table}");
    assert!(rows[1].starts_with("amd-mi300x-cost "), "{table}");
}

#[test]
fn list_mine_matches_the_git_identity_by_name_and_by_email() {
    let env = assigned();
    let mine = set(&[
        "nvidia-trillion",
        "chatgpt-launch",
        "graphcast-no-supercomputers",
    ]);
    assert_eq!(ids(&env.json(&["list", "--mine"])), mine);
    // Combined with the other filters.
    assert_eq!(
        ids(&env.json(&["list", "--mine", "--status", "checked"])),
        set(&["chatgpt-launch", "graphcast-no-supercomputers"])
    );
    assert_eq!(
        ids(&env.json(&["list", "--mine", "--episode", EP2])),
        set(&["graphcast-no-supercomputers"])
    );
    assert_eq!(
        ids(&env.json(&["list", "--mine", "--owed"])),
        set(&["graphcast-no-supercomputers"])
    );
    assert_eq!(
        ids(&env.json(&["list", "--mine", "--tag", "nvidia"])),
        set(&["nvidia-trillion"])
    );
    assert_eq!(
        ids(&env.json(&["list", "--mine", "--assignee", "小明"])),
        set(&[
            "nvidia-trillion",
            "chatgpt-launch",
            "graphcast-no-supercomputers",
            "amd-mi300x-cost"
        ]),
        "--mine adds you to the names"
    );
    let table = env.ok(&["list", "--mine"]);
    assert_eq!(
        table.lines().count(),
        4,
        "a header and three rows:\n{table}"
    );
}

#[test]
fn list_mine_reads_the_identity_from_git_config_and_asks_for_one() {
    let env = assigned().without_identity();
    env.refused(&["list", "--mine"], 2, &["no git identity", "user.name"]);
    env.git(&["config", "user.name", "小明"]);
    env.git(&["config", "user.email", "ming@factcheck.example.org"]);
    assert_eq!(
        ids(&env.json(&["list", "--mine"])),
        set(&["amd-mi300x-cost"])
    );
}

// ---------------------------------------------------------------- stale

const DAY: i64 = 86_400;

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A commit date `days` days and an hour before `now`, as git and errata read it.
fn days_ago(now: i64, days: i64) -> String {
    errata::review::rfc3339(now - days * DAY - 3600, 0)
}

fn errata_at(env: &Env, date: &str, args: &[&str]) -> String {
    let out = env
        .errata()
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "errata {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn git_at(env: &Env, date: &str, args: &[&str]) {
    let out = env
        .git_cmd()
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Open claims last changed 40 days ago (`old-claim`, added then), 20 days
/// ago (`hand-claim`, edited by hand and committed with plain git), 10 days
/// ago (`mid-claim`, started by Mei) and a day ago (`fresh-claim`); a checked
/// claim untouched for 40 days (`done-claim`); and `never-claim`, written but
/// never committed.
fn aged(now: i64) -> Env {
    let env = Env::with_episode();
    let (d40, d20, d10, d1) = (
        days_ago(now, 40),
        days_ago(now, 20),
        days_ago(now, 10),
        days_ago(now, 1),
    );
    // In the order of their dates, as history is made.
    for (id, quote) in [
        ("old-claim", Q_NVIDIA_TRILLION),
        ("hand-claim", Q_NVIDIA_MARGIN),
        ("mid-claim", Q_AMD_COST),
        ("done-claim", Q_CHATGPT),
    ] {
        errata_at(&env, &d40, &["add", EP, "--id", id, "--quote", quote]);
    }
    errata_at(&env, &d40, &["verdict", "done-claim", "unverifiable"]);
    let hand = claim_file(EP, "hand-claim");
    env.write(
        &hand,
        &format!(
            "{}claim = \"NVIDIA's margin is above 70%.\"\n",
            env.read(&hand)
        ),
    );
    git_at(&env, &d20, &["add", "--", &hand]);
    git_at(
        &env,
        &d20,
        &["commit", "-q", "-m", "hand-claim: state the claim"],
    );
    errata_at(&env, &d10, &["start", "mid-claim", "--assignee", "Mei"]);
    errata_at(
        &env,
        &d1,
        &["add", EP, "--id", "fresh-claim", "--quote", Q_YI_COPY],
    );
    env.write(
        &claim_file(EP, "never-claim"),
        "status = \"needs-check\"\nclaim = \"Not committed yet.\"\n",
    );
    env
}

fn stale_ids(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn list_stale_finds_open_claims_without_a_commit_for_that_long() {
    let now = now();
    let env = aged(now);
    let week = env.json(&["list", "--stale", "7"]);
    assert_eq!(
        stale_ids(&week),
        ["old-claim", "hand-claim", "mid-claim"],
        "longest idle first; done-claim is checked, fresh-claim and never-claim are recent"
    );
    for (c, days) in week.as_array().unwrap().iter().zip([40, 20, 10]) {
        let id = c["id"].as_str().unwrap();
        assert_eq!(c["idle_days"], days, "{id}");
        assert_eq!(c["last_change"], days_ago(now, days), "{id}");
        let path = claim_file(EP, id);
        let commit = env.git(&["log", "-1", "--format=%H", "--", &path]);
        assert_eq!(c["last_commit"], commit.trim(), "{id}");
        assert_eq!(c["path"], path, "the whole claim is there too");
    }
    assert_eq!(week[2]["assignee"], "Mei");
    assert_eq!(week[2]["status"], "checking");

    let month = env.json(&["list", "--stale", "30"]);
    assert_eq!(stale_ids(&month), ["old-claim"]);

    // Every open claim, with its age; a file never committed counts as changed now.
    let all = env.json(&["list", "--stale", "0"]);
    assert_eq!(
        stale_ids(&all),
        [
            "old-claim",
            "hand-claim",
            "mid-claim",
            "fresh-claim",
            "never-claim"
        ]
    );
    assert_eq!(all[3]["idle_days"], 1);
    assert_eq!(all[4]["idle_days"], 0);
    assert_eq!(all[4]["last_change"], Value::Null);
    assert_eq!(all[4]["last_commit"], Value::Null);

    // Combined with the other filters.
    assert_eq!(
        stale_ids(&env.json(&["list", "--stale", "7", "--assignee", "Mei"])),
        ["mid-claim"]
    );
    assert_eq!(
        stale_ids(&env.json(&["list", "--stale", "7", "--status", "needs-check"])),
        ["old-claim", "hand-claim"]
    );
    assert_eq!(
        stale_ids(&env.json(&["list", "--stale", "7", "--status", "checked"])),
        Vec::<String>::new()
    );
}

#[test]
fn list_stale_shows_idle_days_and_assignee_in_the_table() {
    let env = aged(now());
    let table = env.ok(&["list", "--stale", "7"]);
    let lines: Vec<Vec<&str>> = table
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(
        lines[0],
        ["ID", "STATUS", "VERDICT", "AT", "IDLE", "ASSIGNEE", "CLAIM"],
        "{table}"
    );
    assert_eq!(lines.len(), 4, "{table}");
    assert_eq!(
        &lines[1][..6],
        ["old-claim", "needs-check", "-", "17:08", "40", "-"]
    );
    assert_eq!(&lines[2][..1], ["hand-claim"]);
    assert_eq!(lines[2][4], "20");
    assert_eq!(
        &lines[3][..6],
        ["mid-claim", "checking", "-", "18:08", "10", "Mei"]
    );
    let out = env.run(&["list", "--stale", "365"]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "");
    assert!(String::from_utf8_lossy(&out.stderr).contains("No open claim has sat that long"));
}

#[test]
fn list_stale_reads_the_commit_graph_the_same_way() {
    let now = now();
    let env = aged(now);
    let before = env.json(&["list", "--stale", "0"]);
    env.git(&["commit-graph", "write", "--reachable", "--changed-paths"]);
    assert!(env.path(".git/objects/info/commit-graph").is_file());
    assert_eq!(env.json(&["list", "--stale", "0"]), before);
    assert_eq!(
        stale_ids(&env.json(&["list", "--stale", "30"])),
        ["old-claim"]
    );
    // A commit made after the graph was written is read from the commit.
    errata_at(&env, &days_ago(now, 0), &["start", "old-claim"]);
    assert_eq!(
        stale_ids(&env.json(&["list", "--stale", "7"])),
        ["hand-claim", "mid-claim"]
    );
}

#[test]
fn list_stale_follows_merges_as_git_log_does() {
    let now = now();
    let env = aged(now);
    let main = env.git(&["rev-parse", "--abbrev-ref", "HEAD"]);
    let main = main.trim();
    // On a branch, old-claim is started 3 days ago; the merge, 2 days ago,
    // takes it as it is, so the change is the branch's.
    env.git(&["checkout", "-q", "-b", "side"]);
    errata_at(
        &env,
        &days_ago(now, 3),
        &["start", "old-claim", "--assignee", "Mei"],
    );
    env.git(&["checkout", "-q", main]);
    git_at(
        &env,
        &days_ago(now, 2),
        &["merge", "-q", "--no-ff", "-m", "merge side", "side"],
    );
    let week = env.json(&["list", "--stale", "7"]);
    assert_eq!(stale_ids(&week), ["hand-claim", "mid-claim"]);
    let all = env.json(&["list", "--stale", "0"]);
    let old = all
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "old-claim")
        .unwrap();
    assert_eq!(old["idle_days"], 3);
    let path = claim_file(EP, "old-claim");
    assert_eq!(
        old["last_commit"],
        env.git(&["log", "-1", "--format=%H", "--", &path]).trim()
    );
}

// ---------------------------------------------------------------- report

#[test]
fn report_by_assignee_counts_each_editors_claims() {
    let env = Env::with_claims();
    env.ok(&["start", "nvidia-trillion", "--assignee", "Mei"]);
    env.ok(&[
        "correct",
        "yi-copies-llama",
        "--episode",
        EP,
        "--at",
        "44:08",
        "--text",
        "Yi is its own model trained by 01.AI; it reused LLaMA's architecture, not its code.",
    ]);
    let table = env.ok(&["report", "--by-assignee"]);
    assert_eq!(
        table,
        "ASSIGNEE      OPEN  CHECKED  CORRECTED\n\
         Mei           1     0        0\n\
         小明          1     0        0\n\
         (unassigned)  0     4        1\n"
    );
    assert_eq!(
        env.json(&["report", "--by-assignee"]),
        json!([
            {"assignee": "Mei", "open": 1, "checked": 0, "corrected": 0},
            {"assignee": "小明", "open": 1, "checked": 0, "corrected": 0},
            {"assignee": null, "open": 0, "checked": 4, "corrected": 1},
        ])
    );
    assert_eq!(
        env.json(&["report", "--by-assignee", "--episode", EP2]),
        json!([{"assignee": null, "open": 0, "checked": 1, "corrected": 0}])
    );
    env.refused(
        &["report", "--by-assignee", "--episode", "no-such-episode"],
        2,
        &["no-such-episode"],
    );
}

// ---------------------------------------------------------------- validate

/// Line and column (1-based) of the `quote` key in a record.
fn quote_at(env: &Env, rel: &str) -> (usize, usize) {
    let line = env
        .read(rel)
        .lines()
        .position(|l| l.starts_with("quote"))
        .expect("a quote line");
    (line + 1, 1)
}

/// `amd-mi300x-cost` logged a second time by another editor, as
/// `amd-cost-again`: the same words, other whitespace.
fn log_amd_cost_again(env: &Env) {
    env.add(&[
        EP,
        "--id",
        "amd-cost-again",
        "--quote",
        "他們的造價是 H100的 兩倍",
        "--claim",
        "AMD's MI300X costs twice as much as NVIDIA's H100.",
    ]);
}

#[test]
fn validate_warns_about_two_claims_of_one_episode_quoting_the_same_words() {
    let env = Env::with_claims();
    // The same words in another episode: not the same claim.
    env.add(&[
        EP2,
        "--id",
        "amd-cost-graphcast",
        "--quote",
        Q_AMD_COST,
        "--claim",
        "x",
    ]);
    env.errata().arg("validate").assert().code(0).stdout("");
    assert_eq!(env.json(&["validate"])["warnings"], json!([]));

    // In the same episode, with other whitespace: two editors, one claim.
    log_amd_cost_again(&env);
    let first = claim_file(EP, "amd-cost-again");
    let second = claim_file(EP, "amd-mi300x-cost");
    let (l1, c1) = quote_at(&env, &first);
    let (l2, c2) = quote_at(&env, &second);
    let expected = format!(
        "{first}:{l1}:{c1}: warning: claim `amd-cost-again` quotes the same words as `amd-mi300x-cost` ({second}) (whitespace aside): two editors may have logged one claim; keep one and remove the other\n\
         {second}:{l2}:{c2}: warning: claim `amd-mi300x-cost` quotes the same words as `amd-cost-again` ({first}) (whitespace aside): two editors may have logged one claim; keep one and remove the other\n\
         2 warnings\n"
    );
    let out = env.run(&["validate"]);
    assert_eq!(out.status.code(), Some(0), "warnings do not fail the check");
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no problems"), "{stderr}");
    assert!(
        stderr.contains("quote = \"他們的造價是 H100的 兩倍\""),
        "the line is drawn below: {stderr}"
    );
    // A warm run, from the cached summaries, says the same.
    assert_eq!(
        String::from_utf8_lossy(&env.run(&["validate"]).stdout),
        expected
    );

    let report = env.json(&["validate"]);
    assert_eq!(report["ok"], true);
    assert_eq!(report["problems"], json!([]));
    let warnings = report["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 2);
    assert_eq!(warnings[0]["path"], first.as_str());
    assert_eq!(warnings[0]["line"], l1);
    assert_eq!(warnings[0]["column"], c1);
    assert!(
        warnings[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("claim `amd-cost-again` quotes the same words as `amd-mi300x-cost`")
    );
    assert_eq!(warnings[1]["path"], second.as_str());
    assert!(
        !serde_json::to_string(&report)
            .unwrap()
            .contains("amd-cost-graphcast"),
        "the other episode's claim is not named"
    );
}

/// validate writes each stream once, but where stdout and stderr are one file
/// (`> log 2>&1`, one terminal) each snippet still comes right below its line.
#[test]
fn validate_keeps_each_snippet_below_its_line_when_both_streams_are_one_file() {
    let env = Env::with_claims();
    log_amd_cost_again(&env);
    let (code, text) = env.run_into_one_file(&["validate"]);
    assert_eq!(code, Some(0));
    let lines: Vec<&str> = text.lines().collect();
    let first = claim_file(EP, "amd-cost-again");
    let at = lines
        .iter()
        .position(|l| l.starts_with(&format!("{first}:")))
        .expect("the warning's line");
    assert!(
        lines[at + 1..at + 4]
            .iter()
            .any(|l| l.contains("quote = \"他們的造價是 H100的 兩倍\"")),
        "its snippet follows it: {text}"
    );
    let second = lines
        .iter()
        .position(|l| l.starts_with(&format!("{}:", claim_file(EP, "amd-mi300x-cost"))))
        .expect("the other warning's line");
    assert!(at < second, "{text}");
    assert!(
        lines[..at].iter().any(|l| l.contains("no problems")),
        "{text}"
    );
    assert_eq!(lines.last(), Some(&"2 warnings"), "{text}");
    // Apart, each stream holds only its own part.
    let out = env.run(&["validate"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("quote = "), "{stdout}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("quote = "));
}

#[test]
fn validate_lists_warnings_after_the_problems_and_fails_only_for_problems() {
    let env = Env::with_claims();
    env.add(&[
        EP,
        "--id",
        "margin-again",
        "--quote",
        Q_NVIDIA_MARGIN,
        "--claim",
        "x",
    ]);
    let bad = claim_file(EP, "yi-unicorn");
    env.write(
        &bad,
        &env.read(&bad)
            .replace("status = \"checked\"", "status = \"chekced\""),
    );
    let out = env.run(&["validate"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 5, "{stdout}");
    assert!(lines[0].starts_with(&format!("{bad}:")), "{stdout}");
    assert!(!lines[0].contains("warning:"), "{stdout}");
    assert_eq!(lines[1], "1 problem");
    assert!(lines[2].starts_with(&format!("{}:", claim_file(EP, "margin-again"))));
    assert!(
        lines[2].contains(": warning: claim `margin-again`"),
        "{stdout}"
    );
    assert!(lines[3].starts_with(&format!("{}:", claim_file(EP, "nvidia-margin"))));
    assert_eq!(lines[4], "2 warnings");
    let out = env.run(&["--json", "validate"]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["ok"], false);
    assert_eq!(report["problems"].as_array().unwrap().len(), 1);
    assert_eq!(report["warnings"].as_array().unwrap().len(), 2);
}

#[test]
fn list_stale_is_right_where_commit_dates_run_backwards() {
    let now = now();
    let env = Env::with_episode();
    // A commit dated before its parent (a clock set wrong): the walk stops at
    // it for the cutoff, but the claim changed a day ago is still not stale.
    errata_at(
        &env,
        &days_ago(now, 1),
        &["add", EP, "--id", "recent", "--quote", Q_NVIDIA_MARGIN],
    );
    errata_at(
        &env,
        &days_ago(now, 40),
        &["add", EP, "--id", "skewed", "--quote", Q_AMD_COST],
    );
    let week = env.json(&["list", "--stale", "7"]);
    assert_eq!(stale_ids(&week), ["skewed"]);
    assert_eq!(week[0]["idle_days"], 40);
}
