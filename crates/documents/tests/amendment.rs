//! The avenant: rendered from the seed action's avenant n° 1, read back with poppler.

mod common;

use common::{assert_contains, pdf_text, seed};
use forma_documents::DocumentError;
use forma_documents::amendment::{self, AmendmentChange};

#[test]
fn seed_amendment_adds_a_seventh_day() {
    let pdf = amendment::render(&seed::amendment()).expect("the avenant renders");
    assert!(pdf.starts_with(b"%PDF"));
    let text = pdf_text(&pdf);
    for needle in [
        "Avenant n° 1 à la convention de formation professionnelle n° 26/19",
        "EGOC",
        "84 03 01234 03",
        "CAF de l'Allier",
        "Préambule",
        "une journée supplémentaire est ajoutée au module 3",
        "Ajout de journées",
        "18 octobre 2019",
        "Journée supplémentaire : retour d'expérience",
        "Avant le présent avenant",
        "7 200,00 €",
        "Après le présent avenant",
        "8 400,00 €",
        "Calendrier de l'action après avenant",
        "7 journées, soit 49 heures de formation",
        "du vendredi 22 mars 2019 au vendredi 18 octobre 2019",
        "Les autres dispositions de la convention demeurent inchangées",
        "à Vichy, le 4 octobre 2019",
        "Pour l'organisme de formation",
        "lu et approuvé",
    ] {
        assert_contains(&text, needle);
    }
    let articles: Vec<usize> = (1..=4)
        .map(|n| {
            text.find(&format!("Article {n} –"))
                .unwrap_or_else(|| panic!("Article {n} is missing"))
        })
        .collect();
    assert!(articles.windows(2).all(|w| w[0] < w[1]));
    assert!(!text.contains("Article 5 –"));
}

#[test]
fn moved_dates_are_listed_from_and_to() {
    let mut doc = seed::amendment();
    doc.number = 2;
    doc.reason = None;
    doc.changes = vec![AmendmentChange::MoveDates {
        moves: vec![(seed::date(2019, 4, 12), seed::date(2019, 4, 19))],
    }];
    doc.days_after[1].date = seed::date(2019, 4, 19);
    let text = pdf_text(&amendment::render(&doc).unwrap());
    assert_contains(&text, "Avenant n° 2");
    assert_contains(&text, "Report de dates");
    assert_contains(
        &text,
        "la journée du vendredi 12 avril 2019 est reportée au vendredi 19 avril 2019",
    );
    assert_contains(&text, "demeurent inchangées");
    assert!(!text.contains("Motif"));
}

#[test]
fn an_amendment_without_changes_is_refused() {
    let mut doc = seed::amendment();
    doc.changes.clear();
    assert!(matches!(
        amendment::render(&doc),
        Err(DocumentError::InvalidData(_))
    ));
}
