//! Sessions: a dated run of a published program version, planned as modules of days with their
//! half-days, venue and room, trainers, audience and head-count.

use chrono::{NaiveDate, NaiveTime};
use forma_domain::ProgramKind;
use forma_domain::half_day::{DaySchedule, Slot};
use forma_domain::session::{DayHeadcount, PlannedDay, SessionDay, SessionPlan};
use serde::Serialize;

use crate::audit::record;
use crate::{Store, StoreError, now, on_pool};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionSummary {
    pub id: i64,
    pub program_slug: String,
    pub program_title: String,
    pub kind: ProgramKind,
    /// The client of an INTRA session.
    pub client_id: Option<i64>,
    pub capacity: Option<u32>,
    /// Seats still open on its fullest day (`None`: no limit set).
    pub seats_left: Option<u32>,
    pub days: Vec<SessionDay>,
}

impl SessionSummary {
    pub fn first_day(&self) -> Option<NaiveDate> {
        self.days.first().map(|d| d.date)
    }
}

/// One stored day with the names planners read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayDetail {
    pub id: i64,
    pub day: PlannedDay,
    pub venue_name: Option<String>,
    pub room_name: Option<String>,
    pub room_capacity: Option<u32>,
    /// Trainer names in the order of `day.trainer_ids`.
    pub trainer_names: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionDetail {
    pub id: i64,
    pub program_slug: String,
    pub program_title: String,
    /// The published version the session was planned from.
    pub program_version: Option<i64>,
    pub kind: ProgramKind,
    pub client_id: Option<i64>,
    pub client_name: Option<String>,
    pub capacity: Option<u32>,
    pub cancelled: bool,
    pub modules: Vec<String>,
    pub days: Vec<DayDetail>,
}

impl SessionDetail {
    /// The session as a plan, to check conflicts or apply an avenant.
    pub fn plan(&self) -> SessionPlan {
        SessionPlan {
            kind: self.kind,
            client_id: self.client_id,
            capacity: self.capacity,
            modules: self.modules.clone(),
            days: self.days.iter().map(|d| d.day.clone()).collect(),
        }
    }

    /// « Session n° 12 — Accompagner la CTG », how conflicts and calendars name it.
    pub fn label(&self) -> String {
        session_label(self.id, &self.program_title)
    }
}

pub(crate) fn session_label(id: i64, title: &str) -> String {
    format!("session n° {id} — {title}")
}

/// A row of the back-office session list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionRow {
    pub id: i64,
    pub program_slug: String,
    pub program_title: String,
    pub kind: ProgramKind,
    pub client_name: Option<String>,
    pub capacity: Option<u32>,
    pub cancelled: bool,
    pub first_day: Option<NaiveDate>,
    pub last_day: Option<NaiveDate>,
    pub day_count: i64,
}

#[derive(sqlx::FromRow)]
struct UpcomingDay {
    id: i64,
    kind: String,
    client_id: Option<i64>,
    capacity: Option<i64>,
    slug: String,
    title: String,
    day_date: NaiveDate,
    start_time: NaiveTime,
    end_time: NaiveTime,
    place: String,
}

#[derive(sqlx::FromRow)]
struct HeaderRow {
    id: i64,
    slug: String,
    title: String,
    program_version: Option<i64>,
    kind: String,
    client_id: Option<i64>,
    client_name: Option<String>,
    capacity: Option<i64>,
    status: String,
}

#[derive(sqlx::FromRow)]
pub(crate) struct DayRow {
    pub id: i64,
    pub session_id: i64,
    pub day_date: NaiveDate,
    pub start_time: NaiveTime,
    pub end_time: NaiveTime,
    pub morning_start: Option<NaiveTime>,
    pub morning_end: Option<NaiveTime>,
    pub afternoon_start: Option<NaiveTime>,
    pub afternoon_end: Option<NaiveTime>,
    pub module_position: Option<i64>,
    pub title: String,
    pub venue_id: Option<i64>,
    pub venue_name: Option<String>,
    pub room_id: Option<i64>,
    pub room_name: Option<String>,
    pub room_capacity: Option<i64>,
    pub place: String,
    pub audience: String,
    pub headcount_min: Option<i64>,
    pub headcount_max: Option<i64>,
}

/// Columns of [`DayRow`]; `d` is `session_days`.
pub(crate) const DAY_COLUMNS: &str = "d.id, d.session_id, d.day_date, d.start_time, d.end_time, d.morning_start, d.morning_end, \
     d.afternoon_start, d.afternoon_end, m.position AS module_position, d.title, d.venue_id, v.name AS venue_name, d.room_id, \
     r.name AS room_name, r.capacity AS room_capacity, d.place, d.audience, d.headcount_min, d.headcount_max \
     FROM session_days d LEFT JOIN session_modules m ON m.id = d.module_id LEFT JOIN venues v ON v.id = d.venue_id \
     LEFT JOIN rooms r ON r.id = d.room_id";

fn count(value: Option<i64>) -> Option<u32> {
    value.and_then(|v| u32::try_from(v).ok())
}

impl DayRow {
    pub(crate) fn schedule(&self) -> DaySchedule {
        let slot = |s: Option<NaiveTime>, e: Option<NaiveTime>| s.zip(e).map(|(start, end)| Slot { start, end });
        let schedule = DaySchedule { morning: slot(self.morning_start, self.morning_end), afternoon: slot(self.afternoon_start, self.afternoon_end) };
        if schedule.morning.is_none() && schedule.afternoon.is_none() { DaySchedule::from_envelope(self.start_time, self.end_time) } else { schedule }
    }

    fn planned(&self, trainer_ids: Vec<i64>) -> PlannedDay {
        PlannedDay {
            date: self.day_date,
            module: count(self.module_position),
            title: self.title.clone(),
            schedule: self.schedule(),
            venue_id: self.venue_id,
            room_id: self.room_id,
            place: self.place.clone(),
            trainer_ids,
            audience: self.audience.clone(),
            headcount: count(self.headcount_min).zip(count(self.headcount_max)).map(|(min, max)| DayHeadcount { min, max }),
        }
    }
}

/// A day's trainer: (day id, trainer id, name).
pub(crate) type DayTrainer = (i64, i64, String);

/// Trainers of the given days: (day id, trainer id, name), by day then name.
pub(crate) const DAY_TRAINERS: &str =
    "SELECT dt.day_id, t.id, t.name FROM session_day_trainers dt JOIN trainers t ON t.id = dt.trainer_id";

pub(crate) fn day_details(rows: Vec<DayRow>, trainers: &[DayTrainer]) -> Vec<DayDetail> {
    rows.into_iter()
        .map(|row| {
            let mine: Vec<&DayTrainer> = trainers.iter().filter(|t| t.0 == row.id).collect();
            let day = row.planned(mine.iter().map(|t| t.1).collect());
            DayDetail {
                id: row.id,
                day,
                venue_name: row.venue_name,
                room_name: row.room_name,
                room_capacity: count(row.room_capacity),
                trainer_names: mine.iter().map(|t| t.2.clone()).collect(),
            }
        })
        .collect()
}

/// The place a day shows in lists: its venue's name, or the words typed when it has none.
/// Refuses a room of another venue. Runs inside the caller's transaction.
macro_rules! place_label {
    ($tx:expr, $day:expr) => {{
        let day: &forma_domain::session::PlannedDay = $day;
        match day.venue_id {
            None => day.place.trim().to_owned(),
            Some(venue_id) => {
                let row: Option<(String, Option<i64>)> = sqlx::query_as(
                    "SELECT v.name, (SELECT r.id FROM rooms r WHERE r.venue_id = v.id AND r.id = $2) FROM venues v WHERE v.id = $1",
                )
                .bind(venue_id)
                .bind(day.room_id)
                .fetch_optional(&mut *$tx)
                .await?;
                match row {
                    None => return Err(StoreError::NotFound(format!("lieu n° {venue_id}"))),
                    Some((_, None)) if day.room_id.is_some() => {
                        return Err(StoreError::Conflict("Cette salle n'appartient pas au lieu choisi.".into()))
                    }
                    Some((name, _)) => name,
                }
            }
        }
    }};
}
pub(crate) use place_label;

/// Writes one day and its trainers inside the caller's transaction: a new day when `$existing`
/// is `None`, else the stored day of that id (which keeps its id); evaluates to the day's id.
macro_rules! write_day {
    ($tx:expr, $session_id:expr, $day:expr, $existing:expr) => {{
        let day: &forma_domain::session::PlannedDay = $day;
        let existing: Option<i64> = $existing;
        let (start, end) = day.envelope();
        let module_id: Option<i64> = match day.module {
            Some(position) => sqlx::query_scalar("SELECT id FROM session_modules WHERE session_id = $1 AND position = $2")
                .bind($session_id)
                .bind(i64::from(position))
                .fetch_optional(&mut *$tx)
                .await?,
            None => None,
        };
        let place = $crate::sessions::place_label!($tx, day);
        // The same fifteen values, in the same order, for both statements.
        let sql = if existing.is_some() {
            "UPDATE session_days SET day_date = $1, start_time = $2, end_time = $3, place = $4, module_id = $5, title = $6, \
             morning_start = $7, morning_end = $8, afternoon_start = $9, afternoon_end = $10, venue_id = $11, room_id = $12, \
             audience = $13, headcount_min = $14, headcount_max = $15 WHERE session_id = $16 AND id = $17 RETURNING id"
        } else {
            "INSERT INTO session_days (day_date, start_time, end_time, place, module_id, title, morning_start, morning_end, \
             afternoon_start, afternoon_end, venue_id, room_id, audience, headcount_min, headcount_max, session_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id"
        };
        let mut query = sqlx::query_scalar::<_, i64>(sql)
            .bind(day.date)
            .bind(start)
            .bind(end)
            .bind(place)
            .bind(module_id)
            .bind(&day.title)
            .bind(day.schedule.morning.map(|s| s.start))
            .bind(day.schedule.morning.map(|s| s.end))
            .bind(day.schedule.afternoon.map(|s| s.start))
            .bind(day.schedule.afternoon.map(|s| s.end))
            .bind(day.venue_id)
            .bind(day.room_id)
            .bind(&day.audience)
            .bind(day.headcount.map(|h| i64::from(h.min)))
            .bind(day.headcount.map(|h| i64::from(h.max)))
            .bind($session_id);
        if let Some(id) = existing {
            query = query.bind(id);
        }
        let id: i64 = query
            .fetch_optional(&mut *$tx)
            .await
            .map_err(|e| crate::error::conflict_on_unique(e, "La session a déjà une journée à cette date."))?
            .ok_or_else(|| StoreError::NotFound(format!("journée n° {}", existing.unwrap_or_default())))?;
        sqlx::query("DELETE FROM session_day_trainers WHERE day_id = $1").bind(id).execute(&mut *$tx).await?;
        for trainer in &day.trainer_ids {
            sqlx::query("INSERT INTO session_day_trainers (day_id, trainer_id) VALUES ($1, $2)")
                .bind(id)
                .bind(trainer)
                .execute(&mut *$tx)
                .await?;
        }
        id
    }};
}
pub(crate) use write_day;


impl Store {
    /// Creates a session of a published program, planned from its current version, with its
    /// modules and days. The plan must have been validated (and its conflicts checked).
    pub async fn create_session(&self, program_slug: &str, plan: &SessionPlan, actor: &str) -> Result<i64, StoreError> {
        self.create_session_from(program_slug, plan, None, actor).await
    }

    /// Creates the session and, when it answers a client's request, links that request to it in
    /// the same transaction (a request already linked to another session keeps its link). The
    /// request still awaits its answer: telling the client is a separate, dated act.
    pub async fn create_session_from(&self, program_slug: &str, plan: &SessionPlan, request: Option<i64>, actor: &str) -> Result<i64, StoreError> {
        let after = serde_json::to_value(plan).ok();
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let (program_id, version): (i64, i64) =
                sqlx::query_as("SELECT id, current_version FROM programs WHERE slug = $1 AND status = 'published'")
                    .bind(program_slug)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or_else(|| StoreError::UnknownProgram(program_slug.to_owned()))?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO sessions (program_id, kind, capacity, created_at, client_id, program_version) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(program_id)
            .bind(plan.kind.as_str())
            .bind(plan.capacity.map(i64::from))
            .bind(now())
            .bind(plan.client_id)
            .bind(version)
            .fetch_one(&mut *tx)
            .await?;
            for (i, title) in plan.modules.iter().enumerate() {
                sqlx::query("INSERT INTO session_modules (session_id, position, title) VALUES ($1, $2, $3)")
                    .bind(id)
                    .bind(i as i64 + 1)
                    .bind(title.trim())
                    .execute(&mut *tx)
                    .await?;
            }
            for day in &plan.days {
                write_day!(tx, id, day, None);
            }
            record!(tx, actor, "session", id.to_string(), "create", None::<serde_json::Value>, after)?;
            if let Some(request) = request {
                let linked = sqlx::query("UPDATE requests SET session_id = $1 WHERE id = $2 AND session_id IS NULL")
                    .bind(id)
                    .bind(request)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if linked > 0 {
                    record!(tx, actor, "request", request.to_string(), "link_session", None::<serde_json::Value>, Some(serde_json::json!({ "session_id": id })))?;
                }
            }
            tx.commit().await?;
            Ok(id)
        })
    }

    pub async fn session(&self, id: i64) -> Result<Option<SessionDetail>, StoreError> {
        let (header, modules, days, trainers): (Option<HeaderRow>, Vec<(String,)>, Vec<DayRow>, Vec<DayTrainer>) = on_pool!(self, pool => {
            let header = sqlx::query_as::<_, HeaderRow>(
                "SELECT s.id, p.slug, p.title, s.program_version, s.kind, s.client_id, c.name AS client_name, s.capacity, s.status \
                 FROM sessions s JOIN programs p ON p.id = s.program_id LEFT JOIN clients c ON c.id = s.client_id WHERE s.id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?;
            let modules = sqlx::query_as("SELECT title FROM session_modules WHERE session_id = $1 ORDER BY position")
                .bind(id)
                .fetch_all(pool)
                .await?;
            let days = sqlx::query_as::<_, DayRow>(sqlx::AssertSqlSafe(format!("SELECT {DAY_COLUMNS} WHERE d.session_id = $1 ORDER BY d.day_date")))
                .bind(id)
                .fetch_all(pool)
                .await?;
            let trainers = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{DAY_TRAINERS} JOIN session_days d ON d.id = dt.day_id WHERE d.session_id = $1 ORDER BY dt.day_id, t.name"
            )))
            .bind(id)
            .fetch_all(pool)
            .await?;
            (header, modules, days, trainers)
        });
        Ok(header.map(|h| SessionDetail {
            id: h.id,
            program_slug: h.slug,
            program_title: h.title,
            program_version: h.program_version,
            kind: ProgramKind::parse(&h.kind).unwrap_or(ProgramKind::Inter),
            client_id: h.client_id,
            client_name: h.client_name,
            capacity: count(h.capacity),
            cancelled: h.status == "cancelled",
            modules: modules.into_iter().map(|m| m.0).collect(),
            days: day_details(days, &trainers),
        }))
    }

    /// Every session, the most recent first day first; `upcoming_from` keeps those not finished
    /// by that date.
    pub async fn sessions(&self, upcoming_from: Option<NaiveDate>) -> Result<Vec<SessionRow>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            id: i64,
            slug: String,
            title: String,
            kind: String,
            client_name: Option<String>,
            capacity: Option<i64>,
            status: String,
            first_day: Option<NaiveDate>,
            last_day: Option<NaiveDate>,
            day_count: i64,
        }
        let rows: Vec<Row> = on_pool!(self, pool => {
            sqlx::query_as::<_, Row>(
                "SELECT s.id, p.slug, p.title, s.kind, c.name AS client_name, s.capacity, s.status, \
                 (SELECT MIN(day_date) FROM session_days WHERE session_id = s.id) AS first_day, \
                 (SELECT MAX(day_date) FROM session_days WHERE session_id = s.id) AS last_day, \
                 (SELECT COUNT(*) FROM session_days WHERE session_id = s.id) AS day_count \
                 FROM sessions s JOIN programs p ON p.id = s.program_id LEFT JOIN clients c ON c.id = s.client_id \
                 WHERE ($1 IS NULL OR EXISTS (SELECT 1 FROM session_days WHERE session_id = s.id AND day_date >= $1)) \
                 ORDER BY first_day DESC, s.id DESC",
            )
            .bind(upcoming_from)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|r| SessionRow {
                id: r.id,
                program_slug: r.slug,
                program_title: r.title,
                kind: ProgramKind::parse(&r.kind).unwrap_or(ProgramKind::Inter),
                client_name: r.client_name,
                capacity: count(r.capacity),
                cancelled: r.status == "cancelled",
                first_day: r.first_day,
                last_day: r.last_day,
                day_count: r.day_count,
            })
            .collect())
    }

    /// Adds a day to a session (validated and conflict-checked by the caller).
    pub async fn add_session_day(&self, session_id: i64, day: &PlannedDay, actor: &str) -> Result<i64, StoreError> {
        let after = serde_json::to_value(day).ok();
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let id = write_day!(tx, session_id, day, None);
            record!(tx, actor, "session", session_id.to_string(), "add_day", None::<serde_json::Value>, after)?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Replaces what a day holds, keeping its id (attendance will hang on it).
    pub async fn update_session_day(&self, session_id: i64, day_id: i64, day: &PlannedDay, actor: &str) -> Result<(), StoreError> {
        let before = self.session(session_id).await?.and_then(|s| s.days.into_iter().find(|d| d.id == day_id)).map(|d| d.day);
        let Some(before) = before else { return Err(StoreError::NotFound(format!("journée n° {day_id}"))) };
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            write_day!(tx, session_id, day, Some(day_id));
            record!(tx, actor, "session", session_id.to_string(), "update_day", serde_json::to_value(&before).ok(), serde_json::to_value(day).ok())?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Removes a day; a session keeps at least one.
    pub async fn delete_session_day(&self, session_id: i64, day_id: i64, actor: &str) -> Result<(), StoreError> {
        let Some(session) = self.session(session_id).await? else { return Err(StoreError::NotFound(format!("session n° {session_id}"))) };
        let Some(day) = session.days.iter().find(|d| d.id == day_id) else { return Err(StoreError::NotFound(format!("journée n° {day_id}"))) };
        if session.days.len() == 1 {
            return Err(StoreError::Conflict("Une session garde au moins une journée : annulez-la plutôt.".into()));
        }
        let before = serde_json::to_value(&day.day).ok();
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            sqlx::query("DELETE FROM session_days WHERE id = $1 AND session_id = $2").bind(day_id).bind(session_id).execute(&mut *tx).await?;
            record!(tx, actor, "session", session_id.to_string(), "delete_day", before, None::<serde_json::Value>)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Changes the session's capacity and module titles (days keep their module by position;
    /// modules beyond the new list are removed and their days left without module).
    pub async fn update_session_header(&self, id: i64, capacity: Option<u32>, modules: &[String], actor: &str) -> Result<(), StoreError> {
        let Some(before) = self.session(id).await? else { return Err(StoreError::NotFound(format!("session n° {id}"))) };
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            sqlx::query("UPDATE sessions SET capacity = $1 WHERE id = $2").bind(capacity.map(i64::from)).bind(id).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM session_modules WHERE session_id = $1 AND position > $2")
                .bind(id)
                .bind(modules.len() as i64)
                .execute(&mut *tx)
                .await?;
            for (i, title) in modules.iter().enumerate() {
                let position = i as i64 + 1;
                let updated = sqlx::query("UPDATE session_modules SET title = $1 WHERE session_id = $2 AND position = $3")
                    .bind(title.trim())
                    .bind(id)
                    .bind(position)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if updated == 0 {
                    sqlx::query("INSERT INTO session_modules (session_id, position, title) VALUES ($1, $2, $3)")
                        .bind(id)
                        .bind(position)
                        .bind(title.trim())
                        .execute(&mut *tx)
                        .await?;
                }
            }
            let before = serde_json::json!({ "capacity": before.capacity, "modules": before.modules });
            let after = serde_json::json!({ "capacity": capacity, "modules": modules });
            record!(tx, actor, "session", id.to_string(), "update", Some(before), Some(after))?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Cancels (or reinstates) a session; cancelled sessions leave the public list and calendars.
    pub async fn set_session_cancelled(&self, id: i64, cancelled: bool, actor: &str) -> Result<(), StoreError> {
        let status = if cancelled { "cancelled" } else { "planned" };
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let changed = sqlx::query("UPDATE sessions SET status = $1 WHERE id = $2").bind(status).bind(id).execute(&mut *tx).await?.rows_affected();
            if changed == 0 {
                return Err(StoreError::NotFound(format!("session n° {id}")));
            }
            record!(tx, actor, "session", id.to_string(), if cancelled { "cancel" } else { "reinstate" }, None::<serde_json::Value>, Some(serde_json::json!({ "status": status })))?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Sessions whose first day is on or after `from`, soonest first. `public_only` keeps INTER
    /// sessions only: an INTRA session belongs to its client and is never advertised.
    pub async fn upcoming_sessions(
        &self,
        from: NaiveDate,
        program_slug: Option<&str>,
        public_only: bool,
        limit: usize,
    ) -> Result<Vec<SessionSummary>, StoreError> {
        self.upcoming(from, program_slug, public_only, limit, None).await
    }

    /// One upcoming session (planned, of a published sheet, not started before `from`), without
    /// reading the whole list and its seat counts.
    pub async fn upcoming_session(&self, id: i64, from: NaiveDate, public_only: bool) -> Result<Option<SessionSummary>, StoreError> {
        Ok(self.upcoming(from, None, public_only, 1, Some(id)).await?.pop())
    }

    async fn upcoming(
        &self,
        from: NaiveDate,
        program_slug: Option<&str>,
        public_only: bool,
        limit: usize,
        session: Option<i64>,
    ) -> Result<Vec<SessionSummary>, StoreError> {
        let rows: Vec<UpcomingDay> = on_pool!(self, pool => {
            sqlx::query_as::<_, UpcomingDay>(
                "SELECT s.id, s.kind, s.client_id, s.capacity, p.slug, p.title, d.day_date, d.start_time, d.end_time, d.place \
                 FROM sessions s JOIN programs p ON p.id = s.program_id JOIN session_days d ON d.session_id = s.id \
                 WHERE p.status = 'published' AND s.status = 'planned' AND ($2 IS NULL OR p.slug = $2) AND ($3 = FALSE OR s.kind = 'INTER') \
                 AND ($4 IS NULL OR s.id = $4) AND s.id IN (SELECT session_id FROM session_days GROUP BY session_id HAVING MIN(day_date) >= $1) \
                 ORDER BY s.id, d.day_date",
            )
            .bind(from)
            .bind(program_slug)
            .bind(public_only)
            .bind(session)
            .fetch_all(pool)
            .await?
        });
        let mut sessions: Vec<SessionSummary> = Vec::new();
        for row in rows {
            let day = SessionDay { date: row.day_date, start: row.start_time, end: row.end_time, place: row.place };
            match sessions.last_mut() {
                Some(last) if last.id == row.id => last.days.push(day),
                _ => {
                    let capacity = count(row.capacity);
                    sessions.push(SessionSummary {
                        id: row.id,
                        program_slug: row.slug,
                        program_title: row.title,
                        kind: ProgramKind::parse(&row.kind).unwrap_or(ProgramKind::Inter),
                        client_id: row.client_id,
                        capacity,
                        seats_left: capacity,
                        days: vec![day],
                    });
                }
            }
        }
        sessions.sort_by_key(|s| (s.first_day(), s.id));
        sessions.truncate(limit);
        let ids: Vec<i64> = sessions.iter().map(|s| s.id).collect();
        let mut seats = self.seats_left_of(&ids).await?;
        for s in &mut sessions {
            s.seats_left = seats.remove(&s.id).flatten();
        }
        Ok(sessions)
    }
}
