//! Signing keys: generated at first start (ES256, PKCS#8), kept in the database, rotated by
//! `orgkit-server keys rotate`. Retired keys stay in the JWKS until every token they signed has
//! expired. Each instance keeps the keys it loaded in a [`KeyCache`] (`cache.rs`).

mod cache;

pub use cache::{FORCED_RELOAD_INTERVAL, KEY_CACHE_SECONDS, KeyCache, with_keys};

use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::store::Store;
use crate::store::keys::KeyRow;
use orgkit_core::token::{KeySet, RETIRED_KEY_PUBLISH_SECONDS, SigningKey, SigningKeySpec};
use serde_json::{Value, json};

/// The algorithm of generated keys.
pub const KEY_ALG: &str = "ES256";

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
        store.insert_key(&mut tx, &new_row(store.now())?).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Makes a new current key and retires the others (still published for a while). Answers
/// the new key id.
pub async fn rotate(store: &Store) -> ApiResult<String> {
    let now = store.now();
    let row = new_row(now)?;
    let mut tx = store.begin().await?;
    store.retire_keys(&mut tx, now, now.saturating_add(RETIRED_KEY_PUBLISH_SECONDS)).await?;
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
    for row in store.published_keys(store.now()).await? {
        keys.push(signing_key(&row)?.public_jwk().map_err(ApiError::internal)?);
    }
    Ok(keys)
}

/// The key set tokens are verified against.
pub async fn key_set(store: &Store) -> ApiResult<KeySet> {
    KeySet::from_jwks(&json!({ "keys": public_jwks(store).await? })).map_err(ApiError::internal)
}
