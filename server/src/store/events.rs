//! Events: written in the transaction of the change they describe, each with one delivery per
//! subscribed endpoint of the tenant (an outbox), listed oldest first, kept for the retention
//! period.

use super::{Page, PageQuery, Store, StoreResult, Tx, new_id};
use orgkit_core::event::EventType;
use sqlx::AssertSqlSafe;

/// An event as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    /// Id (time-ordered): the `webhook-id` of its deliveries.
    pub id: String,
    /// The org it concerns, if any.
    pub org_id: Option<String>,
    /// Its type, e.g. `membership.created`.
    #[sqlx(rename = "type")]
    pub kind: String,
    /// The resource as the management API shows it, JSON.
    pub data: String,
    /// When, unix seconds.
    pub created_at: i64,
}

/// What to record.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    /// The tenant.
    pub tenant_id: &'a str,
    /// The org, if any.
    pub org_id: Option<&'a str>,
    /// The type.
    pub kind: EventType,
    /// The resource, JSON.
    pub data: String,
}

impl Store {
    /// Records an event and, in the same transaction, a delivery of it to every endpoint of the
    /// tenant subscribed to its type (a disabled endpoint's wait until it is enabled again).
    /// Answers the event's id.
    pub async fn insert_event(&self, tx: &mut Tx, event: NewEvent<'_>, now: i64) -> StoreResult<String> {
        let id = new_id();
        sqlx::query("INSERT INTO events (id, tenant_id, org_id, type, data, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&id)
            .bind(event.tenant_id)
            .bind(event.org_id)
            .bind(event.kind.as_str())
            .bind(&event.data)
            .bind(now)
            .execute(&mut **tx)
            .await?;
        // `events` holds a JSON array of type names, which never contain a quote.
        let subscribed = format!("%\"{}\"%", event.kind.as_str());
        let endpoints: Vec<(String,)> = sqlx::query_as(
            "SELECT id FROM webhook_endpoints WHERE tenant_id = $1 AND (events IS NULL OR events LIKE $2) ORDER BY id",
        )
        .bind(event.tenant_id)
        .bind(&subscribed)
        .fetch_all(&mut **tx)
        .await?;
        for (endpoint_id,) in endpoints {
            self.insert_delivery(tx, &endpoint_id, &id, event.org_id.unwrap_or_default(), now).await?;
        }
        Ok(id)
    }

    /// A pending delivery of an event to an endpoint, due now.
    pub(crate) async fn insert_delivery(&self, tx: &mut Tx, endpoint_id: &str, event_id: &str, ordering_key: &str, now: i64) -> StoreResult<String> {
        let id = new_id();
        sqlx::query(
            "INSERT INTO webhook_deliveries (id, endpoint_id, event_id, ordering_key, status, attempts, next_attempt_at, leased_until, created_at) \
             VALUES ($1, $2, $3, $4, 'pending', 0, $5, 0, $5)",
        )
        .bind(&id)
        .bind(endpoint_id)
        .bind(event_id)
        .bind(ordering_key)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        Ok(id)
    }

    /// A page of the tenant's events, oldest first, of the given types (all when empty).
    pub async fn list_events(&self, tenant_id: &str, types: &[EventType], page: &PageQuery) -> StoreResult<Page<EventRow>> {
        // Placeholders $4.. for the types: their number varies, their values are bound.
        let filter: String = (0..types.len()).map(|i| format!("${}", i + 4)).collect::<Vec<_>>().join(", ");
        let filter = if types.is_empty() { String::new() } else { format!(" AND type IN ({filter})") };
        let sql = format!(
            "SELECT id, org_id, type, data, created_at FROM events WHERE tenant_id = $1 AND id > $2{filter} ORDER BY id LIMIT $3"
        );
        let mut query = sqlx::query_as(AssertSqlSafe(sql)).bind(tenant_id).bind(&page.after).bind(page.fetch());
        for kind in types {
            query = query.bind(kind.as_str());
        }
        let rows: Vec<EventRow> = query.fetch_all(self.pool()).await?;
        Ok(page.page(rows, |r| &r.id))
    }

    /// One event.
    pub async fn event(&self, id: &str) -> StoreResult<Option<EventRow>> {
        Ok(sqlx::query_as("SELECT id, org_id, type, data, created_at FROM events WHERE id = $1").bind(id).fetch_optional(self.pool()).await?)
    }

    /// Deletes the events created before `before` (their deliveries go with them); answers how
    /// many.
    pub async fn purge_events(&self, before: i64) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM events WHERE created_at < $1").bind(before).execute(self.pool()).await?;
        Ok(done.rows_affected())
    }
}
