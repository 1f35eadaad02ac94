//! SCIM tokens as the APIs show them.

use super::both_cases;
use crate::clock;
use crate::service::scim_tokens::IssuedScimToken;
use crate::store::scim::ScimTokenRow;

both_cases! {
    /// A directory's token, as listed (its secret is never shown again).
    ScimToken / ScimTokenCamel {
        /// Id.
        pub id: String,
        /// Created (RFC 3339).
        pub created_at: String,
        /// Last authenticated a request (to the minute), `null` if never.
        #[oai(nullable)]
        pub last_used_at: Option<String>,
        /// Whether the operator allowed it any email domain (else only the org's verified ones).
        pub allow_any_domain: bool,
    }
}

both_cases! {
    /// A token just created: `token` is shown this once.
    NewScimToken / NewScimTokenCamel {
        /// Id.
        pub id: String,
        /// The bearer token the directory sends.
        pub token: String,
        /// The directory's SCIM base URL (absolute).
        pub base_url: String,
        /// Created (RFC 3339).
        pub created_at: String,
        /// Whether the operator allowed it any email domain.
        pub allow_any_domain: bool,
    }
}

macro_rules! token_from {
    ($listed:ident, $issued:ident) => {
        impl From<ScimTokenRow> for $listed {
            fn from(t: ScimTokenRow) -> Self {
                $listed { id: t.id, created_at: clock::rfc3339(t.created_at), last_used_at: t.last_used_at.map(clock::rfc3339), allow_any_domain: t.any_domain != 0 }
            }
        }

        impl From<IssuedScimToken> for $issued {
            fn from(t: IssuedScimToken) -> Self {
                $issued {
                    id: t.row.id,
                    token: t.token,
                    base_url: t.base_url,
                    created_at: clock::rfc3339(t.row.created_at),
                    allow_any_domain: t.row.any_domain != 0,
                }
            }
        }
    };
}
token_from!(ScimToken, NewScimToken);
token_from!(ScimTokenCamel, NewScimTokenCamel);
