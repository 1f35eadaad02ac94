//! Why the server cannot start: the setting at fault and what went wrong with it.

/// A start-up failure, shown as `ORGKIT_DATABASE_URL: cannot connect (…)`: the operator reads
/// which variable to fix, and the process exits non-zero.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{setting}: {message}")]
pub struct StartupError {
    /// The environment variable (or command-line option) at fault.
    pub setting: &'static str,
    /// What went wrong, with the underlying error's detail.
    pub message: String,
}

impl StartupError {
    /// A failure of `setting`.
    pub fn new(setting: &'static str, message: impl Into<String>) -> StartupError {
        StartupError { setting, message: message.into() }
    }

    /// A database failure at start-up (connecting, migrating, the first key).
    pub fn database(what: &str, detail: impl std::fmt::Display) -> StartupError {
        StartupError::new("ORGKIT_DATABASE_URL", format!("{what} ({detail})"))
    }
}
