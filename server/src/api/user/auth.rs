//! `/api/v1/auth/{signup,login,token,mfa/totp,mfa/totp/verify,password,discover,verify-email}` and
//! `/api/v1/me`.

use super::context;
use crate::error::ApiResult;
use crate::api::body::*;
use crate::api::BearerAuth;
use crate::api::answer::{Created201, Envelope, Ok200, created, ok};
use crate::api::views::auth::{AccessToken, Discovery, EmailVerified, Me, PasswordChanged, TokenOrganization, TotpConfirmed, TotpSetup};
use crate::clock;
use crate::rate_limit::ClientAddress;
use crate::service::{discovery, email_verification, login, mfa, password_change};
use crate::state::AppState;
use poem::Request;
use poem_openapi::{OpenApi, Tags};

#[derive(Tags)]
enum Tag {
    /// User API: authentication.
    Auth,
}

/// Authentication handlers.
pub struct Api(pub AppState);

#[OpenApi(tag = "Tag::Auth")]
impl Api {
    /// Create an account `{tenant?, email, password, name?}`; answers a token. Rate limited
    /// per client address and per email (429 `rate_limited` with `Retry-After`).
    #[oai(path = "/api/v1/auth/signup", method = "post")]
    async fn signup(&self, req: &Request, body: Body<Signup>) -> ApiResult<Created201<Envelope<AccessToken>>> {
        Ok(created(login::signup(&self.0, ClientAddress::of(req), body.0).await?.into()))
    }

    /// Log in `{tenant?, email, password, organization?, totp?}`. Rate limited per client
    /// address and per account (429 `rate_limited` with `Retry-After`).
    #[oai(path = "/api/v1/auth/login", method = "post")]
    async fn login(&self, req: &Request, body: Body<Login>) -> ApiResult<Ok200<Envelope<AccessToken>>> {
        Ok(ok(login::login(&self.0, ClientAddress::of(req), body.0).await?.into()))
    }

    /// Switch the session into an organization `{organization, totp?}`; an org that requires
    /// MFA needs `totp` unless the session performed MFA (`amr` has `otp`).
    #[oai(path = "/api/v1/auth/token", method = "post")]
    async fn token(&self, auth: BearerAuth, body: Body<Switch>) -> ApiResult<Ok200<Envelope<AccessToken>>> {
        let (auth, _, _) = context(&self.0, &auth.0.token).await?;
        Ok(ok(login::switch(&self.0, &auth, body.0).await?.into()))
    }

    /// Start a TOTP enrolment: answers `{secret, otpauthUri}`, pending until a first code is
    /// verified. Replacing a confirmed factor needs a session that performed MFA.
    #[oai(path = "/api/v1/auth/mfa/totp", method = "post")]
    async fn totp_enrol(&self, auth: BearerAuth) -> ApiResult<Created201<Envelope<TotpSetup>>> {
        let (auth, tenant, _) = context(&self.0, &auth.0.token).await?;
        Ok(created(mfa::enrol(&self.0, &auth, &tenant).await?.into()))
    }

    /// Confirm the pending TOTP enrolment with a first code `{code}`.
    #[oai(path = "/api/v1/auth/mfa/totp/verify", method = "post")]
    async fn totp_verify(&self, auth: BearerAuth, body: Body<TotpCode>) -> ApiResult<Ok200<Envelope<TotpConfirmed>>> {
        let (auth, _, _) = context(&self.0, &auth.0.token).await?;
        Ok(ok(TotpConfirmed::at(mfa::confirm(&self.0, &auth, body.0).await?)))
    }

    /// Change the caller's password `{currentPassword, newPassword}`.
    #[oai(path = "/api/v1/auth/password", method = "post")]
    async fn password(&self, auth: BearerAuth, body: Body<PasswordChange>) -> ApiResult<Ok200<Envelope<PasswordChanged>>> {
        let (auth, tenant, _) = context(&self.0, &auth.0.token).await?;
        Ok(ok(PasswordChanged::at(password_change::change(&self.0, &auth, &tenant, body.0).await?)))
    }

    /// Home-realm discovery `{tenant?, email, organization?}`: `{method, connectionId,
    /// loginUrl, mfaRequired, locked, lockedUntil, passwordMinLength}`, the same for a
    /// registered and an unknown email (the policy's answer, plus the lockout counter). Rate
    /// limited per client address and per email.
    #[oai(path = "/api/v1/auth/discover", method = "post")]
    async fn discover(&self, req: &Request, body: Body<Discover>) -> ApiResult<Ok200<Envelope<Discovery>>> {
        Ok(ok(discovery::discover(&self.0, ClientAddress::of(req), body.0).await?.into()))
    }

    /// Verify the email address a verification link was sent to `{token}`.
    #[oai(path = "/api/v1/auth/verify-email", method = "post")]
    async fn verify_email(&self, body: Body<EmailVerification>) -> ApiResult<Ok200<Envelope<EmailVerified>>> {
        Ok(ok(EmailVerified { email: email_verification::verify(&self.0, body.0).await?, email_verified: true }))
    }

    /// The caller and the org context of their token.
    #[oai(path = "/api/v1/me", method = "get")]
    async fn me(&self, auth: BearerAuth) -> ApiResult<Ok200<Envelope<Me>>> {
        let (auth, tenant, _) = context(&self.0, &auth.0.token).await?;
        let c = &auth.claims;
        let organization = c.org_id.clone().map(|id| TokenOrganization { id, slug: c.org_slug.clone(), role: c.org_role.map(|r| r.as_str().to_owned()) });
        Ok(ok(Me {
            id: auth.user.id,
            email: auth.user.email,
            email_verified: auth.user.email_verified_at.is_some(),
            name: auth.user.name,
            tenant: tenant.slug,
            organization,
            amr: c.amr.clone(),
            created_at: clock::rfc3339(auth.user.created_at),
        }))
    }
}
