//! Writing sheets through the API with a scoped token: create, update (both as the draft, like
//! the editor) and publish (refused while indicator-1 items are missing). Same validation and
//! journal as the back-office forms; the token's name is the actor.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use forma_domain::completeness::check;
use forma_domain::program_validation::validate;
use forma_domain::{FieldErrors, Program};
use forma_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::api_token::ApiActor;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// What a write did.
#[derive(Debug, Serialize, ToSchema)]
pub struct WriteOutcome {
    slug: String,
    /// `draft` (saved, not public) or `published`.
    state: &'static str,
    /// The published version number, after a publication.
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<i64>,
    /// MAJ of the published version.
    #[serde(skip_serializing_if = "Option::is_none")]
    updated_on: Option<NaiveDate>,
    /// Back-office editor of the sheet.
    editor_url: String,
}

/// JSON Schema counts `131.0` as an integer; serde does not. Integral numbers are made integers
/// before the sheet is read, so that any schema-valid body is understood.
pub(super) fn integral_numbers(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Number(n) if !n.is_i64() && !n.is_u64() => {
            if let Some(f) = n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15) {
                *value = serde_json::Value::from(f as i64);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(integral_numbers),
        serde_json::Value::Object(map) => map.values_mut().for_each(integral_numbers),
        _ => {}
    }
}

fn body(payload: Result<Json<serde_json::Value>, JsonRejection>) -> Result<Program, ApiError> {
    let Json(mut value) = payload.map_err(|r| ApiError::BadRequest(format!("fiche JSON illisible : {}", r.body_text())))?;
    integral_numbers(&mut value);
    let program: Program = serde_json::from_value(value).map_err(|e| ApiError::BadRequest(format!("fiche JSON illisible : {e}")))?;
    let errors = validate(&program);
    if errors.is_empty() { Ok(program) } else { Err(ApiError::Unprocessable("la fiche ne respecte pas les règles de saisie".into(), errors)) }
}

fn outcome(slug: &str, state: &'static str, version: Option<i64>, updated_on: Option<NaiveDate>) -> WriteOutcome {
    WriteOutcome { slug: slug.to_owned(), state, version, updated_on, editor_url: format!("/gestion/programmes/{slug}") }
}

/// Create a sheet (unpublished draft)
#[utoipa::path(
    post,
    path = "/programs",
    tag = "ecriture",
    request_body = Program,
    security(("jeton" = ["programs:write"])),
    responses(
        (status = 201, description = "Fiche créée, non publiée", body = WriteOutcome),
        (status = 400, description = "JSON illisible", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Jeton absent, inconnu ou révoqué", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Le jeton n'a pas la portée programs:write", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Identifiant déjà utilisé", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Règles de saisie non respectées (liste par champ)", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn create_program(
    State(state): State<AppState>,
    Extension(actor): Extension<ApiActor>,
    payload: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<Response, ApiError> {
    let program = body(payload)?;
    match state.store.create_program(&program, &actor.0).await {
        // No Location: the draft is not readable through the public API until it is published.
        Ok(()) => Ok((StatusCode::CREATED, Json(outcome(program.slug.as_str(), "draft", None, None))).into_response()),
        Err(StoreError::Conflict(m)) => Err(ApiError::Conflict(m)),
        Err(e) => Err(e.into()),
    }
}

/// Update a sheet (saved as its draft; the public page changes at publication)
#[utoipa::path(
    put,
    path = "/programs/{slug}",
    tag = "ecriture",
    request_body = Program,
    params(("slug" = String, Path, description = "Identifiant de la fiche")),
    security(("jeton" = ["programs:write"])),
    responses(
        (status = 200, description = "Brouillon enregistré", body = WriteOutcome),
        (status = 400, description = "JSON illisible", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Jeton absent, inconnu ou révoqué", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Le jeton n'a pas la portée programs:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Fiche inconnue", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Règles de saisie non respectées, ou identifiant différent de l'adresse (liste par champ)", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn update_program(
    State(state): State<AppState>,
    Extension(actor): Extension<ApiActor>,
    Path(slug): Path<String>,
    payload: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<Json<WriteOutcome>, ApiError> {
    let program = body(payload)?;
    if program.slug.as_str() != slug {
        let mut errors = FieldErrors::default();
        errors.add("slug", format!("L'identifiant d'une fiche ne change pas : attendu « {slug} », reçu « {} ».", program.slug));
        return Err(ApiError::Unprocessable("l'identifiant de la fiche diffère de l'adresse".into(), errors));
    }
    match state.store.save_draft(&program, &actor.0).await {
        Ok(()) => Ok(Json(outcome(&slug, "draft", None, None))),
        Err(StoreError::UnknownProgram(s)) => Err(ApiError::NotFound(format!("aucune fiche « {s} »"))),
        Err(e) => Err(e.into()),
    }
}

/// Publish a sheet's saved text as a new version dated today (MAJ)
#[utoipa::path(
    post,
    path = "/programs/{slug}/publication",
    tag = "ecriture",
    params(("slug" = String, Path, description = "Identifiant de la fiche")),
    security(("jeton" = ["programs:publish"])),
    responses(
        (status = 200, description = "Fiche publiée", body = WriteOutcome),
        (status = 401, description = "Jeton absent, inconnu ou révoqué", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Le jeton n'a pas la portée programs:publish", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Fiche inconnue", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Éléments de l'indicateur 1 manquants (liste)", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn publish_program(
    State(state): State<AppState>,
    Extension(actor): Extension<ApiActor>,
    Path(slug): Path<String>,
) -> Result<Json<WriteOutcome>, ApiError> {
    let editable = state.store.editable_program(&slug).await?.ok_or_else(|| ApiError::NotFound(format!("aucune fiche « {slug} »")))?;
    let today = crate::site::today();
    let completeness = check(&editable.program, today);
    if !completeness.missing.is_empty() {
        let mut errors = FieldErrors::default();
        for item in &completeness.missing {
            errors.add(item.code(), format!("{} : à renseigner avant publication (indicateur 1 Qualiopi).", item.label()));
        }
        return Err(ApiError::Unprocessable("publication refusée : indicateur 1 incomplet".into(), errors));
    }
    let version = state.store.publish_program(&editable.program, today, &actor.0).await?;
    crate::refresh::after_catalogue_write(&state).await;
    Ok(Json(outcome(&slug, "published", Some(version), Some(today))))
}
