//! Signing in (password or personal link), passwords, and the personal spaces.

pub mod login;
pub mod password;
pub mod client_registrations;
pub mod spaces;
