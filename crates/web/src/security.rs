//! What wraps every response: security headers (a CSP without inline script or style),
//! cross-site request refusal for state-changing methods, body-size limit, request timeout, and
//! gzip for clients that accept it.

use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use tower_http::compression::CompressionLayer;
use tower_http::csrf::CsrfLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Forms and API bodies are small; anything larger is refused before it is read.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

fn header(name: &'static str, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(HeaderName::from_static(name), HeaderValue::from_static(value))
}

pub fn apply(router: Router, public_url: Option<&str>) -> Router {
    let mut csrf = CsrfLayer::new();
    if let Some(url) = public_url {
        match csrf.clone().add_trusted_origin(url.trim_end_matches('/')) {
            Ok(with_origin) => csrf = with_origin,
            Err(e) => tracing::warn!("adresse publique ignorée pour la protection CSRF ({url}) : {e}"),
        }
    }
    router
        .layer(csrf)
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        // Sheets are long text pages: gzip divides them by about four for browsers that ask.
        .layer(CompressionLayer::new().gzip(true))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
        .layer(header("content-security-policy", CONTENT_SECURITY_POLICY))
        .layer(header("x-content-type-options", "nosniff"))
        .layer(header("referrer-policy", "strict-origin-when-cross-origin"))
        .layer(header("x-frame-options", "DENY"))
        .layer(header("permissions-policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"))
        .layer(header("cross-origin-opener-policy", "same-origin"))
}
