//! `/manage/v1/{tenant}/users[/{userId}]`.

use crate::error::ApiResult;
use crate::api::body::*;
use crate::api::BearerAuth;
use crate::api::answer::{Created201, Json, ManagePage, NoContent204, Ok200, manage_page};
use crate::api::views::people::ManagedUser;
use crate::auth::management;
use crate::service::{Caller, users};
use crate::state::AppState;
use crate::store::PageQuery;
use poem_openapi::param::{Path, Query};
use poem_openapi::{OpenApi, Tags};

#[derive(Tags)]
enum Tag {
    /// Management API: users.
    ManageUsers,
}

/// User handlers.
pub struct Api(pub AppState);

#[OpenApi(tag = "Tag::ManageUsers")]
impl Api {
    /// Create a user (`email`, `name?`, `password?`).
    #[oai(path = "/manage/v1/:tenant/users", method = "post")]
    async fn create(&self, auth: BearerAuth, tenant: Path<String>, body: Body<NewUser>) -> ApiResult<Created201<ManagedUser>> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        let user = users::create(&self.0.store, &t, body.0, &Caller::Tenant).await?;
        Ok(Created201::Created(Json(user.into())))
    }

    /// List the tenant's users.
    #[oai(path = "/manage/v1/:tenant/users", method = "get")]
    async fn list(&self, auth: BearerAuth, tenant: Path<String>, limit: Query<Option<u64>>, cursor: Query<Option<String>>) -> ApiResult<Ok200<ManagePage<ManagedUser>>> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        let page = self.0.store.list_users(&t.id, &PageQuery::parse(limit.0, cursor.0.as_deref())?).await?;
        manage_page(page, |u| Ok(ManagedUser::from(u)))
    }

    /// Get a user.
    #[oai(path = "/manage/v1/:tenant/users/:user_id", method = "get")]
    async fn get(&self, auth: BearerAuth, tenant: Path<String>, user_id: Path<String>) -> ApiResult<Ok200<ManagedUser>> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        let user = users::get(&self.0.store, &t, &user_id).await?;
        Ok(Ok200::Ok(Json(user.into())))
    }

    /// Delete a user (refused while they are an org's last owner).
    #[oai(path = "/manage/v1/:tenant/users/:user_id", method = "delete")]
    async fn delete(&self, auth: BearerAuth, tenant: Path<String>, user_id: Path<String>) -> ApiResult<NoContent204> {
        let t = management(&self.0, &tenant, &auth.0.token).await?;
        users::delete(&self.0.store, &t, &user_id).await?;
        Ok(NoContent204::NoContent)
    }
}
