//! Values formatted for French readers.

use forma_domain::french_date::long_date;
use forma_domain::program::Delay;
use forma_store::SessionSummary;

/// A session as a line of a list or table.
pub struct SessionView {
    pub id: i64,
    /// INTER sessions take registrations from this site.
    pub open: bool,
    pub program_slug: String,
    pub program_title: String,
    pub dates: String,
    pub hours: String,
    pub places: String,
    pub seats: String,
    pub access_delay: String,
}

/// « le 1er février 2027 », « du 8 au 9 avril 2027 », « 3 journées du 8 avril au 2 juin 2027 ».
pub fn dates_label(session: &SessionSummary) -> String {
    days_label(&session.days.iter().map(|d| d.date).collect::<Vec<_>>())
}

/// The same words for days given by their dates, in order (a back-office session's days).
pub fn days_label(days: &[chrono::NaiveDate]) -> String {
    let (Some(&first), Some(&last)) = (days.first(), days.last()) else { return String::new() };
    let n = days.len();
    let span = if first == last {
        format!("le {}", long_date(first))
    } else {
        use chrono::Datelike;
        let full_first = long_date(first);
        // « du 9 au 10 décembre 2026 », « du 30 mars au 2 avril 2027 », years only when they differ.
        let words: Vec<&str> = full_first.split(' ').collect();
        let short_first = if first.year() != last.year() {
            full_first.clone()
        } else if first.month() != last.month() {
            words[..2].join(" ")
        } else {
            words[0].to_owned()
        };
        format!("du {short_first} au {}", long_date(last))
    };
    let consecutive = days.windows(2).all(|w| w[0].succ_opt() == Some(w[1]));
    if n > 1 && !consecutive { format!("{n} journées, {span}") } else { span }
}

fn time_label(t: chrono::NaiveTime) -> String {
    use chrono::Timelike;
    if t.minute() == 0 { format!("{} h", t.hour()) } else { format!("{} h {:02}", t.hour(), t.minute()) }
}

pub fn hours_label(session: &SessionSummary) -> String {
    let mut labels: Vec<String> = session.days.iter().map(|d| format!("{} – {}", time_label(d.start), time_label(d.end))).collect();
    labels.dedup();
    labels.join(" ; ")
}

pub fn places_label(session: &SessionSummary) -> String {
    let mut places: Vec<&str> = Vec::new();
    for d in &session.days {
        if !places.contains(&d.place.as_str()) {
            places.push(&d.place);
        }
    }
    places.join(", ")
}

pub fn seats_label(seats: Option<u32>) -> String {
    match seats {
        None => String::new(),
        Some(0) => "complet".into(),
        Some(1) => "1 place disponible".into(),
        Some(n) => format!("{n} places disponibles"),
    }
}

pub fn delay_label(delay: Option<Delay>) -> String {
    delay.map(|d| d.label()).unwrap_or_else(|| "nous consulter".into())
}

pub fn session_view(session: &SessionSummary, access_delay: Option<Delay>) -> SessionView {
    SessionView {
        id: session.id,
        open: session.kind == forma_domain::ProgramKind::Inter,
        program_slug: session.program_slug.clone(),
        program_title: session.program_title.clone(),
        dates: dates_label(session),
        hours: hours_label(session),
        places: places_label(session),
        seats: seats_label(session.seats_left),
        access_delay: delay_label(access_delay),
    }
}

/// « 2 jours (14 h) ».
pub fn duration_label(days: Option<u32>, hours: Option<u32>) -> String {
    match (days, hours) {
        (Some(1), Some(h)) => format!("1 jour ({h} h)"),
        (Some(d), Some(h)) => format!("{d} jours ({h} h)"),
        (Some(1), None) => "1 jour".into(),
        (Some(d), None) => format!("{d} jours"),
        (None, Some(h)) => format!("{h} h"),
        (None, None) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, NaiveTime};
    use forma_domain::ProgramKind;
    use forma_domain::session::SessionDay;

    use super::*;

    fn session(dates: &[(i32, u32, u32)]) -> SessionSummary {
        SessionSummary {
            id: 1,
            program_slug: "x".into(),
            program_title: "X".into(),
            kind: ProgramKind::Inter,
            client_id: None,
            capacity: Some(12),
            seats_left: Some(12),
            days: dates
                .iter()
                .map(|&(y, m, d)| SessionDay {
                    date: NaiveDate::from_ymd_opt(y, m, d).unwrap(),
                    start: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
                    end: NaiveTime::from_hms_opt(17, 0, 0).unwrap(),
                    place: "Moulins".into(),
                })
                .collect(),
        }
    }

    #[test]
    fn french_date_ranges() {
        assert_eq!(dates_label(&session(&[(2027, 2, 1)])), "le 1er février 2027");
        assert_eq!(dates_label(&session(&[(2026, 12, 9), (2026, 12, 10)])), "du 9 au 10 décembre 2026");
        assert_eq!(dates_label(&session(&[(2027, 3, 31), (2027, 4, 1)])), "du 31 mars au 1er avril 2027");
        assert_eq!(dates_label(&session(&[(2026, 12, 31), (2027, 1, 1)])), "du 31 décembre 2026 au 1er janvier 2027");
        assert_eq!(dates_label(&session(&[(2027, 3, 1), (2027, 3, 8)])), "2 journées, du 1er au 8 mars 2027");
        assert_eq!(seats_label(Some(1)), "1 place disponible");
        assert_eq!(hours_label(&session(&[(2027, 3, 1)])), "9 h – 17 h");
    }
}
