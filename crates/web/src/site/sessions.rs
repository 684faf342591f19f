use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::layout::Layout;
use super::views::{SessionView, session_view};
use super::{respond, today};
use crate::error::SiteError;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "sessions.html")]
struct SessionsPage {
    layout: Layout,
    sessions: Vec<SessionView>,
}

pub async fn sessions(State(state): State<AppState>) -> Response {
    let page = async {
        let upcoming = state.store.upcoming_sessions(today(), None, true, 500).await?;
        let mut delays = HashMap::new();
        for s in &upcoming {
            if !delays.contains_key(&s.program_slug) {
                let delay = state.store.program(&s.program_slug).await?.and_then(|p| p.program.access_delays.inter);
                delays.insert(s.program_slug.clone(), delay);
            }
        }
        let sessions = upcoming.iter().map(|s| session_view(s, delays.get(&s.program_slug).copied().flatten())).collect();
        Ok::<_, SiteError>(SessionsPage {
            layout: state.layout( "Sessions à venir", "sessions"),
            sessions,
        })
    }
    .await;
    respond(&state, page)
}
