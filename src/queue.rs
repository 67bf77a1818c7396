//! A desk's queues: which claims are whose, and which open claims have sat
//! without a change. Matching an assignee is pure; how long a claim has been
//! idle comes from git history, in one walk for all the claims asked about
//! (`git`), over the claims' files (`store`). Never prints.

use serde::Serialize;

use crate::git::{CommitId, GitError, LastChange, Repo};
use crate::model::State;
use crate::review::rfc3339;
use crate::store::{ClaimRecord, claim_path};

const DAY: i64 = 86_400;

/// Whose claims to keep: assignees by name or email, and perhaps the claims
/// nobody is assigned to. Empty keeps every claim.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assignees {
    names: Vec<String>,
    emails: Vec<String>,
    unassigned: bool,
}

/// An assignee written as `Name <email>`, split; otherwise the whole as both.
fn parts(assignee: &str) -> (&str, Option<&str>) {
    if let Some(rest) = assignee.strip_suffix('>')
        && let Some((name, email)) = rest.rsplit_once('<')
    {
        return (name.trim(), Some(email.trim()));
    }
    (assignee, None)
}

impl Assignees {
    /// Whether no assignee is asked for, so every claim is kept.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty() && self.emails.is_empty() && !self.unassigned
    }

    /// Keep claims assigned to `name`, as written (spaces around it aside);
    /// `Mei` also keeps `Mei <mei@example.org>`.
    pub fn name(mut self, name: &str) -> Self {
        let name = name.trim();
        if !name.is_empty() {
            self.names.push(name.to_owned());
        }
        self
    }

    /// Keep claims assigned to a person by name or by email (any case), as
    /// git's `user.name` and `user.email` give them.
    pub fn person(mut self, name: &str, email: &str) -> Self {
        self = self.name(name);
        let email = email.trim();
        if !email.is_empty() {
            self.emails.push(email.to_owned());
        }
        self
    }

    /// Keep claims nobody is assigned to.
    pub fn unassigned(mut self) -> Self {
        self.unassigned = true;
        self
    }

    /// Whether a claim with this assignee is kept.
    pub fn keeps(&self, assignee: Option<&str>) -> bool {
        if self.is_empty() {
            return true;
        }
        let Some(a) = assignee.map(str::trim).filter(|a| !a.is_empty()) else {
            return self.unassigned;
        };
        let (name, email) = parts(a);
        self.names.iter().any(|n| n == a || n == name)
            || self.emails.iter().any(|e| {
                e.eq_ignore_ascii_case(a) || email.is_some_and(|m| e.eq_ignore_ascii_case(m))
            })
    }
}

/// How long an open claim has gone without a change, by git history: since
/// the newest commit that changed its file (by commit date).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Idle {
    /// Whole days since that commit; 0 for a file never committed, which
    /// counts as changed now.
    pub idle_days: u64,
    /// The commit's date, RFC 3339 in UTC; `None` for a file never committed.
    pub last_change: Option<String>,
    /// The commit; `None` for a file never committed.
    pub last_commit: Option<CommitId>,
}

impl Idle {
    fn of(change: LastChange, now: i64) -> Idle {
        match change {
            LastChange::At(t) => Idle {
                idle_days: u64::try_from(now.saturating_sub(t.time) / DAY).unwrap_or(0),
                last_change: Some(rfc3339(t.time, 0)),
                last_commit: Some(t.commit),
            },
            LastChange::Uncommitted | LastChange::Earlier => Idle {
                idle_days: 0,
                last_change: None,
                last_commit: None,
            },
        }
    }
}

/// Whether a claim is still waiting for its check: needs-check or checking.
pub fn is_open(state: State) -> bool {
    matches!(state, State::NeedsCheck | State::Checking)
}

/// The open claims among `claims` whose files have not changed for `days` days
/// before `now` (seconds since the epoch), each with how long it has been idle,
/// longest idle first (in the order given among equals).
///
/// One walk of history from HEAD, newest first, for every open claim at once:
/// it stops at the first commit older than the cutoff, and every open claim it
/// has not seen changed by then is stale. Only for those does it then walk on,
/// as far back as the oldest of them last changed, to tell how long they have
/// been idle. A claim never committed counts as changed now.
pub fn stale<'a, C: ClaimRecord>(
    repo: &Repo,
    claims: &[&'a C],
    days: u32,
    now: i64,
) -> Result<Vec<(&'a C, Idle)>, GitError> {
    let open: Vec<&C> = claims
        .iter()
        .copied()
        .filter(|c| is_open(c.state()))
        .collect();
    let paths: Vec<String> = open
        .iter()
        .map(|c| claim_path(c.episode(), c.id()))
        .collect();
    let cutoff = now.saturating_sub(i64::from(days) * DAY);
    let mut walk = repo.last_changes(&paths)?;
    walk.walk_until(Some(cutoff))?;
    let stale: Vec<usize> = (0..open.len())
        .filter(|&i| match walk.get(i) {
            LastChange::Earlier => true,
            LastChange::At(t) => t.time <= cutoff,
            LastChange::Uncommitted => days == 0,
        })
        .collect();
    walk.walk_until(None)?;
    // Where commit dates run backwards (a clock set wrong), the walk on can
    // find a change after the cutoff that the first walk passed by: such a
    // claim is not stale after all.
    let mut out: Vec<(&C, Idle)> = stale
        .into_iter()
        .filter(|&i| !matches!(walk.get(i), LastChange::At(t) if t.time > cutoff))
        .map(|i| (open[i], Idle::of(walk.get(i), now)))
        .collect();
    out.sort_by_key(|c| std::cmp::Reverse(c.1.idle_days));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_as_written_and_emails_in_any_case() {
        let mei = Assignees::default().name(" Mei ");
        assert!(mei.keeps(Some("Mei")));
        assert!(mei.keeps(Some("Mei <mei@example.org>")));
        assert!(!mei.keeps(Some("mei")), "names are matched as written");
        assert!(!mei.keeps(Some("Meiling")));
        assert!(!mei.keeps(None));

        let me = Assignees::default().person("Ann Editor", "ann@factcheck.example.org");
        assert!(me.keeps(Some("Ann Editor")));
        assert!(me.keeps(Some("ANN@factcheck.example.org")));
        assert!(me.keeps(Some("A. Editor <ann@factcheck.example.org>")));
        assert!(!me.keeps(Some("Bob")));
        assert!(!me.keeps(Some("  ")));
    }

    #[test]
    fn assignees_combine_and_none_keeps_all() {
        assert!(Assignees::default().is_empty());
        assert!(Assignees::default().keeps(None));
        assert!(Assignees::default().keeps(Some("anyone")));
        let desk = Assignees::default().name("小明").unassigned();
        assert!(desk.keeps(Some("小明")));
        assert!(desk.keeps(None));
        assert!(desk.keeps(Some("")), "a blank assignee is none");
        assert!(!desk.keeps(Some("小芳")));
        assert!(
            Assignees::default().person(" ", "").is_empty(),
            "an empty identity adds nothing"
        );
    }

    #[test]
    fn a_file_never_committed_is_idle_for_no_days() {
        let never = Idle::of(LastChange::Uncommitted, 1_700_000_000);
        assert_eq!((never.idle_days, never.last_change), (0, None));
        assert!(is_open(State::NeedsCheck) && is_open(State::Checking));
        assert!(!is_open(State::Checked(crate::model::Verdict::Accurate)));
    }
}
