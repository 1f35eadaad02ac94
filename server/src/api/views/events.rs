//! Events, webhook endpoints and their deliveries (management API), and the directory
//! resources events carry.

use super::time;
use crate::store::events::EventRow;
use crate::store::scim::{ScimGroupRow, ScimUserRow};
use crate::store::webhooks::{DeliveryRow, EndpointRow};
use poem_openapi::Object;
use serde::Serialize;
use serde_json::Value;

/// An event: `data` is the resource as the management API shows it, with `organization_id`.
#[derive(Object, Serialize)]
pub struct Event {
    /// Id (time-ordered); deliveries carry it as `webhook-id`.
    pub id: String,
    /// E.g. `membership.created`.
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub kind: String,
    /// When (RFC 3339).
    #[oai(rename = "createdAt")]
    #[serde(rename = "createdAt")]
    pub created_at: String,
    /// The resource.
    pub data: Value,
}

impl Event {
    /// The view of a stored event (its data was written as JSON by the server).
    pub fn new(row: EventRow) -> Event {
        let data = serde_json::from_str(&row.data).unwrap_or(Value::Null);
        Event { id: row.id, kind: row.kind, created_at: time(row.created_at), data }
    }
}

/// A webhook endpoint (its secret is shown only when created or rotated).
#[derive(Object, Serialize)]
pub struct WebhookEndpoint {
    /// Id.
    pub id: String,
    /// Where deliveries go.
    pub url: String,
    /// The event types it receives; `null` for every type.
    #[oai(nullable)]
    pub events: Option<Vec<String>>,
    /// Whether deliveries are made (`false` once disabled by the operator or after a day of
    /// failures).
    pub enabled: bool,
    /// When its deliveries began failing, `null` while they succeed.
    #[oai(nullable)]
    pub failing_since: Option<String>,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Last changed (RFC 3339).
    pub updated_at: String,
}

impl WebhookEndpoint {
    /// The view of `row`.
    pub fn new(row: EndpointRow) -> WebhookEndpoint {
        let events = row.events.as_deref().and_then(|e| serde_json::from_str(e).ok());
        WebhookEndpoint {
            enabled: row.disabled_at.is_none(),
            failing_since: row.failing_since.map(time),
            created_at: time(row.created_at),
            updated_at: time(row.updated_at),
            id: row.id,
            url: row.url,
            events,
        }
    }
}

/// A webhook endpoint just created, with its signing secret (`whsec_…`), shown this once.
#[derive(Object, Serialize)]
pub struct NewWebhookEndpoint {
    /// The endpoint.
    #[oai(flatten)]
    #[serde(flatten)]
    pub endpoint: WebhookEndpoint,
    /// The Standard Webhooks signing secret.
    pub secret: String,
}

/// An endpoint's new signing secret; the previous one still signs until
/// `previous_secret_expires_at`.
#[derive(Object, Serialize)]
pub struct RotatedSecret {
    /// The new secret (`whsec_…`).
    pub secret: String,
    /// Until when deliveries also carry a signature by the previous secret (RFC 3339).
    pub previous_secret_expires_at: String,
}

/// A delivery of an event to an endpoint.
#[derive(Object, Serialize)]
pub struct Delivery {
    /// Id.
    pub id: String,
    /// The event.
    pub event_id: String,
    /// Its type.
    pub event_type: String,
    /// `pending`, `succeeded` or `failed`.
    pub status: String,
    /// Attempts so far.
    pub attempts: i64,
    /// The next attempt (RFC 3339) while pending.
    #[oai(nullable)]
    pub next_attempt_at: Option<String>,
    /// The HTTP status of the last attempt, if it got one.
    #[oai(nullable)]
    pub response_status: Option<i64>,
    /// Why the last attempt failed.
    #[oai(nullable)]
    pub last_error: Option<String>,
    /// Created (RFC 3339).
    pub created_at: String,
    /// When the endpoint acknowledged it.
    #[oai(nullable)]
    pub delivered_at: Option<String>,
}

impl From<DeliveryRow> for Delivery {
    fn from(d: DeliveryRow) -> Delivery {
        Delivery {
            next_attempt_at: (d.status == "pending").then(|| time(d.next_attempt_at)),
            created_at: time(d.created_at),
            delivered_at: d.delivered_at.map(time),
            id: d.id,
            event_id: d.event_id,
            event_type: d.event_type,
            status: d.status,
            attempts: d.attempts,
            response_status: d.response_status,
            last_error: d.last_error,
        }
    }
}

/// A user an org's directory provisioned, as events carry it.
#[derive(Object, Serialize)]
pub struct DirectoryUser {
    /// The SCIM id.
    pub id: String,
    /// The orgkit user.
    pub user_id: String,
    /// The directory's `userName`.
    pub user_name: String,
    /// The directory's `externalId`.
    #[oai(nullable)]
    pub external_id: Option<String>,
    /// Whether the membership is on.
    pub active: bool,
    /// The role the membership has (or gets back when reactivated).
    pub role: String,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Last changed (RFC 3339).
    pub updated_at: String,
}

impl From<&ScimUserRow> for DirectoryUser {
    fn from(u: &ScimUserRow) -> DirectoryUser {
        DirectoryUser {
            id: u.id.clone(),
            user_id: u.user_id.clone(),
            user_name: u.user_name.clone(),
            external_id: u.external_id.clone(),
            active: u.is_active(),
            role: u.role.clone(),
            created_at: time(u.created_at),
            updated_at: time(u.updated_at),
        }
    }
}

/// A group an org's directory pushed, as events carry it.
#[derive(Object, Serialize)]
pub struct DirectoryGroup {
    /// The SCIM id.
    pub id: String,
    /// Display name.
    pub display_name: String,
    /// The directory's `externalId`.
    #[oai(nullable)]
    pub external_id: Option<String>,
    /// The SCIM ids of its members.
    pub members: Vec<String>,
}

impl DirectoryGroup {
    /// The view of `group` with `members`.
    pub fn new(group: &ScimGroupRow, members: &[String]) -> DirectoryGroup {
        DirectoryGroup { id: group.id.clone(), display_name: group.display_name.clone(), external_id: group.external_id.clone(), members: members.to_vec() }
    }
}
