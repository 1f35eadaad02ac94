//! Webhook delivery against the store's clock: a receiver that never answers gets retries on
//! core's schedule until a day of failures disables the endpoint and gives the delivery up; a
//! due delivery is claimed once; enabling the endpoint again resumes its queue. Signed
//! deliveries to a real receiver, kills and two instances run end to end in
//! server/e2e/test_events.py.

use crate::both_backends;
use crate::common::{DEAD_RESOLVER, Env};
use orgkit_core::event::RETRY_DELAYS_SECS;
use orgkit_server::delivery;
use serde_json::json;

both_backends!(a_dead_endpoint_is_retried_then_disabled_after_a_day);

async fn a_dead_endpoint_is_retried_then_disabled_after_a_day(env: Env) {
    let dead = format!("http://{DEAD_RESOLVER}/hook");
    let (status, hook) = env.manage("POST", "/webhooks", Some(json!({"url": dead}))).await;
    assert_eq!(status, 201, "{hook}");
    let id = hook["id"].as_str().unwrap().to_owned();
    let (status, org) = env.manage("POST", "/organizations", Some(json!({"name": "Acme", "slug": "acme"}))).await;
    assert_eq!(status, 201);
    let org = org["id"].as_str().unwrap().to_owned();

    let client = delivery::http_client().unwrap();
    let deliveries = format!("/webhooks/{id}/deliveries");
    assert_eq!(delivery::deliver_due(&env.state, &client).await.unwrap(), 1, "the event's delivery is due at once");
    assert_eq!(delivery::deliver_due(&env.state, &client).await.unwrap(), 0, "and not due again before its retry");
    let (_, page) = env.manage("GET", &deliveries, None).await;
    let first = &page["data"][0];
    assert_eq!((first["status"].as_str(), first["attempts"].as_i64()), (Some("pending"), Some(1)), "{page}");
    assert!(first["last_error"].as_str().unwrap().contains("could not connect"), "{first}");
    let (_, endpoint) = env.manage("GET", &format!("/webhooks/{id}"), None).await;
    assert!(endpoint["failing_since"].is_string() && endpoint["enabled"] == json!(true), "{endpoint}");

    // Each retry is due exactly when core's schedule put it (80-120 % of that attempt's delay),
    // not a second before; after a day of failures the endpoint is disabled.
    let clock = env.state.store.clock().clone();
    let mut attempts = 1;
    loop {
        let (_, page) = env.manage("GET", &deliveries, None).await;
        let pending = &page["data"][0];
        if pending["status"] != "pending" {
            break;
        }
        let due = unix(pending["next_attempt_at"].as_str().unwrap());
        let gap = due - clock.now();
        let base = RETRY_DELAYS_SECS[(attempts - 1).min(RETRY_DELAYS_SECS.len() - 1)];
        assert!(gap * 10 >= base * 8 && gap * 10 <= base * 12, "retry {attempts} after {gap} s, not 80-120 % of {base} s");
        clock.advance(gap - 1);
        assert_eq!(delivery::deliver_due(&env.state, &client).await.unwrap(), 0, "retry {attempts} is not due early");
        clock.advance(1);
        assert_eq!(delivery::deliver_due(&env.state, &client).await.unwrap(), 1, "retry {attempts} is due on time");
        attempts += 1;
        assert!(attempts < 40, "the retries end");
    }
    let (_, endpoint) = env.manage("GET", &format!("/webhooks/{id}"), None).await;
    assert_eq!(endpoint["enabled"], json!(false), "a day of failures disables the endpoint: {endpoint}");
    let (_, page) = env.manage("GET", &deliveries, None).await;
    assert_eq!(page["data"][0]["status"], "failed", "{page}");
    assert!(attempts > RETRY_DELAYS_SECS.len(), "{attempts} attempts in a day: the whole schedule was tried");

    // Disabled, it queues; enabled again, its queue is due at once with a fresh streak.
    let (status, _) = env.manage("PATCH", &format!("/organizations/{org}"), Some(json!({"name": "Acme 2"}))).await;
    assert_eq!(status, 200);
    assert_eq!(delivery::deliver_due(&env.state, &client).await.unwrap(), 0, "a disabled endpoint gets nothing");
    let (status, endpoint) = env.manage("PATCH", &format!("/webhooks/{id}"), Some(json!({"enabled": true}))).await;
    assert_eq!((status, endpoint["enabled"].clone(), endpoint["failing_since"].clone()), (200, json!(true), json!(null)));
    assert_eq!(delivery::deliver_due(&env.state, &client).await.unwrap(), 1, "the queued event goes out");
}

fn unix(rfc3339: &str) -> i64 {
    time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339).unwrap().unix_timestamp()
}
