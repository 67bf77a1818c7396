//! `errata episode import FEED`, end to end, with a feed file and with a feed and
//! transcripts served by a real HTTP server on 127.0.0.1 (a std `TcpListener` in a
//! thread): items registered with their title, date and url, a JSON and a WebVTT
//! transcript fetched and stored with their speakers, what exists skipped, one
//! commit naming every episode, and a broken feed or an unreachable transcript
//! refused with nothing changed.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use crate::common::*;

/// A tiny HTTP/1.1 server: each path answers 200 with its body, others 404.
struct Server {
    base: String,
    files: Arc<Mutex<HashMap<String, Vec<u8>>>>,
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let files: Arc<Mutex<HashMap<String, Vec<u8>>>> = Arc::default();
        let served = Arc::clone(&files);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request = String::new();
                if reader.read_line(&mut request).is_err() {
                    continue;
                }
                let mut header = String::new();
                while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                    header.clear();
                }
                let path = request.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let body = served.lock().unwrap().get(&path).cloned();
                let (status, body) = match body {
                    Some(b) => ("200 OK", b),
                    None => ("404 Not Found", b"not here".to_vec()),
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(&body);
            }
        });
        Server { base, files }
    }

    fn serve(&self, path: &str, body: &str) {
        self.files
            .lock()
            .unwrap()
            .insert(path.to_owned(), body.as_bytes().to_vec());
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

const JSON: &str = r#"{"version": "1.0.0", "segments": [
  {"speaker": "哈利", "startTime": 0, "endTime": 5.5, "body": "哈囉大家好，歡迎收聽科技浪"},
  {"speaker": "小明", "startTime": 5.5, "endTime": 12, "body": "他的利潤高達70幾%耶"}
]}"#;

const VTT: &str = "WEBVTT\n\n00:00:00.000 --> 00:00:04.000\n<v Mei>Welcome to Episode 42.\n\n\
00:00:04.000 --> 00:00:09.000\n<v Sam>Revenue doubled last year.\n";

/// A feed of three items; `{base}` is where the transcripts are served.
fn feed(base: &str, second_title: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:podcast="https://podcastindex.org/namespace/1.0">
<channel>
  <title>科技浪</title>
  <link>https://example.org/show</link>
  <description>A show</description>
  <item>
    <title>2023 年十大關鍵 AI 發展</title>
    <guid isPermaLink="false">tech-wave-0001</guid>
    <pubDate>Mon, 01 Jan 2024 08:00:00 +0800</pubDate>
    <enclosure url="https://example.org/audio/top10.mp3" length="1" type="audio/mpeg"/>
    <podcast:transcript url="{base}/t/top10.html" type="text/html"/>
    <podcast:transcript url="{base}/t/top10.json" type="application/json"/>
  </item>
  <item>
    <title>{second_title}</title>
    <guid>ep42</guid>
    <link>https://example.org/ep42</link>
    <pubDate>Fri, 01 Mar 2024 10:00:00 GMT</pubDate>
    <podcast:transcript url="t/ep42.vtt" type="text/vtt"/>
  </item>
  <item>
    <title>Episode 43</title>
    <link>https://example.org/ep43</link>
    <pubDate>Fri, 08 Mar 2024 10:00:00 GMT</pubDate>
  </item>
</channel>
</rss>
"#
    )
}

fn commits(env: &Env) -> usize {
    env.git(&["rev-list", "--count", "HEAD"])
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn a_feed_file_registers_its_items_with_their_transcripts_in_one_commit() {
    let server = Server::start();
    server.serve("/t/top10.json", JSON);
    let env = Env::initialised();
    // A file feed: the relative transcript link is read beside it.
    let path = env.root.join("feed.xml");
    std::fs::write(&path, feed(&server.base, "Episode 42: ACME's year")).unwrap();
    std::fs::create_dir_all(env.root.join("t")).unwrap();
    std::fs::write(env.root.join("t/ep42.vtt"), VTT).unwrap();
    let path = path.to_string_lossy().into_owned();
    let before = commits(&env);

    let out = env
        .errata()
        .args(["episode", "import", &path])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains(
        "Registered 2023-ai (2024-01-01): 2023 年十大關鍵 AI 發展, with a JSON transcript of 2 segments"
    ), "{stderr}");
    assert!(stderr.contains("Registered episode-42-acme-s-year (2024-03-01): Episode 42: ACME's year, with a WebVTT transcript of 2 segments"), "{stderr}");
    assert!(
        stderr.contains("Registered episode-43 (2024-03-08): Episode 43\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains("warning: 2023-ai: the transcript"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Imported 3 episodes from 科技浪 in one commit"),
        "{stderr}"
    );
    assert_eq!(commits(&env), before + 1);

    let episode = std::fs::read_to_string(env.repo.join("claims/2023-ai/episode.toml")).unwrap();
    assert_eq!(
        episode,
        "title = \"2023 年十大關鍵 AI 發展\"\ndate = 2024-01-01\n\
         url = \"https://example.org/audio/top10.mp3\"\ntranscript = \"transcript.txt\"\n"
    );
    assert_eq!(
        std::fs::read_to_string(env.repo.join("claims/2023-ai/transcript.txt")).unwrap(),
        "(00:00~00:06 哈利) 哈囉大家好，歡迎收聽科技浪\n(00:05~00:12 小明) 他的利潤高達70幾%耶\n"
    );
    assert_eq!(
        std::fs::read_to_string(
            env.repo
                .join("claims/episode-42-acme-s-year/transcript.txt")
        )
        .unwrap(),
        "(00:00~00:04 Mei) Welcome to Episode 42.\n(00:04~00:09 Sam) Revenue doubled last year.\n"
    );
    assert!(!env.repo.join("claims/episode-43/transcript.txt").exists());
    let message = env.git(&["log", "-1", "--format=%B"]);
    assert!(
        message.starts_with(
            "episode: import 2023-ai, episode-42-acme-s-year, episode-43 from 科技浪\n"
        ),
        "{message}"
    );
    for id in ["2023-ai", "episode-42-acme-s-year", "episode-43"] {
        assert!(
            message.contains(&format!("Errata-Episode: {id}\n")),
            "{message}"
        );
    }
    let files = env.git(&["show", "--name-only", "--format=", "HEAD"]);
    assert_eq!(files.lines().count(), 5, "{files}");
    env.ok(&["validate"]);
    // A quote in the imported transcript finds its speaker.
    env.add(&[
        "2023-ai",
        "--quote",
        "他的利潤高達70幾%耶",
        "--id",
        "margin",
    ]);
    assert_eq!(env.claim("margin")["speaker"], "小明");

    // Again: everything is registered already, nothing is committed.
    let head = env.git(&["rev-parse", "HEAD"]);
    let out = env
        .errata()
        .args(["episode", "import", &path])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains(
        "Already registered, left as they are: 2023-ai, episode-42-acme-s-year, episode-43 (--update refreshes them)"
    ), "{stderr}");
    assert!(stderr.contains("Nothing to import"), "{stderr}");
    assert_eq!(env.git(&["rev-parse", "HEAD"]), head);
}

#[test]
fn a_served_feed_is_imported_by_choice_and_updated() {
    let server = Server::start();
    server.serve("/t/top10.json", JSON);
    server.serve("/t/ep42.vtt", VTT);
    server.serve("/feed.xml", &feed(&server.base, "Episode 42"));
    let env = Env::initialised();
    let url = server.url("/feed.xml");

    let listed = env.json(&["episode", "import", &url, "--dry-run"]);
    assert_eq!(listed["registered"].as_array().unwrap().len(), 3);
    assert!(listed["commit"].is_null());
    assert!(!env.repo.join("claims/episode-42").exists());

    // The newest one: its relative transcript link is fetched from the feed's server.
    let one = env.json(&["episode", "import", &url, "--latest", "1"]);
    let ids: Vec<&str> = one["registered"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["episode"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["episode-43"]);
    // By id and guid, since a date: the JSON and the VTT transcript are fetched.
    let two = env.json(&["episode", "import", &url, "episode-42", "tech-wave-0001"]);
    assert_eq!(two["registered"][0]["episode"], "2023-ai");
    assert_eq!(two["registered"][0]["format"], "JSON");
    assert_eq!(two["registered"][1]["episode"], "episode-42");
    assert_eq!(two["registered"][1]["format"], "WebVTT");
    assert_eq!(two["registered"][1]["segments"], 2);
    let since = env.json(&["episode", "import", &url, "--since", "2024-03-01"]);
    assert_eq!(since["registered"].as_array().unwrap().len(), 0);
    assert_eq!(
        since["existing"],
        serde_json::json!(["episode-42", "episode-43"])
    );

    // The feed renames an episode (same link): --update rewrites it in place.
    server.serve("/feed.xml", &feed(&server.base, "Episode 42: ACME's year"));
    let updated = env.json(&[
        "episode",
        "import",
        &url,
        "--update",
        "--since",
        "2024-03-01",
    ]);
    assert_eq!(updated["updated"][0]["episode"], "episode-42");
    assert_eq!(updated["existing"], serde_json::json!(["episode-43"]));
    let episode = std::fs::read_to_string(env.repo.join("claims/episode-42/episode.toml")).unwrap();
    assert!(
        episode.starts_with("title = \"Episode 42: ACME's year\"\n"),
        "{episode}"
    );
    assert!(!env.repo.join("claims/episode-42-acme-s-year").exists());
    // A new transcript that loses a logged quote is not taken.
    env.add(&[
        "episode-42",
        "--quote",
        "Revenue doubled last year.",
        "--id",
        "rev",
    ]);
    server.serve(
        "/t/ep42.vtt",
        "WEBVTT\n\n00:00.000 --> 00:04.000\nSomething else.\n",
    );
    env.refused(
        &["episode", "import", &url, "episode-42", "--update"],
        1,
        &[
            "the transcript of episode-42",
            "no longer holds the quote of claim rev",
        ],
    );
    env.refused(
        &["episode", "import", &url, "no-such-item"],
        2,
        &["the feed has no item `no-such-item`", "--dry-run"],
    );
}

#[test]
fn a_broken_feed_or_an_unreachable_transcript_changes_nothing() {
    let server = Server::start();
    server.serve("/feed.xml", "<rss><channel><title>x</title><item>");
    server.serve("/html", "<!doctype html><p>not a feed</p>");
    let env = Env::initialised();
    env.refused(
        &["episode", "import", &server.url("/feed.xml")],
        2,
        &["/feed.xml is not an RSS feed"],
    );
    env.refused(
        &["episode", "import", &server.url("/html")],
        2,
        &["is not an RSS feed", "RSS feed"],
    );
    env.refused(
        &["episode", "import", &server.url("/missing.xml")],
        1,
        &["/missing.xml answered HTTP 404", "nothing was changed"],
    );
    let path = env.root.join("nothing.xml");
    env.refused(
        &["episode", "import", &path.to_string_lossy()],
        2,
        &["cannot read", "nothing.xml"],
    );
    // The VTT transcript of one item is not there: no item is registered.
    server.serve("/t/top10.json", JSON);
    server.serve("/good.xml", &feed(&server.base, "Episode 42"));
    env.refused(
        &["episode", "import", &server.url("/good.xml")],
        1,
        &[
            "the transcript of episode-42 (t/ep42.vtt)",
            "answered HTTP 404",
            "nothing was changed",
        ],
    );
    // A transcript that is not one: refused too, naming it.
    server.serve(
        "/t/ep42.vtt",
        "WEBVTT\n\n00:01.000 --> 00:00.000\nbackwards\n",
    );
    env.refused(
        &["episode", "import", &server.url("/good.xml")],
        1,
        &[
            "the transcript of episode-42",
            "no cue of the WebVTT file can be read",
        ],
    );
    assert!(!env.repo.join("claims").join("2023-ai").exists());
}
