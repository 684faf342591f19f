//! Planning conflicts. Some make a plan impossible and block it: a trainer or a room in two places
//! at once, a trainer who declared they are unavailable, a room too small for the day's minimum
//! head-count. Others are warnings the planner may accept: a public holiday, a weekend day, a room
//! smaller than the day's maximum head-count.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Serialize;

use crate::french_date::long_date_with_weekday;
use crate::half_day::DaySchedule;
use crate::holidays::holiday;
use crate::session::PlannedDay;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Warning,
    Blocking,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ConflictKind {
    TrainerDoubleBooked { trainer_id: i64, other: String },
    RoomDoubleBooked { room_id: i64, other: String },
    TrainerUnavailable { trainer_id: i64, reason: String },
    RoomTooSmall { room_id: i64, capacity: u32, needed: u32 },
    RoomSmallerThanMaximum { room_id: i64, capacity: u32, maximum: u32 },
    PublicHoliday { name: String },
    Weekend,
}

/// A conflict on one day of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    pub date: NaiveDate,
    pub severity: Severity,
    #[serde(flatten)]
    pub kind: ConflictKind,
    /// What to tell the planner, in French.
    pub message: String,
}

/// A day already planned elsewhere (another session, or another day of this one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booking {
    pub day_id: i64,
    pub date: NaiveDate,
    pub schedule: DaySchedule,
    pub trainer_ids: Vec<i64>,
    pub room_id: Option<i64>,
    /// How the planner recognises it (« Session n° 12 — Accompagner la CTG »).
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomInfo {
    pub name: String,
    pub capacity: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailability {
    pub trainer_id: i64,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub reason: String,
}

/// What the checker knows besides the plan itself.
#[derive(Debug, Clone, Default)]
pub struct PlanningContext {
    /// Bookings of other days, this plan's own stored days excluded.
    pub bookings: Vec<Booking>,
    pub rooms: HashMap<i64, RoomInfo>,
    pub trainer_names: HashMap<i64, String>,
    pub unavailabilities: Vec<Unavailability>,
}

impl PlanningContext {
    fn trainer(&self, id: i64) -> String {
        self.trainer_names.get(&id).cloned().unwrap_or_else(|| format!("Le formateur n° {id}"))
    }
}

/// Every conflict of the planned days, sorted by date then severity (blocking first).
pub fn detect(days: &[PlannedDay], context: &PlanningContext) -> Vec<Conflict> {
    let mut found = Vec::new();
    for day in days {
        let date = day.date;
        let when = long_date_with_weekday(date);
        let mut push = |severity, kind, message: String| found.push(Conflict { date, severity, kind, message });
        if let Some(name) = holiday(date) {
            push(Severity::Warning, ConflictKind::PublicHoliday { name: name.to_owned() }, format!("Le {when} est un jour férié ({name})."));
        } else if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            push(Severity::Warning, ConflictKind::Weekend, format!("Le {when} tombe un week-end."));
        }
        for other in context.bookings.iter().filter(|b| b.date == date && b.schedule.overlaps(&day.schedule)) {
            for &trainer_id in day.trainer_ids.iter().filter(|t| other.trainer_ids.contains(t)) {
                let message = format!("{} est déjà en formation le {when} ({}).", context.trainer(trainer_id), other.label);
                push(Severity::Blocking, ConflictKind::TrainerDoubleBooked { trainer_id, other: other.label.clone() }, message);
            }
            if let Some(room_id) = day.room_id.filter(|r| other.room_id == Some(*r)) {
                let room = context.rooms.get(&room_id).map_or_else(|| format!("n° {room_id}"), |r| r.name.clone());
                let message = format!("La salle « {room} » est déjà occupée le {when} ({}).", other.label);
                push(Severity::Blocking, ConflictKind::RoomDoubleBooked { room_id, other: other.label.clone() }, message);
            }
        }
        for u in context.unavailabilities.iter().filter(|u| day.trainer_ids.contains(&u.trainer_id) && u.first_day <= date && date <= u.last_day) {
            let reason = if u.reason.trim().is_empty() { String::new() } else { format!(" ({})", u.reason.trim()) };
            let message = format!("{} s'est déclaré indisponible le {when}{reason}.", context.trainer(u.trainer_id));
            push(Severity::Blocking, ConflictKind::TrainerUnavailable { trainer_id: u.trainer_id, reason: u.reason.clone() }, message);
        }
        if let (Some(room_id), Some(headcount)) = (day.room_id, day.headcount)
            && let Some(room) = context.rooms.get(&room_id)
        {
            if room.capacity < headcount.min {
                let message = format!(
                    "La salle « {} » ({} places) est trop petite pour l'effectif minimum du {when} ({} personnes).",
                    room.name, room.capacity, headcount.min
                );
                push(Severity::Blocking, ConflictKind::RoomTooSmall { room_id, capacity: room.capacity, needed: headcount.min }, message);
            } else if room.capacity < headcount.max {
                let message = format!(
                    "La salle « {} » ({} places) ne peut pas accueillir l'effectif maximum du {when} ({} personnes).",
                    room.name, room.capacity, headcount.max
                );
                push(Severity::Warning, ConflictKind::RoomSmallerThanMaximum { room_id, capacity: room.capacity, maximum: headcount.max }, message);
            }
        }
    }
    found.sort_by(|a, b| a.date.cmp(&b.date).then(b.severity.cmp(&a.severity)));
    found
}

/// Whether any conflict makes the plan impossible.
pub fn any_blocking(conflicts: &[Conflict]) -> bool {
    conflicts.iter().any(|c| c.severity == Severity::Blocking)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::half_day::Slot;
    use crate::session::DayHeadcount;
    use chrono::NaiveTime;
    use proptest::prelude::*;

    fn date(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2019, m, d).unwrap()
    }

    fn planned(m: u32, d: u32, trainers: &[i64], room: Option<i64>) -> PlannedDay {
        PlannedDay { trainer_ids: trainers.to_vec(), room_id: room, venue_id: room.map(|_| 1), ..PlannedDay::on(date(m, d)) }
    }

    fn booking(m: u32, d: u32, trainers: &[i64], room: Option<i64>, schedule: DaySchedule) -> Booking {
        Booking { day_id: 99, date: date(m, d), schedule, trainer_ids: trainers.to_vec(), room_id: room, label: "Session n° 7".into() }
    }

    fn context() -> PlanningContext {
        PlanningContext {
            rooms: HashMap::from([(5, RoomInfo { name: "Salle Allier".into(), capacity: 20 })]),
            trainer_names: HashMap::from([(1, "Thierry CHEINE".into())]),
            ..PlanningContext::default()
        }
    }

    #[test]
    fn a_clean_day_has_no_conflict() {
        // Friday 22 March 2019, the seed's first day.
        assert!(detect(&[planned(3, 22, &[1], Some(5))], &context()).is_empty());
    }

    #[test]
    fn double_bookings_block_only_when_half_days_overlap() {
        let mut ctx = context();
        let afternoon = DaySchedule { morning: None, ..DaySchedule::default() };
        ctx.bookings.push(booking(3, 22, &[1], Some(5), afternoon));
        let found = detect(&[planned(3, 22, &[1], Some(5))], &ctx);
        assert_eq!(found.len(), 2);
        assert!(found.iter().all(|c| c.severity == Severity::Blocking));
        assert_eq!(found[0].message, "Thierry CHEINE est déjà en formation le vendredi 22 mars 2019 (Session n° 7).");
        assert!(found[1].message.starts_with("La salle « Salle Allier » est déjà occupée"));

        let mut morning_only = planned(3, 22, &[1], Some(5));
        morning_only.schedule.afternoon = None;
        assert!(detect(&[morning_only], &ctx).is_empty(), "the morning does not meet the afternoon booking");
    }

    #[test]
    fn holidays_weekends_unavailability_and_room_size() {
        let mut ctx = context();
        ctx.unavailabilities.push(Unavailability { trainer_id: 1, first_day: date(6, 1), last_day: date(6, 15), reason: "congés".into() });
        // Whit Monday 2019 is 10 June: a holiday, and inside the unavailability.
        let found = detect(&[planned(6, 10, &[1], None)], &ctx);
        assert_eq!(found[0].severity, Severity::Blocking);
        assert_eq!(found[0].message, "Thierry CHEINE s'est déclaré indisponible le lundi 10 juin 2019 (congés).");
        assert_eq!(found[1].kind, ConflictKind::PublicHoliday { name: "Lundi de Pentecôte".into() });
        assert_eq!(detect(&[planned(3, 23, &[], None)], &ctx)[0].kind, ConflictKind::Weekend);

        let mut big = planned(3, 22, &[], Some(5));
        big.headcount = Some(DayHeadcount { min: 30, max: 40 });
        assert!(any_blocking(&detect(&[big.clone()], &ctx)));
        big.headcount = Some(DayHeadcount { min: 15, max: 25 });
        let found = detect(&[big], &ctx);
        assert!(!any_blocking(&found));
        assert!(found[0].message.contains("effectif maximum"));
    }

    proptest! {
        /// A trainer is reported double-booked exactly when another booking on the same date
        /// shares them and overlaps in time.
        #[test]
        fn double_booking_matches_overlap(d1 in 1u32..29, d2 in 1u32..29, s in 7u32..18, len in 1u32..4, shared: bool) {
            let mut ctx = context();
            let slot = Slot { start: NaiveTime::from_hms_opt(s, 0, 0).unwrap(), end: NaiveTime::from_hms_opt(s + len, 0, 0).unwrap() };
            let schedule = DaySchedule { morning: None, afternoon: Some(slot) };
            ctx.bookings.push(booking(3, d2, if shared { &[1] } else { &[2] }, None, schedule));
            let day = planned(3, d1, &[1], None);
            let expected = shared && d1 == d2 && schedule.overlaps(&day.schedule);
            let found = detect(&[day], &ctx).iter().any(|c| matches!(c.kind, ConflictKind::TrainerDoubleBooked { .. }));
            prop_assert_eq!(found, expected);
        }
    }
}
