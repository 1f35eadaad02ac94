//! Seed 000 members and the last-owner rule, which binds the management key too.

use crate::both_backends;
use crate::common::{Env, assert_error};
use serde_json::json;

both_backends!(manage_members, last_owner_binds_management_key, concurrent_owner_demotions_keep_an_owner);

async fn new_org(env: &Env) -> String {
    let (_, org) = env.manage("POST", "/organizations", Some(json!({ "name": "Cardiology Department", "slug": "cardiology" }))).await;
    org["id"].as_str().unwrap().to_owned()
}

async fn new_user(env: &Env, email: &str) -> String {
    let (status, user) = env.manage("POST", "/users", Some(json!({ "email": email }))).await;
    assert_eq!(status, 201, "{user}");
    user["id"].as_str().unwrap().to_owned()
}

async fn manage_members(env: Env) {
    let org = new_org(&env).await;
    let members = format!("/organizations/{org}/members");
    // Seed 000's body verbatim: "user-uuid" is a placeholder, refused with a code.
    assert_error(&env.manage("POST", &members, Some(json!({ "user_id": "user-uuid", "role": "admin" }))).await, 400, "invalid_request");
    let user = new_user(&env, "alice@hospital.com").await;
    let (status, m) = env.manage("POST", &members, Some(json!({ "user_id": user, "role": "admin" }))).await;
    assert_eq!(status, 201, "{m}");
    assert_eq!((m["user_id"].as_str(), m["role"].as_str()), (Some(user.as_str()), Some("admin")));
    assert_error(&env.manage("POST", &members, Some(json!({ "user_id": user, "role": "admin" }))).await, 409, "already_member");
    assert_error(&env.manage("POST", &members, Some(json!({ "user_id": user, "role": "root" }))).await, 422, "invalid_role");
    let stranger = uuid::Uuid::now_v7().to_string();
    assert_error(&env.manage("POST", &members, Some(json!({ "user_id": stranger, "role": "member" }))).await, 404, "not_found");

    let (status, list) = env.manage("GET", &members, None).await;
    assert_eq!(status, 200);
    assert_eq!(list["data"][0]["email"], "alice@hospital.com");

    // Seed 000's "Update role" body verbatim.
    let (status, m) = env.manage("PATCH", &format!("{members}/{user}"), Some(json!({ "role": "member" }))).await;
    assert_eq!((status, m["role"].as_str()), (200, Some("member")));

    let (status, _) = env.manage("DELETE", &format!("{members}/{user}"), None).await;
    assert_eq!(status, 204);
    assert_error(&env.manage("DELETE", &format!("{members}/{user}"), None).await, 404, "not_found");
}

async fn last_owner_binds_management_key(env: Env) {
    let org = new_org(&env).await;
    let members = format!("/organizations/{org}/members");
    let owner = new_user(&env, "owner@hospital.com").await;
    env.manage("POST", &members, Some(json!({ "user_id": owner, "role": "owner" }))).await;
    assert_error(&env.manage("PATCH", &format!("{members}/{owner}"), Some(json!({ "role": "admin" }))).await, 409, "last_owner");
    assert_error(&env.manage("DELETE", &format!("{members}/{owner}"), None).await, 409, "last_owner");
    assert_error(&env.manage("DELETE", &format!("/users/{owner}"), None).await, 409, "last_owner");
    let (_, list) = env.manage("GET", &members, None).await;
    assert_eq!(list["data"][0]["role"], "owner");
    // With a second owner the first may go.
    let second = new_user(&env, "second@hospital.com").await;
    env.manage("POST", &members, Some(json!({ "user_id": second, "role": "owner" }))).await;
    let (status, _) = env.manage("DELETE", &format!("{members}/{owner}"), None).await;
    assert_eq!(status, 204);
}

async fn concurrent_owner_demotions_keep_an_owner(env: Env) {
    let org = new_org(&env).await;
    let members = format!("/organizations/{org}/members");
    let mut owners = Vec::new();
    for i in 0..6 {
        let id = new_user(&env, &format!("owner{i}@hospital.com")).await;
        env.manage("POST", &members, Some(json!({ "user_id": id, "role": "owner" }))).await;
        owners.push(id);
    }
    let env = std::sync::Arc::new(env);
    let mut tasks = Vec::new();
    for (i, id) in owners.iter().enumerate() {
        let env = env.clone();
        let path = format!("{members}/{id}");
        tasks.push(tokio::spawn(async move {
            if i % 2 == 0 {
                env.manage("DELETE", &path, None).await.0
            } else {
                env.manage("PATCH", &path, Some(json!({ "role": "member" }))).await.0
            }
        }));
    }
    let mut refused = 0;
    for t in tasks {
        let status = t.await.unwrap();
        assert!(matches!(status, 200 | 204 | 409), "status {status}");
        refused += usize::from(status == 409);
    }
    assert_eq!(refused, 1, "exactly the last owner's change is refused");
    let (_, list) = env.manage("GET", &members, None).await;
    let remaining_owners = list["data"].as_array().unwrap().iter().filter(|m| m["role"] == "owner").count();
    assert_eq!(remaining_owners, 1);
}
