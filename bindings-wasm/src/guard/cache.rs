//! The guard's bounded cache of verified tokens.
//!
//! Keyed by the SHA-256 of the token, so the cache holds no bearer credential. An entry serves
//! only while `verified_at <= now < exp`: it never outlives the token, and a caller asking about
//! an earlier instant (a `now` in the past) gets a full verification by core. Past `exp`, core
//! decides (including its leeway). When full, the oldest entry goes first.

use orgkit_core::token::OrgClaims;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, VecDeque};
use wasm_bindgen::JsValue;

/// A cache key: the SHA-256 of a token.
pub type TokenHash = [u8; 32];

/// Hashes a token into its cache key.
pub fn token_hash(token: &str) -> TokenHash {
    Sha256::digest(token.as_bytes()).into()
}

/// A verified token: its claims and the frozen JS object handed to callers.
pub struct Verified {
    pub claims: OrgClaims,
    pub js: JsValue,
    pub verified_at: i64,
}

/// Bounded map from token hash to verified claims.
pub struct TokenCache {
    capacity: usize,
    entries: HashMap<TokenHash, Verified>,
    order: VecDeque<TokenHash>,
}

impl TokenCache {
    /// A cache of at most `capacity` tokens; `0` disables caching.
    pub fn new(capacity: usize) -> TokenCache {
        TokenCache { capacity, entries: HashMap::new(), order: VecDeque::new() }
    }

    /// The entry for `hash` if it may serve at `now`; a stale entry is dropped.
    pub fn get(&mut self, hash: &TokenHash, now: i64) -> Option<&Verified> {
        let fresh = self.entries.get(hash).map(|e| e.verified_at <= now && now < e.claims.exp)?;
        if !fresh {
            self.entries.remove(hash);
            return None;
        }
        self.entries.get(hash)
    }

    /// Remembers a verified token.
    pub fn insert(&mut self, hash: TokenHash, verified: Verified, now: i64) {
        if self.capacity == 0 || now >= verified.claims.exp {
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
        if self.entries.insert(hash, verified).is_none() {
            self.order.push_back(hash);
        }
        // Keys of dropped entries linger in `order`; compact it before it grows past twice the map.
        if self.order.len() > self.capacity.saturating_mul(2) {
            let entries = &self.entries;
            self.order.retain(|k| entries.contains_key(k));
        }
    }

    /// Forgets everything (the keys changed).
    pub fn clear(&mut self) {
        self.entries.clear();
        self.order.clear();
    }

    /// How many tokens are remembered.
    pub fn len(&self) -> usize {
        self.entries.len()
    }
}
