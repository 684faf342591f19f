//! Conventions de formation (agreements): numbered « NN/YY », priced per group day, per trainee or
//! as a flat fee, sent then signed. Once signed, a convention changes only through avenants.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::FieldErrors;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgreementStatus {
    Draft,
    Sent,
    Signed,
    Cancelled,
}

impl AgreementStatus {
    pub const ALL: [AgreementStatus; 4] = [Self::Draft, Self::Sent, Self::Signed, Self::Cancelled];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Sent => "sent",
            Self::Signed => "signed",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "brouillon",
            Self::Sent => "envoyée",
            Self::Signed => "signée",
            Self::Cancelled => "annulée",
        }
    }

    /// The same, for an avenant (masculine in French).
    pub fn amendment_label(self) -> &'static str {
        match self {
            Self::Draft => "brouillon",
            Self::Sent => "envoyé",
            Self::Signed => "signé",
            Self::Cancelled => "annulé",
        }
    }

    /// draft → sent → signed; a sent document may go back to draft for a correction; anything not
    /// signed may be cancelled. A signed one is final: it changes through avenants.
    pub fn can_become(self, next: AgreementStatus) -> bool {
        use AgreementStatus::*;
        matches!((self, next), (Draft, Sent) | (Sent, Draft) | (Sent, Signed) | (Draft | Sent, Cancelled))
    }

    /// Terms (price, parties, planning) may be edited.
    pub fn is_editable(self) -> bool {
        self == Self::Draft
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PriceBasis {
    /// « par journée de groupe » (INTRA).
    PerGroupDay,
    /// « par stagiaire » (INTER).
    PerTrainee,
    /// « forfait ».
    Flat,
}

impl PriceBasis {
    pub const ALL: [PriceBasis; 3] = [Self::PerGroupDay, Self::PerTrainee, Self::Flat];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::PerGroupDay => "per_group_day",
            Self::PerTrainee => "per_trainee",
            Self::Flat => "flat",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::PerGroupDay => "par journée de groupe",
            Self::PerTrainee => "par stagiaire",
            Self::Flat => "forfait",
        }
    }
}

/// The price of a convention: a unit price times a quantity (days, trainees, or 1 for a flat fee),
/// VAT-exempt unless a rate is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AgreementPrice {
    pub basis: PriceBasis,
    /// Unit price excluding VAT, in cents.
    pub unit_cents: i64,
    pub quantity: u32,
    /// VAT rate in basis points (2000 = 20 %); absent when exempt (article 261-4-4° a du CGI).
    pub vat_rate_bp: Option<u32>,
}

/// Above this, a unit price is more likely a typo than a training (one million euros).
pub const MAX_UNIT_CENTS: i64 = 100_000_000;

impl AgreementPrice {
    pub fn total_excl_tax_cents(&self) -> i64 {
        self.unit_cents * i64::from(self.quantity)
    }

    /// VAT rounded half up to the cent.
    pub fn vat_cents(&self) -> i64 {
        self.vat_rate_bp.map_or(0, |bp| (self.total_excl_tax_cents() * i64::from(bp) + 5_000) / 10_000)
    }

    pub fn total_incl_tax_cents(&self) -> i64 {
        self.total_excl_tax_cents() + self.vat_cents()
    }

    pub fn validated(self) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        if !(0..=MAX_UNIT_CENTS).contains(&self.unit_cents) {
            errors.add("unit_price", "Le prix unitaire va de 0 à 1 000 000 €.");
        }
        if self.quantity == 0 || self.quantity > 10_000 {
            errors.add("quantity", "La quantité va de 1 à 10 000.");
        }
        if self.basis == PriceBasis::Flat && self.quantity != 1 {
            errors.add("quantity", "Un forfait se compte une fois (quantité 1).");
        }
        if self.vat_rate_bp.is_some_and(|bp| bp > 10_000) {
            errors.add("vat_rate", "Le taux de TVA va de 0 à 100 %.");
        }
        errors.into_result().map(|()| self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_seed_price() {
        let price = AgreementPrice { basis: PriceBasis::PerGroupDay, unit_cents: 120_000, quantity: 6, vat_rate_bp: None };
        assert_eq!(price.total_excl_tax_cents(), 720_000);
        assert_eq!(price.total_incl_tax_cents(), 720_000);
        let taxed = AgreementPrice { vat_rate_bp: Some(2000), ..price };
        assert_eq!(taxed.vat_cents(), 144_000);
        assert_eq!(AgreementPrice { unit_cents: 1, quantity: 3, ..taxed }.vat_cents(), 1, "0.6 cent rounds up");
    }

    #[test]
    fn statuses_move_forward_only_through_sending() {
        use AgreementStatus::*;
        assert!(Draft.can_become(Sent) && Sent.can_become(Signed) && Sent.can_become(Draft));
        assert!(!Draft.can_become(Signed), "a convention is sent before it is signed");
        assert!(!Signed.can_become(Cancelled) && !Signed.can_become(Draft));
        assert!(AgreementStatus::ALL.iter().all(|s| AgreementStatus::parse(s.as_str()) == Some(*s)));
    }

    #[test]
    fn a_flat_fee_counts_once() {
        let flat = AgreementPrice { basis: PriceBasis::Flat, unit_cents: 5, quantity: 2, vat_rate_bp: Some(20_000) };
        let errors = flat.validated().unwrap_err();
        assert!(errors.get("quantity").is_some() && errors.get("vat_rate").is_some());
    }

    proptest! {
        #[test]
        fn totals_add_up(unit in 0i64..MAX_UNIT_CENTS, quantity in 1u32..10_000, rate in proptest::option::of(0u32..10_000)) {
            let price = AgreementPrice { basis: PriceBasis::PerTrainee, unit_cents: unit, quantity, vat_rate_bp: rate };
            prop_assert_eq!(price.total_incl_tax_cents(), price.total_excl_tax_cents() + price.vat_cents());
            prop_assert!(price.vat_cents() >= 0 && price.vat_cents() <= price.total_excl_tax_cents());
        }

    }
}
