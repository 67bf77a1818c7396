//! The published site is safe by construction: every field it shows holds a
//! hostile value here, written by hand as a hand edit or a clone could, and
//! no page runs a script, links to anything but a web address, or opens an
//! outside page that can reach back. Checked in the HTML and in headless
//! Chromium.

use serde_json::Value;

use crate::common::*;
use crate::site::{attrs, build_site, chromium, dump_dom, html_files, json_ld, read, title_of};

const SCRIPT: &str = "<script>document.title='pwned'</script>";
const ATTR: &str = "\" onmouseover=\"document.title='pwned'\" x=\"";
const IMG: &str = "<img src=x onerror=\"document.title='pwned'\">";

/// Values to put in every text field: markup, attribute breaks, a JSON-LD
/// block end, an HTML comment, Markdown link syntax.
fn hostile(field: &str) -> String {
    format!("{field} {SCRIPT} {ATTR} {IMG} </script><!-- ]]> [x](javascript:alert(1)) 「中文」")
}

fn toml_str(s: &str) -> String {
    toml_edit::value(s).to_string()
}

fn hostile_repository() -> Env {
    let env = Env::with_claims();
    let settings = format!(
        "name = {}\npublisher = {}\nlanguage = \"zh-TW\"\nurl = \"https://factcheck.example.org\"\n",
        toml_str(&hostile("name")),
        toml_str(&hostile("publisher")),
    );
    let episode = format!(
        "title = {}\ndate = 2024-01-01\ntranscript = \"transcript.txt\"\nurl = \"javascript:document.title='pwned'\"\n",
        toml_str(&hostile("episode title")),
    );
    let urls = [
        "javascript:document.title='pwned'",
        "JavaScript:document.title='pwned'",
        " javascript:document.title='pwned'",
        "data:text/html,<script>document.title='pwned'</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "https://example.org/\"onmouseover=\"document.title='pwned'\"",
        "https://example.org/ok",
    ];
    let mut claim = format!(
        "status = \"checked\"\nverdict = \"inaccurate\"\nsaid_at = \"18:08~19:08\"\nspeaker = {}\nquote = {}\nclaim = {}\ntags = [{}]\nassignee = {}\nnote = {}\n",
        toml_str(&hostile("speaker")),
        toml_str(Q_NVIDIA_MARGIN),
        toml_str(&hostile("claim")),
        toml_str(&hostile("tag")),
        toml_str(&hostile("assignee")),
        toml_str(&format!(
            "{}\n\n{}",
            hostile("note"),
            hostile("second paragraph")
        )),
    );
    for (i, url) in urls.iter().enumerate() {
        claim.push_str(&format!(
            "\n[[sources]]\ntitle = {}\nurl = {}\npublisher = {}\npublished = 2023-11-21\nexcerpt = {}\n",
            toml_str(&hostile(&format!("source {i}"))),
            toml_str(url),
            toml_str(&hostile("source publisher")),
            toml_str(&hostile("excerpt")),
        ));
    }
    let correction = format!(
        "claims = [\"hostile-claim\"]\nepisode = \"{EP}\"\naired_at = \"05:07~12:08\"\nmedium = \"on-air\"\nreported_by = {}\ntext = {}\n",
        toml_str(&hostile("reported by")),
        toml_str(&hostile("correction")),
    );
    env.commit_by_hand(
        &[
            ("errata.toml", &settings),
            (&format!("claims/{EP}/episode.toml"), &episode),
            (&claim_file(EP, "hostile-claim"), &claim),
            ("corrections/hostile-fix.toml", &correction),
        ],
        "hostile values by hand",
    );
    env
}

fn no_outside_link_is_unsafe(page: &str, name: &str) {
    for href in attrs(page, "href") {
        let lower = href.to_ascii_lowercase();
        for scheme in ["javascript:", "data:", "vbscript:", "file:"] {
            assert!(!lower.trim().starts_with(scheme), "{name}: href=\"{href}\"");
        }
        assert!(!href.contains('"') && !href.contains('<'), "{name}: {href}");
    }
    // Every link out of the site carries rel="noopener noreferrer".
    for (i, _) in page.match_indices("<a ") {
        let tag = &page[i..i + page[i..].find('>').unwrap()];
        if tag.contains("href=\"http") {
            assert!(tag.contains("rel=\"noopener noreferrer\""), "{name}: {tag}");
        }
    }
    // Scripts: the JSON-LD data block only; the policy allows no script at all.
    assert_eq!(
        page.matches("<script").count(),
        page.matches("<script type=\"application/ld+json\">")
            .count(),
        "{name}"
    );
    let csp = "content=\"default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'\"";
    assert!(page.contains(csp), "{name}: the Content-Security-Policy");
    assert!(!page.contains("<img"), "{name}: an element was injected");
    assert!(
        !page.contains(" onmouseover=\""),
        "{name}: an attribute was injected"
    );
}

#[test]
fn hostile_values_in_every_field_make_no_script_and_no_unsafe_link() {
    let env = hostile_repository();
    let out = build_site(&env);
    let mut pages = Vec::new();
    html_files(&out, &mut pages);
    assert!(pages.len() >= 3, "{pages:?}");
    let episode_page = read(&out.join(EP).join("index.html"));
    assert!(
        episode_page.contains("claim &lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;"),
        "the hostile claim is shown, as text"
    );
    assert!(episode_page.contains("source 7"), "the sources are shown");
    assert!(
        episode_page.contains("<a href=\"https://example.org/ok\" rel=\"noopener noreferrer\">"),
        "a web address is a link"
    );
    for p in &pages {
        let name = p.strip_prefix(&out).unwrap().display().to_string();
        let page = read(p);
        no_outside_link_is_unsafe(&page, &name);
        for block in json_ld(&page) {
            assert!(!block.contains('<'), "{name}: {block}");
            let v: Value = serde_json::from_str(block).expect("the JSON-LD parses");
            let text = v.to_string().to_ascii_lowercase();
            assert!(!text.contains("\"javascript:"), "{name}: {text}");
            assert!(!text.contains("\"data:"), "{name}: {text}");
        }
    }
    // The corrections log as Markdown and HTML, outside the site, too.
    let log = env.ok(&["corrections", "--format", "html"]);
    no_links_to_scripts(&log);
    let Some(chromium) = chromium() else {
        return;
    };
    let scratch = env.root.join("browser");
    std::fs::create_dir_all(&scratch).unwrap();
    for p in &pages {
        let dom = dump_dom(&chromium, &scratch, p);
        let name = p.strip_prefix(&out).unwrap().display().to_string();
        // Every hostile script would set the title to exactly "pwned"; the
        // title as written holds the hostile show name as text.
        let title = title_of(&dom);
        assert_ne!(title, "pwned", "{name}: a script ran");
        assert!(title.contains("&lt;script&gt;"), "{name}: {title}");
        assert!(
            !dom.to_ascii_lowercase().contains("href=\"javascript:"),
            "{name}"
        );
        assert!(!dom.contains("<img"), "{name}: an element was injected");
        // Text is serialized with `<` escaped, so each `<` opens a real tag.
        for (i, _) in dom.match_indices('<') {
            let tag = &dom[i..i + dom[i..].find('>').unwrap_or(dom.len() - i)];
            assert!(
                !tag.contains(" onmouseover=") && !tag.contains(" onerror="),
                "{name}: an attribute was injected: {tag}"
            );
        }
    }
}

fn no_links_to_scripts(html: &str) {
    for href in attrs(html, "href") {
        assert!(
            !href.to_ascii_lowercase().trim().starts_with("javascript:"),
            "{href}"
        );
    }
}
