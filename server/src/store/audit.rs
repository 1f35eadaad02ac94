//! The audit log: every change, written in the transaction that makes it.

use super::{Page, PageQuery, Store, Tx, new_id};
use super::StoreResult;
use crate::request::RequestContext;

/// One audit entry.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRow {
    /// Id (time-ordered).
    pub id: String,
    /// Org concerned, if any.
    pub org_id: Option<String>,
    /// `user:<id>` or `management_key`.
    pub actor: String,
    /// What happened, e.g. `member.role_changed`.
    pub action: String,
    /// What it happened to, e.g. `user:<id>`.
    pub target: Option<String>,
    /// When, unix seconds.
    pub created_at: i64,
    /// The client address of the request that made the change (none from the CLI).
    pub client_address: Option<String>,
    /// The User-Agent of that request.
    pub user_agent: Option<String>,
}

/// What to record.
#[derive(Debug, Clone)]
pub struct AuditEntry<'a> {
    /// Tenant.
    pub tenant_id: &'a str,
    /// Org, if any.
    pub org_id: Option<&'a str>,
    /// Who.
    pub actor: &'a str,
    /// What.
    pub action: &'a str,
    /// On what.
    pub target: Option<String>,
}

impl Store {
    /// Appends an audit entry, with the client address and User-Agent of the request being
    /// served.
    pub async fn audit(&self, tx: &mut Tx, entry: AuditEntry<'_>, now: i64) -> StoreResult<()> {
        let request = RequestContext::current();
        let client_address = request.as_ref().and_then(RequestContext::client_text);
        let user_agent = request.as_ref().and_then(RequestContext::user_agent_text);
        sqlx::query(
            "INSERT INTO audit_log (id, tenant_id, org_id, actor, action, target, created_at, client_address, user_agent) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(new_id())
        .bind(entry.tenant_id)
        .bind(entry.org_id)
        .bind(entry.actor)
        .bind(entry.action)
        .bind(entry.target)
        .bind(now)
        .bind(client_address)
        .bind(user_agent)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// A page of an org's audit log, oldest first.
    pub async fn list_audit(&self, org_id: &str, page: &PageQuery) -> StoreResult<Page<AuditRow>> {
        let rows: Vec<AuditRow> = sqlx::query_as(
            "SELECT id, org_id, actor, action, target, created_at, client_address, user_agent FROM audit_log \
             WHERE org_id = $1 AND id > $2 ORDER BY id LIMIT $3",
        )
        .bind(org_id)
        .bind(&page.after)
        .bind(page.fetch())
        .fetch_all(self.pool())
        .await?;
        Ok(page.page(rows, |r| &r.id))
    }
}
