use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::layout::Layout;
use super::respond;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "accessibility.html")]
struct AccessibilityPage {
    layout: Layout,
}

/// The accessibility statement the RGAA asks every public site to publish.
pub async fn accessibility(State(state): State<AppState>) -> Response {
    let layout = state.layout( "Déclaration d'accessibilité", "");
    respond(&state, Ok(AccessibilityPage { layout }))
}
