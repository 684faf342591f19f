//! Client organisations: the list, and a new client with its details. A client's own page
//! (details, sites, contacts) is in `client.rs`.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use forma_domain::FieldErrors;
use forma_domain::directory::{ClientDetails, ClientForm};
use forma_store::{ClientSummary, StoreError, User};

use super::layout::{Frame, NoticeQuery, done, internal, invalid, not_found, render};
use crate::auth::CurrentUser;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "gestion/clients.html")]
struct ClientsPage {
    frame: Frame,
    clients: Vec<ClientSummary>,
    form: ClientForm,
    errors: FieldErrors,
}

async fn page(state: &AppState, user: &User, notice: Option<&str>, form: ClientForm, errors: FieldErrors) -> Result<ClientsPage, StoreError> {
    Ok(ClientsPage { frame: Frame::new(state, user, "Clients", "clients").notice(notice), clients: state.store.client_summaries().await?, form, errors })
}

pub async fn list(State(state): State<AppState>, current: CurrentUser, Query(q): Query<NoticeQuery>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    match page(&state, user, q.ok.as_deref(), ClientForm::default(), FieldErrors::default()).await {
        Ok(p) => render(&state, p),
        Err(e) => internal(&state, e.into()),
    }
}

pub async fn create(State(state): State<AppState>, current: CurrentUser, Form(form): Form<ClientForm>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let errors = match ClientDetails::validate(&form) {
        Ok(details) => match state.store.create_client_details(&details, &current.actor()).await {
            Ok(id) => return done(&format!("/gestion/clients/{id}"), "client"),
            Err(StoreError::Conflict(m)) => {
                let mut errors = FieldErrors::default();
                errors.add("client-name", m);
                errors
            }
            Err(e) => return internal(&state, e.into()),
        },
        Err(errors) => errors,
    };
    match page(&state, user, None, form, errors.prefixed("client-")).await {
        Ok(p) => invalid(&state, p),
        Err(e) => internal(&state, e.into()),
    }
}
