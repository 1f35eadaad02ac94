//! Admin-portal links against the store's clock: a link opens only within five minutes and only
//! once, its session lasts an hour, and a session acts in its own org only. The pages run end to
//! end in headless Chromium in server/e2e/test_portal.py.

use crate::both_backends;
use crate::common::Env;
use serde_json::json;

both_backends!(links_expire_open_once_and_sessions_end);

/// `GET path` with an optional cookie: (status, `set-cookie`, body).
async fn get(env: &Env, path: &str, cookie: Option<&str>) -> (u16, Option<String>, String) {
    let mut req = env.cli.get(path);
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    let resp = req.send().await;
    let status = resp.0.status().as_u16();
    let set_cookie = resp.0.headers().get("set-cookie").and_then(|v| v.to_str().ok()).map(str::to_owned);
    (status, set_cookie, resp.0.into_body().into_string().await.unwrap())
}

async fn link(env: &Env, org: &str, intent: &str) -> String {
    let (status, made) = env.manage("POST", &format!("/organizations/{org}/portal-links"), Some(json!({ "intent": intent }))).await;
    assert_eq!(status, 201, "{made}");
    made["url"].as_str().unwrap().strip_prefix(crate::common::PUBLIC_URL).unwrap().to_owned()
}

async fn links_expire_open_once_and_sessions_end(env: Env) {
    let (_, org) = env.manage("POST", "/organizations", Some(json!({ "name": "Acme Corp", "slug": "acme" }))).await;
    let org = org["id"].as_str().unwrap().to_owned();
    let clock = env.state.store.clock().clone();

    // Unknown intents and orgs are refused with codes; nothing is made.
    for (path, body, status, code) in [
        (format!("/organizations/{org}/portal-links"), json!({ "intent": "billing" }), 400, "invalid_request"),
        (format!("/organizations/{org}/portal-links"), json!({ "intent": "sso", "admin": true }), 400, "unknown_field"),
        ("/organizations/00000000-0000-7000-8000-000000000000/portal-links".to_owned(), json!({ "intent": "sso" }), 404, "not_found"),
    ] {
        let (got, answer) = env.manage("POST", &path, Some(body)).await;
        assert_eq!((got, answer["error"]["code"].as_str()), (status, Some(code)), "{answer}");
    }

    // Five minutes to open it.
    let late = link(&env, &org, "sso").await;
    clock.advance(300);
    let (status, cookie, page) = get(&env, &late, None).await;
    assert_eq!((status, cookie), (410, None));
    assert!(page.contains("expired") && !page.contains("Acme"), "{page}");

    // Once.
    let url = link(&env, &org, "sso").await;
    let (status, cookie, _) = get(&env, &url, None).await;
    assert_eq!(status, 303);
    let cookie = cookie.unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("Path=/portal") && cookie.contains("SameSite=Lax"), "{cookie}");
    let session = cookie.split(';').next().unwrap().to_owned();
    assert_eq!(get(&env, &url, None).await.0, 409);

    // The session shows its page, for an hour.
    let (status, _, page) = get(&env, "/portal/sso", Some(&session)).await;
    assert_eq!(status, 200);
    assert!(page.contains("Acme Corp"));
    clock.advance(3599);
    assert_eq!(get(&env, "/portal/sso", Some(&session)).await.0, 200);
    clock.advance(1);
    let (status, _, page) = get(&env, "/portal/sso", Some(&session)).await;
    assert_eq!(status, 401);
    assert!(!page.contains("Acme"));
}
