//! Attendance (émargement): every signature, status, closing and correction is an event appended
//! to its session's hash chain (`forma_domain::attendance_chain`), never updated nor deleted. A
//! half-day is open until the trainer countersigns it; after that, only corrections (with a
//! reason) change it, and they show as such.
//!
//! Appends are serialised per session: the write transaction takes the session row (`FOR UPDATE`
//! on PostgreSQL; SQLite's write transaction is exclusive), reads the chain's last link and
//! writes the next one, so `seq` has no gap and each link names its predecessor.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use forma_domain::attendance::{AttendanceStatus, Presence};
use forma_domain::attendance_chain::{AttendanceEvent, ChainBreak, EventKind, GENESIS, StoredLink, link_hash, truncate_to_micros, verify_chain};
use forma_domain::attendance_state::{self, Entry};
use forma_domain::half_day::HalfDay;
use forma_domain::signature::Strokes;
use serde::Serialize;

use crate::audit::record;
use crate::outbox::enqueue;
use crate::{OutgoingMail, Store, StoreError, on_pool};

/// An event to append: what the caller knows; the store adds the chain position and the time.
#[derive(Debug, Clone, Default)]
pub struct NewAttendance {
    pub registration_id: Option<i64>,
    pub trainer_id: Option<i64>,
    pub presence: Option<Presence>,
    pub signature: Option<Strokes>,
    /// "qr", "code", "trainer", "paper", "closing".
    pub method: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub reason: Option<String>,
}

/// One half-day of a session: `(day id, half)`, with the day's date for the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HalfDaySlot {
    pub session_id: i64,
    pub day_id: i64,
    pub day: NaiveDate,
    pub half_day: HalfDay,
}

/// An event as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttendanceRecord {
    pub id: i64,
    pub day_id: i64,
    pub event: AttendanceEvent,
    /// The drawn signature as vector JSON.
    pub signature: Option<String>,
    pub hash: String,
}

/// Where a half-day stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HalfDayState {
    pub day_id: i64,
    pub half_day: HalfDay,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by: Option<String>,
    pub chain_head: Option<String>,
    pub has_paper_scan: bool,
}

/// A trainee who missed a half-day, as the closing found them: for the alert messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Absentee {
    pub registration_id: i64,
    pub name: String,
    pub client_id: Option<i64>,
}

/// Builds the alert messages of a closing's absentees (the web layer knows the addresses and
/// links); they are queued in the closing's transaction.
pub trait AbsenceMailer: Sync {
    fn absence_mails(&self, absentees: &[Absentee]) -> Vec<OutgoingMail>;
}

/// For callers that send nothing (the demo, tests): alerts are then only listed in the follow-up.
pub struct NoAbsenceMail;

impl AbsenceMailer for NoAbsenceMail {
    fn absence_mails(&self, _absentees: &[Absentee]) -> Vec<OutgoingMail> {
        Vec::new()
    }
}

/// An alert raised by a missed half-day, with its follow-up log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttendanceAlert {
    pub id: i64,
    pub registration_id: i64,
    pub session_id: i64,
    pub program_title: String,
    pub trainee: String,
    pub client_id: Option<i64>,
    pub day: NaiveDate,
    pub half_day: HalfDay,
    pub created_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// (note, who, when), oldest first.
    pub followups: Vec<(String, String, DateTime<Utc>)>,
}

#[derive(sqlx::FromRow)]
struct EventRow {
    id: i64,
    session_id: i64,
    seq: i64,
    kind: String,
    day_id: i64,
    day_date: NaiveDate,
    half_day: String,
    registration_id: Option<i64>,
    trainer_id: Option<i64>,
    status: Option<String>,
    arrival: Option<NaiveTime>,
    departure: Option<NaiveTime>,
    justification: Option<String>,
    signature: Option<String>,
    signature_sha256: Option<String>,
    method: Option<String>,
    ip: Option<String>,
    user_agent: Option<String>,
    actor: Option<String>,
    reason: Option<String>,
    recorded_at: DateTime<Utc>,
    prev_hash: String,
    hash: String,
}

fn half_of(text: &str) -> HalfDay {
    if text == "afternoon" { HalfDay::Afternoon } else { HalfDay::Morning }
}

pub(crate) fn half_str(half: HalfDay) -> &'static str {
    match half {
        HalfDay::Morning => "morning",
        HalfDay::Afternoon => "afternoon",
    }
}

impl EventRow {
    /// The event as the columns say, whatever they say: a row edited by hand yields a different
    /// event, and so a different hash (an unknown kind or status is kept visible as such).
    fn event(&self) -> AttendanceEvent {
        AttendanceEvent {
            session_id: self.session_id,
            seq: self.seq,
            kind: EventKind::parse(&self.kind).unwrap_or(EventKind::Correct),
            day_id: self.day_id,
            day: self.day_date,
            half_day: half_of(&self.half_day),
            registration_id: self.registration_id,
            trainer_id: self.trainer_id,
            status: self.status.as_deref().and_then(AttendanceStatus::parse),
            arrival: self.arrival,
            departure: self.departure,
            justification: self.justification.clone(),
            signature_sha256: self.signature_sha256.clone(),
            method: self.method.clone(),
            ip: self.ip.clone(),
            user_agent: self.user_agent.clone(),
            actor: self.actor.clone(),
            reason: self.reason.clone(),
            recorded_at: self.recorded_at,
        }
    }

    /// Whether the columns hold values the event type cannot (an unknown kind, status or half):
    /// such an edit must be reported even if it would hash like a known value.
    fn unreadable(&self) -> bool {
        EventKind::parse(&self.kind).is_none()
            || !["morning", "afternoon"].contains(&self.half_day.as_str())
            || self.status.as_deref().is_some_and(|s| AttendanceStatus::parse(s).is_none())
    }

    fn record(self) -> AttendanceRecord {
        AttendanceRecord { id: self.id, day_id: self.day_id, event: self.event(), hash: self.hash, signature: self.signature }
    }
}

const EVENT_COLUMNS: &str = "SELECT id, session_id, seq, kind, day_id, day_date, half_day, registration_id, trainer_id, status, arrival, departure, \
     justification, signature, signature_sha256, method, ip, user_agent, actor, reason, recorded_at, prev_hash, hash FROM attendance_events";

/// Takes the session for the rest of the write transaction and refuses a cancelled or unknown one.
macro_rules! lock_session {
    ($tx:expr, $pool:expr, $session:expr) => {{
        let status: Option<String> =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT status FROM sessions WHERE id = $1{}", crate::for_update($pool))))
                .bind($session)
                .fetch_optional(&mut *$tx)
                .await?;
        match status.as_deref() {
            None => return Err(StoreError::NotFound(format!("session n° {}", $session))),
            Some("cancelled") => return Err(StoreError::Conflict("Cette session est annulée.".into())),
            Some(_) => {}
        }
    }};
}

/// Whether the half-day is closed, read inside the caller's (locked) transaction.
macro_rules! closed_at {
    ($tx:expr, $slot:expr) => {{
        let closed: Option<Option<DateTime<Utc>>> = sqlx::query_scalar("SELECT closed_at FROM attendance_half_days WHERE day_id = $1 AND half_day = $2")
            .bind($slot.day_id)
            .bind(half_str($slot.half_day))
            .fetch_optional(&mut *$tx)
            .await?;
        closed.flatten()
    }};
}

/// Appends one event to the session's chain inside the caller's locked transaction; evaluates to
/// its hash.
macro_rules! append {
    ($tx:expr, $slot:expr, $kind:expr, $new:expr, $actor:expr, $at:expr) => {{
        let slot: HalfDaySlot = $slot;
        let new: &NewAttendance = $new;
        let last: Option<(i64, String)> = sqlx::query_as("SELECT seq, hash FROM attendance_events WHERE session_id = $1 ORDER BY seq DESC LIMIT 1")
            .bind(slot.session_id)
            .fetch_optional(&mut *$tx)
            .await?;
        let (seq, prev) = last.map_or((1, GENESIS.to_owned()), |(seq, hash)| (seq + 1, hash));
        let presence = new.presence.as_ref();
        let signature = new.signature.as_ref().map(|s| (s.canonical_json(), s.sha256()));
        let event = AttendanceEvent {
            session_id: slot.session_id,
            seq,
            kind: $kind,
            day_id: slot.day_id,
            day: slot.day,
            half_day: slot.half_day,
            registration_id: new.registration_id,
            trainer_id: new.trainer_id,
            status: presence.map(|p| p.status),
            arrival: presence.and_then(|p| p.arrival),
            departure: presence.and_then(|p| p.departure),
            justification: presence.and_then(|p| p.justification.clone()),
            signature_sha256: signature.as_ref().map(|(_, sha)| sha.clone()),
            method: new.method.clone(),
            ip: new.ip.clone(),
            user_agent: new.user_agent.clone(),
            actor: Some($actor.to_owned()),
            reason: new.reason.clone(),
            recorded_at: $at,
        };
        let hash = link_hash(&prev, &event);
        sqlx::query(
            "INSERT INTO attendance_events (session_id, seq, kind, day_id, day_date, half_day, registration_id, trainer_id, status, arrival, departure, \
             justification, signature, signature_sha256, method, ip, user_agent, actor, reason, recorded_at, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)",
        )
        .bind(event.session_id)
        .bind(event.seq)
        .bind(event.kind.as_str())
        .bind(event.day_id)
        .bind(event.day)
        .bind(half_str(event.half_day))
        .bind(event.registration_id)
        .bind(event.trainer_id)
        .bind(event.status.map(AttendanceStatus::as_str))
        .bind(event.arrival)
        .bind(event.departure)
        .bind(&event.justification)
        .bind(signature.as_ref().map(|(json, _)| json.as_str()))
        .bind(&event.signature_sha256)
        .bind(&event.method)
        .bind(&event.ip)
        .bind(&event.user_agent)
        .bind(&event.actor)
        .bind(&event.reason)
        .bind(event.recorded_at)
        .bind(&prev)
        .bind(&hash)
        .execute(&mut *$tx)
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict(ALREADY_SIGNED.into()),
            e => e.into(),
        })?;
        let journal = serde_json::json!({
            "session": event.session_id, "seq": event.seq, "day": event.day, "half_day": half_str(event.half_day),
            "registration": event.registration_id, "status": event.status.map(AttendanceStatus::as_str), "method": event.method, "hash": hash,
        });
        record!($tx, $actor, "attendance", event.session_id.to_string(), event.kind.as_str(), None::<serde_json::Value>, Some(journal))?;
        hash
    }};
}

const ALREADY_SIGNED: &str = "Votre signature est déjà enregistrée pour cette demi-journée.";
const CLOSED: &str = "Cette demi-journée est close : seul un correctif motivé peut encore la modifier.";
const NOT_CLOSED: &str = "Cette demi-journée n'est pas encore close : modifiez directement le statut.";

impl Store {
    /// A trainee's signature (or confirmation without drawing), proven present by a QR code or a
    /// typed code. Refused once the half-day is closed, and the second time.
    pub async fn sign_attendance(&self, slot: HalfDaySlot, registration_id: i64, new: &NewAttendance, at: DateTime<Utc>) -> Result<(), StoreError> {
        let new = NewAttendance { registration_id: Some(registration_id), presence: Some(Presence::new(AttendanceStatus::Present)), ..new.clone() };
        self.append_open(slot, EventKind::Sign, &[new], "stagiaire", at).await
    }

    /// The trainer's (or staff's) status for trainees before the closing: late, left early,
    /// absent, excused, present.
    pub async fn mark_attendance(&self, slot: HalfDaySlot, marks: &[NewAttendance], actor: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.append_open(slot, EventKind::Mark, marks, actor, at).await
    }

    /// `at` is now, except for the demo, which records a past session as it happened.
    async fn append_open(&self, slot: HalfDaySlot, kind: EventKind, events: &[NewAttendance], actor: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        let at = truncate_to_micros(at);
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            lock_session!(tx, pool, slot.session_id);
            if closed_at!(tx, slot).is_some() {
                return Err(StoreError::Conflict(CLOSED.into()));
            }
            for new in events {
                append!(tx, slot, kind, new, actor, at);
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// A change after the closing: a new event with its reason, never an edit.
    pub async fn correct_attendance(&self, slot: HalfDaySlot, correction: &NewAttendance, actor: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        if correction.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
            return Err(StoreError::Conflict("Un correctif se motive : indiquez la raison.".into()));
        }
        let at = truncate_to_micros(at);
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            lock_session!(tx, pool, slot.session_id);
            if closed_at!(tx, slot).is_none() {
                return Err(StoreError::Conflict(NOT_CLOSED.into()));
            }
            append!(tx, slot, EventKind::Correct, correction, actor, at);
            tx.commit().await?;
            Ok(())
        })
    }

    /// Closes a half-day with the trainer's countersignature (`closing`): whoever is expected and
    /// neither signed nor was given a status is marked absent; each absence (not excused) raises
    /// an alert, whose messages go out with the closing. `expected` are the registrations
    /// expected that half-day. With `paper` (a scanned sheet and its statuses entered by hand),
    /// the statuses are appended as `upload` events first. Returns the chain head.
    #[allow(clippy::too_many_arguments)] // each is a distinct part of the closing; a struct would only rename them
    pub async fn close_half_day(
        &self,
        slot: HalfDaySlot,
        expected: &[i64],
        closing: &NewAttendance,
        paper: Option<(&[u8], &str, &[NewAttendance])>,
        mailer: &dyn AbsenceMailer,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        let at = truncate_to_micros(at);
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            lock_session!(tx, pool, slot.session_id);
            if closed_at!(tx, slot).is_some() {
                return Err(StoreError::Conflict("Cette demi-journée est déjà close.".into()));
            }
            if let Some((_, _, statuses)) = paper {
                for new in statuses {
                    append!(tx, slot, EventKind::Upload, new, actor, at);
                }
            }
            let rows: Vec<EventRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!("{EVENT_COLUMNS} WHERE day_id = $1 AND half_day = $2 ORDER BY seq")))
                .bind(slot.day_id)
                .bind(half_str(slot.half_day))
                .fetch_all(&mut *tx)
                .await?;
            let records: Vec<AttendanceRecord> = rows.into_iter().map(EventRow::record).collect();
            let mut absent = Vec::new();
            for &registration in expected {
                match attendance_state::presence(entries(&records, registration)) {
                    None => {
                        let mark = NewAttendance {
                            registration_id: Some(registration),
                            presence: Some(Presence::new(AttendanceStatus::Absent)),
                            method: Some("closing".into()),
                            ..NewAttendance::default()
                        };
                        append!(tx, slot, EventKind::Mark, &mark, actor, at);
                        absent.push(registration);
                    }
                    Some(p) if p.status == AttendanceStatus::Absent => absent.push(registration),
                    Some(_) => {}
                }
            }
            let head = append!(tx, slot, EventKind::Close, closing, actor, at);
            let (scan, scan_type) = paper.map_or((None, None), |(bytes, mime, _)| (Some(bytes), Some(mime)));
            sqlx::query(
                "INSERT INTO attendance_half_days (day_id, half_day, closed_at, closed_by, chain_head, paper_scan, paper_scan_type) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (day_id, half_day) DO UPDATE SET closed_at = excluded.closed_at, closed_by = excluded.closed_by, chain_head = excluded.chain_head, \
                 paper_scan = excluded.paper_scan, paper_scan_type = excluded.paper_scan_type",
            )
            .bind(slot.day_id)
            .bind(half_str(slot.half_day))
            .bind(at)
            .bind(actor)
            .bind(&head)
            .bind(scan)
            .bind(scan_type)
            .execute(&mut *tx)
            .await?;
            let mut absentees = Vec::new();
            for registration in absent {
                sqlx::query("INSERT INTO attendance_alerts (registration_id, day_id, half_day, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
                    .bind(registration)
                    .bind(slot.day_id)
                    .bind(half_str(slot.half_day))
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
                let (first, last, client_id): (String, String, Option<i64>) = sqlx::query_as(
                    "SELECT t.first_name, t.last_name, t.client_id FROM registrations r JOIN trainees t ON t.id = r.trainee_id WHERE r.id = $1",
                )
                .bind(registration)
                .fetch_one(&mut *tx)
                .await?;
                absentees.push(Absentee { registration_id: registration, name: format!("{first} {last}"), client_id });
            }
            for mail in mailer.absence_mails(&absentees) {
                enqueue!(tx, &mail)?;
            }
            tx.commit().await?;
            Ok(head)
        })
    }

    /// The session a day belongs to.
    pub async fn session_of_day(&self, day_id: i64) -> Result<Option<i64>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_scalar("SELECT session_id FROM session_days WHERE id = $1").bind(day_id).fetch_optional(pool).await?)
        })
    }

    /// The trainer record of a trainer's account.
    pub async fn trainer_of_user(&self, user_id: i64) -> Result<Option<i64>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_scalar("SELECT id FROM trainers WHERE user_id = $1 ORDER BY id LIMIT 1").bind(user_id).fetch_optional(pool).await?)
        })
    }

    /// The half-days to sign between two dates (day id, session, date, program title), with the
    /// trainers of each day: the trainer's list and the staff's.
    pub async fn signing_days(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<(i64, i64, NaiveDate, String, Vec<i64>)>, StoreError> {
        type Days = Vec<(i64, i64, NaiveDate, String)>;
        let (days, trainers): (Days, Vec<(i64, i64)>) = on_pool!(self, pool => {
            let days = sqlx::query_as(
                "SELECT d.id, d.session_id, d.day_date, p.title FROM session_days d JOIN sessions s ON s.id = d.session_id JOIN programs p ON p.id = s.program_id \
                 WHERE s.status = 'planned' AND d.day_date >= $1 AND d.day_date <= $2 ORDER BY d.day_date, d.start_time, d.id",
            )
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?;
            let trainers = sqlx::query_as(
                "SELECT dt.day_id, dt.trainer_id FROM session_day_trainers dt JOIN session_days d ON d.id = dt.day_id WHERE d.day_date >= $1 AND d.day_date <= $2",
            )
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?;
            (days, trainers)
        });
        Ok(days
            .into_iter()
            .map(|(id, session, date, title)| (id, session, date, title, trainers.iter().filter(|t| t.0 == id).map(|t| t.1).collect()))
            .collect())
    }

    /// The secret `name`, shared by every node: made (32 random bytes) by whichever node asks
    /// first; the others read that one.
    pub async fn app_secret(&self, name: &str) -> Result<Vec<u8>, StoreError> {
        let fresh: [u8; 32] = rand::random();
        on_pool!(self, pool => {
            sqlx::query("INSERT INTO app_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING").bind(name).bind(&fresh[..]).execute(pool).await?;
            Ok(sqlx::query_scalar("SELECT value FROM app_secrets WHERE name = $1").bind(name).fetch_one(pool).await?)
        })
    }

    /// Every event of a session, in chain order.
    pub async fn session_attendance(&self, session_id: i64) -> Result<Vec<AttendanceRecord>, StoreError> {
        let rows: Vec<EventRow> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{EVENT_COLUMNS} WHERE session_id = $1 ORDER BY seq"))).bind(session_id).fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(EventRow::record).collect())
    }

    /// The events of one half-day, in chain order: what a signature or the trainer's screen needs,
    /// without reading the rest of the session's chain.
    pub async fn half_day_attendance(&self, day_id: i64, half_day: HalfDay) -> Result<Vec<AttendanceRecord>, StoreError> {
        let rows: Vec<EventRow> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{EVENT_COLUMNS} WHERE day_id = $1 AND half_day = $2 ORDER BY seq")))
                .bind(day_id)
                .bind(half_str(half_day))
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(EventRow::record).collect())
    }

    /// The closings of a session's half-days (open ones have no row).
    pub async fn half_day_states(&self, session_id: i64) -> Result<Vec<HalfDayState>, StoreError> {
        type Row = (i64, String, Option<DateTime<Utc>>, Option<String>, Option<String>, bool);
        let rows: Vec<Row> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT h.day_id, h.half_day, h.closed_at, h.closed_by, h.chain_head, h.paper_scan IS NOT NULL FROM attendance_half_days h \
                 JOIN session_days d ON d.id = h.day_id WHERE d.session_id = $1 ORDER BY d.day_date, h.half_day DESC",
            )
            .bind(session_id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(day_id, half, closed_at, closed_by, chain_head, has_paper_scan)| HalfDayState {
                day_id,
                half_day: half_of(&half),
                closed_at,
                closed_by,
                chain_head,
                has_paper_scan,
            })
            .collect())
    }

    /// The scanned paper sheet of a half-day, with its type.
    pub async fn paper_scan(&self, day_id: i64, half_day: HalfDay) -> Result<Option<(Vec<u8>, String)>, StoreError> {
        let row: Option<(Option<Vec<u8>>, Option<String>)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT paper_scan, paper_scan_type FROM attendance_half_days WHERE day_id = $1 AND half_day = $2")
                .bind(day_id)
                .bind(half_str(half_day))
                .fetch_optional(pool)
                .await?
        });
        Ok(row.and_then(|(bytes, mime)| Some((bytes?, mime?))))
    }

    /// Recomputes every session's chain from the columns as they are, and checks that each closed
    /// half-day's recorded head is a link of its chain. One report per break.
    pub async fn verify_attendance(&self) -> Result<Vec<String>, StoreError> {
        type Head = (i64, i64, String, Option<String>);
        let (rows, heads): (Vec<EventRow>, Vec<Head>) = on_pool!(self, pool => {
            let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!("{EVENT_COLUMNS} ORDER BY session_id, seq, id"))).fetch_all(pool).await?;
            let heads = sqlx::query_as(
                "SELECT d.session_id, h.day_id, h.half_day, h.chain_head FROM attendance_half_days h JOIN session_days d ON d.id = h.day_id \
                 WHERE h.closed_at IS NOT NULL ORDER BY d.session_id, h.day_id",
            )
            .fetch_all(pool)
            .await?;
            (rows, heads)
        });
        let mut reports = Vec::new();
        let mut links: Vec<StoredLink> = Vec::new();
        let flush = |links: &mut Vec<StoredLink>, reports: &mut Vec<String>| {
            reports.extend(verify_chain(links).iter().map(ChainBreak::to_string));
            links.clear();
        };
        for row in rows {
            if links.last().is_some_and(|l| l.event.session_id != row.session_id) {
                flush(&mut links, &mut reports);
            }
            if row.unreadable() {
                reports.push(format!(
                    "Session n° {} : l'événement n° {} (ligne {}) porte des valeurs inconnues (type « {} », statut « {} », demi-journée « {} »).",
                    row.session_id,
                    row.seq,
                    row.id,
                    row.kind,
                    row.status.as_deref().unwrap_or(""),
                    row.half_day
                ));
            }
            let event = row.event();
            links.push(StoredLink { id: row.id, event, prev_hash: row.prev_hash, hash: row.hash });
        }
        flush(&mut links, &mut reports);
        let hashes: std::collections::HashSet<String> = on_pool!(self, pool => {
            sqlx::query_scalar::<_, String>("SELECT hash FROM attendance_events WHERE kind = 'close'").fetch_all(pool).await?.into_iter().collect()
        });
        for (session, day, half, head) in heads {
            if !head.as_ref().is_some_and(|h| hashes.contains(h)) {
                reports.push(format!(
                    "Session n° {session} : la clôture de la demi-journée ({}, journée n° {day}) indique une empreinte qui n'est celle d'aucune clôture de la chaîne.",
                    half_of(&half).label()
                ));
            }
        }
        Ok(reports)
    }

    /// Open alerts first, then the most recent, with their follow-up.
    pub async fn attendance_alerts(&self, limit: i64) -> Result<Vec<AttendanceAlert>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct AlertRow {
            id: i64,
            registration_id: i64,
            session_id: i64,
            title: String,
            first_name: String,
            last_name: String,
            client_id: Option<i64>,
            day_date: NaiveDate,
            half_day: String,
            created_at: DateTime<Utc>,
            resolved_at: Option<DateTime<Utc>>,
        }
        type Note = (i64, String, String, DateTime<Utc>);
        let (rows, notes): (Vec<AlertRow>, Vec<Note>) = on_pool!(self, pool => {
            let rows = sqlx::query_as(
                "SELECT a.id, a.registration_id, r.session_id, p.title, t.first_name, t.last_name, t.client_id, d.day_date, a.half_day, a.created_at, a.resolved_at \
                 FROM attendance_alerts a JOIN registrations r ON r.id = a.registration_id JOIN trainees t ON t.id = r.trainee_id \
                 JOIN session_days d ON d.id = a.day_id JOIN sessions s ON s.id = r.session_id JOIN programs p ON p.id = s.program_id \
                 ORDER BY CASE WHEN a.resolved_at IS NULL THEN 0 ELSE 1 END, a.created_at DESC, a.id DESC LIMIT $1",
            )
            .bind(limit)
            .fetch_all(pool)
            .await?;
            let notes = sqlx::query_as("SELECT alert_id, note, actor, at FROM attendance_followups ORDER BY at, id").fetch_all(pool).await?;
            (rows, notes)
        });
        Ok(rows
            .into_iter()
            .map(|r| AttendanceAlert {
                followups: notes.iter().filter(|n| n.0 == r.id).map(|n| (n.1.clone(), n.2.clone(), n.3)).collect(),
                id: r.id,
                registration_id: r.registration_id,
                session_id: r.session_id,
                program_title: r.title,
                trainee: format!("{} {}", r.first_name, r.last_name),
                client_id: r.client_id,
                day: r.day_date,
                half_day: half_of(&r.half_day),
                created_at: r.created_at,
                resolved_at: r.resolved_at,
            })
            .collect())
    }

    /// Adds a note to an alert's follow-up (a call, a message, the reason given); `resolve`
    /// closes the alert.
    pub async fn follow_up_alert(&self, alert_id: i64, note: &str, resolve: bool, actor: &str) -> Result<(), StoreError> {
        let at = crate::now();
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM attendance_alerts WHERE id = $1").bind(alert_id).fetch_optional(&mut *tx).await?;
            if exists.is_none() {
                return Err(StoreError::NotFound(format!("alerte n° {alert_id}")));
            }
            sqlx::query("INSERT INTO attendance_followups (alert_id, note, actor, at) VALUES ($1, $2, $3, $4)")
                .bind(alert_id)
                .bind(note)
                .bind(actor)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            if resolve {
                sqlx::query("UPDATE attendance_alerts SET resolved_at = $1 WHERE id = $2 AND resolved_at IS NULL").bind(at).bind(alert_id).execute(&mut *tx).await?;
            }
            let after = serde_json::json!({ "note_length": note.chars().count(), "resolved": resolve });
            record!(tx, actor, "attendance_alert", alert_id.to_string(), "follow_up", None::<serde_json::Value>, Some(after))?;
            tx.commit().await?;
            Ok(())
        })
    }
}

/// The events of one registration in `records` (one half-day's), as the fold reads them.
pub fn entries(records: &[AttendanceRecord], registration_id: i64) -> impl Iterator<Item = Entry> + '_ {
    records.iter().filter(move |r| r.event.registration_id == Some(registration_id)).map(|r| Entry::of(&r.event))
}
