//! The route table. Every route of this issue is public (anonymous visitors); the back-office
//! brings roles, declared here beside each route.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use utoipa_axum::router::OpenApiRouter;

use crate::assets::{STYLESHEET_PATH, stylesheet};
use crate::error::{ApiError, error_page};
use crate::state::AppState;
use crate::{api, security, site};

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, without an account.
    Public,
}

/// Every GET route with an example path, and who may use it. The authorization test walks
/// this table; a route added to the router must be added here.
pub const PUBLIC_PAGES: &[(&str, Access)] = &[
    ("/", Access::Public),
    ("/formations", Access::Public),
    ("/formations/{slug}", Access::Public),
    ("/sessions", Access::Public),
    ("/recherche", Access::Public),
    ("/accessibilite", Access::Public),
    ("/healthz", Access::Public),
    (STYLESHEET_PATH, Access::Public),
    ("/api/v1/programs", Access::Public),
    ("/api/v1/programs/{slug}", Access::Public),
    ("/api/v1/categories", Access::Public),
    ("/api/v1/sessions", Access::Public),
    ("/api/v1/openapi.json", Access::Public),
];

async fn healthz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => (
            [(header::CACHE_CONTROL, "no-store")],
            axum::Json(serde_json::json!({ "status": "ok", "indexed_programs": state.search.len() })),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "base de données injoignable");
            (StatusCode::SERVICE_UNAVAILABLE, axum::Json(serde_json::json!({ "status": "indisponible" }))).into_response()
        }
    }
}

async fn not_found(State(state): State<AppState>, uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::NotFound(format!("aucune ressource à l'adresse {}", uri.path())).into_response()
    } else {
        error_page(StatusCode::NOT_FOUND, &state.config.organisation_name)
    }
}

pub fn router(state: AppState) -> Router {
    let (api_routes, openapi) = OpenApiRouter::new().nest("/api/v1", api::router()).split_for_parts();
    let openapi_json: Arc<str> = Arc::from(openapi.to_pretty_json().unwrap_or_else(|_| "{}".into()));
    let public_url = state.config.public_url.clone();
    let router = Router::new()
        .route("/", get(site::home))
        .route("/formations", get(site::catalogue))
        .route("/formations/{slug}", get(site::sheet))
        .route("/sessions", get(site::sessions))
        .route("/recherche", get(site::search))
        .route("/accessibilite", get(site::accessibility))
        .route("/healthz", get(healthz))
        .route(STYLESHEET_PATH, get(stylesheet))
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let json = openapi_json.clone();
                async move { ([(header::CONTENT_TYPE, "application/json")], json.to_string()) }
            }),
        )
        .merge(api_routes)
        .fallback(not_found)
        .with_state(state);
    security::apply(router, public_url.as_deref())
}
