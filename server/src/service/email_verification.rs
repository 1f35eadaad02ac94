//! Email ownership: signup (and an account created by accepting an invitation) mails a
//! verification link; the link's token, posted back, proves the address (core's
//! `EmailVerificationRecord` decides whether the link still works). Accepting an invitation
//! proves nothing: the inviter, an untrusted org admin, receives its link in the API's answer.
//! An account whose email is unverified is never linked or joined by domain without losing what
//! was set on it (see `service::saml`).

use super::parse_body;
use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::mail::verification_email;
use crate::state::AppState;
use crate::store::users::UserRow;
use orgkit_core::email::EmailVerificationRecord;
use poem_openapi::Object;
use serde::Deserialize;
use serde_json::Value;

/// Random bytes of a verification link's token.
const TOKEN_BYTES: usize = 32;

/// `POST /api/v1/auth/verify-email` body.
/// `{token}`: the token of an email verification link.
#[derive(Debug, Deserialize, Object)]
#[oai(rename = "EmailVerification")]
#[serde(deny_unknown_fields)]
pub struct Verify {
    /// The token the verification email carried.
    pub token: String,
}

/// Stores a new verification link for the user's email and mails it. A mail that cannot be
/// sent is logged, not answered: the account exists either way.
pub async fn send(state: &AppState, user: &UserRow) -> ApiResult<()> {
    let token = clock::random_token(TOKEN_BYTES)?;
    let mut tx = state.store.begin().await?;
    state.store.insert_email_verification(&mut tx, &clock::sha256_hex(&token), user, state.store.now()).await?;
    tx.commit().await?;
    let link = format!("{}/verify-email/{token}", state.config.public_url);
    if let Err(e) = state.send_email(verification_email(&user.email, &link)?).await {
        tracing::warn!(error = %e, user = %user.id, "the verification email could not be sent");
    }
    Ok(())
}

/// Verifies the email a link was sent to; answers the address.
pub async fn verify(state: &AppState, body: Value) -> ApiResult<String> {
    let body: Verify = parse_body(body)?;
    let invalid = || ApiError::new(orgkit_core::ErrorCode::InvalidToken, "this is not a verification link of this server");
    if body.token.len() > 128 {
        return Err(invalid());
    }
    let hash = clock::sha256_hex(&body.token);
    let now = state.store.now();
    let store = &state.store;
    let mut tx = store.begin().await?;
    let (user_id, email, created_at, used_at) = store.lock_email_verification(&mut tx, &hash).await?.ok_or_else(invalid)?;
    EmailVerificationRecord { created_at, used_at }.check_usable(now)?;
    store.use_email_verification(&mut tx, &hash, now).await?;
    store.set_email_verified(&mut tx, &user_id, now).await?;
    tx.commit().await?;
    Ok(email)
}
