//! Forma's HTTP layer: the public catalogue (server-rendered French pages, no JavaScript
//! required), the JSON API with its OpenAPI document, and the security middleware around both.

mod account;
mod app;
mod assets;
mod attendance;
mod cache;
mod certificates;
mod config;
mod error;
mod evaluations;
mod markdown;
pub(crate) mod offer_mail;
mod refresh;
mod router;
mod security;
mod state;

pub mod api;
pub mod auth;
pub mod gestion;
pub mod site;
#[doc(hidden)]
pub mod testing;

pub use app::Application;
pub use evaluations::reminders::{SWEEP_EVERY as REMINDER_SWEEP_EVERY, send_due as send_evaluation_reminders};
pub use certificates::manage::{issue_ready as issue_certificates, replace as replace_certificate};
pub use certificates::program_of;
pub use config::WebConfig;
pub use refresh::rebuild_search;
pub use auth::access::{Access, ROUTES};
pub use router::router;
pub use state::AppState;
