//! Calendars (`/gestion/calendrier`): a month grid or a week of half-days, for every session or
//! for one session, one trainer or one venue; public holidays are marked. Server-rendered tables,
//! navigation by links, no script. A scoped calendar can be subscribed to (secret iCalendar
//! feeds, see [`super::calendar_feeds`]).

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::Response;
use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Timelike};
use forma_domain::french_date::long_date;
use forma_domain::half_day::Slot;
use forma_domain::holidays::holiday;
use forma_store::{CalendarChoice, CalendarDay, CalendarFeed, CalendarScope, StoreError, User};
use serde::Deserialize;

use super::layout::{Frame, ParisTime, internal, invalid, not_found, render};
use crate::auth::CurrentUser;
use crate::state::AppState;

const MONTHS: [&str; 12] = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"];
const WEEKDAYS: [&str; 7] = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum View {
    Month,
    Week,
}

impl View {
    fn code(self) -> &'static str {
        match self {
            View::Month => "mois",
            View::Week => "semaine",
        }
    }
}

#[derive(Deserialize, Default)]
pub struct CalendarQuery {
    vue: Option<String>,
    date: Option<String>,
    session: Option<String>,
    formateur: Option<String>,
    lieu: Option<String>,
    ok: Option<String>,
}

/// The address parameter naming a scope.
pub(crate) fn scope_param(scope: CalendarScope) -> Option<&'static str> {
    match scope {
        CalendarScope::All => None,
        CalendarScope::Session(_) => Some("session"),
        CalendarScope::Trainer(_) => Some("formateur"),
        CalendarScope::Venue(_) => Some("lieu"),
    }
}

/// The calendar's address for a view, a date and a scope.
pub(crate) fn calendar_link(view: View, date: NaiveDate, scope: CalendarScope) -> String {
    let mut link = format!("/gestion/calendrier?vue={}&date={date}", view.code());
    if let Some(param) = scope_param(scope) {
        link.push_str(&format!("&{param}={}", scope.target()));
    }
    link
}

/// Where the calendar stands, read from the address: unreadable dates mean today; a scope id
/// that is not a number is refused (`None`). One scope at most: session, then trainer, then venue.
pub(crate) fn read_query(vue: Option<&str>, date: Option<&str>, scopes: [Option<&str>; 3], today: NaiveDate) -> Option<(View, NaiveDate, CalendarScope)> {
    let view = if vue == Some("semaine") { View::Week } else { View::Month };
    let date = date.and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok()).unwrap_or(today);
    let [session, trainer, venue] = scopes.map(|s| s.map(str::trim).filter(|s| !s.is_empty()));
    let scope = match (session, trainer, venue) {
        (Some(id), _, _) => CalendarScope::Session(id.parse().ok()?),
        (None, Some(id), _) => CalendarScope::Trainer(id.parse().ok()?),
        (None, None, Some(id)) => CalendarScope::Venue(id.parse().ok()?),
        (None, None, None) => CalendarScope::All,
    };
    Some((view, date, scope))
}

fn monday_of(date: NaiveDate) -> NaiveDate {
    date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
}

fn month_bounds(date: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = date.with_day(1).unwrap_or(date);
    let next = if first.month() == 12 { NaiveDate::from_ymd_opt(first.year() + 1, 1, 1) } else { NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1) };
    (first, next.map_or(first, |n| n - Duration::days(1)))
}

fn month_name(date: NaiveDate) -> String {
    format!("{} {}", MONTHS[date.month0() as usize], date.year())
}

/// « 9 h », « 12 h 30 ».
pub(crate) fn time_label(t: NaiveTime) -> String {
    if t.minute() == 0 { format!("{} h", t.hour()) } else { format!("{} h {:02}", t.hour(), t.minute()) }
}

fn slot_label(slot: Slot) -> String {
    format!("{} – {}", time_label(slot.start), time_label(slot.end))
}

/// Where a day takes place: the venue and room, else the place typed.
pub(crate) fn place_of(day: &CalendarDay) -> String {
    match (&day.detail.venue_name, &day.detail.room_name) {
        (Some(venue), Some(room)) => format!("{venue}, {room}"),
        (Some(venue), None) => venue.clone(),
        _ => day.detail.day.place.trim().to_owned(),
    }
}

/// One session's day (or half-day) in a cell.
struct Entry {
    session_id: i64,
    title: String,
    hours: String,
    place: String,
    trainers: String,
    client: Option<String>,
}

fn entry(day: &CalendarDay, hours: String) -> Entry {
    Entry {
        session_id: day.session_id,
        title: day.program_title.clone(),
        hours,
        place: place_of(day),
        trainers: match day.detail.trainer_names.len() {
            0 => String::new(),
            1 => format!("Formateur : {}", day.detail.trainer_names[0]),
            _ => format!("Formateurs : {}", day.detail.trainer_names.join(", ")),
        },
        client: day.client_name.clone(),
    }
}

struct Cell {
    date: NaiveDate,
    day: u32,
    /// « lundi 2 novembre 2026 », for screen readers.
    label: String,
    in_month: bool,
    today: bool,
    holiday: Option<&'static str>,
    weekend: bool,
    entries: Vec<Entry>,
}

struct WeekColumn {
    date: NaiveDate,
    /// « lundi 2 novembre ».
    heading: String,
    today: bool,
    holiday: Option<&'static str>,
    weekend: bool,
    morning: Vec<Entry>,
    afternoon: Vec<Entry>,
}

/// The feed whose secret address is shown once, right after it was created.
pub(crate) struct CreatedFeed {
    pub url: String,
}

#[derive(Template)]
#[template(path = "gestion/calendar.html")]
pub(crate) struct CalendarPage {
    frame: Frame,
    week_view: bool,
    /// « novembre 2026 », « semaine du 2 au 8 novembre 2026 ».
    caption: String,
    scope: CalendarScope,
    scope_name: Option<String>,
    /// For the view switch and the selects (hidden fields).
    view_code: &'static str,
    date: NaiveDate,
    month_link: String,
    week_link: String,
    previous_link: String,
    previous_label: &'static str,
    next_link: String,
    next_label: &'static str,
    today_link: String,
    all_link: String,
    weekdays: [&'static str; 7],
    weeks: Vec<Vec<Cell>>,
    columns: Vec<WeekColumn>,
    day_count: usize,
    trainers: Vec<CalendarChoice>,
    venues: Vec<CalendarChoice>,
    feeds: Vec<CalendarFeed>,
    created: Option<CreatedFeed>,
    feed_error: Option<&'static str>,
}

impl CalendarPage {
    pub(crate) fn with_notice(mut self, code: Option<&str>) -> Self {
        self.frame = self.frame.notice(code);
        self
    }

    fn trainer_selected(&self, id: &i64) -> bool {
        self.scope == CalendarScope::Trainer(*id)
    }

    fn venue_selected(&self, id: &i64) -> bool {
        self.scope == CalendarScope::Venue(*id)
    }

    fn feed_state(&self, feed: &CalendarFeed) -> &'static str {
        if feed.revoked_at.is_some() {
            "révoquée"
        } else if feed.is_live(chrono::Utc::now()) {
            "active"
        } else {
            "expirée"
        }
    }

    fn feed_live(&self, feed: &CalendarFeed) -> bool {
        feed.is_live(chrono::Utc::now())
    }
}

impl ParisTime for CalendarPage {}

/// Builds the calendar page; `Ok(None)` when the scope names nothing that exists.
pub(crate) async fn calendar_page(
    state: &AppState,
    user: &User,
    view: View,
    date: NaiveDate,
    scope: CalendarScope,
    created: Option<CreatedFeed>,
) -> Result<Option<CalendarPage>, StoreError> {
    let Some(name) = state.store.calendar_scope_name(scope).await? else { return Ok(None) };
    let today = crate::site::today();
    let (first, last, caption, previous, next) = match view {
        View::Month => {
            let (first, last) = month_bounds(date);
            let previous = month_bounds(first - Duration::days(1)).0;
            let next = last + Duration::days(1);
            (monday_of(first), monday_of(last) + Duration::days(6), month_name(first), previous, next)
        }
        View::Week => {
            let monday = monday_of(date);
            let sunday = monday + Duration::days(6);
            let caption = if monday.month() == sunday.month() {
                format!("semaine du {} au {}", monday.day(), long_date(sunday))
            } else if monday.year() == sunday.year() {
                format!("semaine du {} {} au {}", monday.day(), MONTHS[monday.month0() as usize], long_date(sunday))
            } else {
                format!("semaine du {} au {}", long_date(monday), long_date(sunday))
            };
            (monday, sunday, caption, monday - Duration::days(7), monday + Duration::days(7))
        }
    };
    let (days, trainers, venues, feeds) = tokio::try_join!(
        state.store.calendar_days(first, last, scope),
        state.store.calendar_trainer_choices(),
        state.store.calendar_venue_choices(),
        async {
            match scope {
                CalendarScope::All => Ok(Vec::new()),
                _ => state.store.calendar_feeds(scope).await,
            }
        },
    )?;
    let mut by_date: BTreeMap<NaiveDate, Vec<&CalendarDay>> = BTreeMap::new();
    for day in &days {
        by_date.entry(day.detail.day.date).or_default().push(day);
    }
    let on = |date: NaiveDate| by_date.get(&date).map(Vec::as_slice).unwrap_or(&[]);
    let weekend = |date: NaiveDate| date.weekday().num_days_from_monday() >= 5;

    let shown = date;
    let mut weeks = Vec::new();
    let mut columns = Vec::new();
    match view {
        View::Month => {
            let mut monday = first;
            while monday <= last {
                let week = (0..7)
                    .map(|i| {
                        let date = monday + Duration::days(i);
                        Cell {
                            date,
                            day: date.day(),
                            label: format!("{} {}", WEEKDAYS[i as usize], long_date(date)),
                            in_month: (date.year(), date.month()) == (shown.year(), shown.month()),
                            today: date == today,
                            holiday: holiday(date),
                            weekend: weekend(date),
                            entries: on(date)
                                .iter()
                                .map(|d| {
                                    let (start, end) = d.detail.day.schedule.envelope();
                                    entry(d, format!("{} – {}", time_label(start), time_label(end)))
                                })
                                .collect(),
                        }
                    })
                    .collect();
                weeks.push(week);
                monday += Duration::days(7);
            }
        }
        View::Week => {
            for i in 0..7 {
                let date = first + Duration::days(i);
                let half = |pick: fn(&CalendarDay) -> Option<Slot>| on(date).iter().filter_map(|d| pick(d).map(|s| entry(d, slot_label(s)))).collect();
                columns.push(WeekColumn {
                    date,
                    heading: format!("{} {} {}", WEEKDAYS[i as usize], date.day(), MONTHS[date.month0() as usize]),
                    today: date == today,
                    holiday: holiday(date),
                    weekend: weekend(date),
                    morning: half(|d| d.detail.day.schedule.morning),
                    afternoon: half(|d| d.detail.day.schedule.afternoon),
                });
            }
        }
    }
    let title = match scope {
        CalendarScope::All => "Calendrier".to_owned(),
        _ => format!("Calendrier — {name}"),
    };
    let (previous_label, next_label) = match view {
        View::Month => ("Mois précédent", "Mois suivant"),
        View::Week => ("Semaine précédente", "Semaine suivante"),
    };
    Ok(Some(CalendarPage {
        frame: Frame::new(state, user, title, "calendrier"),
        week_view: view == View::Week,
        caption,
        scope,
        scope_name: (scope != CalendarScope::All).then_some(name),
        view_code: view.code(),
        date,
        month_link: calendar_link(View::Month, date, scope),
        week_link: calendar_link(View::Week, date, scope),
        previous_link: calendar_link(view, previous, scope),
        previous_label,
        next_link: calendar_link(view, next, scope),
        next_label,
        today_link: calendar_link(view, today, scope),
        all_link: calendar_link(view, date, CalendarScope::All),
        weekdays: WEEKDAYS,
        weeks,
        columns,
        day_count: days.len(),
        trainers,
        venues,
        feeds,
        created,
        feed_error: None,
    }))
}

pub async fn show(State(state): State<AppState>, current: CurrentUser, Query(q): Query<CalendarQuery>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let today = crate::site::today();
    let Some((view, date, scope)) = read_query(q.vue.as_deref(), q.date.as_deref(), [q.session.as_deref(), q.formateur.as_deref(), q.lieu.as_deref()], today) else {
        return not_found(&state);
    };
    match calendar_page(&state, user, view, date, scope, None).await {
        Ok(Some(page)) => render(&state, page.with_notice(q.ok.as_deref())),
        Ok(None) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}

/// Renders a freshly created feed's page: the secret is in it, so nothing may keep a copy.
pub(crate) fn render_secret(state: &AppState, page: impl Template) -> Response {
    let mut response = render(state, page);
    response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    response
}

/// The calendar of every session with a message about the feed form (422).
pub(crate) async fn feed_refused(state: &AppState, user: &User, message: &'static str) -> Response {
    let today = crate::site::today();
    match calendar_page(state, user, View::Month, today, CalendarScope::All, None).await {
        Ok(Some(page)) => invalid(state, CalendarPage { feed_error: Some(message), ..page }),
        Ok(None) => not_found(state),
        Err(e) => internal(state, e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_address_gives_view_date_and_one_scope() {
        let today = date(2026, 11, 29);
        assert_eq!(read_query(None, None, [None, None, None], today), Some((View::Month, today, CalendarScope::All)));
        assert_eq!(
            read_query(Some("semaine"), Some("2026-11-02"), [None, Some("3"), None], today),
            Some((View::Week, date(2026, 11, 2), CalendarScope::Trainer(3)))
        );
        assert_eq!(read_query(None, Some("hier"), [None, Some(""), Some("4")], today), Some((View::Month, today, CalendarScope::Venue(4))));
        assert_eq!(read_query(None, None, [Some("x"), None, None], today), None);
        assert_eq!(calendar_link(View::Week, date(2026, 11, 2), CalendarScope::Venue(4)), "/gestion/calendrier?vue=semaine&date=2026-11-02&lieu=4");
    }

    #[test]
    fn month_grids_run_monday_to_sunday() {
        let (first, last) = month_bounds(date(2026, 11, 15));
        assert_eq!((first, last), (date(2026, 11, 1), date(2026, 11, 30)));
        assert_eq!(monday_of(first), date(2026, 10, 26));
        assert_eq!(monday_of(last) + Duration::days(6), date(2026, 12, 6));
        assert_eq!(month_bounds(date(2026, 12, 31)).1, date(2026, 12, 31));
        assert_eq!(month_name(first), "novembre 2026");
        assert_eq!(time_label(NaiveTime::from_hms_opt(12, 30, 0).unwrap()), "12 h 30");
    }
}
