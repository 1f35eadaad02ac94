//! Sessions: tokens, the caller, login discovery, MFA, password and email changes, and the
//! answer to an accepted invitation.

use super::{Sometimes, time};
use crate::service::accept::Accepted;
use crate::service::tokens::IssuedToken;
use crate::service::discovery::Discovered;
use orgkit_core::login::{LoginMethod, TotpEnrolment};
use poem_openapi::Object;
use serde::Serialize;

/// An access token (seed 004's token object).
#[derive(Object, Serialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct AccessToken {
    /// The JWT.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Expiry (RFC 3339).
    pub expires_at: String,
    /// Lifetime in seconds.
    pub expires_in: i64,
}

impl From<IssuedToken> for AccessToken {
    fn from(t: IssuedToken) -> AccessToken {
        AccessToken { access_token: t.token, token_type: "Bearer".to_owned(), expires_at: time(t.expires_at), expires_in: t.lifetime_seconds }
    }
}

/// The org context of the caller's token.
#[derive(Object, Serialize)]
pub struct TokenOrganization {
    /// The org's id.
    pub id: String,
    /// Its slug.
    #[oai(nullable)]
    pub slug: Option<String>,
    /// The caller's role in it.
    #[oai(nullable)]
    pub role: Option<String>,
}

/// The caller (`/api/v1/me`).
#[derive(Object, Serialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct Me {
    /// User id.
    pub id: String,
    /// Email.
    pub email: String,
    /// Whether the user proved they receive mail at `email`.
    pub email_verified: bool,
    /// Display name.
    #[oai(nullable)]
    pub name: Option<String>,
    /// The tenant's slug.
    pub tenant: String,
    /// The org the token is for, `null` for a tenant-level token.
    #[oai(nullable)]
    pub organization: Option<TokenOrganization>,
    /// How the session authenticated (`pwd`, `otp`, `sso`, …).
    pub amr: Vec<String>,
    /// Created (RFC 3339).
    pub created_at: String,
}

/// How a login will go (home-realm discovery): the same for a registered and an unknown email.
#[derive(Object, Serialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct Discovery {
    /// `sso` or `password`.
    pub method: String,
    /// The SSO connection, when `method` is `sso`.
    #[oai(nullable)]
    pub connection_id: Option<String>,
    /// Where the SSO login starts, when `method` is `sso`.
    #[oai(nullable)]
    pub login_url: Option<String>,
    /// Whether a second factor will be asked.
    pub mfa_required: bool,
    /// Whether the account is locked now.
    pub locked: bool,
    /// Until when, if locked (RFC 3339).
    #[oai(nullable)]
    pub locked_until: Option<String>,
    /// The minimum password length that applies.
    pub password_min_length: u32,
}

impl From<Discovered> for Discovery {
    fn from(Discovered { plan, login_url }: Discovered) -> Discovery {
        Discovery {
            method: match plan.method {
                LoginMethod::Sso => "sso",
                LoginMethod::Password => "password",
            }
            .to_owned(),
            login_url,
            connection_id: plan.connection_id,
            mfa_required: plan.mfa_required,
            locked: plan.locked,
            locked_until: plan.locked_until.map(time),
            password_min_length: plan.password_min_length,
        }
    }
}

/// A pending TOTP enrolment: the secret to add to an authenticator app.
#[derive(Object, Serialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct TotpSetup {
    /// The secret, base32 without padding (for manual entry).
    pub secret: String,
    /// The `otpauth://totp/…` URI (what a QR code encodes).
    pub otpauth_uri: String,
}

impl From<TotpEnrolment> for TotpSetup {
    fn from(e: TotpEnrolment) -> TotpSetup {
        TotpSetup { secret: e.secret, otpauth_uri: e.otpauth_uri }
    }
}

/// A confirmed TOTP factor.
#[derive(Object, Serialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct TotpConfirmed {
    /// Always `totp`.
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub kind: String,
    /// Always `true`.
    pub confirmed: bool,
    /// When (RFC 3339).
    pub confirmed_at: String,
}

impl TotpConfirmed {
    /// Confirmed at `at` (unix seconds).
    pub fn at(at: i64) -> TotpConfirmed {
        TotpConfirmed { kind: "totp".to_owned(), confirmed: true, confirmed_at: time(at) }
    }
}

/// A changed password.
#[derive(Object, Serialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct PasswordChanged {
    /// Always `true`.
    pub password_changed: bool,
    /// When (RFC 3339); tokens issued before no longer verify.
    pub changed_at: String,
}

impl PasswordChanged {
    /// Changed at `at` (unix seconds).
    pub fn at(at: i64) -> PasswordChanged {
        PasswordChanged { password_changed: true, changed_at: time(at) }
    }
}

/// A verified email address.
#[derive(Object, Serialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct EmailVerified {
    /// The address.
    pub email: String,
    /// Always `true`.
    pub email_verified: bool,
}

/// The org an accepted invitation joined.
#[derive(Object, Serialize)]
pub struct JoinedOrganization {
    /// Id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Slug.
    pub slug: String,
}

/// Why no token came with an accepted invitation (the org's policy wants another login).
#[derive(Object, Serialize)]
pub struct TokenRefused {
    /// The error code a login would answer (e.g. `mfa_required`).
    pub code: String,
    /// What to do.
    pub message: String,
}

/// An accepted invitation: the membership, and a token for the org when its policy allows one
/// for this authentication (else `tokenRefused`).
#[derive(Object, Serialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct AcceptedInvitation {
    /// The org joined.
    pub organization: JoinedOrganization,
    /// The member's user id.
    pub user_id: String,
    /// Their email.
    pub email: String,
    /// The role granted.
    pub role: String,
    /// The org's token, as `POST /api/v1/auth/login` answers it (absent with `tokenRefused`).
    #[oai(flatten)]
    #[serde(flatten)]
    pub token: Sometimes<AccessToken>,
    /// Why no token came: the org's policy wants another login.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_refused: Option<TokenRefused>,
}

impl AcceptedInvitation {
    /// The view of an accepted invitation.
    pub fn new(done: Accepted) -> AcceptedInvitation {
        let (token, token_refused) = match done.token {
            Ok(t) => (Sometimes(Some(AccessToken::from(t))), None),
            Err(e) => (Sometimes(None), Some(TokenRefused { code: e.code().as_str().to_owned(), message: e.inner.message })),
        };
        AcceptedInvitation {
            organization: JoinedOrganization { id: done.org.id, name: done.org.name, slug: done.org.slug },
            user_id: done.user.id,
            email: done.user.email,
            role: done.role.as_str().to_owned(),
            token,
            token_refused,
        }
    }
}
