//! Durations are integer minutes: « 7 h » and « 6 jours » are computed, never stored as text.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(transparent)]
pub struct Minutes(pub u32);

impl Minutes {
    pub fn from_hours(hours: u32) -> Self {
        Minutes(hours.saturating_mul(60))
    }

    pub fn whole_hours(self) -> u32 {
        self.0 / 60
    }

    /// « 7 h », « 3 h 30 ».
    pub fn label(self) -> String {
        match self.0 % 60 {
            0 => format!("{} h", self.0 / 60),
            m => format!("{} h {m:02}", self.0 / 60),
        }
    }
}

/// Total duration of `days` days of `hours_per_day` hours.
pub fn total_minutes(days: u32, hours_per_day: u32) -> Minutes {
    Minutes(days.saturating_mul(hours_per_day).saturating_mul(60))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn labels() {
        assert_eq!(Minutes(420).label(), "7 h");
        assert_eq!(Minutes(210).label(), "3 h 30");
        assert_eq!(total_minutes(6, 7), Minutes(42 * 60));
    }

    proptest! {
        #[test]
        fn total_is_days_times_hours(days in 0u32..400, hours in 0u32..24) {
            let total = total_minutes(days, hours);
            prop_assert_eq!(total.whole_hours(), days * hours);
            prop_assert_eq!(total.0 % 60, 0);
        }
    }
}
