//! One venue's page: its details and its rooms (capacity, accessibility).

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use forma_domain::FieldErrors;
use forma_domain::directory::{NewRoom, NewVenue, RoomForm, VenueForm};
use forma_store::{ClientSite, Room, StoreError, User, Venue};

use super::layout::{Frame, NoticeQuery, PathId, done, internal, invalid, not_found, render};
use super::venues::venue_refusal;
use crate::auth::CurrentUser;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "gestion/venue.html")]
struct VenuePage {
    frame: Frame,
    venue: Venue,
    /// The venue form, as stored or as typed.
    form: VenueForm,
    sites: Vec<(ClientSite, String)>,
    rooms: Vec<Room>,
    /// The new-room form.
    room: RoomForm,
    /// The room whose form was refused (0: none), and what was typed in it.
    failed_room: i64,
    edited: RoomForm,
    /// Keys: `venue-…`, `room-…` (new room), `room-{id}-…` (existing room), `venue-delete`.
    errors: FieldErrors,
}

fn form_of(v: &Venue) -> VenueForm {
    VenueForm {
        name: v.name.clone(),
        address: v.address.clone(),
        city: v.city.clone(),
        accessibility: v.accessibility.clone(),
        email: v.email.clone().unwrap_or_default(),
        client_site: v.client_site_id.map(|id| id.to_string()).unwrap_or_default(),
    }
}

#[derive(Default)]
struct Typed {
    form: Option<VenueForm>,
    room: Option<RoomForm>,
    failed_room: i64,
    edited: RoomForm,
    errors: FieldErrors,
}

async fn answer(state: &AppState, user: &User, id: i64, notice: Option<&str>, typed: Typed) -> Response {
    let refused = !typed.errors.is_empty();
    let loaded = async {
        let Some(venue) = state.store.venue(id).await? else { return Ok::<_, StoreError>(None) };
        let (rooms, sites) = tokio::try_join!(state.store.rooms(id), state.store.all_client_sites())?;
        Ok(Some(VenuePage {
            frame: Frame::new(state, user, venue.name.clone(), "lieux").notice(notice),
            form: typed.form.unwrap_or_else(|| form_of(&venue)),
            venue,
            sites,
            rooms,
            room: typed.room.unwrap_or_else(RoomForm::blank),
            failed_room: typed.failed_room,
            edited: typed.edited,
            errors: typed.errors,
        }))
    };
    match loaded.await {
        Ok(Some(p)) if refused => invalid(state, p),
        Ok(Some(p)) => render(state, p),
        Ok(None) => not_found(state),
        Err(e) => internal(state, e.into()),
    }
}

fn one(field: &str, message: String) -> FieldErrors {
    let mut errors = FieldErrors::default();
    errors.add(field, message);
    errors
}

pub async fn show(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId, Query(q): Query<NoticeQuery>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    answer(&state, user, id, q.ok.as_deref(), Typed::default()).await
}

pub async fn save(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId, Form(form): Form<VenueForm>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let errors = match NewVenue::validate(&form) {
        Ok(venue) => match state.store.update_venue(id, &venue, &current.actor()).await {
            Ok(()) => return done(&format!("/gestion/lieux/{id}"), "lieu"),
            Err(StoreError::NotFound(what)) if what.starts_with("lieu") => return not_found(&state),
            Err(e) => match venue_refusal(e) {
                Ok(errors) => errors,
                Err(e) => return internal(&state, e.into()),
            },
        },
        Err(errors) => errors.prefixed("venue-"),
    };
    answer(&state, user, id, None, Typed { form: Some(form), errors, ..Typed::default() }).await
}

pub async fn delete(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    match state.store.delete_venue(id, &current.actor()).await {
        Ok(()) => done("/gestion/lieux", "lieu-supprime"),
        Err(StoreError::Conflict(m)) => answer(&state, user, id, None, Typed { errors: one("venue-delete", m), ..Typed::default() }).await,
        Err(StoreError::NotFound(_)) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}

pub async fn add_room(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId, Form(form): Form<RoomForm>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let errors = match NewRoom::validate(&form) {
        Ok(room) => match state.store.add_room(id, &room, &current.actor()).await {
            Ok(_) => return done(&format!("/gestion/lieux/{id}"), "salle"),
            Err(StoreError::Conflict(m)) => one("room-name", m),
            Err(StoreError::NotFound(_)) => return not_found(&state),
            Err(e) => return internal(&state, e.into()),
        },
        Err(errors) => errors.prefixed("room-"),
    };
    answer(&state, user, id, None, Typed { room: Some(form), errors, ..Typed::default() }).await
}

pub async fn save_room(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId, Form(form): Form<RoomForm>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let Some(existing) = (match state.store.room(id).await {
        Ok(r) => r,
        Err(e) => return internal(&state, e.into()),
    }) else {
        return not_found(&state);
    };
    let prefix = format!("room-{id}-");
    let errors = match NewRoom::validate(&form) {
        Ok(room) => match state.store.update_room(id, &room, &current.actor()).await {
            Ok(venue) => return done(&format!("/gestion/lieux/{venue}"), "salle"),
            Err(StoreError::Conflict(m)) => one(&format!("{prefix}name"), m),
            Err(StoreError::NotFound(_)) => return not_found(&state),
            Err(e) => return internal(&state, e.into()),
        },
        Err(errors) => errors.prefixed(&prefix),
    };
    answer(&state, user, existing.venue_id, None, Typed { failed_room: id, edited: form, errors, ..Typed::default() }).await
}

pub async fn delete_room(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    match state.store.delete_room(id, &current.actor()).await {
        Ok(venue) => done(&format!("/gestion/lieux/{venue}"), "salle-supprimee"),
        Err(StoreError::Conflict(m)) => match state.store.room(id).await {
            Ok(Some(room)) => answer(&state, user, room.venue_id, None, Typed { errors: one(&format!("room-{id}-delete"), m), ..Typed::default() }).await,
            Ok(None) => not_found(&state),
            Err(e) => internal(&state, e.into()),
        },
        Err(StoreError::NotFound(_)) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}
