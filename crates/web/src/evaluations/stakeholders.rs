//! The client's and the trainer's appreciation of a session (Qualiopi indicator 30 asks every
//! stakeholder, not only the trainees): offered from the start of the session's last half-day
//! for 30 days, in the client space (`/espace-client/{client}/sessions/{id}/appreciation`,
//! one response per client organisation) and the trainer space (`/formateur/sessions/{id}/bilan`,
//! one per trainer). A draft is kept; sending is final.

use axum::extract::{Path, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use forma_domain::FieldErrors;
use forma_domain::account::Role;
use forma_domain::evaluation::{Answers, EvaluationKind, Questionnaire};
use forma_store::{SessionDetail, StakeholderDraft, StakeholderResponse, StoreError, User};

use super::{FormPage, Posted, Refused, answer_page, closing_window, paris_now, questionnaire_for, read_posted, sections};
use crate::auth::CurrentUser;
use crate::gestion::layout::{internal, not_found};
use crate::state::AppState;

/// Who answers: a client organisation or a trainer (their ids).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Respondent {
    Client(i64),
    Trainer(i64),
}

impl Respondent {
    pub(super) fn kind(self) -> EvaluationKind {
        match self {
            Respondent::Client(_) => EvaluationKind::Client,
            Respondent::Trainer(_) => EvaluationKind::Trainer,
        }
    }

    pub(super) fn id(self) -> i64 {
        match self {
            Respondent::Client(id) | Respondent::Trainer(id) => id,
        }
    }

    pub(super) fn form_path(self, session: i64) -> String {
        match self {
            Respondent::Client(client) => format!("/espace-client/{client}/sessions/{session}/appreciation"),
            Respondent::Trainer(_) => format!("/formateur/sessions/{session}/bilan"),
        }
    }

    /// The space the respondent comes from, and its words for « ← ».
    fn space(self) -> (String, &'static str) {
        match self {
            Respondent::Client(client) => (format!("/espace-client/{client}"), "Espace client"),
            Respondent::Trainer(_) => ("/espace-formateur".to_owned(), "Espace formateur"),
        }
    }

    async fn sessions(self, state: &AppState) -> Result<Vec<i64>, StoreError> {
        match self {
            Respondent::Client(client) => state.store.sessions_with_client_agents(client).await,
            Respondent::Trainer(trainer) => state.store.sessions_of_trainer(trainer).await,
        }
    }
}

/// One appreciation as a space lists it.
pub struct StakeholderOffer {
    pub training: String,
    pub dates: String,
    /// « à remplir », « brouillon enregistré le … », « envoyée le … ».
    pub state: String,
    pub href: Option<String>,
}

pub(super) fn dates(session: &SessionDetail) -> String {
    crate::site::views::days_label(&session.days.iter().map(|d| d.day.date).collect::<Vec<_>>())
}

pub(super) fn own(responses: &[StakeholderResponse], who: Respondent) -> Option<&StakeholderResponse> {
    responses.iter().find(|r| r.kind == who.kind().as_str() && r.respondent_id == who.id())
}

/// The appreciations a client or a trainer has to give or gave: the sessions past the start of
/// their last half-day, while open, and the ones sent.
pub async fn offers(state: &AppState, who: Respondent) -> Result<Vec<StakeholderOffer>, StoreError> {
    let now = paris_now();
    let mut offers = Vec::new();
    for id in who.sessions(state).await? {
        let Some(session) = state.store.session(id).await? else { continue };
        let Some((opens, closes)) = session.days.last().and_then(closing_window) else { continue };
        if session.cancelled || now < opens {
            continue;
        }
        let responses = state.store.stakeholder_responses(id).await?;
        let open = now <= closes;
        let (label, href) = match own(&responses, who) {
            Some(StakeholderResponse { submitted_at: Some(at), .. }) => (format!("envoyée le {}", crate::auth::invitation::until(*at)), None),
            Some(r) if open => (format!("brouillon enregistré le {} : à terminer", crate::auth::invitation::until(r.updated_at)), Some(who.form_path(id))),
            _ if open => ("à remplir".to_owned(), Some(who.form_path(id))),
            _ => continue,
        };
        offers.push(StakeholderOffer { training: session.program_title.clone(), dates: dates(&session), state: label, href });
    }
    Ok(offers)
}

struct Context {
    session: SessionDetail,
    questionnaire: Questionnaire,
    objectives: Vec<String>,
    saved: Answers,
}

/// The session and questionnaire to answer, or where to send the respondent back and why.
async fn context(state: &AppState, who: Respondent, session_id: i64) -> Result<Result<Context, Response>, StoreError> {
    if !who.sessions(state).await?.contains(&session_id) {
        return Ok(Err(not_found(state)));
    }
    let Some(session) = state.store.session(session_id).await? else { return Ok(Err(not_found(state))) };
    let back = |notice: &str| Redirect::to(&format!("{}?ok={notice}", who.space().0)).into_response();
    let responses = state.store.stakeholder_responses(session_id).await?;
    let response = own(&responses, who).cloned();
    if response.as_ref().is_some_and(|r| r.submitted_at.is_some()) {
        return Ok(Err(back("appreciation-envoyee")));
    }
    let now = paris_now();
    match session.days.last().and_then(closing_window) {
        Some((opens, closes)) if !session.cancelled && opens <= now && now <= closes => {}
        _ => return Ok(Err(back("appreciation-fermee"))),
    }
    let objectives = crate::certificates::program_of(state, &session).await?.map(|p| p.objectives).unwrap_or_default();
    let (questionnaire, saved) = match response.and_then(|r| Some((serde_json::from_str(&r.questionnaire).ok()?, serde_json::from_str(&r.answers).ok()?))) {
        Some(kept) => kept,
        None => (questionnaire_for(state, &session.program_slug, who.kind(), &objectives).await?, Answers::new()),
    };
    Ok(Ok(Context { session, questionnaire, objectives, saved }))
}

fn page(state: &AppState, who: Respondent, ctx: &Context, answers: &Answers, typed: &[(String, String)], errors: FieldErrors) -> FormPage {
    FormPage {
        layout: state.layout(ctx.questionnaire.title.clone(), ""),
        action: who.form_path(ctx.session.id),
        back: Some(who.space()),
        title: ctx.questionnaire.title.clone(),
        intro: ctx.questionnaire.intro.clone(),
        training: format!("{} — {}", ctx.session.program_title, dates(&ctx.session)),
        sections: sections(&ctx.questionnaire, answers, typed, &ctx.objectives),
        errors,
    }
}

async fn show(state: &AppState, who: Respondent, session_id: i64) -> Response {
    match context(state, who, session_id).await {
        Ok(Ok(ctx)) => answer_page(page(state, who, &ctx, &ctx.saved, &[], FieldErrors::default()), StatusCode::OK),
        Ok(Err(r)) => r,
        Err(e) => internal(state, e.into()),
    }
}

async fn submit(state: &AppState, user: &User, who: Respondent, session_id: i64, body: &[u8]) -> Response {
    let ctx = match context(state, who, session_id).await {
        Ok(Ok(ctx)) => ctx,
        Ok(Err(r)) => return r,
        Err(e) => return internal(state, e.into()),
    };
    let Posted { send, questionnaire, answers_json, .. } = match read_posted(&ctx.questionnaire, body) {
        Ok(posted) => posted,
        Err(Refused { answers, form, errors }) => {
            return answer_page(page(state, who, &ctx, &answers, &form, errors), StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let draft = StakeholderDraft {
        session_id,
        kind: who.kind(),
        respondent_id: who.id(),
        questionnaire: &questionnaire,
        answers: &answers_json,
        submit: send,
        at: Utc::now(),
    };
    let space = who.space().0;
    match state.store.save_stakeholder_response(&draft, &user.email).await {
        Ok(()) => Redirect::to(&format!("{space}?ok={}", if send { "appreciation" } else { "appreciation-brouillon" })).into_response(),
        Err(StoreError::Conflict(_)) => Redirect::to(&format!("{space}?ok=appreciation-envoyee")).into_response(),
        Err(e) => internal(state, e.into()),
    }
}

fn ids(client: &str, session: &str) -> Option<(i64, i64)> {
    Some((client.parse().ok()?, session.parse().ok()?))
}

pub async fn client_show(State(state): State<AppState>, current: CurrentUser, Path((client, id)): Path<(String, String)>) -> Response {
    let (Some(_), Some((client, id))) = (current.user(), ids(&client, &id)) else { return not_found(&state) };
    show(&state, Respondent::Client(client), id).await
}

pub async fn client_submit(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((client, id)): Path<(String, String)>,
    RawForm(body): RawForm,
) -> Response {
    let (Some(user), Some((client, id))) = (current.user(), ids(&client, &id)) else { return not_found(&state) };
    submit(&state, user, Respondent::Client(client), id, &body).await
}

/// The signed-in trainer's record; staff have none and get a 404 (they read the answers on the
/// session's results page).
async fn trainer(state: &AppState, user: &User) -> Result<Option<Respondent>, StoreError> {
    if user.role != Role::Formateur {
        return Ok(None);
    }
    Ok(state.store.trainer_of_user(user.id).await?.map(Respondent::Trainer))
}

pub async fn trainer_show(State(state): State<AppState>, current: CurrentUser, Path(id): Path<String>) -> Response {
    let (Some(user), Ok(id)) = (current.user(), id.parse::<i64>()) else { return not_found(&state) };
    match trainer(&state, user).await {
        Ok(Some(who)) => show(&state, who, id).await,
        Ok(None) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}

pub async fn trainer_submit(State(state): State<AppState>, current: CurrentUser, Path(id): Path<String>, RawForm(body): RawForm) -> Response {
    let (Some(user), Ok(id)) = (current.user(), id.parse::<i64>()) else { return not_found(&state) };
    match trainer(&state, user).await {
        Ok(Some(who)) => submit(&state, user, who, id, &body).await,
        Ok(None) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}

/// The trainer space's list of session reviews.
pub async fn trainer_offers(state: &AppState, user: &User) -> Result<Vec<StakeholderOffer>, StoreError> {
    match trainer(state, user).await? {
        Some(who) => offers(state, who).await,
        None => Ok(Vec::new()),
    }
}

/// The confirmations of the spaces after an appreciation.
pub fn notice_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "appreciation" => "Merci : votre appréciation est envoyée.",
        "appreciation-brouillon" => "Vos réponses sont enregistrées : vous pourrez les terminer plus tard.",
        "appreciation-envoyee" => "Cette appréciation est déjà envoyée : elle ne peut plus être modifiée.",
        "appreciation-fermee" => "Ce questionnaire n'est pas ouvert en ce moment.",
        _ => return None,
    })
}
