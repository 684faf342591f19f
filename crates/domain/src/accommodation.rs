//! Accommodation requests (« demandes d'aménagement », situations de handicap): a trainee states
//! a need from their personal page; the référent handicap analyses it, decides the accommodation
//! and communicates to the trainer and the venue what they must know to provide it.
//!
//! Data minimisation: the need, in the person's words, may reveal health details. It is kept
//! apart from the registration and read only by the référent's staff. What the trainer and the
//! venue are told (`communicated_note`) is a separate text, written to carry no health detail.

use serde::Serialize;

use crate::validation::FieldErrors;

/// The need in the person's own words, at most this many characters.
pub const NEED_MAX: usize = 2000;
/// The decision, at most this many characters.
pub const DECISION_MAX: usize = 2000;
/// What the trainer and the venue are told, at most this many characters.
pub const NOTE_MAX: usize = 1000;

/// Where a request stands. It only moves forward, one step at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AccommodationStatus {
    Received,
    Analysed,
    /// The accommodation is decided.
    Decided,
    /// Communicated to the trainer and the venue.
    Communicated,
}

impl AccommodationStatus {
    pub const ALL: [AccommodationStatus; 4] = [Self::Received, Self::Analysed, Self::Decided, Self::Communicated];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Analysed => "analysed",
            Self::Decided => "decided",
            Self::Communicated => "communicated",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Received => "reçue",
            Self::Analysed => "analysée",
            Self::Decided => "aménagement décidé",
            Self::Communicated => "communiquée au formateur et au lieu",
        }
    }

    /// The status that follows, `None` once communicated.
    pub fn next(self) -> Option<Self> {
        match self {
            Self::Received => Some(Self::Analysed),
            Self::Analysed => Some(Self::Decided),
            Self::Decided => Some(Self::Communicated),
            Self::Communicated => None,
        }
    }
}

/// Checks the need as typed: required, at most [`NEED_MAX`] characters. Returns it trimmed.
pub fn validate_need(text: &str) -> Result<String, FieldErrors> {
    let need = text.trim();
    let mut errors = FieldErrors::default();
    if need.is_empty() {
        errors.add("need", "Décrivez votre besoin en quelques mots : ce qui vous aiderait à suivre la formation.");
    } else if need.chars().count() > NEED_MAX {
        errors.add("need", format!("Votre message dépasse {NEED_MAX} caractères ({} saisis) : raccourcissez-le.", need.chars().count()));
    }
    errors.into_result().map(|()| need.to_owned())
}

/// A move to the next status, with the text that status requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Analysed,
    Decided { decision: String },
    Communicated { note: String },
}

impl Step {
    pub fn status(&self) -> AccommodationStatus {
        match self {
            Step::Analysed => AccommodationStatus::Analysed,
            Step::Decided { .. } => AccommodationStatus::Decided,
            Step::Communicated { .. } => AccommodationStatus::Communicated,
        }
    }
}

fn bounded(errors: &mut FieldErrors, field: &str, text: &str, max: usize, missing: &str) -> String {
    let text = text.trim();
    if text.is_empty() {
        errors.add(field, missing);
    } else if text.chars().count() > max {
        errors.add(field, format!("Ce texte dépasse {max} caractères ({} saisis) : raccourcissez-le.", text.chars().count()));
    }
    text.to_owned()
}

/// Checks a move from `current` to the status named `to` (its `as_str`), with the decision or the
/// note it needs. Only the next status is allowed: a request never goes back, nor skips a step.
pub fn validate_step(current: AccommodationStatus, to: &str, decision: &str, note: &str) -> Result<Step, FieldErrors> {
    let mut errors = FieldErrors::default();
    let Some(to) = AccommodationStatus::parse(to) else {
        errors.add("status", "Choisissez l'étape suivante de la demande.");
        return Err(errors);
    };
    if current.next() != Some(to) {
        let message = if to <= current {
            format!("La demande est déjà « {} » : elle ne revient pas en arrière.", current.label())
        } else {
            match current.next() {
                Some(next) => format!("Les étapes se suivent dans l'ordre : l'étape suivante est « {} ».", next.label()),
                None => "La demande est close : l'aménagement a été communiqué.".to_owned(),
            }
        };
        errors.add("status", message);
        return Err(errors);
    }
    let step = match to {
        AccommodationStatus::Analysed => Step::Analysed,
        AccommodationStatus::Decided => Step::Decided {
            decision: bounded(&mut errors, "decision", decision, DECISION_MAX, "Indiquez l'aménagement décidé (ou la raison pour laquelle aucun n'est retenu)."),
        },
        AccommodationStatus::Communicated => Step::Communicated {
            note: bounded(
                &mut errors,
                "note",
                note,
                NOTE_MAX,
                "Indiquez ce que le formateur et le lieu doivent savoir pour mettre l'aménagement en place (sans détail de santé).",
            ),
        },
        AccommodationStatus::Received => unreachable!("received is never the next status"),
    };
    errors.into_result().map(|()| step)
}

#[cfg(test)]
mod tests {
    use super::*;
    use AccommodationStatus::*;

    #[test]
    fn statuses_round_trip_and_go_forward_one_step_at_a_time() {
        for s in AccommodationStatus::ALL {
            assert_eq!(AccommodationStatus::parse(s.as_str()), Some(s));
            assert!(!s.label().is_empty());
        }
        assert_eq!(Received.next(), Some(Analysed));
        assert_eq!(Analysed.next(), Some(Decided));
        assert_eq!(Decided.next(), Some(Communicated));
        assert_eq!(Communicated.next(), None);
        assert!(Received < Analysed && Analysed < Decided && Decided < Communicated);
    }

    #[test]
    fn the_need_is_required_and_bounded() {
        assert_eq!(validate_need("  Fauteuil roulant.  ").unwrap(), "Fauteuil roulant.");
        assert!(validate_need("   ").unwrap_err().get("need").unwrap().contains("Décrivez"));
        assert_eq!(validate_need(&"é".repeat(NEED_MAX)).unwrap().chars().count(), NEED_MAX);
        assert!(validate_need(&"é".repeat(NEED_MAX + 1)).unwrap_err().get("need").unwrap().contains("2000"));
    }

    #[test]
    fn only_the_next_status_is_allowed() {
        assert_eq!(validate_step(Received, "analysed", "", ""), Ok(Step::Analysed));
        assert_eq!(validate_step(Analysed, "decided", " Tiers temps ", ""), Ok(Step::Decided { decision: "Tiers temps".into() }));
        assert_eq!(validate_step(Decided, "communicated", "", "Salle au rez-de-chaussée"), Ok(Step::Communicated { note: "Salle au rez-de-chaussée".into() }));
        // Backwards, the same status, skipping, closed, unknown.
        assert!(validate_step(Decided, "analysed", "", "").unwrap_err().get("status").unwrap().contains("en arrière"));
        assert!(validate_step(Analysed, "analysed", "", "").unwrap_err().get("status").unwrap().contains("en arrière"));
        assert!(validate_step(Received, "decided", "x", "").unwrap_err().get("status").unwrap().contains("dans l'ordre"));
        assert!(validate_step(Communicated, "communicated", "", "x").is_err());
        assert!(validate_step(Received, "received", "", "").is_err());
        assert!(validate_step(Received, "n'importe", "", "").unwrap_err().get("status").is_some());
    }

    #[test]
    fn decided_needs_a_decision_and_communicated_a_note() {
        assert!(validate_step(Analysed, "decided", "  ", "").unwrap_err().get("decision").is_some());
        assert!(validate_step(Analysed, "decided", &"a".repeat(DECISION_MAX + 1), "").unwrap_err().get("decision").is_some());
        assert!(validate_step(Decided, "communicated", "", "").unwrap_err().get("note").is_some());
        assert!(validate_step(Decided, "communicated", "", &"a".repeat(NOTE_MAX + 1)).unwrap_err().get("note").is_some());
        assert_eq!(Step::Communicated { note: "x".into() }.status(), Communicated);
    }
}
