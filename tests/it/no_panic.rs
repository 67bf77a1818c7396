//! No input makes errata panic, end to end: real records and the seed
//! transcript, mangled at random (with a fixed seed) in a real repository,
//! then read by the commands a user runs. Each run must end with an exit code
//! errata gives (0, 1 or 2), never a panic, and `validate` must name the file
//! that is wrong. The library's parsers are held to the same by the property
//! tests in `fuzz.rs`, on any bytes.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::common::*;

/// Bytes worth inserting: TOML syntax, multi-byte characters, odd times.
const PIECES: &[&str] = &[
    "\"",
    "'",
    "[",
    "]",
    "[[",
    "=",
    "\n",
    "\r\n",
    "~",
    ":",
    "#",
    "\\",
    "\\u",
    "\u{0}",
    "輝達",
    "🙂",
    "99:99",
    "2023-02-30",
    "}",
    "{",
    "\"\"\"",
    "-->",
    "WEBVTT\n\n",
    "1\n",
    ",",
    ".",
];

fn mutate(rng: &mut StdRng, text: &str) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    for _ in 0..rng.random_range(1..6) {
        let at = rng.random_range(0..=bytes.len());
        match rng.random_range(0..4) {
            0 => {
                let end = (at + rng.random_range(0..20)).min(bytes.len());
                bytes.drain(at..end);
            }
            1 => {
                let p = PIECES[rng.random_range(0..PIECES.len())];
                bytes.splice(at..at, p.bytes());
            }
            2 if at < bytes.len() => bytes[at] = rng.random(),
            _ => bytes.truncate(at),
        }
    }
    bytes
}

/// Run the read commands a user runs; none may panic. Returns validate's output.
fn read_commands(env: &Env, what: &str) -> String {
    let mut report = String::new();
    for args in [
        &["validate"][..],
        &["--json", "list"],
        &["show", "nvidia-margin"],
        &["report"],
        &["corrections"],
    ] {
        let out = env.run(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !stderr.contains("panicked"),
            "{what}: errata {args:?} panicked:\n{stderr}"
        );
        assert!(
            matches!(out.status.code(), Some(0..=2)),
            "{what}: errata {args:?} exited {:?}:\n{stderr}",
            out.status
        );
        if args == ["validate"] {
            report = String::from_utf8_lossy(&out.stdout).into_owned() + &stderr;
        }
    }
    report
}

#[test]
fn mangled_records_in_a_repository_never_panic_a_command_and_are_named() {
    let env = Env::with_claims();
    let mut rng = StdRng::seed_from_u64(0x5eed);
    let files = [
        claim_file(EP, "nvidia-margin"),
        format!("claims/{EP}/episode.toml"),
        "errata.toml".to_owned(),
    ];
    let originals: Vec<String> = files.iter().map(|f| env.read(f)).collect();
    let mut named = 0;
    for round in 0..24 {
        let i = round % files.len();
        let bytes = mutate(&mut rng, &originals[i]);
        std::fs::write(env.path(&files[i]), &bytes).unwrap();
        let report = read_commands(&env, &format!("{} mangled ({round})", files[i]));
        if !report.contains("no problems") && report.contains(&files[i]) {
            named += 1;
        }
        std::fs::write(env.path(&files[i]), &originals[i]).unwrap();
    }
    assert!(
        named >= 12,
        "validate names the mangled file ({named} of 24)"
    );
}

#[test]
fn a_mangled_transcript_never_panics_a_command() {
    let env = Env::with_claims();
    let path = format!("claims/{EP}/transcript.txt");
    let original = env.read(&path);
    let mut rng = StdRng::seed_from_u64(7);
    for round in 0..8 {
        std::fs::write(env.path(&path), mutate(&mut rng, &original)).unwrap();
        read_commands(&env, &format!("the transcript mangled ({round})"));
    }
}
