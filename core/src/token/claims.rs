//! Org access tokens: building the claims for a login in an org context, signing them, and
//! verifying a token then requiring an org, a role or a permission.

use super::keys::{KeySet, SigningKey};
use super::pipeline::{self, ACCESS_TYP, Timed, TokenKind, VerifyOptions, check_issuer};
use crate::error::{Error, ErrorCode, Result};
use crate::role::{Permission, Role};
use crate::settings::EffectiveSettings;
use serde::{Deserialize, Serialize};

/// `aud`: one audience or several.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(untagged)]
pub enum Audience {
    /// A single audience string.
    One(String),
    /// A list of audiences.
    Many(Vec<String>),
}

impl Audience {
    /// Whether `audience` is one of these.
    pub fn contains(&self, audience: &str) -> bool {
        match self {
            Audience::One(a) => a == audience,
            Audience::Many(list) => list.iter().any(|a| a == audience),
        }
    }
}

/// The claims of an orgkit access token. Claims other tokens carry and orgkit does not know
/// are ignored; a duplicated claim makes the token invalid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct OrgClaims {
    /// Issuer: the server's `ORGKIT_ISSUER`.
    pub iss: String,
    /// Subject: the user id.
    pub sub: String,
    /// Audience.
    pub aud: Audience,
    /// Issued at, unix seconds.
    pub iat: i64,
    /// Expires at, unix seconds: `iat` + the effective session TTL.
    pub exp: i64,
    /// Not before, unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// Token id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    /// Tenant id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tid: Option<String>,
    /// The user's email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// When the user authenticated (OIDC's `auth_time`), unix seconds: the login's time, which
    /// a token minted from this one (an org switch) carries unchanged. Revocation applies to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<i64>,
    /// Authentication methods performed (`pwd`, `otp`, `saml`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub amr: Vec<String>,
    /// The connection the user authenticated through, for SSO logins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cid: Option<String>,
    /// The active org's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
    /// The active org's slug.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_slug: Option<String>,
    /// The user's role in the active org.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_role: Option<Role>,
    /// Present only on invitation tokens; its presence makes an access-token check fail.
    #[serde(default, skip_serializing)]
    inv: Option<serde_json::Value>,
}

impl Timed for OrgClaims {
    fn times(&self) -> (Option<i64>, Option<i64>, Option<i64>) {
        (Some(self.exp), self.nbf, Some(self.iat))
    }
}

/// The org a token is issued for, with the user's role in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct OrgContext {
    /// Org id.
    pub id: String,
    /// Org slug.
    pub slug: String,
    /// The user's membership role.
    pub role: Role,
}

/// The parts of an org's effective settings that decide a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct OrgPolicy {
    /// Whether the login must have performed a second factor.
    pub require_mfa: bool,
    /// Token lifetime in hours.
    pub session_ttl_hours: u32,
    /// The connections enabled for the org (SSO logins must use one of them).
    #[serde(default)]
    pub connections: Vec<String>,
}

impl OrgPolicy {
    /// The policy of an org from its effective settings and enabled connections.
    pub fn new(settings: &EffectiveSettings, connections: Vec<String>) -> OrgPolicy {
        OrgPolicy {
            require_mfa: settings.require_mfa.value,
            session_ttl_hours: settings.session_ttl_hours.value,
            connections,
        }
    }
}

/// What the authentication did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct Authentication {
    /// Methods performed, RFC 8176 names: `pwd`, `otp`, `saml`.
    pub amr: Vec<String>,
    /// The SSO connection used, if any.
    #[serde(default)]
    pub connection_id: Option<String>,
    /// When the user authenticated, unix seconds, for a token minted from an earlier session
    /// (an org switch carries its session's [`OrgClaims::authenticated_at`]); absent for a
    /// login, which authenticates now.
    #[serde(default)]
    pub auth_time: Option<i64>,
}

/// Everything [`build_org_claims`] needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct ClaimsRequest {
    /// `iss`.
    pub issuer: String,
    /// `aud`.
    pub audience: String,
    /// The user id (`sub`).
    pub user_id: String,
    /// The user's email.
    #[serde(default)]
    pub email: Option<String>,
    /// The tenant id (`tid`).
    #[serde(default)]
    pub tenant_id: Option<String>,
    /// The org context, when the login is into an org.
    #[serde(default)]
    pub org: Option<OrgContext>,
    /// The effective policy (of the org, or of the tenant without an org).
    pub policy: OrgPolicy,
    /// What the authentication did.
    pub authentication: Authentication,
    /// Token id, chosen by the caller (random).
    #[serde(default)]
    pub jti: Option<String>,
    /// Now, unix seconds.
    pub now: i64,
}

/// `amr` values that are a second factor (RFC 8176).
const SECOND_FACTORS: [&str; 4] = ["otp", "mfa", "hwk", "swk"];
/// `amr` values of a login through an SSO connection (orgkit's): SAML and OpenID Connect.
const SSO_METHODS: [&str; 2] = ["saml", "oidc"];

impl Authentication {
    /// Refuses an SSO session (`connection_id`) into an org that does not allow its connection
    /// (`connection_not_allowed`); a session without a connection (password) always passes.
    ///
    /// ```
    /// use orgkit_core::token::Authentication;
    /// let sso = Authentication { amr: vec!["saml".into()], connection_id: Some("conn_a".into()), auth_time: None };
    /// assert!(sso.check_connection(&["conn_a".into()]).is_ok());
    /// assert_eq!(sso.check_connection(&[]).unwrap_err().code(), "connection_not_allowed");
    /// ```
    pub fn check_connection(&self, org_connections: &[String]) -> Result<()> {
        match &self.connection_id {
            Some(c) if !org_connections.contains(c) => Err(Error::new(
                ErrorCode::ConnectionNotAllowed,
                "this connection is not enabled for the organization",
            )),
            _ => Ok(()),
        }
    }

    /// Whether this authentication satisfies an org's MFA requirement: a second factor, or an
    /// SSO login (`saml`, `oidc`) through one of `org_connections` — the org's own IdP owns its users'
    /// factors. Another org's SSO does not count: its IdP answers to someone else. The one rule
    /// [`build_org_claims`] and an org switch's step-up share.
    ///
    /// ```
    /// use orgkit_core::token::Authentication;
    /// let otp = Authentication { amr: vec!["pwd".into(), "otp".into()], connection_id: None, auth_time: None };
    /// assert!(otp.satisfies_mfa(&[]));
    /// let sso = Authentication { amr: vec!["saml".into()], connection_id: Some("conn_a".into()), auth_time: None };
    /// assert!(sso.satisfies_mfa(&["conn_a".into()]));
    /// assert!(!sso.satisfies_mfa(&["conn_b".into()]));
    /// ```
    pub fn satisfies_mfa(&self, org_connections: &[String]) -> bool {
        let has = |m: &str| self.amr.iter().any(|a| a == m);
        SECOND_FACTORS.iter().any(|m| has(m))
            || (SSO_METHODS.iter().any(|m| has(m))
                && self
                    .connection_id
                    .as_ref()
                    .is_some_and(|c| org_connections.contains(c)))
    }

    /// `mfa_required` when the org requires MFA and this authentication does not satisfy it
    /// (see [`Authentication::satisfies_mfa`]).
    fn check_mfa(&self, require_mfa: bool, org_connections: &[String]) -> Result<()> {
        if require_mfa && !self.satisfies_mfa(org_connections) {
            return Err(Error::new(
                ErrorCode::MfaRequired,
                "this organization requires multi-factor authentication: step up with a second factor",
            ));
        }
        Ok(())
    }

    /// `session_expired` when this session authenticated `session_ttl_seconds` or more before
    /// `now`: an org's `session_ttl_hours` bounds how long after its login a session may act in
    /// the org, whatever token it presents or exchanges (an org switch does not extend it). A
    /// session without `auth_time` authenticates now.
    ///
    /// ```
    /// use orgkit_core::token::Authentication;
    /// let session = Authentication { auth_time: Some(1_000), ..Default::default() };
    /// assert!(session.check_session_age(3600, 4_599).is_ok());
    /// assert_eq!(session.check_session_age(3600, 4_600).unwrap_err().code(), "session_expired");
    /// ```
    pub fn check_session_age(&self, session_ttl_seconds: i64, now: i64) -> Result<()> {
        match self.auth_time {
            Some(t) if now >= t.saturating_add(session_ttl_seconds) => Err(Error::new(
                ErrorCode::SessionExpired,
                "this session is older than the organization allows: log in again",
            )),
            _ => Ok(()),
        }
    }

    /// Whether this session may act in an org whose policy is `require_mfa` and
    /// `org_connections`, checked every time it acts there (not only when its token was
    /// issued, since the org's policy may have changed, and a token issued without an org or
    /// for another org may be presented): an SSO session through a connection the org does not
    /// allow is `connection_not_allowed` (the client switches or logs in through the org's
    /// own IdP), a session without the second factor the org requires is `mfa_required` (the
    /// client steps up). The one rule that [`build_org_claims`], an org switch
    /// ([`decide_step_up`](crate::login::decide_step_up)) and a host serving requests about an
    /// org apply.
    ///
    /// ```
    /// use orgkit_core::token::Authentication;
    /// let pwd = Authentication { amr: vec!["pwd".into()], connection_id: None, auth_time: None };
    /// assert!(pwd.check_org_policy(false, &[]).is_ok());
    /// assert_eq!(pwd.check_org_policy(true, &[]).unwrap_err().code(), "mfa_required");
    /// let sso = Authentication { amr: vec!["saml".into()], connection_id: Some("conn_a".into()), auth_time: None };
    /// assert!(sso.check_org_policy(true, &["conn_a".into()]).is_ok());
    /// assert_eq!(sso.check_org_policy(false, &["conn_b".into()]).unwrap_err().code(), "connection_not_allowed");
    /// ```
    pub fn check_org_policy(&self, require_mfa: bool, org_connections: &[String]) -> Result<()> {
        self.check_connection(org_connections)?;
        self.check_mfa(require_mfa, org_connections)
    }
}

/// Builds the claims of an access token, refusing when the org's policy is not met
/// ([`Authentication::check_org_policy`]: MFA required but not performed, `mfa_required`; an
/// SSO connection the org has not enabled, `connection_not_allowed`; a session older than the
/// policy's TTL, `session_expired`). Without an org, only the tenant's MFA requirement applies.
/// The token expires when the session does: `session_ttl_hours` after its `auth_time` (for a
/// fresh login, `exp − iat` is the TTL; an org switch does not extend the session).
pub fn build_org_claims(req: &ClaimsRequest) -> Result<OrgClaims> {
    let (auth, policy) = (&req.authentication, &req.policy);
    match req.org {
        Some(_) => auth.check_org_policy(policy.require_mfa, &policy.connections)?,
        None => auth.check_mfa(policy.require_mfa, &policy.connections)?,
    }
    let ttl = i64::from(req.policy.session_ttl_hours) * 3600;
    auth.check_session_age(ttl, req.now)?;
    let auth_time = auth.auth_time.map_or(req.now, |t| t.min(req.now));
    Ok(OrgClaims {
        iss: req.issuer.clone(),
        sub: req.user_id.clone(),
        aud: Audience::One(req.audience.clone()),
        iat: req.now,
        exp: auth_time.saturating_add(ttl),
        nbf: None,
        jti: req.jti.clone(),
        tid: req.tenant_id.clone(),
        email: req.email.clone(),
        auth_time: Some(auth_time),
        amr: req.authentication.amr.clone(),
        cid: req.authentication.connection_id.clone(),
        org_id: req.org.as_ref().map(|o| o.id.clone()),
        org_slug: req.org.as_ref().map(|o| o.slug.clone()),
        org_role: req.org.as_ref().map(|o| o.role),
        inv: None,
    })
}

/// When a token issued at `iat` with `auth_time` authenticated: `auth_time`, never later than
/// `iat`; `iat` without one.
pub fn authenticated_at(iat: i64, auth_time: Option<i64>) -> i64 {
    auth_time.map_or(iat, |t| t.min(iat))
}

/// Signs access-token claims with `key` (`typ: at+jwt`, the key's `kid` in the header).
pub fn sign_org_claims(claims: &OrgClaims, key: &SigningKey) -> Result<String> {
    pipeline::sign(claims, key, ACCESS_TYP)
}

/// What a request requires of a verified token, beyond being valid.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    /// The org the request is about: its id or its slug.
    #[serde(default)]
    pub org: Option<String>,
    /// The minimum role.
    #[serde(default)]
    pub role: Option<Role>,
    /// A permission the role must carry.
    #[serde(default)]
    pub permission: Option<Permission>,
}

impl OrgClaims {
    /// When the session behind this token authenticated: its `auth_time`, never later than its
    /// `iat` (a token without `auth_time` authenticated when it was issued). What revocation
    /// ([`check_not_revoked`](super::check_not_revoked)) compares, so a session cannot outlive
    /// a password change by minting itself fresh tokens.
    pub fn authenticated_at(&self) -> i64 {
        authenticated_at(self.iat, self.auth_time)
    }

    /// Checks the requirement against these claims: `org_required` when the token has no org
    /// context, `org_mismatch` when it is for another org, `insufficient_role` when the role is
    /// too low or lacks the permission.
    pub fn require(&self, req: &Requirement) -> Result<()> {
        req.check(
            self.org_id.as_deref(),
            self.org_slug.as_deref(),
            self.org_role,
            &[],
        )
    }
}

impl Requirement {
    /// Checks this requirement against an org context: the org's id and slug, the caller's
    /// role, and permissions granted by name (by another provider) besides the role's own.
    /// The one place the org/role/permission rule of a token lives.
    pub fn check(
        &self,
        org_id: Option<&str>,
        org_slug: Option<&str>,
        role: Option<Role>,
        named: &[String],
    ) -> Result<()> {
        if self.org.is_none() && self.role.is_none() && self.permission.is_none() {
            return Ok(());
        }
        let Some(org_id) = org_id else {
            return Err(Error::new(
                ErrorCode::OrgRequired,
                "this request needs a token issued for an organization",
            ));
        };
        if let Some(org) = self.org.as_deref()
            && org != org_id
            && org_slug != Some(org)
        {
            return Err(Error::new(
                ErrorCode::OrgMismatch,
                "the token is for another organization",
            ));
        }
        if let Some(min) = self.role
            && role.is_none_or(|r| r < min)
        {
            return Err(Error::new(
                ErrorCode::InsufficientRole,
                format!("this request requires role {min} or higher"),
            ));
        }
        if let Some(p) = self.permission
            && !role.is_some_and(|r| r.can(p))
            && !named.iter().any(|q| q == p.as_str())
        {
            return Err(Error::new(
                ErrorCode::InsufficientRole,
                format!("this request requires {p}"),
            ));
        }
        Ok(())
    }
}

/// Verifies an access token against a key set and the options, then applies the requirement.
pub fn verify_org_token(
    token: &str,
    keys: &KeySet,
    opts: &VerifyOptions,
    req: &Requirement,
) -> Result<OrgClaims> {
    let claims: OrgClaims = pipeline::verify(token, keys, TokenKind::Access, opts)?;
    if claims.inv.is_some() {
        return Err(Error::new(
            ErrorCode::WrongTokenType,
            "this is not an access token",
        ));
    }
    check_issuer(&claims.iss, opts)?;
    if !claims.aud.contains(&opts.audience) {
        return Err(Error::new(
            ErrorCode::InvalidAudience,
            "the token is for another audience",
        ));
    }
    claims.require(req)?;
    Ok(claims)
}
