//! Qualiopi indicator 1: the public information on each offer must be complete (prérequis,
//! objectifs, durée, modalités et délais d'accès, tarifs, contacts, méthodes mobilisées, modalités
//! d'évaluation, accessibilité) and dated. This module says what a sheet lacks.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::program::{Prerequisites, Program};

/// The fixed item codes, in the order of the indicator's wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Indicator1Item {
    Prerequisites,
    Objectives,
    Duration,
    AccessModes,
    AccessDelay,
    Prices,
    Contacts,
    Methods,
    Evaluation,
    Accessibility,
}

impl Indicator1Item {
    pub const ALL: [Indicator1Item; 10] = [
        Indicator1Item::Prerequisites,
        Indicator1Item::Objectives,
        Indicator1Item::Duration,
        Indicator1Item::AccessModes,
        Indicator1Item::AccessDelay,
        Indicator1Item::Prices,
        Indicator1Item::Contacts,
        Indicator1Item::Methods,
        Indicator1Item::Evaluation,
        Indicator1Item::Accessibility,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Indicator1Item::Prerequisites => "prerequisites",
            Indicator1Item::Objectives => "objectives",
            Indicator1Item::Duration => "duration",
            Indicator1Item::AccessModes => "access_modes",
            Indicator1Item::AccessDelay => "access_delay",
            Indicator1Item::Prices => "prices",
            Indicator1Item::Contacts => "contacts",
            Indicator1Item::Methods => "methods",
            Indicator1Item::Evaluation => "evaluation",
            Indicator1Item::Accessibility => "accessibility",
        }
    }

    pub fn parse(code: &str) -> Option<Indicator1Item> {
        Indicator1Item::ALL.into_iter().find(|i| i.code() == code)
    }

    /// The French label shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Indicator1Item::Prerequisites => "Prérequis",
            Indicator1Item::Objectives => "Objectifs",
            Indicator1Item::Duration => "Durée",
            Indicator1Item::AccessModes => "Modalités d'accès",
            Indicator1Item::AccessDelay => "Délais d'accès",
            Indicator1Item::Prices => "Tarifs",
            Indicator1Item::Contacts => "Contacts",
            Indicator1Item::Methods => "Méthodes mobilisées",
            Indicator1Item::Evaluation => "Modalités d'évaluation",
            Indicator1Item::Accessibility => "Accessibilité",
        }
    }

    fn is_present(self, p: &Program) -> bool {
        match self {
            Indicator1Item::Prerequisites => p.prerequisites != Prerequisites::Unspecified,
            Indicator1Item::Objectives => !p.objectives.is_empty(),
            Indicator1Item::Duration => p.duration.days.is_some() || p.duration.minutes.is_some(),
            Indicator1Item::AccessModes => p.practical.markdown.is_some(),
            Indicator1Item::AccessDelay => {
                p.access_delays.intra.is_some()
                    || p.access_delays.inter.is_some()
                    || p.access_delays.markdown.is_some()
            }
            Indicator1Item::Prices => !p.prices.is_empty(),
            Indicator1Item::Contacts => !p.contacts.phones.is_empty() || !p.contacts.emails.is_empty(),
            Indicator1Item::Methods => p.has_methods(),
            Indicator1Item::Evaluation => !p.evaluation.is_empty(),
            Indicator1Item::Accessibility => p.accessibility.is_some(),
        }
    }
}

/// How long a sheet's information stays "up to date" for the auditor.
pub const MAX_AGE_MONTHS: u32 = 12;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Completeness {
    /// Missing items, as codes, in the fixed order.
    pub missing: Vec<Indicator1Item>,
    /// True when the MAJ date is absent or older than 12 months on the reference day.
    pub outdated: bool,
}

impl Completeness {
    pub fn is_complete(&self) -> bool {
        self.missing.is_empty() && !self.outdated
    }

    pub fn missing_codes(&self) -> Vec<&'static str> {
        self.missing.iter().map(|i| i.code()).collect()
    }
}

/// Checks a sheet against indicator 1 as of `today`.
pub fn check(program: &Program, today: NaiveDate) -> Completeness {
    Completeness { missing: missing_items(program), outdated: is_outdated(program.updated_on, today) }
}

/// The indicator-1 items the sheet lacks, in the fixed order. Independent of the date, so the
/// store can keep it beside each sheet.
pub fn missing_items(program: &Program) -> Vec<Indicator1Item> {
    Indicator1Item::ALL.into_iter().filter(|i| !i.is_present(program)).collect()
}

/// Whether a MAJ is absent or older than 12 months on `today`.
pub fn is_outdated(updated_on: Option<NaiveDate>, today: NaiveDate) -> bool {
    match updated_on {
        None => true,
        Some(updated) => match today.checked_sub_months(Months::new(MAX_AGE_MONTHS)) {
            Some(limit) => updated < limit,
            None => false,
        },
    }
}
