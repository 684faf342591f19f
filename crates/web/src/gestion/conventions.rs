//! Conventions (agreements) in the back-office: drafted from a session for one of its clients,
//! numbered « NN/YY », priced, sent then signed, printed as PDF; once signed, changed by avenants
//! (see `amendments.rs`).

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use forma_domain::FieldErrors;
use forma_domain::ProgramKind;
use forma_domain::agreement::{AgreementStatus, PriceBasis};
use forma_domain::french_date::long_date;
use forma_domain::money::euros;
use forma_store::{Agreement, AgreementTerms, Amendment, Client, SessionDetail, StoreError};
use serde::Deserialize;

use super::agreement_documents::convention_pdf;
use super::agreement_form::{AmendmentForm, DEFAULT_PAYMENT_TERMS, NewAgreementForm, TermsForm};
use super::editor_form::{FormData, parse_date};
use super::layout::{Frame, PathId, done, internal, invalid, not_found, render};
use crate::auth::CurrentUser;
use crate::site::today;
use crate::state::AppState;

/// Labels the templates need for the choices they offer.
pub struct Choice {
    pub value: String,
    pub label: String,
}

pub fn price_bases() -> Vec<Choice> {
    PriceBasis::ALL.iter().map(|b| Choice { value: b.as_str().into(), label: b.label().into() }).collect()
}

#[derive(Template)]
#[template(path = "gestion/conventions.html")]
struct ListPage {
    frame: Frame,
    agreements: Vec<Agreement>,
}

impl ListPage {
    fn total(&self, agreement: &Agreement) -> String {
        euros(agreement.price.total_excl_tax_cents())
    }

    fn date(&self, d: &chrono::NaiveDate) -> String {
        long_date(*d)
    }
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    ok: Option<String>,
}

pub async fn list(State(state): State<AppState>, current: CurrentUser, Query(q): Query<NoticeQuery>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    match state.store.agreements(None).await {
        Ok(agreements) => render(&state, ListPage { frame: Frame::new(&state, user, "Conventions", "conventions").notice(q.ok.as_deref()), agreements }),
        Err(e) => internal(&state, e.into()),
    }
}

#[derive(Template)]
#[template(path = "gestion/convention_new.html")]
struct NewPage {
    frame: Frame,
    session: SessionDetail,
    clients: Vec<Client>,
    form: NewAgreementForm,
    bases: Vec<Choice>,
    errors: FieldErrors,
}

#[derive(Deserialize)]
pub struct SessionQuery {
    session: Option<String>,
}

/// A fresh form: the INTRA client, one unit per day for a group price, the default payment clause.
fn new_form(session: &SessionDetail) -> NewAgreementForm {
    let days = session.days.len().max(1);
    let (basis, quantity) = match session.kind {
        ProgramKind::Intra => (PriceBasis::PerGroupDay, days.to_string()),
        ProgramKind::Inter => (PriceBasis::PerTrainee, "1".to_owned()),
    };
    NewAgreementForm {
        client: session.client_id.map(|c| c.to_string()).unwrap_or_default(),
        number: String::new(),
        issued_on: today().format("%Y-%m-%d").to_string(),
        terms: TermsForm {
            basis: basis.as_str().into(),
            quantity,
            vat: "exonere".into(),
            payment_terms: DEFAULT_PAYMENT_TERMS.into(),
            ..TermsForm::default()
        },
    }
}

async fn new_page(state: &AppState, user: &forma_store::User, session: SessionDetail, form: NewAgreementForm, errors: FieldErrors) -> Result<NewPage, StoreError> {
    let mut clients = state.store.clients().await?;
    if let Some(only) = session.client_id {
        clients.retain(|c| c.id == only);
    }
    Ok(NewPage { frame: Frame::new(state, user, "Nouvelle convention", "conventions"), session, clients, form, bases: price_bases(), errors })
}

pub async fn new_form_page(State(state): State<AppState>, current: CurrentUser, Query(q): Query<SessionQuery>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let Some(id) = q.session.and_then(|s| s.parse::<i64>().ok()) else { return not_found(&state) };
    let session = match state.store.session(id).await {
        Ok(Some(s)) => s,
        Ok(None) => return not_found(&state),
        Err(e) => return internal(&state, e.into()),
    };
    let form = new_form(&session);
    match new_page(&state, user, session, form, FieldErrors::default()).await {
        Ok(p) => render(&state, p),
        Err(e) => internal(&state, e.into()),
    }
}

pub async fn create(State(state): State<AppState>, current: CurrentUser, body: Bytes) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let data = FormData::parse(&body);
    let Some(session_id) = data.get("session").parse::<i64>().ok() else { return not_found(&state) };
    let session = match state.store.session(session_id).await {
        Ok(Some(s)) => s,
        Ok(None) => return not_found(&state),
        Err(e) => return internal(&state, e.into()),
    };
    let form = NewAgreementForm::from_data(&data);
    let mut errors = match form.read() {
        Ok(new) => {
            if session.client_id.is_some_and(|c| c != new.client_id) {
                let mut e = FieldErrors::default();
                e.add("client", "Une session INTRA se conventionne avec son client.");
                e
            } else {
                match state.store.create_agreement(session_id, new.client_id, new.number, &new.terms, new.issued_on, &current.actor()).await {
                    Ok((id, _)) => return done(&format!("/gestion/conventions/{id}"), "convention"),
                    Err(StoreError::Conflict(m)) => {
                        let mut e = FieldErrors::default();
                        e.add("number", m);
                        e
                    }
                    Err(e) => return internal(&state, e.into()),
                }
            }
        }
        Err(e) => e,
    };
    if errors.is_empty() {
        errors.add("number", "La convention n'a pas pu être créée.");
    }
    match new_page(&state, user, session, form, errors).await {
        Ok(p) => invalid(&state, p),
        Err(e) => internal(&state, e.into()),
    }
}

/// An avenant as listed: its record and what it changes, in words.
pub struct AmendmentView {
    pub amendment: Amendment,
    pub summary: String,
}

#[derive(Template)]
#[template(path = "gestion/convention.html")]
pub(super) struct ShowPage {
    pub frame: Frame,
    pub agreement: Agreement,
    pub session: SessionDetail,
    pub amendments: Vec<AmendmentView>,
    pub terms: TermsForm,
    pub bases: Vec<Choice>,
    pub errors: FieldErrors,
    pub status_error: Option<String>,
    pub amendment: AmendmentForm,
    pub amendment_errors: FieldErrors,
    /// Venues, rooms and trainers an added day may use (prefilled with the last day's).
    pub venues: Vec<Choice>,
    pub rooms: Vec<Choice>,
    pub trainers: Vec<(i64, String)>,
    pub today: String,
}

impl ShowPage {
    pub fn total_excl(&self) -> String {
        euros(self.agreement.price.total_excl_tax_cents())
    }

    pub fn total_incl(&self) -> String {
        euros(self.agreement.price.total_incl_tax_cents())
    }

    pub fn vat(&self) -> String {
        match self.agreement.price.vat_rate_bp {
            Some(_) => euros(self.agreement.price.vat_cents()),
            None => "exonérée".into(),
        }
    }

    pub fn date(&self, d: &chrono::NaiveDate) -> String {
        long_date(*d)
    }

    pub fn weekday_date(&self, d: &chrono::NaiveDate) -> String {
        forma_domain::french_date::long_date_with_weekday(*d)
    }

    pub fn money(&self, cents: &i64) -> String {
        euros(*cents)
    }

    pub fn editable(&self) -> bool {
        self.agreement.status.is_editable()
    }

    pub fn signed(&self) -> bool {
        self.agreement.status == AgreementStatus::Signed
    }

    pub fn pending_amendment(&self) -> bool {
        self.amendments.iter().any(|a| matches!(a.amendment.status, AgreementStatus::Draft | AgreementStatus::Sent))
    }
}

/// The convention page; `with` adjusts it (errors, kept input) before rendering.
pub(super) async fn show_page(state: &AppState, user: &forma_store::User, id: i64, notice: Option<&str>) -> Result<Option<ShowPage>, StoreError> {
    let Some(agreement) = state.store.agreement(id).await? else { return Ok(None) };
    let Some(session) = state.store.session(agreement.session_id).await? else { return Ok(None) };
    let amendments = state
        .store
        .amendments(id)
        .await?
        .into_iter()
        .map(|a| AmendmentView { summary: a.change.summary(), amendment: a })
        .collect();
    let terms = AgreementTerms { price: agreement.price, payment_terms: agreement.payment_terms.clone(), trainees: agreement.trainees.clone() };
    let choices = state.store.planning_choices().await?;
    let venue_name = |id: i64| choices.venues.iter().find(|v| v.id == id).map_or_else(String::new, |v| v.name.clone());
    let venues = choices.venues.iter().map(|v| Choice { value: v.id.to_string(), label: format!("{} ({})", v.name, v.city) }).collect();
    let rooms = choices
        .rooms
        .iter()
        .map(|r| Choice { value: r.id.to_string(), label: format!("{} ({}, {} places)", r.name, venue_name(r.venue_id), r.capacity) })
        .collect();
    // Active trainers, and whoever the session already has (an added day usually keeps them).
    let in_session = |id: i64| session.days.iter().any(|d| d.day.trainer_ids.contains(&id));
    let trainers = choices.trainers.iter().filter(|t| t.active || in_session(t.id)).map(|t| (t.id, t.name.clone())).collect();
    let amendment = AmendmentForm::prefilled(session.days.last().map(|d| &d.day), &terms, today());
    Ok(Some(ShowPage {
        frame: Frame::new(state, user, format!("Convention n° {}", agreement.number), "conventions").notice(notice),
        terms: TermsForm::from_terms(&terms),
        agreement,
        session,
        amendments,
        bases: price_bases(),
        errors: FieldErrors::default(),
        status_error: None,
        amendment,
        amendment_errors: FieldErrors::default(),
        venues,
        rooms,
        trainers,
        today: today().format("%Y-%m-%d").to_string(),
    }))
}

pub async fn show(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId, Query(q): Query<NoticeQuery>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    match show_page(&state, user, id, q.ok.as_deref()).await {
        Ok(Some(p)) => render(&state, p),
        Ok(None) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}

/// Saves the terms of a draft.
pub async fn update(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId, body: Bytes) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let form = TermsForm::from_data(&FormData::parse(&body));
    let errors = match form.terms() {
        Ok(terms) => match state.store.update_agreement_terms(id, &terms, &current.actor()).await {
            Ok(()) => return done(&format!("/gestion/conventions/{id}"), "convention-modifiee"),
            Err(StoreError::Conflict(m)) => {
                let mut e = FieldErrors::default();
                e.add("unit_price", m);
                e
            }
            Err(StoreError::NotFound(_)) => return not_found(&state),
            Err(e) => return internal(&state, e.into()),
        },
        Err(e) => e,
    };
    match show_page(&state, user, id, None).await {
        Ok(Some(mut p)) => {
            p.terms = form;
            p.errors = errors;
            invalid(&state, p)
        }
        Ok(None) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}

/// Reads the status a form asks for and the date it happened (today by default).
pub(super) fn status_request(data: &FormData) -> Result<(AgreementStatus, chrono::NaiveDate), String> {
    let status = AgreementStatus::parse(data.get("status")).ok_or_else(|| "Action inconnue.".to_owned())?;
    let on = match data.get("on").trim() {
        "" => today(),
        text => parse_date(text).ok_or_else(|| "Indiquez la date au format jj/mm/aaaa.".to_owned())?,
    };
    if on > today() {
        return Err("La date ne peut pas être dans le futur.".into());
    }
    Ok((status, on))
}

/// Sent, signed, back to draft or cancelled.
pub async fn set_status(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId, body: Bytes) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let data = FormData::parse(&body);
    let message = match status_request(&data) {
        Ok((status, on)) => match state.store.set_agreement_status(id, status, on, &current.actor()).await {
            Ok(()) => return done(&format!("/gestion/conventions/{id}"), status_notice(status)),
            Err(StoreError::Conflict(m)) => m,
            Err(StoreError::NotFound(_)) => return not_found(&state),
            Err(e) => return internal(&state, e.into()),
        },
        Err(m) => m,
    };
    match show_page(&state, user, id, None).await {
        Ok(Some(mut p)) => {
            p.status_error = Some(message);
            invalid(&state, p)
        }
        Ok(None) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}

pub(super) fn status_notice(status: AgreementStatus) -> &'static str {
    match status {
        AgreementStatus::Draft => "statut-brouillon",
        AgreementStatus::Sent => "statut-envoye",
        AgreementStatus::Signed => "statut-signe",
        AgreementStatus::Cancelled => "statut-annule",
    }
}

/// A PDF download, named after its document.
pub(crate) fn pdf_response(bytes: Vec<u8>, filename: &str) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, format!("inline; filename=\"{filename}\"")),
        ],
        bytes,
    )
        .into_response()
}

pub async fn pdf(State(state): State<AppState>, PathId(id): PathId) -> Response {
    let agreement = match state.store.agreement(id).await {
        Ok(Some(a)) => a,
        Ok(None) => return not_found(&state),
        Err(e) => return internal(&state, e.into()),
    };
    match convention_pdf(&state, &agreement).await {
        Ok(bytes) => pdf_response(bytes, &format!("convention-{}-{}.pdf", agreement.number.sequence, agreement.number.year)),
        Err(e) => internal(&state, e.into()),
    }
}
