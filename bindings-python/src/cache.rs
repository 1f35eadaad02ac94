//! The bounded cache of verified tokens.
//!
//! The same cache as the WASM guard's: keyed by the SHA-256 of the token, so no bearer
//! credential is kept; an entry answers only while `verified_at <= now < exp`. Core's time
//! checks only get easier as `now` grows from the moment the token verified until it expires,
//! so inside that window a second full verification would give the same claims; outside it
//! (a `now` in the past, or at/after `exp`) core verifies the token again. The requirement
//! (org, role, permission) is not cached: the caller checks it on every call. When full,
//! expired entries go first, then the oldest.

use orgkit_core::token::OrgClaims;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, VecDeque};

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
    /// Insertion order, for evicting the oldest entry when full.
    order: VecDeque<TokenHash>,
    /// Bumped whenever the key set changes, so a verification that started under the old keys
    /// does not store its result under the new ones.
    generation: u64,
}

impl TokenCache {
    /// A cache of at most `capacity` tokens; `0` disables caching.
    pub fn new(capacity: usize) -> TokenCache {
        TokenCache {
            capacity,
            entries: HashMap::new(),
            order: VecDeque::new(),
            generation: 0,
        }
    }

    pub fn generation(&self) -> u64 {
        self.generation
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The entry for `hash` if it may serve at `now`; a stale entry is dropped.
    pub fn get(&mut self, hash: &TokenHash, now: i64) -> Option<&Entry> {
        let fresh = self
            .entries
            .get(hash)
            .map(|e| e.verified_at <= now && now < e.claims.exp)?;
        if !fresh {
            self.entries.remove(hash);
            return None;
        }
        self.entries.get(hash)
    }

    /// Stores a verification made at `entry.verified_at` under key-set `generation`. When full,
    /// expired entries go first, then the oldest.
    pub fn insert(&mut self, hash: TokenHash, entry: Entry, generation: u64) {
        let now = entry.verified_at;
        if self.capacity == 0 || generation != self.generation || now >= entry.claims.exp {
            return;
        }
        if self.entries.len() >= self.capacity {
            self.entries.retain(|_, e| now < e.claims.exp);
        }
        while self.entries.len() >= self.capacity {
            match self.order.pop_front() {
                Some(oldest) => {
                    self.entries.remove(&oldest);
                }
                None => self.entries.clear(),
            }
        }
        if self.entries.insert(hash, entry).is_none() {
            self.order.push_back(hash);
        }
        // Keys of dropped entries linger in `order`; compact it before it grows past twice the map.
        if self.order.len() > self.capacity.saturating_mul(2) {
            let entries = &self.entries;
            self.order.retain(|k| entries.contains_key(k));
        }
    }

    /// Forgets every entry (the key set changed).
    pub fn clear(&mut self) {
        self.entries.clear();
        self.order.clear();
        self.generation = self.generation.wrapping_add(1);
    }
}
