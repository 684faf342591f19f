//! Sessions and conventions through the API, with a scoped token: `planning:read` to read them
//! (INTRA sessions and conventions are the clients' business, never public), `planning:write`
//! to plan a session and to draft, send or sign a convention. Same rules as the back-office:
//! validation by field, blocking conflicts refused, everything journaled under the token's name.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, NaiveTime};
use forma_domain::agreement::{AgreementPrice, AgreementStatus, PriceBasis};
use forma_domain::agreement_number::AgreementNumber;
use forma_domain::conflicts::{Conflict, Severity, any_blocking};
use forma_domain::half_day::{DaySchedule, Slot};
use forma_domain::session::{DayHeadcount, PlannedDay, SessionPlan};
use forma_domain::{FieldErrors, ProgramKind};
use forma_store::{Agreement, AgreementTerms, SessionDetail, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::api_token::ApiActor;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// One half-day, local time (Europe/Paris).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HalfDayIo {
    #[schema(value_type = String, example = "09:00:00", pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$")]
    start: NaiveTime,
    #[schema(value_type = String, example = "12:30:00", pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$")]
    end: NaiveTime,
}

/// A planned day.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DayIo {
    #[schema(value_type = String, format = Date, pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    date: NaiveDate,
    /// Position (from 1) of the day's module in `modules`.
    #[serde(default)]
    module: Option<u32>,
    #[serde(default)]
    title: String,
    /// Absent: no morning. Both absent: 09:00–12:30 and 13:30–17:00.
    #[serde(default)]
    morning: Option<HalfDayIo>,
    #[serde(default)]
    afternoon: Option<HalfDayIo>,
    #[serde(default)]
    venue_id: Option<i64>,
    #[serde(default)]
    room_id: Option<i64>,
    /// Where, in words, when no venue is given.
    #[serde(default)]
    place: String,
    #[serde(default)]
    trainer_ids: Vec<i64>,
    #[serde(default)]
    audience: String,
    #[serde(default)]
    headcount_min: Option<u32>,
    #[serde(default)]
    headcount_max: Option<u32>,
}

impl DayIo {
    fn planned(&self) -> PlannedDay {
        let slot = |h: &Option<HalfDayIo>| h.as_ref().map(|h| Slot { start: h.start, end: h.end });
        let schedule = match (&self.morning, &self.afternoon) {
            (None, None) => DaySchedule::default(),
            (m, a) => DaySchedule { morning: slot(m), afternoon: slot(a) },
        };
        PlannedDay {
            date: self.date,
            module: self.module,
            title: self.title.trim().to_owned(),
            schedule,
            venue_id: self.venue_id,
            room_id: self.room_id,
            place: self.place.trim().to_owned(),
            trainer_ids: self.trainer_ids.clone(),
            audience: self.audience.trim().to_owned(),
            headcount: self.headcount_min.zip(self.headcount_max).map(|(min, max)| DayHeadcount { min, max }),
        }
    }

    fn from_planned(day: &PlannedDay) -> Self {
        let half = |s: Option<Slot>| s.map(|s| HalfDayIo { start: s.start, end: s.end });
        DayIo {
            date: day.date,
            module: day.module,
            title: day.title.clone(),
            morning: half(day.schedule.morning),
            afternoon: half(day.schedule.afternoon),
            venue_id: day.venue_id,
            room_id: day.room_id,
            place: day.place.clone(),
            trainer_ids: day.trainer_ids.clone(),
            audience: day.audience.clone(),
            headcount_min: day.headcount.map(|h| h.min),
            headcount_max: day.headcount.map(|h| h.max),
        }
    }
}

/// A session to plan.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewSessionIo {
    /// The published program's identifier.
    program: String,
    kind: ProgramKind,
    /// Required for INTRA, refused for INTER.
    #[serde(default)]
    client_id: Option<i64>,
    #[serde(default)]
    capacity: Option<u32>,
    #[serde(default)]
    modules: Vec<String>,
    days: Vec<DayIo>,
}

/// A planning conflict: `blocking` ones refuse the plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConflictIo {
    #[schema(value_type = String, format = Date)]
    date: NaiveDate,
    blocking: bool,
    message: String,
}

impl From<&Conflict> for ConflictIo {
    fn from(c: &Conflict) -> Self {
        ConflictIo { date: c.date, blocking: c.severity == Severity::Blocking, message: c.message.clone() }
    }
}

/// A planned session.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionIo {
    id: i64,
    program_slug: String,
    program_title: String,
    program_version: Option<i64>,
    kind: ProgramKind,
    client_id: Option<i64>,
    client_name: Option<String>,
    capacity: Option<u32>,
    cancelled: bool,
    modules: Vec<String>,
    days: Vec<DayIo>,
    /// Training time, in minutes, counted from the half-days.
    total_minutes: u32,
    /// Conflicts left (warnings) when the session was planned; empty on reads.
    warnings: Vec<ConflictIo>,
}

impl SessionIo {
    fn new(s: SessionDetail, warnings: Vec<ConflictIo>) -> Self {
        SessionIo {
            total_minutes: s.plan().total().0,
            days: s.days.iter().map(|d| DayIo::from_planned(&d.day)).collect(),
            id: s.id,
            program_slug: s.program_slug,
            program_title: s.program_title,
            program_version: s.program_version,
            kind: s.kind,
            client_id: s.client_id,
            client_name: s.client_name,
            capacity: s.capacity,
            cancelled: s.cancelled,
            modules: s.modules,
            warnings,
        }
    }
}

fn json<T: for<'de> Deserialize<'de>>(payload: Result<Json<serde_json::Value>, JsonRejection>) -> Result<T, ApiError> {
    let Json(mut value) = payload.map_err(|r| ApiError::BadRequest(format!("JSON illisible : {}", r.body_text())))?;
    super::program_writes::integral_numbers(&mut value);
    serde_json::from_value(value).map_err(|e| ApiError::BadRequest(format!("JSON illisible : {e}")))
}

fn not_found(what: &str, id: i64) -> ApiError {
    ApiError::NotFound(format!("{what} n° {id} introuvable"))
}

/// An id from the address; anything that is not one names nothing (404, not axum's 400).
fn path_id(what: &str, Path(text): Path<String>) -> Result<i64, ApiError> {
    text.parse().map_err(|_| ApiError::NotFound(format!("{what} « {text} » introuvable")))
}

/// Read a session
#[utoipa::path(
    get,
    path = "/sessions/{id}",
    tag = "planification",
    params(("id" = i64, Path, description = "Numéro de la session")),
    security(("jeton" = ["planning:read"])),
    responses(
        (status = 200, body = SessionIo),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn get_session(State(state): State<AppState>, path: Path<String>) -> Result<Json<SessionIo>, ApiError> {
    let id = path_id("session", path)?;
    let session = state.store.session(id).await?.ok_or_else(|| not_found("session", id))?;
    Ok(Json(SessionIo::new(session, Vec::new())))
}

/// Plan a session from a published program
#[utoipa::path(
    post,
    path = "/sessions",
    tag = "planification",
    request_body = NewSessionIo,
    security(("jeton" = ["planning:write"])),
    responses(
        (status = 201, description = "Session planifiée (avec ses éventuels avertissements)", body = SessionIo),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Fiche inconnue ou non publiée", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Deux journées à la même date", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Règles de saisie non respectées, ou conflit bloquant (formateur ou salle déjà pris, indisponibilité, salle trop petite) : liste par journée", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn create_session(
    State(state): State<AppState>,
    Extension(actor): Extension<ApiActor>,
    payload: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<Response, ApiError> {
    let input: NewSessionIo = json(payload)?;
    let plan = SessionPlan {
        kind: input.kind,
        client_id: input.client_id,
        capacity: input.capacity,
        modules: input.modules,
        days: input.days.iter().map(DayIo::planned).collect(),
    }
    .validated()
    .map_err(|e| ApiError::Unprocessable("la session ne respecte pas les règles de planification".into(), e))?;
    let conflicts = state.store.plan_conflicts(&plan.days, None, &[]).await?;
    if any_blocking(&conflicts) {
        let mut errors = FieldErrors::default();
        for c in conflicts.iter().filter(|c| c.severity == Severity::Blocking) {
            errors.add(format!("days[{}]", plan.days.iter().position(|d| d.date == c.date).unwrap_or(0)), c.message.clone());
        }
        return Err(ApiError::Unprocessable("conflit de planification bloquant".into(), errors));
    }
    let id = match state.store.create_session(&input.program, &plan, &actor.0).await {
        Ok(id) => id,
        Err(StoreError::UnknownProgram(slug)) => return Err(ApiError::NotFound(format!("aucune fiche publiée « {slug} »"))),
        Err(StoreError::Conflict(m)) => return Err(ApiError::Conflict(m)),
        Err(StoreError::NotFound(m)) => return Err(ApiError::NotFound(m)),
        Err(e) => return Err(e.into()),
    };
    let session = state.store.session(id).await?.ok_or_else(|| not_found("session", id))?;
    let warnings = conflicts.iter().map(ConflictIo::from).collect();
    Ok((StatusCode::CREATED, Json(SessionIo::new(session, warnings))).into_response())
}

/// A convention.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConventionIo {
    id: i64,
    /// « 26/19 ».
    number: String,
    session_id: i64,
    client_id: i64,
    client_name: String,
    program_slug: String,
    status: AgreementStatus,
    price: AgreementPrice,
    total_excl_tax_cents: i64,
    total_incl_tax_cents: i64,
    payment_terms: String,
    trainees: String,
    /// The annexed program version (frozen at signature).
    program_version: i64,
    #[schema(value_type = String, format = Date)]
    issued_on: NaiveDate,
    #[schema(value_type = Option<String>, format = Date)]
    sent_on: Option<NaiveDate>,
    #[schema(value_type = Option<String>, format = Date)]
    signed_on: Option<NaiveDate>,
    /// The PDF, in the back-office.
    pdf_url: String,
}

impl From<Agreement> for ConventionIo {
    fn from(a: Agreement) -> Self {
        ConventionIo {
            pdf_url: format!("/gestion/conventions/{}/pdf", a.id),
            id: a.id,
            number: a.number.to_string(),
            session_id: a.session_id,
            client_id: a.client_id,
            client_name: a.client_name,
            program_slug: a.program_slug,
            status: a.status,
            total_excl_tax_cents: a.price.total_excl_tax_cents(),
            total_incl_tax_cents: a.price.total_incl_tax_cents(),
            price: a.price,
            payment_terms: a.payment_terms,
            trainees: a.trainees,
            program_version: a.program_version,
            issued_on: a.issued_on,
            sent_on: a.sent_on,
            signed_on: a.signed_on,
        }
    }
}

/// List conventions, the most recent first
#[utoipa::path(
    get,
    path = "/conventions",
    tag = "planification",
    security(("jeton" = ["planning:read"])),
    responses(
        (status = 200, body = Vec<ConventionIo>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn list_conventions(State(state): State<AppState>) -> Result<Json<Vec<ConventionIo>>, ApiError> {
    Ok(Json(state.store.agreements(None).await?.into_iter().map(ConventionIo::from).collect()))
}

/// Read a convention
#[utoipa::path(
    get,
    path = "/conventions/{id}",
    tag = "planification",
    params(("id" = i64, Path, description = "Identifiant interne de la convention")),
    security(("jeton" = ["planning:read"])),
    responses(
        (status = 200, body = ConventionIo),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn get_convention(State(state): State<AppState>, path: Path<String>) -> Result<Json<ConventionIo>, ApiError> {
    let id = path_id("convention", path)?;
    let agreement = state.store.agreement(id).await?.ok_or_else(|| not_found("convention", id))?;
    Ok(Json(agreement.into()))
}

/// A convention to draft.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewConventionIo {
    session_id: i64,
    client_id: i64,
    /// « 26/19 »; absent: the next number of the issue year.
    #[serde(default)]
    number: Option<String>,
    #[schema(value_type = String, format = Date, pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    issued_on: NaiveDate,
    basis: PriceBasis,
    /// Unit price excluding VAT, in cents.
    #[schema(minimum = 0, maximum = 100_000_000)]
    unit_cents: i64,
    #[schema(minimum = 1, maximum = 10_000)]
    quantity: u32,
    /// VAT rate in basis points (2000 = 20 %); absent when exempt.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 10_000)]
    vat_rate_bp: Option<u32>,
    payment_terms: String,
    #[serde(default)]
    trainees: String,
}

/// Draft a convention for a session and one of its clients
#[utoipa::path(
    post,
    path = "/conventions",
    tag = "planification",
    request_body = NewConventionIo,
    security(("jeton" = ["planning:write"])),
    responses(
        (status = 201, body = ConventionIo),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Session ou client inconnu", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Numéro déjà attribué dans l'année", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn create_convention(
    State(state): State<AppState>,
    Extension(actor): Extension<ApiActor>,
    payload: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<Response, ApiError> {
    let input: NewConventionIo = json(payload)?;
    let mut errors = FieldErrors::default();
    let number = match input.number.as_deref().map(AgreementNumber::parse).transpose() {
        Ok(n) => n,
        Err(e) => {
            errors.add("number", e.to_string());
            None
        }
    };
    if number.is_some_and(|n| n.year != chrono::Datelike::year(&input.issued_on)) {
        errors.add("number", "le numéro et la date d'émission sont de deux années différentes");
    }
    let price = AgreementPrice { basis: input.basis, unit_cents: input.unit_cents, quantity: input.quantity, vat_rate_bp: input.vat_rate_bp };
    if let Err(e) = price.validated() {
        errors.extend(e);
    }
    if input.payment_terms.trim().is_empty() || input.payment_terms.chars().count() > 2000 {
        errors.add("payment_terms", "les modalités de règlement sont obligatoires (2 000 caractères au plus)");
    }
    if input.trainees.chars().count() > 2000 {
        errors.add("trainees", "2 000 caractères au plus");
    }
    if !errors.is_empty() {
        return Err(ApiError::Unprocessable("la convention ne respecte pas les règles de saisie".into(), errors));
    }
    let session = state.store.session(input.session_id).await?.ok_or_else(|| not_found("session", input.session_id))?;
    if state.store.client(input.client_id).await?.is_none() {
        return Err(not_found("client", input.client_id));
    }
    if session.client_id.is_some_and(|c| c != input.client_id) {
        let mut errors = FieldErrors::default();
        errors.add("client_id", "une session INTRA se conventionne avec son client");
        return Err(ApiError::Unprocessable("client incohérent avec la session".into(), errors));
    }
    let terms = AgreementTerms { price, payment_terms: input.payment_terms.trim().to_owned(), trainees: input.trainees.trim().to_owned() };
    let (id, _) = match state.store.create_agreement(input.session_id, input.client_id, number, &terms, input.issued_on, &actor.0).await {
        Ok(created) => created,
        Err(StoreError::Conflict(m)) => return Err(ApiError::Conflict(m)),
        Err(e) => return Err(e.into()),
    };
    let agreement = state.store.agreement(id).await?.ok_or_else(|| not_found("convention", id))?;
    Ok((StatusCode::CREATED, Json(ConventionIo::from(agreement))).into_response())
}

/// A step in a convention's life.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StatusIo {
    status: AgreementStatus,
    /// When it happened (today by default).
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date, pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    on: Option<NaiveDate>,
}

/// Send, sign, return to draft or cancel a convention
#[utoipa::path(
    post,
    path = "/conventions/{id}/status",
    tag = "planification",
    params(("id" = i64, Path, description = "Identifiant interne de la convention")),
    request_body = StatusIo,
    security(("jeton" = ["planning:write"])),
    responses(
        (status = 200, body = ConventionIo),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Étape impossible depuis le statut actuel (brouillon → envoyée → signée)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Date dans le futur", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn set_convention_status(
    State(state): State<AppState>,
    Extension(actor): Extension<ApiActor>,
    path: Path<String>,
    payload: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<Json<ConventionIo>, ApiError> {
    let id = path_id("convention", path)?;
    let input: StatusIo = json(payload)?;
    let today = crate::site::today();
    let on = input.on.unwrap_or(today);
    if on > today {
        let mut errors = FieldErrors::default();
        errors.add("on", "la date ne peut pas être dans le futur");
        return Err(ApiError::Unprocessable("date invalide".into(), errors));
    }
    match state.store.set_agreement_status(id, input.status, on, &actor.0).await {
        Ok(()) => {}
        Err(StoreError::NotFound(_)) => return Err(not_found("convention", id)),
        Err(StoreError::Conflict(m)) => return Err(ApiError::Conflict(m)),
        Err(e) => return Err(e.into()),
    }
    let agreement = state.store.agreement(id).await?.ok_or_else(|| not_found("convention", id))?;
    Ok(Json(agreement.into()))
}
