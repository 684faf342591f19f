//! Signing in and out. Failed attempts are counted per account and per network address; after
//! five within a quarter of an hour the next attempts must wait (30 s, doubling up to 15 min),
//! and each refused attempt is written to the journal.

use std::net::SocketAddr;

use askama::Template;
use axum::Form;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Duration, Utc};
use forma_domain::account::{Role, THROTTLE_WINDOW_MINUTES, next_attempt_allowed};
use serde::Deserialize;

use crate::auth::session;
use crate::gestion::layout::{internal, render};
use crate::site::layout::Layout;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "account/login.html")]
struct LoginPage {
    layout: Layout,
    email: String,
    next: String,
    error: Option<String>,
    notice: Option<&'static str>,
}

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    suite: Option<String>,
    ok: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    suite: String,
}

/// Only a path on this site: never an open redirect.
fn safe_next(next: &str) -> Option<&str> {
    (next.starts_with('/') && !next.starts_with("//") && !next.contains('\\')).then_some(next)
}

fn home_of(role: Role, client_id: Option<i64>) -> String {
    match role {
        Role::Admin | Role::Gestionnaire => "/gestion".into(),
        Role::Formateur => "/espace-formateur".into(),
        Role::Stagiaire => "/mon-espace".into(),
        Role::Client => client_id.map_or_else(|| "/".into(), |id| format!("/espace-client/{id}")),
    }
}

pub async fn login_page(State(state): State<AppState>, Query(q): Query<LoginQuery>) -> Response {
    let notice = match q.ok.as_deref() {
        Some("mot-de-passe") => Some("Mot de passe enregistré : vous pouvez vous connecter."),
        Some("deconnecte") => Some("Vous êtes déconnecté."),
        Some("oubli") => Some("Si un compte existe pour cette adresse, un lien de réinitialisation vient d'être envoyé."),
        _ => None,
    };
    let page = LoginPage {
        layout: state.layout( "Connexion", ""),
        email: String::new(),
        next: q.suite.unwrap_or_default(),
        error: None,
        notice,
    };
    let mut response = render(&state, page);
    response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    response
}

pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let address = client_address(&state, &headers, peer);
    let email = form.email.trim().to_lowercase();
    let refuse = |status: StatusCode, message: String| {
        let page = LoginPage {
            layout: state.layout( "Connexion", ""),
            email: form.email.clone(),
            next: form.suite.clone(),
            error: Some(message),
            notice: None,
        };
        let mut response = render(&state, page);
        *response.status_mut() = status;
        response
    };
    let since = Utc::now() - Duration::minutes(THROTTLE_WINDOW_MINUTES);
    let recent = match state.store.recent_failures(&email, &address, since).await {
        Ok(r) => r,
        Err(e) => return internal(&state, e.into()),
    };
    if let Some(wait_until) = recent.last.and_then(|last| next_attempt_allowed(recent.failures, last))
        && wait_until > Utc::now()
    {
        if let Err(e) = state.store.record_throttled_login(&email, &address, recent.failures).await {
            return internal(&state, e.into());
        }
        let seconds = (wait_until - Utc::now()).num_seconds().max(1);
        let mut response = refuse(
            StatusCode::TOO_MANY_REQUESTS,
            format!("Trop de tentatives de connexion échouées. Patientez {seconds} secondes avant de réessayer, ou réinitialisez votre mot de passe."),
        );
        response.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
        return response;
    }
    let found = match state.store.user_for_login(&email).await {
        Ok(f) => f,
        Err(e) => return internal(&state, e.into()),
    };
    let (user, hash) = match found {
        Some((user, hash)) if user.active && user.role.uses_password() => (Some(user), hash),
        _ => (None, None),
    };
    let password = form.password.chars().take(1024).collect::<String>();
    let ok = match state.passwords.verify(password, hash).await {
        Ok(ok) => ok,
        Err(e) => return internal(&state, e),
    };
    let Some(user) = user.filter(|_| ok) else {
        if let Err(e) = state.store.record_login_failure(&email, &address).await {
            return internal(&state, e.into());
        }
        return refuse(StatusCode::UNAUTHORIZED, "Adresse e-mail ou mot de passe incorrect.".into());
    };
    if let Err(e) = state.store.clear_login_failures(&email).await {
        return internal(&state, e.into());
    }
    let cookie = match session::open(&state, &user, "connexion par mot de passe").await {
        Ok(c) => c,
        Err(e) => return internal(&state, e),
    };
    let target = safe_next(&form.suite).map_or_else(|| home_of(user.role, user.client_id), str::to_owned);
    let mut response = Redirect::to(&target).into_response();
    response.headers_mut().insert(header::SET_COOKIE, cookie);
    response
}

pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match session::close(&state, &headers).await {
        Ok(cookie) => {
            let mut response = Redirect::to("/connexion?ok=deconnecte").into_response();
            response.headers_mut().insert(header::SET_COOKIE, cookie);
            response
        }
        Err(e) => internal(&state, e),
    }
}



/// The visitor's address. Behind a reverse proxy (a public address is configured) every
/// connection comes from the proxy, so the last `X-Forwarded-For` entry, the one the proxy
/// added, is the visitor's.
fn client_address(state: &AppState, headers: &HeaderMap, peer: SocketAddr) -> String {
    let forwarded = headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .map(str::trim)
        .filter(|v| v.parse::<std::net::IpAddr>().is_ok());
    match forwarded {
        Some(ip) if state.config.public_url.is_some() => ip.to_owned(),
        _ => peer.ip().to_string(),
    }
}
