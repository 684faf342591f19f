//! French formatting of the values printed in documents: dates, amounts, hours, durations.
//!
//! Templates never format anything: Rust hands them finished French strings. Spaces that must not
//! break a value across lines are no-break spaces (U+00A0), and thousands are grouped with a
//! narrow no-break space (U+202F), as French typography wants (« 1 200,00 € »).

use chrono::{Datelike, NaiveDate, NaiveTime, Timelike, Weekday};

/// No-break space (U+00A0): between a number and its unit (« 9 h 00 », « 20 % », « 12,00 € »).
pub const NBSP: char = '\u{a0}';
/// Narrow no-break space (U+202F): thousands separator (« 1 200 »).
pub const NNBSP: char = '\u{202f}';

const MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// « lundi » … « dimanche ».
pub fn weekday(date: NaiveDate) -> &'static str {
    match date.weekday() {
        Weekday::Mon => "lundi",
        Weekday::Tue => "mardi",
        Weekday::Wed => "mercredi",
        Weekday::Thu => "jeudi",
        Weekday::Fri => "vendredi",
        Weekday::Sat => "samedi",
        Weekday::Sun => "dimanche",
    }
}

/// « 22 mars 2019 », « 1er juin 2026 ».
pub fn date(date: NaiveDate) -> String {
    let day = if date.day() == 1 {
        "1er".to_owned()
    } else {
        date.day().to_string()
    };
    format!("{day} {} {}", MONTHS[date.month0() as usize], date.year())
}

/// « vendredi 22 mars 2019 ».
pub fn date_with_weekday(d: NaiveDate) -> String {
    format!("{} {}", weekday(d), date(d))
}

/// « 22/03/2019 ».
pub fn date_numeric(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// « 9 h 00 », « 13 h 30 » (no-break spaces).
pub fn time(t: NaiveTime) -> String {
    format!("{}{NBSP}h{NBSP}{:02}", t.hour(), t.minute())
}

/// « 9 h 00 – 12 h 30 ».
pub fn time_range(start: NaiveTime, end: NaiveTime) -> String {
    format!("{}{NBSP}– {}", time(start), time(end))
}

/// Minutes between two local times of the same day (0 when `end` is not after `start`).
pub fn minutes_between(start: NaiveTime, end: NaiveTime) -> u32 {
    let minutes = (end - start).num_minutes();
    u32::try_from(minutes).unwrap_or(0)
}

/// Short duration for tables: « 7 h », « 3 h 30 ».
pub fn duration_short(minutes: u32) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    if m == 0 {
        format!("{h}{NBSP}h")
    } else {
        format!("{h}{NBSP}h{NBSP}{m:02}")
    }
}

/// Duration in words: « 42 heures », « 1 heure », « 10 heures 30 », « 45 minutes ».
pub fn duration_long(minutes: u32) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    match (h, m) {
        (0, m) => format!("{m}{NBSP}minute{}", plural(m)),
        (h, 0) => format!("{h}{NBSP}heure{}", plural(h)),
        (h, m) => format!("{h}{NBSP}heure{} {m:02}", plural(h)),
    }
}

/// « 1 journée », « 6 journées ».
pub fn days(count: usize) -> String {
    count_noun(count as u64, "journée", "journées")
}

/// « 0 stagiaire », « 1 stagiaire », « 12 stagiaires » — French uses the singular below 2.
pub fn count_noun(count: u64, singular: &str, plural_form: &str) -> String {
    if count < 2 {
        format!("{count}{NBSP}{singular}")
    } else {
        format!("{}{NBSP}{plural_form}", group_thousands(count))
    }
}

fn plural(n: u32) -> &'static str {
    if n < 2 { "" } else { "s" }
}

/// « 30 à 40 personnes », « 12 personnes ».
pub fn headcount(min: u32, max: u32) -> String {
    if min == max {
        count_noun(u64::from(min), "personne", "personnes")
    } else {
        format!("{min} à {max}{NBSP}personnes")
    }
}

/// « 1 200 » (narrow no-break space between groups of three digits).
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(NNBSP);
        }
        out.push(ch);
    }
    out
}

/// « 1 200,00 € », « 0,05 € », « -12,50 € ».
pub fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!(
        "{sign}{},{:02}{NBSP}€",
        group_thousands(abs / 100),
        abs % 100
    )
}

/// A VAT rate in basis points as a French percentage: 2000 → « 20 % », 550 → « 5,5 % ».
pub fn percent(basis_points: u32) -> String {
    let whole = basis_points / 100;
    let fraction = basis_points % 100;
    if fraction == 0 {
        format!("{whole}{NBSP}%")
    } else {
        let decimals = format!("{fraction:02}");
        format!("{whole},{}{NBSP}%", decimals.trim_end_matches('0'))
    }
}

/// A SIRET (14 digits) grouped as printed on French documents: « 123 456 782 00010 ».
/// Anything else is returned trimmed, as given.
pub fn siret(value: &str) -> String {
    let digits: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() == 14 && digits.chars().all(|c| c.is_ascii_digit()) {
        format!(
            "{}{NBSP}{}{NBSP}{}{NBSP}{}",
            &digits[0..3],
            &digits[3..6],
            &digits[6..9],
            &digits[9..14]
        )
    } else {
        value.trim().to_owned()
    }
}

/// `value * basis_points / 10 000`, rounded half away from zero (half up for positive amounts),
/// computed without overflow.
pub fn apply_rate(value_cents: i64, basis_points: u32) -> i64 {
    let product = i128::from(value_cents) * i128::from(basis_points);
    let magnitude = (product.abs() + 5_000) / 10_000;
    let rounded = if product < 0 { -magnitude } else { magnitude };
    i64::try_from(rounded).unwrap_or(if rounded < 0 { i64::MIN } else { i64::MAX })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn dates_in_french() {
        assert_eq!(date_with_weekday(d(2019, 3, 22)), "vendredi 22 mars 2019");
        assert_eq!(date(d(2019, 9, 1)), "1er septembre 2019");
        assert_eq!(date(d(2019, 2, 15)), "15 février 2019");
        assert_eq!(date(d(2020, 8, 31)), "31 août 2020");
        assert_eq!(date(d(2019, 12, 2)), "2 décembre 2019");
        assert_eq!(date_with_weekday(d(2026, 5, 17)), "dimanche 17 mai 2026");
        assert_eq!(date_numeric(d(2019, 3, 2)), "02/03/2019");
    }

    #[test]
    fn hours_in_french() {
        assert_eq!(time(t(9, 0)), "9\u{a0}h\u{a0}00");
        assert_eq!(time(t(13, 30)), "13\u{a0}h\u{a0}30");
        assert_eq!(
            time_range(t(9, 0), t(12, 30)),
            "9\u{a0}h\u{a0}00\u{a0}– 12\u{a0}h\u{a0}30"
        );
        assert_eq!(minutes_between(t(9, 0), t(12, 30)), 210);
        assert_eq!(minutes_between(t(12, 30), t(9, 0)), 0);
    }

    #[test]
    fn durations_in_french() {
        assert_eq!(duration_short(420), "7\u{a0}h");
        assert_eq!(duration_short(210), "3\u{a0}h\u{a0}30");
        assert_eq!(duration_long(42 * 60), "42\u{a0}heures");
        assert_eq!(duration_long(60), "1\u{a0}heure");
        assert_eq!(duration_long(630), "10\u{a0}heures 30");
        assert_eq!(duration_long(45), "45\u{a0}minutes");
        assert_eq!(duration_long(1), "1\u{a0}minute");
        assert_eq!(days(1), "1\u{a0}journée");
        assert_eq!(days(6), "6\u{a0}journées");
        assert_eq!(headcount(30, 40), "30 à 40\u{a0}personnes");
        assert_eq!(headcount(1, 1), "1\u{a0}personne");
        assert_eq!(headcount(12, 12), "12\u{a0}personnes");
    }

    #[test]
    fn money_in_french() {
        assert_eq!(money(120_000), "1\u{202f}200,00\u{a0}€");
        assert_eq!(money(720_000), "7\u{202f}200,00\u{a0}€");
        assert_eq!(money(5), "0,05\u{a0}€");
        assert_eq!(money(0), "0,00\u{a0}€");
        assert_eq!(money(-1_250), "-12,50\u{a0}€");
        assert_eq!(money(12_345_678_901), "123\u{202f}456\u{202f}789,01\u{a0}€");
        assert_eq!(money(100_000), "1\u{202f}000,00\u{a0}€");
        assert_eq!(money(99_999), "999,99\u{a0}€");
        assert_eq!(money(i64::MIN).chars().next(), Some('-'));
    }

    #[test]
    fn rates_and_identifiers() {
        assert_eq!(percent(2000), "20\u{a0}%");
        assert_eq!(percent(550), "5,5\u{a0}%");
        assert_eq!(percent(210), "2,1\u{a0}%");
        assert_eq!(percent(1), "0,01\u{a0}%");
        assert_eq!(siret("12345678200010"), "123\u{a0}456\u{a0}782\u{a0}00010");
        assert_eq!(
            siret("123 456 782 00010"),
            "123\u{a0}456\u{a0}782\u{a0}00010"
        );
        assert_eq!(siret(" en cours "), "en cours");
    }

    #[test]
    fn rate_rounds_half_up() {
        // 20 % of 0,03 € = 0,006 € → 0,01 €; 20 % of 0,02 € = 0,004 € → 0,00 €.
        assert_eq!(apply_rate(3, 2000), 1);
        assert_eq!(apply_rate(2, 2000), 0);
        // 5,5 % of 10,00 € = 0,55 €; of 0,10 € = 0,0055 € → 0,01 €; of 0,09 € = 0,00495 → 0,00.
        assert_eq!(apply_rate(1_000, 550), 55);
        assert_eq!(apply_rate(10, 550), 1);
        assert_eq!(apply_rate(9, 550), 0);
        // Exactly half a cent rounds up: 50 % of 0,01 €.
        assert_eq!(apply_rate(1, 5_000), 1);
        assert_eq!(apply_rate(-1, 5_000), -1);
        assert_eq!(apply_rate(i64::MAX, 10_000), i64::MAX);
    }
}
