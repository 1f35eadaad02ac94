//! Signing keys: generated at first start (ES256, PKCS#8), kept in the database, rotated by
//! `orgkit-server keys rotate`. Retired keys stay in the JWKS until every token they signed has
//! expired.

use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::store::Store;
use crate::store::keys::KeyRow;
use orgkit_core::settings::SESSION_TTL_HOURS_RANGE;
use orgkit_core::token::{INVITATION_MAX_TTL_SECONDS, KeySet, SigningKey, SigningKeySpec};
use serde_json::{Value, json};
use std::sync::Arc;

/// The algorithm of generated keys.
pub const KEY_ALG: &str = "ES256";

/// How long a retired key stays published: the longest lifetime of any token it signed.
pub fn publish_after_retirement() -> i64 {
    let session = i64::from(*SESSION_TTL_HOURS_RANGE.end()) * 3600;
    session.max(INVITATION_MAX_TTL_SECONDS)
}

/// A new P-256 private key as PKCS#8 PEM.
pub fn generate_pem() -> ApiResult<String> {
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let doc = aws_lc_rs::signature::EcdsaKeyPair::generate_pkcs8(&aws_lc_rs::signature::ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
        .map_err(|_| ApiError::internal("key generation failed"))?;
    let config = pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF);
    Ok(pem::encode_config(&pem::Pem::new("PRIVATE KEY", doc.as_ref()), config))
}

fn new_row(now: i64) -> ApiResult<KeyRow> {
    Ok(KeyRow { kid: clock::random_token(12)?, alg: KEY_ALG.to_owned(), private_pem: generate_pem()?, created_at: now })
}

/// Creates the first signing key when there is none.
pub async fn ensure_key(store: &Store) -> ApiResult<()> {
    if store.current_key().await?.is_some() {
        return Ok(());
    }
    let mut tx = store.begin().await?;
    // Re-check under the write lock: two instances starting together create one key.
    if !store.has_current_key_tx(&mut tx).await? {
        store.insert_key(&mut tx, &new_row(clock::now())?).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Makes a new current key and retires the others (still published for a while). Answers
/// the new key id.
pub async fn rotate(store: &Store) -> ApiResult<String> {
    let now = clock::now();
    let row = new_row(now)?;
    let mut tx = store.begin().await?;
    store.retire_keys(&mut tx, now, now.saturating_add(publish_after_retirement())).await?;
    store.insert_key(&mut tx, &row).await?;
    tx.commit().await?;
    Ok(row.kid)
}

fn signing_key(row: &KeyRow) -> ApiResult<SigningKey> {
    SigningKey::from_spec(&SigningKeySpec {
        kid: row.kid.clone(),
        alg: row.alg.clone(),
        pem: Some(row.private_pem.clone()),
        secret: None,
    })
    .map_err(ApiError::internal)
}

/// The key that signs now.
pub async fn current_signing_key(store: &Store) -> ApiResult<SigningKey> {
    let row = store.current_key().await?.ok_or_else(|| ApiError::internal("no signing key"))?;
    signing_key(&row)
}

/// The published public keys, as JWKs.
pub async fn public_jwks(store: &Store) -> ApiResult<Vec<Value>> {
    let mut keys = Vec::new();
    for row in store.published_keys(clock::now()).await? {
        keys.push(signing_key(&row)?.public_jwk().map_err(ApiError::internal)?);
    }
    Ok(keys)
}

/// The key set tokens are verified against.
pub async fn key_set(store: &Store) -> ApiResult<KeySet> {
    KeySet::from_jwks(&json!({ "keys": public_jwks(store).await? })).map_err(ApiError::internal)
}

/// How long an instance keeps the keys it loaded. A key rotated by another process is used for
/// signing here within this time; a token signed with a key this instance has not loaded yet
/// makes it reload at once (see [`with_keys`]).
pub const KEY_CACHE_SECONDS: u64 = 30;

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
}

impl KeyCache {
    async fn load(&self, store: &Store, force: bool) -> ApiResult<Arc<Loaded>> {
        if !force {
            let cached = self.inner.read().map_err(|_| ApiError::internal("key cache poisoned"))?.clone();
            if let Some(l) = cached.filter(|l| l.at.elapsed().as_secs() < KEY_CACHE_SECONDS) {
                return Ok(l);
            }
        }
        let loaded = Arc::new(Loaded { at: std::time::Instant::now(), verify: key_set(store).await?, sign: current_signing_key(store).await? });
        *self.inner.write().map_err(|_| ApiError::internal("key cache poisoned"))? = Some(Arc::clone(&loaded));
        Ok(loaded)
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

/// Verifies with the cached keys, reloading once when the token names a key not loaded yet.
pub async fn with_keys<T>(cache: &KeyCache, store: &Store, verify: impl Fn(&KeySet) -> orgkit_core::Result<T>) -> ApiResult<T> {
    match verify(&cache.load(store, false).await?.verify) {
        Err(e) if e.code == orgkit_core::ErrorCode::UnknownKey => Ok(verify(&cache.load(store, true).await?.verify)?),
        other => Ok(other?),
    }
}
