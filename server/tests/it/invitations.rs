//! Invitations of both seeds: email in the outbox, accept by token, resend, revoke, single use.

use crate::both_backends;
use crate::common::{Env, PUBLIC_URL, assert_error};
use serde_json::json;

both_backends!(
    expired_invitation_is_gone,
    manage_invite_and_accept_new_account,
    user_api_invite_accept_with_bearer,
    resend_and_revoke,
    concurrent_accepts_make_one_membership,
    inviting_again_never_mails_again,
);

async fn new_org(env: &Env) -> String {
    let (_, org) = env.manage("POST", "/organizations", Some(json!({ "name": "Cardiology Department", "slug": "cardiology" }))).await;
    org["id"].as_str().unwrap().to_owned()
}

fn token_of(url: &str) -> String {
    url.rsplit('/').next().unwrap().to_owned()
}

async fn manage_invite_and_accept_new_account(env: Env) {
    let org = new_org(&env).await;
    // Seed 000's body verbatim.
    let (status, inv) = env.manage("POST", &format!("/organizations/{org}/invitations"), Some(json!({ "email": "bob@hospital.com", "role": "member" }))).await;
    assert_eq!(status, 201, "{inv}");
    assert_eq!((inv["status"].as_str(), inv["role"].as_str()), (Some("pending"), Some("member")));
    let url = inv["invitation_url"].as_str().unwrap().to_owned();
    assert!(url.starts_with(&format!("{PUBLIC_URL}/invitations/")), "{url}");
    let emails = env.outbox();
    assert_eq!(emails.len(), 1);
    let email = emails[0].replace("=\r\n", "").replace("=\n", "");
    assert!(email.contains("multipart/alternative"), "{email}");
    assert!(email.contains("Cardiology Department"));
    assert!(email.contains(&url), "the emailed link is the invitation_url");

    let (status, pending) = env.manage("GET", &format!("/organizations/{org}/invitations"), None).await;
    assert_eq!((status, pending["data"].as_array().unwrap().len()), (200, 1));

    // The page the link opens names the org.
    let page = env.cli.get(format!("/invitations/{}", token_of(&url))).send().await;
    page.assert_status_is_ok();
    assert!(page.0.into_body().into_string().await.unwrap().contains("Cardiology Department"));

    let accept = format!("/api/v1/organizations/invitations/{}/accept", token_of(&url));
    assert_error(&env.call("POST", &accept, None, Some(json!({ "password": "short" }))).await, 422, "weak_password");
    assert_error(&env.call("POST", &accept, None, Some(json!({}))).await, 400, "invalid_request");
    let (status, accepted) = env.call("POST", &accept, None, Some(json!({ "password": "correct horse battery", "name": "Bob" }))).await;
    assert_eq!(status, 200, "{accepted}");
    assert_eq!(accepted["data"]["role"], "member");
    assert_eq!(accepted["data"]["organization"]["id"], org.as_str());
    let token = accepted["data"]["accessToken"].as_str().unwrap();
    let (_, me) = env.call("GET", "/api/v1/me", Some(token), None).await;
    assert_eq!(me["data"]["organization"]["role"], "member");
    // Single use.
    assert_error(&env.call("POST", &accept, None, Some(json!({ "password": "correct horse battery" }))).await, 409, "invitation_used");
    let (_, pending) = env.manage("GET", &format!("/organizations/{org}/invitations"), None).await;
    assert_eq!(pending["data"].as_array().unwrap().len(), 0);
    let (_, members) = env.manage("GET", &format!("/organizations/{org}/members"), None).await;
    assert_eq!(members["data"][0]["email"], "bob@hospital.com");
}

async fn user_api_invite_accept_with_bearer(env: Env) {
    let (_, owner) = env.signup("owner@company.com").await;
    let (_, created) = env.call("POST", "/api/v1/organizations", Some(&owner), Some(json!({"name": "Acme Corp", "slug": "acme-corp"}))).await;
    let id = created["data"]["id"].as_str().unwrap().to_owned();
    // Seed 004's body verbatim.
    let (status, inv) = env
        .call("POST", &format!("/api/v1/organizations/{id}/invitations"), Some(&owner), Some(json!({ "email": "teammate@company.com", "role": "member" })))
        .await;
    assert_eq!(status, 201, "{inv}");
    let url = inv["data"]["invitationUrl"].as_str().unwrap().to_owned();
    let (status, list) = env.call("GET", &format!("/api/v1/organizations/{id}/invitations"), Some(&owner), None).await;
    assert_eq!((status, list["data"].as_array().unwrap().len()), (200, 1));

    let accept = format!("/api/v1/organizations/invitations/{}/accept", token_of(&url));
    let (_, wrong) = env.signup("someone-else@company.com").await;
    assert_error(&env.call("POST", &accept, Some(&wrong), Some(json!({}))).await, 403, "invitation_email_mismatch");
    let (_, mate) = env.signup("teammate@company.com").await;
    let (status, accepted) = env.call("POST", &accept, Some(&mate), Some(json!({}))).await;
    assert_eq!(status, 200, "{accepted}");
    let (status, orgs) = env.call("GET", "/api/v1/organizations", Some(&mate), None).await;
    assert_eq!((status, orgs["data"][0]["id"].as_str()), (200, Some(id.as_str())));
    assert_eq!(orgs["data"][0]["role"], "member");
    // Revoke through the user API: it leaves the pending list.
    let (_, second) = env
        .call("POST", &format!("/api/v1/organizations/{id}/invitations"), Some(&owner), Some(json!({ "email": "later@company.com", "role": "viewer" })))
        .await;
    let invite_id = second["data"]["id"].as_str().unwrap();
    let (status, revoked) = env.call("DELETE", &format!("/api/v1/organizations/{id}/invitations/{invite_id}"), Some(&owner), None).await;
    assert_eq!((status, revoked["data"]["status"].as_str()), (200, Some("revoked")), "{revoked}");
    let (_, list) = env.call("GET", &format!("/api/v1/organizations/{id}/invitations"), Some(&owner), None).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 0);
    // A member is not invited again.
    assert_error(
        &env.call("POST", &format!("/api/v1/organizations/{id}/invitations"), Some(&owner), Some(json!({ "email": "teammate@company.com", "role": "member" }))).await,
        409,
        "already_member",
    );
    // A member may not invite.
    assert_error(
        &env.call("POST", &format!("/api/v1/organizations/{id}/invitations"), Some(&mate), Some(json!({ "email": "x@company.com", "role": "member" }))).await,
        403,
        "insufficient_role",
    );
}

async fn resend_and_revoke(env: Env) {
    let org = new_org(&env).await;
    let base = format!("/organizations/{org}/invitations");
    let (_, inv) = env.manage("POST", &base, Some(json!({ "email": "bob@hospital.com", "role": "member" }))).await;
    let id = inv["id"].as_str().unwrap().to_owned();
    let old = token_of(inv["invitation_url"].as_str().unwrap());
    let (status, resent) = env.manage("POST", &format!("{base}/{id}/resend"), None).await;
    assert_eq!(status, 200, "{resent}");
    let new = token_of(resent["invitation_url"].as_str().unwrap());
    assert_ne!(old, new);
    assert_eq!(env.outbox().len(), 2);
    let body = json!({ "password": "correct horse battery" });
    assert_error(&env.call("POST", &format!("/api/v1/organizations/invitations/{old}/accept"), None, Some(body.clone())).await, 409, "invitation_revoked");

    let (status, _) = env.manage("DELETE", &format!("{base}/{id}"), None).await;
    assert_eq!(status, 204);
    let (_, pending) = env.manage("GET", &base, None).await;
    assert_eq!(pending["data"].as_array().unwrap().len(), 0);
    assert_error(&env.call("POST", &format!("/api/v1/organizations/invitations/{new}/accept"), None, Some(body)).await, 409, "invitation_revoked");
    assert_error(&env.manage("POST", &format!("{base}/{id}/resend"), None).await, 409, "invitation_revoked");
    assert_error(&env.manage("DELETE", &format!("{base}/{id}"), None).await, 409, "invitation_revoked");
}

async fn concurrent_accepts_make_one_membership(env: Env) {
    let org = new_org(&env).await;
    let (_, inv) = env.manage("POST", &format!("/organizations/{org}/invitations"), Some(json!({ "email": "bob@hospital.com", "role": "member" }))).await;
    let (_, bob) = env.signup("bob@hospital.com").await;
    let accept = format!("/api/v1/organizations/invitations/{}/accept", token_of(inv["invitation_url"].as_str().unwrap()));
    let env = std::sync::Arc::new(env);
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let (env, accept, bob) = (env.clone(), accept.clone(), bob.clone());
            tokio::spawn(async move { env.call("POST", &accept, Some(&bob), Some(json!({}))).await })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        let (status, body) = t.await.unwrap();
        if status == 200 {
            ok += 1;
        } else {
            assert_error(&(status, body), 409, "invitation_used");
        }
    }
    assert_eq!(ok, 1);
    let (_, members) = env.manage("GET", &format!("/organizations/{org}/members"), None).await;
    assert_eq!(members["data"].as_array().unwrap().len(), 1);
}

async fn expired_invitation_is_gone(env: Env) {
    let org = new_org(&env).await;
    let base = format!("/organizations/{org}/invitations");
    let (_, inv) = env.manage("POST", &base, Some(json!({ "email": "bob@hospital.com", "role": "member" }))).await;
    // The stored expiry decides, whatever the token says.
    sqlx::query("UPDATE invitations SET expires_at = $1 WHERE id = $2")
        .bind(env.state.store.now() - 1)
        .bind(inv["id"].as_str().unwrap())
        .execute(env.state.store.pool())
        .await
        .unwrap();
    let (_, pending) = env.manage("GET", &base, None).await;
    assert_eq!(pending["data"].as_array().unwrap().len(), 0);
    let accept = format!("/api/v1/organizations/invitations/{}/accept", token_of(inv["invitation_url"].as_str().unwrap()));
    assert_error(&env.call("POST", &accept, None, Some(json!({ "password": "correct horse battery" }))).await, 410, "invitation_expired");
    // A resend revives it with a fresh link.
    let (status, resent) = env.manage("POST", &format!("{base}/{}/resend", inv["id"].as_str().unwrap()), None).await;
    assert_eq!((status, resent["status"].as_str()), (200, Some("pending")), "{resent}");
    // A garbage token: a coded 401, and the invitation page says so without a 5xx.
    assert_error(&env.call("POST", "/api/v1/organizations/invitations/garbage/accept", None, Some(json!({}))).await, 401, "invalid_token");
    let page = env.cli.get("/invitations/garbage").send().await;
    assert_eq!(page.0.status().as_u16(), 401);
}

/// Issue 15, attack 7: inviting an address again sends no second email (`invitation_pending`);
/// resending is explicit and limited to 5 times; revoking frees the address.
async fn inviting_again_never_mails_again(env: Env) {
    let (_, owner) = env.signup("owner@company.com").await;
    let (_, org) = env.call("POST", "/api/v1/organizations", Some(&owner), Some(json!({"name": "Company", "slug": "company"}))).await;
    let invitations = format!("/api/v1/organizations/{}/invitations", org["data"]["id"].as_str().unwrap());
    let invite = json!({"email": "bob@company.com", "role": "member"});
    let (status, first) = env.call("POST", &invitations, Some(&owner), Some(invite.clone())).await;
    assert_eq!(status, 201, "{first}");
    for _ in 0..3 {
        let again = env.call("POST", &invitations, Some(&owner), Some(json!({"email": "Bob@Company.com", "role": "admin"}))).await;
        assert_error(&again, 409, "invitation_pending");
    }
    // The owner's signup mailed a verification link; Bob's mail is counted.
    assert_eq!(env.outbox_to("bob@company.com").len(), 1, "one invitation, one email");
    let (_, pending) = env.call("GET", &invitations, Some(&owner), None).await;
    assert_eq!(pending["data"].as_array().unwrap().len(), 1);

    // Resending is explicit: a fresh link each time, the old one dead, at most 5 times.
    let id = first["data"]["id"].as_str().unwrap();
    let resend = format!("{invitations}/{id}/resend");
    let mut link = first["data"]["invitationUrl"].as_str().unwrap().to_owned();
    for n in 1..=5 {
        let (status, resent) = env.call("POST", &resend, Some(&owner), None).await;
        assert_eq!(status, 200, "{resent}");
        let fresh = resent["data"]["invitationUrl"].as_str().unwrap().to_owned();
        assert_ne!(fresh, link);
        assert_eq!(env.outbox_to("bob@company.com").len(), 1 + n);
        link = fresh;
    }
    assert_error(&env.call("POST", &resend, Some(&owner), None).await, 409, "invitation_resend_limit");
    assert_eq!(env.outbox_to("bob@company.com").len(), 6);
    // The management API's resend counts against the same limit.
    let manage_resend = format!("/organizations/{}/invitations/{id}/resend", org["data"]["id"].as_str().unwrap());
    assert_error(&env.manage("POST", &manage_resend, None).await, 409, "invitation_resend_limit");

    // Revoked, the address may be invited afresh.
    assert_eq!(env.call("DELETE", &format!("{invitations}/{id}"), Some(&owner), None).await.0, 200);
    let (status, again) = env.call("POST", &invitations, Some(&owner), Some(invite)).await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(env.outbox_to("bob@company.com").len(), 7);
}
