//! Inputs far beyond any real size, and refusals that name their real cause.
//! A record over 1 MiB or a transcript over 32 MiB is refused, unread, with
//! its size and the limit; below the limits every input is handled in linear
//! time (figures in the README).

use crate::common::*;

const TOO_LARGE: &str = "may be at most 1 MiB";

#[test]
fn a_50_mb_record_is_reported_unread_and_every_command_on_it_says_why() {
    let env = Env::with_claims();
    let path = claim_file(EP, "huge");
    let mut text = String::from("status = \"needs-check\"\nclaim = \"c\"\nnote = \"\"\"\n");
    let line = "他的利潤高達70幾%耶。".repeat(40) + "\n";
    while text.len() < 50 << 20 {
        text.push_str(&line);
    }
    text.push_str("\"\"\"\n");
    env.commit_by_hand(&[(&path, &text)], "a huge claim");
    let out = env.run(&["validate"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout.contains(&format!(
            "{path}:1:1: {path} is 50.0 MiB, and a record {TOO_LARGE}"
        )),
        "{stdout}"
    );
    // The other claims are still listed; this one is not guessed at.
    let list = env.json(&["list"]);
    assert!(ids(&list).contains("nvidia-margin") && !ids(&list).contains("huge"));
    for args in [
        vec!["start", "huge"],
        vec!["verdict", "huge", "accurate", "--note", "n"],
        vec!["show", "huge"],
    ] {
        let stderr = env.refused(&args, 1, &[path.as_str(), TOO_LARGE]);
        assert!(!stderr.contains("no claim matches"), "{stderr}");
    }
}

#[test]
fn a_million_tags_are_reported_unread() {
    let env = Env::with_claims();
    // A million tags, by hand: reported, not read.
    let path = claim_file(EP, "tagged");
    let tags: Vec<String> = (0..1_000_000).map(|i| format!("\"t{i}\"")).collect();
    let text = format!(
        "status = \"needs-check\"\nclaim = \"c\"\ntags = [{}]\n",
        tags.join(",")
    );
    env.commit_by_hand(&[(&path, &text)], "many tags");
    let out = env.run(&["validate"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&format!("{path} is 9.")),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn a_100000_line_transcript_is_read_and_searched() {
    let env = Env::initialised();
    let mut text = String::new();
    for i in 0..100_000u32 {
        let (a, b) = (i * 2, i * 2 + 2);
        let t = |s: u32| format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
        text.push_str(&format!("({}~{}) 哈哈哈哈哈哈哈哈 第{i}句\n", t(a), t(b)));
    }
    let file = env.root.join("long.txt");
    std::fs::write(&file, &text).unwrap();
    env.ok(&[
        "episode",
        "add",
        "long",
        "--title",
        "長",
        "--transcript",
        file.to_str().unwrap(),
    ]);
    env.add(&[
        "long",
        "--id",
        "last",
        "--quote",
        "哈哈哈哈 第99999句",
        "--claim",
        "c",
    ]);
    assert_eq!(env.claim("last")["said_at"], "55:33:18~55:33:20");
    // A long quote in a repetitive transcript, not there: refused, in linear time.
    let quote = "哈".repeat(5_000) + "嘿";
    env.refused(
        &["add", "long", "--quote", &quote, "--claim", "c"],
        2,
        &["not in the transcript"],
    );
}

#[test]
fn a_transcript_over_32_mib_is_refused_with_its_size() {
    let env = Env::initialised();
    let file = env.root.join("huge.txt");
    let line = "(0:00~0:01) ".to_owned() + &"哈".repeat(300) + "\n";
    std::fs::write(&file, line.repeat((33 << 20) / line.len())).unwrap();
    env.refused(
        &[
            "episode",
            "add",
            "huge",
            "--title",
            "大",
            "--transcript",
            file.to_str().unwrap(),
        ],
        1,
        &["huge.txt is 33.0 MiB, and a transcript may be at most 32 MiB"],
    );
}

/// An edit that would make a record too large is refused before anything is
/// written: the editor is reopened with the limit, and leaving it empty
/// commits nothing.
#[test]
fn an_edit_past_the_record_limit_is_refused_before_it_is_written() {
    let env = Env::with_claims();
    let path = claim_file(EP, "nvidia-margin");
    let script = editor_script(
        &env,
        "ed.sh",
        r#"n=$(cat "$0.count" 2>/dev/null || echo 0); echo $((n+1)) > "$0.count"
if [ "$n" = 0 ]; then
  { printf 'note = """\n'; i=0; while [ $i -lt 30000 ]; do echo '他的利潤高達70幾%耶。他的利潤高達70幾%耶。'; i=$((i+1)); done; printf '"""\n'; } > "$1.note"
  grep -v '^note' "$1" > "$1.new"; cat "$1.note" >> "$1.new"; mv "$1.new" "$1"
else
  cp "$1" "$0.seen"
  : > "$1"
fi"#,
    );
    let before = env.state();
    let out = env
        .errata()
        .env("EDITOR", &script)
        .env_remove("VISUAL")
        .args(["edit", "nvidia-margin"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen = std::fs::read_to_string(env.root.join("ed.sh.seen")).unwrap();
    assert!(
        seen.contains(&format!("{path} is 1.")) && seen.contains(TOO_LARGE),
        "the reopened editor names the limit: {}",
        &seen[..seen.len().min(600)]
    );
    env.state().assert_same(&before, "an edit past the limit");
}
