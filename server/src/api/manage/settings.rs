//! `/manage/v1/{tenant}/settings`: the tenant's defaults and floors.

use crate::error::ApiResult;
use crate::api::body::*;
use crate::api::BearerAuth;
use crate::api::answer::{Json, Ok200};
use crate::api::views::orgs::TenantSettingsView;
use crate::auth::management;
use crate::service::tenants::patch_settings;
use crate::state::AppState;
use poem_openapi::param::Path;
use poem_openapi::{OpenApi, Tags};

#[derive(Tags)]
enum Tag {
    /// Management API: tenant settings.
    ManageSettings,
}

/// Tenant settings handlers.
pub struct Api(pub AppState);

#[OpenApi(tag = "Tag::ManageSettings")]
impl Api {
    /// The tenant's default settings, floors and effective values.
    #[oai(path = "/manage/v1/:tenant/settings", method = "get")]
    async fn get(&self, auth: BearerAuth, tenant: Path<String>) -> ApiResult<Ok200<TenantSettingsView>> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        Ok(Ok200::Ok(Json(t.settings()?.into())))
    }

    /// Merge-patch the tenant's defaults (flat) and `floors`.
    #[oai(path = "/manage/v1/:tenant/settings", method = "patch")]
    async fn patch(&self, auth: BearerAuth, tenant: Path<String>, body: Body<TenantSettingsFields>) -> ApiResult<Ok200<TenantSettingsView>> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        let settings = patch_settings(&self.0.store, &t, &body.0).await?;
        Ok(Ok200::Ok(Json(settings.into())))
    }
}
