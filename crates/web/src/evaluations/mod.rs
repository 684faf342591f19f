//! Evaluations a trainee answers from their personal link, without an account: positioning
//! before the training, the hot evaluation at the end (open from the start of their last
//! half-day, so it is offered right after the last signature), the cold one some weeks later.
//! A half-filled form is kept as a draft; sending is final. A sent hot evaluation moves the
//! satisfaction rate published on the program's sheet.

pub mod appreciation_requests;
pub mod assessment;
pub mod editor;
pub mod reminders;
pub mod results;
pub mod stakeholders;

use askama::Template;
use axum::extract::{Path, RawForm, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{Duration, NaiveDate, Utc};
use forma_domain::FieldErrors;
use forma_domain::evaluation::{
    Answer, Answers, EvaluationKind, MASTERY_LEVELS, OverallAnswer, QuestionKind, Questionnaire, SATISFACTION_LEVELS, read_answers, satisfaction_rate,
};
use forma_domain::program::SatisfactionRate;
use forma_domain::registration::RegistrationStatus;
use forma_store::{EvaluationResponse, RegistrationRow, ResponseDraft, SessionDetail, StoreError};

use crate::auth::token::hash_token;
use crate::gestion::layout::internal;
use crate::site::layout::Layout;
use crate::site::registration::private;
use crate::state::AppState;

/// The kinds a trainee answers, in the order of the training.
const TRAINEE_KINDS: [EvaluationKind; 3] = [EvaluationKind::Positioning, EvaluationKind::Hot, EvaluationKind::Cold];

/// The cold evaluation stays open this long after it opens; the hot one, after the last day.
pub(crate) const OPEN_DAYS: i64 = 30;

/// One evaluation as the personal page lists it.
pub struct EvaluationOffer {
    pub label: &'static str,
    /// « à remplir », « brouillon enregistré le … », « envoyé le … ».
    pub state: String,
    /// Where to answer it, while it can be answered.
    pub href: Option<String>,
}

/// The kind's segment in addresses: `/inscription/{token}/evaluation/positionnement`.
pub(crate) fn segment(kind: EvaluationKind) -> &'static str {
    match kind {
        EvaluationKind::Positioning => "positionnement",
        EvaluationKind::Ongoing => "en-cours",
        EvaluationKind::Hot => "fin-de-formation",
        EvaluationKind::Cold => "a-froid",
        EvaluationKind::Client => "client",
        EvaluationKind::Trainer => "formateur",
    }
}

fn kind_of(segment: &str) -> Option<EvaluationKind> {
    TRAINEE_KINDS.into_iter().find(|k| self::segment(*k) == segment)
}

/// Any kind, from its segment (the builder has one page per kind).
pub(crate) fn kind_of_segment(segment: &str) -> Option<EvaluationKind> {
    EvaluationKind::ALL.into_iter().find(|k| self::segment(*k) == segment)
}

/// The questionnaire of `kind` for a program: the one written in the builder while it fits the
/// objectives of the program's version at hand, the built-in model otherwise (an objective
/// removed since would leave a self-assessment pointing nowhere).
pub(crate) async fn questionnaire_for(state: &AppState, slug: &str, kind: EvaluationKind, objectives: &[String]) -> Result<Questionnaire, StoreError> {
    if let Some(stored) = state.store.program_questionnaire(slug, kind).await? {
        match serde_json::from_str::<Questionnaire>(&stored.body).map(|q| q.validated(objectives.len())) {
            Ok(Ok(q)) if q.kind == kind => return Ok(q),
            _ => tracing::warn!(program = slug, kind = kind.as_str(), "written questionnaire does not fit this version: the model is used"),
        }
    }
    Ok(Questionnaire::template(kind, objectives))
}

fn paris_now() -> chrono::NaiveDateTime {
    Utc::now().with_timezone(&chrono_tz::Europe::Paris).naive_local()
}

/// When a trainee may answer `kind`: from the registration until the end of the first day
/// (positioning); from the start of their last half-day for 30 days after the last day (hot);
/// from `cold_days` (the organisation's setting, 60 by default) after the last day, for 30 days
/// (cold).
fn window(kind: EvaluationKind, session: &SessionDetail, row: &RegistrationRow, cold_days: i64) -> Option<(chrono::NaiveDateTime, chrono::NaiveDateTime)> {
    let days: Vec<_> = session.days.iter().filter(|d| row.days.covers(d.id)).collect();
    let (first, last) = (days.first()?, days.last()?);
    let start_of = |d: NaiveDate| d.and_hms_opt(0, 0, 0).expect("midnight");
    let end_of = |d: NaiveDate| d.and_hms_opt(23, 59, 59).expect("a time");
    match kind {
        EvaluationKind::Positioning => Some((chrono::NaiveDateTime::MIN, end_of(first.day.date))),
        EvaluationKind::Hot => closing_window(last),
        EvaluationKind::Cold => {
            let opens = last.day.date + Duration::days(cold_days);
            Some((start_of(opens), end_of(opens + Duration::days(OPEN_DAYS))))
        }
        _ => None,
    }
}

/// From the start of the last half-day to 30 days after: the hot evaluation's time, and the
/// client's and the trainer's.
fn closing_window(last: &forma_store::DayDetail) -> Option<(chrono::NaiveDateTime, chrono::NaiveDateTime)> {
    let last_half = last.day.schedule.afternoon.or(last.day.schedule.morning)?;
    let closes = (last.day.date + Duration::days(OPEN_DAYS)).and_hms_opt(23, 59, 59)?;
    Some((last.day.date.and_time(last_half.start), closes))
}

/// The evaluations to show on a confirmed trainee's personal page.
pub async fn offers(state: &AppState, row: &RegistrationRow, session: &SessionDetail, token: &str) -> Result<Vec<EvaluationOffer>, StoreError> {
    if row.status != RegistrationStatus::Confirmed {
        return Ok(Vec::new());
    }
    let responses = state.store.registration_evaluations(row.id).await?;
    let now = paris_now();
    let mut offers = Vec::new();
    for kind in TRAINEE_KINDS {
        let Some((opens, closes)) = window(kind, session, row, state.organisation().cold_days()) else { continue };
        let response = responses.iter().find(|r| r.kind == kind.as_str());
        let open = opens <= now && now <= closes;
        let state_label = match response {
            Some(EvaluationResponse { submitted_at: Some(at), .. }) => format!("envoyé le {}", crate::auth::invitation::until(*at)),
            Some(r) if open => format!("brouillon enregistré le {} : à terminer", crate::auth::invitation::until(r.updated_at)),
            _ if now < opens => format!("ouvert à partir du {}", forma_domain::french_date::long_date(opens.date())),
            _ if open => "à remplir".to_owned(),
            _ => "fermé".to_owned(),
        };
        // Nothing to show of a later evaluation before its time, except the next one.
        if now < opens && kind == EvaluationKind::Cold {
            continue;
        }
        let answerable = open && response.is_none_or(|r| r.submitted_at.is_none());
        offers.push(EvaluationOffer {
            label: kind.label(),
            state: state_label,
            href: answerable.then(|| format!("/inscription/{token}/evaluation/{}", segment(kind))),
        });
    }
    Ok(offers)
}

/// One question as the form shows it.
pub struct QuestionView {
    pub key: String,
    pub label: String,
    pub required: bool,
    /// `radios`, `checkboxes`, `textarea` or `number`.
    pub control: &'static str,
    /// (value, label, checked)
    pub options: Vec<(String, String, bool)>,
    /// The typed value of a text or number question.
    pub value: String,
    pub hint: Option<String>,
}

pub struct SectionView {
    pub title: String,
    pub questions: Vec<QuestionView>,
}

#[derive(Template)]
#[template(path = "evaluations/form.html")]
struct FormPage {
    layout: Layout,
    action: String,
    /// Where « ← » leads, and its words.
    back: Option<(String, &'static str)>,
    title: String,
    intro: String,
    training: String,
    sections: Vec<SectionView>,
    errors: FieldErrors,
}

/// The questionnaire's questions with the values to show: the answers read (or the typed text
/// of a refused form).
fn sections(q: &Questionnaire, answers: &Answers, typed: &[(String, String)], objectives: &[String]) -> Vec<SectionView> {
    let typed_of = |key: &str| typed.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    q.sections
        .iter()
        .map(|s| SectionView {
            title: s.title.clone(),
            questions: s
                .questions
                .iter()
                .map(|question| {
                    let answer = answers.get(&question.key);
                    let chosen = |i: i64| match answer {
                        Some(Answer::Number(n)) => *n == i,
                        Some(Answer::Choices(c)) => usize::try_from(i).is_ok_and(|i| c.contains(&i)),
                        _ => false,
                    };
                    let levels = |labels: &[&str]| -> Vec<(String, String, bool)> {
                        labels.iter().enumerate().map(|(i, l)| ((i + 1).to_string(), l.to_string(), chosen(i as i64 + 1))).collect()
                    };
                    let choices = |options: &[String]| -> Vec<(String, String, bool)> {
                        options.iter().enumerate().map(|(i, o)| (i.to_string(), o.clone(), chosen(i as i64))).collect()
                    };
                    let (control, options, hint) = match &question.kind {
                        QuestionKind::Satisfaction => ("radios", levels(&SATISFACTION_LEVELS), None),
                        QuestionKind::Scale => (
                            "radios",
                            (1..=5).map(|n| (n.to_string(), n.to_string(), chosen(n))).collect(),
                            Some("De 1 (pas du tout) à 5 (tout à fait).".to_owned()),
                        ),
                        QuestionKind::SelfAssessment { objective } => {
                            ("radios", levels(&MASTERY_LEVELS), objectives.get(*objective).map(|_| "Objectif de la formation : situez-vous.".to_owned()))
                        }
                        QuestionKind::SingleChoice { options } => ("radios", choices(options), None),
                        QuestionKind::MultipleChoice { options } => ("checkboxes", choices(options), Some("Plusieurs réponses possibles.".to_owned())),
                        QuestionKind::Text => ("textarea", Vec::new(), None),
                        QuestionKind::Number { .. } => ("number", Vec::new(), None),
                    };
                    let value = typed_of(&question.key).unwrap_or_else(|| match answer {
                        Some(Answer::Text(t)) => t.clone(),
                        Some(Answer::Number(n)) if control == "number" => n.to_string(),
                        _ => String::new(),
                    });
                    QuestionView { key: question.key.clone(), label: question.label.clone(), required: question.required, control, options, value, hint }
                })
                .collect(),
        })
        .collect()
}

struct Context {
    row: RegistrationRow,
    session: SessionDetail,
    kind: EvaluationKind,
    questionnaire: Questionnaire,
    objectives: Vec<String>,
    /// The saved draft's answers.
    saved: Answers,
}

enum Refusal {
    NotFound,
    /// Not answerable now, with the notice code that says why.
    Closed(&'static str),
}

/// How the questionnaire is reached: from the personal link, or from a reminder's link (which
/// opens this one questionnaire and nothing else of the registration).
enum Entry {
    Personal { token: String, kind: EvaluationKind },
    Reminder { token: String },
}

impl Entry {
    fn form_path(&self) -> String {
        match self {
            Entry::Personal { token, kind } => format!("/inscription/{token}/evaluation/{}", segment(*kind)),
            Entry::Reminder { token } => format!("/evaluation/{token}"),
        }
    }

    /// Where to go after an answer or a refusal, with a notice.
    fn after(&self, notice: &str) -> String {
        match self {
            Entry::Personal { token, .. } => format!("/inscription/{token}?ok={notice}"),
            Entry::Reminder { token } => format!("/evaluation/{token}?ok={notice}"),
        }
    }

    fn back(&self) -> Option<(String, &'static str)> {
        match self {
            Entry::Personal { token, .. } => Some((format!("/inscription/{token}"), "Mon inscription")),
            Entry::Reminder { .. } => None,
        }
    }

    async fn registration(&self, state: &AppState) -> Result<Option<(RegistrationRow, EvaluationKind)>, StoreError> {
        let (row, kind) = match self {
            Entry::Personal { token, kind } => (state.store.registration_by_link(&hash_token(token)).await?, *kind),
            Entry::Reminder { token } => {
                let Some((id, kind)) = state.store.reminder_by_link(&hash_token(token)).await? else { return Ok(None) };
                let Some(session) = state.store.registration_session(id).await? else { return Ok(None) };
                (state.store.session_registrations(session).await?.into_iter().find(|r| r.id == id), kind)
            }
        };
        Ok(row.filter(|r| r.status == RegistrationStatus::Confirmed).map(|r| (r, kind)))
    }
}

async fn context(state: &AppState, entry: &Entry) -> Result<Result<Context, Refusal>, StoreError> {
    let Some((row, kind)) = entry.registration(state).await? else { return Ok(Err(Refusal::NotFound)) };
    let Some(session) = state.store.session(row.session_id).await? else { return Ok(Err(Refusal::NotFound)) };
    let response = state.store.evaluation_response(row.id, kind).await?;
    if response.as_ref().is_some_and(|r| r.submitted_at.is_some()) {
        return Ok(Err(Refusal::Closed("evaluation-envoyee")));
    }
    let Some((opens, closes)) = window(kind, &session, &row, state.organisation().cold_days()) else { return Ok(Err(Refusal::NotFound)) };
    let now = paris_now();
    if now < opens || now > closes {
        return Ok(Err(Refusal::Closed("evaluation-fermee")));
    }
    let objectives = crate::certificates::program_of(state, &session).await?.map(|p| p.objectives).unwrap_or_default();
    // A draft keeps the questionnaire it was started on.
    let (questionnaire, saved) = match response.and_then(|r| Some((serde_json::from_str(&r.questionnaire).ok()?, serde_json::from_str(&r.answers).ok()?))) {
        Some(kept) => kept,
        None => (questionnaire_for(state, &session.program_slug, kind, &objectives).await?, Answers::new()),
    };
    Ok(Ok(Context { row, session, kind, questionnaire, objectives, saved }))
}

fn page(state: &AppState, entry: &Entry, ctx: &Context, answers: &Answers, typed: &[(String, String)], errors: FieldErrors) -> FormPage {
    FormPage {
        layout: state.layout(ctx.questionnaire.title.clone(), "sessions"),
        action: entry.form_path(),
        back: entry.back(),
        title: ctx.questionnaire.title.clone(),
        intro: ctx.questionnaire.intro.clone(),
        training: ctx.session.program_title.clone(),
        sections: sections(&ctx.questionnaire, answers, typed, &ctx.objectives),
        errors,
    }
}

fn answer_page(page: FormPage, status: StatusCode) -> Response {
    match page.render() {
        Ok(html) => private((status, Html(html)).into_response()),
        Err(e) => {
            tracing::error!(error = ?e, "questionnaire");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// A reminder's link once its questionnaire is sent or closed: no personal page to go back
/// to, so the page says it.
#[derive(Template)]
#[template(path = "evaluations/closed.html")]
struct ClosedPage {
    layout: Layout,
    message: &'static str,
}

fn refused(state: &AppState, entry: &Entry, refusal: Refusal) -> Response {
    match (refusal, entry) {
        (Refusal::NotFound, _) => crate::site::registration::link_missing(state),
        (Refusal::Closed(notice), Entry::Personal { .. }) => Redirect::to(&entry.after(notice)).into_response(),
        (Refusal::Closed(notice), Entry::Reminder { .. }) => {
            let message = crate::site::registration::notice_text(notice).unwrap_or("Ce questionnaire n'est pas ouvert en ce moment.");
            match (ClosedPage { layout: state.layout("Votre avis sur la formation", "sessions"), message }).render() {
                Ok(html) => private(Html(html).into_response()),
                Err(e) => internal(state, e.into()),
            }
        }
    }
}

async fn show_entry(state: &AppState, entry: Entry) -> Response {
    match context(state, &entry).await {
        Ok(Ok(ctx)) => answer_page(page(state, &entry, &ctx, &ctx.saved, &[], FieldErrors::default()), StatusCode::OK),
        Ok(Err(r)) => refused(state, &entry, r),
        Err(e) => internal(state, e.into()),
    }
}

pub async fn show(State(state): State<AppState>, Path((token, segment)): Path<(String, String)>) -> Response {
    let Some(kind) = kind_of(&segment) else { return crate::site::registration::link_missing(&state) };
    show_entry(&state, Entry::Personal { token, kind }).await
}

/// A reminder's link: the one questionnaire it was sent about.
pub async fn reminder_show(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    show_entry(&state, Entry::Reminder { token }).await
}

pub async fn submit(State(state): State<AppState>, Path((token, segment)): Path<(String, String)>, RawForm(body): RawForm) -> Response {
    let Some(kind) = kind_of(&segment) else { return crate::site::registration::link_missing(&state) };
    submit_entry(&state, Entry::Personal { token, kind }, &body).await
}

pub async fn reminder_submit(State(state): State<AppState>, Path(token): Path<String>, RawForm(body): RawForm) -> Response {
    submit_entry(&state, Entry::Reminder { token }, &body).await
}

/// Saves the draft (« Enregistrer et finir plus tard ») or sends the answers (« Envoyer mes
/// réponses »): a draft keeps what is valid and says what is not; sending needs every required
/// question.
/// A questionnaire's form as posted and read: sent or kept as a draft, with the answers and
/// what to store (the questionnaire answered and the answers, as JSON).
struct Posted {
    send: bool,
    answers: Answers,
    questionnaire: String,
    answers_json: String,
}

/// A form refused: the answers read, the form as typed, the errors by question.
struct Refused {
    answers: Answers,
    form: Vec<(String, String)>,
    errors: FieldErrors,
}

/// Reads a posted questionnaire (« envoyer » asks for every required answer, a draft does not).
fn read_posted(questionnaire: &Questionnaire, body: &[u8]) -> Result<Posted, Refused> {
    let form: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    let send = form.iter().any(|(k, v)| k == "action" && v == "envoyer");
    let (answers, errors) = read_answers(questionnaire, &form, !send);
    if !errors.is_empty() {
        return Err(Refused { answers, form, errors });
    }
    // Both are plain data (strings, numbers, maps): serialising them cannot fail.
    let questionnaire = serde_json::to_string(questionnaire).unwrap_or_default();
    let answers_json = serde_json::to_string(&answers).unwrap_or_default();
    Ok(Posted { send, answers, questionnaire, answers_json })
}

async fn submit_entry(state: &AppState, entry: Entry, body: &[u8]) -> Response {
    let ctx = match context(state, &entry).await {
        Ok(Ok(ctx)) => ctx,
        Ok(Err(r)) => return refused(state, &entry, r),
        Err(e) => return internal(state, e.into()),
    };
    let Posted { send, answers, questionnaire, answers_json } = match read_posted(&ctx.questionnaire, body) {
        Ok(posted) => posted,
        // What was typed comes back as typed; the choices as read.
        Err(Refused { answers, form, errors }) => {
            return answer_page(page(state, &entry, &ctx, &answers, &form, errors), StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let overall = ctx.questionnaire.overall().and_then(|q| match answers.get(&q.key) {
        Some(Answer::Number(n)) => Some(*n),
        _ => None,
    });
    let draft = ResponseDraft {
        registration_id: ctx.row.id,
        session_id: ctx.row.session_id,
        kind: ctx.kind,
        questionnaire: &questionnaire,
        answers: &answers_json,
        overall,
        submit: send,
        at: Utc::now(),
    };
    match state.store.save_evaluation(&draft, "stagiaire").await {
        Ok(()) => {
            if send && overall.is_some() {
                // The sheet's published rate moves with this answer.
                state.catalogue_changed();
            }
            Redirect::to(&entry.after(if send { "evaluation" } else { "evaluation-brouillon" })).into_response()
        }
        Err(StoreError::Conflict(_)) => Redirect::to(&entry.after("evaluation-envoyee")).into_response(),
        Err(e) => internal(state, e.into()),
    }
}

/// Each trainer's satisfaction rate over the sessions they led (same rule as the sheets).
pub async fn rates_by_trainer(state: &AppState) -> Result<std::collections::HashMap<i64, SatisfactionRate>, StoreError> {
    let today = Utc::now().with_timezone(&chrono_tz::Europe::Paris).date_naive();
    let paris = |at: chrono::DateTime<Utc>| at.with_timezone(&chrono_tz::Europe::Paris).date_naive();
    let mut by_trainer: std::collections::HashMap<i64, Vec<OverallAnswer>> = std::collections::HashMap::new();
    for (trainer, at, level) in state.store.overall_satisfaction_by_trainer(Utc::now() - Duration::days(370)).await? {
        by_trainer.entry(trainer).or_default().push(OverallAnswer { answered_on: paris(at), level });
    }
    Ok(by_trainer.into_iter().filter_map(|(t, answers)| satisfaction_rate(answers, today).map(|r| (t, r))).collect())
}

/// « 75 % (4 répondants) », as lists show a rate.
pub fn rate_label(rate: &SatisfactionRate) -> String {
    format!("{} ({} répondant{})", rate.percent(), rate.respondents, if rate.respondents > 1 { "s" } else { "" })
}

/// The satisfaction rate of a program from its sent hot evaluations over the last 12 months;
/// None when nobody answered (the sheet then shows what was written in it, if anything).
pub async fn published_rate(state: &AppState, slug: &str) -> Result<Option<SatisfactionRate>, StoreError> {
    let today = Utc::now().with_timezone(&chrono_tz::Europe::Paris).date_naive();
    // A little more than 12 months: the rule itself cuts at the same day a year before.
    let since = Utc::now() - Duration::days(370);
    let answers = state.store.overall_satisfaction(slug, since).await?;
    let paris = |at: chrono::DateTime<Utc>| at.with_timezone(&chrono_tz::Europe::Paris).date_naive();
    Ok(satisfaction_rate(answers.into_iter().map(|(at, level)| OverallAnswer { answered_on: paris(at), level }), today))
}
