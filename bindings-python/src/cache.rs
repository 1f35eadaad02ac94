//! The bounded cache of verified tokens.
//!
//! The same cache as the WASM guard's: keyed by the SHA-256 of the token, so no bearer
//! credential is kept; an entry answers only while `verified_at <= now < exp`. Core's time
//! checks only get easier as `now` grows from the moment the token verified until it expires,
//! so inside that window a second full verification would give the same claims; outside it
//! (a `now` in the past, or at/after `exp`) core verifies the token again. The requirement
//! (org, role, permission) is not cached: the caller checks it on every call.

use orgkit_core::token::OrgClaims;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// A token's cache key.
pub type TokenHash = [u8; 32];

/// Hashes a token for the cache.
pub fn token_hash(token: &str) -> TokenHash {
    Sha256::digest(token.as_bytes()).into()
}

/// A verified token: its claims (for requirement checks) and the claims dict handed out
/// (copied on every hit so callers cannot alter the cache).
pub struct Entry {
    pub claims: OrgClaims,
    pub dict: Py<PyDict>,
    pub verified_at: i64,
}

/// At most `capacity` verified tokens for one key set.
pub struct TokenCache {
    capacity: usize,
    entries: HashMap<TokenHash, Entry>,
    /// Bumped whenever the key set changes, so a verification that started under the old keys
    /// does not store its result under the new ones.
    generation: u64,
}

impl TokenCache {
    pub fn new(capacity: usize) -> TokenCache {
        TokenCache {
            capacity,
            entries: HashMap::with_capacity(capacity.min(4096)),
            generation: 0,
        }
    }

    pub fn generation(&self) -> u64 {
        self.generation
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The entry for `hash` if it may answer at `now`.
    pub fn get(&self, hash: &TokenHash, now: i64) -> Option<&Entry> {
        self.entries
            .get(hash)
            .filter(|e| e.verified_at <= now && now < e.claims.exp)
    }

    /// Stores a verification made under key-set `generation`. When full, expired entries go
    /// first, then the entry that expires soonest.
    pub fn insert(&mut self, hash: TokenHash, entry: Entry, generation: u64) {
        if self.capacity == 0
            || generation != self.generation
            || entry.verified_at >= entry.claims.exp
        {
            return;
        }
        if self.entries.len() >= self.capacity && !self.entries.contains_key(&hash) {
            let now = entry.verified_at;
            self.entries.retain(|_, e| now < e.claims.exp);
            if self.entries.len() >= self.capacity {
                let soonest = self
                    .entries
                    .iter()
                    .min_by_key(|(_, e)| e.claims.exp)
                    .map(|(h, _)| *h);
                if let Some(h) = soonest {
                    self.entries.remove(&h);
                }
            }
        }
        self.entries.insert(hash, entry);
    }

    /// Forgets every entry (the key set changed).
    pub fn clear(&mut self) {
        self.entries.clear();
        self.generation = self.generation.wrapping_add(1);
    }
}
