//! The admin portal: what a portal link lets its holder (a customer's IT admin, sent by the
//! tenant's operator) do in one org, and when a link may still be opened.
//!
//! A link names one org and one intent; its holder acts as [`crate::Actor::Delegate`], allowed
//! exactly the intent's permissions and, where roles are granted, an admin's ceiling. A link
//! opens once, within [`PORTAL_LINK_TTL_SECS`], and gives a portal session of
//! [`PORTAL_SESSION_TTL_SECS`].

use crate::error::{Error, ErrorCode, Result};
use crate::role::Permission;
use serde::{Deserialize, Serialize};

/// How long a portal link may be opened after it was made, in seconds.
pub const PORTAL_LINK_TTL_SECS: i64 = 5 * 60;
/// How long the portal session an opened link gives lasts, in seconds.
pub const PORTAL_SESSION_TTL_SECS: i64 = 60 * 60;

/// What a portal link is for: the pages it shows and the permissions it grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum PortalIntent {
    /// Set up the org's SAML SSO: metadata, certificate, a test login.
    Sso,
    /// Claim and verify the org's email domains.
    Domains,
    /// Create and revoke the org's SCIM directory tokens.
    Scim,
    /// Manage members and invitations (up to admin).
    Members,
    /// Read the org's audit log.
    AuditLog,
}

impl PortalIntent {
    /// The wire name, e.g. `audit_log`.
    pub fn as_str(self) -> &'static str {
        match self {
            PortalIntent::Sso => "sso",
            PortalIntent::Domains => "domains",
            PortalIntent::Scim => "scim",
            PortalIntent::Members => "members",
            PortalIntent::AuditLog => "audit_log",
        }
    }

    /// The intent named `name` (`invalid_request` for any other).
    ///
    /// ```
    /// use orgkit_core::portal::PortalIntent;
    /// assert_eq!(PortalIntent::parse("audit_log").unwrap(), PortalIntent::AuditLog);
    /// assert_eq!(PortalIntent::parse("billing").unwrap_err().code(), "invalid_request");
    /// ```
    pub fn parse(name: &str) -> Result<PortalIntent> {
        [PortalIntent::Sso, PortalIntent::Domains, PortalIntent::Scim, PortalIntent::Members, PortalIntent::AuditLog]
            .into_iter()
            .find(|i| i.as_str() == name)
            .ok_or_else(|| {
                Error::new(ErrorCode::InvalidRequest, "intent must be sso, domains, scim, members or audit_log").with_field("intent")
            })
    }

    /// The permissions a link of this intent grants in its org.
    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            PortalIntent::Sso => &[OrgRead, SsoRead, SsoManage],
            PortalIntent::Domains => &[OrgRead, SsoRead, SsoManage],
            PortalIntent::Scim => &[OrgRead, ScimManage],
            PortalIntent::Members => &[
                OrgRead,
                MembersRead,
                MembersAdd,
                MembersUpdateRole,
                MembersRemove,
                InvitationsCreate,
                InvitationsList,
                InvitationsRevoke,
            ],
            PortalIntent::AuditLog => &[OrgRead, AuditLogRead],
        }
    }

    /// Whether a link of this intent grants `permission`.
    pub fn grants(self, permission: Permission) -> bool {
        self.permissions().contains(&permission)
    }
}

/// Whether a portal link made at `created_at` and opened at `used_at` (if ever) may be opened
/// at `now`: once, within [`PORTAL_LINK_TTL_SECS`].
///
/// ```
/// use orgkit_core::portal::check_portal_link;
/// assert!(check_portal_link(1_000, None, 1_100).is_ok());
/// assert_eq!(check_portal_link(1_000, Some(1_050), 1_100).unwrap_err().code(), "portal_link_used");
/// assert_eq!(check_portal_link(1_000, None, 1_300).unwrap_err().code(), "portal_link_expired");
/// ```
pub fn check_portal_link(created_at: i64, used_at: Option<i64>, now: i64) -> Result<()> {
    if used_at.is_some() {
        return Err(Error::new(ErrorCode::PortalLinkUsed, "this portal link was already opened: ask for a new one"));
    }
    if now.saturating_sub(created_at) >= PORTAL_LINK_TTL_SECS {
        return Err(Error::new(ErrorCode::PortalLinkExpired, "this portal link has expired: ask for a new one"));
    }
    Ok(())
}
