//! `errata suggest`: what in a transcript is worth checking, and what is still to do.

use crate::common::*;

fn suggestions(env: &Env, args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = vec!["suggest", EP];
    all.extend_from_slice(args);
    env.json(&all).as_array().expect("a JSON array").clone()
}

#[test]
fn suggest_prints_a_table_of_the_most_checkable_pieces() {
    let env = Env::with_episode();
    let out = env.ok(&["suggest", EP, "--limit", "10"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 11, "{out}");
    let header: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(header, ["AT", "SCORE", "WHY", "TEXT"]);
    // Columns line up by display width: TEXT starts at the same column on every line.
    let column = |l: &str| errata::render::width(&l[..l.find("TEXT").unwrap_or(0)]);
    let text_at = column(lines[0]);
    for l in &lines[1..] {
        let fields: Vec<&str> = l.split_whitespace().collect();
        assert!(fields[0].contains(':'), "{l}");
        assert!(fields[1].parse::<i32>().unwrap() > 0, "{l}");
        let cut = l
            .char_indices()
            .find(|&(i, _)| errata::render::width(&l[..i]) == text_at)
            .map(|(i, _)| i)
            .expect("a TEXT column");
        assert!(l[..cut].ends_with("  "), "{l}");
        assert!(!l[cut..].starts_with(' '), "{l}");
    }
    assert!(out.contains("是NVIDIA達到1兆美金的市值"), "{out}");
    env.assert_clean("suggest");
}

#[test]
fn suggest_json_gives_whole_texts_with_times_and_reasons() {
    let env = Env::with_episode();
    let list = suggestions(&env, &[]);
    assert_eq!(list.len(), 20, "the default limit");
    let transcript = std::fs::read_to_string(SEED).unwrap();
    let mut last_score = i64::MAX;
    for s in &list {
        let text = s["text"].as_str().unwrap();
        let (start, end) = (s["start"].as_u64().unwrap(), s["end"].as_u64().unwrap());
        assert!(start <= end);
        assert!(s["at"].as_str().unwrap().contains('~'));
        assert!(transcript.contains(text), "{text}");
        assert!(!s["reasons"].as_array().unwrap().is_empty());
        assert_eq!(s["logged"], false);
        let score = s["score"].as_i64().unwrap();
        assert!(score > 0 && score <= last_score);
        last_score = score;
    }
    let trillion = list
        .iter()
        .find(|s| s["text"] == Q_NVIDIA_TRILLION)
        .expect("the trillion claim is suggested");
    assert_eq!(trillion["at"], "17:08~18:08");
    assert_eq!(trillion["start"], 17 * 60 + 8);
    let reasons: Vec<&str> = trillion["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    for r in ["figure", "money", "name"] {
        assert!(reasons.contains(&r), "{reasons:?}");
    }
    assert_eq!(suggestions(&env, &["--limit", "3"]).len(), 3);
    assert_eq!(list, suggestions(&env, &[]), "the ranking is deterministic");
}

#[test]
fn a_logged_suggestion_is_no_longer_suggested() {
    let env = Env::with_episode();
    let before = suggestions(&env, &["--limit", "1000"]);
    let first = before[0]["text"].as_str().unwrap().to_owned();
    let id = env.add(&[EP, "--quote", &first]);
    assert!(is_valid_id(&id), "{id}");
    let claim = env.claim(&id);
    assert_eq!(claim["quote"], first.as_str());
    assert_eq!(claim["said_at"], before[0]["at"]);

    let after = suggestions(&env, &["--limit", "1000"]);
    assert_eq!(after.len(), before.len() - 1);
    assert!(after.iter().all(|s| s["text"] != first.as_str()));
    assert!(!env.ok(&["suggest", EP]).contains(&first));

    let all = suggestions(&env, &["--limit", "1000", "--all"]);
    assert_eq!(all.len(), before.len());
    let logged: Vec<&serde_json::Value> = all.iter().filter(|s| s["logged"] == true).collect();
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0]["text"], first.as_str());
    let table = env.ok(&["suggest", EP, "--all", "--limit", "1000"]);
    assert!(table.lines().next().unwrap().contains("LOGGED"));
    let line = table
        .lines()
        .find(|l| l.contains(&*errata::render::truncate(&first, 60)))
        .expect("the logged piece is listed");
    assert!(line.contains("logged"), "{line}");
}

#[test]
fn suggest_needs_a_known_episode_with_a_transcript() {
    let env = Env::with_claims();
    env.refused(&["suggest", "no-such-episode"], 2, &["no-such-episode"]);
    env.refused(&["suggest", EP2], 2, &["transcript", "hint:"]);
    env.refused(&["suggest", "Not An Id"], 2, &[]);
}
