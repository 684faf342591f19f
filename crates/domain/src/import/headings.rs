//! Which field a heading (or a heading-like line) announces.

use super::blocks::plain_text;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionKind {
    // The summary block (« ### Public », « ### Catégorie »…).
    Audience,
    Practical,
    Category,
    PricesGroup,
    PricesTrainee,
    Animation,
    Trainers,
    Headcount,
    Satisfaction,
    // The content and what it holds.
    ContentStart,
    Content,
    Objectives,
    Prerequisites,
    AudienceDetails,
    Methods,
    Trainer,
    Evaluation,
    Accessibility,
    AccessDelays,
    Contacts,
    /// Text after a rule, before any label: usually the contact lines.
    Trailer,
    Unknown,
}

/// The field a heading names, if the importer knows it. `level` is the number of `#` (a
/// heading-like plain line counts as 4): the summary uses `###`, the content `####`.
pub fn recognise(heading: &str, level: usize) -> Option<SectionKind> {
    use SectionKind::*;
    let folded = deunicode::deunicode(&plain_text(heading)).to_lowercase();
    let h = folded.trim_end_matches([':', ' ']).trim();
    let summary = level <= 3;
    let kind = match h {
        "public" | "public concerne" | "publics" => {
            if summary { Audience } else { AudienceDetails }
        }
        "categorie" | "categories" => Category,
        "tarifs" | "tarif" | "prix" => PricesGroup,
        "formateur" | "formateurs" | "formatrice" | "formatrices" if summary => Trainers,
        "formateur" | "formateurs" | "formatrice" | "formatrices" | "intervenant" | "intervenants" => Trainer,
        "effectif" | "effectifs" => Headcount,
        "contenu" | "contenus" => {
            if summary { ContentStart } else { Content }
        }
        _ if h.starts_with("modalites pratiques") => Practical,
        _ if h.starts_with("tarif /") || h.contains("cout stagiaire") || h.starts_with("tarif par stagiaire") => PricesTrainee,
        _ if h.starts_with("modalites d'animation") || h.starts_with("modalites d'animation") => Animation,
        _ if h.starts_with("taux de satisfaction") => Satisfaction,
        _ if h.starts_with("objectif") => Objectives,
        _ if h.starts_with("prerequis") || h.starts_with("pre-requis") || h.starts_with("pre requis") => Prerequisites,
        _ if h.starts_with("methodes") || h.starts_with("moyens pedagogiques") => Methods,
        _ if h.starts_with("modalites d'evaluation") || h.starts_with("evaluation") => Evaluation,
        _ if h.starts_with("accessibilite") => Accessibility,
        _ if h.starts_with("delai") => AccessDelays,
        _ if h.starts_with("contact") => Contacts,
        _ => return None,
    };
    Some(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_and_content_headings() {
        assert_eq!(recognise("Public", 3), Some(SectionKind::Audience));
        assert_eq!(recognise("Public", 4), Some(SectionKind::AudienceDetails));
        assert_eq!(recognise("Tarif / Coût stagiaire", 3), Some(SectionKind::PricesTrainee));
        assert_eq!(recognise("Modalités d'animation", 3), Some(SectionKind::Animation));
        assert_eq!(recognise("Objectifs Généraux", 4), Some(SectionKind::Objectives));
        assert_eq!(recognise("Délais d'accès à la formation:", 4), Some(SectionKind::AccessDelays));
        assert_eq!(recognise("Modalités d'évaluation et sanction de la formation", 4), Some(SectionKind::Evaluation));
        assert_eq!(recognise("Elle se traduit ainsi par", 4), None);
    }
}
