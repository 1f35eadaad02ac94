//! Webhook delivery: a task of every server instance claims due deliveries (leases in the
//! database, so instances never deliver one together and a killed instance's deliveries are
//! taken up once their lease lapses), POSTs each event signed per the Standard Webhooks
//! specification, and records the outcome; core decides when a failure is tried again and
//! when an endpoint has failed long enough to be disabled. At least once: a receiver
//! deduplicates by `webhook-id`, the event's id.

use crate::api::views::events::Event;
use crate::error::{ApiError, ApiResult};
use crate::service::webhooks::secret_context;
use crate::state::AppState;
use crate::store::events::EventRow;
use crate::store::webhooks::{AttemptOutcome, ClaimedDelivery};
use orgkit_core::event::{AfterFailure, DELIVERY_TIMEOUT_SECS, after_failure, is_acknowledged};
use std::time::Duration;
use tokio::task::JoinSet;

/// How long a claimed delivery is leased to the instance attempting it, in seconds (longer than
/// an attempt may take).
const LEASE_SECS: i64 = 15;
/// Most deliveries attempted at once by one instance.
const BATCH: i64 = 16;
/// How often an idle instance looks for due deliveries.
const POLL: Duration = Duration::from_millis(500);
/// How often expired events are purged, in seconds.
const PURGE_EVERY_SECS: i64 = 3600;
/// Longest part of a receiver's answer kept as the error, in characters.
const ERROR_MAX_CHARS: usize = 200;

/// Delivers due webhooks until the process ends, and purges events older than the retention
/// period.
pub async fn run(state: AppState) {
    let client = match http_client() {
        Ok(client) => client,
        Err(e) => {
            tracing::error!(error = %e, "webhook delivery cannot start");
            return;
        }
    };
    let mut last_purge = i64::MIN;
    loop {
        let now = state.store.now();
        if now.saturating_sub(last_purge) >= PURGE_EVERY_SECS {
            last_purge = now;
            let before = now.saturating_sub(state.config.event_retention_days.saturating_mul(86_400));
            match state.store.purge_events(before).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(events = n, "expired events purged"),
                Err(e) => tracing::warn!(error = %e, "purging expired events failed"),
            }
        }
        match deliver_due(&state, &client).await {
            Ok(0) => tokio::time::sleep(POLL).await,
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "claiming webhook deliveries failed");
                tokio::time::sleep(POLL).await;
            }
        }
    }
}

/// The client deliveries are made with: bounded in time, following no redirect.
pub fn http_client() -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(DELIVERY_TIMEOUT_SECS))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("orgkit-webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// Claims the due deliveries and attempts them concurrently (each the oldest pending one of
/// its endpoint and org, so they are independent); answers how many were attempted.
pub async fn deliver_due(state: &AppState, client: &reqwest::Client) -> ApiResult<usize> {
    let now = state.store.now();
    let claimed = state.store.claim_deliveries(now, now.saturating_add(LEASE_SECS), BATCH).await?;
    let count = claimed.len();
    let mut attempts = JoinSet::new();
    for delivery in claimed {
        let (state, client) = (state.clone(), client.clone());
        attempts.spawn(async move {
            let outcome = attempt(&state, &client, &delivery).await;
            state.store.finish_attempt(&delivery, &outcome, state.store.now()).await
        });
    }
    while let Some(done) = attempts.join_next().await {
        match done {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "recording a webhook attempt failed"),
            Err(e) => tracing::error!(error = %e, "a webhook attempt panicked"),
        }
    }
    Ok(count)
}

/// One attempt: the event POSTed with its signatures; the outcome core's retry rule makes of
/// the answer.
async fn attempt(state: &AppState, client: &reqwest::Client, delivery: &ClaimedDelivery) -> AttemptOutcome {
    let answer = match signed_request(state, client, delivery) {
        Ok(request) => request.send().await.map_err(|e| (None, describe(&e))),
        Err(e) => Err((None, e.to_string())),
    };
    let (status, error) = match answer {
        Ok(response) if is_acknowledged(response.status().as_u16()) => {
            return AttemptOutcome::Delivered { status: i64::from(response.status().as_u16()) };
        }
        Ok(response) => {
            let status = response.status().as_u16();
            let text = response.text().await.unwrap_or_default();
            let excerpt: String = text.chars().take(ERROR_MAX_CHARS).collect();
            (Some(i64::from(status)), format!("answered {status}: {excerpt}"))
        }
        Err(failure) => failure,
    };
    let now = state.store.now();
    let attempts = u32::try_from(delivery.attempts).unwrap_or(u32::MAX);
    match after_failure(attempts, delivery.failing_since.unwrap_or(now), now, jitter()) {
        AfterFailure::Retry { at } => AttemptOutcome::Retry { status, error, retry_at: at },
        AfterFailure::DisableEndpoint => AttemptOutcome::GiveUp { status, error },
    }
}

/// The POST of a delivery: the event as the body, `webhook-id` (the event's id, the same on
/// every attempt), `webhook-timestamp` and `webhook-signature` by the endpoint's secret, and
/// by its previous secret while that still signs.
fn signed_request(state: &AppState, client: &reqwest::Client, d: &ClaimedDelivery) -> ApiResult<reqwest::RequestBuilder> {
    let event = Event::new(EventRow {
        id: d.event_id.clone(),
        org_id: None,
        kind: d.event_type.clone(),
        data: d.data.clone(),
        created_at: d.event_created_at,
    });
    let body = serde_json::to_vec(&event).map_err(|e| ApiError::internal(format!("an event does not serialise: {e}")))?;
    let timestamp = state.store.now();
    let context = secret_context(&d.endpoint_id);
    let mut secrets = vec![state.secrets.open(&d.secret, &context)?];
    if let (Some(previous), Some(until)) = (&d.previous_secret, d.previous_secret_until)
        && until > timestamp
    {
        secrets.push(state.secrets.open(previous, &context)?);
    }
    let mut signatures = Vec::with_capacity(secrets.len());
    for secret in &secrets {
        let signer = standardwebhooks::Webhook::new(secret).map_err(|e| ApiError::internal(format!("a webhook secret is unusable: {e}")))?;
        signatures.push(signer.sign(&d.event_id, timestamp, &body).map_err(|e| ApiError::internal(format!("signing failed: {e}")))?);
    }
    Ok(client
        .post(&d.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(standardwebhooks::HEADER_WEBHOOK_ID, &d.event_id)
        .header(standardwebhooks::HEADER_WEBHOOK_TIMESTAMP, timestamp.to_string())
        .header(standardwebhooks::HEADER_WEBHOOK_SIGNATURE, signatures.join(" "))
        .body(body))
}

/// Why a request got no answer, without the URL (it is the operator's, shown beside it).
fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "failed"
    };
    let detail = std::error::Error::source(e).map(ToString::to_string).unwrap_or_default();
    format!("{kind}: {detail}").chars().take(ERROR_MAX_CHARS).collect()
}

/// A random number from 0 to 1000 spreading retries (core's `after_failure` bounds its effect).
fn jitter() -> u16 {
    let bytes = crate::clock::random_bytes(2).unwrap_or_default();
    let n = bytes.iter().fold(0u16, |acc, b| (acc << 8) | u16::from(*b));
    n % 1001
}
