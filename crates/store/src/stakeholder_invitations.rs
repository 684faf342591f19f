//! The messages asking a session's client and trainers for their appreciation: whom to write
//! to, which steps went out, and recording a step with its messages in one transaction.

use chrono::{DateTime, NaiveDate, Utc};
use forma_domain::evaluation::EvaluationKind;

use crate::audit::record;
use crate::{OutgoingMail, Store, StoreError, on_pool};

/// One step (invitation or reminder) about to go out to a client's or trainer's contacts.
#[derive(Debug, Clone)]
pub struct NewInvitation<'a> {
    pub session_id: i64,
    pub kind: EvaluationKind,
    pub respondent_id: i64,
    /// 1 for the invitation, 2 and 3 for the reminders.
    pub seq: i64,
    /// When the sweep that sends it runs.
    pub at: DateTime<Utc>,
    pub mails: &'a [OutgoingMail],
}

impl Store {
    /// The planned sessions whose last day falls between two dates: those whose client and
    /// trainers may be asked for their appreciation.
    pub async fn sessions_ending_between(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<i64>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_scalar(
                "SELECT d.session_id FROM session_days d JOIN sessions s ON s.id = d.session_id WHERE s.status = 'planned' \
                 GROUP BY d.session_id HAVING MAX(d.day_date) >= $1 AND MAX(d.day_date) <= $2 ORDER BY d.session_id",
            )
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?)
        })
    }

    /// The client organisations with confirmed agents in a session.
    pub async fn session_clients(&self, session_id: i64) -> Result<Vec<i64>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_scalar(
                "SELECT DISTINCT t.client_id FROM registrations r JOIN trainees t ON t.id = r.trainee_id \
                 WHERE r.session_id = $1 AND r.status = 'confirmed' AND t.client_id IS NOT NULL ORDER BY t.client_id",
            )
            .bind(session_id)
            .fetch_all(pool)
            .await?)
        })
    }

    /// Who can answer for a client or a trainer: the active accounts of the client space of that
    /// organisation, or the trainer's own account (name, address).
    pub async fn stakeholder_recipients(&self, kind: EvaluationKind, respondent_id: i64) -> Result<Vec<(String, String)>, StoreError> {
        let query = match kind {
            EvaluationKind::Client => "SELECT name, email FROM users WHERE role = 'client' AND client_id = $1 AND active ORDER BY id",
            EvaluationKind::Trainer => "SELECT u.name, u.email FROM trainers t JOIN users u ON u.id = t.user_id WHERE t.id = $1 AND u.active",
            _ => return Ok(Vec::new()),
        };
        on_pool!(self, pool => {
            Ok(sqlx::query_as(query).bind(respondent_id).fetch_all(pool).await?)
        })
    }

    /// When each step about a session went out to a client or trainer, in order.
    pub async fn stakeholder_invitations_sent(&self, session_id: i64, kind: EvaluationKind, respondent_id: i64) -> Result<Vec<DateTime<Utc>>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_scalar("SELECT sent_at FROM stakeholder_invitations WHERE session_id = $1 AND kind = $2 AND respondent_id = $3 ORDER BY seq")
                .bind(session_id)
                .bind(kind.as_str())
                .bind(respondent_id)
                .fetch_all(pool)
                .await?)
        })
    }

    /// Records a step with its messages, in one transaction. False when this step already went
    /// out (from another node, or an earlier sweep): nothing is queued twice.
    pub async fn record_stakeholder_invitation(&self, i: &NewInvitation<'_>, actor: &str) -> Result<bool, StoreError> {
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let inserted = sqlx::query(
                "INSERT INTO stakeholder_invitations (session_id, kind, respondent_id, seq, recipients, sent_at) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (session_id, kind, respondent_id, seq) DO NOTHING",
            )
            .bind(i.session_id)
            .bind(i.kind.as_str())
            .bind(i.respondent_id)
            .bind(i.seq)
            .bind(i64::try_from(i.mails.len()).unwrap_or(i64::MAX))
            .bind(i.at)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if inserted == 0 {
                return Ok(false);
            }
            let mut outbox_ids = Vec::new();
            for mail in i.mails {
                outbox_ids.push(crate::outbox::enqueue!(tx, mail)?);
            }
            let after = serde_json::json!({ "kind": i.kind.as_str(), "respondent_id": i.respondent_id, "step": i.seq, "outbox_ids": outbox_ids });
            record!(tx, actor, "session", i.session_id.to_string(), "appreciation_invitation", None::<serde_json::Value>, Some(after))?;
            tx.commit().await?;
            Ok(true)
        })
    }
}
