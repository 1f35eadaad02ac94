//! Prometheus metrics through the `metrics` facade and its Prometheus exporter: requests by
//! route template and status class, request latency as a histogram, the database pool, emails
//! sent and failed.
//!
//! Each app has its own recorder, used with `metrics::with_local_recorder`, instead of the
//! process-global one: a global recorder installs once per process, tests run many apps in one
//! process, and each app's `/metrics` is to show what that app served.

use metrics::{Unit, counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram, with_local_recorder};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder};
use sqlx::AnyPool;
use std::time::Duration;

/// Requests answered, by method, route template and status class.
pub const REQUESTS: &str = "orgkit_http_requests_total";
/// Request latency in seconds, by method and route template.
pub const REQUEST_SECONDS: &str = "orgkit_http_request_duration_seconds";
/// Connections the database pool holds.
pub const POOL_CONNECTIONS: &str = "orgkit_db_pool_connections";
/// Idle connections of the database pool.
pub const POOL_IDLE: &str = "orgkit_db_pool_idle_connections";
/// Emails handed to the SMTP server or the outbox.
pub const EMAILS_SENT: &str = "orgkit_emails_sent_total";
/// Emails that could not be handed over.
pub const EMAILS_FAILED: &str = "orgkit_emails_failed_total";

/// Latency buckets, in seconds: from a cached read to a slow password hash.
pub const LATENCY_BUCKETS: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// The route label of requests no route matched (their paths are unbounded).
pub const UNMATCHED_ROUTE: &str = "unmatched";

/// One app's metrics.
pub struct Metrics {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
}

impl Default for Metrics {
    fn default() -> Metrics {
        let builder = PrometheusBuilder::new();
        // Only an empty bucket list is refused, and this one is not.
        let builder = match builder.set_buckets_for_metric(Matcher::Full(REQUEST_SECONDS.to_owned()), LATENCY_BUCKETS) {
            Ok(with_buckets) => with_buckets,
            Err(_) => PrometheusBuilder::new(),
        };
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        with_local_recorder(&recorder, || {
            describe_counter!(REQUESTS, "HTTP requests answered, by method, route template and status class.");
            describe_histogram!(REQUEST_SECONDS, Unit::Seconds, "HTTP request latency, by method and route template.");
            describe_gauge!(POOL_CONNECTIONS, "Connections the database pool holds.");
            describe_gauge!(POOL_IDLE, "Idle connections of the database pool.");
            describe_counter!(EMAILS_SENT, "Emails handed to the SMTP server or the outbox.");
            describe_counter!(EMAILS_FAILED, "Emails that could not be handed over.");
        });
        Metrics { recorder, handle }
    }
}

impl Metrics {
    /// Counts one answered request and its latency; `route` is the template of the route that
    /// matched as poem names it (`/manage/v1/:param0/organizations`), never the path, so label
    /// values stay bounded.
    pub fn record_request(&self, method: &str, route: Option<&str>, status: u16, elapsed: Duration) {
        let route = route.filter(|r| !r.is_empty()).unwrap_or(UNMATCHED_ROUTE).to_owned();
        let class = status_class(status);
        with_local_recorder(&self.recorder, || {
            counter!(REQUESTS, "method" => method.to_owned(), "route" => route.clone(), "status" => class).increment(1);
            histogram!(REQUEST_SECONDS, "method" => method.to_owned(), "route" => route).record(elapsed.as_secs_f64());
        });
    }

    /// Counts one email handed over (`sent`) or not.
    pub fn record_email(&self, sent: bool) {
        with_local_recorder(&self.recorder, || counter!(if sent { EMAILS_SENT } else { EMAILS_FAILED }).increment(1));
    }

    /// The Prometheus text exposition, with the pool's gauges as they are now.
    pub fn render(&self, pool: &AnyPool) -> String {
        with_local_recorder(&self.recorder, || {
            gauge!(POOL_CONNECTIONS).set(f64::from(pool.size()));
            gauge!(POOL_IDLE).set(pool.num_idle() as f64);
        });
        self.handle.run_upkeep();
        self.handle.render()
    }
}

/// `2xx`, `3xx`, `4xx` or `5xx` (anything else counts as `5xx`: no answer we send has it).
pub fn status_class(status: u16) -> &'static str {
    match status {
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects_are_their_own_class() {
        assert_eq!([200, 204, 302, 303, 404, 500].map(status_class), ["2xx", "2xx", "3xx", "3xx", "4xx", "5xx"]);
    }
}
