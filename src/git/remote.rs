//! Talking to a remote through the `git` executable, as jj does: the user's
//! ssh agent, ssh config, credential helpers, proxies and `insteadOf` rules
//! then work exactly as they do for `git pull` and `git push`, which libgit2's
//! own transports (built here without https or ssh) would not give. Progress
//! goes to the user's terminal as git prints it.

use std::process::{Command, Stdio};

use super::{CommitId, GitError, Repo};

/// What a push did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pushed {
    /// The remote branch now points at what was pushed (or did already).
    Done,
    /// The remote moved meanwhile (git's "fetch first" / non-fast-forward).
    Rejected(String),
}

/// The branch this clone is on, and where it syncs with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upstream {
    /// The local branch (`main`).
    pub branch: String,
    /// The remote to sync with: `branch.<name>.remote`, else `origin`.
    pub remote: String,
    /// The branch of that remote: `branch.<name>.merge`, else the same name.
    pub remote_branch: String,
}

impl Repo {
    /// The `git` program, run in this working tree.
    fn git(&self) -> Command {
        let mut cmd = Command::new("git");
        cmd.current_dir(&self.workdir);
        cmd
    }

    fn run_git(&self, cmd: &mut Command, what: &str) -> Result<std::process::Output, GitError> {
        cmd.output().map_err(|e| GitError::Program {
            command: what.to_owned(),
            message: format!("cannot run git: {e}"),
        })
    }

    /// The current branch and its upstream, as `git pull` would pick them.
    pub fn upstream(&self, remote: Option<&str>) -> Result<Upstream, GitError> {
        let head = self.inner.head().map_err(|_| GitError::DetachedHead)?;
        if !head.is_branch() {
            return Err(GitError::DetachedHead);
        }
        let branch = head
            .shorthand()
            .map_err(|_| GitError::DetachedHead)?
            .to_owned();
        let configured = self.config(&format!("branch.{branch}.remote"))?;
        let remote = match remote {
            Some(r) => r.to_owned(),
            None => configured.clone().unwrap_or_else(|| "origin".to_owned()),
        };
        let merge = match configured.as_deref() == Some(remote.as_str()) {
            true => self.config(&format!("branch.{branch}.merge"))?,
            false => None,
        };
        let remote_branch = merge
            .as_deref()
            .and_then(|m| m.strip_prefix("refs/heads/"))
            .unwrap_or(&branch)
            .to_owned();
        Ok(Upstream {
            branch,
            remote,
            remote_branch,
        })
    }

    /// `git fetch REMOTE BRANCH`: the commit the remote's branch points at,
    /// or `None` when the remote has no such branch yet (a new, empty remote).
    pub fn fetch(&self, up: &Upstream, quiet: bool) -> Result<Option<CommitId>, GitError> {
        let what = format!("git fetch {} {}", up.remote, up.remote_branch);
        let mut cmd = self.git();
        cmd.args(["fetch", "--no-write-fetch-head"]);
        if quiet {
            cmd.arg("--quiet");
        }
        // A remote named in config updates its remote-tracking branch; any other
        // (a path, a URL) is fetched into errata's own ref.
        let target = format!("refs/errata/sync/{}", up.remote_branch);
        cmd.args([
            "--",
            &up.remote,
            &format!("+refs/heads/{}:{target}", up.remote_branch),
        ]);
        cmd.stdin(Stdio::null()).stdout(Stdio::null());
        cmd.stderr(if quiet {
            Stdio::piped()
        } else {
            Stdio::inherit()
        });
        let out = self.run_git(&mut cmd, &what)?;
        if !out.status.success() {
            // Ask whether the branch is there at all, to tell "empty" from "failed".
            let mut probe = self.git();
            probe.args(["ls-remote", "--heads", "--", &up.remote, &up.remote_branch]);
            probe.stdin(Stdio::null()).stderr(Stdio::null());
            let listed = self.run_git(&mut probe, &what)?;
            if listed.status.success() && listed.stdout.is_empty() {
                return Ok(None);
            }
            return Err(GitError::Program {
                command: what,
                message: failure(&out),
            });
        }
        Ok(Some(self.resolve(&target)?))
    }

    /// `git push REMOTE HEAD:BRANCH`, never forced.
    pub fn push(&self, up: &Upstream, quiet: bool) -> Result<Pushed, GitError> {
        let what = format!("git push {} {}", up.remote, up.remote_branch);
        let mut cmd = self.git();
        cmd.args(["push", "--porcelain"]);
        if quiet {
            cmd.arg("--quiet");
        }
        cmd.args([
            "--",
            &up.remote,
            &format!("HEAD:refs/heads/{}", up.remote_branch),
        ]);
        cmd.stdin(Stdio::null());
        let out = self.run_git(&mut cmd, &what)?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        // --porcelain: one line per ref, `!` when it was refused.
        if let Some(line) = stdout.lines().find(|l| l.starts_with('!')) {
            let reason = line.rsplit('\t').next().unwrap_or(line).to_owned();
            if reason.contains("fetch first") || reason.contains("non-fast-forward") {
                return Ok(Pushed::Rejected(reason));
            }
            return Err(GitError::Program {
                command: what,
                message: format!("{reason}\n{}", failure(&out)),
            });
        }
        if !out.status.success() {
            return Err(GitError::Program {
                command: what,
                message: failure(&out),
            });
        }
        Ok(Pushed::Done)
    }
}

/// What git said when it failed, for the user.
fn failure(out: &std::process::Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let text = stderr.trim();
    if text.is_empty() {
        format!("git exited with {}", out.status)
    } else {
        text.to_owned()
    }
}
