//! The training organisation itself (« organisme de formation »): its legal identifiers and the
//! référents that Qualiopi asks to be named. Public pages and documents read it.

use serde::{Deserialize, Serialize};

use crate::account::Email;
use crate::validation::FieldErrors;

/// A person named for a mission (pédagogique, administratif, handicap), with how to reach them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Referent {
    pub name: String,
    pub email: String,
    pub phone: String,
}

impl Referent {
    pub fn is_empty(&self) -> bool {
        self.name.is_empty() && self.email.is_empty() && self.phone.is_empty()
    }
}

/// Text fields are kept as typed by the user and checked by [`Organisation::validate`], so a
/// form that fails comes back unchanged; identifiers are normalised when valid.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    pub name: String,
    /// Numéro de déclaration d'activité: 11 digits.
    pub nda: String,
    pub siret: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub pedagogical_referent: Referent,
    pub administrative_referent: Referent,
    pub disability_referent: Referent,
    /// How many days after a trainee's last day the cold evaluation opens (14 to 365); empty
    /// for the default, 60. Kept as typed so that a refused form shows it back.
    #[serde(default)]
    pub cold_evaluation_days: String,
}

fn digits(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace() && *c != '.').collect()
}

/// SIRET: 14 digits with a Luhn check digit (La Poste's establishments use a different rule).
pub fn normalise_siret(text: &str) -> Result<String, &'static str> {
    let d = digits(text);
    if d.len() != 14 || !d.bytes().all(|b| b.is_ascii_digit()) {
        return Err("Le SIRET comporte 14 chiffres.");
    }
    let luhn: u32 = d
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let n = u32::from(b - b'0');
            if i % 2 == 1 { if n * 2 > 9 { n * 2 - 9 } else { n * 2 } } else { n }
        })
        .sum();
    let la_poste = d.starts_with("356000000") && d.bytes().map(|b| u32::from(b - b'0')).sum::<u32>() % 5 == 0;
    if luhn.is_multiple_of(10) || la_poste { Ok(d) } else { Err("Ce SIRET n'est pas valide (clé de contrôle incorrecte).") }
}

pub fn normalise_nda(text: &str) -> Result<String, &'static str> {
    let d = digits(text);
    if d.len() == 11 && d.bytes().all(|b| b.is_ascii_digit()) {
        Ok(d)
    } else {
        Err("Le numéro de déclaration d'activité comporte 11 chiffres.")
    }
}

/// French numbers: « 04 70 20 00 00 » or « +33 4 70 20 00 00 », shown in pairs.
pub fn normalise_phone(text: &str) -> Result<String, &'static str> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace() && !".-()".contains(*c)).collect();
    let national = match compact.strip_prefix("+33") {
        Some(rest) => format!("0{rest}"),
        None => compact,
    };
    if national.len() == 10 && national.starts_with('0') && national.bytes().all(|b| b.is_ascii_digit()) {
        let pairs: Vec<&str> = (0..5).map(|i| &national[i * 2..i * 2 + 2]).collect();
        Ok(pairs.join(" "))
    } else {
        Err("Numéro de téléphone attendu sur 10 chiffres (04 70 00 00 00).")
    }
}

fn check_optional(errors: &mut FieldErrors, field: &str, value: &mut String, check: fn(&str) -> Result<String, &'static str>) {
    if value.trim().is_empty() {
        value.clear();
        return;
    }
    match check(value) {
        Ok(normal) => *value = normal,
        Err(message) => errors.add(field, message),
    }
}

/// The shortest and longest delay of the cold evaluation: sooner, nothing was yet put into
/// practice; later, nobody remembers the training.
pub const COLD_DAYS_RANGE: std::ops::RangeInclusive<i64> = 14..=365;

fn normalise_cold_days(text: &str) -> Result<String, &'static str> {
    match text.trim().parse::<i64>() {
        Ok(days) if COLD_DAYS_RANGE.contains(&days) => Ok(days.to_string()),
        _ => Err("Indiquez un nombre de jours entre 14 et 365, ou laissez vide pour 60."),
    }
}

fn normalise_email(text: &str) -> Result<String, &'static str> {
    Email::parse(text).map(String::from).map_err(|_| "Adresse e-mail invalide (prenom.nom@domaine.fr).")
}

impl Organisation {
    /// Checks every field, normalising the valid ones in place.
    pub fn validate(&mut self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        self.name = self.name.trim().to_owned();
        if self.name.is_empty() {
            errors.add("name", "Le nom de l'organisme est obligatoire.");
        } else if self.name.chars().count() > 120 {
            errors.add("name", "Le nom ne doit pas dépasser 120 caractères.");
        }
        check_optional(&mut errors, "nda", &mut self.nda, normalise_nda);
        check_optional(&mut errors, "siret", &mut self.siret, normalise_siret);
        check_optional(&mut errors, "phone", &mut self.phone, normalise_phone);
        check_optional(&mut errors, "email", &mut self.email, normalise_email);
        check_optional(&mut errors, "cold_evaluation_days", &mut self.cold_evaluation_days, normalise_cold_days);
        for (prefix, referent) in [
            ("pedagogical", &mut self.pedagogical_referent),
            ("administrative", &mut self.administrative_referent),
            ("disability", &mut self.disability_referent),
        ] {
            referent.name = referent.name.trim().to_owned();
            check_optional(&mut errors, &format!("{prefix}_email"), &mut referent.email, normalise_email);
            check_optional(&mut errors, &format!("{prefix}_phone"), &mut referent.phone, normalise_phone);
            if referent.name.is_empty() && !(referent.email.is_empty() && referent.phone.is_empty()) {
                errors.add(format!("{prefix}_name"), "Indiquez le nom du référent.");
            }
        }
        errors.into_result()
    }

    /// Days after the last day when the cold evaluation opens.
    pub fn cold_days(&self) -> i64 {
        self.cold_evaluation_days.parse().ok().filter(|d| COLD_DAYS_RANGE.contains(d)).unwrap_or(crate::evaluation::DEFAULT_COLD_DAYS)
    }

    /// The organisation as first started: only its name is known.
    pub fn named(name: &str) -> Self {
        Organisation { name: name.to_owned(), ..Organisation::default() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn siret_luhn() {
        assert_eq!(normalise_siret("732 829 320 00074").unwrap(), "73282932000074");
        assert!(normalise_siret("73282932000075").is_err());
        assert!(normalise_siret("1234").is_err());
    }

    #[test]
    fn phones_and_nda() {
        assert_eq!(normalise_phone("+33 4 70 20 00 00").unwrap(), "04 70 20 00 00");
        assert_eq!(normalise_phone("04.70.20.00.00").unwrap(), "04 70 20 00 00");
        assert!(normalise_phone("4702000").is_err());
        assert_eq!(normalise_nda("84 03 01234 03").unwrap(), "84030123403");
        assert!(normalise_nda("8403").is_err());
    }

    #[test]
    fn validation_reports_each_field_and_keeps_input() {
        let mut org = Organisation {
            name: " ".into(),
            siret: "123".into(),
            email: "pas-un-mail".into(),
            disability_referent: Referent { name: String::new(), email: "a@b.fr".into(), phone: String::new() },
            ..Organisation::default()
        };
        let errors = org.validate().unwrap_err();
        assert!(errors.get("name").is_some());
        assert!(errors.get("siret").is_some());
        assert!(errors.get("email").is_some());
        assert!(errors.get("disability_name").is_some());
        assert_eq!(org.siret, "123", "invalid input is kept for the form");
    }

    #[test]
    fn the_cold_evaluation_delay_is_bounded_and_defaults_to_sixty_days() {
        let mut org = Organisation::named("EGOC");
        assert_eq!(org.cold_days(), 60);
        org.cold_evaluation_days = " 90 ".into();
        org.validate().unwrap();
        assert_eq!((org.cold_evaluation_days.as_str(), org.cold_days()), ("90", 90));
        for typed in ["7", "400", "deux mois"] {
            org.cold_evaluation_days = typed.into();
            let errors = org.validate().unwrap_err();
            assert!(errors.get("cold_evaluation_days").is_some_and(|e| e.contains("entre 14 et 365")), "{typed}");
            assert_eq!(org.cold_evaluation_days, typed);
            assert_eq!(org.cold_days(), 60, "{typed}");
        }
        // Stored before the setting existed: the default.
        let old: Organisation = serde_json::from_str(r#"{"name":"EGOC","nda":"","siret":"","address":"","phone":"","email":"","pedagogical_referent":{"name":"","email":"","phone":""},"administrative_referent":{"name":"","email":"","phone":""},"disability_referent":{"name":"","email":"","phone":""}}"#).unwrap();
        assert_eq!(old.cold_days(), 60);
    }
}
