//! Transcripts as the podcast ecosystem writes them, end to end: WebVTT with a
//! malformed cue is imported with a warning that lists it (refused under
//! `--strict`), JSON transcripts keep their speakers, and a voice span's speaker
//! reaches the claim `errata add` logs.

use crate::common::*;

const VTT: &str = "WEBVTT\n\n\
00:00:00.000 --> 00:00:05.000\n<v 哈利>哈囉大家好，歡迎收聽科技浪\n\n\
00:00:05.000 --> 00:00:61.000\n<v 哈利>這一句的時間壞了\n\n\
00:00:10.000 --> 00:00:18.000\n<v 小明>他的利潤高達70幾%耶\n\
00:00:18.000 --> 00:00:20.000\n<v 哈利>真的嗎\n";

fn write(env: &Env, name: &str, text: &str) -> String {
    let path = env.root.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn a_bad_cue_is_left_out_and_listed_and_the_speaker_reaches_add() {
    let env = Env::initialised();
    let vtt = write(&env, "ep1.vtt", VTT);
    let out = env
        .errata()
        .args([
            "episode",
            "add",
            "ep1",
            "--title",
            "Ep 1",
            "--transcript",
            &vtt,
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "warning: left out 1 cue of the WebVTT transcript that cannot be read \
             (--strict refuses the file instead):\n  \
             line 6: \"00:00:61.000\" is not a time (expected HH:MM:SS.mmm or MM:SS.mmm)"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("Registered episode ep1 with a transcript of 3 segments"));
    let stored = std::fs::read_to_string(env.repo.join("claims/ep1/transcript.txt")).unwrap();
    assert_eq!(
        stored,
        "(00:00~00:05 哈利) 哈囉大家好，歡迎收聽科技浪\n\
         (00:10~00:18 小明) 他的利潤高達70幾%耶\n\
         (00:18~00:20 哈利) 真的嗎\n"
    );
    // The second timing line, with no blank line above it, is a cue of its own.
    assert!(!stored.contains("-->"));

    let out = env
        .errata()
        .args([
            "add",
            "ep1",
            "--quote",
            "他的利潤高達70幾%耶",
            "--id",
            "margin",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("Logged claims/ep1/margin.toml at 00:10~00:18 by 小明 as needs-check")
    );
    assert_eq!(env.claim("margin")["speaker"], "小明");
    let file = std::fs::read_to_string(env.repo.join("claims/ep1/margin.toml")).unwrap();
    assert!(file.contains("speaker = \"小明\""), "{file}");
    // --speaker still wins; a quote across two speakers names none.
    env.add(&[
        "ep1",
        "--quote",
        "真的嗎",
        "--id",
        "really",
        "--speaker",
        "主持人",
    ]);
    assert_eq!(env.claim("really")["speaker"], "主持人");
    env.add(&["ep1", "--quote", "70幾%耶真的嗎", "--id", "both"]);
    assert!(env.claim("both")["speaker"].is_null());
    env.ok(&["validate"]);
}

#[test]
fn strict_refuses_a_transcript_with_a_bad_cue_and_changes_nothing() {
    let env = Env::initialised();
    let vtt = write(&env, "ep1.vtt", VTT);
    env.refused(
        &[
            "episode",
            "add",
            "ep1",
            "--title",
            "Ep 1",
            "--transcript",
            &vtt,
            "--strict",
        ],
        2,
        &[
            "1 cue of the WebVTT file cannot be read, and --strict refuses the file",
            "line 6: \"00:00:61.000\" is not a time",
        ],
    );
    assert!(!env.repo.join("claims/ep1").exists());
}

#[test]
fn a_json_transcript_keeps_its_speakers_and_a_cr_only_vtt_imports() {
    let env = Env::initialised();
    let json = write(
        &env,
        "ep2.json",
        r#"{"version": "1.0.0", "segments": [
            {"speaker": "Mei", "startTime": 0.0, "endTime": 4.5, "body": "Welcome to the show."},
            {"speaker": "Sam", "startTime": 4.5, "endTime": 9.2, "body": "Revenue doubled last year."}
        ]}"#,
    );
    let added = env.json(&[
        "episode",
        "add",
        "ep2",
        "--title",
        "Ep 2",
        "--transcript",
        &json,
    ]);
    assert_eq!(added["segments"], 2);
    assert_eq!(added["format"], "JSON");
    assert_eq!(
        std::fs::read_to_string(env.repo.join("claims/ep2/transcript.txt")).unwrap(),
        "(00:00~00:05 Mei) Welcome to the show.\n(00:04~00:10 Sam) Revenue doubled last year.\n"
    );
    env.add(&["ep2", "--quote", "Revenue doubled", "--id", "rev"]);
    assert_eq!(env.claim("rev")["speaker"], "Sam");

    let cr = write(
        &env,
        "cr.vtt",
        "WEBVTT\r\r00:01.000 --> 00:02.000\r你好\0世界\r",
    );
    env.ok(&[
        "episode",
        "add",
        "ep3",
        "--title",
        "Ep 3",
        "--transcript",
        &cr,
    ]);
    assert_eq!(
        std::fs::read_to_string(env.repo.join("claims/ep3/transcript.txt")).unwrap(),
        "(00:01~00:02) 你好\u{fffd}世界\n"
    );
    // git sees text, not a binary file.
    let numstat = env.git(&["show", "--numstat", "--format=", "HEAD"]);
    assert!(
        numstat.contains("1\t0\tclaims/ep3/transcript.txt"),
        "{numstat}"
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

    /// Whatever an import keeps is stored losslessly: parsing the stored form
    /// gives back the same segments, speakers included.
    #[test]
    fn imported_transcripts_round_trip_through_the_stored_form(
        body in "[0-9:.\\-> <vcA-Z哈利()（）\n\r\t\0&;#x：:/]{0,160}",
        kind in 0..3u8,
    ) {
        use errata::transcript::Transcript;
        let text = match kind {
            0 => format!("WEBVTT\n\n00:00.000 --> 00:01.500\n<v 哈利 (host)>{body}\n\n{body}"),
            1 => format!("1\n00:00:01,000 --> 00:00:02,000\n{body}\n\n2\n{body}"),
            _ => serde_json::json!({"segments": [
                {"speaker": body, "startTime": 1, "endTime": 2, "body": body},
                {"startTime": 0.25, "endTime": 3, "body": format!("A: {body}")},
            ]})
            .to_string(),
        };
        if let Ok(imported) = Transcript::import_report(&text) {
            let stored = imported.transcript.render();
            proptest::prop_assert!(!stored.contains('\0'));
            proptest::prop_assert_eq!(Transcript::parse(&stored).unwrap(), imported.transcript);
        }
    }
}
