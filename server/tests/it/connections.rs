//! Tenant SSO connections, per-org connections (seed 000), default_connection_id, audit log.

use crate::both_backends;
use crate::common::{Env, assert_error};
use base64::Engine;
use serde_json::json;

both_backends!(connections_and_default, audit_log_records_changes);

fn certificate() -> String {
    let mut der = vec![0x30u8, 0x82, 0x01, 0x00];
    der.extend(std::iter::repeat_n(0x42u8, 256));
    format!("-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----", base64::engine::general_purpose::STANDARD.encode(der))
}

async fn connections_and_default(env: Env) {
    let (_, org) = env.manage("POST", "/organizations", Some(json!({"name": "Cardiology Department", "slug": "cardiology"}))).await;
    let org_path = format!("/organizations/{}", org["id"].as_str().unwrap());
    // Seed 004's SSO body shape with its placeholder certificate: refused with a code.
    let placeholder = json!({
        "name": "Hospital IdP",
        "entity_id": "https://idp.example.com/saml",
        "sso_url": "https://idp.example.com/saml/sso",
        "certificate": "-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----",
        "email_domains": ["company.com"]
    });
    assert_error(&env.manage("POST", "/connections", Some(placeholder)).await, 400, "invalid_request");
    let (status, conn) = env
        .manage("POST", "/connections", Some(json!({
            "name": "Hospital IdP",
            "entity_id": "https://idp.example.com/saml",
            "sso_url": "https://idp.example.com/saml/sso",
            "certificate": certificate(),
            "email_domains": ["Hospital.com"]
        })))
        .await;
    assert_eq!(status, 201, "{conn}");
    assert_eq!(conn["email_domains"], json!(["hospital.com"]));
    let conn_id = conn["id"].as_str().unwrap().to_owned();
    let (_, list) = env.manage("GET", "/connections", None).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);

    // Seed 000's per-org body verbatim: the placeholder id names no connection.
    assert_error(&env.manage("POST", &format!("{org_path}/connections"), Some(json!({ "connection_id": "saml-conn-uuid" }))).await, 404, "not_found");
    let (status, _) = env.manage("POST", &format!("{org_path}/connections"), Some(json!({ "connection_id": conn_id }))).await;
    assert_eq!(status, 201);
    let (_, org_list) = env.manage("GET", &format!("{org_path}/connections"), None).await;
    assert_eq!(org_list["data"][0]["id"], conn_id.as_str());

    // Now the org may name it as default; while it does, the connection cannot go.
    let (status, patched) = env.manage("PATCH", &org_path, Some(json!({ "default_connection_id": conn_id }))).await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["effective"]["default_connection_id"]["value"], conn_id.as_str());
    assert_error(&env.manage("DELETE", &format!("{org_path}/connections/{conn_id}"), None).await, 422, "invalid_setting");
    assert_error(&env.manage("DELETE", &format!("/connections/{conn_id}"), None).await, 422, "invalid_setting");
    env.manage("PATCH", &org_path, Some(json!({ "default_connection_id": null }))).await;
    assert_eq!(env.manage("DELETE", &format!("{org_path}/connections/{conn_id}"), None).await.0, 204);
    assert_error(&env.manage("DELETE", &format!("{org_path}/connections/{conn_id}"), None).await, 404, "not_found");
    assert_eq!(env.manage("DELETE", &format!("/connections/{conn_id}"), None).await.0, 204);
    assert_error(&env.manage("GET", &format!("/connections/{conn_id}"), None).await, 404, "not_found");
}

async fn audit_log_records_changes(env: Env) {
    let (_, org) = env.manage("POST", "/organizations", Some(json!({"name": "Cardiology Department", "slug": "cardiology"}))).await;
    let id = org["id"].as_str().unwrap();
    env.manage("PATCH", &format!("/organizations/{id}"), Some(json!({"welcome_text": "Hello"}))).await;
    env.manage("POST", &format!("/organizations/{id}/invitations"), Some(json!({"email": "bob@hospital.com", "role": "member"}))).await;
    let (status, log) = env.manage("GET", &format!("/organizations/{id}/audit-log"), None).await;
    assert_eq!(status, 200, "{log}");
    let actions: Vec<&str> = log["data"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["organization.created", "organization.updated", "invitation.created"]);
    assert_eq!(log["data"][0]["actor"], "management_key");
}
