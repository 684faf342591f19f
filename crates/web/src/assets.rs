//! Static files compiled into the binary: the site works from a single executable.

use axum::http::header;
use axum::response::IntoResponse;

const STYLESHEET: &str = include_str!("../assets/forma.css");

/// Versioned path: the content can be cached for good, a new release changes the name.
pub const STYLESHEET_PATH: &str = concat!("/static/forma-", env!("CARGO_PKG_VERSION"), ".css");

pub async fn stylesheet() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=31536000, immutable")],
        STYLESHEET,
    )
}
