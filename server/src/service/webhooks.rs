//! The tenant's event stream: its events (pull) and its webhook endpoints (push), managed by the
//! operator only. Endpoint URLs and subscriptions are core's rules; the operator is trusted, so
//! any http or https URL is accepted, loopback included.

use super::{parse_body, path_id};
use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::events::EventRow;
use crate::store::tenants::TenantRow;
use crate::store::webhooks::{DeliveryRow, EndpointRow};
use crate::store::{Page, PageQuery, new_id};
use base64::Engine;
use orgkit_core::event::{EventType, SECRET_OVERLAP_SECS, parse_subscription, parse_type_filter, parse_webhook_url};
use poem_openapi::Object;
use poem_openapi::types::MaybeUndefined;
use serde::Deserialize;
use serde_json::Value;

/// Random bytes of a signing secret.
const SECRET_BYTES: usize = 24;

/// `POST /manage/v1/{tenant}/webhooks` body.
#[derive(Debug, Deserialize, Object)]
#[oai(rename = "NewWebhookEndpointRequest")]
#[serde(deny_unknown_fields)]
pub struct NewEndpoint {
    /// Where deliveries go: any http or https URL.
    pub url: String,
    /// The event types to receive; absent or `null` for every type.
    #[serde(default)]
    pub events: Option<Vec<String>>,
}

/// `PATCH /manage/v1/{tenant}/webhooks/{id}` body: what is sent changes.
#[derive(Debug, Deserialize, Object)]
#[oai(rename = "WebhookEndpointPatch")]
#[serde(deny_unknown_fields)]
pub struct EndpointPatch {
    /// A new URL.
    #[serde(default)]
    pub url: Option<String>,
    /// New event types; `null` for every type.
    #[serde(default)]
    pub events: MaybeUndefined<Vec<String>>,
    /// `false` pauses deliveries (events keep queuing for the endpoint, within the retention
    /// period); `true` resumes them, oldest first, the failure streak starting afresh.
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// An endpoint just created, with its secret (shown once).
pub struct CreatedEndpoint {
    /// The stored endpoint.
    pub row: EndpointRow,
    /// Its signing secret, `whsec_…`.
    pub secret: String,
}

/// A new Standard Webhooks signing secret: `whsec_` and base64 of random bytes.
fn new_secret() -> ApiResult<String> {
    let bytes = clock::random_bytes(SECRET_BYTES)?;
    Ok(format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(bytes)))
}

/// What a sealed secret is bound to.
pub(crate) fn secret_context(endpoint_id: &str) -> String {
    format!("webhook_endpoint:{endpoint_id}")
}

fn subscription_text(events: Option<Vec<EventType>>) -> ApiResult<Option<String>> {
    events
        .map(|types| serde_json::to_string(&types).map_err(|e| ApiError::internal(format!("event types do not serialise: {e}"))))
        .transpose()
}

/// Adds an endpoint; it receives the events created from now on.
pub async fn create(state: &AppState, tenant: &TenantRow, body: Value) -> ApiResult<CreatedEndpoint> {
    let body: NewEndpoint = parse_body(body)?;
    let url = parse_webhook_url(&body.url)?;
    let events = subscription_text(parse_subscription(body.events.as_deref())?)?;
    let id = new_id();
    let secret = new_secret()?;
    let now = state.store.now();
    let row = EndpointRow {
        secret: state.secrets.seal(&secret, &secret_context(&id))?,
        id,
        tenant_id: tenant.id.clone(),
        url,
        events,
        previous_secret: None,
        previous_secret_until: None,
        disabled_at: None,
        failing_since: None,
        created_at: now,
        updated_at: now,
    };
    state.store.insert_endpoint(&row).await?;
    Ok(CreatedEndpoint { row, secret })
}

/// One of the tenant's endpoints.
pub async fn get(state: &AppState, tenant: &TenantRow, id: &str) -> ApiResult<EndpointRow> {
    path_id(id, "webhook endpoint")?;
    state.store.endpoint(&tenant.id, id).await?.ok_or_else(|| ApiError::not_found("webhook endpoint"))
}

/// A page of the tenant's endpoints.
pub async fn list(state: &AppState, tenant: &TenantRow, page: &PageQuery) -> ApiResult<Page<EndpointRow>> {
    Ok(state.store.list_endpoints(&tenant.id, page).await?)
}

/// Changes an endpoint's URL, subscription or state.
pub async fn update(state: &AppState, tenant: &TenantRow, id: &str, body: Value) -> ApiResult<EndpointRow> {
    path_id(id, "webhook endpoint")?;
    let patch: EndpointPatch = parse_body(body)?;
    let url = patch.url.as_deref().map(parse_webhook_url).transpose()?;
    let events = match patch.events {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(names) => Some(subscription_text(parse_subscription(Some(&names))?)?),
    };
    let store = &state.store;
    let now = store.now();
    let mut tx = store.begin().await?;
    let mut row = store.lock_endpoint(&mut tx, &tenant.id, id).await?.ok_or_else(|| ApiError::not_found("webhook endpoint"))?;
    if let Some(url) = url {
        row.url = url;
    }
    if let Some(events) = events {
        row.events = events;
    }
    match patch.enabled {
        Some(false) if row.disabled_at.is_none() => row.disabled_at = Some(now),
        Some(true) if row.disabled_at.is_some() => {
            row.disabled_at = None;
            row.failing_since = None;
        }
        _ => {}
    }
    row.updated_at = now;
    store.update_endpoint(&mut tx, &row).await?;
    tx.commit().await?;
    Ok(row)
}

/// Deletes an endpoint and its deliveries.
pub async fn delete(state: &AppState, tenant: &TenantRow, id: &str) -> ApiResult<()> {
    path_id(id, "webhook endpoint")?;
    if state.store.delete_endpoint(&tenant.id, id).await? { Ok(()) } else { Err(ApiError::not_found("webhook endpoint")) }
}

/// Gives an endpoint a new secret; the current one keeps signing beside it for
/// [`SECRET_OVERLAP_SECS`]. Answers the new secret and until when the old one signs.
pub async fn rotate_secret(state: &AppState, tenant: &TenantRow, id: &str) -> ApiResult<(String, i64)> {
    path_id(id, "webhook endpoint")?;
    let store = &state.store;
    let now = store.now();
    let secret = new_secret()?;
    let mut tx = store.begin().await?;
    let mut row = store.lock_endpoint(&mut tx, &tenant.id, id).await?.ok_or_else(|| ApiError::not_found("webhook endpoint"))?;
    let until = now.saturating_add(SECRET_OVERLAP_SECS);
    row.previous_secret = Some(std::mem::replace(&mut row.secret, state.secrets.seal(&secret, &secret_context(&row.id))?));
    row.previous_secret_until = Some(until);
    row.updated_at = now;
    store.update_endpoint(&mut tx, &row).await?;
    tx.commit().await?;
    Ok((secret, until))
}

/// A page of an endpoint's deliveries, oldest first.
pub async fn deliveries(state: &AppState, tenant: &TenantRow, id: &str, page: &PageQuery) -> ApiResult<Page<DeliveryRow>> {
    let endpoint = get(state, tenant, id).await?;
    Ok(state.store.list_deliveries(&endpoint.id, page).await?)
}

/// Sends a delivery's event to its endpoint again, as a new delivery due now.
pub async fn replay(state: &AppState, tenant: &TenantRow, id: &str, delivery_id: &str) -> ApiResult<DeliveryRow> {
    path_id(delivery_id, "delivery")?;
    let endpoint = get(state, tenant, id).await?;
    let store = &state.store;
    let now = store.now();
    let mut tx = store.begin().await?;
    let original = store.delivery(&mut tx, &endpoint.id, delivery_id).await?.ok_or_else(|| ApiError::not_found("delivery"))?;
    let event = store.event(&original.event_id).await?.ok_or_else(|| ApiError::not_found("event"))?;
    let replay_id = store.insert_delivery(&mut tx, &endpoint.id, &event.id, event.org_id.as_deref().unwrap_or_default(), now).await?;
    let replay = store.delivery(&mut tx, &endpoint.id, &replay_id).await?.ok_or_else(|| ApiError::internal("a delivery vanished"))?;
    tx.commit().await?;
    Ok(replay)
}

/// A page of the tenant's events, oldest first, filtered by `types` (comma-separated).
pub async fn events(state: &AppState, tenant: &TenantRow, types: Option<&str>, page: &PageQuery) -> ApiResult<Page<EventRow>> {
    let types = parse_type_filter(types.unwrap_or_default())?;
    Ok(state.store.list_events(&tenant.id, &types, page).await?)
}
