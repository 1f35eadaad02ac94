//! Signup, login (in and out of an org context), org switching, /me and the JWKS.

use crate::both_backends;
use crate::common::{Env, PUBLIC_URL, assert_error};
use orgkit_core::token::{KeySet, Requirement, VerifyOptions, verify_org_token};
use serde_json::json;

both_backends!(signup_login_switch, login_policy_and_lockout, lockout_is_per_account, forged_key_ids_cost_one_reload_per_interval);

async fn signup_login_switch(env: Env) {
    let (status, signup) = env
        .call("POST", "/api/v1/auth/signup", None, Some(json!({"email": "Ann@Acme.com", "password": "correct horse battery", "name": "Ann"})))
        .await;
    assert_eq!(status, 201, "{signup}");
    assert_eq!(signup["data"]["tokenType"], "Bearer");
    assert!(signup["data"]["expiresAt"].is_string());
    let token = signup["data"]["accessToken"].as_str().unwrap().to_owned();
    assert_error(
        &env.call("POST", "/api/v1/auth/signup", None, Some(json!({"email": "ann@acme.com", "password": "correct horse battery"}))).await,
        409,
        "email_taken",
    );
    assert_error(&env.call("POST", "/api/v1/auth/signup", None, Some(json!({"email": "b@acme.com", "password": "short"}))).await, 422, "weak_password");

    let (status, me) = env.call("GET", "/api/v1/me", Some(&token), None).await;
    assert_eq!((status, me["data"]["email"].as_str()), (200, Some("ann@acme.com")));

    let (_, created) = env.call("POST", "/api/v1/organizations", Some(&token), Some(json!({"name": "Acme Corp", "slug": "acme-corp"}))).await;
    let org_id = created["data"]["id"].as_str().unwrap().to_owned();

    assert_error(
        &env.call("POST", "/api/v1/auth/login", None, Some(json!({"email": "ann@acme.com", "password": "wrong password!"}))).await,
        401,
        "invalid_credentials",
    );
    assert_error(
        &env.call("POST", "/api/v1/auth/login", None, Some(json!({"email": "nobody@acme.com", "password": "wrong password!"}))).await,
        401,
        "invalid_credentials",
    );
    let (status, login) = env
        .call("POST", "/api/v1/auth/login", None, Some(json!({"email": "ann@acme.com", "password": "correct horse battery", "organization": "acme-corp"})))
        .await;
    assert_eq!(status, 200, "{login}");
    let org_token = login["data"]["accessToken"].as_str().unwrap();

    // The token verifies with core against the served JWKS and carries the org claims.
    let (status, jwks) = env.call("GET", "/.well-known/jwks.json", None, None).await;
    assert_eq!(status, 200);
    let keys = KeySet::from_jwks(&jwks).unwrap();
    let opts = || VerifyOptions { issuer: PUBLIC_URL.to_owned(), audience: "orgkit".to_owned(), leeway: 0, now: env.state.store.now() };
    let claims = verify_org_token(org_token, &keys, &opts(), &Requirement::default()).unwrap();
    assert_eq!(claims.org_id.as_deref(), Some(org_id.as_str()));
    assert_eq!(claims.org_slug.as_deref(), Some("acme-corp"));
    assert_eq!(claims.org_role.map(|r| r.as_str()), Some("owner"));
    assert_eq!(claims.exp - claims.iat, 24 * 3600);
    assert_eq!(claims.amr, vec!["pwd".to_owned()]);

    // Switching org context without the password; the org's TTL follows.
    env.manage("PATCH", &format!("/organizations/{org_id}"), Some(json!({"session_ttl_hours": 8}))).await;
    let (status, switched) = env.call("POST", "/api/v1/auth/token", Some(&token), Some(json!({"organization": org_id}))).await;
    assert_eq!(status, 200, "{switched}");
    let claims = verify_org_token(switched["data"]["accessToken"].as_str().unwrap(), &keys, &opts(), &Requirement::default()).unwrap();
    // The session ends 8 h after its login, however late the switch (an org switch never extends it).
    assert_eq!(Some(claims.exp), claims.auth_time.map(|t| t + 8 * 3600));
    assert_error(&env.call("POST", "/api/v1/auth/token", Some(&token), Some(json!({"organization": "nope-org"}))).await, 404, "not_found");

    // A non-member cannot log into the org, and is answered like a wrong password (the right
    // one is not told apart), as is an org that does not exist or cannot.
    env.signup("other@acme.com").await;
    for (org, password) in [
        ("acme-corp", "correct horse battery"),
        ("acme-corp", "wrong password!"),
        ("no-such-org", "correct horse battery"),
        ("Not A Slug", "correct horse battery"),
    ] {
        let body = json!({"email": "other@acme.com", "password": password, "organization": org});
        assert_error(&env.call("POST", "/api/v1/auth/login", None, Some(body)).await, 401, "invalid_credentials");
    }
}

async fn login_policy_and_lockout(env: Env) {
    let (user_id, _) = env.signup("ann@acme.com").await;
    let (_, org) = env
        .manage("POST", "/organizations", Some(json!({"name": "Strict", "slug": "strict", "max_login_attempts": 3, "password_min_length": 30})))
        .await;
    let org_id = org["id"].as_str().unwrap();
    env.manage("POST", &format!("/organizations/{org_id}/members"), Some(json!({"user_id": user_id, "role": "member"}))).await;
    let login = |password: &str| json!({"email": "ann@acme.com", "password": password, "organization": "strict"});
    // The stored password is shorter than the org's rule.
    assert_error(&env.call("POST", "/api/v1/auth/login", None, Some(login("correct horse battery"))).await, 403, "password_change_required");
    for _ in 0..2 {
        assert_error(&env.call("POST", "/api/v1/auth/login", None, Some(login("wrong"))).await, 401, "invalid_credentials");
    }
    let third = env.call("POST", "/api/v1/auth/login", None, Some(login("wrong"))).await;
    assert_error(&third, 401, "invalid_credentials");
    // Locked now: even the right password is refused, unchecked.
    let locked = env.call("POST", "/api/v1/auth/login", None, Some(login("correct horse battery"))).await;
    assert_error(&locked, 423, "account_locked");
    // The counter is the account's: outside the org the login is refused too.
    let outside = json!({"email": "ann@acme.com", "password": "correct horse battery"});
    assert_error(&env.call("POST", "/api/v1/auth/login", None, Some(outside)).await, 423, "account_locked");
}

/// Attack 3 of issue 15: orgs an attacker makes with generous limits buy no extra guesses on a
/// victim's account, and the victim's answer never depends on the password.
async fn lockout_is_per_account(env: Env) {
    env.signup("victim@acme.com").await;
    let (_, attacker) = env.signup("eve@evil.com").await;
    for slug in ["lax-1", "lax-2", "lax-3"] {
        let (status, org) =
            env.call("POST", "/api/v1/organizations", Some(&attacker), Some(json!({"name": slug, "slug": slug, "maxLoginAttempts": 100}))).await;
        assert_eq!(status, 201, "{org}");
    }
    // A strict org of the attacker's has no say over a stranger's account either.
    let (status, _) = env
        .call("POST", "/api/v1/organizations", Some(&attacker), Some(json!({"name": "Trap", "slug": "trap", "maxLoginAttempts": 1, "lockoutDurationMinutes": 10080})))
        .await;
    assert_eq!(status, 201);
    let attempt = |org: Option<&str>, password: &str| {
        let mut b = json!({"email": "victim@acme.com", "password": password});
        if let Some(o) = org {
            b["organization"] = json!(o);
        }
        b
    };
    assert_error(&env.call("POST", "/api/v1/auth/login", None, Some(attempt(Some("trap"), "guess-0000"))).await, 401, "invalid_credentials");
    // Five guesses spread over orgs: the tenant's five attempts, one counter.
    for (i, org) in [Some("lax-1"), Some("lax-2"), None, Some("lax-3")].into_iter().enumerate() {
        assert_error(&env.call("POST", "/api/v1/auth/login", None, Some(attempt(org, &format!("guess-{i}000")))).await, 401, "invalid_credentials");
    }
    let (_, lockout) = env.call("POST", "/api/v1/auth/login", None, Some(attempt(Some("lax-1"), "correct horse battery"))).await;
    assert_eq!(lockout["error"]["code"], "account_locked", "{lockout}");
    let until = lockout["error"]["lockedUntil"].as_str().unwrap().to_owned();
    let minutes = (time::OffsetDateTime::parse(&until, &time::format_description::well_known::Rfc3339).unwrap().unix_timestamp()
        - env.state.store.now())
        / 60;
    assert!((13..=15).contains(&minutes), "the tenant's 15 minutes, not the trap's week: {minutes}");
}

/// A token naming a key this server never had makes it reload its keys (another instance may
/// have rotated), but however many such tokens arrive, the reloads are shared and spaced by
/// `FORCED_RELOAD_INTERVAL`; a key rotated in by another process is still found.
async fn forged_key_ids_cost_one_reload_per_interval(env: Env) {
    let (_, token) = env.signup("kid@example.com").await;
    let claims: orgkit_core::token::OrgClaims = serde_json::from_value(crate::mfa::claims(&token)).unwrap();
    let forged_key = |kid: &str| {
        let pem = orgkit_server::keys::generate_pem().unwrap();
        orgkit_core::token::SigningKey::from_spec(&orgkit_core::token::SigningKeySpec { kid: kid.to_owned(), alg: "ES256".into(), pem: Some(pem), secret: None }).unwrap()
    };
    let forged: Vec<String> = (0..40).map(|i| orgkit_core::token::sign_org_claims(&claims, &forged_key(&format!("forged-{i}"))).unwrap()).collect();
    env.call("GET", "/api/v1/me", Some(&token), None).await; // keys loaded
    let (before, started) = (env.state.keys.loads(), std::time::Instant::now());
    let answers = futures_util::future::join_all(forged.iter().map(|t| env.call("GET", "/api/v1/me", Some(t), None))).await;
    for answer in &answers {
        assert_error(answer, 401, "unknown_key");
    }
    let reloads = env.state.keys.loads() - before;
    let intervals = started.elapsed().as_secs_f64() / orgkit_server::keys::FORCED_RELOAD_INTERVAL.as_secs_f64();
    assert!((1..=intervals.ceil() as u64 + 1).contains(&reloads), "{reloads} reloads in {intervals:.1} intervals for 40 requests");

    // Another process rotates: a token signed with the new key verifies here at once.
    let kid = orgkit_server::keys::rotate(&env.state.store).await.unwrap();
    let key = orgkit_server::keys::current_signing_key(&env.state.store).await.unwrap();
    assert_eq!(key.kid(), kid);
    let fresh = orgkit_core::token::sign_org_claims(&claims, &key).unwrap();
    let (status, me) = env.call("GET", "/api/v1/me", Some(&fresh), None).await;
    assert_eq!(status, 200, "{me}");
}
