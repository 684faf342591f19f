//! A session is a dated run of a program: INTRA for one client, INTER open to all. It is planned
//! as modules of days, each day made of half-days (attendance is signed per half-day) with its
//! own venue and room, trainers, audience and head-count range.

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::FieldErrors;
use crate::duration::Minutes;
use crate::half_day::{DaySchedule, Slot};
use crate::program::ProgramKind;

/// A session day as lists and the public site show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SessionDay {
    pub date: NaiveDate,
    #[schema(value_type = String, example = "09:00:00")]
    pub start: NaiveTime,
    #[schema(value_type = String, example = "17:00:00")]
    pub end: NaiveTime,
    /// Town or venue (« Moulins »).
    pub place: String,
}

impl SessionDay {
    /// Time in training, the lunch break excluded when the day spans it: 9h–17h is 7 h.
    pub fn duration(&self) -> Minutes {
        DaySchedule::from_envelope(self.start, self.end).minutes()
    }
}

/// How many people a day is planned for (« 15 à 20 personnes »).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DayHeadcount {
    pub min: u32,
    pub max: u32,
}

/// One planned day, as the planner writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedDay {
    pub date: NaiveDate,
    /// Position (from 1) of the module the day belongs to, if the session has modules.
    pub module: Option<u32>,
    /// What the day is about (« Acculturation CTG »).
    pub title: String,
    pub schedule: DaySchedule,
    pub venue_id: Option<i64>,
    pub room_id: Option<i64>,
    /// Where, in words, when no venue is chosen (« Moulins »); the venue's name otherwise.
    pub place: String,
    pub trainer_ids: Vec<i64>,
    /// Job roles the day is for.
    pub audience: String,
    pub headcount: Option<DayHeadcount>,
}

impl PlannedDay {
    /// A default 9h–17h day.
    pub fn on(date: NaiveDate) -> Self {
        PlannedDay {
            date,
            module: None,
            title: String::new(),
            schedule: DaySchedule::default(),
            venue_id: None,
            room_id: None,
            place: String::new(),
            trainer_ids: Vec::new(),
            audience: String::new(),
            headcount: None,
        }
    }

    /// The day's envelope: first start, last end.
    pub fn envelope(&self) -> (NaiveTime, NaiveTime) {
        self.schedule.envelope()
    }
}

/// A session as the planner writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionPlan {
    pub kind: ProgramKind,
    /// The client of an INTRA session; none for INTER.
    pub client_id: Option<i64>,
    /// Seats offered (INTER) or the group's size (INTRA); absent when not fixed yet.
    pub capacity: Option<u32>,
    /// Module titles, in order (« Module 1 : … »); may be empty.
    pub modules: Vec<String>,
    pub days: Vec<PlannedDay>,
}

/// Largest head-count a day may be planned for: beyond it, a typo is more likely than a group.
pub const MAX_HEADCOUNT: u32 = 1000;

impl SessionPlan {
    /// Checks the plan and sorts its days; each error is named by its form field
    /// (`days[2].date`, with the index in the order the days were given).
    pub fn validated(mut self) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        match (self.kind, self.client_id) {
            (ProgramKind::Intra, None) => errors.add("client", "Une session INTRA est organisée pour un client : choisissez-le."),
            (ProgramKind::Inter, Some(_)) => errors.add("client", "Une session INTER est ouverte à tous : elle n'a pas de client."),
            _ => {}
        }
        if self.capacity == Some(0) || self.capacity.is_some_and(|c| c > MAX_HEADCOUNT) {
            errors.add("capacity", format!("Le nombre de places va de 1 à {MAX_HEADCOUNT}."));
        }
        for (i, title) in self.modules.iter().enumerate() {
            if title.trim().is_empty() || title.chars().count() > 200 {
                errors.add(format!("modules[{i}]"), "Chaque module a un intitulé (200 caractères au plus).");
            }
        }
        if self.days.is_empty() {
            errors.add("days", "Une session compte au moins une journée.");
        }
        for (i, day) in self.days.iter().enumerate() {
            day_errors(&mut errors, i, day, self.modules.len());
            if self.days[..i].iter().any(|d| d.date == day.date) {
                errors.add(format!("days[{i}].date"), format!("La journée du {} figure deux fois.", crate::french_date::long_date(day.date)));
            }
        }
        errors.into_result()?;
        for day in &mut self.days {
            day.trainer_ids.sort_unstable();
            day.trainer_ids.dedup();
        }
        self.days.sort_by_key(|d| d.date);
        Ok(self)
    }

    /// Training time of the whole session.
    pub fn total(&self) -> Minutes {
        Minutes(self.days.iter().map(|d| d.schedule.minutes().0).sum())
    }
}

fn day_errors(errors: &mut FieldErrors, i: usize, day: &PlannedDay, modules: usize) {
    let field = |name: &str| format!("days[{i}].{name}");
    if let Err(e) = day.schedule.validated() {
        errors.add(field("schedule"), capitalized(&e.to_string()));
    }
    if day.module.is_some_and(|m| m == 0 || m as usize > modules) {
        errors.add(field("module"), "Ce module n'existe pas dans la session.");
    }
    if day.title.chars().count() > 200 {
        errors.add(field("title"), "L'intitulé de la journée fait 200 caractères au plus.");
    }
    if day.venue_id.is_none() && day.place.trim().is_empty() {
        errors.add(field("place"), "Indiquez le lieu de la journée (un lieu enregistré ou une ville).");
    }
    if day.room_id.is_some() && day.venue_id.is_none() {
        errors.add(field("room"), "Une salle se choisit avec son lieu.");
    }
    if let Some(h) = day.headcount
        && (h.min == 0 || h.min > h.max || h.max > MAX_HEADCOUNT)
    {
        errors.add(field("headcount"), format!("L'effectif va d'un minimum à un maximum, entre 1 et {MAX_HEADCOUNT}."));
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str().trim_end_matches('.')),
        None => String::new(),
    }
}

impl DaySchedule {
    /// Half-days read from a day's envelope (rows planned before half-days were recorded): a day
    /// spanning the lunch break is split around 12:30–13:30, a shorter one is a single half-day.
    pub fn from_envelope(start: NaiveTime, end: NaiveTime) -> DaySchedule {
        let noon = NaiveTime::from_hms_opt(12, 30, 0).unwrap_or(NaiveTime::MIN);
        let after_lunch = NaiveTime::from_hms_opt(13, 30, 0).unwrap_or(NaiveTime::MIN);
        if start <= noon && end >= after_lunch {
            DaySchedule { morning: Some(Slot { start, end: noon }), afternoon: Some(Slot { start: after_lunch, end }) }
        } else if start < after_lunch {
            DaySchedule { morning: Some(Slot { start, end }), afternoon: None }
        } else {
            DaySchedule { morning: None, afternoon: Some(Slot { start, end }) }
        }
    }

    /// First start and last end of the day.
    pub fn envelope(&self) -> (NaiveTime, NaiveTime) {
        let start = self.morning.or(self.afternoon).map_or(NaiveTime::MIN, |s| s.start);
        let end = self.afternoon.or(self.morning).map_or(NaiveTime::MIN, |s| s.end);
        (start, end)
    }

    /// Whether the two days' half-days overlap in time (on the same date).
    pub fn overlaps(&self, other: &DaySchedule) -> bool {
        let slots = |d: &DaySchedule| [d.morning, d.afternoon].into_iter().flatten().collect::<Vec<Slot>>();
        slots(self).iter().any(|a| slots(other).iter().any(|b| a.start < b.end && b.start < a.end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn date(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 3, d).unwrap()
    }

    fn day(d: u32) -> PlannedDay {
        PlannedDay { place: "Moulins".into(), ..PlannedDay::on(date(d)) }
    }

    fn plan(days: Vec<PlannedDay>) -> SessionPlan {
        SessionPlan { kind: ProgramKind::Inter, client_id: None, capacity: Some(12), modules: vec![], days }
    }

    #[test]
    fn a_nine_to_five_day_is_seven_hours() {
        let summary = SessionDay { date: date(22), start: t(9, 0), end: t(17, 0), place: "Moulins".into() };
        assert_eq!(summary.duration(), Minutes(420));
        let morning = SessionDay { end: t(12, 0), ..summary };
        assert_eq!(morning.duration(), Minutes(180));
        assert_eq!(day(22).schedule.envelope(), (t(9, 0), t(17, 0)));
    }

    #[test]
    fn inconsistent_plans_are_refused_field_by_field() {
        let errors = plan(vec![]).validated().unwrap_err();
        assert_eq!(errors.get("days"), Some("Une session compte au moins une journée."));

        let mut intra = plan(vec![day(3), day(3)]);
        intra.kind = ProgramKind::Intra;
        let errors = intra.validated().unwrap_err();
        assert!(errors.get("client").is_some());
        assert!(errors.get("days[1].date").unwrap().contains("figure deux fois"));

        let mut bad = day(4);
        bad.schedule.morning = Some(Slot { start: t(12, 0), end: t(9, 0) });
        bad.headcount = Some(DayHeadcount { min: 20, max: 15 });
        bad.module = Some(2);
        bad.place.clear();
        bad.room_id = Some(1);
        let errors = plan(vec![bad]).validated().unwrap_err();
        for field in ["days[0].schedule", "days[0].headcount", "days[0].module", "days[0].place", "days[0].room"] {
            assert!(errors.get(field).is_some(), "{field}: {errors:?}");
        }
        assert!(errors.get("days[0].schedule").unwrap().starts_with("La demi-journée du matin"));
    }

    #[test]
    fn overlapping_half_days() {
        let full = DaySchedule::default();
        let morning = DaySchedule { afternoon: None, ..full };
        let afternoon = DaySchedule { morning: None, ..full };
        assert!(full.overlaps(&morning) && full.overlaps(&afternoon));
        assert!(!morning.overlaps(&afternoon));
        assert_eq!(DaySchedule::from_envelope(t(9, 0), t(17, 0)), full);
        assert_eq!(DaySchedule::from_envelope(t(14, 0), t(17, 0)).half_days().len(), 1);
    }

    proptest! {
        #[test]
        fn total_hours_add_up(days in proptest::collection::btree_set(1u32..28, 1..10)) {
            let s = plan(days.iter().rev().map(|&d| day(d)).collect()).validated().unwrap();
            prop_assert_eq!(s.total(), Minutes(420 * days.len() as u32));
            prop_assert!(s.days.windows(2).all(|w| w[0].date < w[1].date));
        }

        /// Overlap is symmetric.
        #[test]
        fn overlap_is_symmetric(a in 0u32..600, b in 1u32..300, c in 0u32..600, d in 1u32..300) {
            let slot = |s: u32, len: u32| Slot { start: t(6 + s / 60, s % 60), end: t(6 + (s + len).min(959) / 60, (s + len).min(959) % 60) };
            let x = DaySchedule { morning: Some(slot(a, b)), afternoon: None };
            let y = DaySchedule { morning: None, afternoon: Some(slot(c, d)) };
            prop_assert_eq!(x.overlaps(&y), y.overlaps(&x));
        }
    }
}
