//! The back-office view of a session's attendance (`/gestion/sessions/{id}/emargement`): each
//! trainee's status per half-day, hours attended over hours planned (closed half-days), each
//! half-day's closing and chain head; the attendance sheet PDF and its blank paper version; and
//! the paper fallback (a scanned sheet with the statuses entered by hand).

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use forma_domain::FieldErrors;
use forma_domain::attendance::{AttendanceStatus, Presence, PresenceInput, TraineeAttendance};
use forma_domain::attendance_chain::EventKind;
use forma_domain::half_day::HalfDay;
use forma_domain::registration::RegistrationStatus;
use forma_store::{AttendanceRecord, HalfDayState, NewAttendance, RegistrationRow, SessionDetail, StoreError, attendance_entries};

use forma_documents::attendance_sheet as docs;

use super::{half_from_segment, half_segment, hm, load, presence_label, slot_of};
use crate::auth::CurrentUser;
use crate::gestion::layout::{Frame, NoticeQuery, PathId, done, internal, invalid, not_found, render};
use crate::state::AppState;

/// One half-day column.
pub struct Column {
    pub day_id: i64,
    pub half: HalfDay,
    /// `matin` / `apres-midi`, for addresses.
    pub segment: &'static str,
    /// « 22/03/2027 matin ».
    pub label: String,
    /// « 9 h 00 – 12 h 30 ».
    pub hours: String,
    pub screen: String,
    /// « close le … par … », or « ouverte ».
    pub state: String,
    pub chain_head: Option<String>,
    pub closed: bool,
    pub paper: bool,
}

/// One trainee's row: a cell per column (`None`: not expected that day).
pub struct Row {
    pub name: String,
    pub employer: String,
    pub cells: Vec<Option<Cell>>,
    /// « 10 h 30 sur 14 h ».
    pub hours: String,
}

pub struct Cell {
    /// « Présent », « Retard (9 h 40) », « — ».
    pub label: String,
    /// Corrections after the closing, as « raison (par qui) ».
    pub corrections: Vec<String>,
}

#[derive(Template)]
#[template(path = "attendance/session.html")]
struct SessionPage {
    frame: Frame,
    session_id: i64,
    title: String,
    columns: Vec<Column>,
    rows: Vec<Row>,
}

/// The confirmed registrations, by name.
pub fn attendees(registrations: Vec<RegistrationRow>) -> Vec<RegistrationRow> {
    let mut rows: Vec<RegistrationRow> = registrations.into_iter().filter(|r| r.status == RegistrationStatus::Confirmed).collect();
    rows.sort_by_key(|r| (r.last_name.to_lowercase(), r.first_name.to_lowercase(), r.id));
    rows
}

/// The half-days of a session, in order, with their state.
pub fn columns(session: &SessionDetail, states: &[HalfDayState]) -> Vec<(Column, forma_domain::half_day::Slot, chrono::NaiveDate)> {
    let mut columns = Vec::new();
    for day in &session.days {
        for half in [HalfDay::Morning, HalfDay::Afternoon] {
            let Some(slot) = slot_of(day, half) else { continue };
            let state = states.iter().find(|s| s.day_id == day.id && s.half_day == half);
            let closed = state.is_some_and(|s| s.closed_at.is_some());
            columns.push((
                Column {
                    day_id: day.id,
                    half,
                    segment: half_segment(half),
                    label: format!("{} {}", day.day.date.format("%d/%m/%Y"), half.label()),
                    hours: format!("{} – {}", hm(slot.start), hm(slot.end)),
                    screen: format!("/formateur/emargement/{}/{}", day.id, half_segment(half)),
                    state: match state.and_then(|s| s.closed_at.map(|at| (at, s.closed_by.clone().unwrap_or_default()))) {
                        Some((at, by)) => format!("close le {} par {by}", crate::auth::invitation::until(at)),
                        None => "ouverte".into(),
                    },
                    chain_head: state.and_then(|s| s.chain_head.clone()),
                    closed,
                    paper: state.is_some_and(|s| s.has_paper_scan),
                },
                slot,
                day.day.date,
            ));
        }
    }
    columns
}

/// A trainee's cell for one half-day, from that half-day's events; the presence also counts the
/// hours of a closed half-day (no status at the closing is an absence).
fn cell(half: &[AttendanceRecord], registration: i64, column: &Column) -> (Cell, Option<Presence>) {
    let presence = forma_domain::attendance_state::presence(attendance_entries(half, registration));
    let signed = forma_domain::attendance_state::signed(attendance_entries(half, registration));
    let corrections = half
        .iter()
        .filter(|r| r.event.registration_id == Some(registration) && r.event.kind == EventKind::Correct)
        .map(|r| {
            format!(
                "corrigé le {} : {} ({})",
                crate::auth::invitation::until(r.event.recorded_at),
                r.event.reason.clone().unwrap_or_default(),
                r.event.actor.clone().unwrap_or_default()
            )
        })
        .collect();
    let label = match &presence {
        Some(p) if p.status == AttendanceStatus::Present && signed => "Présent (signé)".to_owned(),
        Some(p) => presence_label(p),
        None if column.closed => "Absent".to_owned(),
        None => "—".to_owned(),
    };
    let counted = column.closed.then(|| presence.unwrap_or(Presence::new(AttendanceStatus::Absent)));
    (Cell { label, corrections }, counted)
}

/// One trainee's half-days of a session: a cell per column (`None`: not expected that day), the
/// hours over closed half-days, how many of their half-days are still open, and the half-days
/// they attended, worded for an attestation (« 12/03/2019 matin (3 h 30) »).
pub struct TraineeGrid {
    pub registration: RegistrationRow,
    pub cells: Vec<Option<Cell>>,
    pub totals: TraineeAttendance,
    pub open: usize,
    pub attended: Vec<String>,
}

/// A session with its half-day columns and every confirmed trainee's grid, by name.
pub struct SessionGrid {
    pub session: SessionDetail,
    pub columns: Vec<Column>,
    pub trainees: Vec<TraineeGrid>,
}

pub async fn session_grid(state: &AppState, id: i64) -> Result<Option<SessionGrid>, StoreError> {
    let Some(session) = state.store.session(id).await? else { return Ok(None) };
    let states = state.store.half_day_states(id).await?;
    let records = state.store.session_attendance(id).await?;
    let columns = columns(&session, &states);
    // Each column's events, split once: every trainee's cell reads its column's only.
    let by_column: Vec<Vec<AttendanceRecord>> =
        columns.iter().map(|(c, _, _)| records.iter().filter(|e| e.day_id == c.day_id && e.event.half_day == c.half).cloned().collect()).collect();
    let trainees = attendees(state.store.session_registrations(id).await?)
        .into_iter()
        .map(|registration| {
            let mut grid =
                TraineeGrid { cells: Vec::with_capacity(columns.len()), totals: TraineeAttendance::default(), open: 0, attended: Vec::new(), registration };
            for ((column, slot, date), half) in columns.iter().zip(&by_column) {
                if !grid.registration.days.covers(column.day_id) {
                    grid.cells.push(None);
                    continue;
                }
                let (cell, counted) = cell(half, grid.registration.id, column);
                match counted {
                    Some(presence) => {
                        grid.totals.add(*date, *slot, &presence);
                        let minutes = forma_domain::attendance::attended_minutes(*slot, &presence);
                        if minutes.0 > 0 {
                            grid.attended.push(format!("{} ({})", column.label, minutes.label()));
                        }
                    }
                    None => grid.open += 1,
                }
                grid.cells.push(Some(cell));
            }
            grid
        })
        .collect();
    Ok(Some(SessionGrid { session, columns: columns.into_iter().map(|c| c.0).collect(), trainees }))
}

pub async fn show(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId, Query(q): Query<NoticeQuery>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    match session_grid(&state, id).await {
        Ok(Some(grid)) => {
            let rows = grid
                .trainees
                .into_iter()
                .map(|t| Row {
                    name: format!("{} {}", t.registration.first_name, t.registration.last_name),
                    employer: t.registration.employer,
                    cells: t.cells,
                    hours: t.totals.total.label(),
                })
                .collect();
            let frame = Frame::new(&state, user, format!("Émargement — session n° {id}"), "sessions").notice(q.ok.as_deref());
            render(&state, SessionPage { frame, session_id: id, title: grid.session.program_title, columns: grid.columns, rows })
        }
        Ok(None) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}

/// The attendance sheet of a session, from its electronic signatures.
async fn sheet_document(state: &AppState, session: &SessionDetail) -> Result<docs::AttendanceSheetDocument, StoreError> {
    let store = &state.store;
    let states = store.half_day_states(session.id).await?;
    let records = store.session_attendance(session.id).await?;
    let registrations = attendees(store.session_registrations(session.id).await?);
    let convention = store.agreements(Some(session.id)).await?.into_iter().find(|a| a.status != forma_domain::agreement::AgreementStatus::Cancelled);
    let paris = |at: chrono::DateTime<Utc>| at.with_timezone(&chrono_tz::Europe::Paris);
    let mut days = Vec::new();
    for d in &session.days {
        let venue = match d.day.venue_id {
            Some(id) => store.venue(id).await?,
            None => None,
        };
        let venue = match venue {
            Some(v) => {
                [Some(v.name), d.room_name.clone(), Some(v.address.replace('\n', ", ")), Some(v.city.clone()).filter(|c| !v.address.contains(c.as_str()))]
                    .into_iter()
                    .flatten()
                    .filter(|s| !s.trim().is_empty())
                    .collect::<Vec<_>>()
                    .join(", ")
            }
            None => d.day.place.clone(),
        };
        let mut half_days = Vec::new();
        let mut halves = Vec::new();
        for half in [HalfDay::Morning, HalfDay::Afternoon] {
            let Some(slot) = slot_of(d, half) else { continue };
            let events: Vec<AttendanceRecord> = records.iter().filter(|r| r.day_id == d.id && r.event.half_day == half).cloned().collect();
            let close = events.iter().find(|r| r.event.kind == EventKind::Close);
            let state = states.iter().find(|s| s.day_id == d.id && s.half_day == half && s.closed_at.is_some());
            let trainers = d
                .day
                .trainer_ids
                .iter()
                .zip(&d.trainer_names)
                .map(|(id, name)| {
                    let countersigned = close.filter(|c| c.event.trainer_id == Some(*id));
                    docs::SheetSigner {
                        name: name.clone(),
                        signature: countersigned.and_then(|c| c.signature.as_deref()).and_then(docs::Strokes::from_json),
                        signed_at: countersigned.map(|c| paris(c.event.recorded_at).time()),
                    }
                })
                .collect();
            half_days.push(docs::SheetHalfDay {
                label: super::half_title(half).to_owned(),
                start: slot.start,
                end: slot.end,
                trainers,
                closed: state.and_then(|s| {
                    let at = paris(s.closed_at?);
                    Some(docs::ClosedInfo {
                        on: at.date_naive(),
                        at: at.time(),
                        by: s.closed_by.clone().unwrap_or_default(),
                        chain_head: s.chain_head.clone().unwrap_or_default(),
                    })
                }),
            });
            halves.push((half, events, state.is_some()));
        }
        let rows = registrations
            .iter()
            .filter(|r| r.days.covers(d.id))
            .map(|r| docs::SheetRow {
                name: format!("{} {}", r.first_name, r.last_name),
                employer: Some(r.employer.clone()).filter(|e| !e.trim().is_empty()),
                cells: halves
                    .iter()
                    .map(|(_, events, closed)| {
                        let presence = forma_domain::attendance_state::presence(attendance_entries(events, r.id));
                        let sign = events.iter().find(|e| e.event.registration_id == Some(r.id) && e.event.kind == EventKind::Sign);
                        let corrections: Vec<String> = events
                            .iter()
                            .filter(|e| e.event.registration_id == Some(r.id) && e.event.kind == EventKind::Correct)
                            .map(|e| {
                                format!("corrigé le {} : {}", paris(e.event.recorded_at).format("%d/%m/%Y à %H:%M"), e.event.reason.clone().unwrap_or_default())
                            })
                            .collect();
                        docs::SheetCell {
                            status: presence.as_ref().map(presence_label).or_else(|| closed.then(|| "Absent".to_owned())),
                            signature: sign.and_then(|e| e.signature.as_deref()).and_then(docs::Strokes::from_json),
                            signed_at: sign.map(|e| paris(e.event.recorded_at).time()),
                            note: Some(corrections.join(" ; ")).filter(|n| !n.is_empty()),
                        }
                    })
                    .collect(),
            })
            .collect();
        let module = d.day.module.and_then(|pos| session.modules.get(pos as usize - 1).map(|title| format!("Module {pos} : {title}")));
        days.push(docs::SheetDay { date: d.day.date, module, title: Some(d.day.title.clone()).filter(|t| !t.trim().is_empty()), venue, half_days, rows });
    }
    Ok(docs::AttendanceSheetDocument {
        generated_on: crate::site::today(),
        organisation: crate::gestion::agreement_documents::organisation(&state.organisation()),
        training_title: session.program_title.clone(),
        session_reference: Some(format!("Session n° {}", session.id)),
        convention_number: convention.map(|a| a.number.to_string()),
        kind: session.kind.as_str().to_owned(),
        days,
    })
}

/// Empty rows at the end of each blank day, for trainees who come without being registered.
const WALK_IN_ROWS: usize = 3;

async fn sheet_pdf(state: &AppState, id: i64, blank: bool) -> Response {
    let session = match state.store.session(id).await {
        Ok(Some(s)) => s,
        Ok(None) => return not_found(state),
        Err(e) => return internal(state, e.into()),
    };
    let document = match sheet_document(state, &session).await {
        Ok(d) => d,
        Err(e) => return internal(state, e.into()),
    };
    let rendered = tokio::task::spawn_blocking(move || if blank { docs::render_blank(&document, WALK_IN_ROWS) } else { docs::render(&document) }).await;
    let name = if blank { format!("emargement-vierge-session-{id}.pdf") } else { format!("emargement-session-{id}.pdf") };
    match rendered {
        Ok(Ok(bytes)) => crate::gestion::conventions::pdf_response(bytes, &name),
        Ok(Err(e)) => internal(state, e.into()),
        Err(e) => internal(state, e.into()),
    }
}

/// The attendance sheet PDF (R.6332-26), generated from the electronic signatures.
pub async fn pdf(State(state): State<AppState>, PathId(id): PathId) -> Response {
    sheet_pdf(&state, id, false).await
}

/// The same sheet, blank, to print and sign by hand when electronic signing is not possible.
pub async fn blank_pdf(State(state): State<AppState>, PathId(id): PathId) -> Response {
    sheet_pdf(&state, id, true).await
}

#[derive(Template)]
#[template(path = "attendance/paper.html")]
struct PaperPage {
    frame: Frame,
    session_id: i64,
    heading: String,
    action: String,
    /// (registration id, name, what was typed); fields and errors are keyed `{id}-status`, …
    trainees: Vec<(i64, String, PresenceInput)>,
    statuses: Vec<(&'static str, &'static str)>,
    errors: FieldErrors,
}

fn paper_path(day_id: i64, half: HalfDay) -> String {
    format!("/gestion/emargement/{day_id}/{}/papier", half_segment(half))
}

async fn paper_context(state: &AppState, day_id: &str, half: &str) -> Result<super::HalfDayContext, Response> {
    let (Ok(day_id), Some(half)) = (day_id.parse::<i64>(), half_from_segment(half)) else { return Err(not_found(state)) };
    match load(state, day_id, half).await {
        Ok(Some(ctx)) => Ok(ctx),
        Ok(None) => Err(not_found(state)),
        Err(e) => Err(internal(state, e.into())),
    }
}

fn paper_page(state: &AppState, user: &forma_store::User, ctx: &super::HalfDayContext, typed: Vec<PresenceInput>, errors: FieldErrors) -> PaperPage {
    PaperPage {
        frame: Frame::new(state, user, "Feuille d'émargement papier", "sessions"),
        session_id: ctx.session.id,
        heading: format!("{} — {} ({})", ctx.session.program_title, ctx.when(), ctx.hours_label()),
        action: paper_path(ctx.slot.day_id, ctx.slot.half_day),
        trainees: ctx
            .expected
            .iter()
            .zip(typed.into_iter().chain(std::iter::repeat_with(PresenceInput::default)))
            .map(|(r, p)| (r.id, format!("{} {}", r.first_name, r.last_name), p))
            .collect(),
        statuses: AttendanceStatus::ALL.iter().map(|s| (s.as_str(), s.label())).collect(),
        errors,
    }
}

/// The form to enter a paper sheet: the scan and each trainee's status.
pub async fn paper_form(State(state): State<AppState>, current: CurrentUser, Path((day_id, half)): Path<(String, String)>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let ctx = match paper_context(&state, &day_id, &half).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let typed = ctx.expected.iter().map(|_| PresenceInput { status: "present".into(), ..PresenceInput::default() }).collect();
    render(&state, paper_page(&state, user, &ctx, typed, FieldErrors::default()))
}

pub const MAX_SCAN_BYTES: usize = 5 * 1024 * 1024;

/// Records a paper sheet: the scan, one `upload` event per trainee, and the closing.
pub async fn paper_upload(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((day_id, half)): Path<(String, String)>,
    mut multipart: Multipart,
) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let ctx = match paper_context(&state, &day_id, &half).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let mut scan: Option<Vec<u8>> = None;
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut errors = FieldErrors::default();
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_owned();
                if name == "scan" {
                    match field.bytes().await {
                        Ok(b) if !b.is_empty() => scan = Some(b.to_vec()),
                        Ok(_) => {}
                        Err(_) => errors.add("scan", "Le fichier n'a pas pu être lu (trop volumineux ?)."),
                    }
                } else if let Ok(value) = field.text().await {
                    fields.push((name, value));
                }
            }
            Ok(None) => break,
            Err(_) => {
                errors.add("scan", "Le fichier n'a pas pu être lu (trop volumineux ?).");
                break;
            }
        }
    }
    let get = |key: String| fields.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone()).unwrap_or_default();
    let typed: Vec<PresenceInput> = ctx
        .expected
        .iter()
        .map(|r| PresenceInput {
            status: get(format!("{}-status", r.id)),
            arrival: get(format!("{}-arrival", r.id)),
            departure: get(format!("{}-departure", r.id)),
            justification: get(format!("{}-justification", r.id)),
        })
        .collect();
    let scan = match scan {
        None if errors.is_empty() => {
            errors.add("scan", "Joignez la feuille signée, numérisée (PDF, PNG ou JPEG).");
            None
        }
        None => None,
        Some(bytes) if bytes.len() > MAX_SCAN_BYTES => {
            errors.add("scan", "La feuille numérisée ne doit pas dépasser 5 Mo.");
            None
        }
        Some(bytes) => match forma_domain::directory::document_type(&bytes) {
            Some(mime) => Some((bytes, mime)),
            None => {
                errors.add("scan", "Formats acceptés : PDF, PNG ou JPEG.");
                None
            }
        },
    };
    let mut statuses = Vec::new();
    for (r, input) in ctx.expected.iter().zip(&typed) {
        if AttendanceStatus::parse(input.status.trim()).is_none() {
            errors.add(format!("{}-status", r.id), "Choisissez un statut.");
            continue;
        }
        match input.validated(ctx.hours) {
            Ok(presence) => {
                statuses.push(NewAttendance { registration_id: Some(r.id), presence: Some(presence), method: Some("paper".into()), ..NewAttendance::default() })
            }
            Err(e) => errors.extend(e.prefixed(&format!("{}-", r.id))),
        }
    }
    if ctx.closed() {
        errors.add("scan", "Cette demi-journée est déjà close : corrigez les statuts un à un, avec leur raison.");
    }
    let Some((bytes, mime)) = scan.filter(|_| errors.is_empty()) else {
        return invalid(&state, paper_page(&state, user, &ctx, typed, errors));
    };
    let mailer = match super::trainer::absence_mailer(&state, &ctx).await {
        Ok(m) => m,
        Err(e) => return internal(&state, e.into()),
    };
    let closing = NewAttendance { method: Some("paper".into()), ..NewAttendance::default() };
    let expected: Vec<i64> = ctx.expected.iter().map(|r| r.id).collect();
    match state.store.close_half_day(ctx.slot, &expected, &closing, Some((&bytes, mime, &statuses)), &mailer, &user.email, Utc::now()).await {
        Ok(_) => {
            state.mail_wake.notify_one();
            done(&format!("/gestion/sessions/{}/emargement", ctx.session.id), "papier")
        }
        Err(StoreError::Conflict(m)) => {
            let mut errors = FieldErrors::default();
            errors.add("scan", m);
            invalid(&state, paper_page(&state, user, &ctx, typed, errors))
        }
        Err(e) => internal(&state, e.into()),
    }
}

/// The scanned paper sheet of a half-day.
pub async fn paper_scan(State(state): State<AppState>, Path((day_id, half)): Path<(String, String)>) -> Response {
    let (Ok(day_id), Some(half)) = (day_id.parse::<i64>(), half_from_segment(&half)) else { return not_found(&state) };
    match state.store.paper_scan(day_id, half).await {
        Ok(Some((bytes, mime))) => {
            let ext = match mime.as_str() {
                "application/pdf" => "pdf",
                "image/png" => "png",
                _ => "jpg",
            };
            let disposition = format!("attachment; filename=\"emargement-{day_id}-{}.{ext}\"", half_segment(half));
            ([(header::CONTENT_TYPE, mime), (header::CONTENT_DISPOSITION, disposition), (header::CACHE_CONTROL, "private, no-store".to_owned())], bytes)
                .into_response()
        }
        Ok(None) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}
