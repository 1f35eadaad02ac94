//! # orgkit-core
//!
//! The policy core of orgkit: every rule of B2B organizations, pure and deterministic, so the
//! same compiled rules run in edge workers (WASM), Python backends and the reference server.
//!
//! - [`settings`]: branding and auth settings inherited built-in ← tenant ← org, merge-patches,
//!   tenant floors, effective values with their source.
//! - [`Role`], [`Permission`] and the [`membership`] rules (role ceiling, owners, last owner).
//! - [`token`]: JWKS key sets, org access tokens (build, sign, verify, require), invitation tokens.
//! - [`login`]: password rules, lockout, connections and routing, the password-login decision,
//!   explain-login.
//! - [`rate_limit`] and [`client_address`]: the abuse limits' quotas and whose address they
//!   count against behind reverse proxies.
//! - [`directory`]: what an org's IdP may do to its members (SCIM and SSO groups to roles).
//! - [`domain`]: domain claims, their DNS challenge and verification, custom domains.
//! - [`event`]: the events every change emits, webhook subscriptions and delivery retries.
//! - [`portal`]: what an admin-portal link lets a customer's IT admin do in one org.
//! - [`ops`]: every operation as JSON in → JSON out, the surface bindings and vectors use.
//!
//! No I/O, no clock, no randomness: the current time, keys and nonces are arguments.

pub mod client_address;
pub mod connection;
pub mod directory;
pub mod domain;
pub mod email;
pub mod error;
pub mod event;
pub mod hostname;
pub mod login;
pub mod membership;
pub mod ops;
pub mod organization;
pub mod outbound;
pub mod page;
pub mod portal;
pub mod rate_limit;
mod role;
pub mod settings;
pub mod slug;
pub mod token;

pub use email::normalize_email;
pub use error::{Error, ErrorCode, Family, Origin, Result, all_codes};
pub use membership::{
    Actor, CREATOR_ROLE, Target, authorize, can_change_role, can_grant, can_remove_member,
};
pub use organization::{NewOrganization, OrganizationPatch};
pub use role::{Permission, Role};
pub use slug::{normalize_slug, validate_slug};
