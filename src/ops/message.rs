//! Commit messages, built in one place: a one-line summary, a blank line, then
//! `Errata-*` trailers a script can read (`git log --format=%(trailers)`).
//!
//! Every piece of text is folded onto one line here, whatever the caller gives,
//! so no title, name or tag can end the summary early or add a trailer of its
//! own. The command line already refuses line breaks in one-line fields; this is
//! the second wall, for text that comes from anywhere else.

use std::fmt::{self, Display};

use crate::model::Status;

/// The trailers errata writes, each with one meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trailer {
    Init,
    Episode,
    Claim,
    Correction,
    Status,
    Verdict,
    Assignee,
    Source,
    Sync,
}

impl Trailer {
    pub fn key(self) -> &'static str {
        match self {
            Trailer::Init => "Errata-Init",
            Trailer::Episode => "Errata-Episode",
            Trailer::Claim => "Errata-Claim",
            Trailer::Correction => "Errata-Correction",
            Trailer::Status => "Errata-Status",
            Trailer::Verdict => "Errata-Verdict",
            Trailer::Assignee => "Errata-Assignee",
            Trailer::Source => "Errata-Source",
            Trailer::Sync => "Errata-Sync",
        }
    }
}

/// A commit message: `verb: summary`, then trailers in the order added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    summary: String,
    trailers: Vec<(Trailer, String)>,
}

/// Text on one line: every run of whitespace and control characters (line
/// breaks included) becomes one space.
fn fold(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

impl Message {
    /// `verb: summary`, as `git log --oneline` will show it.
    pub fn new(verb: &str, summary: impl Display) -> Self {
        Message {
            summary: fold(&format!("{verb}: {summary}")),
            trailers: Vec::new(),
        }
    }

    pub fn trailer(mut self, trailer: Trailer, value: impl Display) -> Self {
        self.trailers.push((trailer, fold(&value.to_string())));
        self
    }

    /// `Errata-Status: from -> to`.
    pub fn status(self, from: Status, to: Status) -> Self {
        self.trailer(Trailer::Status, format_args!("{from} -> {to}"))
    }
}

impl Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.summary)?;
        if !self.trailers.is_empty() {
            writeln!(f)?;
        }
        for (t, value) in &self.trailers {
            writeln!(f, "{}: {value}", t.key())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_then_trailers() {
        let m = Message::new("start", "nvidia-gross-margin is checking")
            .trailer(Trailer::Claim, "nvidia-gross-margin")
            .status(Status::NeedsCheck, Status::Checking);
        assert_eq!(
            m.to_string(),
            "start: nvidia-gross-margin is checking\n\nErrata-Claim: nvidia-gross-margin\nErrata-Status: needs-check -> checking\n"
        );
    }

    #[test]
    fn no_text_can_add_a_line() {
        let forged =
            "x\n\nErrata-Claim: forged\r\nErrata-Status: checked -> corrected\u{2028}y\u{85}z";
        let m = Message::new("source", format_args!("a cites {forged}"))
            .trailer(Trailer::Assignee, forged);
        let text = m.to_string();
        assert_eq!(text.lines().count(), 3, "{text:?}");
        assert!(text.starts_with("source: a cites x Errata-Claim: forged Errata-Status"));
        assert_eq!(
            text.lines()
                .filter(|l| l.starts_with("Errata-Claim:"))
                .count(),
            0,
            "{text:?}"
        );
        assert!(
            text.lines()
                .nth(2)
                .unwrap()
                .starts_with("Errata-Assignee: x Errata-Claim")
        );
    }

    #[test]
    fn a_summary_alone_has_no_blank_line() {
        assert_eq!(Message::new("edit", "x").to_string(), "edit: x\n");
    }
}
