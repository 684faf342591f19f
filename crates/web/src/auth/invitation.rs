//! Personal links for people: the first link of a new account (choose a password, or, for a
//! trainee, enter their space), and fresh links later. Used by the back-office and by
//! `forma user add`, which prints the link instead of only mailing it.

use chrono::{DateTime, Duration, Utc};
use forma_domain::account::Role;
use forma_store::{LinkPurpose, NewLink, NewUser, Store, StoreError, User};

use super::token::{hash_token, new_token};

/// First-password links leave a week to read one's mail.
pub const SETUP_DAYS: i64 = 7;
/// A trainee's link serves from the convocation to the cold evaluation, months later.
pub const TRAINEE_DAYS: i64 = 180;

#[derive(Debug, Clone)]
pub struct Invitation {
    pub user_id: i64,
    /// The absolute link (shown once: only its hash is kept).
    pub link: String,
    pub valid_until: DateTime<Utc>,
}

/// Where the link leads, for how long, and the message that carries it.
fn prepare(base_url: &str, organisation: &str, email: &str, name: &str, role: Role) -> (String, NewLink, forma_store::OutgoingMail) {
    let token = new_token();
    let (path, purpose, days) = if role.uses_password() {
        (format!("/mot-de-passe/{token}"), LinkPurpose::SetPassword, SETUP_DAYS)
    } else {
        (format!("/acces/{token}"), LinkPurpose::TraineeAccess, TRAINEE_DAYS)
    };
    let expires_at = Utc::now() + Duration::days(days);
    let link = format!("{}{path}", base_url.trim_end_matches('/'));
    let valid_until = until(expires_at);
    let mail = if role.uses_password() {
        forma_mail::messages::account_setup(organisation, email, name, &link, &valid_until)
    } else {
        forma_mail::messages::trainee_access(organisation, email, name, &link, &valid_until)
    };
    (link, NewLink { token_hash: hash_token(&token), purpose, expires_at }, mail)
}

/// Creates the account and its first link; the message is queued when `by_mail`.
pub async fn invite(store: &Store, base_url: &str, organisation: &str, user: &NewUser, by_mail: bool, actor: &str) -> Result<Invitation, StoreError> {
    let (link, new_link, mail) = prepare(base_url, organisation, user.email.as_str(), &user.name, user.role);
    let user_id = store.create_user(user, &new_link, by_mail.then_some(&mail), actor).await?;
    Ok(Invitation { user_id, link, valid_until: new_link.expires_at })
}

/// A fresh link for an existing account (its password is set again through it, or the trainee
/// gets a new way in), sent by e-mail.
pub async fn send_new_link(store: &Store, base_url: &str, organisation: &str, user: &User, actor: &str) -> Result<Invitation, StoreError> {
    let (link, new_link, mail) = prepare(base_url, organisation, &user.email, &user.name, user.role);
    store.create_link(user.id, &new_link, Some(&mail), actor).await?;
    Ok(Invitation { user_id: user.id, link, valid_until: new_link.expires_at })
}

/// « 6 décembre 2026 à 14 h 05 », Paris time: how messages and the CLI say until when a link works.
pub fn until(at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&chrono_tz::Europe::Paris);
    format!("{} à {}", forma_domain::french_date::long_date(local.date_naive()), local.format("%H h %M"))
}
