//! Registrations and the waiting list, capacity-safe under concurrency.
//!
//! Every change that can take or free a seat runs in one write transaction that first locks the
//! session: on SQLite the write transaction itself is exclusive (`BEGIN IMMEDIATE`), on PostgreSQL
//! the session's row is locked (`FOR UPDATE`). Counting the seats held and inserting the new
//! registration therefore happen with no other registration to the same session in between, so
//! no day ever holds more than its limit, however many people register at the same moment; the
//! waiting list's order is the order in which registrations got the lock (their arrival order).

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use forma_domain::registration::{DayChoice, DaySeats, NewTrainee, OFFER_HOURS, RegistrationStatus, Threshold, day_limit, fits, next_offer, taken_per_day};
use serde::Serialize;

use crate::audit::record;
use crate::{Store, StoreError, now, on_pool};

/// Who registered someone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationOrigin {
    BackOffice,
    Client,
    Public,
}

impl RegistrationOrigin {
    fn as_str(self) -> &'static str {
        match self {
            Self::BackOffice => "back_office",
            Self::Client => "client",
            Self::Public => "public",
        }
    }
}

/// What a registration request asks for.
#[derive(Debug, Clone)]
pub struct NewRegistration<'a> {
    pub session_id: i64,
    pub trainee: &'a NewTrainee,
    /// The client the trainee works for, when known (a client contact's own agents).
    pub client_id: Option<i64>,
    pub days: DayChoice,
    /// The form's one-time key: a second submission of the same form registers nobody new.
    pub idempotency_key: Option<&'a str>,
    pub origin: RegistrationOrigin,
    /// The trainee's personal link for this registration.
    pub link: Option<RegistrationLink>,
    /// A message to queue with it (the public form's confirmation request).
    pub mail: Option<&'a crate::OutgoingMail>,
}

/// A registration's personal link: the hash of its secret and until when it works.
#[derive(Debug, Clone)]
pub struct RegistrationLink {
    pub token_hash: String,
    pub expires_at: DateTime<Utc>,
}

/// A seat just offered to someone on the waiting list, for the message that tells them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OfferNotice {
    pub registration_id: i64,
    pub session_id: i64,
    pub program_title: String,
    pub first_name: String,
    pub last_name: String,
    /// '' when the trainee gave none (the gestionnaire then calls them).
    pub email: String,
    pub expires_at: DateTime<Utc>,
}

/// Writes the message of an offer (with a fresh personal link), inside the transaction that
/// makes the offer: no offer without its message, no message for an offer rolled back.
pub trait OfferMailer: Sync {
    fn offer_mail(&self, offer: &OfferNotice) -> Option<(RegistrationLink, crate::OutgoingMail)>;
}

/// For callers that send nothing (tests, the CLI): offers are then followed up by hand.
pub struct NoOfferMail;

impl OfferMailer for NoOfferMail {
    fn offer_mail(&self, _offer: &OfferNotice) -> Option<(RegistrationLink, crate::OutgoingMail)> {
        None
    }
}

/// How a registration ended up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Placement {
    pub registration_id: i64,
    pub status: RegistrationStatus,
    /// Place on the waiting list (1 = next), when waitlisted.
    pub position: Option<i64>,
    /// The same form was already submitted: this is that registration.
    pub replayed: bool,
}

/// A registration as lists show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegistrationRow {
    pub id: i64,
    pub session_id: i64,
    pub trainee_id: i64,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub employer: String,
    pub job_role: String,
    pub bpf_type: String,
    pub client_id: Option<i64>,
    pub status: RegistrationStatus,
    pub days: DayChoice,
    pub waitlist_position: Option<i64>,
    /// Rank on the waiting list as people read it (1 = next to be offered a seat); offered seats
    /// do not count.
    pub waitlist_rank: Option<i64>,
    pub offer_expires_at: Option<DateTime<Utc>>,
    pub origin: String,
    pub created_at: DateTime<Utc>,
    pub cancel_reason: String,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    session_id: i64,
    trainee_id: i64,
    first_name: String,
    last_name: String,
    email: String,
    employer: String,
    job_role: String,
    bpf_type: String,
    client_id: Option<i64>,
    status: String,
    all_days: bool,
    waitlist_position: Option<i64>,
    offer_expires_at: Option<DateTime<Utc>>,
    origin: String,
    created_at: DateTime<Utc>,
    cancel_reason: String,
}

const SELECT: &str = "SELECT r.id, r.session_id, r.trainee_id, t.first_name, t.last_name, t.email, t.employer, t.job_role, t.bpf_type, \
     t.client_id, r.status, r.all_days, r.waitlist_position, r.offer_expires_at, r.origin, r.created_at, r.cancel_reason \
     FROM registrations r JOIN trainees t ON t.id = r.trainee_id";

/// One of the session's days with its limits, as the capacity rule needs it.
#[derive(sqlx::FromRow)]
struct DayLimitRow {
    session_id: i64,
    id: i64,
    headcount_max: Option<i64>,
    room_capacity: Option<i64>,
    session_capacity: Option<i64>,
}

/// A live registration's day choice.
#[derive(sqlx::FromRow)]
struct ChoiceRow {
    session_id: i64,
    id: i64,
    status: String,
    all_days: bool,
    day_id: Option<i64>,
}

/// Days with their limits; callers add the `WHERE` on `d.session_id` and order by day.
const DAY_LIMITS: &str = "SELECT d.session_id, d.id, d.headcount_max, rm.capacity AS room_capacity, s.capacity AS session_capacity \
     FROM session_days d JOIN sessions s ON s.id = d.session_id LEFT JOIN rooms rm ON rm.id = d.room_id";
/// Live registrations with their days, waiting list in order; callers add the condition on
/// `r.session_id` and `LIVE_ORDER`.
const LIVE_CHOICES: &str = "SELECT r.session_id, r.id, r.status, r.all_days, rd.day_id FROM registrations r \
     LEFT JOIN registration_days rd ON rd.registration_id = r.id \
     WHERE r.status IN ('confirmed', 'offered', 'waitlisted')";
const LIVE_ORDER: &str = "CASE WHEN r.status = 'waitlisted' THEN 1 ELSE 0 END, r.waitlist_position, r.id, rd.day_id";

fn count(n: Option<i64>) -> Option<u32> {
    n.and_then(|n| u32::try_from(n).ok())
}

/// Folds the rows of each registration (one per chosen day) into its choice.
fn choices(rows: Vec<ChoiceRow>) -> Vec<(i64, RegistrationStatus, DayChoice)> {
    let mut out: Vec<(i64, RegistrationStatus, DayChoice)> = Vec::new();
    for row in rows {
        let status = RegistrationStatus::parse(&row.status).unwrap_or(RegistrationStatus::Cancelled);
        match out.last_mut() {
            Some((id, _, DayChoice::Some(days))) if *id == row.id => days.extend(row.day_id),
            Some((id, _, _)) if *id == row.id => {}
            _ => out.push((row.id, status, if row.all_days { DayChoice::All } else { DayChoice::Some(row.day_id.into_iter().collect()) })),
        }
    }
    out
}

/// The seats of one session's days, given its live registrations.
fn seats(days: &[DayLimitRow], live: &[(i64, RegistrationStatus, DayChoice)]) -> Vec<DaySeats> {
    let day_ids: Vec<i64> = days.iter().map(|d| d.id).collect();
    let taken = taken_per_day(&day_ids, live.iter().filter(|(_, s, _)| s.holds_seat()).map(|(_, _, c)| c));
    days.iter()
        .map(|d| DaySeats {
            day_id: d.id,
            limit: day_limit(count(d.session_capacity), count(d.headcount_max), count(d.room_capacity)),
            taken: taken.get(&d.id).copied().unwrap_or(0),
        })
        .collect()
}

/// The seats of a session's days and its live registrations (waiting list in order), read inside
/// the caller's locked transaction.
macro_rules! read_seats {
    ($tx:expr, $session:expr) => {{
        let days: Vec<DayLimitRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!("{DAY_LIMITS} WHERE d.session_id = $1 ORDER BY d.day_date")))
            .bind($session)
            .fetch_all(&mut *$tx)
            .await?;
        let live: Vec<ChoiceRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!("{LIVE_CHOICES} AND r.session_id = $1 ORDER BY {LIVE_ORDER}")))
            .bind($session)
            .fetch_all(&mut *$tx)
            .await?;
        let live = choices(live);
        (seats(&days, &live), live)
    }};
}

/// Locks the session for the rest of the transaction (see the module's comment) and checks it
/// can take registrations.
macro_rules! lock_session {
    ($tx:expr, $pool:expr, $session:expr) => {{
        let status: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT status FROM sessions WHERE id = $1{}",
            crate::for_update($pool)
        )))
        .bind($session)
        .fetch_optional(&mut *$tx)
        .await?;
        match status.as_deref() {
            None => return Err(StoreError::NotFound(format!("session n° {}", $session))),
            Some("cancelled") => return Err(StoreError::Conflict("Cette session est annulée : elle ne prend plus d'inscriptions.".into())),
            Some(_) => {}
        }
    }};
}

/// Offers freed seats to the waiting list, first eligible first, until no one fits. Lapsed offers
/// are closed first, so their seats go round too. Returns the registrations offered a seat.
macro_rules! promote {
    ($tx:expr, $session:expr, $actor:expr, $at:expr, $mailer:expr) => {{
        let lapsed: Vec<i64> = sqlx::query_scalar(
            "UPDATE registrations SET status = 'expired', offer_expires_at = NULL, waitlist_position = NULL, cancelled_at = $2, \
             cancel_reason = 'Place proposée restée sans réponse dans le délai' \
             WHERE session_id = $1 AND status = 'offered' AND offer_expires_at <= $2 RETURNING id",
        )
        .bind($session)
        .bind($at)
        .fetch_all(&mut *$tx)
        .await?;
        for id in &lapsed {
            record!($tx, $actor, "registration", id.to_string(), "offer_expired", None::<serde_json::Value>, None::<serde_json::Value>)?;
        }
        let (mut seats, live) = read_seats!($tx, $session);
        let mut waiting: Vec<(i64, DayChoice)> =
            live.into_iter().filter(|(_, s, _)| *s == RegistrationStatus::Waitlisted).map(|(id, _, c)| (id, c)).collect();
        let mut offered = Vec::new();
        let expires = $at + Duration::hours(OFFER_HOURS);
        while let Some(id) = next_offer(&seats, waiting.iter().map(|(id, c)| (*id, c))) {
            let at = waiting.iter().position(|(w, _)| *w == id).unwrap_or(0);
            let (_, choice) = waiting.remove(at);
            forma_domain::registration::take(&mut seats, &choice);
            sqlx::query("UPDATE registrations SET status = 'offered', offer_expires_at = $1 WHERE id = $2")
                .bind(expires)
                .bind(id)
                .execute(&mut *$tx)
                .await?;
            record!($tx, $actor, "registration", id.to_string(), "offer", None::<serde_json::Value>, Some(serde_json::json!({ "expires_at": expires })))?;
            let notice: OfferNotice = sqlx::query_as::<_, (i64, String, String, String, String)>(
                "SELECT r.session_id, p.title, t.first_name, t.last_name, t.email FROM registrations r \
                 JOIN trainees t ON t.id = r.trainee_id JOIN sessions s ON s.id = r.session_id JOIN programs p ON p.id = s.program_id WHERE r.id = $1",
            )
            .bind(id)
            .fetch_one(&mut *$tx)
            .await
            .map(|(session_id, program_title, first_name, last_name, email)| OfferNotice {
                registration_id: id, session_id, program_title, first_name, last_name, email, expires_at: expires,
            })?;
            if let Some((link, mail)) = $mailer.offer_mail(&notice) {
                sqlx::query("UPDATE registrations SET link_hash = $1, link_expires_at = $2 WHERE id = $3")
                    .bind(&link.token_hash)
                    .bind(link.expires_at)
                    .bind(id)
                    .execute(&mut *$tx)
                    .await?;
                crate::outbox::enqueue!($tx, &mail)?;
            }
            offered.push(id);
        }
        offered
    }};
}

impl Store {
    /// Registers a trainee: a seat on each chosen day when every one of them has room, else the
    /// end of the waiting list. The trainee is found by e-mail address (or created).
    pub async fn register(&self, new: &NewRegistration<'_>, actor: &str) -> Result<Placement, StoreError> {
        let t = new.trainee;
        let _turn = self.registration_turn().await;
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            if let Some(key) = new.idempotency_key {
                let done: Option<(i64, String, Option<i64>)> =
                    sqlx::query_as("SELECT id, status, waitlist_position FROM registrations WHERE idempotency_key = $1")
                        .bind(key)
                        .fetch_optional(&mut *tx)
                        .await?;
                if let Some((id, status, position)) = done {
                    let status = RegistrationStatus::parse(&status).unwrap_or(RegistrationStatus::Cancelled);
                    return Ok(Placement { registration_id: id, status, position, replayed: true });
                }
            }
            lock_session!(tx, pool, new.session_id);
            let at = now();
            let email = t.email.as_ref().map_or("", |e| e.as_str());
            let existing: Option<i64> = if email.is_empty() {
                None
            } else {
                sqlx::query_scalar("SELECT id FROM trainees WHERE email = $1").bind(email).fetch_optional(&mut *tx).await?
            };
            let trainee_id = match existing {
                Some(id) => {
                    // The latest details typed win: employers and job roles change.
                    sqlx::query("UPDATE trainees SET first_name = $1, last_name = $2, employer = $3, job_role = $4, bpf_type = $5, client_id = COALESCE($6, client_id) WHERE id = $7")
                        .bind(&t.first_name).bind(&t.last_name).bind(&t.employer).bind(&t.job_role).bind(t.bpf_type.as_str()).bind(new.client_id).bind(id)
                        .execute(&mut *tx)
                        .await?;
                    id
                }
                None => sqlx::query_scalar(
                    "INSERT INTO trainees (first_name, last_name, email, client_id, employer, job_role, bpf_type, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                )
                .bind(&t.first_name).bind(&t.last_name).bind(email).bind(new.client_id).bind(&t.employer).bind(&t.job_role).bind(t.bpf_type.as_str()).bind(at)
                .fetch_one(&mut *tx)
                .await?,
            };
            let (seats, _) = read_seats!(tx, new.session_id);
            if let DayChoice::Some(days) = &new.days
                && (days.is_empty() || days.iter().any(|d| !seats.iter().any(|s| s.day_id == *d)))
            {
                return Err(StoreError::Conflict("Choisissez au moins une journée de cette session.".into()));
            }
            let (status, position) = if new.origin == RegistrationOrigin::Public {
                // Double opt-in: nothing is held until the address is confirmed.
                (RegistrationStatus::Pending, None)
            } else if fits(&seats, &new.days) {
                (RegistrationStatus::Confirmed, None)
            } else {
                let last: Option<i64> = sqlx::query_scalar("SELECT MAX(waitlist_position) FROM registrations WHERE session_id = $1")
                    .bind(new.session_id)
                    .fetch_one(&mut *tx)
                    .await?;
                (RegistrationStatus::Waitlisted, Some(last.unwrap_or(0) + 1))
            };
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO registrations (session_id, trainee_id, status, all_days, waitlist_position, idempotency_key, origin, created_at, created_by, \
                 link_hash, link_expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            )
            .bind(new.session_id)
            .bind(trainee_id)
            .bind(status.as_str())
            .bind(matches!(new.days, DayChoice::All))
            .bind(position)
            .bind(new.idempotency_key)
            .bind(new.origin.as_str())
            .bind(at)
            .bind(actor)
            .bind(new.link.as_ref().map(|l| l.token_hash.as_str()))
            .bind(new.link.as_ref().map(|l| l.expires_at))
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| crate::error::conflict_on_unique(e, "Cette personne est déjà inscrite à cette session (ou en liste d'attente)."))?;
            if let Some(mail) = new.mail {
                crate::outbox::enqueue!(tx, mail)?;
            }
            if let DayChoice::Some(days) = &new.days {
                for day in days {
                    sqlx::query("INSERT INTO registration_days (registration_id, day_id) VALUES ($1, $2)").bind(id).bind(day).execute(&mut *tx).await?;
                }
            }
            let after = serde_json::json!({
                "session_id": new.session_id, "trainee_id": trainee_id, "trainee": t, "days": new.days,
                "status": status.as_str(), "waitlist_position": position, "origin": new.origin,
            });
            record!(tx, actor, "registration", id.to_string(), "create", None::<serde_json::Value>, Some(after))?;
            tx.commit().await?;
            Ok(Placement { registration_id: id, status, position, replayed: false })
        })
    }

    /// Cancels a registration with its reason; a seat it held goes to the waiting list at once.
    /// Returns the registrations offered a seat.
    pub async fn cancel_registration(&self, id: i64, reason: &str, mailer: &dyn OfferMailer, actor: &str) -> Result<Vec<i64>, StoreError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(StoreError::Conflict("Indiquez le motif de l'annulation.".into()));
        }
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let session: Option<(i64, String)> = sqlx::query_as("SELECT session_id, status FROM registrations WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
            let Some((session, before)) = session else { return Err(StoreError::NotFound(format!("inscription n° {id}"))) };
            lock_session!(tx, pool, session);
            let at = now();
            let changed = sqlx::query(
                "UPDATE registrations SET status = 'cancelled', cancelled_at = $1, cancel_reason = $2, offer_expires_at = NULL, waitlist_position = NULL \
                 WHERE id = $3 AND status NOT IN ('cancelled', 'expired')",
            )
            .bind(at)
            .bind(reason)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed == 0 {
                return Err(StoreError::Conflict("Cette inscription est déjà annulée.".into()));
            }
            record!(tx, actor, "registration", id.to_string(), "cancel", Some(serde_json::json!({ "status": before })), Some(serde_json::json!({ "status": "cancelled", "reason": reason })))?;
            let offered = promote!(tx, session, actor, at, mailer);
            tx.commit().await?;
            Ok(offered)
        })
    }

    /// A registration made from the public page, its address now confirmed: it gets a seat on
    /// each of its days when they all have room, else the end of the waiting list.
    pub async fn confirm_pending(&self, id: i64, actor: &str) -> Result<Placement, StoreError> {
        let _turn = self.registration_turn().await;
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let found: Option<(i64, String, bool)> =
                sqlx::query_as("SELECT session_id, status, all_days FROM registrations WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
            let Some((session, status, all_days)) = found else { return Err(StoreError::NotFound(format!("inscription n° {id}"))) };
            if status != "pending" {
                return Err(StoreError::Conflict("Cette inscription est déjà confirmée.".into()));
            }
            lock_session!(tx, pool, session);
            let days = if all_days {
                DayChoice::All
            } else {
                DayChoice::Some(sqlx::query_scalar("SELECT day_id FROM registration_days WHERE registration_id = $1 ORDER BY day_id").bind(id).fetch_all(&mut *tx).await?)
            };
            let (seats, _) = read_seats!(tx, session);
            let (status, position) = if fits(&seats, &days) {
                (RegistrationStatus::Confirmed, None)
            } else {
                let last: Option<i64> = sqlx::query_scalar("SELECT MAX(waitlist_position) FROM registrations WHERE session_id = $1").bind(session).fetch_one(&mut *tx).await?;
                (RegistrationStatus::Waitlisted, Some(last.unwrap_or(0) + 1))
            };
            sqlx::query("UPDATE registrations SET status = $1, waitlist_position = $2 WHERE id = $3")
                .bind(status.as_str())
                .bind(position)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            record!(tx, actor, "registration", id.to_string(), "confirm_address", Some(serde_json::json!({ "status": "pending" })), Some(serde_json::json!({ "status": status.as_str(), "waitlist_position": position })))?;
            tx.commit().await?;
            Ok(Placement { registration_id: id, status, position, replayed: false })
        })
    }

    /// Gives the live registration of `email` to the session a fresh personal link, and queues
    /// the message carrying it. Returns whether there was one.
    pub async fn relink_registration(&self, session_id: i64, email: &str, link: &RegistrationLink, mail: &crate::OutgoingMail) -> Result<bool, StoreError> {
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let id: Option<i64> = sqlx::query_scalar(
                "SELECT r.id FROM registrations r JOIN trainees t ON t.id = r.trainee_id \
                 WHERE r.session_id = $1 AND t.email = $2 AND r.status NOT IN ('cancelled', 'expired')",
            )
            .bind(session_id)
            .bind(email)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(id) = id else { return Ok(false) };
            sqlx::query("UPDATE registrations SET link_hash = $1, link_expires_at = $2 WHERE id = $3")
                .bind(&link.token_hash)
                .bind(link.expires_at)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            crate::outbox::enqueue!(tx, mail)?;
            record!(tx, "inscription en ligne", "registration", id.to_string(), "link", None::<serde_json::Value>, None::<serde_json::Value>)?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// The registration a personal link opens, while the link is valid.
    pub async fn registration_by_link(&self, token_hash: &str) -> Result<Option<RegistrationRow>, StoreError> {
        let id: Option<i64> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT id FROM registrations WHERE link_hash = $1 AND link_expires_at > $2")
                .bind(token_hash)
                .bind(now())
                .fetch_optional(pool)
                .await?
        });
        let Some(id) = id else { return Ok(None) };
        let Some(session) = self.registration_session(id).await? else { return Ok(None) };
        Ok(self.session_registrations(session).await?.into_iter().find(|r| r.id == id))
    }

    /// The person offered a seat takes it.
    pub async fn accept_offer(&self, id: i64, actor: &str) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let changed = sqlx::query(
                "UPDATE registrations SET status = 'confirmed', offer_expires_at = NULL, waitlist_position = NULL \
                 WHERE id = $1 AND status = 'offered' AND offer_expires_at > $2",
            )
            .bind(id)
            .bind(now())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed == 0 {
                return Err(StoreError::Conflict("Cette proposition de place n'est plus valable (délai dépassé ou déjà traitée).".into()));
            }
            record!(tx, actor, "registration", id.to_string(), "accept_offer", None::<serde_json::Value>, Some(serde_json::json!({ "status": "confirmed" })))?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Moves someone on the waiting list to `position` (1 = next), for a stated reason; the others
    /// keep their relative order.
    pub async fn move_on_waitlist(&self, id: i64, position: i64, reason: &str, actor: &str) -> Result<(), StoreError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(StoreError::Conflict("Indiquez pourquoi l'ordre de la liste d'attente change.".into()));
        }
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let session: Option<i64> =
                sqlx::query_scalar("SELECT session_id FROM registrations WHERE id = $1 AND status = 'waitlisted'").bind(id).fetch_optional(&mut *tx).await?;
            let Some(session) = session else { return Err(StoreError::Conflict("Cette personne n'est pas en liste d'attente.".into())) };
            lock_session!(tx, pool, session);
            let order: Vec<i64> = sqlx::query_scalar("SELECT id FROM registrations WHERE session_id = $1 AND status = 'waitlisted' ORDER BY waitlist_position, id")
                .bind(session)
                .fetch_all(&mut *tx)
                .await?;
            let before = order.iter().position(|r| *r == id).map_or(0, |p| p as i64 + 1);
            let mut order: Vec<i64> = order.into_iter().filter(|r| *r != id).collect();
            let at = usize::try_from(position.clamp(1, order.len() as i64 + 1) - 1).unwrap_or(0);
            order.insert(at, id);
            // Offered registrations keep their numbers; the list is renumbered after them.
            let base: Option<i64> = sqlx::query_scalar("SELECT MAX(waitlist_position) FROM registrations WHERE session_id = $1 AND status = 'offered'")
                .bind(session)
                .fetch_one(&mut *tx)
                .await?;
            for (i, r) in order.iter().enumerate() {
                sqlx::query("UPDATE registrations SET waitlist_position = $1 WHERE id = $2").bind(base.unwrap_or(0) + i as i64 + 1).bind(r).execute(&mut *tx).await?;
            }
            record!(tx, actor, "registration", id.to_string(), "waitlist_move", Some(serde_json::json!({ "rank": before })), Some(serde_json::json!({ "rank": at + 1, "reason": reason })))?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Closes lapsed offers and passes their seats on, for every session that has one. Returns
    /// the registrations newly offered a seat.
    pub async fn sweep_offers(&self, mailer: &dyn OfferMailer, actor: &str) -> Result<Vec<i64>, StoreError> {
        let at = now();
        let sessions: Vec<i64> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT DISTINCT session_id FROM registrations WHERE status = 'offered' AND offer_expires_at <= $1")
                .bind(at)
                .fetch_all(pool)
                .await?
        });
        let mut offered = Vec::new();
        for session in sessions {
            offered.extend(on_pool!(self, pool => {
                let mut tx = crate::BeginWrite::begin_write(pool).await?;
                lock_session!(tx, pool, session);
                let o = promote!(tx, session, actor, at, mailer);
                tx.commit().await?;
                o
            }));
        }
        Ok(offered)
    }

    /// A session's registrations: seat holders first, then the waiting list in order, then the
    /// cancelled ones.
    pub async fn session_registrations(&self, session_id: i64) -> Result<Vec<RegistrationRow>, StoreError> {
        let (rows, days): (Vec<Row>, Vec<(i64, i64)>) = on_pool!(self, pool => {
            let rows = sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(format!(
                "{SELECT} WHERE r.session_id = $1 ORDER BY CASE r.status WHEN 'confirmed' THEN 0 WHEN 'offered' THEN 1 WHEN 'pending' THEN 2 \
                 WHEN 'waitlisted' THEN 3 ELSE 4 END, r.waitlist_position, t.last_name, t.first_name, r.id"
            )))
            .bind(session_id)
            .fetch_all(pool)
            .await?;
            let days = sqlx::query_as(
                "SELECT rd.registration_id, rd.day_id FROM registration_days rd JOIN registrations r ON r.id = rd.registration_id \
                 WHERE r.session_id = $1 ORDER BY rd.registration_id, rd.day_id",
            )
            .bind(session_id)
            .fetch_all(pool)
            .await?;
            (rows, days)
        });
        let mut chosen: HashMap<i64, Vec<i64>> = HashMap::new();
        for (registration, day) in days {
            chosen.entry(registration).or_default().push(day);
        }
        let mut rank = 0;
        Ok(rows
            .into_iter()
            .map(|r| RegistrationRow {
                waitlist_rank: (r.status == "waitlisted").then(|| {
                    rank += 1;
                    rank
                }),
                days: if r.all_days { DayChoice::All } else { DayChoice::Some(chosen.remove(&r.id).unwrap_or_default()) },
                id: r.id,
                session_id: r.session_id,
                trainee_id: r.trainee_id,
                first_name: r.first_name,
                last_name: r.last_name,
                email: r.email,
                employer: r.employer,
                job_role: r.job_role,
                bpf_type: r.bpf_type,
                client_id: r.client_id,
                status: RegistrationStatus::parse(&r.status).unwrap_or(RegistrationStatus::Cancelled),
                waitlist_position: r.waitlist_position,
                offer_expires_at: r.offer_expires_at,
                origin: r.origin,
                created_at: r.created_at,
                cancel_reason: r.cancel_reason,
            })
            .collect())
    }

    pub async fn registration_session(&self, id: i64) -> Result<Option<i64>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_scalar("SELECT session_id FROM registrations WHERE id = $1").bind(id).fetch_optional(pool).await?)
        })
    }

    /// The session's minimum head-count against its registered trainees, and the date it was
    /// confirmed to run, if it was.
    pub async fn session_decision(&self, session_id: i64) -> Result<(Option<Threshold>, Option<chrono::NaiveDate>), StoreError> {
        type DayMinimum = (i64, Option<i64>);
        let (mins, confirmed, on): (Vec<DayMinimum>, Vec<ChoiceRow>, Option<chrono::NaiveDate>) = on_pool!(self, pool => {
            let mins = sqlx::query_as("SELECT id, headcount_min FROM session_days WHERE session_id = $1 ORDER BY day_date").bind(session_id).fetch_all(pool).await?;
            let confirmed = sqlx::query_as(
                "SELECT r.session_id, r.id, r.status, r.all_days, rd.day_id FROM registrations r LEFT JOIN registration_days rd ON rd.registration_id = r.id \
                 WHERE r.session_id = $1 AND r.status = 'confirmed' ORDER BY r.id, rd.day_id",
            )
            .bind(session_id)
            .fetch_all(pool)
            .await?;
            let on = sqlx::query_scalar("SELECT confirmed_on FROM sessions WHERE id = $1").bind(session_id).fetch_optional(pool).await?.flatten();
            (mins, confirmed, on)
        });
        let day_ids: Vec<i64> = mins.iter().map(|(id, _)| *id).collect();
        let choices = choices(confirmed);
        let taken = taken_per_day(&day_ids, choices.iter().map(|(_, _, c)| c));
        let days: Vec<(i64, Option<u32>, u32)> = mins.iter().map(|(id, min)| (*id, count(*min), taken.get(id).copied().unwrap_or(0))).collect();
        Ok((Threshold::of(&days), on))
    }

    /// Confirms that the session runs (the decision its minimum head-count calls for).
    pub async fn confirm_session(&self, session_id: i64, on: chrono::NaiveDate, actor: &str) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let changed = sqlx::query("UPDATE sessions SET confirmed_on = $1 WHERE id = $2 AND status = 'planned' AND confirmed_on IS NULL")
                .bind(on)
                .bind(session_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if changed == 0 {
                return Err(StoreError::Conflict("Cette session est déjà confirmée, ou annulée.".into()));
            }
            record!(tx, actor, "session", session_id.to_string(), "confirm", None::<serde_json::Value>, Some(serde_json::json!({ "confirmed_on": on })))?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Seats left on the session's fullest day (`None`: no limit set).
    pub async fn seats_left(&self, session_id: i64) -> Result<Option<u32>, StoreError> {
        Ok(self.seats_left_of(&[session_id]).await?.remove(&session_id).flatten())
    }

    /// How many of a client's agents are registered (neither cancelled nor expired) to each
    /// session, for the client's space.
    pub async fn client_agent_counts(&self, client_id: i64) -> Result<HashMap<i64, usize>, StoreError> {
        let rows: Vec<(i64, i64)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT r.session_id, COUNT(*) FROM registrations r JOIN trainees t ON t.id = r.trainee_id \
                 WHERE t.client_id = $1 AND r.status NOT IN ('cancelled', 'expired') GROUP BY r.session_id",
            )
            .bind(client_id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(|(session, n)| (session, usize::try_from(n).unwrap_or(0))).collect())
    }

    /// The seats left of each session of `ids` (the fewest free over its days; `None` when no day
    /// has a limit), read together: lists of sessions need them all.
    pub async fn seats_left_of(&self, ids: &[i64]) -> Result<HashMap<i64, Option<u32>>, StoreError> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        // Numbers only: inlining them is safe, and works the same on both databases.
        let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
        let (days, live): (Vec<DayLimitRow>, Vec<ChoiceRow>) = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let days = sqlx::query_as(sqlx::AssertSqlSafe(format!("{DAY_LIMITS} WHERE d.session_id IN ({list}) ORDER BY d.session_id, d.day_date")))
                .fetch_all(&mut *tx)
                .await?;
            let live = sqlx::query_as(sqlx::AssertSqlSafe(format!("{LIVE_CHOICES} AND r.session_id IN ({list}) ORDER BY r.session_id, {LIVE_ORDER}")))
                .fetch_all(&mut *tx)
                .await?;
            tx.commit().await?;
            (days, live)
        });
        let mut days_of: HashMap<i64, Vec<DayLimitRow>> = HashMap::new();
        for d in days {
            days_of.entry(d.session_id).or_default().push(d);
        }
        let mut live_of: HashMap<i64, Vec<ChoiceRow>> = HashMap::new();
        for r in live {
            live_of.entry(r.session_id).or_default().push(r);
        }
        Ok(ids
            .iter()
            .map(|id| {
                let live = choices(live_of.remove(id).unwrap_or_default());
                (*id, seats(days_of.get(id).map_or(&[][..], Vec::as_slice), &live).iter().filter_map(DaySeats::free).min())
            })
            .collect())
    }
}
