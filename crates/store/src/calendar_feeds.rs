//! Secret iCalendar feed addresses, per trainer, session or venue. The token is stored hashed and
//! shown once; a feed expires after a year unless renewed, and can be revoked.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::audit::record;
use crate::bookings::CalendarScope;
use crate::{Store, StoreError, now, on_pool};

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct CalendarFeed {
    pub id: i64,
    pub scope: String,
    pub target_id: i64,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl CalendarFeed {
    pub fn is_live(&self, at: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.expires_at > at
    }
}

impl Store {
    /// Records a feed whose token hashes to `token_hash`.
    pub async fn create_calendar_feed(&self, scope: CalendarScope, token_hash: &str, expires_at: DateTime<Utc>, actor: &str) -> Result<i64, StoreError> {
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO calendar_feeds (scope, target_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(scope.as_str())
            .bind(scope.target())
            .bind(token_hash)
            .bind(now())
            .bind(expires_at)
            .fetch_one(&mut *tx)
            .await?;
            let after = serde_json::json!({ "scope": scope.as_str(), "target_id": scope.target(), "expires_at": expires_at });
            record!(tx, actor, "calendar_feed", id.to_string(), "create", None::<serde_json::Value>, Some(after))?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// The calendar a live token opens.
    pub async fn calendar_feed_scope(&self, token_hash: &str) -> Result<Option<CalendarScope>, StoreError> {
        let row: Option<(String, i64)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT scope, target_id FROM calendar_feeds WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2")
                .bind(token_hash)
                .bind(now())
                .fetch_optional(pool)
                .await?
        });
        Ok(row.and_then(|(scope, id)| CalendarScope::from_parts(&scope, id)))
    }

    pub async fn calendar_feeds(&self, scope: CalendarScope) -> Result<Vec<CalendarFeed>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as::<_, CalendarFeed>(
                "SELECT id, scope, target_id, created_at, expires_at, revoked_at FROM calendar_feeds \
                 WHERE scope = $1 AND target_id = $2 ORDER BY id DESC",
            )
            .bind(scope.as_str())
            .bind(scope.target())
            .fetch_all(pool)
            .await?)
        })
    }

    pub async fn revoke_calendar_feed(&self, id: i64, actor: &str) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let changed = sqlx::query("UPDATE calendar_feeds SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(now())
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if changed == 0 {
                return Err(StoreError::NotFound(format!("flux d'agenda n° {id}")));
            }
            record!(tx, actor, "calendar_feed", id.to_string(), "revoke", None::<serde_json::Value>, None::<serde_json::Value>)?;
            tx.commit().await?;
            Ok(())
        })
    }
}
