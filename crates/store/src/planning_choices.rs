//! What the planning forms offer to choose from: published programs, clients, venues with their
//! rooms, trainers with their provider. Read-only; the directory's own pages edit these.

use forma_domain::ProgramKind;
use serde::Serialize;

use crate::{Store, StoreError, on_pool};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProgramChoice {
    pub slug: String,
    pub title: String,
    pub kind: ProgramKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClientChoice {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VenueChoice {
    pub id: i64,
    pub name: String,
    pub city: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoomChoice {
    pub id: i64,
    pub venue_id: i64,
    pub name: String,
    pub capacity: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrainerChoice {
    pub id: i64,
    pub name: String,
    /// The provider (« Accolades ») of an external trainer; `None` for an internal one.
    pub provider: Option<String>,
    pub active: bool,
}

/// Everything the session forms list, each sorted by name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PlanningChoices {
    /// Published programs only: a session is planned from a published version.
    pub programs: Vec<ProgramChoice>,
    pub clients: Vec<ClientChoice>,
    pub venues: Vec<VenueChoice>,
    /// Rooms by venue name, then room name.
    pub rooms: Vec<RoomChoice>,
    pub trainers: Vec<TrainerChoice>,
}

impl PlanningChoices {
    pub fn program(&self, slug: &str) -> Option<&ProgramChoice> {
        self.programs.iter().find(|p| p.slug == slug)
    }

    pub fn room(&self, id: i64) -> Option<&RoomChoice> {
        self.rooms.iter().find(|r| r.id == id)
    }

    pub fn rooms_of(&self, venue_id: i64) -> impl Iterator<Item = &RoomChoice> {
        self.rooms.iter().filter(move |r| r.venue_id == venue_id)
    }
}

impl Store {
    pub async fn planning_choices(&self) -> Result<PlanningChoices, StoreError> {
        type Lists = (Vec<(String, String, String)>, Vec<(i64, String)>, Vec<(i64, String, String)>, Vec<(i64, i64, String, i64)>, Vec<(i64, String, Option<String>, bool)>);
        let (programs, clients, venues, rooms, trainers): Lists = on_pool!(self, pool => {
            let programs = sqlx::query_as("SELECT slug, title, kind FROM programs WHERE status = 'published' ORDER BY sort_key, slug")
                .fetch_all(pool)
                .await?;
            let clients = sqlx::query_as("SELECT id, name FROM clients ORDER BY name").fetch_all(pool).await?;
            let venues = sqlx::query_as("SELECT id, name, city FROM venues ORDER BY name").fetch_all(pool).await?;
            let rooms = sqlx::query_as(
                "SELECT r.id, r.venue_id, r.name, r.capacity FROM rooms r JOIN venues v ON v.id = r.venue_id ORDER BY v.name, r.name",
            )
            .fetch_all(pool)
            .await?;
            let trainers = sqlx::query_as(
                "SELECT t.id, t.name, p.name, t.active FROM trainers t LEFT JOIN providers p ON p.id = t.provider_id ORDER BY t.name, t.id",
            )
            .fetch_all(pool)
            .await?;
            (programs, clients, venues, rooms, trainers)
        });
        Ok(PlanningChoices {
            programs: programs
                .into_iter()
                .map(|(slug, title, kind)| ProgramChoice { slug, title, kind: ProgramKind::parse(&kind).unwrap_or(ProgramKind::Inter) })
                .collect(),
            clients: clients.into_iter().map(|(id, name)| ClientChoice { id, name }).collect(),
            venues: venues.into_iter().map(|(id, name, city)| VenueChoice { id, name, city }).collect(),
            rooms: rooms
                .into_iter()
                .map(|(id, venue_id, name, capacity)| RoomChoice { id, venue_id, name, capacity: u32::try_from(capacity).unwrap_or(0) })
                .collect(),
            trainers: trainers.into_iter().map(|(id, name, provider, active)| TrainerChoice { id, name, provider, active }).collect(),
        })
    }
}
