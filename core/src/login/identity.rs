//! Which account an SSO assertion may sign in, and what the login writes.
//!
//! An org's own connection is configured by its owner, who holds the IdP's key: it can assert
//! any email. So an assertion logs into an existing account only when that account was linked
//! to this connection by an earlier trusted login, or when the email's domain is verified for
//! the org (then the account is linked); a new account and a just-in-time membership need the
//! verified domain too. The operator's connections keep their email domains trusted. When the
//! link is made to an account whose email was never verified, whatever was set on it before
//! (password, factors, sessions) may have been a squatter's: it stops working.

use super::connections::Connection;
use crate::domain::covers;
use crate::email::{email_domain, normalize_email};
use crate::error::{Error, ErrorCode, Result};
use crate::role::Role;
use serde::{Deserialize, Serialize};

/// What the store knows of the account the assertion's email names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct SsoAccountFacts {
    /// The account is linked to this connection.
    #[serde(default)]
    pub linked: bool,
    /// The account's email was proven (a verification link, a trusted SSO login).
    #[serde(default)]
    pub email_verified: bool,
    /// The account's role in the org, when it is a member.
    #[serde(default)]
    pub role: Option<Role>,
}

/// An SSO login: the asserted email, the connection, the org's verified domains, the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct SsoLoginFacts {
    /// The email the IdP asserted.
    pub email: String,
    /// The connection (`verified_domains` absent: the operator's).
    pub connection: Connection,
    /// The domains the org verified.
    #[serde(default)]
    pub org_verified_domains: Vec<String>,
    /// The account with that email, if one exists.
    #[serde(default)]
    pub account: Option<SsoAccountFacts>,
}

/// What an allowed SSO login writes, and the role it signs in with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct SsoLoginPlan {
    /// Create the account (just in time).
    pub create_account: bool,
    /// Link the account to the connection.
    pub link: bool,
    /// Record the email as verified.
    pub verify_email: bool,
    /// Revoke what was set on the account before: its password, factors and sessions.
    pub revoke_credentials: bool,
    /// Add the account to the org (just-in-time membership) with `role`.
    pub join: bool,
    /// The role the session gets in the org.
    pub role: Role,
}

/// Decides an SSO login (see the module doc); `email_domain_not_verified` when the assertion
/// may not sign this email in.
///
/// ```
/// use orgkit_core::login::{decide_sso_login, Connection, SsoAccountFacts, SsoLoginFacts};
/// let conn = Connection { id: "c1".into(), email_domains: vec!["acme.example".into()], verified_domains: Some(vec![]) };
/// let facts = SsoLoginFacts {
///     email: "ceo@victim.example".into(), connection: conn, org_verified_domains: vec![],
///     account: Some(SsoAccountFacts { linked: false, email_verified: true, role: None }),
/// };
/// assert_eq!(decide_sso_login(&facts).unwrap_err().code(), "email_domain_not_verified");
/// ```
pub fn decide_sso_login(f: &SsoLoginFacts) -> Result<SsoLoginPlan> {
    let email = normalize_email(&f.email)?;
    let domain = email_domain(&email).unwrap_or_default();
    let trusted = covers(&f.org_verified_domains, domain) || (f.connection.is_operators() && f.connection.routes(domain));
    let refuse = |why: &str| {
        Err(Error::new(
            ErrorCode::EmailDomainNotVerified,
            format!("{domain} is not a verified domain of this organization: {why}"),
        ))
    };
    let account = f.account.clone();
    let linked = account.as_ref().is_some_and(|a| a.linked);
    if !trusted && !linked {
        return match account {
            Some(_) => refuse("its connection may not sign in an existing account it was never linked to"),
            None => refuse("its connection may not create accounts for it"),
        };
    }
    let email_verified = account.as_ref().is_some_and(|a| a.email_verified);
    let link = !linked;
    let (join, role) = match account.as_ref().and_then(|a| a.role) {
        Some(role) => (false, role),
        None if trusted => (true, Role::Member),
        None => return refuse("an account that is not a member joins only by a verified domain"),
    };
    Ok(SsoLoginPlan {
        create_account: account.is_none(),
        link,
        verify_email: trusted && !email_verified,
        revoke_credentials: link && account.is_some() && !email_verified,
        join,
        role,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(email: &str, verified: &[&str], account: Option<SsoAccountFacts>) -> SsoLoginFacts {
        SsoLoginFacts {
            email: email.into(),
            connection: Connection { id: "c1".into(), email_domains: vec!["acme.example".into()], verified_domains: Some(vec![]) },
            org_verified_domains: verified.iter().map(|d| (*d).to_owned()).collect(),
            account,
        }
    }

    #[test]
    fn a_verified_domain_creates_links_and_joins() {
        let plan = decide_sso_login(&facts("new@acme.example", &["acme.example"], None)).unwrap();
        assert!(plan.create_account && plan.link && plan.verify_email && plan.join && !plan.revoke_credentials);
        let squatted = SsoAccountFacts { linked: false, email_verified: false, role: None };
        let plan = decide_sso_login(&facts("cfo@acme.example", &["acme.example"], Some(squatted))).unwrap();
        assert!(!plan.create_account && plan.link && plan.verify_email && plan.revoke_credentials && plan.join);
        let member = SsoAccountFacts { linked: false, email_verified: true, role: Some(Role::Admin) };
        let plan = decide_sso_login(&facts("a@eu.acme.example", &["acme.example"], Some(member))).unwrap();
        assert!(plan.link && !plan.revoke_credentials && !plan.join && plan.role == Role::Admin);
    }

    #[test]
    fn without_a_verified_domain_only_a_linked_member_signs_in() {
        for account in [None, Some(SsoAccountFacts { linked: false, email_verified: true, role: Some(Role::Owner) })] {
            let err = decide_sso_login(&facts("victim@acme.example", &[], account)).unwrap_err();
            assert_eq!(err.code(), "email_domain_not_verified");
        }
        let linked = SsoAccountFacts { linked: true, email_verified: true, role: Some(Role::Member) };
        let plan = decide_sso_login(&facts("m@acme.example", &[], Some(linked))).unwrap();
        assert!(!plan.link && !plan.join && !plan.revoke_credentials && plan.role == Role::Member);
        let removed = SsoAccountFacts { linked: true, email_verified: true, role: None };
        assert_eq!(decide_sso_login(&facts("m@acme.example", &[], Some(removed))).unwrap_err().code(), "email_domain_not_verified");
    }

    #[test]
    fn an_operators_connection_trusts_its_domains() {
        let mut f = facts("a@acme.example", &[], None);
        f.connection.verified_domains = None;
        assert!(decide_sso_login(&f).unwrap().join);
        f.email = "a@other.example".into();
        assert!(decide_sso_login(&f).is_err());
    }
}
