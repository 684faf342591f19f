//! Access-delay commitments: a sheet promises an answer within a delay (« réponse dans les 15
//! jours », « 1 mois pour les sessions INTER »); a request received on a day is due on the day the
//! delay ends, and the planner sees whether it is answered in time, due soon or late.

use chrono::{Duration, Months, NaiveDate};
use serde::Serialize;

use crate::program::{Delay, DelayUnit};

/// The day by which a request received on `received` must be answered. A month counts to the
/// same day of the next month (31 January + 1 month = 28 or 29 February).
pub fn due_date(received: NaiveDate, delay: Delay) -> Option<NaiveDate> {
    match delay.unit {
        DelayUnit::Days => received.checked_add_signed(Duration::days(i64::from(delay.amount))),
        DelayUnit::Weeks => received.checked_add_signed(Duration::weeks(i64::from(delay.amount))),
        DelayUnit::Months => received.checked_add_months(Months::new(delay.amount)),
    }
}

/// Where a request stands against its promised date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Deadline {
    /// Answered on or before the due day.
    AnsweredInTime,
    /// Answered after the due day, by `days_late` days.
    AnsweredLate { days_late: i64 },
    /// Not answered; more than `SOON_DAYS` days left.
    Open { days_left: i64 },
    /// Not answered; the due day is at most `SOON_DAYS` days away (today included).
    DueSoon { days_left: i64 },
    /// Not answered and past the due day.
    Overdue { days_late: i64 },
}

/// How close « bientôt » is: the dashboard lists what falls due within this many days.
pub const SOON_DAYS: i64 = 3;

pub fn deadline(due: NaiveDate, answered: Option<NaiveDate>, today: NaiveDate) -> Deadline {
    match answered {
        Some(day) if day <= due => Deadline::AnsweredInTime,
        Some(day) => Deadline::AnsweredLate { days_late: (day - due).num_days() },
        None => {
            let left = (due - today).num_days();
            if left < 0 {
                Deadline::Overdue { days_late: -left }
            } else if left <= SOON_DAYS {
                Deadline::DueSoon { days_left: left }
            } else {
                Deadline::Open { days_left: left }
            }
        }
    }
}

impl Deadline {
    /// « en retard de 2 jours », « à rendre sous 3 jours »…
    pub fn label(self) -> String {
        let days = |n: i64| if n > 1 { format!("{n} jours") } else { format!("{n} jour") };
        match self {
            Deadline::AnsweredInTime => "répondu dans le délai".into(),
            Deadline::AnsweredLate { days_late } => format!("répondu avec {} de retard", days(days_late)),
            Deadline::Open { days_left } => format!("réponse attendue sous {}", days(days_left)),
            Deadline::DueSoon { days_left: 0 } => "réponse attendue aujourd'hui".into(),
            Deadline::DueSoon { days_left } => format!("réponse attendue sous {}", days(days_left)),
            Deadline::Overdue { days_late } => format!("en retard de {}", days(days_late)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_seed_commitments() {
        // « engagement d'une réponse dans les 15 jours » (INTRA), « 1 mois pour les sessions INTER ».
        let intra = Delay { amount: 15, unit: DelayUnit::Days };
        let inter = Delay { amount: 1, unit: DelayUnit::Months };
        assert_eq!(due_date(date(2019, 2, 20), intra), Some(date(2019, 3, 7)));
        assert_eq!(due_date(date(2019, 1, 31), inter), Some(date(2019, 2, 28)));
        assert_eq!(due_date(date(2020, 1, 31), inter), Some(date(2020, 2, 29)));
        assert_eq!(due_date(date(2026, 11, 29), Delay { amount: 2, unit: DelayUnit::Weeks }), Some(date(2026, 12, 13)));
    }

    #[test]
    fn where_a_request_stands() {
        let due = date(2026, 12, 10);
        assert_eq!(deadline(due, None, date(2026, 12, 1)), Deadline::Open { days_left: 9 });
        assert_eq!(deadline(due, None, date(2026, 12, 7)), Deadline::DueSoon { days_left: 3 });
        assert_eq!(deadline(due, None, date(2026, 12, 10)).label(), "réponse attendue aujourd'hui");
        assert_eq!(deadline(due, None, date(2026, 12, 12)), Deadline::Overdue { days_late: 2 });
        assert_eq!(deadline(due, Some(date(2026, 12, 10)), date(2026, 12, 20)), Deadline::AnsweredInTime);
        assert_eq!(deadline(due, Some(date(2026, 12, 11)), date(2026, 12, 20)).label(), "répondu avec 1 jour de retard");
    }

    proptest::proptest! {
        /// The due day never comes before the request, and a longer delay never ends earlier.
        #[test]
        fn due_dates_are_monotonic(offset in 0i64..20_000, amount in 0u32..400, unit in 0u8..3) {
            let unit = [DelayUnit::Days, DelayUnit::Weeks, DelayUnit::Months][usize::from(unit)];
            let received = date(2000, 1, 1) + Duration::days(offset);
            let due = due_date(received, Delay { amount, unit }).unwrap();
            let later = due_date(received, Delay { amount: amount + 1, unit }).unwrap();
            proptest::prop_assert!(due >= received && later > due);
        }
    }
}
