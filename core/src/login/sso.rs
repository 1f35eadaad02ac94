//! SSO login decisions a host applies around a verified SAML assertion: where the browser
//! may be sent afterwards, and which role a just-in-time member gets.
//!
//! The XML and its signature are the host's business (core stays free of XML libraries);
//! these are the rules the host must not decide on its own.

use super::connections::{Connection, route_email};
use crate::error::{Error, ErrorCode, Result};
use crate::role::Role;

/// Longest redirect target accepted, in bytes.
pub const REDIRECT_TARGET_MAX_LEN: usize = 2048;

/// The first path segments (under the public URL's path) of the server's own routes that send
/// a browser on, which are never a redirect target: `saml` and `oidc` (a login start redirects
/// to an IdP, whichever org configured it), `login` (the login page follows discovery into SSO)
/// and `docs` (a script-driven page). A token carried into one of them could leave for
/// another party's IdP.
pub const SERVER_REDIRECTING_PATHS: [&str; 4] = ["saml", "oidc", "login", "docs"];

/// Whether `url` is one of the server's own routes that send the browser on: on the origin of
/// `own`, under its path, with a first segment in [`SERVER_REDIRECTING_PATHS`]. The path is
/// compared percent-decoded and case-insensitively, so `/%53AML/…` is no way around it.
fn is_server_redirect(url: &url::Url, own: &url::Url) -> bool {
    if url.origin() != own.origin() {
        return false;
    }
    let path = percent_encoding::percent_decode_str(url.path())
        .decode_utf8_lossy()
        .to_ascii_lowercase();
    let base = own.path().trim_end_matches('/').to_ascii_lowercase();
    let Some(rest) = path.strip_prefix(&base) else {
        return false;
    };
    let first = rest
        .split('/')
        .find(|segment| !segment.is_empty())
        .unwrap_or_default();
    let first = first.split(';').next().unwrap_or_default();
    SERVER_REDIRECTING_PATHS.contains(&first)
}

/// The absolute URL to send the browser to after an SSO login, or `None` when `target` is not
/// allowed (the host refuses with `redirect_not_allowed`; never an open redirect).
///
/// Allowed are: a path on the server's own origin (`/app`, resolved against `public_url`), an
/// absolute `http(s)` URL with exactly the origin of `public_url`, or a URL equal to one of
/// `allowed` (the tenant's allowed redirect URLs, compared after URL normalisation, query
/// included). Refused are other origins, scheme-relative (`//evil`) and backslash tricks
/// (`/\evil`), credentials in the URL, fragments (the host puts the token there), control
/// characters, targets over [`REDIRECT_TARGET_MAX_LEN`] bytes, and the server's own routes
/// that send the browser on (`SERVER_REDIRECTING_PATHS`: `/saml/…`, `/oidc/…`, `/login…`, `/docs…`),
/// listed or not.
///
/// ```
/// use orgkit_core::login::redirect_target;
/// let own = "https://auth.example.com";
/// assert_eq!(redirect_target("/app?x=1", own, &[]).as_deref(), Some("https://auth.example.com/app?x=1"));
/// assert_eq!(redirect_target("https://evil.example/", own, &[]), None);
/// assert_eq!(redirect_target("//evil.example/", own, &[]), None);
/// ```
pub fn redirect_target(target: &str, public_url: &str, allowed: &[String]) -> Option<String> {
    if target.is_empty()
        || target.len() > REDIRECT_TARGET_MAX_LEN
        || target
            .chars()
            .any(|c| c.is_control() || c == '\\' || c.is_whitespace())
    {
        return None;
    }
    let own = url::Url::parse(public_url).ok()?;
    let url = if target.starts_with('/') {
        if target.starts_with("//") {
            return None;
        }
        own.join(target).ok()?
    } else {
        url::Url::parse(target).ok()?
    };
    let plain = matches!(url.scheme(), "http" | "https")
        && url.username().is_empty()
        && url.password().is_none()
        && url.fragment().is_none()
        && url.host().is_some();
    if !plain {
        return None;
    }
    if is_server_redirect(&url, &own) {
        return None;
    }
    let same_origin = url.origin() == own.origin();
    let listed = allowed
        .iter()
        .filter_map(|a| url::Url::parse(a).ok())
        .any(|a| a == url);
    (same_origin || listed).then(|| url.to_string())
}

/// [`redirect_target`] as a check: the absolute URL, or `redirect_not_allowed`.
pub fn check_redirect_target(target: &str, public_url: &str, allowed: &[String]) -> Result<String> {
    redirect_target(target, public_url, allowed).ok_or_else(|| {
        Error::new(
            ErrorCode::RedirectNotAllowed,
            "the redirect target is neither on this server's origin nor an allowed redirect URL",
        )
    })
}

/// The role a user who logs in through an org's SSO connection is given when they are not a
/// member yet: `member` when their email's domain is one the connection routes (for an org's
/// own connection: one its org verified), otherwise `None` (no just-in-time membership; the
/// login then has no org to enter). The ACS decides with [`super::decide_sso_login`], which
/// also binds the identity to the account.
///
/// ```
/// use orgkit_core::login::{Connection, jit_role};
/// use orgkit_core::Role;
/// let c = Connection { id: "c1".into(), email_domains: vec!["acme.com".into()], verified_domains: None };
/// assert_eq!(jit_role("Ann@ACME.com", &c), Some(Role::Member));
/// assert_eq!(jit_role("ann@evil.com", &c), None);
/// ```
pub fn jit_role(email: &str, connection: &Connection) -> Option<Role> {
    match route_email(email, std::slice::from_ref(connection), None) {
        Ok(Some(_)) => Some(Role::Member),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWN: &str = "https://auth.example.com";

    #[test]
    fn own_origin_paths_and_urls_are_allowed() {
        assert_eq!(
            redirect_target("/", OWN, &[]).as_deref(),
            Some("https://auth.example.com/")
        );
        assert_eq!(
            redirect_target("https://auth.example.com/a/b?c=d", OWN, &[]).as_deref(),
            Some("https://auth.example.com/a/b?c=d")
        );
        assert_eq!(
            redirect_target("/a", "http://127.0.0.1:8080", &[]).as_deref(),
            Some("http://127.0.0.1:8080/a")
        );
    }

    #[test]
    fn other_origins_are_refused_unless_listed() {
        for bad in [
            "https://evil.example/",
            "//evil.example/x",
            "/\\evil.example",
            "https://auth.example.com.evil.example/",
            "http://auth.example.com/",
            "https://auth.example.com:444/",
            "https://user:pw@auth.example.com/",
            "javascript:alert(1)",
            "data:text/html,hi",
            "/app#frag",
            "/a\nb",
            "",
            "relative/path",
        ] {
            assert_eq!(redirect_target(bad, OWN, &[]), None, "{bad}");
        }
        let allowed = vec!["https://app.customer.com/callback".to_owned()];
        assert_eq!(
            redirect_target("https://app.customer.com/callback", OWN, &allowed).as_deref(),
            Some("https://app.customer.com/callback")
        );
        assert_eq!(
            redirect_target("https://app.customer.com/other", OWN, &allowed),
            None
        );
        let long = format!("/{}", "a".repeat(REDIRECT_TARGET_MAX_LEN));
        assert_eq!(redirect_target(&long, OWN, &[]), None);
    }

    #[test]
    fn the_servers_own_redirecting_routes_are_never_targets() {
        let listed = vec!["https://auth.example.com/saml/c1/login".to_owned()];
        for bad in [
            "/saml/c1/login",
            "/saml/c1/login?RelayState=/x",
            "/SAML/c1/login",
            "/%73aml/c1/login",
            "/./saml/c1/login",
            "/app/../saml/c1/login",
            "/login",
            "/oidc/c1/login",
            "/login?organization=evil",
            "/login/login.js",
            "/login;x",
            "/docs",
            "https://auth.example.com/saml/c1/login",
        ] {
            assert_eq!(redirect_target(bad, OWN, &listed), None, "{bad}");
        }
        for good in ["/logins", "/app/saml", "/samlx", "/"] {
            assert!(redirect_target(good, OWN, &[]).is_some(), "{good}");
        }
        // Under a public URL with a path, the server's routes are under that path.
        let own = "https://example.com/auth";
        assert_eq!(redirect_target("/auth/saml/c1/login", own, &[]), None);
        assert_eq!(redirect_target("/auth//login", own, &[]), None);
        assert!(redirect_target("/saml/app-route", own, &[]).is_some());
    }

    #[test]
    fn jit_membership_follows_the_connection_domains() {
        let c = Connection {
            id: "c1".into(),
            email_domains: vec!["acme.com".into()],
            verified_domains: None,
        };
        assert_eq!(jit_role("a@acme.com", &c), Some(Role::Member));
        assert_eq!(jit_role("a@sub.acme.com", &c), None);
        assert_eq!(jit_role("a@acme.com.evil", &c), None);
        assert_eq!(jit_role("not an email", &c), None);
        let none = Connection {
            id: "c1".into(),
            email_domains: vec![],
            verified_domains: None,
        };
        assert_eq!(jit_role("a@acme.com", &none), None);
    }
}
