//! The plain data the documents are made of, shared by the convention and the avenant.

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::{DocumentError, format};

/// One side of a contract: the training body or its client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub name: String,
    pub address_lines: Vec<String>,
    pub siret: Option<String>,
    /// Who signs, with their function: « Mme X, directrice ».
    pub representative: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// The training body (organisme de formation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    pub party: Party,
    /// Numéro de déclaration d'activité; `None` prints « en cours d'enregistrement ».
    pub nda: Option<String>,
    /// Where documents are signed: « Fait à {city} ».
    pub city: String,
}

/// A planned training day, in local civil time (Europe/Paris).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedDay {
    pub date: NaiveDate,
    /// « Module 1 ».
    pub module: Option<String>,
    /// « Acculturation CTG ».
    pub title: Option<String>,
    pub morning: Option<(NaiveTime, NaiveTime)>,
    pub afternoon: Option<(NaiveTime, NaiveTime)>,
    /// Venue and room: « CAF de l'Allier, Moulins — salle Allier ».
    pub place: String,
    pub trainers: Vec<String>,
    pub audience: Option<String>,
    /// Head-count range, minimum and maximum.
    pub headcount: Option<(u32, u32)>,
}

impl PlannedDay {
    /// The half-days that are planned, in order.
    pub fn half_days(&self) -> impl Iterator<Item = (NaiveTime, NaiveTime)> {
        self.morning.into_iter().chain(self.afternoon)
    }

    /// Training time of the day, in minutes (morning plus afternoon).
    pub fn minutes(&self) -> u32 {
        self.half_days()
            .map(|(start, end)| format::minutes_between(start, end))
            .sum()
    }

    /// A day must have at least one half-day, each ending after it starts, the morning before the
    /// afternoon, and a head-count range whose minimum is not above its maximum.
    pub(crate) fn check(&self) -> Result<(), DocumentError> {
        let day = format::date_with_weekday(self.date);
        if self.morning.is_none() && self.afternoon.is_none() {
            return Err(DocumentError::InvalidData(format!(
                "la journée du {day} n'a aucun horaire"
            )));
        }
        for (label, half) in [
            ("du matin", self.morning),
            ("de l'après-midi", self.afternoon),
        ] {
            if let Some((start, end)) = half
                && end <= start
            {
                return Err(DocumentError::InvalidData(format!(
                    "la journée du {day} : l'horaire {label} finit ({}) avant de commencer ({})",
                    format::time(end),
                    format::time(start)
                )));
            }
        }
        if let (Some((_, morning_end)), Some((afternoon_start, _))) = (self.morning, self.afternoon)
            && afternoon_start < morning_end
        {
            return Err(DocumentError::InvalidData(format!(
                "la journée du {day} : l'après-midi commence avant la fin de la matinée"
            )));
        }
        if let Some((min, max)) = self.headcount
            && min > max
        {
            return Err(DocumentError::InvalidData(format!(
                "la journée du {day} : l'effectif minimum ({min}) dépasse le maximum ({max})"
            )));
        }
        Ok(())
    }
}

/// The program sheet annexed to a convention, frozen at the version that was signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnnexedProgram {
    pub title: String,
    pub version: u32,
    pub updated_on: NaiveDate,
    pub objectives: Vec<String>,
    pub audience: Option<String>,
    pub prerequisites: Option<String>,
    /// As the sheet says it: « 6 jours (42 heures) ».
    pub duration: String,
    /// (heading, plain-text body with `\n`): Contenu, Méthodes pédagogiques, Modalités
    /// d'évaluation, Accessibilité… Lines starting with « - », « • » or « * » are list items.
    pub sections: Vec<(String, String)>,
}

/// What the unit price is charged for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceBasis {
    /// « par journée de groupe »: quantity is a number of days.
    PerGroupDay,
    /// « par stagiaire »: quantity is a number of trainees.
    PerTrainee,
    /// « forfait »: quantity is usually 1.
    Flat,
}

impl PriceBasis {
    /// « par journée de groupe », « par stagiaire », « forfait ».
    pub fn label(self) -> &'static str {
        match self {
            PriceBasis::PerGroupDay => "par journée de groupe",
            PriceBasis::PerTrainee => "par stagiaire",
            PriceBasis::Flat => "forfait",
        }
    }

    /// « 6 journées de groupe », « 12 stagiaires », « 1 forfait ».
    pub fn quantity(self, quantity: u32) -> String {
        let (one, many) = match self {
            PriceBasis::PerGroupDay => ("journée de groupe", "journées de groupe"),
            PriceBasis::PerTrainee => ("stagiaire", "stagiaires"),
            PriceBasis::Flat => ("forfait", "forfaits"),
        };
        format::count_noun(u64::from(quantity), one, many)
    }
}

/// A price in integer cents with its VAT treatment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Price {
    pub basis: PriceBasis,
    pub unit_cents: i64,
    pub quantity: u32,
    /// VAT rate in basis points (2000 = 20 %); `None` when exempt.
    pub vat_rate_basis_points: Option<u32>,
    /// « Exonération de TVA, article 261-4-4°a du CGI ».
    pub vat_exemption_note: Option<String>,
}

impl Price {
    /// Unit price × quantity.
    pub fn total_excl_tax_cents(&self) -> i64 {
        self.unit_cents.saturating_mul(i64::from(self.quantity))
    }

    /// VAT on the total, rounded half up to the cent; 0 when exempt.
    pub fn vat_cents(&self) -> i64 {
        match self.vat_rate_basis_points {
            Some(rate) => format::apply_rate(self.total_excl_tax_cents(), rate),
            None => 0,
        }
    }

    /// Total excluding tax plus VAT.
    pub fn total_incl_tax_cents(&self) -> i64 {
        self.total_excl_tax_cents().saturating_add(self.vat_cents())
    }

    /// The VAT line: « TVA 20 % » or the exemption note.
    pub fn vat_label(&self) -> String {
        match (self.vat_rate_basis_points, &self.vat_exemption_note) {
            (Some(rate), _) => format!("TVA {}", format::percent(rate)),
            (None, Some(note)) if !note.trim().is_empty() => note.trim().to_owned(),
            (None, _) => "TVA non applicable (exonération)".to_owned(),
        }
    }

    pub(crate) fn check(&self) -> Result<(), DocumentError> {
        if self.unit_cents < 0 {
            return Err(DocumentError::InvalidData(format!(
                "le prix unitaire est négatif ({})",
                format::money(self.unit_cents)
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn price(unit_cents: i64, quantity: u32, vat: Option<u32>) -> Price {
        Price {
            basis: PriceBasis::PerGroupDay,
            unit_cents,
            quantity,
            vat_rate_basis_points: vat,
            vat_exemption_note: None,
        }
    }

    #[test]
    fn exempt_price() {
        let p = price(120_000, 6, None);
        assert_eq!(p.total_excl_tax_cents(), 720_000);
        assert_eq!(p.vat_cents(), 0);
        assert_eq!(p.total_incl_tax_cents(), 720_000);
        assert_eq!(p.vat_label(), "TVA non applicable (exonération)");
        let noted = Price {
            vat_exemption_note: Some("Exonération de TVA, article 261-4-4°a du CGI".into()),
            ..p
        };
        assert_eq!(
            noted.vat_label(),
            "Exonération de TVA, article 261-4-4°a du CGI"
        );
    }

    #[test]
    fn vat_is_rounded_half_up_on_the_total() {
        // 3 × 0,35 € = 1,05 €; 20 % = 0,21 €.
        let p = price(35, 3, Some(2000));
        assert_eq!(p.vat_cents(), 21);
        assert_eq!(p.total_incl_tax_cents(), 126);
        // 1 × 0,25 € at 10 % = 0,025 € → 0,03 € (half up), not 0,02 €.
        let p = price(25, 1, Some(1000));
        assert_eq!(p.vat_cents(), 3);
        // 1 × 0,24 € at 10 % = 0,024 € → 0,02 €.
        assert_eq!(price(24, 1, Some(1000)).vat_cents(), 2);
        // 5,5 % of 1 234,56 € = 67,9008 € → 67,90 €.
        let p = price(123_456, 1, Some(550));
        assert_eq!(p.vat_cents(), 6_790);
        assert_eq!(p.total_incl_tax_cents(), 130_246);
        assert_eq!(p.vat_label(), "TVA 5,5\u{a0}%");
    }

    #[test]
    fn quantities_and_bases() {
        assert_eq!(
            PriceBasis::PerGroupDay.quantity(6),
            "6\u{a0}journées de groupe"
        );
        assert_eq!(PriceBasis::PerTrainee.quantity(1), "1\u{a0}stagiaire");
        assert_eq!(PriceBasis::Flat.quantity(1), "1\u{a0}forfait");
        assert_eq!(PriceBasis::PerTrainee.label(), "par stagiaire");
    }

    proptest! {
        #[test]
        fn incl_tax_is_excl_plus_vat_and_never_negative(
            unit_cents in 0i64..=100_000_000,
            quantity in 0u32..=10_000,
            rate in proptest::option::of(0u32..=10_000),
        ) {
            let p = price(unit_cents, quantity, rate);
            let excl = p.total_excl_tax_cents();
            let vat = p.vat_cents();
            prop_assert_eq!(excl, unit_cents * i64::from(quantity));
            prop_assert_eq!(p.total_incl_tax_cents(), excl + vat);
            prop_assert!(vat >= 0);
            prop_assert!(p.total_incl_tax_cents() >= excl);
            // VAT is the exact rate, within half a cent.
            if let Some(rate) = rate {
                let exact = i128::from(excl) * i128::from(rate);
                let diff = (i128::from(vat) * 10_000 - exact).abs();
                prop_assert!(diff <= 5_000, "vat {} for {} at {}", vat, excl, rate);
            } else {
                prop_assert_eq!(vat, 0);
            }
        }
    }
}
