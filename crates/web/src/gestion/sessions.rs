//! Sessions in the back-office: the list, a new session from a published program, the session's
//! page (header, modules, days with their current conflicts, cancellation) and its days (add,
//! edit, delete).
//!
//! Every plan is checked twice before it is written: by `SessionPlan::validated()` (each message
//! next to its field) and against what is already booked (`Store::plan_conflicts`). A blocking
//! conflict refuses the form (422, values kept, the conflict next to its day); warnings let it
//! through and stay visible on the session's page, recomputed at each display.

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::response::Response;
use chrono::NaiveDate;
use forma_domain::conflicts::{Conflict, any_blocking};
use forma_domain::french_date::{long_date, long_date_with_weekday};
use forma_domain::half_day::Slot;
use forma_domain::session::{PlannedDay, SessionPlan};
use forma_domain::FieldErrors;
use forma_store::{PlanningChoices, RequestRow, SessionDetail, StoreError, User};
use serde::Deserialize;

use super::editor_form::{FormData, parse_date};
use super::layout::{Frame, PathId, done, internal, invalid, not_found, render};
use super::session_form::{ConflictView, DayForm, DayView, SessionForm, anchor, check_day, conflicts_by_row, module_lines};
use crate::auth::CurrentUser;
use crate::state::AppState;

/// The confirmations these pages show after a redirect (`?ok=…`).
fn notice(code: Option<&str>) -> Option<&'static str> {
    Some(match code? {
        "session-creee" => "Session créée.",
        "session" => "Session enregistrée.",
        "journee" => "Journée enregistrée.",
        "journee-ajoutee" => "Journée ajoutée.",
        "journee-supprimee" => "Journée supprimée.",
        "annulee" => "Session annulée : elle ne figure plus sur le site public ni dans les calendriers.",
        "retablie" => "Session rétablie.",
        _ => return None,
    })
}

fn frame(state: &AppState, user: &User, title: impl Into<String>, ok: Option<&str>) -> Frame {
    let mut frame = Frame::new(state, user, title, "sessions");
    frame.notice = notice(ok);
    frame
}

/// An `<option>`: value and label.
pub struct Opt {
    pub value: String,
    pub label: String,
}

pub struct VenueGroup {
    pub value: String,
    pub label: String,
    pub rooms: Vec<Opt>,
}

/// The lists the forms choose from, labelled for the templates.
pub struct Choices {
    pub programs: Vec<Opt>,
    pub clients: Vec<Opt>,
    pub venues: Vec<VenueGroup>,
    pub trainers: Vec<Opt>,
}

impl Choices {
    fn of(c: &PlanningChoices) -> Self {
        Choices {
            programs: c.programs.iter().map(|p| Opt { value: p.slug.clone(), label: format!("{} ({})", p.title, p.kind.as_str()) }).collect(),
            clients: c.clients.iter().map(|x| Opt { value: x.id.to_string(), label: x.name.clone() }).collect(),
            venues: c
                .venues
                .iter()
                .map(|v| VenueGroup {
                    value: v.id.to_string(),
                    label: if v.city.trim().is_empty() || v.name.contains(v.city.trim()) { v.name.clone() } else { format!("{} ({})", v.name, v.city) },
                    rooms: c.rooms_of(v.id).map(|r| Opt { value: r.id.to_string(), label: format!("{} ({} places)", r.name, r.capacity) }).collect(),
                })
                .collect(),
            trainers: c
                .trainers
                .iter()
                .map(|t| {
                    let mut label = t.name.clone();
                    if let Some(p) = &t.provider {
                        label.push_str(&format!(" ({p})"));
                    }
                    if !t.active {
                        label.push_str(" — inactif");
                    }
                    Opt { value: t.id.to_string(), label }
                })
                .collect(),
        }
    }
}

/// How a day form asks for its module: a number (new session, modules typed in the same form),
/// a list (the session's modules), or not at all (a session without modules).
pub struct ModuleField {
    pub mode: &'static str,
    pub options: Vec<Opt>,
}

impl ModuleField {
    fn text() -> Self {
        ModuleField { mode: "text", options: Vec::new() }
    }

    fn of(modules: &[String]) -> Self {
        if modules.is_empty() {
            return ModuleField { mode: "none", options: Vec::new() };
        }
        let options = modules.iter().enumerate().map(|(i, m)| Opt { value: (i + 1).to_string(), label: format!("Module {} : {m}", i + 1) }).collect();
        ModuleField { mode: "select", options }
    }
}

/// A line of an error summary: where to go, what is wrong, and for a conflict its severity
/// (`block` or `warn`; "" for a field's message).
pub struct SummaryItem {
    pub href: String,
    pub message: String,
    pub badge: &'static str,
}

/// The order of the form: header fields, then each day's fields as they appear.
fn form_order(field: &str) -> (usize, usize, usize) {
    const HEADER: &[&str] = &["program", "kind", "client", "capacity", "modules", "days"];
    const DAY: &[&str] = &["date", "module", "title", "schedule", "venue", "room", "place", "trainers", "audience", "headcount"];
    match field.strip_prefix("days[").and_then(|rest| rest.split_once("].")) {
        Some((row, name)) => (1, row.parse().unwrap_or(usize::MAX), DAY.iter().position(|f| *f == name).unwrap_or(DAY.len())),
        None => (0, HEADER.iter().position(|f| *f == field).unwrap_or(HEADER.len()), 0),
    }
}

fn summary(errors: &FieldErrors, rename: &[(&str, &str)]) -> Vec<SummaryItem> {
    let mut sorted: Vec<_> = errors.iter().collect();
    sorted.sort_by_key(|e| form_order(&e.field));
    sorted
        .into_iter()
        .map(|e| {
            let href = rename.iter().find(|(f, _)| *f == e.field).map_or_else(|| anchor(&e.field), |(_, to)| (*to).to_owned());
            SummaryItem { href: format!("#{href}"), message: e.message.clone(), badge: "" }
        })
        .collect()
}

fn conflict_summary(conflicts: &[Conflict], dates: &[(usize, NaiveDate)]) -> Vec<SummaryItem> {
    conflicts
        .iter()
        .map(|c| {
            let row = dates.iter().find(|(_, d)| *d == c.date).map_or(0, |(r, _)| *r);
            SummaryItem { href: format!("#day{row}-date"), message: c.message.clone(), badge: if ConflictView::of(c).blocking { "block" } else { "warn" } }
        })
        .collect()
}

// --- The list ---

pub struct ListRow {
    pub id: i64,
    pub program_title: String,
    pub kind: &'static str,
    pub client: String,
    pub dates: String,
    pub days: i64,
    pub capacity: String,
    pub cancelled: bool,
    pub decision: super::registrations::Decision,
}

#[derive(Template)]
#[template(path = "gestion/sessions.html")]
struct ListPage {
    frame: Frame,
    rows: Vec<ListRow>,
    all: bool,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    toutes: Option<String>,
    ok: Option<String>,
}

/// « 22 mars 2019 », « du 22 mars 2019 au 27 septembre 2019 ».
fn date_range(first: Option<NaiveDate>, last: Option<NaiveDate>) -> String {
    match (first, last) {
        (Some(f), Some(l)) if f != l => format!("du {} au {}", long_date(f), long_date(l)),
        (Some(f), _) => long_date(f),
        _ => "—".to_owned(),
    }
}

pub async fn list(State(state): State<AppState>, current: CurrentUser, Query(q): Query<ListQuery>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let all = q.toutes.as_deref().is_some_and(|v| !v.is_empty() && v != "0");
    let rows = match state.store.sessions(if all { None } else { Some(crate::site::today()) }).await {
        Ok(rows) => rows,
        Err(e) => return internal(&state, e.into()),
    };
    // Upcoming: the soonest first; all: the most recent first (the store's order).
    let mut rows = rows;
    if !all {
        rows.reverse();
    }
    let today = crate::site::today();
    let mut decisions = Vec::with_capacity(rows.len());
    for r in &rows {
        let (threshold, on) = match state.store.session_decision(r.id).await {
            Ok(d) => d,
            Err(e) => return internal(&state, e.into()),
        };
        decisions.push(super::registrations::decision(threshold, on, r.first_day, today));
    }
    let rows = rows
        .into_iter()
        .zip(decisions)
        .map(|(r, decision)| ListRow {
            decision,
            id: r.id,
            program_title: r.program_title,
            kind: r.kind.as_str(),
            client: r.client_name.unwrap_or_default(),
            dates: date_range(r.first_day, r.last_day),
            days: r.day_count,
            capacity: r.capacity.map(|c| c.to_string()).unwrap_or_default(),
            cancelled: r.cancelled,
        })
        .collect();
    render(&state, ListPage { frame: frame(&state, user, "Sessions", q.ok.as_deref()), rows, all })
}

// --- A new session ---

#[derive(Template)]
#[template(path = "gestion/session_new.html")]
struct NewPage {
    frame: Frame,
    form: SessionForm,
    days: Vec<DayView>,
    choices: Choices,
    module_field: ModuleField,
    errors: FieldErrors,
    summary: Vec<SummaryItem>,
    blocked: bool,
    /// « D'après la demande n° 3 de la CAF de l'Allier », when prefilled from a request.
    from_request: String,
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    programme: Option<String>,
    /// A client's request to plan from: its program, kind, client and seats.
    demande: Option<String>,
}

fn new_page(state: &AppState, user: &User, form: SessionForm, choices: &PlanningChoices, errors: FieldErrors, conflicts: &[Conflict], from_request: String) -> NewPage {
    let dates: Vec<(usize, NaiveDate)> = form.days.iter().enumerate().filter_map(|(i, d)| parse_date(&d.date).map(|date| (i, date))).collect();
    let mut by_row = conflicts_by_row(conflicts, &dates);
    let days = form.days.iter().enumerate().map(|(i, d)| DayView::new(i, d.clone(), &errors, by_row.remove(&i).unwrap_or_default())).collect();
    let mut items = summary(&errors, &[]);
    items.extend(conflict_summary(conflicts, &dates));
    NewPage {
        frame: frame(state, user, "Nouvelle session", None),
        form,
        days,
        choices: Choices::of(choices),
        module_field: ModuleField::text(),
        errors,
        summary: items,
        blocked: any_blocking(conflicts),
        from_request,
    }
}

/// « D'après la demande n° 3 de la CAF de l'Allier (« … »). », and the request itself.
async fn from_request(state: &AppState, id: Option<i64>) -> Result<Option<(RequestRow, String)>, StoreError> {
    let Some(id) = id else { return Ok(None) };
    Ok(state.store.request(id).await?.map(|r| {
        let note = format!("D'après la demande n° {id} de {} (« {} »).", r.client_name, r.program_title);
        (r, note)
    }))
}

pub async fn new(State(state): State<AppState>, current: CurrentUser, Query(q): Query<NewQuery>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let choices = match state.store.planning_choices().await {
        Ok(c) => c,
        Err(e) => return internal(&state, e.into()),
    };
    let mut form = SessionForm::default();
    if let Some(program) = q.programme.as_deref().and_then(|slug| choices.program(slug)) {
        form.program.clone_from(&program.slug);
        form.kind = program.kind.as_str().to_owned();
    }
    let request = match from_request(&state, q.demande.as_deref().and_then(|d| d.trim().parse::<i64>().ok())).await {
        Ok(r) => r,
        Err(e) => return internal(&state, e.into()),
    };
    let mut note = String::new();
    if let Some((request, text)) = request {
        if choices.program(&request.program_slug).is_some() {
            form.program.clone_from(&request.program_slug);
        }
        form.kind = request.kind.as_str().to_owned();
        // An INTER session has no client: the request's seats are taken in it.
        if request.kind == forma_domain::ProgramKind::Intra {
            form.client = request.client_id.to_string();
        }
        form.capacity = request.seats.map(|s| s.to_string()).unwrap_or_default();
        form.request = request.id.to_string();
        note = text;
    }
    render(&state, new_page(&state, user, form, &choices, FieldErrors::default(), &[], note))
}

pub async fn create(State(state): State<AppState>, current: CurrentUser, body: Bytes) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let data = FormData::parse(&body);
    let mut form = SessionForm::read(&data);
    let choices = match state.store.planning_choices().await {
        Ok(c) => c,
        Err(e) => return internal(&state, e.into()),
    };
    let note = match from_request(&state, form.request_id()).await {
        Ok(r) => r.map(|(_, text)| text).unwrap_or_default(),
        Err(e) => return internal(&state, e.into()),
    };
    // A request that does not exist (any more) is not linked.
    if note.is_empty() {
        form.request.clear();
    }
    // « Ajouter une ligne »: the same form with one more row, nothing checked yet.
    if data.get("action") == "ligne" {
        if form.days.len() < super::session_form::MAX_ROWS {
            form.days.push(DayForm::default());
        }
        return render(&state, new_page(&state, user, form, &choices, FieldErrors::default(), &[], note));
    }
    if form.days.is_empty() {
        form.days.push(DayForm::default());
    }
    let read = match form.to_plan(&choices) {
        Ok(read) => read,
        Err(errors) => return invalid(&state, new_page(&state, user, form, &choices, errors, &[], note)),
    };
    let conflicts = match state.store.plan_conflicts(&read.plan.days, None, &[]).await {
        Ok(c) => c,
        Err(e) => return internal(&state, e.into()),
    };
    if any_blocking(&conflicts) {
        return invalid(&state, new_page(&state, user, form, &choices, FieldErrors::default(), &conflicts, note));
    }
    match state.store.create_session_from(&read.program, &read.plan, form.request_id(), &current.actor()).await {
        Ok(id) => {
            state.catalogue_changed();
            done(&format!("/gestion/sessions/{id}"), "session-creee")
        }
        Err(StoreError::UnknownProgram(_)) => {
            let mut errors = FieldErrors::default();
            errors.add("program", "Cette fiche n'est plus publiée : choisissez-en une autre.");
            invalid(&state, new_page(&state, user, form, &choices, errors, &[], note))
        }
        Err(StoreError::Conflict(m)) => {
            let mut errors = FieldErrors::default();
            errors.add("days", m);
            invalid(&state, new_page(&state, user, form, &choices, errors, &[], note))
        }
        Err(e) => internal(&state, e.into()),
    }
}

// --- The session's page ---

/// A stored day as the session's table shows it.
pub struct DayLine {
    pub id: i64,
    pub date: String,
    pub module: String,
    pub title: String,
    pub hours: String,
    pub place: String,
    pub trainers: String,
    pub audience: String,
    pub headcount: String,
    pub conflicts: Vec<ConflictView>,
}

fn slot_label(slot: Option<Slot>) -> Option<String> {
    slot.map(|s| format!("{}–{}", s.start.format("%H:%M"), s.end.format("%H:%M")))
}

fn day_line(d: &forma_store::DayDetail, modules: &[String], conflicts: Vec<ConflictView>) -> DayLine {
    let day = &d.day;
    let halves: Vec<String> = [slot_label(day.schedule.morning), slot_label(day.schedule.afternoon)].into_iter().flatten().collect();
    let place = match (&d.venue_name, &d.room_name) {
        (Some(v), Some(r)) => match d.room_capacity {
            Some(c) => format!("{v}, salle « {r} » ({c} places)"),
            None => format!("{v}, salle « {r} »"),
        },
        (Some(v), None) => v.clone(),
        _ => day.place.clone(),
    };
    DayLine {
        id: d.id,
        date: long_date_with_weekday(day.date),
        module: day
            .module
            .map(|m| match (m as usize).checked_sub(1).and_then(|i| modules.get(i)) {
                Some(title) => format!("Module {m} : {title}"),
                None => format!("Module {m}"),
            })
            .unwrap_or_default(),
        title: day.title.clone(),
        hours: format!("{} ({})", halves.join(" et "), day.schedule.minutes().label()),
        place,
        trainers: d.trainer_names.join(", "),
        audience: day.audience.clone(),
        headcount: day.headcount.map(|h| if h.min == h.max { format!("{} personnes", h.min) } else { format!("{} à {} personnes", h.min, h.max) }).unwrap_or_default(),
        conflicts,
    }
}

/// What a refused action puts back on the session's page.
#[derive(Default)]
struct Refused {
    /// The « Ajouter une journée » form as typed, its errors and conflicts.
    add: Option<(DayForm, FieldErrors, Vec<Conflict>)>,
    /// The header form as typed (capacity, modules) and its errors.
    header: Option<(String, String, FieldErrors)>,
    /// Another refusal (deleting the last day, reinstating over a blocking conflict).
    message: Option<String>,
}

#[derive(Template)]
#[template(path = "gestion/session.html")]
struct SessionPage {
    frame: Frame,
    id: i64,
    program_title: String,
    program_slug: String,
    version: Option<i64>,
    kind: &'static str,
    client: String,
    capacity: String,
    total: String,
    cancelled: bool,
    modules: Vec<String>,
    days: Vec<DayLine>,
    blocking: usize,
    warnings: usize,
    header_capacity: String,
    header_modules: String,
    header_errors: FieldErrors,
    /// The « Ajouter une journée » form.
    d: DayView,
    choices: Choices,
    module_field: ModuleField,
    summary: Vec<SummaryItem>,
    agreements: Vec<forma_store::Agreement>,
    /// The requests this session was planned for.
    requests: Vec<RequestRow>,
    /// Where its calendar opens: its next day, or its first when all are past.
    calendar_date: String,
}

/// The day a session's calendar opens on: its next day from `today`, or its first one when the
/// session is over (a past action is looked at from its start).
fn calendar_date(plan: &SessionPlan, today: NaiveDate) -> Option<NaiveDate> {
    let dates = plan.days.iter().map(|d| d.date);
    dates.clone().filter(|d| *d >= today).min().or_else(|| dates.min())
}

/// « 6 jours, 42 h ».
fn total(plan: &SessionPlan) -> String {
    let n = plan.days.len();
    format!("{n} jour{}, {}", if n > 1 { "s" } else { "" }, plan.total().label())
}

async fn session_page(state: &AppState, user: &User, session: SessionDetail, ok: Option<&str>, refused: Refused) -> Result<SessionPage, StoreError> {
    let choices = state.store.planning_choices().await?;
    let plan = session.plan();
    // The session's days are on distinct dates: checking them together against everything
    // else booked is checking each against the others' bookings.
    let conflicts = state.store.plan_conflicts(&plan.days, Some(session.id), &[]).await?;
    let mut by_date: HashMap<NaiveDate, Vec<ConflictView>> = HashMap::new();
    for c in &conflicts {
        by_date.entry(c.date).or_default().push(ConflictView::of(c));
    }
    let days = session.days.iter().map(|d| day_line(d, &session.modules, by_date.remove(&d.day.date).unwrap_or_default())).collect();
    let blocking = conflicts.iter().filter(|c| ConflictView::of(c).blocking).count();
    let mut items = Vec::new();
    if let Some(m) = &refused.message {
        items.push(SummaryItem { href: "#jours".into(), message: m.clone(), badge: "" });
    }
    let (header_capacity, header_modules, header_errors) = match refused.header {
        Some(h) => h,
        None => (session.capacity.map(|c| c.to_string()).unwrap_or_default(), session.modules.join("\n"), FieldErrors::default()),
    };
    items.extend(summary(&header_errors, &[("capacity", "header-capacity"), ("modules", "header-modules")]));
    let add = match refused.add {
        Some((form, errors, conflicts)) => {
            items.extend(summary(&errors, &[]));
            let dates: Vec<(usize, NaiveDate)> = parse_date(&form.date).map(|d| (0, d)).into_iter().collect();
            items.extend(conflict_summary(&conflicts, &dates));
            DayView::new(0, form, &errors, conflicts.iter().map(ConflictView::of).collect()).with_legend("Nouvelle journée")
        }
        None => {
            // A new day takes the last one's place, trainers and audience: the usual case.
            let form = session.days.last().map_or_else(DayForm::default, |d| DayForm { date: String::new(), ..DayForm::from_day(&d.day) });
            DayView::new(0, form, &FieldErrors::default(), Vec::new()).with_legend("Nouvelle journée")
        }
    };
    Ok(SessionPage {
        frame: frame(state, user, format!("Session n° {} — {}", session.id, session.program_title), ok),
        id: session.id,
        version: session.program_version,
        kind: session.kind.as_str(),
        client: session.client_name.clone().unwrap_or_default(),
        capacity: session.capacity.map(|c| c.to_string()).unwrap_or_default(),
        total: total(&plan),
        cancelled: session.cancelled,
        module_field: ModuleField::of(&session.modules),
        modules: session.modules,
        program_title: session.program_title,
        program_slug: session.program_slug,
        days,
        blocking,
        warnings: conflicts.len() - blocking,
        header_capacity,
        header_modules,
        header_errors,
        d: add,
        choices: Choices::of(&choices),
        summary: items,
        agreements: state.store.agreements(Some(session.id)).await?,
        requests: state.store.session_requests(session.id).await?,
        calendar_date: calendar_date(&plan, crate::site::today()).map(|d| d.to_string()).unwrap_or_default(),
    })
}

async fn load(state: &AppState, id: i64) -> Result<SessionDetail, Response> {
    match state.store.session(id).await {
        Ok(Some(s)) => Ok(s),
        Ok(None) => Err(not_found(state)),
        Err(e) => Err(internal(state, e.into())),
    }
}

async fn show_page(state: &AppState, user: &User, session: SessionDetail, ok: Option<&str>, refused: Option<Refused>) -> Response {
    let is_refused = refused.is_some();
    match session_page(state, user, session, ok, refused.unwrap_or_default()).await {
        Ok(page) if is_refused => invalid(state, page),
        Ok(page) => render(state, page),
        Err(e) => internal(state, e.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    ok: Option<String>,
}

pub async fn show(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId, Query(q): Query<NoticeQuery>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let session = match load(&state, id).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    show_page(&state, user, session, q.ok.as_deref(), None).await
}

/// Capacity and module titles. Days of a module that disappears keep no module.
pub async fn update_header(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId, body: Bytes) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let session = match load(&state, id).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let data = FormData::parse(&body);
    let (capacity_text, modules_text) = (data.get("capacity").to_owned(), data.get("modules").to_owned());
    let mut errors = FieldErrors::default();
    let capacity = match capacity_text.trim() {
        "" => None,
        text => {
            let parsed = text.parse::<u32>().ok();
            if parsed.is_none() {
                errors.add("capacity", "Nombre de places illisible : écrivez un nombre entier, par exemple 12.");
            }
            parsed
        }
    };
    let modules = module_lines(&modules_text);
    let mut plan = session.plan();
    plan.capacity = capacity;
    plan.modules.clone_from(&modules);
    for day in &mut plan.days {
        day.module = day.module.filter(|m| (*m as usize) <= modules.len());
    }
    if let Err(found) = plan.validated() {
        for e in found.iter() {
            let field = if e.field.starts_with("modules") { "modules" } else if e.field == "capacity" { "capacity" } else { "days" };
            if errors.get(field).is_none() {
                errors.add(field, e.message.clone());
            }
        }
    }
    if !errors.is_empty() {
        let refused = Refused { header: Some((capacity_text, modules_text, errors)), ..Refused::default() };
        return show_page(&state, user, session, None, Some(refused)).await;
    }
    match state.store.update_session_header(id, capacity, &modules, &current.actor()).await {
        Ok(()) => {
            state.catalogue_changed();
            done(&format!("/gestion/sessions/{id}"), "session")
        }
        Err(StoreError::NotFound(_)) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}

pub async fn cancel(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId) -> Response {
    match state.store.set_session_cancelled(id, true, &current.actor()).await {
        Ok(()) => {
            state.catalogue_changed();
            done(&format!("/gestion/sessions/{id}"), "annulee")
        }
        Err(StoreError::NotFound(_)) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}

/// Reinstating is refused while a day has a blocking conflict (its trainer or room was booked
/// elsewhere in the meantime): move or change that day first.
pub async fn reinstate(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let session = match load(&state, id).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    if session.cancelled {
        match state.store.plan_conflicts(&session.plan().days, Some(id), &[]).await {
            Ok(conflicts) if any_blocking(&conflicts) => {
                let message = "La session ne peut pas être rétablie : une de ses journées a un conflit bloquant (voir le tableau des journées). Modifiez-la d'abord.";
                return show_page(&state, user, session, None, Some(Refused { message: Some(message.into()), ..Refused::default() })).await;
            }
            Ok(_) => {}
            Err(e) => return internal(&state, e.into()),
        }
    }
    match state.store.set_session_cancelled(id, false, &current.actor()).await {
        Ok(()) => {
            state.catalogue_changed();
            done(&format!("/gestion/sessions/{id}"), "retablie")
        }
        Err(StoreError::NotFound(_)) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}

// --- Days ---

/// `/gestion/sessions/{id}/journees/{number}`: the session and one of its days (the day's id).
/// Anything but two numbers answers the French 404 page.
pub struct DayPath {
    pub session: i64,
    pub day: i64,
}

impl FromRequestParts<AppState> for DayPath {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let axum::extract::Path(params) = axum::extract::Path::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|_| not_found(state))?;
        let value = |name: &str| params.iter().find(|(n, _)| n == name).and_then(|(_, v)| v.parse::<i64>().ok());
        match (value("id"), value("number")) {
            (Some(session), Some(day)) => Ok(DayPath { session, day }),
            _ => Err(not_found(state)),
        }
    }
}

#[derive(Template)]
#[template(path = "gestion/session_day.html")]
struct DayPage {
    frame: Frame,
    session_id: i64,
    session_title: String,
    day_id: i64,
    d: DayView,
    choices: Choices,
    module_field: ModuleField,
    summary: Vec<SummaryItem>,
}

/// The edit page of a day, with the form as typed, its errors and its conflicts.
fn day_page(state: &AppState, user: &User, session: &SessionDetail, day_id: i64, choices: &PlanningChoices, typed: (DayForm, &FieldErrors, &[Conflict])) -> DayPage {
    let (form, errors, conflicts) = typed;
    let dates: Vec<(usize, NaiveDate)> = parse_date(&form.date).map(|d| (0, d)).into_iter().collect();
    let mut items = summary(errors, &[]);
    items.extend(conflict_summary(conflicts, &dates));
    let title = format!("Session n° {} — {}", session.id, session.program_title);
    let legend = match session.days.iter().find(|d| d.id == day_id) {
        Some(d) => format!("Journée du {}", long_date_with_weekday(d.day.date)),
        None => "Journée".to_owned(),
    };
    DayPage {
        frame: frame(state, user, format!("Modifier une journée — {title}"), None),
        session_id: session.id,
        session_title: title,
        day_id,
        d: DayView::new(0, form, errors, conflicts.iter().map(ConflictView::of).collect()).with_legend(legend),
        choices: Choices::of(choices),
        module_field: ModuleField::of(&session.modules),
        summary: items,
    }
}

/// The session and the day, or the 404 page when the day is not the session's.
async fn load_day(state: &AppState, path: &DayPath) -> Result<(SessionDetail, PlannedDay), Response> {
    let session = load(state, path.session).await?;
    match session.days.iter().find(|d| d.id == path.day) {
        Some(d) => {
            let day = d.day.clone();
            Ok((session, day))
        }
        None => Err(not_found(state)),
    }
}

fn other_days(session: &SessionDetail, except: Option<i64>) -> (Vec<PlannedDay>, Vec<i64>) {
    session.days.iter().filter(|d| Some(d.id) != except).map(|d| (d.day.clone(), d.id)).unzip()
}

pub async fn edit_day(State(state): State<AppState>, current: CurrentUser, path: DayPath) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let (session, day) = match load_day(&state, &path).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let (_, keep) = other_days(&session, Some(path.day));
    let (choices, conflicts) = match (state.store.planning_choices().await, state.store.plan_conflicts(std::slice::from_ref(&day), Some(session.id), &keep).await) {
        (Ok(c), Ok(k)) => (c, k),
        (Err(e), _) | (_, Err(e)) => return internal(&state, e.into()),
    };
    render(&state, day_page(&state, user, &session, path.day, &choices, (DayForm::from_day(&day), &FieldErrors::default(), &conflicts)))
}

/// Checks a posted day against the session (validation, then conflicts). `Ok` is the day to
/// write; `Err` the errors and conflicts to show with the form.
async fn checked_day(state: &AppState, session: &SessionDetail, except: Option<i64>, form: &DayForm, choices: &PlanningChoices) -> Result<Result<PlannedDay, (FieldErrors, Vec<Conflict>)>, StoreError> {
    let (others, keep) = other_days(session, except);
    let day = match check_day(form, &session.plan(), others, choices) {
        Ok(day) => day,
        Err(errors) => return Ok(Err((errors, Vec::new()))),
    };
    let conflicts = state.store.plan_conflicts(std::slice::from_ref(&day), Some(session.id), &keep).await?;
    if any_blocking(&conflicts) {
        return Ok(Err((FieldErrors::default(), conflicts)));
    }
    Ok(Ok(day))
}

pub async fn save_day(State(state): State<AppState>, current: CurrentUser, path: DayPath, body: Bytes) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let (session, _) = match load_day(&state, &path).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let form = DayForm::read(&FormData::parse(&body), 0).unwrap_or_default();
    let choices = match state.store.planning_choices().await {
        Ok(c) => c,
        Err(e) => return internal(&state, e.into()),
    };
    let day = match checked_day(&state, &session, Some(path.day), &form, &choices).await {
        Ok(Ok(day)) => day,
        Ok(Err((errors, conflicts))) => return invalid(&state, day_page(&state, user, &session, path.day, &choices, (form, &errors, &conflicts))),
        Err(e) => return internal(&state, e.into()),
    };
    match state.store.update_session_day(session.id, path.day, &day, &current.actor()).await {
        Ok(()) => {
            state.catalogue_changed();
            done(&format!("/gestion/sessions/{}", session.id), "journee")
        }
        Err(StoreError::Conflict(m)) => {
            let mut errors = FieldErrors::default();
            errors.add("days[0].date", m);
            invalid(&state, day_page(&state, user, &session, path.day, &choices, (form, &errors, &[])))
        }
        Err(StoreError::NotFound(_)) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}

pub async fn add_day(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId, body: Bytes) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let session = match load(&state, id).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let form = DayForm::read(&FormData::parse(&body), 0).unwrap_or_default();
    let choices = match state.store.planning_choices().await {
        Ok(c) => c,
        Err(e) => return internal(&state, e.into()),
    };
    let day = match checked_day(&state, &session, None, &form, &choices).await {
        Ok(Ok(day)) => day,
        Ok(Err((errors, conflicts))) => {
            return show_page(&state, user, session, None, Some(Refused { add: Some((form, errors, conflicts)), ..Refused::default() })).await;
        }
        Err(e) => return internal(&state, e.into()),
    };
    match state.store.add_session_day(id, &day, &current.actor()).await {
        Ok(_) => {
            state.catalogue_changed();
            done(&format!("/gestion/sessions/{id}"), "journee-ajoutee")
        }
        Err(StoreError::Conflict(m)) => {
            let mut errors = FieldErrors::default();
            errors.add("days[0].date", m);
            show_page(&state, user, session, None, Some(Refused { add: Some((form, errors, Vec::new())), ..Refused::default() })).await
        }
        Err(StoreError::NotFound(_)) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}

/// Removes a day; the last one stays (cancel the session instead), said in French.
pub async fn delete_day(State(state): State<AppState>, current: CurrentUser, path: DayPath) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let (session, _) = match load_day(&state, &path).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match state.store.delete_session_day(session.id, path.day, &current.actor()).await {
        Ok(()) => {
            state.catalogue_changed();
            done(&format!("/gestion/sessions/{}", session.id), "journee-supprimee")
        }
        Err(StoreError::Conflict(m)) => show_page(&state, user, session, None, Some(Refused { message: Some(m), ..Refused::default() })).await,
        Err(StoreError::NotFound(_)) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use forma_domain::ProgramKind;

    fn on(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_calendar_opens_on_the_next_day_or_the_first_of_a_past_session() {
        let plan = SessionPlan {
            kind: ProgramKind::Inter,
            client_id: None,
            capacity: None,
            modules: vec![],
            days: [on(2019, 3, 22), on(2019, 9, 27), on(2019, 4, 12)].into_iter().map(PlannedDay::on).collect(),
        };
        assert_eq!(calendar_date(&plan, on(2026, 11, 29)), Some(on(2019, 3, 22)), "over: its first day");
        assert_eq!(calendar_date(&plan, on(2019, 4, 1)), Some(on(2019, 4, 12)), "under way: its next day");
        assert_eq!(calendar_date(&plan, on(2019, 1, 1)), Some(on(2019, 3, 22)));
        assert_eq!(calendar_date(&SessionPlan { days: vec![], ..plan }, on(2019, 1, 1)), None);
    }
}
