//! Accommodation requests in the back-office (`/gestion/amenagements`), for the référent
//! handicap and the staff only: the list (who, which session, where it stands — not the need),
//! and each request with the need, the decision, what is communicated to the trainer and the
//! venue, and the form that moves it to its next status. Communicating mails the note (never the
//! need) to the session's trainers and venue desks.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use forma_domain::FieldErrors;
use forma_domain::accommodation::{AccommodationStatus, DECISION_MAX, NOTE_MAX, Step, validate_step};
use forma_store::{AccommodationRequest, AccommodationSummary, StoreError, User};
use serde::Deserialize;

use super::layout::{Frame, NoticeQuery, PathId, done, internal, invalid, not_found, render};
use crate::auth::CurrentUser;
use crate::state::AppState;

fn paris(at: &chrono::DateTime<chrono::Utc>) -> String {
    crate::offer_mail::until(*at)
}

fn notice(code: Option<&str>) -> Option<&'static str> {
    Some(match code? {
        "analysed" => "Demande marquée comme analysée.",
        "decided" => "Aménagement décidé et enregistré.",
        "communicated" => "Aménagement communiqué : la note a été mise en file d'envoi pour les formateurs et l'accueil des lieux de la session.",
        _ => return None,
    })
}

pub struct SummaryView {
    pub row: AccommodationSummary,
    pub received: String,
}

#[derive(Template)]
#[template(path = "gestion/accommodations.html")]
struct ListPage {
    frame: Frame,
    requests: Vec<SummaryView>,
}

pub async fn list(State(state): State<AppState>, current: CurrentUser) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    match state.store.accommodation_requests().await {
        Ok(rows) => render(
            &state,
            ListPage {
                frame: Frame::new(&state, user, "Demandes d'aménagement", "amenagements"),
                requests: rows.into_iter().map(|row| SummaryView { received: paris(&row.created_at), row }).collect(),
            },
        ),
        Err(e) => internal(&state, e.into()),
    }
}

#[derive(Deserialize, Default, Clone)]
pub struct StepForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    note: String,
}

#[derive(Template)]
#[template(path = "gestion/accommodation.html")]
struct DetailPage {
    frame: Frame,
    request: AccommodationRequest,
    /// (label, date) for each status reached.
    history: Vec<(&'static str, String)>,
    next: Option<AccommodationStatus>,
    /// Who will receive the note, trainers then venue desks: « Nom (adresse) ».
    recipients: Vec<String>,
    form: StepForm,
    errors: FieldErrors,
    decision_max: usize,
    note_max: usize,
}

async fn detail_page(state: &AppState, user: &User, request: AccommodationRequest, form: StepForm, errors: FieldErrors) -> Result<DetailPage, StoreError> {
    let recipients = state.store.accommodation_recipients(request.summary.session_id).await?;
    let mut history = vec![(AccommodationStatus::Received.label(), paris(&request.summary.created_at))];
    for (status, at) in [
        (AccommodationStatus::Analysed, request.analysed_at),
        (AccommodationStatus::Decided, request.decided_at),
        (AccommodationStatus::Communicated, request.communicated_at),
    ] {
        if let Some(at) = at {
            history.push((status.label(), paris(&at)));
        }
    }
    Ok(DetailPage {
        frame: Frame::new(state, user, format!("Demande d'aménagement n° {}", request.summary.id), "amenagements"),
        next: request.summary.status.next(),
        recipients: recipients.into_iter().map(|(name, email)| format!("{name} ({email})")).collect(),
        history,
        request,
        form,
        errors,
        decision_max: DECISION_MAX,
        note_max: NOTE_MAX,
    })
}

async fn load(state: &AppState, id: i64) -> Result<AccommodationRequest, Response> {
    match state.store.accommodation_request(id).await {
        Ok(Some(r)) => Ok(r),
        Ok(None) => Err(not_found(state)),
        Err(e) => Err(internal(state, e.into())),
    }
}

pub async fn show(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId, Query(q): Query<NoticeQuery>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let request = match load(&state, id).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let form = StepForm { decision: request.decision.clone(), note: request.communicated_note.clone(), ..StepForm::default() };
    match detail_page(&state, user, request, form, FieldErrors::default()).await {
        Ok(mut page) => {
            page.frame.notice = notice(q.ok.as_deref());
            render(&state, page)
        }
        Err(e) => internal(&state, e.into()),
    }
}

/// Moves the request to its next status; communicating queues the note for the trainers and venue desks.
pub async fn advance(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId, Form(form): Form<StepForm>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let request = match load(&state, id).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let from = request.summary.status;
    let step = match validate_step(from, &form.status, &form.decision, &form.note) {
        Ok(s) => s,
        Err(errors) => {
            let backwards = errors.get("status").is_some();
            return match detail_page(&state, user, request, form, errors).await {
                Ok(page) => {
                    let mut r = invalid(&state, page);
                    if backwards && r.status() == StatusCode::UNPROCESSABLE_ENTITY {
                        *r.status_mut() = StatusCode::CONFLICT;
                    }
                    r
                }
                Err(e) => internal(&state, e.into()),
            };
        }
    };
    let mails = match &step {
        Step::Communicated { note } => match state.store.accommodation_recipients(request.summary.session_id).await {
            Ok(recipients) => {
                let training = training(&state, request.summary.session_id, &request.summary.program_title).await;
                let trainee = format!("{} {}", request.summary.first_name, request.summary.last_name);
                recipients
                    .iter()
                    .map(|(name, email)| forma_mail::messages::accommodation_communicated(&state.organisation_name(), email, name, &training, &trainee, note))
                    .collect()
            }
            Err(e) => return internal(&state, e.into()),
        },
        _ => Vec::new(),
    };
    match state.store.advance_accommodation(id, from, &step, &mails, &current.actor()).await {
        Ok(()) => {
            if !mails.is_empty() {
                state.mail_wake.notify_one();
            }
            done(&format!("/gestion/amenagements/{id}"), step.status().as_str())
        }
        Err(StoreError::Conflict(m)) => {
            let request = match load(&state, id).await {
                Ok(r) => r,
                Err(r) => return r,
            };
            let mut errors = FieldErrors::default();
            errors.add("status", m);
            match detail_page(&state, user, request, form, errors).await {
                Ok(page) => {
                    let mut r = render(&state, page);
                    *r.status_mut() = StatusCode::CONFLICT;
                    r
                }
                Err(e) => internal(&state, e.into()),
            }
        }
        Err(e) => internal(&state, e.into()),
    }
}

/// « Acculturation CTG, 12 mai 2031, 13 mai 2031 »: what the messages call the session
/// (`fallback` when it cannot be read).
pub(crate) async fn training(state: &AppState, session_id: i64, fallback: &str) -> String {
    match state.store.session(session_id).await {
        Ok(Some(s)) if !s.days.is_empty() => {
            format!("{}, {}", s.program_title, s.days.iter().map(|d| forma_domain::french_date::long_date(d.day.date)).collect::<Vec<_>>().join(", "))
        }
        Ok(Some(s)) => s.program_title,
        _ => fallback.to_owned(),
    }
}
