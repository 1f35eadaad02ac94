//! Connections: which an org allows, which it proposes, and routing an email to one.

use crate::email::{email_domain, normalize_email};
use crate::error::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};

/// An SSO connection as login policy sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct Connection {
    /// Connection id.
    pub id: String,
    /// Email domains routed to this connection (lowercase).
    #[serde(default)]
    pub email_domains: Vec<String>,
    /// For an org's own connection (configured by its owner, an untrusted party): the domains
    /// that org has verified. Only email domains among `email_domains` that one of these covers
    /// route to it. Absent: a connection of the tenant's operator, whose email domains are
    /// trusted as declared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_domains: Option<Vec<String>>,
}

impl Connection {
    /// Whether an email domain (lowercase) routes to this connection: it is one of its email
    /// domains and, for an org's own connection, verified by that org.
    pub fn routes(&self, domain: &str) -> bool {
        self.email_domains.iter().any(|d| d.eq_ignore_ascii_case(domain))
            && self.verified_domains.as_deref().is_none_or(|verified| crate::domain::covers(verified, domain))
    }

    /// Whether the tenant's operator made this connection.
    pub fn is_operators(&self) -> bool {
        self.verified_domains.is_none()
    }
}

/// `connection_not_allowed` unless `connection_id` is one of the org's connections.
pub fn check_connection_allowed(org_connections: &[String], connection_id: &str) -> Result<()> {
    if org_connections.iter().any(|c| c == connection_id) {
        Ok(())
    } else {
        Err(Error::new(
            ErrorCode::ConnectionNotAllowed,
            "this connection is not enabled for the organization",
        ))
    }
}

/// The connection to propose first: the effective `default_connection_id` when the org has
/// that connection enabled, otherwise none.
pub fn default_connection<'a>(
    default_connection_id: Option<&'a str>,
    org_connections: &[String],
) -> Option<&'a str> {
    default_connection_id.filter(|d| org_connections.iter().any(|c| c == d))
}

/// The connection an email's domain routes to, among `connections` (see
/// [`Connection::routes`]: an org's own connection only for its verified domains). Domains
/// match exactly (case-insensitive); when several connections route the domain, `preferred`
/// wins if it is one of them, then the operator's connections, then the smallest id, so the
/// answer never depends on list order.
pub fn route_email<'a>(
    email: &str,
    connections: &'a [Connection],
    preferred: Option<&str>,
) -> Result<Option<&'a Connection>> {
    let email = normalize_email(email)?;
    let domain = email_domain(&email).unwrap_or_default();
    let mut matches: Vec<&Connection> = connections
        .iter()
        .filter(|c| c.routes(domain))
        .collect();
    if let Some(p) = preferred.and_then(|p| matches.iter().find(|c| c.id == p)) {
        return Ok(Some(p));
    }
    matches.sort_by(|a, b| (!a.is_operators(), &a.id).cmp(&(!b.is_operators(), &b.id)));
    Ok(matches.first().copied())
}
