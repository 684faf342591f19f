//! French calendar words: « Mercredi 20 mai 2026 », « 22 mars 2019 », « 1er juin 2026 ».

use chrono::{Datelike, NaiveDate, Weekday};

const MONTHS: [&str; 12] = [
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
    "novembre", "décembre",
];

fn month_number(word: &str) -> Option<u32> {
    let folded = deunicode::deunicode(word).to_lowercase();
    MONTHS
        .iter()
        .position(|m| deunicode::deunicode(m) == folded)
        .map(|i| i as u32 + 1)
}

/// Finds the first « [jour] N mois AAAA » in the text. With `default_year`, a date written
/// without a year (« 22 mars ») is accepted too.
pub fn find_date(text: &str, default_year: Option<i32>) -> Option<NaiveDate> {
    let re = crate::patterns::french_date();
    for caps in re.captures_iter(text) {
        let day: u32 = caps[1].parse().ok()?;
        let Some(month) = month_number(&caps[2]) else { continue };
        let year = match caps.get(3) {
            Some(y) => y.as_str().parse().ok()?,
            None => match default_year {
                Some(y) => y,
                None => continue,
            },
        };
        if let Some(date) = NaiveDate::from_ymd_opt(year, month, day) {
            return Some(date);
        }
    }
    None
}

fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "lundi",
        Weekday::Tue => "mardi",
        Weekday::Wed => "mercredi",
        Weekday::Thu => "jeudi",
        Weekday::Fri => "vendredi",
        Weekday::Sat => "samedi",
        Weekday::Sun => "dimanche",
    }
}

/// « 20 mai 2026 ».
pub fn long_date(date: NaiveDate) -> String {
    let day = if date.day() == 1 { "1er".to_owned() } else { date.day().to_string() };
    format!("{day} {} {}", MONTHS[date.month0() as usize], date.year())
}

/// « mercredi 20 mai 2026 ».
pub fn long_date_with_weekday(date: NaiveDate) -> String {
    format!("{} {}", weekday_name(date.weekday()), long_date(date))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats() {
        let d = find_date("MAJ : Mercredi 20 mai 2026", None).unwrap();
        assert_eq!(d, NaiveDate::from_ymd_opt(2026, 5, 20).unwrap());
        assert_eq!(long_date_with_weekday(d), "mercredi 20 mai 2026");
        assert_eq!(find_date("Le 1er aout 2019", None), NaiveDate::from_ymd_opt(2019, 8, 1));
        assert_eq!(find_date("Module 1 - 22 mars - 7", Some(2019)), NaiveDate::from_ymd_opt(2019, 3, 22));
        assert_eq!(find_date("Module 1 - 22 mars - 7", None), None);
        assert_eq!(find_date("le 31 février 2019", None), None);
    }
}
