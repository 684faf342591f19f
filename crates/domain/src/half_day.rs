//! Training days are signed per half-day: a morning and an afternoon, 09:00–12:30 and 13:30–17:00
//! by default (7 h), each editable or absent (a half-day action).

use chrono::NaiveTime;
use serde::{Deserialize, Serialize};

use crate::duration::Minutes;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HalfDay {
    Morning,
    Afternoon,
}

impl HalfDay {
    pub fn label(self) -> &'static str {
        match self {
            HalfDay::Morning => "matin",
            HalfDay::Afternoon => "après-midi",
        }
    }
}

/// Start and end of one half-day, local time (Europe/Paris).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl Slot {
    pub fn minutes(self) -> Minutes {
        Minutes(u32::try_from((self.end - self.start).num_minutes().max(0)).unwrap_or(0))
    }
}

/// The half-days of one training day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaySchedule {
    pub morning: Option<Slot>,
    pub afternoon: Option<Slot>,
}

fn time(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("une journée compte au moins une demi-journée")]
    Empty,
    #[error("la demi-journée du {0} se termine avant de commencer")]
    EndBeforeStart(&'static str),
    #[error("le matin doit se terminer avant le début de l'après-midi")]
    Overlap,
}

impl Default for DaySchedule {
    /// 09:00–12:30 and 13:30–17:00: the seed's « 9h à 17h, soit 7 heures de formation/jour ».
    fn default() -> Self {
        DaySchedule {
            morning: Some(Slot { start: time(9, 0), end: time(12, 30) }),
            afternoon: Some(Slot { start: time(13, 30), end: time(17, 0) }),
        }
    }
}

impl DaySchedule {
    pub fn validated(self) -> Result<Self, ScheduleError> {
        for (slot, half) in [(self.morning, HalfDay::Morning), (self.afternoon, HalfDay::Afternoon)] {
            if let Some(s) = slot
                && s.end <= s.start
            {
                return Err(ScheduleError::EndBeforeStart(half.label()));
            }
        }
        match (self.morning, self.afternoon) {
            (None, None) => Err(ScheduleError::Empty),
            (Some(m), Some(a)) if m.end > a.start => Err(ScheduleError::Overlap),
            _ => Ok(self),
        }
    }

    /// Training time of the day: the half-days, the lunch break excluded.
    pub fn minutes(&self) -> Minutes {
        Minutes(self.morning.map_or(0, |s| s.minutes().0) + self.afternoon.map_or(0, |s| s.minutes().0))
    }

    /// The half-days held, in order (one attendance signature each).
    pub fn half_days(&self) -> Vec<HalfDay> {
        [(self.morning, HalfDay::Morning), (self.afternoon, HalfDay::Afternoon)].into_iter().filter(|(s, _)| s.is_some()).map(|(_, h)| h).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_day_is_seven_hours_in_two_half_days() {
        let day = DaySchedule::default().validated().unwrap();
        assert_eq!(day.minutes(), Minutes::from_hours(7));
        assert_eq!(day.half_days(), vec![HalfDay::Morning, HalfDay::Afternoon]);
    }

    #[test]
    fn bad_schedules_are_refused_in_french() {
        let day = DaySchedule { morning: Some(Slot { start: time(9, 0), end: time(14, 0) }), ..DaySchedule::default() };
        assert_eq!(day.validated(), Err(ScheduleError::Overlap));
        let empty = DaySchedule { morning: None, afternoon: None };
        assert_eq!(empty.validated().unwrap_err().to_string(), "une journée compte au moins une demi-journée");
        let half = DaySchedule { morning: Some(Slot { start: time(12, 0), end: time(9, 0) }), afternoon: None };
        assert!(half.validated().unwrap_err().to_string().contains("matin"));
    }

    proptest::proptest! {
        /// A valid day never counts more than the span from its first start to its last end.
        #[test]
        fn hours_never_exceed_the_span(ms in 0u32..720, me in 0u32..720, as_ in 0u32..720, ae in 0u32..720) {
            let at = |m: u32| NaiveTime::from_hms_opt(6 + m / 60, m % 60, 0).unwrap();
            let day = DaySchedule { morning: Some(Slot { start: at(ms), end: at(me) }), afternoon: Some(Slot { start: at(as_), end: at(ae) }) };
            if let Ok(day) = day.validated() {
                let span = (at(ae) - at(ms)).num_minutes();
                proptest::prop_assert!(i64::from(day.minutes().0) <= span);
            }
        }
    }
}
