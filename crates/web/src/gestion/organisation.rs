//! The organisation's settings (name, NDA, SIRET, contacts, référents), its logo and its
//! règlement intérieur. Public pages and documents read them.

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use forma_domain::FieldErrors;
use forma_domain::organisation::{Organisation, Referent};
use serde::Deserialize;

use super::layout::{Frame, done, internal, invalid, not_found, render};
use crate::auth::CurrentUser;
use crate::state::AppState;

pub const MAX_LOGO_BYTES: usize = 512 * 1024;
/// A règlement intérieur runs to a few pages; scanned ones are larger.
pub const MAX_RULES_BYTES: usize = 5 * 1024 * 1024;
pub const RULES_PATH: &str = "/organisme/reglement-interieur.pdf";

#[derive(Template)]
#[template(path = "gestion/organisation.html")]
struct OrganisationPage {
    frame: Frame,
    org: Organisation,
    errors: FieldErrors,
    has_logo: bool,
    /// « 12/03/2026 à 10 h 05 » when a règlement intérieur is stored.
    rules_updated: Option<String>,
    rules_path: &'static str,
}

impl OrganisationPage {
    async fn new(state: &AppState, frame: Frame, org: Organisation, errors: FieldErrors) -> Result<Self, forma_store::StoreError> {
        let rules_updated = state.store.rules_updated_at().await?.map(crate::auth::invitation::until);
        Ok(OrganisationPage { frame, org, errors, has_logo: state.has_logo(), rules_updated, rules_path: RULES_PATH })
    }
}

/// Shows the settings page with `errors` (422), keeping what the user typed in `org`.
async fn refused(state: &AppState, frame: Frame, org: Organisation, errors: FieldErrors) -> Response {
    match OrganisationPage::new(state, frame, org, errors).await {
        Ok(page) => invalid(state, page),
        Err(e) => internal(state, e.into()),
    }
}

/// Reads the multipart form's file field `name`: its bytes, or a French reason.
async fn read_file(multipart: &mut Multipart, name: &str) -> Result<Vec<u8>, &'static str> {
    const UNREADABLE: &str = "Le fichier n'a pas pu être lu (trop volumineux ?).";
    let mut file = None;
    while let Some(field) = multipart.next_field().await.map_err(|_| UNREADABLE)? {
        if field.name() == Some(name) {
            file = Some(field.bytes().await.map_err(|_| UNREADABLE)?.to_vec());
        }
    }
    file.filter(|bytes| !bytes.is_empty()).ok_or("Choisissez un fichier.")
}

#[derive(Deserialize, Default)]
pub struct OrganisationForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    nda: String,
    #[serde(default)]
    siret: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    pedagogical_name: String,
    #[serde(default)]
    pedagogical_email: String,
    #[serde(default)]
    pedagogical_phone: String,
    #[serde(default)]
    administrative_name: String,
    #[serde(default)]
    administrative_email: String,
    #[serde(default)]
    administrative_phone: String,
    #[serde(default)]
    disability_name: String,
    #[serde(default)]
    disability_email: String,
    #[serde(default)]
    disability_phone: String,
    #[serde(default)]
    cold_evaluation_days: String,
}

impl OrganisationForm {
    fn into_organisation(self) -> Organisation {
        Organisation {
            name: self.name,
            nda: self.nda,
            siret: self.siret,
            address: self.address.trim().to_owned(),
            phone: self.phone,
            email: self.email,
            pedagogical_referent: Referent { name: self.pedagogical_name, email: self.pedagogical_email, phone: self.pedagogical_phone },
            administrative_referent: Referent {
                name: self.administrative_name,
                email: self.administrative_email,
                phone: self.administrative_phone,
            },
            disability_referent: Referent { name: self.disability_name, email: self.disability_email, phone: self.disability_phone },
            cold_evaluation_days: self.cold_evaluation_days,
        }
    }
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    ok: Option<String>,
}

pub async fn show(State(state): State<AppState>, current: CurrentUser, Query(q): Query<NoticeQuery>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let frame = Frame::new(&state, user, "Organisme de formation", "organisme").notice(q.ok.as_deref());
    match OrganisationPage::new(&state, frame, (*state.organisation()).clone(), FieldErrors::default()).await {
        Ok(page) => render(&state, page),
        Err(e) => internal(&state, e.into()),
    }
}

pub async fn save(State(state): State<AppState>, current: CurrentUser, Form(form): Form<OrganisationForm>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let mut org = form.into_organisation();
    if let Err(errors) = org.validate() {
        let frame = Frame::new(&state, user, "Organisme de formation", "organisme");
        return refused(&state, frame, org, errors).await;
    }
    if let Err(e) = state.store.save_organisation(&org, &current.actor()).await {
        return internal(&state, e.into());
    }
    if let Err(e) = state.reload_organisation().await {
        return internal(&state, e.into());
    }
    done("/gestion/organisme", "organisme")
}

/// What a logo file is, from its first bytes (the declared type is not trusted).
fn image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else {
        None
    }
}

pub async fn upload_logo(State(state): State<AppState>, current: CurrentUser, mut multipart: Multipart) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let checked = match read_file(&mut multipart, "logo").await {
        Err(e) => Err(e),
        Ok(bytes) if bytes.len() > MAX_LOGO_BYTES => Err("Le logo ne doit pas dépasser 512 Ko."),
        Ok(bytes) => image_type(&bytes).map(|t| (bytes, t)).ok_or("Formats acceptés : PNG ou JPEG."),
    };
    let stored = match checked {
        Ok((bytes, mime)) => state.store.set_logo(Some((&bytes, mime)), &current.actor()).await,
        Err(message) => return refuse_file(&state, user, "logo", message).await,
    };
    match stored {
        Ok(()) => match state.reload_organisation().await {
            Ok(()) => done("/gestion/organisme", "logo"),
            Err(e) => internal(&state, e.into()),
        },
        Err(forma_store::StoreError::NotFound(_)) => refuse_file(&state, user, "logo", SETTINGS_FIRST).await,
        Err(e) => internal(&state, e.into()),
    }
}

const SETTINGS_FIRST: &str = "Enregistrez d'abord les paramètres de l'organisme.";

/// The settings page again, with `message` by the file field `field`.
async fn refuse_file(state: &AppState, user: &forma_store::User, field: &str, message: &str) -> Response {
    let mut errors = FieldErrors::default();
    errors.add(field, message);
    let frame = Frame::new(state, user, "Organisme de formation", "organisme");
    refused(state, frame, (*state.organisation()).clone(), errors).await
}

/// Replaces the règlement intérieur: a PDF, recognised by its first bytes.
pub async fn upload_rules(State(state): State<AppState>, current: CurrentUser, mut multipart: Multipart) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let checked = match read_file(&mut multipart, "rules").await {
        Err(e) => Err(e),
        Ok(bytes) if bytes.len() > MAX_RULES_BYTES => Err("Le règlement intérieur ne doit pas dépasser 5 Mo."),
        Ok(bytes) if !bytes.starts_with(b"%PDF-") => Err("Format accepté : PDF."),
        Ok(bytes) => Ok(bytes),
    };
    let stored = match checked {
        Ok(bytes) => state.store.set_rules(&bytes, &current.actor()).await,
        Err(message) => return refuse_file(&state, user, "rules", message).await,
    };
    match stored {
        Ok(_) => done("/gestion/organisme", "reglement"),
        Err(forma_store::StoreError::NotFound(_)) => refuse_file(&state, user, "rules", SETTINGS_FIRST).await,
        Err(e) => internal(&state, e.into()),
    }
}

/// The règlement intérieur, public: convocations and personal pages link to it.
pub async fn rules(State(state): State<AppState>) -> Response {
    match state.store.rules().await {
        Ok(Some((pdf, _))) => (
            [
                (header::CONTENT_TYPE, "application/pdf".to_owned()),
                (header::CONTENT_DISPOSITION, "inline; filename=\"reglement-interieur.pdf\"".to_owned()),
                (header::CACHE_CONTROL, "public, max-age=300".to_owned()),
            ],
            pdf,
        )
            .into_response(),
        Ok(None) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}

/// The logo for public pages and documents.
pub async fn logo(State(state): State<AppState>) -> Response {
    match state.store.logo().await {
        Ok(Some((bytes, mime))) => ([(header::CONTENT_TYPE, mime), (header::CACHE_CONTROL, "public, max-age=300".to_owned())], bytes).into_response(),
        Ok(None) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}
