//! A session's evaluation results in the back-office (`/gestion/sessions/{id}/evaluations`):
//! response rates per questionnaire, each closed question's distribution as a table with its
//! bars drawn in SVG on the server, the free-text answers, and the progress on each objective
//! between positioning and the end (Qualiopi indicators 11 and 30).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use forma_domain::evaluation::{Answer, Answers, EvaluationKind, QuestionKind, Questionnaire, distribution, is_satisfied, objective_progress};
use forma_domain::registration::RegistrationStatus;
use forma_store::{EvaluationResponse, StoreError};

use crate::auth::CurrentUser;
use crate::gestion::layout::{Frame, NoticeQuery, PathId, internal, not_found, render};
use crate::state::AppState;

/// The kinds a session's results show, in the order of the training.
const KINDS: [EvaluationKind; 3] = [EvaluationKind::Positioning, EvaluationKind::Hot, EvaluationKind::Cold];

/// One row of a distribution: the answer, its count, its share and the bar's width (of 200).
pub struct Bar {
    pub label: String,
    pub count: usize,
    pub percent: String,
    pub width: u32,
}

pub struct QuestionResult {
    pub label: String,
    pub bars: Vec<Bar>,
    /// Free-text answers, or a number's summary.
    pub texts: Vec<String>,
    pub answered: usize,
}

pub struct KindResult {
    pub label: &'static str,
    /// « 5 réponses envoyées sur 8 stagiaires (63 %), 1 brouillon ».
    pub rate: String,
    /// « 75 % satisfaits (4 répondants) » for the hot evaluation.
    pub satisfaction: Option<String>,
    pub questions: Vec<QuestionResult>,
}

/// (objective, « 1,8 → 3,9 sur 5 », trainees counted)
pub type Progress = (String, String, usize);

#[derive(Template)]
#[template(path = "evaluations/results.html")]
struct ResultsPage {
    frame: Frame,
    session_id: i64,
    title: String,
    kinds: Vec<KindResult>,
    progress: Vec<Progress>,
}

fn percent(part: usize, whole: usize) -> String {
    if whole == 0 { "—".into() } else { format!("{} %", (part * 100 + whole / 2) / whole) }
}

fn decimal(v: f64) -> String {
    format!("{v:.1}").replace('.', ",")
}

/// The sent responses of one kind, read back; unreadable rows are left out (and logged).
fn sent(responses: &[EvaluationResponse], kind: EvaluationKind) -> Vec<(i64, Questionnaire, Answers)> {
    responses
        .iter()
        .filter(|r| r.kind == kind.as_str() && r.submitted_at.is_some())
        .filter_map(|r| match (serde_json::from_str(&r.questionnaire), serde_json::from_str(&r.answers)) {
            (Ok(q), Ok(a)) => Some((r.registration_id, q, a)),
            _ => {
                tracing::warn!(response = r.id, "evaluation response unreadable");
                None
            }
        })
        .collect()
}

fn question_results(questionnaire: &Questionnaire, answers: &[&Answers]) -> Vec<QuestionResult> {
    questionnaire
        .questions()
        .map(|q| {
            let answered = answers.iter().filter(|a| a.contains_key(&q.key)).count();
            let bars = distribution(q, answers.iter().copied())
                .unwrap_or_default()
                .into_iter()
                .map(|(label, count)| Bar {
                    label,
                    count,
                    percent: percent(count, answered),
                    width: if answered == 0 { 0 } else { (count * 200 / answered) as u32 },
                })
                .collect();
            let texts = match q.kind {
                QuestionKind::Text => answers
                    .iter()
                    .filter_map(|a| match a.get(&q.key) {
                        Some(Answer::Text(t)) => Some(t.clone()),
                        _ => None,
                    })
                    .collect(),
                QuestionKind::Number { .. } => {
                    let values: Vec<i64> = answers
                        .iter()
                        .filter_map(|a| match a.get(&q.key) {
                            Some(Answer::Number(n)) => Some(*n),
                            _ => None,
                        })
                        .collect();
                    match (values.iter().min(), values.iter().max()) {
                        (Some(min), Some(max)) => {
                            vec![format!("moyenne {} (de {min} à {max})", decimal(values.iter().sum::<i64>() as f64 / values.len() as f64))]
                        }
                        _ => Vec::new(),
                    }
                }
                _ => Vec::new(),
            };
            QuestionResult { label: q.label.clone(), bars, texts, answered }
        })
        .collect()
}

async fn page(state: &AppState, user: &forma_store::User, id: i64, notice: Option<&str>) -> Result<Option<ResultsPage>, StoreError> {
    let Some(session) = state.store.session(id).await? else { return Ok(None) };
    let trainees = state.store.session_registrations(id).await?.into_iter().filter(|r| r.status == RegistrationStatus::Confirmed).count();
    let responses = state.store.session_evaluations(id).await?;
    let mut kinds = Vec::new();
    for kind in KINDS {
        let answered = sent(&responses, kind);
        let drafts = responses.iter().filter(|r| r.kind == kind.as_str() && r.submitted_at.is_none()).count();
        let s = |n: usize| if n > 1 { "s" } else { "" };
        let mut rate = format!(
            "{} réponse{} envoyée{} sur {trainees} stagiaire{} ({})",
            answered.len(),
            s(answered.len()),
            s(answered.len()),
            s(trainees),
            percent(answered.len(), trainees)
        );
        if drafts > 0 {
            rate.push_str(&format!(", {drafts} brouillon{} en cours", s(drafts)));
        }
        let answers: Vec<&Answers> = answered.iter().map(|(_, _, a)| a).collect();
        let reference = answered.first().map(|(_, q, _)| q.clone()).unwrap_or_else(|| Questionnaire::template(kind, &[]));
        let satisfaction = reference.overall().map(|q| {
            let levels: Vec<i64> = answers
                .iter()
                .filter_map(|a| match a.get(&q.key) {
                    Some(Answer::Number(n)) => Some(*n),
                    _ => None,
                })
                .collect();
            let satisfied = levels.iter().filter(|l| is_satisfied(**l)).count();
            format!("{} de satisfaits ({} répondant{})", percent(satisfied, levels.len()), levels.len(), s(levels.len()))
        });
        let questions = if answered.is_empty() { Vec::new() } else { question_results(&reference, &answers) };
        kinds.push(KindResult { label: kind.label(), rate, satisfaction, questions });
    }
    // Progress per objective: the trainees who answered the same self-assessment before and after.
    let before = sent(&responses, EvaluationKind::Positioning);
    let after = sent(&responses, EvaluationKind::Hot);
    let mut progress = Vec::new();
    if let Some((_, q, _)) = before.first() {
        for question in q.questions().filter(|q| matches!(q.kind, QuestionKind::SelfAssessment { .. })) {
            let level = |a: &Answers| match a.get(&question.key) {
                Some(Answer::Number(n)) => Some(*n),
                _ => None,
            };
            let pairs = before.iter().filter_map(|(who, _, a)| {
                let b = level(a)?;
                let (_, _, later) = after.iter().find(|(w, _, _)| w == who)?;
                Some((b, level(later)?))
            });
            if let Some((b, a, n)) = objective_progress(pairs) {
                progress.push((question.label.clone(), format!("{} → {} sur 5", decimal(b), decimal(a)), n));
            }
        }
    }
    let frame = Frame::new(state, user, format!("Évaluations — session n° {id}"), "sessions").notice(notice);
    Ok(Some(ResultsPage { frame, session_id: id, title: session.program_title, kinds, progress }))
}

pub async fn show(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId, Query(q): Query<NoticeQuery>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    match page(&state, user, id, q.ok.as_deref()).await {
        Ok(Some(p)) => render(&state, p),
        Ok(None) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}
