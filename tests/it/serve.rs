//! `errata serve` end to end: a real server started as a process on
//! 127.0.0.1 (a free port), spoken to over real HTTP, its commits checked
//! with the real `git`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};

use crate::common::*;

pub struct Server {
    child: Child,
    pub addr: String,
}

struct Reply {
    status: u16,
    head: String,
    body: String,
}

impl Server {
    pub fn start(env: &Env) -> Server {
        Server::start_with(env, &[])
    }

    fn start_with(env: &Env, extra: &[&str]) -> Server {
        let mut child = env
            .errata_process()
            .current_dir(&env.repo)
            .args(["serve", "--port", "0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("errata serve starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|r| r.trim().strip_suffix('/'))
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .replace("0.0.0.0", "127.0.0.1");
        Server { child, addr }
    }

    fn request(&self, method: &str, path: &str, body: &str) -> Reply {
        self.request_as(method, path, body, None)
    }

    fn request_as(&self, method: &str, path: &str, body: &str, cookie: Option<&str>) -> Reply {
        let mut s = TcpStream::connect(&self.addr).unwrap();
        let cookie = cookie
            .map(|c| format!("Cookie: {c}\r\n"))
            .unwrap_or_default();
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n{cookie}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            self.addr,
            body.len()
        )
        .unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        let raw = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        Reply {
            status,
            head: head.to_ascii_lowercase(),
            body: body.to_owned(),
        }
    }

    fn get(&self, path: &str) -> Reply {
        self.request("GET", path, "")
    }

    fn post(&self, path: &str, form: &[(&str, &str)]) -> Reply {
        self.request("POST", path, &encode(form))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn encode(form: &[(&str, &str)]) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    form.iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The value of the hidden input `name` in a page's first form.
fn hidden(page: &str, name: &str) -> String {
    let at = page
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no {name} in {page}"));
    let rest = &page[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_owned()
}

#[test]
fn pages_show_the_desk_and_each_action_is_the_commit_the_cli_makes() {
    let env = Env::with_claims();
    let server = Server::start(&env);
    let index = server.get("/");
    assert_eq!(index.status, 200);
    assert!(
        index
            .head
            .contains("content-security-policy: default-src 'none'"),
        "{}",
        index.head
    );
    assert!(index.body.contains(EP_TITLE), "{}", index.body);
    let episode = server.get(&format!("/episodes/{EP}"));
    assert_eq!(episode.status, 200);
    // The transcript with each logged quote marked and linked to its claim's page.
    assert!(
        episode.body.contains(
            "<a href=\"/claims/nvidia-margin\" title=\"Accurate\">他的利潤高達70幾%耶</a>"
        ),
        "{}",
        episode.body
    );

    let page = server.get("/claims/nvidia-trillion").body;
    let (csrf, version) = (hidden(&page, "csrf"), hidden(&page, "version"));
    let r = server.post(
        "/claims/nvidia-trillion/start",
        &[("csrf", &csrf), ("version", &version), ("assignee", "小明")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        env.head_message().lines().next().unwrap(),
        "start: nvidia-trillion is checking"
    );
    let trailers = env.head_trailers();
    for t in [
        ("Errata-Claim", "nvidia-trillion"),
        ("Errata-Status", "needs-check -> checking"),
        ("Errata-Assignee", "小明"),
    ] {
        assert!(
            trailers.contains(&(t.0.into(), t.1.into())),
            "{t:?} in {trailers:?}"
        );
    }
    assert_eq!(env.head_paths(), vec![claim_file(EP, "nvidia-trillion")]);

    let page = server.get("/claims/nvidia-trillion").body;
    let r = server.post(
        "/claims/nvidia-trillion/source",
        &[
            ("csrf", &csrf),
            ("version", &hidden(&page, "version")),
            ("title", "NVIDIA market cap tops $1 trillion"),
            ("url", URL_NVIDIA),
            ("publisher", "NVIDIA"),
            ("published", "2023-05-30"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let page = server.get("/claims/nvidia-trillion").body;
    let r = server.post(
        "/claims/nvidia-trillion/verdict",
        &[
            ("csrf", &csrf),
            ("version", &hidden(&page, "version")),
            ("verdict", "accurate"),
            ("note", "It closed above $1 trillion on 30 May 2023."),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let claim = env.claim("nvidia-trillion");
    assert_eq!(claim["verdict"], "accurate");
    assert_eq!(claim["sources"][0]["url"], URL_NVIDIA);
    // The claim's page shows its history, each step a commit.
    let page = server.get("/claims/nvidia-trillion").body;
    assert!(page.contains("History: 4 revisions"), "{page}");

    // Logging a claim from the episode page finds its time in the transcript.
    let r = server.post(
        &format!("/episodes/{EP}/claims"),
        &[
            ("csrf", &csrf),
            ("quote", Q_AMD_COST),
            ("claim", "MI300X costs twice as much as H100."),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let id = r
        .head
        .lines()
        .find_map(|l| l.strip_prefix("location: /claims/"))
        .unwrap()
        .trim()
        .to_owned();
    assert_eq!(env.claim(&id)["said_at"], "18:08~19:08");
    assert!(
        env.head_message()
            .starts_with(&format!("add: {id} in {EP}"))
    );
    env.ok(&["validate"]);
    env.assert_clean("the server's actions");

    // A refusal of the operation says why and changes nothing.
    let before = env.state();
    let page = server.get("/claims/nvidia-margin").body;
    let r = server.post(
        "/claims/nvidia-margin/verdict",
        &[
            ("csrf", &csrf),
            ("version", &hidden(&page, "version")),
            ("verdict", "wrong"),
        ],
    );
    assert_eq!(r.status, 400);
    assert!(r.body.contains("wrong"), "{}", r.body);
    env.state().assert_same(&before, "a refused verdict");
}

#[test]
fn a_form_against_a_record_changed_since_is_refused_with_both_versions() {
    let env = Env::with_claims();
    let server = Server::start(&env);
    let page = server.get("/claims/nvidia-trillion").body;
    let (csrf, version) = (hidden(&page, "csrf"), hidden(&page, "version"));
    // Meanwhile another editor cites a source from the command line.
    env.ok(&["source", "nvidia-trillion", "--url", URL_NVIDIA]);
    let before = env.state();
    let r = server.post(
        "/claims/nvidia-trillion/start",
        &[("csrf", &csrf), ("version", &version), ("assignee", "小明")],
    );
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(
        r.body.contains("Not applied: this claim changed"),
        "{}",
        r.body
    );
    let (yours, now) = r.body.split_once("The version now").unwrap();
    assert!(!yours.contains(URL_NVIDIA), "the old version has no source");
    assert!(now.contains(URL_NVIDIA), "the current one has");
    env.state().assert_same(&before, "a stale form");
    // The refusal page carries the current version: sent again, it applies.
    let r = server.post(
        "/claims/nvidia-trillion/start",
        &[
            ("csrf", &csrf),
            ("version", &hidden(now, "version")),
            ("assignee", "小明"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
}

#[test]
fn two_browsers_at_once_lose_no_update() {
    let env = Env::with_claims();
    let server = Server::start(&env);
    let page = server.get("/claims/nvidia-trillion").body;
    let csrf = hidden(&page, "csrf");
    let before = env.log().len();
    let forms: Vec<(String, String)> = ["nvidia-trillion", "amd-mi300x-cost"]
        .iter()
        .map(|id| {
            let page = server.get(&format!("/claims/{id}")).body;
            (id.to_string(), hidden(&page, "version"))
        })
        .collect();
    std::thread::scope(|s| {
        let handles: Vec<_> = forms
            .iter()
            .map(|(id, version)| {
                let (server, csrf) = (&server, &csrf);
                s.spawn(move || {
                    server.post(
                        &format!("/claims/{id}/source"),
                        &[("csrf", csrf), ("version", version), ("url", URL_YI)],
                    )
                })
            })
            .collect();
        for h in handles {
            assert_eq!(h.join().unwrap().status, 303);
        }
    });
    assert_eq!(env.log().len(), before + 2);
    for id in ["nvidia-trillion", "amd-mi300x-cost"] {
        assert_eq!(env.claim(id)["sources"][0]["url"], URL_YI, "{id}");
    }
    env.assert_clean("two browsers");
}

#[test]
fn forms_without_the_servers_token_and_addresses_others_can_reach_are_refused() {
    let env = Env::with_claims();
    let server = Server::start(&env);
    let page = server.get("/claims/nvidia-trillion").body;
    let version = hidden(&page, "version");
    let before = env.state();
    for csrf in ["", "0000"] {
        let r = server.post(
            "/claims/nvidia-trillion/start",
            &[("csrf", csrf), ("version", &version)],
        );
        assert_eq!(r.status, 403, "{}", r.body);
        assert!(
            r.body.contains("did not come from this server"),
            "{}",
            r.body
        );
    }
    let r = server.post(
        &format!("/episodes/{EP}/claims"),
        &[("csrf", "x"), ("quote", Q_AMD_COST)],
    );
    assert_eq!(r.status, 403);
    env.state().assert_same(&before, "forged forms");
    drop(server);

    env.refused(
        &["serve", "--bind", "0.0.0.0", "--port", "0"],
        2,
        &["0.0.0.0:0 is not a loopback address", "needs accounts"],
    );
}

#[test]
fn a_correction_recorded_in_the_browser_marks_its_claims_in_one_commit() {
    let env = Env::with_claims();
    let server = Server::start(&env);
    let page = server.get("/corrections").body;
    let csrf = hidden(&page, "csrf");
    // The owed claims are offered.
    assert!(
        page.contains("value=\"graphcast-no-supercomputers yi-copies-llama\""),
        "{page}"
    );
    let r = server.post(
        "/corrections",
        &[
            ("csrf", &csrf),
            ("claims", "yi-copies-llama, graphcast-no"),
            ("episode", EP),
            ("at", "06:07~09:08"),
            ("text", "Yi 用的是 LLaMA 的架構，權重是自己訓練的。"),
            ("medium", "on-air"),
            ("reported_by", "listener message"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let mut paths = env.head_paths();
    paths.sort();
    assert_eq!(paths.len(), 3, "{paths:?}");
    assert!(
        env.head_message()
            .starts_with("correct: yi-copies-llama, graphcast-no-supercomputers corrected on air")
    );
    for id in ["yi-copies-llama", "graphcast-no-supercomputers"] {
        assert_eq!(env.claim(id)["status"], "corrected", "{id}");
    }
    assert!(
        server
            .get("/corrections")
            .body
            .contains("Yi 用的是 LLaMA 的架構")
    );
    env.ok(&["validate"]);
    // A correction the lifecycle forbids is refused with the reason.
    let before = env.state();
    let r = server.post(
        "/corrections",
        &[
            ("csrf", &csrf),
            ("claims", "nvidia-margin"),
            ("episode", EP),
            ("at", "06:07"),
            ("text", "x"),
        ],
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("accurate"), "{}", r.body);
    env.state().assert_same(&before, "a refused correction");
}

/// An accounts file outside the repository with one editor, 梅 (login mei).
fn accounts(env: &Env) -> String {
    accounts_of(env, &[("mei", "梅", "mei@desk.example.org")])
}

/// An accounts file with these editors (login, name, email), each with the
/// password "correct horse battery".
fn accounts_of(env: &Env, users: &[(&str, &str, &str)]) -> String {
    let out = env
        .errata()
        .args(["serve", "--hash-password"])
        .write_stdin("correct horse battery\n")
        .output()
        .unwrap();
    assert!(out.status.success());
    let hash = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    let path = env.root.join("accounts.toml");
    let file: String = users
        .iter()
        .map(|(login, name, email)| {
            format!(
                "[[user]]\nlogin = \"{login}\"\nname = \"{name}\"\nemail = \"{email}\"\npassword = \"{hash}\"\n"
            )
        })
        .collect();
    std::fs::write(&path, file).unwrap();
    path.to_str().unwrap().to_owned()
}

/// Sign in as `login` (password "correct horse battery"): the session's cookie.
fn sign_in(server: &Server, login: &str) -> String {
    let r = server.post(
        "/login",
        &[("login", login), ("password", "correct horse battery")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    r.head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie:"))
        .expect("a session cookie")
        .trim()
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

#[test]
fn with_accounts_nothing_is_readable_without_signing_in_and_commits_are_the_editors() {
    let env = Env::with_claims();
    let file = accounts(&env);
    // Any address, now that there are accounts.
    let server = Server::start_with(&env, &["--bind", "0.0.0.0", "--accounts", &file]);
    for path in [
        "/",
        &format!("/episodes/{EP}"),
        "/claims/nvidia-trillion",
        "/owed",
        "/problems",
        "/corrections",
    ] {
        let r = server.get(path);
        assert_eq!(r.status, 303, "{path}");
        assert!(r.head.contains("location: /login"), "{path}: {}", r.head);
        assert!(!r.body.contains("nvidia"), "{path} shows nothing");
    }
    let before = env.state();
    let r = server.post(
        "/claims/nvidia-trillion/start",
        &[("csrf", "x"), ("version", "y")],
    );
    assert_eq!(r.status, 401);
    env.state()
        .assert_same(&before, "a form without signing in");

    // A wrong password is refused; a sixth failure in a row is not even checked.
    for _ in 0..5 {
        let r = server.post("/login", &[("login", "mei"), ("password", "wrong")]);
        assert_eq!(r.status, 401);
        assert!(r.body.contains("do not match"), "{}", r.body);
    }
    let r = server.post(
        "/login",
        &[("login", "mei"), ("password", "correct horse battery")],
    );
    assert_eq!(r.status, 429, "{}", r.body);
    drop(server);

    let server = Server::start_with(&env, &["--bind", "0.0.0.0", "--accounts", &file]);
    let r = server.post(
        "/login",
        &[("login", "mei"), ("password", "correct horse battery")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let set = r
        .head
        .lines()
        .find(|l| l.starts_with("set-cookie:"))
        .expect("a session cookie")
        .to_owned();
    for flag in ["httponly", "samesite=strict", "secure", "path=/"] {
        assert!(set.contains(flag), "{flag} in {set}");
    }
    let cookie = set
        .trim_start_matches("set-cookie:")
        .trim()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let page = server.request_as("GET", "/claims/nvidia-trillion", "", Some(&cookie));
    assert_eq!(page.status, 200);
    let (csrf, version) = (hidden(&page.body, "csrf"), hidden(&page.body, "version"));
    // The session's own token: another session's (or none) is refused.
    let r = server.request_as(
        "POST",
        "/claims/nvidia-trillion/start",
        &encode(&[("csrf", "0000"), ("version", &version)]),
        Some(&cookie),
    );
    assert_eq!(r.status, 403);
    let r = server.request_as(
        "POST",
        "/claims/nvidia-trillion/start",
        &encode(&[("csrf", &csrf), ("version", &version)]),
        Some(&cookie),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        env.git(&["log", "-1", "--format=%an <%ae>"]).trim(),
        "梅 <mei@desk.example.org>",
        "authored by the editor signed in"
    );
    assert_eq!(
        env.head_message().lines().next().unwrap(),
        "start: nvidia-trillion is checking"
    );
    // Signed out, the cookie opens nothing.
    server.request_as("POST", "/logout", "", Some(&cookie));
    let r = server.request_as("GET", "/", "", Some(&cookie));
    assert_eq!(r.status, 303);
}

#[test]
fn a_bad_accounts_file_is_refused_naming_what_is_wrong() {
    let env = Env::with_claims();
    let path = env.root.join("accounts.toml");
    let p = path.to_str().unwrap();
    std::fs::write(
        &path,
        "[[user]]\nlogin = \"mei\"\nname = \"梅\"\nemail = \"m@x.org\"\npassword = \"hunter2\"\n",
    )
    .unwrap();
    env.refused(
        &["serve", "--accounts", p],
        2,
        &["not an argon2 hash", "--hash-password"],
    );
    std::fs::write(&path, "").unwrap();
    env.refused(&["serve", "--accounts", p], 2, &["has no [[user]]"]);
    env.refused(
        &["serve", "--accounts", "/nonexistent/accounts.toml"],
        2,
        &["cannot read the accounts file"],
    );
}

#[test]
fn a_records_markup_shows_as_text() {
    let env = Env::with_claims();
    env.add(&[
        EP,
        "--id",
        "evil",
        "--claim",
        "<script>document.title='pwned'</script> <img src=x onerror=alert(1)>",
    ]);
    let server = Server::start(&env);
    for path in ["/claims/evil", &format!("/episodes/{EP}")] {
        let body = server.get(path).body;
        assert!(!body.contains("<script>document"), "{path}: {body}");
        assert!(!body.contains("<img src=x"), "{path}");
        assert!(
            body.contains("&lt;script&gt;document.title="),
            "{path}: {body}"
        );
        // The only script is errata's own file, which the CSP allows.
        assert_eq!(body.matches("<script").count(), 1, "{path}");
        assert!(body.contains("<script src=\"/app.js\" defer></script>"));
    }
}

#[test]
fn a_change_made_while_the_server_runs_shows_on_the_next_page_load() {
    let env = Env::with_claims();
    let server = Server::start(&env);
    let episode = format!("/episodes/{EP}");
    // Every page read once, so the server holds the records in memory.
    assert!(!server.get(&episode).body.contains("later-claim"));
    assert!(
        !server
            .get("/claims/nvidia-trillion")
            .body
            .contains(URL_NVIDIA)
    );
    // Through the command line: a new claim, a source.
    env.add(&[EP, "--id", "later-claim", "--claim", "Added from the CLI."]);
    let page = server.get(&episode).body;
    assert!(page.contains("/claims/later-claim"), "{page}");
    assert!(page.contains("Added from the CLI."), "{page}");
    env.ok(&["source", "nvidia-trillion", "--url", URL_NVIDIA]);
    let page = server.get("/claims/nvidia-trillion").body;
    assert!(page.contains(URL_NVIDIA), "{page}");
    assert!(page.contains("History: 2 revisions"), "{page}");
    // By hand, in place (the same file, not a new one renamed over it).
    let path = env.repo.join(claim_file(EP, "later-claim"));
    let text = std::fs::read_to_string(&path).unwrap();
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(&path)
        .unwrap();
    f.write_all(
        text.replace("Added from the CLI.", "Edited by hand.")
            .as_bytes(),
    )
    .unwrap();
    drop(f);
    let page = server.get(&episode).body;
    assert!(page.contains("Edited by hand."), "{page}");
    assert!(!page.contains("Added from the CLI."), "{page}");
    // Through git: back to before the new claim.
    env.git(&["reset", "--hard", "HEAD~2"]);
    let page = server.get(&episode).body;
    assert!(!page.contains("later-claim"), "{page}");
    assert_eq!(server.get("/claims/later-claim").status, 404);
    let page = server.get("/claims/nvidia-trillion").body;
    assert!(!page.contains(URL_NVIDIA), "{page}");
    assert!(!page.contains("History: 2 revisions"), "{page}");
}

#[test]
fn two_sessions_on_one_claim_the_second_is_shown_the_conflict_and_nothing_is_lost() {
    let env = Env::with_claims();
    let file = accounts_of(
        &env,
        &[
            ("mei", "梅", "mei@desk.example.org"),
            ("lin", "林", "lin@desk.example.org"),
        ],
    );
    let server = Server::start_with(&env, &["--accounts", &file]);
    let (mei, lin) = (sign_in(&server, "mei"), sign_in(&server, "lin"));
    assert_ne!(mei, lin);
    let path = "/claims/nvidia-trillion";
    // Both load the claim's page.
    let mei_page = server.request_as("GET", path, "", Some(&mei)).body;
    let lin_page = server.request_as("GET", path, "", Some(&lin)).body;
    assert_eq!(hidden(&mei_page, "version"), hidden(&lin_page, "version"));
    assert_ne!(hidden(&mei_page, "csrf"), hidden(&lin_page, "csrf"));
    let before = env.log().len();
    // 梅 starts checking it.
    let r = server.request_as(
        "POST",
        &format!("{path}/start"),
        &encode(&[
            ("csrf", &hidden(&mei_page, "csrf")),
            ("version", &hidden(&mei_page, "version")),
            ("assignee", "梅"),
        ]),
        Some(&mei),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    // 林 cites a source from the page loaded before: refused, both versions shown.
    let cite = |page: &str| {
        encode(&[
            ("csrf", &hidden(page, "csrf")),
            ("version", &hidden(page, "version")),
            ("title", "NVIDIA Q3 FY24 results"),
            ("url", URL_NVIDIA),
        ])
    };
    let after_mei = env.state();
    let r = server.request_as(
        "POST",
        &format!("{path}/source"),
        &cite(&lin_page),
        Some(&lin),
    );
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(
        r.body.contains("Not applied: this claim changed"),
        "{}",
        r.body
    );
    let (yours, now) = r.body.split_once("The version now").unwrap();
    let (_, yours) = yours.split_once("The version your page showed").unwrap();
    assert!(!yours.contains("assignee"), "the page 林 loaded: {yours}");
    assert!(
        now.contains("assignee = &quot;梅&quot;"),
        "the claim now: {now}"
    );
    env.state().assert_same(&after_mei, "the refused form");
    // Sent again from the conflict page, 林's source lands as its own commit.
    let r = server.request_as("POST", &format!("{path}/source"), &cite(now), Some(&lin));
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(env.log().len(), before + 2);
    let subjects = env.git(&["log", "--format=%s|%an", &format!("-{}", 2)]);
    assert_eq!(
        subjects.lines().collect::<Vec<_>>(),
        [
            "source: nvidia-trillion cites NVIDIA Q3 FY24 results|林",
            "start: nvidia-trillion is checking|梅",
        ]
    );
    let all = env.git(&["log", "--format=%s"]);
    assert_eq!(all.matches("start: nvidia-trillion is checking").count(), 1);
    assert_eq!(all.matches("source: nvidia-trillion cites").count(), 1);
    let claim = env.claim("nvidia-trillion");
    assert_eq!(claim["assignee"], "梅");
    assert_eq!(claim["status"], "checking");
    assert_eq!(claim["sources"][0]["url"], URL_NVIDIA);
    env.ok(&["validate"]);
    env.assert_clean("two sessions");
}

#[test]
fn the_source_form_records_when_it_was_read_and_its_archived_copy() {
    let env = Env::with_claims();
    let server = Server::start(&env);
    let archived = "https://web.archive.org/web/2023/https://github.com/01-ai/Yi";
    let cite = |accessed: &str, archived: &str| {
        let page = server.get("/claims/nvidia-trillion").body;
        server.post(
            "/claims/nvidia-trillion/source",
            &[
                ("csrf", &hidden(&page, "csrf")),
                ("version", &hidden(&page, "version")),
                ("title", "Yi"),
                ("url", URL_YI),
                ("accessed", accessed),
                ("archived", archived),
            ],
        )
    };
    let before = env.state();
    for (accessed, archived, cause) in [
        (
            "2024-13-01",
            archived,
            "accessed: 2024-13-01 is not a real date",
        ),
        (
            "1 May 2024",
            archived,
            "accessed: `1 May 2024` is not a date: write YYYY-MM-DD",
        ),
        ("2999-01-01", archived, "accessed 2999-01-01 is after today"),
        (
            "2024-05-01",
            "ftp://archive.example.org/yi",
            "`ftp://archive.example.org/yi` is not a web address",
        ),
    ] {
        let r = cite(accessed, archived);
        assert_eq!(r.status, 400, "{accessed} {archived}: {}", r.body);
        assert!(r.body.contains(cause), "{cause} in {}", r.body);
        env.state().assert_same(&before, "a refused source");
    }
    // The same causes as `errata source --accessed/--archived` gives.
    env.refused(
        &[
            "source",
            "nvidia-trillion",
            "--url",
            URL_YI,
            "--accessed",
            "2024-13-01",
        ],
        2,
        &["2024-13-01 is not a real date"],
    );
    env.refused(
        &[
            "source",
            "nvidia-trillion",
            "--url",
            URL_YI,
            "--archived",
            "ftp://archive.example.org/yi",
        ],
        2,
        &["`ftp://archive.example.org/yi` is not a web address"],
    );

    let r = cite("2024-05-01", archived);
    assert_eq!(r.status, 303, "{}", r.body);
    let claim = env.claim("nvidia-trillion");
    assert_eq!(claim["sources"][0]["accessed"], "2024-05-01");
    assert_eq!(claim["sources"][0]["archived"], archived);
    assert_eq!(env.head_paths(), vec![claim_file(EP, "nvidia-trillion")]);
    env.ok(&["validate"]);
    // The claim's page links the archived copy.
    let page = server.get("/claims/nvidia-trillion").body;
    assert!(page.contains(archived), "{page}");
}
