//! Login sessions: an opaque random token in an HttpOnly, SameSite=Lax cookie (Secure when the
//! site is served over TLS); the store keeps its hash, the account and the expiry.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use chrono::{Duration, Utc};
use forma_store::User;

use super::token::{hash_token, new_token};
use crate::state::AppState;

pub const COOKIE: &str = "forma_session";
/// A working day and a half: staff log in each morning; a forgotten session does not live on.
pub const SESSION_HOURS: i64 = 12;

/// The signed-in person, if any; loaded once per request by [`load_user`].
#[derive(Clone, Debug)]
pub struct CurrentUser(pub Option<User>);

impl CurrentUser {
    pub fn user(&self) -> Option<&User> {
        self.0.as_ref()
    }

    /// How the journal names this person.
    pub fn actor(&self) -> String {
        self.0.as_ref().map_or_else(|| "anonyme".to_owned(), |u| u.email.clone())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<CurrentUser>().cloned().unwrap_or(CurrentUser(None)))
    }
}

fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_owned())
        .filter(|v| v.len() == 32 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Puts the session's account (or none) in the request. A store failure is logged and the
/// request goes on anonymously: the public site must not fail because sessions do.
pub async fn load_user(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let user = match session_token(request.headers()) {
        Some(token) => match state.store.session_user(&hash_token(&token)).await {
            Ok(user) => user,
            Err(e) => {
                tracing::error!(error = %e, "lecture de session impossible");
                None
            }
        },
        None => None,
    };
    request.extensions_mut().insert(CurrentUser(user));
    next.run(request).await
}

fn cookie(value: &str, max_age: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let text = format!("{COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}");
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("forma_session=; Path=/; Max-Age=0"))
}

/// Opens a session for `user` and returns the Set-Cookie header that carries it.
pub async fn open(state: &AppState, user: &User, how: &str) -> anyhow::Result<HeaderValue> {
    let token = new_token();
    let expires = Utc::now() + Duration::hours(SESSION_HOURS);
    state.store.open_session(&hash_token(&token), user, expires, how).await?;
    Ok(cookie(&token, SESSION_HOURS * 3600, state.config.secure_cookies()))
}

/// Closes the request's session (if any) and returns the header that clears the cookie.
pub async fn close(state: &AppState, headers: &HeaderMap) -> anyhow::Result<HeaderValue> {
    if let Some(token) = session_token(headers) {
        state.store.close_session(&hash_token(&token)).await?;
    }
    Ok(cookie("", 0, state.config.secure_cookies()))
}
