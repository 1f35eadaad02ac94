//! Bad input, limits and the operational endpoints.

use crate::both_backends;
use crate::common::{Env, assert_error};
use serde_json::json;

both_backends!(bad_input_is_coded, operational_endpoints);

async fn bad_input_is_coded(env: Env) {
    let auth = format!("Bearer {}", env.mgmt);
    // Malformed JSON.
    let resp = env
        .cli
        .post("/manage/v1/default/organizations")
        .header("authorization", &auth)
        .content_type("application/json")
        .body("{not json")
        .send()
        .await;
    resp.assert_status(poem::http::StatusCode::BAD_REQUEST);
    let body: serde_json::Value = serde_json::from_str(&resp.0.into_body().into_string().await.unwrap()).unwrap();
    assert_eq!(body["error"]["code"], "invalid_request");
    // Unknown field; over-long name.
    assert_error(&env.manage("POST", "/organizations", Some(json!({"name": "A", "slug": "ab", "extra": 1}))).await, 400, "unknown_field");
    assert_error(&env.manage("POST", "/organizations", Some(json!({"name": "x".repeat(500), "slug": "ab"}))).await, 422, "invalid_organization");
    // Body over the limit.
    let big = json!({ "name": "Big", "slug": "big", "metadata": { "k": "v".repeat(200_000) } });
    assert_error(&env.manage("POST", "/organizations", Some(big)).await, 413, "payload_too_large");
    // Paging limits from core.
    assert_error(&env.manage("GET", "/organizations?limit=100000", None).await, 400, "input_too_large");
    assert_error(&env.manage("GET", "/organizations?cursor=!!!", None).await, 400, "invalid_request");
    // Bytes PostgreSQL refuses in text (NUL) never reach SQL: coded 4xx, not a 500.
    assert_error(&env.manage("GET", "/organizations?cursor=AA", None).await, 400, "invalid_request");
    let nul_login = json!({"tenant": "a\u{0}b", "email": "a@b.com", "password": "whatever password"});
    assert_error(&env.call("POST", "/api/v1/auth/login", None, Some(nul_login)).await, 404, "not_found");
    // An org key that cannot name an org is answered like any org the login cannot enter.
    let nul_org = json!({"email": "a@b.com", "password": "whatever password", "organization": "x\u{0}"});
    assert_error(&env.call("POST", "/api/v1/auth/login", None, Some(nul_org)).await, 401, "invalid_credentials");
    let (_, org) = env.manage("POST", "/organizations", Some(json!({"name": "Tmp", "slug": "tmp"}))).await;
    let members = format!("/organizations/{}/members", org["id"].as_str().unwrap());
    assert_error(&env.manage("PATCH", &format!("{members}/%00"), Some(json!({"role": "member"}))).await, 404, "not_found");
    assert_error(&env.manage("DELETE", &format!("{members}/%00"), None).await, 404, "not_found");
    assert_error(&env.manage("POST", &format!("/organizations/{}/connections", org["id"].as_str().unwrap()), Some(json!({"connection_id": "a\u{0}"}))).await, 404, "not_found");
    assert_error(&env.manage("POST", "/users", Some(json!({"email": "a\u{0}@b.com"}))).await, 422, "invalid_email");
    env.manage("DELETE", &format!("/organizations/{}", org["id"].as_str().unwrap()), None).await;
    // Nothing was created.
    let (_, list) = env.manage("GET", "/organizations", None).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 0);
    // Unknown route.
    assert_error(&env.call("GET", "/nope", None, None).await, 404, "not_found");
}

async fn operational_endpoints(env: Env) {
    assert_eq!(env.call("GET", "/healthz", None, None).await.0, 200);
    assert_eq!(env.call("GET", "/readyz", None, None).await, (200, json!({"status": "ready"})));
    let (status, spec) = env.call("GET", "/openapi.json", None, None).await;
    assert_eq!(status, 200);
    assert!(spec["paths"]["/manage/v1/{tenant}/organizations"].is_object(), "{}", spec["paths"]);
    assert!(spec["paths"]["/api/v1/organizations/invitations/{token}/accept"].is_object());
    // Errors are documented with their body schema.
    let responses = &spec["paths"]["/manage/v1/{tenant}/organizations"]["post"]["responses"];
    assert!(responses["201"].is_object() && responses["409"].is_object(), "{responses}");
    assert!(spec["components"]["schemas"]["ErrorBody"].is_object());
    // Request bodies are documented by their schema types.
    let login = &spec["paths"]["/api/v1/auth/login"]["post"]["requestBody"]["content"]["application/json"]["schema"];
    assert_eq!(login["$ref"], "#/components/schemas/Login", "{login}");
    assert!(spec["components"]["schemas"]["OrganizationFields"]["properties"]["primary_color"].is_object());
    // Every answer with a body is documented by a schema: its view, or the error body.
    let mut checked = 0;
    for (path, operations) in spec["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            for (status, response) in operation["responses"].as_object().unwrap() {
                if ["204", "302", "303"].contains(&status.as_str()) {
                    continue;
                }
                let content = response["content"].as_object().unwrap_or_else(|| panic!("{method} {path} {status}: no content"));
                for (media, body) in content {
                    let schema = &body["schema"];
                    assert!(schema.get("$ref").is_some() || schema.get("type").is_some(), "{method} {path} {status} {media}: {schema}");
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 300, "{checked}");
    // A list of the user API: the page envelope around the org view, settings and their sources.
    let list = &spec["paths"]["/api/v1/organizations"]["get"]["responses"]["200"]["content"]["application/json; charset=utf-8"]["schema"];
    assert_eq!(list["$ref"], "#/components/schemas/UserPage_UserOrg", "{list}");
    let org = &spec["components"]["schemas"]["UserOrg"]["properties"];
    assert_eq!(org["effectiveSettings"]["allOf"][0]["$ref"], "#/components/schemas/EffectiveSettingsViewCamel", "{org}");
    assert_eq!(org["role"]["nullable"], json!(true), "{org}");
    let managed = &spec["components"]["schemas"]["ManagedOrg"]["properties"];
    assert!(managed["primary_color"].is_object() && managed["effective"].is_object(), "{managed}");
    let metrics = env.cli.get("/metrics").send().await;
    metrics.assert_status_is_ok();
    assert!(metrics.0.into_body().into_string().await.unwrap().contains("# TYPE orgkit_http_requests_total counter"));
    let docs = env.cli.get("/docs").send().await;
    docs.assert_status_is_ok();
}
