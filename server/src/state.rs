//! What every request shares: the store, the configuration, the mailer and the metrics.

use crate::config::Config;
use crate::startup::StartupError;
use crate::mail::Mailer;
use crate::rate_limit::RateLimits;
use crate::store::Store;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Shared application state. Everything that must be shared between instances lives in the
/// database; what is here is per process (configuration, connections, counters for /metrics).
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// The configuration.
    pub config: Arc<Config>,
    /// Email delivery.
    pub mailer: Mailer,
    /// Request counters.
    pub metrics: Arc<Metrics>,
    /// Signing and verification keys loaded from the database.
    pub keys: Arc<crate::keys::KeyCache>,
    /// The abuse limits (per process).
    pub limits: Arc<RateLimits>,
    /// The DNS resolver domain verification asks.
    pub dns: crate::dns::TxtResolver,
}

impl AppState {
    /// Connects, migrates and makes sure a signing key exists; a failure names the setting.
    pub async fn init(config: Config) -> Result<AppState, StartupError> {
        let store = Store::connect(&config.database_url).await?;
        store.migrate().await?;
        crate::keys::ensure_key(&store).await.map_err(|e| StartupError::database("cannot store a signing key", e))?;
        let mailer = Mailer::new(config.smtp_url.as_deref(), &config.outbox_dir)?;
        let limits = Arc::new(RateLimits::new(config.rate_limit));
        let dns = crate::dns::TxtResolver::new(config.dns_resolver.as_deref())?;
        Ok(AppState { store, config: Arc::new(config), mailer, metrics: Arc::new(Metrics::default()), keys: Arc::default(), limits, dns })
    }
}

/// Per-process request counters, exposed in Prometheus text format.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: AtomicU64,
    responses_2xx: AtomicU64,
    responses_4xx: AtomicU64,
    responses_5xx: AtomicU64,
}

impl Metrics {
    /// Counts one answered request.
    pub fn record(&self, status: u16) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let bucket = match status {
            200..=399 => &self.responses_2xx,
            400..=499 => &self.responses_4xx,
            _ => &self.responses_5xx,
        };
        bucket.fetch_add(1, Ordering::Relaxed);
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
        format!(
            "# HELP orgkit_http_requests_total HTTP requests answered.\n\
             # TYPE orgkit_http_requests_total counter\n\
             orgkit_http_requests_total {}\n\
             # HELP orgkit_http_responses_total HTTP responses by status class.\n\
             # TYPE orgkit_http_responses_total counter\n\
             orgkit_http_responses_total{{class=\"2xx\"}} {}\n\
             orgkit_http_responses_total{{class=\"4xx\"}} {}\n\
             orgkit_http_responses_total{{class=\"5xx\"}} {}\n",
            load(&self.requests),
            load(&self.responses_2xx),
            load(&self.responses_4xx),
            load(&self.responses_5xx),
        )
    }
}
