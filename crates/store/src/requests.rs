//! Training requests and the answer promised within the program's access delay.

use chrono::NaiveDate;
use forma_domain::ProgramKind;
use forma_domain::access_delay::{Deadline, deadline};
use forma_domain::request::{AnswerChannel, NewRequest, Outcome};
use serde::Serialize;

use crate::audit::record;
use crate::{Store, StoreError, now, on_pool};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestRow {
    pub id: i64,
    pub client_id: i64,
    pub client_name: String,
    pub program_slug: String,
    pub program_title: String,
    pub kind: ProgramKind,
    pub seats: Option<u32>,
    pub received_on: NaiveDate,
    pub due_on: NaiveDate,
    pub contact: String,
    pub message: String,
    pub answered_on: Option<NaiveDate>,
    pub answer_channel: Option<AnswerChannel>,
    pub answer: String,
    pub outcome: Option<Outcome>,
    pub session_id: Option<i64>,
}

impl RequestRow {
    pub fn deadline(&self, today: NaiveDate) -> Deadline {
        deadline(self.due_on, self.answered_on, today)
    }
}

/// How an answer was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answer {
    pub answered_on: NaiveDate,
    pub channel: AnswerChannel,
    pub outcome: Outcome,
    pub text: String,
    pub session_id: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    client_id: i64,
    client_name: String,
    slug: String,
    title: String,
    kind: String,
    seats: Option<i64>,
    received_on: NaiveDate,
    due_on: NaiveDate,
    contact: String,
    message: String,
    answered_on: Option<NaiveDate>,
    answer_channel: Option<String>,
    answer: String,
    outcome: Option<String>,
    session_id: Option<i64>,
}

const SELECT: &str = "SELECT r.id, r.client_id, c.name AS client_name, p.slug, p.title, r.kind, r.seats, r.received_on, r.due_on, \
     r.contact, r.message, r.answered_on, r.answer_channel, r.answer, r.outcome, r.session_id \
     FROM requests r JOIN clients c ON c.id = r.client_id JOIN programs p ON p.id = r.program_id";

impl From<Row> for RequestRow {
    fn from(r: Row) -> Self {
        RequestRow {
            id: r.id,
            client_id: r.client_id,
            client_name: r.client_name,
            program_slug: r.slug,
            program_title: r.title,
            kind: ProgramKind::parse(&r.kind).unwrap_or(ProgramKind::Intra),
            seats: r.seats.and_then(|s| u32::try_from(s).ok()),
            received_on: r.received_on,
            due_on: r.due_on,
            contact: r.contact,
            message: r.message,
            answered_on: r.answered_on,
            answer_channel: r.answer_channel.as_deref().and_then(AnswerChannel::parse),
            answer: r.answer,
            outcome: r.outcome.as_deref().and_then(Outcome::parse),
            session_id: r.session_id,
        }
    }
}

impl Store {
    /// Records a request with its promised answer date (computed by the caller from the sheet).
    pub async fn create_request(&self, request: &NewRequest, due_on: NaiveDate, actor: &str) -> Result<i64, StoreError> {
        let after = serde_json::json!({
            "client_id": request.client_id, "program": request.program_slug, "kind": request.kind.as_str(), "seats": request.seats,
            "received_on": request.received_on, "due_on": due_on, "contact": request.contact, "message": request.message,
        });
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let program_id: i64 = sqlx::query_scalar("SELECT id FROM programs WHERE slug = $1")
                .bind(&request.program_slug)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| StoreError::UnknownProgram(request.program_slug.clone()))?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO requests (client_id, program_id, kind, seats, received_on, due_on, contact, message, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(request.client_id)
            .bind(program_id)
            .bind(request.kind.as_str())
            .bind(request.seats.map(i64::from))
            .bind(request.received_on)
            .bind(due_on)
            .bind(request.contact.trim())
            .bind(request.message.trim())
            .bind(now())
            .fetch_one(&mut *tx)
            .await?;
            record!(tx, actor, "request", id.to_string(), "create", None::<serde_json::Value>, Some(after))?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Requests, the open ones first by due date, then the answered ones most recent first.
    pub async fn requests(&self, open_only: bool) -> Result<Vec<RequestRow>, StoreError> {
        let rows: Vec<Row> = on_pool!(self, pool => {
            sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(format!(
                "{SELECT} WHERE ($1 = FALSE OR r.answered_on IS NULL) \
                 ORDER BY CASE WHEN r.answered_on IS NULL THEN 0 ELSE 1 END, \
                 CASE WHEN r.answered_on IS NULL THEN r.due_on END, r.answered_on DESC, r.id DESC"
            )))
            .bind(open_only)
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(RequestRow::from).collect())
    }

    pub async fn request(&self, id: i64) -> Result<Option<RequestRow>, StoreError> {
        let row: Option<Row> = on_pool!(self, pool => {
            sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(format!("{SELECT} WHERE r.id = $1"))).bind(id).fetch_optional(pool).await?
        });
        Ok(row.map(RequestRow::from))
    }

    /// The requests a session was planned for (an INTER session may gather several).
    pub async fn session_requests(&self, session_id: i64) -> Result<Vec<RequestRow>, StoreError> {
        let rows: Vec<Row> = on_pool!(self, pool => {
            sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(format!("{SELECT} WHERE r.session_id = $1 ORDER BY r.id")))
                .bind(session_id)
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(RequestRow::from).collect())
    }

    /// Records the answer (once; a second answer is refused).
    pub async fn answer_request(&self, id: i64, answer: &Answer, actor: &str) -> Result<(), StoreError> {
        let after = serde_json::to_value(answer).ok();
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let changed = sqlx::query(
                "UPDATE requests SET answered_on = $1, answer_channel = $2, outcome = $3, answer = $4, session_id = COALESCE($5, session_id) \
                 WHERE id = $6 AND answered_on IS NULL AND received_on <= $1",
            )
            .bind(answer.answered_on)
            .bind(answer.channel.as_str())
            .bind(answer.outcome.as_str())
            .bind(answer.text.trim())
            .bind(answer.session_id)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed == 0 {
                return Err(StoreError::Conflict(
                    "Cette demande a déjà reçu une réponse, ou la date de réponse précède sa réception.".into(),
                ));
            }
            record!(tx, actor, "request", id.to_string(), "answer", None::<serde_json::Value>, after)?;
            tx.commit().await?;
            Ok(())
        })
    }
}
