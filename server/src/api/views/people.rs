//! Users, members, invitations and the audit log.

use super::{both_cases, time, wire_name};
use crate::store::audit::AuditRow;
use crate::store::invitations::InvitationRow;
use crate::store::members::MemberRow;
use crate::store::users::UserRow;
use poem_openapi::Object;
use serde::Serialize;

/// A user of the tenant (management API).
#[derive(Object, Serialize)]
pub struct ManagedUser {
    /// Id.
    pub id: String,
    /// Email, unique per tenant.
    pub email: String,
    /// Display name.
    #[oai(nullable)]
    pub name: Option<String>,
    /// Whether the user can log in with a password.
    pub has_password: bool,
    /// Whether the user proved they receive mail at `email`.
    pub email_verified: bool,
    /// Created (RFC 3339).
    pub created_at: String,
}

impl From<UserRow> for ManagedUser {
    fn from(user: UserRow) -> ManagedUser {
        ManagedUser {
            has_password: user.password_hash.is_some(),
            email_verified: user.email_verified_at.is_some(),
            created_at: time(user.created_at),
            id: user.id,
            email: user.email,
            name: user.name,
        }
    }
}

/// A member of an org (management API).
#[derive(Object, Serialize)]
pub struct ManagedMember {
    /// The member's user id.
    pub user_id: String,
    /// Their email.
    pub email: String,
    /// Their display name.
    #[oai(nullable)]
    pub name: Option<String>,
    /// `owner`, `admin`, `member` or `viewer`.
    pub role: String,
    /// When the membership began (RFC 3339).
    pub created_at: String,
}

impl From<MemberRow> for ManagedMember {
    fn from(m: MemberRow) -> ManagedMember {
        ManagedMember { created_at: time(m.created_at), user_id: m.user_id, email: m.email, name: m.name, role: m.role }
    }
}

/// A member of an org (user API; the member id is the user id).
#[derive(Object, Serialize)]
#[oai(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
pub struct UserMember {
    /// The member id (their user id).
    pub id: String,
    /// Their user id.
    pub user_id: String,
    /// Their email.
    pub email: String,
    /// Their display name.
    #[oai(nullable)]
    pub name: Option<String>,
    /// `owner`, `admin`, `member` or `viewer`.
    pub role: String,
    /// When the membership began (RFC 3339).
    pub joined_at: String,
}

impl From<MemberRow> for UserMember {
    fn from(m: MemberRow) -> UserMember {
        UserMember { id: m.user_id.clone(), joined_at: time(m.created_at), user_id: m.user_id, email: m.email, name: m.name, role: m.role }
    }
}

both_cases! {
    /// An invitation; its link only in the answer that issued it.
    Invitation / InvitationCamel {
        /// Id.
        pub id: String,
        /// The org it joins.
        pub organization_id: String,
        /// Invited email.
        pub email: String,
        /// Role granted on acceptance.
        pub role: String,
        /// `pending`, `accepted`, `revoked` or `expired`.
        pub status: String,
        /// Expiry (RFC 3339).
        pub expires_at: String,
        /// Created (RFC 3339).
        pub created_at: String,
        /// The link the email carried: only when this answer issued it.
        #[oai(skip_serializing_if_is_none)]
        #[serde(skip_serializing_if = "Option::is_none")]
        pub invitation_url: Option<String>,
    }
}

macro_rules! invitation_from {
    ($view:ident) => {
        impl $view {
            /// The view of `row` at `now`, with the link `url` when this answer issued it.
            pub fn new(row: InvitationRow, url: Option<String>, now: i64) -> $view {
                $view {
                    status: wire_name(&row.record().status(now)),
                    expires_at: time(row.expires_at),
                    created_at: time(row.created_at),
                    invitation_url: url,
                    id: row.id,
                    organization_id: row.org_id,
                    email: row.email,
                    role: row.role,
                }
            }
        }
    };
}
invitation_from!(Invitation);
invitation_from!(InvitationCamel);

both_cases! {
    /// An entry of an org's audit log.
    AuditEntry / AuditEntryCamel {
        /// Id (time-ordered).
        pub id: String,
        /// `user:<id>` or `management_key`.
        pub actor: String,
        /// What happened, e.g. `member.role_changed`.
        pub action: String,
        /// What it happened to, e.g. `user:<id>`.
        #[oai(nullable)]
        pub target: Option<String>,
        /// When (RFC 3339).
        pub created_at: String,
        /// The client address of the request that made the change (`null` from the CLI).
        #[oai(nullable)]
        pub client_address: Option<String>,
        /// The User-Agent of that request (`null` from the CLI or without one).
        #[oai(nullable)]
        pub user_agent: Option<String>,
    }
}

macro_rules! audit_from {
    ($view:ident) => {
        impl From<AuditRow> for $view {
            fn from(e: AuditRow) -> $view {
                $view { created_at: time(e.created_at), id: e.id, actor: e.actor, action: e.action, target: e.target, client_address: e.client_address, user_agent: e.user_agent }
            }
        }
    };
}
audit_from!(AuditEntry);
audit_from!(AuditEntryCamel);
