//! Attendance (émargement): what a trainee's status on a half-day is, and how many minutes of
//! training it proves. Hours realised on a certificate are the sum of these minutes, never the
//! planned hours (REGULATIONS.md §2.6–2.7).

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveTime, Timelike};
use serde::{Deserialize, Serialize};

use crate::duration::Minutes;
use crate::half_day::Slot;
use crate::validation::FieldErrors;

/// Longest justification of an excused absence, in characters.
pub const MAX_JUSTIFICATION_CHARS: usize = 500;

/// A trainee's status on one half-day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttendanceStatus {
    Present,
    Absent,
    /// Arrived after the start: only the time from arrival counts.
    Late,
    /// Left before the end: only the time until departure counts.
    LeftEarly,
    /// Absent with a reason given; still no time attended.
    #[serde(rename = "excused")]
    ExcusedAbsence,
}

impl AttendanceStatus {
    pub const ALL: [AttendanceStatus; 5] = [Self::Present, Self::Absent, Self::Late, Self::LeftEarly, Self::ExcusedAbsence];

    /// Stable code, stored in the database and in the attendance chain.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Present => "present",
            Self::Absent => "absent",
            Self::Late => "late",
            Self::LeftEarly => "left_early",
            Self::ExcusedAbsence => "excused",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Present => "présent",
            Self::Absent => "absent",
            Self::Late => "retard",
            Self::LeftEarly => "départ anticipé",
            Self::ExcusedAbsence => "absence justifiée",
        }
    }
}

/// A status with what it needs: times for a late arrival or an early departure, a reason for an
/// excused absence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presence {
    pub status: AttendanceStatus,
    pub arrival: Option<NaiveTime>,
    pub departure: Option<NaiveTime>,
    pub justification: Option<String>,
}

fn whole_minute(t: NaiveTime) -> NaiveTime {
    // The attendance chain records times as hh:mm; seconds kept here would escape it.
    NaiveTime::from_hms_opt(t.hour(), t.minute(), 0).unwrap_or(t)
}

impl Presence {
    pub fn new(status: AttendanceStatus) -> Self {
        Presence { status, arrival: None, departure: None, justification: None }
    }

    /// Checks the presence against the half-day's slot and keeps only what its status uses:
    /// times (to the minute) for a late arrival or an early departure, the trimmed reason for an
    /// excused absence. Errors are keyed `arrival`, `departure`, `justification`.
    pub fn validated(self, slot: Slot) -> Result<Presence, FieldErrors> {
        let mut errors = FieldErrors::default();
        let (start, end) = (slot.start.format("%H:%M"), slot.end.format("%H:%M"));
        let late = self.status == AttendanceStatus::Late;
        let left_early = self.status == AttendanceStatus::LeftEarly;
        let (mut arrival, mut departure) = (None, None);
        if late || left_early {
            arrival = self.arrival.map(whole_minute);
            departure = self.departure.map(whole_minute);
            match arrival {
                None if late => errors.add("arrival", "Indiquez l'heure d'arrivée du stagiaire en retard."),
                Some(a) if a <= slot.start || a >= slot.end => {
                    errors.add("arrival", format!("L'heure d'arrivée doit être après le début ({start}) et avant la fin ({end}) de la demi-journée."));
                }
                _ => {}
            }
            match departure {
                None if left_early => errors.add("departure", "Indiquez l'heure de départ du stagiaire parti plus tôt."),
                Some(d) if d <= slot.start || d >= slot.end => {
                    errors.add("departure", format!("L'heure de départ doit être après le début ({start}) et avant la fin ({end}) de la demi-journée."));
                }
                Some(d) if arrival.is_some_and(|a| a >= d) => errors.add("departure", "L'heure de départ doit être après l'heure d'arrivée."),
                _ => {}
            }
        }
        let mut justification = None;
        if self.status == AttendanceStatus::ExcusedAbsence {
            let text = self.justification.as_deref().unwrap_or("").trim();
            if text.is_empty() {
                errors.add("justification", "Indiquez le motif de l'absence justifiée.");
            } else if text.chars().count() > MAX_JUSTIFICATION_CHARS {
                errors.add("justification", format!("Le motif ne doit pas dépasser {MAX_JUSTIFICATION_CHARS} caractères."));
            } else {
                justification = Some(text.to_owned());
            }
        }
        errors.into_result()?;
        Ok(Presence { status: self.status, arrival, departure, justification })
    }
}

/// The presence fields as a form sends them (times as « hh:mm », empty when not given).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresenceInput {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub arrival: String,
    #[serde(default)]
    pub departure: String,
    #[serde(default)]
    pub justification: String,
}

impl PresenceInput {
    /// Parses the form and checks it with [`Presence::validated`]; errors keyed by field name.
    pub fn validated(&self, slot: Slot) -> Result<Presence, FieldErrors> {
        let mut errors = FieldErrors::default();
        let status = AttendanceStatus::parse(&self.status);
        if status.is_none() {
            errors.add("status", "Choisissez un statut : présent, absent, retard, départ anticipé ou absence justifiée.");
        }
        let mut time = |field: &str, text: &str| {
            let text = text.trim();
            if text.is_empty() {
                return None;
            }
            let parsed = NaiveTime::parse_from_str(text, "%H:%M").ok();
            if parsed.is_none() {
                errors.add(field, "Indiquez une heure au format hh:mm, par exemple 09:15.");
            }
            parsed
        };
        let arrival = time("arrival", &self.arrival);
        let departure = time("departure", &self.departure);
        let justification = Some(self.justification.clone()).filter(|j| !j.trim().is_empty());
        match status {
            Some(status) if errors.is_empty() => Presence { status, arrival, departure, justification }.validated(slot),
            _ => Err(errors),
        }
    }
}

/// Minutes of `slot` the presence proves: all of it when present, none when absent, the part
/// between arrival and departure (clipped to the slot) otherwise.
pub fn attended_minutes(slot: Slot, presence: &Presence) -> Minutes {
    match presence.status {
        AttendanceStatus::Present => slot.minutes(),
        AttendanceStatus::Absent | AttendanceStatus::ExcusedAbsence => Minutes(0),
        AttendanceStatus::Late | AttendanceStatus::LeftEarly => {
            let from = presence.arrival.map_or(slot.start, |a| a.max(slot.start));
            let to = presence.departure.map_or(slot.end, |d| d.min(slot.end));
            Slot { start: from, end: to }.minutes()
        }
    }
}

/// Attended and planned minutes of one day, or of a whole training.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AttendedTotal {
    pub attended: Minutes,
    pub planned: Minutes,
}

impl Default for AttendedTotal {
    fn default() -> Self {
        AttendedTotal { attended: Minutes(0), planned: Minutes(0) }
    }
}

impl AttendedTotal {
    fn add(&mut self, attended: Minutes, planned: Minutes) {
        self.attended = Minutes(self.attended.0.saturating_add(attended.0));
        self.planned = Minutes(self.planned.0.saturating_add(planned.0));
    }

    /// « 12 h 30 sur 14 h ».
    pub fn label(self) -> String {
        format!("{} sur {}", self.attended.label(), self.planned.label())
    }
}

/// One trainee's attendance summed per day and overall, from their half-days.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TraineeAttendance {
    pub days: BTreeMap<NaiveDate, AttendedTotal>,
    pub total: AttendedTotal,
}

impl TraineeAttendance {
    /// Counts one half-day: its slot as planned, the presence's minutes as attended.
    pub fn add(&mut self, day: NaiveDate, slot: Slot, presence: &Presence) {
        let attended = attended_minutes(slot, presence);
        self.days.entry(day).or_default().add(attended, slot.minutes());
        self.total.add(attended, slot.minutes());
    }

    pub fn day(&self, day: NaiveDate) -> AttendedTotal {
        self.days.get(&day).copied().unwrap_or_default()
    }
}

impl Extend<(NaiveDate, Slot, Presence)> for TraineeAttendance {
    fn extend<I: IntoIterator<Item = (NaiveDate, Slot, Presence)>>(&mut self, iter: I) {
        for (day, slot, presence) in iter {
            self.add(day, slot, &presence);
        }
    }
}

impl FromIterator<(NaiveDate, Slot, Presence)> for TraineeAttendance {
    fn from_iter<I: IntoIterator<Item = (NaiveDate, Slot, Presence)>>(iter: I) -> Self {
        let mut totals = TraineeAttendance::default();
        totals.extend(iter);
        totals
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn morning() -> Slot {
        Slot { start: t(9, 0), end: t(12, 30) }
    }

    fn afternoon() -> Slot {
        Slot { start: t(13, 30), end: t(17, 0) }
    }

    fn late(arrival: NaiveTime) -> Presence {
        Presence { arrival: Some(arrival), ..Presence::new(AttendanceStatus::Late) }
    }

    #[test]
    fn statuses_round_trip_and_speak_french() {
        for s in AttendanceStatus::ALL {
            assert_eq!(AttendanceStatus::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        assert_eq!(AttendanceStatus::LeftEarly.label(), "départ anticipé");
        assert_eq!(AttendanceStatus::parse("excused"), Some(AttendanceStatus::ExcusedAbsence));
        assert_eq!(AttendanceStatus::parse("retard"), None);
    }

    #[test]
    fn late_and_early_need_times_inside_the_slot() {
        let errors = Presence::new(AttendanceStatus::Late).validated(morning()).unwrap_err();
        assert!(errors.get("arrival").unwrap().contains("heure d'arrivée"));
        assert!(late(t(9, 0)).validated(morning()).is_err(), "arriving at the start is not late");
        assert!(late(t(12, 30)).validated(morning()).is_err());
        let errors = Presence::new(AttendanceStatus::LeftEarly).validated(morning()).unwrap_err();
        assert!(errors.get("departure").is_some());
        let both = Presence { departure: Some(t(11, 0)), ..late(t(9, 40)) }.validated(morning()).unwrap();
        assert_eq!(attended_minutes(morning(), &both), Minutes(80));
        let crossed = Presence { departure: Some(t(9, 30)), ..late(t(10, 0)) }.validated(morning()).unwrap_err();
        assert_eq!(crossed.get("departure"), Some("L'heure de départ doit être après l'heure d'arrivée."));
    }

    #[test]
    fn what_a_status_does_not_use_is_dropped() {
        let present = Presence { arrival: Some(t(10, 0)), justification: Some("x".into()), ..Presence::new(AttendanceStatus::Present) };
        assert_eq!(present.validated(morning()).unwrap(), Presence::new(AttendanceStatus::Present));
        let secs = Presence { arrival: Some(NaiveTime::from_hms_opt(9, 20, 42).unwrap()), ..late(t(0, 0)) };
        assert_eq!(secs.validated(morning()).unwrap().arrival, Some(t(9, 20)));
    }

    #[test]
    fn an_excused_absence_needs_a_reason() {
        let blank = Presence { justification: Some("  ".into()), ..Presence::new(AttendanceStatus::ExcusedAbsence) };
        assert_eq!(blank.validated(morning()).unwrap_err().get("justification"), Some("Indiquez le motif de l'absence justifiée."));
        let long = Presence { justification: Some("é".repeat(501)), ..Presence::new(AttendanceStatus::ExcusedAbsence) };
        assert!(long.validated(morning()).is_err());
        let ok = Presence { justification: Some(" Arrêt maladie ".into()), ..Presence::new(AttendanceStatus::ExcusedAbsence) };
        assert_eq!(ok.validated(morning()).unwrap().justification.as_deref(), Some("Arrêt maladie"));
    }

    #[test]
    fn forms_are_parsed_field_by_field() {
        let input = PresenceInput { status: "late".into(), arrival: "09:45".into(), ..PresenceInput::default() };
        assert_eq!(input.validated(morning()).unwrap(), late(t(9, 45)));
        let bad = PresenceInput { status: "x".into(), arrival: "9h".into(), ..PresenceInput::default() };
        let errors = bad.validated(morning()).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["status", "arrival"]);
    }

    #[test]
    fn a_trainee_total_reads_like_a_certificate() {
        let d1 = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let d2 = d1.succ_opt().unwrap();
        let totals: TraineeAttendance = [
            (d1, morning(), Presence::new(AttendanceStatus::Present)),
            (d1, afternoon(), Presence::new(AttendanceStatus::Present)),
            (d2, morning(), late(t(10, 0))),
            (d2, afternoon(), Presence { departure: Some(t(16, 30)), ..Presence::new(AttendanceStatus::LeftEarly) }),
        ]
        .into_iter()
        .collect();
        assert_eq!(totals.day(d1).label(), "7 h sur 7 h");
        assert_eq!(totals.day(d2).label(), "5 h 30 sur 7 h");
        assert_eq!(totals.total.label(), "12 h 30 sur 14 h");
    }

    fn any_time() -> impl Strategy<Value = NaiveTime> {
        (0u32..24, 0u32..60, 0u32..60).prop_map(|(h, m, s)| NaiveTime::from_hms_opt(h, m, s).unwrap())
    }

    fn any_slot() -> impl Strategy<Value = Slot> {
        (any_time(), any_time()).prop_map(|(a, b)| Slot { start: a.min(b), end: a.max(b) })
    }

    fn any_status() -> impl Strategy<Value = AttendanceStatus> {
        proptest::sample::select(AttendanceStatus::ALL.to_vec())
    }

    fn any_presence() -> impl Strategy<Value = Presence> {
        (any_status(), proptest::option::of(any_time()), proptest::option::of(any_time()), proptest::option::of(".{0,520}"))
            .prop_map(|(status, arrival, departure, justification)| Presence { status, arrival, departure, justification })
    }

    proptest! {
        #[test]
        fn attended_time_is_within_the_slot(slot in any_slot(), presence in any_presence()) {
            let attended = attended_minutes(slot, &presence);
            prop_assert!(attended <= slot.minutes());
            if presence.status == AttendanceStatus::Present {
                prop_assert_eq!(attended, slot.minutes());
            }
        }

        #[test]
        fn arriving_later_never_adds_time(slot in any_slot(), a in any_time(), b in any_time(), departure in proptest::option::of(any_time())) {
            let (early, later) = (a.min(b), a.max(b));
            let at = |arrival| attended_minutes(slot, &Presence { departure, ..late(arrival) });
            prop_assert!(at(later) <= at(early));
        }

        #[test]
        fn a_day_is_the_sum_of_its_halves(m in any_presence(), a in any_presence()) {
            let day = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
            let totals: TraineeAttendance = [(day, morning(), m.clone()), (day, afternoon(), a.clone())].into_iter().collect();
            let sum = attended_minutes(morning(), &m).0 + attended_minutes(afternoon(), &a).0;
            prop_assert_eq!(totals.day(day).attended, Minutes(sum));
            prop_assert_eq!(totals.day(day).planned, Minutes(420));
            prop_assert_eq!(totals.total, totals.day(day));
        }

        /// Whatever comes in, a validated presence carries exactly what its status needs.
        #[test]
        fn validated_presences_keep_the_invariants(slot in any_slot(), presence in any_presence()) {
            let Ok(p) = presence.validated(slot) else { return Ok(()) };
            use AttendanceStatus::*;
            let inside = |t: NaiveTime| t > slot.start && t < slot.end && t.second() == 0;
            match p.status {
                Present | Absent | ExcusedAbsence => prop_assert!(p.arrival.is_none() && p.departure.is_none()),
                Late => prop_assert!(p.arrival.is_some_and(inside)),
                LeftEarly => prop_assert!(p.departure.is_some_and(inside)),
            }
            prop_assert!(p.arrival.is_none_or(inside) && p.departure.is_none_or(inside));
            if let (Some(a), Some(d)) = (p.arrival, p.departure) {
                prop_assert!(a < d);
            }
            match (&p.justification, p.status) {
                (Some(j), ExcusedAbsence) => prop_assert!(!j.trim().is_empty() && j.trim() == j && j.chars().count() <= MAX_JUSTIFICATION_CHARS),
                (None, ExcusedAbsence) => prop_assert!(false, "an excused absence without a reason"),
                (j, _) => prop_assert!(j.is_none()),
            }
        }
    }
}
