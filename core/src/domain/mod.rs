//! Domains an organization claims, and what a claim is worth.
//!
//! An org owner is an untrusted party: a domain they name is a *claim*, `pending` until DNS
//! proves it (a TXT record they could only publish if they control the domain), and only a
//! `verified` claim is trusted by SSO linking, just-in-time membership, email routing and
//! custom login-page hosts. The tenant's operator may declare a domain verified outright.
//!
//! - [`name`]: which names may be claimed at all (no public suffix, no free-mail provider) and
//!   which names a verified domain covers.
//! - [`challenge`]: the TXT record that proves a claim.
//! - [`verify`]: the states of a claim and what a DNS lookup makes of it.
//! - [`custom`]: when an org's custom domain may be set, and when it serves the login page.

pub mod challenge;
pub mod custom;
mod lists;
pub mod name;
pub mod verify;

pub use challenge::{CHALLENGE_LABEL, CHALLENGE_VALUE_PREFIX, DomainChallenge, domain_challenge};
pub use custom::{check_custom_domain, custom_domain_served};
pub use lists::{is_free_mail_domain, is_public_suffix};
pub use name::{check_domain_claim, covers, normalize_domain};
pub use verify::{
    DomainHolder, DomainProof, DomainStatus, VerificationDecision, VerificationFacts,
    decide_verification, needs_lookup,
};
