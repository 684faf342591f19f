//! Secret iCalendar feeds of a calendar (one trainer, one venue or one session): created from the
//! calendar page, the address `/agenda/{token}.ics` is shown once — only the token's SHA-256 is
//! kept — and lasts a year unless revoked. The address itself is the credential: whoever has it
//! reads the feed without an account, so an unknown, expired or revoked token is a plain 404.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{Duration, Utc};
use forma_domain::half_day::HalfDay;
use forma_store::{CalendarDay, CalendarScope};
use serde::Deserialize;

use super::calendar::{CreatedFeed, View, calendar_link, calendar_page, feed_refused, place_of, read_query, render_secret};
use super::layout::{PathId, done, internal, not_found};
use crate::auth::CurrentUser;
use crate::auth::token::{hash_token, new_token};
use crate::error::error_page;
use crate::state::AppState;
use forma_documents::ical::{CalendarEvent, calendar};

/// How long a feed address lasts.
pub const FEED_DAYS: i64 = 365;
/// The feed covers this many days before and after today.
const PAST_DAYS: i64 = 365;
const FUTURE_DAYS: i64 = 2 * 365;

#[derive(Deserialize, Default)]
pub struct FeedForm {
    #[serde(default)]
    scope: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    vue: String,
    #[serde(default)]
    date: String,
}

pub async fn create(State(state): State<AppState>, current: CurrentUser, Form(form): Form<FeedForm>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let Some(scope) = form.id.trim().parse::<i64>().ok().and_then(|id| CalendarScope::from_parts(form.scope.trim(), id)) else {
        return feed_refused(&state, user, "Choisissez d'abord un formateur, un lieu ou une session : une adresse d'abonnement porte sur l'un d'eux.").await;
    };
    match state.store.calendar_scope_name(scope).await {
        Ok(Some(_)) => {}
        Ok(None) => return not_found(&state),
        Err(e) => return internal(&state, e.into()),
    }
    let today = crate::site::today();
    let (view, date, _) = read_query(Some(form.vue.as_str()), Some(form.date.as_str()), [None, None, None], today).unwrap_or((View::Month, today, CalendarScope::All));
    let token = new_token();
    let expires = Utc::now() + Duration::days(FEED_DAYS);
    if let Err(e) = state.store.create_calendar_feed(scope, &hash_token(&token), expires, &current.actor()).await {
        return internal(&state, e.into());
    }
    let created = CreatedFeed { url: state.config.absolute_url(&format!("/agenda/{token}.ics")) };
    match calendar_page(&state, user, view, date, scope, Some(created)).await {
        Ok(Some(page)) => render_secret(&state, page),
        Ok(None) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}

pub async fn revoke(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId) -> Response {
    let feed = match state.store.calendar_feed(id).await {
        Ok(Some(feed)) => feed,
        Ok(None) => return not_found(&state),
        Err(e) => return internal(&state, e.into()),
    };
    if feed.revoked_at.is_none()
        && let Err(e) = state.store.revoke_calendar_feed(id, &current.actor()).await
    {
        return internal(&state, e.into());
    }
    let scope = CalendarScope::from_parts(&feed.scope, feed.target_id).unwrap_or(CalendarScope::All);
    done(&calendar_link(View::Month, crate::site::today(), scope), "flux-revoque")
}

/// Events of a feed: one per half-day, in Paris time, named after the program.
pub(crate) fn events(state: &AppState, days: &[CalendarDay], updates: &std::collections::HashMap<i64, chrono::DateTime<Utc>>) -> Vec<CalendarEvent> {
    let mut out = Vec::new();
    for day in days {
        let link = state.config.absolute_url(&format!("/gestion/sessions/{}", day.session_id));
        let mut description = Vec::new();
        if !day.detail.trainer_names.is_empty() {
            let label = if day.detail.trainer_names.len() > 1 { "Formateurs" } else { "Formateur" };
            description.push(format!("{label} : {}", day.detail.trainer_names.join(", ")));
        }
        if let Some(client) = &day.client_name {
            description.push(format!("Client : {client}"));
        }
        description.push(format!("Session n° {} : {link}", day.session_id));
        let place = place_of(day);
        let schedule = day.detail.day.schedule;
        for (slot, half) in [(schedule.morning, HalfDay::Morning), (schedule.afternoon, HalfDay::Afternoon)] {
            let Some(slot) = slot else { continue };
            let suffix = match half {
                HalfDay::Morning => "matin",
                HalfDay::Afternoon => "apres-midi",
            };
            out.push(CalendarEvent {
                uid: format!("day-{}-{suffix}@forma", day.detail.id),
                summary: day.program_title.clone(),
                description: Some(description.join("\n")),
                location: (!place.is_empty()).then(|| place.clone()),
                date: day.detail.day.date,
                start: slot.start,
                end: slot.end,
                updated: updates.get(&day.session_id).copied().unwrap_or(chrono::DateTime::<Utc>::UNIX_EPOCH),
            });
        }
    }
    out
}

/// `GET /agenda/{token}.ics`: the feed, for whoever holds a live address.
pub async fn feed(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let missing = || error_page(StatusCode::NOT_FOUND, &state.organisation_name());
    let Some(secret) = token.strip_suffix(".ics") else { return missing() };
    // Not a token we hand out: no need to ask the database.
    if secret.len() != 32 || !secret.bytes().all(|b| b.is_ascii_hexdigit()) {
        return missing();
    }
    let scope = match state.store.calendar_feed_scope(&hash_token(secret)).await {
        Ok(Some(scope)) => scope,
        Ok(None) => return missing(),
        Err(e) => return internal(&state, e.into()),
    };
    let name = match state.store.calendar_scope_name(scope).await {
        Ok(Some(name)) => name,
        Ok(None) => return missing(),
        Err(e) => return internal(&state, e.into()),
    };
    let today = crate::site::today();
    // A session's feed holds all its days, however old; a trainer's or a venue's, a window
    // around today (their history would grow without end).
    let (first, last) = match scope {
        forma_store::CalendarScope::Session(_) => (chrono::NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(today), chrono::NaiveDate::from_ymd_opt(2200, 12, 31).unwrap_or(today)),
        _ => (today - Duration::days(PAST_DAYS), today + Duration::days(FUTURE_DAYS)),
    };
    let days = match state.store.calendar_days(first, last, scope).await {
        Ok(days) => days,
        Err(e) => return internal(&state, e.into()),
    };
    let mut ids: Vec<i64> = days.iter().map(|d| d.session_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let updates = match state.store.calendar_session_updates(&ids).await {
        Ok(updates) => updates,
        Err(e) => return internal(&state, e.into()),
    };
    let body = calendar(&format!("{} — {name}", state.organisation_name()), &events(&state, &days, &updates));
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=300"),
            (header::REFERRER_POLICY, "no-referrer"),
            (header::HeaderName::from_static("x-robots-tag"), "noindex"),
        ],
        body,
    )
        .into_response()
}
