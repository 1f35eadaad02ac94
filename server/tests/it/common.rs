//! The test harness: an app on a fresh database, a client that returns `(status, json)`.

use orgkit_server::service::tenants;
use orgkit_server::{AppState, Config, build_app};
use poem::EndpointExt;
use poem::endpoint::BoxEndpoint;
use poem::test::TestClient;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::PathBuf;

pub const PUBLIC_URL: &str = "http://orgkit.test";
/// A loopback port nothing listens on.
pub const DEAD_RESOLVER: &str = "127.0.0.1:9";

pub struct Env {
    pub cli: TestClient<BoxEndpoint<'static>>,
    pub state: AppState,
    /// The `default` tenant's management key.
    pub mgmt: String,
    pub outbox: PathBuf,
    _dir: tempfile::TempDir,
}

/// Runs each named scenario `async fn NAME(env: Env)` on both backends.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => { $(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::common::Env::sqlite().await).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                match $crate::common::Env::postgres().await {
                    Some(env) => super::$name(env).await,
                    None => eprintln!("ORGKIT_TEST_POSTGRES_URL is not set: PostgreSQL run skipped"),
                }
            }
        }
    )* };
}

impl Env {
    pub async fn sqlite() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/orgkit.db", dir.path().display());
        Env::new(url, dir).await
    }

    pub async fn postgres() -> Option<Env> {
        let url = postgres_database().await?;
        Some(Env::new(url, tempfile::tempdir().unwrap()).await)
    }

    async fn new(database_url: String, dir: tempfile::TempDir) -> Env {
        let outbox = dir.path().join("outbox");
        let mut vars = HashMap::new();
        vars.insert("ORGKIT_DATABASE_URL", database_url);
        vars.insert("ORGKIT_PUBLIC_URL", PUBLIC_URL.to_owned());
        vars.insert("ORGKIT_OUTBOX_DIR", outbox.display().to_string());
        // The test client has no client address: every request would share one, so the abuse
        // limits are off here, and on in the test of them (rate_limits.rs).
        vars.insert("ORGKIT_RATE_LIMIT", "off".to_owned());
        // No DNS server listens there: a domain verification's lookup fails, quickly.
        vars.insert("ORGKIT_DNS_RESOLVER", DEAD_RESOLVER.to_owned());
        let config = Config::from_lookup(|k| vars.get(k).cloned()).unwrap();
        let state = AppState::init(config).await.unwrap();
        let mgmt = tenants::bootstrap(&state.store).await.unwrap().expect("fresh database gets a default tenant");
        let cli = TestClient::new(build_app(state.clone()).boxed());
        Env { cli, state, mgmt, outbox, _dir: dir }
    }

    /// Sends a request; answers the status and the JSON body (`null` when empty).
    pub async fn call(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> (u16, Value) {
        let mut req = match method {
            "GET" => self.cli.get(path),
            "POST" => self.cli.post(path),
            "PUT" => self.cli.put(path),
            "PATCH" => self.cli.patch(path),
            "DELETE" => self.cli.delete(path),
            other => panic!("method {other}"),
        };
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        if let Some(b) = body {
            req = req.body_json(&b);
        }
        let resp = req.send().await;
        let status = resp.0.status().as_u16();
        let text = resp.0.into_body().into_string().await.unwrap();
        let json = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(json!({ "raw": text })) };
        (status, json)
    }

    /// Management API call on tenant `default`.
    pub async fn manage(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        self.call(method, &format!("/manage/v1/default{path}"), Some(&self.mgmt.clone()), body).await
    }

    /// Signs a user up on tenant `default`; answers (user id, access token).
    pub async fn signup(&self, email: &str) -> (String, String) {
        let (status, body) =
            self.call("POST", "/api/v1/auth/signup", None, Some(json!({ "email": email, "password": "correct horse battery" }))).await;
        assert_eq!(status, 201, "{body}");
        let token = body["data"]["accessToken"].as_str().unwrap().to_owned();
        let (_, me) = self.call("GET", "/api/v1/me", Some(&token), None).await;
        (me["data"]["id"].as_str().unwrap().to_owned(), token)
    }

    /// The emails in the outbox, oldest first.
    pub fn outbox(&self) -> Vec<String> {
        let mut files: Vec<_> = std::fs::read_dir(&self.outbox)
            .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
        files.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect()
    }

    /// The emails in the outbox to `address`, oldest first.
    pub fn outbox_to(&self, address: &str) -> Vec<String> {
        self.outbox().into_iter().filter(|m| m.contains(&format!("To: {address}"))).collect()
    }
}

/// A fresh, empty PostgreSQL database's URL, when `ORGKIT_TEST_POSTGRES_URL` is set.
pub async fn postgres_database() -> Option<String> {
    let base = std::env::var("ORGKIT_TEST_POSTGRES_URL").ok().filter(|v| !v.is_empty())?;
    let name = format!("orgkit_t_{}", uuid::Uuid::new_v4().simple());
    sqlx::any::install_default_drivers();
    let admin = sqlx::AnyPool::connect(&base).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&admin).await.unwrap();
    admin.close().await;
    let (prefix, _) = base.rsplit_once('/').unwrap();
    Some(format!("{prefix}/{name}"))
}

/// One HTTP/1.1 exchange over a new connection to `addr` (for what needs a real socket: a peer
/// address, another listener); answers the status and the body, within 20 s.
pub async fn raw_http(addr: std::net::SocketAddr, method: &str, path: &str, headers: &[(&str, &str)], body: Option<&str>) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let body = body.unwrap_or_default();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    if !body.is_empty() {
        head.push_str("Content-Type: application/json\r\n");
    }
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(addr).await?;
        stream.write_all(format!("{head}\r\n{body}").as_bytes()).await?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await?;
        Ok::<_, std::io::Error>(answer)
    };
    let answer = tokio::time::timeout(std::time::Duration::from_secs(20), exchange).await.expect("an answer within 20 s").unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    (head.split(' ').nth(1).unwrap().parse().unwrap(), body.to_owned())
}

/// Asserts a coded error answer.
pub fn assert_error(resp: &(u16, Value), status: u16, code: &str) {
    assert_eq!(resp.0, status, "expected {status} {code}, got {}", resp.1);
    assert_eq!(resp.1["error"]["code"], code, "body {}", resp.1);
    assert_eq!(resp.1["success"], false, "body {}", resp.1);
}
