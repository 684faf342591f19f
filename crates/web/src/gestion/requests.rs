//! Demandes de formation: a client asks for an INTRA action or INTER seats; the answer is
//! promised within the access delay the program's sheet states for that kind, and the planner
//! records when and how it was given. The list puts what is late or due soon first.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use forma_domain::access_delay::Deadline;
use forma_domain::french_date::long_date;
use forma_domain::program::{AccessDelays, Delay, DelayUnit};
use forma_domain::request::{AnswerChannel, NewRequest, Outcome, promised_delay};
use forma_domain::{FieldErrors, ProgramKind};
use forma_store::{Answer, Client, RequestRow, StoreError, User};
use serde::Deserialize;

use super::layout::{Frame, PathId, done, internal, invalid, not_found, render};
use crate::auth::CurrentUser;
use crate::state::AppState;

/// A date typed in a form: `AAAA-MM-JJ` (what date inputs post) or `JJ/MM/AAAA` (typed by hand
/// where the browser shows a plain text field).
pub(crate) fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    NaiveDate::parse_from_str(text, "%Y-%m-%d").or_else(|_| NaiveDate::parse_from_str(text, "%d/%m/%Y")).ok()
}

const UNREADABLE_DATE: &str = "Date illisible : indiquez-la sous la forme JJ/MM/AAAA.";

/// The badge a deadline is shown with: late in red, due soon in orange.
pub(crate) fn deadline_class(deadline: Deadline) -> &'static str {
    match deadline {
        Deadline::Overdue { .. } => "badge badge-danger",
        Deadline::DueSoon { .. } | Deadline::AnsweredLate { .. } => "badge badge-warn",
        Deadline::AnsweredInTime => "badge badge-ok",
        Deadline::Open { .. } => "badge badge-neutral",
    }
}

/// One request as lists show it.
pub(crate) struct RequestView {
    pub id: i64,
    pub client_name: String,
    pub program_title: String,
    pub kind: &'static str,
    pub seats: Option<u32>,
    pub received: String,
    pub due: String,
    pub deadline: String,
    pub deadline_class: &'static str,
}

impl RequestView {
    pub(crate) fn new(row: &RequestRow, today: NaiveDate) -> Self {
        let deadline = row.deadline(today);
        RequestView {
            id: row.id,
            client_name: row.client_name.clone(),
            program_title: row.program_title.clone(),
            kind: row.kind.as_str(),
            seats: row.seats,
            received: long_date(row.received_on),
            due: long_date(row.due_on),
            deadline: deadline.label(),
            deadline_class: deadline_class(deadline),
        }
    }
}

#[derive(Deserialize, Default, Clone)]
pub struct RequestForm {
    #[serde(default)]
    client: String,
    #[serde(default)]
    program: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    seats: String,
    #[serde(default)]
    received_on: String,
    #[serde(default)]
    due_on: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    message: String,
}

#[derive(Template)]
#[template(path = "gestion/requests.html")]
struct RequestsPage {
    frame: Frame,
    requests: Vec<RequestView>,
    all: bool,
    open_count: usize,
    clients: Vec<Client>,
    /// Published sheets: (slug, title).
    programs: Vec<(String, String)>,
    form: RequestForm,
    errors: FieldErrors,
}

impl RequestsPage {
    fn client_selected(&self, id: &i64) -> bool {
        self.form.client.trim() == id.to_string()
    }

    fn program_selected(&self, slug: &str) -> bool {
        self.form.program == slug
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    toutes: Option<String>,
    ok: Option<String>,
}

async fn requests_page(state: &AppState, user: &User, all: bool, form: RequestForm, errors: FieldErrors) -> Result<RequestsPage, StoreError> {
    let today = crate::site::today();
    let (rows, clients, programs) = tokio::try_join!(state.store.requests(!all), state.store.clients(), state.store.program_rows())?;
    let open_count = if all { rows.iter().filter(|r| r.answered_on.is_none()).count() } else { rows.len() };
    Ok(RequestsPage {
        frame: Frame::new(state, user, "Demandes de formation", "demandes"),
        requests: rows.iter().map(|r| RequestView::new(r, today)).collect(),
        all,
        open_count,
        clients,
        programs: programs.into_iter().filter(|p| p.published).map(|p| (p.slug, p.title)).collect(),
        form,
        errors,
    })
}

pub async fn list(State(state): State<AppState>, current: CurrentUser, Query(q): Query<ListQuery>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let all = q.toutes.as_deref().is_some_and(|v| !v.is_empty() && v != "0");
    let form = RequestForm { kind: "INTRA".into(), received_on: crate::site::today().to_string(), ..RequestForm::default() };
    match requests_page(&state, user, all, form, FieldErrors::default()).await {
        Ok(mut page) => {
            page.frame = page.frame.notice(q.ok.as_deref());
            render(&state, page)
        }
        Err(e) => internal(&state, e.into()),
    }
}

/// Stands in for the sheet's delays while the sheet is not known yet, so that the other fields
/// are still checked (the promised date cannot be, without a sheet).
fn unknown_sheet() -> AccessDelays {
    AccessDelays { markdown: None, intra: Some(Delay { amount: 0, unit: DelayUnit::Days }), inter: None }
}

pub async fn create(State(state): State<AppState>, current: CurrentUser, Form(form): Form<RequestForm>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let today = crate::site::today();
    let mut errors = FieldErrors::default();

    let client_id = form.client.trim().parse::<i64>().ok();
    let client_known = match client_id {
        Some(id) => match state.store.client(id).await {
            Ok(found) => found.is_some(),
            Err(e) => return internal(&state, e.into()),
        },
        None => false,
    };
    if !client_known {
        errors.add("client", "Choisissez le client qui fait la demande.");
    }
    let slug = form.program.trim().to_owned();
    let program = if slug.is_empty() {
        None
    } else {
        match state.store.program(&slug).await {
            Ok(found) => found,
            Err(e) => return internal(&state, e.into()),
        }
    };
    if program.is_none() {
        errors.add("program", "Choisissez la formation demandée parmi les fiches publiées.");
    }
    let kind = ProgramKind::parse(&form.kind);
    if kind.is_none() {
        errors.add("kind", "Indiquez s'il s'agit d'une demande INTRA ou INTER.");
    }
    let seats = match (kind, form.seats.trim()) {
        (Some(ProgramKind::Inter), text) if !text.is_empty() => match text.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.add("seats", "Le nombre de places demandées est un nombre entier, de 1 à 1 000.");
                None
            }
        },
        _ => None,
    };
    let received = match form.received_on.trim() {
        "" => {
            errors.add("received_on", "Indiquez la date de réception de la demande.");
            None
        }
        text => parse_date(text).or_else(|| {
            errors.add("received_on", UNREADABLE_DATE);
            None
        }),
    };
    let typed_due = match form.due_on.trim() {
        "" => None,
        text => parse_date(text).or_else(|| {
            errors.add("due_on", UNREADABLE_DATE);
            None
        }),
    };

    let mut created = None;
    if let Some(received_on) = received {
        let request = NewRequest {
            client_id: client_id.unwrap_or(0),
            program_slug: slug.clone(),
            kind: kind.unwrap_or(ProgramKind::Intra),
            seats,
            received_on,
            due_on: typed_due,
            contact: form.contact.trim().to_owned(),
            message: form.message.trim().to_owned(),
        };
        let delays = program.as_ref().map_or_else(unknown_sheet, |p| p.program.access_delays.clone());
        match request.due_date(&delays, today) {
            Ok(due) => created = Some((request, due)),
            // A date typed but unreadable is already reported; the domain would ask for it again.
            Err(found) => {
                for e in found.iter() {
                    if errors.get(&e.field).is_none() {
                        errors.add(e.field.clone(), e.message.clone());
                    }
                }
            }
        }
    }

    if errors.is_empty()
        && let Some((request, due)) = created
    {
        return match state.store.create_request(&request, due, &current.actor()).await {
            Ok(id) => done(&format!("/gestion/demandes/{id}"), "demande"),
            Err(StoreError::UnknownProgram(_)) => {
                errors.add("program", "Choisissez la formation demandée parmi les fiches publiées.");
                refused(&state, user, form, errors).await
            }
            Err(e) => internal(&state, e.into()),
        };
    }
    refused(&state, user, form, errors).await
}

async fn refused(state: &AppState, user: &User, form: RequestForm, errors: FieldErrors) -> Response {
    match requests_page(state, user, false, form, errors).await {
        Ok(page) => invalid(state, page),
        Err(e) => internal(state, e.into()),
    }
}

#[derive(Deserialize, Default, Clone)]
pub struct AnswerForm {
    #[serde(default)]
    answered_on: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    session: String,
}

#[derive(Template)]
#[template(path = "gestion/request.html")]
struct RequestPage {
    frame: Frame,
    request: RequestRow,
    view: RequestView,
    /// « réponse promise le 5 décembre 2026 (délai de la fiche : 15 jours) ».
    promise: String,
    /// Shown once, after the request was recorded.
    created: Option<String>,
    answered_on: Option<String>,
    channels: [AnswerChannel; 4],
    outcomes: [Outcome; 3],
    form: AnswerForm,
    errors: FieldErrors,
}

#[derive(Deserialize, Default)]
pub struct DetailQuery {
    ok: Option<String>,
}

/// Where the promise comes from: the sheet's delay for this kind when it gives this date, else
/// the date typed when the request was recorded (the sheet stated none).
async fn promise(state: &AppState, request: &RequestRow) -> Result<String, StoreError> {
    let due = long_date(request.due_on);
    let sheet = state.store.program(&request.program_slug).await?;
    let delay = sheet.and_then(|s| promised_delay(&s.program.access_delays, request.kind));
    Ok(match delay {
        Some(d) if forma_domain::access_delay::due_date(request.received_on, d) == Some(request.due_on) => {
            format!("réponse promise le {due} (délai de la fiche : {})", d.label())
        }
        _ => format!("réponse promise le {due} (date indiquée à l'enregistrement)"),
    })
}

async fn request_page(state: &AppState, user: &User, request: RequestRow, created: bool, form: AnswerForm, errors: FieldErrors) -> Result<RequestPage, StoreError> {
    let today = crate::site::today();
    let promise = promise(state, &request).await?;
    Ok(RequestPage {
        frame: Frame::new(state, user, format!("Demande n° {}", request.id), "demandes"),
        view: RequestView::new(&request, today),
        created: created.then(|| format!("Demande enregistrée : {promise}.")),
        promise,
        answered_on: request.answered_on.map(long_date),
        request,
        channels: AnswerChannel::ALL,
        outcomes: Outcome::ALL,
        form,
        errors,
    })
}

/// Today's date, and the session planned from the request if there is one.
fn blank_answer(request: &RequestRow) -> AnswerForm {
    AnswerForm {
        answered_on: crate::site::today().to_string(),
        session: request.session_id.map(|s| s.to_string()).unwrap_or_default(),
        ..AnswerForm::default()
    }
}

pub async fn show(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId, Query(q): Query<DetailQuery>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let request = match state.store.request(id).await {
        Ok(Some(r)) => r,
        Ok(None) => return not_found(&state),
        Err(e) => return internal(&state, e.into()),
    };
    let created = q.ok.as_deref() == Some("demande");
    let form = blank_answer(&request);
    match request_page(&state, user, request, created, form, FieldErrors::default()).await {
        Ok(mut page) => {
            if !created {
                page.frame = page.frame.notice(q.ok.as_deref());
            }
            render(&state, page)
        }
        Err(e) => internal(&state, e.into()),
    }
}

pub async fn answer(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId, Form(form): Form<AnswerForm>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let request = match state.store.request(id).await {
        Ok(Some(r)) => r,
        Ok(None) => return not_found(&state),
        Err(e) => return internal(&state, e.into()),
    };
    let today = crate::site::today();
    let mut errors = FieldErrors::default();
    if let Some(on) = request.answered_on {
        errors.add("form", format!("Cette demande a déjà reçu une réponse, le {} : une demande ne reçoit qu'une réponse.", long_date(on)));
        return answer_refused(&state, user, request, form, errors, StatusCode::CONFLICT).await;
    }
    let answered_on = match form.answered_on.trim() {
        "" => {
            errors.add("answered_on", "Indiquez la date de la réponse.");
            None
        }
        text => match parse_date(text) {
            None => {
                errors.add("answered_on", UNREADABLE_DATE);
                None
            }
            Some(d) if d > today => {
                errors.add("answered_on", "La date de réponse ne peut pas être dans le futur.");
                None
            }
            Some(d) if d < request.received_on => {
                errors.add("answered_on", format!("La réponse ne peut pas précéder la réception de la demande ({}).", long_date(request.received_on)));
                None
            }
            Some(d) => Some(d),
        },
    };
    let channel = AnswerChannel::parse(form.channel.trim());
    if channel.is_none() {
        errors.add("channel", "Indiquez comment la réponse a été donnée.");
    }
    let outcome = Outcome::parse(form.outcome.trim());
    if outcome.is_none() {
        errors.add("outcome", "Indiquez l'issue de la demande.");
    }
    if form.text.chars().count() > 5000 {
        errors.add("text", "La réponse fait 5 000 caractères au plus.");
    }
    let session_id = match form.session.trim() {
        "" => None,
        text => match text.trim_start_matches("n°").trim().parse::<i64>() {
            Ok(n) => match state.store.session(n).await {
                Ok(Some(_)) => Some(n),
                Ok(None) => {
                    errors.add("session", format!("Aucune session ne porte le n° {n}."));
                    None
                }
                Err(e) => return internal(&state, e.into()),
            },
            Err(_) => {
                errors.add("session", "Le numéro de session est un nombre entier (laissez vide s'il n'y en a pas).");
                None
            }
        },
    };
    let (Some(answered_on), Some(channel), Some(outcome), true) = (answered_on, channel, outcome, errors.is_empty()) else {
        return answer_refused(&state, user, request, form, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let answer = Answer { answered_on, channel, outcome, text: form.text.trim().to_owned(), session_id };
    match state.store.answer_request(id, &answer, &current.actor()).await {
        Ok(()) => done(&format!("/gestion/demandes/{id}"), "reponse"),
        Err(StoreError::Conflict(message)) => {
            errors.add("form", message);
            answer_refused(&state, user, request, form, errors, StatusCode::CONFLICT).await
        }
        Err(e) => internal(&state, e.into()),
    }
}

async fn answer_refused(state: &AppState, user: &User, request: RequestRow, form: AnswerForm, errors: FieldErrors, status: StatusCode) -> Response {
    // The request as stored now (a concurrent answer shows as answered).
    let request = match state.store.request(request.id).await {
        Ok(Some(r)) => r,
        Ok(None) => request,
        Err(e) => return internal(state, e.into()),
    };
    match request_page(state, user, request, false, form, errors).await {
        Ok(page) => {
            let mut response = invalid(state, page);
            if response.status() == StatusCode::UNPROCESSABLE_ENTITY {
                *response.status_mut() = status;
            }
            response
        }
        Err(e) => internal(state, e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_both_ways() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        assert_eq!(parse_date("2026-11-20"), Some(d));
        assert_eq!(parse_date(" 20/11/2026 "), Some(d));
        assert_eq!(parse_date("20 novembre"), None);
    }

    #[test]
    fn late_is_red_and_soon_is_orange() {
        assert_eq!(deadline_class(Deadline::Overdue { days_late: 3 }), "badge badge-danger");
        assert_eq!(deadline_class(Deadline::DueSoon { days_left: 2 }), "badge badge-warn");
    }
}
