//! Email ownership: signup mails a verification link whose token proves the address once; an
//! account created by accepting an invitation is asked to verify too (accepting proves nothing).

use crate::both_backends;
use crate::common::{Env, assert_error};
use serde_json::json;

both_backends!(signup_mails_a_link_that_verifies_once);

/// The token of the newest verification email to `address` in the outbox (quoted-printable
/// soft breaks undone).
fn verification_token(env: &Env, address: &str) -> String {
    let mail = env.outbox_to(address).into_iter().rev().find(|m| m.contains("Confirm your email")).unwrap();
    let flat = mail.replace("=\r\n", "").replace("=\n", "");
    let start = flat.find("/verify-email/").unwrap() + "/verify-email/".len();
    flat[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}

async fn signup_mails_a_link_that_verifies_once(env: Env) {
    let (_, token) = env.signup("ann@acme.example").await;
    let (_, me) = env.call("GET", "/api/v1/me", Some(&token), None).await;
    assert_eq!(me["data"]["emailVerified"], false);
    let link = verification_token(&env, "ann@acme.example");
    assert!(link.len() >= 40, "{link}");

    for junk in ["nope", &"a".repeat(200)] {
        assert_error(&env.call("POST", "/api/v1/auth/verify-email", None, Some(json!({"token": junk}))).await, 401, "invalid_token");
    }
    assert_error(&env.call("POST", "/api/v1/auth/verify-email", None, Some(json!({"token": link, "x": 1}))).await, 400, "unknown_field");
    let (status, body) = env.call("POST", "/api/v1/auth/verify-email", None, Some(json!({"token": link}))).await;
    assert_eq!((status, body), (200, json!({"success": true, "data": {"email": "ann@acme.example", "emailVerified": true}})));
    assert_error(&env.call("POST", "/api/v1/auth/verify-email", None, Some(json!({"token": link}))).await, 401, "invalid_token");
    let (_, me) = env.call("GET", "/api/v1/me", Some(&token), None).await;
    assert_eq!(me["data"]["emailVerified"], true);
    let (_, users) = env.manage("GET", "/users", None).await;
    assert_eq!(users["data"][0]["email_verified"], true);

    // The page a link opens posts the token; a GET verifies nothing.
    let page = env.cli.get(format!("/verify-email/{link}")).send().await;
    page.assert_status_is_ok();
    assert_eq!(env.cli.get("/verify-email/%3Cscript%3E").send().await.0.status().as_u16(), 404);

    // Accepting an invitation creates an unverified account and mails it a link.
    let (_, org) = env.manage("POST", "/organizations", Some(json!({"name": "Acme", "slug": "acme"}))).await;
    let (status, inv) = env.manage("POST", &format!("/organizations/{}/invitations", org["id"].as_str().unwrap()), Some(json!({"email": "bob@acme.example", "role": "member"}))).await;
    assert_eq!(status, 201, "{inv}");
    let invitation = inv["invitation_url"].as_str().unwrap().rsplit('/').next().unwrap().to_owned();
    let (status, accepted) = env
        .call("POST", &format!("/api/v1/organizations/invitations/{invitation}/accept"), None, Some(json!({"password": "correct horse battery"})))
        .await;
    assert_eq!(status, 200, "{accepted}");
    let bob = accepted["data"]["accessToken"].as_str().unwrap();
    let (_, me) = env.call("GET", "/api/v1/me", Some(bob), None).await;
    assert_eq!(me["data"]["emailVerified"], false);
    let link = verification_token(&env, "bob@acme.example");
    assert_eq!(env.call("POST", "/api/v1/auth/verify-email", None, Some(json!({"token": link}))).await.0, 200);
}
