//! The trainee signs from their phone, without an account: their personal link (from the
//! convocation) says who they are, and the QR code on the trainer's screen — or the code shown
//! beside it, typed on the personal page — proves they are in the room.
//!
//! Opening the personal link leaves a cookie limited to `/emargement` holding the link's token,
//! so that scanning the QR code with the phone's camera opens a page that knows who signs.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use forma_domain::half_day::HalfDay;
use forma_domain::presence_code::{self, PresenceError};
use forma_domain::registration::RegistrationStatus;
use forma_store::{NewAttendance, RegistrationRow, StoreError};
use serde::Deserialize;

use super::{Client, HalfDayContext, SignatureForm, half_from_segment, half_segment, hm, load, presence_secret};
use crate::auth::token::hash_token;
use crate::gestion::layout::{internal, not_found, render};
use crate::site::layout::Layout;
use crate::state::AppState;

const COOKIE: &str = "forma_emargement";
/// The cookie outlives a session's days; the link it holds is checked (and may have expired) at
/// each use.
const COOKIE_DAYS: i64 = 60;

/// A 6-digit code is guessable: after this many wrong codes in [`FAILURE_WINDOW`], a
/// registration must wait (or scan the QR code). Counted per node: with several nodes behind a
/// load balancer the bound multiplies by their number, still far from the million codes.
const MAX_CODE_FAILURES: u32 = 10;
const FAILURE_WINDOW: std::time::Duration = std::time::Duration::from_secs(600);

/// Whether `registration` may try a code now.
fn may_try(state: &AppState, registration: i64) -> bool {
    let mut failures = state.code_failures.lock().unwrap_or_else(|p| p.into_inner());
    failures.retain(|_, (_, since)| since.elapsed() < FAILURE_WINDOW);
    failures.get(&registration).is_none_or(|(count, _)| *count < MAX_CODE_FAILURES)
}

fn failed(state: &AppState, registration: i64) {
    let mut failures = state.code_failures.lock().unwrap_or_else(|p| p.into_inner());
    failures.entry(registration).or_insert((0, std::time::Instant::now())).0 += 1;
}

/// The `Set-Cookie` that lets the QR code find the trainee: only sent back to `/emargement`.
pub fn remember(state: &AppState, token: &str) -> Option<HeaderValue> {
    if token.is_empty() || !token.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return None;
    }
    let secure = if state.config.secure_cookies() { "; Secure" } else { "" };
    let max_age = COOKIE_DAYS * 24 * 3600;
    HeaderValue::from_str(&format!("{COOKIE}={token}; Path=/emargement; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")).ok()
}

fn remembered(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().strip_prefix(&format!("{COOKIE}=")).map(str::to_owned))
        .next()
}

/// The half-day a registration may sign now, as the personal page offers it.
pub struct SigningOffer {
    pub day_id: i64,
    pub half: &'static str,
    /// « Matin du lundi 22 mars 2027, 9 h 00 – 12 h 30 ».
    pub label: String,
    /// « 9 h 02 » once signed.
    pub signed_at: Option<String>,
    pub code: String,
    pub code_error: Option<String>,
    pub signature_error: Option<String>,
    /// What a refused form carried, given back with it: a wrong code should not cost the
    /// trainee their drawing (redrawn by the script) or their ticked confirmation.
    pub signature: String,
    pub confirmed: bool,
}

/// The half-day `registration` may sign now (the current one of today's day), if any.
pub async fn signing_offer(state: &AppState, row: &RegistrationRow) -> Result<Option<SigningOffer>, StoreError> {
    if row.status != RegistrationStatus::Confirmed {
        return Ok(None);
    }
    let today = crate::site::today();
    let Some(session) = state.store.session(row.session_id).await? else { return Ok(None) };
    let Some(day) = session.days.iter().find(|d| d.day.date == today && row.days.covers(d.id)) else { return Ok(None) };
    let now = Utc::now();
    // The latest open half-day is the current one; the morning stays on offer until the
    // afternoon opens, in case the trainer closes late.
    for half in [HalfDay::Afternoon, HalfDay::Morning] {
        let Some(ctx) = load(state, day.id, half).await? else { continue };
        if !ctx.open_for_signing(now) {
            continue;
        }
        let signed_at = ctx
            .records
            .iter()
            .find(|r| r.event.registration_id == Some(row.id) && r.event.kind == forma_domain::attendance_chain::EventKind::Sign)
            .map(|r| hm(r.event.recorded_at.with_timezone(&chrono_tz::Europe::Paris).time()));
        return Ok(Some(SigningOffer {
            day_id: day.id,
            half: half_segment(half),
            label: format!("{} — {}", ctx.when(), ctx.hours_label()),
            signed_at,
            code: String::new(),
            code_error: None,
            signature_error: None,
            signature: String::new(),
            confirmed: false,
        }));
    }
    Ok(None)
}

/// Why a registration may not sign `ctx`, in words for the trainee.
fn refusal(ctx: &HalfDayContext, row: &RegistrationRow) -> Option<&'static str> {
    if row.session_id != ctx.session.id || row.status != RegistrationStatus::Confirmed || !row.days.covers(ctx.slot.day_id) {
        return Some("Vous n'êtes pas inscrit à cette journée : adressez-vous au formateur.");
    }
    if ctx.closed() {
        return Some("Cette demi-journée est close : adressez-vous au formateur.");
    }
    if !ctx.open_for_signing(Utc::now()) {
        return Some("L'émargement de cette demi-journée n'est pas ouvert : il ouvre le jour même, une demi-heure avant le début.");
    }
    None
}

fn sign_new(client: Client, signature: Option<forma_domain::signature::Strokes>, method: &str) -> NewAttendance {
    NewAttendance { signature, method: Some(method.into()), ip: client.ip, user_agent: client.user_agent, ..NewAttendance::default() }
}

#[derive(Debug, Default, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    pub day: String,
    #[serde(default)]
    pub half: String,
    #[serde(default)]
    pub code: String,
    #[serde(flatten)]
    pub signature: SignatureForm,
}

/// The personal page's signing: the typed code proves presence. Refusals come back on the
/// personal page by the fields, with what was typed.
pub async fn sign_with_code(State(state): State<AppState>, client: Client, Path(token): Path<String>, Form(form): Form<CodeForm>) -> Response {
    let row = match state.store.registration_by_link(&hash_token(&token)).await {
        Ok(Some(r)) => r,
        Ok(None) => return crate::site::registration::link_missing(&state),
        Err(e) => return internal(&state, e.into()),
    };
    let (Ok(day_id), Some(half)) = (form.day.parse::<i64>(), half_from_segment(&form.half)) else { return not_found(&state) };
    let ctx = match load(&state, day_id, half).await {
        Ok(Some(c)) => c,
        Ok(None) => return not_found(&state),
        Err(e) => return internal(&state, e.into()),
    };
    let mut offer = SigningOffer {
        day_id,
        half: half_segment(half),
        label: format!("{} — {}", ctx.when(), ctx.hours_label()),
        signed_at: None,
        code: form.code.clone(),
        code_error: None,
        signature_error: None,
        signature: String::new(),
        confirmed: !form.signature.confirm.is_empty(),
    };
    if let Some(message) = refusal(&ctx, &row) {
        offer.code_error = Some(message.into());
        return crate::site::registration::signing_refused(&state, &token, offer, StatusCode::CONFLICT).await;
    }
    let secret = match presence_secret(&state).await {
        Ok(s) => s,
        Err(e) => return internal(&state, e.into()),
    };
    if !may_try(&state, row.id) {
        offer.code_error = Some("Trop de codes erronés : attendez quelques minutes, ou scannez le QR code affiché par le formateur.".into());
        return crate::site::registration::signing_refused(&state, &token, offer, StatusCode::TOO_MANY_REQUESTS).await;
    }
    if let Err(e) = presence_code::check_code(&secret, ctx.key(), &form.code, Utc::now()) {
        failed(&state, row.id);
        offer.code_error = Some(e.code_message().into());
    }
    let signature = form.signature.strokes().map_err(|m| offer.signature_error = Some(m)).ok().flatten();
    if signature.is_some() {
        offer.signature = form.signature.signature.clone();
    }
    if offer.code_error.is_some() || offer.signature_error.is_some() {
        return crate::site::registration::signing_refused(&state, &token, offer, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    match state.store.sign_attendance(ctx.slot, row.id, &sign_new(client, signature, "code"), Utc::now()).await {
        Ok(()) => Redirect::to(&format!("/inscription/{token}?ok=emargement")).into_response(),
        Err(StoreError::Conflict(m)) => {
            offer.code_error = Some(m);
            crate::site::registration::signing_refused(&state, &token, offer, StatusCode::CONFLICT).await
        }
        Err(e) => internal(&state, e.into()),
    }
}

#[derive(Template)]
#[template(path = "attendance/sign.html")]
struct SignPage {
    layout: Layout,
    /// « Accompagner la démarche CTG — le matin du lundi 22 mars 2027 ».
    heading: String,
    /// Why the trainee cannot sign here, when they cannot.
    refused: Option<String>,
    /// The trainee's name, when known.
    name: Option<String>,
    action: String,
    errors: forma_domain::FieldErrors,
    script: &'static str,
}

fn page(state: &AppState, heading: String, status: StatusCode, refused: Option<String>, name: Option<String>, action: String, errors: forma_domain::FieldErrors) -> Response {
    let layout = state.layout("Émargement", "");
    let mut response = render(state, SignPage { layout, heading, refused, name, action, errors, script: crate::assets::ATTENDANCE_SCRIPT_PATH });
    *response.status_mut() = status;
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    response.headers_mut().insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

/// What the scanned address leads to: the half-day, the trainee (from the cookie), and whether
/// they may sign; or the page that says why not.
async fn scanned(state: &AppState, headers: &HeaderMap, day_id: &str, half: &str, qr: &str) -> Result<(HalfDayContext, RegistrationRow, String), Response> {
    let (Ok(day_id), Some(half_day)) = (day_id.parse::<i64>(), half_from_segment(half)) else { return Err(not_found(state)) };
    let ctx = match load(state, day_id, half_day).await {
        Ok(Some(c)) => c,
        Ok(None) => return Err(not_found(state)),
        Err(e) => return Err(internal(state, e.into())),
    };
    let heading = format!("{} — {}", ctx.session.program_title, ctx.when());
    let action = format!("/emargement/{day_id}/{half}/{qr}");
    let secret = presence_secret(state).await.map_err(|e| internal(state, e.into()))?;
    if let Err(e) = presence_code::check_qr(&secret, ctx.key(), qr, Utc::now()) {
        let status = if e == PresenceError::Expired { StatusCode::GONE } else { StatusCode::BAD_REQUEST };
        return Err(page(state, heading, status, Some(e.to_string()), None, action, Default::default()));
    }
    let row = match remembered(headers) {
        Some(token) => state.store.registration_by_link(&hash_token(&token)).await.map_err(|e| internal(state, e.into()))?,
        None => None,
    };
    let Some(row) = row else {
        let why = "Ce téléphone ne sait pas encore qui vous êtes : ouvrez d'abord le lien personnel reçu avec votre convocation (ou tapez le code affiché sur votre page personnelle), puis scannez de nouveau le QR code.";
        return Err(page(state, heading, StatusCode::FORBIDDEN, Some(why.into()), None, action, Default::default()));
    };
    let name = format!("{} {}", row.first_name, row.last_name);
    if let Some(why) = refusal(&ctx, &row) {
        return Err(page(state, heading, StatusCode::CONFLICT, Some(why.into()), Some(name), action, Default::default()));
    }
    if ctx.presence_of(row.id).1 {
        let why = "Votre signature est déjà enregistrée pour cette demi-journée.";
        return Err(page(state, heading, StatusCode::OK, Some(why.into()), Some(name), action, Default::default()));
    }
    Ok((ctx, row, heading))
}

/// `/emargement/{day}/{half}/{qr}`: the page the QR code opens.
pub async fn qr_page(State(state): State<AppState>, headers: HeaderMap, Path((day_id, half, qr)): Path<(String, String, String)>) -> Response {
    match scanned(&state, &headers, &day_id, &half, &qr).await {
        Ok((_, row, heading)) => {
            let action = format!("/emargement/{day_id}/{half}/{qr}");
            page(&state, heading, StatusCode::OK, None, Some(format!("{} {}", row.first_name, row.last_name)), action, Default::default())
        }
        Err(response) => response,
    }
}

pub async fn qr_sign(
    State(state): State<AppState>,
    headers: HeaderMap,
    client: Client,
    Path((day_id, half, qr)): Path<(String, String, String)>,
    Form(form): Form<SignatureForm>,
) -> Response {
    let (ctx, row, heading) = match scanned(&state, &headers, &day_id, &half, &qr).await {
        Ok(s) => s,
        Err(response) => return response,
    };
    let action = format!("/emargement/{day_id}/{half}/{qr}");
    let name = Some(format!("{} {}", row.first_name, row.last_name));
    let signature = match form.strokes() {
        Ok(s) => s,
        Err(message) => {
            let mut errors = forma_domain::FieldErrors::default();
            errors.add("signature", message);
            return page(&state, heading, StatusCode::UNPROCESSABLE_ENTITY, None, name, action, errors);
        }
    };
    match state.store.sign_attendance(ctx.slot, row.id, &sign_new(client, signature, "qr"), Utc::now()).await {
        Ok(()) => match remembered(&headers) {
            Some(token) => Redirect::to(&format!("/inscription/{token}?ok=emargement")).into_response(),
            None => not_found(&state),
        },
        Err(StoreError::Conflict(m)) => page(&state, heading, StatusCode::CONFLICT, Some(m), name, action, Default::default()),
        Err(e) => internal(&state, e.into()),
    }
}
