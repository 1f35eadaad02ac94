//! # orgkit-server
//!
//! The reference server of orgkit: the management API of seed 000 and the user API of seed 004
//! on one data model, with signup, login and org-context tokens, stored in SQLite or
//! PostgreSQL. Every rule is decided by `orgkit-core`; this crate supplies state and I/O:
//! storage (`store`), the operations that combine a core decision with a transaction
//! (`service`), and thin HTTP handlers (`api`).

pub mod api;
pub mod auth;
pub mod clock;
pub mod config;
pub mod delivery;
pub mod dns;
pub mod error;
pub mod keys;
pub mod mail;
pub mod metrics;
pub mod password;
pub mod rate_limit;
pub mod request;
pub mod oidc;
pub mod saml;
pub mod secrets;
pub mod scim;
pub mod service;
pub mod startup;
pub mod state;
pub mod store;
pub mod templates;

pub use api::build_app;
pub use config::Config;
pub use state::AppState;
