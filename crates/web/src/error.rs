//! Errors: user-facing cases become French pages (site) or RFC 9457 problem details (API); the
//! cause of a 500 goes to the log, never to the client.

use askama::Template;
use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;

use crate::site::layout::Layout;

#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    #[error("page introuvable")]
    NotFound,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<forma_store::StoreError> for SiteError {
    fn from(e: forma_store::StoreError) -> Self {
        SiteError::Internal(e.into())
    }
}

impl From<forma_search::SearchError> for SiteError {
    fn from(e: forma_search::SearchError) -> Self {
        SiteError::Internal(e.into())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    status: u16,
    heading: &'static str,
    message: &'static str,
}

pub fn error_page(status: StatusCode, organisation: &str) -> Response {
    let (heading, message) = match status {
        StatusCode::NOT_FOUND => (
            "Page introuvable",
            "La page demandée n'existe pas ou n'est plus publiée. Elle a peut-être été renommée.",
        ),
        StatusCode::FORBIDDEN => (
            "Accès refusé",
            "Votre compte ne donne pas accès à cette page. Si vous pensez que c'est une erreur, adressez-vous à l'administrateur.",
        ),
        _ => (
            "Le service rencontre un problème",
            "Une erreur inattendue s'est produite. Elle a été enregistrée ; merci de réessayer dans quelques instants.",
        ),
    };
    let page = ErrorPage { layout: Layout::new(std::sync::Arc::new(forma_domain::organisation::Organisation::named(organisation)), heading, ""), status: status.as_u16(), heading, message };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, heading).into_response(),
    }
}

/// A site error with the organisation's name, to render the page in the site's frame.
pub struct SiteFailure {
    pub error: SiteError,
    pub organisation: String,
}

impl IntoResponse for SiteFailure {
    fn into_response(self) -> Response {
        match self.error {
            SiteError::NotFound => error_page(StatusCode::NOT_FOUND, &self.organisation),
            SiteError::Internal(e) => {
                tracing::error!(error = ?e, "erreur interne");
                error_page(StatusCode::INTERNAL_SERVER_ERROR, &self.organisation)
            }
        }
    }
}

/// RFC 9457 problem details.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// For a refused sheet: what is wrong, field by field (the same messages as the forms).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub errors: Vec<ProblemField>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProblemField {
    pub field: String,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("ressource introuvable")]
    NotFound(String),
    #[error("requête invalide")]
    BadRequest(String),
    #[error("conflit")]
    Conflict(String),
    #[error("contenu refusé")]
    Unprocessable(String, forma_domain::FieldErrors),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<forma_store::StoreError> for ApiError {
    fn from(e: forma_store::StoreError) -> Self {
        ApiError::Internal(e.into())
    }
}

impl ApiError {
    pub fn problem(status: StatusCode, title: &str, detail: Option<String>) -> Response {
        let body = Problem { kind: "about:blank".into(), title: title.into(), status: status.as_u16(), detail, errors: Vec::new() };
        (status, [(header::CONTENT_TYPE, "application/problem+json")], Json(body)).into_response()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::NotFound(detail) => Self::problem(StatusCode::NOT_FOUND, "Ressource introuvable", Some(detail)),
            ApiError::BadRequest(detail) => Self::problem(StatusCode::BAD_REQUEST, "Requête invalide", Some(detail)),
            ApiError::Conflict(detail) => Self::problem(StatusCode::CONFLICT, "Conflit", Some(detail)),
            ApiError::Unprocessable(detail, errors) => {
                let status = StatusCode::UNPROCESSABLE_ENTITY;
                let body = Problem {
                    kind: "about:blank".into(),
                    title: "Contenu refusé".into(),
                    status: status.as_u16(),
                    detail: Some(detail),
                    errors: errors.iter().map(|e| ProblemField { field: e.field.clone(), message: e.message.clone() }).collect(),
                };
                (status, [(header::CONTENT_TYPE, "application/problem+json")], Json(body)).into_response()
            }
            ApiError::Internal(e) => {
                tracing::error!(error = ?e, "erreur interne (API)");
                Self::problem(StatusCode::INTERNAL_SERVER_ERROR, "Erreur interne", None)
            }
        }
    }
}
