//! A session acts in an org only while it meets that org's policy, on every user-API request
//! (issue 15, attack 2): a password session cannot manage an org that requires MFA, not even
//! to turn the requirement off, until it steps up; a non-member learns nothing of the policy.
//! (The connection half, an SSO session of another org, is `server/e2e/test_sessions.py`,
//! with responses pysaml2 signs.)

use crate::both_backends;
use crate::common::{Env, assert_error};
use crate::mfa::{claims, code, enrol, fresh_step};
use serde_json::json;

both_backends!(session_meets_the_org_policy_on_every_request);

async fn session_meets_the_org_policy_on_every_request(env: Env) {
    fresh_step(&env);
    let (ann, password_session) = env.signup("ann@acme.com").await;
    let (_, stranger) = env.signup("eve@evil.com").await;
    let (status, org) = env.manage("POST", "/organizations", Some(json!({"name": "Secure", "slug": "secure", "require_mfa": true}))).await;
    assert_eq!(status, 201, "{org}");
    let id = org["id"].as_str().unwrap().to_owned();
    assert_eq!(env.manage("POST", &format!("/organizations/{id}/members"), Some(json!({"user_id": ann, "role": "owner"}))).await.0, 201);
    let org_path = format!("/api/v1/organizations/{id}");

    // Every org route refuses the password-only session with a code that says "step up".
    let routes: [(&str, String, Option<serde_json::Value>); 8] = [
        ("GET", org_path.clone(), None),
        ("PUT", org_path.clone(), Some(json!({"requireMfa": false}))),
        ("GET", format!("{org_path}/members"), None),
        ("PUT", format!("{org_path}/members/{ann}"), Some(json!({"role": "owner"}))),
        ("POST", format!("{org_path}/invitations"), Some(json!({"email": "bob@acme.com", "role": "member"}))),
        ("GET", format!("{org_path}/invitations"), None),
        ("GET", format!("{org_path}/sso/metadata"), None),
        ("DELETE", org_path.clone(), None),
    ];
    for (method, path, body) in &routes {
        assert_error(&env.call(method, path, Some(&password_session), body.clone()).await, 401, "mfa_required");
        // A stranger is told nothing of the policy: the org does not exist for them.
        assert_error(&env.call(method, path, Some(&stranger), body.clone()).await, 404, "not_found");
    }
    // Nothing changed: the org still requires MFA, exists, and invited nobody.
    let (_, still) = env.manage("GET", &format!("/organizations/{id}"), None).await;
    assert_eq!(still["require_mfa"], true, "{still}");
    let (_, invitations) = env.manage("GET", &format!("/organizations/{id}/invitations"), None).await;
    assert_eq!(invitations["data"], json!([]));

    // Stepping up (switch with a TOTP code) gives a session that may act there.
    let secret = enrol(&env, &password_session).await;
    let (status, stepped) =
        env.call("POST", "/api/v1/auth/token", Some(&password_session), Some(json!({"organization": "secure", "totp": code(&env, &secret, 0)}))).await;
    assert_eq!(status, 200, "{stepped}");
    let mfa_session = stepped["data"]["accessToken"].as_str().unwrap().to_owned();
    assert_eq!(claims(&mfa_session)["amr"], json!(["pwd", "otp"]));
    let (status, got) = env.call("GET", &org_path, Some(&mfa_session), None).await;
    assert_eq!((status, got["data"]["role"].as_str()), (200, Some("owner")), "{got}");

    // A password session tightening a plain org's policy: the change is made, and binds the
    // very next request of that session.
    let (status, plain) = env.call("POST", "/api/v1/organizations", Some(&password_session), Some(json!({"name": "Plain", "slug": "plain"}))).await;
    assert_eq!(status, 201, "{plain}");
    let plain_path = format!("/api/v1/organizations/{}", plain["data"]["id"].as_str().unwrap());
    let (status, tightened) = env.call("PUT", &plain_path, Some(&password_session), Some(json!({"requireMfa": true}))).await;
    assert_eq!((status, tightened["data"]["role"].as_str()), (200, Some("owner")), "{tightened}");
    assert_error(&env.call("GET", &plain_path, Some(&password_session), None).await, 401, "mfa_required");
    // A session that performed MFA in another org's context acts here too: the factor is the
    // session's, whatever org its token names.
    assert_eq!(env.call("GET", &plain_path, Some(&mfa_session), None).await.0, 200);
}
