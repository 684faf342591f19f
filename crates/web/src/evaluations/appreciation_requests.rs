//! Asking a session's client and trainers for their appreciation (Qualiopi 30): an invitation
//! when the last half-day starts, then reminders 3 and 7 days later until it is sent, never two
//! messages within a day (a sweep that catches up on a late session does not send them all at
//! once). The client is written to at each active account of its client space; the trainer at
//! their account. Whoever has no account cannot answer and gets nothing: the step is not
//! recorded, so an account opened later still gets the invitation.

use chrono::{DateTime, Duration, Utc};
use forma_domain::evaluation::{DEFAULT_REMINDERS, next_reminder};
use forma_mail::messages::{AppreciationRequest, client_appreciation, trainer_review};
use forma_store::{NewInvitation, StoreError};

use super::stakeholders::{Respondent, dates, own};
use super::{OPEN_DAYS, closing_window};
use crate::state::AppState;

/// When the next step is due after the ones sent (their instants, in order), or None when done.
fn next_step(opened: DateTime<Utc>, sent: &[DateTime<Utc>]) -> Option<DateTime<Utc>> {
    match sent.last() {
        None => Some(opened),
        Some(last) => next_reminder(opened, sent.len() - 1, &DEFAULT_REMINDERS).map(|due| due.max(*last + Duration::days(1))),
    }
}

/// Sends the invitations and reminders due at `now`; gives how many messages were queued.
pub async fn send_due(state: &AppState, now: DateTime<Utc>) -> Result<usize, StoreError> {
    let today = now.with_timezone(&chrono_tz::Europe::Paris).date_naive();
    let org = state.organisation_name();
    let mut queued = 0;
    for id in state.store.sessions_ending_between(today - Duration::days(OPEN_DAYS), today).await? {
        let Some(session) = state.store.session(id).await? else { continue };
        let Some((opens, closes)) = session.days.last().and_then(closing_window) else { continue };
        let (Some(opened), Some(closes_at)) = (super::reminders::utc(opens), super::reminders::utc(closes)) else { continue };
        if now < opened || now > closes_at {
            continue;
        }
        let mut respondents: Vec<Respondent> = state.store.session_clients(id).await?.into_iter().map(Respondent::Client).collect();
        let mut trainers: Vec<i64> = session.days.iter().flat_map(|d| d.day.trainer_ids.iter().copied()).collect();
        trainers.sort_unstable();
        trainers.dedup();
        respondents.extend(trainers.into_iter().map(Respondent::Trainer));
        let responses = state.store.stakeholder_responses(id).await?;
        let (training, dates, until) = (session.program_title.clone(), dates(&session), forma_domain::french_date::long_date(closes.date()));
        for who in respondents {
            if own(&responses, who).is_some_and(|r| r.submitted_at.is_some()) {
                continue;
            }
            let sent = state.store.stakeholder_invitations_sent(id, who.kind(), who.id()).await?;
            if next_step(opened, &sent).is_none_or(|due| due > now) {
                continue;
            }
            let recipients = state.store.stakeholder_recipients(who.kind(), who.id()).await?;
            if recipients.is_empty() {
                continue;
            }
            let link = state.config.absolute_url(&who.form_path(id));
            let request = AppreciationRequest { training: &training, dates: &dates, link: &link, until: &until, reminder: !sent.is_empty() };
            let mails: Vec<_> = recipients
                .iter()
                .map(|(name, email)| match who {
                    Respondent::Client(_) => client_appreciation(&org, email, name, &request),
                    Respondent::Trainer(_) => trainer_review(&org, email, name, &request),
                })
                .collect();
            let step = NewInvitation {
                session_id: id,
                kind: who.kind(),
                respondent_id: who.id(),
                seq: i64::try_from(sent.len()).unwrap_or(i64::MAX) + 1,
                at: now,
                mails: &mails,
            };
            if state.store.record_stakeholder_invitation(&step, "relances").await? {
                tracing::info!(session = id, kind = who.kind().as_str(), step = step.seq, "demande d'appréciation envoyée");
                queued += mails.len();
            }
        }
    }
    Ok(queued)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_invitation_goes_at_the_opening_then_two_reminders_a_day_apart_at_least() {
        let opened = DateTime::parse_from_rfc3339("2026-11-02T13:30:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(next_step(opened, &[]), Some(opened));
        assert_eq!(next_step(opened, &[opened]), Some(opened + Duration::days(3)));
        assert_eq!(next_step(opened, &[opened, opened + Duration::days(3)]), Some(opened + Duration::days(7)));
        assert_eq!(next_step(opened, &[opened, opened + Duration::days(3), opened + Duration::days(7)]), None);
        // A session found late (sent ten days after it opened) spaces its reminders by a day.
        let late = opened + Duration::days(10);
        assert_eq!(next_step(opened, &[late]), Some(late + Duration::days(1)));
        assert_eq!(next_step(opened, &[late, late + Duration::days(1)]), Some(late + Duration::days(2)));
    }
}
