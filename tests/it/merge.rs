//! The three-way merge of records: the corpus under `tests/merge/` run through
//! the library and through `errata merge-driver` exactly as git calls it, and
//! `git merge` itself with the driver configured.
//!
//! To write the corpus' expected files from what the merge gives now (then
//! read every changed one before committing it): `ERRATA_BLESS=1 cargo test
//! --test it merge::`.

use std::path::Path;

use errata::merge::{Labels, Outcome, merge};
use errata::model::Settings;
use errata::store::{Parsed, parse_at, parse_toml};
use errata::validate::rules;

use crate::common::{Env, MergeCase, MergeExpected, merge_cases, resolve_conflict};

fn expected_of(outcome: &Outcome) -> MergeExpected {
    match outcome {
        Outcome::Clean(Some(text)) => MergeExpected::Clean(text.clone()),
        Outcome::Clean(None) => MergeExpected::Deleted,
        Outcome::Conflicted { text, .. } => MergeExpected::Conflict(text.clone()),
    }
}

fn bless(case: &MergeCase, got: &MergeExpected) {
    for f in ["expected.toml", "expected.conflict", "expected.deleted"] {
        let _ = std::fs::remove_file(case.dir.join(f));
    }
    let (file, text) = match got {
        MergeExpected::Clean(t) => ("expected.toml", t.as_str()),
        MergeExpected::Conflict(t) => ("expected.conflict", t.as_str()),
        MergeExpected::Deleted => ("expected.deleted", ""),
    };
    std::fs::write(case.dir.join(file), text).unwrap();
}

/// Whether `text`, as the file at `path`, keeps the rules of one record (no
/// transcript), as the merge must check them; files that are not records pass.
pub fn keeps_rules(path: &str, text: &str) -> Result<(), String> {
    let found: Vec<String> = if path == "errata.toml" {
        match parse_toml::<Settings>(path, text.as_bytes()) {
            Ok(s) => rules::settings(&s).iter().map(|v| v.to_string()).collect(),
            Err(p) => vec![p.message],
        }
    } else if !path.ends_with(".toml") {
        Vec::new()
    } else {
        match parse_at(path, text.as_bytes()) {
            Parsed::Claim(c) => rules::claim(&c, None)
                .iter()
                .map(|v| v.to_string())
                .collect(),
            Parsed::Episode(e) => rules::episode(&e).iter().map(|v| v.to_string()).collect(),
            Parsed::Correction(c) => rules::correction(&c, None)
                .iter()
                .map(|v| v.to_string())
                .collect(),
            Parsed::Bad(p) => vec![p.message],
        }
    };
    if found.is_empty() {
        Ok(())
    } else {
        Err(found.join("; "))
    }
}

fn show(e: &MergeExpected) -> String {
    match e {
        MergeExpected::Clean(t) => format!("clean:\n{t}"),
        MergeExpected::Conflict(t) => format!("conflict:\n{t}"),
        MergeExpected::Deleted => "deleted".into(),
    }
}

#[test]
fn the_corpus_merges_as_expected_through_the_library() {
    let cases = merge_cases();
    assert!(cases.len() >= 40, "only {} merge cases", cases.len());
    let blessing = std::env::var_os("ERRATA_BLESS").is_some();
    let mut failures = Vec::new();
    for case in &cases {
        let outcome = merge(
            &case.path,
            case.base.as_deref(),
            case.ours.as_deref(),
            case.theirs.as_deref(),
            &Labels::default(),
            7,
        );
        let got = expected_of(&outcome);
        if blessing {
            bless(case, &got);
            continue;
        }
        if got != case.expected {
            failures.push(format!(
                "{}: expected {}\n--- got {}",
                case.name,
                show(&case.expected),
                show(&got)
            ));
        }
        // A clean merge keeps the rules; a conflict always names what it is.
        match &outcome {
            Outcome::Clean(Some(text)) => {
                if let Err(e) = keeps_rules(&case.path, text) {
                    failures.push(format!("{}: clean but breaks a rule: {e}", case.name));
                }
            }
            Outcome::Conflicted { conflicts, .. } if conflicts.is_empty() => {
                failures.push(format!("{}: a conflict that names nothing", case.name));
            }
            _ => {}
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

/// Deleting one side of every conflict, and the markers, leaves a valid
/// record whenever both sides were valid records on their own.
#[test]
fn resolving_each_conflict_to_one_side_leaves_a_valid_record() {
    for case in merge_cases() {
        let MergeExpected::Conflict(text) = &case.expected else {
            continue;
        };
        let valid = |side: &Option<String>| {
            side.as_deref()
                .is_some_and(|s| keeps_rules(&case.path, s).is_ok())
        };
        if !(valid(&case.ours) && valid(&case.theirs)) {
            continue;
        }
        for keep_ours in [true, false] {
            let resolved = resolve_conflict(text, keep_ours, 7);
            if let Err(e) = keeps_rules(&case.path, &resolved) {
                panic!(
                    "{}: keeping {} gives an invalid record ({e}):\n{resolved}",
                    case.name,
                    if keep_ours { "ours" } else { "theirs" }
                );
            }
        }
    }
}

/// The driver as git runs it: the three sides in temporary files, `%L` 7, the
/// path, the labels (the placeholders themselves, as git before 2.44 passes
/// them, for every other case); the exit code says clean or conflicted, and %A
/// holds the result.
#[test]
fn the_corpus_merges_as_expected_through_the_merge_driver() {
    let env = Env::empty();
    let mut failures = Vec::new();
    let mut ran = 0;
    for (i, case) in merge_cases().iter().enumerate() {
        // git runs a driver only where both sides have the file.
        let (Some(ours), Some(theirs)) = (&case.ours, &case.theirs) else {
            continue;
        };
        let dir = env.root.join(format!("case-{i}"));
        std::fs::create_dir_all(&dir).unwrap();
        let (o, a, b) = (
            dir.join(".merge_file_O"),
            dir.join(".merge_file_A"),
            dir.join(".merge_file_B"),
        );
        std::fs::write(&o, case.base.as_deref().unwrap_or("")).unwrap();
        std::fs::write(&a, ours).unwrap();
        std::fs::write(&b, theirs).unwrap();
        let labels: [&str; 3] = if i % 2 == 0 {
            ["merged common ancestors", "ours", "theirs"]
        } else {
            ["%S", "%X", "%Y"]
        };
        let arg = |p: &Path| p.to_string_lossy().into_owned();
        let out = env
            .errata_in(&dir)
            .args([
                "merge-driver",
                &arg(&o),
                &arg(&a),
                &arg(&b),
                "7",
                &case.path,
            ])
            .args(labels)
            .output()
            .unwrap();
        ran += 1;
        let result = std::fs::read_to_string(&a).unwrap();
        let (want_code, want_text) = match &case.expected {
            MergeExpected::Clean(t) => (0, t.as_str()),
            MergeExpected::Conflict(t) => (1, t.as_str()),
            MergeExpected::Deleted => {
                failures.push(format!("{}: a deletion with both sides present", case.name));
                continue;
            }
        };
        let stderr = String::from_utf8_lossy(&out.stderr);
        if out.status.code() != Some(want_code) || result != want_text {
            failures.push(format!(
                "{}: exit {:?} (want {want_code}), stderr:\n{stderr}\n%A:\n{result}",
                case.name,
                out.status.code()
            ));
        }
        if want_code == 1 && !stderr.contains(&format!("errata: {}: ", case.path)) {
            failures.push(format!(
                "{}: no conflict named on stderr:\n{stderr}",
                case.name
            ));
        }
    }
    assert!(ran >= 30, "only {ran} cases ran through the driver");
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}
