//! Where a trainee stands for one half-day, folded from the attendance events in chain order.
//!
//! A trainer's status (mark, correction, paper sheet) wins over the trainee's own signature: a
//! trainee marked late who then signs stays late. A signature after an « absent » mark means the
//! trainee arrived after all, so it counts as present until the trainer says more.

use crate::attendance::{AttendanceStatus, Presence};
use crate::attendance_chain::{AttendanceEvent, EventKind};

/// What the fold needs of an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub kind: EventKind,
    pub presence: Option<Presence>,
}

impl Entry {
    pub fn of(event: &AttendanceEvent) -> Entry {
        let presence = event.status.map(|status| Presence {
            status,
            arrival: event.arrival,
            departure: event.departure,
            justification: event.justification.clone(),
        });
        Entry { kind: event.kind, presence }
    }
}

/// The presence the events of one trainee × half-day add up to; `None` while nothing is known.
pub fn presence(entries: impl IntoIterator<Item = Entry>) -> Option<Presence> {
    let mut current: Option<Presence> = None;
    for entry in entries {
        match entry.kind {
            EventKind::Sign => {
                if current.as_ref().is_none_or(|p| p.status == AttendanceStatus::Absent) {
                    current = Some(Presence::new(AttendanceStatus::Present));
                }
            }
            EventKind::Mark | EventKind::Correct | EventKind::Upload => {
                if entry.presence.is_some() {
                    current = entry.presence;
                }
            }
            EventKind::Close => {}
        }
    }
    current
}

/// Whether the trainee signed (a signature event exists), whatever the status says.
pub fn signed(entries: impl IntoIterator<Item = Entry>) -> bool {
    entries.into_iter().any(|e| e.kind == EventKind::Sign)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveTime;
    use proptest::prelude::*;

    use super::*;

    fn entry(kind: EventKind, status: Option<AttendanceStatus>) -> Entry {
        Entry { kind, presence: status.map(Presence::new) }
    }

    #[test]
    fn a_signature_is_presence_and_a_trainer_status_wins() {
        assert_eq!(presence([]), None);
        assert_eq!(presence([entry(EventKind::Sign, Some(AttendanceStatus::Present))]).map(|p| p.status), Some(AttendanceStatus::Present));
        let late = Presence { arrival: NaiveTime::from_hms_opt(9, 40, 0), ..Presence::new(AttendanceStatus::Late) };
        let marked = Entry { kind: EventKind::Mark, presence: Some(late.clone()) };
        assert_eq!(presence([marked.clone(), entry(EventKind::Sign, Some(AttendanceStatus::Present))]), Some(late.clone()), "late stays late");
        assert_eq!(
            presence([entry(EventKind::Mark, Some(AttendanceStatus::Absent)), entry(EventKind::Sign, Some(AttendanceStatus::Present))]).map(|p| p.status),
            Some(AttendanceStatus::Present),
            "arrived after all"
        );
        let corrected = [marked, entry(EventKind::Close, None), entry(EventKind::Correct, Some(AttendanceStatus::ExcusedAbsence))];
        assert_eq!(presence(corrected).map(|p| p.status), Some(AttendanceStatus::ExcusedAbsence));
    }

    fn kind() -> impl Strategy<Value = EventKind> {
        prop::sample::select(EventKind::ALL.to_vec())
    }

    fn status() -> impl Strategy<Value = Option<AttendanceStatus>> {
        prop::option::of(prop::sample::select(AttendanceStatus::ALL.to_vec()))
    }

    proptest! {
        /// The last trainer status (mark, correction, paper) decides, whatever signatures follow,
        /// unless that status is « absent » and a signature came after it.
        #[test]
        fn the_last_trainer_status_decides(events in prop::collection::vec((kind(), status()), 0..20)) {
            let entries: Vec<Entry> = events.iter().map(|(k, s)| entry(*k, *s)).collect();
            let result = presence(entries.clone()).map(|p| p.status);
            let last_status = entries.iter().rposition(|e| matches!(e.kind, EventKind::Mark | EventKind::Correct | EventKind::Upload) && e.presence.is_some());
            let signed_after = |i: usize| entries[i + 1..].iter().any(|e| e.kind == EventKind::Sign);
            match last_status {
                Some(i) => {
                    let s = entries[i].presence.as_ref().map(|p| p.status);
                    if s == Some(AttendanceStatus::Absent) && signed_after(i) {
                        prop_assert_eq!(result, Some(AttendanceStatus::Present));
                    } else {
                        prop_assert_eq!(result, s);
                    }
                }
                None => prop_assert_eq!(result, signed(entries.clone()).then_some(AttendanceStatus::Present)),
            }
        }
    }
}
