//! `/api/v1/organizations/{id}/invitations[/{inviteId}[/resend]]` and
//! `/api/v1/organizations/invitations/{token}/accept`.

use super::context;
use crate::error::ApiResult;
use crate::api::body::*;
use crate::api::BearerAuth;
use crate::api::answer::{Created201, Envelope, Ok200, UserPage, created, ok, user_page};
use crate::api::views::auth::AcceptedInvitation;
use crate::api::views::people::InvitationCamel;
use crate::service::invitations;
use crate::auth::bearer_from_header;
use crate::clock;
use crate::rate_limit::ClientAddress;
use crate::service::accept;
use crate::state::AppState;
use crate::store::PageQuery;
use orgkit_core::rate_limit::LimitedAction;
use poem::Request;
use poem_openapi::param::{Path, Query};
use poem_openapi::{OpenApi, Tags};

#[derive(Tags)]
enum Tag {
    /// User API: invitations.
    Invitations,
}

/// Invitation handlers.
pub struct Api(pub AppState);

#[OpenApi(tag = "Tag::Invitations")]
impl Api {
    /// Invite by email `{email, role}`. Sending is rate limited per client address and per
    /// inviting user (429 `rate_limited` with `Retry-After`).
    #[oai(path = "/api/v1/organizations/:id/invitations", method = "post")]
    async fn create(&self, req: &Request, auth: BearerAuth, id: Path<String>, body: Body<NewInvitation>) -> ApiResult<Created201<Envelope<InvitationCamel>>> {
        let (auth, tenant, caller) = context(&self.0, &auth.0.token).await?;
        self.0.limits.check(LimitedAction::SendInvitation, ClientAddress::of(req), Some(&auth.user.id))?;
        let issued = invitations::create(&self.0, &tenant, &caller, &id, body.0).await?;
        Ok(created(InvitationCamel::new(issued.row, Some(issued.url), self.0.store.now())))
    }

    /// Pending invitations.
    #[oai(path = "/api/v1/organizations/:id/invitations", method = "get")]
    async fn list(&self, auth: BearerAuth, id: Path<String>, limit: Query<Option<u64>>, cursor: Query<Option<String>>) -> ApiResult<Ok200<UserPage<InvitationCamel>>> {
        let (_, tenant, caller) = context(&self.0, &auth.0.token).await?;
        let page = invitations::list(&self.0, &tenant, &caller, &id, &PageQuery::parse(limit.0, cursor.0.as_deref())?).await?;
        user_page(page, |r| Ok(InvitationCamel::new(r, None, self.0.store.now())))
    }

    /// Revoke a pending invitation.
    #[oai(path = "/api/v1/organizations/:id/invitations/:invite_id", method = "delete")]
    async fn revoke(&self, auth: BearerAuth, id: Path<String>, invite_id: Path<String>) -> ApiResult<Ok200<Envelope<InvitationCamel>>> {
        let (_, tenant, caller) = context(&self.0, &auth.0.token).await?;
        let row = invitations::revoke(&self.0, &tenant, &caller, &id, &invite_id).await?;
        Ok(ok(InvitationCamel::new(row, None, self.0.store.now())))
    }

    /// Send a pending (or expired) invitation again with a fresh link; the previous link stops
    /// working. At most 5 times per invitation.
    #[oai(path = "/api/v1/organizations/:id/invitations/:invite_id/resend", method = "post")]
    async fn resend(&self, req: &Request, auth: BearerAuth, id: Path<String>, invite_id: Path<String>) -> ApiResult<Ok200<Envelope<InvitationCamel>>> {
        let (auth, tenant, caller) = context(&self.0, &auth.0.token).await?;
        self.0.limits.check(LimitedAction::SendInvitation, ClientAddress::of(req), Some(&auth.user.id))?;
        let issued = invitations::resend(&self.0, &tenant, &caller, &id, &invite_id).await?;
        Ok(ok(InvitationCamel::new(issued.row, Some(issued.url), self.0.store.now())))
    }

    /// Accept an invitation: with a bearer token (body `{}`), or `{password, name?}` to create
    /// the account.
    #[oai(path = "/api/v1/organizations/invitations/:token/accept", method = "post")]
    async fn accept(&self, req: &Request, token: Path<String>, body: Body<Accept>) -> ApiResult<Ok200<Envelope<AcceptedInvitation>>> {
        self.0.limits.check(LimitedAction::AcceptInvitation, ClientAddress::of(req), Some(&clock::sha256_hex(&token)))?;
        let bearer = bearer_from_header(req.header("authorization"))?;
        let done = accept::accept(&self.0, &token, bearer, body.0).await?;
        Ok(ok(AcceptedInvitation::new(done)))
    }
}
