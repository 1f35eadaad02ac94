//! The states of a claim and what a DNS lookup makes of it.
//!
//! A claim is `pending` until a lookup of its challenge name finds its value, then `verified`
//! (proof `dns`); the tenant's operator may create it `verified` outright (proof `operator`).
//! A verified claim is re-checked on demand: when its value is no longer published it stops
//! being trusted (back to `pending`, with the same challenge, so republishing the record and
//! verifying again restores it). A lookup that fails (timeout, server failure) proves nothing
//! either way and changes nothing. An operator's claim needs no record and is never demoted by
//! a lookup. At most one org of a tenant holds a domain verified: when another org proves it
//! and the holder's own value is gone from DNS (the domain changed hands), the holder's claim
//! is released; while the holder's value is still published, the newcomer gets `domain_taken`.

use super::challenge::domain_challenge;
use super::name::check_domain_claim;
use crate::error::{Error, ErrorCode, Result};
use crate::role::truncate;
use serde::{Deserialize, Serialize};

/// Where a claim stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum DomainStatus {
    /// Claimed, not proven: trusted by nothing.
    Pending,
    /// Proven: trusted for SSO linking, just-in-time membership, routing and custom domains.
    Verified,
}

/// What proved a verified claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum DomainProof {
    /// The challenge's TXT record was found.
    Dns,
    /// The tenant's operator declared it (management API).
    Operator,
}

/// Another org of the tenant that holds the domain verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct DomainHolder {
    /// Its claim's challenge token.
    pub token: String,
    /// What proved its claim.
    pub proof: DomainProof,
}

/// A claim, and what a lookup of its challenge name found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct VerificationFacts {
    /// The claimed domain.
    pub domain: String,
    /// The claim's challenge token.
    pub token: String,
    /// The claim's status now.
    pub status: DomainStatus,
    /// What proved it, when it is verified.
    #[serde(default)]
    pub proof: Option<DomainProof>,
    /// The TXT strings found at the challenge name (none: no record, or no such name).
    #[serde(default)]
    pub found: Vec<String>,
    /// The lookup itself failed (timeout, server failure): what the resolver said.
    #[serde(default)]
    pub lookup_error: Option<String>,
    /// Another org of the tenant holding the domain verified, if any.
    #[serde(default)]
    pub holder: Option<DomainHolder>,
}

/// What to store after a verification, and its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationDecision {
    /// The claim's status to store.
    pub status: DomainStatus,
    /// What proves it, when verified.
    pub proof: Option<DomainProof>,
    /// The holder's claim lost its proof: set it back to pending.
    pub release_holder: bool,
    /// `Ok` when the claim is verified now; `domain_not_verified` (saying what was found) or
    /// `domain_taken` otherwise.
    pub outcome: Result<()>,
}

/// Whether verifying a claim in this state needs a DNS lookup: not for the operator's verified
/// claim, whose proof is the operator's word (a host may skip the lookup).
pub fn needs_lookup(status: DomainStatus, proof: Option<DomainProof>) -> bool {
    !(status == DomainStatus::Verified && proof == Some(DomainProof::Operator))
}

/// Decides a verification (or a re-check of a verified claim); see the module doc.
pub fn decide_verification(f: &VerificationFacts) -> VerificationDecision {
    let unchanged = |outcome: Result<()>| VerificationDecision { status: f.status, proof: f.proof, release_holder: false, outcome };
    if !needs_lookup(f.status, f.proof) {
        return unchanged(Ok(()));
    }
    // A name the lists now refuse (they are refreshed) cannot be verified, whatever DNS says.
    let challenge = match check_domain_claim(&f.domain, false).and_then(|d| domain_challenge(&d, &f.token)) {
        Ok(c) => c,
        Err(e) => return unchanged(Err(e)),
    };
    if let Some(error) = &f.lookup_error {
        return unchanged(Err(Error::new(
            ErrorCode::DomainNotVerified,
            format!("the DNS lookup of TXT {} failed ({}); nothing was changed, try again", challenge.name, truncate(error)),
        )));
    }
    let published = |value: &str| f.found.iter().any(|txt| txt.trim() == value);
    if !published(&challenge.value) {
        let seen = if f.found.is_empty() {
            "no TXT record".to_owned()
        } else {
            let shown: Vec<String> = f.found.iter().take(5).map(|t| format!("{:?}", truncate(t))).collect();
            format!("{} TXT record(s), none of them the expected value: {}", f.found.len(), shown.join(", "))
        };
        return VerificationDecision {
            status: DomainStatus::Pending,
            proof: None,
            release_holder: false,
            outcome: Err(Error::new(
                ErrorCode::DomainNotVerified,
                format!("found {seen} at {}; publish TXT {:?} there", challenge.name, challenge.value),
            )),
        };
    }
    let holder_keeps = f.holder.as_ref().map(|h| {
        h.proof == DomainProof::Operator
            || domain_challenge(&f.domain, &h.token).is_ok_and(|hc| published(&hc.value))
    });
    match holder_keeps {
        Some(true) => unchanged(Err(Error::new(
            ErrorCode::DomainTaken,
            format!("{} is verified by another organization, whose record is still published", f.domain),
        ))),
        released => VerificationDecision {
            status: DomainStatus::Verified,
            proof: Some(DomainProof::Dns),
            release_holder: released == Some(false),
            outcome: Ok(()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const OTHER: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    fn facts(status: DomainStatus, found: &[&str]) -> VerificationFacts {
        VerificationFacts {
            domain: "acme.example".into(),
            token: TOKEN.into(),
            status,
            proof: (status == DomainStatus::Verified).then_some(DomainProof::Dns),
            found: found.iter().map(|s| (*s).to_owned()).collect(),
            lookup_error: None,
            holder: None,
        }
    }

    fn value(token: &str) -> String {
        format!("orgkit-domain-verification={token}")
    }

    #[test]
    fn a_published_value_verifies_and_a_missing_one_demotes() {
        let ok = decide_verification(&facts(DomainStatus::Pending, &["v=spf1 -all", &value(TOKEN)]));
        assert_eq!((ok.status, ok.proof, ok.outcome.is_ok()), (DomainStatus::Verified, Some(DomainProof::Dns), true));
        let lost = decide_verification(&facts(DomainStatus::Verified, &["v=spf1 -all"]));
        assert_eq!((lost.status, lost.proof), (DomainStatus::Pending, None));
        let err = lost.outcome.unwrap_err();
        assert_eq!(err.code(), "domain_not_verified");
        assert!(err.message.contains("v=spf1 -all"), "{}", err.message);
    }

    #[test]
    fn a_failed_lookup_and_an_operator_claim_change_nothing() {
        let mut f = facts(DomainStatus::Verified, &[]);
        f.lookup_error = Some("timed out".into());
        let d = decide_verification(&f);
        assert_eq!((d.status, d.outcome.unwrap_err().code()), (DomainStatus::Verified, "domain_not_verified"));
        let mut op = facts(DomainStatus::Verified, &[]);
        op.proof = Some(DomainProof::Operator);
        assert!(decide_verification(&op).outcome.is_ok());
    }

    #[test]
    fn a_holder_keeps_its_domain_while_its_value_is_published() {
        let mut f = facts(DomainStatus::Pending, &[&value(TOKEN), &value(OTHER)]);
        f.holder = Some(DomainHolder { token: OTHER.into(), proof: DomainProof::Dns });
        let d = decide_verification(&f);
        assert_eq!((d.status, d.release_holder, d.outcome.unwrap_err().code()), (DomainStatus::Pending, false, "domain_taken"));
        f.found = vec![value(TOKEN)];
        let d = decide_verification(&f);
        assert_eq!((d.status, d.release_holder, d.outcome.is_ok()), (DomainStatus::Verified, true, true));
        f.holder = Some(DomainHolder { token: OTHER.into(), proof: DomainProof::Operator });
        assert_eq!(decide_verification(&f).outcome.unwrap_err().code(), "domain_taken");
    }
}
