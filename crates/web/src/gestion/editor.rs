//! Editing a sheet: the form (saved as a draft), the preview, publication (refused while an
//! indicator-1 item is missing, saying which), unpublication, and abandoning the draft.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use forma_domain::completeness::check;
use forma_domain::{FieldErrors, Program, ProgramKind, Slug};
use forma_store::{EditableProgram, StoreError};
use serde::Deserialize;

use super::editor_form::{EditorForm, FormData};
use super::layout::{Frame, done, internal, invalid, not_found, render};
use crate::auth::CurrentUser;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "gestion/editor.html")]
struct EditorPage {
    frame: Frame,
    slug: String,
    title: String,
    published: bool,
    has_draft: bool,
    current_version: i64,
    form: EditorForm,
    errors: FieldErrors,
    categories: Vec<String>,
    /// Indicator-1 items missing from the text in the form, for the publish button.
    missing: Vec<&'static str>,
    outdated_notice: bool,
    publish_refused: bool,
}

#[derive(Template)]
#[template(path = "gestion/new_program.html")]
struct NewPage {
    frame: Frame,
    title: String,
    slug: String,
    kind: String,
    errors: FieldErrors,
}

#[derive(Deserialize, Default)]
pub struct EditorQuery {
    ok: Option<String>,
}

async fn category_names(state: &AppState) -> Result<Vec<String>, StoreError> {
    Ok(state.store.all_categories().await?.into_iter().map(|c| c.name).collect())
}

async fn load(state: &AppState, slug: &str) -> Result<Option<EditableProgram>, Response> {
    state.store.editable_program(slug).await.map_err(|e| internal(state, e.into()))
}

#[allow(clippy::too_many_arguments)]
async fn editor_page(
    state: &AppState,
    user: &forma_store::User,
    editable: &EditableProgram,
    form: EditorForm,
    errors: FieldErrors,
    checked: &Program,
    notice: Option<&str>,
    publish_refused: bool,
) -> Result<EditorPage, StoreError> {
    let completeness = check(checked, crate::site::today());
    Ok(EditorPage {
        frame: Frame::new(state, user, format!("Modifier « {} »", editable.program.title), "programmes").notice(notice),
        slug: editable.program.slug.to_string(),
        title: editable.program.title.clone(),
        published: editable.published,
        has_draft: editable.has_draft,
        current_version: editable.current_version,
        form: form.with_blank_rows(),
        errors,
        categories: category_names(state).await?,
        missing: completeness.missing.iter().map(|i| i.label()).collect(),
        outdated_notice: editable.published && completeness.outdated,
        publish_refused,
    })
}

pub async fn edit(State(state): State<AppState>, current: CurrentUser, Path(slug): Path<String>, Query(q): Query<EditorQuery>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let editable = match load(&state, &slug).await {
        Ok(Some(e)) => e,
        Ok(None) => return not_found(&state),
        Err(r) => return r,
    };
    let form = EditorForm::from_program(&editable.program);
    match editor_page(&state, user, &editable, form, FieldErrors::default(), &editable.program, q.ok.as_deref(), false).await {
        Ok(page) => render(&state, page),
        Err(e) => internal(&state, e.into()),
    }
}

/// Saves the form as the draft; on a validation error the page comes back as typed.
pub async fn save(State(state): State<AppState>, current: CurrentUser, Path(slug): Path<String>, body: Bytes) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let editable = match load(&state, &slug).await {
        Ok(Some(e)) => e,
        Ok(None) => return not_found(&state),
        Err(r) => return r,
    };
    let data = FormData::parse(&body);
    let form = EditorForm::from_data(&data);
    match form.to_program(&editable.program) {
        Ok(program) => match state.store.save_draft(&program, &current.actor()).await {
            Ok(()) => done(&format!("/gestion/programmes/{slug}"), "brouillon"),
            Err(e) => internal(&state, e.into()),
        },
        Err(errors) => match editor_page(&state, user, &editable, form, errors, &editable.program, None, false).await {
            Ok(page) => invalid(&state, page),
            Err(e) => internal(&state, e.into()),
        },
    }
}

/// Publishes the saved text (draft, or the current version when unpublished) as a new version.
pub async fn publish(State(state): State<AppState>, current: CurrentUser, Path(slug): Path<String>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let editable = match load(&state, &slug).await {
        Ok(Some(e)) => e,
        Ok(None) => return not_found(&state),
        Err(r) => return r,
    };
    let completeness = check(&editable.program, crate::site::today());
    if !completeness.missing.is_empty() {
        let form = EditorForm::from_program(&editable.program);
        let mut errors = FieldErrors::default();
        for item in &completeness.missing {
            errors.add(format!("missing_{}", item.code()), format!("{} : à renseigner avant publication (indicateur 1 Qualiopi).", item.label()));
        }
        return match editor_page(&state, user, &editable, form, errors, &editable.program, None, true).await {
            Ok(page) => invalid(&state, page),
            Err(e) => internal(&state, e.into()),
        };
    }
    match state.store.publish_program(&editable.program, crate::site::today(), &current.actor()).await {
        Ok(_) => {
            crate::refresh::after_catalogue_write(&state).await;
            done(&format!("/gestion/programmes/{slug}"), "publie")
        }
        Err(e) => internal(&state, e.into()),
    }
}

pub async fn unpublish(State(state): State<AppState>, current: CurrentUser, Path(slug): Path<String>) -> Response {
    match state.store.unpublish_program(&slug, &current.actor()).await {
        Ok(()) => {
            crate::refresh::after_catalogue_write(&state).await;
            done(&format!("/gestion/programmes/{slug}"), "depublie")
        }
        Err(StoreError::NotFound(_)) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}

pub async fn discard(State(state): State<AppState>, current: CurrentUser, Path(slug): Path<String>) -> Response {
    match state.store.discard_draft(&slug, &current.actor()).await {
        Ok(()) => done(&format!("/gestion/programmes/{slug}"), "abandonne"),
        Err(StoreError::NotFound(_)) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}

/// The saved text (draft first) rendered as the public page will show it.
pub async fn preview(State(state): State<AppState>, Path(slug): Path<String>) -> Response {
    let editable = match load(&state, &slug).await {
        Ok(Some(e)) => e,
        Ok(None) => return not_found(&state),
        Err(r) => return r,
    };
    match crate::site::render_sheet(&state, &editable.program, editable.category_slug.as_deref(), true) {
        Ok(html) => Html(html).into_response(),
        Err(e) => internal(&state, e),
    }
}

#[derive(Deserialize, Default)]
pub struct NewForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    kind: String,
}

pub async fn new_page(State(state): State<AppState>, current: CurrentUser) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let frame = Frame::new(&state, user, "Nouvelle fiche", "programmes");
    render(&state, NewPage { frame, title: String::new(), slug: String::new(), kind: "INTER".into(), errors: FieldErrors::default() })
}

/// Creates an unpublished sheet from a title (the address is derived from it unless given),
/// then opens it in the editor.
pub async fn create(State(state): State<AppState>, current: CurrentUser, axum::Form(form): axum::Form<NewForm>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let mut errors = FieldErrors::default();
    let title = form.title.trim().to_owned();
    if title.is_empty() {
        errors.add("title", "Le titre est obligatoire.");
    } else if title.chars().count() > forma_domain::program_validation::MAX_TITLE_CHARS {
        errors.add("title", "Le titre ne doit pas dépasser 200 caractères.");
    }
    let slug = if form.slug.trim().is_empty() { Slug::from_title(&title) } else { Slug::parse(form.slug.trim()).ok() };
    if slug.is_none() && !title.is_empty() {
        errors.add("slug", "Identifiant invalide : lettres minuscules sans accent, chiffres et tirets (par exemple « gestion-des-conflits »).");
    }
    let kind = ProgramKind::parse(&form.kind);
    if kind.is_none() {
        errors.add("kind", "Choisissez INTRA ou INTER.");
    }
    let (Some(slug), Some(kind), true) = (slug, kind, errors.is_empty()) else {
        let frame = Frame::new(&state, user, "Nouvelle fiche", "programmes");
        return invalid(&state, NewPage { frame, title: form.title, slug: form.slug, kind: form.kind, errors });
    };
    let program = Program::new(slug.clone(), title, kind);
    match state.store.create_program(&program, &current.actor()).await {
        Ok(()) => done(&format!("/gestion/programmes/{slug}"), "cree"),
        Err(StoreError::Conflict(message)) => {
            let mut errors = FieldErrors::default();
            errors.add("slug", message);
            let frame = Frame::new(&state, user, "Nouvelle fiche", "programmes");
            invalid(&state, NewPage { frame, title: form.title, slug: slug.to_string(), kind: form.kind, errors })
        }
        Err(e) => internal(&state, e.into()),
    }
}
