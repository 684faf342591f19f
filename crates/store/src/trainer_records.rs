//! What is kept about each trainer: documents (CV, qualifications; the file's bytes stored in the
//! row) and declared unavailabilities, which planning reads for conflicts.

use chrono::{DateTime, NaiveDate, Utc};
use forma_domain::directory::{DocumentKind, NewDocument, NewUnavailability};
use serde::Serialize;
use serde_json::json;

use crate::audit::record;
use crate::error::conflict_or_missing;
use crate::{Store, StoreError, now, on_pool};

/// A document without its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrainerDocument {
    pub id: i64,
    pub trainer_id: i64,
    pub kind: DocumentKind,
    pub title: String,
    pub filename: String,
    pub content_type: String,
    pub size: u64,
    pub valid_until: Option<NaiveDate>,
    pub uploaded_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct DocumentRow {
    id: i64,
    trainer_id: i64,
    kind: String,
    title: String,
    filename: String,
    content_type: String,
    size: i64,
    valid_until: Option<NaiveDate>,
    uploaded_at: DateTime<Utc>,
}

impl From<DocumentRow> for TrainerDocument {
    fn from(r: DocumentRow) -> TrainerDocument {
        TrainerDocument {
            id: r.id,
            trainer_id: r.trainer_id,
            // The column's CHECK admits only known kinds.
            kind: DocumentKind::parse(&r.kind).unwrap_or(DocumentKind::Other),
            title: r.title,
            filename: r.filename,
            content_type: r.content_type,
            size: u64::try_from(r.size).unwrap_or(0),
            valid_until: r.valid_until,
            uploaded_at: r.uploaded_at,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Unavailability {
    pub id: i64,
    pub trainer_id: i64,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub reason: String,
}

const DOCUMENT_COLUMNS: &str = "SELECT id, trainer_id, kind, title, filename, content_type, size, valid_until, uploaded_at FROM trainer_documents";
const UNAVAILABILITY_COLUMNS: &str = "SELECT id, trainer_id, first_day, last_day, reason FROM trainer_unavailabilities";

fn document_json(d: &TrainerDocument) -> serde_json::Value {
    json!({ "trainer_id": d.trainer_id, "kind": d.kind, "title": d.title, "filename": d.filename, "content_type": d.content_type, "size": d.size, "valid_until": d.valid_until })
}

impl Store {
    pub async fn add_trainer_document(&self, trainer_id: i64, document: &NewDocument, actor: &str) -> Result<i64, StoreError> {
        let after = json!({
            "trainer_id": trainer_id,
            "kind": document.kind,
            "title": document.title,
            "filename": document.filename,
            "content_type": document.content_type,
            "size": document.content.len(),
            "valid_until": document.valid_until,
        });
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO trainer_documents (trainer_id, kind, title, filename, content_type, content, size, valid_until, uploaded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(trainer_id)
            .bind(document.kind.as_str())
            .bind(&document.title)
            .bind(&document.filename)
            .bind(document.content_type)
            .bind(&document.content)
            .bind(document.content.len() as i64)
            .bind(document.valid_until)
            .bind(now())
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| conflict_or_missing(e, "Ce document existe déjà.", "formateur"))?;
            record!(tx, actor, "trainer_document", id.to_string(), "create", None::<serde_json::Value>, Some(after))?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// A trainer's documents, newest first, without their bytes.
    pub async fn trainer_documents(&self, trainer_id: i64) -> Result<Vec<TrainerDocument>, StoreError> {
        let rows = on_pool!(self, pool => {
            sqlx::query_as::<_, DocumentRow>(sqlx::AssertSqlSafe(format!("{DOCUMENT_COLUMNS} WHERE trainer_id = $1 ORDER BY uploaded_at DESC, id DESC")))
                .bind(trainer_id)
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(TrainerDocument::from).collect())
    }

    /// One document with its bytes.
    pub async fn trainer_document(&self, id: i64) -> Result<Option<(TrainerDocument, Vec<u8>)>, StoreError> {
        let row = on_pool!(self, pool => {
            let row = sqlx::query_as::<_, DocumentRow>(sqlx::AssertSqlSafe(format!("{DOCUMENT_COLUMNS} WHERE id = $1"))).bind(id).fetch_optional(pool).await?;
            match row {
                Some(row) => {
                    let content: Vec<u8> = sqlx::query_scalar("SELECT content FROM trainer_documents WHERE id = $1").bind(id).fetch_one(pool).await?;
                    Some((row, content))
                }
                None => None,
            }
        });
        Ok(row.map(|(r, content)| (r.into(), content)))
    }

    /// Deletes a document; returns its trainer's id.
    pub async fn delete_trainer_document(&self, id: i64, actor: &str) -> Result<i64, StoreError> {
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let document: TrainerDocument = sqlx::query_as::<_, DocumentRow>(sqlx::AssertSqlSafe(format!("{DOCUMENT_COLUMNS} WHERE id = $1")))
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("document {id}")))?
                .into();
            sqlx::query("DELETE FROM trainer_documents WHERE id = $1").bind(id).execute(&mut *tx).await?;
            record!(tx, actor, "trainer_document", id.to_string(), "delete", Some(document_json(&document)), None::<serde_json::Value>)?;
            tx.commit().await?;
            Ok(document.trainer_id)
        })
    }

    pub async fn add_unavailability(&self, trainer_id: i64, unavailability: &NewUnavailability, actor: &str) -> Result<i64, StoreError> {
        let mut after = serde_json::to_value(unavailability).unwrap_or_default();
        after["trainer_id"] = trainer_id.into();
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO trainer_unavailabilities (trainer_id, first_day, last_day, reason) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(trainer_id)
            .bind(unavailability.first_day)
            .bind(unavailability.last_day)
            .bind(&unavailability.reason)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| conflict_or_missing(e, "Cette indisponibilité existe déjà.", "formateur"))?;
            record!(tx, actor, "trainer_unavailability", id.to_string(), "create", None::<serde_json::Value>, Some(after))?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// A trainer's unavailabilities in date order.
    pub async fn trainer_unavailabilities(&self, trainer_id: i64) -> Result<Vec<Unavailability>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as::<_, Unavailability>(sqlx::AssertSqlSafe(format!("{UNAVAILABILITY_COLUMNS} WHERE trainer_id = $1 ORDER BY first_day, id")))
                .bind(trainer_id)
                .fetch_all(pool)
                .await?)
        })
    }

    /// Deletes an unavailability; returns its trainer's id.
    pub async fn delete_unavailability(&self, id: i64, actor: &str) -> Result<i64, StoreError> {
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let unavailability = sqlx::query_as::<_, Unavailability>(sqlx::AssertSqlSafe(format!("{UNAVAILABILITY_COLUMNS} WHERE id = $1")))
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("indisponibilité {id}")))?;
            sqlx::query("DELETE FROM trainer_unavailabilities WHERE id = $1").bind(id).execute(&mut *tx).await?;
            record!(tx, actor, "trainer_unavailability", id.to_string(), "delete", serde_json::to_value(&unavailability).ok(), None::<serde_json::Value>)?;
            tx.commit().await?;
            Ok(unavailability.trainer_id)
        })
    }

    /// Every unavailability that overlaps `first..=last`, as (trainer id, first day, last day,
    /// reason), by trainer then date: what planning checks a day against.
    pub async fn unavailabilities_between(&self, first: NaiveDate, last: NaiveDate) -> Result<Vec<(i64, NaiveDate, NaiveDate, String)>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as(
                "SELECT trainer_id, first_day, last_day, reason FROM trainer_unavailabilities \
                 WHERE last_day >= $1 AND first_day <= $2 ORDER BY trainer_id, first_day, id",
            )
            .bind(first)
            .bind(last)
            .fetch_all(pool)
            .await?)
        })
    }
}
