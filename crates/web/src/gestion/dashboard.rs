//! The back-office's home: what needs attention (incomplete sheets, drafts, undelivered mail).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use forma_store::OutboxCounts;

use super::layout::{Frame, internal, render};
use super::programs::Row;
use crate::auth::CurrentUser;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "gestion/dashboard.html")]
struct Dashboard {
    frame: Frame,
    published: usize,
    unpublished: usize,
    drafts: Vec<Row>,
    incomplete: Vec<Row>,
    mail: OutboxCounts,
}

pub async fn dashboard(State(state): State<AppState>, current: CurrentUser) -> Response {
    let Some(user) = current.user() else { return internal(&state, anyhow::anyhow!("session absente")) };
    let (all, mail) = match tokio::try_join!(state.store.program_rows(), state.store.outbox_counts()) {
        Ok(found) => found,
        Err(e) => return internal(&state, e.into()),
    };
    let today = crate::site::today();
    let rows: Vec<Row> = all.into_iter().map(|r| Row::from_stored(r, today)).collect();
    let published = rows.iter().filter(|r| r.published).count();
    render(
        &state,
        Dashboard {
            frame: Frame::new(&state, user, "Tableau de bord", "accueil"),
            published,
            unpublished: rows.len() - published,
            drafts: rows.iter().filter(|r| r.has_draft).take(20).cloned().collect(),
            incomplete: rows.into_iter().filter(|r| r.published && !r.complete()).take(20).collect(),
            mail,
        },
    )
}
