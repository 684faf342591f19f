//! The convention de formation: rendered from the seed action, read back with poppler.

mod common;

use common::{assert_contains, flat, page_count, page_text, pdf_text, poppler, seed};
use forma_documents::DocumentError;
use forma_documents::convention::{self, ConventionDocument};

fn render(doc: &ConventionDocument) -> Vec<u8> {
    convention::render(doc).expect("the convention renders")
}

#[test]
fn seed_convention_carries_the_mentions_of_d6353_1() {
    let pdf = render(&seed::convention());
    assert!(pdf.starts_with(b"%PDF"), "not a PDF");
    let text = pdf_text(&pdf);
    for needle in [
        // Title, legal basis, parties.
        "Convention de formation professionnelle n° 26/19",
        "L.6353-1",
        "D.6353-1",
        "EGOC",
        "84 03 01234 03",
        "cet enregistrement ne vaut pas agrément de l'État",
        "SIRET : 123 456 782 00010",
        "CAF de l'Allier",
        "8 rue Achille Roche",
        "03000 Moulins",
        "Représenté par Mme Anne MARTIN, directrice",
        // Intitulé, objectifs, nature, moyens.
        "Accompagner la démarche de Convention Territoriale Globale",
        "gagner en efficacité et en cohérence",
        "action INTRA",
        "Moyens pédagogiques et techniques",
        "Méthodes d'animation participatives",
        // Durée and période (6 × 7 h), déroulement, suivi, sanction.
        "6 journées, soit 42 heures de formation",
        "du vendredi 22 mars 2019 au vendredi 27 septembre 2019",
        "Modalités de déroulement",
        "Feuilles d'émargement signées par demi-journée",
        "Certificat de réalisation remis au client",
        // Planning table.
        "22 mars 2019",
        "Acculturation CTG",
        "9 h 00 – 12 h 30",
        "13 h 30 – 17 h 00",
        "Thierry CHEINE",
        "30 à 40 personnes",
        "Montluçon",
        // Price.
        "par journée de groupe",
        "1 200,00 €",
        "6 journées de groupe",
        "7 200,00 €",
        "Exonération de TVA, article 261-4-4°a du CGI",
        "Total TTC",
        "Règlement à 30 jours",
        // Clauses.
        "L.6354-1",
        "indûment perçues",
        "tribunal compétent",
        "Durée de la convention",
        // Signatures.
        "Fait en deux exemplaires originaux, à Vichy, le",
        "Pour l'organisme de formation",
        "Pour le client",
        "lu et approuvé",
        // Annex.
        "Annexe : programme de la formation, version 1 du 15 février 2019",
        "Modalités d'évaluation",
        "Accessibilité",
    ] {
        assert_contains(&text, needle);
    }
    // The program's light Markdown is read, not printed.
    assert_contains(&text, "Journée 1 – le 22 mars 2019");
    assert_contains(&text, "Module 2 : portraits de territoire");
    assert_contains(&text, "(voir le site de l'organisme)");
    for markup in ["**", "####", "](http"] {
        assert!(!text.contains(markup), "« {markup} » printed");
    }
    // The articles are numbered in order.
    let positions: Vec<usize> = (1..=8)
        .map(|n| {
            text.find(&format!("Article {n} –"))
                .unwrap_or_else(|| panic!("Article {n} is missing"))
        })
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
}

#[test]
fn pages_are_numbered_and_the_annex_starts_a_new_page() {
    let pdf = render(&seed::convention());
    let pages = page_count(&pdf);
    assert!(pages >= 3, "{pages} pages");
    let annex_page = (1..=pages)
        .find(|&p| flat(&page_text(&pdf, p)).contains("Annexe : programme de la formation"))
        .expect("a page holds the annex");
    let before = flat(&page_text(&pdf, annex_page - 1));
    assert_contains(&before, "Pour le client");
    let annex = flat(&page_text(&pdf, annex_page));
    assert!(!annex.contains("Pour le client"), "annex page: {annex}");
    for p in 1..=pages {
        assert_contains(&flat(&page_text(&pdf, p)), &format!("page {p} / {pages}"));
    }
}

#[test]
fn pdf_is_pdf_a_2b_dated_from_issue_with_embedded_fonts() {
    let pdf = render(&seed::convention());
    let meta = poppler("pdfinfo", &["-meta"], &pdf);
    assert_contains(&meta, "pdfaid:part");
    assert!(
        meta.contains("<pdfaid:part>2</pdfaid:part>") || meta.contains("pdfaid:part=\"2\""),
        "{meta}"
    );
    assert!(meta.contains("2019-02-15"), "no issue date in XMP: {meta}");
    let info = poppler("pdfinfo", &[], &pdf);
    assert_contains(&info, "Convention de formation professionnelle n° 26/19");
    let fonts = poppler("pdffonts", &[], &pdf);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty(), "{fonts}");
    for row in rows {
        assert!(
            row.contains("Libertinus") || row.contains("DejaVu"),
            "{row}"
        );
        // Columns: name type encoding emb sub uni object ID
        let cols: Vec<&str> = row.split_whitespace().collect();
        let emb = cols[cols.len() - 5];
        assert_eq!(emb, "yes", "font not embedded: {row}");
    }
}

#[test]
fn without_nda_the_convention_says_registration_is_pending() {
    let mut doc = seed::convention();
    doc.organisation.nda = None;
    let text = pdf_text(&render(&doc));
    assert_contains(&text, "en cours d'enregistrement");
    assert!(!text.contains("84 03 01234 03"));
}

#[test]
fn markup_in_the_data_is_printed_verbatim() {
    let evil = "Client #set text(red) *bold* $x$ ] _u_ <lab> @ref // x \\ `raw` #(1+1)";
    let mut doc = seed::convention();
    doc.client.name = evil.into();
    doc.program.title = format!("Titre {evil}");
    doc.days[0].place = format!("Salle {evil}");
    doc.organisation.party.representative = Some("#pagebreak() ]) [".into());
    doc.payment_terms = "= Faux titre\n- pas une liste".into();
    let text = pdf_text(&render(&doc));
    for needle in [
        "#set text(red)",
        "*bold*",
        "$x$",
        " ] ",
        "_u_",
        "<lab>",
        "@ref",
        "// x \\",
        "`raw`",
        "#(1+1)",
        "#pagebreak() ]) [",
        "= Faux titre - pas une liste",
    ] {
        assert_contains(&text, needle);
    }
}

#[test]
fn organisation_comes_from_the_data_not_the_template() {
    let mut doc = seed::convention();
    doc.organisation.party.name = "Organisme Témoin".into();
    doc.organisation.party.email = Some("contact@temoin.fr".into());
    doc.organisation.party.siret = Some("98765432100017".into());
    doc.organisation.nda = Some("11 75 99999 75".into());
    doc.organisation.city = "Lyon".into();
    doc.number = "3/24".into();
    let text = pdf_text(&render(&doc));
    assert_contains(&text, "Organisme Témoin");
    assert_contains(&text, "11 75 99999 75");
    assert_contains(&text, "987 654 321 00017");
    assert_contains(&text, "à Lyon, le");
    assert_contains(&text, "Convention de formation professionnelle n° 3/24");
    for absent in ["EGOC", "84 03 01234 03", "Vichy, le", "26/19"] {
        assert!(!text.contains(absent), "« {absent} » leaked into:\n{text}");
    }
}

#[test]
fn templates_hold_no_organisation_data() {
    for template in [
        include_str!("../templates/common.typ"),
        include_str!("../templates/convention.typ"),
        include_str!("../templates/avenant.typ"),
    ] {
        for data in ["EGOC", "Vichy", "Allier", "26/19", "CHEINE"] {
            assert!(!template.contains(data), "a template holds « {data} »");
        }
    }
}

#[test]
fn signature_date_and_vat() {
    let mut doc = seed::convention();
    doc.signed_on = Some(seed::date(2019, 2, 20));
    doc.price.vat_rate_basis_points = Some(2000);
    doc.price.vat_exemption_note = None;
    let text = pdf_text(&render(&doc));
    assert_contains(&text, "à Vichy, le 20 février 2019");
    assert_contains(&text, "TVA 20 % 1 440,00 €");
    assert_contains(&text, "Total TTC 8 640,00 €");
}

#[test]
fn a_half_day_ending_before_it_starts_is_refused() {
    let mut doc = seed::convention();
    doc.days[1].morning = Some((seed::time(12, 30), seed::time(9, 0)));
    match convention::render(&doc) {
        Err(DocumentError::InvalidData(message)) => {
            assert!(message.contains("vendredi 12 avril 2019"), "{message}");
            let shown = DocumentError::InvalidData(message).to_string();
            assert!(
                shown.starts_with("données du document invalides"),
                "{shown}"
            );
        }
        other => panic!("expected invalid data, got {other:?}"),
    }
}

#[test]
fn days_are_listed_in_date_order_and_a_convention_without_days_still_renders() {
    let mut doc = seed::convention();
    doc.days.reverse();
    let text = pdf_text(&render(&doc));
    let first = text.find("Acculturation CTG").expect("day 1");
    let last = text.find("Bilan et feuille de route").expect("day 6");
    assert!(first < last);

    doc.days.clear();
    let text = pdf_text(&render(&doc));
    assert_contains(&text, "dates à fixer d'un commun accord");
}

#[test]
fn the_same_data_gives_the_same_bytes() {
    let doc = seed::convention();
    assert_eq!(render(&doc), render(&doc));
}
