//! `/metrics`: Prometheus text from the `metrics` exporter — requests by route template and
//! status class (a redirect counted as 3xx), a latency histogram, the pool, emails; or only on
//! the `ORGKIT_METRICS_BIND` listener when it is set.

use crate::both_backends;
use crate::common::{Env, raw_http};
use crate::sso::{certificate, config, org_with_owner};
use orgkit_server::{AppState, build_app};
use poem::EndpointExt;
use poem::test::TestClient;
use serde_json::json;
use std::time::{Duration, Instant};

both_backends!(requests_are_counted_by_route_and_status_class, emails_are_counted_as_sent_or_failed);

async fn scrape(cli: &TestClient<impl poem::Endpoint + 'static>) -> String {
    let resp = cli.get("/metrics").send().await;
    resp.assert_status_is_ok();
    resp.0.into_body().into_string().await.unwrap()
}

/// The value of the one sample line of `name` whose labels include every one of `labels`.
fn sample(text: &str, name: &str, labels: &[&str]) -> Option<f64> {
    let lines: Vec<&str> = text.lines().filter(|l| l.starts_with(&format!("{name}{{")) || l.starts_with(&format!("{name} "))).filter(|l| labels.iter().all(|want| l.contains(want))).collect();
    assert!(lines.len() <= 1, "{name} {labels:?} matches {lines:?}");
    lines.first().and_then(|l| l.rsplit(' ').next()).map(|v| v.parse().unwrap())
}

async fn requests_are_counted_by_route_and_status_class(env: Env) {
    let (org, owner) = org_with_owner(&env).await;
    let (_, created) = env.call("POST", &format!("/api/v1/organizations/{org}/sso"), Some(&owner), Some(config(&certificate()))).await;
    let cid = created["data"]["id"].as_str().unwrap().to_owned();
    assert_eq!(env.cli.get(format!("/saml/{cid}/login")).send().await.0.status().as_u16(), 302);
    assert_eq!(env.manage("GET", "/organizations", None).await.0, 200);
    assert_eq!(env.manage("GET", "/organizations", None).await.0, 200);
    assert_eq!(env.call("GET", "/manage/v1/default/organizations", Some("ok_mgmt_wrong"), None).await.0, 401);
    assert_eq!(env.call("GET", "/no/such/route/42", None, None).await.0, 404);

    let text = scrape(&env.cli).await;
    let saml = "route=\"/saml/:param0/login\"";
    assert_eq!(sample(&text, "orgkit_http_requests_total", &[saml, "status=\"3xx\""]), Some(1.0), "a redirect is a 3xx:\n{text}");
    assert_eq!(sample(&text, "orgkit_http_requests_total", &[saml, "status=\"2xx\""]), None);
    let orgs = "route=\"/manage/v1/:param0/organizations\"";
    assert_eq!(sample(&text, "orgkit_http_requests_total", &[orgs, "method=\"GET\"", "status=\"2xx\""]), Some(2.0), "{text}");
    assert_eq!(sample(&text, "orgkit_http_requests_total", &[orgs, "method=\"GET\"", "status=\"4xx\""]), Some(1.0));
    assert_eq!(sample(&text, "orgkit_http_requests_total", &["route=\"unmatched\"", "status=\"4xx\""]), Some(1.0), "paths no route matched share one label");
    assert!(!text.contains("/no/such/route"), "no raw path becomes a label");

    assert!(text.contains("# TYPE orgkit_http_request_duration_seconds histogram"), "{text}");
    let inf = sample(&text, "orgkit_http_request_duration_seconds_bucket", &[orgs, "method=\"GET\"", "le=\"+Inf\""]);
    assert_eq!(inf, Some(3.0), "every request falls in the +Inf bucket");
    assert!(sample(&text, "orgkit_http_request_duration_seconds_bucket", &[orgs, "method=\"GET\"", "le=\"0.005\""]).is_some());
    assert_eq!(sample(&text, "orgkit_http_request_duration_seconds_count", &[orgs, "method=\"GET\""]), Some(3.0));

    assert!(text.contains("# TYPE orgkit_db_pool_connections gauge"), "{text}");
    assert!(sample(&text, "orgkit_db_pool_connections", &[]).is_some_and(|n| n >= 1.0));
    assert!(sample(&text, "orgkit_db_pool_idle_connections", &[]).is_some());
}

async fn emails_are_counted_as_sent_or_failed(env: Env) {
    let (_, org) = env.manage("POST", "/organizations", Some(json!({"name": "Cardiology", "slug": "cardiology"}))).await;
    let invitations = format!("/organizations/{}/invitations", org["id"].as_str().unwrap());
    assert_eq!(env.manage("POST", &invitations, Some(json!({"email": "bob@hospital.com", "role": "member"}))).await.0, 201);

    let mut undeliverable = (*env.state.config).clone();
    undeliverable.smtp_url = Some("smtp://127.0.0.1:9".to_owned());
    let broken = TestClient::new(build_app(AppState::init(undeliverable).await.unwrap()).boxed());
    let resp = broken
        .post(format!("/manage/v1/default{invitations}"))
        .header("authorization", format!("Bearer {}", env.mgmt))
        .body_json(&json!({ "email": "carol@hospital.com", "role": "member" }))
        .send()
        .await;
    resp.assert_status(poem::http::StatusCode::INTERNAL_SERVER_ERROR);

    let sent = scrape(&env.cli).await;
    assert_eq!((sample(&sent, "orgkit_emails_sent_total", &[]), sample(&sent, "orgkit_emails_failed_total", &[])), (Some(1.0), None), "{sent}");
    let failed = scrape(&broken).await;
    assert_eq!((sample(&failed, "orgkit_emails_sent_total", &[]), sample(&failed, "orgkit_emails_failed_total", &[])), (None, Some(1.0)), "{failed}");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// With `ORGKIT_METRICS_BIND`, the binary serves `/metrics` there and not on the API.
#[tokio::test]
async fn metrics_bind_is_a_listener_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let (api, metrics) = (free_port(), free_port());
    let mut server = tokio::process::Command::new(env!("CARGO_BIN_EXE_orgkit-server"))
        .env("ORGKIT_DATABASE_URL", format!("sqlite://{}/orgkit.db", dir.path().display()))
        .env("ORGKIT_OUTBOX_DIR", dir.path().join("outbox"))
        .env("ORGKIT_BIND", format!("127.0.0.1:{api}"))
        .env("ORGKIT_METRICS_BIND", format!("127.0.0.1:{metrics}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let api_addr = format!("127.0.0.1:{api}").parse().unwrap();
    let metrics_addr = format!("127.0.0.1:{metrics}").parse().unwrap();
    // Up when the API answers, within 60 s.
    let deadline = Instant::now() + Duration::from_secs(60);
    while tokio::net::TcpStream::connect(api_addr).await.is_err() {
        assert!(Instant::now() < deadline, "the server did not listen within 60 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(raw_http(api_addr, "GET", "/healthz", &[], None).await.0, 200);
    let (status, text) = raw_http(metrics_addr, "GET", "/metrics", &[], None).await;
    assert_eq!(status, 200);
    assert!(text.contains("orgkit_http_requests_total{") && text.contains("route=\"/healthz\""), "{text}");
    assert_eq!(raw_http(api_addr, "GET", "/metrics", &[], None).await.0, 404, "not on the API's listener");
    server.kill().await.unwrap();
}
