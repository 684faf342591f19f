//! The public verification of certificates, without an account: `/verifier` (type a code),
//! `/verifier/{code}` (the QR code's address: valid, revoked or replaced, and what the
//! certificate states), its PDF while in force, and the public key that signs them all.
//!
//! The page recomputes the Ed25519 signature over the stored content each time: a row edited in
//! the database says « signature invalide » instead of « valide ».

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use forma_domain::certificate::{CertificateContent, VerificationCode};
use forma_domain::french_date::long_date;
use forma_store::CertificateRow;
use serde::Deserialize;

use super::{PUBLIC_KEY_PATH, signer, stored_content};
use crate::auth::invitation::until;
use crate::site::layout::Layout;
use crate::state::AppState;

/// What the page says of one certificate.
pub struct Verdict {
    /// `valide`, `revoque`, `remplace`, `invalide`: the style of the banner.
    pub state: &'static str,
    pub heading: String,
    pub detail: Option<String>,
    /// The replacing certificate's page.
    pub successor: Option<(String, String)>,
    pub content: Option<Facts>,
    pub download: Option<String>,
}

/// What the certificate states, as the page lists it.
pub struct Facts {
    pub document: &'static str,
    pub grouped: String,
    pub beneficiary: String,
    pub employer: Option<String>,
    pub title: String,
    pub dates: String,
    pub hours: String,
    pub issuer: String,
    pub issued_on: String,
    pub replaces: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "certificates/verify.html")]
struct VerifyPage {
    layout: Layout,
    code: String,
    error: Option<&'static str>,
    verdict: Option<Verdict>,
    key_path: &'static str,
    key_hex: String,
}

#[derive(Deserialize, Default)]
pub struct CodeQuery {
    pub code: Option<String>,
}

const BAD_CODE: &str = "Ce code n'a pas la forme d'un code de vérification : 16 caractères (chiffres et lettres), par exemple 7KQ2-M9XD-4TBW-HC81.";
const UNKNOWN: &str = "Aucun document ne porte ce code. Vérifiez sa saisie : un document qui n'est pas connu ici n'a pas été délivré par cet organisme.";

async fn respond(state: &AppState, status: StatusCode, code: String, error: Option<&'static str>, verdict: Option<Verdict>) -> Response {
    let key_hex = match signer(state).await {
        Ok(s) => s.public_key().hex(),
        Err(e) => return crate::gestion::layout::internal(state, e),
    };
    let page = VerifyPage { layout: state.layout("Vérifier un certificat", ""), code, error, verdict, key_path: PUBLIC_KEY_PATH, key_hex };
    match page.render() {
        Ok(html) => (status, axum::response::Html(html)).into_response(),
        Err(e) => crate::gestion::layout::internal(state, e.into()),
    }
}

/// `/verifier`: the form; a typed code leads to its page.
pub async fn form(State(state): State<AppState>, Query(q): Query<CodeQuery>) -> Response {
    let Some(typed) = q.code.filter(|c| !c.trim().is_empty()) else {
        return respond(&state, StatusCode::OK, String::new(), None, None).await;
    };
    match VerificationCode::parse(&typed) {
        Ok(code) => Redirect::to(&format!("/verifier/{}", code.as_str())).into_response(),
        Err(_) => respond(&state, StatusCode::UNPROCESSABLE_ENTITY, typed, Some(BAD_CODE), None).await,
    }
}

/// `/verifier/{code}`.
pub async fn show(State(state): State<AppState>, Path(typed): Path<String>) -> Response {
    let Ok(code) = VerificationCode::parse(&typed) else {
        return respond(&state, StatusCode::NOT_FOUND, typed, Some(BAD_CODE), None).await;
    };
    if code.as_str() != typed {
        // One address per certificate, whatever way the code was typed.
        return Redirect::permanent(&format!("/verifier/{}", code.as_str())).into_response();
    }
    let row = match state.store.certificate_by_code(code.as_str()).await {
        Ok(Some(row)) => row,
        Ok(None) => return respond(&state, StatusCode::NOT_FOUND, code.grouped(), Some(UNKNOWN), None).await,
        Err(e) => return crate::gestion::layout::internal(&state, e.into()),
    };
    let verdict = match verdict(&state, &row).await {
        Ok(v) => v,
        Err(e) => return crate::gestion::layout::internal(&state, e),
    };
    respond(&state, StatusCode::OK, code.grouped(), None, Some(verdict)).await
}

async fn verdict(state: &AppState, row: &CertificateRow) -> anyhow::Result<Verdict> {
    let content = stored_content(row).ok();
    let signed = signer(state).await?.public_key().verifies(row.content.as_bytes(), &row.signature);
    let content = content.filter(|c| signed && c.code.as_str() == row.code && c.kind == row.kind.0);
    let Some(content) = content else {
        return Ok(Verdict {
            state: "invalide",
            heading: "Document non authentique".into(),
            detail: Some(
                "La signature électronique de ce document ne correspond pas à son contenu enregistré : ne vous y fiez pas et contactez l'organisme.".into(),
            ),
            successor: None,
            content: None,
            download: None,
        });
    };
    let facts = facts(&content);
    let document = facts.document;
    Ok(match (&row.revoked_at, &row.replaced_at) {
        (Some(at), _) => Verdict {
            state: "revoque",
            heading: format!("{document} révoqué"),
            detail: Some(format!("Révoqué le {} : {}", until(*at), row.revoked_reason.clone().unwrap_or_default())),
            successor: None,
            content: Some(facts),
            download: None,
        },
        (None, Some(at)) => Verdict {
            state: "remplace",
            heading: format!("{document} remplacé"),
            detail: Some(format!("Remplacé le {} : {}", until(*at), row.replaced_reason.clone().unwrap_or_default())),
            successor: row
                .replaced_by_code
                .as_deref()
                .and_then(|c| VerificationCode::parse(c).ok())
                .map(|c| (format!("/verifier/{}", c.as_str()), c.grouped())),
            content: Some(facts),
            download: None,
        },
        (None, None) => Verdict {
            state: "valide",
            heading: format!("{document} valide"),
            detail: Some(format!("Délivré par {} et signé électroniquement : son contenu est celui ci-dessous.", content.issuer.name)),
            successor: None,
            content: Some(facts),
            download: Some(format!("/verifier/{}/document.pdf", row.code)),
        },
    })
}

fn facts(c: &CertificateContent) -> Facts {
    let hours = |m: u32| forma_domain::duration::Minutes(m).label();
    Facts {
        document: c.kind.label(),
        grouped: c.code.grouped(),
        beneficiary: c.beneficiary.full_name(),
        employer: c.beneficiary.employer.clone(),
        title: c.action.title.clone(),
        dates: if c.action.first_day == c.action.last_day {
            format!("le {}", long_date(c.action.first_day))
        } else {
            format!("du {} au {}", long_date(c.action.first_day), long_date(c.action.last_day))
        },
        hours: format!("{} suivies sur {} prévues", hours(c.action.attended_minutes), hours(c.action.planned_minutes)),
        issuer: c.issuer.name.clone(),
        issued_on: long_date(c.issued_on),
        replaces: c.replaces.as_ref().map(|r| (format!("/verifier/{}", r.as_str()), r.grouped())),
    }
}

/// The PDF of a certificate in force, for whoever holds its code (the trainee from their e-mail
/// or personal page; anyone who already has the paper). A revoked or replaced one is not served.
pub async fn document(State(state): State<AppState>, Path(code): Path<String>) -> Response {
    let row = match VerificationCode::parse(&code) {
        Ok(code) => state.store.certificate_by_code(code.as_str()).await,
        Err(_) => Ok(None),
    };
    match row {
        Ok(Some(row)) if row.in_force() => super::manage::pdf_response(&state, &row).await,
        Ok(Some(_)) => crate::error::error_page(StatusCode::GONE, &state.organisation_name()),
        Ok(None) => crate::gestion::layout::not_found(&state),
        Err(e) => crate::gestion::layout::internal(&state, e.into()),
    }
}

/// The public key, as a PEM file `openssl pkeyutl -verify -pubin -inkey` reads.
pub async fn public_key(State(state): State<AppState>) -> Response {
    match signer(&state).await {
        Ok(s) => {
            use base64::Engine;
            let b64 = base64::engine::general_purpose::STANDARD.encode(s.public_key().spki_der());
            let pem = format!("-----BEGIN PUBLIC KEY-----\n{b64}\n-----END PUBLIC KEY-----\n");
            let mut response = ([(header::CONTENT_TYPE, "application/x-pem-file")], pem).into_response();
            response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
            response
        }
        Err(e) => crate::gestion::layout::internal(&state, e),
    }
}
