//! Configuration: every option is a command-line argument with its `ORGKIT_*` environment
//! variable (clap's `env`), so `orgkit-server serve --help` is the configuration reference.
//! Values are checked by the argument parsers; a bad one stops the start with a message that
//! names the variable. A variable set to the empty string counts as unset (`ORGKIT_SMTP_URL=`
//! in an env file means no SMTP), as it always has.

use clap::{Args, FromArgMatches};
use orgkit_core::client_address::TrustedProxies;

/// Default database: a SQLite file in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://orgkit.db";
/// Default listening address.
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
/// Default outbox directory.
pub const DEFAULT_OUTBOX_DIR: &str = "./outbox";
/// Default sender address.
pub const DEFAULT_EMAIL_FROM: &str = "orgkit <no-reply@orgkit.localhost>";
/// Default audience of access tokens.
pub const DEFAULT_AUDIENCE: &str = "orgkit";
/// Days events are kept by default.
pub const DEFAULT_EVENT_RETENTION_DAYS: i64 = 30;
/// Default request body limit: 64 KiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024;

/// The server's options as given on the command line or in the environment.
#[derive(Debug, Clone, Args)]
pub struct Options {
    /// The database: `sqlite://PATH` (created when missing) or `postgres://…`.
    #[arg(long, global = true, env = "ORGKIT_DATABASE_URL", default_value = DEFAULT_DATABASE_URL, value_parser = database_url)]
    pub database_url: String,
    /// The socket address to listen on.
    #[arg(long, global = true, env = "ORGKIT_BIND", default_value = DEFAULT_BIND)]
    pub bind: String,
    /// The server's external base URL (default: `http://` + the bind address).
    #[arg(long, global = true, env = "ORGKIT_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// `iss` of every token (default: the public URL).
    #[arg(long, global = true, env = "ORGKIT_ISSUER")]
    pub issuer: Option<String>,
    /// `aud` of access tokens.
    #[arg(long, global = true, env = "ORGKIT_AUDIENCE", default_value = DEFAULT_AUDIENCE)]
    pub audience: String,
    /// SMTP server (`smtp://host:port`, `smtps://…`); unset = emails are written into the outbox directory.
    #[arg(long, global = true, env = "ORGKIT_SMTP_URL")]
    pub smtp_url: Option<String>,
    /// Where emails go without SMTP, one `.eml` file each.
    #[arg(long, global = true, env = "ORGKIT_OUTBOX_DIR", default_value = DEFAULT_OUTBOX_DIR)]
    pub outbox_dir: String,
    /// Sender address of every email.
    #[arg(long, global = true, env = "ORGKIT_EMAIL_FROM", default_value = DEFAULT_EMAIL_FROM)]
    pub email_from: String,
    /// Largest request body accepted, in bytes.
    #[arg(long, global = true, env = "ORGKIT_MAX_BODY_BYTES", default_value_t = DEFAULT_MAX_BODY_BYTES, value_parser = max_body_bytes)]
    pub max_body_bytes: usize,
    /// `on` or `off` (for load tests): the abuse limits on signup, login, discovery, accepting
    /// invitations, SAML starts, sending invitations and verifying domains.
    #[arg(long, global = true, env = "ORGKIT_RATE_LIMIT", default_value = "on", value_parser = on_off, action = clap::ArgAction::Set)]
    pub rate_limit: bool,
    /// Reverse proxies (addresses and CIDR networks, comma- or space-separated) whose
    /// `Forwarded` / `X-Forwarded-For` name the client; none by default: the socket peer is the client.
    #[arg(long, global = true, env = "ORGKIT_TRUSTED_PROXIES", value_parser = trusted_proxies)]
    pub trusted_proxies: Option<TrustedProxies>,
    /// `host:port` of the DNS server domain verification asks (UDP, TCP for truncated
    /// answers); unset = the system's resolvers (`/etc/resolv.conf`).
    #[arg(long, global = true, env = "ORGKIT_DNS_RESOLVER")]
    pub dns_resolver: Option<String>,
    /// Log lines as `text` or `json` (one object per line, for log shippers); levels from `RUST_LOG`.
    #[arg(long, global = true, env = "ORGKIT_LOG_FORMAT", default_value = "text", value_parser = log_format)]
    pub log_format: LogFormat,
    /// Serve `/metrics` on this separate socket address only (unset: on the API's listener).
    #[arg(long, global = true, env = "ORGKIT_METRICS_BIND")]
    pub metrics_bind: Option<String>,
    /// `1`: OIDC providers may be on loopback or private addresses and plain http (tests, a
    /// provider on this machine); `0` (default): only public https providers are fetched.
    #[arg(long, global = true, env = "ORGKIT_ALLOW_PRIVATE_IDP", default_value = "0", value_parser = flag, action = clap::ArgAction::Set)]
    pub allow_private_idp: bool,
    /// The key (32 bytes, base64url) OIDC client secrets are encrypted with; unset: a key the
    /// server generates and keeps in the database.
    #[arg(long, global = true, env = "ORGKIT_SECRET_KEY")]
    pub secret_key: Option<String>,
    /// How many days events are kept (listed by `GET /manage/v1/{tenant}/events`, delivered
    /// to webhooks) before they are purged.
    #[arg(long, global = true, env = "ORGKIT_EVENT_RETENTION_DAYS", default_value_t = DEFAULT_EVENT_RETENTION_DAYS, value_parser = clap::value_parser!(i64).range(1..=3650))]
    pub event_retention_days: i64,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Server configuration, resolved from [`Options`].
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
    /// `ORGKIT_MAX_BODY_BYTES`: largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// `ORGKIT_RATE_LIMIT`: whether the abuse limits apply.
    pub rate_limit: bool,
    /// `ORGKIT_TRUSTED_PROXIES`: the reverse proxies whose forwarding headers are believed.
    pub trusted_proxies: TrustedProxies,
    /// `ORGKIT_DNS_RESOLVER`: the DNS server domain verification asks; unset = the system's.
    pub dns_resolver: Option<String>,
    /// `ORGKIT_LOG_FORMAT`: text or JSON log lines.
    pub log_format: LogFormat,
    /// `ORGKIT_METRICS_BIND`: a separate listener for `/metrics`.
    pub metrics_bind: Option<String>,
    /// `ORGKIT_ALLOW_PRIVATE_IDP`: whether OIDC providers may be private addresses or http.
    pub allow_private_idp: bool,
    /// `ORGKIT_SECRET_KEY`: the key client secrets are encrypted with (unset: one kept in the database).
    pub secret_key: Option<String>,
    /// `ORGKIT_EVENT_RETENTION_DAYS`: how many days events are kept.
    pub event_retention_days: i64,
}

impl From<Options> for Config {
    fn from(o: Options) -> Config {
        let bind = or_default(o.bind, DEFAULT_BIND);
        let public_url = set(o.public_url).unwrap_or_else(|| format!("http://{bind}")).trim_end_matches('/').to_owned();
        Config {
            database_url: o.database_url,
            issuer: set(o.issuer).unwrap_or_else(|| public_url.clone()),
            audience: or_default(o.audience, DEFAULT_AUDIENCE),
            smtp_url: set(o.smtp_url),
            outbox_dir: or_default(o.outbox_dir, DEFAULT_OUTBOX_DIR),
            email_from: or_default(o.email_from, DEFAULT_EMAIL_FROM),
            max_body_bytes: o.max_body_bytes,
            rate_limit: o.rate_limit,
            trusted_proxies: o.trusted_proxies.unwrap_or_default(),
            dns_resolver: set(o.dns_resolver),
            log_format: o.log_format,
            metrics_bind: set(o.metrics_bind),
            allow_private_idp: o.allow_private_idp,
            secret_key: set(o.secret_key),
            event_retention_days: o.event_retention_days,
            bind,
            public_url,
        }
    }
}

/// An optional value, the empty string counting as unset.
fn set(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.is_empty())
}

/// A value with a default, the empty string counting as unset.
fn or_default(value: String, default: &str) -> String {
    if value.is_empty() { default.to_owned() } else { value }
}

impl Config {
    /// Builds a configuration from a lookup of `ORGKIT_*` names (tests pass a map), through the
    /// same argument parsers as the command line; the process environment is not read.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, String> {
        let command = Options::augment_args(clap::Command::new("orgkit-server").no_binary_name(true));
        let mut argv = Vec::new();
        for arg in command.get_arguments() {
            let (Some(env), Some(long)) = (arg.get_env().and_then(|e| e.to_str()), arg.get_long()) else { continue };
            if let Some(value) = get(env) {
                argv.push(format!("--{long}={value}"));
            }
        }
        let command = command.mut_args(|a| a.env(None::<&'static str>));
        let matches = command.try_get_matches_from(argv).map_err(|e| e.to_string())?;
        Options::from_arg_matches(&matches).map(Config::from).map_err(|e| e.to_string())
    }
}

fn database_url(value: &str) -> Result<String, String> {
    if value.is_empty() {
        Ok(DEFAULT_DATABASE_URL.to_owned())
    } else if ["sqlite:", "postgres:", "postgresql:"].iter().any(|p| value.starts_with(p)) {
        Ok(value.to_owned())
    } else {
        Err("ORGKIT_DATABASE_URL must start with sqlite: or postgres:".to_owned())
    }
}

fn on_off(value: &str) -> Result<bool, String> {
    match value {
        "" | "on" => Ok(true),
        "off" => Ok(false),
        other => Err(format!("ORGKIT_RATE_LIMIT must be on or off, not {other:?}")),
    }
}

fn flag(value: &str) -> Result<bool, String> {
    match value {
        "" | "0" | "false" | "off" => Ok(false),
        "1" | "true" | "on" => Ok(true),
        other => Err(format!("ORGKIT_ALLOW_PRIVATE_IDP must be 1 or 0, not {other:?}")),
    }
}

fn trusted_proxies(value: &str) -> Result<TrustedProxies, String> {
    TrustedProxies::parse_list(value).map_err(|e| format!("ORGKIT_TRUSTED_PROXIES: {}", e.message))
}

fn max_body_bytes(value: &str) -> Result<usize, String> {
    if value.is_empty() {
        return Ok(DEFAULT_MAX_BODY_BYTES);
    }
    value.parse::<usize>().ok().filter(|n| *n > 0).ok_or_else(|| format!("ORGKIT_MAX_BODY_BYTES must be a positive number of bytes, not {value:?}"))
}

fn log_format(value: &str) -> Result<LogFormat, String> {
    match value {
        "" | "text" => Ok(LogFormat::Text),
        "json" => Ok(LogFormat::Json),
        other => Err(format!("ORGKIT_LOG_FORMAT must be text or json, not {other:?}")),
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

    fn refused(name: &str, value: &str) -> String {
        let (k, v) = (name.to_owned(), value.to_owned());
        Config::from_lookup(move |n| (n == k).then(|| v.clone())).unwrap_err()
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
        assert_eq!(c.email_from, "orgkit <no-reply@orgkit.localhost>");
        assert_eq!(c.max_body_bytes, DEFAULT_MAX_BODY_BYTES);
        assert!(c.smtp_url.is_none());
        assert!(c.rate_limit, "abuse limits are on unless turned off");
        assert!(c.trusted_proxies.is_empty());
        assert_eq!(c.log_format, LogFormat::Text);
        assert!(c.metrics_bind.is_none());
    }

    #[test]
    fn rate_limit_and_trusted_proxies_are_checked() {
        assert!(!config(&[("ORGKIT_RATE_LIMIT", "off")]).rate_limit);
        let c = config(&[("ORGKIT_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1")]);
        assert!(c.trusted_proxies.contains("10.2.3.4".parse().unwrap()));
        assert!(refused("ORGKIT_RATE_LIMIT", "maybe").contains("ORGKIT_RATE_LIMIT"));
        assert!(refused("ORGKIT_TRUSTED_PROXIES", "10.0.0.0/33").contains("ORGKIT_TRUSTED_PROXIES"));
    }

    #[test]
    fn every_checked_value_names_its_variable() {
        assert!(refused("ORGKIT_DATABASE_URL", "mysql://x").contains("ORGKIT_DATABASE_URL"));
        assert!(refused("ORGKIT_MAX_BODY_BYTES", "lots").contains("ORGKIT_MAX_BODY_BYTES"));
        assert!(refused("ORGKIT_LOG_FORMAT", "xml").contains("ORGKIT_LOG_FORMAT"));
        assert_eq!(config(&[("ORGKIT_LOG_FORMAT", "json")]).log_format, LogFormat::Json);
        assert_eq!(config(&[("ORGKIT_METRICS_BIND", "127.0.0.1:9100")]).metrics_bind.as_deref(), Some("127.0.0.1:9100"));
        assert!(refused("ORGKIT_ALLOW_PRIVATE_IDP", "maybe").contains("ORGKIT_ALLOW_PRIVATE_IDP"));
        assert!(config(&[("ORGKIT_ALLOW_PRIVATE_IDP", "1")]).allow_private_idp && !config(&[]).allow_private_idp);
    }

    #[test]
    fn an_empty_variable_counts_as_unset() {
        let names = ["ORGKIT_DATABASE_URL", "ORGKIT_BIND", "ORGKIT_SMTP_URL", "ORGKIT_RATE_LIMIT", "ORGKIT_TRUSTED_PROXIES", "ORGKIT_MAX_BODY_BYTES", "ORGKIT_LOG_FORMAT", "ORGKIT_METRICS_BIND", "ORGKIT_PUBLIC_URL", "ORGKIT_EMAIL_FROM", "ORGKIT_ALLOW_PRIVATE_IDP", "ORGKIT_SECRET_KEY"];
        let empty: Vec<(&str, &str)> = names.iter().map(|n| (*n, "")).collect();
        let c = config(&empty);
        let d = config(&[]);
        assert_eq!((c.database_url, c.bind, c.public_url, c.email_from), (d.database_url, d.bind, d.public_url, d.email_from));
        assert!(c.smtp_url.is_none() && c.metrics_bind.is_none() && c.rate_limit && c.trusted_proxies.is_empty());
        assert!(!c.allow_private_idp && c.secret_key.is_none());
        assert_eq!((c.max_body_bytes, c.log_format), (DEFAULT_MAX_BODY_BYTES, LogFormat::Text));
    }

    #[test]
    fn issuer_follows_the_public_url_unless_set() {
        let c = config(&[("ORGKIT_BIND", "0.0.0.0:9000"), ("ORGKIT_PUBLIC_URL", "https://auth.example.com/")]);
        assert_eq!((c.public_url.as_str(), c.issuer.as_str()), ("https://auth.example.com", "https://auth.example.com"));
        let c = config(&[("ORGKIT_PUBLIC_URL", "https://auth.example.com"), ("ORGKIT_ISSUER", "urn:orgkit")]);
        assert_eq!(c.issuer, "urn:orgkit");
    }
}
