//! A session's registrations in the back-office (`/gestion/sessions/{id}/inscriptions`): who is
//! registered for which days, the waiting list in order, and the forms that register a trainee,
//! cancel a registration with its reason, reorder the waiting list with a reason and record an
//! accepted offer.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use forma_domain::FieldErrors;
use forma_domain::french_date::long_date_with_weekday;
use forma_domain::registration::{BpfTraineeType, DayChoice, RegistrationStatus, Threshold, TraineeInput, decision_date};
use forma_store::{NewRegistration, RegistrationOrigin, RegistrationRow, SessionDetail, StoreError, User};
use serde::Deserialize;

use super::editor_form::FormData;
use super::layout::{Frame, PathId, done, internal, invalid, not_found, render};
use crate::auth::CurrentUser;
use crate::auth::token::new_token;
use crate::offer_mail::WebOfferMail;
use crate::state::AppState;

fn notice(code: Option<&str>) -> Option<&'static str> {
    Some(match code? {
        "inscrit" => "Inscription enregistrée : une place est réservée sur chaque journée choisie.",
        "attente" => "Les journées choisies sont complètes : la personne est inscrite en liste d'attente.",
        "deja" => "Ce formulaire avait déjà été envoyé : l'inscription n'a été enregistrée qu'une fois.",
        "annulee" => "Inscription annulée.",
        "annulee-offre" => "Inscription annulée : la place libérée est proposée à la première personne de la liste d'attente qui peut la prendre.",
        "rang" => "Liste d'attente réordonnée.",
        "acceptee" => "Place acceptée : la personne est inscrite.",
        "confirmee" => "Session confirmée : elle aura lieu.",
        "convocation" => "Convocation mise en file d'envoi.",
        "convocations" => "Convocations mises en file d'envoi : leur remise s'affiche ci-dessous au fil de l'envoi.",
        _ => return None,
    })
}

/// Where a session stands against its minimum head-count, for the planning: « confirmée le … »,
/// or the count against the minimum with the date the decision is due.
pub struct Decision {
    pub text: String,
    /// Not confirmed, and the decision date is reached or passed.
    pub due: bool,
    pub confirmed: bool,
}

pub fn decision(threshold: Option<Threshold>, confirmed_on: Option<NaiveDate>, first_day: Option<NaiveDate>, today: NaiveDate) -> Decision {
    if let Some(on) = confirmed_on {
        return Decision { text: format!("confirmée le {}", forma_domain::french_date::long_date(on)), due: false, confirmed: true };
    }
    let by = first_day.map(decision_date);
    let due = by.is_some_and(|d| d <= today) && first_day.is_some_and(|f| f >= today);
    let when = by.map(|d| format!(" ; décision (confirmer ou annuler) au plus tard le {}", forma_domain::french_date::long_date(d))).unwrap_or_default();
    let text = match threshold {
        Some(t) if t.reached() => format!("seuil atteint : {} inscrits pour {} au minimum{when}", t.registered, t.minimum),
        Some(t) => format!("{} inscrit{} pour {} au minimum{when}", t.registered, if t.registered > 1 { "s" } else { "" }, t.minimum),
        None => format!("pas d'effectif minimum fixé{when}"),
    };
    Decision { text, due, confirmed: false }
}

/// A day the registration form offers.
pub struct DayOption {
    pub id: i64,
    pub label: String,
    pub seats: String,
}

pub struct RegistrationView {
    pub row: RegistrationRow,
    /// « envoyée le 3 mars 2031 à 10 h 00 (remise) », '' when none was sent.
    pub convocation: String,
    pub convocable: bool,
    /// The accommodation request's id when one was made (only that: its content stays on its
    /// own page).
    pub accommodation: Option<i64>,
    pub name: String,
    pub status: String,
    pub days: String,
    pub bpf: &'static str,
    pub waiting: bool,
    pub offered: bool,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "gestion/registrations.html")]
struct RegistrationsPage {
    frame: Frame,
    session_id: i64,
    title: String,
    cancelled: bool,
    confirmed: usize,
    waiting: usize,
    seats_left: String,
    registrations: Vec<RegistrationView>,
    days: Vec<DayOption>,
    bpf_types: [BpfTraineeType; 5],
    form: TraineeInput,
    all_days: bool,
    chosen: Vec<String>,
    key: String,
    errors: FieldErrors,
    /// A refused cancellation or reordering: which registration, and why.
    row_error: Option<(i64, String)>,
    decision: Decision,
    /// « 12 envoyées : 10 remises, 2 en file d'envoi » and how many inscrits have none yet.
    convocations: String,
    to_convoke: usize,
}

impl RegistrationsPage {
    fn is_chosen(&self, day: &i64) -> bool {
        self.chosen.iter().any(|c| *c == day.to_string())
    }
}

fn day_label(session: &SessionDetail, id: i64) -> Option<NaiveDate> {
    session.days.iter().find(|d| d.id == id).map(|d| d.day.date)
}

fn view(session: &SessionDetail, row: RegistrationRow) -> RegistrationView {
    let status = match (row.status, row.waitlist_rank, row.offer_expires_at) {
        (RegistrationStatus::Waitlisted, Some(p), _) => format!("en liste d'attente (n° {p})"),
        (RegistrationStatus::Offered, _, Some(at)) => format!("place proposée jusqu'au {}", crate::offer_mail::until(at)),
        (RegistrationStatus::Cancelled, _, _) if !row.cancel_reason.is_empty() => format!("annulée ({})", row.cancel_reason),
        (s, _, _) => s.label().to_owned(),
    };
    let days = match &row.days {
        DayChoice::All => "toutes".to_owned(),
        DayChoice::Some(ids) => ids.iter().filter_map(|d| day_label(session, *d)).map(|d| d.format("%d/%m/%Y").to_string()).collect::<Vec<_>>().join(", "),
    };
    RegistrationView {
        convocation: String::new(),
        accommodation: None,
        convocable: row.status == RegistrationStatus::Confirmed && !row.email.is_empty(),
        name: format!("{} {}", row.last_name.to_uppercase(), row.first_name),
        bpf: BpfTraineeType::parse(&row.bpf_type).map_or("", BpfTraineeType::label),
        waiting: row.status == RegistrationStatus::Waitlisted,
        offered: row.status == RegistrationStatus::Offered,
        active: row.status.is_active(),
        status,
        days,
        row,
    }
}

struct Typed {
    form: TraineeInput,
    all_days: bool,
    chosen: Vec<String>,
    key: String,
}

impl Typed {
    fn blank() -> Self {
        Typed { form: TraineeInput { bpf_type: BpfTraineeType::PrivateEmployee.as_str().into(), ..TraineeInput::default() }, all_days: true, chosen: vec![], key: new_token() }
    }
}

async fn page(state: &AppState, user: &User, session: SessionDetail, ok: Option<&str>, typed: Typed, errors: FieldErrors, row_error: Option<(i64, String)>) -> Result<RegistrationsPage, StoreError> {
    let rows = state.store.session_registrations(session.id).await?;
    let seats_left = state.store.seats_left(session.id).await?;
    let confirmed = rows.iter().filter(|r| r.status == RegistrationStatus::Confirmed).count();
    let waiting = rows.iter().filter(|r| r.status == RegistrationStatus::Waitlisted).count();
    let (threshold, confirmed_on) = state.store.session_decision(session.id).await?;
    let sent = state.store.session_convocations(session.id).await?;
    let accommodations = state.store.session_accommodation_markers(session.id).await?;
    let mut registrations: Vec<RegistrationView> = rows.into_iter().map(|r| view(&session, r)).collect();
    for v in &mut registrations {
        v.accommodation = accommodations.iter().find(|(registration, _)| *registration == v.row.id).map(|(_, id)| *id);
        if let Some(last) = sent.iter().rev().find(|c| c.registration_id == v.row.id) {
            v.convocation = format!("envoyée le {} ({})", crate::offer_mail::until(last.sent_at), delivery_label(last.delivery));
        }
    }
    let to_convoke = registrations.iter().filter(|v| v.convocable && v.convocation.is_empty()).count();
    let decision = decision(threshold, confirmed_on, session.days.first().map(|d| d.day.date), crate::site::today());
    let mut frame = Frame::new(state, user, format!("Inscriptions — session n° {}", session.id), "sessions");
    frame.notice = notice(ok);
    let days = session
        .days
        .iter()
        .map(|d| DayOption {
            id: d.id,
            label: format!("{}{}", long_date_with_weekday(d.day.date), if d.day.title.is_empty() { String::new() } else { format!(" — {}", d.day.title) }),
            seats: d.day.headcount.map(|h| format!("{} à {} personnes", h.min, h.max)).unwrap_or_default(),
        })
        .collect();
    Ok(RegistrationsPage {
        frame,
        session_id: session.id,
        title: session.label(),
        cancelled: session.cancelled,
        confirmed,
        waiting,
        seats_left: match seats_left {
            Some(0) => "complet".into(),
            Some(n) => format!("{n} place{} libre{}", if n > 1 { "s" } else { "" }, if n > 1 { "s" } else { "" }),
            None => "pas de limite fixée".into(),
        },
        registrations,
        convocations: convocations_summary(&sent),
        to_convoke,
        days,
        bpf_types: BpfTraineeType::ALL,
        form: typed.form,
        all_days: typed.all_days,
        chosen: typed.chosen,
        key: typed.key,
        errors,
        row_error,
        decision,
    })
}

async fn load(state: &AppState, id: i64) -> Result<SessionDetail, Response> {
    match state.store.session(id).await {
        Ok(Some(s)) => Ok(s),
        Ok(None) => Err(not_found(state)),
        Err(e) => Err(internal(state, e.into())),
    }
}

async fn refused(state: &AppState, user: &User, session: SessionDetail, typed: Typed, errors: FieldErrors, row_error: Option<(i64, String)>) -> Response {
    match page(state, user, session, None, typed, errors, row_error).await {
        Ok(p) => invalid(state, p),
        Err(e) => internal(state, e.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    ok: Option<String>,
}

pub async fn list(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId, Query(q): Query<NoticeQuery>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let session = match load(&state, id).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    match page(&state, user, session, q.ok.as_deref(), Typed::blank(), FieldErrors::default(), None).await {
        Ok(p) => render(&state, p),
        Err(e) => internal(&state, e.into()),
    }
}

pub async fn create(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId, body: Bytes) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let session = match load(&state, id).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let data = FormData::parse(&body);
    let form = TraineeInput {
        first_name: data.get("first_name").to_owned(),
        last_name: data.get("last_name").to_owned(),
        email: data.get("email").to_owned(),
        employer: data.get("employer").to_owned(),
        job_role: data.get("job_role").to_owned(),
        bpf_type: data.get("bpf_type").to_owned(),
    };
    let all_days = data.get("jours") != "choisis";
    let chosen: Vec<String> = data.all("journees").into_iter().map(str::to_owned).collect();
    // A key that did not come from our form cannot replay anything: a fresh one is used.
    let key = Some(data.get("cle").trim()).filter(|k| k.len() == 32 && k.chars().all(|c| c.is_ascii_hexdigit())).map_or_else(new_token, str::to_owned);
    let typed = Typed { form: form.clone(), all_days, chosen: chosen.clone(), key: key.clone() };
    let mut errors = FieldErrors::default();
    let trainee = form.validated().map_err(|e| errors = e).ok();
    let days = if all_days {
        DayChoice::All
    } else {
        let ids: Vec<i64> = chosen.iter().filter_map(|c| c.parse().ok()).filter(|d| session.days.iter().any(|s| s.id == *d)).collect();
        if ids.is_empty() {
            errors.add("journees", "Cochez au moins une journée, ou choisissez « toutes les journées ».");
        }
        DayChoice::Some(ids)
    };
    let Some(trainee) = trainee.filter(|_| errors.is_empty()) else {
        return refused(&state, user, session, typed, errors, None).await;
    };
    let new = NewRegistration {
        session_id: session.id,
        trainee: &trainee,
        client_id: session.client_id,
        days,
        idempotency_key: Some(&key),
        origin: RegistrationOrigin::BackOffice,
        // The personal link comes with the convocation or with a seat offer (each makes its own).
        link: None,
        mail: None,
    };
    match state.store.register(&new, &current.actor()).await {
        Ok(p) => {
            state.catalogue_changed();
            let code = match (p.replayed, p.status) {
                (true, _) => "deja",
                (false, RegistrationStatus::Waitlisted) => "attente",
                _ => "inscrit",
            };
            done(&format!("/gestion/sessions/{}/inscriptions", session.id), code)
        }
        Err(StoreError::Conflict(m)) => {
            errors.add("form", m);
            refused(&state, user, session, typed, errors, None).await
        }
        Err(e) => internal(&state, e.into()),
    }
}

/// The session a registration belongs to, from its id.
async fn session_of(state: &AppState, registration: i64) -> Result<SessionDetail, Response> {
    let session: Option<i64> = match state.store.registration_session(registration).await {
        Ok(s) => s,
        Err(e) => return Err(internal(state, e.into())),
    };
    match session {
        Some(s) => load(state, s).await,
        None => Err(not_found(state)),
    }
}

pub async fn cancel(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId, body: Bytes) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let session = match session_of(&state, id).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let data = FormData::parse(&body);
    match state.store.cancel_registration(id, data.get("motif"), &WebOfferMail { state: &state }, &current.actor()).await {
        Ok(offered) => {
            state.catalogue_changed();
            state.mail_wake.notify_one();
            done(&format!("/gestion/sessions/{}/inscriptions", session.id), if offered.is_empty() { "annulee" } else { "annulee-offre" })
        }
        Err(StoreError::Conflict(m)) => refused(&state, user, session, Typed::blank(), FieldErrors::default(), Some((id, m))).await,
        Err(e) => internal(&state, e.into()),
    }
}

pub async fn reorder(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId, body: Bytes) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let session = match session_of(&state, id).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let data = FormData::parse(&body);
    let Ok(rank) = data.get("rang").trim().parse::<i64>() else {
        return refused(&state, user, session, Typed::blank(), FieldErrors::default(), Some((id, "Indiquez le nouveau rang : un nombre entier, 1 pour la tête de liste.".into()))).await;
    };
    match state.store.move_on_waitlist(id, rank, data.get("motif"), &current.actor()).await {
        Ok(()) => done(&format!("/gestion/sessions/{}/inscriptions", session.id), "rang"),
        Err(StoreError::Conflict(m)) => refused(&state, user, session, Typed::blank(), FieldErrors::default(), Some((id, m))).await,
        Err(e) => internal(&state, e.into()),
    }
}

/// A gestionnaire records an offer accepted by telephone or e-mail.
pub async fn accept(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let session = match session_of(&state, id).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    match state.store.accept_offer(id, &current.actor()).await {
        Ok(()) => done(&format!("/gestion/sessions/{}/inscriptions", session.id), "acceptee"),
        Err(StoreError::Conflict(m)) => {
            let mut r = refused(&state, user, session, Typed::blank(), FieldErrors::default(), Some((id, m))).await;
            *r.status_mut() = StatusCode::CONFLICT;
            r
        }
        Err(e) => internal(&state, e.into()),
    }
}

/// The session runs: the decision its minimum head-count calls for.
pub async fn confirm_session(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let session = match load(&state, id).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    match state.store.confirm_session(id, crate::site::today(), &current.actor()).await {
        Ok(()) => done(&format!("/gestion/sessions/{id}/inscriptions"), "confirmee"),
        Err(StoreError::Conflict(m)) => {
            let mut errors = FieldErrors::default();
            errors.add("decision", m);
            let mut r = refused(&state, user, session, Typed::blank(), errors, None).await;
            *r.status_mut() = StatusCode::CONFLICT;
            r
        }
        Err(e) => internal(&state, e.into()),
    }
}

// --- Exports ---

/// The session's registrations as the spreadsheet rows of the documents crate.
fn export_rows(session: &SessionDetail, rows: Vec<RegistrationRow>) -> Vec<forma_documents::registrations::RegistrationRow> {
    rows.into_iter()
        .map(|row| {
            let v = view(session, row);
            forma_documents::registrations::RegistrationRow {
                last_name: v.row.last_name.clone(),
                first_name: v.row.first_name.clone(),
                email: v.row.email.clone(),
                employer: v.row.employer.clone(),
                job_role: v.row.job_role.clone(),
                bpf_type: v.bpf.to_owned(),
                status: v.status.clone(),
                days: v.days.clone(),
                registered_on: v.row.created_at.with_timezone(&chrono_tz::Europe::Paris).date_naive(),
                cancel_reason: Some(v.row.cancel_reason.clone()).filter(|r| !r.is_empty()),
            }
        })
        .collect()
}

fn attachment(bytes: Vec<u8>, content_type: &'static str, filename: &str) -> Response {
    let mut response = Response::new(axum::body::Body::from(bytes));
    let headers = response.headers_mut();
    headers.insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static(content_type));
    if let Ok(value) = axum::http::HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(axum::http::header::CONTENT_DISPOSITION, value);
    }
    // Personal data: never kept by a cache.
    headers.insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    response
}

async fn export_data(state: &AppState, id: i64) -> Result<(SessionDetail, Vec<forma_documents::registrations::RegistrationRow>), Response> {
    let session = load(state, id).await?;
    let rows = state.store.session_registrations(id).await.map_err(|e| internal(state, e.into()))?;
    let rows = export_rows(&session, rows);
    Ok((session, rows))
}

/// `;`-separated, UTF-8 with a BOM: what French spreadsheet software opens as it is.
pub async fn export_csv(State(state): State<AppState>, PathId(id): PathId) -> Response {
    match export_data(&state, id).await {
        Ok((_, rows)) => attachment(forma_documents::registrations::csv(&rows), "text/csv; charset=utf-8", &format!("inscriptions-session-{id}.csv")),
        Err(r) => r,
    }
}

pub async fn export_xlsx(State(state): State<AppState>, PathId(id): PathId) -> Response {
    let (session, rows) = match export_data(&state, id).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let title = format!("Session {}", session.id);
    match tokio::task::spawn_blocking(move || forma_documents::registrations::xlsx(&rows, &title)).await {
        Ok(Ok(bytes)) => attachment(bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", &format!("inscriptions-session-{id}.xlsx")),
        Ok(Err(e)) => internal(&state, e.into()),
        Err(e) => internal(&state, e.into()),
    }
}

// --- Convocations ---

/// Where a convocation's message stands, in the words of the registrations page.
fn delivery_label(status: forma_store::MailStatus) -> &'static str {
    match status {
        forma_store::MailStatus::Pending => "en file d'envoi",
        forma_store::MailStatus::Sending => "en cours d'envoi",
        forma_store::MailStatus::Sent => "remise",
        forma_store::MailStatus::Dead => "échec d'envoi",
    }
}

/// « 12 envois : 10 remises, 2 en file d'envoi ».
fn convocations_summary(sent: &[forma_store::ConvocationSent]) -> String {
    if sent.is_empty() {
        return "aucune envoyée".into();
    }
    let mut counts: Vec<(&'static str, usize)> = Vec::new();
    for c in sent {
        let label = delivery_label(c.delivery);
        match counts.iter_mut().find(|(l, _)| *l == label) {
            Some((_, n)) => *n += 1,
            None => counts.push((label, 1)),
        }
    }
    let parts: Vec<String> = counts
        .iter()
        .map(|(l, n)| match (*l, *n > 1) {
            ("remise", true) => format!("{n} remises"),
            ("échec d'envoi", true) => format!("{n} échecs d'envoi"),
            _ => format!("{n} {l}"),
        })
        .collect();
    format!("{} envoi{} : {}", sent.len(), if sent.len() > 1 { "s" } else { "" }, parts.join(", "))
}

/// Queues one trainee's convocation with a fresh personal link.
async fn convoke(state: &AppState, session: &SessionDetail, row: &RegistrationRow, actor: &str) -> Result<(), StoreError> {
    let token = new_token();
    let expires = chrono::Utc::now() + chrono::Duration::days(CONVOCATION_LINK_DAYS);
    let link = state.config.absolute_url(&format!("/inscription/{token}"));
    let dates = session.days.iter().filter(|d| row.days.covers(d.id)).map(|d| forma_domain::french_date::long_date(d.day.date)).collect::<Vec<_>>().join(", ");
    let training = format!("{}, {dates}", session.program_title);
    let name = format!("{} {}", row.first_name, row.last_name);
    let mail = forma_mail::messages::convocation(&state.organisation_name(), &row.email, &name, &training, &link, &crate::offer_mail::until(expires));
    let link = forma_store::RegistrationLink { token_hash: crate::auth::token::hash_token(&token), expires_at: expires };
    state.store.send_convocation(row.id, &link, &mail, actor).await.map(|_| ())
}

/// How long a convocation's personal link works: the session, its evaluations and certificates.
const CONVOCATION_LINK_DAYS: i64 = 365;

/// Sends (or sends again) one trainee's convocation.
pub async fn send_convocation(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let session = match session_of(&state, id).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let row = match state.store.session_registrations(session.id).await {
        Ok(rows) => rows.into_iter().find(|r| r.id == id),
        Err(e) => return internal(&state, e.into()),
    };
    let Some(row) = row.filter(|r| !r.email.is_empty()) else {
        return refused(&state, user, session, Typed::blank(), FieldErrors::default(), Some((id, "Sans adresse e-mail, la convocation se remet en main propre.".into()))).await;
    };
    match convoke(&state, &session, &row, &current.actor()).await {
        Ok(()) => {
            state.mail_wake.notify_one();
            done(&format!("/gestion/sessions/{}/inscriptions", session.id), "convocation")
        }
        Err(StoreError::Conflict(m)) => refused(&state, user, session, Typed::blank(), FieldErrors::default(), Some((id, m))).await,
        Err(e) => internal(&state, e.into()),
    }
}

/// Sends their convocation to every registered trainee who has an address and none yet.
pub async fn send_convocations(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId) -> Response {
    let Some(_) = current.user() else { return not_found(&state) };
    let session = match load(&state, id).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let (rows, sent) = match (state.store.session_registrations(id).await, state.store.session_convocations(id).await) {
        (Ok(r), Ok(s)) => (r, s),
        (Err(e), _) | (_, Err(e)) => return internal(&state, e.into()),
    };
    for row in rows.iter().filter(|r| r.status == RegistrationStatus::Confirmed && !r.email.is_empty() && !sent.iter().any(|c| c.registration_id == r.id)) {
        if let Err(e) = convoke(&state, &session, row, &current.actor()).await {
            return internal(&state, e.into());
        }
    }
    state.mail_wake.notify_one();
    done(&format!("/gestion/sessions/{id}/inscriptions"), "convocations")
}
