//! Sessions in their minimal form: a dated run of a program, its days, hours and places.

use chrono::{NaiveDate, NaiveTime};
use forma_domain::ProgramKind;
use forma_domain::session::{NewSession, SessionDay};
use serde::Serialize;

use crate::audit::record;
use crate::{Store, StoreError, now, on_pool};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionSummary {
    pub id: i64,
    pub program_slug: String,
    pub program_title: String,
    pub kind: ProgramKind,
    pub capacity: Option<u32>,
    /// Seats still open; registrations come later, so for now every seat is open.
    pub seats_left: Option<u32>,
    pub days: Vec<SessionDay>,
}

impl SessionSummary {
    pub fn first_day(&self) -> Option<NaiveDate> {
        self.days.first().map(|d| d.date)
    }
}

/// One row of the upcoming-sessions query: a session day with its session and program.
#[derive(sqlx::FromRow)]
struct UpcomingDay {
    id: i64,
    kind: String,
    capacity: Option<i64>,
    slug: String,
    title: String,
    day_date: NaiveDate,
    start_time: NaiveTime,
    end_time: NaiveTime,
    place: String,
}

impl Store {
    /// Creates a session of a published program, with its days.
    pub async fn create_session(&self, program_slug: &str, session: NewSession, actor: &str) -> Result<i64, StoreError> {
        let after = serde_json::to_value(&session).ok();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let program_id: i64 = sqlx::query_scalar("SELECT id FROM programs WHERE slug = $1")
                .bind(program_slug)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| StoreError::UnknownProgram(program_slug.to_owned()))?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO sessions (program_id, kind, capacity, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(program_id)
            .bind(session.kind.as_str())
            .bind(session.capacity.map(i64::from))
            .bind(now())
            .fetch_one(&mut *tx)
            .await?;
            for day in &session.days {
                sqlx::query(
                    "INSERT INTO session_days (session_id, day_date, start_time, end_time, place) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(id)
                .bind(day.date)
                .bind(day.start)
                .bind(day.end)
                .bind(&day.place)
                .execute(&mut *tx)
                .await?;
            }
            record!(tx, actor, "session", id.to_string(), "create", None::<serde_json::Value>, after)?;
            tx.commit().await?;
            Ok(id)
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
        let rows: Vec<UpcomingDay> = on_pool!(self, pool => {
            sqlx::query_as::<_, UpcomingDay>(
                "SELECT s.id, s.kind, s.capacity, p.slug, p.title, d.day_date, d.start_time, d.end_time, d.place \
                 FROM sessions s JOIN programs p ON p.id = s.program_id JOIN session_days d ON d.session_id = s.id \
                 WHERE p.status = 'published' AND ($2 IS NULL OR p.slug = $2) AND ($3 = FALSE OR s.kind = 'INTER') \
                 AND s.id IN (SELECT session_id FROM session_days GROUP BY session_id HAVING MIN(day_date) >= $1) \
                 ORDER BY s.id, d.day_date",
            )
            .bind(from)
            .bind(program_slug)
            .bind(public_only)
            .fetch_all(pool)
            .await?
        });
        let mut sessions: Vec<SessionSummary> = Vec::new();
        for row in rows {
            let day = SessionDay { date: row.day_date, start: row.start_time, end: row.end_time, place: row.place };
            match sessions.last_mut() {
                Some(last) if last.id == row.id => last.days.push(day),
                _ => {
                    let capacity = row.capacity.and_then(|c| u32::try_from(c).ok());
                    sessions.push(SessionSummary {
                        id: row.id,
                        program_slug: row.slug,
                        program_title: row.title,
                        kind: ProgramKind::parse(&row.kind).unwrap_or(ProgramKind::Inter),
                        capacity,
                        seats_left: capacity,
                        days: vec![day],
                    });
                }
            }
        }
        sessions.sort_by_key(|s| (s.first_day(), s.id));
        sessions.truncate(limit);
        Ok(sessions)
    }
}
