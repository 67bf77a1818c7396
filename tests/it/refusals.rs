//! The refusal audit: each refusal that no other test provokes, provoked for
//! real, with the message checked to name the real cause (and the hint to say
//! what to do), and the repository checked to be exactly as it was.

use std::path::Path;

use crate::common::*;
use crate::sync::Desk;

#[test]
fn a_bare_repository_is_named_as_such() {
    let env = Env::empty();
    let out = env
        .git_cmd()
        .args(["init", "-q", "--bare", "."])
        .output()
        .unwrap();
    assert!(out.status.success());
    for args in [&["list"][..], &["validate"], &["log"]] {
        let err = env.refused(args, 2, &["is a bare repository", "needs a working tree"]);
        assert!(err.contains("hint: run errata in a clone"), "{err}");
    }
}

#[test]
fn a_locked_index_is_named_and_nothing_changes() {
    let env = Env::with_claims();
    std::fs::write(env.path(".git/index.lock"), b"").unwrap();
    let err = env.refused(
        &["start", "nvidia-trillion", "--assignee", "Ann"],
        1,
        &[
            "the repository is busy",
            "the index is locked by another git process",
        ],
    );
    assert!(
        err.contains("left .git/index.lock behind: remove it"),
        "{err}"
    );
    // The lock was someone else's: errata neither took nor removed it.
    assert!(env.path(".git/index.lock").exists());
    std::fs::remove_file(env.path(".git/index.lock")).unwrap();
    env.ok(&["start", "nvidia-trillion", "--assignee", "Ann"]);
}

#[test]
fn a_record_asked_for_before_it_existed_says_so() {
    let env = Env::with_claims();
    let root = env.git(&["rev-list", "--max-parents=0", "HEAD"]);
    let root = root.trim();
    let err = env.refused(
        &["show", &format!("nvidia-trillion@{root}")],
        2,
        &["claim `nvidia-trillion` did not exist at", root],
    );
    assert!(err.contains("git log --oneline"), "{err}");
    // A revision that is not one is a different cause, named as such.
    env.refused(
        &["show", "nvidia-trillion@no-such-branch"],
        2,
        &["unknown revision `no-such-branch`"],
    );
}

#[test]
fn sync_on_a_detached_head_asks_for_a_branch() {
    let desk = Desk::new(1);
    let a = &desk.clones[0];
    a.git(&["checkout", "-q", "--detach"]);
    let err = a.refused(&["sync"], 2, &["HEAD is not on a branch"]);
    assert!(err.contains("git switch"), "{err}");
}

#[test]
fn sync_over_an_uncommitted_file_it_must_change_names_it() {
    let desk = Desk::new(2);
    let (a, b) = (&desk.clones[0], &desk.clones[1]);
    // A file outside the records, changed on the remote and by hand in B.
    a.commit_by_hand(&[("NOTES.md", "desk notes\n")], "notes");
    a.git(&["push", "-q"]);
    b.write("NOTES.md", "my own notes, not committed\n");
    let err = b.refused(&["sync"], 2, &["uncommitted changes", "NOTES.md"]);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(b.read("NOTES.md"), "my own notes, not committed\n");
}

#[test]
fn a_transcript_line_that_is_not_a_segment_is_quoted_with_its_line() {
    let env = Env::initialised();
    let file = env.root.join("notes.txt");
    std::fs::write(&file, "(00:00~00:05) 大家好\nhello world, no time here\n").unwrap();
    let err = env.refused(
        &[
            "episode",
            "add",
            "ep",
            "--title",
            "E",
            "--transcript",
            file.to_str().unwrap(),
        ],
        2,
        &[
            "cannot import the transcript",
            "line 2: expected \"(MM:SS~MM:SS) text\", found \"hello world, no time here\"",
        ],
    );
    assert!(err.contains("WebVTT"), "the hint names the formats: {err}");
}

#[test]
fn serve_on_a_port_in_use_names_the_address_and_offers_another() {
    let env = Env::with_claims();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let err = env.refused(
        &["serve", "--port", &port],
        1,
        &[&format!("cannot listen on 127.0.0.1:{port}"), "in use"],
    );
    assert!(err.contains("--port 0"), "{err}");
}

/// Hand-edited sources that break a rule: validate names the rule and the line.
#[test]
fn validate_names_an_unnamed_source_and_a_said_at_that_misses_its_quote() {
    let env = Env::with_episode();
    let path = claim_file(EP, "margin");
    env.commit_by_hand(
        &[(
            &path,
            "status = \"checking\"\n\
             said_at = \"00:05~00:06\"\n\
             quote = \"他的利潤高達70幾%耶\"\n\
             claim = \"NVIDIA's gross margin is above 70%.\"\n\
             \n\
             [[sources]]\n\
             excerpt = \"74.0%\"\n",
        )],
        "by hand",
    );
    let out = env.run(&["validate"]);
    assert_eq!(out.status.code(), Some(1));
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains(&format!("{path}:6:1"))
            && text.contains("a source needs at least a title or a url"),
        "{text}"
    );
    assert!(
        text.contains(&format!("{path}:2:"))
            && text
                .contains("said_at 00:05~00:06 does not cover the quote, which is at 18:08~19:08"),
        "{text}"
    );
}

/// A source cache that cannot be written is named; the check itself still
/// reports what it found.
#[test]
fn an_unwritable_source_cache_is_named() {
    let env = Env::with_episode();
    let server = crate::http_server::Server::start("127.0.0.1", |_| {
        crate::http_server::Reply::html(200, "<p>GAAP gross margin was 74.0%</p>")
    });
    let url = server.url("/ok");
    env.commit_by_hand(
        &[(
            &claim_file(EP, "margin"),
            &format!(
                "status = \"checking\"\nclaim = \"x\"\n\n[[sources]]\ntitle = \"t\"\nurl = \"{url}\"\nexcerpt = \"74.0%\"\n"
            ),
        )],
        "by hand",
    );
    // Where the cache goes, a folder in the way of its file.
    let cache = env.path(".git/errata/sources.json");
    std::fs::create_dir_all(cache.join("in-the-way")).unwrap();
    let out = env.run(&["sources", "check"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot write the source cache")
            && stderr.contains(&*cache.to_string_lossy()),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        Path::new(&cache).is_dir(),
        "the folder in the way is left alone"
    );
}

/// `episode` names each folder's episode file, not a claim: asking for it is
/// "no such record", never "a claim id used in two episodes".
#[test]
fn the_episode_file_name_is_not_taken_for_a_claim_id() {
    let env = Env::with_claims();
    for args in [
        &["show", "episode"][..],
        &["log", "episode"],
        &["start", "episode"],
    ] {
        let err = env.refused(args, 2, &["matches `episode`"]);
        assert!(!err.contains("more than one episode"), "{args:?}: {err}");
    }
}
