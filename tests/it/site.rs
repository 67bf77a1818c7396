//! End-to-end tests of `errata site`: the pages, their links, their ClaimReview
//! markup and their escaping, and a real browser (headless Chromium) rendering them.
//!
//! The browser test runs the Chromium named by ERRATA_CHROMIUM, or else
//! `chromium` (or `chromium-browser`) on PATH. Without one it says it skipped and
//! passes, except under CI (`CI=true` or `CI=1`, which `.ci/run` sets), where a
//! missing browser fails it: CI installs Debian's `chromium` package.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;
use serde_json::Value;

const SITE_URL: &str = "https://factcheck.example.org";
/// A claim written to break out of HTML and of the JSON-LD block.
const EVIL_CLAIM: &str = "<script>document.title='pwned'</script> ChatGPT launched </script><script>document.title='pwned2'</script> & \"more\"";
const EVIL_NOTE: &str = "<img src=x onerror=\"document.title='pwned3'\"> <!-- not a comment";
const SOURCE_DATE_EPOCH: &str = "1704844800"; // 2024-01-10

fn publishable(env: &Env) {
    let settings = env.read("errata.toml");
    let ep = env.read(&format!("claims/{EP}/episode.toml"));
    env.commit_by_hand(
        &[
            ("errata.toml", &format!("{settings}url = \"{SITE_URL}\"\n")),
            (
                &format!("claims/{EP}/episode.toml"),
                &format!("{ep}url = \"https://podcasts.example.org/kejilang/ep100\"\n"),
            ),
        ],
        "publish settings",
    );
}

/// The claims repository with a published address, a correction, and a claim
/// whose every text field tries to inject markup.
fn site_env() -> Env {
    let env = Env::with_claims();
    // These tests read the English pages; the show's own language (zh-TW, as
    // the templates have it) is tested apart.
    env.set_language("en");
    publishable(&env);
    env.correct_graphcast(
        "GraphCast 的輸入仍要先用超級電腦做資料同化。",
        &["--id", "graphcast-needs-supercomputers"],
    );
    env.add(&[
        EP,
        "--id",
        "evil-claim",
        "--claim",
        EVIL_CLAIM,
        "--at",
        "45:08",
        "--speaker",
        "<b>哈利</b>",
    ]);
    env.ok(&[
        "verdict",
        "evil-claim",
        "inaccurate",
        "--source",
        URL_CHATGPT,
        "--note",
        EVIL_NOTE,
    ]);
    env
}

/// Build the site into `<temp>/site`, outside the repository.
pub(crate) fn build_site(env: &Env) -> PathBuf {
    let out = env.root.join("site");
    let o = env
        .errata()
        .args(["site", out.to_str().unwrap()])
        .env("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "errata site failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    out
}

pub(crate) fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// Every `attr="value"` in a page.
pub(crate) fn attrs<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    html.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

/// The text of every `<script type="application/ld+json">` block.
pub(crate) fn json_ld(html: &str) -> Vec<&str> {
    let open = "<script type=\"application/ld+json\">";
    html.match_indices(open)
        .map(|(i, _)| {
            let rest = &html[i + open.len()..];
            &rest[..rest.find("</script>").expect("the block is closed")]
        })
        .collect()
}

pub(crate) fn html_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            html_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "html") {
            out.push(p);
        }
    }
}

#[test]
fn the_site_has_an_index_a_page_per_episode_and_the_corrections_log() {
    let env = site_env();
    let out = build_site(&env);
    for f in [
        "index.html",
        "corrections.html",
        "style.css",
        &format!("{EP}/index.html"),
        &format!("{EP2}/index.html"),
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    env.assert_clean("errata site");

    let index = read(&out.join("index.html"));
    assert!(index.contains("<html lang=\"en\">"), "{index}");
    assert!(index.contains("name=\"viewport\""));
    assert!(index.contains(EP_TITLE) && index.contains("GraphCast 天氣預報"));
    // The New Year episode: accurate, mostly-accurate, misleading and (the evil
    // claim) inaccurate are rated; unverifiable is left out; 2 of 7 unchecked.
    assert!(index.contains("<span class=\"value\">50</span>"), "{index}");
    assert!(
        index.contains("2 of 4 rated claims accurate or mostly accurate"),
        "{index}"
    );
    assert!(
        index.contains("2 of 7 logged claims not yet checked"),
        "{index}"
    );
    assert!(index.contains("2 corrections owed"), "{index}");
    assert!(index.contains("about-the-score"));

    let page = read(&out.join(EP).join("index.html"));
    assert!(page.contains(&format!("<h1>{EP_TITLE}</h1>")), "{page}");
    for id in [
        "nvidia-margin",
        "yi-copies-llama",
        "yi-unicorn",
        "chatgpt-launch",
        "evil-claim",
    ] {
        assert!(
            page.contains(&format!("<article class=\"claim\" id=\"{id}\">")),
            "{id}"
        );
    }
    // Unchecked claims are counted, not published.
    assert!(!page.contains("id=\"nvidia-trillion\""));
    assert!(page.contains("<span class=\"verdict verdict-misleading\">Misleading</span>"));
    assert!(page.contains("Correction owed"));
    assert!(page.contains(Q_NVIDIA_MARGIN), "the quote as aired");
    assert!(
        page.contains(&format!("href=\"{URL_NVIDIA}\"")),
        "sources link out"
    );
    assert!(
        page.contains("href=\"https://podcasts.example.org/kejilang/ep100#t=1088\""),
        "time links into the episode"
    );
    assert!(page.contains("Corrections aired in this episode"));

    let gc = read(&out.join(EP2).join("index.html"));
    assert!(
        gc.contains("<span class=\"corrected\">Corrected</span>"),
        "{gc}"
    );
    assert!(
        gc.contains("GraphCast 的輸入仍要先用超級電腦做資料同化。"),
        "{gc}"
    );
    assert!(
        gc.contains("href=\"../corrections.html#graphcast-needs-supercomputers\""),
        "{gc}"
    );

    let log = read(&out.join("corrections.html"));
    assert!(log.contains("<article class=\"correction\" id=\"graphcast-needs-supercomputers\">"));
    assert!(log.contains("Reported by listener message."));
}

#[test]
fn every_link_is_relative_and_resolves_and_no_page_runs_script() {
    let env = site_env();
    let out = build_site(&env);
    let mut pages = Vec::new();
    html_files(&out, &mut pages);
    // index, corrections, two episodes, and the one transcript.
    assert_eq!(pages.len(), 5);
    for page in &pages {
        let html = read(page);
        let dir = page.parent().unwrap();
        for href in attrs(&html, "href") {
            if href.starts_with("https://") || href.starts_with("http://") {
                continue;
            }
            assert!(
                !href.starts_with('/') && !href.contains(':'),
                "{}: {href}",
                page.display()
            );
            let (file, fragment) = href.split_once('#').unwrap_or((href, ""));
            let target = if file.is_empty() {
                page.clone()
            } else {
                dir.join(file)
            };
            assert!(
                target.is_file(),
                "{}: {href} does not resolve",
                page.display()
            );
            if !fragment.is_empty() {
                let text = read(&target);
                assert!(
                    text.contains(&format!("id=\"{fragment}\"")),
                    "{}: {href} points at no element",
                    page.display()
                );
            }
        }
        // No script but JSON-LD, no event handlers, no javascript: links.
        assert_eq!(
            html.matches("<script").count(),
            html.matches("<script type=\"application/ld+json\">")
                .count(),
            "{}",
            page.display()
        );
        assert!(!html.contains("javascript:"), "{}", page.display());
        // Escaped, the note's handler reads `onerror=&quot;`: text, not an attribute.
        assert!(!html.contains(" onerror=\""), "{}", page.display());
        assert!(
            html.contains("Content-Security-Policy"),
            "{}",
            page.display()
        );
    }
}

#[test]
fn record_text_is_escaped_in_html_and_in_json_ld() {
    let env = site_env();
    let out = build_site(&env);
    let page = read(&out.join(EP).join("index.html"));
    assert!(
        page.contains("&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt; ChatGPT launched &lt;/script&gt;"),
        "the claim shows as text"
    );
    assert!(page.contains("Said by &lt;b&gt;哈利&lt;/b&gt;"), "{page}");
    assert!(page.contains("&lt;img src=x onerror=&quot;"), "{page}");
    assert!(!page.contains("<img"), "{page}");
    // The JSON-LD block holds the claim, escaped so that it cannot end the block.
    let blocks = json_ld(&page);
    assert_eq!(blocks.len(), 1);
    assert!(!blocks[0].contains('<'), "{}", blocks[0]);
    let reviews: Value = serde_json::from_str(blocks[0]).expect("the JSON-LD parses");
    let evil = reviews
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["url"] == format!("{SITE_URL}/{EP}/#evil-claim").as_str())
        .expect("the evil claim is reviewed");
    assert_eq!(evil["claimReviewed"], EVIL_CLAIM);
    assert_eq!(evil["itemReviewed"]["author"]["name"], "<b>哈利</b>");
}

#[test]
fn each_episode_page_embeds_the_claimreview_that_export_gives() {
    let env = site_env();
    let out = build_site(&env);
    for ep in [EP, EP2] {
        let page = read(&out.join(ep).join("index.html"));
        let embedded: Value = serde_json::from_str(json_ld(&page)[0]).unwrap();
        let o = env
            .errata()
            .args(["export", "claimreview", "--episode", ep])
            .env("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
            .output()
            .unwrap();
        let exported: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(embedded, exported, "{ep}");
        // Each review's url points at the claim's article on this very page.
        for r in embedded.as_array().unwrap() {
            let url = r["url"].as_str().unwrap();
            let prefix = format!("{SITE_URL}/{ep}/#");
            let id = url.strip_prefix(&prefix).unwrap_or_else(|| panic!("{url}"));
            assert!(
                page.contains(&format!("<article class=\"claim\" id=\"{id}\">")),
                "{url}"
            );
        }
    }
}

#[test]
fn without_a_url_the_site_is_built_without_claimreview_and_says_why() {
    let env = Env::with_claims();
    let out = env.root.join("site");
    let o = env
        .errata()
        .args(["site", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("no ClaimReview") && stderr.contains("`url`"),
        "{stderr}"
    );
    let page = read(&out.join(EP).join("index.html"));
    assert!(!page.contains("<script"), "{page}");
    assert!(page.contains("<article class=\"claim\" id=\"nvidia-margin\">"));
}

#[test]
fn site_refuses_a_folder_it_did_not_make_and_replaces_one_it_did() {
    let env = site_env();
    // A folder with someone else's files.
    let theirs = env.root.join("theirs");
    std::fs::create_dir_all(&theirs).unwrap();
    std::fs::write(theirs.join("index.html"), "mine").unwrap();
    env.refused(
        &["site", theirs.to_str().unwrap()],
        2,
        &["not empty", "not made by `errata site`"],
    );
    assert_eq!(read(&theirs.join("index.html")), "mine");
    // A file.
    let file = env.root.join("file");
    std::fs::write(&file, "x").unwrap();
    env.refused(&["site", file.to_str().unwrap()], 2, &["is a file"]);

    // A site errata made: rebuilt in place; pages of a removed episode go, and a
    // file the publisher added (CNAME) stays.
    let out = build_site(&env);
    std::fs::write(out.join("CNAME"), "factcheck.example.org\n").unwrap();
    env.git(&["rm", "-q", "-r", &format!("claims/{EP2}")]);
    env.git(&["rm", "-q", "-r", "corrections"]);
    env.git(&["commit", "-q", "-m", "drop the GraphCast episode"]);
    build_site(&env);
    assert!(
        !out.join(EP2).exists(),
        "the removed episode's page is gone"
    );
    assert!(out.join(EP).join("index.html").is_file());
    assert_eq!(read(&out.join("CNAME")), "factcheck.example.org\n");
}

// ---------------------------------------------------------------- a real browser

/// The Chromium to run, or `None` when this machine may skip the browser test:
/// there is none and this is not CI.
pub(crate) fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("ERRATA_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser"] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    let ci = std::env::var("CI").unwrap_or_default();
    assert!(
        !(ci.eq_ignore_ascii_case("true") || ci == "1"),
        "the browser test needs Chromium, and CI={ci} says this run must not skip it: \
         install Debian's `chromium` package (apt-get install -y chromium; .ci/run does), \
         or set ERRATA_CHROMIUM=/path/to/chromium"
    );
    // Straight to stderr, not eprintln!: the test harness would hold that back,
    // and a skip should be seen.
    let _ = writeln!(
        std::io::stderr(),
        "site::the_site_renders_in_headless_chromium_and_runs_no_record_script: skipped, \
         no chromium on PATH and no ERRATA_CHROMIUM (under CI=true this fails)"
    );
    None
}

/// Render a page in headless Chromium and return the DOM after it loaded.
pub(crate) fn dump_dom(chromium: &Path, scratch: &Path, page: &Path) -> String {
    let profile = scratch.join(format!(
        "profile-{}",
        page.file_name().unwrap().to_string_lossy()
    ));
    std::fs::create_dir_all(&profile).unwrap();
    let url = format!("file://{}", page.display());
    let mut child = Command::new(chromium)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", scratch)
        .env("XDG_CONFIG_HOME", scratch.join(".config"))
        .env("XDG_CACHE_HOME", scratch.join(".cache"))
        .env("TZ", "UTC")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            &format!("--user-data-dir={}", profile.display()),
            "--dump-dom",
            &url,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", chromium.display()));
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut { stdout }, &mut s).map(|_| s)
    });
    let stderr = child.stderr.take().unwrap();
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut { stderr }, &mut s);
        s
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish rendering {url} in 120 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let dom = reader.join().unwrap().expect("chromium's output is UTF-8");
    let err = err_reader.join().unwrap();
    assert!(
        status.success(),
        "chromium failed on {url} ({status}):\n{err}"
    );
    assert!(
        dom.contains("</html>"),
        "chromium printed no DOM for {url}:\n{err}"
    );
    dom
}

pub(crate) fn title_of(dom: &str) -> &str {
    let start = dom.find("<title>").expect("a title") + "<title>".len();
    &dom[start..start + dom[start..].find("</title>").unwrap()]
}

#[test]
fn the_site_renders_in_headless_chromium_and_runs_no_record_script() {
    let Some(chromium) = chromium() else {
        return;
    };
    let env = site_env();
    let out = build_site(&env);
    let scratch = env.root.join("browser");
    std::fs::create_dir_all(&scratch).unwrap();

    // Control: in this browser, an inline script does run and set the title, so
    // a title that stayed as written below means no record script ran.
    let control = scratch.join("control.html");
    std::fs::write(
        &control,
        "<!DOCTYPE html><html><head><title>before</title></head><body>\
         <script>document.title='pwned'</script></body></html>",
    )
    .unwrap();
    assert_eq!(title_of(&dump_dom(&chromium, &scratch, &control)), "pwned");

    let dom = dump_dom(&chromium, &scratch, &out.join(EP).join("index.html"));
    assert_eq!(
        title_of(&dom),
        format!("{EP_TITLE}: 科技浪"),
        "no script changed the title"
    );
    assert!(!dom.contains("pwned</title>"));
    assert!(dom.contains(&format!("<h1>{EP_TITLE}</h1>")), "{dom}");
    assert!(dom.contains("Misleading</span>"), "a verdict is shown");
    assert!(dom.contains("Inaccurate</span>"));
    // The claim's markup is text in the rendered DOM, not elements.
    assert!(
        dom.contains(
            "&lt;script&gt;document.title='pwned'&lt;/script&gt; ChatGPT launched &lt;/script&gt;"
        ),
        "{dom}"
    );
    assert!(
        dom.contains("&lt;img src=x onerror=\"document.title='pwned3'\"&gt;"),
        "{dom}"
    );
    assert!(!dom.contains("<img"), "no element was injected");
    // One script element only, the JSON-LD, still whole and parseable.
    assert_eq!(dom.matches("<script").count(), 1, "{dom}");
    let blocks = json_ld(&dom);
    assert_eq!(blocks.len(), 1);
    let reviews: Value = serde_json::from_str(blocks[0]).expect("the rendered JSON-LD parses");
    assert!(
        reviews
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["claimReviewed"] == EVIL_CLAIM),
        "the JSON-LD holds the claim text whole"
    );

    for page in ["index.html", "corrections.html"] {
        let dom = dump_dom(&chromium, &scratch, &out.join(page));
        assert!(dom.contains(EP_TITLE), "{page}: {dom}");
        assert!(!title_of(&dom).contains("pwned"), "{page}");
        assert_eq!(dom.matches("<script").count(), 0, "{page}");
    }
}

#[test]
fn amendments_and_changed_verdicts_show_on_the_site_in_headless_chromium() {
    let env = site_env();
    let cid = "graphcast-needs-supercomputers";
    let cpath = format!("corrections/{cid}.toml");
    // Amended twice: once through errata, once by hand with git (with markup
    // in the commit message, which the page must show as text).
    env.ok(&[
        "amend",
        cid,
        "--text",
        "GraphCast 的輸入仍需先用超級電腦做資料同化。",
    ]);
    let text = env.read(&cpath).replace("06:07~09:08", "06:07~09:10");
    env.commit_by_hand(&[(&cpath, &text)], "widen the <i>time</i> by hand");
    // A verdict changed after it was published.
    env.ok(&[
        "verdict",
        "yi-unicorn",
        "mostly-accurate",
        "--source",
        URL_YI,
    ]);
    let out = build_site(&env);
    let Some(chromium) = chromium() else {
        // Without a browser, the pages themselves still say it.
        let page = read(&out.join("corrections.html"));
        assert_eq!(page.matches("<p class=\"amended\">").count(), 2, "{page}");
        return;
    };
    let scratch = env.root.join("browser");
    std::fs::create_dir_all(&scratch).unwrap();

    let dom = dump_dom(&chromium, &scratch, &out.join("corrections.html"));
    let article = dom
        .split(&format!("<article class=\"correction\" id=\"{cid}\">"))
        .nth(1)
        .and_then(|a| a.split("</article>").next())
        .expect("the correction's article");
    assert_eq!(
        article.matches("<p class=\"amended\">Amended on ").count(),
        2,
        "{article}"
    );
    assert!(article.contains("<del>要</del><ins>需</ins>"), "{article}");
    assert!(
        article.contains("<del>06:07~09:08</del> → <ins>06:07~09:10</ins>"),
        "{article}"
    );
    assert!(
        article.contains("widen the &lt;i&gt;time&lt;/i&gt; by hand"),
        "{article}"
    );
    assert!(
        !article.contains("<i>"),
        "no element came from a commit message"
    );
    assert!(article.contains("History: 3 revisions"), "{article}");
    assert_eq!(dom.matches("<script").count(), 0);

    let dom = dump_dom(&chromium, &scratch, &out.join(EP).join("index.html"));
    let claim = dom
        .split("<article class=\"claim\" id=\"yi-unicorn\">")
        .nth(1)
        .and_then(|a| a.split("</article>").next())
        .expect("the claim's article");
    assert!(
        claim.contains("Verdict changed on <time datetime=\"2024-01-02\">2024-01-02</time> from Unverifiable to Mostly accurate."),
        "{claim}"
    );
    assert!(claim.contains("<details class=\"history\">"), "{claim}");
}

#[test]
fn the_transcript_page_marks_each_checked_quote_and_links_it_to_its_fact_check() {
    let env = site_env();
    let out = build_site(&env);
    let page = out.join(EP).join("transcript.html");
    let html = read(&page);
    let episode = read(&out.join(EP).join("index.html"));
    assert!(
        episode.contains("<a href=\"transcript.html\">"),
        "the episode page links it"
    );
    // Every claim with a verdict and a quote is marked, linked to its article.
    let claims = env.json(&["list", "--episode", EP]);
    let mut marked = 0;
    for c in claims.as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        let link = format!("<a href=\"index.html#{id}\"");
        if c["verdict"].is_string() && c["quote"].is_string() {
            assert!(html.contains(&link), "{id} is marked");
            assert!(
                episode.contains(&format!("id=\"{id}\"")),
                "{id}'s link lands"
            );
            marked += 1;
        } else {
            assert!(
                !html.contains(&link),
                "{id} is not published, so not marked"
            );
        }
    }
    assert!(marked >= 3, "{marked}");
    // The quote's words are what is marked, and times link into the audio.
    assert!(
        html.contains(
            "<a href=\"index.html#nvidia-margin\" title=\"Accurate\">他的利潤高達70幾%耶</a>"
        ),
        "{html}"
    );
    assert!(
        html.contains("<a class=\"time\" href=\"https://podcasts.example.org/kejilang/ep100#t=1088\" rel=\"noopener noreferrer\">18:08</a>"),
        "{html}"
    );
    // No transcript, no page: the GraphCast episode has none.
    assert!(!out.join(EP2).join("transcript.html").exists());

    let Some(chromium) = chromium() else {
        return;
    };
    let scratch = env.root.join("browser");
    std::fs::create_dir_all(&scratch).unwrap();
    let dom = dump_dom(&chromium, &scratch, &page);
    assert_eq!(dom.matches("<script").count(), 0);
    assert!(
        dom.contains("<mark class=\"quote-mark\"><a href=\"index.html#nvidia-margin\""),
        "{dom}"
    );
    // Escaped record text stays text in the browser too.
    assert!(!dom.contains("<img"), "{dom}");
}

/// A source's archived copy is linked beside the original on the episode page and
/// in the corrections log (HTML and Markdown), and a browser renders the link.
#[test]
fn the_archived_copy_is_linked_beside_the_original() {
    let env = site_env();
    let original = "https://example.org/graphcast-paper";
    let archived = "https://web.archive.org/web/20231230120000/https://example.org/graphcast-paper";
    env.ok(&[
        "source",
        "graphcast-no",
        "--title",
        "GraphCast paper",
        "--url",
        original,
        "--accessed",
        "2023-12-30",
        "--archived",
        archived,
    ]);
    let out = build_site(&env);
    let link = format!(
        "<a class=\"archived\" href=\"{archived}\" rel=\"noopener noreferrer\">(archived copy)</a>"
    );
    let original_link =
        format!("<a href=\"{original}\" rel=\"noopener noreferrer\">GraphCast paper</a>");
    for page in [
        out.join("graphcast-2023").join("index.html"),
        out.join("corrections.html"),
    ] {
        let html = read(&page);
        let at = html
            .find(&original_link)
            .unwrap_or_else(|| panic!("{}: {html}", page.display()));
        assert!(
            html[at..].starts_with(&format!("{original_link} ")),
            "{html}"
        );
        assert!(html[at..].contains(&link), "{}: {html}", page.display());
    }
    let md = env.ok(&["corrections"]);
    assert!(
        md.contains(&format!(" [(archived copy)](<{archived}>)")),
        "{md}"
    );

    let Some(chromium) = chromium() else {
        return;
    };
    let scratch = env.root.join("browser");
    std::fs::create_dir_all(&scratch).unwrap();
    for page in [
        out.join("graphcast-2023").join("index.html"),
        out.join("corrections.html"),
    ] {
        let dom = dump_dom(&chromium, &scratch, &page);
        assert!(dom.contains(&link), "{}: {dom}", page.display());
        assert!(dom.contains(&original_link), "{dom}");
    }
}

// ---------------------------------------------------------------- the shipped repository

#[test]
fn the_site_of_the_shipped_episode() {
    let env = Env::shipped();
    let out = build_site(&env);
    let page = read(&out.join(EP).join("index.html"));
    assert!(page.contains(&format!("<h1>{EP_TITLE}</h1>")));
    let shipped = env.json(&["list", "--episode", EP]);
    for c in shipped.as_array().unwrap() {
        if c["verdict"].is_string() {
            let id = c["id"].as_str().unwrap();
            assert!(page.contains(&format!("id=\"{id}\"")), "{id}");
        }
    }
    // The shipped show is zh-TW: its site is in Traditional Chinese.
    let index = read(&out.join("index.html"));
    assert!(index.contains("<html lang=\"zh-TW\">"), "{index}");
    assert!(index.contains("正確度分數"), "{index}");
    assert!(page.contains("<time datetime=\"2024-01-01\">2024年1月1日</time>"));
}

#[test]
fn the_site_is_in_the_shows_language_in_headless_chromium() {
    // The templates are a zh-TW show.
    let env = Env::with_claims();
    let out = build_site(&env);
    let page = out.join(EP).join("index.html");
    let html = read(&page);
    let Some(chromium) = chromium() else {
        assert!(html.contains("<html lang=\"zh-TW\">"), "{html}");
        return;
    };
    let scratch = env.root.join("browser");
    std::fs::create_dir_all(&scratch).unwrap();
    let dom = dump_dom(&chromium, &scratch, &page);
    assert!(dom.contains("<html lang=\"zh-TW\">"), "{dom}");
    // Verdict labels, the date, the navigation and the scorecard in Chinese.
    assert!(
        dom.contains("<span class=\"verdict verdict-misleading\">誤導</span>"),
        "{dom}"
    );
    assert!(dom.contains("<span class=\"verdict verdict-accurate\">正確</span>"));
    assert!(
        dom.contains("<time datetime=\"2024-01-01\">2024年1月1日</time>"),
        "{dom}"
    );
    assert!(dom.contains(">更正</a>"), "{dom}");
    assert!(dom.contains("正確度分數"), "{dom}");
    assert!(!dom.contains("accuracy score"), "no English left: {dom}");
    // The ClaimReview's rating names follow the language too.
    let index = dump_dom(&chromium, &scratch, &out.join("index.html"));
    assert!(index.contains("：事實查核</title>"), "{index}");
}
