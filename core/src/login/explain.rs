//! Explain login: what a login must do, for the login page, the server and edge workers.

use super::connections::{Connection, default_connection, route_email};
use super::lockout::LockoutState;
use crate::error::Result;
use serde::{Deserialize, Serialize};

/// How the user signs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum LoginMethod {
    /// Redirect to an SSO connection.
    Sso,
    /// Email and password (plus TOTP when MFA applies).
    Password,
}

/// What the store knows of the org being logged into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct OrgLoginFacts {
    /// Org id.
    pub id: String,
    /// Effective `require_mfa`.
    pub require_mfa: bool,
    /// Effective `password_min_length`.
    pub password_min_length: u32,
    /// Effective `default_connection_id`.
    #[serde(default)]
    pub default_connection_id: Option<String>,
    /// The connections enabled for the org.
    #[serde(default)]
    pub connections: Vec<Connection>,
}

/// What the store knows of the user, if the email is registered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct UserLoginFacts {
    /// Whether the user has a password.
    #[serde(default)]
    pub has_password: bool,
    /// Whether the user has a confirmed TOTP factor.
    #[serde(default)]
    pub mfa_enrolled: bool,
    /// The lockout state in this login context.
    #[serde(default)]
    pub lockout: LockoutState,
}

/// The question: who is logging in, where, and what the store knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct LoginQuery {
    /// The email typed.
    pub email: String,
    /// The org, when logging into one.
    #[serde(default)]
    pub org: Option<OrgLoginFacts>,
    /// Without an org: every connection of the tenant, for email-domain routing.
    #[serde(default)]
    pub tenant_connections: Vec<Connection>,
    /// Tenant-level effective `password_min_length` and `require_mfa`, used without an org.
    pub tenant_password_min_length: u32,
    /// Tenant-level effective `require_mfa`.
    #[serde(default)]
    pub tenant_require_mfa: bool,
    /// The user, if registered.
    #[serde(default)]
    pub user: Option<UserLoginFacts>,
    /// Now, unix seconds.
    pub now: i64,
}

/// The answer: what the login must do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct LoginPlan {
    /// SSO or password.
    pub method: LoginMethod,
    /// The SSO connection, when `method` is `sso`.
    pub connection_id: Option<String>,
    /// Whether a second factor will be asked.
    pub mfa_required: bool,
    /// Whether the account is locked now.
    pub locked: bool,
    /// Until when, if locked.
    pub locked_until: Option<i64>,
    /// The minimum password length that applies (for the page's hint).
    pub password_min_length: u32,
}

/// Explains a login. SSO wins when the email's domain routes to a connection (the org's own
/// connections when logging into an org, else the tenant's; an org's own connection routes
/// only the domains its org has verified, see [`Connection::routes`]), or when the org proposes a
/// default connection and the user has no password; otherwise password. MFA is required when
/// the org (or tenant) requires it or the user enrolled a factor. The answer never depends on
/// whether the email is registered beyond its lock and whether it has a password.
pub fn explain_login(q: &LoginQuery) -> Result<LoginPlan> {
    let user = q.user.clone().unwrap_or_default();
    let (connections, preferred, require_mfa, min_length) = match &q.org {
        Some(org) => (
            &org.connections,
            org.default_connection_id.as_deref(),
            org.require_mfa,
            org.password_min_length,
        ),
        None => (
            &q.tenant_connections,
            None,
            q.tenant_require_mfa,
            q.tenant_password_min_length,
        ),
    };
    let routed = route_email(&q.email, connections, preferred)?.map(|c| c.id.clone());
    let org_default = q.org.as_ref().and_then(|org| {
        let ids: Vec<String> = org.connections.iter().map(|c| c.id.clone()).collect();
        default_connection(org.default_connection_id.as_deref(), &ids).map(str::to_owned)
    });
    let connection_id = routed.or(if user.has_password { None } else { org_default });
    let locked_until = user.lockout.locked_until.filter(|until| q.now < *until);
    Ok(LoginPlan {
        method: if connection_id.is_some() {
            LoginMethod::Sso
        } else {
            LoginMethod::Password
        },
        mfa_required: connection_id.is_none() && (require_mfa || user.mfa_enrolled),
        connection_id,
        locked: locked_until.is_some(),
        locked_until,
        password_min_length: min_length,
    })
}
