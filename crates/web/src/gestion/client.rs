//! One client's page: its details, its sites (Moulins, Vichy, Montluçon) and its contacts.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use forma_domain::FieldErrors;
use forma_domain::directory::{ClientDetails, ClientForm, ContactForm, NewContact, NewSite, SiteForm};
use forma_store::{ClientContact, ClientRecord, ClientSite, StoreError, User};

use super::layout::{Frame, NoticeQuery, PathId, done, internal, invalid, not_found, render};
use crate::auth::CurrentUser;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "gestion/client.html")]
struct ClientPage {
    frame: Frame,
    client: ClientRecord,
    /// The details form, as stored or as typed.
    details: ClientForm,
    sites: Vec<ClientSite>,
    contacts: Vec<ClientContact>,
    site: SiteForm,
    contact: ContactForm,
    /// Keys prefixed by form: `client-`, `site-`, `contact-`.
    errors: FieldErrors,
}

fn form_of(c: &ClientRecord) -> ClientForm {
    ClientForm {
        name: c.name.clone(),
        address: c.address.clone(),
        siret: c.siret.clone().unwrap_or_default(),
        email: c.email.clone().unwrap_or_default(),
        phone: c.phone.clone().unwrap_or_default(),
        representative: c.representative.clone().unwrap_or_default(),
    }
}

/// What a refused form puts back on the page.
#[derive(Default)]
struct Typed {
    details: Option<ClientForm>,
    site: SiteForm,
    contact: ContactForm,
    errors: FieldErrors,
}

async fn page(state: &AppState, user: &User, id: i64, notice: Option<&str>, typed: Typed) -> Result<Option<ClientPage>, StoreError> {
    let Some(client) = state.store.client_details(id).await? else { return Ok(None) };
    let (sites, contacts) = tokio::try_join!(state.store.client_sites(id), state.store.client_contacts(id))?;
    Ok(Some(ClientPage {
        frame: Frame::new(state, user, client.name.clone(), "clients").notice(notice),
        details: typed.details.unwrap_or_else(|| form_of(&client)),
        client,
        sites,
        contacts,
        site: typed.site,
        contact: typed.contact,
        errors: typed.errors,
    }))
}

async fn answer(state: &AppState, user: &User, id: i64, notice: Option<&str>, typed: Typed) -> Response {
    let refused = !typed.errors.is_empty();
    match page(state, user, id, notice, typed).await {
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

pub async fn save(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId, Form(form): Form<ClientForm>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let errors = match ClientDetails::validate(&form) {
        Ok(details) => match state.store.update_client(id, &details, &current.actor()).await {
            Ok(()) => return done(&format!("/gestion/clients/{id}"), "client"),
            Err(StoreError::Conflict(m)) => one("client-name", m),
            Err(StoreError::NotFound(_)) => return not_found(&state),
            Err(e) => return internal(&state, e.into()),
        },
        Err(errors) => errors.prefixed("client-"),
    };
    answer(&state, user, id, None, Typed { details: Some(form), errors, ..Typed::default() }).await
}

pub async fn add_site(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId, Form(form): Form<SiteForm>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let errors = match NewSite::validate(&form) {
        Ok(site) => match state.store.add_client_site(id, &site, &current.actor()).await {
            Ok(_) => return done(&format!("/gestion/clients/{id}"), "site"),
            Err(StoreError::Conflict(m)) => one("site-name", m),
            Err(StoreError::NotFound(_)) => return not_found(&state),
            Err(e) => return internal(&state, e.into()),
        },
        Err(errors) => errors.prefixed("site-"),
    };
    answer(&state, user, id, None, Typed { site: form, errors, ..Typed::default() }).await
}

pub async fn delete_site(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId) -> Response {
    match state.store.delete_client_site(id, &current.actor()).await {
        Ok(client) => done(&format!("/gestion/clients/{client}"), "site-supprime"),
        Err(StoreError::NotFound(_)) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}

pub async fn add_contact(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId, Form(form): Form<ContactForm>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let errors = match NewContact::validate(&form) {
        Ok(contact) => match state.store.add_client_contact(id, &contact, &current.actor()).await {
            Ok(_) => return done(&format!("/gestion/clients/{id}"), "contact"),
            Err(StoreError::Conflict(m)) => one("contact-name", m),
            Err(StoreError::NotFound(_)) => return not_found(&state),
            Err(e) => return internal(&state, e.into()),
        },
        Err(errors) => errors.prefixed("contact-"),
    };
    answer(&state, user, id, None, Typed { contact: form, errors, ..Typed::default() }).await
}

pub async fn delete_contact(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId) -> Response {
    match state.store.delete_client_contact(id, &current.actor()).await {
        Ok(client) => done(&format!("/gestion/clients/{client}"), "contact-supprime"),
        Err(StoreError::NotFound(_)) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}
