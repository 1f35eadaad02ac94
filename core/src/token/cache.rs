//! The bounded cache of verified tokens a [`super::Verifier`] keeps: one rule for when a
//! remembered verification may answer again.
//!
//! Keyed by the SHA-256 of the token, so the cache holds no bearer credential. An entry answers
//! only while `verified_at <= now < exp`: core's time checks only get easier as `now` grows
//! from the moment the token verified until it expires, so inside that window a second full
//! verification would give the same claims; outside it (a `now` in the past, or at/after
//! `exp`, where the leeway is core's to apply) the token is verified again. The requirement
//! (org, role, permission) is never cached. When full, expired entries go first, then the
//! oldest. When the key set changes, the verifier keeps only the entries whose key the new set
//! still holds unchanged ([`TokenCache::keys_replaced`]). Deterministic: the caller passes `now`.

use std::collections::{BTreeMap, VecDeque};

/// A cache key: the SHA-256 of a token.
pub type TokenHash = [u8; 32];

/// Hashes a token into its cache key.
pub fn token_hash(token: &str) -> TokenHash {
    use sha2::Digest;
    sha2::Sha256::digest(token.as_bytes()).into()
}

struct Entry<V> {
    value: V,
    exp: i64,
    verified_at: i64,
}

/// At most `capacity` verified tokens for one key set.
pub struct TokenCache<V> {
    capacity: usize,
    entries: BTreeMap<TokenHash, Entry<V>>,
    /// Insertion order, for evicting the oldest entry when full.
    order: VecDeque<TokenHash>,
    /// Bumped whenever the key set changes, so a verification that started under the old keys
    /// (another thread, or JS re-entering) does not store its result under the new ones.
    generation: u64,
}

impl<V> TokenCache<V> {
    /// A cache of at most `capacity` tokens; `0` disables caching.
    pub fn new(capacity: usize) -> TokenCache<V> {
        TokenCache {
            capacity,
            entries: BTreeMap::new(),
            order: VecDeque::new(),
            generation: 0,
        }
    }

    /// The key-set generation a verification starts under; pass it back to [`Self::insert`].
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// How many tokens are remembered.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The value remembered for `hash` if it may answer at `now`; a stale entry is dropped.
    pub fn get(&mut self, hash: &TokenHash, now: i64) -> Option<&V> {
        let fresh = self
            .entries
            .get(hash)
            .map(|e| e.verified_at <= now && now < e.exp)?;
        if !fresh {
            self.entries.remove(hash);
            return None;
        }
        self.entries.get(hash).map(|e| &e.value)
    }

    /// Remembers a token verified at `verified_at` under key-set `generation`, until `exp`.
    /// Ignored when caching is off, the keys changed meanwhile, or the token is already expired.
    pub fn insert(
        &mut self,
        hash: TokenHash,
        value: V,
        exp: i64,
        verified_at: i64,
        generation: u64,
    ) {
        let now = verified_at;
        if self.capacity == 0 || generation != self.generation || now >= exp {
            return;
        }
        let entry = Entry {
            value,
            exp,
            verified_at,
        };
        if let Some(existing) = self.entries.get_mut(&hash) {
            *existing = entry;
            return;
        }
        if self.entries.len() >= self.capacity {
            self.entries.retain(|_, e| now < e.exp);
        }
        while self.entries.len() >= self.capacity {
            match self.order.pop_front() {
                Some(oldest) => {
                    self.entries.remove(&oldest);
                }
                None => self.entries.clear(),
            }
        }
        self.entries.insert(hash, entry);
        self.order.push_back(hash);
        // Keys of dropped entries linger in `order`; compact it before it grows past twice the map.
        if self.order.len() > self.capacity.saturating_mul(2) {
            let entries = &self.entries;
            self.order.retain(|k| entries.contains_key(k));
        }
    }

    /// The key set changed: keeps the entries `keep` says the new keys would verify the same,
    /// forgets the others, and starts a new generation, so that no verification begun under
    /// the old keys is stored.
    pub fn keys_replaced(&mut self, mut keep: impl FnMut(&V) -> bool) {
        self.entries.retain(|_, e| keep(&e.value));
        let entries = &self.entries;
        self.order.retain(|k| entries.contains_key(k));
        self.generation = self.generation.wrapping_add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> TokenHash {
        [n; 32]
    }

    #[test]
    fn an_entry_answers_only_between_verification_and_expiry() {
        let mut cache = TokenCache::new(4);
        cache.insert(key(1), "a", 200, 100, 0);
        assert_eq!(
            cache.get(&key(1), 99),
            None,
            "before verified_at: verify again"
        );
        cache.insert(key(1), "a", 200, 100, 0);
        assert_eq!(cache.get(&key(1), 100), Some(&"a"));
        assert_eq!(cache.get(&key(1), 199), Some(&"a"));
        assert_eq!(cache.get(&key(1), 200), None, "at exp: core decides");
        assert!(cache.is_empty(), "a stale entry is dropped");
    }

    #[test]
    fn expired_tokens_and_stale_generations_are_not_stored() {
        let mut cache = TokenCache::new(4);
        cache.insert(key(1), (), 100, 100, 0);
        let old = cache.generation();
        cache.keys_replaced(|_| true);
        cache.insert(key(2), (), 200, 100, old);
        cache.insert(key(3), (), 200, 100, 0);
        assert!(cache.is_empty());
        cache.insert(key(3), (), 200, 100, cache.generation());
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn when_full_expired_entries_go_first_then_the_oldest() {
        let mut cache = TokenCache::new(2);
        cache.insert(key(1), 1, 1000, 100, 0);
        cache.insert(key(2), 2, 150, 100, 0);
        cache.insert(key(3), 3, 1000, 160, 0);
        assert_eq!(
            cache.get(&key(1), 160),
            Some(&1),
            "the expired entry went, not the oldest"
        );
        cache.insert(key(4), 4, 1000, 160, 0);
        assert_eq!(cache.get(&key(1), 160), None, "then the oldest");
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn a_key_change_keeps_only_what_the_caller_keeps() {
        let mut cache = TokenCache::new(4);
        cache.insert(key(1), "kept", 1000, 100, 0);
        cache.insert(key(2), "dropped", 1000, 100, 0);
        cache.keys_replaced(|v| *v == "kept");
        assert_eq!(cache.get(&key(1), 100), Some(&"kept"));
        assert_eq!(cache.get(&key(2), 100), None);
        assert_eq!(cache.order.len(), 1);
        assert_eq!(cache.generation(), 1);
    }

    #[test]
    fn a_zero_capacity_cache_holds_nothing() {
        let mut cache = TokenCache::new(0);
        cache.insert(key(1), (), 200, 100, 0);
        assert!(cache.is_empty());
    }

    #[test]
    fn the_order_queue_stays_bounded() {
        let mut cache = TokenCache::new(2);
        for i in 0..=255u8 {
            cache.insert(key(i), (), 1000, 100, 0);
            cache.insert(key(i), (), 1000, 100, 0);
        }
        assert!(cache.order.len() <= 4);
        assert_eq!(cache.len(), 2);
    }
}
