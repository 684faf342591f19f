//! The back-office (`/gestion`): program sheets (editor, versions, publication), categories,
//! the organisation's settings, clients, accounts, API tokens, the journal and the outbox;
//! training requests and calendars (with their secret iCalendar feeds).

pub mod calendar;
pub mod calendar_feeds;
pub mod categories;
pub mod clients;
pub mod dashboard;
pub mod editor;
pub mod editor_form;
pub mod journal;
pub mod layout;
pub mod organisation;
pub mod outbox;
pub mod programs;
pub mod requests;
pub mod tokens;
pub mod users;
pub mod versions;
