//! The assessment of what each trainee of a session learnt (JSON `assessment::Assessment`),
//! saved for the whole session's grid at once.

use chrono::{DateTime, Utc};

use crate::audit::record;
use crate::{Store, StoreError, on_pool};

/// A trainee's stored assessment.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct AssessmentRow {
    pub registration_id: i64,
    pub body: String,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

impl Store {
    /// A session's assessments, by registration.
    pub async fn session_assessments(&self, session_id: i64) -> Result<Vec<AssessmentRow>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as("SELECT registration_id, body, updated_at, updated_by FROM assessments WHERE session_id = $1 ORDER BY registration_id")
                .bind(session_id)
                .fetch_all(pool)
                .await?)
        })
    }

    /// Saves a session's grid in one transaction: each registration's new assessment (None
    /// removes it). Only the ones that change are written and journaled, with before and after.
    pub async fn save_assessments(&self, session_id: i64, grid: &[(i64, Option<String>)], actor: &str) -> Result<usize, StoreError> {
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let mut changed = 0;
            for (registration_id, body) in grid {
                let before: Option<String> =
                    sqlx::query_scalar("SELECT body FROM assessments WHERE registration_id = $1 AND session_id = $2")
                        .bind(registration_id)
                        .bind(session_id)
                        .fetch_optional(&mut *tx)
                        .await?;
                if before == *body {
                    continue;
                }
                match body {
                    Some(body) => {
                        sqlx::query(
                            "INSERT INTO assessments (registration_id, session_id, body, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5) \
                             ON CONFLICT (registration_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                        )
                        .bind(registration_id)
                        .bind(session_id)
                        .bind(body)
                        .bind(crate::now())
                        .bind(actor)
                        .execute(&mut *tx)
                        .await?;
                    }
                    None => {
                        sqlx::query("DELETE FROM assessments WHERE registration_id = $1").bind(registration_id).execute(&mut *tx).await?;
                    }
                }
                let json = |b: &Option<String>| b.as_deref().and_then(|b| serde_json::from_str::<serde_json::Value>(b).ok());
                record!(tx, actor, "registration", registration_id.to_string(), "assessment", json(&before), json(body))?;
                changed += 1;
            }
            tx.commit().await?;
            Ok(changed)
        })
    }
}
