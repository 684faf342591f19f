//! Convention numbers: « 26/19 » is the 26th convention of 2019. Unique per year; the sequence
//! restarts each year.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AgreementNumber {
    /// The full year (2019), from which the two-digit suffix is written.
    pub year: i32,
    /// From 1 within the year.
    pub sequence: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("numéro de convention invalide « {0} » : attendu numéro/année sur deux chiffres, par exemple 26/19")]
pub struct InvalidAgreementNumber(pub String);

impl AgreementNumber {
    /// The number after `last` in `year` (the first of the year when there is none).
    pub fn next(year: i32, last: Option<AgreementNumber>) -> AgreementNumber {
        let sequence = last.filter(|l| l.year == year).map_or(1, |l| l.sequence.saturating_add(1));
        AgreementNumber { year, sequence }
    }

    /// Reads « 26/19 » (also « N°26/19 ») as convention 26 of 20`YY`.
    pub fn parse(text: &str) -> Result<AgreementNumber, InvalidAgreementNumber> {
        let bad = || InvalidAgreementNumber(text.to_owned());
        let trimmed = text.trim();
        let digits = trimmed
            .strip_prefix("N°")
            .or_else(|| trimmed.strip_prefix("n°"))
            .unwrap_or(trimmed)
            .trim();
        let (seq, yy) = digits.split_once('/').ok_or_else(bad)?;
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(seq) || yy.len() != 2 || !all_digits(yy) || seq.len() > 6 {
            return Err(bad());
        }
        let sequence: u32 = seq.parse().map_err(|_| bad())?;
        let year = 2000 + yy.parse::<i32>().map_err(|_| bad())?;
        if sequence == 0 {
            return Err(bad());
        }
        Ok(AgreementNumber { year, sequence })
    }
}

impl fmt::Display for AgreementNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{:02}", self.sequence, self.year.rem_euclid(100))
    }
}

impl FromStr for AgreementNumber {
    type Err = InvalidAgreementNumber;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AgreementNumber::parse(s)
    }
}

impl TryFrom<String> for AgreementNumber {
    type Error = InvalidAgreementNumber;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        AgreementNumber::parse(&value)
    }
}

impl From<AgreementNumber> for String {
    fn from(value: AgreementNumber) -> Self {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_number() {
        let n = AgreementNumber::parse("N°26/19").unwrap();
        assert_eq!(n, AgreementNumber { year: 2019, sequence: 26 });
        assert_eq!(n.to_string(), "26/19");
        for bad in ["", "26", "26/2019", "0/19", "a/19", "26/1a", "/19"] {
            assert!(AgreementNumber::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn numbering_restarts_each_year() {
        let last = AgreementNumber { year: 2019, sequence: 26 };
        assert_eq!(AgreementNumber::next(2019, Some(last)).to_string(), "27/19");
        assert_eq!(AgreementNumber::next(2020, Some(last)).to_string(), "1/20");
        assert_eq!(AgreementNumber::next(2026, None).to_string(), "1/26");
    }

    proptest::proptest! {
        #[test]
        fn display_and_parse_round_trip(sequence in 1u32..100_000, yy in 0i32..100) {
            let n = AgreementNumber { year: 2000 + yy, sequence };
            proptest::prop_assert_eq!(AgreementNumber::parse(&n.to_string()), Ok(n));
        }

        #[test]
        fn parsing_never_panics(text in ".{0,20}") {
            let _ = AgreementNumber::parse(&text);
        }
    }
}
