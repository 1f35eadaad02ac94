//! SSO identities: accounts linked to a connection by a trusted login.

use super::{Store, Tx};
use super::StoreResult;

impl Store {
    /// Whether the account is linked to the connection.
    pub async fn is_linked(&self, tx: &mut Tx, connection_id: &str, user_id: &str) -> StoreResult<bool> {
        let found: Option<String> = sqlx::query_scalar("SELECT user_id FROM sso_identities WHERE connection_id = $1 AND user_id = $2")
            .bind(connection_id)
            .bind(user_id)
            .fetch_optional(&mut **tx)
            .await?;
        Ok(found.is_some())
    }

    /// Links the account to the connection.
    pub async fn link_identity(&self, tx: &mut Tx, connection_id: &str, user_id: &str, now: i64) -> StoreResult<()> {
        sqlx::query("INSERT INTO sso_identities (connection_id, user_id, created_at) VALUES ($1, $2, $3)")
            .bind(connection_id)
            .bind(user_id)
            .bind(now)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }
}
