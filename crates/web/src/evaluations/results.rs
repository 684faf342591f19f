//! A session's evaluation results in the back-office (`/gestion/sessions/{id}/evaluations`):
//! response rates per questionnaire, each closed question's distribution as a table with its
//! bars drawn in SVG on the server, the free-text answers, the progress on each objective
//! between positioning and the end, and the trainer's assessment of what was learnt per objective
//! (Qualiopi indicators 11 and 30).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::Utc;
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

/// The trainer's assessment of what was learnt: how many trainees were assessed, and per
/// objective how many reached each level (acquired, being acquired, not acquired).
pub struct Acquisition {
    pub assessed: usize,
    pub objectives: Vec<(String, [usize; 3])>,
}

#[derive(Template)]
#[template(path = "evaluations/results.html")]
struct ResultsPage {
    frame: Frame,
    session_id: i64,
    title: String,
    kinds: Vec<KindResult>,
    progress: Vec<Progress>,
    acquisition: Acquisition,
    trainees: usize,
}

fn percent(part: usize, whole: usize) -> String {
    (part * 100 + whole / 2).checked_div(whole).map_or_else(|| "—".into(), |p| format!("{p} %"))
}

fn decimal(v: f64) -> String {
    format!("{v:.1}").replace('.', ",")
}

/// The sent responses of one kind, read back; unreadable rows are left out (and logged).
fn sent(responses: &[EvaluationResponse], kind: EvaluationKind) -> Vec<(i64, Questionnaire, Answers)> {
    read_sent(
        responses
            .iter()
            .filter(|r| r.kind == kind.as_str() && r.submitted_at.is_some())
            .map(|r| (r.id, r.registration_id, r.questionnaire.as_str(), r.answers.as_str())),
    )
}

/// (row, respondent, questionnaire JSON, answers JSON) → (respondent, questionnaire, answers).
fn read_sent<'a>(rows: impl Iterator<Item = (i64, i64, &'a str, &'a str)>) -> Vec<(i64, Questionnaire, Answers)> {
    rows.filter_map(|(row, who, questionnaire, answers)| match (serde_json::from_str(questionnaire), serde_json::from_str(answers)) {
        (Ok(q), Ok(a)) => Some((who, q, a)),
        _ => {
            tracing::warn!(response = row, "evaluation response unreadable");
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

/// A session's results, as the page and the PDF synthesis show them.
pub struct Results {
    pub session: forma_store::SessionDetail,
    pub trainees: usize,
    pub kinds: Vec<KindResult>,
    pub progress: Vec<Progress>,
    pub acquisition: Acquisition,
}

/// The response-rate line: « 5 réponses envoyées sur 8 stagiaires (63 %), 1 brouillon en cours ».
fn rate_line(answered: usize, drafts: usize, expected: usize, who: &str) -> String {
    let s = |n: usize| if n > 1 { "s" } else { "" };
    let mut rate = format!("{answered} réponse{} envoyée{} sur {expected} {who}{} ({})", s(answered), s(answered), s(expected), percent(answered, expected));
    if drafts > 0 {
        rate.push_str(&format!(", {drafts} brouillon{} en cours", s(drafts)));
    }
    rate
}

fn kind_result(kind: EvaluationKind, answered: &[(i64, Questionnaire, Answers)], rate: String) -> KindResult {
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
        format!("{} de satisfaits ({} répondant{})", percent(satisfied, levels.len()), levels.len(), if levels.len() > 1 { "s" } else { "" })
    });
    let questions = if answered.is_empty() { Vec::new() } else { question_results(&reference, &answers) };
    KindResult { label: kind.label(), rate, satisfaction, questions }
}

pub async fn results(state: &AppState, id: i64) -> Result<Option<Results>, StoreError> {
    let Some(session) = state.store.session(id).await? else { return Ok(None) };
    let confirmed: Vec<_> = state.store.session_registrations(id).await?.into_iter().filter(|r| r.status == RegistrationStatus::Confirmed).collect();
    let trainees = confirmed.len();
    let responses = state.store.session_evaluations(id).await?;
    let mut kinds = Vec::new();
    for kind in KINDS {
        let answered = sent(&responses, kind);
        let drafts = responses.iter().filter(|r| r.kind == kind.as_str() && r.submitted_at.is_none()).count();
        kinds.push(kind_result(kind, &answered, rate_line(answered.len(), drafts, trainees, "stagiaire")));
    }
    // The client organisations of the confirmed trainees, and the session's trainers.
    let stakeholders = state.store.stakeholder_responses(id).await?;
    let clients: std::collections::BTreeSet<i64> = confirmed.iter().filter_map(|r| r.client_id).collect();
    let trainers: std::collections::BTreeSet<i64> = session.days.iter().flat_map(|d| d.day.trainer_ids.iter().copied()).collect();
    for (kind, expected, who) in [(EvaluationKind::Client, clients.len(), "client"), (EvaluationKind::Trainer, trainers.len(), "formateur")] {
        let rows = stakeholders.iter().filter(|r| r.kind == kind.as_str());
        let answered =
            read_sent(rows.clone().filter(|r| r.submitted_at.is_some()).map(|r| (r.id, r.respondent_id, r.questionnaire.as_str(), r.answers.as_str())));
        let drafts = rows.filter(|r| r.submitted_at.is_none()).count();
        kinds.push(kind_result(kind, &answered, rate_line(answered.len(), drafts, expected, who)));
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
    let assessments = super::assessment::session_assessments(state, id).await?;
    let assessed: Vec<_> = confirmed.iter().filter_map(|r| assessments.get(&r.id)).collect();
    let objectives = crate::certificates::program_of(state, &session).await?.map(|p| p.objectives).unwrap_or_default();
    let acquisition = Acquisition { assessed: assessed.len(), objectives: forma_domain::assessment::summary(&objectives, assessed) };
    Ok(Some(Results { session, trainees, kinds, progress, acquisition }))
}

async fn page(state: &AppState, user: &forma_store::User, id: i64, notice: Option<&str>) -> Result<Option<ResultsPage>, StoreError> {
    let Some(r) = results(state, id).await? else { return Ok(None) };
    let frame = Frame::new(state, user, format!("Évaluations — session n° {id}"), "sessions").notice(notice);
    Ok(Some(ResultsPage {
        frame,
        session_id: id,
        title: r.session.program_title,
        kinds: r.kinds,
        progress: r.progress,
        acquisition: r.acquisition,
        trainees: r.trainees,
    }))
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
/// a row per trainee and a column per question; then the trainer's assessment of what was learnt.
pub async fn xlsx(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId) -> Response {
    if current.user().is_none() {
        return not_found(&state);
    }
    let made = async {
        let Some(session) = state.store.session(id).await? else { return Ok(None) };
        let registrations = state.store.session_registrations(id).await?;
        let names: std::collections::HashMap<i64, String> = registrations.iter().map(|r| (r.id, format!("{} {}", r.first_name, r.last_name))).collect();
        let responses = state.store.session_evaluations(id).await?;
        let mut tables = Vec::new();
        for kind in KINDS {
            let rows = responses
                .iter()
                .filter(|r| r.kind == kind.as_str())
                .map(|r| (names.get(&r.registration_id).cloned().unwrap_or_default(), r.submitted_at, r.questionnaire.as_str(), r.answers.as_str()));
            tables.push(table(kind, "Stagiaire", rows));
        }
        // The client organisations by the employers of their agents; the trainers by the days.
        let clients: std::collections::HashMap<i64, String> = registrations.iter().filter_map(|r| Some((r.client_id?, r.employer.clone()))).collect();
        let trainers: std::collections::HashMap<i64, String> =
            session.days.iter().flat_map(|d| d.day.trainer_ids.iter().copied().zip(d.trainer_names.iter().cloned())).collect();
        let stakeholders = state.store.stakeholder_responses(id).await?;
        for (kind, who, names) in [(EvaluationKind::Client, "Client", &clients), (EvaluationKind::Trainer, "Formateur", &trainers)] {
            let rows = stakeholders.iter().filter(|r| r.kind == kind.as_str()).map(|r| {
                (names.get(&r.respondent_id).cloned().unwrap_or_else(|| r.answered_by.clone()), r.submitted_at, r.questionnaire.as_str(), r.answers.as_str())
            });
            tables.push(table(kind, who, rows));
        }
        tables.push(acquisition_table(&state, &session, &registrations).await?);
        let bytes = forma_documents::workbook::xlsx(&format!("Évaluations — {}", session.program_title), &tables)?;
        Ok::<_, anyhow::Error>(Some(bytes))
    };
    match made.await {
        Ok(Some(bytes)) => {
            file(bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", &format!("attachment; filename=\"evaluations-session-{id}.xlsx\""))
        }
        Ok(None) => not_found(&state),
        Err(e) => internal(&state, e),
    }
}

/// One sheet: a row per respondent (name, state, then a column per question of the first
/// questionnaire answered).
fn table<'a>(
    kind: EvaluationKind,
    who: &str,
    rows: impl Iterator<Item = (String, Option<chrono::DateTime<Utc>>, &'a str, &'a str)>,
) -> forma_documents::workbook::Table {
    let rows: Vec<(String, Option<chrono::DateTime<Utc>>, Questionnaire, Answers)> =
        rows.filter_map(|(name, sent, q, a)| Some((name, sent, serde_json::from_str(q).ok()?, serde_json::from_str(a).ok()?))).collect();
    let reference = rows.first().map(|(_, _, q, _)| q.clone()).unwrap_or_else(|| Questionnaire::template(kind, &[]));
    let mut headers = vec![who.to_owned(), "État".to_owned()];
    headers.extend(reference.questions().map(|q| q.label.clone()));
    let rows = rows
        .iter()
        .map(|(name, sent, _, answers)| {
            let mut row = vec![
                name.clone(),
                match sent {
                    Some(at) => format!("envoyé le {}", crate::auth::invitation::until(*at)),
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
        EvaluationKind::Cold => "À froid",
        EvaluationKind::Client => "Client",
        EvaluationKind::Trainer => "Formateur",
        EvaluationKind::Ongoing => "En cours",
    };
    forma_documents::workbook::Table { name: name.to_owned(), headers, rows }
}

/// The trainer's assessment of each confirmed trainee: a row per trainee, a column per objective
/// (the level reached, empty where not assessed) and the remark.
async fn acquisition_table(
    state: &AppState,
    session: &forma_store::SessionDetail,
    registrations: &[forma_store::RegistrationRow],
) -> Result<forma_documents::workbook::Table, StoreError> {
    let assessments = super::assessment::session_assessments(state, session.id).await?;
    let objectives = crate::certificates::program_of(state, session).await?.map(|p| p.objectives).unwrap_or_default();
    let mut headers = vec!["Stagiaire".to_owned()];
    headers.extend(objectives.iter().cloned());
    headers.push("Remarque".to_owned());
    let rows = registrations
        .iter()
        .filter(|r| r.status == RegistrationStatus::Confirmed)
        .map(|r| {
            let assessment = assessments.get(&r.id);
            let mut row = vec![format!("{} {}", r.first_name, r.last_name)];
            row.extend(objectives.iter().map(|o| assessment.and_then(|a| a.level_of(o)).map(|l| l.label().to_owned()).unwrap_or_default()));
            row.push(assessment.and_then(|a| a.remark.clone()).unwrap_or_default());
            row
        })
        .collect();
    Ok(forma_documents::workbook::Table { name: "Acquis".to_owned(), headers, rows })
}

pub async fn show(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId, Query(q): Query<NoticeQuery>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    match page(&state, user, id, q.ok.as_deref()).await {
        Ok(Some(p)) => render(&state, p),
        Ok(None) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}

/// The synthesis of the session's evaluations as a PDF: what the page shows, to file or send.
pub async fn pdf(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId) -> Response {
    if current.user().is_none() {
        return not_found(&state);
    }
    let made = async {
        let Some(r) = results(&state, id).await? else { return Ok(None) };
        let report = report(&state, r);
        let bytes = tokio::task::spawn_blocking(move || forma_documents::evaluation_report::render(&report)).await??;
        Ok::<_, anyhow::Error>(Some(bytes))
    };
    match made.await {
        Ok(Some(bytes)) => file(bytes, "application/pdf", &format!("inline; filename=\"evaluations-session-{id}.pdf\"")),
        Ok(None) => not_found(&state),
        Err(e) => internal(&state, e),
    }
}

/// A file of the session's answers: personal data, never kept by a cache.
fn file(bytes: Vec<u8>, content_type: &'static str, disposition: &str) -> Response {
    use axum::http::{HeaderValue, header};
    let mut response = axum::response::IntoResponse::into_response(([(header::CONTENT_TYPE, content_type)], bytes));
    if let Ok(v) = HeaderValue::from_str(disposition) {
        response.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    response
}

fn report(state: &AppState, r: Results) -> forma_documents::evaluation_report::EvaluationReport {
    use forma_documents::evaluation_report as doc;
    let session = &r.session;
    let dates = match crate::site::views::days_label(&session.days.iter().map(|d| d.day.date).collect::<Vec<_>>()) {
        d if d.is_empty() => "sans journée planifiée".to_owned(),
        d => d,
    };
    let mut trainers: Vec<String> = session.days.iter().flat_map(|d| d.trainer_names.iter().cloned()).collect();
    trainers.sort();
    trainers.dedup();
    doc::EvaluationReport {
        organisation: crate::gestion::agreement_documents::organisation(&state.organisation()),
        training_title: session.program_title.clone(),
        session_label: match &session.client_name {
            Some(client) => format!("Session n° {} — {dates}, {client}", session.id),
            None => format!("Session n° {} — {dates}", session.id),
        },
        trainers,
        trainees: r.trainees,
        issued_on: Utc::now().with_timezone(&chrono_tz::Europe::Paris).date_naive(),
        kinds: r
            .kinds
            .into_iter()
            .map(|k| doc::ReportKind {
                label: k.label.to_owned(),
                rate: k.rate,
                satisfaction: k.satisfaction,
                questions: k
                    .questions
                    .into_iter()
                    .map(|q| doc::ReportQuestion {
                        label: q.label,
                        answered: q.answered,
                        bars: q.bars.into_iter().map(|b| doc::ReportBar { label: b.label, count: b.count, percent: b.percent }).collect(),
                        texts: q.texts,
                    })
                    .collect(),
            })
            .collect(),
        progress: r.progress.into_iter().map(|(objective, change, trainees)| doc::ReportProgress { objective, change, trainees }).collect(),
        assessed: r.acquisition.assessed,
        acquisition: if r.acquisition.assessed == 0 {
            Vec::new()
        } else {
            r.acquisition
                .objectives
                .into_iter()
                .map(|(objective, [acquired, in_progress, not_acquired])| doc::ReportAcquisition { objective, acquired, in_progress, not_acquired })
                .collect()
        },
    }
}
