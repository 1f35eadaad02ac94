//! Key rotation, two instances on one database, a database failure, Retry-After.

use crate::both_backends;
use crate::common::{Env, assert_error};
use orgkit_server::{AppState, build_app};
use poem::EndpointExt;
use poem::test::TestClient;
use serde_json::json;

both_backends!(undeliverable_invitation_is_withdrawn, key_rotation_keeps_old_tokens_valid, a_rotated_key_is_picked_up_by_another_instance, two_instances_share_state, database_failure_is_a_generic_500, parallel_wrong_logins_lock_exactly_at_the_limit);

async fn key_rotation_keeps_old_tokens_valid(env: Env) {
    let (_, old_token) = env.signup("ann@acme.com").await;
    let new_kid = orgkit_server::keys::rotate(&env.state.store).await.unwrap();
    // Another process rotating is seen within KEY_CACHE_SECONDS; this one forgets at once.
    env.state.keys.invalidate();
    let (_, jwks) = env.call("GET", "/.well-known/jwks.json", None, None).await;
    let kids: Vec<&str> = jwks["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap()).collect();
    assert_eq!(kids.len(), 2, "{jwks}");
    assert!(kids.contains(&new_kid.as_str()));
    assert_eq!(env.call("GET", "/api/v1/me", Some(&old_token), None).await.0, 200, "a token of the retired key still verifies");
    let (_, login) =
        env.call("POST", "/api/v1/auth/login", None, Some(json!({"email": "ann@acme.com", "password": "correct horse battery"}))).await;
    let token = login["data"]["accessToken"].as_str().unwrap();
    let header = jsonwebtoken_header_kid(token);
    assert_eq!(header, new_kid, "new tokens are signed with the new key");
}

async fn a_rotated_key_is_picked_up_by_another_instance(env: Env) {
    let second = TestClient::new(build_app(AppState::init((*env.state.config).clone()).await.unwrap()).boxed());
    let (_, old_token) = env.signup("ann@acme.com").await;
    // The second instance loads (and caches) the keys of before the rotation.
    second.get("/api/v1/me").header("authorization", format!("Bearer {old_token}")).send().await.assert_status_is_ok();
    orgkit_server::keys::rotate(&env.state.store).await.unwrap();
    env.state.keys.invalidate();
    let (_, login) =
        env.call("POST", "/api/v1/auth/login", None, Some(json!({"email": "ann@acme.com", "password": "correct horse battery"}))).await;
    let new_token = login["data"]["accessToken"].as_str().unwrap();
    // Its cache lacks the new kid: it reloads instead of refusing.
    second.get("/api/v1/me").header("authorization", format!("Bearer {new_token}")).send().await.assert_status_is_ok();
}

fn jsonwebtoken_header_kid(token: &str) -> String {
    use base64::Engine;
    let header = token.split('.').next().unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(header).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    v["kid"].as_str().unwrap().to_owned()
}

async fn two_instances_share_state(env: Env) {
    let second_state = AppState::init((*env.state.config).clone()).await.unwrap();
    let second = TestClient::new(build_app(second_state).boxed());
    let (user_id, token) = env.signup("ann@acme.com").await;
    // A token from instance one verifies on instance two (keys are in the database).
    let resp = second.get("/api/v1/me").header("authorization", format!("Bearer {token}")).send().await;
    resp.assert_status_is_ok();
    // Failed logins counted on both instances lock the account on both.
    let (_, org) = env.manage("POST", "/organizations", Some(json!({"name": "Strict", "slug": "strict", "max_login_attempts": 2}))).await;
    env.manage("POST", &format!("/organizations/{}/members", org["id"].as_str().unwrap()), Some(json!({"user_id": user_id, "role": "member"}))).await;
    let wrong = json!({"email": "ann@acme.com", "password": "wrong password", "organization": "strict"});
    assert_error(&env.call("POST", "/api/v1/auth/login", None, Some(wrong.clone())).await, 401, "invalid_credentials");
    second.post("/api/v1/auth/login").body_json(&wrong).send().await.assert_status(poem::http::StatusCode::UNAUTHORIZED);
    let right = json!({"email": "ann@acme.com", "password": "correct horse battery", "organization": "strict"});
    let resp = env.cli.post("/api/v1/auth/login").body_json(&right).send().await;
    resp.assert_status(poem::http::StatusCode::LOCKED);
    let retry: i64 = resp.0.headers().get("retry-after").unwrap().to_str().unwrap().parse().unwrap();
    assert!((1..=15 * 60).contains(&retry), "Retry-After {retry}");
    let body: serde_json::Value = serde_json::from_str(&resp.0.into_body().into_string().await.unwrap()).unwrap();
    assert_eq!(body["error"]["code"], "account_locked");
    assert!(body["error"]["lockedUntil"].as_str().unwrap().starts_with("20"), "{body}");
}

async fn database_failure_is_a_generic_500(env: Env) {
    env.state.store.pool().close().await;
    let resp = env.manage("GET", "/organizations", None).await;
    assert_error(&resp, 500, "internal_error");
    assert_eq!(resp.1["error"]["message"], "internal error");
    assert_eq!(env.call("GET", "/readyz", None, None).await.0, 503);
}

/// Parallel wrong passwords, split over two instances sharing the database: exactly
/// `max_login_attempts` are checked, every later one is refused as locked.
async fn parallel_wrong_logins_lock_exactly_at_the_limit(env: Env) {
    let (user_id, _) = env.signup("ann@acme.com").await;
    let (_, org) = env.manage("POST", "/organizations", Some(json!({"name": "Strict", "slug": "strict", "max_login_attempts": 5}))).await;
    env.manage("POST", &format!("/organizations/{}/members", org["id"].as_str().unwrap()), Some(json!({"user_id": user_id, "role": "member"}))).await;
    // Two instances on the one database take the attempts in turns.
    let second = std::sync::Arc::new(TestClient::new(build_app(AppState::init((*env.state.config).clone()).await.unwrap()).boxed()));
    let env = std::sync::Arc::new(env);
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let (env, second) = (env.clone(), second.clone());
            tokio::spawn(async move {
                let body = json!({"email": "ann@acme.com", "password": "wrong password", "organization": "strict"});
                if i % 2 == 0 {
                    return env.call("POST", "/api/v1/auth/login", None, Some(body)).await;
                }
                let resp = second.post("/api/v1/auth/login").body_json(&body).send().await;
                let status = resp.0.status().as_u16();
                (status, serde_json::from_str(&resp.0.into_body().into_string().await.unwrap()).unwrap())
            })
        })
        .collect();
    let (mut failed, mut locked) = (0, 0);
    for t in tasks {
        let (status, body): (u16, serde_json::Value) = t.await.unwrap();
        match body["error"]["code"].as_str() {
            Some("invalid_credentials") if status == 401 => failed += 1,
            Some("account_locked") if status == 423 => locked += 1,
            _ => panic!("unexpected {status} {body}"),
        }
    }
    assert_eq!((failed, locked), (5, 11), "the fifth failure locks; later attempts are refused as locked");
}

async fn undeliverable_invitation_is_withdrawn(env: Env) {
    let mut config = (*env.state.config).clone();
    // A port nothing listens on: the SMTP connection is refused.
    config.smtp_url = Some("smtp://127.0.0.1:9".to_owned());
    let broken = TestClient::new(build_app(AppState::init(config).await.unwrap()).boxed());
    let (_, org) = env.manage("POST", "/organizations", Some(json!({"name": "Cardiology Department", "slug": "cardiology"}))).await;
    let path = format!("/manage/v1/default/organizations/{}/invitations", org["id"].as_str().unwrap());
    let resp = broken
        .post(&path)
        .header("authorization", format!("Bearer {}", env.mgmt))
        .body_json(&json!({ "email": "bob@hospital.com", "role": "member" }))
        .send()
        .await;
    resp.assert_status(poem::http::StatusCode::INTERNAL_SERVER_ERROR);
    let (_, pending) = env.manage("GET", &format!("/organizations/{}/invitations", org["id"].as_str().unwrap()), None).await;
    assert_eq!(pending["data"].as_array().unwrap().len(), 0, "no pending invitation whose email never left");
}
