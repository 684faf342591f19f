//! The back-office (`/gestion`): program sheets (editor, versions, publication), categories,
//! the organisation's settings, the directory (clients, venues, trainers), accounts, API tokens, the journal and the outbox;
//! planning: training requests, sessions, conventions and avenants, calendars (with their secret iCalendar feeds).

pub mod accommodations;
pub mod agreement_documents;
pub mod agreement_form;
pub mod amendments;
pub mod calendar;
pub mod calendar_feeds;
pub mod categories;
pub mod client;
pub mod clients;
pub mod conventions;
pub mod convocation_documents;
pub mod dashboard;
pub mod editor;
pub mod editor_form;
pub mod journal;
pub mod layout;
pub mod organisation;
pub mod outbox;
pub mod programs;
pub mod session_form;
pub mod sessions;
pub mod registrations;
pub mod requests;
pub mod tokens;
pub mod trainer;
pub mod trainer_documents;
pub mod trainers;
pub mod users;
pub mod venue;
pub mod venues;
pub mod versions;
