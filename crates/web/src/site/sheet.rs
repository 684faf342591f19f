use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::layout::Layout;
use super::sheet_view::SheetView;
use super::today;
use super::views::{SessionView, session_view};
use crate::error::{SiteError, SiteFailure};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "sheet.html")]
struct SheetPage {
    layout: Layout,
    sheet: SheetView,
    sessions: Vec<SessionView>,
    /// A back-office preview of unpublished text: said on the page, never cached.
    preview: bool,
}

/// A sheet from the back-office (draft or unpublished), as the public page would show it.
pub fn render_sheet(state: &AppState, program: &forma_domain::Program, category_slug: Option<&str>, preview: bool) -> anyhow::Result<String> {
    let description = program.audience.clone().unwrap_or_else(|| program.title.clone());
    let page = SheetPage {
        layout: state.layout(format!("Aperçu — {}", program.title), "formations").described(description),
        sheet: SheetView::new(program, category_slug),
        sessions: Vec::new(),
        preview,
    };
    Ok(page.render()?)
}

async fn render(state: &AppState, slug: &str) -> Result<String, SiteError> {
    let mut stored = state.store.program(slug).await?.ok_or(SiteError::NotFound)?;
    // The rate computed from the hot evaluations replaces the one written in the sheet, once
    // someone answered.
    if let Some(rate) = crate::evaluations::published_rate(state, slug).await? {
        stored.program.satisfaction = Some(rate);
    }
    let program = &stored.program;
    let upcoming = state.store.upcoming_sessions(today(), Some(slug), true, 20).await?;
    let sessions = upcoming.iter().map(|s| session_view(s, program.access_delays.inter)).collect();
    let description = program.audience.clone().unwrap_or_else(|| program.title.clone());
    let page = SheetPage {
        layout: state.layout(program.title.clone(), "formations").described(description),
        sheet: SheetView::new(program, stored.category_slug.as_deref()),
        sessions,
        preview: false,
    };
    page.render().map_err(|e| SiteError::Internal(e.into()))
}

pub async fn sheet(State(state): State<AppState>, Path(slug): Path<String>) -> Response {
    let day = today();
    let html_type = [(header::CONTENT_TYPE, "text/html; charset=utf-8")];
    if let Some(html) = state.pages.get(day, &slug) {
        return (html_type, html).into_response();
    }
    match render(&state, &slug).await {
        Ok(html) => {
            let html = Bytes::from(html);
            state.pages.put(day, &slug, html.clone());
            (html_type, html).into_response()
        }
        Err(error) => SiteFailure { error, organisation: state.organisation_name() }.into_response(),
    }
}
