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
use crate::gestion::{
    accommodations, amendments, calendar, calendar_feeds, categories, client, clients, conventions, dashboard, editor, journal, organisation, outbox, programs, registrations, requests, sessions, tokens, trainer,
    trainer_documents, trainers, users, venue, venues, versions,
};
use crate::{account, api, attendance, certificates, evaluations, security, site};

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
        .route("/sessions/{id}/inscription", get(site::registration::form).post(site::registration::submit))
        .route("/sessions/{id}/inscription/envoyee", get(site::registration::sent))
        .route("/inscription/{token}", get(site::registration::show))
        .route("/inscription/{token}/convocation.pdf", get(site::registration::convocation_pdf))
        .route("/inscription/{token}/confirmer", post(site::registration::confirm))
        .route("/inscription/{token}/accepter", post(site::registration::accept))
        .route("/inscription/{token}/refuser", post(site::registration::decline))
        .route("/inscription/{token}/quitter", post(site::registration::leave))
        .route("/inscription/{token}/annuler", post(site::registration::cancel))
        .route("/inscription/{token}/amenagement", post(site::registration::ask_accommodation))
        .route("/inscription/{token}/emarger", post(attendance::trainee::sign_with_code))
        .route("/inscription/{token}/evaluation/{kind}", get(evaluations::show).post(evaluations::submit))
        .route("/evaluation/{token}", get(evaluations::reminder_show).post(evaluations::reminder_submit))
        .route("/emargement/{day}/{half}/{qr}", get(attendance::trainee::qr_page).post(attendance::trainee::qr_sign))
        .route("/formateur/emargement", get(attendance::trainer::list))
        .route("/formateur/emargement/{day}/{half}", get(attendance::trainer::show))
        .route("/formateur/emargement/{day}/{half}/direct", get(attendance::trainer::live_part))
        .route("/formateur/emargement/{day}/{half}/statut", post(attendance::trainer::set_status))
        .route("/formateur/emargement/{day}/{half}/cloturer", post(attendance::trainer::close))
        .route("/gestion/sessions/{id}/emargement", get(attendance::sheet::show))
        .route("/gestion/sessions/{id}/emargement.pdf", get(attendance::sheet::pdf))
        .route("/gestion/sessions/{id}/emargement-vierge.pdf", get(attendance::sheet::blank_pdf))
        .route("/gestion/emargement/{day}/{half}/papier", get(attendance::sheet::paper_form).post(attendance::sheet::paper_upload))
        .route("/gestion/emargement/{day}/{half}/feuille-numerisee", get(attendance::sheet::paper_scan))
        .route("/gestion/suivi-assiduite", get(attendance::followup::list))
        .route("/gestion/suivi-assiduite/{id}", post(attendance::followup::add_note))
        .route("/gestion/sessions/{id}/evaluations", get(evaluations::results::show))
        .route("/gestion/sessions/{id}/evaluations.xlsx", get(evaluations::results::xlsx))
        .route("/gestion/sessions/{id}/certificats", get(certificates::manage::show).post(certificates::manage::issue))
        .route("/gestion/sessions/{id}/certificats/modifier", post(certificates::manage::change))
        .route("/gestion/sessions/{id}/certificats.zip", get(certificates::manage::zip))
        .route("/gestion/sessions/{id}/certificats/archive", post(certificates::archive::start))
        .route("/gestion/archives/{id}", get(certificates::archive::show))
        .route("/gestion/archives/{id}/etat", get(certificates::archive::status))
        .route("/gestion/archives/{id}/fichier", get(certificates::archive::download))
        .route("/gestion/sessions/{id}/evaluations.pdf", get(evaluations::results::pdf))
        .route("/gestion/certificats/{code}/pdf", get(certificates::manage::document))
        .route("/verifier", get(certificates::verify::form))
        .route("/verifier/cle-publique.pem", get(certificates::verify::public_key))
        .route("/verifier/{code}", get(certificates::verify::show))
        .route("/verifier/{code}/document.pdf", get(certificates::verify::document))
        .route("/recherche", get(site::search))
        .route("/accessibilite", get(site::accessibility))
        .route("/healthz", get(healthz))
        .route("/organisme/logo", get(organisation::logo))
        .route(organisation::RULES_PATH, get(organisation::rules))
        .route("/connexion", get(account::login::login_page).post(account::login::login))
        .route("/deconnexion", post(account::login::logout))
        .route("/mot-de-passe/oubli", get(account::password::forgot_page).post(account::password::forgot))
        .route("/mot-de-passe/{token}", get(account::password::set_password_page).post(account::password::set_password))
        .route("/acces/{token}", get(account::spaces::access_link))
        .route("/mon-espace", get(account::spaces::trainee_space))
        .route("/espace-formateur", get(account::spaces::trainer_space))
        .route("/espace-client/{client}", get(account::client_registrations::sessions))
        .route("/espace-client/{client}/sessions/{id}", get(account::client_registrations::session))
        .route("/espace-client/{client}/sessions/{id}/inscriptions", post(account::client_registrations::register))
        .route("/espace-client/{client}/inscriptions/{id}/annuler", post(account::client_registrations::cancel))
        .route("/espace-client/{client}/sessions/{id}/appreciation", get(evaluations::stakeholders::client_show).post(evaluations::stakeholders::client_submit))
        .route("/formateur/sessions/{id}/bilan", get(evaluations::stakeholders::trainer_show).post(evaluations::stakeholders::trainer_submit))
        .route("/formateur/sessions/{id}/acquis", get(evaluations::assessment::show).post(evaluations::assessment::save))
        .route("/gestion", get(dashboard::dashboard))
        .route("/gestion/programmes", get(programs::list))
        .route("/gestion/programmes/nouvelle", get(editor::new_page).post(editor::create))
        .route("/gestion/programmes/{slug}", get(editor::edit).post(editor::save))
        .route("/gestion/programmes/{slug}/apercu", get(editor::preview))
        .route("/gestion/programmes/{slug}/publier", post(editor::publish))
        .route("/gestion/programmes/{slug}/depublier", post(editor::unpublish))
        .route("/gestion/programmes/{slug}/abandonner", post(editor::discard))
        .route("/gestion/programmes/{slug}/versions", get(versions::list))
        .route("/gestion/programmes/{slug}/questionnaires", get(evaluations::editor::list))
        .route("/gestion/programmes/{slug}/questionnaires/{kind}", get(evaluations::editor::show).post(evaluations::editor::save))
        .route("/gestion/programmes/{slug}/comparer", get(versions::compare))
        .route("/gestion/programmes/{slug}/versions/{number}/restaurer", post(versions::restore))
        .route("/gestion/categories", get(categories::list).post(categories::create))
        .route("/gestion/categories/{slug}", post(categories::rename))
        .route("/gestion/categories/{slug}/supprimer", post(categories::delete))
        .route("/gestion/organisme", get(organisation::show).post(organisation::save))
        .route("/gestion/organisme/logo", post(organisation::upload_logo))
        .route("/gestion/organisme/reglement-interieur", post(organisation::upload_rules))
        .route("/gestion/journal", get(journal::journal))
        .route("/gestion/courriels", get(outbox::list))
        .route("/gestion/courriels/{id}/renvoyer", post(outbox::requeue))
        .route("/gestion/clients", get(clients::list).post(clients::create))
        .route("/gestion/conventions", get(conventions::list))
        .route("/gestion/conventions/nouvelle", get(conventions::new_form_page).post(conventions::create))
        .route("/gestion/conventions/{id}", get(conventions::show).post(conventions::update))
        .route("/gestion/conventions/{id}/statut", post(conventions::set_status))
        .route("/gestion/conventions/{id}/pdf", get(conventions::pdf))
        .route("/gestion/conventions/{id}/avenants", post(amendments::create))
        .route("/gestion/avenants/{id}/statut", post(amendments::set_status))
        .route("/gestion/avenants/{id}/pdf", get(amendments::pdf))
        .route("/gestion/clients/{id}", get(client::show).post(client::save))
        .route("/gestion/clients/{id}/sites", post(client::add_site))
        .route("/gestion/clients/sites/{id}/supprimer", post(client::delete_site))
        .route("/gestion/clients/{id}/contacts", post(client::add_contact))
        .route("/gestion/clients/contacts/{id}/supprimer", post(client::delete_contact))
        .route("/gestion/lieux", get(venues::list).post(venues::create))
        .route("/gestion/lieux/{id}", get(venue::show).post(venue::save))
        .route("/gestion/lieux/{id}/supprimer", post(venue::delete))
        .route("/gestion/lieux/{id}/salles", post(venue::add_room))
        .route("/gestion/lieux/salles/{id}", post(venue::save_room))
        .route("/gestion/lieux/salles/{id}/supprimer", post(venue::delete_room))
        .route("/gestion/formateurs", get(trainers::list).post(trainers::create))
        .route("/gestion/prestataires", post(trainers::create_provider))
        .route("/gestion/formateurs/{id}", get(trainer::show).post(trainer::save))
        .route("/gestion/formateurs/{id}/documents", post(trainer_documents::upload))
        .route("/gestion/formateurs/documents/{id}", get(trainer_documents::download))
        .route("/gestion/formateurs/documents/{id}/supprimer", post(trainer_documents::delete))
        .route("/gestion/formateurs/{id}/indisponibilites", post(trainer::add_unavailability))
        .route("/gestion/formateurs/indisponibilites/{id}/supprimer", post(trainer::delete_unavailability))
        .route("/gestion/sessions", get(sessions::list))
        .route("/gestion/sessions/nouvelle", get(sessions::new).post(sessions::create))
        .route("/gestion/sessions/{id}", get(sessions::show).post(sessions::update_header))
        .route("/gestion/sessions/{id}/annuler", post(sessions::cancel))
        .route("/gestion/sessions/{id}/retablir", post(sessions::reinstate))
        .route("/gestion/sessions/{id}/journees", post(sessions::add_day))
        .route("/gestion/sessions/{id}/journees/{number}", get(sessions::edit_day).post(sessions::save_day))
        .route("/gestion/sessions/{id}/journees/{number}/supprimer", post(sessions::delete_day))
        .route("/gestion/sessions/{id}/inscriptions", get(registrations::list).post(registrations::create))
        .route("/gestion/sessions/{id}/confirmer", post(registrations::confirm_session))
        .route("/gestion/sessions/{id}/inscriptions.csv", get(registrations::export_csv))
        .route("/gestion/sessions/{id}/inscriptions.xlsx", get(registrations::export_xlsx))
        .route("/gestion/inscriptions/{id}/annuler", post(registrations::cancel))
        .route("/gestion/inscriptions/{id}/rang", post(registrations::reorder))
        .route("/gestion/inscriptions/{id}/accepter", post(registrations::accept))
        .route("/gestion/inscriptions/{id}/convocation", post(registrations::send_convocation))
        .route("/gestion/sessions/{id}/convocations", post(registrations::send_convocations))
        .route("/gestion/amenagements", get(accommodations::list))
        .route("/gestion/amenagements/{id}", get(accommodations::show))
        .route("/gestion/amenagements/{id}/statut", post(accommodations::advance))
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
        .route(crate::assets::ATTENDANCE_SCRIPT_PATH, get(crate::assets::attendance_script))
        .route(crate::assets::ARCHIVE_SCRIPT_PATH, get(crate::assets::archive_script))
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
