//! Reminders to trainees who have not answered an open questionnaire (Qualiopi 30): 3 days after
//! it opened (after the registration, for the positioning), then 7 days, then never. Each
//! reminder carries its own link to the questionnaire (the personal link is only known to the
//! trainee: Forma keeps its hash), valid while the questionnaire is open.
//!
//! [`send_due`] is run by every node every few minutes; a reminder is recorded with a unique
//! (registration, questionnaire, rank), so it goes out once whatever the number of nodes.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use forma_domain::evaluation::{DEFAULT_REMINDERS, EvaluationKind, next_reminder};
use forma_store::{NewReminder, SessionDetail, StoreError};

use super::{TRAINEE_KINDS, segment, window};
use crate::state::AppState;

/// How often each node looks for reminders to send.
pub const SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(10 * 60);

pub(super) fn utc(paris: NaiveDateTime) -> Option<DateTime<Utc>> {
    chrono_tz::Europe::Paris.from_local_datetime(&paris).earliest().map(|t| t.with_timezone(&Utc))
}

/// Sends the reminders due at `now`, and the client's and trainers' invitations and reminders
/// ([`super::appreciation_requests`]); gives how many messages were queued.
pub async fn send_due(state: &AppState, now: DateTime<Utc>) -> Result<usize, StoreError> {
    // Sessions whose cold evaluation may still be open: a last day within the cold delay and
    // its 30 days, and some margin.
    let cold_days = state.organisation().cold_days();
    let since = (now - Duration::days(cold_days + 40)).with_timezone(&chrono_tz::Europe::Paris).date_naive();
    let candidates = state.store.registrations_to_remind(since).await?;
    let mut sessions: HashMap<i64, (SessionDetail, Vec<forma_store::RegistrationRow>)> = HashMap::new();
    let mut queued = 0;
    for (registration_id, session_id) in candidates {
        if let std::collections::hash_map::Entry::Vacant(slot) = sessions.entry(session_id) {
            let Some(session) = state.store.session(session_id).await? else { continue };
            slot.insert((session, state.store.session_registrations(session_id).await?));
        }
        let Some((session, rows)) = sessions.get(&session_id) else { continue };
        let Some(row) = rows.iter().find(|r| r.id == registration_id) else { continue };
        let responses = state.store.registration_evaluations(row.id).await?;
        for kind in TRAINEE_KINDS {
            if responses.iter().any(|r| r.kind == kind.as_str() && r.submitted_at.is_some()) {
                continue;
            }
            let Some((opens, closes)) = window(kind, session, row, cold_days) else { continue };
            // The positioning is open from the registration on.
            let opened = if kind == EvaluationKind::Positioning { Some(row.created_at) } else { utc(opens) };
            let (Some(opened), Some(closes)) = (opened, utc(closes)) else { continue };
            if now < opened || now > closes {
                continue;
            }
            let sent = state.store.reminders_sent(row.id, kind).await?;
            let Some(due) = next_reminder(opened, usize::try_from(sent).unwrap_or(usize::MAX), &DEFAULT_REMINDERS) else { continue };
            if due > now {
                continue;
            }
            let token = crate::auth::token::new_token();
            let link = state.config.absolute_url(&format!("/evaluation/{token}"));
            let until = forma_domain::french_date::long_date(closes.with_timezone(&chrono_tz::Europe::Paris).date_naive());
            let name = format!("{} {}", row.first_name, row.last_name);
            let mail =
                forma_mail::messages::evaluation_reminder(&state.organisation_name(), &row.email, &name, &session.program_title, kind.label(), &link, &until);
            let reminder = NewReminder {
                registration_id: row.id,
                kind,
                seq: sent + 1,
                token_hash: &crate::auth::token::hash_token(&token),
                expires_at: closes,
                mail: &mail,
            };
            if state.store.record_reminder(&reminder, "relances").await? {
                tracing::info!(registration = row.id, kind = segment(kind), reminder = sent + 1, "relance d'évaluation envoyée");
                queued += 1;
            }
        }
    }
    queued += super::appreciation_requests::send_due(state, now).await?;
    if queued > 0 {
        state.mail_wake.notify_one();
    }
    Ok(queued)
}
