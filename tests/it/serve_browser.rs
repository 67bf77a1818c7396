//! `errata serve` driven in headless Chromium through WebDriver (Debian's
//! `chromium` and `chromium-driver`): an editor's whole round, from selecting
//! words in the transcript to a correction, each step exactly one commit with
//! the CLI's trailers, `errata validate` passing after each. Skips where no
//! chromedriver is found, except under CI=true (`.ci/run` installs it).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

use crate::common::*;
use crate::serve::Server;

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

struct Driver {
    child: Child,
    port: u16,
    session: String,
}

fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> Value {
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    // chromedriver keeps the connection open: read the head, then exactly the
    // Content-Length it announces.
    let mut reader = BufReader::new(s);
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
            break;
        }
        if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            length = v.trim().parse().unwrap();
        }
    }
    let mut raw = vec![0; length];
    reader.read_exact(&mut raw).unwrap();
    serde_json::from_slice(&raw)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&raw)))
}

impl Driver {
    fn start(env: &Env) -> Option<Driver> {
        let bin = std::env::var_os("ERRATA_CHROMEDRIVER")
            .map(std::path::PathBuf::from)
            .or_else(|| {
                let p = std::path::PathBuf::from("/usr/bin/chromedriver");
                p.exists().then_some(p)
            });
        let Some(bin) = bin else {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "no chromedriver: install Debian's chromium-driver (.ci/run does) or set ERRATA_CHROMEDRIVER"
            );
            eprintln!("serve_browser: skipped, no chromedriver (under CI=true this fails)");
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        for _ in 0..100 {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let profile = env.root.join("chromium-profile");
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                         "--no-first-run", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync",
                         format!("--user-data-dir={}", profile.display())]
            }
        }}});
        let r = http(port, "POST", "/session", Some(&caps));
        let session = r["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {r}"))
            .to_owned();
        Some(Driver {
            child,
            port,
            session,
        })
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let r = http(
            self.port,
            method,
            &format!("/session/{}{path}", self.session),
            body.as_ref(),
        );
        assert!(r["value"].get("error").is_none(), "{method} {path}: {r}");
        r["value"].clone()
    }

    fn go(&self, url: &str) {
        self.call("POST", "/url", Some(json!({"url": url})));
    }

    fn find(&self, css: &str) -> String {
        let v = self.call(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        );
        v[ELEMENT].as_str().unwrap().to_owned()
    }

    fn click(&self, css: &str) {
        let e = self.find(css);
        self.call("POST", &format!("/element/{e}/click"), Some(json!({})));
    }

    fn type_in(&self, css: &str, text: &str) {
        let e = self.find(css);
        self.call("POST", &format!("/element/{e}/clear"), Some(json!({})));
        self.call(
            "POST",
            &format!("/element/{e}/value"),
            Some(json!({"text": text})),
        );
    }

    fn script(&self, script: &str, args: Value) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
    }

    fn url(&self) -> String {
        self.call("GET", "/url", None).as_str().unwrap().to_owned()
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = http(
            self.port,
            "DELETE",
            &format!("/session/{}", self.session),
            None,
        );
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One new commit since `before`, with these trailers; the records still valid.
fn one_commit(env: &Env, before: usize, trailers: &[(&str, &str)]) -> usize {
    // A click returns once the browser has sent the form; the commit may land
    // a moment later.
    let mut now = env.log().len();
    for _ in 0..100 {
        if now > before {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        now = env.log().len();
    }
    // And no second commit follows.
    std::thread::sleep(std::time::Duration::from_millis(200));
    let now = now.max(env.log().len());
    assert_eq!(now, before + 1, "exactly one commit");
    let have = env.head_trailers();
    for (k, v) in trailers {
        assert!(
            have.contains(&((*k).into(), (*v).into())),
            "{k}: {v} in {have:?}"
        );
    }
    env.ok(&["validate"]);
    now
}

#[test]
fn an_editors_round_in_headless_chromium_is_one_commit_per_step() {
    let env = Env::with_claims();
    let Some(browser) = Driver::start(&env) else {
        return;
    };
    let server = Server::start(&env);
    let base = format!("http://{}", server.addr);
    let mut commits = env.log().len();

    // Select the words in the transcript: the script takes them as the quote.
    browser.go(&format!("{base}/episodes/{EP}"));
    let selected = browser.script(
        r#"const want = arguments[0];
           for (const p of document.querySelectorAll('.transcript .segment')) {
             const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
             let node;
             while ((node = walker.nextNode())) {
               const at = node.data.indexOf(want);
               if (at >= 0) {
                 const r = document.createRange();
                 r.setStart(node, at); r.setEnd(node, at + want.length);
                 const s = window.getSelection(); s.removeAllRanges(); s.addRange(r);
                 node.parentElement.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
                 return document.querySelector('textarea[name=quote]').value;
               }
             }
           }
           return null;"#,
        json!(["這種主流媒體跟自媒體呢 平均下來 我自己覺得可能是60分"]),
    );
    assert_eq!(
        selected, "這種主流媒體跟自媒體呢 平均下來 我自己覺得可能是60分",
        "the selection became the quote"
    );
    browser.type_in(
        "textarea[name=claim]",
        "Mainstream and independent media score about 60 out of 100 on average.",
    );
    browser.click("form[action$='/claims'] button");
    let mut url = browser.url();
    for _ in 0..100 {
        if url.contains("/claims/") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        url = browser.url();
    }
    let id = url.rsplit('/').next().unwrap().to_owned();
    assert!(url.contains("/claims/"), "{url}");
    commits = one_commit(
        &env,
        commits,
        &[("Errata-Claim", &id), ("Errata-Status", "needs-check")],
    );
    let page = format!("{base}/claims/{id}");
    browser.go(&page);
    assert!(
        env.claim(&id)["said_at"].is_string(),
        "its time came from the transcript"
    );

    // Start it, cite a source, give a verdict: each a commit.
    browser.type_in("form[action$='/start'] input[name=assignee]", "小明");
    browser.click("form[action$='/start'] button");
    commits = one_commit(
        &env,
        commits,
        &[
            ("Errata-Claim", &id),
            ("Errata-Status", "needs-check -> checking"),
            ("Errata-Assignee", "小明"),
        ],
    );
    browser.go(&page);
    browser.type_in("form[action$='/source'] input[name=title]", "A test source");
    browser.type_in("form[action$='/source'] input[name=url]", URL_GRAPHCAST);
    browser.type_in(
        "form[action$='/source'] input[name=publisher]",
        "Google DeepMind",
    );
    browser.click("form[action$='/source'] button");
    commits = one_commit(&env, commits, &[("Errata-Claim", &id)]);
    browser.go(&page);
    browser.click("form[action$='/verdict'] select option[value=inaccurate]");
    browser.type_in(
        "form[action$='/verdict'] textarea[name=note]",
        "No such average exists.",
    );
    browser.click("form[action$='/verdict'] button");
    commits = one_commit(
        &env,
        commits,
        &[("Errata-Claim", &id), ("Errata-Verdict", "inaccurate")],
    );
    assert_eq!(env.claim(&id)["verdict"], "inaccurate");

    // Record the correction of it.
    browser.go(&format!("{base}/corrections"));
    browser.type_in("input[name=claims]", &id);
    browser.type_in("input[name=at]", "10:08");
    browser.type_in("textarea[name=text]", "這個平均分數沒有根據。");
    browser.click("form[action='/corrections'] button");
    one_commit(
        &env,
        commits,
        &[
            ("Errata-Claim", &id),
            ("Errata-Status", "checked -> corrected"),
        ],
    );
    assert_eq!(env.claim(&id)["status"], "corrected");
    env.assert_clean("a round in the browser");
}
