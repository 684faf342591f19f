//! Questionnaires written in the builder (one per program and kind, the built-in model
//! otherwise), and the client's and the trainer's responses about a session.

use chrono::{DateTime, Utc};
use forma_domain::evaluation::EvaluationKind;

use crate::audit::record;
use crate::{Store, StoreError, on_pool};

/// A questionnaire written for a program: its JSON (`evaluation::Questionnaire`), when and by
/// whom it was last saved.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct StoredQuestionnaire {
    pub kind: String,
    pub body: String,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

/// One response of a client or a trainer about a session.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct StakeholderResponse {
    pub id: i64,
    pub session_id: i64,
    pub kind: String,
    pub respondent_id: i64,
    pub answered_by: String,
    pub questionnaire: String,
    pub answers: String,
    pub updated_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
}

/// What to save of a client's or trainer's response.
#[derive(Debug, Clone)]
pub struct StakeholderDraft<'a> {
    pub session_id: i64,
    pub kind: EvaluationKind,
    pub respondent_id: i64,
    pub questionnaire: &'a str,
    pub answers: &'a str,
    pub submit: bool,
    pub at: DateTime<Utc>,
}

const STAKEHOLDER_COLUMNS: &str =
    "SELECT id, session_id, kind, respondent_id, answered_by, questionnaire, answers, updated_at, submitted_at FROM stakeholder_responses";

impl Store {
    /// The questionnaires written for a program, by kind.
    pub async fn program_questionnaires(&self, slug: &str) -> Result<Vec<StoredQuestionnaire>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as::<_, StoredQuestionnaire>(
                "SELECT q.kind, q.body, q.updated_at, q.updated_by FROM questionnaires q JOIN programs p ON p.id = q.program_id WHERE p.slug = $1 ORDER BY q.kind",
            )
            .bind(slug)
            .fetch_all(pool)
            .await?)
        })
    }

    /// The questionnaire written for a program and kind, if any.
    pub async fn program_questionnaire(&self, slug: &str, kind: EvaluationKind) -> Result<Option<StoredQuestionnaire>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as::<_, StoredQuestionnaire>(
                "SELECT q.kind, q.body, q.updated_at, q.updated_by FROM questionnaires q JOIN programs p ON p.id = q.program_id WHERE p.slug = $1 AND q.kind = $2",
            )
            .bind(slug)
            .bind(kind.as_str())
            .fetch_optional(pool)
            .await?)
        })
    }

    /// Saves a program's questionnaire of a kind (`body` already checked), journaled with the
    /// version it replaces. NotFound when the program does not exist.
    pub async fn save_questionnaire(&self, slug: &str, kind: EvaluationKind, body: &str, actor: &str) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let program: Option<i64> = sqlx::query_scalar("SELECT id FROM programs WHERE slug = $1").bind(slug).fetch_optional(&mut *tx).await?;
            let Some(program) = program else { return Err(StoreError::NotFound("la fiche".into())) };
            let before: Option<String> = sqlx::query_scalar("SELECT body FROM questionnaires WHERE program_id = $1 AND kind = $2")
                .bind(program)
                .bind(kind.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO questionnaires (program_id, kind, body, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (program_id, kind) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            )
            .bind(program)
            .bind(kind.as_str())
            .bind(body)
            .bind(crate::now())
            .bind(actor)
            .execute(&mut *tx)
            .await?;
            let json = |b: &str| serde_json::from_str::<serde_json::Value>(b).unwrap_or(serde_json::Value::Null);
            let after = serde_json::json!({ "kind": kind.as_str(), "questionnaire": json(body) });
            let before = before.map(|b| serde_json::json!({ "kind": kind.as_str(), "questionnaire": json(&b) }));
            record!(tx, actor, "program", slug.to_owned(), "questionnaire_save", before, Some(after))?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Goes back to the built-in model for a program and kind; false when there was nothing
    /// written.
    pub async fn delete_questionnaire(&self, slug: &str, kind: EvaluationKind, actor: &str) -> Result<bool, StoreError> {
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let before: Option<String> = sqlx::query_scalar(
                "SELECT q.body FROM questionnaires q JOIN programs p ON p.id = q.program_id WHERE p.slug = $1 AND q.kind = $2",
            )
            .bind(slug)
            .bind(kind.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            let Some(before) = before else { return Ok(false) };
            sqlx::query("DELETE FROM questionnaires WHERE kind = $1 AND program_id = (SELECT id FROM programs WHERE slug = $2)")
                .bind(kind.as_str())
                .bind(slug)
                .execute(&mut *tx)
                .await?;
            let json = serde_json::from_str::<serde_json::Value>(&before).unwrap_or(serde_json::Value::Null);
            let before = serde_json::json!({ "kind": kind.as_str(), "questionnaire": json });
            record!(tx, actor, "program", slug.to_owned(), "questionnaire_reset", Some(before), None::<serde_json::Value>)?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Saves the draft or sends the client's or trainer's response; a sent one cannot change.
    pub async fn save_stakeholder_response(&self, r: &StakeholderDraft<'_>, actor: &str) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let sent: Option<Option<DateTime<Utc>>> =
                sqlx::query_scalar("SELECT submitted_at FROM stakeholder_responses WHERE session_id = $1 AND kind = $2 AND respondent_id = $3")
                    .bind(r.session_id)
                    .bind(r.kind.as_str())
                    .bind(r.respondent_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if sent.flatten().is_some() {
                return Err(StoreError::Conflict("Ces réponses sont déjà envoyées : elles ne peuvent plus être modifiées.".into()));
            }
            sqlx::query(
                "INSERT INTO stakeholder_responses (session_id, kind, respondent_id, answered_by, questionnaire, answers, updated_at, submitted_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (session_id, kind, respondent_id) DO UPDATE SET answered_by = excluded.answered_by, questionnaire = excluded.questionnaire, \
                 answers = excluded.answers, updated_at = excluded.updated_at, submitted_at = excluded.submitted_at",
            )
            .bind(r.session_id)
            .bind(r.kind.as_str())
            .bind(r.respondent_id)
            .bind(actor)
            .bind(r.questionnaire)
            .bind(r.answers)
            .bind(r.at)
            .bind(r.submit.then_some(r.at))
            .execute(&mut *tx)
            .await?;
            let after = serde_json::json!({
                "kind": r.kind.as_str(),
                "respondent_id": r.respondent_id,
                "submitted": r.submit,
                "answers_length": r.answers.len(),
            });
            let action = if r.submit { "evaluation_submit" } else { "evaluation_draft" };
            record!(tx, actor, "session", r.session_id.to_string(), action, None::<serde_json::Value>, Some(after))?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// A session's client and trainer responses, drafts included, oldest first.
    pub async fn stakeholder_responses(&self, session_id: i64) -> Result<Vec<StakeholderResponse>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as::<_, StakeholderResponse>(sqlx::AssertSqlSafe(format!("{STAKEHOLDER_COLUMNS} WHERE session_id = $1 ORDER BY id")))
                .bind(session_id)
                .fetch_all(pool)
                .await?)
        })
    }

    /// The sessions where a client has (or had) confirmed agents.
    pub async fn sessions_with_client_agents(&self, client_id: i64) -> Result<Vec<i64>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_scalar(
                "SELECT DISTINCT r.session_id FROM registrations r JOIN trainees t ON t.id = r.trainee_id \
                 WHERE t.client_id = $1 AND r.status = 'confirmed' ORDER BY r.session_id",
            )
            .bind(client_id)
            .fetch_all(pool)
            .await?)
        })
    }

    /// The sessions a trainer leads at least one day of.
    pub async fn sessions_of_trainer(&self, trainer_id: i64) -> Result<Vec<i64>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_scalar(
                "SELECT DISTINCT d.session_id FROM session_days d JOIN session_day_trainers dt ON dt.day_id = d.id WHERE dt.trainer_id = $1 ORDER BY d.session_id",
            )
            .bind(trainer_id)
            .fetch_all(pool)
            .await?)
        })
    }
}
