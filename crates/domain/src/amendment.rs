//! Avenants (amendments) to a signed convention: each is one typed change — days added, dates
//! moved, or the price changed — that the session and the convention follow once it is signed.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::FieldErrors;
use crate::agreement::AgreementPrice;
use crate::french_date::long_date;
use crate::session::{PlannedDay, SessionPlan};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateMove {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// The change an avenant makes, with what it replaces so that its history reads on its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AmendmentChange {
    AddDays { days: Vec<PlannedDay> },
    MoveDates { moves: Vec<DateMove> },
    ChangePrice { before: AgreementPrice, after: AgreementPrice },
}

impl AmendmentChange {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::AddDays { .. } => "add_days",
            Self::MoveDates { .. } => "move_dates",
            Self::ChangePrice { .. } => "change_price",
        }
    }

    /// One line per effect, in French, for lists and the journal.
    pub fn summary(&self) -> String {
        match self {
            Self::AddDays { days } => {
                let dates: Vec<String> = days.iter().map(|d| long_date(d.date)).collect();
                format!("ajout de {} journée{} : {}", days.len(), if days.len() > 1 { "s" } else { "" }, dates.join(", "))
            }
            Self::MoveDates { moves } => {
                let lines: Vec<String> = moves.iter().map(|m| format!("{} → {}", long_date(m.from), long_date(m.to))).collect();
                format!("report : {}", lines.join(", "))
            }
            Self::ChangePrice { before, after } => format!(
                "prix : {} → {} HT",
                crate::money::euros(before.total_excl_tax_cents()),
                crate::money::euros(after.total_excl_tax_cents())
            ),
        }
    }

    /// The session's plan once this change applies; refused (field by field) when the change does
    /// not fit the plan: a moved date that is not a session day, a new day on an existing one.
    pub fn apply(&self, plan: &SessionPlan) -> Result<SessionPlan, FieldErrors> {
        let mut next = plan.clone();
        let mut errors = FieldErrors::default();
        match self {
            Self::AddDays { days } => {
                if days.is_empty() {
                    errors.add("days", "Ajoutez au moins une journée.");
                }
                next.days.extend(days.iter().cloned());
            }
            Self::MoveDates { moves } => {
                if moves.is_empty() {
                    errors.add("moves", "Indiquez au moins une date à reporter.");
                }
                for (i, m) in moves.iter().enumerate() {
                    match next.days.iter_mut().find(|d| d.date == m.from) {
                        Some(day) if m.from != m.to => day.date = m.to,
                        Some(_) => errors.add(format!("moves[{i}].to"), "La nouvelle date est la même que l'ancienne."),
                        None => errors.add(format!("moves[{i}].from"), format!("La session n'a pas de journée le {}.", long_date(m.from))),
                    }
                }
            }
            Self::ChangePrice { before, after } => {
                if before == after {
                    errors.add("unit_price", "Le nouveau prix est identique à l'ancien.");
                }
                if let Err(e) = after.validated() {
                    errors.extend(e);
                }
            }
        }
        errors.into_result()?;
        // Day errors come back under the avenant's own field names (`days[0].date`…): added days
        // are numbered after the existing ones, so shift them back.
        next.validated().map_err(|e| {
            let existing = plan.days.len();
            let mut shifted = FieldErrors::default();
            for err in e.iter() {
                shifted.add(shift_day_index(&err.field, existing), err.message.clone());
            }
            shifted
        })
    }
}

fn shift_day_index(field: &str, by: usize) -> String {
    let Some(rest) = field.strip_prefix("days[") else { return field.to_owned() };
    let Some((index, tail)) = rest.split_once(']') else { return field.to_owned() };
    match index.parse::<usize>() {
        Ok(i) if i >= by => format!("days[{}]{tail}", i - by),
        Ok(_) => "moves".to_owned(),
        Err(_) => field.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agreement::PriceBasis;
    use crate::program::ProgramKind;

    fn date(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2019, m, d).unwrap()
    }

    fn day(m: u32, d: u32) -> PlannedDay {
        PlannedDay { place: "Moulins".into(), ..PlannedDay::on(date(m, d)) }
    }

    fn seed_plan() -> SessionPlan {
        SessionPlan { kind: ProgramKind::Intra, client_id: Some(1), capacity: Some(40), modules: vec![], days: vec![day(3, 22), day(4, 5)] }
    }

    #[test]
    fn adding_a_seventh_day() {
        let change = AmendmentChange::AddDays { days: vec![day(10, 4)] };
        let plan = change.apply(&seed_plan()).unwrap();
        assert_eq!(plan.days.len(), 3);
        assert_eq!(change.summary(), "ajout de 1 journée : 4 octobre 2019");
        let clash = AmendmentChange::AddDays { days: vec![day(4, 5)] };
        let errors = clash.apply(&seed_plan()).unwrap_err();
        assert!(errors.get("days[0].date").unwrap().contains("figure deux fois"), "{errors:?}");
    }

    #[test]
    fn moving_dates() {
        let change = AmendmentChange::MoveDates { moves: vec![DateMove { from: date(4, 5), to: date(4, 12) }] };
        let plan = change.apply(&seed_plan()).unwrap();
        assert_eq!(plan.days[1].date, date(4, 12));
        let wrong = AmendmentChange::MoveDates { moves: vec![DateMove { from: date(4, 6), to: date(4, 12) }] };
        assert!(wrong.apply(&seed_plan()).unwrap_err().get("moves[0].from").is_some());
        let onto = AmendmentChange::MoveDates { moves: vec![DateMove { from: date(4, 5), to: date(3, 22) }] };
        assert!(onto.apply(&seed_plan()).is_err(), "two days on the same date");
    }

    #[test]
    fn changing_the_price() {
        let before = AgreementPrice { basis: PriceBasis::PerGroupDay, unit_cents: 120_000, quantity: 6, vat_rate_bp: None };
        let after = AgreementPrice { quantity: 7, ..before };
        let change = AmendmentChange::ChangePrice { before, after };
        assert_eq!(change.apply(&seed_plan()).unwrap(), seed_plan());
        assert!(change.summary().starts_with("prix : 7"));
        assert!(AmendmentChange::ChangePrice { before, after: before }.apply(&seed_plan()).is_err());
        let json = serde_json::to_value(&change).unwrap();
        assert_eq!(json["kind"], "change_price");
        assert_eq!(serde_json::from_value::<AmendmentChange>(json).unwrap(), change);
    }
}
