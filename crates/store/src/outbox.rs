//! The mail outbox: messages are written in the same transaction as the change that causes them
//! and delivered later by a worker (`forma-mail`), so a failed SMTP server never loses or blocks a
//! change, and a rolled-back change never sends a message.
//!
//! A message is `pending` until a worker claims it (`sending`, with a lease in `next_attempt_at`),
//! then `sent`, back to `pending` for a retry, or `dead` once the worker gives up. A claim whose
//! lease lapses (the worker crashed) is claimed again, so a message may in rare cases go out twice
//! but is never lost.
//!
//! On SQLite, instants are RFC 3339 text always ending in `+00:00`; they compare correctly as text.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;
use serde_json::json;

use crate::audit::record;
use crate::connect::Backend;
use crate::{Store, StoreError, now, on_pool};

/// A message ready to be written to the outbox.
#[derive(Clone, Debug, PartialEq)]
pub struct OutgoingMail {
    pub recipient: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// A message claimed by a worker, to be delivered now.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct QueuedMail {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    /// Failed attempts so far: the worker's backoff grows with it.
    pub attempts: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MailStatus {
    Pending,
    Sending,
    Sent,
    Dead,
}

impl MailStatus {
    pub const ALL: [MailStatus; 4] = [MailStatus::Pending, MailStatus::Sending, MailStatus::Sent, MailStatus::Dead];

    pub fn as_str(self) -> &'static str {
        match self {
            MailStatus::Pending => "pending",
            MailStatus::Sending => "sending",
            MailStatus::Sent => "sent",
            MailStatus::Dead => "dead",
        }
    }

    pub fn parse(text: &str) -> Option<MailStatus> {
        MailStatus::ALL.into_iter().find(|s| s.as_str() == text.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            MailStatus::Pending => "en attente",
            MailStatus::Sending => "en cours d'envoi",
            MailStatus::Sent => "envoyé",
            MailStatus::Dead => "en échec définitif",
        }
    }
}

/// One line of the back-office outbox listing (bodies left out: they can be long).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OutboxEntry {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub status: MailStatus,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    id: i64,
    recipient: String,
    subject: String,
    status: String,
    attempts: i64,
    next_attempt_at: DateTime<Utc>,
    last_error: Option<String>,
    created_at: DateTime<Utc>,
    sent_at: Option<DateTime<Utc>>,
}

impl From<EntryRow> for OutboxEntry {
    fn from(row: EntryRow) -> Self {
        OutboxEntry {
            id: row.id,
            recipient: row.recipient,
            subject: row.subject,
            // The column's CHECK constraint admits only the four statuses.
            status: MailStatus::parse(&row.status).unwrap_or(MailStatus::Dead),
            attempts: row.attempts,
            next_attempt_at: row.next_attempt_at,
            last_error: row.last_error,
            created_at: row.created_at,
            sent_at: row.sent_at,
        }
    }
}

/// How many messages are in each status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct OutboxCounts {
    pub pending: i64,
    pub sending: i64,
    pub sent: i64,
    pub dead: i64,
}

/// Writes `$mail` (an `&OutgoingMail`) as a pending message due now, inside the caller's
/// transaction, so that the message exists if and only if the change that causes it commits.
/// Evaluates to `Result<i64, sqlx::Error>`, the message's id.
macro_rules! enqueue {
    ($tx:expr, $mail:expr) => {{
        let mail: &$crate::OutgoingMail = $mail;
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO outbox (recipient, subject, text_body, html_body, status, attempts, next_attempt_at, created_at) \
             VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5) RETURNING id",
        )
        .bind(&mail.recipient)
        .bind(&mail.subject)
        .bind(&mail.text)
        .bind(&mail.html)
        .bind($crate::now())
        .fetch_one(&mut *$tx)
        .await
    }};
}
pub(crate) use enqueue;

/// `at + span`, saturating at a year: a lease or delay is minutes, never a reason to fail.
fn later(at: DateTime<Utc>, span: Duration) -> DateTime<Utc> {
    let year = TimeDelta::days(365);
    at + TimeDelta::from_std(span).map_or(year, |span| span.min(year))
}

impl Store {
    /// Writes a message on its own, for callers that have no change to go with it.
    pub async fn enqueue_mail(&self, mail: &OutgoingMail) -> Result<i64, StoreError> {
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            // By path, as other modules call it (which is what keeps its `pub(crate) use` alive).
            let id = crate::outbox::enqueue!(tx, mail)?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Claims up to `limit` due messages, oldest first, for `lease`: until then no other worker
    /// takes them; after it (the worker died mid-send) they are due again.
    pub async fn claim_due_mail(&self, limit: u32, lease: Duration) -> Result<Vec<QueuedMail>, StoreError> {
        let at = now();
        // `next_attempt_at` is the due time of a pending message and the lease end of a claimed
        // one, so one condition finds both. PostgreSQL workers on several nodes skip each
        // other's locked rows instead of waiting for them; SQLite has a single writer anyway.
        let lock = match self.backend {
            Backend::Sqlite(_) => "",
            Backend::Postgres(_) => "FOR UPDATE SKIP LOCKED",
        };
        let sql = format!(
            "UPDATE outbox SET status = 'sending', next_attempt_at = $1 WHERE id IN \
             (SELECT id FROM outbox WHERE status IN ('pending', 'sending') AND next_attempt_at <= $2 ORDER BY id LIMIT $3 {lock}) \
             RETURNING id, recipient, subject, text_body, html_body, attempts"
        );
        let mut claimed: Vec<QueuedMail> = on_pool!(self, pool => {
            sqlx::query_as::<_, QueuedMail>(sqlx::AssertSqlSafe(sql))
                .bind(later(at, lease))
                .bind(at)
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?
        });
        // RETURNING follows no particular order.
        claimed.sort_by_key(|m| m.id);
        Ok(claimed)
    }

    /// Records a delivery. Only a claimed message changes.
    pub async fn mark_mail_sent(&self, id: i64) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE outbox SET status = 'sent', sent_at = $2, last_error = NULL WHERE id = $1 AND status = 'sending'")
                .bind(id)
                .bind(now())
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// Records a failed attempt: the message is due again at `retry_at`, or, with `None`, given up
    /// (`dead`) and written to the audit log so that the back-office can see and requeue it.
    /// Only a claimed message changes.
    pub async fn mark_mail_failed(&self, id: i64, error: &str, retry_at: Option<DateTime<Utc>>) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            match retry_at {
                Some(due) => {
                    sqlx::query(
                        "UPDATE outbox SET status = 'pending', attempts = attempts + 1, last_error = $2, next_attempt_at = $3 \
                         WHERE id = $1 AND status = 'sending'",
                    )
                    .bind(id)
                    .bind(error)
                    .bind(due)
                    .execute(&mut *tx)
                    .await?;
                }
                None => {
                    let given_up: Option<(String, String)> = sqlx::query_as(
                        "UPDATE outbox SET status = 'dead', attempts = attempts + 1, last_error = $2 \
                         WHERE id = $1 AND status = 'sending' RETURNING recipient, subject",
                    )
                    .bind(id)
                    .bind(error)
                    .fetch_optional(&mut *tx)
                    .await?;
                    if let Some((recipient, subject)) = given_up {
                        let after = json!({ "recipient": recipient, "subject": subject, "error": error });
                        record!(tx, "système", "mail", id.to_string(), "dead", None::<serde_json::Value>, Some(after))?;
                    }
                }
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Puts a dead message back in the queue, due now with a fresh count of attempts (someone
    /// fixed the address or the server). Returns false, changing nothing, unless it was dead.
    pub async fn requeue_mail(&self, id: i64, actor: &str) -> Result<bool, StoreError> {
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let requeued: Option<(String, Option<String>)> = sqlx::query_as(
                "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $2 \
                 WHERE id = $1 AND status = 'dead' RETURNING recipient, last_error",
            )
            .bind(id)
            .bind(now())
            .fetch_optional(&mut *tx)
            .await?;
            let Some((recipient, last_error)) = requeued else { return Ok(false) };
            let before = json!({ "status": "dead", "recipient": recipient, "error": last_error });
            let after = json!({ "status": "pending" });
            record!(tx, actor, "mail", id.to_string(), "requeue", Some(before), Some(after))?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// The newest messages first, optionally in one status.
    pub async fn outbox_entries(&self, status: Option<MailStatus>, limit: i64) -> Result<Vec<OutboxEntry>, StoreError> {
        let rows: Vec<EntryRow> = on_pool!(self, pool => {
            sqlx::query_as::<_, EntryRow>(
                "SELECT id, recipient, subject, status, attempts, next_attempt_at, last_error, created_at, sent_at FROM outbox \
                 WHERE ($1 IS NULL OR status = $1) ORDER BY id DESC LIMIT $2",
            )
            .bind(status.map(MailStatus::as_str))
            .bind(limit)
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(OutboxEntry::from).collect())
    }

    pub async fn outbox_counts(&self) -> Result<OutboxCounts, StoreError> {
        let rows: Vec<(String, i64)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT status, COUNT(*) FROM outbox GROUP BY status").fetch_all(pool).await?
        });
        let mut counts = OutboxCounts::default();
        for (status, n) in rows {
            match MailStatus::parse(&status) {
                Some(MailStatus::Pending) => counts.pending = n,
                Some(MailStatus::Sending) => counts.sending = n,
                Some(MailStatus::Sent) => counts.sent = n,
                Some(MailStatus::Dead) => counts.dead = n,
                None => {}
            }
        }
        Ok(counts)
    }
}
