//! The JSON API, `/api/v1`. Routes are declared with utoipa-axum so that the OpenAPI document is
//! generated from the same table that routes the requests: they cannot diverge.

mod programs;
mod sessions;

use axum::extract::rejection::QueryRejection;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Forma — API du catalogue",
        description = "Fiches programme (indicateur 1 Qualiopi), catégories et sessions à venir. \
                       Les erreurs suivent la RFC 9457 (application/problem+json).",
        license(name = "AGPL-3.0-or-later")
    ),
    components(schemas(Problem)),
    tags((name = "catalogue", description = "Fiches programme et catégories"), (name = "sessions", description = "Sessions à venir"))
)]
struct ApiDoc;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(programs::list_programs))
        .routes(routes!(programs::get_program))
        .routes(routes!(programs::list_categories))
        .routes(routes!(sessions::list_sessions))
}

/// A malformed query string is the client's error, said in problem+json.
fn bad_query(rejection: QueryRejection) -> ApiError {
    ApiError::BadRequest(format!("paramètres invalides : {}", rejection.body_text()))
}
