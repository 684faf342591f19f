//! Who trains: internal trainers of the organisation, and external ones supplied by a provider
//! (a cooperative such as Accolades) — subcontracting, which the BPF and Qualiopi indicator 27
//! ask about. Trainers declare when they are unavailable; planning reads it for conflicts.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::fields::{MAX_LINE_CHARS, MAX_TEXT_CHARS, optional_email, optional_id, optional_phone, optional_siret, parse_day, required_name, text, ticked};
use crate::account::Email;
use crate::validation::FieldErrors;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProviderForm {
    pub name: String,
    pub siret: String,
    pub address: String,
    pub email: String,
    pub phone: String,
}

/// A training provider the organisation subcontracts to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewProvider {
    pub name: String,
    pub siret: Option<String>,
    pub address: String,
    pub email: Option<Email>,
    pub phone: Option<String>,
}

impl NewProvider {
    pub fn validate(form: &ProviderForm) -> Result<NewProvider, FieldErrors> {
        let mut e = FieldErrors::default();
        let provider = NewProvider {
            name: required_name(&mut e, "name", &form.name, "Le nom du prestataire est obligatoire."),
            siret: optional_siret(&mut e, "siret", &form.siret),
            address: text(&mut e, "address", &form.address, MAX_LINE_CHARS),
            email: optional_email(&mut e, "email", &form.email),
            phone: optional_phone(&mut e, "phone", &form.phone),
        };
        e.into_result().map(|()| provider)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrainerForm {
    pub name: String,
    pub email: String,
    pub phone: String,
    /// The provider's id; empty for an internal trainer.
    pub provider: String,
    /// The trainer's account (profile « formateur »), if any.
    pub account: String,
    pub qualifications: String,
    /// A checkbox: sent when ticked.
    pub active: String,
}

impl TrainerForm {
    /// An empty form for a new trainer, « actif » ticked.
    pub fn blank() -> TrainerForm {
        TrainerForm { active: "on".into(), ..TrainerForm::default() }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewTrainer {
    pub name: String,
    pub email: Option<Email>,
    pub phone: Option<String>,
    /// `None`: an internal trainer.
    pub provider_id: Option<i64>,
    pub user_id: Option<i64>,
    pub qualifications: String,
    /// An inactive trainer is kept for history but no longer offered for planning.
    pub active: bool,
}

impl NewTrainer {
    pub fn validate(form: &TrainerForm) -> Result<NewTrainer, FieldErrors> {
        let mut e = FieldErrors::default();
        let trainer = NewTrainer {
            name: required_name(&mut e, "name", &form.name, "Le nom du formateur est obligatoire."),
            email: optional_email(&mut e, "email", &form.email),
            phone: optional_phone(&mut e, "phone", &form.phone),
            provider_id: optional_id(&mut e, "provider", &form.provider, "Choisissez un prestataire dans la liste, ou « interne »."),
            user_id: optional_id(&mut e, "account", &form.account, "Choisissez un compte dans la liste."),
            qualifications: text(&mut e, "qualifications", &form.qualifications, MAX_TEXT_CHARS),
            active: ticked(&form.active),
        };
        e.into_result().map(|()| trainer)
    }

    pub fn is_internal(&self) -> bool {
        self.provider_id.is_none()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UnavailabilityForm {
    pub first_day: String,
    pub last_day: String,
    pub reason: String,
}

/// Days a trainer has said they cannot train, both ends included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewUnavailability {
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    /// « Congés », « Autre mission »… may be empty.
    pub reason: String,
}

/// The range rule: the last day is the first day or after it.
pub fn check_range(first_day: NaiveDate, last_day: NaiveDate) -> Result<(), &'static str> {
    if last_day >= first_day { Ok(()) } else { Err("La date de fin doit être le même jour que la date de début ou après.") }
}

impl NewUnavailability {
    pub fn validate(form: &UnavailabilityForm) -> Result<NewUnavailability, FieldErrors> {
        let mut e = FieldErrors::default();
        let first_day = parse_day(&form.first_day);
        if first_day.is_none() {
            e.add("first_day", "Date de début attendue (par exemple 22/03/2026).");
        }
        let last_day = parse_day(&form.last_day);
        if last_day.is_none() {
            e.add("last_day", "Date de fin attendue (par exemple 24/03/2026).");
        }
        if let (Some(first), Some(last)) = (first_day, last_day)
            && let Err(message) = check_range(first, last)
        {
            e.add("last_day", message);
        }
        let reason = text(&mut e, "reason", &form.reason, MAX_LINE_CHARS);
        match (first_day, last_day, e.is_empty()) {
            (Some(first_day), Some(last_day), true) => Ok(NewUnavailability { first_day, last_day, reason }),
            _ => Err(e),
        }
    }

    /// Whether `day` falls in the range.
    pub fn covers(&self, day: NaiveDate) -> bool {
        (self.first_day..=self.last_day).contains(&day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_or_external_trainers() {
        let form = TrainerForm { name: "Thierry CHEINE".into(), provider: "3".into(), ..TrainerForm::blank() };
        let t = NewTrainer::validate(&form).unwrap();
        assert_eq!((t.provider_id, t.active, t.is_internal()), (Some(3), true, false));
        let t = NewTrainer::validate(&TrainerForm { name: "Claire Martin".into(), ..TrainerForm::default() }).unwrap();
        assert!(t.is_internal() && !t.active);
        let e = NewTrainer::validate(&TrainerForm { provider: "x".into(), email: "a".into(), ..TrainerForm::default() }).unwrap_err();
        assert!(e.get("name").is_some() && e.get("provider").is_some() && e.get("email").is_some());
    }

    #[test]
    fn providers() {
        let p = NewProvider::validate(&ProviderForm { name: "Accolades".into(), ..ProviderForm::default() }).unwrap();
        assert_eq!((p.siret, p.email), (None, None));
        assert!(NewProvider::validate(&ProviderForm { name: "A".into(), siret: "1".into(), ..ProviderForm::default() }).is_err());
    }

    #[test]
    fn unavailability_dates() {
        let form = |first: &str, last: &str| UnavailabilityForm { first_day: first.into(), last_day: last.into(), reason: "Congés".into() };
        let u = NewUnavailability::validate(&form("2026-07-13", "17/07/2026")).unwrap();
        assert_eq!(u.first_day, NaiveDate::from_ymd_opt(2026, 7, 13).unwrap());
        assert!(u.covers(u.last_day) && !u.covers(u.last_day.succ_opt().unwrap()));
        let e = NewUnavailability::validate(&form("2026-07-17", "2026-07-13")).unwrap_err();
        assert_eq!(e.get("last_day"), Some("La date de fin doit être le même jour que la date de début ou après."));
        let e = NewUnavailability::validate(&form("", "demain")).unwrap_err();
        assert!(e.get("first_day").is_some() && e.get("last_day").is_some());
    }

    proptest::proptest! {
        /// A range is accepted exactly when it does not end before it starts, and then covers
        /// both its ends.
        #[test]
        fn ranges_are_ordered(start in 0i64..20_000, length in -400i64..400) {
            let base = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
            let first = base + chrono::Duration::days(start);
            let last = first + chrono::Duration::days(length);
            let form = UnavailabilityForm { first_day: first.to_string(), last_day: last.format("%d/%m/%Y").to_string(), reason: String::new() };
            match NewUnavailability::validate(&form) {
                Ok(u) => {
                    proptest::prop_assert!(length >= 0);
                    proptest::prop_assert!(u.covers(first) && u.covers(last));
                    proptest::prop_assert_eq!((u.last_day - u.first_day).num_days(), length);
                }
                Err(e) => {
                    proptest::prop_assert!(length < 0);
                    proptest::prop_assert!(e.get("last_day").is_some());
                    proptest::prop_assert!(check_range(first, last).is_err());
                }
            }
        }
    }
}
