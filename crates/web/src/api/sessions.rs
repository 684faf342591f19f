use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use chrono::NaiveDate;
use forma_domain::ProgramKind;
use forma_domain::session::SessionDay;
use forma_store::SessionSummary;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::bad_query;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SessionListParams {
    /// Sessions starting on or after this date (today by default), `AAAA-MM-JJ`.
    from: Option<NaiveDate>,
    /// Only the sessions of this program.
    program: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionItem {
    id: i64,
    program_slug: String,
    program_title: String,
    kind: ProgramKind,
    capacity: Option<u32>,
    seats_left: Option<u32>,
    days: Vec<SessionDay>,
}

impl From<SessionSummary> for SessionItem {
    fn from(s: SessionSummary) -> Self {
        SessionItem {
            id: s.id,
            program_slug: s.program_slug,
            program_title: s.program_title,
            kind: s.kind,
            capacity: s.capacity,
            seats_left: s.seats_left,
            days: s.days,
        }
    }
}

/// Upcoming INTER sessions, soonest first (INTRA sessions are never public).
#[utoipa::path(
    get,
    path = "/sessions",
    tag = "sessions",
    params(SessionListParams),
    responses(
        (status = 200, body = Vec<SessionItem>),
        (status = 400, body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn list_sessions(
    State(state): State<AppState>,
    params: Result<Query<SessionListParams>, QueryRejection>,
) -> Result<Json<Vec<SessionItem>>, ApiError> {
    let Query(params) = params.map_err(bad_query)?;
    let from = params.from.unwrap_or_else(|| chrono::Local::now().date_naive());
    let sessions = state.store.upcoming_sessions(from, params.program.as_deref(), true, 500).await?;
    Ok(Json(sessions.into_iter().map(SessionItem::from).collect()))
}
