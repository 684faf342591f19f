use askama::Template;
use axum::extract::State;
use axum::response::Response;
use forma_store::CategoryCount;

use super::layout::Layout;
use super::views::{SessionView, session_view};
use super::{respond, today};
use crate::error::SiteError;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    programs_count: u64,
    categories: Vec<CategoryCount>,
    sessions: Vec<SessionView>,
}

pub async fn home(State(state): State<AppState>) -> Response {
    let page = async {
        let categories = state.store.categories().await?;
        let programs_count = categories.iter().map(|c| c.programs.max(0) as u64).sum();
        let upcoming = state.store.upcoming_sessions(today(), None, true, 5).await?;
        let sessions = upcoming.iter().map(|s| session_view(s, None)).collect();
        let layout = state.layout( "Catalogue des formations", "accueil")
            .described("Catalogue des formations : programmes, sessions à venir, modalités et délais d'accès.");
        Ok::<_, SiteError>(HomePage { layout, programs_count, categories, sessions })
    }
    .await;
    respond(&state, page)
}
