//! Core's verifier once the guard has keys; before that (a guard made by `OrgGuard.keyless`,
//! as a `RemoteOrgGuard` is until its first fetch) only its checked configuration.

use super::entry::Memo;
use orgkit_core::token::{KeySet, Lookup, Verifier, VerifierConfig};
use orgkit_core::{Error, ErrorCode};

/// The guard's verifier, or the configuration waiting for its first keys.
pub enum Slot {
    Waiting(VerifierConfig),
    Ready(Verifier<Memo>),
}

impl Slot {
    /// Gives core the new keys: the first ones build the verifier, later ones replace its keys
    /// (core decides which remembered tokens survive).
    pub fn replace_keys(&mut self, keys: KeySet) -> Result<(), Error> {
        match self {
            Slot::Ready(verifier) => verifier.replace_keys(keys),
            Slot::Waiting(config) => *self = Slot::Ready(Verifier::new(config.clone(), keys)?),
        }
        Ok(())
    }

    /// Core's cache lookup; without keys, every token names a key the guard does not have.
    pub fn lookup<'t>(&mut self, token: &'t str, now: i64) -> Result<Lookup<'t, Memo>, Error> {
        match self {
            Slot::Ready(verifier) => Ok(verifier.lookup(token, now)),
            Slot::Waiting(_) => Err(no_keys_yet()),
        }
    }

    /// How many verified tokens core remembers.
    pub fn cached_tokens(&self) -> usize {
        match self {
            Slot::Ready(verifier) => verifier.cached_tokens(),
            Slot::Waiting(_) => 0,
        }
    }
}

/// What a token answers while the guard has no keys: no key is known (the same code as a
/// `kid` the keys lack, so a remote guard answers both alike).
pub fn no_keys_yet() -> Error {
    Error::new(
        ErrorCode::UnknownKey,
        "the guard has no keys yet (no JWKS was fetched: the fetch failed or waits for its cooldown)",
    )
}
