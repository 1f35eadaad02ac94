//! TOTP second factor: enrolment, confirmation, and the second-factor facts of a login or an
//! org switch. Codes are checked by core (`verify_totp`, which answers the time-step a code
//! matched); the store accepts each step once (`consume_totp_step`, a conditional UPDATE).

use super::parse_body;
use crate::auth::AuthUser;
use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::Tx;
use crate::store::audit::AuditEntry;
use crate::store::tenants::TenantRow;
use crate::store::users::UserRow;
use orgkit_core::ErrorCode;
use orgkit_core::login::{LockoutPolicy, MfaFacts, StepUpFacts, TotpEnrolment, decide_step_up, totp_enrolment, totp_secret_base32, verify_totp};
use poem_openapi::Object;
use serde::Deserialize;
use serde_json::Value;

/// Random bytes of a new secret: 160 bits, RFC 4226's recommendation and what apps expect.
const SECRET_BYTES: usize = 20;

/// `POST /api/v1/auth/mfa/totp/verify` body.
#[derive(Debug, Deserialize, Object)]
#[oai(rename = "TotpCode")]
#[serde(deny_unknown_fields)]
pub struct VerifyCode {
    /// The 6-digit code the authenticator app shows for the pending enrolment.
    pub code: String,
}

/// A fresh secret from the operating system's randomness, in core's form.
fn new_secret() -> ApiResult<String> {
    Ok(totp_secret_base32(&clock::random_bytes(SECRET_BYTES)?)?)
}

/// The enrolment answer for a secret: what the app scans, labelled with the tenant's name.
fn enrolment(tenant: &TenantRow, user: &UserRow, secret: &str) -> ApiResult<TotpEnrolment> {
    Ok(totp_enrolment(secret, &tenant.name, &user.email)?)
}

/// Starts an enrolment for the caller: a new pending secret (a confirmed factor stays in force
/// until this one is confirmed). Replacing a confirmed factor is a step-up: the session must
/// have performed MFA (core's `decide_step_up`), else `mfa_required`.
pub async fn enrol(state: &AppState, auth: &AuthUser, tenant: &TenantRow) -> ApiResult<TotpEnrolment> {
    let store = &state.store;
    let now = store.now();
    let secret = new_secret()?;
    let answer = enrolment(tenant, &auth.user, &secret)?;
    let mut tx = store.begin().await?;
    let factor = store.totp_factor(&mut tx, &auth.user.id).await?;
    let replacing = StepUpFacts {
        amr: auth.claims.amr.clone(),
        // Only a second factor may replace a second factor (no SSO connection counts here).
        connection_id: None,
        connections: Vec::new(),
        require_mfa: factor.confirmed().is_some(),
        lockout: Default::default(),
        lockout_policy: LockoutPolicy { max_attempts: 1, duration_seconds: 0 },
        org_lockout_policy: None,
        mfa: MfaFacts { enrolled: true, code_valid: None },
        now,
    };
    decide_step_up(&replacing).outcome?;
    store.set_pending_totp(&mut tx, &auth.user.id, &secret, now).await?;
    tx.commit().await?;
    Ok(answer)
}

/// Confirms the caller's pending enrolment with a first code; that code's step is used up.
/// Answers when it was confirmed.
pub async fn confirm(state: &AppState, auth: &AuthUser, body: Value) -> ApiResult<i64> {
    let body: VerifyCode = parse_body(body)?;
    let store = &state.store;
    let now = store.now();
    let mut tx = store.begin().await?;
    let factor = store.totp_factor(&mut tx, &auth.user.id).await?;
    let pending = factor
        .pending_secret
        .ok_or_else(|| super::invalid("code", "no TOTP enrolment is pending: POST /api/v1/auth/mfa/totp first"))?;
    let step = verify_totp(&pending, &body.code, now, None)?;
    if !store.confirm_pending_totp(&mut tx, &auth.user.id, &pending, step, now).await? {
        return Err(ApiError::new(ErrorCode::InvalidMfaCode, "the one-time code is wrong or was already used"));
    }
    let who = format!("user:{}", auth.user.id);
    let entry = AuditEntry { tenant_id: &auth.user.tenant_id, org_id: None, actor: &who, action: "user.mfa_enrolled", target: Some(who.clone()) };
    store.audit(&mut tx, entry, now).await?;
    tx.commit().await?;
    Ok(now)
}

/// The second-factor facts of an attempt, for core's decision. A code is checked against the
/// confirmed factor and its step consumed in `tx`; without a confirmed factor, a code of the
/// pending enrolment confirms it (the enrolment a refused login handed out). A code that does
/// not verify, or whose step was used, is `code_valid: Some(false)`: core counts it as a
/// failed login, like a wrong password.
pub async fn facts(state: &AppState, tx: &mut Tx, user_id: &str, code: Option<&str>, now: i64) -> ApiResult<MfaFacts> {
    let store = &state.store;
    let factor = store.totp_factor(tx, user_id).await?;
    let last = factor.last_used_step.and_then(|s| u64::try_from(s).ok());
    let (secret, confirmed) = match (factor.confirmed(), factor.pending_secret.as_deref()) {
        (Some(s), _) => (s.to_owned(), true),
        (None, Some(p)) if code.is_some() => (p.to_owned(), false),
        _ => return Ok(MfaFacts { enrolled: false, code_valid: None }),
    };
    let Some(code) = code else {
        return Ok(MfaFacts { enrolled: true, code_valid: None });
    };
    let step = match verify_totp(&secret, code, now, if confirmed { last } else { None }) {
        Ok(step) => step,
        Err(e) if e.code == ErrorCode::InvalidMfaCode => return Ok(MfaFacts { enrolled: true, code_valid: Some(false) }),
        Err(e) => return Err(ApiError::internal(e)),
    };
    let accepted = if confirmed {
        store.consume_totp_step(tx, user_id, &secret, step, now).await?
    } else {
        store.confirm_pending_totp(tx, user_id, &secret, step, now).await?
    };
    Ok(MfaFacts { enrolled: true, code_valid: Some(accepted) })
}

/// `mfa_enrollment_required` on login, with the enrolment to scan: the user's pending secret
/// (created now if there is none, reused otherwise so a scanned app keeps working). Only
/// answered after the password verified; the next login with a code of it confirms it.
pub async fn enrolment_required(state: &AppState, tenant: &TenantRow, user: &UserRow, err: orgkit_core::Error) -> ApiResult<ApiError> {
    let store = &state.store;
    let now = store.now();
    let candidate = new_secret()?;
    let mut tx = store.begin().await?;
    let secret = store.pending_totp_or_insert(&mut tx, &user.id, &candidate, now).await?;
    tx.commit().await?;
    let answer = enrolment(tenant, user, &secret)?;
    let mut api = ApiError::from(orgkit_core::Error::new(
        err.code,
        "this organization requires MFA: add the enrolment to your authenticator app, then log in again with `totp`",
    ));
    let mut details = serde_json::Map::new();
    let setup = serde_json::to_value(crate::api::views::auth::TotpSetup::from(answer)).map_err(ApiError::internal)?;
    details.insert("enrolment".to_owned(), setup);
    api.details = Some(details);
    Ok(api)
}
