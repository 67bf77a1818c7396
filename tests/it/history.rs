//! Reviewing history end to end: `log`, `log -p`, `show ID@REV`, `diff` and
//! `edit`, on a claim with six revisions made by errata and by plain git,
//! checked against what the real `git` says.

use crate::common::*;

const ID: &str = "amd-cost";
const CLAIM_V1: &str = "AMD 的 MI300X 造價是 H100 的兩倍";
const CLAIM_V2: &str = "AMD 的 MI300X 造價是 H100 的三倍";

/// Six revisions of one claim: add, start, source, verdict, a hand edit of one
/// Han character committed with plain git, and a move to another episode.
fn six_revisions() -> Env {
    let env = Env::with_episode();
    env.ok(&["episode", "add", "graphcast-2023", "--title", "GraphCast"]);
    env.add(&[
        EP, "--id", ID, "--quote", Q_AMD_COST, "--claim", CLAIM_V1, "--tag", "amd",
    ]);
    env.ok(&["start", ID, "--assignee", "小明"]);
    env.ok(&[
        "source",
        ID,
        "--title",
        "AMD Instinct MI300X",
        "--url",
        "https://www.amd.com/en/products/accelerators/instinct/mi300/mi300x.html",
    ]);
    env.ok(&[
        "verdict",
        ID,
        "unverifiable",
        "--note",
        "造價沒有公開資料。",
    ]);
    let path = claim_file(EP, ID);
    let edited = env.read(&path).replace(CLAIM_V1, CLAIM_V2);
    env.commit_by_hand(&[(&path, &edited)], "fix the claim by hand");
    env.git(&["mv", &path, &claim_file("graphcast-2023", ID)]);
    env.git(&[
        "commit",
        "-q",
        "-m",
        "move the claim to the GraphCast episode",
    ]);
    env
}

fn git_follow(env: &Env, path: &str) -> Vec<String> {
    env.git(&["log", "--follow", "--format=%H", "--", path])
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn log_lists_exactly_what_git_log_follow_lists() {
    let env = six_revisions();
    let log = env.json(&["log", ID]);
    let ours: Vec<String> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["commit"].as_str().unwrap().to_owned())
        .collect();
    let theirs = git_follow(&env, &claim_file("graphcast-2023", ID));
    assert_eq!(ours.len(), 6, "{log:#}");
    assert_eq!(ours, theirs);
    let newest = &log[0];
    assert_eq!(newest["author"], AUTHOR_NAME);
    assert_eq!(newest["email"], AUTHOR_EMAIL);
    assert_eq!(newest["time"], "2024-01-02T03:04:05+00:00");
    assert_eq!(newest["summary"], "move the claim to the GraphCast episode");
    assert_eq!(newest["records"][0]["change"], "renamed");
    assert_eq!(newest["records"][0]["kind"], "claim");
    assert_eq!(newest["records"][0]["old_path"], claim_file(EP, ID));
}

#[test]
fn log_follows_git_through_unrelated_and_merged_history() {
    let env = six_revisions();
    // A side branch touching another file, merged back: not in the claim's history.
    env.git(&["checkout", "-q", "-b", "side"]);
    env.commit_by_hand(&[("notes.txt", "unrelated\n")], "notes");
    env.git(&["checkout", "-q", "-"]);
    let path = claim_file("graphcast-2023", ID);
    let text = env.read(&path).replace("小明", "小華");
    env.commit_by_hand(&[(&path, &text)], "reassign by hand");
    env.git(&["merge", "-q", "--no-edit", "side"]);
    let ours: Vec<String> = env
        .json(&["log", ID])
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["commit"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ours, git_follow(&env, &path));
    assert_eq!(ours.len(), 7);
}

#[test]
fn log_p_shows_each_status_and_verdict_change_and_the_changed_character() {
    let env = six_revisions();
    let out = env.ok(&["log", "-p", ID]);
    for needle in [
        "status: needs-check → checking",
        "status: checking → checked",
        "verdict: {+unverifiable+}",
        "assignee: {+小明+}",
        "的[-兩-]{+三+}倍",
        "renamed claims/graphcast-2023/amd-cost.toml (from claims/top10-ai-2023/amd-cost.toml)",
        "fix the claim by hand",
    ] {
        assert!(out.contains(needle), "log -p lacks {needle:?}:\n{out}");
    }
    // Without colour, the markers carry the change on their own.
    assert!(
        !out.contains('\u{1b}'),
        "no escape codes when NO_COLOR is set"
    );
    let coloured = env.ok(&["--color", "always", "log", "-p", ID]);
    assert!(coloured.contains("\u{1b}["), "colour when asked for");
}

#[test]
fn log_p_output_on_chinese_text() {
    let env = six_revisions();
    let out = env.ok(&["log", "-p", ID]);
    // Commit ids and dates are stable here (pinned identity and time), but
    // say what is compared: the shape of the review, not the hashes.
    let shown: String = out
        .lines()
        .map(|l| match l.split_once("  ") {
            Some((hash, rest))
                if hash.len() == 7 && hash.chars().all(|c| c.is_ascii_hexdigit()) =>
            {
                format!("<commit>  {rest}\n")
            }
            _ => format!("{l}\n"),
        })
        .collect();
    insta::assert_snapshot!(shown);
}

#[test]
fn show_at_a_revision_returns_that_revision() {
    let env = six_revisions();
    // HEAD is the move, HEAD~1 the hand edit, HEAD~2 the verdict, HEAD~3 the source.
    let at = |rev: &str| env.json(&["show", &format!("{ID}@{rev}")]);
    assert_eq!(at("HEAD")["episode"], "graphcast-2023");
    assert_eq!(at("HEAD~2")["claim"], CLAIM_V1);
    assert_eq!(at("HEAD~1")["claim"], CLAIM_V2);
    assert_eq!(at("HEAD~2")["status"], "checked");
    assert_eq!(at("HEAD~3")["status"], "checking");
    assert_eq!(at("HEAD~3")["episode"], EP);
    assert_eq!(at("HEAD~5")["status"], "needs-check");
    // A prefix works with a revision too, and a tag or full hash does.
    env.git(&["tag", "checked", "HEAD~2"]);
    assert_eq!(env.json(&["show", "amd@checked"])["status"], "checked");
    let hash = env.git(&["rev-parse", "HEAD~4"]);
    assert_eq!(
        env.json(&["show", &format!("{ID}@{}", hash.trim())])["assignee"],
        "小明"
    );
    env.refused(&["show", &format!("{ID}@no-such-rev")], 2, &["no-such-rev"]);
    env.refused(&["show", &format!("{ID}@HEAD~99")], 2, &["HEAD~99"]);
}

#[test]
fn diff_unified_applies_to_the_older_revision() {
    let env = six_revisions();
    // The move alone is a rename; across all six revisions the record changed
    // too much for git to call it one, and the patch deletes and adds instead.
    let moved = env.ok(&["diff", "--unified", "HEAD~1", "HEAD"]);
    assert!(
        moved.contains("rename from claims/top10-ai-2023/amd-cost.toml"),
        "{moved}"
    );
    assert!(
        moved.contains("rename to claims/graphcast-2023/amd-cost.toml"),
        "{moved}"
    );
    let patch = env.ok(&["diff", "--unified", "HEAD~5", "HEAD"]);
    assert!(patch.contains("diff --git"), "{patch}");
    // Check it against a checkout of the older revision.
    let old = env.root.join("old");
    env.git(&[
        "worktree",
        "add",
        "-q",
        "--detach",
        old.to_str().unwrap(),
        "HEAD~5",
    ]);
    std::fs::write(env.root.join("records.patch"), &patch).unwrap();
    let out = env
        .git_cmd()
        .current_dir(&old)
        .args(["apply", "--check", "-v"])
        .arg(env.root.join("records.patch"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git apply --check refused the patch:\n{}\n{patch}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Applied for real, the older checkout's records become the newer ones.
    env.git_cmd()
        .current_dir(&old)
        .args(["apply"])
        .arg(env.root.join("records.patch"))
        .status()
        .unwrap();
    let now = std::fs::read_to_string(old.join(claim_file("graphcast-2023", ID))).unwrap();
    assert_eq!(now, env.read(&claim_file("graphcast-2023", ID)));
}

#[test]
fn diff_between_revisions_shows_field_changes_and_a_stat() {
    let env = six_revisions();
    let out = env.ok(&["diff", "HEAD~3", "HEAD"]);
    assert!(
        out.contains(
            "renamed claims/graphcast-2023/amd-cost.toml (from claims/top10-ai-2023/amd-cost.toml)"
        ),
        "{out}"
    );
    assert!(out.contains("status: checking → checked"), "{out}");
    assert!(out.contains("的[-兩-]{+三+}倍"), "{out}");
    let stat = env.ok(&["diff", "--stat", "HEAD~3", "HEAD"]);
    assert!(
        stat.contains("claims/graphcast-2023/amd-cost.toml |"),
        "{stat}"
    );
    assert!(stat.contains("1 record changed"), "{stat}");
    let json = env.json(&["diff", "HEAD~3", "HEAD"]);
    let fields: Vec<&str> = json[0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"status") && fields.contains(&"verdict") && fields.contains(&"claim"),
        "{json:#}"
    );
    // Limited to a claim by id.
    let only = env.ok(&["diff", "HEAD~3", "HEAD", ID]);
    assert_eq!(only, out);
    env.refused(
        &["diff", "HEAD~3", "HEAD", "not-a-claim"],
        2,
        &["not-a-claim"],
    );
}

/// Each record of `diff --stat` as path -> (field changes, how it changed),
/// and the total of its last line.
fn stat_counts(stat: &str) -> (std::collections::BTreeMap<String, (usize, String)>, usize) {
    let mut records = std::collections::BTreeMap::new();
    let mut lines: Vec<&str> = stat.lines().collect();
    let total = lines.pop().expect("a summary line");
    for line in lines {
        let (path, rest) = line.split_once(" | ").expect(line);
        let words: Vec<&str> = rest.split_whitespace().collect();
        let n: usize = words[0].parse().expect(line);
        records.insert(path.trim().to_owned(), (n, words[2].to_owned()));
    }
    let sum: usize = records.values().map(|(n, _)| n).sum();
    assert!(
        total.ends_with(&format!(
            " {} record{} changed, {sum} field change{}",
            records.len(),
            if records.len() == 1 { "" } else { "s" },
            if sum == 1 { "" } else { "s" }
        )),
        "{stat}"
    );
    (records, sum)
}

#[test]
fn diff_stat_counts_exactly_the_field_changes_the_full_diff_lists() {
    let env = six_revisions();
    let moved = claim_file("graphcast-2023", ID);
    let (by_hand, broken, listless) = (
        claim_file(EP, "by-hand"),
        claim_file(EP, "broken"),
        claim_file(EP, "listless"),
    );
    env.commit_by_hand(
        &[
            (
                &by_hand,
                "status = \"needs-check\"\nclaim = \"手寫的\"\ntags = [\"a\", \"b\"]\n\n\
                 [[sources]]\nurl = \"https://a.example\"\n\n[[sources]]\ntitle = \"B\"\n\n\
                 [[sources]]\nnote = \"neither url nor title\"\n",
            ),
            (&broken, "status = \"needs-check\"\nclaim = \n"),
            (&listless, "sources = []\nstatus = \"needs-check\"\n"),
            ("corrections/bad.toml", "not = [toml"),
        ],
        "records by hand, some that are not TOML",
    );
    env.commit_by_hand(
        &[
            (
                &by_hand,
                "status = \"checking\"\nclaim = \"手寫的字\"\ntags = [\"b\", \"c\"]\n\n\
                 [[sources]]\nurl = \"https://a.example\"\ntitle = \"A\"\n\n\
                 [[sources]]\ntitle = \"C\"\n",
            ),
            (&broken, "status = \"needs-check\"\nclaim = \"fixed\"\n"),
            (&moved, "status = \"checked\"\n[not toml\n"),
        ],
        "edit them, break a valid one",
    );
    env.git(&["rm", "-q", &listless]);
    env.git(&["commit", "-q", "-m", "remove one"]);
    // Uncommitted: an edit, a deletion and a file git does not track yet.
    env.write(&by_hand, &env.read(&by_hand).replace("checking", "checked"));
    std::fs::remove_file(env.path("corrections/bad.toml")).unwrap();
    env.write(&claim_file(EP, "untracked"), "status = \"needs-check\"\n");

    let mut kinds = std::collections::BTreeSet::new();
    let mut broken_seen = false;
    for revs in [
        &["HEAD~6", "HEAD"][..],
        &["HEAD~4", "HEAD~2"],
        &["HEAD~2", "HEAD~1"],
        &["HEAD~1", "HEAD"],
        &["HEAD~6"],
        &[],
    ] {
        let stat = env.ok(&[&["diff", "--stat"][..], revs].concat());
        let (counts, sum) = stat_counts(&stat);
        let json = env.json(&[&["diff"][..], revs].concat());
        let mut listed = std::collections::BTreeMap::new();
        for r in json.as_array().unwrap() {
            let changes = r["changes"].as_array().unwrap();
            broken_seen |= changes.iter().any(|c| c["field"] == "(file)");
            listed.insert(
                r["path"].as_str().unwrap().to_owned(),
                (changes.len(), r["change"].as_str().unwrap().to_owned()),
            );
        }
        assert_eq!(counts, listed, "diff --stat {revs:?}:\n{stat}");
        assert!(sum > 0, "{revs:?}");
        kinds.extend(counts.into_values().map(|(_, k)| k));
        // The plain diff names the same records, renames with their old path.
        let plain = env.ok(&[&["diff"][..], revs].concat());
        for r in json.as_array().unwrap() {
            let from = r["old_path"]
                .as_str()
                .map(|o| format!(" (from {o})"))
                .unwrap_or_default();
            let head = format!(
                "{} {}{from}",
                r["change"].as_str().unwrap(),
                r["path"].as_str().unwrap()
            );
            assert!(plain.contains(&head), "{head} in\n{plain}");
        }
    }
    assert!(broken_seen, "records that are not TOML were compared");
    assert_eq!(
        kinds,
        set(&["added", "deleted", "modified", "renamed"])
            .into_iter()
            .collect(),
    );
}

#[test]
fn diff_without_revisions_shows_an_uncommitted_hand_edit() {
    let env = six_revisions();
    assert_eq!(env.ok(&["diff"]), "", "nothing uncommitted yet");
    let path = claim_file("graphcast-2023", ID);
    env.write(&path, &env.read(&path).replace("三倍", "四倍"));
    let out = env.ok(&["diff"]);
    assert!(out.contains(&format!("modified {path}")), "{out}");
    assert!(out.contains("的[-三-]{+四+}倍"), "{out}");
    // A new record written by hand and not yet added shows too.
    env.write(
        &claim_file(EP, "by-hand"),
        "status = \"needs-check\"\nclaim = \"手寫的\"\n",
    );
    let out = env.ok(&["diff"]);
    assert!(
        out.contains("added claims/top10-ai-2023/by-hand.toml"),
        "{out}"
    );
    insta::assert_snapshot!("diff_uncommitted", out);
}

#[test]
fn edit_commits_a_valid_change_with_its_fields_in_the_message() {
    let env = six_revisions();
    let script = editor_script(&env, "ed.sh", "sed -i 's/小明/小華/' \"$1\"");
    let before = env.log().len();
    env.errata()
        .env("VISUAL", &script)
        .args(["edit", ID])
        .assert()
        .success();
    assert_eq!(env.log().len(), before + 1);
    assert_eq!(env.claim(ID)["assignee"], "小華");
    let msg = env.head_message();
    assert!(
        msg.starts_with("edit: amd-cost (assignee: 小明 -> 小華)"),
        "{msg}"
    );
    assert!(
        env.head_trailers()
            .contains(&("Errata-Claim".into(), ID.into()))
    );
    assert_eq!(env.head_paths(), vec![claim_file("graphcast-2023", ID)]);
    env.assert_clean("edit");
}

#[test]
fn edit_reopens_an_invalid_record_with_its_problems_until_it_is_valid() {
    let env = six_revisions();
    // First save: a typo'd field and a verdict without the source it needs.
    // Second save: check the notes errata wrote on top, then fix the record.
    let script = editor_script(
        &env,
        "ed.sh",
        r#"n=$(cat "$0.count" 2>/dev/null || echo 0); echo $((n+1)) > "$0.count"
if [ "$n" = 0 ]; then
  sed -i 's/^verdict = "unverifiable"/verdict = "inaccurate"\nstauts = "x"/' "$1"
else
  cp "$1" "$0.seen"
  grep -v '^# errata: ' "$1" | sed '/^stauts/d' > "$1.new" && mv "$1.new" "$1"
fi"#,
    );
    env.errata()
        .env("EDITOR", &script)
        .args(["edit", ID])
        .assert()
        .success();
    let seen = std::fs::read_to_string(format!("{script}.seen")).unwrap();
    assert!(
        seen.starts_with("# errata: this record was not saved"),
        "{seen}"
    );
    assert!(seen.contains("stauts"), "the problem is named:\n{seen}");
    // The line the note gives is where the typo is in the reopened file.
    let note = seen.lines().find(|l| l.contains("stauts")).unwrap();
    let line: usize = note
        .split("line ")
        .nth(1)
        .and_then(|s| s.split(',').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(
        seen.lines().nth(line - 1).unwrap().starts_with("stauts"),
        "{note}\n{seen}"
    );
    assert_eq!(
        std::fs::read_to_string(format!("{script}.count"))
            .unwrap()
            .trim(),
        "2"
    );
    assert_eq!(env.claim(ID)["verdict"], "inaccurate");
    assert!(!env.head_message().contains("stauts"));
    env.assert_clean("edit");
}

#[test]
fn edit_that_changes_nothing_or_empties_the_file_commits_nothing() {
    let env = six_revisions();
    let unchanged = editor_script(&env, "same.sh", "true");
    let before = env.state();
    env.errata()
        .env("VISUAL", &unchanged)
        .args(["edit", ID])
        .assert()
        .success();
    env.state().assert_same(&before, "an unchanged edit");
    let emptied = editor_script(&env, "empty.sh", ": > \"$1\"");
    env.errata()
        .env("VISUAL", &emptied)
        .args(["edit", ID])
        .assert()
        .success();
    env.state().assert_same(&before, "an emptied edit");
    let failing = editor_script(&env, "fail.sh", "exit 3");
    env.errata()
        .env("VISUAL", &failing)
        .args(["edit", ID])
        .assert()
        .code(1);
    env.state().assert_same(&before, "a failed editor");
}

#[test]
fn log_agrees_with_git_when_a_commit_graph_with_changed_path_filters_is_written() {
    let env = six_revisions();
    // More history around the claim, so the filters have commits to rule out.
    for i in 0..5 {
        env.commit_by_hand(&[(&format!("notes/{i}.txt"), "unrelated\n")], "notes");
    }
    let path = claim_file("graphcast-2023", ID);
    let text = env.read(&path).replace("小明", "小華");
    env.commit_by_hand(&[(&path, &text)], "reassign by hand");
    env.git(&["commit-graph", "write", "--reachable", "--changed-paths"]);
    assert!(env.path(".git/objects/info/commit-graph").is_file());
    let ours = |env: &Env| -> Vec<String> {
        env.json(&["log", ID])
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["commit"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(ours(&env), git_follow(&env, &path));
    assert_eq!(ours(&env).len(), 7);
    // Commits made after the graph was written are read the ordinary way.
    let text = env.read(&path).replace("小華", "小李");
    env.commit_by_hand(&[(&path, &text)], "reassign again");
    env.commit_by_hand(&[("notes/late.txt", "x\n")], "late notes");
    assert_eq!(ours(&env), git_follow(&env, &path));
    assert_eq!(ours(&env).len(), 8);
}

#[test]
fn the_changelog_lists_every_record_change_and_filters_it() {
    let env = six_revisions();
    let all = env.json(&["log"]);
    let summaries: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["summary"].as_str().unwrap())
        .collect();
    assert!(summaries.contains(&"move the claim to the GraphCast episode"));
    assert!(summaries.contains(&"add: amd-cost in top10-ai-2023"));
    // Only commits that touched records: every entry names at least one.
    assert!(
        all.as_array()
            .unwrap()
            .iter()
            .all(|e| !e["records"].as_array().unwrap().is_empty())
    );
    // --since a revision: only what came after it.
    let since = env.json(&["log", "--since", "HEAD~2"]);
    let since: Vec<&str> = since
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["summary"].as_str().unwrap())
        .collect();
    assert_eq!(
        since,
        [
            "move the claim to the GraphCast episode",
            "fix the claim by hand"
        ]
    );
    // --episode: only changes to that episode's records.
    let graphcast = env.json(&["log", "--episode", "graphcast-2023"]);
    assert!(graphcast.as_array().unwrap().iter().all(|e| {
        e["records"].as_array().unwrap().iter().all(|r| {
            r["path"]
                .as_str()
                .unwrap()
                .starts_with("claims/graphcast-2023/")
        })
    }));
    // --author: a name nobody has gives nothing; part of the real one gives all.
    assert_eq!(
        env.json(&["log", "--author", "nobody-at-all"]),
        serde_json::json!([])
    );
    assert_eq!(env.json(&["log", "--author", "ann"]), all);
    // --until a date before every commit gives nothing.
    assert_eq!(
        env.json(&["log", "--until", "2020-01-01"]),
        serde_json::json!([])
    );
    env.refused(&["log", "--episode", "Bad Episode"], 2, &["--episode"]);
}

/// `diff` between two commits names what `git diff --name-status` names, but
/// for a file whose mode alone changed: a record is its content. Checked where
/// no rename can be among the changes (files added and modified, or deleted:
/// the trees are compared directly) and where one can (added and deleted:
/// libgit2 looks for renames).
#[test]
fn diff_between_commits_names_the_records_git_names_but_a_mode_change() {
    let env = Env::with_claims();
    let changed = |revs: &[&str]| -> Vec<(String, String)> {
        let json = env.json(&[&["diff"][..], revs].concat());
        let stat = env.ok(&[&["diff", "--stat"][..], revs].concat());
        let (counts, _) = stat_counts(&stat);
        let listed: Vec<(String, String)> = json
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let path = r["path"].as_str().unwrap().to_owned();
                let change = r["change"].as_str().unwrap().to_owned();
                assert_eq!(
                    counts.get(&path).map(|(n, c)| (*n, c.as_str())),
                    Some((r["changes"].as_array().unwrap().len(), change.as_str())),
                    "--stat agrees with the diff on {path}"
                );
                (path, change)
            })
            .collect();
        assert_eq!(counts.len(), listed.len(), "{stat}");
        listed
    };
    let git_names = |revs: &[&str]| -> Vec<(String, String)> {
        let args = [
            &["diff", "--name-status", "-M"][..],
            revs,
            &["--", "claims", "corrections", "errata.toml"],
        ]
        .concat();
        env.git(&args)
            .lines()
            .map(|l| {
                let mut parts = l.split('\t');
                let kind = match &parts.next().unwrap()[..1] {
                    "A" => "added",
                    "D" => "deleted",
                    "M" => "modified",
                    "R" => "renamed",
                    other => panic!("{other} in {l}"),
                };
                (parts.next_back().unwrap().to_owned(), kind.to_owned())
            })
            .collect()
    };
    let margin = claim_file(EP, "nvidia-margin");
    let cost = claim_file(EP, "amd-mi300x-cost");
    let new_one = claim_file(EP, "a-new-claim");
    let founded = claim_file(EP, "chatgpt-launch");

    // Added, modified and a mode changed: the trees are compared.
    env.write(&new_one, "status = \"needs-check\"\nclaim = \"新的\"\n");
    env.write(
        &margin,
        &env.read(&margin).replace("accurate", "misleading"),
    );
    env.git(&["add", &new_one, &margin]);
    env.git(&["update-index", "--chmod=+x", &cost]);
    env.git(&["commit", "-q", "-m", "add, edit, chmod"]);
    let git = git_names(&["HEAD~1", "HEAD"]);
    assert!(git.contains(&(cost.clone(), "modified".into())), "{git:?}");
    let without_mode: Vec<_> = git.into_iter().filter(|(p, _)| *p != cost).collect();
    assert_eq!(changed(&["HEAD~1", "HEAD"]), without_mode);
    // The other way round, the new claim is deleted.
    let back = changed(&["HEAD", "HEAD~1"]);
    assert!(
        back.contains(&(new_one.clone(), "deleted".into())),
        "{back:?}"
    );
    assert!(!back.iter().any(|(p, _)| *p == cost), "{back:?}");
    assert_eq!(back.len(), 2, "{back:?}");

    // Deleted and added beside a mode change back: libgit2 looks for renames.
    env.git(&["rm", "-q", &founded]);
    let other = claim_file(EP2, "an-unrelated-claim");
    env.write(
        &other,
        "status = \"checking\"\nclaim = \"完全不同的一句話\"\n",
    );
    env.git(&["add", &other]);
    env.git(&["update-index", "--chmod=-x", &cost]);
    env.git(&["commit", "-q", "-m", "delete one, add another, chmod back"]);
    let git = git_names(&["HEAD~1", "HEAD"]);
    assert!(git.contains(&(cost.clone(), "modified".into())), "{git:?}");
    let without_mode: Vec<_> = git.into_iter().filter(|(p, _)| *p != cost).collect();
    assert_eq!(without_mode.len(), 2, "{without_mode:?}");
    let mut ours = changed(&["HEAD~1", "HEAD"]);
    ours.sort();
    let mut want = without_mode;
    want.sort();
    assert_eq!(ours, want);
}
