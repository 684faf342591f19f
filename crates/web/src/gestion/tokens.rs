//! API tokens (administrators only): created with chosen scopes, shown once, revocable.

use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::Response;
use forma_domain::FieldErrors;
use forma_store::{ApiToken, StoreError};

use super::layout::{PathId, ParisTime, Frame, done, internal, invalid, not_found, render};
use crate::auth::CurrentUser;
use crate::auth::access::SCOPES;
use crate::auth::token::{API_TOKEN_PREFIX, hash_token, new_token};
use crate::gestion::editor_form::FormData;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "gestion/tokens.html")]
struct TokensPage {
    frame: Frame,
    tokens: Vec<ApiToken>,
    scopes: &'static [(&'static str, &'static str)],
    name: String,
    chosen: Vec<String>,
    errors: FieldErrors,
    /// The new token's secret, shown once.
    created: Option<String>,
}

impl TokensPage {
    fn is_chosen(&self, code: &str) -> bool {
        self.chosen.iter().any(|c| c == code)
    }
}

async fn page(state: &AppState, user: &forma_store::User, name: String, chosen: Vec<String>, errors: FieldErrors, created: Option<String>) -> Result<TokensPage, StoreError> {
    Ok(TokensPage {
        frame: Frame::new(state, user, "Jetons d'API", "jetons"),
        tokens: state.store.api_tokens().await?,
        scopes: SCOPES,
        name,
        chosen,
        errors,
        created,
    })
}

pub async fn list(State(state): State<AppState>, current: CurrentUser) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    match page(&state, user, String::new(), Vec::new(), FieldErrors::default(), None).await {
        Ok(p) => render(&state, p),
        Err(e) => internal(&state, e.into()),
    }
}

/// Scopes arrive as repeated checkbox fields, which a typed form cannot hold.
pub async fn create(State(state): State<AppState>, current: CurrentUser, body: axum::body::Bytes) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let data = FormData::parse(&body);
    let name = data.get("name").trim().to_owned();
    let chosen: Vec<String> = data.all("scope").into_iter().filter(|s| SCOPES.iter().any(|(code, _)| code == s)).map(str::to_owned).collect();
    let mut errors = FieldErrors::default();
    if name.is_empty() || name.chars().count() > 80 {
        errors.add("name", "Donnez au jeton un nom de 1 à 80 caractères (l'outil qui l'utilise).");
    }
    if chosen.is_empty() {
        errors.add("scope", "Choisissez au moins une portée.");
    }
    if !errors.is_empty() {
        return match page(&state, user, name, chosen, errors, None).await {
            Ok(p) => invalid(&state, p),
            Err(e) => internal(&state, e.into()),
        };
    }
    let secret = format!("{API_TOKEN_PREFIX}{}", new_token());
    let scopes: Vec<&str> = chosen.iter().map(String::as_str).collect();
    if let Err(e) = state.store.create_api_token(&name, &hash_token(&secret), &scopes, &current.actor()).await {
        return internal(&state, e.into());
    }
    match page(&state, user, String::new(), Vec::new(), FieldErrors::default(), Some(secret)).await {
        Ok(p) => {
            let mut response = render(&state, p);
            response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
            response
        }
        Err(e) => internal(&state, e.into()),
    }
}

pub async fn revoke(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId) -> Response {
    match state.store.revoke_api_token(id, &current.actor()).await {
        Ok(true) => done("/gestion/jetons", "jeton-revoque"),
        Ok(false) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}

impl ParisTime for TokensPage {}
