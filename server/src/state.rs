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
    /// The key stored secrets (OIDC client secrets) are sealed with.
    pub secrets: Arc<crate::secrets::SecretBox>,
    /// The OIDC providers' client and metadata cache.
    pub providers: Arc<crate::oidc::Providers>,
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
        let secrets = Arc::new(crate::secrets::SecretBox::load(config.secret_key.as_deref(), &store).await?);
        let providers = Arc::new(crate::oidc::Providers::new(config.allow_private_idp).map_err(|e| StartupError::new("ORGKIT_ALLOW_PRIVATE_IDP", e))?);
        Ok(AppState { store, config: Arc::new(config), mailer, metrics: Arc::new(Metrics::default()), keys: Arc::default(), limits, dns, secrets, providers })
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
