//! Trainees' evaluation responses: a draft saved as often as they like, then sent once. The
//! questionnaire is stored with the answers, as it was answered.

use chrono::{DateTime, Utc};
use forma_domain::evaluation::EvaluationKind;

use crate::audit::record;
use crate::{Store, StoreError, on_pool};

/// One trainee's response to one questionnaire.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct EvaluationResponse {
    pub id: i64,
    pub registration_id: i64,
    pub session_id: i64,
    pub kind: String,
    /// The questionnaire as answered (JSON of `evaluation::Questionnaire`).
    pub questionnaire: String,
    /// The answers by question key (JSON of `evaluation::Answers`).
    pub answers: String,
    pub overall: Option<i64>,
    pub updated_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
}

/// What to save of a response.
#[derive(Debug, Clone)]
pub struct ResponseDraft<'a> {
    pub registration_id: i64,
    pub session_id: i64,
    pub kind: EvaluationKind,
    pub questionnaire: &'a str,
    pub answers: &'a str,
    /// Set when sending a hot evaluation: its overall satisfaction level.
    pub overall: Option<i64>,
    /// Sent (final) rather than kept as a draft.
    pub submit: bool,
    /// Now, except for the demo, which records a past session as it happened.
    pub at: DateTime<Utc>,
}

const COLUMNS: &str = "SELECT id, registration_id, session_id, kind, questionnaire, answers, overall, updated_at, submitted_at FROM evaluation_responses";

impl Store {
    /// Saves a draft or sends the response; a sent response cannot change any more.
    pub async fn save_evaluation(&self, r: &ResponseDraft<'_>, actor: &str) -> Result<(), StoreError> {
        let at = r.at;
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let sent: Option<Option<DateTime<Utc>>> = sqlx::query_scalar("SELECT submitted_at FROM evaluation_responses WHERE registration_id = $1 AND kind = $2")
                .bind(r.registration_id)
                .bind(r.kind.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            if sent.flatten().is_some() {
                return Err(StoreError::Conflict("Vos réponses à ce questionnaire sont déjà envoyées : elles ne peuvent plus être modifiées.".into()));
            }
            let submitted = r.submit.then_some(at);
            sqlx::query(
                "INSERT INTO evaluation_responses (registration_id, session_id, kind, questionnaire, answers, overall, updated_at, submitted_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (registration_id, kind) DO UPDATE SET questionnaire = excluded.questionnaire, answers = excluded.answers, \
                 overall = excluded.overall, updated_at = excluded.updated_at, submitted_at = excluded.submitted_at",
            )
            .bind(r.registration_id)
            .bind(r.session_id)
            .bind(r.kind.as_str())
            .bind(r.questionnaire)
            .bind(r.answers)
            .bind(r.overall.filter(|_| r.submit))
            .bind(at)
            .bind(submitted)
            .execute(&mut *tx)
            .await?;
            // The journal records that a response moved and how much was answered; the answers
            // themselves stay in their row.
            let after = serde_json::json!({
                "session_id": r.session_id,
                "kind": r.kind.as_str(),
                "submitted": r.submit,
                "answers_length": r.answers.len(),
            });
            let action = if r.submit { "evaluation_submit" } else { "evaluation_draft" };
            record!(tx, actor, "registration", r.registration_id.to_string(), action, None::<serde_json::Value>, Some(after))?;
            tx.commit().await?;
            Ok(())
        })
    }

    pub async fn evaluation_response(&self, registration_id: i64, kind: EvaluationKind) -> Result<Option<EvaluationResponse>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as::<_, EvaluationResponse>(sqlx::AssertSqlSafe(format!("{COLUMNS} WHERE registration_id = $1 AND kind = $2")))
                .bind(registration_id)
                .bind(kind.as_str())
                .fetch_optional(pool)
                .await?)
        })
    }

    /// A registration's responses, every kind.
    pub async fn registration_evaluations(&self, registration_id: i64) -> Result<Vec<EvaluationResponse>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as::<_, EvaluationResponse>(sqlx::AssertSqlSafe(format!("{COLUMNS} WHERE registration_id = $1 ORDER BY id")))
                .bind(registration_id)
                .fetch_all(pool)
                .await?)
        })
    }

    /// The overall satisfaction of every sent hot evaluation of the sessions each trainer led (at
    /// least one day) since `since`: (trainer, when it was sent, level), once per trainer.
    pub async fn overall_satisfaction_by_trainer(&self, since: DateTime<Utc>) -> Result<Vec<(i64, DateTime<Utc>, i64)>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as(
                "SELECT DISTINCT dt.trainer_id, e.submitted_at, e.overall, e.id FROM evaluation_responses e \
                 JOIN session_days d ON d.session_id = e.session_id JOIN session_day_trainers dt ON dt.day_id = d.id \
                 WHERE e.kind = 'hot' AND e.overall IS NOT NULL AND e.submitted_at >= $1",
            )
            .bind(since)
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|(trainer, at, level, _): (i64, DateTime<Utc>, i64, i64)| (trainer, at, level))
            .collect())
        })
    }

    /// Every response of a session, drafts included, oldest first.
    pub async fn session_evaluations(&self, session_id: i64) -> Result<Vec<EvaluationResponse>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as::<_, EvaluationResponse>(sqlx::AssertSqlSafe(format!("{COLUMNS} WHERE session_id = $1 ORDER BY id")))
                .bind(session_id)
                .fetch_all(pool)
                .await?)
        })
    }

    /// The overall satisfaction of every sent hot evaluation of a program's sessions since
    /// `since` (when it was sent, and the level): what the published rate is computed from.
    pub async fn overall_satisfaction(&self, program_slug: &str, since: DateTime<Utc>) -> Result<Vec<(DateTime<Utc>, i64)>, StoreError> {
        let rows: Vec<(DateTime<Utc>, i64)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT e.submitted_at, e.overall FROM evaluation_responses e JOIN sessions s ON s.id = e.session_id JOIN programs p ON p.id = s.program_id \
                 WHERE p.slug = $1 AND e.kind = 'hot' AND e.overall IS NOT NULL AND e.submitted_at >= $2",
            )
            .bind(program_slug)
            .bind(since)
            .fetch_all(pool)
            .await?
        });
        Ok(rows)
    }
}

/// A reminder about to be sent: who, which questionnaire, which one (1, 2…), the link's token
/// hash and until when it opens the questionnaire.
#[derive(Debug, Clone)]
pub struct NewReminder<'a> {
    pub registration_id: i64,
    pub kind: EvaluationKind,
    pub seq: i64,
    pub token_hash: &'a str,
    pub expires_at: DateTime<Utc>,
    pub mail: &'a crate::OutgoingMail,
}

impl Store {
    /// How many reminders a registration was sent about a questionnaire.
    pub async fn reminders_sent(&self, registration_id: i64, kind: EvaluationKind) -> Result<i64, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_scalar("SELECT COUNT(*) FROM evaluation_reminders WHERE registration_id = $1 AND kind = $2")
                .bind(registration_id)
                .bind(kind.as_str())
                .fetch_one(pool)
                .await?)
        })
    }

    /// Records a reminder with its message, in one transaction. False when this reminder was
    /// already sent (by another node, or an earlier sweep): nothing is queued twice.
    pub async fn record_reminder(&self, r: &NewReminder<'_>, actor: &str) -> Result<bool, StoreError> {
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let inserted = sqlx::query(
                "INSERT INTO evaluation_reminders (registration_id, kind, seq, token_hash, expires_at, sent_at) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (registration_id, kind, seq) DO NOTHING",
            )
            .bind(r.registration_id)
            .bind(r.kind.as_str())
            .bind(r.seq)
            .bind(r.token_hash)
            .bind(r.expires_at)
            .bind(crate::now())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if inserted == 0 {
                return Ok(false);
            }
            let outbox_id = crate::outbox::enqueue!(tx, r.mail)?;
            let after = serde_json::json!({ "kind": r.kind.as_str(), "reminder": r.seq, "outbox_id": outbox_id });
            record!(tx, actor, "registration", r.registration_id.to_string(), "evaluation_reminder", None::<serde_json::Value>, Some(after))?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// The registration and questionnaire a reminder's link opens, while it is valid.
    pub async fn reminder_by_link(&self, token_hash: &str) -> Result<Option<(i64, EvaluationKind)>, StoreError> {
        let row: Option<(i64, String)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT registration_id, kind FROM evaluation_reminders WHERE token_hash = $1 AND expires_at > $2")
                .bind(token_hash)
                .bind(crate::now())
                .fetch_optional(pool)
                .await?
        });
        Ok(row.and_then(|(id, kind)| EvaluationKind::parse(&kind).map(|k| (id, k))))
    }

    /// The confirmed registrations with an address, in sessions with a day on or after `since`:
    /// whom the reminder sweep looks at. (registration, session)
    pub async fn registrations_to_remind(&self, since: chrono::NaiveDate) -> Result<Vec<(i64, i64)>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as(
                "SELECT r.id, r.session_id FROM registrations r JOIN trainees t ON t.id = r.trainee_id \
                 WHERE r.status = 'confirmed' AND t.email <> '' \
                 AND EXISTS (SELECT 1 FROM session_days d WHERE d.session_id = r.session_id AND d.day_date >= $1) ORDER BY r.session_id, r.id",
            )
            .bind(since)
            .fetch_all(pool)
            .await?)
        })
    }
}
