//! The client space's registrations: a client contact sees the sessions open to their agents
//! (their own INTRA sessions and the upcoming INTER ones), registers their agents, and cancels
//! their registrations — and sees nothing of other clients' agents. The access table already
//! restricts `/espace-client/{client}/…` to that client's contacts (and staff); every query
//! below is filtered by the client as well, so a wrong id never reaches another client's data.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use forma_domain::FieldErrors;
use forma_domain::ProgramKind;
use forma_domain::registration::{BpfTraineeType, DayChoice, RegistrationStatus, TraineeInput};
use forma_store::{NewRegistration, RegistrationOrigin, RegistrationRow, SessionSummary, StoreError};
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::gestion::editor_form::FormData;
use crate::gestion::layout::{done, internal, invalid, not_found, render};
use crate::site::layout::Layout;
use crate::state::AppState;

/// The sessions a client's agents may join, soonest first.
async fn open_sessions(state: &AppState, client: i64) -> Result<Vec<SessionSummary>, StoreError> {
    let upcoming = state.store.upcoming_sessions(crate::site::today(), None, false, 1000).await?;
    Ok(upcoming.into_iter().filter(|s| s.kind == ProgramKind::Inter || s.client_id == Some(client)).collect())
}

/// One session, if it is open to the client's agents.
async fn open_session(state: &AppState, client: i64, id: i64) -> Result<Option<SessionSummary>, StoreError> {
    let session = state.store.upcoming_session(id, crate::site::today(), false).await?;
    Ok(session.filter(|s| s.kind == ProgramKind::Inter || s.client_id == Some(client)))
}

/// This client's agents among a session's registrations.
async fn agents(state: &AppState, client: i64, session: i64) -> Result<Vec<RegistrationRow>, StoreError> {
    Ok(state.store.session_registrations(session).await?.into_iter().filter(|r| r.client_id == Some(client)).collect())
}

pub struct SessionLine {
    pub id: i64,
    pub title: String,
    pub dates: String,
    pub kind: &'static str,
    pub seats: String,
    pub agents: usize,
}

#[derive(Template)]
#[template(path = "account/client_sessions.html")]
struct SessionsPage {
    layout: Layout,
    client: i64,
    client_name: String,
    sessions: Vec<SessionLine>,
    /// The appreciations of ended sessions, to give or given.
    appreciations: Vec<crate::evaluations::stakeholders::StakeholderOffer>,
    notice: Option<&'static str>,
}

async fn client_name(state: &AppState, client: i64) -> Result<Option<String>, StoreError> {
    Ok(state.store.client(client).await?.map(|c| c.name))
}

/// `/espace-client/{client}`: the sessions open to the client's agents.
pub async fn sessions(State(state): State<AppState>, current: CurrentUser, Path(client): Path<String>, Query(q): Query<NoticeQuery>) -> Response {
    let Some(_) = current.0 else { return not_found(&state) };
    let Ok(client) = client.parse::<i64>() else { return not_found(&state) };
    let page = async {
        let Some(name) = client_name(&state, client).await? else { return Ok(None) };
        let counts = state.store.client_agent_counts(client).await?;
        let mut lines = Vec::new();
        for s in open_sessions(&state, client).await? {
            lines.push(SessionLine {
                agents: counts.get(&s.id).copied().unwrap_or(0),
                title: s.program_title.clone(),
                dates: crate::site::views::dates_label(&s),
                kind: s.kind.as_str(),
                seats: crate::site::views::seats_label(s.seats_left),
                id: s.id,
            });
        }
        let appreciations = crate::evaluations::stakeholders::offers(&state, crate::evaluations::stakeholders::Respondent::Client(client)).await?;
        Ok::<_, StoreError>(Some(SessionsPage {
            layout: state.layout(format!("Espace client — {name}"), ""),
            client,
            client_name: name,
            sessions: lines,
            appreciations,
            notice: notice(q.ok.as_deref()),
        }))
    }
    .await;
    match page {
        Ok(Some(p)) => render(&state, p),
        Ok(None) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}

pub struct AgentLine {
    pub id: i64,
    pub name: String,
    pub job_role: String,
    pub status: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "account/client_session.html")]
struct SessionPage {
    layout: Layout,
    client: i64,
    client_name: String,
    session: SessionSummary,
    dates: String,
    agents: Vec<AgentLine>,
    form: TraineeInput,
    bpf_types: [BpfTraineeType; 5],
    errors: FieldErrors,
    notice: Option<&'static str>,
    /// A refused cancellation: which registration, and why.
    row_error: Option<(i64, String)>,
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    ok: Option<String>,
}

fn notice(code: Option<&str>) -> Option<&'static str> {
    Some(match code? {
        "inscrit" => "Votre agent est inscrit.",
        "attente" => "La session est complète : votre agent est inscrit en liste d'attente ; il sera prévenu si une place se libère.",
        "annulee" => "Inscription annulée.",
        code => return crate::evaluations::stakeholders::notice_text(code),
    })
}

async fn session_page(
    state: &AppState,
    client: i64,
    session_id: i64,
    form: TraineeInput,
    errors: FieldErrors,
    notice: Option<&'static str>,
    row_error: Option<(i64, String)>,
) -> Result<Option<SessionPage>, StoreError> {
    let Some(name) = client_name(state, client).await? else { return Ok(None) };
    let Some(session) = open_session(state, client, session_id).await? else { return Ok(None) };
    let agents = agents(state, client, session_id)
        .await?
        .into_iter()
        .map(|r| AgentLine {
            id: r.id,
            name: format!("{} {}", r.last_name.to_uppercase(), r.first_name),
            job_role: r.job_role.clone(),
            status: match (r.status, r.waitlist_rank) {
                (RegistrationStatus::Waitlisted, Some(k)) => format!("en liste d'attente (n° {k})"),
                (RegistrationStatus::Cancelled, _) if !r.cancel_reason.is_empty() => format!("annulée ({})", r.cancel_reason),
                (s, _) => s.label().to_owned(),
            },
            active: r.status.is_active(),
        })
        .collect();
    Ok(Some(SessionPage {
        layout: state.layout(format!("{} — {name}", session.program_title), ""),
        client,
        client_name: name,
        dates: crate::site::views::dates_label(&session),
        session,
        agents,
        form,
        bpf_types: BpfTraineeType::ALL,
        errors,
        notice,
        row_error,
    }))
}

fn blank() -> TraineeInput {
    TraineeInput { bpf_type: BpfTraineeType::PrivateEmployee.as_str().into(), ..TraineeInput::default() }
}

fn ids(client: &str, session: &str) -> Option<(i64, i64)> {
    Some((client.parse().ok()?, session.parse().ok()?))
}

/// `/espace-client/{client}/sessions/{id}`: the client's agents on a session, and the form.
pub async fn session(State(state): State<AppState>, current: CurrentUser, Path((client, id)): Path<(String, String)>, Query(q): Query<NoticeQuery>) -> Response {
    let Some(_) = current.0 else { return not_found(&state) };
    let Some((client, id)) = ids(&client, &id) else { return not_found(&state) };
    match session_page(&state, client, id, blank(), FieldErrors::default(), notice(q.ok.as_deref()), None).await {
        Ok(Some(p)) => render(&state, p),
        Ok(None) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}

pub async fn register(State(state): State<AppState>, current: CurrentUser, Path((client, id)): Path<(String, String)>, body: Bytes) -> Response {
    let Some(user) = current.0 else { return not_found(&state) };
    let Some((client, id)) = ids(&client, &id) else { return not_found(&state) };
    let data = FormData::parse(&body);
    let name = match client_name(&state, client).await {
        Ok(Some(n)) => n,
        Ok(None) => return not_found(&state),
        Err(e) => return internal(&state, e.into()),
    };
    // An agent's employer is the client: it is not typed.
    let form = TraineeInput {
        first_name: data.get("first_name").to_owned(),
        last_name: data.get("last_name").to_owned(),
        email: data.get("email").to_owned(),
        employer: name,
        job_role: data.get("job_role").to_owned(),
        bpf_type: data.get("bpf_type").to_owned(),
    };
    let refused = |form: TraineeInput, errors: FieldErrors| {
        let state = state.clone();
        async move {
            match session_page(&state, client, id, form, errors, None, None).await {
                Ok(Some(p)) => invalid(&state, p),
                Ok(None) => not_found(&state),
                Err(e) => internal(&state, e.into()),
            }
        }
    };
    let trainee = match form.validated() {
        Ok(t) => t,
        Err(errors) => return refused(form, errors).await,
    };
    // Only a session open to this client's agents takes the registration.
    match open_session(&state, client, id).await {
        Ok(Some(_)) => {}
        Ok(None) => return not_found(&state),
        Err(e) => return internal(&state, e.into()),
    }
    let new = NewRegistration {
        session_id: id,
        trainee: &trainee,
        client_id: Some(client),
        days: DayChoice::All,
        idempotency_key: None,
        origin: RegistrationOrigin::Client,
        link: None,
        mail: None,
    };
    match state.store.register(&new, &user.email).await {
        Ok(p) => {
            state.catalogue_changed();
            let code = if p.status == RegistrationStatus::Waitlisted { "attente" } else { "inscrit" };
            done(&format!("/espace-client/{client}/sessions/{id}"), code)
        }
        Err(StoreError::Conflict(m)) => {
            let mut errors = FieldErrors::default();
            errors.add("form", m);
            refused(form, errors).await
        }
        Err(e) => internal(&state, e.into()),
    }
}

pub async fn cancel(State(state): State<AppState>, current: CurrentUser, Path((client, id)): Path<(String, String)>, body: Bytes) -> Response {
    let Some(user) = current.0 else { return not_found(&state) };
    let Some((client, id)) = ids(&client, &id) else { return not_found(&state) };
    // The registration must be one of this client's agents'.
    let session = match state.store.registration_session(id).await {
        Ok(Some(s)) => s,
        Ok(None) => return not_found(&state),
        Err(e) => return internal(&state, e.into()),
    };
    match agents(&state, client, session).await {
        Ok(mine) if mine.iter().any(|r| r.id == id) => {}
        Ok(_) => return not_found(&state),
        Err(e) => return internal(&state, e.into()),
    }
    let data = FormData::parse(&body);
    let mailer = crate::offer_mail::WebOfferMail { state: &state };
    match state.store.cancel_registration(id, data.get("motif"), &mailer, &user.email).await {
        Ok(_) => {
            state.mail_wake.notify_one();
            state.catalogue_changed();
            done(&format!("/espace-client/{client}/sessions/{session}"), "annulee")
        }
        Err(StoreError::Conflict(m)) => match session_page(&state, client, session, blank(), FieldErrors::default(), None, Some((id, m))).await {
            Ok(Some(p)) => invalid(&state, p),
            Ok(None) => not_found(&state),
            Err(e) => internal(&state, e.into()),
        },
        Err(e) => internal(&state, e.into()),
    }
}
