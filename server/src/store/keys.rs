//! Signing keys, kept in the database so every instance signs and verifies with the same set.

use super::{Store, Tx};
use super::StoreResult;

/// A signing key as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KeyRow {
    /// Key id.
    pub kid: String,
    /// JWS algorithm.
    pub alg: String,
    /// PKCS#8 PEM.
    pub private_pem: String,
    /// Created, unix seconds.
    pub created_at: i64,
}

impl Store {
    /// Whether a current (unretired) key exists, read in the transaction that would insert one.
    pub async fn has_current_key_tx(&self, tx: &mut Tx) -> StoreResult<bool> {
        let current: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM signing_keys WHERE retired_at IS NULL").fetch_one(&mut **tx).await?;
        Ok(current > 0)
    }

    /// Inserts a key.
    pub async fn insert_key(&self, tx: &mut Tx, key: &KeyRow) -> StoreResult<()> {
        sqlx::query("INSERT INTO signing_keys (kid, alg, private_pem, created_at) VALUES ($1, $2, $3, $4)")
            .bind(&key.kid)
            .bind(&key.alg)
            .bind(&key.private_pem)
            .bind(key.created_at)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Retires every current key: it stops signing and stays published until `publish_until`.
    pub async fn retire_keys(&self, tx: &mut Tx, now: i64, publish_until: i64) -> StoreResult<()> {
        sqlx::query("UPDATE signing_keys SET retired_at = $1, publish_until = $2 WHERE retired_at IS NULL")
            .bind(now)
            .bind(publish_until)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// The key that signs now: the newest one not retired.
    pub async fn current_key(&self) -> StoreResult<Option<KeyRow>> {
        Ok(sqlx::query_as(
            "SELECT kid, alg, private_pem, created_at FROM signing_keys WHERE retired_at IS NULL \
             ORDER BY created_at DESC, kid DESC LIMIT 1",
        )
        .fetch_optional(self.pool())
        .await?)
    }

    /// The keys whose tokens may still be valid at `now`: the current ones and retired ones
    /// still published.
    pub async fn published_keys(&self, now: i64) -> StoreResult<Vec<KeyRow>> {
        Ok(sqlx::query_as(
            "SELECT kid, alg, private_pem, created_at FROM signing_keys \
             WHERE retired_at IS NULL OR publish_until > $1 ORDER BY created_at DESC, kid DESC",
        )
        .bind(now)
        .fetch_all(self.pool())
        .await?)
    }
}
