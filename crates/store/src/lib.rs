//! Forma's storage: one concrete [`Store`] over SQLite (embedded default) or PostgreSQL
//! (multi-node), chosen from the database URL. Handlers never see the backend.
//!
//! SQL text is shared between backends (`$1…$n` bind on both); the [`on_pool!`] macro expands a
//! body once per backend so that each gets its own typed pool. Every write runs in a transaction
//! that also appends to the audit log.

mod accommodations;
mod accounts;
mod agreements;
mod archives;
mod assessments;
mod attendance;
mod bookings;
mod certificates;
mod calendar_choices;
mod calendar_feeds;
mod api_tokens;
mod audit;
mod clients;
mod connect;
mod convocations;
mod editing;
mod evaluations;
mod error;
mod organisation;
mod outbox;
mod planning_choices;
mod programs;
mod questionnaires;
mod registrations;
mod requests;
mod sessions;
mod stakeholder_invitations;
mod trainer_records;
mod trainers;
mod venues;
#[doc(hidden)]
pub mod testing;

pub use accommodations::{AccommodationRequest, AccommodationSummary};
pub use archives::ArchiveRow;
pub use assessments::AssessmentRow;
pub use attendance::{Absentee, AbsenceMailer, AttendanceAlert, AttendanceRecord, HalfDaySlot, HalfDayState, NewAttendance, NoAbsenceMail, entries as attendance_entries};
pub use accounts::{Client, FailureCount, LinkPurpose, LinkSummary, NewLink, NewUser, User};
pub use api_tokens::ApiToken;
pub use audit::{AuditEvent, AuditFilter, AuditPage};
pub use clients::{ClientContact, ClientRecord, ClientSite, ClientSummary};
pub use editing::{CategoryRow, EditableProgram, ProgramRow, VersionSummary};
pub use evaluations::{EvaluationResponse, NewReminder, ResponseDraft};
pub use connect::Backend;
pub use convocations::ConvocationSent;
/// JSON values as the store returns them (journal before/after).
pub type JsonValue = sqlx::types::Json<serde_json::Value>;
pub use error::StoreError;
pub use outbox::{MailStatus, OutboxCounts, OutboxEntry, OutgoingMail, QueuedMail};
pub use planning_choices::{ClientChoice, PlanningChoices, ProgramChoice, RoomChoice, TrainerChoice, VenueChoice};
pub use questionnaires::{StakeholderDraft, StakeholderResponse, StoredQuestionnaire};
pub use stakeholder_invitations::NewInvitation;
pub use programs::{CatalogueStamp, CategoryCount, ImportSummary, ProgramFilter, ProgramPage, ProgramSummary, StoredProgram};
pub use agreements::{Agreement, AgreementTerms, Amendment};
pub use bookings::{CalendarDay, CalendarScope};
pub use calendar_choices::CalendarChoice;
pub use calendar_feeds::CalendarFeed;
pub use certificates::{CertificateRow, NewCertificate, StoredKind};
pub use registrations::{NewRegistration, NoOfferMail, OfferMailer, OfferNotice, Placement, RegistrationLink, RegistrationOrigin, RegistrationRow};
pub use requests::{Answer, RequestRow};
pub use sessions::{DayDetail, SessionDetail, SessionRow, SessionSummary};
pub use trainer_records::{TrainerDocument, Unavailability};
pub use trainers::{Provider, Trainer};
pub use venues::{Room, Venue};

/// Expands `$body` once for each backend with `$pool` bound to its typed pool.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.backend {
            $crate::connect::Backend::Sqlite($pool) => $body,
            $crate::connect::Backend::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// The application's storage.
#[derive(Clone, Debug)]
pub struct Store {
    backend: Backend,
    /// On SQLite, registrations take turns here, first come first served (tokio's mutex is
    /// fair), before taking the database's write lock: SQLite's busy handler wakes waiting
    /// writers in no particular order, which let later arrivals overtake earlier ones on the
    /// waiting list and made a long latency tail. On PostgreSQL the session row lock orders them.
    registration_turn: std::sync::Arc<tokio::sync::Mutex<()>>,
}

impl Store {
    /// This node's turn to register (SQLite only; see `registration_turn`).
    pub(crate) async fn registration_turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match self.backend {
            Backend::Sqlite(_) => Some(self.registration_turn.lock().await),
            Backend::Postgres(_) => None,
        }
    }

    /// Answers when the database does.
    pub async fn ping(&self) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("SELECT 1").execute(pool).await?;
            Ok(())
        })
    }

    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await)
    }
}

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

/// Begins a write transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`):
/// a deferred transaction that reads before it writes cannot wait for the lock when another
/// connection wrote in between, and fails with « database is locked » instead.
pub(crate) trait BeginWrite {
    type Db: sqlx::Database;
    /// What makes a `SELECT` lock the rows it reads until the transaction ends: nothing on SQLite,
    /// whose write transaction is exclusive already.
    const FOR_UPDATE: &'static str;
    fn begin_write(&self) -> impl std::future::Future<Output = Result<sqlx::Transaction<'static, Self::Db>, sqlx::Error>> + Send;
}

/// The row-locking suffix of `pool`'s database (see [`BeginWrite::FOR_UPDATE`]).
pub(crate) fn for_update<P: BeginWrite>(_pool: &P) -> &'static str {
    P::FOR_UPDATE
}

impl BeginWrite for sqlx::SqlitePool {
    type Db = sqlx::Sqlite;
    const FOR_UPDATE: &'static str = "";
    fn begin_write(&self) -> impl std::future::Future<Output = Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error>> + Send {
        self.begin_with("BEGIN IMMEDIATE")
    }
}

impl BeginWrite for sqlx::PgPool {
    type Db = sqlx::Postgres;
    const FOR_UPDATE: &'static str = " FOR UPDATE";
    fn begin_write(&self) -> impl std::future::Future<Output = Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error>> + Send {
        self.begin()
    }
}
