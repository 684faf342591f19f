//! Passwords set through personal links: the first one of a new account, and « mot de passe
//! oublié ». The request form answers the same whether or not the address has an account.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Duration, Utc};
use forma_domain::account::{Email, check_new_password};
use forma_store::{LinkPurpose, NewLink};
use serde::Deserialize;

use crate::auth::invitation::until;
use crate::auth::token::{hash_token, new_token};
use crate::gestion::layout::{internal, render};
use crate::site::layout::Layout;
use crate::state::AppState;

/// A reset link is short-lived: it answers a request made a moment ago.
pub const RESET_HOURS: i64 = 2;

#[derive(Template)]
#[template(path = "account/forgot.html")]
struct ForgotPage {
    layout: Layout,
    email: String,
    error: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "account/set_password.html")]
struct SetPasswordPage {
    layout: Layout,
    token: String,
    name: String,
    first: bool,
    error: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "account/link_invalid.html")]
struct LinkInvalidPage {
    layout: Layout,
}

#[derive(Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
}

#[derive(Deserialize)]
pub struct NewPasswordForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirmation: String,
}

fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    // The token is in the address: do not leak it to other sites.
    response.headers_mut().insert(header::REFERRER_POLICY, header::HeaderValue::from_static("no-referrer"));
    response
}

pub async fn forgot_page(State(state): State<AppState>) -> Response {
    render(&state, ForgotPage { layout: state.layout( "Mot de passe oublié", ""), email: String::new(), error: None })
}

pub async fn forgot(State(state): State<AppState>, Form(form): Form<ForgotForm>) -> Response {
    let Ok(email) = Email::parse(&form.email) else {
        let page = ForgotPage {
            layout: state.layout( "Mot de passe oublié", ""),
            email: form.email,
            error: Some("Adresse e-mail invalide (prenom.nom@domaine.fr)."),
        };
        let mut response = render(&state, page);
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return response;
    };
    let found = match state.store.user_for_login(email.as_str()).await {
        Ok(f) => f,
        Err(e) => return internal(&state, e.into()),
    };
    if let Some((user, _)) = found.filter(|(u, _)| u.active && u.role.uses_password()) {
        let token = new_token();
        let expires = Utc::now() + Duration::hours(RESET_HOURS);
        let link = state.config.absolute_url(&format!("/mot-de-passe/{token}"));
        let mail = forma_mail::messages::password_reset(&state.organisation_name(), &user.email, &user.name, &link, &until(expires));
        let new = NewLink { token_hash: hash_token(&token), purpose: LinkPurpose::ResetPassword, expires_at: expires };
        if let Err(e) = state.store.create_link(user.id, &new, Some(&mail), "mot de passe oublié").await {
            return internal(&state, e.into());
        }
        state.mail_wake.notify_one();
    }
    Redirect::to("/connexion?ok=oubli").into_response()
}

pub async fn set_password_page(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let holder = match state.store.link_holder(&hash_token(&token)).await {
        Ok(h) => h,
        Err(e) => return internal(&state, e.into()),
    };
    let response = match holder {
        Some((user, purpose)) if purpose != LinkPurpose::TraineeAccess => render(
            &state,
            SetPasswordPage {
                layout: state.layout( "Choisir un mot de passe", ""),
                token,
                name: user.name,
                first: purpose == LinkPurpose::SetPassword,
                error: None,
            },
        ),
        _ => invalid_link(&state),
    };
    no_store(response)
}

pub fn invalid_link(state: &AppState) -> Response {
    let mut response = render(state, LinkInvalidPage { layout: state.layout( "Lien invalide ou expiré", "") });
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}

pub async fn set_password(State(state): State<AppState>, Path(token): Path<String>, Form(form): Form<NewPasswordForm>) -> Response {
    let holder = match state.store.link_holder(&hash_token(&token)).await {
        Ok(h) => h,
        Err(e) => return internal(&state, e.into()),
    };
    let Some((user, purpose)) = holder.filter(|(_, p)| *p != LinkPurpose::TraineeAccess) else {
        return no_store(invalid_link(&state));
    };
    if let Err(message) = check_new_password(&form.password, &form.confirmation) {
        let page = SetPasswordPage {
            layout: state.layout( "Choisir un mot de passe", ""),
            token,
            name: user.name,
            first: purpose == LinkPurpose::SetPassword,
            error: Some(message),
        };
        let mut response = render(&state, page);
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return no_store(response);
    }
    let hash = match state.passwords.hash(form.password).await {
        Ok(h) => h,
        Err(e) => return internal(&state, e),
    };
    match state.store.set_password_with_link(&hash_token(&token), &hash).await {
        Ok(Some(_)) => Redirect::to("/connexion?ok=mot-de-passe").into_response(),
        Ok(None) => no_store(invalid_link(&state)),
        Err(e) => internal(&state, e.into()),
    }
}
