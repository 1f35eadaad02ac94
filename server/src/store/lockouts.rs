//! Failed-login counters, one per account, in the database so that several instances count
//! together.

use super::{Store, Tx};
use sqlx::AssertSqlSafe;
use super::StoreResult;
use orgkit_core::login::LockoutState;

fn state((failed, locked_until): (i64, Option<i64>)) -> LockoutState {
    LockoutState { failed_attempts: u32::try_from(failed).unwrap_or(u32::MAX), locked_until }
}

impl Store {
    /// The lockout state of an account, locked for the update that follows the decision.
    pub async fn lock_lockout(&self, tx: &mut Tx, user_id: &str) -> StoreResult<LockoutState> {
        sqlx::query("INSERT INTO account_lockouts (user_id, failed_attempts) VALUES ($1, 0) ON CONFLICT (user_id) DO NOTHING")
            .bind(user_id)
            .execute(&mut **tx)
            .await?;
        let sql = format!("SELECT failed_attempts, locked_until FROM account_lockouts WHERE user_id = $1{}", self.for_update());
        Ok(state(sqlx::query_as(AssertSqlSafe(sql)).bind(user_id).fetch_one(&mut **tx).await?))
    }

    /// The lockout state without locking (to refuse a locked login before hashing).
    pub async fn lockout(&self, user_id: &str) -> StoreResult<LockoutState> {
        let row: Option<(i64, Option<i64>)> = sqlx::query_as("SELECT failed_attempts, locked_until FROM account_lockouts WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(state).unwrap_or_default())
    }

    /// Stores an account's lockout state.
    pub async fn save_lockout(&self, tx: &mut Tx, user_id: &str, lockout: &LockoutState) -> StoreResult<()> {
        sqlx::query("UPDATE account_lockouts SET failed_attempts = $1, locked_until = $2 WHERE user_id = $3")
            .bind(i64::from(lockout.failed_attempts))
            .bind(lockout.locked_until)
            .bind(user_id)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }
}
