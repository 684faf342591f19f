//! The public site: home, catalogue, sheets, sessions, search. French, server-rendered, usable
//! without JavaScript.

mod accessibility;
mod catalogue;
mod home;
pub mod layout;
pub mod registration;
mod search;
mod sessions;
mod sheet;
mod sheet_view;
pub(crate) mod views;

pub use accessibility::accessibility;
pub use catalogue::catalogue;
pub use home::home;
pub use search::search;
pub use sessions::sessions;
pub use views::duration_label;
pub use sheet::{render_sheet, sheet};

use askama::Template;
use axum::response::{Html, IntoResponse, Response};

use crate::error::{SiteError, SiteFailure};
use crate::state::AppState;

/// Renders a page, or the error page in the site's frame.
fn respond<T: Template>(state: &AppState, page: Result<T, SiteError>) -> Response {
    match page.and_then(|p| p.render().map_err(|e| SiteError::Internal(e.into()))) {
        Ok(html) => Html(html).into_response(),
        Err(error) => SiteFailure { error, organisation: state.organisation_name() }.into_response(),
    }
}

/// Today in France: MAJ dates and « à venir » follow the organisation's calendar, not the server's.
pub(crate) fn today() -> chrono::NaiveDate {
    chrono::Utc::now().with_timezone(&chrono_tz::Europe::Paris).date_naive()
}

/// Pages are numbered from 1; anything unreadable means the first page.
fn page_number(raw: Option<&str>) -> u32 {
    raw.and_then(|p| p.trim().parse::<u32>().ok()).filter(|&p| p >= 1).unwrap_or(1).min(100_000)
}
