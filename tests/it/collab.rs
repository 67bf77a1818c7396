//! A desk of several editors: records a merge left in conflict, and what every
//! command says about them while the rest keeps working.

use crate::common::*;

/// A claim file as `git merge` leaves it when two verdicts collide.
fn conflicted(env: &Env, id: &str) -> String {
    let path = claim_file(EP, id);
    let text = env.read(&path);
    let conflicted = text.replace(
        "verdict = \"accurate\"\n",
        "<<<<<<< ours\nverdict = \"accurate\"\n=======\nverdict = \"misleading\"\n>>>>>>> theirs\n",
    );
    assert_ne!(conflicted, text);
    env.write(&path, &conflicted);
    path
}

#[test]
fn a_record_left_in_conflict_is_named_and_the_rest_keep_working() {
    let env = Env::with_claims();
    let path = conflicted(&env, "nvidia-margin");
    let line = env
        .read(&path)
        .lines()
        .position(|l| l.starts_with("<<<<<<<"))
        .unwrap()
        + 1;

    let out = env.run(&["validate"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!("{path}:{line}:1: unresolved merge conflict")),
        "{stdout}"
    );
    assert!(stdout.contains("git add"), "says what to do: {stdout}");

    let out = env.run(&["list"]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("{path}:{line}: unresolved merge conflict")),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("nvidia-trillion"),
        "the other claims are listed"
    );
    assert!(!stdout.contains("nvidia-margin "), "{stdout}");

    let stderr = env.refused(
        &["show", "nvidia-marg"],
        1,
        &["unresolved merge conflict", &path],
    );
    assert!(stderr.contains("errata validate"), "{stderr}");
    env.refused(
        &["start", "nvidia-margin"],
        1,
        &["unresolved merge conflict"],
    );
    // A claim that does not exist is still just unknown.
    env.refused(&["show", "no-such-claim"], 2, &["no claim matches"]);
}
