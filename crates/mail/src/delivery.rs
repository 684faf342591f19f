//! One delivery round: claim due messages, send each, record the outcome.

use chrono::{TimeDelta, Utc};
use forma_store::{QueuedMail, Store};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Serialize;

use crate::config::redact;
use crate::{MailConfig, MailError};

/// What a round did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DeliveryReport {
    pub sent: usize,
    pub retried: usize,
    pub dead: usize,
}

impl DeliveryReport {
    pub fn handled(&self) -> usize {
        self.sent + self.retried + self.dead
    }
}

/// Sends outbox messages through one SMTP server. Cheap to clone: the connection pool is shared.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    config: MailConfig,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("smtp_url", &redact(&self.config.smtp_url)).field("from", &self.from.to_string()).finish()
    }
}

/// Why an attempt failed, and whether trying again can help.
enum Failure {
    /// The address or the server's answer (5xx) will not change by waiting.
    Permanent(String),
    Transient(String),
}

impl Mailer {
    /// Checks the configuration and prepares the connection pool; connects only when sending, so
    /// an unreachable server does not stop the application from starting.
    ///
    /// Call it inside the Tokio runtime: the pool starts its housekeeping task there.
    pub fn new(config: MailConfig) -> Result<Mailer, MailError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&config.smtp_url)
            .map_err(|e| MailError::SmtpUrl { url: redact(&config.smtp_url), reason: e.to_string() })?
            .timeout(Some(config.timeout))
            .build();
        let from: Mailbox = config
            .from
            .parse()
            .map_err(|e: lettre::address::AddressError| MailError::From { from: config.from.clone(), reason: e.to_string() })?;
        Ok(Mailer { transport, from, config })
    }

    pub fn config(&self) -> &MailConfig {
        &self.config
    }

    /// Delivers the messages due now, one batch. A message that fails is retried later or given
    /// up; only a database failure is an error, and then the claimed messages are claimed again
    /// once their lease lapses.
    pub async fn deliver_due(&self, store: &Store) -> Result<DeliveryReport, MailError> {
        let mut report = DeliveryReport::default();
        for mail in store.claim_due_mail(self.config.batch, self.config.lease()).await? {
            let failed = u32::try_from(mail.attempts).unwrap_or(u32::MAX).saturating_add(1);
            match self.send(&mail).await {
                Ok(()) => {
                    store.mark_mail_sent(mail.id).await?;
                    report.sent += 1;
                    tracing::info!(id = mail.id, recipient = %mail.recipient, "message envoyé");
                }
                Err(Failure::Transient(error)) if failed < self.config.max_attempts => {
                    let delay = self.config.retry_delay(failed);
                    let retry_at = Utc::now() + TimeDelta::from_std(delay).unwrap_or(TimeDelta::hours(6));
                    store.mark_mail_failed(mail.id, &error, Some(retry_at)).await?;
                    report.retried += 1;
                    tracing::warn!(id = mail.id, recipient = %mail.recipient, attempt = failed, %retry_at, %error, "envoi reporté");
                }
                Err(Failure::Transient(error)) => {
                    let error = format!("{error} (abandon après {failed} tentatives)");
                    store.mark_mail_failed(mail.id, &error, None).await?;
                    report.dead += 1;
                    tracing::error!(id = mail.id, recipient = %mail.recipient, %error, "envoi abandonné");
                }
                Err(Failure::Permanent(error)) => {
                    store.mark_mail_failed(mail.id, &error, None).await?;
                    report.dead += 1;
                    tracing::error!(id = mail.id, recipient = %mail.recipient, %error, "envoi abandonné");
                }
            }
        }
        Ok(report)
    }

    async fn send(&self, mail: &QueuedMail) -> Result<(), Failure> {
        let to: Mailbox = mail
            .recipient
            .parse()
            .map_err(|e| Failure::Permanent(format!("adresse du destinataire invalide « {} » : {e}", mail.recipient)))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&mail.subject)
            .multipart(MultiPart::alternative_plain_html(mail.text_body.clone(), mail.html_body.clone()))
            .map_err(|e| Failure::Permanent(format!("message impossible à composer : {e}")))?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(Failure::Permanent(format!("refusé par le serveur SMTP : {e}"))),
            Err(e) => Err(Failure::Transient(format!("envoi impossible : {e}"))),
        }
    }
}
