//! Text that must stay on one line: names, titles, tags. A line break in a
//! speaker or a source's title would break a table row, and once such text
//! reaches a commit message it could end the summary early or forge an
//! `Errata-*` trailer. The rule lives here once; the command line parses its
//! one-line options into [`OneLine`], and `validate` holds records to the same
//! [`one_line_fault`].

use std::fmt;
use std::str::FromStr;

/// Why a text cannot be one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineError {
    #[error("it holds a line break; give it on one line")]
    LineBreak,
    #[error("it holds the control character U+{0:04X}; give plain text on one line")]
    Control(u32),
    #[error("it is empty")]
    Empty,
}

/// What keeps `s` from being one line of plain text, if anything: a line break
/// (`\n`, `\r`, and the Unicode line and paragraph separators) or another control
/// character. A tab is allowed and shows as a space.
pub fn one_line_fault(s: &str) -> Option<LineError> {
    s.chars().find_map(|c| match c {
        '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{b}' | '\u{c}' => {
            Some(LineError::LineBreak)
        }
        '\t' => None,
        c if c.is_control() => Some(LineError::Control(c as u32)),
        _ => None,
    })
}

/// A non-empty text of one line, with the spaces around it trimmed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OneLine(String);

impl OneLine {
    pub fn new(s: &str) -> Result<Self, LineError> {
        if let Some(e) = one_line_fault(s) {
            return Err(e);
        }
        let s = s.trim();
        if s.is_empty() {
            return Err(LineError::Empty);
        }
        Ok(OneLine(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for OneLine {
    type Err = LineError;
    fn from_str(s: &str) -> Result<Self, LineError> {
        OneLine::new(s)
    }
}

impl fmt::Display for OneLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for OneLine {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_refuses_breaks_and_control_characters() {
        assert_eq!(OneLine::new("  哈利 ").unwrap().as_str(), "哈利");
        assert_eq!(OneLine::new("a\tb").unwrap().as_str(), "a\tb");
        for bad in ["x\n\nErrata-Claim: forged", "x\r", "x\u{2028}y", "x\u{85}"] {
            assert_eq!(OneLine::new(bad), Err(LineError::LineBreak), "{bad:?}");
        }
        assert_eq!(OneLine::new("x\u{7}"), Err(LineError::Control(7)));
        assert_eq!(OneLine::new("x\u{1b}[31m"), Err(LineError::Control(0x1b)));
        assert_eq!(OneLine::new("   "), Err(LineError::Empty));
    }
}
