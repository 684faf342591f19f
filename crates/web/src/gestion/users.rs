//! Accounts (administrators only): create with a personal link sent by e-mail, deactivate,
//! send a new link, revoke links.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use forma_domain::FieldErrors;
use forma_domain::account::{Email, Role};
use forma_store::{Client, LinkSummary, NewUser, StoreError, User};
use serde::Deserialize;

use super::layout::{PathId, ParisTime, Frame, done, internal, invalid, not_found, render};
use crate::auth::CurrentUser;
use crate::auth::invitation::{invite, send_new_link};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "gestion/users.html")]
struct UsersPage {
    frame: Frame,
    users: Vec<User>,
    clients: Vec<Client>,
    roles: [Role; 5],
    form: NewUserForm,
    errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "gestion/user.html")]
struct UserPage {
    frame: Frame,
    account: User,
    links: Vec<LinkSummary>,
    is_self: bool,
    /// A link just created, shown once when no SMTP server will carry it.
    fresh_link: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
pub struct NewUserForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub client: String,
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    ok: Option<String>,
}

async fn users_page(state: &AppState, user: &User, notice: Option<&str>, form: NewUserForm, errors: FieldErrors) -> Result<UsersPage, StoreError> {
    let (users, clients) = tokio::try_join!(state.store.users(), state.store.clients())?;
    Ok(UsersPage { frame: Frame::new(state, user, "Comptes", "utilisateurs").notice(notice), users, clients, roles: Role::ALL, form, errors })
}

pub async fn list(State(state): State<AppState>, current: CurrentUser, Query(q): Query<NoticeQuery>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let form = NewUserForm { role: "gestionnaire".into(), ..NewUserForm::default() };
    match users_page(&state, user, q.ok.as_deref(), form, FieldErrors::default()).await {
        Ok(p) => render(&state, p),
        Err(e) => internal(&state, e.into()),
    }
}

/// Checks the new-account form against the known clients.
pub fn check_new_user(form: &NewUserForm, clients: &[Client]) -> Result<NewUser, FieldErrors> {
    let mut errors = FieldErrors::default();
    let email = Email::parse(&form.email).map_err(|_| errors.add("email", "Adresse e-mail invalide (prenom.nom@domaine.fr).")).ok();
    let name = form.name.trim().to_owned();
    if name.is_empty() {
        errors.add("name", "Le nom est obligatoire.");
    } else if name.chars().count() > 120 {
        errors.add("name", "Le nom ne doit pas dépasser 120 caractères.");
    }
    let role = Role::parse(&form.role);
    if role.is_none() {
        errors.add("role", "Choisissez un profil.");
    }
    let client_id = form.client.trim().parse::<i64>().ok().filter(|id| clients.iter().any(|c| c.id == *id));
    if role == Some(Role::Client) && client_id.is_none() {
        errors.add("client", "Un compte client est rattaché à un client : choisissez-le.");
    }
    match (email, role, errors.is_empty()) {
        (Some(email), Some(role), true) => {
            Ok(NewUser { email, name, role, client_id: if role == Role::Client { client_id } else { None } })
        }
        _ => Err(errors),
    }
}

pub async fn create(State(state): State<AppState>, current: CurrentUser, Form(form): Form<NewUserForm>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let clients = match state.store.clients().await {
        Ok(c) => c,
        Err(e) => return internal(&state, e.into()),
    };
    let refuse = |errors: FieldErrors| {
        let state = state.clone();
        let form = form.clone();
        async move {
            match users_page(&state, user, None, form, errors).await {
                Ok(p) => invalid(&state, p),
                Err(e) => internal(&state, e.into()),
            }
        }
    };
    let new = match check_new_user(&form, &clients) {
        Ok(n) => n,
        Err(errors) => return refuse(errors).await,
    };
    let base = state.config.absolute_url("");
    match invite(&state.store, &base, &state.organisation_name(), &new, true, &current.actor()).await {
        Ok(invitation) if !state.config.mail_enabled => account_page(&state, user, invitation.user_id, Some("compte"), Some(invitation.link)).await,
        Ok(_) => {
            state.mail_wake.notify_one();
            done("/gestion/utilisateurs", "compte")
        }
        Err(StoreError::Conflict(message)) => {
            let mut errors = FieldErrors::default();
            errors.add("email", message);
            refuse(errors).await
        }
        Err(e) => internal(&state, e.into()),
    }
}

pub async fn show(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId, Query(q): Query<NoticeQuery>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    account_page(&state, user, id, q.ok.as_deref(), None).await
}

/// An account's page; `fresh_link` is shown once (never stored in clear), for an organisation
/// without SMTP server whose administrator hands the link over another way.
async fn account_page(state: &AppState, user: &User, id: i64, notice: Option<&str>, fresh_link: Option<String>) -> Response {
    let (account, links) = match tokio::try_join!(state.store.user(id), state.store.user_links(id)) {
        Ok((Some(a), l)) => (a, l),
        Ok((None, _)) => return not_found(state),
        Err(e) => return internal(state, e.into()),
    };
    let notice = if fresh_link.is_some() { Some("lien-affiche") } else { notice };
    let frame = Frame::new(state, user, format!("Compte de {}", account.name), "utilisateurs").notice(notice);
    let mut response = render(state, UserPage { frame, is_self: account.id == user.id, account, links, fresh_link });
    response.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    response
}

#[derive(Deserialize, Default)]
pub struct ActivationForm {
    #[serde(default)]
    active: String,
}

pub async fn activation(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId, Form(form): Form<ActivationForm>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let active = form.active == "1";
    // An administrator cannot lock themselves out.
    if id == user.id && !active {
        return done(&format!("/gestion/utilisateurs/{id}"), "activation");
    }
    match state.store.set_user_active(id, active, &current.actor()).await {
        Ok(()) => done(&format!("/gestion/utilisateurs/{id}"), "activation"),
        Err(StoreError::NotFound(_)) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}

pub async fn new_link(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let account = match state.store.user(id).await {
        Ok(Some(a)) if a.active => a,
        Ok(_) => return not_found(&state),
        Err(e) => return internal(&state, e.into()),
    };
    let base = state.config.absolute_url("");
    match send_new_link(&state.store, &base, &state.organisation_name(), &account, &current.actor()).await {
        Ok(invitation) if !state.config.mail_enabled => account_page(&state, user, id, None, Some(invitation.link)).await,
        Ok(_) => {
            state.mail_wake.notify_one();
            done(&format!("/gestion/utilisateurs/{id}"), "lien")
        }
        Err(e) => internal(&state, e.into()),
    }
}

pub async fn revoke(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId) -> Response {
    match state.store.revoke_links(id, &current.actor()).await {
        Ok(_) => done(&format!("/gestion/utilisateurs/{id}"), "revoque"),
        Err(e) => internal(&state, e.into()),
    }
}

impl ParisTime for UserPage {}
