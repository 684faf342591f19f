//! Bearer tokens for the API's writes: `Authorization: Bearer forma_…`, looked up by hash,
//! checked for the route's scope; the token's name is the journal's actor.

use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::token::hash_token;
use crate::error::ApiError;
use crate::state::AppState;

/// Who acted through the API, for the journal.
#[derive(Clone, Debug)]
pub struct ApiActor(pub String);

pub async fn check(state: &AppState, scope: &str, mut request: Request, next: Next) -> Response {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() <= 100);
    let Some(token) = presented else {
        let mut r = ApiError::problem(StatusCode::UNAUTHORIZED, "Authentification requise", Some("jeton d'API attendu : Authorization: Bearer …".into()));
        r.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
        return r;
    };
    match state.store.api_token_by_hash(&hash_token(token)).await {
        Ok(Some(found)) if found.has_scope(scope) => {
            request.extensions_mut().insert(ApiActor(format!("api:{}", found.name)));
            next.run(request).await
        }
        Ok(Some(_)) => ApiError::problem(StatusCode::FORBIDDEN, "Accès refusé", Some(format!("ce jeton n'a pas la portée « {scope} »"))),
        Ok(None) => ApiError::problem(StatusCode::UNAUTHORIZED, "Authentification requise", Some("jeton inconnu ou révoqué".into())),
        Err(e) => ApiError::Internal(e.into()).into_response(),
    }
}
