//! Seed 004: organizations and members through the user API, with roles.

use crate::both_backends;
use crate::common::{Env, assert_error};
use serde_json::json;

both_backends!(org_crud_as_owner, roles_and_non_members);

async fn org_crud_as_owner(env: Env) {
    let (_, token) = env.signup("owner@acme.com").await;
    let t = Some(token.as_str());
    // Seed 004's curl body verbatim.
    let (status, created) = env.call("POST", "/api/v1/organizations", t, Some(json!({"name": "Acme Corp", "slug": "acme-corp"}))).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["success"], true);
    let org = &created["data"];
    assert_eq!((org["name"].as_str(), org["slug"].as_str(), org["role"].as_str()), (Some("Acme Corp"), Some("acme-corp"), Some("owner")));
    assert!(org["createdAt"].as_str().unwrap().starts_with("20"));
    let id = org["id"].as_str().unwrap().to_owned();

    let (status, list) = env.call("GET", "/api/v1/organizations", t, None).await;
    assert_eq!(status, 200);
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    assert_eq!(list["data"][0]["id"], id.as_str());

    let (status, got) = env.call("GET", &format!("/api/v1/organizations/{id}"), t, None).await;
    assert_eq!((status, got["data"]["slug"].as_str()), (200, Some("acme-corp")));

    let (status, updated) = env
        .call("PUT", &format!("/api/v1/organizations/{id}"), t, Some(json!({"name": "Acme Corporation", "primaryColor": "#123456"})))
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["data"]["name"], "Acme Corporation");
    assert_eq!(updated["data"]["effectiveSettings"]["primaryColor"]["value"], "#123456");

    let (status, members) = env.call("GET", &format!("/api/v1/organizations/{id}/members"), t, None).await;
    assert_eq!(status, 200);
    assert_eq!(members["data"][0]["role"], "owner");

    let (status, deleted) = env.call("DELETE", &format!("/api/v1/organizations/{id}"), t, None).await;
    assert_eq!((status, &deleted["success"]), (200, &json!(true)));
    assert_error(&env.call("GET", &format!("/api/v1/organizations/{id}"), t, None).await, 404, "not_found");
}

async fn roles_and_non_members(env: Env) {
    let (_, owner) = env.signup("owner@acme.com").await;
    let (_, created) = env.call("POST", "/api/v1/organizations", Some(&owner), Some(json!({"name": "Acme Corp", "slug": "acme-corp"}))).await;
    let id = created["data"]["id"].as_str().unwrap().to_owned();
    let org = format!("/api/v1/organizations/{id}");

    let (viewer_id, viewer) = env.signup("viewer@acme.com").await;
    let (admin_id, admin) = env.signup("admin@acme.com").await;
    let (_, outsider) = env.signup("outsider@acme.com").await;
    env.manage("POST", &format!("/organizations/{id}/members"), Some(json!({"user_id": viewer_id, "role": "viewer"}))).await;
    env.manage("POST", &format!("/organizations/{id}/members"), Some(json!({"user_id": admin_id, "role": "admin"}))).await;

    // A non-member: 404 everywhere, the org does not exist for them.
    assert_error(&env.call("GET", &org, Some(&outsider), None).await, 404, "not_found");
    assert_error(&env.call("GET", &format!("{org}/members"), Some(&outsider), None).await, 404, "not_found");
    assert_error(&env.call("PUT", &org, Some(&outsider), Some(json!({"name": "x y"}))).await, 404, "not_found");
    assert_error(&env.call("DELETE", &org, Some(&outsider), None).await, 404, "not_found");
    // A viewer reads but cannot update; an admin cannot delete.
    assert_eq!(env.call("GET", &org, Some(&viewer), None).await.0, 200);
    assert_error(&env.call("PUT", &org, Some(&viewer), Some(json!({"name": "Viewer Co"}))).await, 403, "insufficient_role");
    assert_error(&env.call("PUT", &format!("{org}/members/{admin_id}"), Some(&viewer), Some(json!({"role": "viewer"}))).await, 403, "insufficient_role");
    assert_eq!(env.call("PUT", &org, Some(&admin), Some(json!({"name": "Admin Co"}))).await.0, 200);
    assert_error(&env.call("DELETE", &org, Some(&admin), None).await, 403, "insufficient_role");

    // Seed 004's role body verbatim: an admin may not raise a viewer to admin above... but may set member.
    let (status, m) = env.call("PUT", &format!("{org}/members/{viewer_id}"), Some(&owner), Some(json!({ "role": "admin" }))).await;
    assert_eq!((status, m["data"]["role"].as_str()), (200, Some("admin")), "{m}");
    // An admin cannot touch another admin, nor grant owner.
    assert_error(&env.call("PUT", &format!("{org}/members/{viewer_id}"), Some(&admin), Some(json!({ "role": "member" }))).await, 403, "insufficient_role");
    // The sole owner cannot step down or leave.
    let owner_id = env.call("GET", "/api/v1/me", Some(&owner), None).await.1["data"]["id"].as_str().unwrap().to_owned();
    assert_error(&env.call("PUT", &format!("{org}/members/{owner_id}"), Some(&owner), Some(json!({ "role": "admin" }))).await, 409, "last_owner");
    assert_error(&env.call("DELETE", &format!("{org}/members/{owner_id}"), Some(&owner), None).await, 409, "last_owner");
    // No token, garbage token.
    assert_error(&env.call("GET", &org, None, None).await, 401, "unauthenticated");
    assert_error(&env.call("GET", &org, Some("not.a.jwt"), None).await, 401, "invalid_token");
    // A member may leave.
    let (status, _) = env.call("DELETE", &format!("{org}/members/{admin_id}"), Some(&admin), None).await;
    assert_eq!(status, 200);
    assert_error(&env.call("GET", &org, Some(&admin), None).await, 404, "not_found");
}
