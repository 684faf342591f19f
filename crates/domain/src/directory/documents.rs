//! A trainer's documents (CV, qualifications): what kind, what file. Files are recognised by
//! their first bytes, never by their name or declared type.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::fields::{MAX_LINE_CHARS, parse_day, text};
use crate::validation::FieldErrors;

pub const MAX_DOCUMENT_BYTES: usize = 5 * 1024 * 1024;
const MAX_FILENAME_CHARS: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    Cv,
    Qualification,
    Other,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 3] = [DocumentKind::Cv, DocumentKind::Qualification, DocumentKind::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Cv => "cv",
            DocumentKind::Qualification => "qualification",
            DocumentKind::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<DocumentKind> {
        DocumentKind::ALL.into_iter().find(|k| k.as_str() == text.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            DocumentKind::Cv => "CV",
            DocumentKind::Qualification => "Qualification / diplôme",
            DocumentKind::Other => "Autre",
        }
    }
}

/// What a file is, from its first bytes: PDF, PNG or JPEG.
pub fn document_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else {
        None
    }
}

/// The file's type when it is acceptable, else the French reason.
pub fn check_document(bytes: &[u8]) -> Result<&'static str, &'static str> {
    if bytes.is_empty() {
        Err("Choisissez un fichier.")
    } else if bytes.len() > MAX_DOCUMENT_BYTES {
        Err("Le document ne doit pas dépasser 5 Mo.")
    } else {
        document_type(bytes).ok_or("Formats acceptés : PDF, PNG ou JPEG.")
    }
}

fn extensions(content_type: &str) -> &'static [&'static str] {
    match content_type {
        "application/pdf" => &["pdf"],
        "image/png" => &["png"],
        "image/jpeg" => &["jpg", "jpeg"],
        _ => &[],
    }
}

/// A file name safe to store and to send back: its last path component, letters, digits and a
/// few signs, with the extension of its real type.
pub fn clean_filename(name: &str, content_type: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .map(|c| if c.is_alphanumeric() || " .-_()".contains(c) { c } else { '_' })
        .take(MAX_FILENAME_CHARS)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim().to_owned();
    let stem = if cleaned.is_empty() { "document".to_owned() } else { cleaned };
    let exts = extensions(content_type);
    let has_ext = stem.rsplit_once('.').is_some_and(|(_, ext)| exts.contains(&ext.to_lowercase().as_str()));
    match exts.first() {
        Some(ext) if !has_ext => format!("{stem}.{ext}"),
        _ => stem,
    }
}

/// An upload as received (the multipart form's fields and file).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DocumentUpload {
    pub kind: String,
    pub title: String,
    pub valid_until: String,
    pub filename: String,
    #[serde(skip)]
    pub content: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDocument {
    pub kind: DocumentKind,
    /// Defaults to the file's name.
    pub title: String,
    pub filename: String,
    pub content_type: &'static str,
    pub content: Vec<u8>,
    /// A qualification's end of validity, if it has one.
    pub valid_until: Option<NaiveDate>,
}

impl NewDocument {
    pub fn validate(upload: &DocumentUpload) -> Result<NewDocument, FieldErrors> {
        let mut e = FieldErrors::default();
        let kind = DocumentKind::parse(&upload.kind);
        if kind.is_none() {
            e.add("kind", "Choisissez le type de document.");
        }
        let title = text(&mut e, "title", &upload.title, MAX_LINE_CHARS);
        let valid_until = if upload.valid_until.trim().is_empty() {
            None
        } else {
            let day = parse_day(&upload.valid_until);
            if day.is_none() {
                e.add("valid_until", "Date attendue (par exemple 31/12/2027), ou laissez vide.");
            }
            day
        };
        let content_type = check_document(&upload.content).map_err(|m| e.add("file", m)).ok();
        match (kind, content_type, e.is_empty()) {
            (Some(kind), Some(content_type), true) => {
                let filename = clean_filename(&upload.filename, content_type);
                let title = if title.is_empty() { filename.clone() } else { title };
                Ok(NewDocument { kind, title, filename, content_type, content: upload.content.clone(), valid_until })
            }
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &[u8] = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

    #[test]
    fn kinds_have_french_labels() {
        let labels: Vec<_> = DocumentKind::ALL.iter().map(|k| k.label()).collect();
        assert_eq!(labels, ["CV", "Qualification / diplôme", "Autre"]);
        assert_eq!(DocumentKind::parse("qualification"), Some(DocumentKind::Qualification));
        assert_eq!(DocumentKind::parse("diplome"), None);
    }

    #[test]
    fn files_are_recognised_by_their_bytes() {
        assert_eq!(check_document(PDF), Ok("application/pdf"));
        assert_eq!(check_document(b"\x89PNG\r\n\x1a\n...."), Ok("image/png"));
        assert_eq!(check_document(&[0xFF, 0xD8, 0xFF, 0xE0]), Ok("image/jpeg"));
        assert_eq!(check_document(b"MZ\x90\x00\x03"), Err("Formats acceptés : PDF, PNG ou JPEG."));
        assert_eq!(check_document(b""), Err("Choisissez un fichier."));
        let mut big = PDF.to_vec();
        big.resize(MAX_DOCUMENT_BYTES + 1, b' ');
        assert_eq!(check_document(&big), Err("Le document ne doit pas dépasser 5 Mo."));
        big.truncate(MAX_DOCUMENT_BYTES);
        assert!(check_document(&big).is_ok());
    }

    #[test]
    fn file_names_are_cleaned() {
        assert_eq!(clean_filename("C:\\Users\\tc\\CV Thierry.pdf", "application/pdf"), "CV Thierry.pdf");
        assert_eq!(clean_filename("../../etc/passwd", "application/pdf"), "passwd.pdf");
        assert_eq!(clean_filename("diplôme\"; x=.jpeg", "image/jpeg"), "diplôme__ x_.jpeg");
        assert_eq!(clean_filename("", "image/png"), "document.png");
        assert_eq!(clean_filename(".hidden", "application/pdf"), "hidden.pdf");
        assert_eq!(clean_filename("photo.JPG", "image/jpeg"), "photo.JPG");
    }

    #[test]
    fn an_upload_is_checked_field_by_field() {
        let upload = DocumentUpload { kind: "cv".into(), title: String::new(), valid_until: String::new(), filename: "cv.pdf".into(), content: PDF.to_vec() };
        let d = NewDocument::validate(&upload).unwrap();
        assert_eq!((d.kind, d.title.as_str(), d.content_type, d.valid_until), (DocumentKind::Cv, "cv.pdf", "application/pdf", None));
        let exe = DocumentUpload { kind: "autre".into(), valid_until: "bientôt".into(), filename: "cv.pdf".into(), content: b"MZ\x90\x00".to_vec(), ..upload };
        let e = NewDocument::validate(&exe).unwrap_err();
        assert_eq!(e.get("file"), Some("Formats acceptés : PDF, PNG ou JPEG."));
        assert!(e.get("kind").is_some() && e.get("valid_until").is_some());
    }
}
