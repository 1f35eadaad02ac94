//! Signed tokens: keys, the verification pipeline shared by every token type, org access
//! tokens, invitation tokens, and the long-lived [`Verifier`] hosts keep.

mod cache;
mod claims;
mod id_token;
mod invitation;
mod jwks_refresh;
mod keys;
mod pipeline;
mod private_key;
mod profile;
mod verified;
mod verifier;
mod verifier_config;

pub use cache::{TokenCache, TokenHash, token_hash};
pub use claims::{
    Audience, Authentication, ClaimsRequest, OrgClaims, OrgContext, OrgPolicy, Requirement,
    authenticated_at, build_org_claims, sign_org_claims, verify_org_token,
};
pub use invitation::{
    INVITATION_DEFAULT_TTL_SECONDS, INVITATION_MAX_RESENDS, INVITATION_MAX_TTL_SECONDS,
    InvitationClaims, InvitationRecord, InvitationRequest, InvitationStatus, check_can_invite,
    issue_invitation, verify_invitation,
};
pub use jwks_refresh::{
    DEFAULT_JWKS_COOLDOWN_MS, DEFAULT_JWKS_MAX_AGE_MS, JwksFetchState, JwksNeed, JwksRefreshPolicy,
    MAX_JWKS_INTERVAL_MS,
};
pub use id_token::{ID_TOKEN_GROUPS_MAX, IdTokenIdentity, verify_id_token};
pub use keys::{KeySet, RETIRED_KEY_PUBLISH_SECONDS, SigningKey, SigningKeySpec};
pub use pipeline::{
    INSTANCE_LEEWAY_SECONDS, MAX_LEEWAY_SECONDS, MAX_TOKEN_BYTES, VerifyOptions, check_not_revoked, parse_bearer,
};
pub use profile::{
    ClaimProfile, LOGTO_ORG_AUDIENCE_PREFIX, ProfileConfig, ProfiledClaims, ProviderToken,
    verify_profiled_token, verify_provider_token,
};
pub use verified::{Answer, VerifiedToken, verify_token};
pub use verifier::{Checked, Lookup, Pending, Remembered, Verifier};
pub use verifier_config::{DEFAULT_CACHE_SIZE, MAX_CACHE_SIZE, VerifierConfig};
