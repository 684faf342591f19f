//! TEMPORARY stand-in for `forma_documents::ical` (being written on another branch), with the
//! same API, so that the feed route can be built and tested before that crate lands. Delete this
//! file and import `forma_documents::ical::{CalendarEvent, calendar}` in `calendar_feeds.rs`
//! once `crates/documents/src/ical.rs` is on `main`.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarEvent {
    pub uid: String,
    pub summary: String,
    pub description: Option<String>,
    pub location: Option<String>,
    pub date: NaiveDate,
    /// Local time, Europe/Paris.
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub updated: DateTime<Utc>,
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets (RFC 5545 §3.1), never inside a character.
fn push_line(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

const PARIS: &str = "BEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\nBEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\n\
DTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\n\
TZOFFSETTO:+0100\r\nTZNAME:CET\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";

pub fn calendar(name: &str, events: &[CalendarEvent]) -> String {
    let mut out = String::new();
    for line in ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Forma//Agenda//FR", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"] {
        push_line(&mut out, line);
    }
    push_line(&mut out, &format!("X-WR-CALNAME:{}", escape(name)));
    push_line(&mut out, "X-WR-TIMEZONE:Europe/Paris");
    out.push_str(PARIS);
    for e in events {
        push_line(&mut out, "BEGIN:VEVENT");
        push_line(&mut out, &format!("UID:{}", escape(&e.uid)));
        push_line(&mut out, &format!("DTSTAMP:{}", e.updated.format("%Y%m%dT%H%M%SZ")));
        push_line(&mut out, &format!("LAST-MODIFIED:{}", e.updated.format("%Y%m%dT%H%M%SZ")));
        push_line(&mut out, &format!("DTSTART;TZID=Europe/Paris:{}T{}", e.date.format("%Y%m%d"), e.start.format("%H%M%S")));
        push_line(&mut out, &format!("DTEND;TZID=Europe/Paris:{}T{}", e.date.format("%Y%m%d"), e.end.format("%H%M%S")));
        push_line(&mut out, &format!("SUMMARY:{}", escape(&e.summary)));
        if let Some(location) = &e.location {
            push_line(&mut out, &format!("LOCATION:{}", escape(location)));
        }
        if let Some(description) = &e.description {
            push_line(&mut out, &format!("DESCRIPTION:{}", escape(description)));
        }
        push_line(&mut out, "END:VEVENT");
    }
    push_line(&mut out, "END:VCALENDAR");
    out
}
