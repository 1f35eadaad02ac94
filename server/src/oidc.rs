//! The server's side of OpenID Connect providers: fetching what an org owner's connection names
//! (discovery document, key set, token endpoint) over an HTTP client that refuses the server's
//! own network, and caching each provider's metadata.
//!
//! An owner types the issuer, so every fetch is an owner-chosen URL: addresses that are not
//! public unicast (core's [`is_public_address`]: loopback, private, link-local — cloud
//! metadata —, …) and plain `http` are refused, after DNS resolution as well as for IP literals,
//! and redirects are not followed; `ORGKIT_ALLOW_PRIVATE_IDP=1` lifts this for a provider on
//! this machine (tests).

use crate::error::{ApiError, ApiResult};
use openidconnect::core::CoreProviderMetadata;
use openidconnect::{AsyncHttpClient, HttpClientError, HttpRequest, HttpResponse, IssuerUrl, reqwest};
use std::future::Future;
use std::pin::Pin;
use orgkit_core::ErrorCode;
use orgkit_core::outbound::is_public_address;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a provider's metadata and keys are used before they are fetched again.
pub const METADATA_TTL: Duration = Duration::from_secs(300);
/// How long one fetch may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// A resolver that answers only public addresses (unless private ones are allowed).
struct PublicOnly {
    allow_private: bool,
}

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let usable: Vec<SocketAddr> = found.into_iter().filter(|a| allow_private || is_public_address(&a.ip())).collect();
            if usable.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            Ok(Box::new(usable.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The outbound client and the providers' metadata, per issuer.
pub struct Providers {
    http: reqwest::Client,
    allow_private: bool,
    cache: Mutex<HashMap<String, (Instant, Arc<CoreProviderMetadata>)>>,
}

impl std::fmt::Debug for Providers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Providers").field("allow_private", &self.allow_private).finish_non_exhaustive()
    }
}

fn refused(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::OidcInvalidResponse, message)
}

impl Providers {
    /// The client; `allow_private` is `ORGKIT_ALLOW_PRIVATE_IDP`.
    pub fn new(allow_private: bool) -> Result<Providers, String> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(FETCH_TIMEOUT)
            .https_only(!allow_private)
            .dns_resolver(Arc::new(PublicOnly { allow_private }))
            .build()
            .map_err(|e| format!("cannot build the OIDC HTTP client: {e}"))?;
        Ok(Providers { http, allow_private, cache: Mutex::default() })
    }

    /// Whether `http` issuers and private addresses are allowed.
    pub fn allow_private(&self) -> bool {
        self.allow_private
    }

    /// The HTTP client every provider request goes through.
    pub fn client(&self) -> GuardedClient {
        GuardedClient { http: self.http.clone(), allow_private: self.allow_private }
    }

    /// The provider's metadata and keys (cached for [`METADATA_TTL`]; `fresh` fetches again,
    /// for a key the cached set does not have).
    pub async fn metadata(&self, issuer: &str, fresh: bool) -> ApiResult<Arc<CoreProviderMetadata>> {
        if !fresh && let Some((at, meta)) = self.cache.lock().map_err(ApiError::internal)?.get(issuer) && at.elapsed() < METADATA_TTL {
            return Ok(meta.clone());
        }
        let issuer_url = IssuerUrl::new(issuer.to_owned()).map_err(|e| refused(format!("the issuer is not a URL: {e}")))?;
        let meta = CoreProviderMetadata::discover_async(issuer_url, &self.client())
            .await
            .map_err(|e| refused(format!("the provider's discovery failed: {}", error_chain(&e))))?;
        let meta = Arc::new(meta);
        self.cache.lock().map_err(ApiError::internal)?.insert(issuer.to_owned(), (Instant::now(), meta.clone()));
        Ok(meta)
    }
}

/// The outbound client as openidconnect calls it: a URL whose host is an IP literal that is not
/// public is refused before it is sent (the resolver sees names only).
#[derive(Clone)]
pub struct GuardedClient {
    http: reqwest::Client,
    allow_private: bool,
}

impl<'c> AsyncHttpClient<'c> for GuardedClient {
    type Error = HttpClientError<reqwest::Error>;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, Self::Error>> + Send + Sync + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        let literal = request.uri().host().map(|h| h.trim_start_matches('[').trim_end_matches(']')).and_then(|h| h.parse::<IpAddr>().ok());
        let refused = literal.filter(|ip| !self.allow_private && !is_public_address(ip));
        Box::pin(async move {
            if let Some(ip) = refused {
                return Err(HttpClientError::Other(format!("the provider's address {ip} is not public")));
            }
            self.http.call(request).await
        })
    }
}

/// An error and its causes, one line.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
