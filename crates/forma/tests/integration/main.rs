//! Integration tests: the real server on a free port against a fresh database (SQLite, and
//! PostgreSQL when FORMA_TEST_POSTGRES_URL is set), and the real `forma` binary.

mod accommodations;
mod attendance;
mod accounts;
mod api;
mod api_planning;
mod api_writes;
mod authorization;
mod backoffice;
mod calendars;
mod certificates;
mod cli;
mod conventions;
mod directory;
mod evaluations;
mod helpers;
mod questionnaires;
mod registrations;
mod requests;
mod security;
mod sessions;
mod site;
