//! Org login policy at the server: TOTP enrolment and login (single use, races), the enrolment
//! a refused login hands out, password change against an org's rules, switch step-up, and
//! home-realm discovery. TOTP codes are generated through core at test time.

use crate::both_backends;
use crate::common::{Env, assert_error};
use base64::Engine;
use orgkit_core::login::totp_code;
use serde_json::{Value, json};
use std::sync::Arc;

both_backends!(
    totp_enrol_verify_login_replay,
    enrolment_handed_out_by_login,
    totp_code_race,
    password_change_and_org_rules,
    switch_step_up,
    session_age_bounded_by_each_org,
    discovery_answers,
);

const PASSWORD: &str = "correct horse battery";

/// The code of `secret` `steps` time-steps from now (-1 = the previous 30 s window).
pub(crate) fn code(env: &Env, secret: &str, steps: i64) -> String {
    totp_code(secret, env.state.store.now() + steps * 30).unwrap()
}

/// A code no window near now accepts (a collision is a one-in-a-million chance per call).
fn wrong_code(env: &Env, secret: &str) -> String {
    let near: Vec<String> = (-2..=2).map(|s| code(env, secret, s)).collect();
    (0..).map(|i| format!("{:06}", (123_456 + i * 7_919) % 1_000_000)).find(|c| !near.contains(c)).unwrap()
}

/// Moves the server's clock to the start of the next 30 s window when the current one is about
/// to end, so that a code is not generated in one window and checked two windows later. (Codes
/// are generated relative to the moment of each request, and each accepted code's window is
/// later than the previous one's.)
pub(crate) fn fresh_step(env: &Env) {
    let left = 30 - env.state.store.now().rem_euclid(30);
    if left < 4 {
        env.state.store.clock().advance(left);
    }
}

/// The claims of a JWT, unverified (the auth tests verify signatures).
pub(crate) fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

fn login(email: &str, password: &str, org: Option<&str>, totp: Option<&str>) -> Value {
    let mut body = json!({ "email": email, "password": password });
    if let Some(o) = org {
        body["organization"] = json!(o);
    }
    if let Some(t) = totp {
        body["totp"] = json!(t);
    }
    body
}

/// An org created with the management key (settings in the body), `user_id` a member.
async fn org_with(env: &Env, slug: &str, settings: Value, user_id: &str) -> String {
    let mut body = json!({ "name": slug, "slug": slug });
    body.as_object_mut().unwrap().extend(settings.as_object().unwrap().clone());
    let (status, org) = env.manage("POST", "/organizations", Some(body)).await;
    assert_eq!(status, 201, "{org}");
    let id = org["id"].as_str().unwrap().to_owned();
    let (status, m) = env.manage("POST", &format!("/organizations/{id}/members"), Some(json!({"user_id": user_id, "role": "member"}))).await;
    assert_eq!(status, 201, "{m}");
    id
}

/// Enrols and confirms a factor through the bearer endpoints with a code of the previous
/// window; answers the secret.
pub(crate) async fn enrol(env: &Env, token: &str) -> String {
    let (status, enrolled) = env.call("POST", "/api/v1/auth/mfa/totp", Some(token), None).await;
    assert_eq!(status, 201, "{enrolled}");
    let secret = enrolled["data"]["secret"].as_str().unwrap().to_owned();
    let (status, verified) = env.call("POST", "/api/v1/auth/mfa/totp/verify", Some(token), Some(json!({"code": code(env, &secret, -1)}))).await;
    assert_eq!(status, 200, "{verified}");
    secret
}

async fn totp_enrol_verify_login_replay(env: Env) {
    fresh_step(&env);
    let (user_id, token) = env.signup("ann@acme.com").await;
    org_with(&env, "secure", json!({"require_mfa": true, "session_ttl_hours": 8}), &user_id).await;

    let (status, enrolled) = env.call("POST", "/api/v1/auth/mfa/totp", Some(&token), None).await;
    assert_eq!(status, 201, "{enrolled}");
    let secret = enrolled["data"]["secret"].as_str().unwrap().to_owned();
    let uri = enrolled["data"]["otpauthUri"].as_str().unwrap();
    assert!(uri.starts_with("otpauth://totp/") && uri.contains(&format!("secret={secret}")), "{uri}");
    // Pending: the org login still asks for an enrolment, and carries the same pending secret.
    let refused = env.call("POST", "/api/v1/auth/login", None, Some(login("ann@acme.com", PASSWORD, Some("secure"), None))).await;
    assert_error(&refused, 401, "mfa_enrollment_required");
    assert_eq!(refused.1["error"]["enrolment"]["secret"], secret.as_str());

    // Confirmation: a wrong code, then a good one; the same code cannot confirm twice.
    let verify = |c: String| json!({ "code": c });
    assert_error(&env.call("POST", "/api/v1/auth/mfa/totp/verify", Some(&token), Some(verify(wrong_code(&env, &secret)))).await, 401, "invalid_mfa_code");
    let first = code(&env, &secret, -1);
    let (status, verified) = env.call("POST", "/api/v1/auth/mfa/totp/verify", Some(&token), Some(verify(first.clone()))).await;
    assert_eq!((status, verified["data"]["confirmed"].as_bool()), (200, Some(true)), "{verified}");
    assert_error(&env.call("POST", "/api/v1/auth/mfa/totp/verify", Some(&token), Some(verify(first.clone()))).await, 400, "invalid_request");

    // Login into the MFA org: no code, a wrong code, the confirmation's (used) code, then a good one.
    assert_error(&env.call("POST", "/api/v1/auth/login", None, Some(login("ann@acme.com", PASSWORD, Some("secure"), None))).await, 401, "mfa_required");
    let wrong = wrong_code(&env, &secret);
    assert_error(&env.call("POST", "/api/v1/auth/login", None, Some(login("ann@acme.com", PASSWORD, Some("secure"), Some(&wrong)))).await, 401, "invalid_mfa_code");
    assert_error(&env.call("POST", "/api/v1/auth/login", None, Some(login("ann@acme.com", PASSWORD, Some("secure"), Some(&first)))).await, 401, "invalid_mfa_code");
    let now_code = code(&env, &secret, 0);
    let (status, ok) = env.call("POST", "/api/v1/auth/login", None, Some(login("ann@acme.com", PASSWORD, Some("secure"), Some(&now_code)))).await;
    assert_eq!(status, 200, "{ok}");
    let c = claims(ok["data"]["accessToken"].as_str().unwrap());
    assert_eq!(c["amr"], json!(["pwd", "otp"]));
    assert_eq!(c["org_slug"], "secure");
    // The org's effective session TTL sets exp.
    assert_eq!(c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(), 8 * 3600);
    // Replay of the accepted code is refused.
    assert_error(&env.call("POST", "/api/v1/auth/login", None, Some(login("ann@acme.com", PASSWORD, Some("secure"), Some(&now_code)))).await, 401, "invalid_mfa_code");
    // A wrong password with a good code is a wrong password (the code is not consumed).
    let next = code(&env, &secret, 1);
    assert_error(&env.call("POST", "/api/v1/auth/login", None, Some(login("ann@acme.com", "wrong password!", Some("secure"), Some(&next)))).await, 401, "invalid_credentials");

    // An enrolled user is asked for a code outside MFA orgs too (core's rule).
    assert_error(&env.call("POST", "/api/v1/auth/login", None, Some(login("ann@acme.com", PASSWORD, None, None))).await, 401, "mfa_required");
    let (status, tenant_login) = env.call("POST", "/api/v1/auth/login", None, Some(login("ann@acme.com", PASSWORD, None, Some(&next)))).await;
    assert_eq!(status, 200, "{tenant_login}");
    assert_eq!(claims(tenant_login["data"]["accessToken"].as_str().unwrap())["amr"], json!(["pwd", "otp"]));

    // Replacing a confirmed factor needs a session that performed MFA.
    assert_error(&env.call("POST", "/api/v1/auth/mfa/totp", Some(&token), None).await, 401, "mfa_required");
    let (status, _) = env.call("POST", "/api/v1/auth/mfa/totp", Some(tenant_login["data"]["accessToken"].as_str().unwrap()), None).await;
    assert_eq!(status, 201);
    // A pending replacement leaves the confirmed factor in force.
    assert_error(&env.call("POST", "/api/v1/auth/login", None, Some(login("ann@acme.com", PASSWORD, Some("secure"), None))).await, 401, "mfa_required");
}

async fn enrolment_handed_out_by_login(env: Env) {
    fresh_step(&env);
    let (user_id, _) = env.signup("bob@acme.com").await;
    org_with(&env, "secure", json!({"require_mfa": true}), &user_id).await;
    // A wrong password learns nothing of the org's MFA policy.
    assert_error(&env.call("POST", "/api/v1/auth/login", None, Some(login("bob@acme.com", "wrong password!", Some("secure"), None))).await, 401, "invalid_credentials");
    let refused = env.call("POST", "/api/v1/auth/login", None, Some(login("bob@acme.com", PASSWORD, Some("secure"), None))).await;
    assert_error(&refused, 401, "mfa_enrollment_required");
    let secret = refused.1["error"]["enrolment"]["secret"].as_str().unwrap().to_owned();
    assert!(refused.1["error"]["enrolment"]["otpauthUri"].as_str().unwrap().starts_with("otpauth://totp/"));
    // The same pending secret again (an app that scanned it keeps working).
    let again = env.call("POST", "/api/v1/auth/login", None, Some(login("bob@acme.com", PASSWORD, Some("secure"), None))).await;
    assert_eq!(again.1["error"]["enrolment"]["secret"], secret.as_str());
    // A wrong code of the pending enrolment counts as a failed login and confirms nothing.
    let wrong = wrong_code(&env, &secret);
    assert_error(&env.call("POST", "/api/v1/auth/login", None, Some(login("bob@acme.com", PASSWORD, Some("secure"), Some(&wrong)))).await, 401, "invalid_mfa_code");
    // A good code confirms it and logs in.
    let (status, ok) = env.call("POST", "/api/v1/auth/login", None, Some(login("bob@acme.com", PASSWORD, Some("secure"), Some(&code(&env, &secret, 0))))).await;
    assert_eq!(status, 200, "{ok}");
    assert_eq!(claims(ok["data"]["accessToken"].as_str().unwrap())["amr"], json!(["pwd", "otp"]));
    // Confirmed now: no enrolment handed out any more.
    let after = env.call("POST", "/api/v1/auth/login", None, Some(login("bob@acme.com", PASSWORD, Some("secure"), None))).await;
    assert_error(&after, 401, "mfa_required");
    assert!(after.1["error"]["enrolment"].is_null(), "{}", after.1);
    // A user who is not a member learns nothing of the org's policy, nor whether the password
    // was right.
    env.signup("eve@acme.com").await;
    assert_error(&env.call("POST", "/api/v1/auth/login", None, Some(login("eve@acme.com", PASSWORD, Some("secure"), None))).await, 401, "invalid_credentials");
}

async fn totp_code_race(env: Env) {
    fresh_step(&env);
    let (user_id, token) = env.signup("ann@acme.com").await;
    // The replays below count as failed logins: the operator allows the account enough of them
    // (an org's own setting could only tighten the tenant's).
    assert_eq!(env.manage("PATCH", "/settings", Some(json!({"max_login_attempts": 100}))).await.0, 200);
    org_with(&env, "secure", json!({"require_mfa": true}), &user_id).await;
    let (status, enrolled) = env.call("POST", "/api/v1/auth/mfa/totp", Some(&token), None).await;
    assert_eq!(status, 201);
    let secret = enrolled["data"]["secret"].as_str().unwrap().to_owned();
    let env = Arc::new(env);

    // 20 confirmations with one code: exactly one confirms.
    let first = code(&env, &secret, -1);
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (env, token, c) = (env.clone(), token.clone(), first.clone());
            tokio::spawn(async move { env.call("POST", "/api/v1/auth/mfa/totp/verify", Some(&token), Some(json!({"code": c}))).await })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        let (status, body) = t.await.unwrap();
        match status {
            200 => ok += 1,
            _ => assert!(["invalid_mfa_code", "invalid_request"].contains(&body["error"]["code"].as_str().unwrap()), "{body}"),
        }
    }
    assert_eq!(ok, 1);

    // 20 logins with one code: exactly one succeeds, the others are replays.
    let c = code(&env, &secret, 0);
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (env, body) = (env.clone(), login("ann@acme.com", PASSWORD, Some("secure"), Some(&c)));
            tokio::spawn(async move { env.call("POST", "/api/v1/auth/login", None, Some(body)).await })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        let resp = t.await.unwrap();
        if resp.0 == 200 {
            ok += 1;
        } else {
            assert_error(&resp, 401, "invalid_mfa_code");
        }
    }
    assert_eq!(ok, 1);
}

async fn password_change_and_org_rules(env: Env) {
    let (user_id, tenant_token) = env.signup("ann@acme.com").await;
    let org_id = org_with(&env, "tight", json!({}), &user_id).await;
    let (status, org_login) = env.call("POST", "/api/v1/auth/login", None, Some(login("ann@acme.com", PASSWORD, Some("tight"), None))).await;
    assert_eq!(status, 200, "{org_login}");
    let org_token = org_login["data"]["accessToken"].as_str().unwrap().to_owned();

    // The org tightens its rules: the stored password no longer passes there, still does outside.
    let (status, _) = env.manage("PATCH", &format!("/organizations/{org_id}"), Some(json!({"password_min_length": 30}))).await;
    assert_eq!(status, 200);
    assert_error(&env.call("POST", "/api/v1/auth/login", None, Some(login("ann@acme.com", PASSWORD, Some("tight"), None))).await, 403, "password_change_required");
    assert_eq!(env.call("POST", "/api/v1/auth/login", None, Some(login("ann@acme.com", PASSWORD, None, None))).await.0, 200);

    let change = |current: &str, new: &str| json!({ "currentPassword": current, "newPassword": new });
    let long = "a passphrase of thirty characters or more";
    let wrong = env.call("POST", "/api/v1/auth/password", Some(&org_token), Some(change("wrong password!", long))).await;
    assert_error(&wrong, 401, "invalid_credentials");
    assert_eq!(wrong.1["error"]["field"], "currentPassword");
    // The org in the token sets the rules: 25 characters are too few there...
    let medium = "twenty five characters ok";
    let weak = env.call("POST", "/api/v1/auth/password", Some(&org_token), Some(change(PASSWORD, medium))).await;
    assert_error(&weak, 422, "weak_password");
    assert_eq!(weak.1["error"]["field"], "newPassword");
    assert_error(&env.call("POST", "/api/v1/auth/password", Some(&org_token), Some(change(PASSWORD, "ann@acme.com"))).await, 422, "weak_password");
    assert_error(&env.call("POST", "/api/v1/auth/password", None, Some(change(PASSWORD, long))).await, 401, "unauthenticated");
    assert_error(&env.call("POST", "/api/v1/auth/password", Some(&org_token), Some(json!({"newPassword": long}))).await, 400, "invalid_request");
    // Tokens from before the change work until it, and are revoked by it (a minute passes).
    env.state.store.clock().advance(60);
    let earlier = [org_token.clone(), tenant_token.clone()];
    for token in &earlier {
        assert_eq!(env.call("GET", "/api/v1/me", Some(token), None).await.0, 200);
    }
    // A session that mints itself fresh tokens (an org switch) does not outlive the change: the
    // minted token carries the session's `auth_time`, which revocation compares, even when its
    // own `iat` is not earlier than the change (here 20 s later, within the leeway: an instance
    // whose clock runs ahead, or a switch in the change's own second).
    let (status, switched) = env.call("POST", "/api/v1/auth/token", Some(&earlier[0]), Some(json!({ "organization": "tight" }))).await;
    assert_eq!(status, 200, "{switched}");
    let minted = switched["data"]["accessToken"].as_str().unwrap().to_owned();
    assert_eq!(claims(&minted)["auth_time"], claims(&earlier[0])["iat"]);
    env.state.store.clock().advance(-20);
    assert_eq!(env.call("GET", "/api/v1/me", Some(&minted), None).await.0, 200);
    let (status, changed) = env.call("POST", "/api/v1/auth/password", Some(&org_token), Some(change(PASSWORD, long))).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["success"], true);
    assert_eq!(changed["data"]["passwordChanged"], true);
    for token in earlier.iter().chain([&minted]) {
        assert_error(&env.call("GET", "/api/v1/me", Some(token), None).await, 401, "token_revoked");
        assert_error(&env.call("POST", "/api/v1/auth/token", Some(token), Some(json!({ "organization": "tight" }))).await, 401, "token_revoked");
    }
    assert_error(&env.call("POST", "/api/v1/auth/login", None, Some(login("ann@acme.com", PASSWORD, Some("tight"), None))).await, 401, "invalid_credentials");
    let (status, relogin) = env.call("POST", "/api/v1/auth/login", None, Some(login("ann@acme.com", long, Some("tight"), None))).await;
    assert_eq!(status, 200, "{relogin}");
    // ...and outside an org the tenant's rules apply (the default minimum), with a token from a
    // login after the change.
    let (status, tenant_login) = env.call("POST", "/api/v1/auth/login", None, Some(login("ann@acme.com", long, None, None))).await;
    assert_eq!(status, 200, "{tenant_login}");
    let tenant_token = tenant_login["data"]["accessToken"].as_str().unwrap().to_owned();
    assert_eq!(env.call("GET", "/api/v1/me", Some(&tenant_token), None).await.0, 200);
    let (status, _) = env.call("POST", "/api/v1/auth/password", Some(&tenant_token), Some(change(long, medium))).await;
    assert_eq!(status, 200);
    assert_error(&env.call("POST", "/api/v1/auth/login", None, Some(login("ann@acme.com", medium, Some("tight"), None))).await, 403, "password_change_required");
}

/// An org's `session_ttl_hours` bounds how long after its login a session acts in the org:
/// whatever token it presents, and an org switch neither escapes nor extends it.
async fn session_age_bounded_by_each_org(env: Env) {
    let (user_id, _) = env.signup("ann@acme.com").await;
    let short = org_with(&env, "short", json!({"session_ttl_hours": 1}), &user_id).await;
    let long = org_with(&env, "long", json!({}), &user_id).await;
    let session = || async {
        let (status, body) = env.call("POST", "/api/v1/auth/login", None, Some(login("ann@acme.com", PASSWORD, None, None))).await;
        assert_eq!(status, 200, "{body}");
        body["data"]["accessToken"].as_str().unwrap().to_owned()
    };
    // A session two hours old (its token still unexpired under the tenant's 24 h), and a fresh one.
    let old = session().await;
    env.state.store.clock().advance(2 * 3600);
    let fresh = session().await;
    let members = |org: &str| format!("/api/v1/organizations/{org}/members");
    assert_error(&env.call("GET", &members(&short), Some(&old), None).await, 401, "session_expired");
    assert_eq!(env.call("GET", &members(&long), Some(&old), None).await.0, 200);
    assert_eq!(env.call("GET", &members(&short), Some(&fresh), None).await.0, 200);
    let switch = |org: &str| json!({ "organization": org });
    assert_error(&env.call("POST", "/api/v1/auth/token", Some(&old), Some(switch("short"))).await, 401, "session_expired");
    let (status, switched) = env.call("POST", "/api/v1/auth/token", Some(&old), Some(switch("long"))).await;
    assert_eq!(status, 200, "{switched}");
    let minted = claims(switched["data"]["accessToken"].as_str().unwrap());
    let auth_time = claims(&old)["auth_time"].as_i64().unwrap();
    assert_eq!(minted["auth_time"], auth_time);
    assert_eq!(minted["exp"], auth_time + 24 * 3600, "a switch ends when the session does");
}

async fn switch_step_up(env: Env) {
    fresh_step(&env);
    let (user_id, token) = env.signup("ann@acme.com").await;
    org_with(&env, "plain", json!({}), &user_id).await;
    org_with(&env, "secure", json!({"require_mfa": true, "max_login_attempts": 3}), &user_id).await;
    let switch = |org: &str, totp: Option<&str>| {
        let mut b = json!({ "organization": org });
        if let Some(t) = totp {
            b["totp"] = json!(t);
        }
        b
    };
    // No factor yet: a plain org switches, an MFA org asks for enrolment.
    assert_eq!(env.call("POST", "/api/v1/auth/token", Some(&token), Some(switch("plain", None))).await.0, 200);
    assert_error(&env.call("POST", "/api/v1/auth/token", Some(&token), Some(switch("secure", None))).await, 401, "mfa_enrollment_required");

    let secret = enrol(&env, &token).await;
    assert_error(&env.call("POST", "/api/v1/auth/token", Some(&token), Some(switch("secure", None))).await, 401, "mfa_required");
    let wrong = wrong_code(&env, &secret);
    assert_error(&env.call("POST", "/api/v1/auth/token", Some(&token), Some(switch("secure", Some(&wrong)))).await, 401, "invalid_mfa_code");
    let (status, stepped) = env.call("POST", "/api/v1/auth/token", Some(&token), Some(switch("secure", Some(&code(&env, &secret, 0))))).await;
    assert_eq!(status, 200, "{stepped}");
    let stepped_token = stepped["data"]["accessToken"].as_str().unwrap().to_owned();
    let c = claims(&stepped_token);
    assert_eq!((c["amr"].clone(), c["org_slug"].clone()), (json!(["pwd", "otp"]), json!("secure")));
    // The session performed MFA now: switching back and forth needs no code.
    let (status, back) = env.call("POST", "/api/v1/auth/token", Some(&stepped_token), Some(switch("plain", None))).await;
    assert_eq!(status, 200);
    let back_token = back["data"]["accessToken"].as_str().unwrap();
    assert_eq!(env.call("POST", "/api/v1/auth/token", Some(back_token), Some(switch("secure", None))).await.0, 200);

    // Wrong step-up codes count on the account's counter, against the account's limits
    // tightened by the org's: 3 lock it.
    let wrong = wrong_code(&env, &secret);
    for _ in 0..3 {
        assert_error(&env.call("POST", "/api/v1/auth/token", Some(&token), Some(switch("secure", Some(&wrong)))).await, 401, "invalid_mfa_code");
    }
    let locked = env.call("POST", "/api/v1/auth/token", Some(&token), Some(switch("secure", Some(&code(&env, &secret, 1))))).await;
    assert_error(&locked, 423, "account_locked");
    assert!(locked.1["error"]["lockedUntil"].is_string());
    // The lock is the account's: a password login is refused in any org, and without one.
    assert_error(&env.call("POST", "/api/v1/auth/login", None, Some(login("ann@acme.com", PASSWORD, Some("secure"), Some(&code(&env, &secret, 1))))).await, 423, "account_locked");
    assert_error(&env.call("POST", "/api/v1/auth/login", None, Some(login("ann@acme.com", PASSWORD, Some("plain"), None))).await, 423, "account_locked");
    assert_error(&env.call("POST", "/api/v1/auth/login", None, Some(login("ann@acme.com", PASSWORD, None, None))).await, 423, "account_locked");
    // A session that needs no step-up guesses nothing: it still switches into the plain org.
    assert_eq!(env.call("POST", "/api/v1/auth/token", Some(&token), Some(switch("plain", None))).await.0, 200);
}

async fn discovery_answers(env: Env) {
    let (user_id, _) = env.signup("ann@acme.com").await;
    let cert = {
        let mut der = vec![0x30u8, 0x82, 0x01, 0x00];
        der.extend(std::iter::repeat_n(0x42u8, 256));
        format!("-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----", base64::engine::general_purpose::STANDARD.encode(der))
    };
    let (status, conn) = env
        .manage("POST", "/connections", Some(json!({
            "name": "Hospital IdP",
            "entity_id": "https://idp.example.com/saml",
            "sso_url": "https://idp.example.com/saml/sso",
            "certificate": cert,
            "email_domains": ["hospital.com"]
        })))
        .await;
    assert_eq!(status, 201, "{conn}");
    let conn_id = conn["id"].as_str().unwrap().to_owned();
    let cardiology = org_with(&env, "cardiology", json!({}), &user_id).await;
    env.manage("POST", &format!("/organizations/{cardiology}/connections"), Some(json!({"connection_id": conn_id}))).await;
    let (status, _) = env.manage("PATCH", &format!("/organizations/{cardiology}"), Some(json!({"default_connection_id": conn_id}))).await;
    assert_eq!(status, 200);
    org_with(&env, "secure", json!({"require_mfa": true, "password_min_length": 14}), &user_id).await;
    org_with(&env, "strict", json!({"max_login_attempts": 2}), &user_id).await;

    let discover = |email: &str, org: Option<&str>| {
        let mut b = json!({ "email": email });
        if let Some(o) = org {
            b["organization"] = json!(o);
        }
        let env = &env;
        async move {
            let (status, body) = env.call("POST", "/api/v1/auth/discover", None, Some(b)).await;
            assert_eq!(status, 200, "{body}");
            body["data"].clone()
        }
    };
    // An email whose domain routes to a connection: SSO, with its login URL.
    let sso = discover("Dr.Who@Hospital.com", None).await;
    assert_eq!(sso["method"], "sso");
    assert_eq!(sso["connectionId"], conn_id.as_str());
    assert_eq!(sso["loginUrl"], format!("/saml/{conn_id}/login"));
    assert_eq!(sso["mfaRequired"], false);
    // Otherwise password, with the tenant's policy.
    let pw = discover("ann@acme.com", None).await;
    assert_eq!(
        pw,
        json!({"method": "password", "connectionId": null, "loginUrl": null, "mfaRequired": false, "locked": false, "lockedUntil": null, "passwordMinLength": 8})
    );
    // The org's default connection is what discovery proposes in that org.
    let card = discover("ann@acme.com", Some("cardiology")).await;
    assert_eq!((card["method"].as_str(), card["connectionId"].as_str()), (Some("sso"), Some(conn_id.as_str())));
    // An MFA org says so, with its password rule.
    let secure = discover("ann@acme.com", Some("secure")).await;
    assert_eq!((secure["method"].as_str(), secure["mfaRequired"].as_bool(), secure["passwordMinLength"].as_u64()), (Some("password"), Some(true), Some(14)));
    // A registered and an unknown email get the same answer everywhere.
    for org in [None, Some("cardiology"), Some("secure"), Some("strict")] {
        assert_eq!(discover("ann@acme.com", org).await, discover("nobody@acme.com", org).await, "{org:?}");
    }
    // Locked: the account's one counter, reached at the strict org's tighter limit.
    for _ in 0..2 {
        env.call("POST", "/api/v1/auth/login", None, Some(login("ann@acme.com", "wrong password!", Some("strict"), None))).await;
    }
    for org in [Some("strict"), Some("secure"), None] {
        let locked = discover("ann@acme.com", org).await;
        assert_eq!(locked["locked"], true, "{org:?}");
        assert!(locked["lockedUntil"].is_string(), "{locked}");
    }
    // Coded refusals.
    assert_error(&env.call("POST", "/api/v1/auth/discover", None, Some(json!({"email": "ann@acme.com", "organization": "nope"}))).await, 404, "not_found");
    assert_error(&env.call("POST", "/api/v1/auth/discover", None, Some(json!({"email": "not an email"}))).await, 422, "invalid_email");
    assert_error(&env.call("POST", "/api/v1/auth/discover", None, Some(json!({"email": "a@b.com", "extra": 1}))).await, 400, "unknown_field");

    // The new endpoints are documented with their bodies.
    let (_, spec) = env.call("GET", "/openapi.json", None, None).await;
    for path in ["/api/v1/auth/discover", "/api/v1/auth/mfa/totp", "/api/v1/auth/mfa/totp/verify", "/api/v1/auth/password"] {
        assert!(spec["paths"][path]["post"].is_object(), "{path}");
    }
    let schemas = &spec["components"]["schemas"];
    assert!(schemas["PasswordChange"]["properties"]["currentPassword"].is_object(), "{}", schemas["PasswordChange"]);
    assert!(schemas["Login"]["properties"]["totp"].is_object());
    assert!(schemas["Switch"]["properties"]["totp"].is_object());
    assert!(schemas["Discover"]["properties"]["email"].is_object());
    assert!(schemas["TotpCode"]["properties"]["code"].is_object());
    assert!(schemas["ErrorDetail"]["properties"]["enrolment"].is_object());
}
