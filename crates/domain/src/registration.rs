//! Registrations of trainees to a session: who they are (employer, job role, BPF trainee type),
//! which days they attend, and the capacity rule that decides between a seat and the waiting list.
//!
//! A session day's limit is the smallest of the limits that apply to it: the session's number of
//! places, the day's maximum head-count and its room's capacity. A registration holds a seat on
//! each of its days while it is confirmed or while a seat is offered to it (an offer keeps the
//! seat for the person it was offered to until it is accepted, declined or expires).

use std::collections::HashMap;

use chrono::NaiveDate;

use serde::{Deserialize, Serialize};

use crate::account::Email;
use crate::directory::fields::{MAX_NAME_CHARS, optional_email, required_name, text};
use crate::validation::FieldErrors;

/// How long a seat offered to the first person on the waiting list is kept for them.
pub const OFFER_HOURS: i64 = 48;

/// The BPF's trainee types (Cerfa 10443, frame F-1, lines a to e).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BpfTraineeType {
    /// a) salariés d'employeurs privés hors apprentis — also the CAF's agents trained at their
    /// employer's request (REGULATIONS.md §3.4).
    PrivateEmployee,
    /// b) apprentis.
    Apprentice,
    /// c) personnes en recherche d'emploi.
    JobSeeker,
    /// d) particuliers à leurs propres frais.
    Individual,
    /// e) autres stagiaires (agents publics, bénévoles…).
    Other,
}

impl BpfTraineeType {
    pub const ALL: [BpfTraineeType; 5] = [Self::PrivateEmployee, Self::Apprentice, Self::JobSeeker, Self::Individual, Self::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::PrivateEmployee => "private_employee",
            Self::Apprentice => "apprentice",
            Self::JobSeeker => "job_seeker",
            Self::Individual => "individual",
            Self::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == text.trim())
    }

    /// Plain words for the public form (the BPF's codes mean nothing to a visitor).
    pub fn public_label(self) -> &'static str {
        match self {
            Self::PrivateEmployee => "Salarié(e) d'un employeur privé (agents des Caf compris)",
            Self::Apprentice => "Apprenti(e)",
            Self::JobSeeker => "En recherche d'emploi",
            Self::Individual => "Particulier, formation à mes frais",
            Self::Other => "Autre situation (agent public, bénévole…)",
        }
    }

    /// The BPF's own words, with its line.
    pub fn label(self) -> &'static str {
        match self {
            Self::PrivateEmployee => "F-1 a — salarié d'employeur privé (hors apprenti)",
            Self::Apprentice => "F-1 b — apprenti",
            Self::JobSeeker => "F-1 c — personne en recherche d'emploi",
            Self::Individual => "F-1 d — particulier à ses propres frais",
            Self::Other => "F-1 e — autre stagiaire",
        }
    }
}

/// A trainee as a form or an import gives them, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewTrainee {
    pub first_name: String,
    pub last_name: String,
    pub email: Option<Email>,
    pub employer: String,
    pub job_role: String,
    pub bpf_type: BpfTraineeType,
}

/// The trainee fields as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraineeInput {
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub employer: String,
    #[serde(default)]
    pub job_role: String,
    #[serde(default)]
    pub bpf_type: String,
}

impl TraineeInput {
    /// Checks every field; errors are named after the fields.
    pub fn validated(&self) -> Result<NewTrainee, FieldErrors> {
        let mut errors = FieldErrors::default();
        let first_name = required_name(&mut errors, "first_name", &self.first_name, "Indiquez le prénom.");
        let last_name = required_name(&mut errors, "last_name", &self.last_name, "Indiquez le nom.");
        let email = optional_email(&mut errors, "email", &self.email);
        let employer = text(&mut errors, "employer", &self.employer, MAX_NAME_CHARS);
        let job_role = text(&mut errors, "job_role", &self.job_role, MAX_NAME_CHARS);
        let bpf_type = BpfTraineeType::parse(&self.bpf_type);
        if bpf_type.is_none() {
            errors.add("bpf_type", "Choisissez le type de stagiaire (il compte dans le bilan pédagogique et financier).");
        }
        match (bpf_type, errors.is_empty()) {
            (Some(bpf_type), true) => Ok(NewTrainee { first_name, last_name, email, employer, job_role, bpf_type }),
            _ => Err(errors),
        }
    }
}

/// Where a registration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationStatus {
    /// Made from the public page, waiting for the e-mail address to be confirmed: holds nothing.
    Pending,
    Confirmed,
    /// On the waiting list.
    Waitlisted,
    /// A freed seat is kept for this person until the offer expires.
    Offered,
    Cancelled,
    /// An offer that lapsed unanswered: the person left the list.
    Expired,
}

impl RegistrationStatus {
    pub const ALL: [RegistrationStatus; 6] = [Self::Pending, Self::Confirmed, Self::Waitlisted, Self::Offered, Self::Cancelled, Self::Expired];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Confirmed => "confirmed",
            Self::Waitlisted => "waitlisted",
            Self::Offered => "offered",
            Self::Cancelled => "cancelled",
            Self::Expired => "expired",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "adresse à confirmer",
            Self::Confirmed => "inscrit",
            Self::Waitlisted => "en liste d'attente",
            Self::Offered => "place proposée",
            Self::Cancelled => "annulée",
            Self::Expired => "proposition expirée",
        }
    }

    /// Whether the registration occupies a seat on its days.
    pub fn holds_seat(self) -> bool {
        matches!(self, Self::Confirmed | Self::Offered)
    }

    /// Whether the registration is still alive (it blocks a second registration of the same person).
    pub fn is_active(self) -> bool {
        !matches!(self, Self::Cancelled | Self::Expired)
    }
}

/// The smallest of the limits that apply to a day; `None` when none is set (no limit).
pub fn day_limit(session_places: Option<u32>, headcount_max: Option<u32>, room_capacity: Option<u32>) -> Option<u32> {
    [session_places, headcount_max, room_capacity].into_iter().flatten().min()
}

/// One session day: its limit and how many seats are held on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DaySeats {
    pub day_id: i64,
    pub limit: Option<u32>,
    pub taken: u32,
}

impl DaySeats {
    pub fn free(&self) -> Option<u32> {
        self.limit.map(|l| l.saturating_sub(self.taken))
    }

    fn has_room(&self) -> bool {
        self.free().is_none_or(|f| f > 0)
    }
}

/// Which days a registration is for: all of the session's (days added later included), or some.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DayChoice {
    All,
    Some(Vec<i64>),
}

impl DayChoice {
    /// The session days this choice covers.
    pub fn covers(&self, day_id: i64) -> bool {
        match self {
            Self::All => true,
            Self::Some(days) => days.contains(&day_id),
        }
    }
}

/// Whether a registration for `days` gets a seat on each of them right now.
pub fn fits(seats: &[DaySeats], days: &DayChoice) -> bool {
    seats.iter().filter(|s| days.covers(s.day_id)).all(DaySeats::has_room)
}

/// Holds a seat on each covered day (after [`fits`] said yes).
pub fn take(seats: &mut [DaySeats], days: &DayChoice) {
    for s in seats.iter_mut().filter(|s| days.covers(s.day_id)) {
        s.taken += 1;
    }
}

/// The person the next freed seat goes to: the first on the waiting list (in `entries`' order)
/// whose days all have room. Someone further down whose days have room is served before the
/// first when the first's days are still full — a place on one day must not stay empty because
/// the first person waits for another.
pub fn next_offer<'a, I>(seats: &[DaySeats], waiting: I) -> Option<i64>
where
    I: IntoIterator<Item = (i64, &'a DayChoice)>,
{
    waiting.into_iter().find(|(_, days)| fits(seats, days)).map(|(id, _)| id)
}

/// Counts seats held per day from registrations' choices, for [`DaySeats::taken`].
pub fn taken_per_day<'a>(day_ids: &[i64], holding: impl IntoIterator<Item = &'a DayChoice>) -> HashMap<i64, u32> {
    let mut taken: HashMap<i64, u32> = day_ids.iter().map(|d| (*d, 0)).collect();
    for choice in holding {
        for d in day_ids.iter().filter(|d| choice.covers(**d)) {
            *taken.entry(*d).or_default() += 1;
        }
    }
    taken
}

/// How many days before its first day a session is confirmed or cancelled by default: time
/// enough to send convocations, and for trainees to arrange their absence from work.
pub const DECISION_DAYS_BEFORE: i64 = 14;

/// The date by which a session below its minimum head-count is confirmed or cancelled.
pub fn decision_date(first_day: NaiveDate) -> NaiveDate {
    first_day - chrono::Duration::days(DECISION_DAYS_BEFORE)
}

/// Where a session stands against its minimum head-count: the day furthest from its minimum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Threshold {
    pub day_id: i64,
    pub minimum: u32,
    pub registered: u32,
}

impl Threshold {
    pub fn reached(&self) -> bool {
        self.registered >= self.minimum
    }

    /// From each day's minimum head-count and its registered (confirmed) trainees: the day that
    /// lacks the most people, or, when all are reached, the one closest to its minimum. `None`
    /// when no day sets a minimum.
    pub fn of(days: &[(i64, Option<u32>, u32)]) -> Option<Threshold> {
        days.iter()
            .filter_map(|(id, min, registered)| min.map(|m| Threshold { day_id: *id, minimum: m, registered: *registered }))
            .max_by_key(|t| (i64::from(t.minimum) - i64::from(t.registered), std::cmp::Reverse(t.day_id)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn input() -> TraineeInput {
        TraineeInput {
            first_name: " Camille ".into(),
            last_name: "Durand".into(),
            email: "Camille.Durand@CAF03.fr".into(),
            employer: "CAF de l'Allier".into(),
            job_role: "Conseillère technique".into(),
            bpf_type: "private_employee".into(),
        }
    }

    #[test]
    fn trainees_are_checked_field_by_field() {
        let t = input().validated().unwrap();
        assert_eq!((t.first_name.as_str(), t.email.as_ref().map(Email::as_str)), ("Camille", Some("camille.durand@caf03.fr")));
        let errors = TraineeInput { first_name: " ".into(), email: "pas-une-adresse".into(), bpf_type: "x".into(), ..input() }.validated().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["first_name", "email", "bpf_type"]);
        assert!(TraineeInput { email: String::new(), ..input() }.validated().unwrap().email.is_none(), "an e-mail is optional");
    }

    #[test]
    fn the_smallest_limit_applies() {
        assert_eq!(day_limit(Some(20), Some(8), Some(40)), Some(8));
        assert_eq!(day_limit(None, None, Some(12)), Some(12));
        assert_eq!(day_limit(None, None, None), None);
    }

    #[test]
    fn a_seat_on_every_chosen_day_or_the_waiting_list() {
        let seats = [DaySeats { day_id: 1, limit: Some(2), taken: 2 }, DaySeats { day_id: 2, limit: Some(2), taken: 1 }];
        assert!(!fits(&seats, &DayChoice::All));
        assert!(!fits(&seats, &DayChoice::Some(vec![1, 2])));
        assert!(fits(&seats, &DayChoice::Some(vec![2])), "day 2 alone has room");
        let unlimited = [DaySeats { day_id: 1, limit: None, taken: 500 }];
        assert!(fits(&unlimited, &DayChoice::All));
    }

    #[test]
    fn the_first_eligible_person_gets_the_offer() {
        let seats = [DaySeats { day_id: 1, limit: Some(2), taken: 2 }, DaySeats { day_id: 2, limit: Some(2), taken: 1 }];
        let (all, second_day) = (DayChoice::All, DayChoice::Some(vec![2]));
        assert_eq!(next_offer(&seats, [(10, &all), (11, &second_day), (12, &second_day)]), Some(11));
        let full = [DaySeats { day_id: 1, limit: Some(1), taken: 1 }];
        assert_eq!(next_offer(&full, [(10, &all)]), None);
    }

    #[test]
    fn the_threshold_is_the_day_lacking_most_people() {
        let t = Threshold::of(&[(1, Some(15), 12), (2, Some(5), 4), (3, None, 0)]).unwrap();
        assert_eq!((t.day_id, t.minimum, t.registered, t.reached()), (1, 15, 12, false));
        let ok = Threshold::of(&[(1, Some(15), 18), (2, Some(5), 6)]).unwrap();
        assert!(ok.reached());
        assert_eq!(ok.day_id, 2, "the closest to its minimum");
        assert_eq!(Threshold::of(&[(1, None, 3)]), None);
        let d = NaiveDate::from_ymd_opt(2031, 5, 12).unwrap();
        assert_eq!(decision_date(d), NaiveDate::from_ymd_opt(2031, 4, 28).unwrap());
    }

    #[test]
    fn statuses_round_trip() {
        for s in RegistrationStatus::ALL {
            assert_eq!(RegistrationStatus::parse(s.as_str()), Some(s));
        }
        for t in BpfTraineeType::ALL {
            assert_eq!(BpfTraineeType::parse(t.as_str()), Some(t));
        }
        assert!(RegistrationStatus::Offered.holds_seat() && !RegistrationStatus::Waitlisted.holds_seat());
    }

    fn choice() -> impl Strategy<Value = DayChoice> {
        prop_oneof![Just(DayChoice::All), proptest::collection::vec(1i64..=4, 1..4).prop_map(DayChoice::Some)]
    }

    proptest! {
        /// Whatever the order of arrivals and cancellations, no day ever holds more than its limit,
        /// and the waiting list is served first-eligible-first.
        #[test]
        fn no_day_is_ever_overbooked(
            limits in proptest::collection::vec(proptest::option::of(1u32..6), 4),
            events in proptest::collection::vec((choice(), any::<bool>()), 1..60),
        ) {
            let day_ids = [1i64, 2, 3, 4];
            let mut seats: Vec<DaySeats> = day_ids.iter().zip(&limits).map(|(d, l)| DaySeats { day_id: *d, limit: *l, taken: 0 }).collect();
            let mut holding: Vec<(usize, DayChoice)> = Vec::new();
            let mut waiting: Vec<(usize, DayChoice)> = Vec::new();
            for (n, (days, cancel_one)) in events.into_iter().enumerate() {
                if cancel_one && !holding.is_empty() {
                    let (_, freed) = holding.remove(0);
                    for s in seats.iter_mut().filter(|s| freed.covers(s.day_id)) {
                        s.taken -= 1;
                    }
                    // Promote as long as someone fits.
                    while let Some(id) = next_offer(&seats, waiting.iter().map(|(i, d)| (*i as i64, d))) {
                        let at = waiting.iter().position(|(i, _)| *i as i64 == id).unwrap();
                        // Nobody before the promoted one could have taken a seat.
                        prop_assert!(waiting[..at].iter().all(|(_, d)| !fits(&seats, d)));
                        let (i, d) = waiting.remove(at);
                        take(&mut seats, &d);
                        holding.push((i, d));
                    }
                } else if fits(&seats, &days) {
                    take(&mut seats, &days);
                    holding.push((n, days));
                } else {
                    waiting.push((n, days));
                }
                let counted = taken_per_day(&day_ids, holding.iter().map(|(_, d)| d));
                for s in &seats {
                    prop_assert_eq!(counted[&s.day_id], s.taken);
                    if let Some(limit) = s.limit {
                        prop_assert!(s.taken <= limit, "day {} holds {} for {}", s.day_id, s.taken, limit);
                    }
                }
            }
        }
    }
}
