//! A trainer's documents (CV, qualifications): upload, download, delete. Files are recognised
//! by their first bytes; they are sent back as attachments with their stored type.

use axum::extract::{Multipart, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use forma_domain::FieldErrors;
use forma_domain::directory::{DocumentUpload, NewDocument};
use forma_store::StoreError;

use super::layout::{PathId, done, internal, not_found};
use super::trainer::{Typed, answer};
use crate::auth::CurrentUser;
use crate::state::AppState;

/// The bodies accepted on the upload route: a document of up to 5 MiB with its form fields, and
/// room enough above it for a slightly larger file to be refused with a French message rather
/// than a bare 413.
pub const MAX_UPLOAD_BODY_BYTES: usize = 8 * 1024 * 1024;

const UNREADABLE: &str = "Le fichier n'a pas pu être lu (trop volumineux ?).";

/// Reads the multipart form: its text fields and its file.
async fn read_upload(multipart: &mut Multipart) -> Result<DocumentUpload, &'static str> {
    let mut upload = DocumentUpload::default();
    while let Some(field) = multipart.next_field().await.map_err(|_| UNREADABLE)? {
        let name = field.name().unwrap_or("").to_owned();
        if name == "file" {
            upload.filename = field.file_name().unwrap_or("").to_owned();
            upload.content = field.bytes().await.map_err(|_| UNREADABLE)?.to_vec();
        } else {
            let value = field.text().await.map_err(|_| UNREADABLE)?;
            match name.as_str() {
                "kind" => upload.kind = value,
                "title" => upload.title = value,
                "valid_until" => upload.valid_until = value,
                _ => {}
            }
        }
    }
    Ok(upload)
}

pub async fn upload(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId, mut multipart: Multipart) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let (upload, errors) = match read_upload(&mut multipart).await {
        Err(message) => {
            let mut errors = FieldErrors::default();
            errors.add("document-file", message);
            (DocumentUpload::default(), errors)
        }
        Ok(upload) => match NewDocument::validate(&upload) {
            Ok(document) => {
                return match state.store.add_trainer_document(id, &document, &current.actor()).await {
                    Ok(_) => done(&format!("/gestion/formateurs/{id}"), "document"),
                    Err(StoreError::NotFound(_)) => not_found(&state),
                    Err(e) => internal(&state, e.into()),
                };
            }
            Err(errors) => (upload, errors.prefixed("document-")),
        },
    };
    let upload = DocumentUpload { content: Vec::new(), ..upload };
    answer(&state, user, id, None, Typed { upload, errors, ..Typed::default() }).await
}

/// `attachment` with the name in ASCII (for old clients) and in UTF-8 (RFC 6266 / 5987).
fn attachment(filename: &str) -> String {
    let ascii: String = filename.chars().map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' }).collect();
    let encoded: String = filename
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

pub async fn download(State(state): State<AppState>, PathId(id): PathId) -> Response {
    match state.store.trainer_document(id).await {
        Ok(Some((document, bytes))) => (
            [
                (header::CONTENT_TYPE, document.content_type),
                (header::CONTENT_DISPOSITION, attachment(&document.filename)),
                (header::CACHE_CONTROL, "private, no-store".to_owned()),
            ],
            bytes,
        )
            .into_response(),
        Ok(None) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}

pub async fn delete(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId) -> Response {
    match state.store.delete_trainer_document(id, &current.actor()).await {
        Ok(trainer) => done(&format!("/gestion/formateurs/{trainer}"), "document-supprime"),
        Err(StoreError::NotFound(_)) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::attachment;

    #[test]
    fn attachment_names_in_ascii_and_utf8() {
        assert_eq!(attachment("CV Thierry.pdf"), "attachment; filename=\"CV Thierry.pdf\"; filename*=UTF-8''CV%20Thierry.pdf");
        assert_eq!(attachment("diplôme.pdf"), "attachment; filename=\"dipl_me.pdf\"; filename*=UTF-8''dipl%C3%B4me.pdf");
    }
}
