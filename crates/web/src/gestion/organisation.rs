//! The organisation's settings (name, NDA, SIRET, contacts, référents) and its logo. Public
//! pages and documents read them.

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

#[derive(Template)]
#[template(path = "gestion/organisation.html")]
struct OrganisationPage {
    frame: Frame,
    org: Organisation,
    errors: FieldErrors,
    has_logo: bool,
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
    let page = OrganisationPage { frame, org: (*state.organisation()).clone(), errors: FieldErrors::default(), has_logo: state.has_logo() };
    render(&state, page)
}

pub async fn save(State(state): State<AppState>, current: CurrentUser, Form(form): Form<OrganisationForm>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let mut org = form.into_organisation();
    if let Err(errors) = org.validate() {
        let frame = Frame::new(&state, user, "Organisme de formation", "organisme");
        return invalid(&state, OrganisationPage { frame, org, errors, has_logo: state.has_logo() });
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
    let mut file: Option<Vec<u8>> = None;
    let mut error: Option<&'static str> = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("logo") => match field.bytes().await {
                Ok(bytes) => file = Some(bytes.to_vec()),
                Err(_) => error = Some("Le fichier n'a pas pu être lu (trop volumineux ?)."),
            },
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(_) => {
                error = Some("Le fichier n'a pas pu être lu (trop volumineux ?).");
                break;
            }
        }
    }
    let checked = match (error, file) {
        (Some(e), _) => Err(e),
        (None, None) => Err("Choisissez un fichier."),
        (None, Some(bytes)) if bytes.is_empty() => Err("Choisissez un fichier."),
        (None, Some(bytes)) if bytes.len() > MAX_LOGO_BYTES => Err("Le logo ne doit pas dépasser 512 Ko."),
        (None, Some(bytes)) => image_type(&bytes).map(|t| (bytes, t)).ok_or("Formats acceptés : PNG ou JPEG."),
    };
    match checked {
        Ok((bytes, mime)) => match state.store.set_logo(Some((&bytes, mime)), &current.actor()).await {
            Ok(()) => match state.reload_organisation().await {
                Ok(()) => done("/gestion/organisme", "logo"),
                Err(e) => internal(&state, e.into()),
            },
            Err(forma_store::StoreError::NotFound(_)) => {
                let mut errors = FieldErrors::default();
                errors.add("logo", "Enregistrez d'abord les paramètres de l'organisme.");
                let frame = Frame::new(&state, user, "Organisme de formation", "organisme");
                invalid(&state, OrganisationPage { frame, org: (*state.organisation()).clone(), errors, has_logo: false })
            }
            Err(e) => internal(&state, e.into()),
        },
        Err(message) => {
            let mut errors = FieldErrors::default();
            errors.add("logo", message);
            let frame = Frame::new(&state, user, "Organisme de formation", "organisme");
            invalid(&state, OrganisationPage { frame, org: (*state.organisation()).clone(), errors, has_logo: state.has_logo() })
        }
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
