//! SSO connections of a tenant: validation of a SAML connection's fields.
//!
//! The certificate's cryptographic use is the SSO layer's; here it is checked for shape only
//! (a PEM `CERTIFICATE` block whose body is base64 of a DER sequence), so placeholders and
//! garbage are refused with a code before anything is stored.

use crate::error::{Error, ErrorCode, Result};
use crate::hostname::is_hostname;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Longest connection name, in characters.
pub const CONNECTION_NAME_MAX_CHARS: usize = 100;
/// Longest SAML entity id or SSO URL, in bytes.
pub const CONNECTION_URL_MAX_LEN: usize = 2048;
/// Largest certificate PEM, in bytes.
pub const CERTIFICATE_MAX_LEN: usize = 16 * 1024;
/// Most email domains routed to one connection.
pub const EMAIL_DOMAINS_MAX: usize = 50;

/// A validated SAML connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct SamlConnection {
    /// Display name.
    pub name: String,
    /// The IdP's entity id.
    pub entity_id: String,
    /// The IdP's SSO URL (https).
    pub sso_url: String,
    /// The IdP's signing certificate, PEM.
    pub certificate: String,
    /// Email domains routed to this connection, lowercase.
    pub email_domains: Vec<String>,
    /// The SAML attribute (Name or FriendlyName) carrying the user's IdP groups, whose display
    /// names the org's `group_role_mappings` turn into a role at each login; `None`: roles do
    /// not follow this IdP's groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups_attribute: Option<String>,
}

/// Longest `groups_attribute`, in characters.
pub const GROUPS_ATTRIBUTE_MAX_CHARS: usize = 256;

fn invalid(field: &str, message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidRequest, message).with_field(field)
}

fn string<'a>(map: &'a serde_json::Map<String, Value>, field: &str) -> Result<&'a str> {
    map.get(field)
        .ok_or_else(|| invalid(field, format!("{field} is required")))?
        .as_str()
        .ok_or_else(|| invalid(field, format!("{field} must be a string")))
}

/// An https URL with a host, at most 2048 bytes.
fn https(field: &str, value: &str) -> Result<String> {
    let url =
        url::Url::parse(value).map_err(|_| invalid(field, format!("{field} is not a URL")))?;
    let host_ok = url.domain().is_some_and(is_hostname);
    if value.len() > CONNECTION_URL_MAX_LEN || url.scheme() != "https" || !host_ok {
        return Err(invalid(
            field,
            format!("{field} must be an https URL with a host"),
        ));
    }
    Ok(url.to_string())
}

/// Checks that `pem` is one PEM `CERTIFICATE` block of base64 DER.
pub fn check_certificate_pem(pem: &str) -> Result<()> {
    let bad = || {
        invalid(
            "certificate",
            "certificate must be a PEM block (-----BEGIN CERTIFICATE-----) of a DER certificate",
        )
    };
    if pem.len() > CERTIFICATE_MAX_LEN {
        return Err(bad());
    }
    let body = pem
        .trim()
        .strip_prefix("-----BEGIN CERTIFICATE-----")
        .and_then(|rest| rest.strip_suffix("-----END CERTIFICATE-----"))
        .ok_or_else(bad)?;
    let b64: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|_| bad())?;
    if der.len() < 64 || der.first() != Some(&0x30) {
        return Err(bad());
    }
    Ok(())
}

impl SamlConnection {
    /// Parses `{name, entity_id, sso_url, certificate, email_domains?, groups_attribute?}`
    /// (snake_case or camelCase); unknown fields are refused.
    pub fn from_json(value: &Value) -> Result<SamlConnection> {
        let map = value
            .as_object()
            .ok_or_else(|| Error::new(ErrorCode::InvalidRequest, "expected a JSON object"))?;
        let mut norm = serde_json::Map::new();
        for (key, v) in map {
            let name = match key.as_str() {
                "name" => "name",
                "entity_id" | "entityId" => "entity_id",
                "sso_url" | "ssoUrl" => "sso_url",
                "certificate" => "certificate",
                "email_domains" | "emailDomains" => "email_domains",
                "groups_attribute" | "groupsAttribute" => "groups_attribute",
                other => {
                    return Err(Error::new(
                        ErrorCode::UnknownField,
                        format!("unknown field {:?}", crate::role::truncate(other)),
                    )
                    .with_field(other));
                }
            };
            norm.insert(name.to_owned(), v.clone());
        }
        let name = crate::organization::validate_name(norm.get("name").unwrap_or(&Value::Null))
            .map_err(|_| {
                invalid(
                    "name",
                    format!("name must be 1-{CONNECTION_NAME_MAX_CHARS} characters of text"),
                )
            })?;
        let entity_id = string(&norm, "entity_id")?.trim().to_owned();
        if entity_id.is_empty()
            || entity_id.len() > CONNECTION_URL_MAX_LEN
            || entity_id.chars().any(char::is_control)
        {
            return Err(invalid("entity_id", "entity_id must be 1-2048 characters"));
        }
        let sso_url = https("sso_url", string(&norm, "sso_url")?)?;
        let certificate = string(&norm, "certificate")?.to_owned();
        check_certificate_pem(&certificate)?;
        let email_domains = match norm.get("email_domains") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) if items.len() <= EMAIL_DOMAINS_MAX => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    let d = item
                        .as_str()
                        .map(|s| s.trim().trim_end_matches('.').to_ascii_lowercase())
                        .unwrap_or_default();
                    if !is_hostname(&d) {
                        return Err(invalid(
                            "email_domains",
                            "email_domains must be a list of domains like example.com",
                        ));
                    }
                    if !out.contains(&d) {
                        out.push(d);
                    }
                }
                out
            }
            Some(_) => {
                return Err(invalid(
                    "email_domains",
                    format!("email_domains must be a list of at most {EMAIL_DOMAINS_MAX} domains"),
                ));
            }
        };
        let groups_attribute = match norm.get("groups_attribute") {
            None | Some(Value::Null) => None,
            Some(v) => Some(
                v.as_str()
                    .map(str::trim)
                    .filter(|a| {
                        !a.is_empty()
                            && a.chars().count() <= GROUPS_ATTRIBUTE_MAX_CHARS
                            && !a.chars().any(char::is_control)
                    })
                    .ok_or_else(|| {
                        invalid(
                            "groups_attribute",
                            format!("groups_attribute must be an attribute name of 1-{GROUPS_ATTRIBUTE_MAX_CHARS} characters"),
                        )
                    })?
                    .to_owned(),
            ),
        };
        Ok(SamlConnection {
            name,
            entity_id,
            sso_url,
            certificate,
            email_domains,
            groups_attribute,
        })
    }
}

impl SamlConnection {
    /// Parses seed 004's org SSO configuration `{entityId, ssoUrl, certificate, emailDomain,
    /// groupsAttribute?}`
    /// into the org's connection named `name`: the same checks as [`SamlConnection::from_json`],
    /// with exactly one email domain, which is required (it decides just-in-time membership).
    pub fn from_sso_config(name: &str, value: &Value) -> Result<SamlConnection> {
        let map = value
            .as_object()
            .ok_or_else(|| Error::new(ErrorCode::InvalidRequest, "expected a JSON object"))?;
        let mut norm = serde_json::Map::new();
        norm.insert("name".to_owned(), Value::String(name.to_owned()));
        for (key, v) in map {
            let (field, v) = match key.as_str() {
                "entityId" | "entity_id" => ("entity_id", v.clone()),
                "ssoUrl" | "sso_url" => ("sso_url", v.clone()),
                "certificate" => ("certificate", v.clone()),
                "groupsAttribute" | "groups_attribute" => ("groups_attribute", v.clone()),
                "emailDomain" | "email_domain" => {
                    if !v.is_string() {
                        return Err(invalid(
                            "emailDomain",
                            "emailDomain must be a domain like example.com",
                        ));
                    }
                    ("email_domains", Value::Array(vec![v.clone()]))
                }
                other => {
                    return Err(Error::new(
                        ErrorCode::UnknownField,
                        format!("unknown field {:?}", crate::role::truncate(other)),
                    )
                    .with_field(other));
                }
            };
            norm.insert(field.to_owned(), v);
        }
        if !norm.contains_key("email_domains") {
            return Err(invalid("emailDomain", "emailDomain is required"));
        }
        SamlConnection::from_json(&Value::Object(norm)).map_err(|mut e| {
            if e.field.as_deref() == Some("email_domains") {
                e.field = Some("emailDomain".to_owned());
                e.message = "emailDomain must be a domain like example.com".to_owned();
            }
            e
        })
    }
}

/// Longest OIDC client id or secret, in characters.
pub const OIDC_CLIENT_FIELD_MAX_CHARS: usize = 1024;

/// A validated OpenID Connect connection of an org: its provider and the client orgkit is there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct OidcConnection {
    /// The provider's issuer URL, as its ID tokens' `iss` must spell it.
    pub issuer: String,
    /// The client id orgkit has at the provider (the ID tokens' audience).
    pub client_id: String,
    /// The client secret (the host stores it encrypted).
    pub client_secret: String,
    /// The email domain routed to the connection (the org must verify it).
    pub email_domains: Vec<String>,
    /// The ID token claim carrying the user's groups, when roles follow them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups_claim: Option<String>,
}

fn client_field(map: &serde_json::Map<String, Value>, field: &str) -> Result<String> {
    let value = string(map, field)?;
    let ok = !value.is_empty() && value.chars().count() <= OIDC_CLIENT_FIELD_MAX_CHARS && !value.chars().any(char::is_control);
    if ok {
        Ok(value.to_owned())
    } else {
        Err(invalid(field, format!("{field} must be 1-{OIDC_CLIENT_FIELD_MAX_CHARS} characters without control characters")))
    }
}

impl OidcConnection {
    /// Whether a discovery document's `issuer` names this connection's provider: identical, but
    /// for one trailing slash either may carry (OIDC Discovery §4.3 asks identical; the owner
    /// may have typed it without Auth0's slash). The document's spelling is then the one ID
    /// tokens must carry.
    pub fn same_issuer(&self, discovered: &str) -> bool {
        self.issuer.trim_end_matches('/') == discovered.trim_end_matches('/') && !discovered.is_empty()
    }

    /// Parses seed 004's style OIDC configuration `{issuer, clientId, clientSecret, emailDomain,
    /// groupsClaim?}` (camelCase or snake_case; unknown fields refused). The issuer is an
    /// `https` URL with a host and no query or fragment — `http` too when `allow_http` (a
    /// provider on this machine, for tests); one email domain is required.
    pub fn from_config(value: &Value, allow_http: bool) -> Result<OidcConnection> {
        let map = value
            .as_object()
            .ok_or_else(|| Error::new(ErrorCode::InvalidRequest, "expected a JSON object"))?;
        let mut norm = serde_json::Map::new();
        for (key, v) in map {
            let field = match key.as_str() {
                "issuer" => "issuer",
                "clientId" | "client_id" => "clientId",
                "clientSecret" | "client_secret" => "clientSecret",
                "emailDomain" | "email_domain" => "emailDomain",
                "groupsClaim" | "groups_claim" => "groupsClaim",
                other => {
                    return Err(Error::new(ErrorCode::UnknownField, format!("unknown field {:?}", crate::role::truncate(other))).with_field(other));
                }
            };
            norm.insert(field.to_owned(), v.clone());
        }
        let issuer_text = string(&norm, "issuer")?.trim();
        let issuer = url::Url::parse(issuer_text).map_err(|_| invalid("issuer", "issuer is not a URL"))?;
        let scheme_ok = issuer.scheme() == "https" || (allow_http && issuer.scheme() == "http");
        if !scheme_ok || issuer.host().is_none() || issuer.query().is_some() || issuer.fragment().is_some()
            || !issuer.username().is_empty() || issuer_text.len() > CONNECTION_URL_MAX_LEN
        {
            return Err(invalid("issuer", "issuer must be an https URL with a host and no query, fragment or credentials"));
        }
        let domain = string(&norm, "emailDomain")?.trim().trim_end_matches('.').to_ascii_lowercase();
        if !is_hostname(&domain) {
            return Err(invalid("emailDomain", "emailDomain must be a domain like example.com"));
        }
        let groups_claim = match norm.get("groupsClaim") {
            None | Some(Value::Null) => None,
            Some(_) => Some(client_field(&norm, "groupsClaim")?),
        };
        Ok(OidcConnection {
            issuer: issuer_text.to_owned(),
            client_id: client_field(&norm, "clientId")?,
            client_secret: client_field(&norm, "clientSecret")?,
            email_domains: vec![domain],
            groups_claim,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn placeholders_are_refused() {
        let seed = json!({
            "name": "Hospital IdP",
            "entityId": "https://idp.example.com/saml",
            "ssoUrl": "https://idp.example.com/saml/sso",
            "certificate": "-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----",
            "emailDomains": ["company.com"]
        });
        let err = SamlConnection::from_json(&seed).unwrap_err();
        assert_eq!(
            (err.code(), err.field.as_deref()),
            ("invalid_request", Some("certificate"))
        );
        let err = SamlConnection::from_json(&json!({"name": "x", "bogus": 1})).unwrap_err();
        assert_eq!(err.code(), "unknown_field");
    }

    fn cert() -> String {
        use base64::Engine;
        let der = [&[0x30u8, 0x82, 0x01, 0x00][..], &[0u8; 96][..]].concat();
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        format!("-----BEGIN CERTIFICATE-----\n{b64}\n-----END CERTIFICATE-----\n")
    }

    #[test]
    fn sso_config_needs_one_email_domain() {
        let body = json!({
            "entityId": "https://idp.example.com/saml",
            "ssoUrl": "https://idp.example.com/saml/sso",
            "certificate": cert(),
            "emailDomain": "Company.COM"
        });
        let c = SamlConnection::from_sso_config("Acme", &body).unwrap();
        assert_eq!(
            (c.name.as_str(), c.email_domains),
            ("Acme", vec!["company.com".to_owned()])
        );
        let mut missing = body.clone();
        missing.as_object_mut().unwrap().remove("emailDomain");
        let err = SamlConnection::from_sso_config("Acme", &missing).unwrap_err();
        assert_eq!(
            (err.code(), err.field.as_deref()),
            ("invalid_request", Some("emailDomain"))
        );
        for bad in [json!("not a domain"), json!(["company.com"]), json!(7)] {
            let mut b = body.clone();
            b["emailDomain"] = bad;
            let err = SamlConnection::from_sso_config("Acme", &b).unwrap_err();
            assert_eq!(
                (err.code(), err.field.as_deref()),
                ("invalid_request", Some("emailDomain"))
            );
        }
        let mut extra = body.clone();
        extra["name"] = json!("x");
        assert_eq!(
            SamlConnection::from_sso_config("Acme", &extra)
                .unwrap_err()
                .code(),
            "unknown_field"
        );
        let mut http = body;
        http["ssoUrl"] = json!("http://idp.example.com/sso");
        let err = SamlConnection::from_sso_config("Acme", &http).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("sso_url"));
    }
}
