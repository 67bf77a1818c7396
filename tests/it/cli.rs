//! End-to-end tests of the `errata` command line on real git repositories in temp
//! folders, checked with the real `git` command. See `common` for the hermetic
//! environment each command runs in.

use crate::common::*;
use predicates::prelude::*;
use serde_json::Value;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

// ---------------------------------------------------------------- init

#[test]
fn init_in_an_empty_folder_runs_git_init_and_commits_settings() {
    let env = Env::empty();
    env.errata()
        .args(["init", "--name", "科技浪", "--language", "zh-TW"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "Initialised an empty git repository",
        ));
    assert!(env.path(".git").is_dir(), "init ran git init");
    assert_eq!(env.log().len(), 1, "one commit");
    assert_eq!(env.head_paths(), [".gitattributes", "errata.toml"]);
    // Records merge through errata's driver, registered in this clone.
    let attributes = env.read(".gitattributes");
    assert!(
        attributes.contains("claims/**/*.toml merge=errata"),
        "{attributes}"
    );
    let driver = env.git(&["config", "merge.errata.driver"]);
    assert!(driver.contains("merge-driver %O %A %B %L %P"), "{driver}");
    let settings = toml_of(&env, "errata.toml");
    assert_eq!(settings["name"].as_str(), Some("科技浪"));
    assert_eq!(settings["language"].as_str(), Some("zh-TW"));
    assert_eq!(
        settings["publisher"].as_str(),
        Some("科技浪 fact-check desk")
    );
    assert!(env.head_message().starts_with("init: "));
    env.assert_clean("init");
    env.git(&["fsck", "--strict"]);
}

#[test]
fn init_twice_is_harmless() {
    let env = Env::initialised();
    let before = env.state();
    env.errata()
        .arg("init")
        .assert()
        .success()
        .stderr(predicate::str::contains("already a fact-check repository"));
    env.state().assert_same(&before, "a second init");
}

#[test]
fn init_in_an_existing_repository_leaves_the_users_staged_file_alone() {
    let env = Env::empty();
    env.git(&["init", "-q"]);
    env.write("notes.txt", "call NVIDIA investor relations\n");
    env.git(&["add", "notes.txt"]);
    env.errata().arg("init").assert().success();
    assert_eq!(env.head_paths(), [".gitattributes", "errata.toml"]);
    assert_eq!(env.git(&["diff", "--cached", "--name-only"]), "notes.txt\n");
    assert_eq!(env.status(), "A  notes.txt\n");
}

#[test]
fn outside_a_git_repository_commands_fail_with_a_hint_to_init() {
    let env = Env::empty();
    // Precondition: the temp folder is really outside any repository.
    let probe = env
        .git_cmd()
        .args(["rev-parse", "--git-dir"])
        .output()
        .unwrap();
    assert!(
        !probe.status.success(),
        "the temp folder {} is inside a git repository; set TMPDIR elsewhere",
        env.repo.display()
    );
    for args in [&["list"][..], &["episode", "list"], &["validate"]] {
        env.refused(args, 2, &["not inside a git repository", "errata init"]);
    }
    env.refused(
        &["add", EP, "--claim", "x"],
        2,
        &["not inside a git repository", "errata init"],
    );
    assert!(!env.path(".git").exists(), "nothing was created");
    // --repo to a folder that does not exist.
    env.refused(
        &["--repo", "/nonexistent/errata-repo", "list"],
        2,
        &["no such folder"],
    );
}

#[test]
fn a_git_repository_without_errata_toml_asks_for_init() {
    let env = Env::empty();
    env.git(&["init", "-q"]);
    env.refused(&["episode", "add", EP, "--title", "t"], 2, &["errata init"]);
}

// ---------------------------------------------------------------- episodes

#[test]
fn episode_add_imports_the_transcript_in_one_commit() {
    let env = Env::initialised();
    env.errata()
        .args([
            "episode",
            "add",
            EP,
            "--title",
            EP_TITLE,
            "--date",
            "2024-01-01",
            "--transcript",
            SEED,
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("48 segments"));
    let dir = format!("claims/{EP}");
    assert_eq!(
        env.head_paths(),
        [
            format!("{dir}/episode.toml"),
            format!("{dir}/transcript.txt")
        ],
        "one commit holding exactly the episode file and the transcript"
    );
    assert_eq!(env.log().len(), 2);
    let ep = toml_of(&env, &format!("{dir}/episode.toml"));
    assert_eq!(ep["title"].as_str(), Some(EP_TITLE));
    assert_eq!(ep["date"].to_string(), "2024-01-01");
    assert_eq!(ep["transcript"].as_str(), Some("transcript.txt"));
    let stored = env.read(&format!("{dir}/transcript.txt"));
    let seed = std::fs::read_to_string(SEED).unwrap();
    assert_eq!(stored.lines().count(), 48);
    // The seed is already in errata's "(MM:SS~MM:SS) text" format: kept as is.
    assert_eq!(stored.trim_end(), seed.trim_end());
    assert!(
        stored
            .lines()
            .any(|l| l.starts_with("(18:08~19:08)") && l.contains(Q_NVIDIA_MARGIN))
    );
    let msg = env.head_message();
    assert!(msg.starts_with(&format!("episode: add {EP}")), "{msg}");
    env.assert_clean("episode add");
}

#[test]
fn episode_add_refuses_bad_input_and_changes_nothing() {
    let env = Env::with_episode();
    env.refused(
        &["episode", "add", EP, "--title", "again"],
        2,
        &["already exists"],
    );
    env.refused(
        &[
            "episode",
            "add",
            "new-episode",
            "--title",
            "t",
            "--transcript",
            "/nonexistent/transcript.txt",
        ],
        2,
        &["cannot read the transcript"],
    );
    env.refused(&["episode", "add", "Bad Id", "--title", "t"], 2, &[]);
    env.refused(&["episode", "add", "../x", "--title", "t"], 2, &[]);
    env.refused(
        &[
            "episode",
            "add",
            "new-episode",
            "--title",
            "t",
            "--date",
            "2024-02-30",
        ],
        2,
        &[],
    );
    env.refused(
        &[
            "episode",
            "add",
            "new-episode",
            "--title",
            "t",
            "--url",
            "ftp://x",
        ],
        2,
        &["ftp://x"],
    );
}

#[test]
fn episode_list_shows_episodes_with_claim_counts() {
    let env = Env::with_episode();
    let human = env.ok(&["episode", "list"]);
    let mut lines = human.lines();
    assert!(lines.next().unwrap().starts_with("EPISODE"));
    let row = lines.next().expect("one episode row");
    assert!(row.starts_with(EP) && row.contains("2024-01-01") && row.ends_with(EP_TITLE));
    let json = env.json(&["episode", "list"]);
    assert_eq!(json[0]["id"], EP);
    assert_eq!(json[0]["title"], EP_TITLE);
    assert_eq!(json[0]["date"], "2024-01-01");
    assert_eq!(json[0]["transcript"], true);
    assert_eq!(json[0]["claims"], 0);

    let env = Env::with_claims();
    let json = env.json(&["episode", "list"]);
    let top = json
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == EP)
        .unwrap();
    assert_eq!(top["claims"], 6);
    assert_eq!(top["unchecked"], 2);
    assert_eq!(top["checked"], 4);
    let other = json
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == EP2)
        .unwrap();
    assert_eq!(other["claims"], 1);
    assert_eq!(other["transcript"], false);
}

// ---------------------------------------------------------------- add

#[test]
fn add_prints_the_id_last_and_finds_the_time_from_the_quote() {
    let env = Env::with_episode();
    let out = env.ok(&[
        "add",
        EP,
        "--quote",
        Q_NVIDIA_MARGIN,
        "--claim",
        "NVIDIA's gross margin is above 70%.",
        "--speaker",
        "哈利",
        "--tag",
        "nvidia",
    ]);
    let id = out.lines().last().expect("an id");
    assert!(is_valid_id(id), "{id:?} is a valid id");
    assert!(id.starts_with("nvidia"), "readable id: {id}");
    let path = claim_file(EP, id);
    assert_eq!(env.head_paths(), [path.as_str()]);
    let rec = toml_of(&env, &path);
    assert_eq!(rec["status"].as_str(), Some("needs-check"));
    assert_eq!(rec["said_at"].as_str(), Some("18:08~19:08"));
    assert_eq!(rec["quote"].as_str(), Some(Q_NVIDIA_MARGIN));
    assert_eq!(rec["speaker"].as_str(), Some("哈利"));
    assert_eq!(rec["tags"].as_array().unwrap()[0].as_str(), Some("nvidia"));
    assert!(rec.get("verdict").is_none());
    assert_eq!(env.claim(id)["said_at"], "18:08~19:08");
    env.assert_clean("add");
}

#[test]
fn add_quiet_prints_only_the_id_and_json_gives_it_too() {
    let env = Env::with_episode();
    let out = env
        .errata()
        .args(["-q", "add", EP, "--claim", "NVIDIA is worth $1 trillion."])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(is_valid_id(stdout.trim_end()));
    assert!(out.stderr.is_empty(), "-q says nothing on stderr");
    let json = env.json(&["add", EP, "--quote", Q_NVIDIA_TRILLION]);
    assert!(is_valid_id(json["id"].as_str().unwrap()));
    assert_eq!(json["said_at"], "17:08~18:08");
    assert_eq!(
        json["commit"].as_str().unwrap(),
        env.git(&["rev-parse", "HEAD"]).trim()
    );
}

#[test]
fn add_needs_a_quote_or_a_claim() {
    let env = Env::with_episode();
    env.refused(&["add", EP], 2, &["quote", "claim"]);
    env.refused(&["add", EP, "--quote", "  ", "--claim", ""], 2, &["quote"]);
}

#[test]
fn add_finds_a_quote_whose_whitespace_differs_from_the_transcript() {
    let env = Env::with_episode();
    // Aired as "他們的造價是 H100的 兩倍但是".
    let id = env.add(&[EP, "--quote", Q_AMD_COST]);
    assert_eq!(env.claim(&id)["said_at"], "18:08~19:08");
    // Across a segment boundary: the time covers both segments.
    let id = env.add(&[EP, "--quote", "兩倍但是他還賣得比H100便宜"]);
    assert_eq!(env.claim(&id)["said_at"], "18:08~20:08");
    // The quote is stored as given.
    assert_eq!(env.claim(&id)["quote"], "兩倍但是他還賣得比H100便宜");
}

#[test]
fn generated_ids_are_valid_and_never_repeat() {
    let env = Env::with_episode();
    let claim = "NVIDIA's gross margin is above 70%.";
    let a = env.add(&[EP, "--claim", claim]);
    let b = env.add(&[EP, "--claim", claim]);
    assert_ne!(a, b, "two adds of the same claim get different ids");
    for id in [&a, &b] {
        assert!(is_valid_id(id), "{id}");
        assert!(env.path(&claim_file(EP, id)).is_file());
    }
    // A claim with no Latin words (only the quote) still gets a valid id.
    let c = env.add(&[EP, "--quote", Q_NVIDIA_MARGIN]);
    assert!(is_valid_id(&c), "{c}");
    assert_eq!(env.log().len(), 5);
}

#[test]
fn add_uses_the_id_given() {
    let env = Env::with_episode();
    let id = env.add(&[
        EP,
        "--quote",
        Q_NVIDIA_MARGIN,
        "--id",
        "nvidia-gross-margin",
    ]);
    assert_eq!(id, "nvidia-gross-margin");
    assert_eq!(env.head_paths(), [claim_file(EP, "nvidia-gross-margin")]);
    // The longest id allowed.
    let long = "a".repeat(64);
    assert_eq!(env.add(&[EP, "--claim", "x", "--id", &long]), long);
}

#[test]
fn add_refuses_invalid_ids() {
    let env = Env::with_episode();
    let long = "a".repeat(65);
    for bad in ["../x", "A B", long.as_str(), "", "x/y", "nvidia_margin"] {
        env.refused(
            &["add", EP, "--claim", "x", "--id", bad],
            2,
            &["invalid id"],
        );
    }
    env.refused(
        &["add", EP, "--claim", "x", "--id", "episode"],
        2,
        &["reserved"],
    );
    assert!(!env.path("claims/x.toml").exists());
}

#[test]
fn add_refuses_a_duplicate_id_in_any_episode() {
    let env = Env::with_claims();
    env.refused(
        &["add", EP, "--claim", "x", "--id", "nvidia-margin"],
        2,
        &["already exists"],
    );
    env.refused(
        &["add", EP2, "--claim", "x", "--id", "nvidia-margin"],
        2,
        &["already exists"],
    );
}

#[test]
fn add_refuses_a_bad_time() {
    let env = Env::with_episode();
    env.refused(
        &["add", EP, "--quote", Q_NVIDIA_MARGIN, "--at", "07:68"],
        2,
        &["07:68"],
    );
    env.refused(&["add", EP, "--claim", "x", "--at", "19:08~18:08"], 2, &[]);
    // Past the end of the transcript (48:04).
    env.refused(
        &["add", EP, "--claim", "x", "--at", "59:00"],
        2,
        &["outside the transcript"],
    );
    // The quote is somewhere else.
    env.refused(
        &["add", EP, "--quote", Q_NVIDIA_MARGIN, "--at", "30:00"],
        2,
        &["18:08"],
    );
    // A time inside the quote's segment is kept as given.
    let id = env.add(&[EP, "--quote", Q_NVIDIA_MARGIN, "--at", "18:30"]);
    assert_eq!(env.claim(&id)["said_at"], "18:30");
}

#[test]
fn add_refuses_a_quote_not_in_the_transcript_and_shows_the_closest() {
    let env = Env::with_episode();
    let stderr = env.refused(
        &["add", EP, "--quote", "他的利潤高達80幾%耶"],
        2,
        &["not in the transcript", "18:08"],
    );
    assert!(stderr.contains("hint:"), "{stderr}");
}

#[test]
fn add_to_an_episode_without_transcript_keeps_the_time_given() {
    let env = Env::with_claims();
    let id = env.add(&[
        EP2,
        "--claim",
        "GraphCast runs on one TPU.",
        "--at",
        "12:00",
    ]);
    let c = env.claim(&id);
    assert_eq!(c["episode"], EP2);
    assert_eq!(c["said_at"], "12:00");
    env.refused(
        &["add", "no-such-episode", "--claim", "x"],
        2,
        &["no episode"],
    );
}

// ---------------------------------------------------------------- the user's own changes

#[test]
fn the_users_staged_and_unstaged_changes_stay_as_they_were() {
    let env = Env::with_episode();
    env.commit_by_hand(&[("README.md", "# 科技浪 fact-check desk\n")], "readme");
    // Unstaged edit to a tracked file.
    env.write("README.md", "# 科技浪 fact-check desk\nunsaved thoughts\n");
    // A staged new file, with a further unstaged change on top.
    env.write("notes.txt", "call NVIDIA investor relations\n");
    env.git(&["add", "notes.txt"]);
    env.write("notes.txt", "call NVIDIA investor relations\nand AMD\n");
    // An untracked file.
    env.write("draft.md", "draft\n");
    let user_status = env.status();
    assert_eq!(user_status, " M README.md\nAM notes.txt\n?? draft.md\n");
    let staged_notes = env.git(&["ls-files", "--stage", "notes.txt"]);

    let mut id = String::new();
    let steps: [Vec<String>; 3] = [
        vec![
            "add".into(),
            EP.into(),
            "--quote".into(),
            Q_NVIDIA_MARGIN.into(),
            "--id".into(),
            "nvidia-margin".into(),
        ],
        vec!["start".into(), "nvidia-margin".into()],
        vec![
            "verdict".into(),
            "nvidia-margin".into(),
            "accurate".into(),
            "--source".into(),
            URL_NVIDIA.into(),
        ],
    ];
    for step in &steps {
        let args: Vec<&str> = step.iter().map(String::as_str).collect();
        let out = env.ok(&args);
        if step[0] == "add" {
            id = out.lines().last().unwrap().to_owned();
        }
        let what = &step[0];
        assert_eq!(
            env.head_paths(),
            [claim_file(EP, &id)],
            "{what} committed only its record"
        );
        assert_eq!(
            env.git(&["diff", "--cached", "--name-only"]),
            "notes.txt\n",
            "notes.txt is still staged after {what}"
        );
        assert_eq!(env.git(&["ls-files", "--stage", "notes.txt"]), staged_notes);
        assert_eq!(
            env.git(&["diff", "--name-only"]),
            "README.md\nnotes.txt\n",
            "unstaged changes stay unstaged after {what}"
        );
        assert_eq!(env.status(), user_status, "after {what}");
        assert_eq!(
            env.read("README.md"),
            "# 科技浪 fact-check desk\nunsaved thoughts\n"
        );
        assert_eq!(
            env.read("notes.txt"),
            "call NVIDIA investor relations\nand AMD\n"
        );
        assert_eq!(env.read("draft.md"), "draft\n");
    }
    let all_paths = env.git(&["log", "--name-only", "--format="]);
    assert!(!all_paths.contains("notes.txt") && !all_paths.contains("draft.md"));
}

#[test]
fn git_stays_consistent_through_a_series_of_commands() {
    let env = Env::empty();
    #[rustfmt::skip]
    let steps: &[&[&str]] = &[
        &["init"],
        &["episode", "add", EP, "--title", EP_TITLE, "--date", "2024-01-01", "--transcript", SEED],
        &["episode", "add", EP2, "--title", "GraphCast"],
        &["add", EP, "--quote", Q_NVIDIA_MARGIN, "--id", "nvidia-margin", "--tag", "nvidia"],
        &["add", EP, "--quote", Q_AMD_COST, "--claim", "AMD's MI300X costs twice an H100 to make."],
        &["add", EP2, "--claim", "GraphCast needs no supercomputer.", "--id", "graphcast-no-supercomputers"],
        &["start", "nvidia-margin", "--assignee", "小明"],
        &["start", "nvidia-margin", "--assignee", "小華"],
        &["verdict", "nvidia-margin", "accurate", "--source", URL_NVIDIA, "--note", "74.0%"],
        &["verdict", "nvidia-margin", "mostly-accurate"],
        &["verdict", "graphcast-no-supercomputers", "inaccurate", "--source", URL_GRAPHCAST],
        &["verdict", "graphcast-no-supercomputers", "unverifiable"],
    ];
    for (n, step) in steps.iter().enumerate() {
        env.ok(step);
        env.assert_clean(&format!("errata {step:?}"));
        assert_eq!(env.log().len(), n + 1, "one commit per command");
        // Read commands in between change nothing.
        let before = env.state();
        env.ok(&["list"]);
        env.ok(&["validate"]);
        env.state().assert_same(&before, "list and validate");
    }
    env.git(&["fsck", "--strict", "--full"]);
    // A straight line of commits: the first has no parent, every other one.
    let parents = env.git(&["log", "--format=%P"]);
    let counts: Vec<usize> = parents
        .lines()
        .map(|p| p.split_whitespace().count())
        .collect();
    assert_eq!(counts.last(), Some(&0));
    assert!(
        counts[..counts.len() - 1].iter().all(|&n| n == 1),
        "{parents}"
    );
}

// ---------------------------------------------------------------- commits

#[test]
fn commits_carry_a_summary_and_trailers_a_script_can_read() {
    let env = Env::with_episode();
    let id = env.add(&[EP, "--quote", Q_NVIDIA_MARGIN, "--id", "nvidia-margin"]);
    assert_eq!(
        env.head_message().lines().next(),
        Some(format!("add: {id} in {EP}").as_str())
    );
    assert_eq!(
        env.head_trailers(),
        [
            ("Errata-Claim".to_owned(), id.clone()),
            ("Errata-Status".to_owned(), "needs-check".to_owned()),
        ]
    );

    env.ok(&["start", &id, "--assignee", "小明"]);
    assert_eq!(
        env.head_message().lines().next(),
        Some("start: nvidia-margin is checking")
    );
    let t = env.head_trailers();
    assert!(t.contains(&("Errata-Claim".into(), id.clone())));
    assert!(t.contains(&("Errata-Status".into(), "needs-check -> checking".into())));
    assert!(t.contains(&("Errata-Assignee".into(), "小明".into())));

    env.ok(&["verdict", &id, "accurate", "--source", URL_NVIDIA]);
    let msg = env.head_message();
    assert_eq!(
        msg.lines().next(),
        Some("verdict: nvidia-margin is accurate")
    );
    assert_eq!(
        msg.lines().nth(1),
        Some(""),
        "a blank line after the summary"
    );
    let t = env.head_trailers();
    assert!(t.contains(&("Errata-Claim".into(), "nvidia-margin".into())));
    assert!(t.contains(&("Errata-Status".into(), "checking -> checked".into())));
    assert!(t.contains(&("Errata-Verdict".into(), "accurate".into())));
    // git's own trailer formatting agrees.
    assert_eq!(
        env.git(&[
            "log",
            "-1",
            "--format=%(trailers:key=Errata-Status,valueonly)"
        ])
        .trim(),
        "checking -> checked"
    );

    env.ok(&["verdict", &id, "mostly-accurate"]);
    assert_eq!(
        env.head_message().lines().next(),
        Some("verdict: nvidia-margin is mostly-accurate (was accurate)")
    );
    assert!(
        env.head_trailers()
            .contains(&("Errata-Status".into(), "checked -> checked".into()))
    );
}

#[test]
fn a_line_break_in_user_text_cannot_forge_a_trailer() {
    let env = Env::with_claims();
    let forged = "x\n\nErrata-Claim: forged\nErrata-Status: checked -> corrected";
    let attempts: [&[&str]; 8] = [
        &["start", "nvidia-trillion", "--assignee", forged],
        &["episode", "add", "new-episode", "--title", forged],
        &["source", "nvidia-trillion", "--title", forged],
        &[
            "source",
            "nvidia-trillion",
            "--url",
            URL_NVIDIA,
            "--publisher",
            forged,
        ],
        &["add", EP, "--claim", "x", "--speaker", forged],
        &["add", EP, "--claim", "x", "--tag", forged],
        &["init", "--name", forged],
        &[
            "correct",
            "amd-mi300x-cost",
            "--episode",
            EP,
            "--at",
            "06:07",
            "--text",
            "t",
            "--reported-by",
            forged,
        ],
    ];
    for args in attempts {
        let flag = args.iter().rev().nth(1).unwrap();
        let stderr = env.refused(args, 2, &["line break", flag]);
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    // Where a one-line field is given on one line, the commit carries exactly
    // the trailers errata writes, and git reads no others.
    env.ok(&[
        "start",
        "nvidia-trillion",
        "--assignee",
        "小明 Errata-Claim: x",
    ]);
    let trailers = env.head_trailers();
    let keys: Vec<&str> = trailers.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        ["Errata-Claim", "Errata-Status", "Errata-Assignee"],
        "{trailers:?}"
    );
    assert_eq!(trailers[0].1, "nvidia-trillion");
    let all = env.git(&["log", "--format=%B"]);
    assert!(!all.contains("forged"), "{all}");
}

#[test]
fn a_line_break_in_a_hand_edited_one_line_field_is_a_problem() {
    let env = Env::with_claims();
    let path = claim_file(EP, "nvidia-trillion");
    let text = env.read(&path);
    env.commit_by_hand(
        &[(
            &path,
            &format!("{text}speaker = \"哈利\\nErrata-Claim: forged\"\n"),
        )],
        "a speaker on two lines",
    );
    let out = env.run(&["validate"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!("{path}:")) && stdout.contains("speaker is not one line"),
        "{stdout}"
    );
}

#[test]
fn the_author_is_the_users_git_identity() {
    let env = Env::with_episode();
    env.add(&[EP, "--claim", "x"]);
    assert_eq!(
        env.git(&["log", "-1", "--format=%an <%ae>|%cn <%ce>|%aI"])
            .trim(),
        format!(
            "{AUTHOR_NAME} <{AUTHOR_EMAIL}>|{AUTHOR_NAME} <{AUTHOR_EMAIL}>|2024-01-02T03:04:05Z"
        )
    );

    // From git config rather than the environment: global, then the repository's own.
    let env = Env::with_episode().without_identity();
    env.git(&["config", "--global", "user.name", "林小編"]);
    env.git(&["config", "--global", "user.email", "lin@example.org"]);
    env.add(&[EP, "--claim", "x"]);
    assert_eq!(
        env.git(&["log", "-1", "--format=%an <%ae>|%cn <%ce>"])
            .trim(),
        "林小編 <lin@example.org>|林小編 <lin@example.org>"
    );
    env.git(&["config", "user.name", "Repo Editor"]);
    env.git(&["config", "user.email", "repo@example.org"]);
    env.add(&[EP, "--claim", "y"]);
    assert_eq!(
        env.git(&["log", "-1", "--format=%an <%ae>"]).trim(),
        "Repo Editor <repo@example.org>"
    );
}

#[test]
fn without_a_git_identity_changing_commands_refuse_and_write_nothing() {
    let env = Env::with_claims().without_identity();
    assert!(
        !env.git_cmd()
            .args(["config", "user.name"])
            .output()
            .unwrap()
            .status
            .success(),
        "precondition: no user.name in any config"
    );
    let hint = &["no git identity", "git config"];
    env.refused(&["add", EP, "--claim", "x", "--id", "new-claim"], 2, hint);
    env.refused(&["start", "nvidia-trillion"], 2, hint);
    env.refused(
        &[
            "verdict",
            "amd-mi300x-cost",
            "accurate",
            "--source",
            URL_NVIDIA,
        ],
        2,
        hint,
    );
    env.refused(&["episode", "add", "new-episode", "--title", "t"], 2, hint);
    // Read commands still work.
    env.ok(&["list"]);

    // init in an empty folder: no commit, no errata.toml, no repository left behind.
    let env = Env::empty().without_identity();
    env.refused(&["init"], 2, hint);
    assert!(!env.path("errata.toml").exists());
    assert!(
        !env.path(".git").exists(),
        "a failed init leaves no repository behind"
    );
}

// ---------------------------------------------------------------- lifecycle

#[test]
fn start_marks_a_claim_checking_with_its_assignee() {
    let env = Env::with_claims();
    let out = env
        .errata()
        .args(["start", "nvidia-trillion", "--assignee", "小華"])
        .assert()
        .success()
        .stderr(predicate::str::contains("needs-check -> checking"));
    drop(out);
    let path = claim_file(EP, "nvidia-trillion");
    assert_eq!(env.head_paths(), [path.as_str()]);
    let rec = toml_of(&env, &path);
    assert_eq!(rec["status"].as_str(), Some("checking"));
    assert_eq!(rec["assignee"].as_str(), Some("小華"));
    let c = env.claim("nvidia-trillion");
    assert_eq!(c["status"], "checking");
    assert_eq!(c["assignee"], "小華");
    env.assert_clean("start");
    // Starting again without a new assignee is refused; a new assignee takes over.
    env.refused(&["start", "nvidia-trillion"], 2, &["already being checked"]);
    env.ok(&["start", "nvidia-trillion", "--assignee", "小明"]);
    assert_eq!(env.claim("nvidia-trillion")["assignee"], "小明");
}

#[test]
fn a_verdict_other_than_unverifiable_needs_a_source() {
    let env = Env::with_claims();
    env.refused(
        &["verdict", "amd-mi300x-cost", "accurate"],
        2,
        &["needs at least one source", "--source"],
    );
    env.refused(
        &["verdict", "nvidia-trillion", "inaccurate"],
        2,
        &["source"],
    );
}

#[test]
fn verdict_with_a_source_checks_the_claim_and_records_the_source() {
    let env = Env::with_claims();
    let url = "https://www.amd.com/en/products/accelerators/instinct/mi300/mi300x.html";
    env.ok(&[
        "verdict",
        "amd-mi300x-cost",
        "misleading",
        "--source",
        url,
        "--note",
        "AMD does not publish its cost.",
    ]);
    let path = claim_file(EP, "amd-mi300x-cost");
    assert_eq!(env.head_paths(), [path.as_str()]);
    let rec = toml_of(&env, &path);
    assert_eq!(rec["status"].as_str(), Some("checked"));
    assert_eq!(rec["verdict"].as_str(), Some("misleading"));
    assert_eq!(rec["note"].as_str(), Some("AMD does not publish its cost."));
    let sources = rec["sources"].as_array().expect("[[sources]]");
    assert_eq!(sources.len(), 1);
    assert_eq!(sources[0]["url"].as_str(), Some(url));
    assert!(env.read(&path).contains("\n[[sources]]\nurl = "));
    env.assert_clean("verdict");
    // The same verdict and source again change nothing, so nothing is committed;
    // a new source is added.
    env.refused(
        &["verdict", "amd-mi300x-cost", "misleading", "--source", url],
        2,
        &["nothing to change"],
    );
    env.ok(&[
        "verdict",
        "amd-mi300x-cost",
        "misleading",
        "--source",
        URL_NVIDIA,
    ]);
    let rec = toml_of(&env, &path);
    let urls: Vec<&str> = rec["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["url"].as_str().unwrap())
        .collect();
    assert_eq!(urls, [url, URL_NVIDIA]);
    let c = env.claim("amd-mi300x-cost");
    assert_eq!(c["verdict"], "misleading");
    assert_eq!(c["sources"][0]["url"], url);
    assert_eq!(c["owed"], true);
    env.assert_clean("verdict");
}

#[test]
fn verdict_refuses_unknown_verdicts_and_bad_urls() {
    let env = Env::with_claims();
    env.refused(
        &[
            "verdict",
            "amd-mi300x-cost",
            "false",
            "--source",
            URL_NVIDIA,
        ],
        2,
        &["false"],
    );
    env.refused(
        &[
            "verdict",
            "amd-mi300x-cost",
            "accurate",
            "--source",
            "ftp://x",
        ],
        2,
        &["ftp://x"],
    );
    env.refused(
        &[
            "verdict",
            "amd-mi300x-cost",
            "accurate",
            "--source",
            "nvidia.com",
        ],
        2,
        &["not a web address"],
    );
}

#[test]
fn unverifiable_needs_no_source() {
    let env = Env::with_claims();
    env.ok(&["verdict", "nvidia-trillion", "unverifiable"]);
    let rec = toml_of(&env, &claim_file(EP, "nvidia-trillion"));
    assert_eq!(rec["status"].as_str(), Some("checked"));
    assert_eq!(rec["verdict"].as_str(), Some("unverifiable"));
    assert!(rec.get("sources").is_none());
    env.ok(&["validate"]);
}

#[test]
fn a_move_the_lifecycle_forbids_is_refused() {
    let env = Env::with_claims();
    env.refused(
        &["start", "nvidia-margin"],
        2,
        &["already checked", "hint:"],
    );
    env.refused(
        &["start", "nvidia-margin", "--assignee", "小明"],
        2,
        &["cannot go back"],
    );
}

#[test]
fn a_hand_comment_survives_verdict() {
    let env = Env::with_episode();
    let path = claim_file(EP, "nvidia-margin");
    let record = "\
# Logged by hand from the show notes; see the 10-Q before deciding.
status = \"checking\" # picked up on Monday
said_at = \"18:08~19:08\"
speaker = \"哈利\"
quote = \"他的利潤高達70幾%耶\"   # verbatim, as aired
claim = \"NVIDIA's gross margin is above 70%.\"

# Tags follow the desk's list.
tags = [\"nvidia\", \"chips\"]
";
    env.commit_by_hand(&[(&path, record)], "log nvidia-margin by hand");
    env.ok(&[
        "verdict",
        "nvidia-margin",
        "accurate",
        "--source",
        URL_NVIDIA,
    ]);
    let after = env.read(&path);
    for line in [
        "# Logged by hand from the show notes; see the 10-Q before deciding.\n",
        "quote = \"他的利潤高達70幾%耶\"   # verbatim, as aired\n",
        "# Tags follow the desk's list.\ntags = [\"nvidia\", \"chips\"]\n",
        "speaker = \"哈利\"\n",
    ] {
        assert!(after.contains(line), "lost {line:?}:\n{after}");
    }
    assert!(
        after.starts_with("# Logged by hand"),
        "the leading comment stays first:\n{after}"
    );
    assert!(
        after.contains("status = \"checked\" # picked up on Monday\n"),
        "the comment after the changed value stays:\n{after}"
    );
    assert!(after.contains("verdict = \"accurate\""));
    assert_eq!(env.claim("nvidia-margin")["verdict"], "accurate");
    env.ok(&["validate"]);
    env.assert_clean("verdict");
}

#[test]
fn a_hand_written_record_keeps_its_sources_comments_and_line_ends() {
    let env = Env::with_episode();
    let path = claim_file(EP, "amd-cost");
    let record = "claim = \"AMD's MI300X costs twice an H100 to make.\"\r\n\
# state\r\n\
status = \"checking\"\r\n\
said_at = \"18:08~19:08\"\r\n\
\r\n\
# The first source, found by 小明.\r\n\
[[sources]]\r\n\
title = \"AMD Instinct MI300X\" # product page\r\n\
url = \"https://www.amd.com/en/products/accelerators/instinct/mi300/mi300x.html\"\r\n\
\r\n\
# end of record\r\n";
    env.commit_by_hand(&[(&path, record)], "log amd-cost by hand");
    env.ok(&[
        "verdict",
        "amd-cost",
        "unverifiable",
        "--source",
        URL_NVIDIA,
    ]);
    let after = env.read(&path);
    assert!(
        !after.replace("\r\n", "").contains('\n'),
        "every line still ends in \\r\\n:\n{after:?}"
    );
    let diff = env.git(&["show", "--format=", "--unified=0", "HEAD"]);
    // `lines()` drops the "\r" of each "\r\n"; where git puts the blank line may vary.
    let mut changed: Vec<&str> = diff
        .lines()
        .filter(|l| l.starts_with(['+', '-']) && !l.starts_with("+++") && !l.starts_with("---"))
        .collect();
    changed.sort();
    let url_line = format!("+url = \"{URL_NVIDIA}\"");
    let mut expected = vec![
        "+",
        "+[[sources]]",
        "+status = \"checked\"",
        &url_line,
        "+verdict = \"unverifiable\"",
        "-status = \"checking\"",
    ];
    expected.sort();
    assert_eq!(changed, expected, "only what the verdict changed:\n{diff}");
    let c = env.claim("amd-cost");
    assert_eq!(c["sources"].as_array().unwrap().len(), 2);
    assert_eq!(c["sources"][0]["title"], "AMD Instinct MI300X");
    env.ok(&["validate"]);
}

#[test]
fn a_record_with_an_uncommitted_hand_edit_is_not_touched() {
    let env = Env::with_claims();
    let path = claim_file(EP, "nvidia-trillion");
    let edited = format!(
        "{}# still researching: Bloomberg, 2023-05-30\n",
        env.read(&path)
    );
    env.write(&path, &edited);
    let hint = &["uncommitted changes", "hint:", "git commit"];
    env.refused(&["start", "nvidia-trillion"], 2, hint);
    env.refused(&["verdict", "nvidia-trillion", "unverifiable"], 2, hint);
    assert_eq!(env.read(&path), edited);
    // Staged but not committed is still a hand edit.
    env.git(&["add", &path]);
    env.refused(&["start", "nvidia-trillion"], 2, hint);
    assert_eq!(env.read(&path), edited);
    // Other records can still be changed, and the hand edit stays out of it.
    env.ok(&["verdict", "amd-mi300x-cost", "unverifiable"]);
    assert_eq!(env.head_paths(), [claim_file(EP, "amd-mi300x-cost")]);
    assert_eq!(
        env.git(&["diff", "--cached", "--name-only"]),
        format!("{path}\n")
    );
    assert_eq!(env.read(&path), edited);
}

// ---------------------------------------------------------------- ids and prefixes

#[test]
fn an_unknown_id_is_refused() {
    let env = Env::with_claims();
    for args in [
        &["start", "no-such-claim"][..],
        &["verdict", "no-such-claim", "unverifiable"],
    ] {
        env.refused(args, 2, &["no claim matches `no-such-claim`"]);
    }
    // The review commands take any kind of record, and say so.
    for args in [
        &["show", "no-such-claim"][..],
        &["log", "no-such-claim"],
        &["edit", "no-such-claim"],
    ] {
        env.refused(
            args,
            2,
            &["no claim, correction or episode matches `no-such-claim`"],
        );
    }
}

#[test]
fn an_ambiguous_prefix_lists_the_candidates_and_a_unique_one_works() {
    let env = Env::with_episode();
    env.add(&[EP, "--quote", Q_NVIDIA_MARGIN, "--id", "nvidia-margin"]);
    env.add(&[
        EP,
        "--quote",
        Q_NVIDIA_TRILLION,
        "--id",
        "nvidia-market-cap",
    ]);
    env.add(&[EP, "--claim", "NVIDIA", "--id", "nvidia"]);
    for args in [&["start", "nvidia-ma"][..], &["show", "nvidia-"]] {
        env.refused(args, 2, &["nvidia-margin", "nvidia-market-cap"]);
    }
    env.ok(&["start", "nvidia-marg"]);
    assert!(
        env.head_trailers()
            .contains(&("Errata-Claim".into(), "nvidia-margin".into()))
    );
    assert_eq!(env.claim("nvidia-mark")["id"], "nvidia-market-cap");
    // An exact id wins over the longer ids it is a prefix of.
    assert_eq!(env.claim("nvidia")["id"], "nvidia");
}

#[test]
fn a_whole_id_is_found_by_its_file_name_and_its_doubts_fall_back_to_the_listing() {
    let env = Env::with_episode();
    env.add(&[EP, "--claim", "NVIDIA", "--id", "nvidia"]);
    env.add(&[EP, "--quote", Q_NVIDIA_MARGIN, "--id", "nvidia-margin"]);
    // Found by name: the exact id, not the longer one it begins.
    env.ok(&["start", "nvidia", "--assignee", "A"]);
    assert!(
        env.head_trailers()
            .contains(&("Errata-Claim".into(), "nvidia".into()))
    );
    assert_eq!(env.claim("nvidia")["status"], "checking");
    assert_eq!(env.claim("nvidia-margin")["status"], "needs-check");
    // The same file name in a second episode folder: both are named.
    std::fs::create_dir_all(env.repo.join("claims/other-ep")).unwrap();
    let text = std::fs::read_to_string(env.repo.join(claim_file(EP, "nvidia"))).unwrap();
    env.write(&claim_file("other-ep", "nvidia"), &text);
    env.refused(
        &["verdict", "nvidia", "accurate"],
        1,
        &[
            "claim id `nvidia` is used in more than one episode",
            &claim_file(EP, "nvidia"),
            &claim_file("other-ep", "nvidia"),
        ],
    );
    std::fs::remove_dir_all(env.repo.join("claims/other-ep")).unwrap();
    // A file that is not a claim is reported as the listing reports it.
    env.write(
        &claim_file(EP, "nvidia"),
        "status = \"checking\"\nclaim = \n",
    );
    env.errata()
        .args(["source", "nvidia-margin", "--url", "https://example.org/a"])
        .assert()
        .success();
    // Its whole id names it still: the command refuses, naming its file,
    // rather than citing the source on `nvidia-margin`.
    env.refused(
        &["source", "nvidia", "--url", "https://example.org/b"],
        1,
        &[&claim_file(EP, "nvidia")],
    );
    let sources = env.claim("nvidia-margin")["sources"].clone();
    assert_eq!(sources.as_array().map(Vec::len), Some(1), "{sources}");
    assert_eq!(sources[0]["url"], "https://example.org/a");
}

// ---------------------------------------------------------------- validate

#[test]
fn validate_passes_on_a_good_repository() {
    let env = Env::with_claims();
    env.errata()
        .arg("validate")
        .assert()
        .code(0)
        .stdout("")
        .stderr(predicate::str::contains("no problems"));
    let json = env.json(&["validate"]);
    assert_eq!(json["ok"], true);
    assert_eq!(json["problems"], serde_json::json!([]));
}

/// A broken record, and where and what `validate` must say about it.
struct Broken {
    path: String,
    text: &'static str,
    line: usize,
    col: std::ops::RangeInclusive<usize>,
    message: &'static str,
}

fn broken(
    path: &str,
    text: &'static str,
    line: usize,
    col: usize,
    message: &'static str,
) -> Broken {
    Broken {
        path: path.to_owned(),
        text,
        line,
        col: col..=col,
        message,
    }
}

#[test]
fn validate_names_every_broken_record_with_line_and_column() {
    let env = Env::with_claims();
    let c = |id: &str| claim_file(EP, id);
    #[rustfmt::skip]
    let mut cases = vec![
        broken(&c("syntax-error"), "status = \"needs-check\"\nclaim = \"x\"\nquote = \"unterminated\n", 3, 0, "string"),
        broken(&c("unknown-field"), "# from the show notes\nstatus = \"needs-check\"\nstauts = \"checked\"\nclaim = \"x\"\n", 3, 1, "unknown field `stauts`"),
        broken(&c("checked-no-verdict"), "claim = \"x\"\nsaid_at = \"18:08\"\nstatus = \"checked\"\n", 3, 1, "needs a verdict"),
        broken(&c("verdict-no-source"), "claim = \"x\"\nstatus = \"checked\"\nverdict = \"accurate\"\n", 3, 1, "needs at least one source"),
        broken(&c("bad-url"), "status = \"checked\"\nverdict = \"accurate\"\nclaim = \"x\"\n\n[[sources]]\ntitle = \"t\"\nurl = \"ftp://x\"\n", 7, 1, "`ftp://x` is not a web address"),
        broken(&c("quote-missing"), "status = \"needs-check\"\nclaim = \"x\"\nquote = \"他的利潤高達80幾%耶\"\n", 3, 1, "not in the transcript"),
        broken(&c("said-at-outside"), "status = \"needs-check\"\nclaim = \"x\"\nsaid_at = \"59:00\"\n", 3, 1, "outside the transcript"),
        broken(&c("dup-id"), "status = \"needs-check\"\nclaim = \"dup a\"\n", 1, 1, "also used by"),
        broken(&claim_file(EP2, "dup-id"), "status = \"needs-check\"\nclaim = \"dup b\"\n", 1, 1, "also used by"),
        broken("corrections/missing-claim.toml", "episode = \"top10-ai-2023\"\nclaims = [\"no-such-claim\"]\naired_at = \"06:07~09:08\"\nmedium = \"on-air\"\ntext = \"x\"\n", 2, 11, "no claim has the id `no-such-claim`"),
        broken(&c("corrected-alone"), "claim = \"x\"\nverdict = \"inaccurate\"\nstatus = \"corrected\"\n\n[[sources]]\nurl = \"https://example.org/a\"\n", 3, 1, "no correction names this claim"),
    ];
    // The parser points inside or just after the unterminated string.
    cases[0].col = 9..=23;
    let files: Vec<(&str, &str)> = cases.iter().map(|b| (b.path.as_str(), b.text)).collect();
    env.commit_by_hand(&files, "broken records, by hand");

    let out = env.errata().arg("validate").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let mut lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines.pop(),
        Some(format!("{} problems", cases.len()).as_str()),
        "{stdout}"
    );
    assert_eq!(lines.len(), cases.len(), "one line per problem:\n{stdout}");
    for b in &cases {
        let found = lines.iter().find_map(|l| {
            let rest = l.strip_prefix(&format!("{}:", b.path))?;
            let mut parts = rest.splitn(3, ':');
            let line: usize = parts.next()?.parse().ok()?;
            let col: usize = parts.next()?.parse().ok()?;
            let msg = parts.next()?.strip_prefix(' ')?;
            Some((line, col, msg))
        });
        let (line, col, msg) = found.unwrap_or_else(|| panic!("{} not named:\n{stdout}", b.path));
        assert_eq!(line, b.line, "line of {}: {msg}", b.path);
        assert!(b.col.contains(&col), "column {col} of {}: {msg}", b.path);
        assert!(msg.contains(b.message), "{}: {msg}", b.path);
    }
    // The closest segment helps find the real quote.
    assert!(stdout.contains("18:08~19:08"), "{stdout}");

    // --json gives the same list.
    let out = env.errata().args(["--json", "validate"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["ok"], false);
    let from_json: Vec<String> = json["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{}:{}:{}: {}",
                p["path"].as_str().unwrap(),
                p["line"],
                p["column"],
                p["message"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(from_json, lines);

    // list still shows the claims that can be read, and says some cannot.
    let out = env.errata().arg("list").output().unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("warning:") && stderr.contains("errata validate"),
        "{stderr}"
    );
    for id in [
        "nvidia-margin",
        "graphcast-no-supercomputers",
        "quote-missing",
    ] {
        assert!(stdout.contains(id), "list shows {id}:\n{stdout}");
    }
    for id in ["syntax-error", "unknown-field", "checked-no-verdict"] {
        assert!(!stdout.contains(id), "list leaves out unreadable {id}");
    }
    let listed = ids(&env.json(&["list"]));
    assert!(listed.contains("nvidia-margin") && !listed.contains("syntax-error"));
    // And the other commands work on the good records.
    env.ok(&["show", "nvidia-margin"]);
    env.ok(&["start", "nvidia-trillion"]);
}

#[test]
fn validate_draws_the_line_under_a_problem_as_cargo_does() {
    let env = Env::with_episode();
    let bad = claim_file(EP, "bad-tag");
    let line = "tags = [\"輝達\", \"晶片\", 3]";
    let at = line.find('3').unwrap();
    env.write(
        &bad,
        &format!("status = \"needs-check\"\nclaim = \"輝達的利潤\"\n{line}\n"),
    );
    // And a problem of the whole file, which has no line to show.
    env.write(
        "claims/stray.toml",
        "status = \"needs-check\"\nclaim = \"x\"\n",
    );

    // Both streams into one file, in the order a terminal shows them.
    let (code, shown) = env.run_into_one_file(&["validate"]);
    assert_eq!(code, Some(1));
    let lines: Vec<&str> = shown.lines().collect();
    let first = lines
        .iter()
        .position(|l| l.starts_with(&format!("{bad}:")))
        .unwrap_or_else(|| panic!("{bad} not named:\n{shown}"));
    // The column counts characters; the caret sits under the `3` on screen, where
    // each Han character before it takes two columns.
    let column = line[..at].chars().count() + 1;
    assert!(
        lines[first].starts_with(&format!("{bad}:3:{column}: invalid type: integer `3`")),
        "{shown}"
    );
    assert_eq!(lines[first + 1].trim_end(), "  |", "{shown}");
    assert_eq!(lines[first + 2], format!("3 | {line}"), "{shown}");
    let caret = lines[first + 3];
    assert_eq!(
        caret.find('^'),
        Some("3 | ".len() + line[..at].width()),
        "{shown}"
    );
    assert_eq!(
        caret.trim_end(),
        format!("  |{}^", " ".repeat(line[..at].width() + 1))
    );
    let stray = lines
        .iter()
        .position(|l| l.starts_with("claims/stray.toml:1:1: "))
        .unwrap_or_else(|| panic!("stray claim not named:\n{shown}"));
    let next = lines.get(stray + 1).copied().unwrap_or("");
    assert!(
        next == "2 problems" || next.starts_with(&format!("{bad}:")),
        "a whole-file problem has no snippet:\n{shown}"
    );
    assert_eq!(lines.last(), Some(&"2 problems"), "{shown}");

    // stdout alone stays one line per problem; the snippet is on stderr.
    let out = env.run(&["validate"]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stdout.lines().count(), 3, "{stdout}");
    assert!(stderr.contains(&format!("3 | {line}\n")), "{stderr}");
    assert!(!stderr.contains('\x1b'), "NO_COLOR: no colour:\n{stderr}");

    // Colour only when asked for; the first line never has any.
    let out = env.run(&["--color", "always", "validate"]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains('\x1b') && stderr.contains('^'), "{stderr}");
    assert!(!stdout.contains('\x1b'), "{stdout}");

    // --quiet keeps only the problems.
    let out = env.run(&["--quiet", "validate"]);
    assert_eq!(String::from_utf8(out.stdout).unwrap(), stdout);
    assert_eq!(String::from_utf8(out.stderr).unwrap(), "");
}

// ---------------------------------------------------------------- list and show

#[test]
fn list_filters_combine() {
    let env = Env::with_claims();
    let all = ids(&env.json(&["list"]));
    assert_eq!(all.len(), 7);
    let cases: &[(&[&str], &[&str])] = &[
        (&["--status", "needs-check"], &["nvidia-trillion"]),
        (&["--status", "checking"], &["amd-mi300x-cost"]),
        (
            &["--status", "checked"],
            &[
                "nvidia-margin",
                "yi-copies-llama",
                "yi-unicorn",
                "chatgpt-launch",
                "graphcast-no-supercomputers",
            ],
        ),
        (&["--verdict", "accurate"], &["nvidia-margin"]),
        (&["--verdict", "unverifiable"], &["yi-unicorn"]),
        (&["--episode", EP2], &["graphcast-no-supercomputers"]),
        (&["--tag", "nvidia"], &["nvidia-margin", "nvidia-trillion"]),
        (
            &["--owed"],
            &["yi-copies-llama", "graphcast-no-supercomputers"],
        ),
        (
            &["--status", "checked", "--tag", "nvidia"],
            &["nvidia-margin"],
        ),
        (&["--owed", "--episode", EP], &["yi-copies-llama"]),
        (
            &["--tag", "yi", "--verdict", "misleading"],
            &["yi-copies-llama"],
        ),
        (&["--status", "corrected"], &[]),
    ];
    for (filter, expected) in cases {
        let mut args = vec!["list"];
        args.extend_from_slice(filter);
        assert_eq!(ids(&env.json(&args)), set(expected), "list {filter:?}");
        // The human table lists the same claims.
        let human = env.ok(&args);
        for id in &all {
            assert_eq!(
                human
                    .lines()
                    .any(|l| l.split_whitespace().next() == Some(id)),
                expected.contains(&id.as_str()),
                "list {filter:?} and {id}:\n{human}"
            );
        }
    }
    env.refused(&["list", "--status", "bogus"], 2, &["bogus"]);
    env.refused(&["list", "--verdict", "false"], 2, &["false"]);
    env.refused(
        &["list", "--episode", "no-such-episode"],
        2,
        &["no episode"],
    );
}

#[test]
fn list_json_keeps_the_stable_field_names() {
    let env = Env::with_claims();
    let json = env.json(&["list"]);
    for c in json.as_array().unwrap() {
        for key in [
            "id", "episode", "status", "verdict", "said_at", "quote", "claim", "tags", "sources",
        ] {
            assert!(c.get(key).is_some(), "{key} missing in {c}");
        }
        assert!(c["tags"].is_array() && c["sources"].is_array());
    }
    let margin = json
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "nvidia-margin")
        .unwrap();
    assert_eq!(margin["episode"], EP);
    assert_eq!(margin["status"], "checked");
    assert_eq!(margin["verdict"], "accurate");
    assert_eq!(margin["said_at"], "18:08~19:08");
    assert_eq!(margin["quote"], Q_NVIDIA_MARGIN);
    assert_eq!(margin["claim"], "NVIDIA's gross margin is above 70%.");
    assert_eq!(margin["tags"], serde_json::json!(["nvidia", "chips"]));
    assert_eq!(margin["sources"][0]["url"], URL_NVIDIA);
    let fresh = json
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "nvidia-trillion")
        .unwrap();
    assert_eq!(fresh["verdict"], Value::Null);
    assert_eq!(fresh["sources"], serde_json::json!([]));
    let graphcast = json
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "graphcast-no-supercomputers")
        .unwrap();
    assert_eq!(graphcast["quote"], Value::Null);
    assert_eq!(graphcast["said_at"], Value::Null);
}

#[test]
fn show_prints_the_whole_record() {
    let env = Env::with_claims();
    let human = env.ok(&["show", "nvidia-margin"]);
    for needle in [
        "nvidia-margin",
        &claim_file(EP, "nvidia-margin"),
        Q_NVIDIA_MARGIN,
        "NVIDIA's gross margin is above 70%.",
        "accurate",
        "18:08~19:08",
        "哈利",
        URL_NVIDIA,
        "GAAP gross margin was 74.0%",
    ] {
        assert!(human.contains(needle), "show lacks {needle:?}:\n{human}");
    }
    assert!(
        human.lines().all(|l| l == l.trim_end()),
        "no trailing spaces:\n{human:?}"
    );
    let json = env.claim("nvidia-margin");
    assert_eq!(json["id"], "nvidia-margin");
    assert_eq!(json["verdict"], "accurate");
    assert_eq!(json["quote"], Q_NVIDIA_MARGIN);
    assert_eq!(json["speaker"], "哈利");
    // An owed claim says so.
    assert!(env.ok(&["show", "yi-copies-llama"]).contains("owed"));
    assert_eq!(env.claim("yi-copies-llama")["owed"], true);
}

#[test]
fn show_at_a_revision_shows_the_claim_as_it_was() {
    let env = Env::with_claims();
    env.ok(&[
        "verdict",
        "amd-mi300x-cost",
        "inaccurate",
        "--source",
        URL_NVIDIA,
    ]);
    assert_eq!(env.claim("amd-mi300x-cost@HEAD~1")["status"], "checking");
    assert_eq!(env.claim("amd-mi300x-cost@HEAD~1")["verdict"], Value::Null);
    assert_eq!(env.claim("amd-mi300x-cost@HEAD")["verdict"], "inaccurate");
    let first = env.log().last().unwrap().clone();
    let human = env.ok(&["show", "amd-mi300x-cost@HEAD~1"]);
    assert!(
        human.contains("checking") && !human.contains("inaccurate"),
        "{human}"
    );
    // By prefix, too.
    assert_eq!(env.claim("amd-mi@HEAD~1")["status"], "checking");
    env.refused(
        &["show", "amd-mi300x-cost@no-such-rev"],
        2,
        &["unknown revision"],
    );
    env.refused(
        &["show", &format!("amd-mi300x-cost@{first}")],
        2,
        &["did not exist"],
    );
}

#[test]
fn list_aligns_chinese_claims_by_display_width() {
    let env = Env::with_episode();
    #[rustfmt::skip]
    let adds: &[&[&str]] = &[
        &["--id", "nvidia-margin", "--quote", Q_NVIDIA_MARGIN, "--claim", "輝達的毛利率超過七成"],
        &["--id", "amd-mi300x-cost", "--quote", Q_AMD_COST, "--claim", "AMD MI300X 的造價是 H100 的兩倍"],
        &["--id", "yi-copies-llama", "--quote", Q_YI_COPY, "--claim", "零一萬物的 Yi 模型基本上複製了 LLaMA 的程式碼，只把兩個張量改了名字，公司估值就來到十億美元"],
        &["--id", "chatgpt", "--quote", Q_CHATGPT],
        &["--id", "nvidia-trillion", "--quote", Q_NVIDIA_TRILLION, "--claim", "NVIDIA reached a $1 trillion market value."],
    ];
    for a in adds {
        let mut args = vec![EP];
        args.extend_from_slice(a);
        env.add(&args);
    }
    env.ok(&["start", "amd-mi300x-cost", "--assignee", "小明"]);
    env.ok(&[
        "verdict",
        "nvidia-margin",
        "accurate",
        "--source",
        URL_NVIDIA,
    ]);
    env.ok(&[
        "verdict",
        "chatgpt",
        "mostly-accurate",
        "--source",
        URL_CHATGPT,
    ]);
    let out = env.ok(&["list"]);
    insta::assert_snapshot!("list_chinese_claims", out);

    // Every row's claim starts at the column where the CLAIM header starts,
    // counted in terminal columns (a Han character takes two).
    let mut lines = out.lines();
    let header = lines.next().unwrap();
    let claim_col = header.find("CLAIM").unwrap();
    for row in lines {
        let mut width = 0;
        let mut split = None;
        for (i, ch) in row.char_indices() {
            if width == claim_col {
                split = Some(i);
                break;
            }
            width += ch.width().unwrap_or(0);
        }
        let i = split.unwrap_or_else(|| panic!("row misaligned: {row:?}"));
        assert!(
            row[..i].ends_with("  ") && !row[i..].starts_with(' '),
            "{row:?}"
        );
        assert!(
            UnicodeWidthStr::width(&row[i..]) <= 60,
            "claim cut to 60 columns: {row:?}"
        );
    }
    assert!(out.contains('…'), "the long claim is cut:\n{out}");
    insta::assert_snapshot!("episode_list_chinese_title", env.ok(&["episode", "list"]));
}

#[test]
fn color_follows_no_color_and_the_flag() {
    let env = Env::with_claims();
    let plain = env.ok(&["list"]);
    assert!(!plain.contains('\x1b'), "NO_COLOR and a pipe: no escapes");
    let colored = env.ok(&["--color", "always", "list"]);
    assert!(colored.contains('\x1b'), "--color always colours");
    let never = env.ok(&["--color", "never", "show", "nvidia-margin"]);
    assert!(!never.contains('\x1b'));
}

/// Run errata commands at once in one checkout; returns each one's output.
fn all_at_once(env: &Env, commands: &[Vec<String>]) -> Vec<std::process::Output> {
    let procs: Vec<std::process::Child> = commands
        .iter()
        .map(|args| {
            env.errata_process()
                .args(args)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    procs
        .into_iter()
        .map(|p| p.wait_with_output().unwrap())
        .collect()
}

/// History is a line (no merges), and `git fsck --strict` finds nothing wrong.
fn assert_linear_and_sound(env: &Env) {
    let parents = env.git(&["log", "--format=%p"]);
    assert!(
        parents.lines().all(|l| l.split_whitespace().count() <= 1),
        "linear history:\n{parents}"
    );
    env.git(&["fsck", "--strict"]);
}

#[test]
fn concurrent_writers_in_one_checkout_all_land() {
    let env = Env::with_episode();
    let before = env.log().len();
    let adds: Vec<Vec<String>> = (0..8)
        .map(|i| {
            [
                "add",
                EP,
                "--claim",
                &format!("claim {i}"),
                "--id",
                &format!("claim-{i}"),
            ]
            .map(str::to_owned)
            .to_vec()
        })
        .collect();
    for (i, out) in all_at_once(&env, &adds).into_iter().enumerate() {
        assert!(
            out.status.success(),
            "add {i}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(env.log().len(), before + 8, "one commit per add");
    env.assert_clean("concurrent adds");
    assert_linear_and_sound(&env);

    // Then eight changes to distinct claims at once: four citations, four verdicts.
    let mut changes: Vec<Vec<String>> = Vec::new();
    for i in 0..4 {
        changes.push(
            [
                "source",
                &format!("claim-{i}"),
                "--url",
                &format!("https://example.org/{i}"),
                "--title",
                "t",
            ]
            .map(str::to_owned)
            .to_vec(),
        );
    }
    for i in 4..8 {
        changes.push(
            [
                "verdict",
                &format!("claim-{i}"),
                "unverifiable",
                "--note",
                "n",
            ]
            .map(str::to_owned)
            .to_vec(),
        );
    }
    for (i, out) in all_at_once(&env, &changes).into_iter().enumerate() {
        assert!(
            out.status.success(),
            "change {i}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(env.log().len(), before + 16, "one commit per change");
    env.assert_clean("concurrent changes");
    assert_linear_and_sound(&env);
    for i in 0..4 {
        let c = env.claim(&format!("claim-{i}"));
        assert_eq!(c["sources"][0]["url"], format!("https://example.org/{i}"));
    }
    for i in 4..8 {
        assert_eq!(env.claim(&format!("claim-{i}"))["verdict"], "unverifiable");
    }
}

#[test]
fn concurrent_verdicts_on_one_claim_never_lose_an_update() {
    let env = Env::with_claims();
    let id = "nvidia-trillion";
    let before = env.log().len();
    let verdicts: Vec<Vec<String>> = ["inaccurate", "misleading"]
        .iter()
        .cycle()
        .take(6)
        .enumerate()
        .map(|(i, v)| {
            [
                "verdict",
                id,
                v,
                "--source",
                &format!("https://example.org/{i}"),
            ]
            .map(str::to_owned)
            .to_vec()
        })
        .collect();
    let outs = all_at_once(&env, &verdicts);
    // errata writers in one checkout take turns: each sees the verdict before it.
    for out in &outs {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let landed = outs.len();
    assert_eq!(
        env.log().len(),
        before + landed,
        "one commit per verdict that landed"
    );
    env.assert_clean("concurrent verdicts");
    assert_linear_and_sound(&env);
    // Every verdict that landed is in the history, and the record holds the last.
    let subjects = env.git(&["log", "--format=%s", &format!("-{landed}")]);
    assert_eq!(
        subjects
            .lines()
            .filter(|s| s.starts_with("verdict: "))
            .count(),
        landed
    );
    let last = subjects.lines().next().unwrap();
    let verdict = env.claim(id)["verdict"].as_str().unwrap().to_owned();
    assert!(
        last.contains(&format!("is {verdict}")),
        "{last} vs {verdict}"
    );
    env.ok(&["validate"]);
}

#[test]
fn init_in_a_subfolder_lays_out_the_repository_that_holds_it() {
    let env = Env::empty();
    env.git(&["init", "-q"]);
    std::fs::create_dir_all(env.path("docs/fact-checks")).unwrap();
    env.errata_in(&env.path("docs/fact-checks"))
        .args(["init", "--name", "科技浪"])
        .assert()
        .success();
    assert!(
        !env.path("docs/fact-checks/.git").exists(),
        "no nested repository"
    );
    assert_eq!(
        env.head_paths(),
        [".gitattributes", "errata.toml"],
        "settings at the top of the repository"
    );
}

#[test]
fn a_claim_outside_any_episode_folder_is_named_by_validate() {
    let env = Env::with_episode();
    env.write(
        "claims/stray.toml",
        "status = \"needs-check\"\nclaim = \"x\"\n",
    );
    let out = env.run(&["validate"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("claims/stray.toml:1:1: a claim must be in its episode's folder"),
        "{stdout}"
    );
}
