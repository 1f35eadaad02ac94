//! The keys an instance verifies and signs with, loaded from the database and kept briefly; a
//! token naming a key not loaded yet makes it reload, at a bounded rate.

use super::{current_signing_key, key_set};
use crate::error::{ApiError, ApiResult};
use crate::store::Store;
use orgkit_core::token::{KeySet, SigningKey};
use std::sync::Arc;

/// How long an instance keeps the keys it loaded. A key rotated by another process is used for
/// signing here within this time; a token signed with a key this instance has not loaded yet
/// makes it reload at once (see [`with_keys`]).
pub const KEY_CACHE_SECONDS: u64 = 30;

/// The least time between two reloads forced by tokens naming a key this instance has not
/// loaded: a stream of forged `kid`s costs at most one query and PEM parse per interval, and a
/// key another instance created since the last reload is still found (after at most this wait).
pub const FORCED_RELOAD_INTERVAL: std::time::Duration = std::time::Duration::from_secs(1);

struct Loaded {
    at: std::time::Instant,
    verify: KeySet,
    sign: SigningKey,
}

/// The keys of this instance, loaded from the database and kept briefly: verifying a token
/// should not cost a query and a PEM parse per request, nor a copy of the keys.
#[derive(Default)]
pub struct KeyCache {
    inner: std::sync::RwLock<Option<Arc<Loaded>>>,
    /// Held by the one forced reload in progress; the others wait for it and share its result.
    forced: tokio::sync::Mutex<()>,
    loads: std::sync::atomic::AtomicU64,
}

impl KeyCache {
    fn cached(&self) -> ApiResult<Option<Arc<Loaded>>> {
        Ok(self.inner.read().map_err(|_| ApiError::internal("key cache poisoned"))?.clone())
    }

    async fn load(&self, store: &Store, force: bool) -> ApiResult<Arc<Loaded>> {
        if !force && let Some(l) = self.cached()?.filter(|l| l.at.elapsed().as_secs() < KEY_CACHE_SECONDS) {
            return Ok(l);
        }
        let loaded = Arc::new(Loaded { at: std::time::Instant::now(), verify: key_set(store).await?, sign: current_signing_key(store).await? });
        self.loads.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        *self.inner.write().map_err(|_| ApiError::internal("key cache poisoned"))? = Some(Arc::clone(&loaded));
        Ok(loaded)
    }

    /// Reloads for a token naming an unknown key: one reload at a time, shared by every request
    /// that asked before it started, and at most one per [`FORCED_RELOAD_INTERVAL`].
    async fn reload_for_unknown_key(&self, store: &Store) -> ApiResult<Arc<Loaded>> {
        let asked = std::time::Instant::now();
        let _turn = self.forced.lock().await;
        let cached = self.cached()?;
        if let Some(l) = &cached {
            if l.at >= asked {
                return Ok(Arc::clone(l));
            }
            let wait = FORCED_RELOAD_INTERVAL.saturating_sub(l.at.elapsed());
            if !wait.is_zero() {
                tokio::time::sleep(wait).await;
            }
        }
        self.load(store, true).await
    }

    /// How many times this instance loaded its keys from the database.
    pub fn loads(&self) -> u64 {
        self.loads.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The key that signs now.
    pub async fn signing_key(&self, store: &Store) -> ApiResult<SigningKey> {
        Ok(self.load(store, false).await?.sign.clone())
    }

    /// Forgets the loaded keys (after a rotation in this process).
    pub fn invalidate(&self) {
        if let Ok(mut guard) = self.inner.write() {
            *guard = None;
        }
    }
}

/// Verifies with the cached keys, reloading once when the token names a key not loaded yet
/// (rate limited: see [`KeyCache::reload_for_unknown_key`]).
pub async fn with_keys<T>(cache: &KeyCache, store: &Store, verify: impl Fn(&KeySet) -> orgkit_core::Result<T>) -> ApiResult<T> {
    match verify(&cache.load(store, false).await?.verify) {
        Err(e) if e.code == orgkit_core::ErrorCode::UnknownKey => Ok(verify(&cache.reload_for_unknown_key(store).await?.verify)?),
        other => Ok(other?),
    }
}
