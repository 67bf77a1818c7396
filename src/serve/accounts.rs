//! Who may use a shared `errata serve`: a file of accounts (login, name and
//! email for commit authorship, an argon2 password hash), sessions held in
//! memory behind a random cookie, a CSRF token per session, and a limit on
//! failed sign-ins. Nothing here touches the repository.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use serde::Deserialize;

/// One editor who may sign in.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Account {
    pub login: String,
    /// Commits are authored by this name and email.
    pub name: String,
    pub email: String,
    /// An argon2 hash in PHC form (`$argon2id$...`), as `errata serve
    /// --hash-password` prints it; never the password itself.
    pub password: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountsFile {
    #[serde(default)]
    user: Vec<Account>,
}

/// Why the accounts file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
    #[error("cannot read the accounts file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: String, message: String },
    #[error("{path} has no [[user]]: nobody could sign in")]
    Empty { path: String },
    #[error("{path}: login `{login}` appears twice")]
    Duplicate { path: String, login: String },
    #[error(
        "{path}: the password of `{login}` is not an argon2 hash; make one with `errata serve --hash-password`"
    )]
    NotAHash { path: String, login: String },
}

/// The accounts of a shared server.
#[derive(Debug)]
pub struct Accounts {
    users: Vec<Account>,
}

impl Accounts {
    pub fn load(path: &Path) -> Result<Accounts, AccountsError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| AccountsError::Read {
            path: shown.clone(),
            source,
        })?;
        let file: AccountsFile = toml::from_str(&text).map_err(|e| AccountsError::Parse {
            path: shown.clone(),
            message: e.message().to_owned(),
        })?;
        if file.user.is_empty() {
            return Err(AccountsError::Empty { path: shown });
        }
        for (i, u) in file.user.iter().enumerate() {
            if file.user[..i].iter().any(|o| o.login == u.login) {
                return Err(AccountsError::Duplicate {
                    path: shown,
                    login: u.login.clone(),
                });
            }
            if !u.password.starts_with("$argon2") || PasswordHash::new(&u.password).is_err() {
                return Err(AccountsError::NotAHash {
                    path: shown,
                    login: u.login.clone(),
                });
            }
        }
        Ok(Accounts { users: file.user })
    }

    /// The account whose password this is. An unknown login costs a hash
    /// check too, so timing does not tell which logins exist.
    pub fn verify(&self, login: &str, password: &str) -> Option<&Account> {
        static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let user = self.users.iter().find(|u| u.login == login);
        let dummy = DUMMY.get_or_init(|| hash_password("not a password").unwrap_or_default());
        let hash = user.map_or(dummy.as_str(), |u| u.password.as_str());
        let parsed = PasswordHash::new(hash).ok()?;
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        user.filter(|_| ok)
    }
}

/// An argon2id hash of `password`, in PHC form, for the accounts file.
pub fn hash_password(password: &str) -> Result<String, String> {
    let bytes: [u8; 16] = {
        use rand::Rng;
        rand::rng().random()
    };
    let salt = SaltString::encode_b64(&bytes).map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// A random token for a session or a form.
pub(crate) fn token() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..32)
        .map(|_| format!("{:02x}", rng.random::<u8>()))
        .collect()
}

/// A signed-in editor.
#[derive(Debug, Clone)]
pub struct Session {
    pub name: String,
    pub email: String,
    /// The token this session's forms carry.
    pub csrf: String,
    started: Instant,
}

/// How long a session lasts without signing in again.
const SESSION_LIFE: Duration = Duration::from_secs(12 * 60 * 60);
/// Failed sign-ins allowed per login and per address in [`WINDOW`].
const MAX_FAILURES: usize = 5;
const WINDOW: Duration = Duration::from_secs(15 * 60);

/// Sessions by cookie value, and recent failed sign-ins.
#[derive(Default)]
pub struct Sessions {
    live: Mutex<HashMap<String, Session>>,
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl Sessions {
    /// Start a session for `account`; the cookie value to set.
    pub fn start(&self, account: &Account) -> String {
        let id = token();
        let session = Session {
            name: account.name.clone(),
            email: account.email.clone(),
            csrf: token(),
            started: Instant::now(),
        };
        if let Ok(mut live) = self.live.lock() {
            live.retain(|_, s| s.started.elapsed() < SESSION_LIFE);
            live.insert(id.clone(), session);
        }
        id
    }

    pub fn get(&self, id: &str) -> Option<Session> {
        let live = self.live.lock().ok()?;
        live.get(id)
            .filter(|s| s.started.elapsed() < SESSION_LIFE)
            .cloned()
    }

    pub fn end(&self, id: &str) {
        if let Ok(mut live) = self.live.lock() {
            live.remove(id);
        }
    }

    /// Whether `keys` (the login tried, the address it came from) may try again.
    pub fn may_try(&self, keys: &[&str]) -> bool {
        let Ok(mut f) = self.failures.lock() else {
            return false;
        };
        keys.iter().all(|k| {
            let list = f.entry((*k).to_owned()).or_default();
            list.retain(|t| t.elapsed() < WINDOW);
            list.len() < MAX_FAILURES
        })
    }

    pub fn failed(&self, keys: &[&str]) {
        if let Ok(mut f) = self.failures.lock() {
            for k in keys {
                f.entry((*k).to_owned()).or_default().push(Instant::now());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        let accounts = Accounts {
            users: vec![Account {
                login: "mei".into(),
                name: "Mei".into(),
                email: "mei@example.org".into(),
                password: hash,
            }],
        };
        assert!(accounts.verify("mei", "correct horse").is_some());
        assert!(accounts.verify("mei", "wrong").is_none());
        assert!(accounts.verify("nobody", "correct horse").is_none());
    }

    #[test]
    fn failures_are_limited_per_key() {
        let s = Sessions::default();
        for _ in 0..MAX_FAILURES {
            assert!(s.may_try(&["mei", "1.2.3.4"]));
            s.failed(&["mei", "1.2.3.4"]);
        }
        assert!(!s.may_try(&["mei", "5.6.7.8"]), "the login is limited");
        assert!(!s.may_try(&["ann", "1.2.3.4"]), "the address is limited");
        assert!(s.may_try(&["ann", "5.6.7.8"]));
    }
}
