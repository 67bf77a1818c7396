//! Record identities.
//!
//! An id is the file stem of its record, so it must be safe as a path component on
//! every platform and readable in a commit message: lowercase ASCII letters, digits
//! and hyphens, 1 to 64 characters. Parsing once here means no other module ever
//! has to wonder whether an id could climb out of the repository (`../x`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The longest id we accept: long enough for a readable slug plus a random suffix,
/// short enough to stay readable in a terminal table.
pub const MAX_ID_LEN: usize = 64;

/// Why a string is not an id; the message is shown to the user as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("an id cannot be empty")]
    Empty,
    #[error("`{id}` is {len} characters long; ids are at most {MAX_ID_LEN}")]
    TooLong { id: String, len: usize },
    #[error(
        "`{id}` contains {found:?}; ids use only lowercase ASCII letters, digits and hyphens (a-z, 0-9, -)"
    )]
    BadChar { id: String, found: char },
}

fn check_id(s: &str) -> Result<(), IdError> {
    if s.is_empty() {
        return Err(IdError::Empty);
    }
    // The common case in one pass over the bytes: every id read from the
    // record cache on a warm run comes through here.
    let allowed = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-';
    if s.len() <= MAX_ID_LEN && s.bytes().all(allowed) {
        return Ok(());
    }
    if let Some(found) = s
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Err(IdError::BadChar {
            id: s.to_owned(),
            found,
        });
    }
    let len = s.chars().count();
    if len > MAX_ID_LEN {
        return Err(IdError::TooLong {
            id: s.to_owned(),
            len,
        });
    }
    Ok(())
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            pub fn new(s: &str) -> Result<Self, IdError> {
                check_id(s)?;
                Ok(Self(s.to_owned()))
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                Self::new(s)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::new(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

id_type!(
    /// A claim's id: its file stem, unique across the whole repository.
    ClaimId
);
id_type!(
    /// An episode's id: the name of its folder under `claims/`.
    EpisodeId
);
id_type!(
    /// A correction's id: its file stem under `corrections/`.
    CorrectionId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_readable_ids() {
        for ok in ["nvidia-gross-margin", "a", "top10-ai-2023", &"x".repeat(64)] {
            assert!(ClaimId::new(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_paths_spaces_capitals_and_long_ids() {
        assert!(matches!(
            ClaimId::new("../x"),
            Err(IdError::BadChar { found: '.', .. })
        ));
        assert!(matches!(
            ClaimId::new("A B"),
            Err(IdError::BadChar { found: 'A', .. })
        ));
        assert!(matches!(
            ClaimId::new("輝達"),
            Err(IdError::BadChar { found: '輝', .. })
        ));
        assert!(matches!(
            ClaimId::new(&"x".repeat(65)),
            Err(IdError::TooLong { len: 65, .. })
        ));
        assert_eq!(ClaimId::new(""), Err(IdError::Empty));
    }
}
