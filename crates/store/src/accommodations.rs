//! Accommodation requests (situations de handicap), apart from registrations: the need may reveal
//! health details, so it is stored in its own table, read only through these functions, never
//! joined into registration lists or exports, and never copied into the journal (which records
//! statuses and lengths only) nor into any message.

use chrono::{DateTime, Utc};
use forma_domain::accommodation::{AccommodationStatus, Step};
use forma_domain::registration::RegistrationStatus;
use serde::Serialize;

use crate::audit::record;
use crate::{OutgoingMail, Store, StoreError, now, on_pool};

/// A request as the list shows it: who, which session, where it stands (not the need).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccommodationSummary {
    pub id: i64,
    pub registration_id: i64,
    pub session_id: i64,
    pub program_title: String,
    pub first_name: String,
    pub last_name: String,
    pub status: AccommodationStatus,
    pub created_at: DateTime<Utc>,
}

/// A request with everything the référent handicap works with.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccommodationRequest {
    pub summary: AccommodationSummary,
    pub need: String,
    pub decision: String,
    pub communicated_note: String,
    pub analysed_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
    pub communicated_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    registration_id: i64,
    session_id: i64,
    program_title: String,
    first_name: String,
    last_name: String,
    status: String,
    created_at: DateTime<Utc>,
}

impl Row {
    fn summary(self) -> AccommodationSummary {
        AccommodationSummary {
            id: self.id,
            registration_id: self.registration_id,
            session_id: self.session_id,
            program_title: self.program_title,
            first_name: self.first_name,
            last_name: self.last_name,
            status: AccommodationStatus::parse(&self.status).unwrap_or(AccommodationStatus::Received),
            created_at: self.created_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct DetailRow {
    #[sqlx(flatten)]
    row: Row,
    need: String,
    decision: String,
    communicated_note: String,
    analysed_at: Option<DateTime<Utc>>,
    decided_at: Option<DateTime<Utc>>,
    communicated_at: Option<DateTime<Utc>>,
}

const SUMMARY: &str = "SELECT a.id, a.registration_id, r.session_id, p.title AS program_title, t.first_name, t.last_name, a.status, a.created_at \
     FROM accommodation_requests a JOIN registrations r ON r.id = a.registration_id JOIN trainees t ON t.id = r.trainee_id \
     JOIN sessions s ON s.id = r.session_id JOIN programs p ON p.id = s.program_id";

const DETAIL: &str = "SELECT a.id, a.registration_id, r.session_id, p.title AS program_title, t.first_name, t.last_name, a.status, a.created_at, \
     a.need, a.decision, a.communicated_note, a.analysed_at, a.decided_at, a.communicated_at \
     FROM accommodation_requests a JOIN registrations r ON r.id = a.registration_id JOIN trainees t ON t.id = r.trainee_id \
     JOIN sessions s ON s.id = r.session_id JOIN programs p ON p.id = s.program_id WHERE a.id = $1";

/// The registrations that may ask for an accommodation: alive and not merely offered a seat.
fn may_ask(status: RegistrationStatus) -> bool {
    matches!(status, RegistrationStatus::Pending | RegistrationStatus::Confirmed | RegistrationStatus::Waitlisted)
}

impl Store {
    /// Records a request from the trainee's personal page, with the message that tells the
    /// référent handicap (it carries no health detail), in one transaction.
    pub async fn create_accommodation_request(&self, registration_id: i64, need: &str, mail: Option<&OutgoingMail>, actor: &str) -> Result<i64, StoreError> {
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let status: Option<String> = sqlx::query_scalar("SELECT status FROM registrations WHERE id = $1").bind(registration_id).fetch_optional(&mut *tx).await?;
            if !status.as_deref().and_then(RegistrationStatus::parse).is_some_and(may_ask) {
                return Err(StoreError::Conflict("Cette inscription ne permet plus de demander un aménagement : contactez le référent handicap de l'organisme.".into()));
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO accommodation_requests (registration_id, need, status, created_at) VALUES ($1, $2, 'received', $3) RETURNING id",
            )
            .bind(registration_id)
            .bind(need)
            .bind(now())
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| crate::error::conflict_on_unique(e, "Votre demande d'aménagement est déjà enregistrée : le référent handicap de l'organisme vous recontacte."))?;
            let outbox_id = match mail {
                Some(mail) => Some(crate::outbox::enqueue!(tx, mail)?),
                None => None,
            };
            // The journal keeps that a request arrived, and its length: never the need itself.
            let after = serde_json::json!({
                "registration_id": registration_id,
                "status": AccommodationStatus::Received.as_str(),
                "need_length": need.chars().count(),
                "notified": mail.map(|m| m.recipient.clone()),
                "outbox_id": outbox_id,
            });
            record!(tx, actor, "accommodation", id.to_string(), "accommodation_request", None::<serde_json::Value>, Some(after))?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Where a registration's request stands, if it made one (for the personal page).
    pub async fn accommodation_status_of(&self, registration_id: i64) -> Result<Option<AccommodationStatus>, StoreError> {
        let status: Option<String> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT status FROM accommodation_requests WHERE registration_id = $1").bind(registration_id).fetch_optional(pool).await?
        });
        Ok(status.and_then(|s| AccommodationStatus::parse(&s)))
    }

    /// Every request, the ones still to handle first, oldest first.
    pub async fn accommodation_requests(&self) -> Result<Vec<AccommodationSummary>, StoreError> {
        let rows: Vec<Row> = on_pool!(self, pool => {
            sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(format!(
                "{SUMMARY} ORDER BY CASE a.status WHEN 'communicated' THEN 1 ELSE 0 END, a.created_at, a.id"
            )))
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(Row::summary).collect())
    }

    /// For a session's registrations page: which registrations have a request (registration id,
    /// request id), and nothing of its content.
    pub async fn session_accommodation_markers(&self, session_id: i64) -> Result<Vec<(i64, i64)>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as(
                "SELECT a.registration_id, a.id FROM accommodation_requests a JOIN registrations r ON r.id = a.registration_id WHERE r.session_id = $1",
            )
            .bind(session_id)
            .fetch_all(pool)
            .await?)
        })
    }

    pub async fn accommodation_request(&self, id: i64) -> Result<Option<AccommodationRequest>, StoreError> {
        let row: Option<DetailRow> = on_pool!(self, pool => {
            sqlx::query_as::<_, DetailRow>(DETAIL).bind(id).fetch_optional(pool).await?
        });
        Ok(row.map(|d| AccommodationRequest {
            need: d.need,
            decision: d.decision,
            communicated_note: d.communicated_note,
            analysed_at: d.analysed_at,
            decided_at: d.decided_at,
            communicated_at: d.communicated_at,
            summary: d.row.summary(),
        }))
    }

    /// Who must put a decided accommodation in place: the trainers of the session's days and the
    /// reception desks of its venues (name, address), each address once, trainers first.
    pub async fn accommodation_recipients(&self, session_id: i64) -> Result<Vec<(String, String)>, StoreError> {
        type Named = Vec<(String, String)>;
        let (trainers, venues): (Named, Named) = on_pool!(self, pool => {
            let trainers = sqlx::query_as(
                "SELECT DISTINCT t.name, t.email FROM trainers t JOIN session_day_trainers dt ON dt.trainer_id = t.id \
                 JOIN session_days d ON d.id = dt.day_id WHERE d.session_id = $1 AND t.email IS NOT NULL AND t.email <> '' ORDER BY t.email",
            )
            .bind(session_id)
            .fetch_all(pool)
            .await?;
            let venues = sqlx::query_as(
                "SELECT DISTINCT v.name, v.email FROM venues v JOIN session_days d ON d.venue_id = v.id \
                 WHERE d.session_id = $1 AND v.email IS NOT NULL AND v.email <> '' ORDER BY v.email",
            )
            .bind(session_id)
            .fetch_all(pool)
            .await?;
            (trainers, venues)
        });
        let mut recipients: Vec<(String, String)> = Vec::with_capacity(trainers.len() + venues.len());
        let venue_desks = venues.into_iter().map(|(name, email)| (format!("l'accueil de {name}"), email));
        for (name, email) in trainers.into_iter().chain(venue_desks) {
            if !recipients.iter().any(|(_, e)| e.eq_ignore_ascii_case(&email)) {
                recipients.push((name, email));
            }
        }
        Ok(recipients)
    }

    /// Moves a request from `from` to the next status (checked by the domain's `validate_step`),
    /// with the messages that go with it (the communicated note to the trainers), in one
    /// transaction. Refused when the request moved meanwhile.
    pub async fn advance_accommodation(&self, id: i64, from: AccommodationStatus, step: &Step, mails: &[OutgoingMail], actor: &str) -> Result<(), StoreError> {
        let to = step.status();
        if from.next() != Some(to) {
            return Err(StoreError::Conflict("Les étapes se suivent dans l'ordre, sans retour en arrière.".into()));
        }
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let at = now();
            let changed = match step {
                Step::Analysed => sqlx::query("UPDATE accommodation_requests SET status = 'analysed', analysed_at = $1 WHERE id = $2 AND status = $3")
                    .bind(at)
                    .bind(id)
                    .bind(from.as_str())
                    .execute(&mut *tx)
                    .await?,
                Step::Decided { decision } => sqlx::query("UPDATE accommodation_requests SET status = 'decided', decided_at = $1, decision = $4 WHERE id = $2 AND status = $3")
                    .bind(at)
                    .bind(id)
                    .bind(from.as_str())
                    .bind(decision)
                    .execute(&mut *tx)
                    .await?,
                Step::Communicated { note } => sqlx::query(
                    "UPDATE accommodation_requests SET status = 'communicated', communicated_at = $1, communicated_note = $4 WHERE id = $2 AND status = $3",
                )
                .bind(at)
                .bind(id)
                .bind(from.as_str())
                .bind(note)
                .execute(&mut *tx)
                .await?,
            }
            .rows_affected();
            if changed == 0 {
                return Err(StoreError::Conflict("La demande a changé entre-temps : la page montre son état actuel.".into()));
            }
            let mut outbox_ids = Vec::new();
            for mail in mails {
                outbox_ids.push(crate::outbox::enqueue!(tx, mail)?);
            }
            let text_length = match step {
                Step::Analysed => 0,
                Step::Decided { decision } => decision.chars().count(),
                Step::Communicated { note } => note.chars().count(),
            };
            let after = serde_json::json!({
                "status": to.as_str(),
                "text_length": text_length,
                "notified": mails.iter().map(|m| m.recipient.clone()).collect::<Vec<_>>(),
                "outbox_ids": outbox_ids,
            });
            record!(tx, actor, "accommodation", id.to_string(), "accommodation_status", Some(serde_json::json!({ "status": from.as_str() })), Some(after))?;
            tx.commit().await?;
            Ok(())
        })
    }
}
