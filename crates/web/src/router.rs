//! The router. Who may use each route is declared in one table, `auth::access::ROUTES`, read by
//! the authorization middleware on every matched route; a route missing from it is refused.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::middleware::{from_fn_with_state};
use axum::routing::{get, post};
use utoipa_axum::router::OpenApiRouter;

use crate::assets::{STYLESHEET_PATH, stylesheet};
use crate::error::{ApiError, error_page};
use crate::state::AppState;
use crate::auth::{access, session};
use crate::gestion::{calendar, calendar_feeds, categories, clients, dashboard, editor, journal, organisation, outbox, programs, requests, tokens, users, versions};
use crate::{account, api, security, site};

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
        error_page(StatusCode::NOT_FOUND, &state.organisation_name())
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
        .route("/organisme/logo", get(organisation::logo))
        .route("/connexion", get(account::login::login_page).post(account::login::login))
        .route("/deconnexion", post(account::login::logout))
        .route("/mot-de-passe/oubli", get(account::password::forgot_page).post(account::password::forgot))
        .route("/mot-de-passe/{token}", get(account::password::set_password_page).post(account::password::set_password))
        .route("/acces/{token}", get(account::spaces::access_link))
        .route("/mon-espace", get(account::spaces::trainee_space))
        .route("/espace-formateur", get(account::spaces::trainer_space))
        .route("/espace-client/{client}", get(account::spaces::client_space))
        .route("/gestion", get(dashboard::dashboard))
        .route("/gestion/programmes", get(programs::list))
        .route("/gestion/programmes/nouvelle", get(editor::new_page).post(editor::create))
        .route("/gestion/programmes/{slug}", get(editor::edit).post(editor::save))
        .route("/gestion/programmes/{slug}/apercu", get(editor::preview))
        .route("/gestion/programmes/{slug}/publier", post(editor::publish))
        .route("/gestion/programmes/{slug}/depublier", post(editor::unpublish))
        .route("/gestion/programmes/{slug}/abandonner", post(editor::discard))
        .route("/gestion/programmes/{slug}/versions", get(versions::list))
        .route("/gestion/programmes/{slug}/comparer", get(versions::compare))
        .route("/gestion/programmes/{slug}/versions/{number}/restaurer", post(versions::restore))
        .route("/gestion/categories", get(categories::list).post(categories::create))
        .route("/gestion/categories/{slug}", post(categories::rename))
        .route("/gestion/categories/{slug}/supprimer", post(categories::delete))
        .route("/gestion/organisme", get(organisation::show).post(organisation::save))
        .route("/gestion/organisme/logo", post(organisation::upload_logo))
        .route("/gestion/journal", get(journal::journal))
        .route("/gestion/courriels", get(outbox::list))
        .route("/gestion/courriels/{id}/renvoyer", post(outbox::requeue))
        .route("/gestion/clients", get(clients::list).post(clients::create))
        .route("/gestion/demandes", get(requests::list).post(requests::create))
        .route("/gestion/demandes/{id}", get(requests::show))
        .route("/gestion/demandes/{id}/reponse", post(requests::answer))
        .route("/gestion/calendrier", get(calendar::show))
        .route("/gestion/calendrier/flux", post(calendar_feeds::create))
        .route("/gestion/calendrier/flux/{id}/revoquer", post(calendar_feeds::revoke))
        .route("/agenda/{token}", get(calendar_feeds::feed))
        .route("/gestion/utilisateurs", get(users::list).post(users::create))
        .route("/gestion/utilisateurs/{id}", get(users::show))
        .route("/gestion/utilisateurs/{id}/activation", post(users::activation))
        .route("/gestion/utilisateurs/{id}/lien", post(users::new_link))
        .route("/gestion/utilisateurs/{id}/revoquer", post(users::revoke))
        .route("/gestion/jetons", get(tokens::list).post(tokens::create))
        .route("/gestion/jetons/{id}/revoquer", post(tokens::revoke))
        .route(STYLESHEET_PATH, get(stylesheet))
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let json = openapi_json.clone();
                async move { ([(header::CONTENT_TYPE, "application/json")], json.to_string()) }
            }),
        )
        .merge(api_routes)
        // Route layers run after matching, so the authorization middleware knows the route.
        .route_layer(from_fn_with_state(state.clone(), access::authorize))
        .fallback(not_found)
        .layer(from_fn_with_state(state.clone(), session::load_user))
        .with_state(state);
    security::apply(router, public_url.as_deref())
}
