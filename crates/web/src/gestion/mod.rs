//! The back-office (`/gestion`): program sheets (editor, versions, publication), categories,
//! the organisation's settings, clients, accounts, API tokens, the journal and the outbox.

pub mod agreement_documents;
pub mod agreement_form;
pub mod amendments;
pub mod categories;
pub mod clients;
pub mod conventions;
pub mod dashboard;
pub mod editor;
pub mod editor_form;
pub mod journal;
pub mod layout;
pub mod organisation;
pub mod outbox;
pub mod programs;
pub mod tokens;
pub mod users;
pub mod versions;
