//! Events and their webhooks: which changes are events, what an endpoint may subscribe to, and
//! when a failed delivery is tried again.
//!
//! The server writes an event in the transaction of every change it audits and delivers it to
//! each subscribed endpoint, signed per the Standard Webhooks specification; these are the
//! rules it follows.

use crate::error::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};

macro_rules! event_types {
    ($( $(#[$meta:meta])* $variant:ident = $wire:literal; )*) => {
        /// A kind of event, named `resource.change` on the wire.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "ts", derive(tsify::Tsify))]
        pub enum EventType {
            $( $(#[$meta])* #[serde(rename = $wire)] $variant, )*
        }

        impl EventType {
            /// Every event type, in the order the documentation lists them.
            pub const ALL: &'static [EventType] = &[$( EventType::$variant ),*];

            /// The wire name, e.g. `membership.created`.
            pub fn as_str(self) -> &'static str {
                match self { $( EventType::$variant => $wire, )* }
            }

            /// The event type named `name`, if there is one.
            pub fn parse(name: &str) -> Option<EventType> {
                match name { $( $wire => Some(EventType::$variant), )* _ => None }
            }
        }
    };
}

event_types! {
    /// An org was created.
    OrganizationCreated = "organization.created";
    /// An org's name, slug, metadata or settings changed.
    OrganizationUpdated = "organization.updated";
    /// An org was deleted.
    OrganizationDeleted = "organization.deleted";
    /// Someone became a member of an org (added, invited, by SSO or by the org's directory).
    MembershipCreated = "membership.created";
    /// A member's role changed.
    MembershipUpdated = "membership.updated";
    /// A membership ended (removed, left, or deactivated by the org's directory).
    MembershipDeleted = "membership.deleted";
    /// An invitation was sent.
    InvitationCreated = "invitation.created";
    /// An invitation was accepted.
    InvitationAccepted = "invitation.accepted";
    /// An invitation was revoked.
    InvitationRevoked = "invitation.revoked";
    /// An org's domain claim was verified (by DNS or by the operator).
    DomainVerified = "domain.verified";
    /// An SSO connection was created (the tenant's, or an org's own SAML or OIDC).
    ConnectionCreated = "connection.created";
    /// An SSO connection was replaced, enabled or disabled.
    ConnectionUpdated = "connection.updated";
    /// An SSO connection was deleted.
    ConnectionDeleted = "connection.deleted";
    /// An org's directory provisioned a user.
    ScimUserCreated = "scim.user.created";
    /// An org's directory changed a user.
    ScimUserUpdated = "scim.user.updated";
    /// An org's directory deactivated a user.
    ScimUserDeactivated = "scim.user.deactivated";
    /// An org's directory reactivated a user.
    ScimUserReactivated = "scim.user.reactivated";
    /// An org's directory deleted a user.
    ScimUserDeleted = "scim.user.deleted";
    /// An org's directory pushed a new group.
    ScimGroupCreated = "scim.group.created";
    /// An org's directory changed a group or its members.
    ScimGroupUpdated = "scim.group.updated";
    /// An org's directory deleted a group.
    ScimGroupDeleted = "scim.group.deleted";
}

/// Longest webhook URL, in bytes.
pub const WEBHOOK_URL_MAX: usize = 2048;

/// How long a rotated-out signing secret still signs deliveries beside the new one, in seconds,
/// so receivers can roll over without dropping any.
pub const SECRET_OVERLAP_SECS: i64 = 24 * 3600;

/// After failing for this long (seconds since the first failure after the last success), an
/// endpoint is disabled.
pub const DISABLE_AFTER_FAILING_SECS: i64 = 24 * 3600;

/// The delay before each retry, in seconds: seconds first, then growing; the last repeats.
pub const RETRY_DELAYS_SECS: &[i64] = &[5, 30, 120, 600, 1_800, 3_600, 7_200, 14_400, 28_800];

/// How long one delivery attempt may take, in seconds, before it counts as failed.
pub const DELIVERY_TIMEOUT_SECS: u64 = 10;

fn invalid(field: &str, message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidRequest, message).with_field(field)
}

/// Validates a webhook endpoint's `url`: an absolute `http` or `https` URL with a host, at most
/// [`WEBHOOK_URL_MAX`] bytes, without credentials or a fragment. Loopback and private
/// addresses are allowed: only the tenant's operator declares endpoints. Answers it normalised.
///
/// ```
/// use orgkit_core::event::parse_webhook_url;
/// assert_eq!(parse_webhook_url("http://127.0.0.1:9000/hook").unwrap(), "http://127.0.0.1:9000/hook");
/// assert_eq!(parse_webhook_url("ftp://example.com/").unwrap_err().code(), "invalid_request");
/// ```
pub fn parse_webhook_url(url: &str) -> Result<String> {
    let too_long = url.len() > WEBHOOK_URL_MAX;
    let parsed = url::Url::parse(url).ok().filter(|_| !too_long);
    let Some(parsed) = parsed else {
        return Err(invalid("url", format!("url must be an absolute http or https URL of at most {WEBHOOK_URL_MAX} bytes")));
    };
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none_or(str::is_empty) {
        return Err(invalid("url", "url must be an http or https URL with a host"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() || parsed.fragment().is_some() {
        return Err(invalid("url", "url must not carry credentials or a fragment"));
    }
    Ok(parsed.into())
}

/// Validates an endpoint's subscription: `None` (every event type) or a non-empty list of
/// known event types, answered sorted without repeats.
///
/// ```
/// use orgkit_core::event::{EventType, parse_subscription};
/// let names = vec!["membership.deleted".to_owned(), "membership.created".to_owned()];
/// assert_eq!(parse_subscription(Some(&names)).unwrap(), Some(vec![EventType::MembershipCreated, EventType::MembershipDeleted]));
/// assert_eq!(parse_subscription(None).unwrap(), None);
/// ```
pub fn parse_subscription(names: Option<&[String]>) -> Result<Option<Vec<EventType>>> {
    let Some(names) = names else { return Ok(None) };
    if names.is_empty() {
        return Err(invalid("events", "events must name at least one event type; leave it out for every type"));
    }
    parse_types("events", names.iter().map(String::as_str)).map(Some)
}

/// Reads the `types` filter of an event listing: comma-separated event types (blanks ignored);
/// an empty filter means every type.
///
/// ```
/// use orgkit_core::event::{EventType, parse_type_filter};
/// assert_eq!(parse_type_filter("domain.verified, organization.created").unwrap(), vec![EventType::OrganizationCreated, EventType::DomainVerified]);
/// assert_eq!(parse_type_filter("user.hacked").unwrap_err().code(), "invalid_request");
/// ```
pub fn parse_type_filter(filter: &str) -> Result<Vec<EventType>> {
    parse_types("types", filter.split(',').map(str::trim).filter(|s| !s.is_empty()))
}

fn parse_types<'a>(field: &str, names: impl Iterator<Item = &'a str>) -> Result<Vec<EventType>> {
    let mut types = Vec::new();
    for name in names {
        let kind = EventType::parse(name).ok_or_else(|| {
            invalid(field, format!("{field}: unknown event type {:?}", crate::role::truncate(name)))
        })?;
        types.push(kind);
    }
    types.sort_unstable();
    types.dedup();
    Ok(types)
}

/// Whether a receiver's answer acknowledges a delivery: any 2xx status.
pub fn is_acknowledged(status: u16) -> bool {
    (200..300).contains(&status)
}

/// What follows a failed delivery attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(tag = "then", rename_all = "snake_case")]
pub enum AfterFailure {
    /// Try again at `at` (unix seconds).
    Retry {
        /// When.
        at: i64,
    },
    /// The endpoint has failed for [`DISABLE_AFTER_FAILING_SECS`]: disable it and give this
    /// delivery up.
    DisableEndpoint,
}

/// Decides what follows the `attempts`-th failed attempt (1 for the first) of a delivery at
/// `now`, for an endpoint failing since `failing_since`: a retry after the
/// [`RETRY_DELAYS_SECS`] delay of that attempt, spread by `jitter_permille` (0–1000, chosen at
/// random by the caller) over 80–120 % of it, or, after a day of failures, disabling the
/// endpoint.
///
/// ```
/// use orgkit_core::event::{AfterFailure, after_failure};
/// assert_eq!(after_failure(1, 1_000, 1_000, 500), AfterFailure::Retry { at: 1_005 });
/// assert_eq!(after_failure(9, 0, 86_400, 500), AfterFailure::DisableEndpoint);
/// ```
pub fn after_failure(attempts: u32, failing_since: i64, now: i64, jitter_permille: u16) -> AfterFailure {
    if now.saturating_sub(failing_since) >= DISABLE_AFTER_FAILING_SECS {
        return AfterFailure::DisableEndpoint;
    }
    let index = usize::try_from(attempts.saturating_sub(1)).unwrap_or(usize::MAX);
    let base = RETRY_DELAYS_SECS.get(index).or(RETRY_DELAYS_SECS.last()).copied().unwrap_or(60);
    // 800–1200 ‰ of the base delay, rounded to the second.
    let permille = 800 + i64::from(jitter_permille.min(1000)) * 2 / 5;
    let delay = base.saturating_mul(permille).saturating_add(500) / 1000;
    AfterFailure::Retry { at: now.saturating_add(delay.max(1)) }
}
