//! The iCalendar feed, read back with an independent parser (the `ical` crate).

use std::collections::HashSet;
use std::io::BufReader;

use chrono::{Datelike, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use forma_documents::ical::{self as feed, CalendarEvent};
use ical::parser::ical::component::IcalCalendar;
use ical::property::Property;

fn time(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

fn events() -> Vec<CalendarEvent> {
    let updated = Utc.with_ymd_and_hms(2019, 2, 15, 10, 30, 0).unwrap();
    let day = NaiveDate::from_ymd_opt(2019, 3, 22).unwrap();
    vec![
        CalendarEvent {
            uid: "day-1-morning@forma".into(),
            summary: "Module 1, journée 1; Acculturation CTG\nsuite \\ fin".into(),
            description: Some(
                "Convention n° 26/19.\r\nFormateur : Thierry CHEINE (Accolades), \
                 avec un texte assez long pour que la ligne soit pliée plusieurs fois, \
                 accents compris : éèêëàâîïôöùûüç œ æ — « guillemets »."
                    .into(),
            ),
            location: Some("CAF de l'Allier, Moulins — salle Allier; 8 rue Achille Roche".into()),
            date: day,
            start: time(9, 0),
            end: time(12, 30),
            updated,
        },
        CalendarEvent {
            uid: "day-1-afternoon@forma".into(),
            summary: "Module 1 — après-midi".into(),
            description: None,
            location: None,
            date: day,
            start: time(13, 30),
            end: time(17, 0),
            updated,
        },
        CalendarEvent {
            uid: "day-7-morning@forma".into(),
            summary: "Module 3 — journée en heure d'hiver".into(),
            description: None,
            location: Some("Vichy".into()),
            date: NaiveDate::from_ymd_opt(2019, 11, 8).unwrap(),
            start: time(9, 0),
            end: time(12, 30),
            updated,
        },
    ]
}

fn parse(text: &str) -> IcalCalendar {
    let mut parser = ical::IcalParser::new(BufReader::new(text.as_bytes()));
    let calendar = parser
        .next()
        .expect("one calendar")
        .expect("the feed parses");
    assert!(parser.next().is_none(), "a single VCALENDAR");
    calendar
}

fn prop<'a>(properties: &'a [Property], name: &str) -> &'a Property {
    properties
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no {name} in {properties:?}"))
}

fn value<'a>(properties: &'a [Property], name: &str) -> &'a str {
    prop(properties, name).value.as_deref().unwrap_or("")
}

fn param<'a>(property: &'a Property, name: &str) -> Option<&'a str> {
    property
        .params
        .as_ref()?
        .iter()
        .find(|(k, _)| k == name)
        .and_then(|(_, v)| v.first())
        .map(String::as_str)
}

/// RFC 5545 §3.3.11 TEXT unescaping, written here from the RFC (not taken from the writer).
fn unescape(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(other @ ('\\' | ';' | ',')) => out.push(other),
                other => panic!("invalid escape \\{other:?} in {text:?}"),
            }
        } else {
            assert!(
                c != ';' && c != ',',
                "unescaped {c:?} in TEXT value {text:?}"
            );
            out.push(c);
        }
    }
    out
}

#[test]
fn feed_parses_with_timezone_and_local_times() {
    let text = feed::calendar("Formation CTG, CAF de l'Allier", &events());
    let calendar = parse(&text);

    assert_eq!(value(&calendar.properties, "VERSION"), "2.0");
    assert_eq!(value(&calendar.properties, "PRODID"), feed::PRODID);
    assert_eq!(
        unescape(value(&calendar.properties, "X-WR-CALNAME")),
        "Formation CTG, CAF de l'Allier"
    );

    assert_eq!(calendar.timezones.len(), 1);
    let tz = &calendar.timezones[0];
    assert_eq!(value(&tz.properties, "TZID"), "Europe/Paris");
    assert_eq!(tz.transitions.len(), 2);
    let mut kinds = HashSet::new();
    for transition in &tz.transitions {
        let rrule = value(&transition.properties, "RRULE");
        let to = value(&transition.properties, "TZOFFSETTO");
        let from = value(&transition.properties, "TZOFFSETFROM");
        let start = value(&transition.properties, "DTSTART");
        match (from, to) {
            ("+0100", "+0200") => {
                assert_eq!(rrule, "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU");
                assert!(start.ends_with("T020000"), "{start}");
                kinds.insert("daylight");
            }
            ("+0200", "+0100") => {
                assert_eq!(rrule, "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU");
                assert!(start.ends_with("T030000"), "{start}");
                kinds.insert("standard");
            }
            other => panic!("unexpected transition {other:?}"),
        }
    }
    assert_eq!(kinds.len(), 2);

    assert_eq!(calendar.events.len(), 3);
    let first = &calendar.events[0].properties;
    let start = prop(first, "DTSTART");
    assert_eq!(param(start, "TZID"), Some("Europe/Paris"));
    assert_eq!(start.value.as_deref(), Some("20190322T090000"));
    let end = prop(first, "DTEND");
    assert_eq!(param(end, "TZID"), Some("Europe/Paris"));
    assert_eq!(end.value.as_deref(), Some("20190322T123000"));
    assert_eq!(value(first, "DTSTAMP"), "20190215T103000Z");
    // Winter dates keep their local time too: the time zone does the conversion.
    let winter = &calendar.events[2].properties;
    assert_eq!(value(winter, "DTSTART"), "20191108T090000");

    let uids: HashSet<&str> = calendar
        .events
        .iter()
        .map(|e| value(&e.properties, "UID"))
        .collect();
    assert_eq!(uids.len(), 3);
    assert!(uids.contains("day-1-morning@forma"));
    for event in &calendar.events {
        assert!(
            prop(&event.properties, "DTSTAMP")
                .value
                .as_deref()
                .unwrap()
                .ends_with('Z')
        );
    }
    // No LOCATION or DESCRIPTION when there is none.
    assert!(
        !calendar.events[1]
            .properties
            .iter()
            .any(|p| p.name == "LOCATION")
    );
}

#[test]
fn text_is_escaped_and_round_trips() {
    let source = events();
    let calendar = parse(&feed::calendar("Agenda", &source));
    let first = &calendar.events[0].properties;
    assert_eq!(unescape(value(first, "SUMMARY")), source[0].summary);
    assert_eq!(
        unescape(value(first, "LOCATION")),
        source[0].location.as_deref().unwrap()
    );
    // CRLF inside a value is one line break.
    assert_eq!(
        unescape(value(first, "DESCRIPTION")),
        source[0]
            .description
            .as_deref()
            .unwrap()
            .replace("\r\n", "\n")
    );
    assert_eq!(
        unescape(value(&calendar.events[1].properties, "SUMMARY")),
        "Module 1 — après-midi"
    );
}

#[test]
fn lines_are_crlf_and_folded_at_75_octets() {
    let text = feed::calendar("Agenda", &events());
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n"));
    assert!(text.ends_with("END:VCALENDAR\r\n"));
    assert!(!text.replace("\r\n", "").contains('\n'), "bare LF");
    assert!(!text.replace("\r\n", "").contains('\r'), "bare CR");
    let mut folded = 0;
    for line in text.split("\r\n") {
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
        if line.starts_with(' ') {
            folded += 1;
        }
    }
    assert!(folded >= 2, "the long description is folded");
    // The VTIMEZONE comes before the events.
    let tz = text.find("BEGIN:VTIMEZONE").unwrap();
    assert!(tz < text.find("BEGIN:VEVENT").unwrap());
}

#[test]
fn empty_feed_still_defines_the_timezone() {
    let text = feed::calendar("Vide", &[]);
    let calendar = parse(&text);
    assert!(calendar.events.is_empty());
    assert_eq!(
        value(&calendar.timezones[0].properties, "TZID"),
        "Europe/Paris"
    );
}

/// The VTIMEZONE rule (last Sunday of March at 02:00, last Sunday of October at 03:00) agrees
/// with the tz database for the years Forma will see.
#[test]
fn timezone_rule_matches_the_tz_database() {
    use chrono::{Duration, Offset};
    use chrono_tz::Europe::Paris;
    fn last_sunday(year: i32, month: u32) -> NaiveDate {
        let mut d = NaiveDate::from_ymd_opt(year, month + 1, 1).unwrap() - Duration::days(1);
        while d.weekday() != Weekday::Sun {
            d -= Duration::days(1);
        }
        d
    }
    let offset = |utc: chrono::NaiveDateTime| {
        Paris
            .from_utc_datetime(&utc)
            .offset()
            .fix()
            .local_minus_utc()
    };
    for year in 2000..=2040 {
        // 02:00 local in winter time is 01:00 UTC.
        let spring = last_sunday(year, 3).and_hms_opt(1, 0, 0).unwrap();
        assert_eq!(offset(spring - Duration::seconds(1)), 3600, "{year}");
        assert_eq!(offset(spring), 7200, "{year}");
        // 03:00 local in summer time is 01:00 UTC.
        let autumn = last_sunday(year, 10).and_hms_opt(1, 0, 0).unwrap();
        assert_eq!(offset(autumn - Duration::seconds(1)), 7200, "{year}");
        assert_eq!(offset(autumn), 3600, "{year}");
    }
}

/// Wherever the folds fall (after a space, inside « é »…), the text reads back the same.
#[test]
fn folds_anywhere_read_back_the_same() {
    let updated = Utc.with_ymd_and_hms(2019, 2, 15, 10, 30, 0).unwrap();
    let events: Vec<CalendarEvent> = (0..160)
        .map(|k| CalendarEvent {
            uid: format!("fold-{k}@forma"),
            summary: format!(
                "{} mot, avec des espaces ; é à œ {}",
                "x".repeat(k),
                "y é ".repeat(k % 7)
            ),
            description: Some(format!(
                "{}a b c d e f g h i j k l m n o p q r s t u v w x y z",
                "é".repeat(k)
            )),
            location: None,
            date: NaiveDate::from_ymd_opt(2019, 3, 22).unwrap(),
            start: time(9, 0),
            end: time(12, 30),
            updated,
        })
        .collect();
    let text = feed::calendar("Plis", &events);
    for line in text.split("\r\n") {
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
    }
    let calendar = parse(&text);
    assert_eq!(calendar.events.len(), events.len());
    for (parsed, source) in calendar.events.iter().zip(&events) {
        // Values are trimmed: the writer drops the spaces around a value.
        assert_eq!(
            unescape(value(&parsed.properties, "SUMMARY")),
            source.summary.trim()
        );
        assert_eq!(
            unescape(value(&parsed.properties, "DESCRIPTION")),
            source.description.as_deref().unwrap()
        );
    }
}
