//! Each request's id (`X-Request-Id`) and client address: the id is echoed, the address is
//! recorded in the audit log, and a forwarded address is believed only from a trusted proxy.

use crate::both_backends;
use crate::common::{Env, raw_http};
use orgkit_core::client_address::TrustedProxies;
use orgkit_server::{AppState, build_app};
use poem::Server;
use poem::listener::{Acceptor, Listener, TcpListener};
use serde_json::{Value, json};
use std::net::SocketAddr;

both_backends!(the_request_id_is_echoed, forwarded_addresses_are_believed_only_from_trusted_proxies, org_admins_read_the_audit_log_with_address_and_user_agent);

fn request_id(resp: &poem::test::TestResponse) -> String {
    resp.0.headers().get("x-request-id").expect("every answer has an X-Request-Id").to_str().unwrap().to_owned()
}

fn is_uuid(s: &str) -> bool {
    uuid::Uuid::try_parse(s).is_ok()
}

async fn the_request_id_is_echoed(env: Env) {
    let resp = env.cli.get("/healthz").header("x-request-id", "trace-7f3a.42").send().await;
    assert_eq!(request_id(&resp), "trace-7f3a.42", "a well-formed incoming id is kept");
    let resp = env.cli.get("/no/such/route").header("x-request-id", "lb:99").send().await;
    assert_eq!((resp.0.status().as_u16(), request_id(&resp).as_str()), (404, "lb:99"), "errors carry it too");
    let (a, b) = (env.cli.get("/healthz").send().await, env.cli.get("/healthz").send().await);
    assert!(is_uuid(&request_id(&a)) && request_id(&a) != request_id(&b), "a new UUID per request without one");
    let long = "x".repeat(129);
    for bad in ["two words", long.as_str()] {
        let resp = env.cli.get("/healthz").header("x-request-id", bad).send().await;
        assert!(is_uuid(&request_id(&resp)), "{bad:?} is replaced");
    }
}

/// Serves `state` on a loopback socket (the test client has no peer address).
async fn serve_on_loopback(state: AppState) -> SocketAddr {
    let acceptor = TcpListener::bind("127.0.0.1:0").into_acceptor().await.unwrap();
    let addr = *acceptor.local_addr()[0].as_socket_addr().unwrap();
    tokio::spawn(Server::new_with_acceptor(acceptor).run(build_app(state)));
    addr
}

async fn forwarded_addresses_are_believed_only_from_trusted_proxies(env: Env) {
    let mut behind_proxy = (*env.state.config).clone();
    behind_proxy.trusted_proxies = TrustedProxies::parse_list("127.0.0.1/32, ::1").unwrap();
    let trusting = serve_on_loopback(AppState::init(behind_proxy).await.unwrap()).await;
    let direct = serve_on_loopback(AppState::init((*env.state.config).clone()).await.unwrap()).await;

    let bearer = format!("Bearer {}", env.mgmt);
    let forwarded = [("Authorization", bearer.as_str()), ("X-Forwarded-For", "203.0.113.7")];
    let mut recorded = Vec::new();
    for (addr, slug) in [(trusting, "via-proxy"), (direct, "direct")] {
        let body = json!({"name": slug, "slug": slug}).to_string();
        let (status, org) = raw_http(addr, "POST", "/manage/v1/default/organizations", &forwarded, Some(&body)).await;
        let org: Value = serde_json::from_str(&org).unwrap();
        assert_eq!(status, 201, "{org}");
        let (_, log) = env.manage("GET", &format!("/organizations/{}/audit-log", org["id"].as_str().unwrap()), None).await;
        let created = log["data"].as_array().unwrap().iter().find(|e| e["action"] == "organization.created").unwrap().clone();
        recorded.push(created["client_address"].clone());
    }
    assert_eq!(recorded, [json!("203.0.113.7"), json!("127.0.0.1")], "the trusted proxy's X-Forwarded-For names the client; anyone else's is ignored");

    let (_, org) = env.manage("POST", "/organizations", Some(json!({"name": "No socket", "slug": "no-socket"}))).await;
    let (_, log) = env.manage("GET", &format!("/organizations/{}/audit-log", org["id"].as_str().unwrap()), None).await;
    assert!(log["data"][0]["client_address"].is_null(), "no peer, no address: {log}");
}

/// An org's owners and admins read its audit log in the user API, each entry with the client
/// address and User-Agent (control characters dropped) of the request that made the change;
/// a member may not, and another org's owner finds nothing.
async fn org_admins_read_the_audit_log_with_address_and_user_agent(env: Env) {
    let (_, owner) = env.signup("owner@audit.test").await;
    let addr = serve_on_loopback(AppState::init((*env.state.config).clone()).await.unwrap()).await;
    let bearer = format!("Bearer {owner}");
    let headers = [("Authorization", bearer.as_str()), ("User-Agent", "acme-admin/1.0 \t(tab)")];
    let body = json!({"name": "Audited", "slug": "audited"}).to_string();
    let (status, org) = raw_http(addr, "POST", "/api/v1/organizations", &headers, Some(&body)).await;
    assert_eq!(status, 201, "{org}");
    let org_id = serde_json::from_str::<Value>(&org).unwrap()["data"]["id"].as_str().unwrap().to_owned();
    let log_path = format!("/api/v1/organizations/{org_id}/audit-log");

    let (status, log) = env.call("GET", &log_path, Some(&owner), None).await;
    assert_eq!(status, 200, "{log}");
    let created = log["data"].as_array().unwrap().iter().find(|e| e["action"] == "organization.created").unwrap().clone();
    assert_eq!((created["clientAddress"].as_str(), created["userAgent"].as_str()), (Some("127.0.0.1"), Some("acme-admin/1.0 (tab)")), "{created}");
    assert_eq!(log["nextCursor"], Value::Null);

    let (member_id, member) = env.signup("member@audit.test").await;
    let (status, added) = env.manage("POST", &format!("/organizations/{org_id}/members"), Some(json!({"user_id": member_id, "role": "member"}))).await;
    assert_eq!(status, 201, "{added}");
    assert_eq!(env.call("GET", &log_path, Some(&member), None).await.0, 403);
    let (_, stranger) = env.signup("stranger@elsewhere.test").await;
    crate::common::assert_error(&env.call("GET", &log_path, Some(&stranger), None).await, 404, "not_found");
}
