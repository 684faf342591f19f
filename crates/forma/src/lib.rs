//! The `forma` binary's commands: serve, import, check, demo.

pub mod cli;
pub mod config_file;
mod commands;
pub mod demo;
pub use demo::DEMO_PAGES;
pub mod telemetry;

pub use commands::serve::{start, start_with_mail};
