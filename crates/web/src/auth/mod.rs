//! Authentication (password logins, personal links, API tokens) and authorization (the route
//! table).

pub mod access;
pub mod api_token;
pub mod invitation;
pub mod password;
pub mod session;
pub mod token;

pub use access::{Access, ROUTES};
pub use session::CurrentUser;
