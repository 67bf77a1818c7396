//! Talking to a remote through the `git` executable, as jj does: the user's
//! ssh agent, ssh config, credential helpers, proxies and `insteadOf` rules
//! then work exactly as they do for `git pull` and `git push`, which libgit2's
//! own transports (built here without https or ssh) would not give. Progress
//! goes to the user's terminal as git prints it.

use std::io::{IsTerminal, Read, Write};
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
        // HEAD names its branch even before the first commit (an unborn branch).
        let head = self.inner.find_reference("HEAD")?;
        let branch = head
            .symbolic_target()?
            .and_then(|t| t.strip_prefix("refs/heads/"))
            .ok_or(GitError::DetachedHead)?
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
    /// A remote named in config gets its remote-tracking branch updated, as
    /// `git fetch` does; a path or URL is fetched into `FETCH_HEAD` only.
    pub fn fetch(&self, up: &Upstream, quiet: bool) -> Result<Option<CommitId>, GitError> {
        let what = format!("git fetch {} {}", up.remote, up.remote_branch);
        let named = self.config(&format!("remote.{}.url", up.remote))?.is_some();
        let tracking = format!("refs/remotes/{}/{}", up.remote, up.remote_branch);
        let refspec = if named {
            format!("+refs/heads/{}:{tracking}", up.remote_branch)
        } else {
            format!("refs/heads/{}", up.remote_branch)
        };
        let mut cmd = self.git();
        cmd.arg("fetch");
        let shown = !quiet && std::io::stderr().is_terminal();
        cmd.arg(if shown { "--progress" } else { "--quiet" });
        cmd.args(["--", &up.remote, &refspec]);
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().map_err(|e| GitError::Program {
            command: what.clone(),
            message: format!("cannot run git: {e}"),
        })?;
        // git's progress goes on to the terminal as it comes; what it says is
        // kept, to tell an empty remote from a failure.
        let mut said = Vec::new();
        if let Some(mut err) = child.stderr.take() {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                said.extend_from_slice(&buf[..n]);
                if shown && !contains(&buf[..n], NO_SUCH_REF) {
                    let _ = std::io::stderr().write_all(&buf[..n]);
                }
            }
        }
        let status = child.wait().map_err(|e| GitError::Program {
            command: what.clone(),
            message: e.to_string(),
        })?;
        if !status.success() {
            if contains(&said, NO_SUCH_REF) {
                return Ok(None);
            }
            let said = String::from_utf8_lossy(&said).trim().to_owned();
            return Err(GitError::Program {
                command: what,
                message: if said.is_empty() {
                    format!("git exited with {status}")
                } else {
                    said
                },
            });
        }
        if named {
            return Ok(Some(self.resolve(&tracking)?));
        }
        let head = std::fs::read_to_string(self.git_dir().join("FETCH_HEAD")).unwrap_or_default();
        let oid = head.split_whitespace().next().unwrap_or_default();
        match git2::Oid::from_str(oid) {
            Ok(id) => Ok(Some(CommitId(id))),
            Err(_) => Err(GitError::Program {
                command: what,
                message: "git fetch wrote no FETCH_HEAD".into(),
            }),
        }
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
            // Refused because the branch is not where we last saw it: the
            // remote had moved before our push ("fetch first"), or moved while
            // it was received (a ref lock that found another value).
            let stderr = String::from_utf8_lossy(&out.stderr);
            if reason.contains("fetch first")
                || reason.contains("non-fast-forward")
                || (reason.contains("failed to update ref") && stderr.contains("but expected"))
            {
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

/// What git says when the remote has no such branch.
const NO_SUCH_REF: &[u8] = b"couldn't find remote ref";

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
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
