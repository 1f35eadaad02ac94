//! Which users an org's directory may provision.

use crate::domain::covers;
use crate::email::normalize_email;
use crate::error::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};

/// One of the email addresses a directory sends for a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct DirectoryEmail {
    /// The address.
    pub value: String,
    /// Whether the directory marks it primary.
    #[serde(default)]
    pub primary: bool,
}

/// A user as an org's directory describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct DirectoryUser {
    /// The directory's unique name for the user (often, not always, an email).
    pub user_name: String,
    /// The user's addresses.
    #[serde(default)]
    pub emails: Vec<DirectoryEmail>,
}

/// The email of the account a directory user is provisioned as, when the org's directory may
/// provision it: the primary address, else the first, else `user_name` when it is an email
/// (`invalid_email` when there is none). Its domain must be covered by one of the org's
/// `verified_domains` unless the operator allowed any domain (`any_domain`), else
/// `email_domain_not_verified`: an org may only provision, and so take over, addresses its
/// verified domains prove it controls.
///
/// ```
/// use orgkit_core::directory::{DirectoryEmail, DirectoryUser, admit_directory_user};
/// let user = DirectoryUser { user_name: "ann".into(), emails: vec![
///     DirectoryEmail { value: "ann@home.example".into(), primary: false },
///     DirectoryEmail { value: "Ann@Acme.example".into(), primary: true },
/// ] };
/// let verified = vec!["acme.example".to_owned()];
/// assert_eq!(admit_directory_user(&user, &verified, false).unwrap(), "ann@acme.example");
/// assert_eq!(admit_directory_user(&user, &[], false).unwrap_err().code(), "email_domain_not_verified");
/// ```
pub fn admit_directory_user(user: &DirectoryUser, verified_domains: &[String], any_domain: bool) -> Result<String> {
    let chosen = user
        .emails
        .iter()
        .find(|e| e.primary)
        .or_else(|| user.emails.first())
        .map_or(user.user_name.as_str(), |e| e.value.as_str());
    let email = normalize_email(chosen).map_err(|e| e.with_field("emails"))?;
    let domain = email.rsplit_once('@').map_or("", |(_, d)| d);
    if any_domain || covers(verified_domains, domain) {
        Ok(email)
    } else {
        Err(Error::new(
            ErrorCode::EmailDomainNotVerified,
            format!("the organization has not verified {domain:?}: its directory may only provision addresses of its verified domains"),
        )
        .with_field("emails"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str, emails: &[(&str, bool)]) -> DirectoryUser {
        DirectoryUser {
            user_name: name.into(),
            emails: emails.iter().map(|(v, p)| DirectoryEmail { value: (*v).into(), primary: *p }).collect(),
        }
    }

    #[test]
    fn the_address_is_primary_then_first_then_user_name() {
        let v = vec!["acme.example".to_owned()];
        assert_eq!(admit_directory_user(&user("x", &[("a@acme.example", false), ("b@acme.example", false)]), &v, false).unwrap(), "a@acme.example");
        assert_eq!(admit_directory_user(&user("Bob@acme.example", &[]), &v, false).unwrap(), "bob@acme.example");
        assert_eq!(admit_directory_user(&user("bob", &[]), &v, false).unwrap_err().code(), "invalid_email");
        assert_eq!(admit_directory_user(&user("x", &[("a@sub.acme.example", true)]), &v, false).unwrap(), "a@sub.acme.example");
        assert_eq!(admit_directory_user(&user("x", &[("a@evil.example", true)]), &v, true).unwrap(), "a@evil.example");
        assert!(admit_directory_user(&user("x", &[("a@acme.example.evil", true)]), &v, false).is_err());
    }
}
