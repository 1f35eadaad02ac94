//! Management keys through the CLI: create → use → list (no secret) → revoke → 401, on the
//! database the app serves from; keys issued before migration 0008 keep working.

use crate::both_backends;
use crate::cli::run;
use crate::common::{Env, assert_error, postgres_database};
use orgkit_server::{AppState, Config, build_app};
use poem::EndpointExt;
use poem::test::TestClient;
use serde_json::Value;

both_backends!(a_key_is_created_used_listed_and_revoked, unknown_tenants_and_keys_are_coded_errors);

/// `orgkit-server tenant keys ARGS` on `database_url`.
async fn keys(database_url: &str, args: &[&str]) -> crate::cli::Run {
    let argv: Vec<&str> = ["tenant", "keys"].iter().chain(args).copied().collect();
    run(&argv, &[("ORGKIT_DATABASE_URL", database_url)]).await
}

fn json_lines(stdout: &str) -> Vec<Value> {
    stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

async fn a_key_is_created_used_listed_and_revoked(env: Env) {
    let db = env.state.config.database_url.clone();
    let created = keys(&db, &["create", "default", "--name", "ci deploy"]).await;
    assert!(created.success, "{}", created.stderr);
    assert_eq!(created.stdout.lines().count(), 1, "{}", created.stdout);
    assert!(created.stdout.starts_with("{\"tenant\":\"default\",\"id\":"), "keys in order: {}", created.stdout);
    let issued = &json_lines(&created.stdout)[0];
    assert_eq!(issued["name"], "ci deploy");
    let (id, secret) = (issued["id"].as_str().unwrap(), issued["management_key"].as_str().unwrap());
    assert!(secret.starts_with("ok_mgmt_"), "{issued}");

    assert_eq!(env.call("GET", "/manage/v1/default/organizations", Some(secret), None).await.0, 200);

    let listed = keys(&db, &["list", "default"]).await;
    assert!(listed.success, "{}", listed.stderr);
    assert!(!listed.stdout.contains(secret) && !listed.stdout.contains(&env.mgmt), "no secret listed: {}", listed.stdout);
    assert!(!listed.stdout.contains("management_key") && !listed.stdout.contains("hash"), "{}", listed.stdout);
    let all = json_lines(&listed.stdout);
    let names: Vec<&str> = all.iter().map(|k| k["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["initial", "ci deploy"], "oldest first");
    let mine = all.iter().find(|k| k["id"] == id).unwrap();
    let mut fields: Vec<&String> = mine.as_object().unwrap().keys().collect();
    fields.sort();
    assert_eq!(fields, ["created_at", "id", "last_used_at", "name", "revoked_at"]);
    assert!(mine["last_used_at"].as_str().is_some_and(|t| t.starts_with("20")), "use recorded: {mine}");
    assert!(mine["revoked_at"].is_null());

    // Another instance on the same database, which has served the key before.
    let second = TestClient::new(build_app(AppState::init((*env.state.config).clone()).await.unwrap()).boxed());
    let on_second = || second.get("/manage/v1/default/organizations").header("authorization", format!("Bearer {secret}")).send();
    on_second().await.assert_status_is_ok();

    let revoked = keys(&db, &["revoke", "default", id]).await;
    assert!(revoked.success, "{}", revoked.stderr);
    let revoked = &json_lines(&revoked.stdout)[0];
    assert_eq!(revoked["id"], id);
    assert!(revoked["revoked_at"].as_str().is_some_and(|t| t.starts_with("20")), "{revoked}");

    assert_error(&env.call("GET", "/manage/v1/default/organizations", Some(secret), None).await, 401, "unauthenticated");
    on_second().await.assert_status(poem::http::StatusCode::UNAUTHORIZED);
    assert_eq!(env.manage("GET", "/organizations", None).await.0, 200, "the other key still works");
    let listed = json_lines(&keys(&db, &["list", "default"]).await.stdout);
    assert!(listed.iter().any(|k| k["id"] == id && k["revoked_at"].is_string()), "a revoked key stays listed");
}

async fn unknown_tenants_and_keys_are_coded_errors(env: Env) {
    let db = env.state.config.database_url.clone();
    let unknown_id = uuid::Uuid::new_v4().to_string();
    for args in [
        vec!["list", "nobody"],
        vec!["create", "nobody", "--name", "x"],
        vec!["revoke", "nobody", unknown_id.as_str()],
        vec!["revoke", "default", unknown_id.as_str()],
        vec!["revoke", "default", "not-an-id"],
    ] {
        let out = keys(&db, &args).await;
        assert!(!out.success, "{args:?} succeeded");
        assert!(out.stderr.contains("not_found:"), "{args:?}: {}", out.stderr);
        assert!(out.stdout.is_empty(), "{args:?}: {}", out.stdout);
    }
    let out = keys(&db, &["create", "default", "--name", ""]).await;
    assert!(!out.success && out.stderr.contains("invalid_request:"), "{}", out.stderr);
}

/// A key issued before migration 0008 (no id, no name) keeps working, is listed and revocable.
async fn old_key_survives_the_migration(database_url: String) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&database_url).await.unwrap();
    let migrator = if database_url.starts_with("sqlite:") { sqlx::migrate!("migrations/sqlite") } else { sqlx::migrate!("migrations/postgres") };
    migrator.run_to(7, &pool).await.unwrap();
    let tenant = uuid::Uuid::new_v4().to_string();
    sqlx::query("INSERT INTO tenants (id, slug, name, settings, created_at, updated_at) VALUES ($1, 'acme', 'Acme', '{}', 1, 1)")
        .bind(&tenant)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO management_keys (key_hash, tenant_id, created_at) VALUES ($1, $2, 1)")
        .bind(orgkit_server::clock::sha256_hex("ok_mgmt_old"))
        .bind(&tenant)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;

    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().display().to_string();
    let config = Config::from_lookup(|k| match k {
        "ORGKIT_DATABASE_URL" => Some(database_url.clone()),
        "ORGKIT_OUTBOX_DIR" => Some(outbox.clone()),
        _ => None,
    })
    .unwrap();
    let app = TestClient::new(build_app(AppState::init(config).await.unwrap()).boxed());
    let call = || app.get("/manage/v1/acme/organizations").header("authorization", "Bearer ok_mgmt_old").send();
    call().await.assert_status_is_ok();
    let listed = json_lines(&keys(&database_url, &["list", "acme"]).await.stdout);
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["name"], "initial");
    let id = listed[0]["id"].as_str().unwrap();
    assert!(uuid::Uuid::try_parse(id).is_ok_and(|u| u.to_string() == id), "a canonical UUID id: {id}");
    assert!(keys(&database_url, &["revoke", "acme", id]).await.success);
    call().await.assert_status(poem::http::StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_key_survives_the_migration_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    old_key_survives_the_migration(format!("sqlite://{}/orgkit.db?mode=rwc", dir.path().display())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_key_survives_the_migration_on_postgres() {
    match postgres_database().await {
        Some(url) => old_key_survives_the_migration(url).await,
        None => eprintln!("ORGKIT_TEST_POSTGRES_URL is not set: PostgreSQL run skipped"),
    }
}
