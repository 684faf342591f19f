//! Forma's documents: plain data in, files out.
//!
//! - [`convention::render`]: the convention de formation professionnelle (PDF/A-2b);
//! - [`amendment::render`]: an avenant to a convention (PDF/A-2b);
//! - [`convocation::render`]: a trainee's convocation to the days they are registered for, with
//!   venues, contacts, référent handicap, règlement intérieur and personal link (PDF/A-2b);
//! - [`attendance_sheet::render`]: the feuille d'émargement of a session, one sheet per day with
//!   each trainee's and the trainer's signature per half-day (PDF/A-2b, A4 landscape), and
//!   [`attendance_sheet::render_blank`], the same sheet to sign by hand;
//! - [`certificate::render`]: a trainee's certificat de réalisation (the Ministry of Labour's
//!   model), attestation de fin de formation or attestation de suivi, with its verification code
//!   and QR code (PDF/A-2b), and [`certificate::zip`], an archive of many for bulk download;
//! - [`evaluation_report::render`]: the synthèse des évaluations of a session, response rates,
//!   satisfaction, each question's answers as a bar chart or quotes, progress per objective
//!   (PDF/A-2b);
//! - [`ical::calendar`]: an iCalendar feed (RFC 5545) of training half-days;
//! - [`registrations::csv`] and [`registrations::xlsx`]: a session's registrations as a
//!   spreadsheet, CSV for French spreadsheet software (`;`, UTF-8 BOM, CRLF) or XLSX (frozen
//!   header, autofilter, real dates);
//! - [`workbook::xlsx`]: plain text tables as an XLSX workbook, a sheet each (the answers to a
//!   session's evaluations).
//!
//! PDFs are typst templates (`templates/*.typ`, editable by a non-programmer) compiled in-process
//! with the fonts embedded. Every value reaches a template through `sys.inputs`, already formatted
//! in French by [`format`]; no data is ever written into template text, so a name such as
//! `#set text(red)` prints as it is.
//!
//! Spreadsheet cells are text, never formulas: a CSV value starting with `=`, `+`, `-`, `@`, a tab
//! or a carriage return is prefixed with `'` (OWASP's advice against CSV injection), and XLSX
//! cells are written as strings.
//!
//! The web layer maps database rows into the structs below; this crate knows nothing of the store.

pub mod amendment;
pub mod attendance_sheet;
pub mod certificate;
pub mod convention;
pub mod convocation;
pub mod evaluation_report;
pub mod format;
pub mod ical;
mod model;
pub mod registrations;
pub mod workbook;
mod render;

pub use model::{AnnexedProgram, Organisation, Party, PlannedDay, Price, PriceBasis};

/// Why a document could not be produced. The messages are French: they may be shown to the
/// back-office user.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// The data cannot make a sound document (a half-day ending before it starts…).
    #[error("données du document invalides : {0}")]
    InvalidData(String),
    /// The typst template failed to compile (a template edit broke it, usually).
    #[error("le modèle « {template} » n'a pas pu être composé : {message}")]
    Template {
        template: &'static str,
        message: String,
    },
    /// The spreadsheet (XLSX) could not be written.
    #[error("le classeur n'a pas pu être écrit : {0}")]
    Spreadsheet(String),
    /// The ZIP archive could not be written.
    #[error("l'archive ZIP n'a pas pu être écrite : {0}")]
    Archive(String),
    /// The compiled document could not be exported as PDF/A-2b.
    #[error("l'export PDF du modèle « {template} » a échoué : {message}")]
    Pdf {
        template: &'static str,
        message: String,
    },
}
