//! Avenants: drafted on a signed convention as one typed change, sent, signed — and signing
//! applies the change to the session (days added or moved) or the convention (price), once the
//! change still fits the session and makes no blocking conflict.

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use forma_domain::FieldErrors;
use forma_domain::agreement::AgreementStatus;
use forma_domain::amendment::AmendmentChange;
use forma_domain::conflicts::{Severity, any_blocking};
use forma_store::StoreError;

use super::agreement_documents::amendment_pdf;
use super::agreement_form::AmendmentForm;
use super::conventions::{pdf_response, show_page, status_notice, status_request};
use super::editor_form::FormData;
use super::layout::{PathId, done, internal, invalid, not_found};
use crate::auth::CurrentUser;
use crate::state::AppState;

/// Why a change cannot apply to the session now: its own errors, or blocking conflicts.
async fn check(state: &AppState, session_id: i64, change: &AmendmentChange) -> Result<Result<(), FieldErrors>, StoreError> {
    let Some(session) = state.store.session(session_id).await? else { return Ok(Ok(())) };
    let plan = match change.apply(&session.plan()) {
        Ok(plan) => plan,
        Err(errors) => return Ok(Err(errors)),
    };
    let touched: Vec<_> = match change {
        AmendmentChange::AddDays { days } => days.clone(),
        AmendmentChange::MoveDates { moves } => plan.days.iter().filter(|d| moves.iter().any(|m| m.to == d.date)).cloned().collect(),
        AmendmentChange::ChangePrice { .. } => Vec::new(),
    };
    let keep: Vec<i64> = session.days.iter().filter(|d| !touched.iter().any(|t| t.date == d.day.date)).map(|d| d.id).collect();
    let conflicts = state.store.plan_conflicts(&touched, Some(session_id), &keep).await?;
    if any_blocking(&conflicts) {
        let mut errors = FieldErrors::default();
        for c in conflicts.iter().filter(|c| c.severity == Severity::Blocking) {
            errors.add("conflicts", c.message.clone());
        }
        return Ok(Err(errors));
    }
    Ok(Ok(()))
}

pub async fn create(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId, body: Bytes) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let agreement = match state.store.agreement(id).await {
        Ok(Some(a)) => a,
        Ok(None) => return not_found(&state),
        Err(e) => return internal(&state, e.into()),
    };
    let form = AmendmentForm::from_data(&FormData::parse(&body));
    let errors = match form.read(agreement.price) {
        Ok((change, issued_on)) => match check(&state, agreement.session_id, &change).await {
            Ok(Ok(())) => match state.store.create_amendment(id, &change, &form.reason, issued_on, &current.actor()).await {
                Ok(_) => return done(&format!("/gestion/conventions/{id}"), "avenant"),
                Err(StoreError::Conflict(m)) => {
                    let mut e = FieldErrors::default();
                    e.add("kind", m);
                    e
                }
                Err(e) => return internal(&state, e.into()),
            },
            Ok(Err(errors)) => errors,
            Err(e) => return internal(&state, e.into()),
        },
        Err(errors) => errors,
    };
    match show_page(&state, user, id, None).await {
        Ok(Some(mut p)) => {
            p.amendment = form;
            p.amendment_errors = errors;
            invalid(&state, p)
        }
        Ok(None) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}

/// Sent, signed (the change applies), back to draft or cancelled.
pub async fn set_status(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId, body: Bytes) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let amendment = match state.store.amendment(id).await {
        Ok(Some(a)) => a,
        Ok(None) => return not_found(&state),
        Err(e) => return internal(&state, e.into()),
    };
    let Ok(Some(agreement)) = state.store.agreement(amendment.agreement_id).await else { return not_found(&state) };
    let message = match status_request(&FormData::parse(&body)) {
        Ok((status, on)) => {
            // The session may have changed since the avenant was drafted.
            let fits = if status == AgreementStatus::Signed { check(&state, agreement.session_id, &amendment.change).await } else { Ok(Ok(())) };
            match fits {
                Ok(Ok(())) => match state.store.set_amendment_status(id, status, on, &current.actor()).await {
                    Ok(()) => return done(&format!("/gestion/conventions/{}", agreement.id), status_notice(status)),
                    Err(StoreError::Conflict(m)) => m,
                    Err(e) => return internal(&state, e.into()),
                },
                Ok(Err(errors)) => format!(
                    "L'avenant ne peut pas être signé : {}",
                    errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join(" ")
                ),
                Err(e) => return internal(&state, e.into()),
            }
        }
        Err(m) => m,
    };
    match show_page(&state, user, agreement.id, None).await {
        Ok(Some(mut p)) => {
            p.status_error = Some(message);
            invalid(&state, p)
        }
        Ok(None) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}

pub async fn pdf(State(state): State<AppState>, PathId(id): PathId) -> Response {
    let Ok(Some(amendment)) = state.store.amendment(id).await else { return not_found(&state) };
    let agreement = match state.store.agreement(amendment.agreement_id).await {
        Ok(Some(a)) => a,
        Ok(None) => return not_found(&state),
        Err(e) => return internal(&state, e.into()),
    };
    match amendment_pdf(&state, &agreement, &amendment).await {
        Ok(bytes) => pdf_response(bytes, &format!("avenant-{}-convention-{}-{}.pdf", amendment.number, agreement.number.sequence, agreement.number.year)),
        Err(e) => internal(&state, e.into()),
    }
}
