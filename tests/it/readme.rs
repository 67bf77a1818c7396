//! Every console example in README.md is run, and fails the test when a command's
//! output or exit code drifts from what the README shows.
//!
//! The README is read as trycmd reads Markdown (clap and cargo test their docs
//! with it): in a ```` ```console ```` block, `$ ` starts a command, `> ` goes on
//! with it (a trailing `\` before it is a shell's line continuation), an optional
//! `? success` / `? failed` / `? CODE` line gives the exit status (success when
//! absent), and the lines up to the next `$ ` are stdout and stderr together.
//! Blank lines ending an output only separate it from the next command and are
//! not compared. In an output, `...` on a line of its own stands for any lines,
//! and `[..]` for any text within a line (snapbox's wildcards); the README uses
//! them for what it leaves out and for what is random: the four random
//! characters of a generated id and the path of a temp folder. Words before the
//! program like `VAR=value` set environment variables, as in a shell.
//!
//! The harness is built on snapbox rather than trycmd itself because trycmd's
//! Markdown cases inherit the whole environment of `cargo test` (HOME, git's
//! GIT_DIR in a hook, CLICOLOR_FORCE, ...) and run in one folder beside the file;
//! these need a cleared environment and a folder per section:
//!
//! - "A tour on the shipped episode" runs in a fresh `git clone` of this
//!   repository's HEAD, so uncommitted records or a `.git/errata` cache in the
//!   developer's clone never change the result: what the tour shows is checked
//!   against the committed data set and its history. `git` there is the real git.
//! - "Checking your own show" runs in a new folder, `my-show/`, that holds only
//!   `ep42.vtt`, the transcript fixture `tests/fixtures/ep42.vtt`.
//!
//! README.md itself and the fixture are read where cargo builds, like any test's
//! source: an edit to an example is tested at once, without a commit.
//!
//! Every command gets the environment of `common`'s helpers: cleared, with an
//! empty HOME, no system git config, a pinned git identity and dates, TZ=UTC and
//! NO_COLOR=1.

use std::path::Path;
use std::time::Duration;

use crate::common::*;

const TOUR: &str = "A tour on the shipped episode";
const OWN_SHOW: &str = "Checking your own show";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Success,
    Failed,
    Code(i32),
}

/// One command of a console block.
#[derive(Debug)]
struct Step {
    /// Its line in README.md.
    line: usize,
    /// As written, for messages.
    command: String,
    env: Vec<(String, String)>,
    program: String,
    args: Vec<String>,
    status: Status,
    expected: String,
}

#[derive(Debug)]
struct Block {
    /// The `## ` heading it is under.
    section: String,
    steps: Vec<Step>,
}

/// The console blocks of a Markdown text, in order.
fn parse(markdown: &str) -> Vec<Block> {
    let lines: Vec<&str> = markdown.lines().collect();
    let mut blocks = Vec::new();
    let mut section = String::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if let Some(heading) = line.strip_prefix("## ") {
            section = heading.trim().to_owned();
        }
        let trimmed = line.trim_start();
        if !trimmed.starts_with("```") {
            i += 1;
            continue;
        }
        let indent = line.len() - trimmed.len();
        let ticks = trimmed.chars().take_while(|&c| c == '`').count();
        let fence = &trimmed[..ticks];
        let mut info = trimmed[ticks..].split(',').map(str::trim);
        let lang = info.next().unwrap_or_default();
        let runs = matches!(lang, "console" | "trycmd") && !info.any(|w| w == "ignore");
        let body = i + 1;
        let mut end = body;
        while end < lines.len() && !lines[end].trim_start().starts_with(fence) {
            end += 1;
        }
        assert!(
            end < lines.len(),
            "README.md:{}: a code block that is never closed",
            i + 1
        );
        if runs {
            let body: Vec<(usize, &str)> = (body..end)
                .map(|n| (n + 1, strip_indent(lines[n], indent)))
                .collect();
            blocks.push(Block {
                section: section.clone(),
                steps: parse_steps(&body),
            });
        }
        i = end + 1;
    }
    blocks
}

/// A line of a block indented inside a list item, without that indentation.
fn strip_indent(line: &str, indent: usize) -> &str {
    let spaces = line.len() - line.trim_start_matches(' ').len();
    &line[spaces.min(indent)..]
}

fn parse_steps(body: &[(usize, &str)]) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut k = 0;
    while k < body.len() {
        let (line, text) = body[k];
        let Some(first) = text.strip_prefix("$ ") else {
            panic!("README.md:{line}: a console block goes on with `$ COMMAND`, not {text:?}");
        };
        let mut command = first.trim_end().to_owned();
        k += 1;
        while let Some(more) = body.get(k).and_then(|(_, t)| t.strip_prefix("> ")) {
            if let Some(head) = command.strip_suffix('\\') {
                command = head.trim_end().to_owned();
            }
            command.push(' ');
            command.push_str(more.trim());
            k += 1;
        }
        let mut status = Status::Success;
        if let Some(s) = body.get(k).and_then(|(_, t)| t.strip_prefix("? ")) {
            status = match s.trim() {
                "success" => Status::Success,
                "failed" => Status::Failed,
                code => Status::Code(code.parse().unwrap_or_else(|_| {
                    panic!(
                        "README.md:{}: `? {code}`: an exit code, success or failed",
                        line + 1
                    )
                })),
            };
            k += 1;
        }
        let mut output = Vec::new();
        while let Some((_, t)) = body.get(k).filter(|(_, t)| !t.starts_with("$ ")) {
            output.push(*t);
            k += 1;
        }
        while output.last() == Some(&"") {
            output.pop();
        }
        let words = shlex::split(&command)
            .unwrap_or_else(|| panic!("README.md:{line}: unbalanced quotes in {command:?}"));
        let mut words = words.into_iter().peekable();
        let mut env = Vec::new();
        while let Some((key, value)) = words.peek().and_then(|w| w.split_once('=')) {
            if key.is_empty() || !key.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
                break;
            }
            env.push((key.to_owned(), value.to_owned()));
            words.next();
        }
        let program = words
            .next()
            .unwrap_or_else(|| panic!("README.md:{line}: no command in {command:?}"));
        steps.push(Step {
            line,
            command,
            env,
            program,
            args: words.collect(),
            status,
            expected: output.iter().map(|l| format!("{l}\n")).collect(),
        });
    }
    steps
}

/// Text without its trailing blank lines, ending in one newline unless empty.
fn without_trailing_blank_lines(text: &str) -> String {
    let mut t = text.trim_end_matches(['\n', '\r']).to_owned();
    if !t.is_empty() {
        t.push('\n');
    }
    t
}

/// Run every step of `blocks` in `cwd`, in order; a failed step does not stop
/// the ones after it. Returns one message per failed step.
fn run_blocks(env: &Env, cwd: &Path, blocks: &[&Block]) -> Vec<String> {
    let mut failures = Vec::new();
    for step in blocks.iter().flat_map(|b| &b.steps) {
        let mut cmd = match step.program.as_str() {
            "errata" => env.errata_process(),
            "git" => env.git_cmd(),
            other => panic!(
                "README.md:{}: `{other}`: the README's examples may run errata and git only",
                step.line
            ),
        };
        cmd.current_dir(cwd)
            .args(&step.args)
            .envs(step.env.iter().map(|(k, v)| (k, v)));
        let out = snapbox::cmd::Command::from_std(cmd)
            .stderr_to_stdout()
            .timeout(Duration::from_secs(120))
            .output()
            .unwrap_or_else(|e| {
                panic!("README.md:{}: cannot run {}: {e}", step.line, step.program)
            });
        let mut problems = Vec::new();
        let status_ok = match step.status {
            Status::Success => out.status.success(),
            Status::Failed => !out.status.success() && out.status.code().is_some(),
            Status::Code(c) => out.status.code() == Some(c),
        };
        if !status_ok {
            let expected = match step.status {
                Status::Success => "success".to_owned(),
                Status::Failed => "failed".to_owned(),
                Status::Code(c) => c.to_string(),
            };
            problems.push(format!("expected `? {expected}`, was {}", out.status));
        }
        let actual = without_trailing_blank_lines(&String::from_utf8_lossy(&out.stdout));
        let expected = without_trailing_blank_lines(&step.expected);
        if let Err(diff) = snapbox::Assert::new().normalize_paths(false).try_eq(
            Some(&"what it printed"),
            snapbox::Data::text(actual),
            snapbox::Data::text(expected),
        ) {
            problems.push(diff.to_string());
        }
        if !problems.is_empty() {
            failures.push(format!(
                "README.md:{}: $ {}\n{}",
                step.line,
                step.command,
                problems.join("\n")
            ));
        }
    }
    failures
}

/// A fresh clone of this repository's HEAD, as `repo/` of a hermetic temp folder.
fn clone_of_head() -> Env {
    let env = Env::empty();
    std::fs::remove_dir(&env.repo).unwrap();
    let out = env
        .git_cmd()
        .current_dir(&env.root)
        .args(["clone", "--quiet", env!("CARGO_MANIFEST_DIR"), "repo"])
        .output()
        .expect("run git clone");
    assert!(
        out.status.success(),
        "git clone of {} failed:\n{}",
        env!("CARGO_MANIFEST_DIR"),
        String::from_utf8_lossy(&out.stderr)
    );
    env
}

/// The console blocks of the clone's README under `section`; there must be some.
fn blocks_of<'a>(all: &'a [Block], section: &str) -> Vec<&'a Block> {
    let blocks: Vec<&Block> = all.iter().filter(|b| b.section == section).collect();
    assert!(
        !blocks.is_empty(),
        "README.md has no console block under \"## {section}\""
    );
    blocks
}

/// Fail with every message, saying where the commands ran.
fn check(failures: Vec<String>, blocks: &[&Block], ran_in: &str) {
    if failures.is_empty() {
        return;
    }
    let steps: usize = blocks.iter().map(|b| b.steps.len()).sum();
    panic!(
        "README.md, \"## {}\": {} of its {steps} commands printed or exited otherwise than \
         it shows (they ran in {ran_in}):\n\n{}",
        blocks[0].section,
        failures.len(),
        failures.join("\n\n")
    );
}

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("read README.md")
}

#[test]
fn every_console_block_is_under_a_section_this_harness_runs() {
    for block in parse(&readme()) {
        assert!(
            [TOUR, OWN_SHOW].contains(&block.section.as_str()),
            "README.md:{}: a console block under \"## {}\": say in tests/it/readme.rs \
             where its commands run",
            block.steps.first().map_or(0, |s| s.line),
            block.section
        );
    }
}

#[test]
fn the_tour_runs_as_shown_on_a_clone_of_this_repository() {
    let blocks = parse(&readme());
    let tour = blocks_of(&blocks, TOUR);
    let clone = clone_of_head();
    let failures = run_blocks(&clone, &clone.repo, &tour);
    let head = clone.git(&["rev-parse", "--short", "HEAD"]);
    let ran_in = format!(
        "a clone of HEAD, {}: records and history the tour shows must be committed",
        head.trim()
    );
    check(failures, &tour, &ran_in);
}

#[test]
fn checking_your_own_show_runs_as_shown_in_a_new_folder() {
    let blocks = parse(&readme());
    let own = blocks_of(&blocks, OWN_SHOW);
    let env = Env::empty();
    let folder = env.root.join("my-show");
    std::fs::create_dir(&folder).unwrap();
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ep42.vtt"),
        folder.join("ep42.vtt"),
    )
    .expect("copy the fixture tests/fixtures/ep42.vtt");
    let failures = run_blocks(&env, &folder, &own);
    check(failures, &own, "a new folder holding only ep42.vtt");
}

#[test]
fn the_parser_reads_commands_statuses_outputs_and_continuations() {
    let md = "## S\n\ntext\n\n```sh\n$ not run\n```\n\n- item\n\n  ```console\n  $ errata a 'b c' \\\n  > --d \"e f\"\n  out 1\n\n  $ X_Y=1 git log\n  ? 2\n  ...\n\n  ```\n";
    let blocks = parse(md);
    assert_eq!(blocks.len(), 1);
    let steps = &blocks[0].steps;
    assert_eq!(blocks[0].section, "S");
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[0].line, 12);
    assert_eq!(steps[0].program, "errata");
    assert_eq!(steps[0].args, ["a", "b c", "--d", "e f"]);
    assert_eq!(steps[0].status, Status::Success);
    assert_eq!(steps[0].expected, "out 1\n");
    assert_eq!(steps[1].env, [("X_Y".to_owned(), "1".to_owned())]);
    assert_eq!(steps[1].program, "git");
    assert_eq!(steps[1].status, Status::Code(2));
    assert_eq!(steps[1].expected, "...\n");
}
