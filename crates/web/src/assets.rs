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

const ATTENDANCE_SCRIPT: &str = include_str!("../assets/attendance.js");

/// The émargement script (signature pads, the trainer screen's refresh); versioned like the
/// stylesheet.
pub const ATTENDANCE_SCRIPT_PATH: &str = concat!("/static/forma-", env!("CARGO_PKG_VERSION"), "-emargement.js");

pub async fn attendance_script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=31536000, immutable")],
        ATTENDANCE_SCRIPT,
    )
}

const ARCHIVE_SCRIPT: &str = include_str!("../assets/archive.js");

/// The archive page's progress script; versioned like the stylesheet.
pub const ARCHIVE_SCRIPT_PATH: &str = concat!("/static/forma-", env!("CARGO_PKG_VERSION"), "-archive.js");

pub async fn archive_script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=31536000, immutable")],
        ARCHIVE_SCRIPT,
    )
}
