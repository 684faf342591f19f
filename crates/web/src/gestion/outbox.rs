//! The mail outbox as staff see it: what waits, what went, what failed for good (dead letters),
//! with a button to send a dead message again.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use forma_store::{MailStatus, OutboxCounts, OutboxEntry};
use serde::Deserialize;

use super::layout::{PathId, ParisTime, Frame, done, internal, not_found, render};
use crate::auth::CurrentUser;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "gestion/outbox.html")]
struct OutboxPage {
    frame: Frame,
    entries: Vec<OutboxEntry>,
    counts: OutboxCounts,
    statut: String,
    statuses: [MailStatus; 4],
    smtp_configured: bool,
}

#[derive(Deserialize, Default)]
pub struct OutboxQuery {
    #[serde(default)]
    statut: String,
    ok: Option<String>,
}

pub async fn list(State(state): State<AppState>, current: CurrentUser, Query(q): Query<OutboxQuery>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let status = MailStatus::parse(&q.statut);
    let (entries, counts) = match tokio::try_join!(state.store.outbox_entries(status, 200), state.store.outbox_counts()) {
        Ok(found) => found,
        Err(e) => return internal(&state, e.into()),
    };
    render(
        &state,
        OutboxPage {
            frame: Frame::new(&state, user, "Courriels", "courriels").notice(q.ok.as_deref()),
            entries,
            counts,
            statut: status.map(|s| s.as_str().to_owned()).unwrap_or_default(),
            statuses: MailStatus::ALL,
            smtp_configured: state.config.mail_enabled,
        },
    )
}

pub async fn requeue(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId) -> Response {
    match state.store.requeue_mail(id, &current.actor()).await {
        Ok(true) => {
            state.mail_wake.notify_one();
            done("/gestion/courriels", "renvoye")
        }
        Ok(false) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}

impl ParisTime for OutboxPage {}
