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
    env.refused(
        &["show", "no-such-claim"],
        2,
        &["no claim, correction or episode matches"],
    );
}

#[test]
fn a_clone_without_the_driver_says_so_and_setup_registers_it_once() {
    let origin = Env::with_claims();
    let clone = clone_of(&origin.repo);
    let run = clone.run(&["list"]);
    assert!(run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(
        stderr
            .lines()
            .filter(|l| l.contains("run `errata setup`"))
            .count(),
        1,
        "one line says what to run: {stderr}"
    );
    assert!(!String::from_utf8_lossy(&clone.run(&["-q", "list"]).stderr).contains("setup"));

    let before = clone.log().len();
    let out = clone.run(&["setup"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Registered the merge driver"));
    let driver = clone.git(&["config", "--local", "merge.errata.driver"]);
    assert!(
        driver.contains("merge-driver %O %A %B %L %P %S %X %Y"),
        "{driver}"
    );
    assert_eq!(
        clone.log().len(),
        before,
        ".gitattributes was there already"
    );
    assert!(!String::from_utf8_lossy(&clone.run(&["list"]).stderr).contains("setup"));

    // Again: nothing changes.
    let state = clone.state();
    let config = clone.read(".git/config");
    let again = clone.json(&["setup"]);
    assert_eq!(again["configured"], false);
    assert_eq!(again["attributes_commit"], serde_json::Value::Null);
    clone.state().assert_same(&state, "a second setup");
    assert_eq!(clone.read(".git/config"), config);
}

#[test]
fn setup_in_a_repository_from_before_the_driver_commits_the_attributes() {
    let env = Env::with_claims();
    env.git(&["rm", "-q", ".gitattributes"]);
    env.git(&[
        "commit",
        "-qm",
        "a repository laid out before the merge driver",
    ]);
    env.write(".gitattributes", "*.png binary\n");
    env.git(&["add", ".gitattributes"]);
    env.git(&["commit", "-qm", "the user's own attributes"]);
    let out = env.json(&["setup"]);
    assert!(out["attributes_commit"].is_string(), "{out}");
    assert_eq!(env.head_paths(), [".gitattributes"]);
    let attributes = env.read(".gitattributes");
    assert!(
        attributes.starts_with("*.png binary\n"),
        "the user's line stays: {attributes}"
    );
    for line in [
        "claims/**/*.toml merge=errata",
        "corrections/*.toml merge=errata",
        "errata.toml merge=errata",
    ] {
        assert!(
            attributes.lines().any(|l| l == line),
            "{line} in {attributes}"
        );
    }
    // git itself now names errata's driver for a record.
    let check = env.git(&[
        "check-attr",
        "merge",
        "claims/top10-ai-2023/nvidia-margin.toml",
    ]);
    assert!(check.trim_end().ends_with("merge: errata"), "{check}");
    env.assert_clean("setup");
    env.git(&["fsck", "--strict"]);
}
