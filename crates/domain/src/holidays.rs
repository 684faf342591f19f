//! French public holidays (jours fériés, art. L3133-1 du code du travail), computed: eight fixed
//! dates and three that follow Easter (lundi de Pâques, Ascension, lundi de Pentecôte). Alsace-
//! Moselle's two extra days are not included: the organisations Forma serves first are elsewhere.

use chrono::{Datelike, Duration, NaiveDate};

/// Easter Sunday of `year` (Gregorian calendar; anonymous algorithm of Meeus/Jones/Butcher).
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

/// The public holidays of `year`, by date, with their French names.
pub fn public_holidays(year: i32) -> Vec<(NaiveDate, &'static str)> {
    let fixed = [
        (1, 1, "Jour de l'an"),
        (5, 1, "Fête du Travail"),
        (5, 8, "Victoire 1945"),
        (7, 14, "Fête nationale"),
        (8, 15, "Assomption"),
        (11, 1, "Toussaint"),
        (11, 11, "Armistice 1918"),
        (12, 25, "Noël"),
    ];
    let mut days: Vec<(NaiveDate, &'static str)> =
        fixed.iter().filter_map(|&(m, d, name)| NaiveDate::from_ymd_opt(year, m, d).map(|date| (date, name))).collect();
    if let Some(easter) = easter_sunday(year) {
        days.push((easter + Duration::days(1), "Lundi de Pâques"));
        days.push((easter + Duration::days(39), "Ascension"));
        days.push((easter + Duration::days(50), "Lundi de Pentecôte"));
    }
    days.sort();
    days
}

/// The holiday's name when `date` is a French public holiday.
pub fn holiday(date: NaiveDate) -> Option<&'static str> {
    public_holidays(date.year()).into_iter().find(|(d, _)| *d == date).map(|(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn known_easter_dates() {
        // Published dates (calendrier des postes / service-public.fr).
        for (y, m, d) in [(2019, 4, 21), (2024, 3, 31), (2025, 4, 20), (2026, 4, 5), (2027, 3, 28), (2038, 4, 25)] {
            assert_eq!(easter_sunday(y), Some(date(y, m, d)), "{y}");
        }
    }

    #[test]
    fn the_seed_years_holidays() {
        assert_eq!(holiday(date(2019, 4, 22)), Some("Lundi de Pâques"));
        assert_eq!(holiday(date(2019, 5, 30)), Some("Ascension"));
        assert_eq!(holiday(date(2019, 6, 10)), Some("Lundi de Pentecôte"));
        assert_eq!(holiday(date(2019, 3, 22)), None, "the seed's day 1 is a working day");
        assert_eq!(holiday(date(2026, 12, 25)), Some("Noël"));
        assert_eq!(public_holidays(2026).len(), 11);
    }

    proptest::proptest! {
        /// Easter is a Sunday between 22 March and 25 April; the three days that follow it keep
        /// their weekdays (Monday, Thursday, Monday).
        #[test]
        fn easter_rules(year in 1583i32..4100) {
            let easter = easter_sunday(year).unwrap();
            proptest::prop_assert_eq!(easter.weekday(), chrono::Weekday::Sun);
            proptest::prop_assert!(easter >= date(year, 3, 22) && easter <= date(year, 4, 25));
            let days = public_holidays(year);
            proptest::prop_assert_eq!(days.len(), 11);
            let weekday = |name: &str| days.iter().find(|(_, n)| *n == name).unwrap().0.weekday();
            proptest::prop_assert_eq!(weekday("Lundi de Pâques"), chrono::Weekday::Mon);
            proptest::prop_assert_eq!(weekday("Ascension"), chrono::Weekday::Thu);
            proptest::prop_assert_eq!(weekday("Lundi de Pentecôte"), chrono::Weekday::Mon);
        }
    }
}
