//! The convention de formation professionnelle (articles L.6353-1 and D.6353-1 of the Code du
//! travail), with the program annexed.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::{AnnexedProgram, Organisation, Party, PlannedDay, Price};
use crate::render::{self, Obj};
use crate::{DocumentError, format};

/// Everything printed on a convention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConventionDocument {
    /// « 26/19 ».
    pub number: String,
    pub issued_on: NaiveDate,
    /// « INTRA » or « INTER ».
    pub kind: String,
    pub organisation: Organisation,
    pub client: Party,
    pub program: AnnexedProgram,
    pub days: Vec<PlannedDay>,
    /// « 15 à 20 agents par journée », or a list of names.
    pub trainees: Option<String>,
    pub price: Price,
    pub payment_terms: String,
    /// Modalités de suivi (émargement par demi-journée…).
    pub follow_up: String,
    /// Modalités de sanction (certificat de réalisation, attestation…).
    pub sanction: String,
    /// `None` leaves the date after « Fait à …, le » blank, to be written by hand.
    pub signed_on: Option<NaiveDate>,
}

/// Renders the convention as a PDF/A-2b file.
pub fn render(doc: &ConventionDocument) -> Result<Vec<u8>, DocumentError> {
    render::pdf(render::CONVENTION, inputs(doc)?.into_dict(), doc.issued_on)
}

/// « Formation INTRA : … » — what the nature of the action means, in words.
pub fn kind_label(kind: &str) -> String {
    match kind.trim().to_uppercase().as_str() {
        "INTRA" => "action INTRA, organisée pour le seul personnel du client.".to_owned(),
        "INTER" => "action INTER, ouverte à des stagiaires de plusieurs employeurs.".to_owned(),
        _ => format!("{}.", kind.trim()),
    }
}

/// Program sections that describe the pedagogical and technical means (« Méthodes
/// pédagogiques », « Moyens techniques », « Encadrement »…), printed in the body of the
/// convention as D.6353-1 requires; the whole program is annexed anyway.
fn is_means(heading: &str) -> bool {
    let heading = heading.to_lowercase();
    [
        "moyen",
        "méthode",
        "methode",
        "pédagog",
        "pedagog",
        "technique",
        "encadrement",
    ]
    .iter()
    .any(|word| heading.contains(word))
}

fn inputs(doc: &ConventionDocument) -> Result<Obj, DocumentError> {
    if doc.number.trim().is_empty() {
        return Err(DocumentError::InvalidData(
            "la convention n'a pas de numéro".to_owned(),
        ));
    }
    if doc.program.title.trim().is_empty() {
        return Err(DocumentError::InvalidData(
            "l'action de formation n'a pas d'intitulé".to_owned(),
        ));
    }
    doc.price.check()?;
    let days = render::sorted_days(&doc.days)?;
    let means: Vec<Obj> = doc
        .program
        .sections
        .iter()
        .filter(|(heading, body)| is_means(heading) && !body.trim().is_empty())
        .map(|(heading, body)| render::section(heading, body))
        .collect();
    Ok(Obj::new()
        .set("number", doc.number.trim())
        .set("issued_on", format::date(doc.issued_on))
        .set("kind", doc.kind.trim())
        .set("kind_label", render::typo(&kind_label(&doc.kind)))
        .set("organisation", render::organisation(&doc.organisation))
        .set("client", render::party(&doc.client))
        .set("program", render::program(&doc.program))
        .set("means", means)
        .set("planning", render::planning(&days))
        .set("trainees", render::text(doc.trainees.as_deref()))
        .set("price", render::price(&doc.price))
        .set("payment_terms", render::typo(&doc.payment_terms))
        .set("follow_up", render::typo(&doc.follow_up))
        .set("sanction", render::typo(&doc.sanction))
        .set(
            "signature",
            render::signature(&doc.organisation, doc.signed_on),
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn means_sections_are_recognised() {
        assert!(is_means("Méthodes pédagogiques"));
        assert!(is_means("Moyens techniques et d'encadrement"));
        assert!(!is_means("Contenu"));
        assert!(!is_means("Modalités d'évaluation"));
    }

    #[test]
    fn kind_labels() {
        assert!(kind_label("INTRA").contains("seul personnel du client"));
        assert!(kind_label(" inter ").starts_with("action INTER"));
        assert_eq!(kind_label("Sur mesure"), "Sur mesure.");
    }
}
