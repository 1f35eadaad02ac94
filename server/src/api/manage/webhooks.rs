//! `/manage/v1/{tenant}/webhooks[/{id}[/secret/rotate | /deliveries[/{deliveryId}/replay]]]`:
//! the tenant's webhook endpoints (the push side of the event stream), the operator's alone.

use crate::api::BearerAuth;
use crate::api::answer::{Accepted202, Created201, Json, ManagePage, NoContent204, Ok200, manage_page};
use crate::api::body::{Body, NewWebhookEndpoint as NewEndpointBody, WebhookEndpointPatch};
use crate::api::views::events::{Delivery, NewWebhookEndpoint, RotatedSecret, WebhookEndpoint};
use crate::api::views::time;
use crate::auth::management;
use crate::error::ApiResult;
use crate::service::webhooks;
use crate::state::AppState;
use crate::store::PageQuery;
use poem_openapi::param::{Path, Query};
use poem_openapi::{OpenApi, Tags};

#[derive(Tags)]
enum Tag {
    /// Management API: webhooks.
    ManageWebhooks,
}

/// Webhook handlers.
pub struct Api(pub AppState);

#[OpenApi(tag = "Tag::ManageWebhooks")]
impl Api {
    /// Add an endpoint `{url, events?}`: it receives the events created from now on, signed per
    /// Standard Webhooks with `secret` (shown this once).
    #[oai(path = "/manage/v1/:tenant/webhooks", method = "post")]
    async fn create(&self, auth: BearerAuth, tenant: Path<String>, body: Body<NewEndpointBody>) -> ApiResult<Created201<NewWebhookEndpoint>> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        let created = webhooks::create(&self.0, &t, body.0).await?;
        Ok(Created201::Created(Json(NewWebhookEndpoint { endpoint: WebhookEndpoint::new(created.row), secret: created.secret })))
    }

    /// The tenant's endpoints.
    #[oai(path = "/manage/v1/:tenant/webhooks", method = "get")]
    async fn list(&self, auth: BearerAuth, tenant: Path<String>, limit: Query<Option<u64>>, cursor: Query<Option<String>>) -> ApiResult<Ok200<ManagePage<WebhookEndpoint>>> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        let page = webhooks::list(&self.0, &t, &PageQuery::parse(limit.0, cursor.0.as_deref())?).await?;
        manage_page(page, |row| Ok(WebhookEndpoint::new(row)))
    }

    /// An endpoint.
    #[oai(path = "/manage/v1/:tenant/webhooks/:webhook_id", method = "get")]
    async fn get(&self, auth: BearerAuth, tenant: Path<String>, webhook_id: Path<String>) -> ApiResult<Ok200<WebhookEndpoint>> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        Ok(Ok200::Ok(Json(WebhookEndpoint::new(webhooks::get(&self.0, &t, &webhook_id).await?))))
    }

    /// Change an endpoint `{url?, events?, enabled?}`.
    #[oai(path = "/manage/v1/:tenant/webhooks/:webhook_id", method = "patch")]
    async fn patch(&self, auth: BearerAuth, tenant: Path<String>, webhook_id: Path<String>, body: Body<WebhookEndpointPatch>) -> ApiResult<Ok200<WebhookEndpoint>> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        Ok(Ok200::Ok(Json(WebhookEndpoint::new(webhooks::update(&self.0, &t, &webhook_id, body.0).await?))))
    }

    /// Delete an endpoint and its deliveries.
    #[oai(path = "/manage/v1/:tenant/webhooks/:webhook_id", method = "delete")]
    async fn delete(&self, auth: BearerAuth, tenant: Path<String>, webhook_id: Path<String>) -> ApiResult<NoContent204> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        webhooks::delete(&self.0, &t, &webhook_id).await?;
        Ok(NoContent204::NoContent)
    }

    /// Rotate an endpoint's secret: deliveries carry signatures by both the new and the
    /// previous secret until `previous_secret_expires_at` (24 hours).
    #[oai(path = "/manage/v1/:tenant/webhooks/:webhook_id/secret/rotate", method = "post")]
    async fn rotate(&self, auth: BearerAuth, tenant: Path<String>, webhook_id: Path<String>) -> ApiResult<Ok200<RotatedSecret>> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        let (secret, until) = webhooks::rotate_secret(&self.0, &t, &webhook_id).await?;
        Ok(Ok200::Ok(Json(RotatedSecret { secret, previous_secret_expires_at: time(until) })))
    }

    /// An endpoint's deliveries, oldest first.
    #[oai(path = "/manage/v1/:tenant/webhooks/:webhook_id/deliveries", method = "get")]
    async fn deliveries(&self, auth: BearerAuth, tenant: Path<String>, webhook_id: Path<String>, limit: Query<Option<u64>>, cursor: Query<Option<String>>) -> ApiResult<Ok200<ManagePage<Delivery>>> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        let page = webhooks::deliveries(&self.0, &t, &webhook_id, &PageQuery::parse(limit.0, cursor.0.as_deref())?).await?;
        manage_page(page, |row| Ok(Delivery::from(row)))
    }

    /// Deliver a delivery's event again (a new delivery, due now).
    #[oai(path = "/manage/v1/:tenant/webhooks/:webhook_id/deliveries/:delivery_id/replay", method = "post")]
    async fn replay(&self, auth: BearerAuth, tenant: Path<String>, webhook_id: Path<String>, delivery_id: Path<String>) -> ApiResult<Accepted202<Delivery>> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        Ok(Accepted202::Accepted(Json(Delivery::from(webhooks::replay(&self.0, &t, &webhook_id, &delivery_id).await?))))
    }
}
