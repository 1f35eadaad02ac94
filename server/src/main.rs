//! `orgkit-server`: serve (default), `tenant create`, `tenant keys create|list|revoke`,
//! `keys rotate`, `migrate`.

use clap::{Parser, Subcommand};
use orgkit_server::service::{management_keys, tenants};
use orgkit_server::store::Store;
use orgkit_server::config::{LogFormat, Options};
use orgkit_server::{AppState, Config, build_app, keys};
use poem::Server;
use poem::listener::{Listener, TcpListener};
use std::process::ExitCode;

/// Answers are built from many small, short-lived allocations; mimalloc serves them faster than
/// the system allocator (BENCHMARKS.md, "Server (load)").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "orgkit-server", version, about = "orgkit's organizations API. Every option can be given as its ORGKIT_* environment variable.")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    options: Options,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default).
    Serve,
    /// Tenants.
    Tenant {
        #[command(subcommand)]
        command: TenantCommand,
    },
    /// Signing keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Apply database migrations and exit.
    Migrate,
}

#[derive(Subcommand)]
enum TenantCommand {
    /// Create a tenant and print its management key once.
    Create {
        /// The tenant's slug.
        slug: String,
        /// Display name.
        #[arg(long)]
        name: Option<String>,
    },
    /// A tenant's management keys.
    Keys {
        #[command(subcommand)]
        command: ManagementKeysCommand,
    },
}

#[derive(Subcommand)]
enum ManagementKeysCommand {
    /// Issue a key; prints one JSON line {"tenant", "id", "name", "management_key"}, the only
    /// time the secret is shown.
    Create {
        /// The tenant's slug.
        tenant: String,
        /// What the key is for (shown by `list`).
        #[arg(long)]
        name: String,
    },
    /// Print one JSON line per key (id, name, created_at, last_used_at, revoked_at), no secret.
    List {
        /// The tenant's slug.
        tenant: String,
    },
    /// Revoke a key: it answers 401 from now on, on every instance.
    Revoke {
        /// The tenant's slug.
        tenant: String,
        /// The key's id.
        id: String,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Make a new current signing key; older keys stay in the JWKS until their tokens expire.
    Rotate,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = Config::from(cli.options);
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match config.log_format {
        LogFormat::Json => logs.json().init(),
        LogFormat::Text => logs.init(),
    }
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate => migrate(&config).await.map(|_| ()),
        Command::Tenant { command: TenantCommand::Create { slug, name } } => create_tenant(&config, &slug, name.as_deref()).await,
        Command::Tenant { command: TenantCommand::Keys { command } } => management_keys(&config, command).await,
        Command::Keys { command: KeysCommand::Rotate } => rotate(&config).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("orgkit-server: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn migrate(config: &Config) -> Result<Store, String> {
    let store = Store::connect(&config.database_url).await.map_err(|e| e.to_string())?;
    store.migrate().await.map_err(|e| e.to_string())?;
    Ok(store)
}

async fn create_tenant(config: &Config, slug: &str, name: Option<&str>) -> Result<(), String> {
    let store = migrate(config).await?;
    let key = tenants::create(&store, slug, name).await.map_err(|e| e.to_string())?;
    println!("{}", tenant_line(slug, &key));
    Ok(())
}

/// `{"tenant":"SLUG","management_key":"…"}`, keys in this order.
fn tenant_line(slug: &str, key: &str) -> String {
    format!("{{\"tenant\":{},\"management_key\":{}}}", serde_json::Value::from(slug), serde_json::Value::from(key))
}

async fn management_keys(config: &Config, command: ManagementKeysCommand) -> Result<(), String> {
    let store = migrate(config).await?;
    let lines = match command {
        ManagementKeysCommand::Create { tenant, name } => vec![json_line(&management_keys::issue(&store, &tenant, &name).await)?],
        ManagementKeysCommand::List { tenant } => {
            let keys = management_keys::list(&store, &tenant).await.map_err(|e| e.to_string())?;
            keys.iter().map(|k| json_line(&Ok(k))).collect::<Result<_, _>>()?
        }
        ManagementKeysCommand::Revoke { tenant, id } => vec![json_line(&management_keys::revoke(&store, &tenant, &id).await)?],
    };
    for line in lines {
        println!("{line}");
    }
    Ok(())
}

/// A result as one JSON line, or its coded error (`not_found: tenant not found`).
fn json_line<T: serde::Serialize>(result: &Result<T, orgkit_server::error::ApiError>) -> Result<String, String> {
    let value = result.as_ref().map_err(|e| e.to_string())?;
    serde_json::to_string(value).map_err(|e| e.to_string())
}

async fn rotate(config: &Config) -> Result<(), String> {
    let store = migrate(config).await?;
    keys::ensure_key(&store).await.map_err(|e| e.to_string())?;
    let kid = keys::rotate(&store).await.map_err(|e| e.to_string())?;
    println!("{}", serde_json::json!({ "kid": kid }));
    Ok(())
}

async fn serve(config: Config) -> Result<(), String> {
    let bind = config.bind.clone();
    let state = AppState::init(config).await.map_err(|e| e.to_string())?;
    if let Some(key) = tenants::bootstrap(&state.store).await.map_err(|e| e.to_string())? {
        // Shown once: only its hash is stored.
        println!("{}", tenant_line(tenants::DEFAULT_TENANT, &key));
    }
    if let Some(metrics_bind) = state.config.metrics_bind.clone() {
        // Bound before the API, so a wrong address stops the start naming its variable.
        let acceptor = TcpListener::bind(metrics_bind.clone())
            .into_acceptor()
            .await
            .map_err(|e| format!("ORGKIT_METRICS_BIND: cannot listen on {metrics_bind} ({e})"))?;
        let app = orgkit_server::api::ops::metrics_app(state.clone());
        tokio::spawn(async move {
            if let Err(e) = Server::new_with_acceptor(acceptor).run(app).await {
                tracing::error!(error = %e, "the metrics listener stopped");
            }
        });
        tracing::info!(%metrics_bind, "metrics listening");
    }
    tokio::spawn(orgkit_server::delivery::run(state.clone()));
    tracing::info!(%bind, public_url = %state.config.public_url, "orgkit-server listening");
    Server::new(TcpListener::bind(bind))
        .run_with_graceful_shutdown(build_app(state), shutdown_signal(), Some(std::time::Duration::from_secs(10)))
        .await
        .map_err(|e| e.to_string())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = ctrl_c.await;
                return;
            }
        };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
    tracing::info!("shutting down");
}
