//! The mail outbox on SQLite and, when FORMA_TEST_POSTGRES_URL is set, on PostgreSQL.

use std::collections::HashSet;
use std::time::Duration;

use chrono::Utc;
use forma_store::testing::each_backend;
use forma_store::{MailStatus, OutboxCounts, OutgoingMail};

const LEASE: Duration = Duration::from_secs(60);

fn mail(n: usize) -> OutgoingMail {
    OutgoingMail {
        recipient: format!("stagiaire{n}@example.org"),
        subject: format!("Réinitialisation n°{n}"),
        text: format!("Bonjour {n}"),
        html: format!("<p>Bonjour {n}</p>"),
    }
}

#[tokio::test]
async fn enqueue_claim_and_send() {
    each_backend(|store, url| async move {
        let first = store.enqueue_mail(&mail(1)).await.unwrap();
        let second = store.enqueue_mail(&mail(2)).await.unwrap();
        assert_eq!(store.outbox_counts().await.unwrap(), OutboxCounts { pending: 2, ..Default::default() }, "{url}");

        let claimed = store.claim_due_mail(10, LEASE).await.unwrap();
        assert_eq!(claimed.iter().map(|m| m.id).collect::<Vec<_>>(), [first, second], "{url}: oldest first");
        let one = &claimed[0];
        assert_eq!((one.recipient.as_str(), one.subject.as_str()), ("stagiaire1@example.org", "Réinitialisation n°1"));
        assert_eq!((one.text_body.as_str(), one.html_body.as_str(), one.attempts), ("Bonjour 1", "<p>Bonjour 1</p>", 0));
        assert_eq!(store.outbox_counts().await.unwrap(), OutboxCounts { sending: 2, ..Default::default() });

        store.mark_mail_sent(first).await.unwrap();
        let sent = store.outbox_entries(Some(MailStatus::Sent), 10).await.unwrap();
        assert_eq!(sent.len(), 1);
        assert_eq!((sent[0].id, sent[0].status), (first, MailStatus::Sent));
        assert!(sent[0].sent_at.is_some() && sent[0].last_error.is_none());
        assert_eq!(store.outbox_counts().await.unwrap(), OutboxCounts { sending: 1, sent: 1, ..Default::default() });

        let all = store.outbox_entries(None, 10).await.unwrap();
        assert_eq!(all.iter().map(|e| e.id).collect::<Vec<_>>(), [second, first], "newest first");
        assert_eq!(store.outbox_entries(None, 1).await.unwrap().len(), 1, "limit holds");
    })
    .await;
}

#[tokio::test]
async fn a_claimed_message_is_not_claimed_again_until_its_lease_lapses() {
    each_backend(|store, url| async move {
        let id = store.enqueue_mail(&mail(1)).await.unwrap();
        assert_eq!(store.claim_due_mail(10, LEASE).await.unwrap().len(), 1, "{url}");
        assert!(store.claim_due_mail(10, LEASE).await.unwrap().is_empty(), "{url}: claimed once only");

        // A worker that died mid-send leaves its claim behind; once the lease ends it is due again.
        let other = store.enqueue_mail(&mail(2)).await.unwrap();
        let short = store.claim_due_mail(10, Duration::from_millis(50)).await.unwrap();
        assert_eq!(short.iter().map(|m| m.id).collect::<Vec<_>>(), [other]);
        tokio::time::sleep(Duration::from_millis(120)).await;
        let again = store.claim_due_mail(10, LEASE).await.unwrap();
        assert_eq!(again.iter().map(|m| m.id).collect::<Vec<_>>(), [other], "{url}: the lapsed claim only, not {id}");
    })
    .await;
}

#[tokio::test]
async fn concurrent_workers_never_share_a_message() {
    each_backend(|store, url| async move {
        for n in 0..40 {
            store.enqueue_mail(&mail(n)).await.unwrap();
        }
        let workers = (0..4).map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let batch = store.claim_due_mail(3, LEASE).await.unwrap();
                    if batch.is_empty() {
                        return mine;
                    }
                    mine.extend(batch.into_iter().map(|m| m.id));
                }
            })
        });
        let mut seen = HashSet::new();
        let mut total = 0;
        for worker in workers.collect::<Vec<_>>() {
            for id in worker.await.unwrap() {
                total += 1;
                assert!(seen.insert(id), "{url}: message {id} claimed twice");
            }
        }
        assert_eq!(total, 40, "{url}");
    })
    .await;
}

#[tokio::test]
async fn a_failure_with_a_retry_waits_for_it() {
    each_backend(|store, url| async move {
        let id = store.enqueue_mail(&mail(1)).await.unwrap();
        store.claim_due_mail(10, LEASE).await.unwrap();
        let retry_at = Utc::now() + chrono::TimeDelta::seconds(1);
        store.mark_mail_failed(id, "connexion refusée", Some(retry_at)).await.unwrap();

        let entry = &store.outbox_entries(None, 10).await.unwrap()[0];
        assert_eq!((entry.status, entry.attempts, entry.last_error.as_deref()), (MailStatus::Pending, 1, Some("connexion refusée")));
        assert_eq!(entry.next_attempt_at.timestamp_micros(), retry_at.timestamp_micros(), "{url}");
        assert!(store.claim_due_mail(10, LEASE).await.unwrap().is_empty(), "{url}: not due before its retry time");

        tokio::time::sleep((retry_at - Utc::now()).to_std().unwrap_or_default() + Duration::from_millis(100)).await;
        let again = store.claim_due_mail(10, LEASE).await.unwrap();
        assert_eq!(again.iter().map(|m| (m.id, m.attempts)).collect::<Vec<_>>(), [(id, 1)], "{url}");
        assert!(store.audit_events(Some("mail"), 10).await.unwrap().is_empty(), "a retry is not an event");
    })
    .await;
}

#[tokio::test]
async fn a_failure_without_a_retry_is_dead_and_audited() {
    each_backend(|store, url| async move {
        let id = store.enqueue_mail(&mail(1)).await.unwrap();
        store.claim_due_mail(10, LEASE).await.unwrap();
        store.mark_mail_failed(id, "550 boîte inconnue", None).await.unwrap();

        assert_eq!(store.outbox_counts().await.unwrap(), OutboxCounts { dead: 1, ..Default::default() }, "{url}");
        let entry = &store.outbox_entries(Some(MailStatus::Dead), 10).await.unwrap()[0];
        assert_eq!((entry.id, entry.attempts, entry.last_error.as_deref()), (id, 1, Some("550 boîte inconnue")));
        assert!(store.claim_due_mail(10, LEASE).await.unwrap().is_empty(), "{url}: dead is never claimed");

        let events = store.audit_events(Some("mail"), 10).await.unwrap();
        assert_eq!(events.len(), 1, "{url}");
        let event = &events[0];
        assert_eq!((event.actor.as_str(), event.entity_id.as_str(), event.action.as_str()), ("système", id.to_string().as_str(), "dead"));
        let after = &event.after.as_ref().unwrap().0;
        assert_eq!(after["recipient"], "stagiaire1@example.org");
        assert_eq!(after["subject"], "Réinitialisation n°1");
        assert_eq!(after["error"], "550 boîte inconnue");

        // Marking a message that is no longer claimed changes nothing and writes no event.
        store.mark_mail_failed(id, "encore", None).await.unwrap();
        store.mark_mail_sent(id).await.unwrap();
        assert_eq!(store.outbox_counts().await.unwrap().dead, 1);
        assert_eq!(store.audit_events(Some("mail"), 10).await.unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn only_a_dead_message_is_requeued() {
    each_backend(|store, url| async move {
        let id = store.enqueue_mail(&mail(1)).await.unwrap();
        assert!(!store.requeue_mail(id, "gestion@example.org").await.unwrap(), "{url}: pending is not dead");
        store.claim_due_mail(10, LEASE).await.unwrap();
        assert!(!store.requeue_mail(id, "gestion@example.org").await.unwrap(), "{url}: sending is not dead");
        store.mark_mail_failed(id, "refus", None).await.unwrap();

        assert!(store.requeue_mail(id, "gestion@example.org").await.unwrap(), "{url}");
        let entry = &store.outbox_entries(None, 10).await.unwrap()[0];
        assert_eq!((entry.status, entry.attempts), (MailStatus::Pending, 0));
        let claimed = store.claim_due_mail(10, LEASE).await.unwrap();
        assert_eq!(claimed.iter().map(|m| (m.id, m.attempts)).collect::<Vec<_>>(), [(id, 0)], "{url}: due at once");

        let events = store.audit_events(Some("mail"), 10).await.unwrap();
        assert_eq!(events.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["requeue", "dead"]);
        assert_eq!(events[0].actor, "gestion@example.org");
        assert!(!store.requeue_mail(id, "gestion@example.org").await.unwrap(), "requeued once only");
        assert!(!store.requeue_mail(id + 1000, "gestion@example.org").await.unwrap(), "unknown message");
    })
    .await;
}

#[test]
fn statuses_round_trip_and_read_in_french() {
    for status in MailStatus::ALL {
        assert_eq!(MailStatus::parse(status.as_str()), Some(status));
    }
    assert_eq!(MailStatus::parse("perdu"), None);
    assert_eq!(MailStatus::Dead.label(), "en échec définitif");
    assert_eq!(MailStatus::Sending.label(), "en cours d'envoi");
}
