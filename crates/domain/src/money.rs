//! Money is integer cents with an explicit VAT treatment: training is often VAT-exempt, and a price
//! that does not say so is ambiguous.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VatTreatment {
    /// « exonéré de TVA » (article 261-4-4° du CGI) or « net de taxe ».
    Exempt,
    /// « HT »: VAT is added on top.
    ExcludingVat,
    /// « TTC ».
    IncludingVat,
    /// The page did not say.
    Unstated,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Price {
    pub cents: i64,
    pub vat: VatTreatment,
}

impl Price {
    /// « 1 350,00 € » with French grouping (narrow no-break spaces) and the VAT mention.
    pub fn label(&self) -> String {
        let amount = euros(self.cents);
        match self.vat {
            VatTreatment::Exempt => format!("{amount} net (exonéré de TVA)"),
            VatTreatment::ExcludingVat => format!("{amount} HT"),
            VatTreatment::IncludingVat => format!("{amount} TTC"),
            VatTreatment::Unstated => amount,
        }
    }
}

/// « 1 350 € », « 390,50 € »: French grouping with narrow no-break spaces, cents when there are.
pub fn euros(cents: i64) -> String {
    let whole = cents / 100;
    let rest = (cents % 100).abs();
    let digits = whole.abs().to_string();
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('\u{202f}');
        }
        grouped.push(ch);
    }
    let sign = if cents < 0 { "-" } else { "" };
    if rest == 0 { format!("{sign}{grouped}\u{a0}€") } else { format!("{sign}{grouped},{rest:02}\u{a0}€") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_label() {
        let p = Price { cents: 135_000, vat: VatTreatment::Exempt };
        assert_eq!(p.label(), "1\u{202f}350\u{a0}€ net (exonéré de TVA)");
        let p = Price { cents: 39_050, vat: VatTreatment::ExcludingVat };
        assert_eq!(p.label(), "390,50\u{a0}€ HT");
    }
}
