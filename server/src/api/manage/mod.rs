//! The management API of seed 000: `/manage/v1/{tenant}/…`, authenticated by a management key.

pub mod audit;
pub mod connections;
pub mod domains;
pub mod events;
pub mod invitations;
pub mod members;
pub mod orgs;
pub mod portal;
pub mod scim;
pub mod settings;
pub mod users;
pub mod webhooks;
