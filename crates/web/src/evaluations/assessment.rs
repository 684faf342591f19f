//! The assessment of what each trainee learnt, `/formateur/sessions/{id}/acquis`: the trainer of
//! the session (or staff) sets, per trainee and objective, acquired, being acquired or not
//! acquired, and a remark. The attestations de fin de formation issued afterwards print it;
//! one issued before keeps what it said until it is reissued (it is signed content).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, RawForm, State};
use axum::response::Response;
use forma_domain::FieldErrors;
use forma_domain::account::Role;
use forma_domain::assessment::{AcquisitionLevel, Assessment, level_field, read_grid, remark_field};
use forma_domain::registration::RegistrationStatus;
use forma_store::{RegistrationRow, SessionDetail, StoreError, User};

use crate::auth::CurrentUser;
use crate::gestion::layout::{NoticeQuery, done, internal, invalid, not_found, render};
use crate::site::layout::Layout;
use crate::state::AppState;

/// One objective's choice for a trainee, as the form shows it.
pub struct LevelView {
    pub key: String,
    pub objective: String,
    /// The chosen value (`acquired`…), empty when unassessed.
    pub chosen: String,
}

pub struct TraineeView {
    pub name: String,
    pub employer: String,
    pub levels: Vec<LevelView>,
    pub remark_key: String,
    pub remark: String,
}

#[derive(Template)]
#[template(path = "evaluations/assessment.html")]
struct AssessmentPage {
    layout: Layout,
    back: (String, &'static str),
    action: String,
    training: String,
    /// What the program says of its evaluation, to assess as it planned.
    planned: Vec<(&'static str, String)>,
    trainees: Vec<TraineeView>,
    /// (value, label) of the levels, after « non évalué ».
    levels: Vec<(&'static str, &'static str)>,
    has_objectives: bool,
    notice: Option<String>,
    errors: FieldErrors,
}

struct Context {
    session: SessionDetail,
    objectives: Vec<String>,
    planned: Vec<(&'static str, String)>,
    trainees: Vec<RegistrationRow>,
    saved: HashMap<i64, Assessment>,
}

/// A session's assessments by registration (a row that no longer reads is left out: the trainee
/// shows as unassessed rather than the page failing).
pub(crate) async fn session_assessments(state: &AppState, session_id: i64) -> Result<HashMap<i64, Assessment>, StoreError> {
    Ok(state
        .store
        .session_assessments(session_id)
        .await?
        .into_iter()
        .filter_map(|row| serde_json::from_str::<Assessment>(&row.body).ok().map(|a| (row.registration_id, a)))
        .collect())
}

/// The session if the user may assess it: staff any, a trainer the sessions they lead.
async fn context(state: &AppState, user: &User, id: i64) -> Result<Option<Context>, StoreError> {
    let allowed = match user.role {
        Role::Admin | Role::Gestionnaire => true,
        Role::Formateur => match state.store.trainer_of_user(user.id).await? {
            Some(trainer) => state.store.sessions_of_trainer(trainer).await?.contains(&id),
            None => false,
        },
        _ => false,
    };
    if !allowed {
        return Ok(None);
    }
    let Some(session) = state.store.session(id).await? else { return Ok(None) };
    let program = crate::certificates::program_of(state, &session).await?;
    let objectives = program.as_ref().map(|p| p.objectives.clone()).unwrap_or_default();
    let planned = program
        .map(|p| {
            [("En cours de formation", p.evaluation.ongoing), ("À l'issue de la formation", p.evaluation.hot)]
                .into_iter()
                .filter_map(|(when, text)| text.map(|t| (when, t)))
                .collect()
        })
        .unwrap_or_default();
    let trainees: Vec<RegistrationRow> =
        state.store.session_registrations(id).await?.into_iter().filter(|r| r.status == RegistrationStatus::Confirmed).collect();
    let saved = session_assessments(state, id).await?;
    Ok(Some(Context { session, objectives, planned, trainees, saved }))
}

fn page(state: &AppState, user: &User, ctx: &Context, typed: &[(String, String)], errors: FieldErrors, notice: Option<String>) -> AssessmentPage {
    let typed_of = |key: &str| typed.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    let trainees = ctx
        .trainees
        .iter()
        .map(|row| {
            let assessment = ctx.saved.get(&row.id);
            TraineeView {
                name: format!("{} {}", row.first_name, row.last_name),
                employer: row.employer.clone(),
                levels: ctx
                    .objectives
                    .iter()
                    .enumerate()
                    .map(|(i, objective)| {
                        let key = level_field(row.id, i);
                        let chosen =
                            typed_of(&key).unwrap_or_else(|| assessment.and_then(|a| a.level_of(objective)).map(|l| l.as_str().to_owned()).unwrap_or_default());
                        LevelView { key, objective: objective.clone(), chosen }
                    })
                    .collect(),
                remark_key: remark_field(row.id),
                remark: typed_of(&remark_field(row.id)).unwrap_or_else(|| assessment.and_then(|a| a.remark.clone()).unwrap_or_default()),
            }
        })
        .collect();
    let back = if user.role == Role::Formateur {
        ("/espace-formateur".to_owned(), "Espace formateur")
    } else {
        (format!("/gestion/sessions/{}/certificats", ctx.session.id), "Certificats de la session")
    };
    AssessmentPage {
        layout: state.layout(format!("Évaluation des acquis — {}", ctx.session.program_title), ""),
        back,
        action: format!("/formateur/sessions/{}/acquis", ctx.session.id),
        training: format!("{} — {}", ctx.session.program_title, super::stakeholders::dates(&ctx.session)),
        planned: ctx.planned.clone(),
        trainees,
        levels: AcquisitionLevel::ALL.iter().map(|l| (l.as_str(), l.label())).collect(),
        has_objectives: !ctx.objectives.is_empty(),
        notice,
        errors,
    }
}

async fn load(state: &AppState, current: &CurrentUser, id: &str) -> Result<(User, Context), Response> {
    let (Some(user), Ok(id)) = (current.user(), id.parse::<i64>()) else { return Err(not_found(state)) };
    match context(state, user, id).await {
        Ok(Some(ctx)) => Ok((user.clone(), ctx)),
        Ok(None) => Err(not_found(state)),
        Err(e) => Err(internal(state, e.into())),
    }
}

pub async fn show(State(state): State<AppState>, current: CurrentUser, Path(id): Path<String>, Query(q): Query<NoticeQuery>) -> Response {
    let (user, ctx) = match load(&state, &current, &id).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    // Only staff replace certificates: a trainer is told who will.
    let who_replaces = if user.role == Role::Formateur {
        "l'organisme les remplacera pour y porter ces résultats"
    } else {
        "remplacez-les depuis la page des certificats pour y porter ces résultats"
    };
    let notice = q.ok.as_deref().and_then(|n| n.strip_prefix("acquis-")).and_then(|n| n.parse::<usize>().ok()).map(|n| {
        let s = if n > 1 { "s" } else { "" };
        format!("Évaluation des acquis enregistrée ({n} stagiaire{s} modifié{s}). Les attestations déjà délivrées ne changent pas : {who_replaces}.")
    });
    render(&state, page(&state, &user, &ctx, &[], FieldErrors::default(), notice))
}

pub async fn save(State(state): State<AppState>, current: CurrentUser, Path(id): Path<String>, RawForm(body): RawForm) -> Response {
    let (user, ctx) = match load(&state, &current, &id).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let form: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let ids: Vec<i64> = ctx.trainees.iter().map(|r| r.id).collect();
    let grid = match read_grid(&ids, &ctx.objectives, &form) {
        Ok(grid) => grid,
        Err(errors) => return invalid(&state, page(&state, &user, &ctx, &form, errors, None)),
    };
    let mut rows = Vec::new();
    for (id, assessment) in &grid {
        let body = if assessment.is_empty() {
            None
        } else {
            match serde_json::to_string(assessment) {
                Ok(json) => Some(json),
                Err(e) => return internal(&state, e.into()),
            }
        };
        rows.push((*id, body));
    }
    match state.store.save_assessments(ctx.session.id, &rows, &user.email).await {
        Ok(changed) => done(&format!("/formateur/sessions/{}/acquis", ctx.session.id), &format!("acquis-{changed}")),
        Err(e) => internal(&state, e.into()),
    }
}

/// How many of a session's confirmed trainees have an assessment, out of how many: the trainer
/// space's and the certificates page's summary.
async fn progress(state: &AppState, session_id: i64) -> Result<(usize, usize), StoreError> {
    let confirmed: Vec<i64> =
        state.store.session_registrations(session_id).await?.into_iter().filter(|r| r.status == RegistrationStatus::Confirmed).map(|r| r.id).collect();
    let assessed = state.store.session_assessments(session_id).await?.iter().filter(|a| confirmed.contains(&a.registration_id)).count();
    Ok((assessed, confirmed.len()))
}

/// A session the trainer can assess, as the trainer space lists it.
pub struct AssessmentOffer {
    pub href: String,
    pub training: String,
    pub dates: String,
    /// « 3 stagiaires évalués sur 5 ».
    pub state: String,
}

/// The sessions a trainer leads that have begun and ended less than 60 days ago: the trainer
/// assesses during the training or at its end.
pub async fn trainer_offers(state: &AppState, user: &User) -> Result<Vec<AssessmentOffer>, StoreError> {
    if user.role != Role::Formateur {
        return Ok(Vec::new());
    }
    let Some(trainer) = state.store.trainer_of_user(user.id).await? else { return Ok(Vec::new()) };
    let today = super::paris_now().date();
    let mut offers = Vec::new();
    for id in state.store.sessions_of_trainer(trainer).await? {
        let Some(session) = state.store.session(id).await? else { continue };
        let (Some(first), Some(last)) = (session.days.first(), session.days.last()) else { continue };
        if session.cancelled || first.day.date > today || last.day.date + chrono::Duration::days(60) < today {
            continue;
        }
        let (assessed, of) = progress(state, id).await?;
        offers.push(AssessmentOffer {
            href: format!("/formateur/sessions/{id}/acquis"),
            training: session.program_title.clone(),
            dates: super::stakeholders::dates(&session),
            state: format!("{assessed} stagiaire{} évalué{} sur {of}", if assessed > 1 { "s" } else { "" }, if assessed > 1 { "s" } else { "" }),
        });
    }
    Ok(offers)
}
