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
    (part * 100 + whole / 2).checked_div(whole).map_or_else(|| "—".into(), |p| format!("{p} %"))
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
                .map(|(label, count)| Bar { label, count, percent: percent(count, answered), width: (count * 200).checked_div(answered).unwrap_or(0) as u32 })
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

/// One answer as a spreadsheet cell: the level's or choice's words, the text, the number.
fn cell(question: &forma_domain::evaluation::Question, answer: Option<&Answer>) -> String {
    use forma_domain::evaluation::{MASTERY_LEVELS, SATISFACTION_LEVELS};
    let level = |labels: &[&str], n: i64| usize::try_from(n - 1).ok().and_then(|i| labels.get(i)).map_or_else(|| n.to_string(), |l| l.to_string());
    match (&question.kind, answer) {
        (_, None) => String::new(),
        (QuestionKind::Satisfaction, Some(Answer::Number(n))) => level(&SATISFACTION_LEVELS, *n),
        (QuestionKind::SelfAssessment { .. }, Some(Answer::Number(n))) => level(&MASTERY_LEVELS, *n),
        (QuestionKind::SingleChoice { options }, Some(Answer::Number(n))) => usize::try_from(*n).ok().and_then(|i| options.get(i)).cloned().unwrap_or_default(),
        (QuestionKind::MultipleChoice { options }, Some(Answer::Choices(chosen))) => {
            chosen.iter().filter_map(|i| options.get(*i).cloned()).collect::<Vec<_>>().join(", ")
        }
        (_, Some(Answer::Number(n))) => n.to_string(),
        (_, Some(Answer::Text(t))) => t.clone(),
        (_, Some(Answer::Choices(c))) => c.iter().map(usize::to_string).collect::<Vec<_>>().join(", "),
    }
}

/// Every response of the session (drafts included, marked as such), a sheet per questionnaire,
/// a row per trainee and a column per question.
pub async fn xlsx(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId) -> Response {
    if current.user().is_none() {
        return not_found(&state);
    }
    let made = async {
        let Some(session) = state.store.session(id).await? else { return Ok(None) };
        let names: std::collections::HashMap<i64, String> =
            state.store.session_registrations(id).await?.into_iter().map(|r| (r.id, format!("{} {}", r.first_name, r.last_name))).collect();
        let responses = state.store.session_evaluations(id).await?;
        let mut tables = Vec::new();
        for kind in KINDS {
            let rows: Vec<(&EvaluationResponse, Questionnaire, Answers)> = responses
                .iter()
                .filter(|r| r.kind == kind.as_str())
                .filter_map(|r| Some((r, serde_json::from_str(&r.questionnaire).ok()?, serde_json::from_str(&r.answers).ok()?)))
                .collect();
            let reference = rows.first().map(|(_, q, _)| q.clone()).unwrap_or_else(|| Questionnaire::template(kind, &[]));
            let mut headers = vec!["Stagiaire".to_owned(), "État".to_owned()];
            headers.extend(reference.questions().map(|q| q.label.clone()));
            let rows = rows
                .iter()
                .map(|(r, _, answers)| {
                    let mut row = vec![
                        names.get(&r.registration_id).cloned().unwrap_or_default(),
                        match r.submitted_at {
                            Some(at) => format!("envoyé le {}", crate::auth::invitation::until(at)),
                            None => "brouillon".to_owned(),
                        },
                    ];
                    row.extend(reference.questions().map(|q| cell(q, answers.get(&q.key))));
                    row
                })
                .collect();
            // Sheet names hold 31 characters at most.
            let name = match kind {
                EvaluationKind::Positioning => "Positionnement",
                EvaluationKind::Hot => "Fin de formation",
                _ => "À froid",
            };
            tables.push(forma_documents::workbook::Table { name: name.to_owned(), headers, rows });
        }
        let bytes = forma_documents::workbook::xlsx(&format!("Évaluations — {}", session.program_title), &tables)?;
        Ok::<_, anyhow::Error>(Some(bytes))
    };
    match made.await {
        Ok(Some(bytes)) => {
            let name = format!("evaluations-session-{id}.xlsx");
            let mut response = axum::response::IntoResponse::into_response((
                [(axum::http::header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")],
                bytes,
            ));
            if let Ok(v) = axum::http::HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
                response.headers_mut().insert(axum::http::header::CONTENT_DISPOSITION, v);
            }
            response.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("private, no-store"));
            response
        }
        Ok(None) => not_found(&state),
        Err(e) => internal(&state, e),
    }
}

pub async fn show(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId, Query(q): Query<NoticeQuery>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    match page(&state, user, id, q.ok.as_deref()).await {
        Ok(Some(p)) => render(&state, p),
        Ok(None) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}
