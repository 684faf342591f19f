//! Forma's HTTP layer: the public catalogue (server-rendered French pages, no JavaScript
//! required), the JSON API with its OpenAPI document, and the security middleware around both.

mod app;
mod assets;
mod cache;
mod config;
mod error;
mod markdown;
mod refresh;
mod router;
mod security;
mod state;

pub mod api;
pub mod site;

pub use app::Application;
pub use config::WebConfig;
pub use refresh::rebuild_search;
pub use router::{PUBLIC_PAGES, router};
pub use state::AppState;
