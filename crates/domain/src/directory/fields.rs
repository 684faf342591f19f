//! Checks shared by the directory's forms: required and optional text, e-mail, phone, SIRET,
//! ids chosen in a list, dates.

use chrono::NaiveDate;

use crate::account::Email;
use crate::organisation::{normalise_phone, normalise_siret};
use crate::validation::FieldErrors;

/// Names of clients, sites, venues, rooms, providers, trainers.
pub const MAX_NAME_CHARS: usize = 120;
/// Addresses, job titles, reasons.
pub(crate) const MAX_LINE_CHARS: usize = 300;
/// Free text: accessibility, qualifications.
pub(crate) const MAX_TEXT_CHARS: usize = 2000;

/// A required name: trimmed, not empty, at most [`MAX_NAME_CHARS`].
pub(crate) fn required_name(errors: &mut FieldErrors, field: &str, value: &str, missing: &str) -> String {
    required(errors, field, value, MAX_NAME_CHARS, missing)
}

pub(crate) fn required(errors: &mut FieldErrors, field: &str, value: &str, max: usize, missing: &str) -> String {
    let value = value.trim();
    if value.is_empty() {
        errors.add(field, missing);
    } else {
        too_long(errors, field, value, max);
    }
    value.to_owned()
}

/// Trimmed text that may be empty.
pub(crate) fn text(errors: &mut FieldErrors, field: &str, value: &str, max: usize) -> String {
    let value = value.trim();
    too_long(errors, field, value, max);
    value.to_owned()
}

/// Trimmed text, `None` when empty.
pub(crate) fn optional_text(errors: &mut FieldErrors, field: &str, value: &str, max: usize) -> Option<String> {
    Some(text(errors, field, value, max)).filter(|v| !v.is_empty())
}

fn too_long(errors: &mut FieldErrors, field: &str, value: &str, max: usize) {
    if value.chars().count() > max {
        errors.add(field, format!("{max} caractères au plus."));
    }
}

pub(crate) fn optional_email(errors: &mut FieldErrors, field: &str, value: &str) -> Option<Email> {
    if value.trim().is_empty() {
        return None;
    }
    Email::parse(value).map_err(|_| errors.add(field, "Adresse e-mail invalide (prenom.nom@domaine.fr).")).ok()
}

pub(crate) fn optional_phone(errors: &mut FieldErrors, field: &str, value: &str) -> Option<String> {
    if value.trim().is_empty() {
        return None;
    }
    normalise_phone(value).map_err(|m| errors.add(field, m)).ok()
}

pub(crate) fn optional_siret(errors: &mut FieldErrors, field: &str, value: &str) -> Option<String> {
    if value.trim().is_empty() {
        return None;
    }
    normalise_siret(value).map_err(|m| errors.add(field, m)).ok()
}

/// An id chosen in a list; empty means none.
pub(crate) fn optional_id(errors: &mut FieldErrors, field: &str, value: &str, unknown: &str) -> Option<i64> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    value.parse::<i64>().ok().filter(|id| *id > 0).or_else(|| {
        errors.add(field, unknown);
        None
    })
}

/// A day as a date field sends it (`2026-03-22`) or as people write it (`22/03/2026`).
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    NaiveDate::parse_from_str(text, "%Y-%m-%d").or_else(|_| NaiveDate::parse_from_str(text, "%d/%m/%Y")).ok()
}

/// A checkbox: sent (whatever its value) when ticked, absent otherwise.
pub(crate) fn ticked(value: &str) -> bool {
    !value.trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_in_both_spellings() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 22);
        assert_eq!(parse_day("2026-03-22"), d);
        assert_eq!(parse_day(" 22/03/2026 "), d);
        assert_eq!(parse_day("31/02/2026"), None);
        assert_eq!(parse_day(""), None);
    }

    #[test]
    fn ids_from_lists() {
        let mut e = FieldErrors::default();
        assert_eq!(optional_id(&mut e, "f", "", "x"), None);
        assert_eq!(optional_id(&mut e, "f", "12", "x"), Some(12));
        assert!(e.is_empty());
        assert_eq!(optional_id(&mut e, "f", "douze", "Choix inconnu."), None);
        assert_eq!(e.get("f"), Some("Choix inconnu."));
    }
}
