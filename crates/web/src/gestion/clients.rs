//! Client organisations, as far as accounts need them (a client contact belongs to one). The
//! planning issue extends them (sites, requests, conventions).

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use forma_domain::FieldErrors;
use forma_store::{Client, StoreError};
use serde::Deserialize;

use super::layout::{Frame, done, internal, invalid, not_found, render};
use crate::auth::CurrentUser;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "gestion/clients.html")]
struct ClientsPage {
    frame: Frame,
    clients: Vec<Client>,
    name: String,
    errors: FieldErrors,
}

#[derive(Deserialize, Default)]
pub struct ClientForm {
    #[serde(default)]
    name: String,
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    ok: Option<String>,
}

pub async fn list(State(state): State<AppState>, current: CurrentUser, Query(q): Query<NoticeQuery>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    match state.store.clients().await {
        Ok(clients) => render(
            &state,
            ClientsPage { frame: Frame::new(&state, user, "Clients", "clients").notice(q.ok.as_deref()), clients, name: String::new(), errors: FieldErrors::default() },
        ),
        Err(e) => internal(&state, e.into()),
    }
}

pub async fn create(State(state): State<AppState>, current: CurrentUser, Form(form): Form<ClientForm>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let name = form.name.trim();
    let mut errors = FieldErrors::default();
    if name.is_empty() || name.chars().count() > 120 {
        errors.add("name", "Le nom du client est obligatoire (120 caractères au plus).");
    } else {
        match state.store.create_client(name, &current.actor()).await {
            Ok(_) => return done("/gestion/clients", "client"),
            Err(StoreError::Conflict(m)) => errors.add("name", m),
            Err(e) => return internal(&state, e.into()),
        }
    }
    match state.store.clients().await {
        Ok(clients) => invalid(&state, ClientsPage { frame: Frame::new(&state, user, "Clients", "clients"), clients, name: form.name, errors }),
        Err(e) => internal(&state, e.into()),
    }
}
