//! The follow-up of absences (`/gestion/suivi-assiduite`, Qualiopi indicator 12): each missed
//! half-day raises an alert at the closing; staff note what they did (a call, a message, the
//! reason given) and close the alert when the trainee is back or the case settled.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use forma_domain::FieldErrors;
use forma_store::{AttendanceAlert, StoreError};
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::auth::invitation::until;
use crate::gestion::layout::{Frame, NoticeQuery, PathId, done, internal, invalid, not_found, render};
use crate::state::AppState;

/// The longest note kept: a follow-up is a few sentences.
pub const NOTE_MAX: usize = 2000;

pub struct AlertView {
    pub alert: AttendanceAlert,
    /// « le matin du lundi 22 mars 2027 ».
    pub when: String,
    pub raised: String,
    pub resolved: Option<String>,
    /// (note, who, when)
    pub notes: Vec<(String, String, String)>,
    /// The note as typed, when this alert's form came back refused.
    pub typed: String,
}

#[derive(Template)]
#[template(path = "attendance/followup.html")]
struct FollowUpPage {
    frame: Frame,
    open: Vec<AlertView>,
    closed: Vec<AlertView>,
    errors: FieldErrors,
    note_max: usize,
}

async fn page(state: &AppState, user: &forma_store::User, notice: Option<&str>, refused: Option<(i64, String)>, errors: FieldErrors) -> Result<FollowUpPage, StoreError> {
    let views: Vec<AlertView> = state
        .store
        .attendance_alerts(500)
        .await?
        .into_iter()
        .map(|a| AlertView {
            when: format!("{} du {}", if a.half_day == forma_domain::half_day::HalfDay::Morning { "le matin" } else { "l'après-midi" }, forma_domain::french_date::long_date(a.day)),
            raised: until(a.created_at),
            resolved: a.resolved_at.map(until),
            notes: a.followups.iter().map(|(note, who, at)| (note.clone(), who.clone(), until(*at))).collect(),
            typed: refused.as_ref().filter(|(id, _)| *id == a.id).map(|(_, typed)| typed.clone()).unwrap_or_default(),
            alert: a,
        })
        .collect();
    let (closed, open): (Vec<AlertView>, Vec<AlertView>) = views.into_iter().partition(|v| v.resolved.is_some());
    let frame = Frame::new(state, user, "Suivi des absences", "sessions").notice(notice);
    Ok(FollowUpPage { frame, open, closed, errors, note_max: NOTE_MAX })
}

pub async fn list(State(state): State<AppState>, current: CurrentUser, Query(q): Query<NoticeQuery>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    match page(&state, user, q.ok.as_deref(), None, FieldErrors::default()).await {
        Ok(p) => render(&state, p),
        Err(e) => internal(&state, e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    note: String,
    /// Ticked to close the alert with this note.
    #[serde(default)]
    resolve: String,
}

pub async fn add_note(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId, Form(form): Form<NoteForm>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let note = form.note.trim();
    let mut errors = FieldErrors::default();
    if note.is_empty() {
        errors.add(format!("note-{id}"), "Notez ce qui a été fait (appel, message, raison donnée).");
    } else if note.chars().count() > NOTE_MAX {
        errors.add(format!("note-{id}"), format!("La note ne doit pas dépasser {NOTE_MAX} caractères."));
    }
    if !errors.is_empty() {
        return match page(&state, user, None, Some((id, form.note.clone())), errors).await {
            Ok(p) => invalid(&state, p),
            Err(e) => internal(&state, e.into()),
        };
    }
    match state.store.follow_up_alert(id, note, !form.resolve.is_empty(), &user.email).await {
        Ok(()) => done("/gestion/suivi-assiduite", "suivi"),
        Err(StoreError::NotFound(_)) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}
