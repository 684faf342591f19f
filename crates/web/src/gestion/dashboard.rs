//! The back-office's home: what needs attention (requests late or due soon, incomplete sheets,
//! drafts, undelivered mail).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use forma_domain::access_delay::{Deadline, SOON_DAYS};
use forma_store::OutboxCounts;

use super::layout::{Frame, internal, render};
use super::programs::Row;
use super::requests::RequestView;
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
    /// Requests not answered yet.
    open_requests: usize,
    /// Overdue first, then those due within `SOON_DAYS` days.
    urgent_requests: Vec<RequestView>,
    soon_days: i64,
}

pub async fn dashboard(State(state): State<AppState>, current: CurrentUser) -> Response {
    let Some(user) = current.user() else { return internal(&state, anyhow::anyhow!("session absente")) };
    let (all, mail, open) = match tokio::try_join!(state.store.program_rows(), state.store.outbox_counts(), state.store.requests(true)) {
        Ok(found) => found,
        Err(e) => return internal(&state, e.into()),
    };
    let today = crate::site::today();
    let rows: Vec<Row> = all.into_iter().map(|r| Row::from_stored(r, today)).collect();
    let published = rows.iter().filter(|r| r.published).count();
    // Open requests come by due date, so the overdue ones lead.
    let urgent_requests = open
        .iter()
        .filter(|r| matches!(r.deadline(today), Deadline::Overdue { .. } | Deadline::DueSoon { .. }))
        .map(|r| RequestView::new(r, today))
        .collect();
    render(
        &state,
        Dashboard {
            frame: Frame::new(&state, user, "Tableau de bord", "accueil"),
            published,
            unpublished: rows.len() - published,
            drafts: rows.iter().filter(|r| r.has_draft).take(20).cloned().collect(),
            incomplete: rows.into_iter().filter(|r| r.published && !r.complete()).take(20).collect(),
            mail,
            open_requests: open.len(),
            urgent_requests,
            soon_days: SOON_DAYS,
        },
    )
}
