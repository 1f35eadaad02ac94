//! Server tests through poem's test client, each scenario on SQLite and (when
//! `ORGKIT_TEST_POSTGRES_URL` is set) on PostgreSQL.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

mod auth;
mod cli;
mod connections;
mod domains;
mod email_verification;
mod errors;
mod invitations;
mod login_page;
mod manage_orgs;
mod management_keys;
mod members;
mod metrics;
mod mfa;
mod operations;
mod portal;
mod rate_limits;
mod request_context;
mod sessions;
mod sso;
mod user_orgs;
mod webhooks;
