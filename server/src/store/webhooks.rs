//! Webhook endpoints of a tenant and the deliveries of events to them.

use super::{Dialect, Page, PageQuery, Store, StoreResult, Tx};
use sqlx::AssertSqlSafe;

/// A webhook endpoint as stored (secrets sealed).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EndpointRow {
    /// Id.
    pub id: String,
    /// The tenant.
    pub tenant_id: String,
    /// Where deliveries go.
    pub url: String,
    /// The subscribed types, a JSON array; `None` for every type.
    pub events: Option<String>,
    /// The signing secret (`whsec_…`), sealed.
    pub secret: String,
    /// The secret rotated out, sealed: it still signs until `previous_secret_until`.
    pub previous_secret: Option<String>,
    /// Until when the previous secret signs, unix seconds.
    pub previous_secret_until: Option<i64>,
    /// When it was disabled (by the operator or after a day of failures).
    pub disabled_at: Option<i64>,
    /// When its deliveries began failing (none since the last success).
    pub failing_since: Option<i64>,
    /// Created, unix seconds.
    pub created_at: i64,
    /// Last changed, unix seconds.
    pub updated_at: i64,
}

const ENDPOINT_COLUMNS: &str =
    "id, tenant_id, url, events, secret, previous_secret, previous_secret_until, disabled_at, failing_since, created_at, updated_at";

/// A delivery of an event to an endpoint, with the event's type.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeliveryRow {
    /// Id (time-ordered).
    pub id: String,
    /// The endpoint.
    pub endpoint_id: String,
    /// The event.
    pub event_id: String,
    /// The event's type.
    pub event_type: String,
    /// `pending`, `succeeded` or `failed` (given up when its endpoint was disabled).
    pub status: String,
    /// Attempts so far.
    pub attempts: i64,
    /// When the next attempt is due (pending), unix seconds.
    pub next_attempt_at: i64,
    /// The HTTP status of the last attempt, if it got one.
    pub response_status: Option<i64>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// Created, unix seconds.
    pub created_at: i64,
    /// When the endpoint acknowledged it.
    pub delivered_at: Option<i64>,
}

const DELIVERY_COLUMNS: &str = "d.id, d.endpoint_id, d.event_id, e.type AS event_type, d.status, d.attempts, d.next_attempt_at, \
     d.response_status, d.last_error, d.created_at, d.delivered_at";

/// A delivery claimed for an attempt: everything the attempt needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClaimedDelivery {
    /// The delivery.
    pub id: String,
    /// Attempts, this one included.
    pub attempts: i64,
    /// The event's id.
    pub event_id: String,
    /// The event's type.
    pub event_type: String,
    /// The event's data, JSON.
    pub data: String,
    /// When the event happened, unix seconds.
    pub event_created_at: i64,
    /// The endpoint.
    pub endpoint_id: String,
    /// Its URL.
    pub url: String,
    /// Its secret, sealed.
    pub secret: String,
    /// Its previous secret, sealed, while it still signs.
    pub previous_secret: Option<String>,
    /// Until when.
    pub previous_secret_until: Option<i64>,
    /// Since when it fails.
    pub failing_since: Option<i64>,
}

/// How an attempt ended.
#[derive(Debug, Clone)]
pub enum AttemptOutcome {
    /// Acknowledged with this status.
    Delivered {
        /// The HTTP status.
        status: i64,
    },
    /// Failed; tried again at `retry_at`.
    Retry {
        /// The HTTP status, if any.
        status: Option<i64>,
        /// Why.
        error: String,
        /// When.
        retry_at: i64,
    },
    /// Failed for a day: the delivery is given up and the endpoint disabled.
    GiveUp {
        /// The HTTP status, if any.
        status: Option<i64>,
        /// Why.
        error: String,
    },
}

impl Store {
    /// Adds an endpoint.
    pub async fn insert_endpoint(&self, row: &EndpointRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO webhook_endpoints (id, tenant_id, url, events, secret, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(&row.id)
        .bind(&row.tenant_id)
        .bind(&row.url)
        .bind(&row.events)
        .bind(&row.secret)
        .bind(row.created_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// One of the tenant's endpoints.
    pub async fn endpoint(&self, tenant_id: &str, id: &str) -> StoreResult<Option<EndpointRow>> {
        let sql = format!("SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2");
        Ok(sqlx::query_as(AssertSqlSafe(sql)).bind(tenant_id).bind(id).fetch_optional(self.pool()).await?)
    }

    /// One of the tenant's endpoints, locked for a change.
    pub async fn lock_endpoint(&self, tx: &mut Tx, tenant_id: &str, id: &str) -> StoreResult<Option<EndpointRow>> {
        let sql = format!("SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2{}", self.for_update());
        Ok(sqlx::query_as(AssertSqlSafe(sql)).bind(tenant_id).bind(id).fetch_optional(&mut **tx).await?)
    }

    /// A page of the tenant's endpoints.
    pub async fn list_endpoints(&self, tenant_id: &str, page: &PageQuery) -> StoreResult<Page<EndpointRow>> {
        let sql = format!("SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3");
        let rows: Vec<EndpointRow> =
            sqlx::query_as(AssertSqlSafe(sql)).bind(tenant_id).bind(&page.after).bind(page.fetch()).fetch_all(self.pool()).await?;
        Ok(page.page(rows, |r| &r.id))
    }

    /// Writes an endpoint's URL, subscription, secrets and state.
    pub async fn update_endpoint(&self, tx: &mut Tx, row: &EndpointRow) -> StoreResult<()> {
        sqlx::query(
            "UPDATE webhook_endpoints SET url = $1, events = $2, secret = $3, previous_secret = $4, previous_secret_until = $5, \
             disabled_at = $6, failing_since = $7, updated_at = $8 WHERE id = $9",
        )
        .bind(&row.url)
        .bind(&row.events)
        .bind(&row.secret)
        .bind(&row.previous_secret)
        .bind(row.previous_secret_until)
        .bind(row.disabled_at)
        .bind(row.failing_since)
        .bind(row.updated_at)
        .bind(&row.id)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Deletes one of the tenant's endpoints (its deliveries go with it); answers whether there
    /// was one.
    pub async fn delete_endpoint(&self, tenant_id: &str, id: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2").bind(tenant_id).bind(id).execute(self.pool()).await?;
        Ok(done.rows_affected() > 0)
    }

    /// A page of an endpoint's deliveries, oldest first.
    pub async fn list_deliveries(&self, endpoint_id: &str, page: &PageQuery) -> StoreResult<Page<DeliveryRow>> {
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN events e ON e.id = d.event_id \
             WHERE d.endpoint_id = $1 AND d.id > $2 ORDER BY d.id LIMIT $3"
        );
        let rows: Vec<DeliveryRow> =
            sqlx::query_as(AssertSqlSafe(sql)).bind(endpoint_id).bind(&page.after).bind(page.fetch()).fetch_all(self.pool()).await?;
        Ok(page.page(rows, |r| &r.id))
    }

    /// One of an endpoint's deliveries.
    pub async fn delivery(&self, executor: &mut Tx, endpoint_id: &str, id: &str) -> StoreResult<Option<DeliveryRow>> {
        let sql = format!("SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN events e ON e.id = d.event_id WHERE d.endpoint_id = $1 AND d.id = $2");
        Ok(sqlx::query_as(AssertSqlSafe(sql)).bind(endpoint_id).bind(id).fetch_optional(&mut **executor).await?)
    }

    /// Claims up to `limit` due deliveries for an attempt, each the oldest pending one of its
    /// endpoint and org (so one org's events reach an endpoint in order), leasing them until
    /// `leased_until` and counting the attempt. Several instances never claim one delivery
    /// together: PostgreSQL skips the rows another claim holds, SQLite has one writer.
    pub async fn claim_deliveries(&self, now: i64, leased_until: i64, limit: i64) -> StoreResult<Vec<ClaimedDelivery>> {
        let skip_locked = match self.dialect() {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE OF d SKIP LOCKED",
        };
        let mut tx = self.begin().await?;
        let sql = format!(
            "SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id \
             WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND d.leased_until <= $1 AND w.disabled_at IS NULL \
             AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p WHERE p.endpoint_id = d.endpoint_id \
                 AND p.ordering_key = d.ordering_key AND p.status = 'pending' AND p.id < d.id) \
             ORDER BY d.id LIMIT $2{skip_locked}"
        );
        let ids: Vec<(String,)> = sqlx::query_as(AssertSqlSafe(sql)).bind(now).bind(limit).fetch_all(&mut *tx).await?;
        let mut claimed = Vec::with_capacity(ids.len());
        for (id,) in ids {
            sqlx::query("UPDATE webhook_deliveries SET leased_until = $1, attempts = attempts + 1 WHERE id = $2")
                .bind(leased_until)
                .bind(&id)
                .execute(&mut *tx)
                .await?;
            let row: ClaimedDelivery = sqlx::query_as(
                "SELECT d.id, d.attempts, e.id AS event_id, e.type AS event_type, e.data, e.created_at AS event_created_at, \
                 w.id AS endpoint_id, w.url, w.secret, w.previous_secret, w.previous_secret_until, w.failing_since \
                 FROM webhook_deliveries d JOIN events e ON e.id = d.event_id JOIN webhook_endpoints w ON w.id = d.endpoint_id WHERE d.id = $1",
            )
            .bind(&id)
            .fetch_one(&mut *tx)
            .await?;
            claimed.push(row);
        }
        tx.commit().await?;
        Ok(claimed)
    }

    /// Records how an attempt ended, on the delivery and on its endpoint's failure streak.
    pub async fn finish_attempt(&self, delivery: &ClaimedDelivery, outcome: &AttemptOutcome, now: i64) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        match outcome {
            AttemptOutcome::Delivered { status } => {
                sqlx::query("UPDATE webhook_deliveries SET status = 'succeeded', response_status = $1, last_error = NULL, delivered_at = $2, leased_until = 0 WHERE id = $3")
                    .bind(status)
                    .bind(now)
                    .bind(&delivery.id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1").bind(&delivery.endpoint_id).execute(&mut *tx).await?;
            }
            AttemptOutcome::Retry { status, error, retry_at } => {
                sqlx::query("UPDATE webhook_deliveries SET response_status = $1, last_error = $2, next_attempt_at = $3, leased_until = 0 WHERE id = $4")
                    .bind(status)
                    .bind(error)
                    .bind(retry_at)
                    .bind(&delivery.id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, $1) WHERE id = $2")
                    .bind(now)
                    .bind(&delivery.endpoint_id)
                    .execute(&mut *tx)
                    .await?;
            }
            AttemptOutcome::GiveUp { status, error } => {
                sqlx::query("UPDATE webhook_deliveries SET status = 'failed', response_status = $1, last_error = $2, leased_until = 0 WHERE id = $3")
                    .bind(status)
                    .bind(error)
                    .bind(&delivery.id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("UPDATE webhook_endpoints SET disabled_at = $1, updated_at = $1 WHERE id = $2").bind(now).bind(&delivery.endpoint_id).execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }
}
