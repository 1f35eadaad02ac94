//! Every core operation as `name + JSON input → JSON output | Error`.
//!
//! This is the one FFI surface (Cedar's habit): the WASM and Python bindings call
//! [`call`], and the shared vectors in `tests/vectors` are run through it in every runtime, so
//! the three cannot disagree. Inputs are serde types with `deny_unknown_fields`.

use crate::error::{Error, ErrorCode, Result};
use crate::login::{
    self, LockoutPolicy, LockoutState, LoginQuery, PasswordLoginFacts, PasswordRules,
};
use crate::membership::{self, Actor, Target};
use crate::organization::{NewOrganization, OrganizationPatch, apply_metadata};
use crate::role::{Permission, Role};
use crate::settings::{SettingsLayer, SettingsPatch, TenantSettings, TenantSettingsPatch, resolve};
use crate::token::{
    self, ClaimsRequest, InvitationRecord, InvitationRequest, KeySet, OrgClaims, Requirement,
    SigningKey, SigningKeySpec, VerifyOptions,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// Every operation name [`call`] accepts.
pub const OPERATIONS: &[&str] = &[
    "error_codes",
    "validate_slug",
    "normalize_slug",
    "normalize_email",
    "role_permissions",
    "authorize",
    "can_grant",
    "can_change_role",
    "can_remove_member",
    "resolve_settings",
    "apply_settings_patch",
    "apply_tenant_settings_patch",
    "parse_new_organization",
    "apply_organization_patch",
    "check_password",
    "enforce_password",
    "lockout_check",
    "lockout_after_failure",
    "decide_password_login",
    "totp_enrolment",
    "verify_totp",
    "route_email",
    "check_connection_allowed",
    "explain_login",
    "invitation_status",
    "check_invitation_acceptable",
    "check_invitation_resendable",
    "issue_invitation",
    "verify_invitation",
    "build_org_claims",
    "sign_org_claims",
    "verify_org_token",
    "verify_profiled_token",
    "check_token_not_revoked",
    "parse_bearer",
    "public_jwk",
];

/// Runs operation `name` on `input`.
///
/// ```
/// let out = orgkit_core::ops::call("normalize_slug", serde_json::json!({"name": "Acme Corp"})).unwrap();
/// assert_eq!(out, serde_json::json!({"slug": "acme-corp"}));
/// ```
pub fn call(name: &str, input: Value) -> Result<Value> {
    match name {
        "error_codes" => Ok(json!({ "codes": crate::error::all_codes() })),
        "validate_slug" => op(input, |i: Slug| {
            crate::slug::validate_slug(&i.slug).map(|()| json!({ "slug": i.slug }))
        }),
        "normalize_slug" => op(input, |i: Name| {
            crate::slug::normalize_slug(&i.name).map(|slug| json!({ "slug": slug }))
        }),
        "normalize_email" => op(input, |i: Email| {
            crate::email::normalize_email(&i.email).map(|email| json!({ "email": email }))
        }),
        "role_permissions" => op(input, |i: RoleIn| {
            Ok(json!({ "permissions": Role::parse(&i.role)?.permissions() }))
        }),
        "authorize" => op(input, |i: AuthorizeIn| {
            membership::authorize(&i.actor, i.permission).map(|()| allowed())
        }),
        "can_grant" => op(input, |i: GrantIn| {
            membership::can_grant(&i.actor, i.permission, i.role).map(|()| allowed())
        }),
        "can_change_role" => op(input, |i: ChangeRoleIn| {
            membership::can_change_role(&i.actor, &i.target, i.new_role, i.owner_count)
                .map(|()| allowed())
        }),
        "can_remove_member" => op(input, |i: RemoveIn| {
            membership::can_remove_member(&i.actor, &i.target, i.owner_count).map(|()| allowed())
        }),
        "resolve_settings" => op(input, |i: ResolveIn| to_value(&resolve(&i.tenant, &i.org))),
        "apply_settings_patch" => op(input, apply_settings_patch),
        "apply_tenant_settings_patch" => op(input, apply_tenant_settings_patch),
        "parse_new_organization" => op(input, |i: BodyIn| {
            let org = NewOrganization::from_json(&i.body)?;
            let settings = org.settings.apply(&SettingsLayer::default());
            Ok(
                json!({ "name": org.name, "slug": org.slug, "metadata": org.metadata, "settings": settings }),
            )
        }),
        "apply_organization_patch" => op(input, apply_organization_patch),
        "check_password" => op(input, |i: PasswordIn| {
            Ok(
                json!({ "violations": login::check_password(&i.password, &i.rules, i.email.as_deref()) }),
            )
        }),
        "enforce_password" => op(input, |i: PasswordIn| {
            login::enforce_password(&i.password, &i.rules, i.email.as_deref()).map(|()| allowed())
        }),
        "lockout_check" => op(input, |i: LockoutIn| {
            i.state.check(i.now).map(|()| json!({ "locked": false }))
        }),
        "lockout_after_failure" => op(input, |i: LockoutFailureIn| {
            to_value(&i.state.after_failure(&i.policy, i.now))
        }),
        "decide_password_login" => op(input, |i: PasswordLoginFacts| {
            let decision = login::decide_password_login(&i);
            match decision.outcome {
                Ok(amr) => Ok(json!({ "amr": amr, "lockout": decision.lockout })),
                Err(e) => Err(e),
            }
        }),
        "totp_enrolment" => op(input, |i: TotpEnrolIn| {
            to_value(&login::totp_enrolment(&i.secret, &i.issuer, &i.account)?)
        }),
        "verify_totp" => op(input, |i: TotpVerifyIn| {
            login::verify_totp(&i.secret, &i.code, i.now, i.last_used_step)
                .map(|step| json!({ "step": step }))
        }),
        "route_email" => op(input, |i: RouteIn| {
            let routed = login::route_email(&i.email, &i.connections, i.preferred.as_deref())?;
            Ok(json!({ "connection_id": routed.map(|c| c.id.clone()) }))
        }),
        "check_connection_allowed" => op(input, |i: ConnectionIn| {
            login::check_connection_allowed(&i.org_connections, &i.connection_id)
                .map(|()| allowed())
        }),
        "explain_login" => op(input, |i: LoginQuery| to_value(&login::explain_login(&i)?)),
        "invitation_status" => op(input, |i: StatusIn| {
            Ok(json!({ "status": i.record.status(i.now) }))
        }),
        "check_invitation_acceptable" => op(input, |i: StatusIn| {
            i.record.check_acceptable(i.now).map(|()| allowed())
        }),
        "check_invitation_resendable" => op(input, |i: StatusIn| {
            i.record.check_resendable(i.now).map(|()| allowed())
        }),
        "issue_invitation" => op(input, |i: IssueIn| {
            let key = SigningKey::from_spec(&i.key)?;
            let (token, claims) = token::issue_invitation(&i.invitation, &key)?;
            Ok(json!({ "token": token, "claims": claims }))
        }),
        "verify_invitation" => op(input, |i: VerifyInvitationIn| {
            let keys = KeySet::from_jwks(&i.jwks)?;
            to_value(&token::verify_invitation(
                &i.token,
                &keys,
                &i.options,
                i.email.as_deref(),
            )?)
        }),
        "build_org_claims" => op(input, |i: ClaimsRequest| {
            to_value(&token::build_org_claims(&i)?)
        }),
        "sign_org_claims" => op(input, |i: SignIn| {
            let key = SigningKey::from_spec(&i.key)?;
            Ok(json!({ "token": token::sign_org_claims(&i.claims, &key)? }))
        }),
        "verify_org_token" => op(input, |i: VerifyTokenIn| {
            let keys = KeySet::from_jwks(&i.jwks)?;
            to_value(&token::verify_org_token(
                &i.token, &keys, &i.options, &i.require,
            )?)
        }),
        "verify_profiled_token" => op(input, |i: VerifyProfiledIn| {
            let keys = KeySet::from_jwks(&i.jwks)?;
            to_value(&token::verify_profiled_token(
                &i.token, &keys, &i.options, &i.profile, &i.require,
            )?)
        }),
        "check_token_not_revoked" => op(input, |i: RevocationIn| {
            token::check_not_revoked(i.iat, i.valid_after).map(|()| allowed())
        }),
        "parse_bearer" => op(input, |i: HeaderIn| {
            token::parse_bearer(&i.authorization).map(|t| json!({ "token": t }))
        }),
        "public_jwk" => op(input, |i: KeyIn| {
            SigningKey::from_spec(&i.key)?.public_jwk()
        }),
        _ => Err(Error::new(
            ErrorCode::InvalidRequest,
            format!("unknown operation {:?}", crate::role::truncate(name)),
        )),
    }
}

/// Deserialises the input (unknown fields → `unknown_field`, other shape errors →
/// `invalid_request`, bad role/permission names → their own codes) and runs `f`.
fn op<I: DeserializeOwned>(input: Value, f: impl FnOnce(I) -> Result<Value>) -> Result<Value> {
    f(parse_input(input)?)
}

/// Parses a JSON value into an input type with a coded error.
pub fn parse_input<I: DeserializeOwned>(input: Value) -> Result<I> {
    serde_json::from_value(input).map_err(|e| {
        let message = e.to_string();
        let code = if message.starts_with("unknown field") {
            ErrorCode::UnknownField
        } else if message.contains("variant")
            && (message.contains("`owner`") || message.contains("`viewer`"))
        {
            ErrorCode::InvalidRole
        } else if message.contains("variant") && message.contains("`org:read`") {
            ErrorCode::InvalidPermission
        } else {
            ErrorCode::InvalidRequest
        };
        Error::new(code, format!("invalid input: {message}"))
    })
}

fn to_value<T: Serialize>(v: &T) -> Result<Value> {
    serde_json::to_value(v).map_err(|e| Error::new(ErrorCode::InvalidRequest, e.to_string()))
}

fn allowed() -> Value {
    json!({ "allowed": true })
}

fn apply_settings_patch(i: SettingsPatchIn) -> Result<Value> {
    let patch = SettingsPatch::from_json(&i.patch)?;
    i.tenant.floors.check_patch(&patch)?;
    let settings = patch.apply(&i.org);
    check_default_connection(&settings, i.org_connections.as_deref())?;
    Ok(json!({ "settings": settings, "effective": resolve(&i.tenant, &settings) }))
}

fn apply_tenant_settings_patch(i: TenantPatchIn) -> Result<Value> {
    let patch = TenantSettingsPatch::from_json(&i.patch)?;
    let tenant = TenantSettings {
        defaults: patch.defaults.apply(&i.tenant.defaults),
        floors: patch.floors.apply(&i.tenant.floors),
    };
    tenant.floors.check_layer(&tenant.defaults)?;
    let effective = resolve(&tenant, &SettingsLayer::default());
    Ok(json!({ "tenant": tenant, "effective": effective }))
}

fn apply_organization_patch(i: OrgPatchIn) -> Result<Value> {
    let patch = OrganizationPatch::from_json(&i.patch)?;
    i.tenant.floors.check_patch(&patch.settings)?;
    let settings = patch.settings.apply(&i.org.settings);
    check_default_connection(&settings, i.org_connections.as_deref())?;
    let metadata = apply_metadata(&i.org.metadata, patch.metadata.as_ref())?;
    Ok(json!({
        "name": patch.name.unwrap_or(i.org.name),
        "slug": patch.slug.unwrap_or(i.org.slug),
        "metadata": metadata,
        "settings": settings,
        "effective": resolve(&i.tenant, &settings),
    }))
}

/// `default_connection_id` must name one of the org's connections (when the caller knows them).
pub fn check_default_connection(
    settings: &SettingsLayer,
    org_connections: Option<&[String]>,
) -> Result<()> {
    match (&settings.default_connection_id, org_connections) {
        (Some(id), Some(list)) if !list.iter().any(|c| c == id) => Err(Error::new(
            ErrorCode::InvalidSetting,
            "default_connection_id must be one of the organization's connections",
        )
        .with_field("default_connection_id")),
        _ => Ok(()),
    }
}

macro_rules! inputs {
    ($( $name:ident { $( $field:ident : $ty:ty $(= $default:ident)? ),* $(,)? } )*) => {
        $(
            #[derive(Deserialize)]
            #[serde(deny_unknown_fields)]
            struct $name { $( $(#[serde($default)])? $field: $ty, )* }
        )*
    };
}

inputs! {
    Slug { slug: String }
    Name { name: String }
    Email { email: String }
    RoleIn { role: String }
    AuthorizeIn { actor: Actor, permission: Permission }
    GrantIn { actor: Actor, permission: Permission, role: Role }
    ChangeRoleIn { actor: Actor, target: Target, new_role: Role, owner_count: u64 }
    RemoveIn { actor: Actor, target: Target, owner_count: u64 }
    ResolveIn { tenant: TenantSettings = default, org: SettingsLayer = default }
    SettingsPatchIn { tenant: TenantSettings = default, org: SettingsLayer = default, patch: Value, org_connections: Option<Vec<String>> = default }
    TenantPatchIn { tenant: TenantSettings = default, patch: Value }
    BodyIn { body: Value }
    OrgPatchIn { tenant: TenantSettings = default, org: OrgIn, patch: Value, org_connections: Option<Vec<String>> = default }
    OrgIn { name: String, slug: String, metadata: Map<String, Value> = default, settings: SettingsLayer = default }
    PasswordIn { password: String, rules: PasswordRules, email: Option<String> = default }
    LockoutIn { state: LockoutState = default, now: i64 }
    LockoutFailureIn { state: LockoutState = default, policy: LockoutPolicy, now: i64 }
    TotpEnrolIn { secret: String, issuer: String, account: String }
    TotpVerifyIn { secret: String, code: String, now: i64, last_used_step: Option<u64> = default }
    RouteIn { email: String, connections: Vec<login::Connection>, preferred: Option<String> = default }
    ConnectionIn { org_connections: Vec<String>, connection_id: String }
    StatusIn { record: InvitationRecord, now: i64 }
    IssueIn { key: SigningKeySpec, invitation: InvitationRequest }
    VerifyInvitationIn { token: String, jwks: Value, options: VerifyOptions, email: Option<String> = default }
    SignIn { key: SigningKeySpec, claims: OrgClaims }
    VerifyTokenIn { token: String, jwks: Value, options: VerifyOptions, require: Requirement = default }
    VerifyProfiledIn { token: String, jwks: Value, options: VerifyOptions, profile: token::ProfileConfig, require: Requirement = default }
    HeaderIn { authorization: String }
    RevocationIn { iat: i64, valid_after: Option<i64> = default }
    KeyIn { key: SigningKeySpec }
}
