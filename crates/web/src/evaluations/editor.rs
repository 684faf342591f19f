//! The questionnaire builder of a program (`/gestion/programmes/{slug}/questionnaires`): one
//! questionnaire per kind, the built-in model until someone writes another. Each button (add a
//! section or a question, move, remove) posts the whole form and shows it again with the step
//! applied; only « Enregistrer » checks and saves. Answers already given keep the questionnaire
//! they answered.

use askama::Template;
use axum::extract::{Path, Query, RawForm, State};
use axum::response::Response;
use forma_domain::FieldErrors;
use forma_domain::evaluation::{EvaluationKind, QuestionKind, Questionnaire};
use forma_domain::questionnaire_editor::{EditorAction, TYPES, apply, read_form, type_of};
use forma_store::{StoreError, User};

use super::{kind_of_segment, segment};
use crate::auth::CurrentUser;
use crate::gestion::layout::{Frame, NoticeQuery, done, internal, invalid, not_found, render};
use crate::state::AppState;

pub struct KindLine {
    pub label: &'static str,
    pub href: String,
    /// « Modèle de Forma » or « Personnalisé le … par … ».
    pub state: String,
}

#[derive(Template)]
#[template(path = "evaluations/questionnaires.html")]
struct ListPage {
    frame: Frame,
    slug: String,
    title: String,
    kinds: Vec<KindLine>,
}

pub struct QuestionEdit {
    pub s: usize,
    pub i: usize,
    /// « 3 », numbered across the questionnaire.
    pub number: usize,
    pub key: String,
    pub label: String,
    pub kind: &'static str,
    pub options: String,
    pub min: String,
    pub max: String,
    pub objective: usize,
    pub required: bool,
    pub overall: bool,
    pub label_error: Option<String>,
    pub options_error: Option<String>,
    pub first: bool,
    pub last: bool,
}

pub struct SectionEdit {
    pub s: usize,
    pub title: String,
    pub title_error: Option<String>,
    pub questions: Vec<QuestionEdit>,
}

#[derive(Template)]
#[template(path = "evaluations/questionnaire_editor.html")]
struct EditorPage {
    frame: Frame,
    slug: String,
    program_title: String,
    action: String,
    kind_label: &'static str,
    /// Whether a written questionnaire is stored (« Revenir au modèle » is offered).
    custom: bool,
    title: String,
    intro: String,
    sections: Vec<SectionEdit>,
    objectives: Vec<String>,
    types: &'static [(&'static str, &'static str)],
    errors: FieldErrors,
    /// Shown after a step (not a save): the page holds changes not saved yet.
    unsaved: bool,
}

fn view(q: &Questionnaire, errors: &FieldErrors) -> Vec<SectionEdit> {
    let last_section = q.sections.len().saturating_sub(1);
    let mut number = 0;
    q.sections
        .iter()
        .enumerate()
        .map(|(s, section)| SectionEdit {
            s,
            title: section.title.clone(),
            title_error: errors.get(&format!("section-{s}-title")).map(str::to_owned),
            questions: section
                .questions
                .iter()
                .enumerate()
                .map(|(i, question)| {
                    number += 1;
                    let (options, min, max, objective) = match &question.kind {
                        QuestionKind::SingleChoice { options } | QuestionKind::MultipleChoice { options } => {
                            (options.join("\n"), String::new(), String::new(), 0)
                        }
                        QuestionKind::Number { min, max } => {
                            (String::new(), min.map(|m| m.to_string()).unwrap_or_default(), max.map(|m| m.to_string()).unwrap_or_default(), 0)
                        }
                        QuestionKind::SelfAssessment { objective } => (String::new(), String::new(), String::new(), *objective),
                        _ => (String::new(), String::new(), String::new(), 0),
                    };
                    QuestionEdit {
                        s,
                        i,
                        number,
                        key: question.key.clone(),
                        label: question.label.clone(),
                        kind: type_of(&question.kind),
                        options,
                        min,
                        max,
                        objective,
                        required: question.required,
                        overall: question.overall,
                        label_error: errors.get(&format!("{}-label", question.key)).map(str::to_owned),
                        options_error: errors.get(&format!("{}-options", question.key)).map(str::to_owned),
                        first: s == 0 && i == 0,
                        last: s == last_section && i + 1 == section.questions.len(),
                    }
                })
                .collect(),
        })
        .collect()
}

/// The program's title and objectives as the editor holds them (the draft, if any).
async fn program(state: &AppState, slug: &str) -> Result<Option<(String, Vec<String>)>, StoreError> {
    Ok(state.store.editable_program(slug).await?.map(|p| (p.program.title, p.program.objectives)))
}

pub async fn list(State(state): State<AppState>, current: CurrentUser, Path(slug): Path<String>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let loaded = async {
        let Some((title, _)) = program(&state, &slug).await? else { return Ok::<_, StoreError>(None) };
        let written = state.store.program_questionnaires(&slug).await?;
        let kinds = EvaluationKind::ALL
            .into_iter()
            .map(|kind| {
                let stored = written.iter().find(|w| w.kind == kind.as_str());
                KindLine {
                    label: kind.label(),
                    href: format!("/gestion/programmes/{slug}/questionnaires/{}", segment(kind)),
                    state: match stored {
                        Some(w) => format!("Personnalisé, enregistré le {} par {}", crate::auth::invitation::until(w.updated_at), w.updated_by),
                        None => "Modèle de Forma".to_owned(),
                    },
                }
            })
            .collect();
        Ok(Some(ListPage { frame: Frame::new(&state, user, format!("Questionnaires — {title}"), "programmes"), slug: slug.clone(), title, kinds }))
    };
    match loaded.await {
        Ok(Some(p)) => render(&state, p),
        Ok(None) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}

#[allow(clippy::too_many_arguments)]
fn editor_page(
    state: &AppState,
    user: &User,
    slug: &str,
    (program_title, objectives): (String, Vec<String>),
    kind: EvaluationKind,
    custom: bool,
    q: &Questionnaire,
    errors: FieldErrors,
    notice: Option<&str>,
    unsaved: bool,
) -> EditorPage {
    EditorPage {
        frame: Frame::new(state, user, format!("{} — {program_title}", kind.label()), "programmes").notice(notice),
        slug: slug.to_owned(),
        program_title,
        action: format!("/gestion/programmes/{slug}/questionnaires/{}", segment(kind)),
        kind_label: kind.label(),
        custom,
        title: q.title.clone(),
        intro: q.intro.clone(),
        sections: view(q, &errors),
        objectives,
        types: &TYPES,
        errors,
        unsaved,
    }
}

pub async fn show(State(state): State<AppState>, current: CurrentUser, Path((slug, kind)): Path<(String, String)>, Query(q): Query<NoticeQuery>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let Some(kind) = kind_of_segment(&kind) else { return not_found(&state) };
    let loaded = async {
        let Some(program) = program(&state, &slug).await? else { return Ok::<_, StoreError>(None) };
        let stored = state.store.program_questionnaire(&slug, kind).await?;
        let questionnaire =
            stored.as_ref().and_then(|s| serde_json::from_str::<Questionnaire>(&s.body).ok()).unwrap_or_else(|| Questionnaire::template(kind, &program.1));
        Ok(Some(editor_page(&state, user, &slug, program, kind, stored.is_some(), &questionnaire, FieldErrors::default(), q.ok.as_deref(), false)))
    };
    match loaded.await {
        Ok(Some(p)) => render(&state, p),
        Ok(None) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}

/// A builder step (the form comes back with it applied, unsaved), « Enregistrer » (checked,
/// then saved and journaled) or « Revenir au modèle » (the written one is deleted).
pub async fn save(State(state): State<AppState>, current: CurrentUser, Path((slug, kind)): Path<(String, String)>, RawForm(body): RawForm) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let Some(kind) = kind_of_segment(&kind) else { return not_found(&state) };
    let path = format!("/gestion/programmes/{slug}/questionnaires/{}", segment(kind));
    let form: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let action = form.iter().find(|(k, _)| k == "action").map(|(_, v)| v.as_str()).unwrap_or_default();
    let program = match program(&state, &slug).await {
        Ok(Some(p)) => p,
        Ok(None) => return not_found(&state),
        Err(e) => return internal(&state, e.into()),
    };
    let custom = match state.store.program_questionnaire(&slug, kind).await {
        Ok(stored) => stored.is_some(),
        Err(e) => return internal(&state, e.into()),
    };
    if action == "modele" {
        return match state.store.delete_questionnaire(&slug, kind, &user.email).await {
            Ok(_) => done(&path, "questionnaire-modele"),
            Err(e) => internal(&state, e.into()),
        };
    }
    let (mut questionnaire, read_errors) = read_form(kind, &form);
    let step = EditorAction::parse(action);
    if step != EditorAction::Save {
        apply(&mut questionnaire, step);
        return render(&state, editor_page(&state, user, &slug, program, kind, custom, &questionnaire, read_errors, None, true));
    }
    let checked = questionnaire.clone().validated(program.1.len());
    match (checked, read_errors.is_empty()) {
        (Ok(valid), true) => {
            let Ok(json) = serde_json::to_string(&valid) else { return internal(&state, anyhow::anyhow!("questionnaire does not serialise")) };
            match state.store.save_questionnaire(&slug, kind, &json, &user.email).await {
                Ok(()) => done(&path, "questionnaire"),
                Err(StoreError::NotFound(_)) => not_found(&state),
                Err(e) => internal(&state, e.into()),
            }
        }
        (checked, _) => {
            let mut errors = read_errors;
            if let Err(e) = checked {
                errors.extend(e);
            }
            invalid(&state, editor_page(&state, user, &slug, program, kind, custom, &questionnaire, errors, None, true))
        }
    }
}
