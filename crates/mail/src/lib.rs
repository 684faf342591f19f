//! Forma's mail. Nothing is sent from a request handler: the store writes each message to the
//! outbox in the same transaction as the change that causes it (see `forma_store::OutgoingMail`),
//! and the worker here delivers due messages over SMTP, retrying with a growing delay and giving
//! up (status `dead`, audited, requeueable from the back-office) after a configured number of
//! attempts. On PostgreSQL several nodes can run the worker: claims skip each other's rows.
//!
//! - [`messages`]: the French messages, rendered from askama templates into an `OutgoingMail`;
//! - [`MailConfig`]: where and how to send;
//! - [`Mailer`]: one delivery round ([`Mailer::deliver_due`]);
//! - [`spawn_worker`]: the background loop, with a [`Wake`] handle to nudge it.

mod config;
mod delivery;
pub mod messages;
#[doc(hidden)]
pub mod testing;
mod worker;

pub use config::MailConfig;
pub use delivery::{DeliveryReport, Mailer};
pub use worker::{Wake, Worker, spawn_worker};

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The URL is shown with its password masked: errors end up in logs.
    #[error(
        "adresse du serveur SMTP invalide « {url} » : {reason} (attendu smtp://hôte:port, smtp://hôte:587?tls=required ou smtps://utilisateur:mot-de-passe@hôte:465)"
    )]
    SmtpUrl { url: String, reason: String },
    #[error("adresse d'expéditeur invalide « {from} » : {reason} (attendu « Nom <adresse@exemple.org> » ou « adresse@exemple.org »)")]
    From { from: String, reason: String },
    #[error("file d'envoi des messages : {0}")]
    Store(#[from] forma_store::StoreError),
}
