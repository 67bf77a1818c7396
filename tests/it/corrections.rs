//! End-to-end tests of corrections, scorecards and the published log and
//! ClaimReview: `errata correct`, `report`, `corrections` and `export`, run on real
//! git repositories in temp folders and checked with the real `git`.

use std::collections::BTreeSet;

use crate::common::*;
use serde_json::Value;
use unicode_width::UnicodeWidthStr;

/// The GraphCast correction of the seed episode, as aired at 06:07~09:08.
const GRAPHCAST_TEXT: &str = "上週說 GraphCast 不需要超級電腦,這是錯的:GraphCast 的輸入仍要先用超級電腦做資料同化,算出大氣現況。";
const CORRECTION_URL: &str = "https://factcheck.example.org";

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
    env.correct_graphcast(GRAPHCAST_TEXT, &[])
}

/// Give the show a published address and its episodes a place to listen, as an
/// editor would by hand.
fn publishable(env: &Env) {
    let settings = env.read("errata.toml");
    let ep = env.read(&format!("claims/{EP}/episode.toml"));
    let ep2 = env.read(&format!("claims/{EP2}/episode.toml"));
    env.commit_by_hand(
        &[
            (
                "errata.toml",
                &format!("{settings}url = \"{CORRECTION_URL}/\"\n"),
            ),
            (
                &format!("claims/{EP}/episode.toml"),
                &format!("{ep}url = \"https://podcasts.example.org/kejilang/ep100\"\n"),
            ),
            (
                &format!("claims/{EP2}/episode.toml"),
                &format!("{ep2}url = \"https://podcasts.example.org/kejilang/ep99\"\n"),
            ),
        ],
        "publish settings",
    );
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

    // Named by the correction that corrected it, found among the corrections
    // that could name the prefix given (the others are never parsed), both by
    // the prefix and by the whole id.
    let by = correct_graphcast(&env);
    for claim in ["graphcast-no", "graphcast-no-supercomputers"] {
        run(
            &[claim],
            &[
                &format!("graphcast-no-supercomputers is already corrected by {by}"),
                "edit corrections/",
            ],
        );
    }
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

// ---------------------------------------------------------------- report

/// What `list --json` says about an episode, counted the way the report counts.
fn counts_from_list(env: &Env, episode: &str) -> Value {
    let claims = env.json(&["list", "--episode", episode]);
    let claims = claims.as_array().unwrap();
    let count = |f: &dyn Fn(&Value) -> bool| claims.iter().filter(|c| f(c)).count();
    let mut by_status = serde_json::Map::new();
    for s in ["needs-check", "checking", "checked", "corrected"] {
        by_status.insert(s.into(), count(&|c| c["status"] == s).into());
    }
    let mut by_verdict = serde_json::Map::new();
    for v in [
        "accurate",
        "mostly-accurate",
        "misleading",
        "inaccurate",
        "unverifiable",
    ] {
        by_verdict.insert(v.into(), count(&|c| c["verdict"] == v).into());
    }
    let good = count(&|c| c["verdict"] == "accurate" || c["verdict"] == "mostly-accurate");
    let bad = count(&|c| c["verdict"] == "misleading" || c["verdict"] == "inaccurate");
    let score = if good + bad == 0 {
        Value::Null
    } else {
        serde_json::json!(((good * 1000) as f64 / (good + bad) as f64).round() / 10.0)
    };
    let owed = env.json(&["list", "--owed", "--episode", episode]);
    serde_json::json!({
        "claims": claims.len(),
        "by_status": by_status,
        "by_verdict": by_verdict,
        "score": score,
        "owed": owed.as_array().unwrap().len(),
    })
}

#[test]
fn report_numbers_equal_what_list_gives() {
    let env = Env::with_claims();
    correct_graphcast(&env);
    let report = env.json(&["report"]);
    let cards = report.as_array().unwrap();
    assert_eq!(cards.len(), 2, "one scorecard per episode");
    for card in cards {
        let ep = card["episode"].as_str().unwrap();
        let want = counts_from_list(&env, ep);
        for key in ["claims", "by_status", "by_verdict", "score", "owed"] {
            assert_eq!(card[key], want[key], "{ep}: {key}");
        }
    }
    let top = cards.iter().find(|c| c["episode"] == EP).unwrap();
    // accurate + mostly-accurate of (those + misleading); unverifiable left out.
    assert_eq!(top["score"], 66.7);
    assert_eq!(top["rated"], 3);
    assert_eq!(top["unchecked"], 2);
    assert_eq!(top["owed"], 1);
    assert_eq!(top["owed_claims"], serde_json::json!(["yi-copies-llama"]));
    assert_eq!(top["corrections"], 1, "the GraphCast correction aired here");
    assert_eq!(top["title"], EP_TITLE);
    assert_eq!(top["date"], "2024-01-01");
    let gc = cards.iter().find(|c| c["episode"] == EP2).unwrap();
    assert_eq!(
        gc["score"], 0.0,
        "a corrected claim still counts where it was said"
    );
    assert_eq!(gc["owed"], 0);
    assert_eq!(gc["corrections"], 0);

    let one = env.json(&["report", "--episode", EP2]);
    assert_eq!(one.as_array().unwrap().len(), 1);
    assert_eq!(one[0]["episode"], EP2);
}

#[test]
fn report_score_is_null_when_nothing_is_rated() {
    let env = Env::with_episode();
    env.add(&[EP, "--quote", Q_NVIDIA_MARGIN, "--id", "m"]);
    let v = env.json(&["report"]);
    assert_eq!(v[0]["score"], Value::Null);
    assert_eq!(v[0]["unchecked"], 1);
    let table = env.ok(&["report"]);
    let row = table.lines().nth(1).unwrap();
    assert!(row.starts_with("top10-ai-2023  2024-01-01  -  "), "{table}");
}

#[test]
fn report_table_is_aligned_by_display_width() {
    let env = Env::with_claims();
    let out = env.ok(&["report"]);
    let lines: Vec<&str> = out.lines().collect();
    // The first table: header and two episodes, the title (Chinese) last.
    let header = lines[0];
    assert!(header.starts_with("EPISODE"), "{out}");
    let title_col = UnicodeWidthStr::width(&header[..header.find("TITLE").unwrap()]);
    for row in &lines[1..3] {
        let title = [EP_TITLE, "GraphCast 天氣預報"]
            .into_iter()
            .find(|t| row.ends_with(t))
            .unwrap_or_else(|| panic!("row ends with a title: {row}"));
        let before = &row[..row.len() - title.len()];
        assert_eq!(UnicodeWidthStr::width(before), title_col, "{out}");
    }
    assert!(
        lines[1].contains("66.7 (2/3)") || lines[2].contains("66.7 (2/3)"),
        "{out}"
    );
    // The verdict table lines its columns up too.
    let vh = lines
        .iter()
        .position(|l| l.starts_with("EPISODE  ") && l.contains("UNVERIFIABLE"))
        .unwrap();
    let col = lines[vh].find("UNVERIFIABLE").unwrap();
    for row in &lines[vh + 1..] {
        assert_eq!(UnicodeWidthStr::width(&row[..col]), col, "{out}");
    }
    assert!(!out.contains('\x1b'), "NO_COLOR is honoured");
}

#[test]
fn report_refuses_an_unknown_episode() {
    let env = Env::with_claims();
    env.refused(
        &["report", "--episode", "no-such"],
        2,
        &["no episode `no-such`"],
    );
    env.refused(&["report", "--episode", "Not An Id"], 2, &["invalid id"]);
}

// ---------------------------------------------------------------- corrections log

#[test]
fn the_corrections_log_holds_what_was_said_what_is_right_and_the_sources() {
    let env = Env::with_claims();
    let first = correct_graphcast(&env);
    // A later episode, with a later correction: it comes first.
    env.ok(&[
        "episode",
        "add",
        "ep-2024-01-08",
        "--title",
        "AI 新聞週報",
        "--date",
        "2024-01-08",
    ]);
    let second = correct(
        &env,
        &[
            "yi-copies",
            "--episode",
            "ep-2024-01-08",
            "--at",
            "02:00",
            "--text",
            "Yi 用的是 LLaMA 的*架構*,權重是自己訓練的。",
            "--medium",
            "show-notes",
        ],
    );

    env.set_language("en");
    let md = env.ok(&["corrections"]);
    assert!(md.starts_with("# Corrections: 科技浪\n"), "{md}");
    let (a, b) = (md.find("AI 新聞週報").unwrap(), md.find(EP_TITLE).unwrap());
    assert!(a < b, "newest first:\n{md}");
    assert!(
        md.contains(&format!("## {EP_TITLE} (2024-01-01), at 06:07~09:08")),
        "{md}"
    );
    assert!(
        md.contains("Corrected on air. Reported by listener message."),
        "{md}"
    );
    assert!(md.contains("Corrected in the show notes."), "{md}");
    assert!(
        md.contains(&format!("**What is right:** {GRAPHCAST_TEXT}")),
        "{md}"
    );
    assert!(
        md.contains("With GraphCast, weather forecasting no longer needs supercomputers."),
        "{md}"
    );
    assert!(md.contains("in GraphCast 天氣預報 (2023-12-25)"), "{md}");
    assert!(md.contains("rated *inaccurate*"), "{md}");
    assert!(md.contains(&format!("- <{URL_GRAPHCAST}>\n")), "{md}");
    // The quote as aired, as a Markdown quote; record text escaped.
    assert!(
        md.contains("> 但那個E呢其實 基本上就是複製拉馬的Code"),
        "{md}"
    );
    assert!(md.contains(r"LLaMA 的\*架構\*"), "{md}");

    let json = env.json(&["corrections"]);
    let entries = json.as_array().unwrap();
    assert_eq!(entries[0]["id"], second.as_str());
    assert_eq!(entries[1]["id"], first.as_str());
    assert_eq!(entries[1]["episode"], EP);
    assert_eq!(entries[1]["episode_title"], EP_TITLE);
    assert_eq!(entries[1]["aired_at"], "06:07~09:08");
    assert_eq!(entries[1]["medium"], "on-air");
    assert_eq!(entries[1]["reported_by"], "listener message");
    assert_eq!(entries[1]["text"], GRAPHCAST_TEXT);
    assert_eq!(entries[1]["claims"][0]["id"], "graphcast-no-supercomputers");
    assert_eq!(entries[1]["claims"][0]["verdict"], "inaccurate");
    assert_eq!(entries[1]["claims"][0]["sources"][0]["url"], URL_GRAPHCAST);
    assert_eq!(
        env.json(&["corrections", "--format", "json"]),
        json,
        "--format json and --json agree"
    );

    let html = env.ok(&["corrections", "--format", "html"]);
    assert!(
        html.starts_with("<section class=\"corrections-log\">"),
        "{html}"
    );
    assert!(html.contains(GRAPHCAST_TEXT), "{html}");
    assert!(
        html.contains(&format!("<article class=\"correction\" id=\"{first}\">")),
        "{html}"
    );
    assert!(
        html.contains(&format!("href=\"{URL_GRAPHCAST}\"")),
        "{html}"
    );
    assert!(!html.contains("<script"), "{html}");
}

#[test]
fn the_corrections_log_escapes_record_text() {
    let env = Env::with_claims();
    correct(
        &env,
        &[
            "graphcast-no",
            "--episode",
            EP,
            "--at",
            "06:07",
            "--text",
            "<script>alert('x')</script> [link](javascript:alert(1)) **bold**",
        ],
    );
    let html = env.ok(&["corrections", "--format", "html"]);
    assert!(!html.contains("<script>"), "{html}");
    assert!(
        html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"),
        "{html}"
    );
    let md = env.ok(&["corrections"]);
    assert!(
        md.contains(r"\<script\>alert('x')\</script\> \[link\](javascript:alert(1)) \*\*bold\*\*"),
        "{md}"
    );
}

#[test]
fn the_corrections_log_is_in_the_shows_language() {
    // The templates are a zh-TW show: the log's words are Traditional Chinese,
    // dates in Chinese form; record text stays as written.
    let env = Env::with_claims();
    correct_graphcast(&env);
    let md = env.ok(&["corrections"]);
    for needle in [
        "# 更正：科技浪\n",
        &format!("## {EP_TITLE}（2024年1月1日），06:07~09:08"),
        "已在節目中更正。提出者：listener message。",
        "**節目所說**，「GraphCast 天氣預報（2023年12月25日）」",
        "評為*錯誤*",
        &format!("**正確的說法：** {GRAPHCAST_TEXT}"),
        "**資料來源：**",
    ] {
        assert!(md.contains(needle), "{needle} in:\n{md}");
    }
    let html = env.ok(&["corrections", "--format", "html"]);
    assert!(html.contains("<h3>正確的說法</h3>"), "{html}");
    assert!(
        html.contains("<span class=\"verdict verdict-inaccurate\">錯誤</span>"),
        "{html}"
    );
}

#[test]
fn the_corrections_log_links_to_the_published_site_when_it_is_known() {
    let env = Env::with_claims();
    env.set_language("en");
    correct_graphcast(&env);
    let md = env.ok(&["corrections"]);
    assert!(
        !md.contains("fact-check]("),
        "no url in errata.toml, no link:\n{md}"
    );
    publishable(&env);
    let md = env.ok(&["corrections"]);
    assert!(
        md.contains(&format!(
            "([fact-check]({CORRECTION_URL}/{EP2}/#graphcast-no-supercomputers))"
        )),
        "{md}"
    );
}

#[test]
fn an_empty_corrections_log_says_so() {
    let env = Env::with_claims();
    // In the show's language (the templates are a zh-TW show), and in English.
    assert_eq!(
        env.ok(&["corrections"]),
        "# 更正：科技浪\n\n目前沒有更正。\n"
    );
    env.set_language("en");
    assert_eq!(
        env.ok(&["corrections"]),
        "# Corrections: 科技浪\n\nNo corrections so far.\n"
    );
    // A language errata has no words for reads English.
    env.set_language("fr");
    assert!(
        env.ok(&["corrections"])
            .starts_with("# Corrections: 科技浪\n")
    );
    assert_eq!(env.json(&["corrections"]), serde_json::json!([]));
    env.refused(&["corrections", "--format", "pdf"], 2, &["pdf"]);
}

// ---------------------------------------------------------------- ClaimReview

fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && s.bytes()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && (1..=12).contains(&s[5..7].parse::<u32>().unwrap())
        && (1..=31).contains(&s[8..10].parse::<u32>().unwrap())
}

fn seconds(t: &str) -> u32 {
    let start = t.split('~').next().unwrap();
    let parts: Vec<u32> = start.split(':').map(|p| p.parse().unwrap()).collect();
    parts.iter().fold(0, |acc, p| acc * 60 + p)
}

#[test]
fn claimreview_export_has_every_property_for_every_reviewed_claim() {
    let env = Env::with_claims();
    publishable(&env);
    correct_graphcast(&env);
    let out = env
        .errata()
        .args(["--json", "export", "claimreview"])
        .env("SOURCE_DATE_EPOCH", "1704844800") // 2024-01-10
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reviews: Value = serde_json::from_slice(&out.stdout).unwrap();
    let reviews = reviews.as_array().unwrap();

    let claims = env.json(&["list"]);
    let reviewed: Vec<&Value> = claims
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "checked" || c["status"] == "corrected")
        .collect();
    assert_eq!(
        reviews.len(),
        reviewed.len(),
        "one review per checked or corrected claim"
    );
    assert_eq!(reviews.len(), 5);

    let scale = |v: &str| match v {
        "accurate" => Some(5),
        "mostly-accurate" => Some(4),
        "misleading" => Some(2),
        "inaccurate" => Some(1),
        _ => None,
    };
    for claim in reviewed {
        let id = claim["id"].as_str().unwrap();
        let ep = claim["episode"].as_str().unwrap();
        let url = format!("{CORRECTION_URL}/{ep}/#{id}");
        let r = reviews
            .iter()
            .find(|r| r["url"] == url.as_str())
            .unwrap_or_else(|| panic!("a review with url {url}"));
        assert_eq!(r["@context"], "https://schema.org", "{id}");
        assert_eq!(r["@type"], "ClaimReview", "{id}");
        assert_eq!(r["claimReviewed"], claim["claim"], "{id}");
        assert_eq!(r["datePublished"], "2024-01-10", "{id}");
        assert!(is_iso_date(r["datePublished"].as_str().unwrap()));
        assert_eq!(r["inLanguage"], "zh-TW");
        assert_eq!(r["author"]["@type"], "Organization");
        assert_eq!(r["author"]["name"], "科技浪 fact-check desk");
        assert_eq!(r["author"]["url"], CORRECTION_URL);

        let rating = &r["reviewRating"];
        assert_eq!(rating["@type"], "Rating", "{id}");
        let verdict = claim["verdict"].as_str().unwrap();
        // The rating in the show's language (zh-TW here).
        let words = match verdict {
            "accurate" => "正確",
            "mostly-accurate" => "大致正確",
            "misleading" => "誤導",
            "inaccurate" => "錯誤",
            _ => "無法證實",
        };
        assert_eq!(rating["alternateName"], words, "{id}");
        let (worst, best) = (
            rating["worstRating"].as_u64().unwrap(),
            rating["bestRating"].as_u64().unwrap(),
        );
        assert_eq!((worst, best), (1, 5));
        match scale(verdict) {
            Some(v) => {
                let value = rating["ratingValue"].as_u64().unwrap();
                assert_eq!(value, v, "{id}");
                assert!(
                    (worst..=best).contains(&value),
                    "{id}: {value} within {worst}..{best}"
                );
            }
            None => assert!(
                rating.get("ratingValue").is_none(),
                "{id}: unverifiable is off the scale"
            ),
        }

        let item = &r["itemReviewed"];
        assert_eq!(item["@type"], "Claim", "{id}");
        match claim["speaker"].as_str() {
            Some(s) => {
                assert_eq!(item["author"]["@type"], "Person");
                assert_eq!(item["author"]["name"], s);
            }
            None => {
                assert_eq!(item["author"]["@type"], "Organization");
                assert_eq!(item["author"]["name"], "科技浪");
            }
        }
        let ep_date = if ep == EP { "2024-01-01" } else { "2023-12-25" };
        assert_eq!(item["datePublished"], ep_date, "{id}");
        let appearance = &item["appearance"];
        let listen = if ep == EP { "ep100" } else { "ep99" };
        let want = match claim["said_at"].as_str() {
            Some(t) => format!(
                "https://podcasts.example.org/kejilang/{listen}#t={}",
                seconds(t)
            ),
            None => format!("https://podcasts.example.org/kejilang/{listen}"),
        };
        assert_eq!(appearance["url"], want.as_str(), "{id}");
        assert_eq!(appearance["@type"], "CreativeWork");
    }
    // --episode keeps to one episode.
    let one = env.json(&["export", "claimreview", "--episode", EP2]);
    assert_eq!(one.as_array().unwrap().len(), 1);
    assert_eq!(
        one[0]["url"],
        format!("{CORRECTION_URL}/{EP2}/#graphcast-no-supercomputers").as_str()
    );
}

#[test]
fn claimreview_export_names_the_missing_setting() {
    let env = Env::with_claims();
    env.refused(
        &["export", "claimreview"],
        2,
        &["errata.toml has no `url`", "set `url`"],
    );
    let settings = env.read("errata.toml");
    env.commit_by_hand(
        &[(
            "errata.toml",
            &format!("{settings}url = \"factcheck.example.org\"\n"),
        )],
        "url",
    );
    env.refused(
        &["export", "claimreview"],
        2,
        &["`url`", "not a web address"],
    );
    let without_publisher: String = settings
        .lines()
        .filter(|l| !l.starts_with("publisher"))
        .map(|l| format!("{l}\n"))
        .collect();
    env.commit_by_hand(
        &[(
            "errata.toml",
            &format!("{without_publisher}url = \"{CORRECTION_URL}\"\n"),
        )],
        "no publisher",
    );
    env.refused(
        &["export", "claimreview"],
        2,
        &["errata.toml has no `publisher`"],
    );
    env.refused(
        &["export", "claimreview", "--episode", "nope"],
        2,
        &["no episode `nope`"],
    );
    env.refused(&["export", "openapi"], 2, &["openapi"]);
}

#[test]
fn claimreview_export_names_an_episode_without_a_url_as_a_podcast_episode() {
    let env = Env::with_claims();
    let settings = env.read("errata.toml");
    env.commit_by_hand(
        &[(
            "errata.toml",
            &format!("{settings}url = \"{CORRECTION_URL}\"\n"),
        )],
        "url",
    );
    let out = env
        .errata()
        .args(["export", "claimreview"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let reviews = v.as_array().unwrap();
    assert!(!reviews.is_empty());
    for r in reviews {
        // No address to link, but the episode is still named, with its date
        // and the show it is part of.
        let appearance = &r["itemReviewed"]["appearance"];
        assert_eq!(appearance["@type"], "PodcastEpisode", "{r}");
        assert!(appearance.get("url").is_none(), "{r}");
        assert_eq!(appearance["partOfSeries"]["@type"], "PodcastSeries");
        assert_eq!(appearance["partOfSeries"]["name"], "科技浪");
        let id = r["url"].as_str().unwrap();
        let (title, date) = if id.contains(&format!("/{EP2}/")) {
            ("GraphCast 天氣預報", "2023-12-25")
        } else {
            (EP_TITLE, "2024-01-01")
        };
        assert_eq!(appearance["name"], title, "{r}");
        assert_eq!(appearance["datePublished"], date, "{r}");
        assert!(
            is_iso_date(r["datePublished"].as_str().unwrap()),
            "today, as a date"
        );
    }
    let bad = env
        .errata()
        .args(["export", "claimreview"])
        .env("SOURCE_DATE_EPOCH", "yesterday")
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("SOURCE_DATE_EPOCH"));
}

// ---------------------------------------------------------------- the shipped repository

#[test]
fn report_and_corrections_work_on_the_shipped_episode() {
    let env = Env::shipped();
    let report = env.json(&["report"]);
    let top = report
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["episode"] == EP)
        .expect("the shipped episode has a scorecard");
    assert_eq!(top["title"], EP_TITLE);
    let want = counts_from_list(&env, EP);
    for key in ["claims", "by_status", "by_verdict", "score", "owed"] {
        assert_eq!(top[key], want[key], "{key}");
    }
    let table = env.ok(&["report"]);
    assert!(table.contains(EP_TITLE), "{table}");
    let md = env.ok(&["corrections"]);
    assert!(md.starts_with("# 更正：科技浪\n"), "{md}");
    env.errata().arg("validate").assert().success();
}

/// `show CLAIM` reads only the corrections that could name the claim, and
/// still finds one that spells its id with a TOML escape: the claim a hand
/// edit named that way is not called owed.
#[test]
fn show_finds_the_correction_naming_a_claim_however_its_id_is_spelt() {
    let env = Env::with_claims();
    let id = "graphcast-no-supercomputers";
    assert_eq!(env.claim(id)["owed"], true, "inaccurate and uncorrected");
    let correction = |claims: &str| {
        format!(
            "claims = [{claims}]\nepisode = \"{EP}\"\naired_at = \"06:07~09:08\"\nmedium = \"on-air\"\ntext = \"更正\"\n"
        )
    };
    // Unrelated corrections, one of them unreadable, change nothing.
    env.commit_by_hand(
        &[
            ("corrections/other.toml", &correction("\"nvidia-margin\"")),
            ("corrections/broken.toml", "claims = [\n"),
        ],
        "by hand",
    );
    assert_eq!(env.claim(id)["owed"], true);
    // `\u0067` is `g`: the file's text does not hold the id as written.
    env.commit_by_hand(
        &[(
            "corrections/escaped.toml",
            &correction("\"\\u0067raphcast-no-supercomputers\""),
        )],
        "by hand, escaped",
    );
    assert!(!env.read("corrections/escaped.toml").contains(id));
    assert_eq!(
        env.claim(id)["owed"],
        false,
        "named by the escaped correction"
    );
}
