//! Read-only lookups for the calendar pages and their feeds: the trainers and venues a planner
//! can choose a calendar from, the name a scope is shown under, one feed by id, and when each
//! session last changed (an iCalendar event's stamp).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::bookings::CalendarScope;
use crate::calendar_feeds::CalendarFeed;
use crate::sessions::session_label;
use crate::{Store, StoreError, on_pool};

/// An entry of a calendar's select list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CalendarChoice {
    pub id: i64,
    pub name: String,
    /// A trainer's provider, a venue's city: what tells two similar names apart.
    pub detail: String,
    /// Inactive trainers stay choosable (their past days), marked as such.
    pub active: bool,
}

impl Store {
    /// Trainers by name, with their provider (« interne » when they have none).
    pub async fn calendar_trainer_choices(&self) -> Result<Vec<CalendarChoice>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as::<_, CalendarChoice>(
                "SELECT t.id, t.name, COALESCE(p.name, 'interne') AS detail, t.active FROM trainers t \
                 LEFT JOIN providers p ON p.id = t.provider_id ORDER BY t.name, t.id",
            )
            .fetch_all(pool)
            .await?)
        })
    }

    /// Venues by name, with their city.
    pub async fn calendar_venue_choices(&self) -> Result<Vec<CalendarChoice>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as::<_, CalendarChoice>("SELECT id, name, city AS detail, TRUE AS active FROM venues ORDER BY name, id")
                .fetch_all(pool)
                .await?)
        })
    }

    /// What a calendar is called: the trainer's or venue's name, « session n° 12 — titre »;
    /// `None` when the trainer, venue or session does not exist.
    pub async fn calendar_scope_name(&self, scope: CalendarScope) -> Result<Option<String>, StoreError> {
        let sql = match scope {
            CalendarScope::All => return Ok(Some("toutes les sessions".to_owned())),
            CalendarScope::Trainer(_) => "SELECT name FROM trainers WHERE id = $1",
            CalendarScope::Venue(_) => "SELECT name FROM venues WHERE id = $1",
            CalendarScope::Session(_) => "SELECT p.title FROM sessions s JOIN programs p ON p.id = s.program_id WHERE s.id = $1",
        };
        let name: Option<String> = on_pool!(self, pool => {
            sqlx::query_scalar(sql).bind(scope.target()).fetch_optional(pool).await?
        });
        Ok(match scope {
            CalendarScope::Session(id) => name.map(|title| session_label(id, &title)),
            _ => name,
        })
    }

    /// One feed, live or not.
    pub async fn calendar_feed(&self, id: i64) -> Result<Option<CalendarFeed>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as::<_, CalendarFeed>(
                "SELECT id, scope, target_id, created_at, expires_at, revoked_at FROM calendar_feeds WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// When each of these sessions was last written (its latest journal entry).
    pub async fn calendar_session_updates(&self, ids: &[i64]) -> Result<HashMap<i64, DateTime<Utc>>, StoreError> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let keys: Vec<String> = ids.iter().map(i64::to_string).collect();
        let rows: Vec<(String, DateTime<Utc>)> = on_pool!(self, pool => {
            let mut query = sqlx::QueryBuilder::new("SELECT entity_id, at FROM audit_events WHERE entity = 'session' AND entity_id IN (");
            let mut list = query.separated(", ");
            for key in &keys {
                list.push_bind(key);
            }
            query.push(")");
            query.build_query_as().fetch_all(pool).await?
        });
        let mut latest: HashMap<i64, DateTime<Utc>> = HashMap::new();
        for (id, at) in rows {
            if let Ok(id) = id.parse::<i64>() {
                let entry = latest.entry(id).or_insert(at);
                if at > *entry {
                    *entry = at;
                }
            }
        }
        Ok(latest)
    }
}
