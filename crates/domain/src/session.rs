//! A session is a dated run of a program (INTRA for one client, INTER open to all). This is its
//! minimal form: the days with their hours and places. Planning (modules, half-days, rooms,
//! trainers) extends it.

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::duration::Minutes;
use crate::program::ProgramKind;

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
        let span = (self.end - self.start).num_minutes().max(0) as u32;
        let lunch = NaiveTime::from_hms_opt(12, 30, 0).zip(NaiveTime::from_hms_opt(13, 30, 0));
        let spans_lunch = lunch.is_some_and(|(from, to)| self.start <= from && self.end >= to);
        Minutes(if spans_lunch { span.saturating_sub(60) } else { span })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NewSession {
    pub kind: ProgramKind,
    /// Seats offered (the day's maximum head-count); absent when not fixed yet.
    pub capacity: Option<u32>,
    pub days: Vec<SessionDay>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    #[error("une session doit compter au moins une journée")]
    NoDay,
    #[error("la journée du {0} se termine avant de commencer")]
    EndBeforeStart(NaiveDate),
    #[error("la journée du {0} figure deux fois")]
    DuplicateDay(NaiveDate),
}

impl NewSession {
    /// Checks the session and sorts its days.
    pub fn validated(mut self) -> Result<Self, SessionError> {
        if self.days.is_empty() {
            return Err(SessionError::NoDay);
        }
        self.days.sort_by_key(|d| (d.date, d.start));
        for pair in self.days.windows(2) {
            if pair[0].date == pair[1].date {
                return Err(SessionError::DuplicateDay(pair[0].date));
            }
        }
        if let Some(day) = self.days.iter().find(|d| d.end <= d.start) {
            return Err(SessionError::EndBeforeStart(day.date));
        }
        Ok(self)
    }

    pub fn total(&self) -> Minutes {
        Minutes(self.days.iter().map(|d| d.duration().0).sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(d: u32, start: u32, end: u32) -> SessionDay {
        SessionDay {
            date: NaiveDate::from_ymd_opt(2027, 3, d).unwrap(),
            start: NaiveTime::from_hms_opt(start, 0, 0).unwrap(),
            end: NaiveTime::from_hms_opt(end, 0, 0).unwrap(),
            place: "Moulins".into(),
        }
    }

    #[test]
    fn a_nine_to_five_day_is_seven_hours() {
        assert_eq!(day(22, 9, 17).duration(), Minutes(420));
        assert_eq!(day(22, 9, 12).duration(), Minutes(180));
    }

    #[test]
    fn rejects_inconsistent_sessions() {
        let s = NewSession { kind: ProgramKind::Inter, capacity: Some(12), days: vec![] };
        assert_eq!(s.validated(), Err(SessionError::NoDay));
        let s = NewSession { kind: ProgramKind::Inter, capacity: None, days: vec![day(3, 9, 17), day(3, 9, 17)] };
        assert!(matches!(s.validated(), Err(SessionError::DuplicateDay(_))));
        let s = NewSession { kind: ProgramKind::Inter, capacity: None, days: vec![day(3, 17, 9)] };
        assert!(matches!(s.validated(), Err(SessionError::EndBeforeStart(_))));
    }

    proptest! {
        #[test]
        fn total_hours_add_up(days in proptest::collection::btree_set(1u32..28, 1..10)) {
            let s = NewSession {
                kind: ProgramKind::Inter,
                capacity: None,
                days: days.iter().rev().map(|&d| day(d, 9, 17)).collect(),
            }.validated().unwrap();
            prop_assert_eq!(s.total(), Minutes(420 * days.len() as u32));
            prop_assert!(s.days.windows(2).all(|w| w[0].date < w[1].date));
        }
    }
}
