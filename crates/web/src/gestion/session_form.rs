//! The session forms, both ways: a planned day shown as the strings of an HTML form, and a
//! posted form read back into a [`SessionPlan`] or a [`PlannedDay`].
//!
//! Every value is kept as typed, so that a refused form comes back as written. Day fields are
//! posted as `days[i].date`, `days[i].trainers`… — the names `SessionPlan::validated()` gives its
//! errors — with `i` the row of the form; the plan's own indices (blank rows skipped, or the
//! stored days placed before the edited one) are mapped back to the form's rows.
//!
//! The template (`templates/gestion/session_day_fields.html`) gives each control the id
//! `day{i}-{field}` and each message the id `err-day{i}-{field}`.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveTime};
use forma_domain::conflicts::{Conflict, Severity};
use forma_domain::half_day::{DaySchedule, Slot};
use forma_domain::session::{DayHeadcount, PlannedDay, SessionPlan};
use forma_domain::{FieldErrors, ProgramKind};
use forma_store::PlanningChoices;

use super::editor_form::{FormData, parse_date, parse_time};

/// How many rows the new-session form offers at first.
pub const FIRST_ROWS: usize = 3;
/// More rows than this are not read (a crafted post cannot make the server loop).
pub const MAX_ROWS: usize = 60;

/// The fields of one day, as posted under `days[i].<field>`.
pub const DAY_FIELDS: &[&str] = &[
    "date",
    "module",
    "title",
    "morning_start",
    "morning_end",
    "afternoon_start",
    "afternoon_end",
    "venue",
    "room",
    "trainers",
    "audience",
    "headcount_min",
    "headcount_max",
    "place",
];

fn hhmm(time: NaiveTime) -> String {
    time.format("%H:%M").to_string()
}

fn blank(text: &str) -> bool {
    text.trim().is_empty()
}

/// One day as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayForm {
    /// ISO (`input type=date`); « 22/03/2019 » is also read.
    pub date: String,
    /// Module position, from 1; "" for none.
    pub module: String,
    pub title: String,
    pub morning_start: String,
    pub morning_end: String,
    pub afternoon_start: String,
    pub afternoon_end: String,
    /// Venue id, "" for none (then `place` says where).
    pub venue: String,
    /// Room id, "" for none.
    pub room: String,
    /// Trainer ids, as the checked boxes post them.
    pub trainers: Vec<String>,
    pub audience: String,
    pub headcount_min: String,
    pub headcount_max: String,
    pub place: String,
}

impl Default for DayForm {
    /// An empty row with the default half-days (09:00–12:30, 13:30–17:00).
    fn default() -> Self {
        DayForm { date: String::new(), ..DayForm::from_day(&PlannedDay::on(NaiveDate::MIN)) }
    }
}

impl DayForm {
    pub fn from_day(day: &PlannedDay) -> Self {
        let slot = |s: Option<Slot>| s.map_or((String::new(), String::new()), |s| (hhmm(s.start), hhmm(s.end)));
        let (morning_start, morning_end) = slot(day.schedule.morning);
        let (afternoon_start, afternoon_end) = slot(day.schedule.afternoon);
        let id = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        DayForm {
            date: day.date.format("%Y-%m-%d").to_string(),
            module: day.module.map(|m| m.to_string()).unwrap_or_default(),
            title: day.title.clone(),
            morning_start,
            morning_end,
            afternoon_start,
            afternoon_end,
            venue: id(day.venue_id),
            room: id(day.room_id),
            trainers: day.trainer_ids.iter().map(i64::to_string).collect(),
            audience: day.audience.clone(),
            headcount_min: day.headcount.map(|h| h.min.to_string()).unwrap_or_default(),
            headcount_max: day.headcount.map(|h| h.max.to_string()).unwrap_or_default(),
            // A venue's name is stored as the place; the form shows the venue instead.
            place: if day.venue_id.is_some() { String::new() } else { day.place.clone() },
        }
    }

    /// Row `i` of a posted form, or `None` when the form has no such row.
    pub fn read(data: &FormData, i: usize) -> Option<Self> {
        let name = |field: &str| format!("days[{i}].{field}");
        if DAY_FIELDS.iter().all(|f| data.all(&name(f)).is_empty()) {
            return None;
        }
        let get = |field: &str| data.get(&name(field)).to_owned();
        Some(DayForm {
            date: get("date"),
            module: get("module"),
            title: get("title"),
            morning_start: get("morning_start"),
            morning_end: get("morning_end"),
            afternoon_start: get("afternoon_start"),
            afternoon_end: get("afternoon_end"),
            venue: get("venue"),
            room: get("room"),
            trainers: data.all(&name("trainers")).into_iter().filter(|t| !blank(t)).map(str::to_owned).collect(),
            audience: get("audience"),
            headcount_min: get("headcount_min"),
            headcount_max: get("headcount_max"),
            place: get("place"),
        })
    }

    /// Every row of a posted form, in order.
    pub fn read_all(data: &FormData) -> Vec<Self> {
        (0..MAX_ROWS).map_while(|i| DayForm::read(data, i)).collect()
    }

    /// A row nobody wrote in (the prefilled hours do not count).
    pub fn is_blank(&self) -> bool {
        [&self.date, &self.module, &self.title, &self.venue, &self.room, &self.audience, &self.headcount_min, &self.headcount_max, &self.place]
            .iter()
            .all(|v| blank(v))
            && self.trainers.is_empty()
    }

    pub fn has_trainer(&self, id: &str) -> bool {
        self.trainers.iter().any(|t| t == id)
    }

    /// Reads the day; what cannot be read is reported under `days[{row}].<field>`. Returns `None`
    /// only when the date is missing or unreadable (a day is nothing without it); other
    /// unreadable values are read as absent so that the rest is still checked.
    pub fn to_day(&self, row: usize, choices: &PlanningChoices, errors: &mut FieldErrors) -> Option<PlannedDay> {
        let field = |name: &str| format!("days[{row}].{name}");
        let date = if blank(&self.date) {
            errors.add(field("date"), "Indiquez la date de la journée.");
            None
        } else {
            let date = parse_date(&self.date);
            if date.is_none() {
                errors.add(field("date"), "Date illisible : écrivez-la par exemple 22/03/2027.");
            }
            date
        };
        let module = if blank(&self.module) {
            None
        } else {
            let module = self.module.trim().parse::<u32>().ok();
            if module.is_none() {
                errors.add(field("module"), "Numéro de module illisible : écrivez par exemple 1.");
            }
            module
        };
        let mut schedule_errors = Vec::new();
        let mut slot = |start: &str, end: &str, half: &str| -> Option<Slot> {
            if blank(start) && blank(end) {
                return None;
            }
            match (parse_time(start), parse_time(end)) {
                (Some(start), Some(end)) => Some(Slot { start, end }),
                _ => {
                    schedule_errors.push(format!(
                        "Horaires du {half} : indiquez le début et la fin (par exemple 09:00 et 12:30), ou laissez les deux vides."
                    ));
                    None
                }
            }
        };
        let schedule = DaySchedule {
            morning: slot(&self.morning_start, &self.morning_end, "matin"),
            afternoon: slot(&self.afternoon_start, &self.afternoon_end, "après-midi"),
        };
        let schedule_unreadable = !schedule_errors.is_empty();
        for message in schedule_errors {
            errors.add(field("schedule"), message);
        }
        let mut venue_id = known_id(&self.venue, |id| choices.venues.iter().any(|v| v.id == id), &field("venue"), "Ce lieu n'existe pas (ou plus) : choisissez-en un autre.", errors);
        let room_id = known_id(&self.room, |id| choices.room(id).is_some(), &field("room"), "Cette salle n'existe pas (ou plus) : choisissez-en une autre.", errors);
        if let Some(room) = room_id.and_then(|id| choices.room(id)) {
            match venue_id {
                // A room says its venue.
                None => venue_id = Some(room.venue_id),
                Some(venue) if venue != room.venue_id => errors.add(field("room"), "Cette salle n'appartient pas au lieu choisi."),
                Some(_) => {}
            }
        }
        let mut trainer_ids = Vec::new();
        for t in &self.trainers {
            match t.trim().parse::<i64>().ok().filter(|id| choices.trainers.iter().any(|c| c.id == *id)) {
                Some(id) => trainer_ids.push(id),
                None => {
                    errors.add(field("trainers"), "Un des formateurs cochés n'existe pas (ou plus).");
                    break;
                }
            }
        }
        let headcount = match (blank(&self.headcount_min), blank(&self.headcount_max)) {
            (true, true) => None,
            _ => match (count(&self.headcount_min), count(&self.headcount_max)) {
                (Some(min), Some(max)) => Some(DayHeadcount { min, max }),
                _ => {
                    errors.add(
                        field("headcount"),
                        "Effectif : indiquez un minimum et un maximum en nombres entiers (par exemple 15 et 20), ou laissez les deux vides.",
                    );
                    None
                }
            },
        };
        Some(PlannedDay {
            date: date?,
            module,
            title: self.title.trim().to_owned(),
            // Unreadable hours: the default day stands in, so that the rest is still checked.
            schedule: if schedule_unreadable && schedule.morning.is_none() && schedule.afternoon.is_none() { DaySchedule::default() } else { schedule },
            venue_id,
            room_id,
            place: self.place.trim().to_owned(),
            trainer_ids,
            audience: self.audience.trim().to_owned(),
            headcount,
        })
    }
}

/// An id chosen in a list: blank is `None`; an id not in the list is reported under `field`.
fn known_id(text: &str, known: impl Fn(i64) -> bool, field: &str, message: &str, errors: &mut FieldErrors) -> Option<i64> {
    if blank(text) {
        return None;
    }
    let id = text.trim().parse::<i64>().ok().filter(|id| known(*id));
    if id.is_none() {
        errors.add(field, message);
    }
    id
}

fn count(text: &str) -> Option<u32> {
    let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    squeezed.parse().ok()
}

/// Adds `more` to `errors`, skipping fields that already have a message (an unreadable value
/// already said what is wrong).
fn merge(errors: &mut FieldErrors, more: FieldErrors) {
    let mut fresh = FieldErrors::default();
    for e in more.iter() {
        if errors.get(&e.field).is_none() {
            fresh.add(e.field.clone(), e.message.clone());
        }
    }
    errors.extend(fresh);
}

/// Renames `days[j].x` to `days[i].x`, `i` being the form row of the plan's day `j`
/// (`row_of(j)`); a day out of the form is reported under `days`, a module under `modules`.
fn to_form_rows(errors: FieldErrors, row_of: impl Fn(usize) -> Option<usize>) -> FieldErrors {
    let mut out = FieldErrors::default();
    for e in errors.iter() {
        let field = match e.field.strip_prefix("days[").and_then(|rest| rest.split_once("].")) {
            Some((j, name)) => match j.parse::<usize>().ok().and_then(&row_of) {
                Some(i) => format!("days[{i}].{name}"),
                None => "days".to_owned(),
            },
            None if e.field.starts_with("modules[") => "modules".to_owned(),
            None => e.field.clone(),
        };
        out.add(field, e.message.clone());
    }
    out
}

/// The new-session form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionForm {
    /// Program slug.
    pub program: String,
    /// `INTRA`, `INTER`, or "" for the program's own kind.
    pub kind: String,
    /// Client id, "" for none.
    pub client: String,
    pub capacity: String,
    /// One module title per line.
    pub modules: String,
    pub days: Vec<DayForm>,
    /// The client's request this session is planned for, "" for none.
    pub request: String,
}

impl Default for SessionForm {
    fn default() -> Self {
        SessionForm {
            program: String::new(),
            kind: String::new(),
            client: String::new(),
            capacity: String::new(),
            modules: String::new(),
            days: vec![DayForm::default(); FIRST_ROWS],
            request: String::new(),
        }
    }
}

/// A plan read from the form, with the form row of each of its days.
#[derive(Debug)]
pub struct ReadPlan {
    pub program: String,
    pub plan: SessionPlan,
    pub rows: Vec<usize>,
}

impl SessionForm {
    /// The request's id, when the form carries one.
    pub fn request_id(&self) -> Option<i64> {
        self.request.parse().ok().filter(|id| *id > 0)
    }

    pub fn read(data: &FormData) -> Self {
        SessionForm {
            program: data.get("program").trim().to_owned(),
            kind: data.get("kind").trim().to_owned(),
            client: data.get("client").trim().to_owned(),
            capacity: data.get("capacity").to_owned(),
            modules: data.get("modules").to_owned(),
            days: DayForm::read_all(data),
            request: data.get("demande").trim().to_owned(),
        }
    }

    /// The plan, validated; errors are named after the form's fields and rows.
    pub fn to_plan(&self, choices: &PlanningChoices) -> Result<ReadPlan, FieldErrors> {
        let mut errors = FieldErrors::default();
        let program = choices.program(&self.program);
        if program.is_none() {
            errors.add("program", "Choisissez la fiche programme (publiée) de la session.");
        }
        let kind = match self.kind.as_str() {
            "" => program.map_or(ProgramKind::Inter, |p| p.kind),
            other => ProgramKind::parse(other).unwrap_or_else(|| {
                errors.add("kind", "Choisissez INTRA ou INTER.");
                ProgramKind::Inter
            }),
        };
        let client_id = if blank(&self.client) {
            None
        } else {
            let id = self.client.trim().parse::<i64>().ok().filter(|id| choices.clients.iter().any(|c| c.id == *id));
            if id.is_none() {
                errors.add("client", "Ce client n'existe pas (ou plus) : choisissez-en un autre.");
            }
            id
        };
        let capacity = if blank(&self.capacity) {
            None
        } else {
            let capacity = count(&self.capacity);
            if capacity.is_none() {
                errors.add("capacity", "Nombre de places illisible : écrivez un nombre entier, par exemple 12.");
            }
            capacity
        };
        let modules = module_lines(&self.modules);
        let mut days = Vec::new();
        let mut rows = Vec::new();
        for (i, row) in self.days.iter().enumerate().filter(|(_, r)| !r.is_blank()) {
            if let Some(day) = row.to_day(i, choices, &mut errors) {
                days.push(day);
                rows.push(i);
            }
        }
        // Rows whose date could not be read are left out of the plan: they already carry
        // their message, and the session is not « without days ».
        let written = self.days.iter().any(|r| !r.is_blank());
        let plan = SessionPlan { kind, client_id, capacity, modules, days };
        match plan.validated() {
            Ok(plan) if errors.is_empty() => Ok(ReadPlan { program: self.program.clone(), plan, rows }),
            Ok(_) => Err(errors),
            Err(found) => {
                let mut kept = FieldErrors::default();
                for e in to_form_rows(found, |j| rows.get(j).copied()).iter().filter(|e| !(written && e.field == "days")) {
                    kept.add(e.field.clone(), e.message.clone());
                }
                merge(&mut errors, kept);
                Err(errors)
            }
        }
    }
}

/// Module titles, one per line, blank lines dropped.
pub fn module_lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

/// Checks one day against the whole session: `others` are the session's other stored days and
/// `session` its header. Errors are named for row 0 (`days[0].date`…), the row of single-day
/// forms; the validated day is returned (trainers sorted).
pub fn check_day(form: &DayForm, session: &SessionPlan, others: Vec<PlannedDay>, choices: &PlanningChoices) -> Result<PlannedDay, FieldErrors> {
    let mut errors = FieldErrors::default();
    let Some(day) = form.to_day(0, choices, &mut errors) else { return Err(errors) };
    let position = others.len();
    let mut days = others;
    days.push(day.clone());
    let plan = SessionPlan { days, ..session.clone() };
    match plan.validated() {
        Ok(plan) if errors.is_empty() => Ok(plan.days.into_iter().find(|d| d.date == day.date).unwrap_or(day)),
        Ok(_) => Err(errors),
        // The new day is last in the plan; the stored days are not in the form.
        Err(found) => {
            merge(&mut errors, to_form_rows(found, |j| (j == position).then_some(0)));
            Err(errors)
        }
    }
}

/// A conflict as a day row shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConflictView {
    pub blocking: bool,
    pub message: String,
}

impl ConflictView {
    pub fn of(c: &Conflict) -> Self {
        ConflictView { blocking: c.severity == Severity::Blocking, message: c.message.clone() }
    }
}

/// One time input of a day's schedule.
pub struct TimeField<'a> {
    pub field: &'static str,
    pub label: &'static str,
    pub value: &'a str,
}

/// One day of a form, ready for the template.
#[derive(Debug, Clone)]
pub struct DayView {
    /// « Journée 2 », or what the page says instead (« Nouvelle journée »).
    pub legend: String,
    /// Id prefix of its controls (`day1`).
    pub id: String,
    /// Name prefix of its fields (`days[1]`).
    pub name: String,
    pub form: DayForm,
    /// Messages by field (`date`, `schedule`, `headcount`…).
    pub errors: HashMap<String, String>,
    pub conflicts: Vec<ConflictView>,
}

impl DayView {
    pub fn new(row: usize, form: DayForm, errors: &FieldErrors, conflicts: Vec<ConflictView>) -> Self {
        let prefix = format!("days[{row}].");
        let mut mine = HashMap::new();
        for e in errors.iter() {
            if let Some(field) = e.field.strip_prefix(&prefix) {
                mine.entry(field.to_owned()).or_insert_with(|| e.message.clone());
            }
        }
        DayView { legend: format!("Journée {}", row + 1), id: format!("day{row}"), name: format!("days[{row}]"), form, errors: mine, conflicts }
    }

    pub fn with_legend(mut self, legend: impl Into<String>) -> Self {
        self.legend = legend.into();
        self
    }

    pub fn err(&self, field: &str) -> Option<&str> {
        self.errors.get(field).map(String::as_str)
    }

    pub fn has_err(&self, field: &str) -> bool {
        self.errors.contains_key(field)
    }

    /// The four times of the day, in order, for the schedule group.
    pub fn times(&self) -> [TimeField<'_>; 4] {
        let f = &self.form;
        [
            TimeField { field: "morning_start", label: "Matin, début", value: &f.morning_start },
            TimeField { field: "morning_end", label: "Matin, fin", value: &f.morning_end },
            TimeField { field: "afternoon_start", label: "Après-midi, début", value: &f.afternoon_start },
            TimeField { field: "afternoon_end", label: "Après-midi, fin", value: &f.afternoon_end },
        ]
    }

    pub fn any_blocking(&self) -> bool {
        self.conflicts.iter().any(|c| c.blocking)
    }

    /// `aria-describedby` of a control: its message and, for the date, the day's conflicts.
    pub fn described(&self, field: &str, group: &str) -> String {
        let mut ids = Vec::new();
        for f in [field, group] {
            if !f.is_empty() && self.has_err(f) {
                ids.push(format!("err-{}-{f}", self.id));
            }
        }
        if field == "date" && !self.conflicts.is_empty() {
            ids.push(format!("{}-conflicts", self.id));
        }
        ids.join(" ")
    }
}

/// Where the error summary links for a field name.
pub fn anchor(field: &str) -> String {
    let Some((row, name)) = field.strip_prefix("days[").and_then(|rest| rest.split_once("].")) else {
        return match field {
            "days" => "day0-date".to_owned(),
            f if f.starts_with("modules") => "modules".to_owned(),
            f => f.to_owned(),
        };
    };
    let control = match name {
        "schedule" => "morning_start",
        "headcount" => "headcount_min",
        "trainers" => "trainers",
        other => other,
    };
    format!("day{row}-{control}")
}

/// The form rows each conflict concerns, by date.
pub fn conflicts_by_row(conflicts: &[Conflict], dates: &[(usize, NaiveDate)]) -> HashMap<usize, Vec<ConflictView>> {
    let mut out: HashMap<usize, Vec<ConflictView>> = HashMap::new();
    for c in conflicts {
        if let Some((row, _)) = dates.iter().find(|(_, d)| *d == c.date) {
            out.entry(*row).or_default().push(ConflictView::of(c));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use forma_store::{ClientChoice, ProgramChoice, RoomChoice, TrainerChoice, VenueChoice};

    fn choices() -> PlanningChoices {
        PlanningChoices {
            programs: vec![ProgramChoice { slug: "ctg".into(), title: "CTG".into(), kind: ProgramKind::Intra }],
            clients: vec![ClientChoice { id: 4, name: "CAF".into() }],
            venues: vec![VenueChoice { id: 1, name: "Moulins".into(), city: "Moulins".into() }, VenueChoice { id: 2, name: "Vichy".into(), city: "Vichy".into() }],
            rooms: vec![RoomChoice { id: 5, venue_id: 1, name: "Allier".into(), capacity: 20 }],
            trainers: vec![TrainerChoice { id: 7, name: "Claire".into(), provider: None, active: true }],
        }
    }

    fn post(pairs: &[(&str, &str)]) -> FormData {
        FormData::parse(form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish().as_bytes())
    }

    #[test]
    fn a_form_reads_into_a_plan_with_the_programs_kind() {
        let data = post(&[
            ("program", "ctg"),
            ("kind", ""),
            ("client", "4"),
            ("capacity", "12"),
            ("modules", "Comprendre\r\n\r\nAgir"),
            ("days[0].date", "2027-03-23"),
            ("days[0].module", "2"),
            ("days[0].morning_start", "09:00"),
            ("days[0].morning_end", "12:30"),
            ("days[0].afternoon_start", ""),
            ("days[0].afternoon_end", ""),
            ("days[0].room", "5"),
            ("days[0].trainers", "7"),
            ("days[0].headcount_min", "10"),
            ("days[0].headcount_max", "15"),
            ("days[1].date", ""),
            ("days[1].morning_start", "09:00"),
            ("days[2].date", "22/03/2027"),
            ("days[2].morning_start", "09:00"),
            ("days[2].morning_end", "12:30"),
            ("days[2].place", "Vichy"),
        ]);
        let form = SessionForm::read(&data);
        assert_eq!(form.days.len(), 3);
        let read = form.to_plan(&choices()).unwrap();
        assert_eq!(read.plan.kind, ProgramKind::Intra);
        assert_eq!(read.plan.modules, vec!["Comprendre", "Agir"]);
        assert_eq!(read.rows, vec![0, 2]);
        // Sorted by date; the room brought its venue; a morning only.
        assert_eq!(read.plan.days[0].place, "Vichy");
        let first = &read.plan.days[1];
        assert_eq!((first.venue_id, first.room_id, first.module), (Some(1), Some(5), Some(2)));
        assert_eq!(first.schedule.minutes().0, 210);
        assert_eq!(first.headcount, Some(DayHeadcount { min: 10, max: 15 }));
    }

    #[test]
    fn errors_are_named_after_the_forms_rows() {
        let data = post(&[
            ("program", "ctg"),
            ("kind", "INTRA"),
            ("days[0].date", ""),
            ("days[0].morning_start", "09:00"),
            ("days[1].date", "2027-03-22"),
            ("days[1].morning_start", "9h"),
            ("days[1].morning_end", ""),
            ("days[1].headcount_min", "5"),
            ("days[1].room", "5"),
            ("days[1].venue", "2"),
            ("days[2].date", "2027-03-22"),
            ("days[2].place", "Moulins"),
        ]);
        let errors = SessionForm::read(&data).to_plan(&choices()).unwrap_err();
        assert!(errors.get("client").unwrap().contains("INTRA"));
        assert!(errors.get("days[1].schedule").unwrap().starts_with("Horaires du matin"));
        assert!(errors.get("days[1].headcount").is_some());
        assert_eq!(errors.get("days[1].room"), Some("Cette salle n'appartient pas au lieu choisi."));
        assert!(errors.get("days[2].date").unwrap().contains("figure deux fois"), "{errors:?}");
        assert!(errors.get("days[0].date").is_none(), "a blank row is skipped");
        assert_eq!(anchor("days[1].schedule"), "day1-morning_start");

        let nothing = SessionForm::read(&post(&[("program", "ctg"), ("days[0].date", "")])).to_plan(&choices()).unwrap_err();
        assert!(nothing.get("days").is_some());
        let unreadable = SessionForm::read(&post(&[("program", "ctg"), ("client", "4"), ("days[0].date", "demain")])).to_plan(&choices()).unwrap_err();
        assert!(unreadable.get("days[0].date").unwrap().starts_with("Date illisible"));
        assert!(unreadable.get("days").is_none(), "the unreadable row is the message");
    }

    #[test]
    fn one_day_is_checked_against_the_others() {
        let session = SessionPlan { kind: ProgramKind::Inter, client_id: None, capacity: None, modules: vec!["A".into()], days: vec![] };
        let mut stored = PlannedDay::on(NaiveDate::from_ymd_opt(2027, 3, 22).unwrap());
        stored.place = "Moulins".into();
        let form = DayForm { date: "2027-03-22".into(), module: "3".into(), place: "Vichy".into(), ..DayForm::default() };
        let errors = check_day(&form, &session, vec![stored.clone()], &choices()).unwrap_err();
        assert!(errors.get("days[0].date").unwrap().contains("figure deux fois"));
        assert!(errors.get("days[0].module").is_some());
        let fine = DayForm { date: "2027-03-23".into(), module: "1".into(), place: "Vichy".into(), trainers: vec!["7".into(), "7".into()], ..DayForm::default() };
        let day = check_day(&fine, &session, vec![stored], &choices()).unwrap();
        assert_eq!(day.trainer_ids, vec![7]);
        assert_eq!(DayForm::from_day(&day).trainers, vec!["7"]);
    }

    #[test]
    fn a_blank_row_has_the_default_hours() {
        let row = DayForm::default();
        assert!(row.is_blank());
        assert_eq!((row.morning_start.as_str(), row.afternoon_end.as_str()), ("09:00", "17:00"));
    }
}
