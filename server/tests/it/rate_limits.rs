//! The abuse limits through the router (issue 15, attack 7): core's quotas per client address
//! and per account, 429 `rate_limited` with `Retry-After`. Requests of poem's test client have
//! no address, so they all count as one client here; the e2e suite (test_abuse.py) sends them
//! over real sockets, through trusted proxies.

use crate::both_backends;
use crate::common::Env;
use orgkit_core::rate_limit::{LimitedAction, RateQuota};
use orgkit_server::{AppState, build_app};
use poem::EndpointExt;
use poem::endpoint::BoxEndpoint;
use poem::test::TestClient;
use serde_json::{Value, json};
use std::time::Instant;

both_backends!(logins_over_the_quota_are_refused_with_retry_after);

/// Sends logins (`email(i)` for the i-th) until one is refused; answers how many passed and
/// the refusal's code and `Retry-After`.
async fn until_refused(cli: &TestClient<BoxEndpoint<'static>>, email: impl Fn(u32) -> String) -> (u32, String, Option<u64>) {
    for i in 0..200 {
        let body = json!({"email": email(i), "password": "wrong password!"});
        let resp = cli.post("/api/v1/auth/login").body_json(&body).send().await;
        let retry = resp.0.headers().get("retry-after").map(|v| v.to_str().unwrap().parse::<u64>().unwrap());
        let status = resp.0.status().as_u16();
        let body: Value = serde_json::from_str(&resp.0.into_body().into_string().await.unwrap()).unwrap();
        if status != 401 {
            assert_eq!(status, 429, "{body}");
            return (i, body["error"]["code"].as_str().unwrap().to_owned(), retry);
        }
    }
    panic!("never refused");
}

/// At least the burst passes, and no more than what the quota replenished meanwhile.
fn within(passed: u32, quota: RateQuota, since: Instant) {
    let replenished = u32::try_from(since.elapsed().as_secs() / u64::from(quota.replenish_seconds)).unwrap() + 1;
    assert!((quota.burst..=quota.burst + replenished).contains(&passed), "{passed} passed for {quota:?}");
}

async fn logins_over_the_quota_are_refused_with_retry_after(env: Env) {
    let mut config = (*env.state.config).clone();
    config.rate_limit = true;
    let limited = TestClient::new(build_app(AppState::init(config).await.unwrap()).boxed());
    let quotas = LimitedAction::Login.quotas();
    let (per_address, per_account) = (quotas.per_address, quotas.per_account.unwrap());

    // One account: its own quota is reached first.
    let started = Instant::now();
    let (passed, code, retry) = until_refused(&limited, |_| "ann@acme.com".to_owned()).await;
    within(passed, per_account, started);
    assert_eq!(code, "rate_limited");
    assert!(retry.is_some_and(|s| (1..=u64::from(per_account.replenish_seconds)).contains(&s)), "Retry-After {retry:?}");
    // Other accounts from the same address, until the address's quota (the refused attempt
    // counted there too).
    let (more, code, retry) = until_refused(&limited, |i| format!("user{i}@acme.com")).await;
    within(passed + 1 + more, per_address, started);
    assert_eq!(code, "rate_limited");
    assert!(retry.is_some_and(|s| (1..=u64::from(per_address.replenish_seconds)).contains(&s)), "Retry-After {retry:?}");
    // The limits are the app's: this test's own app, limits off, still answers.
    let body = json!({"email": "someone@acme.com", "password": "wrong password!"});
    assert_eq!(env.call("POST", "/api/v1/auth/login", None, Some(body)).await.0, 401);
}
