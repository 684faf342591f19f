//! Who may use which route: one table, read by one middleware on every matched route. A route
//! missing from the table is refused (fail closed), and the authorization test walks the table
//! with every persona.

use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use forma_domain::account::Role;

use super::session::CurrentUser;
use crate::error::{ApiError, error_page};
use crate::state::AppState;

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, without an account.
    Public,
    /// A signed-in person with one of these roles.
    Roles(&'static [Role]),
    /// Staff, or a client contact of the organisation named by the `{client}` path parameter.
    ClientSpace,
    /// An API client presenting a bearer token with this scope.
    Token(&'static str),
}

pub const STAFF: &[Role] = &[Role::Admin, Role::Gestionnaire];
pub const ADMIN: &[Role] = &[Role::Admin];
pub const EVERYONE: &[Role] = &Role::ALL;
pub const TRAINER_OR_STAFF: &[Role] = &[Role::Admin, Role::Gestionnaire, Role::Formateur];

/// API scopes.
pub const PROGRAMS_WRITE: &str = "programs:write";
pub const PROGRAMS_PUBLISH: &str = "programs:publish";
pub const PLANNING_READ: &str = "planning:read";
pub const PLANNING_WRITE: &str = "planning:write";
pub const SCOPES: &[(&str, &str)] = &[
    (PROGRAMS_WRITE, "Créer et modifier les fiches (brouillons)"),
    (PROGRAMS_PUBLISH, "Publier les fiches"),
    (PLANNING_READ, "Lire les sessions et les conventions"),
    (PLANNING_WRITE, "Planifier des sessions, rédiger, envoyer et signer des conventions"),
];

use Access::{ClientSpace, Public, Roles, Token};

/// Every route: method, path as declared in the router, who may use it.
pub const ROUTES: &[(&str, &str, Access)] = &[
    // Public site and read-only API.
    ("GET", "/", Public),
    ("GET", "/formations", Public),
    ("GET", "/formations/{slug}", Public),
    ("GET", "/sessions", Public),
    ("GET", "/sessions/{id}/inscription", Public),
    ("POST", "/sessions/{id}/inscription", Public),
    ("GET", "/sessions/{id}/inscription/envoyee", Public),
    ("GET", "/inscription/{token}", Public),
    ("GET", "/inscription/{token}/convocation.pdf", Public),
    ("POST", "/inscription/{token}/confirmer", Public),
    ("POST", "/inscription/{token}/accepter", Public),
    ("POST", "/inscription/{token}/refuser", Public),
    ("POST", "/inscription/{token}/quitter", Public),
    ("POST", "/inscription/{token}/annuler", Public),
    ("POST", "/inscription/{token}/amenagement", Public),
    // Émargement: the personal link (or its cookie) says who signs; the QR code or the typed
    // code proves presence.
    ("POST", "/inscription/{token}/emarger", Public),
    // Evaluations: the personal link says who answers.
    ("GET", "/inscription/{token}/evaluation/{kind}", Public),
    ("POST", "/inscription/{token}/evaluation/{kind}", Public),
    // A reminder's link opens its one questionnaire.
    ("GET", "/evaluation/{token}", Public),
    ("POST", "/evaluation/{token}", Public),
    ("GET", "/emargement/{day}/{half}/{qr}", Public),
    ("POST", "/emargement/{day}/{half}/{qr}", Public),
    ("GET", crate::assets::ATTENDANCE_SCRIPT_PATH, Public),
    ("GET", crate::assets::ARCHIVE_SCRIPT_PATH, Public),
    ("GET", "/recherche", Public),
    ("GET", "/accessibilite", Public),
    ("GET", "/healthz", Public),
    ("GET", crate::assets::STYLESHEET_PATH, Public),
    ("GET", "/organisme/logo", Public),
    ("GET", "/organisme/reglement-interieur.pdf", Public),
    ("GET", "/api/v1/programs", Public),
    ("GET", "/api/v1/programs/{slug}", Public),
    ("GET", "/api/v1/categories", Public),
    ("GET", "/api/v1/sessions", Public),
    ("GET", "/api/v1/openapi.json", Public),
    // Signing in; the token in a link is itself the credential.
    ("GET", "/connexion", Public),
    ("POST", "/connexion", Public),
    ("POST", "/deconnexion", Roles(EVERYONE)),
    ("GET", "/mot-de-passe/oubli", Public),
    ("POST", "/mot-de-passe/oubli", Public),
    ("GET", "/mot-de-passe/{token}", Public),
    ("POST", "/mot-de-passe/{token}", Public),
    ("GET", "/acces/{token}", Public),
    // A calendar feed: the secret address (`/agenda/{token}.ics`) is the credential.
    ("GET", "/agenda/{token}", Public),
    // Personal spaces.
    ("GET", "/mon-espace", Roles(&[Role::Stagiaire])),
    ("GET", "/espace-formateur", Roles(&[Role::Formateur])),
    // The trainer's attendance screen; a trainer only opens the days they lead (checked by the
    // handler), staff any.
    ("GET", "/formateur/emargement", Roles(TRAINER_OR_STAFF)),
    ("GET", "/formateur/emargement/{day}/{half}", Roles(TRAINER_OR_STAFF)),
    ("GET", "/formateur/emargement/{day}/{half}/direct", Roles(TRAINER_OR_STAFF)),
    ("POST", "/formateur/emargement/{day}/{half}/statut", Roles(TRAINER_OR_STAFF)),
    ("POST", "/formateur/emargement/{day}/{half}/cloturer", Roles(TRAINER_OR_STAFF)),
    ("GET", "/espace-client/{client}", ClientSpace),
    ("GET", "/espace-client/{client}/sessions/{id}", ClientSpace),
    ("POST", "/espace-client/{client}/sessions/{id}/inscriptions", ClientSpace),
    ("POST", "/espace-client/{client}/inscriptions/{id}/annuler", ClientSpace),
    ("GET", "/espace-client/{client}/sessions/{id}/appreciation", ClientSpace),
    ("POST", "/espace-client/{client}/sessions/{id}/appreciation", ClientSpace),
    ("GET", "/formateur/sessions/{id}/bilan", Roles(&[Role::Formateur])),
    ("POST", "/formateur/sessions/{id}/bilan", Roles(&[Role::Formateur])),
    ("GET", "/formateur/sessions/{id}/acquis", Roles(TRAINER_OR_STAFF)),
    ("POST", "/formateur/sessions/{id}/acquis", Roles(TRAINER_OR_STAFF)),
    // Back-office.
    ("GET", "/gestion", Roles(STAFF)),
    ("GET", "/gestion/sessions/{id}/emargement", Roles(STAFF)),
    ("GET", "/gestion/sessions/{id}/emargement.pdf", Roles(STAFF)),
    ("GET", "/gestion/sessions/{id}/emargement-vierge.pdf", Roles(STAFF)),
    ("GET", "/gestion/emargement/{day}/{half}/papier", Roles(STAFF)),
    ("POST", "/gestion/emargement/{day}/{half}/papier", Roles(STAFF)),
    ("GET", "/gestion/emargement/{day}/{half}/feuille-numerisee", Roles(STAFF)),
    ("GET", "/gestion/suivi-assiduite", Roles(STAFF)),
    ("POST", "/gestion/suivi-assiduite/{id}", Roles(STAFF)),
    // Certificates: issued and changed by staff; anyone holding a code may check it (the code
    // is 80 random bits, printed on the document) and download it while it is in force.
    ("GET", "/gestion/sessions/{id}/evaluations", Roles(STAFF)),
    ("GET", "/gestion/sessions/{id}/evaluations.xlsx", Roles(STAFF)),
    ("GET", "/gestion/sessions/{id}/certificats", Roles(STAFF)),
    ("POST", "/gestion/sessions/{id}/certificats", Roles(STAFF)),
    ("POST", "/gestion/sessions/{id}/certificats/modifier", Roles(STAFF)),
    ("GET", "/gestion/sessions/{id}/certificats.zip", Roles(STAFF)),
    ("POST", "/gestion/sessions/{id}/certificats/archive", Roles(STAFF)),
    ("GET", "/gestion/archives/{id}", Roles(STAFF)),
    ("GET", "/gestion/archives/{id}/etat", Roles(STAFF)),
    ("GET", "/gestion/archives/{id}/fichier", Roles(STAFF)),
    ("GET", "/gestion/sessions/{id}/evaluations.pdf", Roles(STAFF)),
    ("GET", "/gestion/certificats/{code}/pdf", Roles(STAFF)),
    ("GET", "/verifier", Public),
    ("GET", "/verifier/cle-publique.pem", Public),
    ("GET", "/verifier/{code}", Public),
    ("GET", "/verifier/{code}/document.pdf", Public),
    ("GET", "/gestion/programmes", Roles(STAFF)),
    ("GET", "/gestion/programmes/nouvelle", Roles(STAFF)),
    ("POST", "/gestion/programmes/nouvelle", Roles(STAFF)),
    ("GET", "/gestion/programmes/{slug}", Roles(STAFF)),
    ("GET", "/gestion/programmes/{slug}/questionnaires", Roles(STAFF)),
    ("GET", "/gestion/programmes/{slug}/questionnaires/{kind}", Roles(STAFF)),
    ("POST", "/gestion/programmes/{slug}/questionnaires/{kind}", Roles(STAFF)),
    ("POST", "/gestion/programmes/{slug}", Roles(STAFF)),
    ("GET", "/gestion/programmes/{slug}/apercu", Roles(STAFF)),
    ("POST", "/gestion/programmes/{slug}/publier", Roles(STAFF)),
    ("POST", "/gestion/programmes/{slug}/depublier", Roles(STAFF)),
    ("POST", "/gestion/programmes/{slug}/abandonner", Roles(STAFF)),
    ("GET", "/gestion/programmes/{slug}/versions", Roles(STAFF)),
    ("GET", "/gestion/programmes/{slug}/comparer", Roles(STAFF)),
    ("POST", "/gestion/programmes/{slug}/versions/{number}/restaurer", Roles(STAFF)),
    ("GET", "/gestion/categories", Roles(STAFF)),
    ("POST", "/gestion/categories", Roles(STAFF)),
    ("POST", "/gestion/categories/{slug}", Roles(STAFF)),
    ("POST", "/gestion/categories/{slug}/supprimer", Roles(STAFF)),
    ("GET", "/gestion/organisme", Roles(STAFF)),
    ("POST", "/gestion/organisme", Roles(STAFF)),
    ("POST", "/gestion/organisme/logo", Roles(STAFF)),
    ("POST", "/gestion/organisme/reglement-interieur", Roles(STAFF)),
    ("GET", "/gestion/journal", Roles(STAFF)),
    ("GET", "/gestion/courriels", Roles(STAFF)),
    ("POST", "/gestion/courriels/{id}/renvoyer", Roles(STAFF)),
    ("GET", "/gestion/clients", Roles(STAFF)),
    ("POST", "/gestion/clients", Roles(STAFF)),
    // Directory: clients' sites and contacts, venues and rooms, providers and trainers.
    ("GET", "/gestion/clients/{id}", Roles(STAFF)),
    ("POST", "/gestion/clients/{id}", Roles(STAFF)),
    ("POST", "/gestion/clients/{id}/sites", Roles(STAFF)),
    ("POST", "/gestion/clients/sites/{id}/supprimer", Roles(STAFF)),
    ("POST", "/gestion/clients/{id}/contacts", Roles(STAFF)),
    ("POST", "/gestion/clients/contacts/{id}/supprimer", Roles(STAFF)),
    ("GET", "/gestion/lieux", Roles(STAFF)),
    ("POST", "/gestion/lieux", Roles(STAFF)),
    ("GET", "/gestion/lieux/{id}", Roles(STAFF)),
    ("POST", "/gestion/lieux/{id}", Roles(STAFF)),
    ("POST", "/gestion/lieux/{id}/supprimer", Roles(STAFF)),
    ("POST", "/gestion/lieux/{id}/salles", Roles(STAFF)),
    ("POST", "/gestion/lieux/salles/{id}", Roles(STAFF)),
    ("POST", "/gestion/lieux/salles/{id}/supprimer", Roles(STAFF)),
    ("GET", "/gestion/formateurs", Roles(STAFF)),
    ("POST", "/gestion/formateurs", Roles(STAFF)),
    ("POST", "/gestion/prestataires", Roles(STAFF)),
    ("GET", "/gestion/formateurs/{id}", Roles(STAFF)),
    ("POST", "/gestion/formateurs/{id}", Roles(STAFF)),
    ("POST", "/gestion/formateurs/{id}/documents", Roles(STAFF)),
    ("GET", "/gestion/formateurs/documents/{id}", Roles(STAFF)),
    ("POST", "/gestion/formateurs/documents/{id}/supprimer", Roles(STAFF)),
    ("POST", "/gestion/formateurs/{id}/indisponibilites", Roles(STAFF)),
    ("POST", "/gestion/formateurs/indisponibilites/{id}/supprimer", Roles(STAFF)),
    // Planning: requests, sessions, conventions and avenants, calendars.
    ("GET", "/gestion/conventions", Roles(STAFF)),
    ("GET", "/gestion/conventions/nouvelle", Roles(STAFF)),
    ("POST", "/gestion/conventions/nouvelle", Roles(STAFF)),
    ("GET", "/gestion/conventions/{id}", Roles(STAFF)),
    ("POST", "/gestion/conventions/{id}", Roles(STAFF)),
    ("POST", "/gestion/conventions/{id}/statut", Roles(STAFF)),
    ("GET", "/gestion/conventions/{id}/pdf", Roles(STAFF)),
    ("POST", "/gestion/conventions/{id}/avenants", Roles(STAFF)),
    ("POST", "/gestion/avenants/{id}/statut", Roles(STAFF)),
    ("GET", "/gestion/avenants/{id}/pdf", Roles(STAFF)),
    ("GET", "/gestion/sessions", Roles(STAFF)),
    ("GET", "/gestion/sessions/nouvelle", Roles(STAFF)),
    ("POST", "/gestion/sessions/nouvelle", Roles(STAFF)),
    ("GET", "/gestion/sessions/{id}", Roles(STAFF)),
    ("POST", "/gestion/sessions/{id}", Roles(STAFF)),
    ("POST", "/gestion/sessions/{id}/annuler", Roles(STAFF)),
    ("POST", "/gestion/sessions/{id}/retablir", Roles(STAFF)),
    ("POST", "/gestion/sessions/{id}/journees", Roles(STAFF)),
    ("GET", "/gestion/sessions/{id}/journees/{number}", Roles(STAFF)),
    ("POST", "/gestion/sessions/{id}/journees/{number}", Roles(STAFF)),
    ("POST", "/gestion/sessions/{id}/journees/{number}/supprimer", Roles(STAFF)),
    ("GET", "/gestion/sessions/{id}/inscriptions", Roles(STAFF)),
    ("POST", "/gestion/sessions/{id}/confirmer", Roles(STAFF)),
    ("POST", "/gestion/sessions/{id}/inscriptions", Roles(STAFF)),
    ("GET", "/gestion/sessions/{id}/inscriptions.csv", Roles(STAFF)),
    ("GET", "/gestion/sessions/{id}/inscriptions.xlsx", Roles(STAFF)),
    ("POST", "/gestion/inscriptions/{id}/annuler", Roles(STAFF)),
    ("POST", "/gestion/inscriptions/{id}/rang", Roles(STAFF)),
    ("POST", "/gestion/inscriptions/{id}/accepter", Roles(STAFF)),
    ("POST", "/gestion/inscriptions/{id}/convocation", Roles(STAFF)),
    ("POST", "/gestion/sessions/{id}/convocations", Roles(STAFF)),
    // Accommodation requests (handicap): the need may reveal health details, staff only.
    ("GET", "/gestion/amenagements", Roles(STAFF)),
    ("GET", "/gestion/amenagements/{id}", Roles(STAFF)),
    ("POST", "/gestion/amenagements/{id}/statut", Roles(STAFF)),
    ("GET", "/gestion/demandes", Roles(STAFF)),
    ("POST", "/gestion/demandes", Roles(STAFF)),
    ("GET", "/gestion/demandes/{id}", Roles(STAFF)),
    ("POST", "/gestion/demandes/{id}/reponse", Roles(STAFF)),
    ("GET", "/gestion/calendrier", Roles(STAFF)),
    ("POST", "/gestion/calendrier/flux", Roles(STAFF)),
    ("POST", "/gestion/calendrier/flux/{id}/revoquer", Roles(STAFF)),
    ("GET", "/gestion/utilisateurs", Roles(ADMIN)),
    ("POST", "/gestion/utilisateurs", Roles(ADMIN)),
    ("GET", "/gestion/utilisateurs/{id}", Roles(ADMIN)),
    ("POST", "/gestion/utilisateurs/{id}/activation", Roles(ADMIN)),
    ("POST", "/gestion/utilisateurs/{id}/lien", Roles(ADMIN)),
    ("POST", "/gestion/utilisateurs/{id}/revoquer", Roles(ADMIN)),
    ("GET", "/gestion/jetons", Roles(ADMIN)),
    ("POST", "/gestion/jetons", Roles(ADMIN)),
    ("POST", "/gestion/jetons/{id}/revoquer", Roles(ADMIN)),
    // API writes.
    ("POST", "/api/v1/programs", Token(PROGRAMS_WRITE)),
    ("PUT", "/api/v1/programs/{slug}", Token(PROGRAMS_WRITE)),
    ("POST", "/api/v1/programs/{slug}/publication", Token(PROGRAMS_PUBLISH)),
    ("POST", "/api/v1/sessions", Token(PLANNING_WRITE)),
    ("GET", "/api/v1/sessions/{id}", Token(PLANNING_READ)),
    ("GET", "/api/v1/conventions", Token(PLANNING_READ)),
    ("POST", "/api/v1/conventions", Token(PLANNING_WRITE)),
    ("GET", "/api/v1/conventions/{id}", Token(PLANNING_READ)),
    ("POST", "/api/v1/conventions/{id}/status", Token(PLANNING_WRITE)),
];

/// The declared access of a route, if it is declared.
pub fn access_of(method: &Method, path: &str) -> Option<Access> {
    // HEAD is served by GET handlers.
    let method = if method == Method::HEAD { "GET" } else { method.as_str() };
    ROUTES.iter().find(|(m, p, _)| *m == method && *p == path).map(|(_, _, a)| *a)
}

fn wants_json(path: &str) -> bool {
    path.starts_with("/api/")
}

/// Refuses what the table does not allow: the login page for an anonymous visitor, 403 for a
/// signed-in person without the role, 404 for another client's space (its existence is not
/// revealed), problem+json for the API.
pub async fn authorize(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.extensions().get::<MatchedPath>().map(|m| m.as_str().to_owned()).unwrap_or_default();
    let Some(access) = access_of(request.method(), &path) else {
        // A known path with another method: the router answers 405 itself.
        if ROUTES.iter().any(|(_, p, _)| *p == path) {
            return next.run(request).await;
        }
        tracing::error!(method = %request.method(), path, "route absente de la table des accès : refusée");
        return error_page(StatusCode::FORBIDDEN, &state.organisation_name());
    };
    let user = request.extensions().get::<CurrentUser>().and_then(|c| c.0.clone());
    let allowed = match access {
        Public => true,
        Token(scope) => return super::api_token::check(&state, scope, request, next).await,
        Roles(roles) => match &user {
            Some(u) => roles.contains(&u.role),
            None => return to_login(&request),
        },
        ClientSpace => match &user {
            Some(u) if u.role.is_staff() => true,
            Some(u) if u.role == forma_domain::account::Role::Client => {
                // The client is the segment after `/espace-client/`, whatever follows it.
                let wanted = request.uri().path().strip_prefix("/espace-client/").and_then(|rest| rest.split('/').next()).and_then(|id| id.parse::<i64>().ok());
                if wanted.is_none() || u.client_id != wanted {
                    return error_page(StatusCode::NOT_FOUND, &state.organisation_name());
                }
                true
            }
            Some(_) => false,
            None => return to_login(&request),
        },
    };
    if allowed {
        let mut response = next.run(request).await;
        // Pages for a signed-in person are theirs alone: no shared or back/forward cache keeps them.
        if access != Public {
            response.headers_mut().entry(header::CACHE_CONTROL).or_insert(header::HeaderValue::from_static("no-store"));
        }
        response
    } else if wants_json(&path) {
        ApiError::problem(StatusCode::FORBIDDEN, "Accès refusé", None)
    } else {
        error_page(StatusCode::FORBIDDEN, &state.organisation_name())
    }
}

/// Anonymous: to the login page, coming back here afterwards (GET only: a form posted while
/// signed out is not replayed).
fn to_login(request: &Request) -> Response {
    if wants_json(request.uri().path()) {
        return ApiError::problem(StatusCode::UNAUTHORIZED, "Authentification requise", None);
    }
    let back = if request.method() == Method::GET { request.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/") } else { "/" };
    let target = format!("/connexion?suite={}", form_urlencoded::byte_serialize(back.as_bytes()).collect::<String>());
    let mut response = Redirect::to(&target).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    response
}
