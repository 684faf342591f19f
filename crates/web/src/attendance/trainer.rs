//! The trainer's attendance screen (`/formateur/emargement/…`), for a phone or a projector: the
//! QR code that changes every 10 seconds and the typed code, who has signed, the statuses the
//! trainer sets (late, left early, absent, excused), and the closing with the countersignature.
//! After the closing, a change is a correction with its reason. Staff may open any half-day; a
//! trainer only the days they lead.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use chrono::Utc;
use forma_domain::FieldErrors;
use forma_domain::account::Role;
use forma_domain::attendance::{AttendanceStatus, PresenceInput};
use forma_domain::half_day::HalfDay;
use forma_domain::presence_code;
use forma_store::{Absentee, AbsenceMailer, NewAttendance, OutgoingMail, StoreError, User};
use qrcode::QrCode;
use qrcode::render::svg;
use serde::Deserialize;

use super::{Client, HalfDayContext, SignatureForm, half_from_segment, half_segment, half_title, hm, load, presence_secret};
use crate::auth::CurrentUser;
use crate::gestion::layout::{done, internal, not_found, render};
use crate::site::layout::Layout;
use crate::state::AppState;

/// How often the screen asks for a fresh QR code and statuses.
pub const LIVE_REFRESH_MS: u32 = 3000;

/// One expected trainee, as the screen lists them.
pub struct Line {
    pub registration_id: i64,
    pub name: String,
    pub employer: String,
    /// « Signé », « Retard (arrivée 9 h 40) », « — ».
    pub status: String,
    pub signed: bool,
}

/// What the screen refreshes: the codes, and who signed.
pub struct Live {
    pub closed: bool,
    /// Inline SVG of the QR code (made here, not user text).
    pub qr_svg: String,
    /// The address in the QR code, for whoever cannot scan it.
    pub qr_url: String,
    pub code: String,
    pub signed: usize,
    pub expected: usize,
    pub lines: Vec<Line>,
}

#[derive(Template)]
#[template(path = "attendance/live.html")]
struct LiveFragment {
    live: Live,
}

#[derive(Template)]
#[template(path = "attendance/screen.html")]
struct ScreenPage {
    layout: Layout,
    title: String,
    subtitle: String,
    base: String,
    live: Live,
    refresh_ms: u32,
    /// « Demi-journée close le … par … », with the chain head.
    closing: Option<(String, String)>,
    statuses: Vec<(&'static str, &'static str)>,
    form: StatusForm,
    errors: FieldErrors,
    back: &'static str,
    script: &'static str,
    notice: Option<&'static str>,
}

fn notice(code: Option<&str>) -> Option<&'static str> {
    Some(match code? {
        "statut" => "Statut enregistré.",
        "correctif" => "Correctif enregistré : il figure comme tel, avec sa raison, sur la feuille d'émargement.",
        "cloture" => "Demi-journée close. Les absences sont signalées à l'organisme (et au client pour une session INTRA).",
        _ => return None,
    })
}

/// (date label, title, session id, [(half-day label, address, state)])
type DayLine = (String, String, i64, Vec<(String, String, &'static str)>);

#[derive(Template)]
#[template(path = "attendance/trainer_list.html")]
struct ListPage {
    layout: Layout,
    days: Vec<DayLine>,
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    pub registration: String,
    #[serde(flatten)]
    pub presence: PresenceInput,
    /// Required after the closing: the correction's reason.
    #[serde(default)]
    pub reason: String,
}

/// Who may run the half-day: staff, or a trainer leading that day. `Ok(Some(id))` for the
/// trainer's record, `Ok(None)` for staff; the 404 page otherwise (the day is not theirs).
async fn runner(state: &AppState, user: &User, ctx: &HalfDayContext) -> Result<Option<i64>, Response> {
    match user.role {
        Role::Admin | Role::Gestionnaire => Ok(None),
        Role::Formateur => match state.store.trainer_of_user(user.id).await {
            Ok(Some(trainer)) if ctx.day.day.trainer_ids.contains(&trainer) => Ok(Some(trainer)),
            Ok(_) => Err(not_found(state)),
            Err(e) => Err(internal(state, e.into())),
        },
        _ => Err(not_found(state)),
    }
}

/// The QR code of `url` as inline SVG.
fn qr_svg(url: &str) -> String {
    let Ok(code) = QrCode::new(url.as_bytes()) else { return String::new() };
    let image = code.render::<svg::Color<'_>>().min_dimensions(240, 240).dark_color(svg::Color("#000000")).light_color(svg::Color("#ffffff")).build();
    // The renderer starts with an XML declaration, which HTML does not want.
    let svg = image.find("<svg").map_or(image.as_str(), |at| &image[at..]);
    svg.replacen("<svg", "<svg role=\"img\" aria-label=\"QR code d'émargement de la demi-journée\" focusable=\"false\"", 1)
}

fn status_label(presence: Option<&forma_domain::attendance::Presence>, signed: bool) -> String {
    match presence {
        None => "—".into(),
        Some(p) if p.status == AttendanceStatus::Present && signed => "Présent (signé)".into(),
        Some(p) => super::presence_label(p),
    }
}

pub(crate) fn lines(ctx: &HalfDayContext) -> Vec<Line> {
    ctx.expected
        .iter()
        .map(|r| {
            let (presence, signed) = ctx.presence_of(r.id);
            Line {
                registration_id: r.id,
                name: format!("{} {}", r.first_name, r.last_name),
                employer: r.employer.clone(),
                status: status_label(presence.as_ref(), signed),
                signed,
            }
        })
        .collect()
}

async fn live(state: &AppState, ctx: &HalfDayContext) -> Result<Live, StoreError> {
    let now = Utc::now();
    let secret = presence_secret(state).await?;
    let token = presence_code::qr_token(&secret, ctx.key(), now);
    let qr_url = state.config.absolute_url(&format!("/emargement/{}/{}/{token}", ctx.slot.day_id, half_segment(ctx.slot.half_day)));
    let lines = lines(ctx);
    Ok(Live {
        closed: ctx.closed(),
        qr_svg: qr_svg(&qr_url),
        qr_url,
        code: presence_code::short_code(&secret, ctx.key(), now),
        signed: lines.iter().filter(|l| l.signed).count(),
        expected: lines.len(),
        lines,
    })
}

fn base(day_id: i64, half: HalfDay) -> String {
    format!("/formateur/emargement/{day_id}/{}", half_segment(half))
}

async fn screen(state: &AppState, ctx: HalfDayContext, form: StatusForm, errors: FieldErrors) -> Result<ScreenPage, StoreError> {
    let live = live(state, &ctx).await?;
    let closing = ctx.state.as_ref().and_then(|s| {
        let at = s.closed_at?;
        Some((format!("Demi-journée close le {} par {}.", crate::auth::invitation::until(at), s.closed_by.clone().unwrap_or_default()), s.chain_head.clone().unwrap_or_default()))
    });
    Ok(ScreenPage {
        layout: state.layout(format!("Émargement — {}", ctx.session.program_title), ""),
        title: ctx.session.program_title.clone(),
        subtitle: format!("Session n° {} — {} ({})", ctx.session.id, forma_domain::french_date::long_date(ctx.slot.day), ctx.hours_label()),
        base: base(ctx.slot.day_id, ctx.slot.half_day),
        live,
        refresh_ms: LIVE_REFRESH_MS,
        closing,
        statuses: AttendanceStatus::ALL.iter().map(|s| (s.as_str(), s.label())).collect(),
        form,
        errors,
        back: "/formateur/emargement",
        script: crate::assets::ATTENDANCE_SCRIPT_PATH,
        notice: None,
    })
}

fn private(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("private, no-store"));
    response
}

/// Loads the half-day named by the address and checks who asks; the 404 page otherwise.
async fn context(state: &AppState, current: &CurrentUser, day_id: &str, half: &str) -> Result<(User, HalfDayContext, Option<i64>), Response> {
    let Some(user) = current.user().cloned() else { return Err(not_found(state)) };
    let (Ok(day_id), Some(half)) = (day_id.parse::<i64>(), half_from_segment(half)) else { return Err(not_found(state)) };
    let ctx = match load(state, day_id, half).await {
        Ok(Some(ctx)) => ctx,
        Ok(None) => return Err(not_found(state)),
        Err(e) => return Err(internal(state, e.into())),
    };
    let trainer = runner(state, &user, &ctx).await?;
    Ok((user, ctx, trainer))
}

/// `/formateur/emargement`: today's and the coming week's half-days (the trainer's own days; all
/// of them for staff).
pub async fn list(State(state): State<AppState>, current: CurrentUser) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let today = crate::site::today();
    let page = async {
        let mine = match user.role {
            Role::Formateur => state.store.trainer_of_user(user.id).await?,
            _ => None,
        };
        let mut days = Vec::new();
        for (day_id, session_id, date, title, trainers) in state.store.signing_days(today - chrono::Duration::days(1), today + chrono::Duration::days(7)).await? {
            if user.role == Role::Formateur && !mine.is_some_and(|t| trainers.contains(&t)) {
                continue;
            }
            let Some(session) = state.store.session(session_id).await? else { continue };
            let Some(day) = session.days.iter().find(|d| d.id == day_id) else { continue };
            let states = state.store.half_day_states(session_id).await?;
            let mut halves = Vec::new();
            for half in [HalfDay::Morning, HalfDay::Afternoon] {
                let Some(slot) = super::slot_of(day, half) else { continue };
                let closed = states.iter().any(|s| s.day_id == day_id && s.half_day == half && s.closed_at.is_some());
                halves.push((format!("{} ({} – {})", half_title(half), hm(slot.start), hm(slot.end)), base(day_id, half), if closed { "close" } else { "ouverte" }));
            }
            days.push((forma_domain::french_date::long_date(date), title, session_id, halves));
        }
        Ok::<_, StoreError>(ListPage { layout: state.layout("Émargement", ""), days })
    };
    match page.await {
        Ok(page) => private(render(&state, page)),
        Err(e) => internal(&state, e.into()),
    }
}

pub async fn show(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((day_id, half)): Path<(String, String)>,
    Query(q): Query<crate::gestion::layout::NoticeQuery>,
) -> Response {
    let (_, ctx, _) = match context(&state, &current, &day_id, &half).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    match screen(&state, ctx, StatusForm::default(), FieldErrors::default()).await {
        Ok(page) => private(render(&state, ScreenPage { notice: notice(q.ok.as_deref()), ..page })),
        Err(e) => internal(&state, e.into()),
    }
}

/// The part of the screen that refreshes: a fresh QR code, the code and who signed.
pub async fn live_part(State(state): State<AppState>, current: CurrentUser, Path((day_id, half)): Path<(String, String)>) -> Response {
    let (_, ctx, _) = match context(&state, &current, &day_id, &half).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    match live(&state, &ctx).await.map(|live| LiveFragment { live }.render()) {
        Ok(Ok(html)) => private(Html(html).into_response()),
        Ok(Err(e)) => internal(&state, e.into()),
        Err(e) => internal(&state, e.into()),
    }
}

/// Sets a trainee's status; after the closing, records a correction (its reason required).
pub async fn set_status(State(state): State<AppState>, current: CurrentUser, Path((day_id, half)): Path<(String, String)>, Form(form): Form<StatusForm>) -> Response {
    let (user, ctx, trainer) = match context(&state, &current, &day_id, &half).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let mut errors = FieldErrors::default();
    let registration = form.registration.trim().parse::<i64>().ok().filter(|id| ctx.expected.iter().any(|r| r.id == *id));
    if registration.is_none() {
        errors.add("registration", "Choisissez un stagiaire attendu à cette demi-journée.");
    }
    let presence = match AttendanceStatus::parse(form.presence.status.trim()) {
        Some(_) => form.presence.validated(ctx.hours).map_err(|e| errors.extend(e)).ok(),
        None => {
            errors.add("status", "Choisissez un statut.");
            None
        }
    };
    let closed = ctx.closed();
    if closed && form.reason.trim().is_empty() {
        errors.add("reason", "La demi-journée est close : indiquez la raison du correctif.");
    }
    let (Some(registration), Some(presence), true) = (registration, presence, errors.is_empty()) else {
        return refused(&state, ctx, form, errors).await;
    };
    let new = NewAttendance {
        registration_id: Some(registration),
        trainer_id: trainer,
        presence: Some(presence),
        method: Some(if trainer.is_some() { "trainer" } else { "staff" }.into()),
        reason: closed.then(|| form.reason.trim().to_owned()),
        ..NewAttendance::default()
    };
    let result = if closed {
        state.store.correct_attendance(ctx.slot, &new, &user.email, Utc::now()).await
    } else {
        state.store.mark_attendance(ctx.slot, &[new], &user.email, Utc::now()).await
    };
    match result {
        Ok(()) => done(&base(ctx.slot.day_id, ctx.slot.half_day), if closed { "correctif" } else { "statut" }),
        Err(StoreError::Conflict(m)) => {
            let mut errors = FieldErrors::default();
            errors.add("status", m);
            refused_fresh(&state, ctx.slot.day_id, ctx.slot.half_day, form, errors).await
        }
        Err(e) => internal(&state, e.into()),
    }
}

async fn refused(state: &AppState, ctx: HalfDayContext, form: StatusForm, errors: FieldErrors) -> Response {
    match screen(state, ctx, form, errors).await {
        Ok(page) => {
            let mut r = private(render(state, page));
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            r
        }
        Err(e) => internal(state, e.into()),
    }
}

/// The screen read again (the half-day moved meanwhile), answered 409.
async fn refused_fresh(state: &AppState, day_id: i64, half: HalfDay, form: StatusForm, errors: FieldErrors) -> Response {
    match load(state, day_id, half).await {
        Ok(Some(ctx)) => {
            let mut r = refused(state, ctx, form, errors).await;
            if r.status() == StatusCode::UNPROCESSABLE_ENTITY {
                *r.status_mut() = StatusCode::CONFLICT;
            }
            r
        }
        Ok(None) => not_found(state),
        Err(e) => internal(state, e.into()),
    }
}

/// The messages of a closing's absences: to the training body, and for an INTRA session to the
/// client's contacts.
pub struct WebAbsenceMail {
    pub org: String,
    /// (name, address, link) of each recipient: the organisation, then the client's contacts.
    pub recipients: Vec<(String, String, String)>,
    pub training: String,
    pub when: String,
}

impl AbsenceMailer for WebAbsenceMail {
    fn absence_mails(&self, absentees: &[Absentee]) -> Vec<OutgoingMail> {
        absentees
            .iter()
            .flat_map(|a| {
                self.recipients.iter().map(|(name, email, link)| forma_mail::messages::attendance_alert(&self.org, email, name, &self.training, &a.name, &self.when, link))
            })
            .collect()
    }
}

/// Who is told of an absence at `ctx`.
pub async fn absence_mailer(state: &AppState, ctx: &HalfDayContext) -> Result<WebAbsenceMail, StoreError> {
    let org = state.organisation();
    let mut recipients = Vec::new();
    if !org.email.trim().is_empty() {
        recipients.push((org.name.clone(), org.email.clone(), state.config.absolute_url("/gestion/suivi-assiduite")));
    }
    if ctx.session.kind == forma_domain::ProgramKind::Intra
        && let Some(client) = ctx.session.client_id
    {
        let link = state.config.absolute_url(&format!("/espace-client/{client}/sessions/{}", ctx.session.id));
        for contact in state.store.client_contacts(client).await? {
            if let Some(email) = contact.email.filter(|e| !e.trim().is_empty()) {
                recipients.push((contact.name, email, link.clone()));
            }
        }
    }
    Ok(WebAbsenceMail { org: org.name.clone(), recipients, training: ctx.session.program_title.clone(), when: ctx.when() })
}

/// Closes the half-day with the countersignature (drawn, or confirmed without drawing).
pub async fn close(
    State(state): State<AppState>,
    current: CurrentUser,
    client: Client,
    Path((day_id, half)): Path<(String, String)>,
    Form(form): Form<SignatureForm>,
) -> Response {
    let (user, ctx, trainer) = match context(&state, &current, &day_id, &half).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let signature = match form.strokes() {
        Ok(s) => s,
        Err(message) => {
            let mut errors = FieldErrors::default();
            errors.add("signature", message);
            return refused(&state, ctx, StatusForm::default(), errors).await;
        }
    };
    let mailer = match absence_mailer(&state, &ctx).await {
        Ok(m) => m,
        Err(e) => return internal(&state, e.into()),
    };
    let closing = NewAttendance {
        trainer_id: trainer,
        signature,
        method: Some(if trainer.is_some() { "trainer" } else { "staff" }.into()),
        ip: client.ip,
        user_agent: client.user_agent,
        ..NewAttendance::default()
    };
    let expected: Vec<i64> = ctx.expected.iter().map(|r| r.id).collect();
    match state.store.close_half_day(ctx.slot, &expected, &closing, None, &mailer, &user.email, Utc::now()).await {
        Ok(_) => {
            state.mail_wake.notify_one();
            done(&base(ctx.slot.day_id, ctx.slot.half_day), "cloture")
        }
        Err(StoreError::Conflict(m)) => {
            let mut errors = FieldErrors::default();
            errors.add("signature", m);
            refused_fresh(&state, ctx.slot.day_id, ctx.slot.half_day, StatusForm::default(), errors).await
        }
        Err(e) => internal(&state, e.into()),
    }
}
