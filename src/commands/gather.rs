//! Output gathered and written once per stream: `validate`'s thousands of
//! warnings, each a line on stdout with its snippet on stderr, were one system
//! call a line, more time than finding them. Uses `out` for stdout.

use std::fmt::Write as _;
use std::io::Write as _;

use super::{CliError, out};

/// What a command prints to stdout and to stderr, kept until [`Gathered::finish`].
pub struct Gathered {
    out: String,
    err: String,
    /// stdout and stderr are the same file (one terminal, `2>&1`): stderr's part
    /// goes in with stdout's, so that each snippet stays below its line.
    together: bool,
}

impl Gathered {
    pub fn new() -> Gathered {
        Gathered {
            out: String::new(),
            err: String::new(),
            together: same_destination(),
        }
    }

    pub fn out(&mut self, args: std::fmt::Arguments<'_>) {
        let _ = self.out.write_fmt(args);
    }

    pub fn err(&mut self, args: std::fmt::Arguments<'_>) {
        let to = if self.together {
            &mut self.out
        } else {
            &mut self.err
        };
        let _ = to.write_fmt(args);
    }

    /// Write stdout's part, then stderr's. Only stdout failing is an error, as
    /// with [`out`].
    pub fn finish(self) -> Result<(), CliError> {
        out(format_args!("{}", self.out))?;
        if !self.err.is_empty() {
            let _ = anstream::stderr().write_all(self.err.as_bytes());
        }
        Ok(())
    }
}

/// Whether stdout and stderr are one file: same device and inode.
fn same_destination() -> bool {
    let (Ok(o), Ok(e)) = (
        rustix::fs::fstat(std::io::stdout()),
        rustix::fs::fstat(std::io::stderr()),
    ) else {
        return false;
    };
    o.st_dev == e.st_dev && o.st_ino == e.st_ino
}
