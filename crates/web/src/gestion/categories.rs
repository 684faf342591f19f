//! Categories: create, rename (the address keeps its slug), delete when empty.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use forma_domain::FieldErrors;
use forma_store::{CategoryRow, StoreError};
use serde::Deserialize;

use super::layout::{Frame, done, internal, invalid, not_found, render};
use crate::auth::CurrentUser;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "gestion/categories.html")]
struct CategoriesPage {
    frame: Frame,
    categories: Vec<CategoryRow>,
    name: String,
    /// Which form failed: `new` or a category slug.
    failed: String,
    errors: FieldErrors,
}

#[derive(Deserialize, Default)]
pub struct NameForm {
    #[serde(default)]
    name: String,
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    ok: Option<String>,
}

async fn page(state: &AppState, user: &forma_store::User, notice: Option<&str>, name: String, failed: String, errors: FieldErrors) -> Result<CategoriesPage, StoreError> {
    Ok(CategoriesPage {
        frame: Frame::new(state, user, "Catégories", "categories").notice(notice),
        categories: state.store.all_categories().await?,
        name,
        failed,
        errors,
    })
}

pub async fn list(State(state): State<AppState>, current: CurrentUser, Query(q): Query<NoticeQuery>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    match page(&state, user, q.ok.as_deref(), String::new(), String::new(), FieldErrors::default()).await {
        Ok(p) => render(&state, p),
        Err(e) => internal(&state, e.into()),
    }
}

fn check_name(name: &str) -> Result<String, &'static str> {
    let name = name.trim();
    match name.chars().count() {
        0 => Err("Le nom de la catégorie est obligatoire."),
        81.. => Err("Le nom ne doit pas dépasser 80 caractères."),
        _ => Ok(name.to_owned()),
    }
}

async fn refuse(state: &AppState, user: &forma_store::User, name: String, failed: &str, message: String) -> Response {
    let mut errors = FieldErrors::default();
    errors.add(format!("name-{failed}"), message);
    match page(state, user, None, name, failed.to_owned(), errors).await {
        Ok(p) => invalid(state, p),
        Err(e) => internal(state, e.into()),
    }
}

pub async fn create(State(state): State<AppState>, current: CurrentUser, Form(form): Form<NameForm>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let name = match check_name(&form.name) {
        Ok(n) => n,
        Err(m) => return refuse(&state, user, form.name, "new", m.into()).await,
    };
    match state.store.create_category(&name, &current.actor()).await {
        Ok(_) => done("/gestion/categories", "categorie"),
        Err(StoreError::Conflict(m)) => refuse(&state, user, form.name, "new", m).await,
        Err(e) => internal(&state, e.into()),
    }
}

pub async fn rename(State(state): State<AppState>, current: CurrentUser, Path(slug): Path<String>, Form(form): Form<NameForm>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let name = match check_name(&form.name) {
        Ok(n) => n,
        Err(m) => return refuse(&state, user, form.name, &slug, m.into()).await,
    };
    match state.store.rename_category(&slug, &name, &current.actor()).await {
        Ok(()) => {
            crate::refresh::after_catalogue_write(&state).await;
            done("/gestion/categories", "categorie")
        }
        Err(StoreError::Conflict(m)) => refuse(&state, user, form.name, &slug, m).await,
        Err(StoreError::NotFound(_)) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}

pub async fn delete(State(state): State<AppState>, current: CurrentUser, Path(slug): Path<String>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    match state.store.delete_category(&slug, &current.actor()).await {
        Ok(()) => done("/gestion/categories", "categorie"),
        Err(StoreError::Conflict(m)) => refuse(&state, user, String::new(), &slug, m).await,
        Err(StoreError::NotFound(_)) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}
