//! The certificates handed out once a trainee has followed an action: the certificat de
//! réalisation (the Ministry of Labour's model, which funders ask for in place of the old
//! attestations de présence), the attestation de fin de formation (objectives, nature, duration
//! and, when an assessment was planned, its results) and the attestation de suivi (the
//! half-days attended, as the attendance sheets record them).
//!
//! Each certificate is signed electronically outside this crate; the page carries what a reader
//! needs to check it without Forma: the verification code, its address as a QR code, and the
//! fingerprint of the public key. A certificate issued again after a correction names the one it
//! replaces, so that a reader holding the old one learns it was cancelled.

use std::collections::BTreeSet;
use std::io::{Cursor, Write};
use std::sync::LazyLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration, IntoValue};
use typst::syntax::{FileId, RootedPath, Source, Spanned, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

use crate::model::Organisation;
use crate::render::{self, Obj};
use crate::{DocumentError, format};

/// Which certificate is printed; one layout each, the same letterhead and verification box.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificateKind {
    /// Certificat de réalisation, in the wording of the Ministry of Labour's model.
    Completion,
    /// Attestation de fin de formation.
    Attestation,
    /// Attestation de suivi: the attended half-days.
    Attendance,
}

impl CertificateKind {
    /// « Certificat de réalisation », « Attestation de fin de formation », « Attestation de
    /// suivi ».
    pub fn title(self) -> &'static str {
        match self {
            CertificateKind::Completion => "Certificat de réalisation",
            CertificateKind::Attestation => "Attestation de fin de formation",
            CertificateKind::Attendance => "Attestation de suivi",
        }
    }
}

/// The four natures of action « concourant au développement des compétences » (L.6313-1 C.
/// trav.) between which the certificat de réalisation ticks one box.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionNature {
    Training,
    SkillsAssessment,
    Vae,
    Apprenticeship,
}

impl ActionNature {
    /// In the order of the official model's boxes.
    pub const ALL: [ActionNature; 4] = [
        ActionNature::Training,
        ActionNature::SkillsAssessment,
        ActionNature::Vae,
        ActionNature::Apprenticeship,
    ];

    /// The model's words: « action de formation », « bilan de compétences », « action de VAE »,
    /// « action de formation par apprentissage ».
    pub fn label(self) -> &'static str {
        match self {
            ActionNature::Training => "action de formation",
            ActionNature::SkillsAssessment => "bilan de compétences",
            ActionNature::Vae => "action de VAE",
            ActionNature::Apprenticeship => "action de formation par apprentissage",
        }
    }
}

/// Everything printed on a certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateDocument {
    pub kind: CertificateKind,
    /// Its representative signs: the certificat de réalisation cannot do without one.
    pub organisation: Organisation,
    /// « Inès MOREL ».
    pub trainee_name: String,
    /// « CAF de l'Allier »; `None` for a trainee who comes on their own account, who is nobody's
    /// « salarié(e) ».
    pub employer: Option<String>,
    /// « Les chantiers locaux de la CTG : de l'acculturation à la mise en œuvre ».
    pub training_title: String,
    pub nature: ActionNature,
    /// Printed on the attestation de fin de formation, which must state them.
    pub objectives: Vec<String>,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    /// « CAF de l'Allier, Moulins »; not on the certificat de réalisation, whose model has none.
    pub place: Option<String>,
    /// The trainee's planned time, printed beside the attended time so that a shortfall shows.
    pub planned_minutes: u32,
    /// Time actually attended: the duration the certificate vouches for.
    pub attended_minutes: u32,
    /// The attended half-days, already worded: « 12/03/2019 matin (3 h 30) ». Printed on the
    /// attestation de suivi.
    pub half_days: Vec<String>,
    /// Results of the assessment of what was learnt. Printed on the attestation de fin de
    /// formation only, and only when given: the law asks for them only when the programme planned
    /// an assessment. Light Markdown, as the program sheets.
    pub results: Option<String>,
    /// Printed in « Fait à …, le … », and the PDF's date.
    pub issued_on: NaiveDate,
    /// The verification code as printed: « 7KQ2-M9XD-4TBW-HC81 ».
    pub code: String,
    /// The verification page: « https://…/verifier/7KQ2M9XD4TBWHC81 »; printed, and as a QR
    /// code.
    pub verify_url: String,
    /// The code of the certificate this one replaces, which is cancelled.
    pub replaces: Option<String>,
    /// Short hexadecimal fingerprint of the Ed25519 public key that signs the certificate.
    pub public_key_fingerprint: String,
}

/// Renders the certificate as a PDF/A-2b file: one A4 page, more for a long attestation de
/// suivi.
///
/// Nearly every certificate holds on one page, and is first laid out as such: without a header
/// and with « page 1 / 1 » written out, nothing in it asks where it stands in the document, so
/// typst lays it out once. Page numbers (`here().page()`, `counter(page).final()`) are answered
/// only after a first layout, which made typst lay every certificate out twice (memoisation
/// replays most of the second pass: some 5–10 % of the time, certificates benchmark in
/// BENCHMARKS.md). One that runs longer is laid out again with its page numbers.
pub fn render(doc: &CertificateDocument) -> Result<Vec<u8>, DocumentError> {
    let data = inputs(doc)?;
    let document = match compile(data.clone().set("single_page", true))? {
        one if one.pages().len() == 1 => one,
        _ => compile(data.set("single_page", false))?,
    };
    let pdf = render::export(&document, render::CERTIFICATE, doc.issued_on);
    if MADE.fetch_add(1, Ordering::Relaxed) % EVICT_EVERY == EVICT_EVERY - 1 {
        typst::comemo::evict(1);
    }
    pdf
}

fn compile(data: Obj) -> Result<PagedDocument, DocumentError> {
    let template = render::CERTIFICATE;
    let inputs =
        typst::loading::cbor::encode(Spanned::detached(data.into_value())).map_err(|_| {
            DocumentError::Template {
                template,
                message: "les données du certificat n'ont pas pu être encodées en CBOR".to_owned(),
            }
        })?;
    let world = CertificateWorld { inputs };
    typst::compile::<PagedDocument>(&world)
        .output
        .map_err(|diagnostics| DocumentError::Template {
            template,
            message: render::located_errors(&world, &diagnostics),
        })
}

/// Certificates are made by the thousand, and typst's memoised results (`comemo`) are kept from
/// one to the next, so that what does not depend on the trainee is reused (see
/// [`CertificateWorld`]). Every `EVICT_EVERY` certificates, whichever threads make them, what the
/// last two such runs did not use is dropped: the cache holds a few certificates' worth of
/// memory. Evicting after each certificate, which walks the whole cache, took 5 % of the time
/// (certificates benchmark, BENCHMARKS.md).
const EVICT_EVERY: usize = 4;

/// Certificates made by this process, for [`EVICT_EVERY`].
static MADE: AtomicUsize = AtomicUsize::new(0);

/// The world in which certificates are compiled. The other documents get their data as
/// `sys.inputs`, which means a new standard library for each document: hashing it took 6 % of a
/// certificate's time, and since the memoised results depend on it, typst could reuse almost
/// nothing from one document to the next. Certificates are made by the thousand, so theirs is
/// built once and the data comes as the file `/inputs.cbor` (the same dictionary, encoded by
/// typst): what does not depend on the trainee (common.typ, the letterhead, the fixed paragraphs,
/// part of the layout and of the font subsetting) is computed once for many certificates.
struct CertificateWorld {
    inputs: Bytes,
}

/// The standard library, the fonts (those of the other documents) and the two templates.
struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    main: Source,
    common: Source,
    inputs: FileId,
}

static SHARED: LazyLock<Shared> = LazyLock::new(|| {
    let fonts: Vec<Font> = typst_assets::fonts()
        .flat_map(|data| Font::iter(Bytes::new(data)))
        .collect();
    let source = |name: &str, text: &str| Source::new(file_id(name), text.to_owned());
    Shared {
        library: LazyHash::new(Library::builder().build()),
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        main: source(
            render::CERTIFICATE,
            include_str!("../templates/certificate.typ"),
        ),
        common: source("common.typ", include_str!("../templates/common.typ")),
        inputs: file_id("inputs.cbor"),
        fonts,
    }
});

fn file_id(name: &str) -> FileId {
    let path = VirtualPath::new(name).expect("a valid file name");
    RootedPath::new(VirtualRoot::Project, path).intern()
}

impl World for CertificateWorld {
    fn library(&self) -> &LazyHash<Library> {
        &SHARED.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &SHARED.book
    }

    fn main(&self) -> FileId {
        SHARED.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        [&SHARED.main, &SHARED.common]
            .into_iter()
            .find(|source| source.id() == id)
            .cloned()
            .ok_or_else(|| FileError::NotFound(id.vpath().get_without_slash().into()))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == SHARED.inputs {
            Ok(self.inputs.clone())
        } else {
            Err(FileError::NotFound(id.vpath().get_without_slash().into()))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        SHARED.fonts.get(index).cloned()
    }

    /// No date but the certificate's own: the same data gives the same PDF.
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

/// A ZIP archive (deflate) of named files, for the bulk download of a session's certificates.
/// Names are paths inside the archive: they must be relative, without `..`, and distinct, so that
/// unpacking writes where the user expects and nothing is lost.
pub fn zip(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>, DocumentError> {
    let mut seen = BTreeSet::new();
    for (name, _) in files {
        let unsafe_name = name.trim().is_empty()
            || name.starts_with('/')
            || name.contains('\\')
            || name.split('/').any(|part| part.is_empty() || part == "..");
        if unsafe_name {
            return Err(DocumentError::InvalidData(format!(
                "nom de fichier refusé dans l'archive : « {name} »"
            )));
        }
        if !seen.insert(name.as_str()) {
            return Err(DocumentError::InvalidData(format!(
                "deux fichiers de l'archive s'appellent « {name} »"
            )));
        }
    }
    let archive_error = |error: ::zip::result::ZipError| DocumentError::Archive(error.to_string());
    let options = ::zip::write::SimpleFileOptions::default()
        .compression_method(::zip::CompressionMethod::Deflated);
    let mut writer = ::zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in files {
        writer.start_file(name, options).map_err(archive_error)?;
        writer
            .write_all(bytes)
            .map_err(|error| DocumentError::Archive(error.to_string()))?;
    }
    Ok(writer.finish().map_err(archive_error)?.into_inner())
}

/// « 14 h prévues », « 1 h 30 prévue »: French puts the singular below 2.
fn planned(minutes: u32) -> String {
    let agreement = if minutes < 120 { "prévue" } else { "prévues" };
    format!("{} {agreement}", format::duration_short(minutes))
}

/// A required value: trimmed, non-blank.
fn required(value: &str, what: &str) -> Result<String, DocumentError> {
    render::verbatim(Some(value))
        .ok_or_else(|| DocumentError::InvalidData(format!("le certificat n'a pas de {what}")))
}

fn inputs(doc: &CertificateDocument) -> Result<Obj, DocumentError> {
    let invalid = |message: String| Err(DocumentError::InvalidData(message));
    let trainee = required(&doc.trainee_name, "nom de stagiaire")?;
    let title = required(&doc.training_title, "intitulé de formation")?;
    let code = required(&doc.code, "code de vérification")?;
    let verify_url = required(&doc.verify_url, "lien de vérification")?;
    let fingerprint = required(&doc.public_key_fingerprint, "empreinte de clé publique")?;
    if doc.last_day < doc.first_day {
        return invalid(format!(
            "la formation finit ({}) avant de commencer ({})",
            format::date(doc.last_day),
            format::date(doc.first_day)
        ));
    }
    if doc.planned_minutes == 0 {
        return invalid("la durée prévue du stagiaire est nulle".to_owned());
    }
    if doc.attended_minutes > doc.planned_minutes {
        return invalid(format!(
            "la durée suivie ({}) dépasse la durée prévue ({})",
            format::duration_short(doc.attended_minutes),
            format::duration_short(doc.planned_minutes)
        ));
    }
    let representative = render::text(doc.organisation.party.representative.as_deref());
    let objectives = render::lines(&doc.objectives);
    let half_days = render::lines(&doc.half_days);
    match doc.kind {
        CertificateKind::Completion if representative.is_none() => {
            return invalid(
                "le certificat de réalisation est signé par le représentant légal de l'organisme, \
                 qui n'est pas renseigné"
                    .to_owned(),
            );
        }
        CertificateKind::Attestation if objectives.is_empty() => {
            return invalid(
                "l'attestation de fin de formation doit mentionner les objectifs de l'action"
                    .to_owned(),
            );
        }
        CertificateKind::Attendance if half_days.is_empty() => {
            return invalid(
                "l'attestation de suivi ne donne aucune demi-journée suivie".to_owned(),
            );
        }
        _ => {}
    }
    let results = match doc.kind {
        CertificateKind::Attestation => doc
            .results
            .as_deref()
            .filter(|r| !r.trim().is_empty())
            .map(render::blocks),
        _ => None,
    };
    let kind = match doc.kind {
        CertificateKind::Completion => "completion",
        CertificateKind::Attestation => "attestation",
        CertificateKind::Attendance => "attendance",
    };
    let natures: Vec<Obj> = ActionNature::ALL
        .iter()
        .map(|&n| {
            Obj::new()
                .set("label", n.label())
                .set("ticked", n == doc.nature)
        })
        .collect();

    Ok(Obj::new()
        .set("kind", kind)
        .set("heading", doc.kind.title())
        .set("organisation", render::organisation(&doc.organisation))
        .set("representative", representative)
        .set(
            "trainee",
            Obj::new()
                .set("name", render::typo(&trainee))
                .set("employer", render::text(doc.employer.as_deref())),
        )
        .set("title", render::typo(&title))
        .set("nature", doc.nature.label())
        .set("natures", natures)
        .set("objectives", objectives)
        .set(
            "dates",
            Obj::new()
                .set("first", format::date(doc.first_day))
                .set("last", format::date(doc.last_day))
                .set("single_day", doc.first_day == doc.last_day),
        )
        .set("place", render::text(doc.place.as_deref()))
        .set(
            "hours",
            Obj::new()
                .set("attended", format::duration_short(doc.attended_minutes))
                .set("planned", planned(doc.planned_minutes)),
        )
        .set("half_days", half_days)
        .set("results", results)
        .set(
            "signature",
            render::signature(&doc.organisation, Some(doc.issued_on)),
        )
        .set(
            "verification",
            Obj::new()
                .set("code", code)
                .set("qr", render::qr_png(&verify_url))
                .set("url", verify_url)
                .set("fingerprint", fingerprint)
                .set("replaces", render::verbatim(doc.replaces.as_deref())),
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn planned_time_agrees_in_number() {
        assert_eq!(planned(14 * 60), "14\u{a0}h prévues");
        assert_eq!(planned(90), "1\u{a0}h\u{a0}30 prévue");
        assert_eq!(planned(120), "2\u{a0}h prévues");
    }

    #[test]
    fn the_qr_code_is_the_one_the_qrcode_crate_makes() {
        // The verification addresses of every length up to a large version, and other texts:
        // the faster choice of mask must choose as the crate does, module for module.
        let mut texts: Vec<String> = (0..400)
            .map(|n: u64| {
                let code = format!("{:016X}", n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
                format!(
                    "https://formation.egoc.test/verifier/{}",
                    code.repeat(1 + n as usize % 9)
                )
            })
            .collect();
        texts.extend(["", "a", "0123456789", "HELLO WORLD", "Vérifiez : ☒"].map(str::to_owned));
        for text in &texts {
            let code = qrcode::QrCode::new(text.as_bytes()).expect("a QR code");
            let expected: Vec<bool> = code
                .to_colors()
                .iter()
                .map(|c| *c == qrcode::Color::Dark)
                .collect();
            assert_eq!(
                render::qr_modules(text),
                Some((code.width(), expected)),
                "{text}"
            );
        }
        assert!(render::qr_modules(&"x".repeat(8000)).is_none());
    }

    #[test]
    fn natures_in_the_order_of_the_model() {
        let labels: Vec<&str> = ActionNature::ALL.iter().map(|n| n.label()).collect();
        assert_eq!(
            labels,
            [
                "action de formation",
                "bilan de compétences",
                "action de VAE",
                "action de formation par apprentissage"
            ]
        );
    }

    #[test]
    fn archive_names_must_be_safe_and_distinct() {
        let file = |name: &str| (name.to_owned(), b"%PDF".to_vec());
        for bad in [
            "",
            " ",
            "/etc/x.pdf",
            "../x.pdf",
            "a/../../x.pdf",
            "a\\b.pdf",
            "a//b",
        ] {
            match zip(&[file(bad)]) {
                Err(DocumentError::InvalidData(message)) => {
                    assert!(message.contains("refusé"), "{message}")
                }
                other => panic!("« {bad} » accepted: {other:?}"),
            }
        }
        match zip(&[file("a.pdf"), file("a.pdf")]) {
            Err(DocumentError::InvalidData(message)) => {
                assert!(message.contains("deux fichiers"), "{message}")
            }
            other => panic!("a duplicate name is accepted: {other:?}"),
        }
        assert!(zip(&[file("MOREL Inès/certificat.pdf"), file("b.pdf")]).is_ok());
        assert!(zip(&[]).is_ok());
    }
}
