//! iCalendar feeds (RFC 5545) of training half-days, for trainers' and clients' agendas.
//!
//! Times are local civil time in Europe/Paris, written `DTSTART;TZID=Europe/Paris:…` with the
//! `VTIMEZONE` that defines it, so a 9 h 00 session stays at 9 h 00 whatever the season.
//! The `icalendar` crate builds the events and escapes their text; the `VTIMEZONE` (which the
//! crate cannot build) is written here, and every line is folded again by [`fold`].

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use icalendar::{Calendar, CalendarDateTime, Component, Event, EventLike, Property};
use serde::{Deserialize, Serialize};

/// The time zone of every event.
pub const TZID: &str = "Europe/Paris";

/// `PRODID` of the feeds.
pub const PRODID: &str = "-//Forma//Forma documents//FR";

/// Europe/Paris as the EU rule has it since 1996: summer time (+02:00) from the last Sunday of
/// March at 02:00 local, winter time (+01:00) from the last Sunday of October at 03:00 local.
const VTIMEZONE: &str = "BEGIN:VTIMEZONE\r\n\
TZID:Europe/Paris\r\n\
X-LIC-LOCATION:Europe/Paris\r\n\
BEGIN:DAYLIGHT\r\n\
TZOFFSETFROM:+0100\r\n\
TZOFFSETTO:+0200\r\n\
TZNAME:CEST\r\n\
DTSTART:19700329T020000\r\n\
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n\
END:DAYLIGHT\r\n\
BEGIN:STANDARD\r\n\
TZOFFSETFROM:+0200\r\n\
TZOFFSETTO:+0100\r\n\
TZNAME:CET\r\n\
DTSTART:19701025T030000\r\n\
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n\
END:STANDARD\r\n\
END:VTIMEZONE\r\n";

/// One event of a feed: usually a half-day of training.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarEvent {
    /// Stable across feeds, so that agendas update the event instead of duplicating it:
    /// « day-42-morning@forma ».
    pub uid: String,
    pub summary: String,
    pub description: Option<String>,
    pub location: Option<String>,
    pub date: NaiveDate,
    /// Local civil time in Europe/Paris.
    pub start: NaiveTime,
    /// Local civil time in Europe/Paris; an end not after the start is left out.
    pub end: NaiveTime,
    /// When the event last changed (`DTSTAMP`, `LAST-MODIFIED`).
    pub updated: DateTime<Utc>,
}

/// The whole feed: CRLF line endings, lines folded at 75 octets, `VERSION:2.0`, `PRODID`,
/// `X-WR-CALNAME`, the Europe/Paris `VTIMEZONE` and one `VEVENT` per event.
pub fn calendar(name: &str, events: &[CalendarEvent]) -> String {
    let mut calendar = Calendar::empty();
    calendar.append_property(Property::new("VERSION", "2.0"));
    calendar.append_property(Property::new("PRODID", PRODID));
    calendar.append_property(Property::new("CALSCALE", "GREGORIAN"));
    calendar.append_property(Property::new("METHOD", "PUBLISH"));
    calendar.append_property(Property::new("X-WR-CALNAME", clean(name)));
    calendar.append_property(Property::new("X-WR-TIMEZONE", TZID));
    for event in events {
        calendar.push(vevent(event));
    }
    let mut text = calendar.to_string();
    // The time zone goes before the first event (or before the end of an empty calendar).
    let at = text
        .find("BEGIN:VEVENT\r\n")
        .or_else(|| text.rfind("END:VCALENDAR"))
        .unwrap_or(text.len());
    text.insert_str(at, VTIMEZONE);
    refold(&text)
}

fn local(date: NaiveDate, time: NaiveTime) -> CalendarDateTime {
    CalendarDateTime::WithTimezone {
        date_time: date.and_time(time),
        tzid: TZID.to_owned(),
    }
}

fn vevent(e: &CalendarEvent) -> Event {
    let mut event = Event::new();
    event
        .uid(&clean(&e.uid))
        .timestamp(e.updated)
        .last_modified(e.updated)
        .starts(local(e.date, e.start))
        .summary(&clean(&e.summary));
    if e.end > e.start {
        event.ends(local(e.date, e.end));
    }
    if let Some(location) = e.location.as_deref().map(clean).filter(|l| !l.is_empty()) {
        event.location(&location);
    }
    if let Some(description) = e
        .description
        .as_deref()
        .map(clean)
        .filter(|d| !d.is_empty())
    {
        event.description(&description);
    }
    event.done()
}

/// Text as RFC 5545 allows it before escaping: trimmed (readers drop the spaces that end a
/// line), line breaks made `\n` (escaped later), other control characters, which TEXT values may
/// not hold, dropped (a tab becomes a space).
fn clean(value: &str) -> String {
    value
        .trim()
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter_map(|c| match c {
            '\n' => Some('\n'),
            '\t' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

/// Undoes the writer's folding and folds every line again with [`fold`].
fn refold(text: &str) -> String {
    let unfolded = text.replace("\r\n ", "");
    let mut out = String::with_capacity(unfolded.len() + unfolded.len() / 70 * 3);
    for line in unfolded.split("\r\n").filter(|l| !l.is_empty()) {
        fold(line, &mut out);
    }
    out
}

/// Writes one content line, folded so that no physical line exceeds 75 octets (RFC 5545 §3.1),
/// never inside a UTF-8 sequence. Some readers trim the spaces that end a physical line (and
/// some the spaces that start one), so a fold goes, by preference, where no space touches it;
/// failing that, just before a space, so that a physical line never ends with one.
fn fold(line: &str, out: &mut String) {
    const FIRST: usize = 75;
    const NEXT: usize = 74; // after the leading space of a continuation line
    let mut rest = line;
    let mut limit = FIRST;
    while rest.len() > limit {
        let mut longest = limit;
        while !rest.is_char_boundary(longest) {
            longest -= 1;
        }
        let end = find_boundary(rest, longest, limit / 3, |at| !next_to_space(rest, at))
            .or_else(|| find_boundary(rest, longest, 1, |at| !space_before(rest, at)))
            .unwrap_or(longest);
        out.push_str(&rest[..end]);
        out.push_str("\r\n ");
        rest = &rest[end..];
        limit = NEXT;
    }
    out.push_str(rest);
    out.push_str("\r\n");
}

/// The last character boundary in `lowest..=from` that satisfies `good`.
fn find_boundary(
    s: &str,
    from: usize,
    lowest: usize,
    good: impl Fn(usize) -> bool,
) -> Option<usize> {
    let mut at = from;
    while at >= lowest.max(1) {
        if good(at) {
            return Some(at);
        }
        at = s[..at].char_indices().next_back()?.0;
    }
    None
}

fn space_before(s: &str, at: usize) -> bool {
    s[..at].chars().next_back().is_some_and(char::is_whitespace)
}

fn next_to_space(s: &str, at: usize) -> bool {
    space_before(s, at) || s[at..].chars().next().is_some_and(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_keeps_lines_short_and_characters_whole() {
        let line = format!("DESCRIPTION:{}", "é".repeat(100));
        let mut out = String::new();
        fold(&line, &mut out);
        for physical in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(physical.len() <= 75, "{} octets", physical.len());
        }
        assert_eq!(out.replace("\r\n ", "").trim_end(), line);
    }

    #[test]
    fn folding_avoids_spaces_at_the_fold() {
        let line = format!("SUMMARY:{}fin", "abc ".repeat(40));
        let mut out = String::new();
        fold(&line, &mut out);
        for physical in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(physical.len() <= 75);
            assert!(!physical.ends_with(' '), "{physical:?}");
            assert!(!physical.starts_with("  "), "{physical:?}");
        }
        assert_eq!(out.replace("\r\n ", "").trim_end(), line);
    }

    #[test]
    fn folding_among_single_letters_goes_before_a_space() {
        // Every boundary in « a b c … » touches a space: the fold goes before one.
        let line = format!("DESCRIPTION:{}", "a ".repeat(60));
        let mut out = String::new();
        fold(line.trim_end(), &mut out);
        let physical: Vec<&str> = out.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert!(physical.len() >= 2);
        for p in &physical {
            assert!(p.len() <= 75);
            assert!(!p.ends_with(' '), "{p:?}");
        }
        assert_eq!(out.replace("\r\n ", "").trim_end(), line.trim_end());
        // Only spaces: any fold will do, but lines stay short and nothing is lost.
        let spaces = format!("X:{}", " ".repeat(200));
        let mut out = String::new();
        fold(&spaces, &mut out);
        assert!(out.split("\r\n").all(|l| l.len() <= 75));
        assert_eq!(out.replace("\r\n ", "").trim_end_matches("\r\n"), spaces);
    }

    #[test]
    fn control_characters_are_cleaned() {
        assert_eq!(clean(" a\r\nb\rc\td\u{7}e \n"), "a\nb\nc de");
    }
}
