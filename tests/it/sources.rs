//! End-to-end tests of `errata sources check` against a real HTTP server on
//! 127.0.0.1 (an ephemeral port; see `http_server`), one route per case, and
//! of the `accessed` and `archived` fields of a source.

use std::time::{Duration, Instant};

use crate::common::*;
use crate::http_server::{Reply, Server};
use serde_json::Value;

const EXCERPT: &str = "GAAP gross margin was 74.0%";
const ZH_EXCERPT: &str = "他的利潤高達70幾%耶";
const BIG5_TEXT: &str = "輝達第三季毛利率為 74.0%，創下新高。";
const BIG5_EXCERPT: &str = "輝達第三季毛利率為74.0%";

/// Short limits so the slow cases cost well under a second each.
const FAST: &[&str] = &[
    "--timeout",
    "400ms",
    "--retries",
    "1",
    "--backoff",
    "20ms",
    "--max-body",
    "100000",
];

fn page(body: &str) -> String {
    format!(
        "<!doctype html><html><head><title>t</title><script>var x=1;</script></head><body><article>{body}</article></body></html>"
    )
}

fn routes(path: &str) -> Reply {
    match path {
        "/ok" => Reply::html(
            200,
            &page(
                "<p>NVIDIA reported revenue of $18.12 billion. GAAP gross\n margin was <b>74.0%</b>, up from 70.1%.</p>",
            ),
        ),
        "/zh" => Reply::html(200, &page("<p>主持人說：他的利潤高達 ７０幾％耶。</p>")),
        "/drifted" => Reply::html(200, &page("<p>GAAP gross margin was 75.0%.</p>")),
        "/big5" => {
            let html = page(BIG5_TEXT);
            let (bytes, _, _) = encoding_rs::BIG5.encode(&html);
            Reply {
                status: 200,
                headers: vec![("Content-Type".into(), "text/html".into())],
                body: [b"<meta charset=\"big5\">".as_slice(), &bytes].concat(),
                delay: Duration::ZERO,
            }
        }
        "/chain/1" => Reply::redirect(301, "/chain/2"),
        "/chain/2" => Reply::redirect(308, "/chain/3"),
        "/chain/3" => Reply::redirect(301, "/final"),
        "/final" => Reply::html(200, &page("GAAP gross margin was 74.0%")),
        "/loop/a" => Reply::redirect(302, "/loop/b"),
        "/loop/b" => Reply::redirect(307, "/loop/a"),
        "/404" => Reply::html(404, "not found"),
        "/410" => Reply::html(410, "gone"),
        "/403" => Reply::html(403, "forbidden"),
        "/429" => Reply::html(429, "slow down").header("Retry-After", "1"),
        "/slow" => Reply::html(200, &page(EXCERPT)).delayed(Duration::from_millis(1500)),
        "/huge" => Reply::html(200, &"x".repeat(200_000)),
        p if p.starts_with("/cap/") => {
            Reply::html(200, &page(EXCERPT)).delayed(Duration::from_millis(150))
        }
        _ => Reply::html(404, "no such route"),
    }
}

/// A claim citing every route, each with its excerpt, committed by hand.
fn claim_citing(env: &Env, id: &str, sources: &[(String, Option<&str>)], extra: &str) {
    let mut text = String::from(
        "status = \"checked\"\nverdict = \"accurate\"\nclaim = \"NVIDIA's gross margin is above 70%.\"\n",
    );
    for (url, excerpt) in sources {
        text.push_str(&format!("\n[[sources]]\ntitle = \"t\"\nurl = \"{url}\"\n"));
        if let Some(e) = excerpt {
            text.push_str(&format!("excerpt = \"{e}\"\n"));
        }
        text.push_str(extra);
    }
    env.commit_by_hand(&[(&claim_file(EP, id), &text)], "cite by hand");
}

fn check(env: &Env, args: &[&str]) -> (Option<i32>, Vec<Value>, String) {
    let mut all = vec!["--json", "sources", "check"];
    all.extend_from_slice(args);
    all.extend_from_slice(FAST);
    let out = env.run(&all);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is JSON ({e}):\n{stderr}"));
    let list = v["sources"].as_array().cloned().unwrap_or_default();
    (out.status.code(), list, stderr)
}

fn by_path<'a>(list: &'a [Value], server: &Server, path: &str) -> &'a Value {
    let url = server.url(path);
    list.iter()
        .find(|o| o["url"] == url.as_str())
        .unwrap_or_else(|| panic!("no outcome for {path}: {list:#?}"))
}

#[test]
fn each_case_is_classified_and_a_second_run_comes_from_the_cache() {
    let server = Server::start("127.0.0.1", routes);
    let env = Env::with_episode();
    let cases: &[(&str, Option<&str>)] = &[
        ("/ok", Some(EXCERPT)),
        ("/zh", Some(ZH_EXCERPT)),
        ("/drifted", Some(EXCERPT)),
        ("/big5", Some(BIG5_EXCERPT)),
        ("/chain/1", Some(EXCERPT)),
        ("/loop/a", None),
        ("/404", None),
        ("/410", None),
        ("/403", None),
        ("/429", None),
        ("/slow", Some(EXCERPT)),
        ("/huge", None),
    ];
    let sources: Vec<(String, Option<&str>)> =
        cases.iter().map(|(p, e)| (server.url(p), *e)).collect();
    claim_citing(&env, "margin", &sources, "accessed = 2023-12-30\n");

    let started = Instant::now();
    let (code, list, stderr) = check(&env, &["margin"]);
    let took = started.elapsed();
    assert_eq!(
        code,
        Some(1),
        "a gone or drifted source fails the check:\n{stderr}"
    );
    let expect: [(&str, &str, Option<u16>); 12] = [
        ("/ok", "ok", Some(200)),
        ("/zh", "ok", Some(200)),
        ("/drifted", "drifted", Some(200)),
        ("/big5", "ok", Some(200)),
        ("/chain/1", "moved", Some(200)),
        ("/loop/a", "error", Some(307)),
        ("/404", "gone", Some(404)),
        ("/410", "gone", Some(410)),
        ("/403", "blocked", Some(403)),
        ("/429", "blocked", Some(429)),
        ("/slow", "error", None),
        ("/huge", "error", Some(200)),
    ];
    for (path, status, http) in expect {
        let o = by_path(&list, &server, path);
        assert_eq!(o["status"], status, "{path}: {o:#}");
        assert_eq!(o["http"].as_u64(), http.map(u64::from), "{path}: {o:#}");
        assert_eq!(o["id"], "margin");
        assert!(o["checked_at"].as_str().unwrap().ends_with('Z'), "{o:#}");
        assert_eq!(o["cached"], false);
    }
    let moved = by_path(&list, &server, "/chain/1");
    assert_eq!(moved["final_url"], server.url("/final").as_str());
    assert!(
        moved["detail"]
            .as_str()
            .unwrap()
            .contains(&server.url("/final")),
        "{moved:#}"
    );
    assert!(
        by_path(&list, &server, "/loop/a")["detail"]
            .as_str()
            .unwrap()
            .contains("loop")
    );
    assert!(
        by_path(&list, &server, "/slow")["detail"]
            .as_str()
            .unwrap()
            .contains("timed out")
    );
    assert!(
        by_path(&list, &server, "/huge")["detail"]
            .as_str()
            .unwrap()
            .contains("larger than")
    );
    // 429: asked again once (--retries 1) after the Retry-After second.
    assert_eq!(server.counters.hits("/429"), 2);
    assert!(
        took >= Duration::from_secs(1),
        "Retry-After honoured: {took:?}"
    );
    // The Wayback copy nearest the day the desk read it, for gone and drifted only.
    for path in ["/404", "/410", "/drifted"] {
        assert_eq!(
            by_path(&list, &server, path)["suggested_archive"],
            format!(
                "https://web.archive.org/web/20231230120000/{}",
                server.url(path)
            )
            .as_str()
        );
    }
    for path in ["/ok", "/403", "/slow", "/chain/1"] {
        assert!(by_path(&list, &server, path)["suggested_archive"].is_null());
    }
    let ua = server.counters.user_agents.lock().unwrap().clone();
    assert!(ua.iter().all(|u| u.starts_with("errata/")), "{ua:?}");

    // Again: what was settled comes from the cache; errors are asked again.
    let before = server.counters.total();
    let ok_hits = server.counters.hits("/ok");
    let (code, list, _) = check(&env, &["margin"]);
    assert_eq!(code, Some(1));
    for path in [
        "/ok", "/zh", "/drifted", "/big5", "/chain/1", "/404", "/410",
    ] {
        assert_eq!(by_path(&list, &server, path)["cached"], true, "{path}");
    }
    for path in ["/403", "/slow", "/loop/a", "/huge", "/429"] {
        assert_eq!(by_path(&list, &server, path)["cached"], false, "{path}");
    }
    assert_eq!(
        server.counters.hits("/ok"),
        ok_hits,
        "a cached page is not fetched"
    );
    assert!(server.counters.total() > before, "errors are never cached");

    // --offline asks nothing and reports only the cache.
    let before = server.counters.total();
    let (code, list, _) = check(&env, &["margin", "--offline"]);
    assert_eq!(server.counters.total(), before, "--offline made a request");
    assert_eq!(code, Some(1));
    assert_eq!(by_path(&list, &server, "/ok")["status"], "ok");
    assert_eq!(by_path(&list, &server, "/slow")["status"], "unchecked");
    // --max-age 0 asks again.
    let ok_hits = server.counters.hits("/ok");
    check(&env, &["margin", "--max-age", "0"]);
    assert_eq!(server.counters.hits("/ok"), ok_hits + 1);
}

#[test]
fn offline_on_an_empty_cache_makes_no_request() {
    let server = Server::start("127.0.0.1", routes);
    let env = Env::with_episode();
    claim_citing(&env, "margin", &[(server.url("/ok"), Some(EXCERPT))], "");
    let (code, list, _) = check(&env, &["--offline"]);
    assert_eq!(server.counters.total(), 0);
    assert_eq!(code, Some(0));
    assert_eq!(list[0]["status"], "unchecked");
    assert!(list[0]["http"].is_null() && list[0]["checked_at"].is_null());
}

#[test]
fn no_more_than_two_requests_at_once_to_one_host() {
    let server = Server::start("127.0.0.1", routes);
    let env = Env::with_episode();
    let sources: Vec<(String, Option<&str>)> = (0..8)
        .map(|i| (server.url(&format!("/cap/{i}")), Some(EXCERPT)))
        .collect();
    claim_citing(&env, "margin", &sources, "");
    let (code, list, stderr) = check(&env, &["--jobs", "16"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(list.iter().all(|o| o["status"] == "ok"), "{list:#?}");
    assert_eq!(server.counters.total(), 8);
    let most = server.counters.max_open();
    assert!(most <= 2, "the per-host cap holds: {most} at once");
}

#[test]
fn the_table_and_write_archived() {
    let server = Server::start("127.0.0.1", routes);
    let env = Env::with_episode();
    claim_citing(
        &env,
        "margin",
        &[
            (server.url("/ok"), Some(EXCERPT)),
            (server.url("/404"), None),
        ],
        "accessed = 2023-12-30\n",
    );
    let mut args = vec!["sources", "check"];
    args.extend_from_slice(FAST);
    let out = env.run(&args);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let header = stdout.lines().next().unwrap();
    assert!(header.starts_with("STATUS  HTTP  ID      URL"), "{stdout}");
    assert!(stdout.contains("gone    404   margin"), "{stdout}");
    assert!(
        stdout.contains("record them with --write-archived"),
        "{stdout}"
    );
    let wayback = format!(
        "https://web.archive.org/web/20231230120000/{}",
        server.url("/404")
    );
    assert!(stdout.contains(&wayback), "{stdout}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("2 sources: 1 ok, 1 gone"), "{stderr}");
    env.assert_clean("a check writes nothing");
    let again = env.run(&args);
    assert!(String::from_utf8_lossy(&again.stderr).contains("(2 from the cache)"));

    args.push("--write-archived");
    let out = env.run(&args);
    assert_eq!(out.status.code(), Some(1), "the source is still gone");
    assert_eq!(env.head_paths(), vec![claim_file(EP, "margin")]);
    let trailers = env.head_trailers();
    assert!(
        trailers.contains(&("Errata-Claim".into(), "margin".into())),
        "{trailers:?}"
    );
    assert!(
        trailers.contains(&("Errata-Source".into(), server.url("/404"))),
        "{trailers:?}"
    );
    let record = toml_of(&env, &claim_file(EP, "margin"));
    let sources = record["sources"].as_array().unwrap();
    assert_eq!(sources[1]["archived"].as_str(), Some(wayback.as_str()));
    assert!(sources[0].get("archived").is_none());
    env.assert_clean("after --write-archived");
    env.ok(&["validate"]);
    // Recorded: no suggestion any more, and nothing to write again.
    let before = env.log();
    let out = env.run(&args);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("web.archive.org"));
    assert_eq!(env.log(), before);
}

#[test]
fn source_takes_accessed_and_archived_and_validate_checks_them() {
    let env = Env::with_claims();
    env.ok(&[
        "source",
        "nvidia-margin",
        "--title",
        "NVIDIA Q3 FY24",
        "--url",
        "https://example.org/q3",
        "--excerpt",
        EXCERPT,
        "--accessed",
        "2023-12-30",
        "--archived",
        "https://web.archive.org/web/20231230120000/https://example.org/q3",
    ]);
    let text = env.read(&claim_file(EP, "nvidia-margin"));
    let tail = &text[text.rfind("[[sources]]").unwrap()..];
    assert_eq!(
        tail,
        "[[sources]]\ntitle = \"NVIDIA Q3 FY24\"\nurl = \"https://example.org/q3\"\nexcerpt = \"GAAP gross margin was 74.0%\"\naccessed = 2023-12-30\narchived = \"https://web.archive.org/web/20231230120000/https://example.org/q3\"\n"
    );
    let shown = env.ok(&["show", "nvidia-margin"]);
    assert!(shown.contains("accessed 2023-12-30"), "{shown}");
    env.ok(&["validate"]);

    env.refused(
        &[
            "source",
            "nvidia-margin",
            "--url",
            "https://example.org/b",
            "--archived",
            "ftp://x",
        ],
        2,
        &["`ftp://x` is not a web address"],
    );
    env.refused(
        &[
            "source",
            "nvidia-margin",
            "--url",
            "https://example.org/c",
            "--accessed",
            "2999-01-01",
        ],
        2,
        &["accessed 2999-01-01 is after today"],
    );
    env.refused(
        &[
            "source",
            "nvidia-margin",
            "--url",
            "https://example.org/d",
            "--accessed",
            "2023-02-29",
        ],
        2,
        &["2023-02-29"],
    );

    // By hand: validate names each at its line.
    let path = claim_file(EP, "yi-unicorn");
    let mut text = env.read(&path);
    text.push_str(
        "\n[[sources]]\ntitle = \"x\"\naccessed = 2999-01-01\narchived = \"archive.org/x\"\n",
    );
    env.commit_by_hand(&[(&path, &text)], "by hand");
    let out = env.run(&["validate"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines = text.lines().count();
    assert!(
        stdout.contains(&format!("{path}:{}:", lines - 1))
            && stdout.contains("accessed 2999-01-01 is after today"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("{path}:{}:", lines))
            && stdout.contains("`archive.org/x` is not a web address"),
        "{stdout}"
    );
    // Run twice: the cached checks give the same answer.
    let again = env.run(&["validate"]);
    assert_eq!(String::from_utf8_lossy(&again.stdout), stdout);
}

/// What cannot be fetched at all is an `error` whose detail names the cause: TLS
/// spoken to a server that answers in plain HTTP, a name that does not resolve
/// (`.invalid` never does, RFC 6761), and a port where nothing listens.
#[test]
fn tls_dns_and_refused_connections_are_errors_that_name_the_cause() {
    let server = Server::start("127.0.0.1", routes);
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    // A server that answers anything, a TLS greeting too, in plain HTTP.
    let plain = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let plain_port = plain.local_addr().unwrap().port();
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        for mut stream in plain.incoming().flatten() {
            let mut buf = [0u8; 1024];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        }
    });
    let env = Env::with_episode();
    // The test server hangs up on a TLS greeting; the plain one answers it.
    let tls = format!("https://127.0.0.1:{}/ok", server.addr.port());
    let tls_plain = format!("https://127.0.0.1:{plain_port}/ok");
    let dns = "http://no-such-host.invalid/page".to_owned();
    let refused = format!("http://127.0.0.1:{closed}/ok");
    let sources = vec![
        (tls.clone(), None),
        (tls_plain.clone(), None),
        (dns.clone(), None),
        (refused.clone(), None),
    ];
    claim_citing(&env, "margin", &sources, "");
    let (code, list, stderr) = check(&env, &["margin"]);
    assert_eq!(code, Some(0), "an error is unknown, not dead:\n{stderr}");
    let find = |url: &str| {
        list.iter()
            .find(|o| o["url"] == url)
            .unwrap_or_else(|| panic!("no outcome for {url}: {list:#?}"))
    };
    for (url, cause) in [
        (&tls, "tls"),
        (&tls_plain, "tls"),
        (&dns, "dns"),
        (&refused, "connect"),
    ] {
        let o = find(url);
        assert_eq!(o["status"], "error", "{o:#}");
        assert!(o["http"].is_null(), "{o:#}");
        let detail = o["detail"].as_str().unwrap().to_lowercase();
        let named = match cause {
            "tls" => detail.contains("tls handshake"),
            "dns" => detail.contains("dns error"),
            _ => detail.contains("connection refused"),
        };
        assert!(
            named,
            "{url}: the detail names the {cause} failure: {detail}"
        );
    }
    // None of these is remembered: a second run asks again.
    let (_, list, _) = check(&env, &["margin"]);
    assert!(list.iter().all(|o| o["cached"] == false), "{list:#?}");
}
