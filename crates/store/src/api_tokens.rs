//! API tokens: named, scoped, revocable; stored only as the hash of the secret.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use crate::audit::record;
use crate::{Store, StoreError, now, on_pool};

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    /// Space-separated.
    pub scopes: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl ApiToken {
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.split_whitespace().any(|s| s == scope)
    }
}

const TOKEN_COLUMNS: &str = "id, name, scopes, created_by, created_at, last_used_at, revoked_at";

impl Store {
    pub async fn create_api_token(&self, name: &str, token_hash: &str, scopes: &[&str], actor: &str) -> Result<i64, StoreError> {
        let scopes = scopes.join(" ");
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO api_tokens (name, token_hash, scopes, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(name)
            .bind(token_hash)
            .bind(&scopes)
            .bind(actor)
            .bind(now())
            .fetch_one(&mut *tx)
            .await?;
            record!(tx, actor, "api_token", id.to_string(), "create", None::<serde_json::Value>, Some(json!({ "name": name, "scopes": scopes })))?;
            tx.commit().await?;
            Ok(id)
        })
    }

    pub async fn api_tokens(&self) -> Result<Vec<ApiToken>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as::<_, ApiToken>(sqlx::AssertSqlSafe(format!("SELECT {TOKEN_COLUMNS} FROM api_tokens ORDER BY id DESC"))).fetch_all(pool).await?)
        })
    }

    pub async fn revoke_api_token(&self, id: i64, actor: &str) -> Result<bool, StoreError> {
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let done = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(now())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() > 0 {
                record!(tx, actor, "api_token", id.to_string(), "revoke", None::<serde_json::Value>, None::<serde_json::Value>)?;
            }
            tx.commit().await?;
            Ok(done.rows_affected() > 0)
        })
    }

    /// The live token with this hash, marking it used.
    pub async fn api_token_by_hash(&self, token_hash: &str) -> Result<Option<ApiToken>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as::<_, ApiToken>(sqlx::AssertSqlSafe(format!(
                "UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL RETURNING {TOKEN_COLUMNS}"
            )))
            .bind(now())
            .bind(token_hash)
            .fetch_optional(pool)
            .await?)
        })
    }
}
