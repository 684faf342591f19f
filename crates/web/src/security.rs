//! What wraps every response: security headers (a CSP without inline script or style),
//! cross-site request refusal for state-changing methods, body-size limit, request timeout, and
//! gzip for clients that accept it.

use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::header::CONTENT_LENGTH;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{Next, from_fn};
use axum::response::{IntoResponse, Response};
use tower::{Layer, ServiceExt};
use tower_http::compression::CompressionLayer;
use tower_http::csrf::CsrfLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

use crate::gestion::trainer_documents::MAX_UPLOAD_BODY_BYTES;

pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Forms and API bodies are small; anything larger is refused before it is read.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Whether a request uploads a trainer's document, the règlement intérieur or a scanned attendance sheet, the bodies allowed above [`MAX_BODY_BYTES`].
fn is_document_upload(method: &Method, path: &str) -> bool {
    method == Method::POST
        && (path == "/gestion/organisme/reglement-interieur"
            || (path.starts_with("/gestion/emargement/") && path.ends_with("/papier"))
            || path.strip_prefix("/gestion/formateurs/").and_then(|rest| rest.strip_suffix("/documents")).is_some_and(|id| !id.is_empty() && !id.contains('/')))
}

/// Each request's body limit: [`MAX_BODY_BYTES`], or [`MAX_UPLOAD_BODY_BYTES`] for a document
/// upload. A declared length above it is refused before the body is read; the extractors
/// (forms, JSON, multipart) stop reading at it otherwise. Every body, whatever its route, stops
/// at [`MAX_UPLOAD_BODY_BYTES`] (the outer `RequestBodyLimitLayer`).
async fn limit_body(request: Request, next: Next) -> Response {
    let limit = if is_document_upload(request.method(), request.uri().path()) { MAX_UPLOAD_BODY_BYTES } else { MAX_BODY_BYTES };
    let declared = request.headers().get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    }
    match DefaultBodyLimit::max(limit).layer(next).oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

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
        .layer(from_fn(limit_body))
        .layer(RequestBodyLimitLayer::new(MAX_UPLOAD_BODY_BYTES))
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
