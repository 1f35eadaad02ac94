//! Domains orgs claim, and which of them are verified.

use super::{Page, PageQuery, Store, Tx, conflict};
use super::{StoreError, StoreResult};
use orgkit_core::ErrorCode;
use orgkit_core::domain::{DomainProof, DomainStatus};
use sqlx::AssertSqlSafe;

/// A claim as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DomainRow {
    /// Id.
    pub id: String,
    /// Tenant.
    pub tenant_id: String,
    /// The claiming org.
    pub org_id: String,
    /// The domain, normalised.
    pub domain: String,
    /// The challenge token.
    pub token: String,
    /// `pending` or `verified`.
    pub status: String,
    /// `dns` or `operator`, when verified.
    pub proof: Option<String>,
    /// When it was last verified, unix seconds.
    pub verified_at: Option<i64>,
    /// Created, unix seconds.
    pub created_at: i64,
}

impl DomainRow {
    /// The status, as core names it.
    pub fn status(&self) -> StoreResult<DomainStatus> {
        serde_json::from_value(serde_json::Value::String(self.status.clone())).map_err(StoreError::corrupt)
    }

    /// What proved it, as core names it.
    pub fn proof(&self) -> StoreResult<Option<DomainProof>> {
        self.proof.as_ref().map(|p| serde_json::from_value(serde_json::Value::String(p.clone()))).transpose().map_err(StoreError::corrupt)
    }
}

/// The snake_case name core gives a status or a proof, as stored.
pub fn code_name<T: serde::Serialize>(v: &T) -> StoreResult<String> {
    match serde_json::to_value(v).map_err(StoreError::corrupt)? {
        serde_json::Value::String(s) => Ok(s),
        other => Err(StoreError::corrupt(format!("not a name: {other}"))),
    }
}

const COLUMNS: &str = "id, tenant_id, org_id, domain, token, status, proof, verified_at, created_at";

impl Store {
    /// Inserts a claim; one the org already has, or a second verified holder, is `domain_taken`.
    pub async fn insert_domain(&self, tx: &mut Tx, row: &DomainRow, now: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO org_domains (id, tenant_id, org_id, domain, token, status, proof, verified_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&row.id)
        .bind(&row.tenant_id)
        .bind(&row.org_id)
        .bind(&row.domain)
        .bind(&row.token)
        .bind(&row.status)
        .bind(row.proof.clone())
        .bind(row.verified_at)
        .bind(row.created_at)
        .bind(now)
        .execute(&mut **tx)
        .await
        .map_err(|e| {
            conflict(e, |which| {
                Some(if which.contains("verified") {
                    (ErrorCode::DomainTaken, "this domain is verified by another organization")
                } else {
                    (ErrorCode::DomainTaken, "the organization has already claimed this domain")
                })
            })
        })?;
        Ok(())
    }

    /// A claim of an org.
    pub async fn domain(&self, org_id: &str, id: &str) -> StoreResult<Option<DomainRow>> {
        let sql = format!("SELECT {COLUMNS} FROM org_domains WHERE org_id = $1 AND id = $2");
        Ok(sqlx::query_as(AssertSqlSafe(sql)).bind(org_id).bind(id).fetch_optional(self.pool()).await?)
    }

    /// A claim of an org, locked.
    pub async fn lock_domain(&self, tx: &mut Tx, org_id: &str, id: &str) -> StoreResult<Option<DomainRow>> {
        let sql = format!("SELECT {COLUMNS} FROM org_domains WHERE org_id = $1 AND id = $2{}", self.for_update());
        Ok(sqlx::query_as(AssertSqlSafe(sql)).bind(org_id).bind(id).fetch_optional(&mut **tx).await?)
    }

    /// The claim of another org of the tenant that holds `domain` verified, locked.
    pub async fn verified_holder(&self, tx: &mut Tx, tenant_id: &str, domain: &str, org_id: &str) -> StoreResult<Option<DomainRow>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM org_domains WHERE tenant_id = $1 AND domain = $2 AND status = 'verified' AND org_id <> $3{}",
            self.for_update()
        );
        Ok(sqlx::query_as(AssertSqlSafe(sql)).bind(tenant_id).bind(domain).bind(org_id).fetch_optional(&mut **tx).await?)
    }

    /// A page of an org's claims.
    pub async fn list_domains(&self, org_id: &str, page: &PageQuery) -> StoreResult<Page<DomainRow>> {
        let sql = format!("SELECT {COLUMNS} FROM org_domains WHERE org_id = $1 AND id > $2 ORDER BY id LIMIT $3");
        let rows: Vec<DomainRow> =
            sqlx::query_as(AssertSqlSafe(sql)).bind(org_id).bind(&page.after).bind(page.fetch()).fetch_all(self.pool()).await?;
        Ok(page.page(rows, |r| &r.id))
    }

    /// Sets a claim's status (and its proof, `None` unless verified).
    pub async fn set_domain_status(&self, tx: &mut Tx, id: &str, status: DomainStatus, proof: Option<DomainProof>, now: i64) -> StoreResult<()> {
        let verified_at = (status == DomainStatus::Verified).then_some(now);
        sqlx::query("UPDATE org_domains SET status = $1, proof = $2, verified_at = $3, updated_at = $4 WHERE id = $5")
            .bind(code_name(&status)?)
            .bind(proof.as_ref().map(code_name).transpose()?)
            .bind(verified_at)
            .bind(now)
            .bind(id)
            .execute(&mut **tx)
            .await
            .map_err(|e| conflict(e, |_| Some((ErrorCode::DomainTaken, "this domain is verified by another organization"))))?;
        Ok(())
    }

    /// Deletes a claim.
    pub async fn delete_domain(&self, tx: &mut Tx, id: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM org_domains WHERE id = $1").bind(id).execute(&mut **tx).await?;
        Ok(())
    }

    /// The domains an org has verified.
    pub async fn verified_domains(&self, org_id: &str) -> StoreResult<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT domain FROM org_domains WHERE org_id = $1 AND status = 'verified' ORDER BY domain")
            .bind(org_id)
            .fetch_all(self.pool())
            .await?)
    }

    /// The domains an org has verified, read in a transaction.
    pub async fn verified_domains_tx(&self, tx: &mut Tx, org_id: &str) -> StoreResult<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT domain FROM org_domains WHERE org_id = $1 AND status = 'verified' ORDER BY domain")
            .bind(org_id)
            .fetch_all(&mut **tx)
            .await?)
    }

    /// The org's claim on `domain` (pending or verified), locked.
    pub async fn org_claim(&self, tx: &mut Tx, org_id: &str, domain: &str) -> StoreResult<Option<DomainRow>> {
        let sql = format!("SELECT {COLUMNS} FROM org_domains WHERE org_id = $1 AND domain = $2{}", self.for_update());
        Ok(sqlx::query_as(AssertSqlSafe(sql)).bind(org_id).bind(domain).fetch_optional(&mut **tx).await?)
    }
}
