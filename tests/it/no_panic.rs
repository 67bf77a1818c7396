//! No input makes errata panic: mangled records, times, dates and transcripts
//! are each an error, never a crash. Inputs are made by mutating real ones
//! (the seed transcript and a real claim) at random, with a fixed seed.

use errata::model::{Date, Timestamp};
use errata::store::parse_claim_at;
use errata::transcript::Transcript;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const SEED: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/claims/top10-ai-2023/transcript.txt"
));

const CLAIM: &str = r#"status = "checked"
verdict = "accurate"
said_at = "18:08~19:08"
speaker = "哈利"
quote = "他的利潤高達70幾%耶"
claim = "NVIDIA's gross margin is above 70%."
tags = ["nvidia", "chips"]
note = """Reasoning, in Markdown."""

[[sources]]
title = "NVIDIA Announces Financial Results for Third Quarter Fiscal 2024"
url = "https://example.org/nvidia"
publisher = "NVIDIA"
published = 2023-11-21
excerpt = "GAAP gross margin was 74.0%"
"#;

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

#[test]
fn mangled_claim_files_are_errors_not_panics() {
    let mut rng = StdRng::seed_from_u64(0x5eed);
    let mut rejected = 0;
    for _ in 0..3000 {
        let bytes = mutate(&mut rng, CLAIM);
        if parse_claim_at("claims/top10-ai-2023/nvidia.toml", &bytes).is_err() {
            rejected += 1;
        }
    }
    assert!(
        rejected > 1000,
        "the mutations do break records ({rejected})"
    );
    // A path that is not in an episode folder is an error too.
    assert!(parse_claim_at("nvidia.toml", CLAIM.as_bytes()).is_err());
    assert!(parse_claim_at("claims/Bad Episode/x.toml", CLAIM.as_bytes()).is_err());
}

#[test]
fn mangled_transcripts_are_errors_not_panics() {
    let mut rng = StdRng::seed_from_u64(7);
    for _ in 0..400 {
        let bytes = mutate(&mut rng, SEED);
        if let Ok(t) = Transcript::import_bytes(&bytes) {
            let (transcript, _) = t;
            let _ = transcript.find("他的利潤高達70幾%耶");
            let _ = transcript.closest_hint("他的利潤高達80幾%耶");
        }
    }
}

#[test]
fn mangled_times_and_dates_are_errors_not_panics() {
    let mut rng = StdRng::seed_from_u64(42);
    for _ in 0..5000 {
        let t = String::from_utf8_lossy(&mutate(&mut rng, "18:08~1:19:08")).into_owned();
        let _ = t.parse::<Timestamp>();
        let d = String::from_utf8_lossy(&mutate(&mut rng, "2023-11-21")).into_owned();
        let _ = d.parse::<Date>();
    }
}
