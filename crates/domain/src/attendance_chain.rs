//! Tamper evidence for attendance: every event of a session (a signature, a status, the
//! trainer's countersignature, a later correction, a scanned sheet) is appended to a hash chain,
//! so that an edit, a deletion or an insertion made in the database afterwards shows up in
//! `forma verify`.
//!
//! `hash = hex(SHA-256(prev_hash + "\n" + canonical_content))`, the first event of a session
//! chaining from [`GENESIS`].

use std::collections::HashMap;
use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::attendance::AttendanceStatus;
use crate::half_day::HalfDay;

/// The `prev_hash` of a session's first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// `at` without its nanoseconds below the microsecond: the instant PostgreSQL (and so SQLite,
/// for parity) gives back. Callers store this instant, not the raw one, so that the chain
/// recomputed from the database matches the one computed at recording time.
pub fn truncate_to_micros(at: DateTime<Utc>) -> DateTime<Utc> {
    at.trunc_subsecs(6)
}

/// What an attendance event records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A trainee signs.
    Sign,
    /// The trainer sets a status before closing (late, absent…).
    Mark,
    /// The trainer countersigns and closes the half-day.
    Close,
    /// A change after closing; a reason is required.
    Correct,
    /// A scanned paper sheet is attached, its statuses entered by hand.
    Upload,
}

impl EventKind {
    pub const ALL: [EventKind; 5] = [Self::Sign, Self::Mark, Self::Close, Self::Correct, Self::Upload];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sign => "sign",
            Self::Mark => "mark",
            Self::Close => "close",
            Self::Correct => "correct",
            Self::Upload => "upload",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// The content of one chained event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendanceEvent {
    pub session_id: i64,
    /// 1-based position in the session's chain.
    pub seq: i64,
    pub kind: EventKind,
    /// The session day's id: the rows that say which day an event counts for are covered too.
    pub day_id: i64,
    pub day: NaiveDate,
    pub half_day: HalfDay,
    /// `None` for a [`EventKind::Close`].
    pub registration_id: Option<i64>,
    pub trainer_id: Option<i64>,
    pub status: Option<AttendanceStatus>,
    /// Whole minutes: the chain covers hours and minutes only.
    pub arrival: Option<NaiveTime>,
    pub departure: Option<NaiveTime>,
    pub justification: Option<String>,
    /// Hex SHA-256 of the signature's canonical vector JSON, so the chain covers the drawing
    /// without copying it.
    pub signature_sha256: Option<String>,
    /// "qr", "code", "trainer" or "paper".
    pub method: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The account's e-mail, or « stagiaire ».
    pub actor: Option<String>,
    pub reason: Option<String>,
    /// Microsecond precision: see [`truncate_to_micros`].
    pub recorded_at: DateTime<Utc>,
}

/// The canonical form, field order fixed by declaration order (serde keeps it).
#[derive(Serialize)]
struct Canonical<'a> {
    v: u8,
    session_id: i64,
    seq: i64,
    kind: &'static str,
    day_id: i64,
    day: String,
    half_day: &'static str,
    registration_id: Option<i64>,
    trainer_id: Option<i64>,
    status: Option<&'static str>,
    arrival: Option<String>,
    departure: Option<String>,
    justification: Option<&'a str>,
    signature_sha256: Option<&'a str>,
    method: Option<&'a str>,
    ip: Option<&'a str>,
    user_agent: Option<&'a str>,
    actor: Option<&'a str>,
    reason: Option<&'a str>,
    recorded_at: String,
}

impl AttendanceEvent {
    /// The content the hash covers. **Stable format, version 1** — events hashed today must
    /// verify years from now, so change it only by adding a new version:
    ///
    /// a single-line JSON object written by `serde_json` (no spaces, strings escaped by JSON
    /// rules, non-ASCII kept as UTF-8), with every key present in this order:
    /// `v` (1), `session_id`, `seq`, `kind` (`sign|mark|close|correct|upload`), `day_id`, `day`
    /// (`YYYY-MM-DD`), `half_day` (`morning|afternoon`), `registration_id`, `trainer_id`,
    /// `status` (`present|absent|late|left_early|excused`), `arrival`, `departure` (`HH:MM`),
    /// `justification`, `signature_sha256`, `method`, `ip`, `user_agent`, `actor`, `reason`,
    /// `recorded_at` (`YYYY-MM-DDTHH:MM:SS.ffffffZ`, UTC). An absent value is `null` (never
    /// omitted), so `null` and `""` differ. Example:
    ///
    /// ```text
    /// {"v":1,"session_id":7,"seq":1,"kind":"sign","day_id":12,"day":"2026-03-02","half_day":"morning","registration_id":41,"trainer_id":null,"status":"present","arrival":null,"departure":null,"justification":null,"signature_sha256":"9f…","method":"qr","ip":"192.0.2.1","user_agent":"Mozilla/5.0","actor":"stagiaire","reason":null,"recorded_at":"2026-03-02T08:58:12.123456Z"}
    /// ```
    pub fn canonical_content(&self) -> String {
        let hm = |t: Option<NaiveTime>| t.map(|t| t.format("%H:%M").to_string());
        let canonical = Canonical {
            v: 1,
            session_id: self.session_id,
            seq: self.seq,
            kind: self.kind.as_str(),
            day_id: self.day_id,
            day: self.day.format("%Y-%m-%d").to_string(),
            half_day: match self.half_day {
                HalfDay::Morning => "morning",
                HalfDay::Afternoon => "afternoon",
            },
            registration_id: self.registration_id,
            trainer_id: self.trainer_id,
            status: self.status.map(AttendanceStatus::as_str),
            arrival: hm(self.arrival),
            departure: hm(self.departure),
            justification: self.justification.as_deref(),
            signature_sha256: self.signature_sha256.as_deref(),
            method: self.method.as_deref(),
            ip: self.ip.as_deref(),
            user_agent: self.user_agent.as_deref(),
            actor: self.actor.as_deref(),
            reason: self.reason.as_deref(),
            recorded_at: self.recorded_at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
        };
        // Serialising strings, integers and nulls cannot fail.
        serde_json::to_string(&canonical).unwrap_or_default()
    }
}

/// The hash of `event` appended after a link whose hash is `prev_hash`.
pub fn link_hash(prev_hash: &str, event: &AttendanceEvent) -> String {
    sha256_hex(format!("{prev_hash}\n{}", event.canonical_content()).as_bytes())
}

/// One stored row of a session's chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLink {
    pub id: i64,
    pub event: AttendanceEvent,
    pub prev_hash: String,
    pub hash: String,
}

/// What is wrong with a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BreakKind {
    /// The stored hash is not the hash of the stored content: the content (or the hash) was
    /// changed after recording.
    Content,
    /// `prev_hash` is not the hash of the previous event (row `previous_id`), or for the first
    /// event (`previous_id` = `None`) not the genesis.
    Link { previous_id: Option<i64> },
    /// Events `from..=to` are missing before this row.
    Missing { from: i64, to: i64 },
    /// This row's number was already used, or comes after a higher one.
    OutOfOrder { duplicate: bool },
}

/// A row of a session's chain that fails verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    pub session_id: i64,
    pub row_id: i64,
    pub seq: i64,
    pub kind: BreakKind,
}

impl fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Session {}, ligne {} (événement n° {}) : ", self.session_id, self.row_id, self.seq)?;
        match &self.kind {
            BreakKind::Content => f.write_str("le contenu a été modifié après son enregistrement (son empreinte ne correspond plus)"),
            BreakKind::Link { previous_id: Some(id) } => write!(f, "le chaînage est rompu : l'empreinte précédente n'est pas celle de la ligne {id}"),
            BreakKind::Link { previous_id: None } => f.write_str("le chaînage est rompu : le premier événement ne part pas de l'origine de la chaîne"),
            BreakKind::Missing { from, to } if from == to => write!(f, "l'événement n° {from} manque avant celui-ci"),
            BreakKind::Missing { from, to } => write!(f, "les événements n° {from} à {to} manquent avant celui-ci"),
            BreakKind::OutOfOrder { duplicate: true } => f.write_str("ce numéro d'événement est déjà utilisé par une autre ligne"),
            BreakKind::OutOfOrder { duplicate: false } => f.write_str("cet événement est rangé après un événement plus récent"),
        }
    }
}

/// Checks one session's chain, `links` in stored order (by `seq`). Each row is judged against
/// the rows as stored, never against hashes recomputed along the way, so one edit yields one
/// report rather than a cascade down the rest of the chain:
/// - its stored hash must be the hash of its content, else [`BreakKind::Content`];
/// - its `prev_hash` must be the stored *or* the recomputed hash of the event numbered
///   `seq - 1` (the genesis for `seq` 1): accepting either keeps an edited content or an edited
///   hash to the one content report on its own row, while an edit whose hash was recomputed to
///   hide it is reported on the next row, naming the edited one;
/// - numbers must follow each other from 1: a gap is reported once on the row after it (its
///   link is then not judged, the missing rows being the cause), a repeated or backward number
///   on its own row.
pub fn verify_chain(links: &[StoredLink]) -> Vec<ChainBreak> {
    let recomputed: Vec<String> = links.iter().map(|l| link_hash(&l.prev_hash, &l.event)).collect();
    let mut first_with_seq: HashMap<i64, usize> = HashMap::new();
    for (i, l) in links.iter().enumerate() {
        first_with_seq.entry(l.event.seq).or_insert(i);
    }
    let mut breaks = Vec::new();
    let mut highest = 0i64;
    for (i, link) in links.iter().enumerate() {
        let seq = link.event.seq;
        let mut report = |kind| breaks.push(ChainBreak { session_id: link.event.session_id, row_id: link.id, seq, kind });
        if recomputed[i] != link.hash {
            report(BreakKind::Content);
        }
        let first = first_with_seq.get(&seq) == Some(&i);
        let mut judge_link = seq >= 1;
        if seq <= highest {
            report(BreakKind::OutOfOrder { duplicate: !first });
            judge_link &= first;
        } else if seq > highest.saturating_add(1) {
            report(BreakKind::Missing { from: highest + 1, to: seq - 1 });
            judge_link = false;
        }
        highest = highest.max(seq);
        if judge_link {
            let previous = first_with_seq.get(&(seq - 1)).copied();
            let sound = match previous {
                _ if seq == 1 => link.prev_hash == GENESIS,
                Some(p) => link.prev_hash == links[p].hash || link.prev_hash == recomputed[p],
                // The number before is missing: that gap was already reported where it starts.
                None => true,
            };
            if !sound {
                report(BreakKind::Link { previous_id: previous.map(|p| links[p].id) });
            }
        }
    }
    breaks
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn event(seq: i64) -> AttendanceEvent {
        AttendanceEvent {
            session_id: 7,
            seq,
            kind: EventKind::Sign,
            day_id: 12,
            day: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
            half_day: HalfDay::Morning,
            registration_id: Some(40 + seq),
            trainer_id: None,
            status: Some(AttendanceStatus::Present),
            arrival: None,
            departure: None,
            justification: None,
            signature_sha256: Some(sha256_hex(b"{}")),
            method: Some("qr".into()),
            ip: Some("192.0.2.1".into()),
            user_agent: Some("Mozilla/5.0".into()),
            actor: Some("stagiaire".into()),
            reason: None,
            recorded_at: Utc.with_ymd_and_hms(2026, 3, 2, 8, 58, 0).unwrap() + chrono::Duration::microseconds(seq * 1_000_123),
        }
    }

    fn chain(events: Vec<AttendanceEvent>) -> Vec<StoredLink> {
        let mut prev = GENESIS.to_owned();
        events
            .into_iter()
            .enumerate()
            .map(|(i, event)| {
                let hash = link_hash(&prev, &event);
                let link = StoredLink { id: 100 + i as i64, event, prev_hash: prev.clone(), hash: hash.clone() };
                prev = hash;
                link
            })
            .collect()
    }

    fn five() -> Vec<StoredLink> {
        chain((1..=5).map(event).collect())
    }

    fn bump(n: &mut Option<i64>) {
        *n = Some(n.map_or(1, |n| n + 1));
    }

    fn toggle_time(t: &mut Option<NaiveTime>) {
        *t = if t.is_some() { None } else { NaiveTime::from_hms_opt(9, 10, 0) };
    }

    fn append(text: &mut Option<String>) {
        *text = Some(text.take().map_or(String::new(), |t| t + "x"));
    }

    /// One change to each field of an event, each of which the canonical content must see.
    fn mutations() -> Vec<fn(&mut AttendanceEvent)> {
        vec![
            |e| e.session_id += 1,
            |e| e.kind = EventKind::ALL[(EventKind::ALL.iter().position(|k| *k == e.kind).unwrap() + 1) % 5],
            |e| e.day_id += 1,
            |e| e.day = e.day.succ_opt().unwrap(),
            |e| e.half_day = if e.half_day == HalfDay::Morning { HalfDay::Afternoon } else { HalfDay::Morning },
            |e| bump(&mut e.registration_id),
            |e| bump(&mut e.trainer_id),
            |e| e.status = if e.status == Some(AttendanceStatus::Late) { None } else { Some(AttendanceStatus::Late) },
            |e| toggle_time(&mut e.arrival),
            |e| toggle_time(&mut e.departure),
            |e| append(&mut e.justification),
            |e| append(&mut e.signature_sha256),
            |e| append(&mut e.method),
            |e| append(&mut e.ip),
            |e| append(&mut e.user_agent),
            |e| append(&mut e.actor),
            |e| append(&mut e.reason),
            |e| e.recorded_at += chrono::Duration::microseconds(1),
        ]
    }

    #[test]
    fn the_canonical_content_is_the_documented_format() {
        let mut e = event(1);
        e.recorded_at = Utc.with_ymd_and_hms(2026, 3, 2, 8, 58, 12).unwrap() + chrono::Duration::nanoseconds(123_456_789);
        e.user_agent = Some("a\"b\nc".into());
        e.signature_sha256 = None;
        assert_eq!(
            e.canonical_content(),
            r#"{"v":1,"session_id":7,"seq":1,"kind":"sign","day_id":12,"day":"2026-03-02","half_day":"morning","registration_id":41,"trainer_id":null,"status":"present","arrival":null,"departure":null,"justification":null,"signature_sha256":null,"method":"qr","ip":"192.0.2.1","user_agent":"a\"b\nc","actor":"stagiaire","reason":null,"recorded_at":"2026-03-02T08:58:12.123456Z"}"#
        );
        assert_eq!(truncate_to_micros(e.recorded_at).timestamp_subsec_nanos(), 123_456_000);
        assert_eq!(link_hash(GENESIS, &e).len(), 64);
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        for k in EventKind::ALL {
            assert_eq!(EventKind::parse(k.as_str()), Some(k));
        }
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert!(verify_chain(&five()).is_empty());
        assert!(verify_chain(&[]).is_empty());
    }

    #[test]
    fn any_field_changed_anywhere_is_reported_on_its_row() {
        for at in 0..5 {
            for mutate in mutations() {
                let mut links = five();
                mutate(&mut links[at].event);
                let breaks = verify_chain(&links);
                assert_eq!(breaks.len(), 1, "{breaks:?}");
                assert_eq!((breaks[0].row_id, breaks[0].seq, &breaks[0].kind), (100 + at as i64, at as i64 + 1, &BreakKind::Content));
            }
        }
        let mut links = five();
        links[2].event.reason = Some("x".into());
        assert_eq!(
            verify_chain(&links)[0].to_string(),
            "Session 7, ligne 102 (événement n° 3) : le contenu a été modifié après son enregistrement (son empreinte ne correspond plus)"
        );
    }

    #[test]
    fn a_hidden_edit_is_reported_on_the_next_row() {
        let mut links = five();
        links[1].event.status = Some(AttendanceStatus::Absent);
        links[1].hash = link_hash(&links[1].prev_hash, &links[1].event);
        let breaks = verify_chain(&links);
        assert_eq!(breaks, [ChainBreak { session_id: 7, row_id: 102, seq: 3, kind: BreakKind::Link { previous_id: Some(101) } }]);
        assert!(breaks[0].to_string().contains("n'est pas celle de la ligne 101"));
    }

    #[test]
    fn an_edited_stored_hash_is_one_report() {
        let mut links = five();
        links[3].hash = sha256_hex(b"forged");
        let breaks = verify_chain(&links);
        assert_eq!(breaks.len(), 1);
        assert_eq!((breaks[0].row_id, &breaks[0].kind), (103, &BreakKind::Content));
    }

    #[test]
    fn deleted_rows_are_reported_once() {
        let mut links = five();
        links.remove(2);
        assert_eq!(verify_chain(&links), [ChainBreak { session_id: 7, row_id: 103, seq: 4, kind: BreakKind::Missing { from: 3, to: 3 } }]);
        let mut links = five();
        links.remove(0);
        let breaks = verify_chain(&links);
        assert_eq!(breaks.len(), 1);
        assert!(breaks[0].to_string().ends_with("l'événement n° 1 manque avant celui-ci"));
        let mut links = five();
        links.truncate(1);
        links[0].prev_hash = sha256_hex(b"elsewhere");
        links[0].hash = link_hash(&links[0].prev_hash, &links[0].event);
        assert_eq!(verify_chain(&links)[0].kind, BreakKind::Link { previous_id: None });
    }

    #[test]
    fn swapped_and_duplicated_rows_are_reported() {
        let mut links = five();
        links.swap(1, 2);
        let kinds: Vec<_> = verify_chain(&links).into_iter().map(|b| (b.row_id, b.kind)).collect();
        assert_eq!(kinds, [(102, BreakKind::Missing { from: 2, to: 2 }), (101, BreakKind::OutOfOrder { duplicate: false })]);

        let mut links = five();
        let (a, b) = (links[1].event.seq, links[2].event.seq);
        links[1].event.seq = b;
        links[2].event.seq = a;
        links.swap(1, 2);
        let edited: Vec<i64> = verify_chain(&links).into_iter().filter(|b| b.kind == BreakKind::Content).map(|b| b.row_id).collect();
        assert_eq!(edited, [102, 101], "renumbering rows to swap them changes their content");

        let mut links = five();
        let mut forged = links[1].clone();
        forged.id = 999;
        forged.event.status = Some(AttendanceStatus::Absent);
        forged.hash = link_hash(&forged.prev_hash, &forged.event);
        links.insert(2, forged);
        assert_eq!(verify_chain(&links), [ChainBreak { session_id: 7, row_id: 999, seq: 2, kind: BreakKind::OutOfOrder { duplicate: true } }]);
    }

    fn any_text() -> impl Strategy<Value = Option<String>> {
        proptest::option::of("\\PC{0,12}")
    }

    fn any_event() -> impl Strategy<Value = AttendanceEvent> {
        (
            (proptest::sample::select(EventKind::ALL.to_vec()), any::<bool>(), proptest::option::of(1i64..1000), proptest::option::of(1i64..50)),
            (proptest::option::of(proptest::sample::select(AttendanceStatus::ALL.to_vec())), proptest::option::of((0u32..24, 0u32..60))),
            (any_text(), any_text(), any_text(), any_text()),
            (0i64..10_000_000_000_000, 0u32..1000),
        )
            .prop_map(|((kind, pm, registration_id, trainer_id), (status, arrival), (justification, method, user_agent, reason), (micros, day))| {
                AttendanceEvent {
                    kind,
                    half_day: if pm { HalfDay::Afternoon } else { HalfDay::Morning },
                    registration_id,
                    trainer_id,
                    status,
                    arrival: arrival.map(|(h, m)| NaiveTime::from_hms_opt(h, m, 0).unwrap()),
                    justification,
                    method,
                    user_agent,
                    reason,
                    day_id: i64::from(day) + 1,
                    day: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Duration::days(i64::from(day)),
                    recorded_at: DateTime::from_timestamp_micros(1_700_000_000_000_000 + micros).unwrap(),
                    ..event(1)
                }
            })
    }

    proptest! {
        #[test]
        fn random_chains_verify_and_one_edit_is_one_report(
            events in proptest::collection::vec(any_event(), 1..12),
            pick in any::<proptest::sample::Index>(),
            which in any::<proptest::sample::Index>(),
        ) {
            let events: Vec<_> = events.into_iter().enumerate().map(|(i, e)| AttendanceEvent { seq: i as i64 + 1, ..e }).collect();
            let mut links = chain(events);
            prop_assert!(verify_chain(&links).is_empty());
            let at = pick.index(links.len());
            let all = mutations();
            all[which.index(all.len())](&mut links[at].event);
            let breaks = verify_chain(&links);
            prop_assert_eq!(breaks.len(), 1);
            prop_assert_eq!((breaks[0].row_id, &breaks[0].kind), (links[at].id, &BreakKind::Content));
        }
    }
}
