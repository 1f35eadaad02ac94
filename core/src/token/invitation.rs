//! Invitation tokens: signed, expiring, bound to an org, an email and a role, and typed so
//! they never pass as access tokens. Single use is the store's job; whether a stored
//! invitation can still be accepted is decided here ([`InvitationRecord::check_acceptable`]).

use super::keys::{KeySet, SigningKey};
use super::pipeline::{self, INVITATION_TYP, Timed, TokenKind, VerifyOptions, check_issuer};
use crate::email::normalize_email;
use crate::error::{Error, ErrorCode, Result};
use crate::role::Role;
use serde::{Deserialize, Serialize};

/// Default invitation lifetime: 7 days.
pub const INVITATION_DEFAULT_TTL_SECONDS: i64 = 7 * 24 * 3600;
/// Longest invitation lifetime: 30 days.
pub const INVITATION_MAX_TTL_SECONDS: i64 = 30 * 24 * 3600;
/// Shortest nonce accepted: 16 characters (the caller supplies randomness).
pub const NONCE_MIN_LEN: usize = 16;
/// How many times one invitation may be sent again after its first email: an inviter cannot
/// turn an invitation into a mail cannon (revoking and inviting again is a fresh, rate-limited
/// invitation).
pub const INVITATION_MAX_RESENDS: u32 = 5;

/// The claims of an invitation token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct InvitationClaims {
    /// Issuer.
    pub iss: String,
    /// The invitation id.
    pub inv: String,
    /// The org invited to.
    pub org_id: String,
    /// The org's slug when invited.
    pub org_slug: String,
    /// The invited email, normalised.
    pub email: String,
    /// The role granted on acceptance.
    pub role: Role,
    /// Issued at, unix seconds.
    pub iat: i64,
    /// Expires at, unix seconds.
    pub exp: i64,
    /// Caller-supplied random nonce: a resend gets a new token.
    pub nonce: String,
}

impl Timed for InvitationClaims {
    fn times(&self) -> (Option<i64>, Option<i64>, Option<i64>) {
        (Some(self.exp), None, Some(self.iat))
    }
}

/// Everything [`issue_invitation`] needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct InvitationRequest {
    /// Issuer.
    pub issuer: String,
    /// The invitation's id (the store's primary key).
    pub invitation_id: String,
    /// Org id.
    pub org_id: String,
    /// Org slug.
    pub org_slug: String,
    /// Invited email (normalised here).
    pub email: String,
    /// Role granted on acceptance.
    pub role: Role,
    /// Now, unix seconds.
    pub now: i64,
    /// Lifetime in seconds: default 7 days, at most 30 days.
    #[serde(default)]
    pub ttl_seconds: Option<i64>,
    /// Random nonce of at least 16 characters, chosen by the caller.
    pub nonce: String,
}

/// Issues an invitation token; answers the token and its claims.
pub fn issue_invitation(
    req: &InvitationRequest,
    key: &SigningKey,
) -> Result<(String, InvitationClaims)> {
    let ttl = req.ttl_seconds.unwrap_or(INVITATION_DEFAULT_TTL_SECONDS);
    if !(60..=INVITATION_MAX_TTL_SECONDS).contains(&ttl) {
        return Err(Error::new(
            ErrorCode::InvalidRequest,
            "ttl_seconds must be between 60 seconds and 30 days",
        )
        .with_field("ttl_seconds"));
    }
    if req.nonce.len() < NONCE_MIN_LEN {
        return Err(Error::new(
            ErrorCode::InvalidRequest,
            format!("nonce must be at least {NONCE_MIN_LEN} characters"),
        )
        .with_field("nonce"));
    }
    let claims = InvitationClaims {
        iss: req.issuer.clone(),
        inv: req.invitation_id.clone(),
        org_id: req.org_id.clone(),
        org_slug: req.org_slug.clone(),
        email: normalize_email(&req.email)?,
        role: req.role,
        iat: req.now,
        exp: req.now.saturating_add(ttl),
        nonce: req.nonce.clone(),
    };
    let token = pipeline::sign(&claims, key, INVITATION_TYP)?;
    Ok((token, claims))
}

/// Verifies an invitation token: signature, type, issuer and expiry (`invitation_expired`),
/// and, when `email` is given, that it is the invited email after normalisation
/// (`invitation_email_mismatch`).
pub fn verify_invitation(
    token: &str,
    keys: &KeySet,
    opts: &VerifyOptions,
    email: Option<&str>,
) -> Result<InvitationClaims> {
    let claims: InvitationClaims = pipeline::verify(token, keys, TokenKind::Invitation, opts)
        .map_err(|e| {
            if e.code == ErrorCode::TokenExpired {
                Error::new(ErrorCode::InvitationExpired, "the invitation has expired")
            } else {
                e
            }
        })?;
    check_issuer(&claims.iss, opts)?;
    if let Some(email) = email
        && normalize_email(email)? != claims.email
    {
        return Err(Error::new(
            ErrorCode::InvitationEmailMismatch,
            "the invitation was sent to another email address",
        ));
    }
    Ok(claims)
}

/// An invitation's lifecycle status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum InvitationStatus {
    /// Sent and still acceptable.
    Pending,
    /// Accepted: the membership exists.
    Accepted,
    /// Revoked by an admin.
    Revoked,
    /// Past its expiry without being accepted.
    Expired,
}

/// What the store knows of an invitation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct InvitationRecord {
    /// Expiry, unix seconds.
    pub expires_at: i64,
    /// When it was accepted, if it was.
    #[serde(default)]
    pub accepted_at: Option<i64>,
    /// When it was revoked, if it was.
    #[serde(default)]
    pub revoked_at: Option<i64>,
    /// How many times it was sent again after its first email.
    #[serde(default)]
    pub resends: u32,
}

impl InvitationRecord {
    /// The status at `now`. Accepted and revoked are final; otherwise expired once `now`
    /// reaches `expires_at`.
    pub fn status(&self, now: i64) -> InvitationStatus {
        match (self.accepted_at, self.revoked_at) {
            (Some(_), _) => InvitationStatus::Accepted,
            (None, Some(_)) => InvitationStatus::Revoked,
            (None, None) if now >= self.expires_at => InvitationStatus::Expired,
            (None, None) => InvitationStatus::Pending,
        }
    }

    /// Whether the invitation can be accepted at `now`: `invitation_used`,
    /// `invitation_revoked` or `invitation_expired` otherwise.
    pub fn check_acceptable(&self, now: i64) -> Result<()> {
        match self.status(now) {
            InvitationStatus::Pending => Ok(()),
            InvitationStatus::Accepted => Err(Error::new(
                ErrorCode::InvitationUsed,
                "the invitation has already been accepted",
            )),
            InvitationStatus::Revoked => Err(Error::new(
                ErrorCode::InvitationRevoked,
                "the invitation was revoked",
            )),
            InvitationStatus::Expired => Err(Error::new(
                ErrorCode::InvitationExpired,
                "the invitation has expired",
            )),
        }
    }

    /// Whether a link to the invitation can be accepted at `now`: as [`Self::check_acceptable`],
    /// and the link must be the invitation's latest (`invitation_revoked`: a resend replaced
    /// it, so only the newest email joins).
    ///
    /// ```
    /// use orgkit_core::token::InvitationRecord;
    /// let pending = InvitationRecord { expires_at: 2_000, accepted_at: None, revoked_at: None, resends: 1 };
    /// assert!(pending.check_link_acceptable(1_000, true).is_ok());
    /// let replaced = pending.check_link_acceptable(1_000, false).unwrap_err();
    /// assert_eq!(replaced.code.as_str(), "invitation_revoked");
    /// let expired = pending.check_link_acceptable(3_000, false).unwrap_err();
    /// assert_eq!(expired.code.as_str(), "invitation_expired");
    /// ```
    pub fn check_link_acceptable(&self, now: i64, latest_link: bool) -> Result<()> {
        self.check_acceptable(now)?;
        if !latest_link {
            return Err(Error::new(
                ErrorCode::InvitationRevoked,
                "this link was replaced by a newer invitation email",
            ));
        }
        Ok(())
    }

    /// Whether the invitation can be sent again at `now` (a fresh link and expiry): a pending
    /// or expired invitation can, [`INVITATION_MAX_RESENDS`] times
    /// (`invitation_resend_limit` after that); an accepted one is `invitation_used`, a
    /// revoked one `invitation_revoked`.
    pub fn check_resendable(&self, now: i64) -> Result<()> {
        match self.status(now) {
            InvitationStatus::Pending | InvitationStatus::Expired
                if self.resends >= INVITATION_MAX_RESENDS =>
            {
                Err(Error::new(
                    ErrorCode::InvitationResendLimit,
                    format!(
                        "this invitation was already sent again {INVITATION_MAX_RESENDS} times: revoke it and invite again"
                    ),
                ))
            }
            InvitationStatus::Pending | InvitationStatus::Expired => Ok(()),
            InvitationStatus::Accepted | InvitationStatus::Revoked => self.check_acceptable(now),
        }
    }
}

/// Whether an org may invite an address whose earlier invitations to that org are `existing`:
/// not while one of them is still pending (`invitation_pending`), so inviting again never
/// mails the address again; sending it again is an explicit, limited resend
/// ([`InvitationRecord::check_resendable`]). Accepted, revoked and expired invitations do not
/// stand in the way.
///
/// ```
/// use orgkit_core::token::{InvitationRecord, check_can_invite};
/// let pending = InvitationRecord { expires_at: 100, accepted_at: None, revoked_at: None, resends: 0 };
/// assert_eq!(check_can_invite(&[pending.clone()], 50).unwrap_err().code(), "invitation_pending");
/// assert!(check_can_invite(&[pending], 100).is_ok()); // expired
/// ```
pub fn check_can_invite(existing: &[InvitationRecord], now: i64) -> Result<()> {
    if existing
        .iter()
        .any(|r| r.status(now) == InvitationStatus::Pending)
    {
        return Err(Error::new(
            ErrorCode::InvitationPending,
            "this address already has a pending invitation to the organization: resend it instead",
        )
        .with_field("email"));
    }
    Ok(())
}
