//! Helpers for the end-to-end tests: hermetic fact-check repositories in temp
//! folders, the `errata` binary and the real `git` run against them, and a
//! snapshot of everything a user could see change (working tree, index,
//! status, history) to prove a refused command changed nothing.
//!
//! Every process gets a cleared environment: its own empty HOME, no system git
//! config, a pinned identity and commit dates, TZ=UTC and NO_COLOR=1, so the
//! tests behave the same on any machine and never read the developer's config.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use tempfile::TempDir;

/// The machine-made transcript of 科技浪's New Year 2024 episode.
pub const SEED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/claims/top10-ai-2023/transcript.txt"
);

/// The episode every prepared repository registers, with the seed transcript.
pub const EP: &str = "top10-ai-2023";
pub const EP_TITLE: &str = "2023 年十大關鍵 AI 發展";
/// A second episode, without a transcript (the GraphCast episode a correction fixed).
pub const EP2: &str = "graphcast-2023";

/// Real quotes from the seed, with the segment each is in.
pub const Q_NVIDIA_MARGIN: &str = "他的利潤高達70幾%耶"; // 18:08~19:08
pub const Q_NVIDIA_TRILLION: &str = "是NVIDIA達到1兆美金的市值"; // 17:08~18:08
/// In the transcript as "他們的造價是 H100的 兩倍但是": whitespace differs.
pub const Q_AMD_COST: &str = "他們的造價是H100的兩倍"; // 18:08~19:08
pub const Q_YI_COPY: &str = "但那個E呢其實 基本上就是複製拉馬的Code"; // 44:08~45:08
pub const Q_YI_VALUATION: &str = "光是Copy這個Code他們的 公司估值就來到10億"; // 44:08~45:08
pub const Q_CHATGPT: &str = "2022年11月 30號的Nurbs上面"; // 45:08~46:08

pub const URL_NVIDIA: &str = "https://nvidianews.nvidia.com/news/nvidia-announces-financial-results-for-third-quarter-fiscal-2024";
pub const URL_CHATGPT: &str = "https://openai.com/index/chatgpt/";
pub const URL_YI: &str = "https://github.com/01-ai/Yi";
pub const URL_GRAPHCAST: &str = "https://deepmind.google/discover/blog/graphcast-ai-model-for-faster-and-more-accurate-global-weather-forecasting/";

pub const AUTHOR_NAME: &str = "Ann Editor";
pub const AUTHOR_EMAIL: &str = "ann@factcheck.example.org";
pub const DATE: &str = "2024-01-02T03:04:05+00:00";

/// The path of a claim's record.
/// The arguments of [`Env::correct_graphcast`], for a test that expects them
/// refused.
pub fn correct_graphcast_args(text: &str) -> Vec<&str> {
    vec![
        "correct",
        "graphcast-no",
        "--episode",
        EP,
        "--at",
        "06:07~09:08",
        "--text",
        text,
        "--reported-by",
        "listener message",
    ]
}

pub fn claim_file(episode: &str, id: &str) -> String {
    format!("claims/{episode}/{id}.toml")
}

/// Whether a string is a valid claim id: lowercase a-z, 0-9 and -, 1 to 64 characters.
pub fn is_valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// A shell script standing in for the user's editor (`$VISUAL`, `$EDITOR`):
/// `body` runs with the file to edit as `$1`.
pub fn editor_script(env: &Env, name: &str, body: &str) -> String {
    let path = env.root.join(name);
    std::fs::write(&path, format!("#!/bin/sh\nset -e\n{body}\n")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    path.to_str().unwrap().to_owned()
}

/// A temp folder holding `home/` (an empty HOME) and `repo/` (where commands run).
pub struct Env {
    _guard: Option<TempDir>,
    pub root: PathBuf,
    pub home: PathBuf,
    pub repo: PathBuf,
    identity: bool,
}

/// Prepared repositories, built once per test run and copied for each test.
#[derive(Clone, Copy)]
enum Template {
    /// `errata init`.
    Initialised,
    /// And the episode top10-ai-2023 with the seed transcript.
    WithEpisode,
    /// And a second episode without transcript, and claims in every state.
    WithClaims,
}

impl Env {
    /// An empty folder that is not a git repository.
    pub fn empty() -> Env {
        let tmp = tempfile::Builder::new()
            .prefix("errata-cli-")
            .tempdir()
            .expect("temp dir");
        let root = tmp.path().to_path_buf();
        let env = Env::at(root, Some(tmp));
        std::fs::create_dir_all(&env.home).unwrap();
        std::fs::create_dir_all(&env.repo).unwrap();
        env
    }

    fn at(root: PathBuf, guard: Option<TempDir>) -> Env {
        Env {
            _guard: guard,
            home: root.join("home"),
            repo: root.join("repo"),
            root,
            identity: true,
        }
    }

    /// A repository laid out by `errata init`.
    pub fn initialised() -> Env {
        Env::from_template(Template::Initialised)
    }

    /// A repository with the episode top10-ai-2023 and its transcript.
    pub fn with_episode() -> Env {
        Env::from_template(Template::WithEpisode)
    }

    /// A repository with two episodes and these claims (fixed ids):
    ///
    /// | id                          | episode        | status      | verdict         | tags         |
    /// |-----------------------------|----------------|-------------|-----------------|--------------|
    /// | nvidia-trillion             | top10-ai-2023  | needs-check |                 | nvidia       |
    /// | amd-mi300x-cost             | top10-ai-2023  | checking    |                 | amd, chips   |
    /// | nvidia-margin               | top10-ai-2023  | checked     | accurate        | nvidia, chips|
    /// | yi-copies-llama             | top10-ai-2023  | checked     | misleading      | yi, llama    |
    /// | yi-unicorn                  | top10-ai-2023  | checked     | unverifiable    | yi           |
    /// | chatgpt-launch              | top10-ai-2023  | checked     | mostly-accurate | openai       |
    /// | graphcast-no-supercomputers | graphcast-2023 | checked     | inaccurate      | graphcast    |
    pub fn with_claims() -> Env {
        Env::from_template(Template::WithClaims)
    }

    fn from_template(t: Template) -> Env {
        let src = template(t);
        let env = Env::empty();
        copy_dir(src, &env.root);
        env
    }

    /// Run commands without any git identity: no GIT_AUTHOR_* or GIT_COMMITTER_*
    /// in the environment, and (unless the test writes one) no user.name or
    /// user.email in any config.
    pub fn without_identity(mut self) -> Env {
        self.identity = false;
        self
    }

    fn hermetic(&self, cmd: &mut Command) {
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", self.home.join(".config"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_DATE", DATE)
            .env("GIT_COMMITTER_DATE", DATE)
            .env("TZ", "UTC")
            .env("NO_COLOR", "1")
            .env("LC_ALL", "C");
        if self.identity {
            cmd.env("GIT_AUTHOR_NAME", AUTHOR_NAME)
                .env("GIT_AUTHOR_EMAIL", AUTHOR_EMAIL)
                .env("GIT_COMMITTER_NAME", AUTHOR_NAME)
                .env("GIT_COMMITTER_EMAIL", AUTHOR_EMAIL);
        }
    }

    /// The errata binary, run in the repository folder with a hermetic environment.
    pub fn errata(&self) -> assert_cmd::Command {
        self.errata_in(&self.repo)
    }

    /// The errata binary, run in `dir`.
    pub fn errata_in(&self, dir: &Path) -> assert_cmd::Command {
        let mut std_cmd = self.errata_process();
        std_cmd.current_dir(dir);
        assert_cmd::Command::from_std(std_cmd)
    }

    /// The errata binary as a plain process, for running several at once.
    pub fn errata_process(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_errata"));
        self.hermetic(&mut cmd);
        cmd.current_dir(&self.repo);
        cmd
    }

    /// Run errata with stdout and stderr into one file, as `> log 2>&1` or one
    /// terminal would take them: its exit code and what the file holds.
    pub fn run_into_one_file(&self, args: &[&str]) -> (Option<i32>, String) {
        let log = tempfile::NamedTempFile::new_in(&self.root).expect("a log file");
        let status = self
            .errata_process()
            .args(args)
            .stdout(log.as_file().try_clone().expect("share the log"))
            .stderr(log.as_file().try_clone().expect("share the log"))
            .status()
            .expect("run errata");
        let text = std::fs::read_to_string(log.path()).expect("read the log");
        (status.code(), text)
    }

    /// Run errata and return what it did, whatever its exit code.
    pub fn run(&self, args: &[&str]) -> Output {
        self.errata().args(args).output().expect("run errata")
    }

    /// Run errata, require success, and return its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "errata {args:?} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("stdout is UTF-8")
    }

    /// Correct the shipped claim `graphcast-no` in EP at 06:07~09:08, as a
    /// listener reported it, with `text` and any `extra` arguments (`--id`,
    /// say); the new correction's id, which `correct` prints last.
    pub fn correct_graphcast(&self, text: &str, extra: &[&str]) -> String {
        let mut args = correct_graphcast_args(text);
        args.extend_from_slice(extra);
        self.ok(&args)
            .lines()
            .last()
            .expect("correct printed the id")
            .to_owned()
    }

    /// Run errata with `--json`, require success, and parse its stdout.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        serde_json::from_str(&self.ok(&all)).expect("stdout is JSON")
    }

    /// `errata add ARGS...`; returns the new claim's id, the last line of stdout.
    pub fn add(&self, args: &[&str]) -> String {
        let mut all = vec!["add"];
        all.extend_from_slice(args);
        let out = self.ok(&all);
        out.lines().last().expect("add printed the id").to_owned()
    }

    /// A claim as `errata show --json ID` gives it.
    pub fn claim(&self, id: &str) -> serde_json::Value {
        self.json(&["show", id])
    }

    /// Run errata expecting it to refuse: exit `code`, every one of `needles` in
    /// stderr, and nothing in the working tree, index, status or history changed.
    /// Returns stderr.
    pub fn refused(&self, args: &[&str], code: i32, needles: &[&str]) -> String {
        let before = self.state();
        let out = self.run(args);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(
            out.status.code(),
            Some(code),
            "errata {args:?} should exit {code}; stdout:\n{}\nstderr:\n{stderr}",
            String::from_utf8_lossy(&out.stdout)
        );
        for n in needles {
            assert!(
                stderr.contains(n),
                "errata {args:?}: stderr should mention {n:?}:\n{stderr}"
            );
        }
        assert!(
            !stderr.contains("panicked"),
            "errata {args:?} panicked:\n{stderr}"
        );
        self.state()
            .assert_same(&before, &format!("errata {args:?}"));
        stderr
    }

    /// The git command, run in the repository with the same environment.
    pub fn git_cmd(&self) -> Command {
        let mut cmd = Command::new("git");
        self.hermetic(&mut cmd);
        cmd.current_dir(&self.repo);
        cmd
    }

    /// Run git, require success, return stdout.
    pub fn git(&self, args: &[&str]) -> String {
        let out = self.git_cmd().args(args).output().expect("run git");
        assert!(
            out.status.success(),
            "git {args:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("git output is UTF-8")
    }

    /// Run git with `input` on stdin, require success, return stdout.
    pub fn git_with_input(&self, args: &[&str], input: &str) -> String {
        let mut child = self
            .git_cmd()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run git");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "git {args:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Paths the HEAD commit touched.
    pub fn head_paths(&self) -> Vec<String> {
        self.git(&["show", "--name-only", "--format=", "HEAD"])
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// The full message of the HEAD commit.
    pub fn head_message(&self) -> String {
        self.git(&["log", "-1", "--format=%B"])
    }

    /// The HEAD commit's trailers, as `git interpret-trailers --parse` reads them.
    pub fn head_trailers(&self) -> Vec<(String, String)> {
        self.git_with_input(&["interpret-trailers", "--parse"], &self.head_message())
            .lines()
            .filter_map(|l| l.split_once(": "))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }

    /// Commit ids, newest first.
    pub fn log(&self) -> Vec<String> {
        self.git(&["log", "--format=%H"])
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// `git status --porcelain` of the repository.
    pub fn status(&self) -> String {
        self.git(&["status", "--porcelain", "--untracked-files=all"])
    }

    /// Assert `git status` shows nothing: errata committed what it wrote and
    /// left no stray file behind.
    pub fn assert_clean(&self, after: &str) {
        assert_eq!(self.status(), "", "git status is not clean after {after}");
    }

    /// Everything a user can see of the repository.
    pub fn state(&self) -> RepoState {
        let log = if self.repo.join(".git").exists() {
            let out = self
                .git_cmd()
                .args(["log", "--format=%H"])
                .output()
                .unwrap();
            String::from_utf8_lossy(&out.stdout).into_owned()
        } else {
            String::new()
        };
        let (status, index) = if self.repo.join(".git").exists() {
            (
                self.status(),
                self.git(&["ls-files", "--stage", "--cached"]),
            )
        } else {
            (String::new(), String::new())
        };
        let mut files = BTreeMap::new();
        walk(&self.repo, &self.repo, &mut files);
        RepoState {
            status,
            log,
            index,
            files,
        }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.repo.join(rel)
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    pub fn write(&self, rel: &str, text: &str) {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// Set errata.toml's `language` (the published pages' language) by hand, and
    /// commit it: the test templates are a zh-TW show.
    pub fn set_language(&self, tag: &str) {
        let settings = self.read("errata.toml");
        let changed: String = settings
            .lines()
            .map(|l| {
                if l.starts_with("language") {
                    format!("language = \"{tag}\"\n")
                } else {
                    format!("{l}\n")
                }
            })
            .collect();
        assert_ne!(changed, settings, "errata.toml has a language line");
        self.commit_by_hand(&[("errata.toml", &changed)], "language");
    }

    /// Write files and commit them with plain git, as an editor working by hand would.
    pub fn commit_by_hand(&self, files: &[(&str, &str)], message: &str) {
        for (rel, text) in files {
            self.write(rel, text);
            self.git(&["add", "--", rel]);
        }
        self.git(&["commit", "-q", "-m", message]);
    }
}

/// What a refused command must leave exactly as it was.
#[derive(Debug, PartialEq, Eq)]
pub struct RepoState {
    pub status: String,
    pub log: String,
    /// `git ls-files --stage`: what is staged, by content.
    pub index: String,
    /// Every file of the working tree outside `.git`, with its content.
    pub files: BTreeMap<String, Vec<u8>>,
}

impl RepoState {
    pub fn assert_same(&self, before: &RepoState, what: &str) {
        assert_eq!(self.status, before.status, "{what} changed `git status`");
        assert_eq!(self.log, before.log, "{what} changed `git log`");
        assert_eq!(self.index, before.index, "{what} changed the index");
        let paths = |s: &RepoState| s.files.keys().cloned().collect::<Vec<_>>();
        assert_eq!(paths(self), paths(before), "{what} added or removed files");
        for (path, bytes) in &self.files {
            assert!(
                before.files.get(path) == Some(bytes),
                "{what} changed {path}"
            );
        }
    }
}

/// Every file under `dir`, by its path relative to `root`, with its content.
pub fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries {
        let e = e.unwrap();
        let path = e.path();
        if e.file_name() == ".git" {
            continue;
        }
        let kind = e.file_type().unwrap();
        if kind.is_symlink() {
            // A link is what it says, never what it points to.
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let target = std::fs::read_link(&path).unwrap();
            let mut shown = b"symbolic link to ".to_vec();
            shown.extend_from_slice(target.to_string_lossy().as_bytes());
            out.insert(rel, shown);
        } else if kind.is_dir() {
            walk(root, &path, out);
        } else {
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.insert(rel, std::fs::read(&path).unwrap());
        }
    }
}

/// Ids of a JSON array of claims, as `list --json` gives them.
pub fn ids(v: &serde_json::Value) -> std::collections::BTreeSet<String> {
    v.as_array()
        .expect("a JSON array")
        .iter()
        .map(|c| c["id"].as_str().expect("id").to_owned())
        .collect()
}

pub fn set(items: &[&str]) -> std::collections::BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// A record of the repository, parsed as plain TOML.
pub fn toml_of(env: &Env, rel: &str) -> toml::Table {
    toml::from_str(&env.read(rel)).unwrap_or_else(|e| panic!("{rel} is not TOML: {e}"))
}

impl Env {
    /// A copy of this project's shipped records in a temp repository of its own,
    /// for running errata on them without writing anything (not even its cache)
    /// into the project's clone.
    pub fn shipped() -> Env {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let env = Env::empty();
        std::fs::copy(root.join("errata.toml"), env.path("errata.toml")).unwrap();
        copy_dir(&root.join("claims"), &env.path("claims"));
        if root.join("corrections").is_dir() {
            copy_dir(&root.join("corrections"), &env.path("corrections"));
        }
        env.git(&["init", "-q"]);
        env.git(&["add", "."]);
        env.git(&["commit", "-q", "-m", "shipped records"]);
        env
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// The folder of a prepared repository, built on first use with errata's own
/// commands. Templates live under cargo's target tmp folder and are rebuilt by
/// each test run; tests copy them and never touch them.
fn template(t: Template) -> &'static Path {
    static INITIALISED: OnceLock<PathBuf> = OnceLock::new();
    static WITH_EPISODE: OnceLock<PathBuf> = OnceLock::new();
    static WITH_CLAIMS: OnceLock<PathBuf> = OnceLock::new();
    let (cell, base) = match t {
        Template::Initialised => (&INITIALISED, None),
        Template::WithEpisode => (&WITH_EPISODE, Some(Template::Initialised)),
        Template::WithClaims => (&WITH_CLAIMS, Some(Template::WithEpisode)),
    };
    cell.get_or_init(|| {
        remove_stale_templates();
        let dir = tempfile::Builder::new()
            .prefix("errata-template-")
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .expect("template dir")
            .keep();
        let env = Env::at(dir.clone(), None);
        match base {
            Some(b) => copy_dir(template(b), &dir),
            None => {
                std::fs::create_dir_all(&env.home).unwrap();
                std::fs::create_dir_all(&env.repo).unwrap();
                // Templates live under target/, inside the project's own clone: a
                // repository of their own keeps every command away from the project.
                env.git(&["init", "-q"]);
            }
        }
        build(t, &env);
        dir
    })
}

/// Templates of earlier test runs, left in target/tmp: remove those more than an
/// hour old (a run still going has made its own within seconds).
fn remove_stale_templates() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        let Ok(entries) = std::fs::read_dir(env!("CARGO_TARGET_TMPDIR")) else {
            return;
        };
        for e in entries.flatten() {
            let stale = e
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age.as_secs() > 3600);
            if stale
                && e.file_name()
                    .to_string_lossy()
                    .starts_with("errata-template-")
            {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    });
}

fn build(t: Template, env: &Env) {
    match t {
        Template::Initialised => {
            env.ok(&["init", "--name", "科技浪", "--language", "zh-TW"]);
        }
        Template::WithEpisode => {
            env.ok(&[
                "episode",
                "add",
                EP,
                "--title",
                EP_TITLE,
                "--date",
                "2024-01-01",
                "--transcript",
                SEED,
            ]);
        }
        Template::WithClaims => {
            env.ok(&[
                "episode",
                "add",
                EP2,
                "--title",
                "GraphCast 天氣預報",
                "--date",
                "2023-12-25",
            ]);
            #[rustfmt::skip]
            let adds: &[&[&str]] = &[
                &[EP, "--id", "nvidia-trillion", "--quote", Q_NVIDIA_TRILLION, "--claim", "NVIDIA reached a market value of $1 trillion in 2023.", "--tag", "nvidia"],
                &[EP, "--id", "amd-mi300x-cost", "--quote", Q_AMD_COST, "--claim", "AMD's MI300X costs twice as much to make as NVIDIA's H100.", "--tag", "amd", "--tag", "chips"],
                &[EP, "--id", "nvidia-margin", "--quote", Q_NVIDIA_MARGIN, "--claim", "NVIDIA's gross margin is above 70%.", "--speaker", "哈利", "--tag", "nvidia", "--tag", "chips"],
                &[EP, "--id", "yi-copies-llama", "--quote", Q_YI_COPY, "--claim", "01.AI's Yi model copies LLaMA's code.", "--tag", "yi", "--tag", "llama"],
                &[EP, "--id", "yi-unicorn", "--quote", Q_YI_VALUATION, "--claim", "01.AI reached a $1 billion valuation by copying LLaMA's code.", "--tag", "yi"],
                &[EP, "--id", "chatgpt-launch", "--quote", Q_CHATGPT, "--claim", "ChatGPT was released on 30 November 2022, at NeurIPS.", "--tag", "openai"],
                &[EP2, "--id", "graphcast-no-supercomputers", "--claim", "With GraphCast, weather forecasting no longer needs supercomputers.", "--tag", "graphcast"],
            ];
            for a in adds {
                env.add(a);
            }
            #[rustfmt::skip]
            let steps: &[&[&str]] = &[
                &["start", "amd-mi300x-cost", "--assignee", "小明"],
                &["start", "nvidia-margin"],
                &["verdict", "nvidia-margin", "accurate", "--source", URL_NVIDIA, "--note", "GAAP gross margin was 74.0% in Q3 FY2024."],
                &["verdict", "yi-copies-llama", "misleading", "--source", URL_YI],
                &["verdict", "yi-unicorn", "unverifiable"],
                &["verdict", "chatgpt-launch", "mostly-accurate", "--source", URL_CHATGPT],
                &["verdict", "graphcast-no-supercomputers", "inaccurate", "--source", URL_GRAPHCAST],
            ];
            for s in steps {
                env.ok(s);
            }
        }
    }
}

/// The merge corpus: one folder per case under `tests/merge/`.
pub const MERGE_CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/merge");

/// One case of the merge corpus: the record's path (`path`, one line), the
/// three sides (`base.toml`, `ours.toml`, `theirs.toml`, each absent where the
/// file is absent on that side) and what the merge must give: `expected.toml`
/// (clean), `expected.conflict` (the text with markers, labels "ours" and
/// "theirs") or `expected.deleted` (a clean deletion).
pub struct MergeCase {
    pub name: String,
    pub dir: PathBuf,
    pub path: String,
    pub base: Option<String>,
    pub ours: Option<String>,
    pub theirs: Option<String>,
    pub expected: MergeExpected,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MergeExpected {
    Clean(String),
    Conflict(String),
    Deleted,
}

/// Every case of the corpus, by name.
pub fn merge_cases() -> Vec<MergeCase> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(MERGE_CORPUS)
        .expect("tests/merge/ exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs.into_iter()
        .map(|dir| {
            let read = |f: &str| {
                let p = dir.join(f);
                p.exists()
                    .then(|| std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p:?}: {e}")))
            };
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            let path = read("path")
                .unwrap_or_else(|| panic!("{name}: no `path` file"))
                .trim()
                .to_owned();
            let expected = match (
                read("expected.toml"),
                read("expected.conflict"),
                read("expected.deleted"),
            ) {
                (Some(t), None, None) => MergeExpected::Clean(t),
                (None, Some(t), None) => MergeExpected::Conflict(t),
                (None, None, Some(_)) => MergeExpected::Deleted,
                _ => MergeExpected::Conflict(String::new()),
            };
            MergeCase {
                base: read("base.toml"),
                ours: read("ours.toml"),
                theirs: read("theirs.toml"),
                name,
                path,
                expected,
                dir,
            }
        })
        .collect()
}

/// A conflicted text resolved as an editor would: each region's `ours` (or
/// `theirs`) block kept, the other block and the markers deleted.
pub fn resolve_conflict(text: &str, keep_ours: bool, size: usize) -> String {
    let (open, sep, close) = ("<".repeat(size), "=".repeat(size), ">".repeat(size));
    let marker = |line: &str, m: &str| {
        let bare = line.trim_end_matches(['\n', '\r']);
        bare == m || bare.starts_with(&format!("{m} "))
    };
    let mut out = String::new();
    // 0: outside, 1: in ours, 2: in theirs
    let mut state = 0;
    for line in text.split_inclusive('\n') {
        match state {
            0 if marker(line, &open) => state = 1,
            1 if marker(line, &sep) => state = 2,
            2 if marker(line, &close) => state = 0,
            0 => out.push_str(line),
            1 if keep_ours => out.push_str(line),
            2 if !keep_ours => out.push_str(line),
            _ => {}
        }
    }
    out
}

/// A fresh `git clone` of `remote` (a path), as an editor makes one: the
/// committed files, none of the clone-local config.
pub fn clone_of(remote: &Path) -> Env {
    let env = Env::empty();
    std::fs::remove_dir(&env.repo).unwrap();
    let out = env
        .git_cmd()
        .current_dir(&env.root)
        .args(["clone", "-q"])
        .arg(remote)
        .arg(&env.repo)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    env
}

/// A new, empty bare repository at `path`: a remote for a desk.
pub fn bare_remote(path: &Path) {
    let out = Command::new("git")
        .args(["init", "-q", "--bare"])
        .arg(path)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
