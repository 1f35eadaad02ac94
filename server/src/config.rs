//! Configuration from the environment (`ORGKIT_*`).

use orgkit_core::client_address::TrustedProxies;

/// Server configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// `ORGKIT_DATABASE_URL`: `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// `ORGKIT_BIND`: the socket address to listen on.
    pub bind: String,
    /// `ORGKIT_PUBLIC_URL`: the server's external base URL, without a trailing slash.
    pub public_url: String,
    /// `ORGKIT_ISSUER`: `iss` of every token (default: the public URL).
    pub issuer: String,
    /// `ORGKIT_AUDIENCE`: `aud` of access tokens.
    pub audience: String,
    /// `ORGKIT_SMTP_URL`: SMTP server; unset = write emails into the outbox directory.
    pub smtp_url: Option<String>,
    /// `ORGKIT_OUTBOX_DIR`: where emails go without SMTP.
    pub outbox_dir: String,
    /// `ORGKIT_EMAIL_FROM`: sender address.
    pub email_from: String,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// `ORGKIT_RATE_LIMIT`: `on` (the default) or `off` (for load tests): the abuse limits on
    /// signup, login, discovery, accepting invitations, SAML starts, sending invitations and
    /// verifying domains.
    pub rate_limit: bool,
    /// `ORGKIT_TRUSTED_PROXIES`: reverse proxies (addresses and CIDR networks, comma- or
    /// space-separated) whose `Forwarded` / `X-Forwarded-For` name the client; none by default,
    /// so the socket peer is the client.
    pub trusted_proxies: TrustedProxies,
    /// `ORGKIT_DNS_RESOLVER`: `host:port` of the DNS server that domain verification asks (UDP,
    /// and TCP for truncated answers); unset = the system's resolvers (`/etc/resolv.conf`).
    pub dns_resolver: Option<String>,
}

/// Default audience of access tokens.
pub const DEFAULT_AUDIENCE: &str = "orgkit";
/// Default request body limit: 64 KiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024;

impl Config {
    /// Reads the configuration from `ORGKIT_*` environment variables; a value that cannot be
    /// used is an error that names the variable.
    pub fn from_env() -> Result<Config, String> {
        Config::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    /// Builds a configuration from a lookup function (tests pass a map).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, String> {
        let bind = get("ORGKIT_BIND").unwrap_or_else(|| "127.0.0.1:8080".to_owned());
        let public_url = get("ORGKIT_PUBLIC_URL").unwrap_or_else(|| format!("http://{bind}"));
        let public_url = public_url.trim_end_matches('/').to_owned();
        let rate_limit = match get("ORGKIT_RATE_LIMIT").as_deref() {
            None | Some("on") => true,
            Some("off") => false,
            Some(other) => return Err(format!("ORGKIT_RATE_LIMIT must be on or off, not {other:?}")),
        };
        let trusted_proxies = TrustedProxies::parse_list(&get("ORGKIT_TRUSTED_PROXIES").unwrap_or_default())
            .map_err(|e| format!("ORGKIT_TRUSTED_PROXIES: {}", e.message))?;
        Ok(Config {
            database_url: get("ORGKIT_DATABASE_URL").unwrap_or_else(|| "sqlite://orgkit.db".to_owned()),
            issuer: get("ORGKIT_ISSUER").unwrap_or_else(|| public_url.clone()),
            audience: get("ORGKIT_AUDIENCE").unwrap_or_else(|| DEFAULT_AUDIENCE.to_owned()),
            smtp_url: get("ORGKIT_SMTP_URL"),
            outbox_dir: get("ORGKIT_OUTBOX_DIR").unwrap_or_else(|| "./outbox".to_owned()),
            email_from: get("ORGKIT_EMAIL_FROM").unwrap_or_else(|| "orgkit <no-reply@orgkit.localhost>".to_owned()),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            rate_limit,
            trusted_proxies,
            dns_resolver: get("ORGKIT_DNS_RESOLVER"),
            bind,
            public_url,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Config {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        Config::from_lookup(|k| map.get(k).cloned()).unwrap()
    }

    #[test]
    fn defaults_follow_the_issue() {
        let c = config(&[]);
        assert_eq!(c.database_url, "sqlite://orgkit.db");
        assert_eq!(c.bind, "127.0.0.1:8080");
        assert_eq!(c.public_url, "http://127.0.0.1:8080");
        assert_eq!(c.issuer, c.public_url);
        assert_eq!(c.audience, "orgkit");
        assert_eq!(c.outbox_dir, "./outbox");
        assert!(c.smtp_url.is_none());
        assert!(c.rate_limit, "abuse limits are on unless turned off");
        assert!(c.trusted_proxies.is_empty());
    }

    #[test]
    fn rate_limit_and_trusted_proxies_are_checked() {
        assert!(!config(&[("ORGKIT_RATE_LIMIT", "off")]).rate_limit);
        let c = config(&[("ORGKIT_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1")]);
        assert!(c.trusted_proxies.contains("10.2.3.4".parse().unwrap()));
        let get = |k: &str, v: &str| {
            let (k, v) = (k.to_owned(), v.to_owned());
            Config::from_lookup(move |name| (name == k).then(|| v.clone()))
        };
        assert!(get("ORGKIT_RATE_LIMIT", "maybe").unwrap_err().contains("ORGKIT_RATE_LIMIT"));
        assert!(get("ORGKIT_TRUSTED_PROXIES", "10.0.0.0/33").unwrap_err().contains("ORGKIT_TRUSTED_PROXIES"));
    }

    #[test]
    fn issuer_follows_the_public_url_unless_set() {
        let c = config(&[("ORGKIT_BIND", "0.0.0.0:9000"), ("ORGKIT_PUBLIC_URL", "https://auth.example.com/")]);
        assert_eq!((c.public_url.as_str(), c.issuer.as_str()), ("https://auth.example.com", "https://auth.example.com"));
        let c = config(&[("ORGKIT_PUBLIC_URL", "https://auth.example.com"), ("ORGKIT_ISSUER", "urn:orgkit")]);
        assert_eq!(c.issuer, "urn:orgkit");
    }
}
