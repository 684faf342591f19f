//! Venues and their rooms. A room or venue that training days use cannot be deleted.

use forma_domain::directory::{NewRoom, NewVenue};
use serde::Serialize;

use crate::audit::record;
use crate::error::{conflict_on_unique, conflict_or_missing};
use crate::{Store, StoreError, now, on_pool};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Venue {
    pub id: i64,
    pub name: String,
    pub address: String,
    pub city: String,
    /// Set when the venue is a client's site (a CAF's premises).
    pub client_site_id: Option<i64>,
    /// Access for people with disabilities, parking, transport.
    pub accessibility: String,
    /// The reception desk's address, told of accommodations decided for trainees.
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Room {
    pub id: i64,
    pub venue_id: i64,
    pub name: String,
    pub capacity: u32,
    pub accessible: bool,
}

#[derive(sqlx::FromRow)]
struct RoomRow {
    id: i64,
    venue_id: i64,
    name: String,
    capacity: i64,
    accessible: bool,
}

impl From<RoomRow> for Room {
    fn from(r: RoomRow) -> Room {
        // The column's CHECK keeps capacities positive; the form bounds them to 1000.
        Room { id: r.id, venue_id: r.venue_id, name: r.name, capacity: u32::try_from(r.capacity).unwrap_or(0), accessible: r.accessible }
    }
}

const VENUE_COLUMNS: &str = "SELECT id, name, address, city, client_site_id, accessibility, email FROM venues";
const ROOM_COLUMNS: &str = "SELECT id, venue_id, name, capacity, accessible FROM rooms";
const SAME_VENUE: &str = "Un lieu porte déjà ce nom.";
const SAME_ROOM: &str = "Ce lieu a déjà une salle de ce nom.";
const VENUE_IN_USE: &str = "Ce lieu est prévu pour des journées de formation : il ne peut pas être supprimé.";
const ROOM_IN_USE: &str = "Cette salle est prévue pour des journées de formation : elle ne peut pas être supprimée.";

impl Store {
    pub async fn create_venue(&self, venue: &NewVenue, actor: &str) -> Result<i64, StoreError> {
        let after = serde_json::to_value(venue).ok();
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO venues (name, address, city, client_site_id, accessibility, email, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(&venue.name)
            .bind(&venue.address)
            .bind(&venue.city)
            .bind(venue.client_site_id)
            .bind(&venue.accessibility)
            .bind(venue.email.as_ref().map(|e| e.as_str()))
            .bind(now())
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| conflict_or_missing(e, SAME_VENUE, "site du client"))?;
            record!(tx, actor, "venue", id.to_string(), "create", None::<serde_json::Value>, after)?;
            tx.commit().await?;
            Ok(id)
        })
    }

    pub async fn update_venue(&self, id: i64, venue: &NewVenue, actor: &str) -> Result<(), StoreError> {
        let after = serde_json::to_value(venue).ok();
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let before = sqlx::query_as::<_, Venue>(sqlx::AssertSqlSafe(format!("{VENUE_COLUMNS} WHERE id = $1")))
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("lieu {id}")))?;
            sqlx::query("UPDATE venues SET name = $1, address = $2, city = $3, client_site_id = $4, accessibility = $5, email = $6 WHERE id = $7")
                .bind(&venue.name)
                .bind(&venue.address)
                .bind(&venue.city)
                .bind(venue.client_site_id)
                .bind(&venue.accessibility)
                .bind(venue.email.as_ref().map(|e| e.as_str()))
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(|e| conflict_or_missing(e, SAME_VENUE, "site du client"))?;
            record!(tx, actor, "venue", id.to_string(), "update", serde_json::to_value(before).ok(), after)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Every venue by name.
    pub async fn venues(&self) -> Result<Vec<Venue>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as::<_, Venue>(sqlx::AssertSqlSafe(format!("{VENUE_COLUMNS} ORDER BY name"))).fetch_all(pool).await?)
        })
    }

    pub async fn venue(&self, id: i64) -> Result<Option<Venue>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as::<_, Venue>(sqlx::AssertSqlSafe(format!("{VENUE_COLUMNS} WHERE id = $1"))).bind(id).fetch_optional(pool).await?)
        })
    }

    /// Deletes a venue and its rooms, unless a training day uses it or one of its rooms.
    pub async fn delete_venue(&self, id: i64, actor: &str) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let venue = sqlx::query_as::<_, Venue>(sqlx::AssertSqlSafe(format!("{VENUE_COLUMNS} WHERE id = $1")))
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("lieu {id}")))?;
            let used: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM session_days WHERE venue_id = $1 OR room_id IN (SELECT id FROM rooms WHERE venue_id = $1))",
            )
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
            if used {
                return Err(StoreError::Conflict(VENUE_IN_USE.into()));
            }
            sqlx::query("DELETE FROM venues WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(|e| in_use(e, VENUE_IN_USE))?;
            record!(tx, actor, "venue", id.to_string(), "delete", serde_json::to_value(&venue).ok(), None::<serde_json::Value>)?;
            tx.commit().await?;
            Ok(())
        })
    }

    pub async fn add_room(&self, venue_id: i64, room: &NewRoom, actor: &str) -> Result<i64, StoreError> {
        let mut after = serde_json::to_value(room).unwrap_or_default();
        after["venue_id"] = venue_id.into();
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let id: i64 = sqlx::query_scalar("INSERT INTO rooms (venue_id, name, capacity, accessible) VALUES ($1, $2, $3, $4) RETURNING id")
                .bind(venue_id)
                .bind(&room.name)
                .bind(i64::from(room.capacity))
                .bind(room.accessible)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| conflict_or_missing(e, SAME_ROOM, "lieu"))?;
            record!(tx, actor, "room", id.to_string(), "create", None::<serde_json::Value>, Some(after))?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Changes a room; returns its venue's id.
    pub async fn update_room(&self, id: i64, room: &NewRoom, actor: &str) -> Result<i64, StoreError> {
        let after = serde_json::to_value(room).ok();
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let before: Room = sqlx::query_as::<_, RoomRow>(sqlx::AssertSqlSafe(format!("{ROOM_COLUMNS} WHERE id = $1")))
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("salle {id}")))?
                .into();
            sqlx::query("UPDATE rooms SET name = $1, capacity = $2, accessible = $3 WHERE id = $4")
                .bind(&room.name)
                .bind(i64::from(room.capacity))
                .bind(room.accessible)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(|e| conflict_on_unique(e, SAME_ROOM))?;
            record!(tx, actor, "room", id.to_string(), "update", serde_json::to_value(&before).ok(), after)?;
            tx.commit().await?;
            Ok(before.venue_id)
        })
    }

    /// A venue's rooms by name.
    pub async fn rooms(&self, venue_id: i64) -> Result<Vec<Room>, StoreError> {
        let rows = on_pool!(self, pool => {
            sqlx::query_as::<_, RoomRow>(sqlx::AssertSqlSafe(format!("{ROOM_COLUMNS} WHERE venue_id = $1 ORDER BY name")))
                .bind(venue_id)
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(Room::from).collect())
    }

    /// Every room with its venue's name, by venue then room.
    pub async fn all_rooms(&self) -> Result<Vec<(Room, String)>, StoreError> {
        let rows: Vec<(i64, i64, String, i64, bool, String)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT r.id, r.venue_id, r.name, r.capacity, r.accessible, v.name FROM rooms r JOIN venues v ON v.id = r.venue_id \
                 ORDER BY v.name, r.name",
            )
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(id, venue_id, name, capacity, accessible, venue)| (RoomRow { id, venue_id, name, capacity, accessible }.into(), venue))
            .collect())
    }

    pub async fn room(&self, id: i64) -> Result<Option<Room>, StoreError> {
        let row = on_pool!(self, pool => {
            sqlx::query_as::<_, RoomRow>(sqlx::AssertSqlSafe(format!("{ROOM_COLUMNS} WHERE id = $1"))).bind(id).fetch_optional(pool).await?
        });
        Ok(row.map(Room::from))
    }

    /// Deletes a room unless a training day uses it; returns its venue's id.
    pub async fn delete_room(&self, id: i64, actor: &str) -> Result<i64, StoreError> {
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let room: Room = sqlx::query_as::<_, RoomRow>(sqlx::AssertSqlSafe(format!("{ROOM_COLUMNS} WHERE id = $1")))
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("salle {id}")))?
                .into();
            let used: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM session_days WHERE room_id = $1)").bind(id).fetch_one(&mut *tx).await?;
            if used {
                return Err(StoreError::Conflict(ROOM_IN_USE.into()));
            }
            sqlx::query("DELETE FROM rooms WHERE id = $1").bind(id).execute(&mut *tx).await.map_err(|e| in_use(e, ROOM_IN_USE))?;
            record!(tx, actor, "room", id.to_string(), "delete", serde_json::to_value(&room).ok(), None::<serde_json::Value>)?;
            tx.commit().await?;
            Ok(room.venue_id)
        })
    }
}

/// A row still referenced (a day planned meanwhile) is a conflict, said in French.
fn in_use(e: sqlx::Error, message: &str) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::Conflict(message.to_owned()),
        _ => StoreError::Database(e),
    }
}
