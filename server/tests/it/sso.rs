//! An org's own SAML SSO (seed 004 `/api/v1/organizations/{id}/sso`), the SP-initiated login
//! start, and the replay guard's uniqueness. Signed IdP responses are exercised end to end by
//! server/e2e/test_saml.py (pysaml2 signs them).

use crate::both_backends;
use crate::common::{Env, PUBLIC_URL, assert_error};
use orgkit_server::store::saml::AssertionUse;
use serde_json::{Value, json};

both_backends!(configure_replace_permissions_and_disable, login_start_and_acs_refusals, replay_records_are_unique);

/// A real self-signed X.509 certificate, PEM.
pub(crate) fn certificate() -> String {
    use openssl::{asn1::Asn1Time, hash::MessageDigest, pkey::PKey, rsa::Rsa, x509};
    let key = PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap();
    let mut name = x509::X509NameBuilder::new().unwrap();
    name.append_entry_by_text("CN", "idp.example.com").unwrap();
    let name = name.build();
    let mut b = x509::X509Builder::new().unwrap();
    b.set_version(2).unwrap();
    b.set_subject_name(&name).unwrap();
    b.set_issuer_name(&name).unwrap();
    b.set_pubkey(&key).unwrap();
    b.set_not_before(&Asn1Time::days_from_now(0).unwrap()).unwrap();
    b.set_not_after(&Asn1Time::days_from_now(365).unwrap()).unwrap();
    b.sign(&key, MessageDigest::sha256()).unwrap();
    String::from_utf8(b.build().to_pem().unwrap()).unwrap()
}

pub(crate) fn config(cert: &str) -> Value {
    json!({
        "entityId": "https://idp.example.com/saml",
        "ssoUrl": "https://idp.example.com/saml/sso",
        "certificate": cert,
        "emailDomain": "Hospital.com"
    })
}

/// An org owned by a fresh user; answers (org id, owner token).
pub(crate) async fn org_with_owner(env: &Env) -> (String, String) {
    let (_, owner) = env.signup("owner@hospital.com").await;
    let (status, org) = env.call("POST", "/api/v1/organizations", Some(&owner), Some(json!({"name": "Cardiology", "slug": "cardiology"}))).await;
    assert_eq!(status, 201, "{org}");
    (org["data"]["id"].as_str().unwrap().to_owned(), owner)
}

async fn member(env: &Env, org: &str, email: &str, role: &str) -> String {
    let (id, token) = env.signup(email).await;
    let (status, body) = env.manage("POST", &format!("/organizations/{org}/members"), Some(json!({"user_id": id, "role": role}))).await;
    assert_eq!(status, 201, "{body}");
    token
}

async fn metadata(env: &Env, org: &str, token: &str) -> (u16, String) {
    let resp = env.cli.get(format!("/api/v1/organizations/{org}/sso/metadata")).header("authorization", format!("Bearer {token}")).send().await;
    let status = resp.0.status().as_u16();
    (status, resp.0.into_body().into_string().await.unwrap())
}

async fn configure_replace_permissions_and_disable(env: Env) {
    let (org, owner) = org_with_owner(&env).await;
    let sso = format!("/api/v1/organizations/{org}/sso");
    let cert = certificate();

    // Validation: the seed's placeholder, a DER-shaped non-certificate, no domain, unknown field.
    let mut body = config("-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----");
    let resp = env.call("POST", &sso, Some(&owner), Some(body.clone())).await;
    assert_error(&resp, 400, "invalid_request");
    assert_eq!(resp.1["error"]["field"], "certificate");
    use base64::Engine;
    let fake = [&[0x30u8, 0x82, 0x01, 0x00][..], &[0x42u8; 256][..]].concat();
    body["certificate"] = json!(format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----",
        base64::engine::general_purpose::STANDARD.encode(fake)
    ));
    let resp = env.call("POST", &sso, Some(&owner), Some(body)).await;
    assert_error(&resp, 400, "invalid_request");
    assert_eq!(resp.1["error"]["field"], "certificate");
    let mut no_domain = config(&cert);
    no_domain.as_object_mut().unwrap().remove("emailDomain");
    assert_error(&env.call("POST", &sso, Some(&owner), Some(no_domain)).await, 400, "invalid_request");
    let mut extra = config(&cert);
    extra["name"] = json!("x");
    assert_error(&env.call("POST", &sso, Some(&owner), Some(extra)).await, 400, "unknown_field");
    assert_error(&metadata_json(&env, &org, &owner).await, 404, "not_found");

    // Create: enabled for the org, the domain routed, the SP URLs answered.
    let (status, created) = env.call("POST", &sso, Some(&owner), Some(config(&cert))).await;
    assert_eq!(status, 201, "{created}");
    let data = &created["data"];
    let cid = data["id"].as_str().unwrap().to_owned();
    assert_eq!(data["emailDomain"], "hospital.com");
    assert_eq!(data["enabled"], true);
    assert_eq!(data["acsUrl"], format!("{PUBLIC_URL}/saml/{cid}/acs"));
    assert_eq!(data["spEntityId"], format!("{PUBLIC_URL}/saml/{cid}"));
    assert!(data.get("certificate").is_none());
    let (_, allowed) = env.manage("GET", &format!("/organizations/{org}/connections"), None).await;
    assert_eq!(allowed["data"][0]["id"], cid.as_str());
    assert_eq!(allowed["data"][0]["type"], "saml");

    // Metadata: entity id and ACS, no logout endpoint and no samael default URL.
    let (status, xml) = metadata(&env, &org, &owner).await;
    assert_eq!(status, 200, "{xml}");
    assert!(xml.contains(&format!("entityID=\"{PUBLIC_URL}/saml/{cid}\"")), "{xml}");
    assert!(xml.contains(&format!("Location=\"{PUBLIC_URL}/saml/{cid}/acs\"")), "{xml}");
    assert!(!xml.contains("localhost") && !xml.contains("SingleLogoutService"), "{xml}");

    // Replace: same id (the IdP's ACS URL stays), new fields.
    let mut replaced = config(&cert);
    replaced["ssoUrl"] = json!("https://idp.example.com/other/sso");
    let (status, again) = env.call("POST", &sso, Some(&owner), Some(replaced)).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["data"]["id"], cid.as_str());
    assert_eq!(again["data"]["ssoUrl"], "https://idp.example.com/other/sso");
    let (_, list) = env.manage("GET", "/connections", None).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);

    // Only the owner configures or disables; admins read the metadata, members do not.
    let admin = member(&env, &org, "admin@hospital.com", "admin").await;
    let plain = member(&env, &org, "member@hospital.com", "member").await;
    let (_, stranger) = env.signup("stranger@else.com").await;
    assert_error(&env.call("POST", &sso, Some(&admin), Some(config(&cert))).await, 403, "insufficient_role");
    assert_error(&env.call("DELETE", &sso, Some(&admin), None).await, 403, "insufficient_role");
    assert_error(&env.call("POST", &sso, Some(&stranger), Some(config(&cert))).await, 404, "not_found");
    assert_eq!(metadata(&env, &org, &admin).await.0, 200);
    assert_error(&metadata_json(&env, &org, &plain).await, 403, "insufficient_role");

    // Disable: the org stops allowing it, logins through it are refused; configuring again
    // re-enables the same connection.
    let (status, disabled) = env.call("DELETE", &sso, Some(&owner), None).await;
    assert_eq!((status, disabled), (200, json!({"success": true, "data": null})));
    assert_error(&env.call("DELETE", &sso, Some(&owner), None).await, 404, "not_found");
    let (_, allowed) = env.manage("GET", &format!("/organizations/{org}/connections"), None).await;
    assert_eq!(allowed["data"], json!([]));
    assert_error(&env.call("GET", &format!("/saml/{cid}/login"), None, None).await, 403, "connection_not_allowed");
    let (status, back) = env.call("POST", &sso, Some(&owner), Some(config(&cert))).await;
    assert_eq!((status, back["data"]["id"].as_str()), (200, Some(cid.as_str())));
    let (_, log) = env.manage("GET", &format!("/organizations/{org}/audit-log"), None).await;
    let actions: Vec<&str> = log["data"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).filter(|a| a.starts_with("sso.")).collect();
    assert_eq!(actions, ["sso.configured", "sso.replaced", "sso.disabled", "sso.replaced"]);
}

async fn metadata_json(env: &Env, org: &str, token: &str) -> (u16, Value) {
    env.call("GET", &format!("/api/v1/organizations/{org}/sso/metadata"), Some(token), None).await
}

async fn login_start_and_acs_refusals(env: Env) {
    let (org, owner) = org_with_owner(&env).await;
    let (_, created) = env.call("POST", &format!("/api/v1/organizations/{org}/sso"), Some(&owner), Some(config(&certificate()))).await;
    let cid = created["data"]["id"].as_str().unwrap().to_owned();

    // SP-initiated: a redirect to the IdP with a deflated AuthnRequest and the RelayState.
    let resp = env.cli.get(format!("/saml/{cid}/login?RelayState=%2Fapp")).send().await;
    assert_eq!(resp.0.status().as_u16(), 302);
    let location = resp.0.headers().get("location").unwrap().to_str().unwrap().to_owned();
    let url = url::Url::parse(&location).unwrap();
    assert_eq!(url.host_str(), Some("idp.example.com"));
    let pairs: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(pairs.get("RelayState").map(String::as_str), Some("/app"));
    assert!(pairs.contains_key("SAMLRequest"));

    // Open redirects are refused before anything else happens.
    for evil in ["https%3A%2F%2Fevil.example%2F", "%2F%2Fevil.example", "javascript%3Aalert(1)"] {
        assert_error(&env.call("GET", &format!("/saml/{cid}/login?RelayState={evil}"), None, None).await, 400, "redirect_not_allowed");
    }
    assert_error(&env.call("GET", "/saml/not-a-uuid/login", None, None).await, 404, "not_found");
    assert_error(&env.call("GET", &format!("/saml/{}/login", uuid::Uuid::now_v7()), None, None).await, 404, "not_found");

    // The ACS refuses what is not a signed SAML response, and foreign RelayStates.
    let post = |form: String| {
        let cid = cid.clone();
        let cli = &env.cli;
        async move {
            let resp = cli
                .post(format!("/saml/{cid}/acs"))
                .header("content-type", "application/x-www-form-urlencoded")
                .header("accept", "application/json")
                .body(form)
                .send()
                .await;
            let status = resp.0.status().as_u16();
            let body: Value = serde_json::from_str(&resp.0.into_body().into_string().await.unwrap()).unwrap();
            (status, body)
        }
    };
    assert_error(&post("SAMLResponse=%25%25%25".to_owned()).await, 400, "saml_invalid_response");
    use base64::Engine;
    let b64 = |s: &str| url::form_urlencoded::byte_serialize(base64::engine::general_purpose::STANDARD.encode(s).as_bytes()).collect::<String>();
    assert_error(&post(format!("SAMLResponse={}", b64("<x/>"))).await, 400, "saml_invalid_response");
    let unsigned = r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="r1"><saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="a1"/></samlp:Response>"#;
    assert_error(&post(format!("SAMLResponse={}", b64(unsigned))).await, 401, "saml_invalid_signature");
    assert_error(&post("RelayState=x".to_owned()).await, 400, "invalid_request");
    let browser = env
        .cli
        .post(format!("/saml/{cid}/acs"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("SAMLResponse={}&RelayState=https%3A%2F%2Fevil.example%2F", b64(unsigned)))
        .send()
        .await;
    assert_eq!(browser.0.status().as_u16(), 400);
    let body: Value = serde_json::from_str(&browser.0.into_body().into_string().await.unwrap()).unwrap();
    assert_eq!(body["error"]["code"], "redirect_not_allowed");
}

async fn replay_records_are_unique(env: Env) {
    let (org, owner) = org_with_owner(&env).await;
    let (_, created) = env.call("POST", &format!("/api/v1/organizations/{org}/sso"), Some(&owner), Some(config(&certificate()))).await;
    let cid = created["data"]["id"].as_str().unwrap().to_owned();
    let store = env.state.store.clone();
    let now = env.state.store.now();

    // Concurrent first uses of one assertion id: exactly one wins, on any backend.
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let (store, cid) = (store.clone(), cid.clone());
            tokio::spawn(async move {
                let mut tx = store.begin().await.unwrap();
                let used = store.use_assertion(&mut tx, &cid, "_assertion-1", now + 300, now).await.unwrap();
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                tx.commit().await.unwrap();
                used
            })
        })
        .collect();
    let mut firsts = 0;
    for t in tasks {
        if t.await.unwrap() == AssertionUse::First {
            firsts += 1;
        }
    }
    assert_eq!(firsts, 1);
    // Another id is a first use; the first one stays a replay.
    let mut tx = store.begin().await.unwrap();
    assert_eq!(store.use_assertion(&mut tx, &cid, "_assertion-2", now + 300, now).await.unwrap(), AssertionUse::First);
    assert_eq!(store.use_assertion(&mut tx, &cid, "_assertion-1", now + 300, now).await.unwrap(), AssertionUse::Replayed);
    tx.commit().await.unwrap();
    // A rolled-back use leaves no record.
    let mut tx = store.begin().await.unwrap();
    assert_eq!(store.use_assertion(&mut tx, &cid, "_assertion-3", now + 300, now).await.unwrap(), AssertionUse::First);
    tx.rollback().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert_eq!(store.use_assertion(&mut tx, &cid, "_assertion-3", now + 300, now).await.unwrap(), AssertionUse::First);
    tx.commit().await.unwrap();

    // An AuthnRequest id is consumed once, by its own connection only, until it expires.
    store.insert_saml_request("_req-1", &cid, now, now + 600).await.unwrap();
    store.insert_saml_request("_req-old", &cid, now - 700, now - 100).await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert!(!store.consume_saml_request(&mut tx, "_req-1", "00000000-0000-0000-0000-000000000000", now).await.unwrap());
    assert!(store.consume_saml_request(&mut tx, "_req-1", &cid, now).await.unwrap());
    assert!(!store.consume_saml_request(&mut tx, "_req-1", &cid, now).await.unwrap());
    assert!(!store.consume_saml_request(&mut tx, "_req-old", &cid, now).await.unwrap());
    tx.commit().await.unwrap();
}
