//! A cloned repository can hold symbolic links where records, episode folders,
//! `claims/`, `corrections/` or transcripts belong. errata reads and writes only
//! regular files inside the repository: `validate` names each link, every
//! changing command refuses with that cause (not "uncommitted changes", not "no
//! claim"), and nothing outside the repository is read into a record or
//! changed, checked on the real file system.

#![cfg(unix)]

use std::collections::BTreeMap;
use std::os::unix::fs::symlink;
use std::path::Path;

use crate::common::*;

const LINK: &str =
    "is a symbolic link: errata reads and writes only regular files inside the repository";

/// Everything under the test's `outside/` folder, where the links point.
fn outside(env: &Env) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    walk(&env.root, &env.root.join("outside"), &mut files);
    files
}

/// Move `rel` out of the repository into `outside/` and leave a link in its
/// place; commit the link too when `commit`, as a hostile clone would have it.
fn link_out(env: &Env, rel: &str, commit: bool) {
    let from = env.path(rel);
    let to = env.root.join("outside").join(rel.replace('/', "_"));
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::rename(&from, &to).unwrap();
    symlink(&to, &from).unwrap();
    if commit {
        env.git(&["add", "-A"]);
        env.git(&["commit", "-q", "-m", "a link"]);
    }
}

/// `validate` names the link and fails; nothing outside is read into a record.
fn validate_names(env: &Env, path: &str) {
    let out = env.run(&["validate"]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success(), "validate passes a link:\n{text}");
    assert!(
        text.lines().any(|l| (l.starts_with(&format!("{path}:"))
            || l.contains(&format!("{path} ")))
            && l.ends_with(LINK)),
        "validate should name {path}:\n{text}"
    );
    let report = env.run(&["--json", "validate"]);
    let json: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    assert!(
        json.to_string().contains(path) && json.to_string().contains(LINK),
        "{json:#}"
    );
}

/// Each command refuses, naming `path` and the cause, changing nothing in the
/// repository or outside it.
fn all_refused(env: &Env, path: &str, commands: &[Vec<&str>]) {
    let before = outside(env);
    let needle = format!("{path} {LINK}");
    for args in commands {
        let stderr = env.refused(args, 1, &[&needle]);
        assert!(
            !stderr.contains("uncommitted") && !stderr.contains("no claim"),
            "{args:?}: {stderr}"
        );
        assert_eq!(outside(env), before, "{args:?} changed a file outside");
    }
}

fn editor(env: &Env) -> String {
    let path = env.root.join("ed.sh");
    std::fs::write(&path, "#!/bin/sh\necho '# touched' >> \"$1\"\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.to_str().unwrap().to_owned()
}

fn claim_commands(id: &str) -> Vec<Vec<&str>> {
    vec![
        vec!["start", id, "--assignee", "小明"],
        vec!["verdict", id, "accurate", "--note", "查證。"],
        vec![
            "source",
            id,
            "--title",
            "T",
            "--url",
            "https://example.org/",
        ],
        vec!["edit", id],
    ]
}

#[test]
fn a_linked_record_is_reported_and_never_changed() {
    for commit in [false, true] {
        let env = Env::with_claims();
        let path = claim_file(EP, "nvidia-margin");
        link_out(&env, &path, commit);
        validate_names(&env, &path);
        // The record is not read through the link: no command lists it.
        let list = env.json(&["list"]);
        assert!(!ids(&list).contains("nvidia-margin"), "{list:#}");
        let ed = editor(&env);
        let mut cmds = claim_commands("nvidia-margin");
        cmds.push(vec!["start", "nvidia-ma"]);
        let before = outside(&env);
        for args in &cmds {
            let out = env.errata().env("VISUAL", &ed).args(args).output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
            assert!(
                stderr.contains(&format!("{path} {LINK}")),
                "{args:?}: {stderr}"
            );
            assert!(!stderr.contains("uncommitted"), "{args:?}: {stderr}");
        }
        assert_eq!(outside(&env), before, "a command changed the linked file");
        all_refused(&env, &path, &cmds[..3]);
    }
}

/// `folder` linked out of the repository and committed so: `validate` names
/// it, and the first three commands on `claim` and each of `writers` refuse
/// and change nothing.
fn a_linked_folder_refuses(folder: &str, claim: &str, writers: &[Vec<&str>]) {
    let env = Env::with_claims();
    link_out(&env, folder, true);
    validate_names(&env, folder);
    let mut cmds = claim_commands(claim);
    cmds.truncate(3);
    cmds.extend(writers.iter().cloned());
    all_refused(&env, folder, &cmds);
}

#[test]
fn a_linked_episode_folder_is_reported_and_never_written_into() {
    a_linked_folder_refuses(
        &format!("claims/{EP2}"),
        "graphcast-no-supercomputers",
        &[vec![
            "add",
            EP2,
            "--id",
            "new-one",
            "--quote",
            "任何一句",
            "--claim",
            "c",
        ]],
    );
}

#[test]
fn a_linked_claims_folder_is_reported_and_never_written_into() {
    a_linked_folder_refuses(
        "claims",
        "nvidia-margin",
        &[
            vec!["add", EP, "--quote", Q_NVIDIA_TRILLION, "--claim", "c"],
            vec!["episode", "add", "new-episode", "--title", "新的一集"],
        ],
    );
}

#[test]
fn a_linked_corrections_folder_is_reported_and_never_written_into() {
    let env = Env::with_claims();
    std::fs::create_dir_all(env.path("corrections")).unwrap();
    env.write("corrections/.keep", "");
    link_out(&env, "corrections", true);
    validate_names(&env, "corrections");
    all_refused(&env, "corrections", &[correct_graphcast_args("更正。")]);
}

#[test]
fn a_linked_transcript_is_reported_and_not_read() {
    let env = Env::with_claims();
    let path = format!("claims/{EP}/transcript.txt");
    link_out(&env, &path, true);
    validate_names(&env, &path);
    all_refused(
        &env,
        &path,
        &[vec![
            "add",
            EP,
            "--quote",
            Q_NVIDIA_TRILLION,
            "--claim",
            "c",
        ]],
    );
}

#[test]
fn site_replaces_links_it_finds_in_its_folder_and_writes_nothing_through_them() {
    let env = Env::with_claims();
    let out = env.root.join("site");
    env.ok(&["site", out.to_str().unwrap()]);
    // Someone puts links in the published folder: to a file and to a folder outside.
    let target = env.root.join("outside");
    std::fs::create_dir_all(target.join("folder")).unwrap();
    std::fs::write(target.join("file.html"), "keep me").unwrap();
    let index = out.join("index.html");
    std::fs::remove_file(&index).unwrap();
    symlink(target.join("file.html"), &index).unwrap();
    let episode = out.join(EP);
    std::fs::remove_dir_all(&episode).unwrap();
    symlink(target.join("folder"), &episode).unwrap();
    let before = outside(&env);
    env.ok(&["site", out.to_str().unwrap()]);
    assert_eq!(outside(&env), before, "site wrote through a link");
    for p in [&index, &episode] {
        let meta = std::fs::symlink_metadata(p).unwrap();
        assert!(
            !meta.file_type().is_symlink(),
            "{} is still a link",
            p.display()
        );
    }
    assert!(std::fs::read_to_string(&index).unwrap().contains("<html"));
    assert!(Path::new(&episode).join("index.html").is_file());
}
