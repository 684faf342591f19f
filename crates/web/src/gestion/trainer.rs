//! One trainer's page: the trainer's details, documents and declared unavailabilities. Document
//! uploads and downloads are in `trainer_documents.rs`.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::NaiveDate;
use forma_domain::FieldErrors;
use forma_domain::directory::{DocumentKind, DocumentUpload, NewUnavailability, TrainerForm, UnavailabilityForm};
use forma_store::{Provider, StoreError, Trainer, TrainerDocument, Unavailability, User};

use super::layout::{Frame, NoticeQuery, ParisTime, PathId, done, internal, invalid, not_found, render};
use super::trainers::{check_trainer, trainer_accounts, trainer_refusal};
use crate::auth::CurrentUser;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "gestion/trainer.html")]
pub(super) struct TrainerPage {
    frame: Frame,
    trainer: Trainer,
    /// The trainer form, as stored or as typed.
    form: TrainerForm,
    providers: Vec<Provider>,
    accounts: Vec<User>,
    documents: Vec<TrainerDocument>,
    kinds: [DocumentKind; 3],
    /// The upload form's fields as typed (the file itself is never sent back).
    upload: DocumentUpload,
    unavailabilities: Vec<Unavailability>,
    unavailability: UnavailabilityForm,
    /// Keys: `trainer-…`, `document-…`, `unavailability-…`.
    errors: FieldErrors,
}

impl ParisTime for TrainerPage {}

impl TrainerPage {
    /// « 13 juillet 2026 ».
    fn day(&self, day: &NaiveDate) -> String {
        forma_domain::french_date::long_date(*day)
    }

    /// « 245 Ko », « 1,2 Mo ».
    fn size(&self, bytes: &u64) -> String {
        if *bytes < 1024 * 1024 {
            format!("{} Ko", bytes.div_ceil(1024))
        } else {
            format!("{:.1} Mo", *bytes as f64 / (1024.0 * 1024.0)).replace('.', ",")
        }
    }
}

fn form_of(t: &Trainer) -> TrainerForm {
    TrainerForm {
        name: t.name.clone(),
        email: t.email.clone().unwrap_or_default(),
        phone: t.phone.clone().unwrap_or_default(),
        provider: t.provider_id.map(|id| id.to_string()).unwrap_or_default(),
        account: t.user_id.map(|id| id.to_string()).unwrap_or_default(),
        qualifications: t.qualifications.clone(),
        active: if t.active { "on".into() } else { String::new() },
    }
}

/// What a refused form puts back on the page.
#[derive(Default)]
pub(super) struct Typed {
    pub form: Option<TrainerForm>,
    pub upload: DocumentUpload,
    pub unavailability: UnavailabilityForm,
    pub errors: FieldErrors,
}

/// The trainer's page (422 when `typed` holds errors), or the 404 page.
pub(super) async fn answer(state: &AppState, user: &User, id: i64, notice: Option<&str>, typed: Typed) -> Response {
    let refused = !typed.errors.is_empty();
    let loaded = async {
        let Some(trainer) = state.store.trainer(id).await? else { return Ok::<_, StoreError>(None) };
        let (providers, accounts, documents, unavailabilities) = tokio::try_join!(
            state.store.providers(),
            trainer_accounts(state),
            state.store.trainer_documents(id),
            state.store.trainer_unavailabilities(id)
        )?;
        let mut upload = typed.upload;
        if upload.kind.is_empty() {
            upload.kind = DocumentKind::Cv.as_str().into();
        }
        Ok(Some(TrainerPage {
            frame: Frame::new(state, user, trainer.name.clone(), "formateurs").notice(notice),
            form: typed.form.unwrap_or_else(|| form_of(&trainer)),
            trainer,
            providers,
            accounts,
            documents,
            kinds: DocumentKind::ALL,
            upload,
            unavailability: typed.unavailability,
            unavailabilities,
            errors: typed.errors,
        }))
    };
    match loaded.await {
        Ok(Some(p)) if refused => invalid(state, p),
        Ok(Some(p)) => render(state, p),
        Ok(None) => not_found(state),
        Err(e) => internal(state, e.into()),
    }
}

pub async fn show(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId, Query(q): Query<NoticeQuery>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    answer(&state, user, id, q.ok.as_deref(), Typed::default()).await
}

pub async fn save(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId, Form(form): Form<TrainerForm>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let (providers, accounts) = match tokio::try_join!(state.store.providers(), trainer_accounts(&state)) {
        Ok(lists) => lists,
        Err(e) => return internal(&state, e.into()),
    };
    let errors = match check_trainer(&form, &providers, &accounts) {
        Ok(trainer) => match state.store.update_trainer(id, &trainer, &current.actor()).await {
            Ok(()) => return done(&format!("/gestion/formateurs/{id}"), "formateur"),
            Err(StoreError::NotFound(what)) if what.starts_with("formateur") => return not_found(&state),
            Err(e) => match trainer_refusal(e) {
                Ok(errors) => errors,
                Err(e) => return internal(&state, e.into()),
            },
        },
        Err(errors) => errors,
    };
    answer(&state, user, id, None, Typed { form: Some(form), errors, ..Typed::default() }).await
}

pub async fn add_unavailability(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId, Form(form): Form<UnavailabilityForm>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let errors = match NewUnavailability::validate(&form) {
        Ok(unavailability) => match state.store.add_unavailability(id, &unavailability, &current.actor()).await {
            Ok(_) => return done(&format!("/gestion/formateurs/{id}"), "indisponibilite"),
            Err(StoreError::NotFound(_)) => return not_found(&state),
            Err(e) => return internal(&state, e.into()),
        },
        Err(errors) => errors.prefixed("unavailability-"),
    };
    answer(&state, user, id, None, Typed { unavailability: form, errors, ..Typed::default() }).await
}

pub async fn delete_unavailability(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId) -> Response {
    match state.store.delete_unavailability(id, &current.actor()).await {
        Ok(trainer) => done(&format!("/gestion/formateurs/{trainer}"), "indisponibilite-supprimee"),
        Err(StoreError::NotFound(_)) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}
