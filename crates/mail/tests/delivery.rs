//! Delivery to a real SMTP server (Python's aiosmtpd writing a maildir), on SQLite and, when
//! FORMA_TEST_POSTGRES_URL is set, on PostgreSQL. The received messages are read back with
//! Python's own `email` parser, so the check does not trust lettre to understand what it wrote.

use std::time::{Duration, Instant};

use forma_mail::testing::{SmtpServer, free_port};
use forma_mail::{DeliveryReport, MailConfig, Mailer, messages, spawn_worker};
use forma_store::testing::each_backend;
const LINK: &str = "https://formation.example.org/acces/Zm9ybWEtdGVzdA";

use forma_store::{MailStatus, OutboxCounts};

fn config(smtp_url: &str) -> MailConfig {
    MailConfig {
        max_attempts: 2,
        // Long enough that a slow machine does not reach the retry time between two rounds.
        first_retry: Duration::from_secs(1),
        timeout: Duration::from_secs(10),
        ..MailConfig::new(smtp_url, "EGOC <formation@example.org>")
    }
}

#[tokio::test]
async fn due_messages_arrive_as_french_multipart_mail() {
    each_backend(|store, url| async move {
        let server = SmtpServer::start();
        let mailer = Mailer::new(config(&server.url())).unwrap();
        let name = "Zoé <b>O'Brien</b>";
        store.enqueue_mail(&messages::password_reset("EGOC", "zoe@example.org", name, LINK, "12 mars 2026 à 18 h 00")).await.unwrap();
        store.enqueue_mail(&messages::account_setup("EGOC", "alain@example.org", "Alain", LINK, "13 mars 2026 à 9 h 00")).await.unwrap();

        let report = mailer.deliver_due(&store).await.unwrap();
        assert_eq!(report, DeliveryReport { sent: 2, retried: 0, dead: 0 }, "{url}");
        assert_eq!(store.outbox_counts().await.unwrap(), OutboxCounts { sent: 2, ..Default::default() });
        assert_eq!(mailer.deliver_due(&store).await.unwrap(), DeliveryReport::default(), "{url}: nothing sent twice");

        let received = server.received();
        assert_eq!(received.len(), 2, "{url}: {received:?}");
        let (alain, zoe) = (&received[0], &received[1]);
        assert_eq!(alain.to, "alain@example.org");
        assert_eq!(alain.subject, "Votre compte Forma : choisissez votre mot de passe");
        assert_eq!(zoe.to, "zoe@example.org");
        assert_eq!(zoe.subject, "Réinitialisation de votre mot de passe", "the encoded subject decodes back");
        assert_eq!(zoe.from, "EGOC <formation@example.org>");
        assert_eq!(zoe.content_type, "multipart/alternative");
        assert_eq!((zoe.plain_charset.as_str(), zoe.html_charset.as_str()), ("utf-8", "utf-8"));
        assert!(zoe.plain.contains(LINK) && zoe.html.contains(&format!("<a href=\"{LINK}\">")), "{zoe:?}");
        assert!(zoe.plain.contains("Bonjour Zoé <b>O'Brien</b>,"), "{}", zoe.plain);
        assert!(zoe.plain.contains("valable jusqu'au 12 mars 2026 à 18 h 00"), "{}", zoe.plain);
        assert!(zoe.html.contains("Zoé &#60;b&#62;O&#39;Brien&#60;/b&#62;") && !zoe.html.contains("<b>"), "{}", zoe.html);
    })
    .await;
}

#[tokio::test]
async fn an_unreachable_server_is_retried_with_backoff_then_given_up() {
    each_backend(|store, url| async move {
        let mailer = Mailer::new(config(&format!("smtp://127.0.0.1:{}", free_port()))).unwrap();
        let id = store.enqueue_mail(&messages::trainee_access("EGOC", "zoe@example.org", "Zoé", LINK, "demain")).await.unwrap();

        assert_eq!(mailer.deliver_due(&store).await.unwrap(), DeliveryReport { retried: 1, ..Default::default() }, "{url}");
        let entry = &store.outbox_entries(None, 10).await.unwrap()[0];
        assert_eq!((entry.status, entry.attempts), (MailStatus::Pending, 1), "{url}");
        assert!(entry.last_error.as_deref().unwrap().starts_with("envoi impossible"), "{entry:?}");
        let delay = entry.next_attempt_at - chrono::Utc::now();
        assert!(delay <= chrono::TimeDelta::seconds(1) && delay > chrono::TimeDelta::zero(), "first retry after first_retry: {delay}");
        assert_eq!(mailer.deliver_due(&store).await.unwrap(), DeliveryReport::default(), "{url}: not before its retry time");

        tokio::time::sleep(delay.to_std().unwrap() + Duration::from_millis(100)).await;
        assert_eq!(mailer.deliver_due(&store).await.unwrap(), DeliveryReport { dead: 1, ..Default::default() }, "{url}");
        assert_eq!(store.outbox_counts().await.unwrap(), OutboxCounts { dead: 1, ..Default::default() }, "{url}");
        let entry = &store.outbox_entries(Some(MailStatus::Dead), 10).await.unwrap()[0];
        assert_eq!((entry.id, entry.attempts), (id, 2));
        assert!(entry.last_error.as_deref().unwrap().ends_with("(abandon après 2 tentatives)"), "{entry:?}");

        let events = store.audit_events(Some("mail"), 10).await.unwrap();
        assert_eq!(events.len(), 1, "{url}");
        assert_eq!((events[0].action.as_str(), events[0].entity_id.clone()), ("dead", id.to_string()));
        assert_eq!(events[0].after.as_ref().unwrap().0["recipient"], "zoe@example.org");
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(mailer.deliver_due(&store).await.unwrap(), DeliveryReport::default(), "{url}: dead stays dead");
    })
    .await;
}

#[tokio::test]
async fn bad_and_refused_recipients_are_given_up_at_once_without_stopping_the_others() {
    each_backend(|store, url| async move {
        let server = SmtpServer::start();
        let mailer = Mailer::new(MailConfig { max_attempts: 8, ..config(&server.url()) }).unwrap();
        let mail = |to: &str| messages::trainee_access("EGOC", to, "Zoé", LINK, "demain");
        let bad = store.enqueue_mail(&mail("pas une adresse")).await.unwrap();
        let refused = store.enqueue_mail(&mail("inconnu@example.org")).await.unwrap();
        store.enqueue_mail(&mail("zoe@example.org")).await.unwrap();

        assert_eq!(mailer.deliver_due(&store).await.unwrap(), DeliveryReport { sent: 1, retried: 0, dead: 2 }, "{url}");
        let received = server.received();
        assert_eq!(received.iter().map(|m| m.to.as_str()).collect::<Vec<_>>(), ["zoe@example.org"], "{url}");

        let dead = store.outbox_entries(Some(MailStatus::Dead), 10).await.unwrap();
        let error = |id: i64| dead.iter().find(|e| e.id == id).unwrap().last_error.clone().unwrap();
        assert!(error(bad).starts_with("adresse du destinataire invalide « pas une adresse »"), "{}", error(bad));
        assert!(error(refused).starts_with("refusé par le serveur SMTP") && error(refused).contains("550"), "{}", error(refused));

        // Once someone has fixed things, a requeued message goes out again (here, still refused).
        assert!(store.requeue_mail(refused, "gestion@example.org").await.unwrap());
        assert_eq!(mailer.deliver_due(&store).await.unwrap(), DeliveryReport { dead: 1, ..Default::default() }, "{url}");
    })
    .await;
}

#[tokio::test]
async fn the_worker_delivers_when_woken_and_stops_on_shutdown() {
    each_backend(|store, url| async move {
        let server = SmtpServer::start();
        let mailer = Mailer::new(MailConfig { poll_interval: Duration::from_secs(3600), ..config(&server.url()) }).unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let worker = spawn_worker(store.clone(), mailer, async move {
            let _ = stopped.await;
        });
        // Let the worker's first round pass on an empty outbox so that only the nudge can deliver.
        tokio::time::sleep(Duration::from_millis(200)).await;
        store.enqueue_mail(&messages::trainee_access("EGOC", "zoe@example.org", "Zoé", LINK, "demain")).await.unwrap();
        worker.waker().wake();

        let deadline = Instant::now() + Duration::from_secs(10);
        while store.outbox_counts().await.unwrap().sent < 1 {
            assert!(Instant::now() < deadline, "{url}: the woken worker did not deliver within 10 s");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(server.received().len(), 1);
        stop.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(10), worker.join()).await.expect("the worker stops on shutdown");
    })
    .await;
}

#[tokio::test]
async fn a_bad_configuration_is_refused_in_french_without_leaking_the_password() {
    let error = Mailer::new(MailConfig::new("imap://zoe:s3cr3t@mail.example.org", "EGOC <formation@example.org>")).unwrap_err();
    let text = error.to_string();
    assert!(text.starts_with("adresse du serveur SMTP invalide « imap://zoe:***@mail.example.org »"), "{text}");
    assert!(!text.contains("s3cr3t"), "{text}");

    let error = Mailer::new(MailConfig::new("smtp://localhost:25", "EGOC formation")).unwrap_err();
    assert!(error.to_string().starts_with("adresse d'expéditeur invalide « EGOC formation »"), "{error}");
}
