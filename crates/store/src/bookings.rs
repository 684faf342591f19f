//! What planning checks against and what calendars show: the days already booked around some
//! dates, with their trainers and rooms.

use std::collections::HashMap;

use chrono::NaiveDate;
use forma_domain::ProgramKind;
use forma_domain::conflicts::{Booking, Conflict, PlanningContext, RoomInfo, Unavailability, detect};
use forma_domain::session::PlannedDay;
use serde::Serialize;

use crate::sessions::{DAY_COLUMNS, DAY_TRAINERS, DayDetail, DayRow, DayTrainer, day_details, session_label};

type RoomRow = (i64, String, i64);
type UnavailableRow = (i64, NaiveDate, NaiveDate, String);
use crate::{Store, StoreError, on_pool};

/// Whose calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "scope", content = "id", rename_all = "snake_case")]
pub enum CalendarScope {
    All,
    Session(i64),
    Trainer(i64),
    Venue(i64),
}

impl CalendarScope {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Session(_) => "session",
            Self::Trainer(_) => "trainer",
            Self::Venue(_) => "venue",
        }
    }

    pub fn target(self) -> i64 {
        match self {
            Self::All => 0,
            Self::Session(id) | Self::Trainer(id) | Self::Venue(id) => id,
        }
    }

    pub fn from_parts(scope: &str, id: i64) -> Option<Self> {
        match scope {
            "session" => Some(Self::Session(id)),
            "trainer" => Some(Self::Trainer(id)),
            "venue" => Some(Self::Venue(id)),
            _ => None,
        }
    }
}

/// One day in a calendar, with its session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalendarDay {
    pub session_id: i64,
    pub program_title: String,
    pub kind: ProgramKind,
    pub client_name: Option<String>,
    pub detail: DayDetail,
}

impl CalendarDay {
    pub fn session_label(&self) -> String {
        session_label(self.session_id, &self.program_title)
    }
}

impl Store {
    /// Days of planned (not cancelled) sessions between `first` and `last` (inclusive), in the
    /// scope's calendar, by date then start.
    pub async fn calendar_days(&self, first: NaiveDate, last: NaiveDate, scope: CalendarScope) -> Result<Vec<CalendarDay>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Session {
            id: i64,
            title: String,
            kind: String,
            client_name: Option<String>,
        }
        let filter = match scope {
            CalendarScope::All => "$3 = 0",
            CalendarScope::Session(_) => "d.session_id = $3",
            CalendarScope::Trainer(_) => "EXISTS (SELECT 1 FROM session_day_trainers x WHERE x.day_id = d.id AND x.trainer_id = $3)",
            CalendarScope::Venue(_) => "d.venue_id = $3",
        };
        let (rows, trainers, sessions): (Vec<DayRow>, Vec<DayTrainer>, Vec<Session>) = on_pool!(self, pool => {
            let condition = format!(
                "d.day_date >= $1 AND d.day_date <= $2 AND {filter} AND d.session_id IN (SELECT id FROM sessions WHERE status = 'planned')"
            );
            let rows = sqlx::query_as::<_, DayRow>(sqlx::AssertSqlSafe(format!("SELECT {DAY_COLUMNS} WHERE {condition} ORDER BY d.day_date, d.start_time, d.id")))
                .bind(first)
                .bind(last)
                .bind(scope.target())
                .fetch_all(pool)
                .await?;
            let trainers = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{DAY_TRAINERS} WHERE dt.day_id IN (SELECT d.id FROM session_days d WHERE {condition}) ORDER BY dt.day_id, t.name"
            )))
            .bind(first)
            .bind(last)
            .bind(scope.target())
            .fetch_all(pool)
            .await?;
            let sessions = sqlx::query_as::<_, Session>(sqlx::AssertSqlSafe(format!(
                "SELECT s.id, p.title, s.kind, c.name AS client_name FROM sessions s JOIN programs p ON p.id = s.program_id \
                 LEFT JOIN clients c ON c.id = s.client_id WHERE s.id IN (SELECT d.session_id FROM session_days d WHERE {condition})"
            )))
            .bind(first)
            .bind(last)
            .bind(scope.target())
            .fetch_all(pool)
            .await?;
            (rows, trainers, sessions)
        });
        let sessions: HashMap<i64, Session> = sessions.into_iter().map(|s| (s.id, s)).collect();
        let session_of: Vec<i64> = rows.iter().map(|r| r.session_id).collect();
        Ok(day_details(rows, &trainers)
            .into_iter()
            .zip(session_of)
            .filter_map(|(detail, session_id)| {
                let s = sessions.get(&session_id)?;
                Some(CalendarDay {
                    session_id,
                    program_title: s.title.clone(),
                    kind: ProgramKind::parse(&s.kind).unwrap_or(ProgramKind::Inter),
                    client_name: s.client_name.clone(),
                    detail,
                })
            })
            .collect())
    }

    /// Everything the conflict rules need around the planned days: other days on the same dates
    /// (the days of `session_id` itself excluded, save `keep_days` — the stored days of this
    /// session that the plan does not replace), rooms, trainer names and unavailabilities.
    pub async fn planning_context(&self, days: &[PlannedDay], session_id: Option<i64>, keep_days: &[i64]) -> Result<PlanningContext, StoreError> {
        let mut context = PlanningContext::default();
        let (Some(first), Some(last)) = (days.iter().map(|d| d.date).min(), days.iter().map(|d| d.date).max()) else {
            return Ok(context);
        };
        for day in self.calendar_days(first, last, CalendarScope::All).await? {
            let own = Some(day.session_id) == session_id;
            if own && !keep_days.contains(&day.detail.id) {
                continue;
            }
            if days.iter().any(|d| d.date == day.detail.day.date) {
                context.bookings.push(Booking {
                    day_id: day.detail.id,
                    date: day.detail.day.date,
                    schedule: day.detail.day.schedule,
                    trainer_ids: day.detail.day.trainer_ids.clone(),
                    room_id: day.detail.day.room_id,
                    label: if own { "autre journée de cette session".to_owned() } else { day.session_label() },
                });
            }
        }
        let (rooms, trainers, unavailable): (Vec<RoomRow>, Vec<(i64, String)>, Vec<UnavailableRow>) = on_pool!(self, pool => {
            let rooms = sqlx::query_as("SELECT id, name, capacity FROM rooms").fetch_all(pool).await?;
            let trainers = sqlx::query_as("SELECT id, name FROM trainers").fetch_all(pool).await?;
            let unavailable = sqlx::query_as(
                "SELECT trainer_id, first_day, last_day, reason FROM trainer_unavailabilities WHERE last_day >= $1 AND first_day <= $2",
            )
            .bind(first)
            .bind(last)
            .fetch_all(pool)
            .await?;
            (rooms, trainers, unavailable)
        });
        context.rooms = rooms.into_iter().map(|(id, name, capacity)| (id, RoomInfo { name, capacity: u32::try_from(capacity).unwrap_or(0) })).collect();
        context.trainer_names = trainers.into_iter().collect();
        context.unavailabilities = unavailable
            .into_iter()
            .map(|(trainer_id, first_day, last_day, reason)| Unavailability { trainer_id, first_day, last_day, reason })
            .collect();
        Ok(context)
    }

    /// The conflicts of planned days against everything else booked.
    pub async fn plan_conflicts(&self, days: &[PlannedDay], session_id: Option<i64>, keep_days: &[i64]) -> Result<Vec<Conflict>, StoreError> {
        let context = self.planning_context(days, session_id, keep_days).await?;
        Ok(detect(days, &context))
    }
}
