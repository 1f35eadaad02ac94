//! Failed-login counters, per user and login context, in the database so that several
//! instances count together.

use super::{Store, Tx};
use sqlx::AssertSqlSafe;
use crate::error::ApiResult;
use orgkit_core::login::LockoutState;

impl Store {
    /// The lockout state of a user in a context (`''` = no org), locked for the update that
    /// follows the decision.
    pub async fn lock_lockout(&self, tx: &mut Tx, user_id: &str, org_id: &str) -> ApiResult<LockoutState> {
        sqlx::query(
            "INSERT INTO login_lockouts (user_id, org_id, failed_attempts) VALUES ($1, $2, 0) \
             ON CONFLICT (user_id, org_id) DO NOTHING",
        )
        .bind(user_id)
        .bind(org_id)
        .execute(&mut **tx)
        .await?;
        let sql = format!(
            "SELECT failed_attempts, locked_until FROM login_lockouts WHERE user_id = $1 AND org_id = $2{}",
            self.for_update()
        );
        let (failed, locked_until): (i64, Option<i64>) =
            sqlx::query_as(AssertSqlSafe(sql)).bind(user_id).bind(org_id).fetch_one(&mut **tx).await?;
        Ok(LockoutState { failed_attempts: u32::try_from(failed).unwrap_or(u32::MAX), locked_until })
    }

    /// The lockout state without locking (to refuse a locked login before hashing).
    pub async fn lockout(&self, user_id: &str, org_id: &str) -> ApiResult<LockoutState> {
        let row: Option<(i64, Option<i64>)> =
            sqlx::query_as("SELECT failed_attempts, locked_until FROM login_lockouts WHERE user_id = $1 AND org_id = $2")
                .bind(user_id)
                .bind(org_id)
                .fetch_optional(self.pool())
                .await?;
        Ok(row
            .map(|(failed, locked_until)| LockoutState {
                failed_attempts: u32::try_from(failed).unwrap_or(u32::MAX),
                locked_until,
            })
            .unwrap_or_default())
    }

    /// Stores a lockout state.
    pub async fn save_lockout(&self, tx: &mut Tx, user_id: &str, org_id: &str, state: &LockoutState) -> ApiResult<()> {
        sqlx::query("UPDATE login_lockouts SET failed_attempts = $1, locked_until = $2 WHERE user_id = $3 AND org_id = $4")
            .bind(i64::from(state.failed_attempts))
            .bind(state.locked_until)
            .bind(user_id)
            .bind(org_id)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }
}
