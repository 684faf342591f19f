//! The feuille d'émargement: the seed action's first two days rendered signed and blank, read
//! back with poppler (text, page size, fonts) and looked at as pixels for the signatures.

mod common;
#[path = "attendance_sheet/fixture.rs"]
mod fixture;

use std::io::Write;
use std::process::Command;

use common::{assert_contains, page_count, page_text, pdf_text, poppler, seed};
use fixture::{AFTERNOON_HASH, MORNING_HASH, TITLE, TRAINER, trainee_name};
use forma_documents::DocumentError;
use forma_documents::attendance_sheet::{self, AttendanceSheetDocument, SheetDay, Strokes};

fn sheet() -> AttendanceSheetDocument {
    fixture::sheet(seed::organisation())
}

fn render(doc: &AttendanceSheetDocument) -> Vec<u8> {
    attendance_sheet::render(doc).expect("the attendance sheet renders")
}

fn render_blank(doc: &AttendanceSheetDocument, walk_ins: usize) -> Vec<u8> {
    attendance_sheet::render_blank(doc, walk_ins).expect("the blank attendance sheet renders")
}

/// The pages of the PDF whose text contains `needle`, 1-based.
fn pages_with(pdf: &[u8], needle: &str) -> Vec<usize> {
    (1..=page_count(pdf))
        .filter(|&p| common::flat(&page_text(pdf, p)).contains(needle))
        .collect()
}

/// How many pixels of page `page` are dark, rendered in grey at `dpi`: a measure of ink.
fn ink(pdf: &[u8], page: usize, dpi: u32) -> usize {
    let dir = tempfile::tempdir().expect("temporary folder");
    let input = dir.path().join("sheet.pdf");
    std::fs::File::create(&input)
        .and_then(|mut f| f.write_all(pdf))
        .expect("write pdf");
    let root = dir.path().join("page");
    let page = page.to_string();
    let status = Command::new("pdftoppm")
        .args([
            "-gray",
            "-r",
            &dpi.to_string(),
            "-singlefile",
            "-f",
            &page,
            "-l",
            &page,
        ])
        .arg(&input)
        .arg(&root)
        .status()
        .expect("pdftoppm (poppler-utils) must be installed");
    assert!(status.success(), "pdftoppm failed");
    let pgm = std::fs::read(dir.path().join("page.pgm")).expect("pdftoppm wrote the page");
    // Binary PGM: « P5 », width, height, maximum value, one white space, then the pixels.
    let mut fields = 0;
    let mut start = 0;
    let mut in_field = false;
    for (i, &b) in pgm.iter().enumerate() {
        if b.is_ascii_whitespace() {
            if in_field {
                fields += 1;
                in_field = false;
                if fields == 4 {
                    start = i + 1;
                    break;
                }
            }
        } else {
            in_field = true;
        }
    }
    pgm[start..].iter().filter(|&&v| v < 128).count()
}

#[test]
fn signed_sheet_carries_what_r_6332_26_expects() {
    let pdf = render(&sheet());
    assert!(pdf.starts_with(b"%PDF"), "not a PDF");
    let text = pdf_text(&pdf);
    for needle in [
        // The training, the body and its NDA, the convention.
        "Feuille d'émargement",
        TITLE,
        "EGOC",
        "Déclaration d'activité n° 84 03 01234 03",
        "Session n° 12 — convention n° 26/19 — formation intra-entreprise",
        // Each day: date in French, module and title, hours of each half-day, venue.
        "vendredi 22 mars 2019 (40 stagiaires inscrits)",
        "vendredi 12 avril 2019 (6 stagiaires inscrits)",
        "Module 1 — Acculturation CTG",
        "Module 1 — Socle commun de la démarche CTG",
        "Matin : 9 h 00 – 12 h 30 — Après-midi : 13 h 30 – 17 h 00",
        "Matin — 9 h 00 – 12 h 30",
        "Après-midi — 13 h 30 – 17 h 00",
        "CAF de l'Allier — site de Moulins, salle Allier (rez-de-chaussée), 8 rue Achille Roche, 03000 Moulins",
        "CAF de l'Allier — site de Vichy, salle des Célestins",
        // Employers, statuses, signature times, a correction.
        "Conseil départemental de l'Allier",
        "Présent",
        "signé à 8 h 50",
        "Retard (arrivée 9 h 40)",
        "signé à 9 h 41",
        "Absence justifiée",
        "corrigé le 25/03/2019 par Thierry CHEINE : départ à 16 h noté par erreur",
        // The trainer, countersigning each half-day.
        "Formateur",
        TRAINER,
        "signé à 12 h 32",
        "signé à 17 h 02",
        // Closings, shortened in the footer and in full after the table.
        "Matin : demi-journée close le 22/03/2019 à 12 h 35 par Thierry CHEINE — empreinte : 3f9a…c21b",
        "Après-midi : demi-journée close le 22/03/2019 à 17 h 06 par Thierry CHEINE — empreinte : a17e…9e04",
        MORNING_HASH,
        AFTERNOON_HASH,
        "Après-midi : demi-journée non close",
        // The footer of every page.
        "Feuille d'émargement générée le 15 avril 2019 à partir des signatures électroniques horodatées.",
    ] {
        assert_contains(&text, needle);
    }
    for i in 0..40 {
        assert_contains(&text, &trainee_name(i));
    }
    let absent = text.matches("Absent").count();
    assert!(absent >= 2, "the absent trainee is not printed");
    // The blank sheet's wording is not on the signed one.
    assert!(!text.contains("à signer à la main"), "{text}");
    assert!(!text.contains("Nom, prénom"), "{text}");
}

#[test]
fn forty_trainees_paginate_with_the_header_repeated() {
    let pdf = render(&sheet());
    let pages = page_count(&pdf);
    let first_day = pages_with(&pdf, "vendredi 22 mars 2019");
    let second_day = pages_with(&pdf, "vendredi 12 avril 2019");
    // 40 rows of signatures do not fit on one page; each day starts on its own page, in date
    // order, the given order notwithstanding.
    assert!(first_day.len() >= 3, "day 1 on pages {first_day:?}");
    assert_eq!(first_day, (1..=first_day.len()).collect::<Vec<_>>());
    assert_eq!(
        second_day,
        ((first_day.len() + 1)..=pages).collect::<Vec<_>>()
    );
    for page in 1..=pages {
        let text = common::flat(&page_text(&pdf, page));
        // The header row, the running title, the closing lines and the page number.
        for needle in [
            "N°",
            "Stagiaire",
            "Matin — 9 h 00 – 12 h 30",
            "Après-midi — 13 h 30 – 17 h 00",
            "signature du stagiaire",
            &format!("Feuille d'émargement — {TITLE}"),
            "générée le 15 avril 2019",
            "Déclaration d'activité n° 84 03 01234 03",
            &format!("page {page} / {pages}"),
        ] {
            assert!(
                text.contains(needle),
                "page {page} lacks « {needle} »:\n{text}"
            );
        }
        let closing = if page <= first_day.len() {
            "empreinte : 3f9a…c21b"
        } else {
            "demi-journée non close"
        };
        assert!(
            text.contains(closing),
            "page {page} lacks « {closing} »:\n{text}"
        );
    }
    // The day's details and the trainer's row open its first page only.
    assert_eq!(pages_with(&pdf, "Horaires :"), vec![1, first_day.len() + 1]);
    assert_eq!(
        pages_with(&pdf, "nom et signature"),
        vec![1, first_day.len() + 1]
    );
    // Every row is printed once, in order (-raw keeps the content order).
    let raw = common::flat(&poppler("pdftotext", &["-raw"], &pdf));
    let mut from = 0;
    for i in 0..40 {
        let name = trainee_name(i);
        let at = raw[from..]
            .find(&name)
            .unwrap_or_else(|| panic!("{name} is missing or out of order"));
        from += at + name.len();
    }
}

#[test]
fn blank_sheet_has_the_names_and_room_to_sign() {
    let pdf = render_blank(&sheet(), 5);
    let text = pdf_text(&pdf);
    for needle in [
        "Feuille d'émargement — à signer à la main",
        TITLE,
        "Déclaration d'activité n° 84 03 01234 03",
        "convention n° 26/19",
        "vendredi 22 mars 2019 (40 stagiaires inscrits)",
        "Matin — 9 h 00 – 12 h 30",
        "Feuille d'émargement éditée le 15 avril 2019, à signer à la main en cas d'indisponibilité de l'émargement électronique.",
        TRAINER,
        "nom et signature",
        // The walk-in rows go on numbering.
        "45",
    ] {
        assert_contains(&text, needle);
    }
    for i in 0..40 {
        assert_contains(&text, &trainee_name(i));
    }
    // Five empty rows a day, each found in -layout and -raw.
    assert_eq!(text.matches("Nom, prénom").count(), 2 * 2 * 5, "{text}");
    for absent in [
        "Présent",
        "Absent",
        "Retard",
        "Absence justifiée",
        "signé à",
        "corrigé",
        "close",
        "empreinte",
        "3f9a",
        "générée",
        "signatures électroniques",
    ] {
        assert!(
            !text.contains(absent),
            "« {absent} » is printed on the blank sheet"
        );
    }
    // Same layout: no more pages than the signed sheet plus the walk-in rows need.
    assert!(page_count(&pdf) >= page_count(&render(&sheet())));
}

#[test]
fn signatures_are_drawn_in_their_cells() {
    let doc = sheet();
    let signed = render(&doc);
    // The same sheet without any signature: only the ink of the signatures differs.
    let mut unsigned = doc.clone();
    for day in &mut unsigned.days {
        for half in &mut day.half_days {
            for trainer in &mut half.trainers {
                trainer.signature = None;
            }
        }
        for row in &mut day.rows {
            for cell in &mut row.cells {
                cell.signature = None;
            }
        }
    }
    let unsigned = render(&unsigned);
    assert_eq!(page_count(&signed), page_count(&unsigned));
    for page in 1..=page_count(&signed) {
        let (with, without) = (ink(&signed, page, 50), ink(&unsigned, page, 50));
        // At least a trainer's or a trainee's signature on every page.
        assert!(
            with > without + 100,
            "page {page}: {with} dark pixels with signatures, {without} without"
        );
    }
    // The signatures are vector drawings, not scanned pictures: no raster image in the file.
    let images = poppler("pdfimages", &["-list"], &signed);
    assert_eq!(images.lines().count(), 2, "{images}");
}

#[test]
fn a_signature_that_is_a_single_dot_still_prints() {
    let mut doc = sheet();
    doc.days = vec![fixture::acculturation_day()];
    let day = &mut doc.days[0];
    day.rows.truncate(1);
    day.half_days.truncate(1);
    day.half_days[0].trainers.clear();
    day.rows[0].cells.truncate(1);
    let mut dotted = doc.clone();
    dotted.days[0].rows[0].cells[0].signature =
        Strokes::from_json(r#"{"w":300,"h":100,"strokes":[[[150,50]]]}"#);
    doc.days[0].rows[0].cells[0].signature = None;
    let (with, without) = (ink(&render(&dotted), 1, 200), ink(&render(&doc), 1, 200));
    assert!(
        with > without,
        "{with} dark pixels with the dot, {without} without"
    );
}

#[test]
fn pdf_is_a4_landscape_pdf_a_2b_with_embedded_fonts() {
    for pdf in [render(&sheet()), render_blank(&sheet(), 3)] {
        let info = poppler("pdfinfo", &[], &pdf);
        let size = info
            .lines()
            .find_map(|l| l.strip_prefix("Page size:"))
            .expect("pdfinfo gives the page size");
        assert_contains(size, "841.89 x 595.276 pts (A4)");
        assert_contains(&info, &format!("Feuille d'émargement — {TITLE}"));
        let meta = poppler("pdfinfo", &["-meta"], &pdf);
        assert!(
            meta.contains("<pdfaid:part>2</pdfaid:part>") || meta.contains("pdfaid:part=\"2\""),
            "{meta}"
        );
        assert!(
            meta.contains("2019-04-15"),
            "no generation date in XMP: {meta}"
        );
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
    let evil = "#set text(red) *gras* _souligné_ $x$ [crochet] <lab> @ref // x `raw` #(1+1)";
    let mut doc = sheet();
    doc.training_title = format!("Titre {evil}");
    doc.session_reference = Some("Session #12 *".into());
    let day = &mut doc.days[1];
    day.venue = format!("Lieu {evil}");
    day.title = Some("Journée $1$ _a_".into());
    day.half_days[0].label = "Matin [1]".into();
    day.half_days[0].trainers[0].name = "#pagebreak() ]) [".into();
    day.rows[0].name = format!("Nom {evil}");
    day.rows[0].employer = Some("Employeur *x* #y".into());
    day.rows[0].cells[0].status = Some("Présent #1 _ok_".into());
    day.rows[0].cells[1].note = Some("motif : [erreur] $0$".into());
    for pdf in [render(&doc), render_blank(&doc, 0)] {
        let text = pdf_text(&pdf);
        for needle in [
            &format!("Nom {evil}"),
            "Titre #set text(red) *gras* _souligné_ $x$ [crochet]",
            "Lieu #set text(red)",
            "Session #12 *",
            "Module 1 — Journée $1$ _a_",
            "Matin [1] — 9 h 00 – 12 h 30",
            "#pagebreak() ]) [",
            "Employeur *x* #y",
        ] {
            assert_contains(&text, needle);
        }
    }
    let text = pdf_text(&render(&doc));
    assert_contains(&text, "Présent #1 _ok_");
    assert_contains(&text, "motif : [erreur] $0$");
}

#[test]
fn optional_parts_may_be_missing() {
    let mut doc = sheet();
    doc.session_reference = None;
    doc.convention_number = None;
    doc.kind = "INTER".into();
    doc.organisation.nda = None;
    let day = &mut doc.days[0];
    day.module = None;
    day.title = None;
    day.rows.clear();
    day.half_days.truncate(1);
    day.half_days[0].trainers.clear();
    let text = pdf_text(&render(&doc));
    assert_contains(&text, "Formation inter-entreprises");
    assert_contains(&text, "Déclaration d'activité en cours d'enregistrement");
    assert_contains(&text, "vendredi 12 avril 2019 (0 stagiaire inscrit)");
    assert_contains(&text, "aucun formateur indiqué");
    assert_contains(&text, "Journée : —");
    for absent in ["Session n°", "26/19", "Socle commun"] {
        assert!(!text.contains(absent), "« {absent} » is printed");
    }
}

#[test]
fn what_a_sheet_cannot_do_without() {
    type Spoil = fn(&mut AttendanceSheetDocument);
    fn first(doc: &mut AttendanceSheetDocument) -> &mut SheetDay {
        &mut doc.days[0]
    }
    let cases: [(Spoil, &str); 8] = [
        (|d| d.days.clear(), "aucune journée"),
        (|d| d.training_title = " ".into(), "intitulé"),
        (|d| first(d).half_days.clear(), "aucune demi-journée"),
        (|d| first(d).venue.clear(), "aucun lieu"),
        (
            |d| first(d).half_days[1].end = fixture::time(12, 0),
            "vendredi 12 avril 2019 : la demi-journée « Après-midi » finit (12 h 00) avant de commencer (13 h 30)",
        ),
        (
            |d| first(d).half_days.swap(0, 1),
            "se chevauchent ou ne sont pas dans l'ordre",
        ),
        (
            |d| {
                first(d).rows[1].cells.pop();
            },
            "la ligne de François ÉTIENNE a 1 case(s) pour 2 demi-journée(s)",
        ),
        (
            |d| first(d).rows[0].name = "".into(),
            "un stagiaire n'a pas de nom",
        ),
    ];
    for (spoil, expected) in cases {
        let mut doc = sheet();
        spoil(&mut doc);
        for result in [
            attendance_sheet::render(&doc),
            attendance_sheet::render_blank(&doc, 2),
        ] {
            match result {
                Err(DocumentError::InvalidData(message)) => {
                    assert!(common::flat(&message).contains(expected), "{message}")
                }
                other => panic!("expected invalid data ({expected}), got {other:?}"),
            }
        }
    }
}

#[test]
fn the_template_holds_no_organisation_data() {
    let template = include_str!("../templates/attendance_sheet.typ");
    for data in [
        "EGOC", "Vichy", "Allier", "26/19", "CHEINE", "Moulins", "84 03",
    ] {
        assert!(!template.contains(data), "the template holds « {data} »");
    }
}

#[test]
fn the_same_data_gives_the_same_bytes() {
    let doc = sheet();
    assert_eq!(render(&doc), render(&doc));
}
