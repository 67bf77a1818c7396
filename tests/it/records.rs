//! Every kind of record is first-class in review: `show`, `log`, `diff` and
//! `edit` take a correction or an episode as they take a claim; `amend`
//! changes a correction with the lifecycle of its claims kept; and every
//! amendment is public in the corrections log. Run on real repositories and
//! checked against the real `git`.

use crate::common::*;
use serde_json::Value;

const CID: &str = "graphcast-needs-supercomputers";
const CPATH: &str = "corrections/graphcast-needs-supercomputers.toml";
const TEXT_V1: &str = "GraphCast 的輸入仍要先用超級電腦做資料同化。";
/// One Han character changed, as a desk fixes a typo.
const TEXT_V2: &str = "GraphCast 的輸入仍需先用超級電腦做資料同化。";

/// The claims repository with the GraphCast correction recorded through errata.
fn with_correction() -> Env {
    let env = Env::with_claims();
    env.correct_graphcast(TEXT_V1, &["--id", CID]);
    env
}

fn git_follow(env: &Env, path: &str) -> Vec<String> {
    env.git(&["log", "--follow", "--format=%H", "--", path])
        .lines()
        .map(str::to_owned)
        .collect()
}

fn log_commits(env: &Env, id: &str) -> Vec<String> {
    env.json(&["log", id])
        .as_array()
        .expect("log --json is an array")
        .iter()
        .map(|e| e["commit"].as_str().unwrap().to_owned())
        .collect()
}

fn status_of(env: &Env, id: &str) -> (String, String) {
    let c = env.claim(id);
    (
        c["status"].as_str().unwrap().to_owned(),
        c["verdict"].as_str().unwrap_or("").to_owned(),
    )
}

#[test]
fn show_log_diff_and_edit_take_a_correction() {
    let env = with_correction();
    let shown = env.ok(&["show", "graphcast-needs"]);
    for needle in [
        CID,
        CPATH,
        "aired in",
        "06:07~09:08",
        "graphcast-no-supercomputers",
        TEXT_V1,
    ] {
        assert!(shown.contains(needle), "{needle} in:\n{shown}");
    }
    let json = env.json(&["show", CID]);
    assert_eq!(json["kind"], "correction");
    assert_eq!(json["claims"][0], "graphcast-no-supercomputers");
    assert_eq!(json["text"], TEXT_V1);

    env.ok(&["amend", CID, "--text", TEXT_V2]);
    assert_eq!(env.head_paths(), vec![CPATH.to_owned()]);
    assert!(
        env.head_message()
            .starts_with(&format!("amend: {CID} (text edited)"))
    );
    assert!(
        env.head_trailers()
            .contains(&("Errata-Correction".into(), CID.into()))
    );
    assert_eq!(env.json(&["show", CID])["text"], TEXT_V2);
    // As it was one revision ago.
    assert_eq!(
        env.json(&["show", &format!("{CID}@HEAD~1")])["text"],
        TEXT_V1
    );

    let commits = log_commits(&env, CID);
    assert_eq!(commits.len(), 2);
    assert_eq!(commits, git_follow(&env, CPATH));
    let entries = env.json(&["log", CID]);
    assert_eq!(entries[0]["records"][0]["kind"], "correction");
    assert_eq!(entries[1]["records"][0]["change"], "added");
    let patch = env.ok(&["--color", "never", "log", "-p", CID]);
    assert!(patch.contains("[-要-]{+需+}"), "{patch}");

    let diff = env.ok(&["--color", "never", "diff", "HEAD~1", "HEAD", CID]);
    assert!(
        diff.contains(CPATH) && diff.contains("[-要-]{+需+}"),
        "{diff}"
    );
    let stat = env.ok(&["diff", "HEAD~1", "HEAD", "--stat"]);
    assert!(stat.contains("1 record changed"), "{stat}");

    let script = editor_script(&env, "ed.sh", "sed -i 's/06:07~09:08/06:07~09:10/' \"$1\"");
    env.errata()
        .env("VISUAL", &script)
        .args(["edit", CID])
        .assert()
        .success();
    assert_eq!(env.json(&["show", CID])["aired_at"], "06:07~09:10");
    assert_eq!(env.head_paths(), vec![CPATH.to_owned()]);
    let msg = env.head_message();
    assert!(
        msg.starts_with(&format!(
            "edit: {CID} (aired_at: 06:07~09:08 -> 06:07~09:10)"
        )),
        "{msg}"
    );
    assert!(
        env.head_trailers()
            .contains(&("Errata-Correction".into(), CID.into()))
    );
    env.ok(&["validate"]);
    env.assert_clean("edit of a correction");
}

#[test]
fn show_log_and_edit_take_an_episode() {
    let env = Env::with_claims();
    let json = env.json(&["show", EP2]);
    assert_eq!(json["kind"], "episode");
    assert_eq!(json["path"], format!("claims/{EP2}/episode.toml"));
    assert_eq!(json["claims"][0], "graphcast-no-supercomputers");
    // Its path names it as well as its id.
    let by_path = env.json(&["show", &format!("claims/{EP2}/episode.toml")]);
    assert_eq!(by_path["id"], EP2);

    // An invalid edit is reopened with the problem; the second save is committed.
    let script = editor_script(
        &env,
        "ed.sh",
        r#"n=$(cat "$0.count" 2>/dev/null || echo 0); echo $((n+1)) > "$0.count"
if [ "$n" = 0 ]; then
  echo 'url = "ftp://example.org/ep"' >> "$1"
else
  cp "$1" "$0.seen"
  grep -v '^# errata: ' "$1" | sed '/^url/d' | sed 's/^title = .*/title = "GraphCast（上週節目）"/' > "$1.new" && mv "$1.new" "$1"
fi"#,
    );
    env.errata()
        .env("EDITOR", &script)
        .env_remove("VISUAL")
        .args(["edit", EP2])
        .assert()
        .success();
    let seen = std::fs::read_to_string(env.root.join("ed.sh.seen")).unwrap();
    assert!(seen.contains("# errata: line"), "{seen}");
    assert!(
        seen.contains("http"),
        "the problem names the url rule: {seen}"
    );
    assert_eq!(env.json(&["show", EP2])["title"], "GraphCast（上週節目）");
    let path = format!("claims/{EP2}/episode.toml");
    assert_eq!(env.head_paths(), vec![path.clone()]);
    assert!(
        env.head_trailers()
            .contains(&("Errata-Episode".into(), EP2.into()))
    );
    assert_eq!(log_commits(&env, EP2), git_follow(&env, &path));
    let patch = env.ok(&["--color", "never", "log", "-p", EP2]);
    assert!(
        patch.contains("title: GraphCast[- 天氣預報-]{+（上週節目）+}"),
        "{patch}"
    );
}

#[test]
fn an_ambiguous_prefix_across_kinds_lists_each_candidate_with_its_kind() {
    let env = with_correction();
    for cmd in ["show", "log", "edit"] {
        env.refused(
            &[cmd, "graphcast"],
            2,
            &[
                "`graphcast` matches 3 records",
                "claim graphcast-no-supercomputers",
                "correction graphcast-needs-supercomputers",
                "episode graphcast-2023",
            ],
        );
    }
    env.refused(&["diff", "HEAD", "graphcast"], 2, &["matches 3 records"]);
    // A longer prefix, or the path, names one.
    assert_eq!(env.json(&["show", "graphcast-ne"])["kind"], "correction");
    assert_eq!(env.json(&["show", CPATH])["kind"], "correction");
    assert_eq!(env.json(&["show", "graphcast-2"])["kind"], "episode");
    // Claims alone are listed as before, without their kind.
    env.refused(
        &["show", "yi-"],
        2,
        &["`yi-` matches 2 claims: yi-copies-llama, yi-unicorn"],
    );
}

#[test]
fn the_log_of_a_correction_renamed_and_amended_by_hand_matches_git_log_follow() {
    let env = with_correction();
    let renamed = "corrections/graphcast-assimilation.toml";
    env.git(&["mv", CPATH, renamed]);
    env.git(&["commit", "-q", "-m", "rename the correction"]);
    let text = env.read(renamed).replace(TEXT_V1, TEXT_V2);
    env.commit_by_hand(&[(renamed, &text)], "fix a typo in the correction by hand");
    env.ok(&["amend", "graphcast-assim", "--reported-by", "two listeners"]);

    let commits = log_commits(&env, "graphcast-assimilation");
    assert_eq!(commits.len(), 4, "{commits:?}");
    assert_eq!(commits, git_follow(&env, renamed));
    let entries = env.json(&["log", "graphcast-assimilation"]);
    assert_eq!(entries[2]["records"][0]["change"], "renamed");
    assert_eq!(entries[2]["records"][0]["old_path"], CPATH);
    // The correction's old id is history now: shown at a revision it had it.
    assert_eq!(
        env.json(&["show", &format!("{CID}@HEAD~3")])["text"],
        TEXT_V1
    );
    env.ok(&["validate"]);
}

#[test]
fn amend_moves_the_claims_with_the_correction_in_one_commit() {
    let env = with_correction();
    assert_eq!(
        status_of(&env, "yi-copies-llama"),
        ("checked".into(), "misleading".into())
    );

    env.ok(&["amend", CID, "--claim", "yi-copies"]);
    assert_eq!(
        status_of(&env, "yi-copies-llama"),
        ("corrected".into(), "misleading".into())
    );
    let mut paths = env.head_paths();
    paths.sort();
    assert_eq!(
        paths,
        vec![claim_file(EP, "yi-copies-llama"), CPATH.to_owned()]
    );
    let trailers = env.head_trailers();
    for t in [
        ("Errata-Correction", CID),
        ("Errata-Claim", "yi-copies-llama"),
        ("Errata-Status", "checked -> corrected"),
    ] {
        assert!(
            trailers.contains(&(t.0.into(), t.1.into())),
            "{t:?} in {trailers:?}"
        );
    }
    env.ok(&["validate"]);

    // Taken out again, the claim returns to checked and is owed a correction again.
    env.ok(&["amend", CID, "--drop-claim", "graphcast-no"]);
    assert_eq!(
        status_of(&env, "graphcast-no-supercomputers"),
        ("checked".into(), "inaccurate".into())
    );
    let owed = ids(&env.json(&["list", "--owed"]));
    assert!(owed.contains("graphcast-no-supercomputers"), "{owed:?}");
    assert!(
        env.head_trailers()
            .contains(&("Errata-Status".into(), "corrected -> checked".into()))
    );
    env.ok(&["validate"]);

    // What the lifecycle or the rules forbid changes nothing.
    let before = env.state();
    env.refused(
        &["amend", CID, "--claim", "nvidia-margin"],
        2,
        &["nvidia-margin", "accurate"],
    );
    env.refused(
        &["amend", CID, "--claim", "nvidia-trillion"],
        2,
        &["only a checked claim can be corrected"],
    );
    env.refused(
        &["amend", CID, "--claim", "yi-copies-llama"],
        2,
        &["already names yi-copies-llama"],
    );
    env.refused(
        &["amend", CID, "--drop-claim", "nvidia-margin"],
        2,
        &["names no claim `nvidia-margin`"],
    );
    env.refused(
        &["amend", CID, "--drop-claim", "yi-copies-llama"],
        2,
        &["must name at least one claim"],
    );
    env.refused(
        &["amend", CID, "--at", "99:00:00"],
        2,
        &["99:00:00 is outside the transcript"],
    );
    env.refused(
        &["amend", CID, "--text", TEXT_V1],
        2,
        &["nothing to change"],
    );
    env.refused(&["amend", CID], 2, &["say what to change"]);
    env.refused(
        &["amend", "no-such", "--text", "x"],
        2,
        &["no correction matches `no-such`"],
    );
    env.state().assert_same(&before, "a refused amend");
}

#[test]
fn edit_of_a_correction_keeps_the_lifecycle_of_the_claims_it_names() {
    let env = with_correction();
    let script = editor_script(
        &env,
        "ed.sh",
        r#"sed -i 's/^claims = .*/claims = ["graphcast-no-supercomputers", "chatgpt-launch"]/' "$1""#,
    );
    env.errata()
        .env("VISUAL", &script)
        .args(["edit", CID])
        .assert()
        .success();
    assert_eq!(
        status_of(&env, "chatgpt-launch"),
        ("corrected".into(), "mostly-accurate".into())
    );
    let mut paths = env.head_paths();
    paths.sort();
    assert_eq!(
        paths,
        vec![claim_file(EP, "chatgpt-launch"), CPATH.to_owned()]
    );
    env.ok(&["validate"]);

    // Naming a claim that cannot be corrected reopens the editor with why.
    let script = editor_script(
        &env,
        "bad.sh",
        r#"n=$(cat "$0.count" 2>/dev/null || echo 0); echo $((n+1)) > "$0.count"
if [ "$n" = 0 ]; then
  sed -i 's/"chatgpt-launch"/"chatgpt-launch", "nvidia-margin"/' "$1"
else
  cp "$1" "$0.seen"
  : > "$1"
fi"#,
    );
    let before = env.state();
    env.errata()
        .env("VISUAL", &script)
        .args(["edit", CID])
        .assert()
        .success();
    let seen = std::fs::read_to_string(env.root.join("bad.sh.seen")).unwrap();
    assert!(
        seen.contains("# errata: line") && seen.contains("nvidia-margin"),
        "{seen}"
    );
    assert!(seen.contains("accurate"), "{seen}");
    env.state().assert_same(&before, "an edit given up");
}

/// A correction amended twice: once through errata, once by hand with git.
fn amended_twice() -> Env {
    let env = with_correction();
    env.ok(&["amend", CID, "--text", TEXT_V2]);
    let text = env.read(CPATH).replace("06:07~09:08", "06:07~09:10");
    env.commit_by_hand(&[(CPATH, &text)], "widen the correction's time by hand");
    env
}

#[test]
fn every_amendment_is_public_in_each_format_of_the_corrections_log() {
    let env = amended_twice();
    env.set_language("en");
    let md = env.ok(&["corrections", "--format", "md"]);
    assert_eq!(md.matches("*Amended on ").count(), 2, "{md}");
    assert!(
        md.contains("- `text`: GraphCast 的輸入仍[-要-]{+需+}先用超級電腦做資料同化。"),
        "{md}"
    );
    assert!(
        md.contains("- `aired_at`: [-06:07~09:08-] → {+06:07~09:10+}"),
        "{md}"
    );
    assert!(md.contains("widen the correction's time by hand"), "{md}");

    let html = env.ok(&["corrections", "--format", "html"]);
    assert_eq!(html.matches("<p class=\"amended\">").count(), 2, "{html}");
    assert!(html.contains("<del>要</del><ins>需</ins>"), "{html}");
    assert!(
        html.contains("<del>06:07~09:08</del> → <ins>06:07~09:10</ins>"),
        "{html}"
    );
    assert!(html.contains("History: 3 revisions"), "{html}");

    let json = env.json(&["corrections"]);
    let entry = &json[0];
    let revisions = entry["revisions"].as_array().unwrap();
    let mut follow = git_follow(&env, CPATH);
    follow.reverse();
    let commits: Vec<&str> = revisions
        .iter()
        .map(|r| r["commit"].as_str().unwrap())
        .collect();
    assert_eq!(commits, follow);
    for r in revisions {
        assert_eq!(r["author"], AUTHOR_NAME);
        assert_eq!(r["date"].as_str().unwrap().len(), 10);
        assert!(!r["summary"].as_str().unwrap().is_empty());
    }
    let amendments = entry["amendments"].as_array().unwrap();
    assert_eq!(amendments.len(), 2);
    assert_eq!(amendments[0]["changes"][0]["field"], "text");
    assert_eq!(amendments[1]["changes"][0]["field"], "aired_at");
    assert_eq!(
        amendments[1]["summary"],
        "widen the correction's time by hand"
    );
}

#[test]
fn a_verdict_changed_after_it_was_given_is_in_the_claims_history() {
    let env = Env::with_claims();
    env.ok(&[
        "verdict",
        "yi-unicorn",
        "mostly-accurate",
        "--source",
        URL_YI,
    ]);
    let out = env.root.join("site");
    env.ok(&["site", out.to_str().unwrap()]);
    let page = std::fs::read_to_string(out.join(EP).join("index.html")).unwrap();
    let article = page
        .split("<article class=\"claim\" id=\"yi-unicorn\">")
        .nth(1)
        .and_then(|rest| rest.split("</article>").next())
        .expect("the claim's article");
    // In the show's language: the templates are a zh-TW show.
    assert!(
        article.contains("<time datetime=\"2024-01-02\">2024年1月2日</time> 查核結果由「無法證實」改為「大致正確」。"),
        "{article}"
    );
    assert!(article.contains("<details class=\"history\">"), "{article}");
    // A claim judged once says nothing of the kind.
    let other = page
        .split("<article class=\"claim\" id=\"yi-copies-llama\">")
        .nth(1)
        .and_then(|rest| rest.split("</article>").next())
        .unwrap();
    assert!(!other.contains("查核結果由"), "{other}");
}

#[test]
fn list_corrections_lists_each_correction_where_it_aired_and_what_it_corrects() {
    let env = Env::with_claims();
    let none = env
        .errata()
        .args(["list", "--corrections"])
        .output()
        .unwrap();
    assert!(none.status.success());
    assert!(String::from_utf8_lossy(&none.stderr).contains("No corrections yet"));
    let env = with_correction();
    env.ok(&["amend", CID, "--claim", "yi-copies"]);
    let table = env.ok(&["list", "--corrections"]);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("CORRECTION"), "{table}");
    assert!(
        lines[1].contains(CID)
            && lines[1].contains(EP)
            && lines[1].contains("06:07~09:08")
            && lines[1].contains("graphcast-no-supercomputers, yi-copies-llama"),
        "{table}"
    );
    let json = env.json(&["list", "--corrections", "--episode", EP]);
    assert_eq!(json.as_array().unwrap().len(), 1);
    assert_eq!(json[0]["id"], CID);
    assert_eq!(
        env.json(&["list", "--corrections", "--episode", EP2]),
        Value::Array(vec![])
    );
    env.refused(
        &["list", "--corrections", "--owed"],
        2,
        &["cannot be used with"],
    );
}
