//! Verified domains through both APIs: claims and their challenge, pagination, the operator's
//! verified claims, `domain_taken`, strangers, a lookup that fails (a coded 4xx, never a 5xx),
//! and what an unverified claim is worth (custom domains). DNS-proven verification runs end to
//! end in server/e2e/test_hostile_owner.py against a real DNS server.

use crate::both_backends;
use crate::common::{Env, assert_error};
use serde_json::{Value, json};

both_backends!(claims_challenges_and_pages, operator_claims_and_taken_domains, custom_domains_need_a_verified_domain);

async fn org_of(env: &Env, email: &str, slug: &str) -> (String, String) {
    let (_, token) = env.signup(email).await;
    let (status, org) = env.call("POST", "/api/v1/organizations", Some(&token), Some(json!({"name": slug, "slug": slug}))).await;
    assert_eq!(status, 201, "{org}");
    (org["data"]["id"].as_str().unwrap().to_owned(), token)
}

async fn claims_challenges_and_pages(env: Env) {
    let (org, owner) = org_of(&env, "owner@acme.example", "acme").await;
    let path = format!("/api/v1/organizations/{org}/domains");
    let (status, created) = env.call("POST", &path, Some(&owner), Some(json!({"domain": "Acme.Example."}))).await;
    assert_eq!(status, 201, "{created}");
    let d = &created["data"];
    assert_eq!((d["domain"].as_str(), d["status"].as_str()), (Some("acme.example"), Some("pending")));
    assert_eq!(d["verification"]["type"], "dns_txt");
    assert_eq!(d["verification"]["name"], "_orgkit-challenge.acme.example");
    let value = d["verification"]["value"].as_str().unwrap();
    assert!(value.starts_with("orgkit-domain-verification=") && value.len() > 60, "{value}");
    assert!(d["createdAt"].is_string());

    // Refusals: junk, a public suffix, a free-mail provider, the same domain twice, an unknown field.
    for (body, status, code) in [
        (json!({"domain": "not a domain"}), 400, "invalid_request"),
        (json!({"domain": "co.uk"}), 422, "domain_not_allowed"),
        (json!({"domain": "gmail.com"}), 422, "domain_not_allowed"),
        (json!({"domain": "acme.example"}), 409, "domain_taken"),
        (json!({"domain": "x.example", "verified": true}), 400, "unknown_field"),
    ] {
        assert_error(&env.call("POST", &path, Some(&owner), Some(body)).await, status, code);
    }

    // Pages like every list; each pending claim carries its verification.
    for sub in ["a", "b"] {
        assert_eq!(env.call("POST", &path, Some(&owner), Some(json!({"domain": format!("{sub}.acme.example")}))).await.0, 201);
    }
    let (status, first) = env.call("GET", &format!("{path}?limit=2"), Some(&owner), None).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["data"].as_array().unwrap().len(), 2);
    let cursor = first["nextCursor"].as_str().unwrap();
    let (_, second) = env.call("GET", &format!("{path}?limit=2&cursor={cursor}"), Some(&owner), None).await;
    assert_eq!(second["data"].as_array().unwrap().len(), 1);
    assert!(second["nextCursor"].is_null());
    assert!(first["data"].as_array().unwrap().iter().all(|d| d["verification"]["value"].is_string()));

    // A lookup that fails is a coded 4xx that changes nothing.
    let id = d["id"].as_str().unwrap();
    let resp = env.call("POST", &format!("{path}/{id}/verify"), Some(&owner), None).await;
    assert_error(&resp, 422, "domain_not_verified");
    assert!(resp.1["error"]["message"].as_str().unwrap().contains("_orgkit-challenge.acme.example"), "{}", resp.1);
    let (_, list) = env.call("GET", &path, Some(&owner), None).await;
    assert!(list["data"].as_array().unwrap().iter().all(|d| d["status"] == "pending"));

    // Strangers see nothing; an admin reads but does not manage; a bad id is not found.
    let (_, stranger) = env.signup("stranger@else.example").await;
    assert_error(&env.call("GET", &path, Some(&stranger), None).await, 404, "not_found");
    assert_error(&env.call("POST", &format!("{path}/{id}/verify"), Some(&stranger), None).await, 404, "not_found");
    assert_error(&env.call("POST", &format!("{path}/not-an-id/verify"), Some(&owner), None).await, 404, "not_found");
    let (admin_id, admin) = env.signup("admin@acme.example").await;
    assert_eq!(env.manage("POST", &format!("/organizations/{org}/members"), Some(json!({"user_id": admin_id, "role": "admin"}))).await.0, 201);
    assert_eq!(env.call("GET", &path, Some(&admin), None).await.0, 200);
    assert_error(&env.call("DELETE", &format!("{path}/{id}"), Some(&admin), None).await, 403, "insufficient_role");

    let (status, deleted) = env.call("DELETE", &format!("{path}/{id}"), Some(&owner), None).await;
    assert_eq!((status, deleted), (200, json!({"success": true, "data": null})));
    assert_error(&env.call("DELETE", &format!("{path}/{id}"), Some(&owner), None).await, 404, "not_found");
}

async fn operator_claims_and_taken_domains(env: Env) {
    let (first, _) = org_of(&env, "owner@one.example", "one").await;
    let (second, owner2) = org_of(&env, "owner@two.example", "two").await;
    let (status, claim) = env.manage("POST", &format!("/organizations/{first}/domains"), Some(json!({"domain": "shared.example", "verified": true}))).await;
    assert_eq!(status, 201, "{claim}");
    assert_eq!((claim["status"].as_str(), claim["verified_by"].as_str()), (Some("verified"), Some("operator")));
    assert!(claim.get("verification").is_none(), "{claim}");
    // The operator's verified claim needs no record: a re-check keeps it (no lookup is made).
    let id = claim["id"].as_str().unwrap();
    let (status, again) = env.manage("POST", &format!("/organizations/{first}/domains/{id}/verify"), None).await;
    assert_eq!((status, again["status"].as_str()), (200, Some("verified")), "{again}");
    // Another org of the tenant can neither claim it nor be given it verified.
    let user_path = format!("/api/v1/organizations/{second}/domains");
    assert_error(&env.call("POST", &user_path, Some(&owner2), Some(json!({"domain": "shared.example"}))).await, 409, "domain_taken");
    let resp = env.manage("POST", &format!("/organizations/{second}/domains"), Some(json!({"domain": "shared.example", "verified": true}))).await;
    assert_error(&resp, 409, "domain_taken");
    let (_, list) = env.manage("GET", &format!("/organizations/{first}/domains"), None).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    assert!(list.get("next_cursor").is_some());
    // Deleted, it is free again.
    assert_eq!(env.manage("DELETE", &format!("/organizations/{first}/domains/{id}"), None).await.0, 204);
    assert_eq!(env.call("POST", &user_path, Some(&owner2), Some(json!({"domain": "shared.example"}))).await.0, 201);
}

async fn custom_domains_need_a_verified_domain(env: Env) {
    let (org, owner) = org_of(&env, "owner@acme.example", "acme").await;
    let path = format!("/api/v1/organizations/{org}");
    // The public URL's host (orgkit.test) and names above it are reserved; anything else must be
    // under a verified domain of the org.
    for (host, code) in [("orgkit.test", "domain_reserved"), ("login.acme.example", "domain_not_verified")] {
        let resp = env.call("PUT", &path, Some(&owner), Some(json!({"customDomain": host}))).await;
        assert_error(&resp, 422, code);
        assert_eq!(resp.1["error"]["field"], "custom_domain");
    }
    assert_error(&env.call("POST", "/api/v1/organizations", Some(&owner), Some(json!({"name": "B", "slug": "b-org", "customDomain": "b.acme.example"}))).await, 422, "domain_not_verified");
    let (status, _) = env.manage("POST", &format!("/organizations/{org}/domains"), Some(json!({"domain": "acme.example", "verified": true}))).await;
    assert_eq!(status, 201);
    let (status, updated): (u16, Value) = env.call("PUT", &path, Some(&owner), Some(json!({"customDomain": "login.acme.example"}))).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["data"]["settings"]["customDomain"], "login.acme.example");
    // The operator's custom domain is trusted as set, even the public host.
    let (status, _) = env.manage("PATCH", &format!("/organizations/{org}"), Some(json!({"custom_domain": "orgkit.test"}))).await;
    assert_eq!(status, 200);
}
