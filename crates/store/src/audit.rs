//! The audit log: who changed what, when, with the values before and after. Written in the same
//! transaction as the change it records.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::types::Json;

use crate::{Store, StoreError, on_pool};

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct AuditEvent {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub entity: String,
    pub entity_id: String,
    pub action: String,
    pub before: Option<Json<serde_json::Value>>,
    pub after: Option<Json<serde_json::Value>>,
}

/// Appends one event inside the caller's transaction.
macro_rules! record {
    ($tx:expr, $actor:expr, $entity:expr, $entity_id:expr, $action:expr, $before:expr, $after:expr) => {
        sqlx::query(
            "INSERT INTO audit_events (at, actor, entity, entity_id, action, before, after) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind($crate::now())
        .bind($actor)
        .bind($entity)
        .bind($entity_id)
        .bind($action)
        .bind($before.map(sqlx::types::Json))
        .bind($after.map(sqlx::types::Json))
        .execute(&mut *$tx)
        .await
    };
}
pub(crate) use record;

impl Store {
    /// The most recent events first, optionally for one entity.
    pub async fn audit_events(&self, entity: Option<&str>, limit: i64) -> Result<Vec<AuditEvent>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as::<_, AuditEvent>(
                "SELECT id, at, actor, entity, entity_id, action, before, after FROM audit_events \
                 WHERE ($1 IS NULL OR entity = $1) ORDER BY id DESC LIMIT $2",
            )
            .bind(entity)
            .bind(limit)
            .fetch_all(pool)
            .await?)
        })
    }
}
