//! The convocation: rendered for a trainee of the seed action, read back with poppler.

mod common;

use common::{assert_contains, page_count, pdf_text, poppler, seed};
use forma_documents::DocumentError;
use forma_documents::convocation::{self, ConvocationDay, ConvocationDocument};

fn render(doc: &ConvocationDocument) -> Vec<u8> {
    convocation::render(doc).expect("the convocation renders")
}

#[test]
fn seed_convocation_carries_what_indicator_9_expects() {
    let pdf = render(&seed::convocation());
    assert!(pdf.starts_with(b"%PDF"), "not a PDF");
    assert_eq!(
        page_count(&pdf),
        1,
        "a one-day convocation fits on one page"
    );
    let text = pdf_text(&pdf);
    for needle in [
        // Organisation, trainee, date.
        "EGOC",
        "84 03 01234 03",
        "12 boulevard des États-Unis",
        "02 99 29 82 42",
        "contact@egoc.org",
        "Camille DUPONT",
        "Vichy, le 1er mars 2019",
        // Title and references.
        "Convocation",
        "Accompagner la démarche de Convention Territoriale Globale",
        "Session n° 12 — convention n° 26/19 — formation intra-entreprise",
        "Nous avons le plaisir de vous convier à la formation",
        "le vendredi 22 mars 2019 (1 journée, soit 7 heures de formation)",
        // The day, its hours, the venue.
        "vendredi 22 mars 2019",
        "Module 1",
        "Acculturation CTG",
        "9 h 00 – 12 h 30 et 13 h 30 – 17 h 00",
        "CAF de l'Allier — site de Moulins, salle Allier (rez-de-chaussée)",
        "8 rue Achille Roche, 03000 Moulins",
        "Accès : entrée par l'accueil du public",
        "Accessibilité : locaux de plain-pied",
        "Formateur : Thierry CHEINE (Accolades)",
        "Prérequis : aucun prérequis",
        // Practical lines kept in the template.
        "10 minutes avant le début",
        "feuille d'émargement",
        // Contacts and référents.
        "Marie LEROY, assistante de formation — formation@egoc.org — tél. 04 70 30 12 34",
        "Votre employeur : Anne MARTIN, directrice — anne.martin@caf03.example",
        "Référent pédagogique : Jean DURAND",
        "Référent handicap : Sophie BERNARD — referent-handicap@egoc.org — tél. 04 70 30 12 35",
        "besoin d'un aménagement",
        // Règlement intérieur and personal link.
        "règlement intérieur",
        "https://formation.egoc.org/reglement-interieur",
        "https://formation.egoc.org/s/7f3a9c2e4b1d8a6f0e5c",
        "Pour EGOC",
    ] {
        assert_contains(&text, needle);
    }
    // Only the trainee's day: not the other days of the action.
    for absent in ["12 avril 2019", "Montluçon", "30 à 40", "CODIR"] {
        assert!(!text.contains(absent), "« {absent} » is printed");
    }
}

#[test]
fn links_are_clickable() {
    let pdf = render(&seed::convocation());
    let raw = String::from_utf8_lossy(&pdf);
    for url in [
        "https://formation.egoc.org/reglement-interieur",
        "https://formation.egoc.org/s/7f3a9c2e4b1d8a6f0e5c",
    ] {
        assert!(raw.contains(&format!("/URI({url})")), "no link to {url}");
    }
}

#[test]
fn pdf_is_pdf_a_2b_dated_from_issue_with_embedded_fonts() {
    let pdf = render(&seed::convocation());
    let meta = poppler("pdfinfo", &["-meta"], &pdf);
    assert!(
        meta.contains("<pdfaid:part>2</pdfaid:part>") || meta.contains("pdfaid:part=\"2\""),
        "{meta}"
    );
    assert!(meta.contains("2019-03-01"), "no issue date in XMP: {meta}");
    let info = poppler("pdfinfo", &[], &pdf);
    assert_contains(
        &info,
        "Convocation — Accompagner la démarche de Convention Territoriale Globale",
    );
    let fonts = poppler("pdffonts", &[], &pdf);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty(), "{fonts}");
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(cols[cols.len() - 5], "yes", "font not embedded: {row}");
    }
}

#[test]
fn several_days_at_two_venues() {
    let mut doc = seed::convocation();
    let days = seed::days();
    // Registered for days 1, 2 and 4: Moulins, Vichy, Moulins again; given out of order.
    doc.days = vec![
        ConvocationDay {
            day: days[3].clone(),
            venue: seed::moulins(),
        },
        ConvocationDay {
            day: days[1].clone(),
            venue: seed::vichy(),
        },
        ConvocationDay {
            day: days[0].clone(),
            venue: seed::moulins(),
        },
    ];
    doc.days[0].day.trainers.push("Claire PETIT".into());
    let text = pdf_text(&render(&doc));
    assert_contains(
        &text,
        "du vendredi 22 mars 2019 au vendredi 14 juin 2019 (3 journées, soit 21 heures de formation)",
    );
    assert_contains(&text, "Lieux de formation");
    assert_contains(&text, "15 rue Lucas, 03200 Vichy");
    assert_contains(&text, "salle des Célestins");
    assert_contains(
        &text,
        "Formateurs : Thierry CHEINE (Accolades), Claire PETIT",
    );
    // Days in date order in the table; each venue described once.
    let table = &text[text.find("Vos journées de formation").unwrap()..];
    let first = table.find("22 mars 2019").unwrap();
    let second = table.find("12 avril 2019").unwrap();
    let third = table.find("14 juin 2019").unwrap();
    assert!(first < second && second < third);
    assert_eq!(
        text.matches("8 rue Achille Roche, 03000 Moulins").count(),
        2
    ); // -layout and -raw
}

#[test]
fn optional_parts_may_be_missing() {
    let mut doc = seed::convocation();
    doc.session_reference = None;
    doc.convention_number = None;
    doc.kind = "INTER".into();
    doc.organisation_contact = None;
    doc.client_contact = None;
    doc.pedagogical_referent = None;
    doc.prerequisites = None;
    doc.trainee.employer = None;
    doc.days[0].venue.access = None;
    doc.days[0].venue.accessibility = None;
    doc.days[0].venue.room = None;
    doc.days[0].day.morning = None;
    doc.organisation.nda = None;
    let text = pdf_text(&render(&doc));
    assert_contains(&text, "Formation inter-entreprises");
    assert_contains(&text, "13 h 30 – 17 h 00");
    assert_contains(&text, "(1 journée, soit 3 heures 30 de formation)");
    assert_contains(&text, "Référent handicap : Sophie BERNARD");
    assert_contains(&text, "Pour EGOC, M. Jean DURAND, directeur");
    assert_contains(&text, "en cours d'enregistrement");
    for absent in [
        "Session n°",
        "26/19",
        "Vos contacts",
        "Prérequis",
        "Accès :",
        "9 h 00",
        "salle Allier",
    ] {
        assert!(!text.contains(absent), "« {absent} » is printed");
    }
}

#[test]
fn a_personal_link_too_long_for_a_qr_code_is_still_printed() {
    let mut doc = seed::convocation();
    doc.personal_url = format!("https://formation.egoc.org/s/{}", "a".repeat(3000));
    let text = pdf_text(&render(&doc));
    assert_contains(&text, "Votre espace stagiaire personnel");
    // The caption under the QR code is gone (each phrase is found twice: -layout and -raw).
    assert_eq!(text.matches("Votre espace stagiaire").count(), 2, "{text}");
    let text = pdf_text(&render(&seed::convocation()));
    assert_eq!(text.matches("Votre espace stagiaire").count(), 4, "{text}");
}

#[test]
fn markup_in_the_data_is_printed_verbatim() {
    let evil = "#set text(red) *bold* $x$ ] _u_ <lab> @ref // x `raw` #(1+1)";
    let mut doc = seed::convocation();
    doc.trainee.full_name = format!("Nom {evil}");
    doc.training_title = format!("Titre {evil}");
    doc.days[0].venue.name = format!("Lieu {evil}");
    doc.disability_referent.name = "#pagebreak() ]) [".into();
    doc.rules_url = "https://x.fr/#set text(red)".into();
    let text = pdf_text(&render(&doc));
    for needle in [
        "Nom #set text(red) *bold* $x$ ] _u_ <lab> @ref // x `raw` #(1+1)",
        "Titre #set text(red)",
        "Lieu #set text(red)",
        "Référent handicap : #pagebreak() ]) [",
        "https://x.fr/#set text(red)",
    ] {
        assert_contains(&text, needle);
    }
}

#[test]
fn what_a_convocation_cannot_do_without() {
    type Spoil = fn(&mut ConvocationDocument);
    let cases: [(Spoil, &str); 5] = [
        (|d| d.days.clear(), "aucune journée"),
        (|d| d.rules_url = "  ".into(), "règlement intérieur"),
        (|d| d.personal_url.clear(), "lien personnel"),
        (|d| d.disability_referent.name.clear(), "référent handicap"),
        (
            |d| d.days[0].day.afternoon = Some((seed::time(17, 0), seed::time(13, 30))),
            "vendredi 22 mars 2019",
        ),
    ];
    for (spoil, expected) in cases {
        let mut doc = seed::convocation();
        spoil(&mut doc);
        match convocation::render(&doc) {
            Err(DocumentError::InvalidData(message)) => {
                assert!(message.contains(expected), "{message}")
            }
            other => panic!("expected invalid data ({expected}), got {other:?}"),
        }
    }
}

#[test]
fn the_template_holds_no_organisation_data() {
    let template = include_str!("../templates/convocation.typ");
    for data in [
        "EGOC", "Vichy", "Allier", "26/19", "CHEINE", "Moulins", "http",
    ] {
        assert!(!template.contains(data), "the template holds « {data} »");
    }
}

#[test]
fn the_same_data_gives_the_same_bytes() {
    let doc = seed::convocation();
    assert_eq!(render(&doc), render(&doc));
}
