//! Storage: every SQL statement of the server, over one `sqlx::AnyPool`.
//!
//! One code path serves SQLite and PostgreSQL (the `Any` driver, statements written once with
//! `$N` placeholders), so both backends run the same tests; the few dialect differences (how a
//! write transaction starts, `FOR UPDATE`) live in this file. Values are the types `Any`
//! carries: ids as UUID text, times as unix seconds, JSON documents as text.

pub mod audit;
pub mod connections;
pub mod domains;
pub mod events;
pub mod invitations;
pub mod identities;
pub mod keys;
pub mod lockouts;
pub mod management_keys;
pub mod members;
pub mod orgs;
pub mod portal;
pub mod saml;
pub mod oidc;
pub mod scim;
pub mod tenants;
pub mod totp;
pub mod users;
pub mod webhooks;

use crate::clock::Clock;
use crate::startup::StartupError;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use orgkit_core::ErrorCode;
use sqlx::any::AnyPoolOptions;
use sqlx::{Any, AnyPool, Transaction};

/// A write transaction.
pub type Tx = Transaction<'static, Any>;

/// What a store call fails with. Mapped to an answer once, in `error.rs`.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique value is taken (a slug, an email, a domain): the client's conflict, coded.
    #[error("{message}")]
    Conflict {
        /// The code answered.
        code: ErrorCode,
        /// What is taken.
        message: &'static str,
    },
    /// A stored value that does not read back (a document, a role name): the server's fault.
    #[error("stored value does not read back: {0}")]
    Corrupt(String),
    /// The database failed.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl StoreError {
    /// A stored value that did not read back.
    pub fn corrupt(detail: impl std::fmt::Display) -> StoreError {
        StoreError::Corrupt(detail.to_string())
    }

    /// The code this error is answered with.
    pub fn code(&self) -> ErrorCode {
        match self {
            StoreError::Conflict { code, .. } => *code,
            StoreError::Corrupt(_) | StoreError::Database(_) => ErrorCode::InternalError,
        }
    }
}

/// Result of a store call.
pub type StoreResult<T> = Result<T, StoreError>;

/// Which database the pool talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite (a file, or memory in tests).
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// The database.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    dialect: Dialect,
    clock: Clock,
}

impl Store {
    /// Now, by the store's clock: every service stamps its reads and writes with it.
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// The store's clock (tests move it).
    pub fn clock(&self) -> &Clock {
        &self.clock
    }
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

impl Store {
    /// Connects to `url` (`sqlite://path`, created when missing, or `postgres://…`); a failure
    /// names `ORGKIT_DATABASE_URL` and the cause (the password left out).
    pub async fn connect(url: &str) -> Result<Store, StartupError> {
        sqlx::any::install_default_drivers();
        let (url, dialect) = if url.starts_with("sqlite:") {
            let url = if url.contains("mode=") || url.contains(":memory:") {
                url.to_owned()
            } else if url.contains('?') {
                format!("{url}&mode=rwc")
            } else {
                format!("{url}?mode=rwc")
            };
            (url, Dialect::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            (url.to_owned(), Dialect::Postgres)
        } else {
            return Err(StartupError::new("ORGKIT_DATABASE_URL", "must start with sqlite: or postgres:"));
        };
        // An in-memory SQLite database exists once per connection: keep exactly one.
        let max = match dialect {
            Dialect::Sqlite if url.contains(":memory:") => 1,
            Dialect::Sqlite => 8,
            Dialect::Postgres => 16,
        };
        let mut options = AnyPoolOptions::new().max_connections(max);
        if dialect == Dialect::Sqlite {
            // WAL lets readers run beside the one writer; in WAL mode `synchronous = NORMAL`
            // syncs at checkpoints instead of every commit (a commit survives a crash of the
            // process, not of the machine's power). Foreign keys and a busy timeout are sqlx's
            // SQLite defaults.
            options = options.after_connect(|conn, _| {
                Box::pin(async move {
                    sqlx::query("PRAGMA journal_mode = WAL").execute(&mut *conn).await?;
                    sqlx::query("PRAGMA synchronous = NORMAL").execute(&mut *conn).await?;
                    sqlx::query("PRAGMA foreign_keys = ON").execute(&mut *conn).await?;
                    Ok(())
                })
            });
        }
        let pool = options.connect(&url).await.map_err(|e| StartupError::database(&format!("cannot connect to {}", without_password(&url)), e))?;
        Ok(Store { pool, dialect, clock: Clock::default() })
    }

    /// Applies the migrations of this backend.
    pub async fn migrate(&self) -> Result<(), StartupError> {
        let migrator = match self.dialect {
            Dialect::Sqlite => &SQLITE_MIGRATIONS,
            Dialect::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.pool).await.map_err(|e| StartupError::database("cannot apply the migrations", e))
    }

    /// The pool, for reads outside a transaction.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The backend.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so a read-check-write sequence cannot interleave with another
    /// writer; on PostgreSQL the rows it reads for a decision are locked with
    /// [`Store::for_update`].
    pub async fn begin(&self) -> StoreResult<Tx> {
        let tx = match self.dialect {
            Dialect::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Dialect::Postgres => self.pool.begin().await?,
        };
        Ok(tx)
    }

    /// The row-lock suffix of a `SELECT` that a decision depends on.
    pub fn for_update(&self) -> &'static str {
        match self.dialect {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE",
        }
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }
}

/// The URL to show in a message: its password replaced by `***`.
fn without_password(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

/// Maps a unique-constraint violation to a coded conflict; other errors are internal.
pub(crate) fn conflict(e: sqlx::Error, pick: impl Fn(&str) -> Option<(ErrorCode, &'static str)>) -> StoreError {
    if let sqlx::Error::Database(db) = &e
        && db.is_unique_violation()
        && let Some((code, message)) = pick(&format!("{} {}", db.constraint().unwrap_or_default(), db.message()))
    {
        return StoreError::Conflict { code, message };
    }
    StoreError::Database(e)
}

/// A keyset page: the items and the cursor of the next page.
#[derive(Debug)]
pub struct Page<T> {
    /// The items, in id order.
    pub items: Vec<T>,
    /// Opaque cursor of the next page, when there is one.
    pub next_cursor: Option<String>,
}

/// Where a page starts: after the id a cursor names.
#[derive(Debug, Clone)]
pub struct PageQuery {
    /// Exclusive lower bound on the id ('' = from the start).
    pub after: String,
    /// Page size, already bounded by core.
    pub limit: u32,
}

impl PageQuery {
    /// Builds a page query from the request's `limit` and `cursor`.
    pub fn parse(limit: Option<u64>, cursor: Option<&str>) -> crate::error::ApiResult<PageQuery> {
        let limit = orgkit_core::page::page_size(limit)?;
        let after = match cursor.filter(|c| !c.is_empty()) {
            None => String::new(),
            Some(c) => URL_SAFE_NO_PAD
                .decode(c)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                // A cursor names the last id of a page, always a UUID.
                .filter(|s| is_uuid(s))
                .ok_or_else(|| crate::error::ApiError::new(ErrorCode::InvalidRequest, "cursor is not one this server issued"))?,
        };
        Ok(PageQuery { after, limit })
    }

    /// Rows to fetch: one more than the page, to know whether another page follows.
    pub fn fetch(&self) -> i64 {
        i64::from(self.limit) + 1
    }

    /// Cuts the fetched rows into a page.
    pub fn page<T>(&self, mut rows: Vec<T>, key: impl Fn(&T) -> &str) -> Page<T> {
        let limit = self.limit as usize;
        let next_cursor = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(|r| URL_SAFE_NO_PAD.encode(key(r)))
        } else {
            None
        };
        Page { items: rows, next_cursor }
    }
}

/// A new time-ordered id (UUID v7: ids sort by creation, which keyset pages rely on).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Whether `s` is a UUID in canonical form (path ids that are not cannot exist).
pub fn is_uuid(s: &str) -> bool {
    uuid::Uuid::try_parse(s).is_ok_and(|u| u.to_string() == s)
}
