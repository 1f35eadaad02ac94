//! TOTP factors: one per user, a confirmed secret and at most one pending enrolment.
//!
//! Single use of a code is the store's part of RFC 6238: core answers the time-step a code
//! matched, and the step is only accepted by an `UPDATE` whose `WHERE` requires it to be
//! newer than the stored one, so of two requests racing with the same code exactly one
//! changes a row.

use super::{Store, Tx};
use super::StoreResult;

/// A user's TOTP factor as stored.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct TotpFactorRow {
    /// The confirmed secret (base32), once a first code verified.
    pub secret: Option<String>,
    /// When it was confirmed, unix seconds.
    pub confirmed_at: Option<i64>,
    /// Time-step of the last accepted code.
    pub last_used_step: Option<i64>,
    /// An enrolment waiting for its first code (base32).
    pub pending_secret: Option<String>,
}

impl TotpFactorRow {
    /// The confirmed secret, if the user has a working factor.
    pub fn confirmed(&self) -> Option<&str> {
        self.secret.as_deref().filter(|_| self.confirmed_at.is_some())
    }
}

/// A time-step as stored (BIGINT); steps of real clocks are far below `i64::MAX`.
fn step_i64(step: u64) -> i64 {
    i64::try_from(step).unwrap_or(i64::MAX)
}

impl Store {
    /// The user's factor (all `None` when the user never enrolled).
    pub async fn totp_factor(&self, tx: &mut Tx, user_id: &str) -> StoreResult<TotpFactorRow> {
        let row: Option<TotpFactorRow> = sqlx::query_as(
            "SELECT secret, confirmed_at, last_used_step, pending_secret FROM totp_factors WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_optional(&mut **tx)
        .await?;
        Ok(row.unwrap_or_default())
    }

    /// Starts (or restarts) an enrolment: `secret` becomes the pending secret; a confirmed
    /// factor stays in force until the pending one is confirmed.
    pub async fn set_pending_totp(&self, tx: &mut Tx, user_id: &str, secret: &str, now: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO totp_factors (user_id, pending_secret, pending_created_at, updated_at) VALUES ($1, $2, $3, $3) \
             ON CONFLICT (user_id) DO UPDATE SET pending_secret = $2, pending_created_at = $3, updated_at = $3",
        )
        .bind(user_id)
        .bind(secret)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// The pending secret, created from `candidate` when there is none: repeated logins that
    /// answer an enrolment hand out the same secret, the one the app may already have scanned.
    pub async fn pending_totp_or_insert(&self, tx: &mut Tx, user_id: &str, candidate: &str, now: i64) -> StoreResult<String> {
        sqlx::query(
            "INSERT INTO totp_factors (user_id, pending_secret, pending_created_at, updated_at) VALUES ($1, $2, $3, $3) \
             ON CONFLICT (user_id) DO UPDATE SET pending_secret = $2, pending_created_at = $3, updated_at = $3 \
             WHERE totp_factors.pending_secret IS NULL",
        )
        .bind(user_id)
        .bind(candidate)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        let secret: Option<String> = sqlx::query_scalar("SELECT pending_secret FROM totp_factors WHERE user_id = $1")
            .bind(user_id)
            .fetch_one(&mut **tx)
            .await?;
        Ok(secret.unwrap_or_else(|| candidate.to_owned()))
    }

    /// Accepts a code of the confirmed factor `secret` at `step`; `false` when the step was
    /// already used (or the factor changed since it was read).
    pub async fn consume_totp_step(&self, tx: &mut Tx, user_id: &str, secret: &str, step: u64, now: i64) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE totp_factors SET last_used_step = $3, updated_at = $4 \
             WHERE user_id = $1 AND secret = $2 AND confirmed_at IS NOT NULL \
             AND (last_used_step IS NULL OR last_used_step < $3)",
        )
        .bind(user_id)
        .bind(secret)
        .bind(step_i64(step))
        .bind(now)
        .execute(&mut **tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Confirms the pending enrolment `pending` with the code of `step`: it becomes the factor
    /// (replacing an older one) and that step counts as used. `false` when another request
    /// confirmed or replaced it first.
    pub async fn confirm_pending_totp(&self, tx: &mut Tx, user_id: &str, pending: &str, step: u64, now: i64) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE totp_factors SET secret = pending_secret, confirmed_at = $3, last_used_step = $4, \
             pending_secret = NULL, pending_created_at = NULL, updated_at = $3 \
             WHERE user_id = $1 AND pending_secret = $2",
        )
        .bind(user_id)
        .bind(pending)
        .bind(now)
        .bind(step_i64(step))
        .execute(&mut **tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
