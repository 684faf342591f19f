//! The certificates: Inès MOREL's certificat de réalisation, attestation de fin de formation and
//! attestation de suivi rendered from the seed data, read back with poppler; the ZIP of them read
//! back with the zip crate.

mod common;

use std::io::{Cursor, Read, Write};
use std::process::Command;

use common::{assert_contains, page_count, page_text, pdf_text, poppler, seed};
use forma_documents::DocumentError;
use forma_documents::certificate::{self, ActionNature, CertificateDocument, CertificateKind};

const KINDS: [CertificateKind; 3] = [
    CertificateKind::Completion,
    CertificateKind::Attestation,
    CertificateKind::Attendance,
];

fn render(doc: &CertificateDocument) -> Vec<u8> {
    certificate::render(doc).expect("the certificate renders")
}

#[test]
fn certificat_de_realisation_follows_the_official_model() {
    let pdf = render(&seed::certificate(CertificateKind::Completion));
    assert!(pdf.starts_with(b"%PDF"), "not a PDF");
    assert_eq!(page_count(&pdf), 1);
    let text = pdf_text(&pdf);
    for needle in [
        // Letterhead and footer.
        "EGOC",
        "12 boulevard des États-Unis",
        "SIRET 123 456 782 00010",
        "Déclaration d'activité n° 84 03 01234 03",
        // The model's wording.
        "Certificat de réalisation",
        "Je soussigné(e) M. Jean DURAND, directeur, représentant légal du dispensateur de \
         l'action concourant au développement des compétences EGOC, atteste que :",
        "Inès MOREL",
        "salarié(e) de l'entreprise CAF de l'Allier",
        "a suivi l'action Les chantiers locaux de la CTG : de l'acculturation à la mise en œuvre",
        "Nature de l'action concourant au développement des compétences :",
        "☒ action de formation",
        "☐ bilan de compétences",
        "☐ action de VAE",
        "☐ action de formation par apprentissage",
        "qui s'est déroulée du 12 mars 2019 au 13 mars 2019, pour une durée1 de 10 h 30 (sur \
         14 h prévues).",
        "Sans préjudice des délais imposés par les règles fiscales, comptables ou commerciales, \
         je m'engage à conserver l'ensemble des pièces justificatives qui ont permis d'établir le \
         présent certificat pendant une durée de 3 ans à compter de la fin de l'année du dernier \
         paiement.",
        "Pour les formations à distance",
        "Fait à Vichy, le 15 mars 2019.",
        "Pour EGOC, M. Jean DURAND, directeur",
        "Cachet et signature du responsable du dispensateur de formation",
    ] {
        assert_contains(&text, needle);
    }
    // Neither the objectives nor the results nor the half-days: the model has none.
    for absent in [
        "Objectifs",
        "Résultats",
        "diagnostic partagé",
        "12/03/2019",
        "salle",
    ] {
        assert!(!text.contains(absent), "« {absent} » is printed");
    }
}

#[test]
fn every_certificate_has_the_verification_box() {
    for kind in KINDS {
        let pdf = render(&seed::certificate(kind));
        let text = pdf_text(&pdf);
        for needle in [
            kind.title(),
            "Inès MOREL",
            "Les chantiers locaux de la CTG",
            "10 h 30",
            "Code de vérification : 7KQ2-M9XD-4TBW-HC81",
            "Vérifiez ce document sur https://formation.egoc.org/verifier/7KQ2M9XD4TBWHC81 : \
             la page dit s'il est valide, révoqué ou remplacé.",
            "Signé électroniquement (Ed25519), clé publique 3f9a0c21b7e4d5a8",
            "Fait à Vichy, le 15 mars 2019.",
        ] {
            assert_contains(&text, needle);
        }
        assert!(!text.contains("Remplace le document"), "{kind:?}");
        // The verification address is a link, and the box comes after the signature.
        let raw = String::from_utf8_lossy(&pdf);
        assert!(
            raw.contains("/URI(https://formation.egoc.org/verifier/7KQ2M9XD4TBWHC81)"),
            "{kind:?}: no link"
        );
        let page = common::flat(&page_text(&pdf, page_count(&pdf)));
        let signature = page.find("Cachet et signature").expect("a signature block");
        let box_ = page
            .find("Code de vérification")
            .expect("a verification box");
        assert!(signature < box_, "{page}");
    }
}

/// Page `page` rendered in grey at `dpi` by pdftoppm: (width, height, one byte per pixel).
fn grey_page(pdf: &[u8], page: usize, dpi: u32) -> (usize, usize, Vec<u8>) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let input = dir.path().join("certificate.pdf");
    std::fs::File::create(&input)
        .and_then(|mut f| f.write_all(pdf))
        .expect("write pdf");
    let page = page.to_string();
    let status = Command::new("pdftoppm")
        .args(["-gray", "-r", &dpi.to_string(), "-singlefile", "-f", &page])
        .args(["-l", &page])
        .arg(&input)
        .arg(dir.path().join("page"))
        .status()
        .expect("pdftoppm (poppler-utils) must be installed");
    assert!(status.success(), "pdftoppm failed");
    let pgm = std::fs::read(dir.path().join("page.pgm")).expect("pdftoppm wrote the page");
    // Binary PGM: « P5 », width, height, maximum value, each followed by one white space.
    let mut fields = Vec::new();
    let mut start = 0;
    while fields.len() < 4 {
        let end = start
            + pgm[start..]
                .iter()
                .position(u8::is_ascii_whitespace)
                .unwrap();
        fields.push(String::from_utf8_lossy(&pgm[start..end]).into_owned());
        start = end + 1;
    }
    let (width, height) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    (width, height, pgm[start..].to_vec())
}

#[test]
fn the_qr_code_is_big_enough_to_scan() {
    // The QR code sits at the left of the verification box, in the bottom 6 cm of the text area
    // where nothing else is printed on the left; its dark modules' bounding box is its size.
    let dpi = 150;
    let cm = |cm: f64| (cm / 2.54 * f64::from(dpi)).round() as usize;
    for kind in [CertificateKind::Attestation, CertificateKind::Attendance] {
        let pdf = render(&seed::certificate(kind));
        let (width, _, pixels) = grey_page(&pdf, 1, dpi);
        let (mut left, mut right, mut top, mut bottom) = (usize::MAX, 0, usize::MAX, 0);
        for y in cm(21.7)..cm(27.7) {
            for x in cm(2.2)..cm(5.6) {
                if pixels[y * width + x] < 128 {
                    (left, right) = (left.min(x), right.max(x));
                    (top, bottom) = (top.min(y), bottom.max(y));
                }
            }
        }
        let mm = |px: usize| px as f64 * 25.4 / f64::from(dpi);
        let (w, h) = (mm(right + 1 - left), mm(bottom + 1 - top));
        assert!(
            (25.0..=35.0).contains(&w),
            "{kind:?}: the QR code is {w} mm wide"
        );
        assert!((w - h).abs() < 1.0, "{kind:?}: the QR code is {w} × {h} mm");
    }
}

#[test]
fn a_replacement_names_the_certificate_it_cancels() {
    let mut doc = seed::certificate(CertificateKind::Attestation);
    doc.replaces = Some("2B7X-Q4LM-9PHD-CT30".into());
    let text = pdf_text(&render(&doc));
    assert_contains(&text, "Remplace le document 2B7X-Q4LM-9PHD-CT30, annulé.");
}

#[test]
fn the_ticked_box_is_the_nature_of_the_action() {
    let mut doc = seed::certificate(CertificateKind::Completion);
    doc.nature = ActionNature::Vae;
    let text = pdf_text(&render(&doc));
    assert_contains(&text, "☒ action de VAE");
    assert_contains(&text, "☐ action de formation ☐ bilan");
    assert_eq!(
        text.matches('☒').count(),
        2,
        "one box ticked (-layout and -raw)"
    );
}

#[test]
fn attestation_de_fin_de_formation_states_objectives_nature_duration_and_results() {
    let pdf = render(&seed::certificate(CertificateKind::Attestation));
    assert_eq!(page_count(&pdf), 1);
    let text = pdf_text(&pdf);
    for needle in [
        "Attestation de fin de formation",
        "L'organisme de formation EGOC atteste que :",
        "salarié(e) de l'entreprise CAF de l'Allier",
        "Intitulé Les chantiers locaux de la CTG : de l'acculturation à la mise en œuvre",
        "Nature de l'action action de formation",
        "Dates du 12 mars 2019 au 13 mars 2019",
        "Durée suivie 10 h 30 sur 14 h prévues",
        "Lieu CAF de l'Allier — site de Moulins, salle Allier",
        "Objectifs de la formation",
        "situer les chantiers locaux dans la démarche de Convention Territoriale Globale ;",
        "conduire un diagnostic partagé avec les partenaires du territoire ;",
        "construire et animer le plan d'action d'un chantier local.",
        "Résultats de l'évaluation des acquis",
        "Évaluation par mise en situation le 13 mars 2019 :",
        "objectif 3 : en cours d'acquisition",
        "Pour EGOC, M. Jean DURAND, directeur",
    ] {
        assert_contains(&text, needle);
    }
}

#[test]
fn results_are_printed_only_when_an_assessment_gave_some() {
    let mut doc = seed::certificate(CertificateKind::Attestation);
    for results in [None, Some("  \n ".to_owned())] {
        doc.results = results;
        let text = pdf_text(&render(&doc));
        assert!(!text.contains("Résultats"), "{text}");
        assert_contains(&text, "Objectifs de la formation");
    }
    // The seed gives results: only the attestation de fin de formation prints them.
    for kind in [CertificateKind::Completion, CertificateKind::Attendance] {
        let text = pdf_text(&render(&seed::certificate(kind)));
        assert!(!text.contains("Résultats"), "{kind:?}");
        assert!(!text.contains("en cours d'acquisition"), "{kind:?}");
    }
}

#[test]
fn attestation_de_suivi_lists_the_attended_half_days() {
    let pdf = render(&seed::certificate(CertificateKind::Attendance));
    assert_eq!(page_count(&pdf), 1);
    let text = pdf_text(&pdf);
    for needle in [
        "Attestation de suivi",
        "a suivi la formation suivante :",
        "Durée suivie 10 h 30 sur 14 h prévues",
        "Lieu CAF de l'Allier — site de Moulins, salle Allier",
        "Demi-journées suivies",
        "feuilles d'émargement signées par demi-journée",
        "12/03/2019 matin (3 h 30)",
        "12/03/2019 après-midi (3 h 30)",
        "13/03/2019 matin (3 h 30)",
    ] {
        assert_contains(&text, needle);
    }
    assert!(!text.contains("13/03/2019 après-midi"), "{text}");
}

#[test]
fn a_long_half_day_list_goes_on_a_second_page() {
    let mut doc = seed::certificate(CertificateKind::Attendance);
    // Eight weeks of four days, every half-day attended.
    let first = seed::date(2019, 1, 7);
    doc.half_days = (0..56)
        .filter(|d| d % 7 < 4)
        .flat_map(|d| {
            let date = (first + chrono::Days::new(d))
                .format("%d/%m/%Y")
                .to_string();
            [
                format!("{date} matin (3 h 30)"),
                format!("{date} après-midi (3 h 30)"),
            ]
        })
        .collect();
    assert_eq!(doc.half_days.len(), 64);
    doc.first_day = first;
    doc.last_day = seed::date(2019, 2, 28);
    doc.planned_minutes = 64 * 210;
    doc.attended_minutes = 64 * 210;
    let pdf = render(&doc);
    assert_eq!(page_count(&pdf), 2);
    let text = pdf_text(&pdf);
    assert_contains(&text, "224 h sur 224 h prévues");
    for half_day in &doc.half_days {
        assert_contains(&text, half_day);
    }
    // The second page says whose it is, and the verification box ends it.
    let second = common::flat(&page_text(&pdf, 2));
    assert_contains(&second, "Attestation de suivi — Inès MOREL");
    assert_contains(&second, "Code de vérification : 7KQ2-M9XD-4TBW-HC81");
    assert_contains(&second, "page 2 / 2");
    assert!(!common::flat(&page_text(&pdf, 1)).contains("Code de vérification"));
}

#[test]
fn pdf_is_pdf_a_2b_dated_from_issue_with_embedded_fonts() {
    for kind in KINDS {
        let pdf = render(&seed::certificate(kind));
        let meta = poppler("pdfinfo", &["-meta"], &pdf);
        assert!(
            meta.contains("<pdfaid:part>2</pdfaid:part>") || meta.contains("pdfaid:part=\"2\""),
            "{meta}"
        );
        assert!(
            meta.contains("<pdfaid:conformance>B</pdfaid:conformance>")
                || meta.contains("pdfaid:conformance=\"B\""),
            "{meta}"
        );
        assert!(meta.contains("2019-03-15"), "no issue date in XMP: {meta}");
        let info = poppler("pdfinfo", &[], &pdf);
        assert_contains(
            &info,
            &format!(
                "{} — Inès MOREL — Les chantiers locaux de la CTG",
                kind.title()
            ),
        );
        assert_contains(&info, "595.276 x 841.89 pts (A4)");
        let fonts = poppler("pdffonts", &[], &pdf);
        let rows: Vec<&str> = fonts.lines().skip(2).collect();
        assert!(!rows.is_empty(), "{fonts}");
        for row in rows {
            let cols: Vec<&str> = row.split_whitespace().collect();
            assert_eq!(cols[cols.len() - 5], "yes", "font not embedded: {row}");
        }
    }
}

#[test]
fn markup_in_the_data_is_printed_verbatim() {
    let evil = "#set text(red) *bold* $x$ ] _u_ <lab> @ref // x `raw` #(1+1)";
    for kind in KINDS {
        let mut doc = seed::certificate(kind);
        doc.trainee_name = format!("Nom {evil}");
        doc.training_title = format!("Titre {evil}");
        doc.employer = Some("#pagebreak() ]) [".into());
        doc.objectives.push(format!("Objectif {evil}"));
        doc.half_days.push(format!("Demi-journée {evil}"));
        doc.code = "*1234*".into();
        doc.replaces = Some("#set page(width: 1cm)".into());
        let text = pdf_text(&render(&doc));
        for needle in [
            "Nom #set text(red) *bold* $x$ ] _u_ <lab> @ref // x `raw` #(1+1)",
            "Titre #set text(red) *bold*",
            "#pagebreak() ]) [",
            "Code de vérification : *1234*",
            "Remplace le document #set page(width: 1cm), annulé.",
        ] {
            assert_contains(&text, needle);
        }
        match kind {
            CertificateKind::Attestation => assert_contains(&text, "Objectif #set text(red)"),
            CertificateKind::Attendance => assert_contains(&text, "Demi-journée #set text(red)"),
            CertificateKind::Completion => {}
        }
    }
}

#[test]
fn optional_parts_may_be_missing() {
    for kind in KINDS {
        let mut doc = seed::certificate(kind);
        doc.employer = None;
        doc.place = None;
        doc.results = None;
        doc.last_day = doc.first_day;
        doc.organisation.nda = None;
        doc.organisation.party.siret = None;
        if kind != CertificateKind::Completion {
            doc.organisation.party.representative = None;
        }
        let text = pdf_text(&render(&doc));
        assert_contains(&text, "le 12 mars 2019");
        assert_contains(&text, "Déclaration d'activité en cours d'enregistrement");
        for absent in [
            "salarié(e)",
            "Lieu",
            "salle Allier",
            "13 mars 2019",
            "SIRET",
        ] {
            assert!(!text.contains(absent), "{kind:?}: « {absent} » is printed");
        }
        if kind != CertificateKind::Completion {
            assert!(!text.contains("DURAND"), "{kind:?}");
            assert_contains(&text, "Pour EGOC, Cachet et signature");
        }
    }
}

#[test]
fn a_verification_address_too_long_for_a_qr_code_is_still_printed() {
    let mut doc = seed::certificate(CertificateKind::Completion);
    doc.verify_url = format!(
        "https://formation.egoc.org/verifier/{}",
        "7KQ2M9XD4TBWHC81/".repeat(200)
    );
    let text = pdf_text(&render(&doc));
    assert_contains(
        &text,
        "Vérifiez ce document sur https://formation.egoc.org/verifier/7KQ2M9XD4TBWHC81/",
    );
    assert_contains(&text, "la page dit s'il est valide, révoqué ou remplacé.");
}

#[test]
fn what_a_certificate_cannot_do_without() {
    type Spoil = fn(&mut CertificateDocument);
    let cases: [(CertificateKind, Spoil, &str); 10] = [
        (
            CertificateKind::Completion,
            |d| d.trainee_name = " ".into(),
            "nom de stagiaire",
        ),
        (
            CertificateKind::Attestation,
            |d| d.training_title.clear(),
            "intitulé",
        ),
        (
            CertificateKind::Attendance,
            |d| d.code.clear(),
            "code de vérification",
        ),
        (
            CertificateKind::Completion,
            |d| d.verify_url.clear(),
            "lien de vérification",
        ),
        (
            CertificateKind::Completion,
            |d| d.public_key_fingerprint.clear(),
            "empreinte",
        ),
        (
            CertificateKind::Attestation,
            |d| d.last_day = seed::date(2019, 3, 11),
            "finit (11 mars 2019) avant de commencer (12 mars 2019)",
        ),
        (
            CertificateKind::Completion,
            |d| d.attended_minutes = 15 * 60,
            "la durée suivie (15\u{a0}h) dépasse la durée prévue (14\u{a0}h)",
        ),
        (
            CertificateKind::Completion,
            |d| d.organisation.party.representative = None,
            "représentant légal",
        ),
        (
            CertificateKind::Attestation,
            |d| d.objectives = vec![" ".into()],
            "objectifs",
        ),
        (
            CertificateKind::Attendance,
            |d| d.half_days.clear(),
            "aucune demi-journée",
        ),
    ];
    for (kind, spoil, expected) in cases {
        let mut doc = seed::certificate(kind);
        spoil(&mut doc);
        match certificate::render(&doc) {
            Err(DocumentError::InvalidData(message)) => {
                assert!(message.contains(expected), "{message}")
            }
            other => panic!("expected invalid data ({expected}), got {other:?}"),
        }
    }
}

#[test]
fn the_zip_holds_the_named_certificates() {
    let files: Vec<(String, Vec<u8>)> = KINDS
        .iter()
        .map(|&kind| {
            (
                format!("MOREL Inès/{}.pdf", kind.title()),
                render(&seed::certificate(kind)),
            )
        })
        .collect();
    let bytes = certificate::zip(&files).expect("the archive is written");
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a ZIP archive");
    assert_eq!(archive.len(), 3);
    for (i, (name, pdf)) in files.iter().enumerate() {
        let mut file = archive.by_index(i).expect("the file is there");
        assert_eq!(file.name().expect("a UTF-8 name"), name.as_str());
        assert_eq!(file.compression(), zip::CompressionMethod::Deflated);
        let mut read = Vec::new();
        file.read_to_end(&mut read).unwrap();
        assert_eq!(&read, pdf, "{name} reads back as written");
    }
    let text = pdf_text(&files[0].1);
    assert_contains(&text, "Certificat de réalisation");
}

#[test]
fn the_template_holds_no_organisation_data() {
    let template = include_str!("../templates/certificate.typ");
    for data in [
        "EGOC", "Vichy", "Allier", "MOREL", "DURAND", "CTG", "http", "7KQ2",
    ] {
        assert!(!template.contains(data), "the template holds « {data} »");
    }
}

#[test]
fn the_same_data_gives_the_same_bytes() {
    let doc = seed::certificate(CertificateKind::Completion);
    assert_eq!(render(&doc), render(&doc));
}
