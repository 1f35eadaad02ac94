//! Seed 000: organizations, branding and auth-settings patches, tenant settings, users.

use crate::both_backends;
use crate::common::{Env, assert_error};
use serde_json::json;

both_backends!(create_get_list_delete, branding_and_auth_settings, tenant_settings_inherit, users_crud, other_tenant_is_not_found);

/// Seed 000's "Create an organization" body, verbatim.
fn cardiology() -> serde_json::Value {
    json!({
        "name": "Cardiology Department",
        "slug": "cardiology",
        "metadata": { "department_code": "CARD-01" }
    })
}

async fn create_get_list_delete(env: Env) {
    let (status, org) = env.manage("POST", "/organizations", Some(cardiology())).await;
    assert_eq!(status, 201, "{org}");
    assert_eq!(org["slug"], "cardiology");
    assert_eq!(org["metadata"]["department_code"], "CARD-01");
    assert_eq!(org["logo_url"], serde_json::Value::Null);
    assert_eq!(org["effective"]["session_ttl_hours"], json!({ "value": 24, "source": "default" }));
    let id = org["id"].as_str().unwrap().to_owned();

    assert_error(&env.manage("POST", "/organizations", Some(cardiology())).await, 409, "slug_taken");

    let (status, got) = env.manage("GET", &format!("/organizations/{id}"), None).await;
    assert_eq!((status, &got["name"]), (200, &json!("Cardiology Department")));

    for slug in ["oncology", "radiology"] {
        let (s, _) = env.manage("POST", "/organizations", Some(json!({ "name": slug, "slug": slug }))).await;
        assert_eq!(s, 201);
    }
    let (status, page1) = env.manage("GET", "/organizations?limit=2", None).await;
    assert_eq!(status, 200);
    assert_eq!(page1["data"].as_array().unwrap().len(), 2);
    let cursor = page1["next_cursor"].as_str().unwrap().to_owned();
    let (_, page2) = env.manage("GET", &format!("/organizations?limit=2&cursor={cursor}"), None).await;
    assert_eq!(page2["data"].as_array().unwrap().len(), 1);
    assert_eq!(page2["next_cursor"], serde_json::Value::Null);
    assert_ne!(page1["data"][0]["id"], page2["data"][0]["id"]);

    let (status, _) = env.manage("DELETE", &format!("/organizations/{id}"), None).await;
    assert_eq!(status, 204);
    assert_error(&env.manage("GET", &format!("/organizations/{id}"), None).await, 404, "not_found");
}

async fn branding_and_auth_settings(env: Env) {
    let (_, org) = env.manage("POST", "/organizations", Some(cardiology())).await;
    let path = format!("/organizations/{}", org["id"].as_str().unwrap());

    // Seed 000's branding body: "https://..." is a placeholder, refused with a code, nothing changes.
    let seed_branding = json!({
        "logo_url": "https://...",
        "primary_color": "#0066cc",
        "welcome_text": "Cardiology Portal",
        "custom_domain": "auth.cardiology.hospital.com"
    });
    assert_error(&env.manage("PATCH", &path, Some(seed_branding)).await, 422, "invalid_setting");
    let (_, unchanged) = env.manage("GET", &path, None).await;
    assert_eq!(unchanged["primary_color"], serde_json::Value::Null);

    // The same with a real logo URL.
    let branding = json!({
        "logo_url": "https://cdn.hospital.com/cardiology.png",
        "primary_color": "#0066cc",
        "welcome_text": "Cardiology Portal",
        "custom_domain": "auth.cardiology.hospital.com"
    });
    let (status, patched) = env.manage("PATCH", &path, Some(branding)).await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["primary_color"], "#0066cc");
    assert_eq!(patched["effective"]["primary_color"], json!({ "value": "#0066cc", "source": "org" }));
    assert_eq!(patched["effective"]["custom_domain"]["value"], "auth.cardiology.hospital.com");

    // Seed 000's auth-settings body: "saml-conn-uuid" names no connection of the org.
    let seed_auth = json!({
        "password_min_length": 12,
        "require_mfa": true,
        "session_ttl_hours": 8,
        "max_login_attempts": 3,
        "lockout_duration_minutes": 30,
        "default_connection_id": "saml-conn-uuid"
    });
    let refused = env.manage("PATCH", &path, Some(seed_auth.clone())).await;
    assert_error(&refused, 422, "invalid_setting");
    assert_eq!(refused.1["error"]["field"], "default_connection_id");
    let mut auth = seed_auth;
    auth.as_object_mut().unwrap().remove("default_connection_id");
    let (status, patched) = env.manage("PATCH", &path, Some(auth)).await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["session_ttl_hours"], 8);
    assert_eq!(patched["effective"]["require_mfa"], json!({ "value": true, "source": "org" }));

    // null clears the override: inherited again.
    let (_, cleared) = env.manage("PATCH", &path, Some(json!({ "session_ttl_hours": null }))).await;
    assert_eq!(cleared["session_ttl_hours"], serde_json::Value::Null);
    assert_eq!(cleared["effective"]["session_ttl_hours"], json!({ "value": 24, "source": "default" }));

    // Bad input: coded 4xx, nothing changed.
    assert_error(&env.manage("PATCH", &path, Some(json!({ "primary_color": "blue" }))).await, 422, "invalid_setting");
    assert_error(&env.manage("PATCH", &path, Some(json!({ "colour": "#000000" }))).await, 400, "unknown_field");
    assert_error(&env.manage("PATCH", &path, Some(json!({ "slug": "Not A Slug" }))).await, 422, "invalid_slug");
    let (_, after) = env.manage("GET", &path, None).await;
    assert_eq!(after["primary_color"], "#0066cc");

    // A second org cannot take the custom domain.
    let (_, other) = env.manage("POST", "/organizations", Some(json!({ "name": "Oncology", "slug": "oncology" }))).await;
    let other_path = format!("/organizations/{}", other["id"].as_str().unwrap());
    assert_error(
        &env.manage("PATCH", &other_path, Some(json!({ "custom_domain": "auth.cardiology.hospital.com" }))).await,
        409,
        "custom_domain_taken",
    );
    assert_error(&env.manage("PATCH", &other_path, Some(json!({ "slug": "cardiology" }))).await, 409, "slug_taken");
}

async fn tenant_settings_inherit(env: Env) {
    let (status, settings) = env.manage("GET", "/settings", None).await;
    assert_eq!(status, 200, "{settings}");
    assert_eq!(settings["primary_color"], serde_json::Value::Null);
    assert_eq!(settings["effective"]["primary_color"]["source"], "default");

    let (status, settings) =
        env.manage("PATCH", "/settings", Some(json!({ "primary_color": "#112233", "floors": { "password_min_length": 10 } }))).await;
    assert_eq!(status, 200, "{settings}");
    assert_eq!(settings["floors"]["password_min_length"], 10);

    let (_, org) = env.manage("POST", "/organizations", Some(cardiology())).await;
    assert_eq!(org["effective"]["primary_color"], json!({ "value": "#112233", "source": "tenant" }));
    assert_eq!(org["effective"]["password_min_length"], json!({ "value": 10, "source": "tenant_floor" }));
    let path = format!("/organizations/{}", org["id"].as_str().unwrap());
    assert_error(&env.manage("PATCH", &path, Some(json!({ "password_min_length": 8 }))).await, 422, "below_tenant_floor");

    // The tenant's allowed redirect URLs: the operator's alone, validated, normalised.
    assert_eq!(settings["allowed_redirect_urls"], json!([]));
    let urls = json!({ "allowed_redirect_urls": ["https://App.Hospital.com/callback", "http://localhost:3000/cb"] });
    let (status, settings) = env.manage("PATCH", "/settings", Some(urls)).await;
    assert_eq!(status, 200, "{settings}");
    assert_eq!(settings["allowed_redirect_urls"], json!(["https://app.hospital.com/callback", "http://localhost:3000/cb"]));
    assert_eq!(settings["floors"]["password_min_length"], 10, "other settings stay");
    for bad in [json!(["http://app.hospital.com/cb"]), json!(["/callback"]), json!(["https://app.hospital.com/#x"]), json!("https://a.com/")] {
        assert_error(&env.manage("PATCH", "/settings", Some(json!({ "allowed_redirect_urls": bad }))).await, 422, "invalid_setting");
    }
    assert_eq!(env.manage("GET", "/settings", None).await.1["allowed_redirect_urls"].as_array().unwrap().len(), 2, "refusals change nothing");
    // An org cannot name one.
    assert_error(&env.manage("PATCH", &path, Some(json!({ "allowed_redirect_urls": ["https://evil.example/"] }))).await, 400, "unknown_field");
    let (status, cleared) = env.manage("PATCH", "/settings", Some(json!({ "allowed_redirect_urls": null }))).await;
    assert_eq!((status, &cleared["allowed_redirect_urls"]), (200, &json!([])));
}

async fn users_crud(env: Env) {
    let (status, user) = env.manage("POST", "/users", Some(json!({ "email": "Bob@Hospital.com", "name": "Bob" }))).await;
    assert_eq!(status, 201, "{user}");
    assert_eq!(user["email"], "bob@hospital.com");
    let id = user["id"].as_str().unwrap().to_owned();
    assert_error(&env.manage("POST", "/users", Some(json!({ "email": "bob@hospital.com" }))).await, 409, "email_taken");
    assert_error(&env.manage("POST", "/users", Some(json!({ "email": "not-an-email" }))).await, 422, "invalid_email");
    assert_error(
        &env.manage("POST", "/users", Some(json!({ "email": "eve@hospital.com", "password": "short" }))).await,
        422,
        "weak_password",
    );
    let (status, got) = env.manage("GET", &format!("/users/{id}"), None).await;
    assert_eq!((status, &got["name"]), (200, &json!("Bob")));
    let (_, list) = env.manage("GET", "/users", None).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    assert_error(&env.manage("GET", "/users/not-a-uuid", None).await, 404, "not_found");
    let (status, _) = env.manage("DELETE", &format!("/users/{id}"), None).await;
    assert_eq!(status, 204);
    assert_error(&env.manage("GET", &format!("/users/{id}"), None).await, 404, "not_found");
}

async fn other_tenant_is_not_found(env: Env) {
    let (_, org) = env.manage("POST", "/organizations", Some(cardiology())).await;
    let id = org["id"].as_str().unwrap();
    let acme_key = orgkit_server::service::tenants::create(&env.state.store, "acme", Some("Acme")).await.unwrap();
    // Acme's key on acme's URL: the default tenant's org does not exist there.
    let resp = env.call("GET", &format!("/manage/v1/acme/organizations/{id}"), Some(&acme_key), None).await;
    assert_error(&resp, 404, "not_found");
    // Acme's key on the default tenant's URL: not found either.
    let resp = env.call("GET", &format!("/manage/v1/default/organizations/{id}"), Some(&acme_key), None).await;
    assert_error(&resp, 404, "not_found");
    // No key, a wrong key.
    assert_error(&env.call("GET", "/manage/v1/default/organizations", None, None).await, 401, "unauthenticated");
    assert_error(&env.call("GET", "/manage/v1/default/organizations", Some("nope"), None).await, 401, "unauthenticated");
    // Seed 000's literal POST /manage/v1/acme/organizations works for tenant acme with its key.
    let (status, created) = env
        .call("POST", "/manage/v1/acme/organizations", Some(&acme_key), Some(cardiology()))
        .await;
    assert_eq!(status, 201, "{created}");
}
