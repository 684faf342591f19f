//! The audit log: who changed what, when, with the values before and after. Written in the same
//! transaction as the change it records.

use chrono::{DateTime, NaiveDate, Utc};
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

/// The journal's filters; empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    /// Part of the actor's name or address.
    pub actor: Option<String>,
    pub action: Option<String>,
    /// Inclusive days, in UTC.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditPage {
    pub events: Vec<AuditEvent>,
    pub total: u64,
}

fn day_start(date: NaiveDate) -> DateTime<Utc> {
    date.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

impl Store {
    /// One page of the journal, newest first.
    pub async fn audit_journal(&self, filter: &AuditFilter) -> Result<AuditPage, StoreError> {
        let per_page = filter.per_page.clamp(1, 200);
        let offset = i64::from(filter.page.max(1) - 1) * i64::from(per_page);
        let actor = filter.actor.as_ref().map(|a| format!("%{}%", a.to_lowercase().replace(['%', '_'], "")));
        let from = filter.from.map(day_start);
        let to = filter.to.and_then(|d| d.succ_opt()).map(day_start);
        const WHERE: &str = "WHERE ($1 IS NULL OR entity = $1) AND ($2 IS NULL OR entity_id = $2) \
             AND ($3 IS NULL OR LOWER(actor) LIKE $3) AND ($4 IS NULL OR action = $4) \
             AND ($5 IS NULL OR at >= $5) AND ($6 IS NULL OR at < $6)";
        on_pool!(self, pool => {
            let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM audit_events {WHERE}")))
                .bind(filter.entity.as_deref())
                .bind(filter.entity_id.as_deref())
                .bind(actor.as_deref())
                .bind(filter.action.as_deref())
                .bind(from)
                .bind(to)
                .fetch_one(pool)
                .await?;
            let events = sqlx::query_as::<_, AuditEvent>(sqlx::AssertSqlSafe(format!(
                "SELECT id, at, actor, entity, entity_id, action, before, after FROM audit_events {WHERE} ORDER BY id DESC LIMIT $7 OFFSET $8"
            )))
            .bind(filter.entity.as_deref())
            .bind(filter.entity_id.as_deref())
            .bind(actor.as_deref())
            .bind(filter.action.as_deref())
            .bind(from)
            .bind(to)
            .bind(i64::from(per_page))
            .bind(offset)
            .fetch_all(pool)
            .await?;
            Ok(AuditPage { events, total: total as u64 })
        })
    }

    /// The event with this id.
    pub async fn audit_event(&self, id: i64) -> Result<Option<AuditEvent>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as::<_, AuditEvent>(
                "SELECT id, at, actor, entity, entity_id, action, before, after FROM audit_events WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?)
        })
    }
}
