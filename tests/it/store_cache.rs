//! The record cache under .git/errata/: a warm run parses nothing, and no edit,
//! however quick, is ever hidden by it.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use errata::store::{Stamp, Store};
use errata::validate::validate;

const SEED: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/claims/top10-ai-2023/transcript.txt"
));

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .status()
        .expect("git runs")
        .success();
    assert!(ok, "git {args:?}");
}

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A repository written by hand, as plain git users would.
fn repo() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    git(dir, &["init", "-q"]);
    write(
        dir,
        "errata.toml",
        "name = \"科技浪\"\nlanguage = \"zh-TW\"\n",
    );
    write(
        dir,
        "claims/top10-ai-2023/episode.toml",
        "title = \"2023 年十大關鍵 AI 發展\"\ndate = 2024-01-01\ntranscript = \"transcript.txt\"\n",
    );
    write(dir, "claims/top10-ai-2023/transcript.txt", SEED);
    write(
        dir,
        "claims/top10-ai-2023/nvidia-gross-margin.toml",
        "status = \"needs-check\"\nsaid_at = \"18:08~19:08\"\nquote = \"他的利潤高達70幾%耶\"\n",
    );
    write(
        dir,
        "claims/top10-ai-2023/misquoted.toml",
        "status = \"needs-check\"\nquote = \"他的利潤高達80幾%耶\"\n\n[[sources]]\ntitle = \"t\"\npublished = 2023-11-21\n",
    );
    tmp
}

/// Wait until every file of the repository (and `also`) is older than the cache's "racily
/// clean" window (`Stamp::settled`: its mtime and its ctime both at least a
/// second old), as on any real second run. Setting the file times cannot stand
/// in for this wait: the window holds the ctime too, which no call can set back
/// (`File::set_times` itself makes it now), so a file is settled only once that
/// second has really passed.
fn wait_until_settled(dir: &Path, also: &[&str]) {
    let files: Vec<_> = [
        "errata.toml",
        "claims/top10-ai-2023/episode.toml",
        "claims/top10-ai-2023/transcript.txt",
        "claims/top10-ai-2023/nvidia-gross-margin.toml",
        "claims/top10-ai-2023/misquoted.toml",
    ]
    .iter()
    .chain(also)
    .map(|rel| dir.join(rel))
    .collect();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !files
        .iter()
        .all(|f| Stamp::of(f).expect("the file is there").settled())
    {
        assert!(Instant::now() < deadline, "files never settled");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn quote_problems(store: &Store) -> Vec<String> {
    validate(store)
        .0
        .into_iter()
        .map(|p| format!("{}: {}", p.path, p.message))
        .collect()
}

#[test]
fn a_warm_load_parses_nothing_and_an_edit_is_seen_at_once() {
    let tmp = repo();
    let store = Store::discover(tmp.path()).unwrap();
    let cold = store.load();
    assert_eq!(cold.parsed, 3, "the episode and both claims parsed cold");
    assert!(tmp.path().join(".git/errata/records.cache").is_file());

    // Files changed within a second of the cache being written are not trusted:
    // wait that out, and load once more to write a cache that trusts them.
    wait_until_settled(tmp.path(), &[]);
    let _ = store.load();
    let warm = store.load();
    assert_eq!(warm.parsed, 0, "nothing re-parsed on an unchanged tree");
    assert_eq!(warm.claims, cold.claims);

    // An edit right away is seen: its stamp (size, mtime, ctime) differs.
    write(
        tmp.path(),
        "claims/top10-ai-2023/nvidia-gross-margin.toml",
        "status = \"needs-check\"\nsaid_at = \"18:08~19:08\"\nquote = \"他的利潤高達70幾%耶\"\n"
            .replace("needs-check", "checking")
            .as_str(),
    );
    let after = store.load();
    assert_eq!(after.parsed, 1);
    let nvidia = after
        .claims
        .iter()
        .find(|c| c.id.as_str() == "nvidia-gross-margin")
        .unwrap();
    assert_eq!(nvidia.state.status().as_str(), "checking");
}

#[test]
fn a_torn_or_foreign_cache_is_ignored() {
    let tmp = repo();
    let store = Store::discover(tmp.path()).unwrap();
    let good = store.load();
    let cache = tmp.path().join(".git/errata/records.cache");
    let bytes = std::fs::read(&cache).unwrap();
    std::fs::write(&cache, &bytes[..bytes.len() / 2]).unwrap();
    let torn = store.load();
    assert_eq!(torn.claims, good.claims);
    std::fs::write(&cache, b"not a cache at all").unwrap();
    assert_eq!(store.load().claims, good.claims);
}

#[test]
fn remembered_checks_match_fresh_ones_and_follow_the_transcript() {
    let tmp = repo();
    let store = Store::discover(tmp.path()).unwrap();
    let cold = quote_problems(&store);
    assert_eq!(cold.len(), 1, "{cold:?}");
    assert!(
        cold[0].starts_with("claims/top10-ai-2023/misquoted.toml: quote is not in the transcript")
    );
    wait_until_settled(tmp.path(), &[]);
    let _ = quote_problems(&store);
    assert_eq!(quote_problems(&store), cold, "warm validate says the same");

    // Fix the transcript instead of the quote: the remembered problem must go.
    let fixed = SEED.replacen("他的利潤高達70幾%耶", "他的利潤高達80幾%耶", 1);
    write(tmp.path(), "claims/top10-ai-2023/transcript.txt", &fixed);
    let now = quote_problems(&store);
    assert_eq!(now.len(), 1, "{now:?}");
    assert!(
        now[0].starts_with(
            "claims/top10-ai-2023/nvidia-gross-margin.toml: quote is not in the transcript"
        ),
        "{now:?}"
    );
}

/// A correction's own checks (its time inside its episode's transcript) are
/// remembered as a claim's are: the same on a warm run, and gone once the
/// transcript changes so that they no longer hold.
#[test]
fn remembered_correction_checks_follow_the_transcript() {
    let tmp = repo();
    let correction = "corrections/margin-fix.toml";
    write(
        tmp.path(),
        correction,
        "claims = [\"misquoted\"]\nepisode = \"top10-ai-2023\"\naired_at = \"9:00:00\"\ntext = \"更正。\"\n",
    );
    let store = Store::discover(tmp.path()).unwrap();
    let outside = |problems: &[String]| {
        problems
            .iter()
            .filter(|p| p.starts_with(&format!("{correction}: 9:00:00 is outside the transcript")))
            .count()
    };
    let cold = quote_problems(&store);
    assert_eq!(outside(&cold), 1, "{cold:?}");
    wait_until_settled(tmp.path(), &[correction]);
    let _ = quote_problems(&store);
    assert_eq!(quote_problems(&store), cold, "warm validate says the same");

    // A transcript that runs past nine hours: the remembered problem must go.
    let longer = format!("{}\n(8:59:00~9:30:00) 後記\n", SEED.trim_end());
    write(tmp.path(), "claims/top10-ai-2023/transcript.txt", &longer);
    let now = quote_problems(&store);
    assert_eq!(outside(&now), 0, "{now:?}");
    assert!(
        !now.iter().any(|p| p.contains("transcript cannot be read")),
        "the longer transcript is read: {now:?}"
    );
    assert_eq!(now.len(), cold.len() - 1, "only that problem went: {now:?}");
}

/// Where validate's problems and warnings sit is remembered by file stamp: a
/// warm run reads no file to place them and places them where a fresh reading
/// does, an edit (even one that moves the line) is placed afresh at once, and a
/// damaged memo is only read again.
#[test]
fn remembered_places_match_fresh_ones_and_follow_an_edit() {
    use errata::diagnostic::locate;
    use errata::validate::warnings;

    let tmp = repo();
    let twin = "claims/top10-ai-2023/margin-twin.toml";
    write(
        tmp.path(),
        twin,
        "status = \"needs-check\"\nquote = \"他的利潤高達70幾%耶\"\n",
    );
    let store = Store::discover(tmp.path()).unwrap();
    let place = |store: &Store| {
        let (problems, snap) = validate(store);
        let found = warnings(&snap);
        let fresh = [locate(tmp.path(), &problems), locate(tmp.path(), &found)];
        let located = store.locate(&snap, &[&problems, &found]);
        assert_eq!(located.lists, fresh, "remembered places are the fresh ones");
        (located.lists, located.files_read)
    };
    wait_until_settled(tmp.path(), &[twin]);
    let (cold, read) = place(&store);
    assert!(
        cold[0].iter().any(|d| d.path.ends_with("misquoted.toml")),
        "the misquote: {:?}",
        cold[0]
    );
    assert_eq!(cold[1].len(), 2, "the twins warned about: {:?}", cold[1]);
    let files: std::collections::BTreeSet<&str> =
        cold.iter().flatten().map(|d| d.path.as_str()).collect();
    assert_eq!(files.len(), 3, "{files:?}");
    assert_eq!(
        read, 3,
        "each file read once, cold, though one has two warnings' worth"
    );
    assert!(tmp.path().join(".git/errata/places").is_file());
    let (warm, read) = place(&store);
    assert_eq!(read, 0, "a warm run reads no file");
    assert_eq!(warm, cold);

    // Two lines above the quote, written at once: placed afresh, two lines down.
    write(
        tmp.path(),
        twin,
        "# 同一句話\n# 又記了一次\nstatus = \"needs-check\"\nquote = \"他的利潤高達70幾%耶\"\n",
    );
    let (moved, read) = place(&store);
    assert_eq!(read, 1, "only the edited file is read");
    let line_of = |lists: &[Vec<errata::diagnostic::Diagnostic>]| {
        lists[1].iter().find(|d| d.path == twin).map(|d| d.line)
    };
    assert_eq!(line_of(&cold), Some(2));
    assert_eq!(line_of(&moved), Some(4));

    std::fs::write(
        tmp.path().join(".git/errata/places"),
        b"errata-places 1 torn",
    )
    .unwrap();
    let (again, read) = place(&store);
    assert_eq!(read, 3, "a damaged memo is read as none");
    assert_eq!(again, moved);
}
