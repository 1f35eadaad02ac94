//! DNS TXT lookups for domain verification, through hickory's resolver (UDP, retried over TCP
//! when an answer is truncated), asynchronous and bounded in time: a slow or dead resolver
//! costs a request a few seconds, never a worker thread, and answers a coded refusal.
//!
//! Answers are not cached: a re-check must see the record as it is now.

use crate::startup::StartupError;
use hickory_resolver::config::{NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::rr::RData;
use hickory_resolver::{Resolver, TokioResolver};
use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;

/// How long one lookup may take, all attempts included.
pub const LOOKUP_TIMEOUT: Duration = Duration::from_secs(5);

/// What a TXT lookup found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TxtAnswer {
    /// The TXT strings at the name (none: no record there, or no such name).
    Found(Vec<String>),
    /// The lookup failed (timeout, server failure, unreachable resolver): what happened.
    Failed(String),
}

/// The resolver domain verification asks.
#[derive(Clone)]
pub struct TxtResolver {
    /// `Err`: the system's configuration could not be read; every lookup fails with it.
    resolver: Result<TokioResolver, String>,
}

impl TxtResolver {
    /// The resolver at `host:port` (`ORGKIT_DNS_RESOLVER`; one that does not resolve stops the start),
    /// else the system's (when it cannot be read, lookups fail with a coded refusal).
    pub fn new(server: Option<&str>) -> Result<TxtResolver, StartupError> {
        let provider = TokioRuntimeProvider::default();
        let mut builder = match server {
            Some(addr) => {
                // `ip:port` or `host:port` (a host name is resolved once, at start-up).
                let addr: SocketAddr = addr
                    .to_socket_addrs()
                    .ok()
                    .and_then(|mut all| all.next())
                    .ok_or_else(|| StartupError::new("ORGKIT_DNS_RESOLVER", format!("must be host:port, not {addr:?}")))?;
                let mut name_server = NameServerConfig::udp_and_tcp(addr.ip());
                for connection in &mut name_server.connections {
                    connection.port = addr.port();
                }
                Resolver::builder_with_config(ResolverConfig::from_name_servers(vec![name_server]), provider)
            }
            None => match Resolver::builder(provider) {
                Ok(builder) => builder,
                Err(e) => {
                    tracing::warn!(error = %e, "no system DNS configuration: domain verification will fail until ORGKIT_DNS_RESOLVER is set");
                    return Ok(TxtResolver { resolver: Err(format!("no DNS resolver is configured ({e})")) });
                }
            },
        };
        let options: &mut ResolverOpts = builder.options_mut();
        options.timeout = Duration::from_secs(2);
        options.attempts = 1;
        options.cache_size = 0;
        let resolver = builder.build().map_err(|e| StartupError::new("ORGKIT_DNS_RESOLVER", e.to_string()))?;
        Ok(TxtResolver { resolver: Ok(resolver) })
    }

    /// The TXT strings at `name` (an absolute name is looked up as given).
    pub async fn txt(&self, name: &str) -> TxtAnswer {
        let resolver = match &self.resolver {
            Ok(r) => r,
            Err(e) => return TxtAnswer::Failed(e.clone()),
        };
        let fqdn = format!("{}.", name.trim_end_matches('.'));
        match tokio::time::timeout(LOOKUP_TIMEOUT, resolver.txt_lookup(fqdn.as_str())).await {
            Err(_) => TxtAnswer::Failed(format!("no answer within {} seconds", LOOKUP_TIMEOUT.as_secs())),
            Ok(Err(e)) if e.is_no_records_found() => TxtAnswer::Found(Vec::new()),
            Ok(Err(e)) => TxtAnswer::Failed(e.to_string()),
            Ok(Ok(lookup)) => TxtAnswer::Found(
                lookup
                    .answers()
                    .iter()
                    .filter_map(|record| match &record.data {
                        // A TXT record's strings are one value split in 255-byte pieces.
                        RData::TXT(txt) => Some(txt.txt_data.iter().map(|part| String::from_utf8_lossy(part)).collect::<String>()),
                        _ => None,
                    })
                    .collect(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_resolver_that_does_not_answer_is_a_failed_lookup_not_an_error() {
        // Nothing listens on this loopback port: the lookup fails within its bound.
        let resolver = TxtResolver::new(Some("localhost:9")).unwrap();
        assert!(matches!(resolver.txt("_orgkit-challenge.acme.example").await, TxtAnswer::Failed(_)));
        assert!(TxtResolver::new(Some("not an address")).is_err());
    }
}
