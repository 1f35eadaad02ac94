//! What every request shares: the store, the configuration, the mailer and the metrics.

use crate::config::Config;
use crate::startup::StartupError;
use crate::mail::Mailer;
use crate::rate_limit::RateLimits;
use crate::store::Store;
use std::sync::Arc;
use crate::metrics::Metrics;
use crate::error::ApiResult;
use crate::mail::Email;

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
    /// Prometheus metrics of this app.
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

impl AppState {
    /// Sends an email from the configured sender, counting it as sent or failed.
    pub async fn send_email(&self, email: Email) -> ApiResult<()> {
        let result = self.mailer.send(&self.config.email_from, email).await;
        self.metrics.record_email(result.is_ok());
        result
    }
}
