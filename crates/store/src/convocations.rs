//! Convocations: the message that calls a registered trainee to the session, with the personal
//! link to their registration and its PDF. Every sending is logged with the message it queued,
//! whose delivery the outbox records: the proof a Qualiopi auditor asks for (indicator 9).

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::audit::record;
use crate::registrations::RegistrationLink;
use crate::{MailStatus, OutgoingMail, Store, StoreError, now, on_pool};

/// One sending of a convocation, with where its message stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConvocationSent {
    pub registration_id: i64,
    pub recipient: String,
    pub sent_at: DateTime<Utc>,
    pub sent_by: String,
    pub delivery: MailStatus,
}

#[derive(sqlx::FromRow)]
struct SentRow {
    registration_id: i64,
    recipient: String,
    sent_at: DateTime<Utc>,
    sent_by: String,
    status: String,
}

impl Store {
    /// Queues a registered trainee's convocation: their registration gets the message's fresh
    /// personal link, and the sending is logged, all in one transaction.
    pub async fn send_convocation(&self, registration_id: i64, link: &RegistrationLink, mail: &OutgoingMail, actor: &str) -> Result<i64, StoreError> {
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let changed = sqlx::query("UPDATE registrations SET link_hash = $1, link_expires_at = $2 WHERE id = $3 AND status = 'confirmed'")
                .bind(&link.token_hash)
                .bind(link.expires_at)
                .bind(registration_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if changed == 0 {
                return Err(StoreError::Conflict("Seule une personne inscrite (pas en liste d'attente ni annulée) reçoit une convocation.".into()));
            }
            let outbox_id = crate::outbox::enqueue!(tx, mail)?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO convocations (registration_id, recipient, outbox_id, sent_at, sent_by) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(registration_id)
            .bind(&mail.recipient)
            .bind(outbox_id)
            .bind(now())
            .bind(actor)
            .fetch_one(&mut *tx)
            .await?;
            record!(tx, actor, "registration", registration_id.to_string(), "convocation", None::<serde_json::Value>, Some(serde_json::json!({ "recipient": mail.recipient, "outbox_id": outbox_id })))?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Every convocation sent for a session's registrations, oldest first.
    pub async fn session_convocations(&self, session_id: i64) -> Result<Vec<ConvocationSent>, StoreError> {
        let rows: Vec<SentRow> = on_pool!(self, pool => {
            sqlx::query_as::<_, SentRow>(
                "SELECT c.registration_id, c.recipient, c.sent_at, c.sent_by, o.status FROM convocations c \
                 JOIN registrations r ON r.id = c.registration_id JOIN outbox o ON o.id = c.outbox_id \
                 WHERE r.session_id = $1 ORDER BY c.sent_at, c.id",
            )
            .bind(session_id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|r| ConvocationSent {
                registration_id: r.registration_id,
                recipient: r.recipient,
                sent_at: r.sent_at,
                sent_by: r.sent_by,
                delivery: MailStatus::parse(&r.status).unwrap_or(MailStatus::Dead),
            })
            .collect())
    }
}
