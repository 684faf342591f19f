//! Trainers and providers: the lists, a new trainer, a new provider. A trainer's own page is in
//! `trainer.rs`.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use forma_domain::FieldErrors;
use forma_domain::account::Role;
use forma_domain::directory::{NewProvider, NewTrainer, ProviderForm, TrainerForm};
use forma_store::{Provider, StoreError, Trainer, User};

use super::layout::{Frame, NoticeQuery, done, internal, invalid, not_found, render};
use crate::auth::CurrentUser;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "gestion/trainers.html")]
struct TrainersPage {
    frame: Frame,
    trainers: Vec<Trainer>,
    /// Each trainer's satisfaction over 12 months, as shown: « 75 % (4 répondants) ».
    satisfaction: std::collections::HashMap<i64, String>,
    providers: Vec<Provider>,
    accounts: Vec<User>,
    /// The new-trainer form.
    form: TrainerForm,
    provider: ProviderForm,
    /// Keys: `trainer-…`, `provider-…`.
    errors: FieldErrors,
}

impl TrainersPage {
    fn count_for(&self, provider: &i64) -> usize {
        self.trainers.iter().filter(|t| t.provider_id == Some(*provider)).count()
    }
}

/// The accounts a trainer may be tied to: profile « formateur ».
pub async fn trainer_accounts(state: &AppState) -> Result<Vec<User>, StoreError> {
    Ok(state.store.users().await?.into_iter().filter(|u| u.role == Role::Formateur).collect())
}

/// Checks the trainer form, including that its provider and account are among those offered.
pub fn check_trainer(form: &TrainerForm, providers: &[Provider], accounts: &[User]) -> Result<NewTrainer, FieldErrors> {
    let trainer = NewTrainer::validate(form).map_err(|e| e.prefixed("trainer-"))?;
    let mut errors = FieldErrors::default();
    if trainer.provider_id.is_some_and(|id| !providers.iter().any(|p| p.id == id)) {
        errors.add("trainer-provider", "Choisissez un prestataire dans la liste, ou « interne ».");
    }
    if trainer.user_id.is_some_and(|id| !accounts.iter().any(|a| a.id == id)) {
        errors.add("trainer-account", "Choisissez un compte « formateur » dans la liste.");
    }
    errors.into_result().map(|()| trainer)
}

/// The store's refusal of a trainer, next to its field.
pub fn trainer_refusal(error: StoreError) -> Result<FieldErrors, StoreError> {
    let mut errors = FieldErrors::default();
    match error {
        StoreError::Conflict(m) => errors.add("trainer-account", m),
        StoreError::NotFound(_) => errors.add("trainer-provider", "Ce prestataire ou ce compte n'existe plus : choisissez de nouveau."),
        e => return Err(e),
    }
    Ok(errors)
}

async fn page(
    state: &AppState,
    user: &User,
    notice: Option<&str>,
    form: TrainerForm,
    provider: ProviderForm,
    errors: FieldErrors,
) -> Result<TrainersPage, StoreError> {
    let (trainers, providers, accounts, rates) =
        tokio::try_join!(state.store.trainers(), state.store.providers(), trainer_accounts(state), crate::evaluations::rates_by_trainer(state))?;
    let satisfaction = rates.iter().map(|(id, r)| (*id, crate::evaluations::rate_label(r))).collect();
    Ok(TrainersPage {
        frame: Frame::new(state, user, "Formateurs", "formateurs").notice(notice),
        trainers,
        satisfaction,
        providers,
        accounts,
        form,
        provider,
        errors,
    })
}

async fn refuse(state: &AppState, user: &User, form: TrainerForm, provider: ProviderForm, errors: FieldErrors) -> Response {
    match page(state, user, None, form, provider, errors).await {
        Ok(p) => invalid(state, p),
        Err(e) => internal(state, e.into()),
    }
}

pub async fn list(State(state): State<AppState>, current: CurrentUser, Query(q): Query<NoticeQuery>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    match page(&state, user, q.ok.as_deref(), TrainerForm::blank(), ProviderForm::default(), FieldErrors::default()).await {
        Ok(p) => render(&state, p),
        Err(e) => internal(&state, e.into()),
    }
}

pub async fn create(State(state): State<AppState>, current: CurrentUser, Form(form): Form<TrainerForm>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let (providers, accounts) = match tokio::try_join!(state.store.providers(), trainer_accounts(&state)) {
        Ok(lists) => lists,
        Err(e) => return internal(&state, e.into()),
    };
    let errors = match check_trainer(&form, &providers, &accounts) {
        Ok(trainer) => match state.store.create_trainer(&trainer, &current.actor()).await {
            Ok(id) => return done(&format!("/gestion/formateurs/{id}"), "formateur"),
            Err(e) => match trainer_refusal(e) {
                Ok(errors) => errors,
                Err(e) => return internal(&state, e.into()),
            },
        },
        Err(errors) => errors,
    };
    refuse(&state, user, form, ProviderForm::default(), errors).await
}

pub async fn create_provider(State(state): State<AppState>, current: CurrentUser, Form(form): Form<ProviderForm>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let errors = match NewProvider::validate(&form) {
        Ok(provider) => match state.store.create_provider(&provider, &current.actor()).await {
            Ok(_) => return done("/gestion/formateurs", "prestataire"),
            Err(StoreError::Conflict(m)) => {
                let mut errors = FieldErrors::default();
                errors.add("provider-name", m);
                errors
            }
            Err(e) => return internal(&state, e.into()),
        },
        Err(errors) => errors.prefixed("provider-"),
    };
    refuse(&state, user, TrainerForm::blank(), form, errors).await
}
