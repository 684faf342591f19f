use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use chrono::{DateTime, NaiveDate, Utc};
use forma_domain::completeness::{Indicator1Item, check};
use forma_domain::{Program, ProgramKind};
use forma_store::{ProgramFilter, ProgramSummary};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::bad_query;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

const MAX_PER_PAGE: u32 = 100;
const MAX_PAGE: u32 = 100_000;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProgramListParams {
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000)]
    page: Option<u32>,
    /// Items per page (1 to 100, 20 by default).
    #[param(minimum = 1, maximum = 100)]
    per_page: Option<u32>,
    /// Category slug, e.g. `chantiers-locaux`.
    category: Option<String>,
    /// `INTRA` or `INTER`.
    #[param(value_type = Option<ProgramKind>)]
    kind: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgramListItem {
    slug: String,
    title: String,
    kind: ProgramKind,
    category: Option<String>,
    category_slug: Option<String>,
    updated_on: Option<NaiveDate>,
    duration_days: Option<u32>,
    total_hours: Option<u32>,
    /// Path of the public sheet.
    url: String,
}

impl From<ProgramSummary> for ProgramListItem {
    fn from(p: ProgramSummary) -> Self {
        ProgramListItem {
            url: format!("/formations/{}", p.slug),
            slug: p.slug,
            title: p.title,
            kind: p.kind,
            category: p.category,
            category_slug: p.category_slug,
            updated_on: p.updated_on,
            duration_days: p.duration_days,
            total_hours: p.total_hours,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgramList {
    items: Vec<ProgramListItem>,
    total: u64,
    page: u32,
    per_page: u32,
}

/// Qualiopi indicator 1 for this sheet, as of today.
#[derive(Debug, Serialize, ToSchema)]
pub struct QualiopiStatus {
    /// Missing items among `prerequisites, objectives, duration, access_modes, access_delay,
    /// prices, contacts, methods, evaluation, accessibility`.
    missing: Vec<Indicator1Item>,
    /// The MAJ date is absent or older than 12 months.
    outdated: bool,
    complete: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgramDetail {
    #[serde(flatten)]
    program: Program,
    category_slug: Option<String>,
    version: i64,
    modified_at: DateTime<Utc>,
    qualiopi: QualiopiStatus,
}

/// Published program sheets, by title.
#[utoipa::path(
    get,
    path = "/programs",
    tag = "catalogue",
    params(ProgramListParams),
    responses(
        (status = 200, description = "Une page de fiches", body = ProgramList),
        (status = 400, description = "Paramètres invalides", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn list_programs(
    State(state): State<AppState>,
    params: Result<Query<ProgramListParams>, QueryRejection>,
) -> Result<Json<ProgramList>, ApiError> {
    let Query(params) = params.map_err(bad_query)?;
    // The API is strict where the site is lenient: exactly the documented values.
    let kind = match params.kind.as_deref() {
        None => None,
        Some("INTRA") => Some(ProgramKind::Intra),
        Some("INTER") => Some(ProgramKind::Inter),
        Some(k) => return Err(ApiError::BadRequest(format!("type inconnu « {k} » : INTRA ou INTER"))),
    };
    let per_page = params.per_page.unwrap_or(20);
    if per_page == 0 || per_page > MAX_PER_PAGE {
        return Err(ApiError::BadRequest(format!("per_page doit être compris entre 1 et {MAX_PER_PAGE}")));
    }
    let page = params.page.unwrap_or(1);
    if page == 0 || page > MAX_PAGE {
        return Err(ApiError::BadRequest(format!("page doit être compris entre 1 et {MAX_PAGE}")));
    }
    let listing = state
        .store
        .list_programs(&ProgramFilter { category: params.category.filter(|c| !c.is_empty()), kind, page, per_page })
        .await?;
    Ok(Json(ProgramList {
        items: listing.items.into_iter().map(ProgramListItem::from).collect(),
        total: listing.total,
        page: listing.page,
        per_page: listing.per_page,
    }))
}

/// One program sheet with every field and its Qualiopi indicator-1 status.
#[utoipa::path(
    get,
    path = "/programs/{slug}",
    tag = "catalogue",
    params(("slug" = String, Path, description = "Identifiant de la fiche")),
    responses(
        (status = 200, description = "La fiche", body = ProgramDetail),
        (status = 404, description = "Fiche inconnue ou non publiée", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn get_program(State(state): State<AppState>, Path(slug): Path<String>) -> Result<Json<ProgramDetail>, ApiError> {
    let mut stored = state
        .store
        .program(&slug)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("aucune fiche publiée « {slug} »")))?;
    if let Some(rate) = crate::evaluations::published_rate(&state, &slug).await? {
        stored.program.satisfaction = Some(rate);
    }
    let completeness = check(&stored.program, chrono::Local::now().date_naive());
    Ok(Json(ProgramDetail {
        qualiopi: QualiopiStatus {
            complete: completeness.is_complete(),
            missing: completeness.missing,
            outdated: completeness.outdated,
        },
        program: stored.program,
        category_slug: stored.category_slug,
        version: stored.version,
        modified_at: stored.modified_at,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Category {
    slug: String,
    name: String,
    programs: i64,
}

/// Categories holding at least one published sheet.
#[utoipa::path(get, path = "/categories", tag = "catalogue", responses((status = 200, body = Vec<Category>)))]
pub async fn list_categories(State(state): State<AppState>) -> Result<Json<Vec<Category>>, ApiError> {
    let categories = state.store.categories().await?;
    Ok(Json(categories.into_iter().map(|c| Category { slug: c.slug, name: c.name, programs: c.programs }).collect()))
}
