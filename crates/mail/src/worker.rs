//! The background loop that empties the outbox.

use std::future::Future;
use std::sync::Arc;

use forma_store::Store;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::Mailer;

/// Nudges the worker to look at the outbox now rather than at its next poll, e.g. right after a
/// request enqueued a password-reset message. Cheap to clone; a nudge given while the worker is
/// busy is kept for when it is done, so none is lost.
#[derive(Clone, Debug, Default)]
pub struct Wake(Arc<Notify>);

impl Wake {
    pub fn wake(&self) {
        self.0.notify_one();
    }
}

/// A running worker.
#[derive(Debug)]
pub struct Worker {
    wake: Wake,
    task: JoinHandle<()>,
}

impl Worker {
    pub fn waker(&self) -> Wake {
        self.wake.clone()
    }

    /// Waits for the worker to stop (after the shutdown future given to [`spawn_worker`] completes).
    pub async fn join(self) {
        if let Err(e) = self.task.await {
            tracing::error!(error = %e, "le service d'envoi des messages s'est arrêté anormalement");
        }
    }
}

/// Delivers due messages until `shutdown` completes: at once, then after each poll interval or
/// nudge, and straight away again while rounds come back full. Errors are logged and retried at
/// the next round, never fatal: the database may be back in a moment. A round under way when
/// `shutdown` completes is finished first, so no message is left claimed until its lease lapses.
pub fn spawn_worker(store: Store, mailer: Mailer, shutdown: impl Future<Output = ()> + Send + 'static) -> Worker {
    let wake = Wake::default();
    let notify = wake.0.clone();
    let task = tokio::spawn(async move {
        tokio::pin!(shutdown);
        let batch = usize::try_from(mailer.config().batch).unwrap_or(usize::MAX);
        loop {
            let full = match mailer.deliver_due(&store).await {
                Ok(report) => {
                    if report.handled() > 0 {
                        tracing::debug!(?report, "tournée d'envoi des messages");
                    }
                    report.handled() >= batch
                }
                Err(e) => {
                    tracing::error!(error = %e, "tournée d'envoi des messages impossible");
                    false
                }
            };
            tokio::select! {
                biased;
                () = &mut shutdown => break,
                () = std::future::ready(()), if full => {}
                () = notify.notified() => {}
                () = tokio::time::sleep(mailer.config().poll_interval) => {}
            }
        }
    });
    Worker { wake, task }
}
