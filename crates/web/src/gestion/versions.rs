//! A sheet's published versions: list, field-by-field comparison, restore into the draft.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use forma_domain::program_diff::{FieldChange, diff};
use forma_store::{StoreError, VersionSummary};
use serde::Deserialize;

use super::layout::{ParisTime, Frame, done, internal, not_found, render};
use crate::auth::CurrentUser;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "gestion/versions.html")]
struct VersionsPage {
    frame: Frame,
    slug: String,
    title: String,
    versions: Vec<VersionSummary>,
    current_version: i64,
}

#[derive(Template)]
#[template(path = "gestion/compare.html")]
struct ComparePage {
    frame: Frame,
    slug: String,
    title: String,
    from: String,
    to: String,
    changes: Vec<FieldChange>,
}

pub async fn list(State(state): State<AppState>, current: CurrentUser, Path(slug): Path<String>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let (editable, versions) = match tokio::try_join!(state.store.editable_program(&slug), state.store.program_versions(&slug)) {
        Ok((Some(e), v)) => (e, v),
        Ok((None, _)) => return not_found(&state),
        Err(e) => return internal(&state, e.into()),
    };
    let frame = Frame::new(&state, user, format!("Versions de « {} »", editable.program.title), "programmes");
    render(&state, VersionsPage { frame, slug, title: editable.program.title, versions, current_version: editable.current_version })
}

#[derive(Deserialize)]
pub struct CompareQuery {
    /// A version number, or `brouillon` for the pending draft.
    de: Option<String>,
    a: Option<String>,
}

/// Compares two versions; « brouillon » names the pending draft.
pub async fn compare(State(state): State<AppState>, current: CurrentUser, Path(slug): Path<String>, Query(q): Query<CompareQuery>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let editable = match state.store.editable_program(&slug).await {
        Ok(Some(e)) => e,
        Ok(None) => return not_found(&state),
        Err(e) => return internal(&state, e.into()),
    };
    let from = q.de.unwrap_or_else(|| (editable.current_version - 1).max(1).to_string());
    let to = q.a.unwrap_or_else(|| if editable.has_draft { "brouillon".into() } else { editable.current_version.to_string() });
    let side = |which: &str| {
        let state = &state;
        let editable = &editable;
        let slug = &slug;
        let which = which.to_owned();
        async move {
            if which == "brouillon" {
                return Ok(editable.has_draft.then(|| editable.program.clone()));
            }
            match which.parse::<i64>() {
                Ok(n) => state.store.program_version(slug, n).await,
                Err(_) => Ok::<_, StoreError>(None),
            }
        }
    };
    let (before, after) = match tokio::try_join!(side(&from), side(&to)) {
        Ok((Some(b), Some(a))) => (b, a),
        Ok(_) => return not_found(&state),
        Err(e) => return internal(&state, e.into()),
    };
    let frame = Frame::new(&state, user, format!("Comparer les versions de « {} »", editable.program.title), "programmes");
    render(&state, ComparePage { frame, slug, title: editable.program.title.clone(), changes: diff(&before, &after), from, to })
}

pub async fn restore(State(state): State<AppState>, current: CurrentUser, Path((slug, number)): Path<(String, String)>) -> Response {
    let Ok(number) = number.parse::<i64>() else { return not_found(&state) };
    match state.store.restore_version(&slug, number, &current.actor()).await {
        Ok(()) => done(&format!("/gestion/programmes/{slug}"), "restaure"),
        Err(StoreError::NotFound(_) | StoreError::UnknownProgram(_)) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}

impl ParisTime for VersionsPage {}
