//! `GET /login`: the branded sign-in page, chosen by `?organization=` or the custom domain.

use crate::both_backends;
use crate::common::Env;
use serde_json::json;

both_backends!(branded_by_org_custom_domain_or_tenant);

/// `(status, header value, html)` of a page.
async fn page(env: &Env, query: &[(&str, &str)], host: Option<&str>) -> (u16, Option<String>, String) {
    let mut req = env.cli.get("/login");
    for (k, v) in query {
        req = req.query(*k, v);
    }
    if let Some(host) = host {
        req = req.header("host", host);
    }
    let resp = req.send().await;
    let status = resp.0.status().as_u16();
    let csp = resp.0.headers().get("content-security-policy").and_then(|v| v.to_str().ok()).map(str::to_owned);
    (status, csp, resp.0.into_body().into_string().await.unwrap())
}

async fn branded_by_org_custom_domain_or_tenant(env: Env) {
    let (status, _) = env.manage("PATCH", "/settings", Some(json!({ "primary_color": "#aa3300", "logo_url": "https://cdn.tenant.test/logo.png" }))).await;
    assert_eq!(status, 200);
    let (_, org) = env.manage("POST", "/organizations", Some(json!({ "name": "Cardiology", "slug": "cardiology" }))).await;
    let path = format!("/organizations/{}", org["id"].as_str().unwrap());
    let branding = json!({ "primary_color": "#0A7D4F", "welcome_text": "Cardiology <Portal>", "custom_domain": "auth.cardiology.test" });
    assert_eq!(env.manage("PATCH", &path, Some(branding)).await.0, 200);
    env.manage("POST", "/organizations", Some(json!({ "name": "Oncology", "slug": "oncology" }))).await;

    let (status, csp, html) = page(&env, &[("organization", "cardiology")], None).await;
    assert_eq!(status, 200);
    assert!(csp.unwrap().contains("script-src 'self'"), "no inline script may run");
    assert!(html.contains("--brand: #0a7d4f;"), "the org's colour");
    assert!(html.contains("Cardiology &lt;Portal&gt;") && !html.contains("<Portal>"), "welcome text, escaped");
    // (HTML escaping writes `/` as `&#x2f;` in attributes; a browser reads the same URL.)
    assert!(html.replace("&#x2f;", "/").contains("src=\"https://cdn.tenant.test/logo.png\""), "the tenant's logo where the org sets none");
    assert!(html.contains(r#"{"organization":"cardiology","tenant":"default"}"#));

    let (status, _, by_domain) = page(&env, &[], Some("Auth.Cardiology.test:8443")).await;
    assert_eq!(status, 200);
    assert!(by_domain.contains("Cardiology &lt;Portal&gt;"), "the custom domain selects the org");

    let (_, _, oncology) = page(&env, &[("organization", "oncology"), ("tenant", "default")], None).await;
    assert!(oncology.contains("--brand: #aa3300;") && oncology.contains("Sign in to Oncology"), "inherits the tenant's branding");

    let (status, _, tenant) = page(&env, &[], Some("orgkit.test")).await;
    assert_eq!(status, 200);
    assert!(tenant.contains("--brand: #aa3300;") && tenant.contains(r#""organization":null"#), "no org: the tenant's page");

    assert_eq!(page(&env, &[("organization", "nope")], None).await.0, 404);
    assert_eq!(page(&env, &[("organization", "cardiology"), ("tenant", "nope")], None).await.0, 404);

    let script = env.cli.get("/login/login.js").send().await;
    script.assert_status_is_ok();
    script.assert_content_type("text/javascript; charset=utf-8");
}
