//! The JSON API, `/api/v1`. Routes are declared with utoipa-axum so that the OpenAPI document is
//! generated from the same table that routes the requests: they cannot diverge.

mod planning;
mod program_writes;
mod programs;
mod sessions;

use axum::extract::rejection::QueryRejection;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
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
    modifiers(&BearerToken),
    tags(
        (name = "catalogue", description = "Fiches programme et catégories"),
        (name = "sessions", description = "Sessions à venir"),
        (name = "planification", description = "Sessions et conventions, avec un jeton d'API (portées planning:read, planning:write)"),
        (name = "ecriture", description = "Création, modification et publication des fiches, avec un jeton d'API (créé dans la gestion)")
    )
)]
struct ApiDoc;

/// Declares the bearer-token scheme that the write routes require.
struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.description = Some("Jeton d'API (forma_…) créé par un administrateur dans la gestion, avec ses portées".into());
        components.add_security_scheme("jeton", SecurityScheme::Http(scheme));
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(programs::list_programs, program_writes::create_program))
        .routes(routes!(programs::get_program, program_writes::update_program))
        .routes(routes!(program_writes::publish_program))
        .routes(routes!(programs::list_categories))
        .routes(routes!(sessions::list_sessions, planning::create_session))
        .routes(routes!(planning::get_session))
        .routes(routes!(planning::list_conventions, planning::create_convention))
        .routes(routes!(planning::get_convention))
        .routes(routes!(planning::set_convention_status))
}

/// A malformed query string is the client's error, said in problem+json.
fn bad_query(rejection: QueryRejection) -> ApiError {
    ApiError::BadRequest(format!("paramètres invalides : {}", rejection.body_text()))
}
