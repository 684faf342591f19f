//! Venues: the list and a new venue. A venue's own page (details, rooms) is in `venue.rs`.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use forma_domain::FieldErrors;
use forma_domain::directory::{NewVenue, VenueForm};
use forma_store::{ClientSite, StoreError, User, Venue};

use super::layout::{Frame, NoticeQuery, done, internal, invalid, not_found, render};
use crate::auth::CurrentUser;
use crate::state::AppState;

/// One line of the list.
pub struct VenueLine {
    pub venue: Venue,
    /// « CAF de l'Allier — Vichy » when the venue is a client's site.
    pub site: Option<String>,
    pub rooms: usize,
    pub largest: u32,
}

#[derive(Template)]
#[template(path = "gestion/venues.html")]
struct VenuesPage {
    frame: Frame,
    venues: Vec<VenueLine>,
    sites: Vec<(ClientSite, String)>,
    form: VenueForm,
    errors: FieldErrors,
}

async fn page(state: &AppState, user: &User, notice: Option<&str>, form: VenueForm, errors: FieldErrors) -> Result<VenuesPage, StoreError> {
    let (venues, rooms, sites) = tokio::try_join!(state.store.venues(), state.store.all_rooms(), state.store.all_client_sites())?;
    let venues = venues
        .into_iter()
        .map(|venue| {
            let mine: Vec<u32> = rooms.iter().filter(|(r, _)| r.venue_id == venue.id).map(|(r, _)| r.capacity).collect();
            let site = venue.client_site_id.and_then(|id| sites.iter().find(|(s, _)| s.id == id)).map(|(s, client)| format!("{client} — {}", s.name));
            VenueLine { site, rooms: mine.len(), largest: mine.iter().copied().max().unwrap_or(0), venue }
        })
        .collect();
    Ok(VenuesPage { frame: Frame::new(state, user, "Lieux", "lieux").notice(notice), venues, sites, form, errors })
}

pub async fn list(State(state): State<AppState>, current: CurrentUser, Query(q): Query<NoticeQuery>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    match page(&state, user, q.ok.as_deref(), VenueForm::default(), FieldErrors::default()).await {
        Ok(p) => render(&state, p),
        Err(e) => internal(&state, e.into()),
    }
}

/// The store's refusal of a venue, next to its field.
pub fn venue_refusal(error: StoreError) -> Result<FieldErrors, StoreError> {
    let mut errors = FieldErrors::default();
    match error {
        StoreError::Conflict(m) => errors.add("venue-name", m),
        StoreError::NotFound(_) => errors.add("venue-client_site", "Ce site n'existe plus : choisissez-en un autre."),
        e => return Err(e),
    }
    Ok(errors)
}

pub async fn create(State(state): State<AppState>, current: CurrentUser, Form(form): Form<VenueForm>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let errors = match NewVenue::validate(&form) {
        Ok(venue) => match state.store.create_venue(&venue, &current.actor()).await {
            Ok(id) => return done(&format!("/gestion/lieux/{id}"), "lieu"),
            Err(e) => match venue_refusal(e) {
                Ok(errors) => errors,
                Err(e) => return internal(&state, e.into()),
            },
        },
        Err(errors) => errors.prefixed("venue-"),
    };
    match page(&state, user, None, form, errors).await {
        Ok(p) => invalid(&state, p),
        Err(e) => internal(&state, e.into()),
    }
}
