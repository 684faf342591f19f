//! Archives prepared in the background (a session's certificates as one ZIP): their progress and,
//! once ready, their file, readable from any node.

use chrono::{DateTime, Duration, Utc};

use crate::audit::record;
use crate::{Store, StoreError, on_pool};

/// An archive without its file.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ArchiveRow {
    pub id: i64,
    pub session_id: i64,
    pub requested_by: String,
    pub total: i64,
    pub done: i64,
    /// `running`, `ready` or `failed`.
    pub status: String,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// How long an archive is kept.
const KEPT_HOURS: i64 = 24;

impl Store {
    /// Starts an archive of `total` files for a session, journaled; the archives older than a
    /// day go.
    pub async fn create_archive(&self, session_id: i64, total: i64, actor: &str) -> Result<i64, StoreError> {
        let at = crate::now();
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            sqlx::query("DELETE FROM archives WHERE created_at < $1").bind(at - Duration::hours(KEPT_HOURS)).execute(&mut *tx).await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO archives (session_id, requested_by, total, done, status, created_at, updated_at) VALUES ($1, $2, $3, 0, 'running', $4, $4) RETURNING id",
            )
            .bind(session_id)
            .bind(actor)
            .bind(total)
            .bind(at)
            .fetch_one(&mut *tx)
            .await?;
            let after = serde_json::json!({ "archive_id": id, "documents": total });
            record!(tx, actor, "session", session_id.to_string(), "certificates_archive", None::<serde_json::Value>, Some(after))?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// How many files are laid out so far.
    pub async fn archive_progress(&self, id: i64, done: i64) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE archives SET done = $1, updated_at = $2 WHERE id = $3 AND status = 'running'").bind(done).bind(crate::now()).bind(id).execute(pool).await?;
            Ok(())
        })
    }

    /// The archive is ready: its file, or why it failed (`Err`, in French).
    pub async fn finish_archive(&self, id: i64, result: Result<&[u8], &str>) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let query = match result {
                Ok(file) => sqlx::query("UPDATE archives SET status = 'ready', done = total, file = $1, updated_at = $2 WHERE id = $3").bind(file.to_vec()),
                Err(message) => sqlx::query("UPDATE archives SET status = 'failed', error = $1, updated_at = $2 WHERE id = $3").bind(message.to_owned()),
            };
            query.bind(crate::now()).bind(id).execute(pool).await?;
            Ok(())
        })
    }

    pub async fn archive(&self, id: i64) -> Result<Option<ArchiveRow>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as::<_, ArchiveRow>(
                "SELECT id, session_id, requested_by, total, done, status, error, created_at, updated_at FROM archives WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// A ready archive's session and file.
    pub async fn archive_file(&self, id: i64) -> Result<Option<(i64, Vec<u8>)>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as("SELECT session_id, file FROM archives WHERE id = $1 AND status = 'ready' AND file IS NOT NULL")
                .bind(id)
                .fetch_optional(pool)
                .await?)
        })
    }
}
