use chrono::{NaiveDate, NaiveTime};
use proptest::prelude::*;

use super::*;
use crate::completeness::{Indicator1Item, check};
use crate::duration::Minutes;
use crate::program::{DelayUnit, HeadcountRange, Prerequisites, ProgramKind, SectionRole};

const SEED: &str = include_str!("../../../../fixtures/seed/caf03-ctg-acculturation.txt");

fn seed() -> Program {
    parse_catalogue_page(SEED).expect("the seed page imports")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn seed_identity_and_summary() {
    let p = seed();
    assert!(p.title.starts_with("2019- Formation /Action- Accompagnement du pôle"), "{}", p.title);
    assert!(p.title.ends_with("CAF 03"));
    assert_eq!(p.kind, ProgramKind::Intra);
    assert_eq!(p.tag.as_deref(), Some("CL"));
    assert_eq!(p.audience.as_deref(), Some("1 groupe d'agents de la Caf de l'Allier"));
    assert_eq!(p.category.as_deref(), Some("Chantiers locaux"));
    assert_eq!(p.updated_on, Some(date(2026, 5, 20)));
    assert!(p.practical.markdown.as_deref().unwrap().contains("Planification sur le site"));
    assert_eq!(p.trainers.len(), 1);
    assert_eq!(p.trainers[0].name, "Thierry CHEINE");
    assert_eq!(p.trainers[0].provider.as_deref(), Some("ACCOLADES"));
    assert!(p.satisfaction.is_none());
    assert!(p.prices.is_empty());
    for empty in ["Tarifs", "Modalités d'animation", "Effectif", "Taux de satisfaction", "Tarif / Coût stagiaire"] {
        assert!(p.empty_sections.iter().any(|s| s == empty), "{empty} recorded as empty: {:?}", p.empty_sections);
    }
}

#[test]
fn seed_structured_values() {
    let p = seed();
    assert_eq!(p.duration.days, Some(6));
    assert_eq!(p.practical.hours_per_day, Some(7));
    assert_eq!(p.duration.minutes, Some(Minutes(42 * 60)));
    assert_eq!(p.practical.daily_start, NaiveTime::from_hms_opt(9, 0, 0));
    assert_eq!(p.practical.daily_end, NaiveTime::from_hms_opt(17, 0, 0));
    assert_eq!(p.practical.places, vec!["Moulins", "Vichy", "Montluçon"]);
    let day1 = p.practical.days.iter().find(|d| d.day == Some(1)).expect("day 1");
    assert_eq!(day1.module, Some(1));
    assert_eq!(day1.date, Some(date(2019, 3, 22)));
    assert!(day1.label.as_deref().unwrap().starts_with("Acculturation CTG"), "{:?}", day1.label);
    assert_eq!(p.headcount.min, Some(15));
    assert_eq!(p.headcount.max, Some(20));
    let ranges = &p.headcount.per_day;
    assert!(ranges.contains(&HeadcountRange { min: 15, max: 20, first_day: Some(1), last_day: Some(3) }), "{ranges:?}");
    assert!(ranges.contains(&HeadcountRange { min: 5, max: 8, first_day: Some(4), last_day: Some(4) }), "{ranges:?}");
    assert!(ranges.contains(&HeadcountRange { min: 30, max: 40, first_day: Some(1), last_day: Some(1) }), "{ranges:?}");
    assert_eq!(p.access_delays.intra.map(|d| (d.amount, d.unit)), Some((15, DelayUnit::Days)));
    assert_eq!(p.access_delays.inter.map(|d| (d.amount, d.unit)), Some((1, DelayUnit::Months)));
    assert_eq!(p.contacts.phones, vec!["02 99 29 82 42", "02 99 29 82 43"]);
}

#[test]
fn seed_content_keeps_its_structure() {
    let p = seed();
    let headings: Vec<&str> = p.content.iter().map(|s| s.heading.as_str()).collect();
    assert_eq!(p.content[0].heading, "ANNEXE 1 A LA CONVENTION EGOC / CAF de l'Allier N°26/19");
    for expected in ["Objectifs Généraux", "Public", "Contenu", "Journée 1 – le 22 mars 2019", "Méthodes pédagogiques", "Intervenant", "Contexte de la mission"] {
        assert!(headings.contains(&expected), "{expected} in {headings:?}");
    }
    let objectives = p.section_with_role(SectionRole::Objectives).unwrap();
    assert!(objectives.markdown.contains("- **Donner un sens nouveau"), "bold kept in lists");
    assert!(p.objectives.iter().any(|o| o.starts_with("Donner un sens nouveau")));
    assert!(p.objectives.len() >= 10);
    assert!(p.section_with_role(SectionRole::Audience).unwrap().markdown.contains("équipes projet pluridisciplinaires"));
    // A sentence split by the scrape is mended.
    let audience = &p.section_with_role(SectionRole::Audience).unwrap().markdown;
    assert!(audience.contains("dans le cadre des modules 1 et 2 de la formation/action semble aussi important"));
    let methods = p.section_with_role(SectionRole::Methods).unwrap();
    assert!(methods.markdown.contains("Une conduite participative du projet de formation"));
    assert!(p.has_methods());
}

#[test]
fn seed_evaluation_modalities() {
    let e = seed().evaluation;
    assert!(e.upstream.as_deref().unwrap().starts_with("sous forme d'un questionnaire"));
    assert!(e.ongoing.as_deref().unwrap().contains("mises en situations"));
    assert!(e.hot.as_deref().unwrap().contains("bilan oral"));
    assert_eq!(e.cold.as_deref(), Some("réalisée avec un outil interne Caf"));
    let certificates: Vec<(&str, &str)> = e.certificates.iter().map(|c| (c.heading.as_str(), c.markdown.as_str())).collect();
    assert_eq!(certificates[0], ("Attestation de suivi", "Feuille de présence"));
    assert_eq!(certificates[1].0, "Attestation de participation");
    assert!(certificates[1].1.ends_with("sera remise aux stagiaires à l'issue de la formation"), "{}", certificates[1].1);
    assert!(e.markdown.as_deref().unwrap().contains("un **bilan** est réalisé"));
}

#[test]
fn seed_completeness_matches_indicator_1() {
    let p = seed();
    let c = check(&p, date(2026, 11, 29));
    assert_eq!(c.missing, vec![Indicator1Item::Prerequisites, Indicator1Item::Prices]);
    assert_eq!(c.missing_codes(), vec!["prerequisites", "prices"]);
    assert!(!c.outdated);
    assert!(check(&p, date(2027, 5, 21)).outdated);
    assert!(!check(&p, date(2027, 5, 20)).outdated);
    assert!(p.accessibility.as_deref().unwrap().contains("registre public d'accessibilité"));
    assert_eq!(p.prerequisites, Prerequisites::Unspecified);
}

#[test]
fn seed_slug_is_stable() {
    assert_eq!(
        seed().slug.as_str(),
        "2019-formation-action-accompagnement-du-pole-service-aux-partenaires-et-accompagnement-social-ctg"
    );
}

const MINIMAL: &str = "Inter RA\n\n### Catégorie\n\nRelation allocataires\n\n### Tarifs\n\n1 350 € net par jour pour un groupe (exonéré de TVA)\n\n### Taux de satisfaction\n\n94,5 % de stagiaires satisfaits (52 répondants, 2025)\n\n### Tarif / Coût stagiaire\n\n390 € HT par stagiaire\n\n## Accueillir en situation de tension\n\nMAJ : Lundi 2 novembre 2026\n\n### Contenu\n\n**Durée et dates : 2 jours**\n\n#### Prérequis\n\nAucun prérequis.\n\n#### Objectifs\n\n- Identifier les signes de tension\n- Adapter sa posture\n\n#### Une rubrique inconnue\n\nGardée telle quelle.\n\n## Annexe libre\n\nTexte annexe.\n\n---\n\nDélais d'accès :\n\nRéponse sous 3 semaines.\n\n---\n\nContact : formation@egoc.example, +33 2 99 29 82 42\n";

#[test]
fn structured_prices_prerequisites_and_unknown_sections() {
    let p = parse_catalogue_page(MINIMAL).unwrap();
    assert_eq!(p.kind, ProgramKind::Inter);
    let group = p.prices.per_group_day.unwrap();
    assert_eq!(group.cents, 135_000);
    assert_eq!(group.vat, crate::money::VatTreatment::Exempt);
    assert_eq!(p.prices.per_trainee.unwrap().vat, crate::money::VatTreatment::ExcludingVat);
    let rate = p.satisfaction.unwrap();
    assert_eq!((rate.per_mille, rate.respondents, rate.period.as_str()), (945, 52, "2025"));
    assert_eq!(p.prerequisites, Prerequisites::NoneRequired);
    assert_eq!(p.objectives, vec!["Identifier les signes de tension", "Adapter sa posture"]);
    assert!(p.content.iter().any(|s| s.heading == "Une rubrique inconnue" && s.markdown == "Gardée telle quelle."));
    assert_eq!(p.content[0].heading, "", "the text under « Contenu » has no subsection heading");
    assert!(p.content[0].markdown.starts_with("**Durée et dates : 2 jours**"));
    assert!(p.other_sections.iter().any(|s| s.heading == "Annexe libre"));
    assert_eq!(p.access_delays.inter.map(|d| (d.amount, d.unit)), Some((3, DelayUnit::Weeks)));
    assert_eq!(p.contacts.emails, vec!["formation@egoc.example"]);
    assert_eq!(p.contacts.phones, vec!["02 99 29 82 42"]);
    assert_eq!(p.duration.days, Some(2));
}

#[test]
fn bad_pages_are_refused_with_a_line_and_a_reason() {
    assert_eq!(decode_page(b"  \n\n").unwrap_err().reason, "le fichier est vide");
    let bin = decode_page(b"Inter\n## T\n\x00\x01").unwrap_err();
    assert_eq!(bin.line, 3);
    assert!(bin.reason.contains("binaire"));
    let latin1 = decode_page(b"Inter\n## Caf\xe9\n").unwrap_err();
    assert_eq!(latin1.line, 2);
    assert!(latin1.reason.contains("UTF-8"));

    let not_a_page = parse_catalogue_page("Bonjour,\n\nvoici mon CV.\n").unwrap_err();
    assert!(not_a_page.reason.contains("ce n'est pas une page de catalogue"), "{not_a_page}");
    let no_kind = parse_catalogue_page("## Un titre\n\nTexte\n").unwrap_err();
    assert!(no_kind.reason.contains("Intra"));
    let bad_date = parse_catalogue_page("Inter\n\n## Titre\n\nMAJ : bientôt\n").unwrap_err();
    assert_eq!(bad_date.line, 5);
    assert!(bad_date.reason.contains("date de mise à jour illisible"));
    let bare_rate = parse_catalogue_page("Inter\n\n### Taux de satisfaction\n\n95 %\n\n## Titre\n").unwrap_err();
    assert_eq!(bare_rate.line, 3);
    assert!(bare_rate.reason.contains("répondants"));
    let empty_title = parse_catalogue_page("Inter\n\n## **  **\n").unwrap_err();
    assert_eq!(empty_title.line, 3);
}

#[test]
fn demo_catalogue_pages_all_import() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../forma/demo/catalogue");
    let mut count = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let p = parse_catalogue_page(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(p.duration.days.is_some(), "{}", path.display());
        assert!(p.category.is_some(), "{}", path.display());
        assert!(!p.objectives.is_empty(), "{}", path.display());
        assert!(!p.contacts.phones.is_empty(), "{}", path.display());
        assert!(p.access_delays.intra.is_some(), "{}", path.display());
        count += 1;
    }
    assert!(count >= 30);
}

proptest! {
    #[test]
    fn never_panics_on_arbitrary_text(text in "\\PC{0,400}") {
        let _ = parse_catalogue_page(&text);
    }

    #[test]
    fn never_panics_on_page_like_text(lines in proptest::collection::vec(
        prop_oneof![
            Just("## Titre".to_owned()), Just("### Public".to_owned()), Just("#### Objectifs".to_owned()),
            Just("Inter CL".to_owned()), Just("---".to_owned()), Just(String::new()), Just("MAJ : 3 mai 2026".to_owned()),
            Just("- **gras** item".to_owned()), Just("entre 5 et 3 personnes pour J9".to_owned()),
            Just("### Tarifs".to_owned()), Just("999999999999999999 €".to_owned()), Just("Accessibilité:".to_owned()),
            "\\PC{0,40}",
        ], 0..60)) {
        let _ = parse_catalogue_page(&lines.join("\n"));
    }
}
