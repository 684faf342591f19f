//! Who uses Forma: roles, validated e-mail addresses, the password policy, and the throttling
//! rule for failed logins.

use std::fmt;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// What a person is to the training organisation. Permissions follow from it (see the web
/// route table); a client contact is also bound to one client organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    /// Planner: edits sheets, plans sessions, registers trainees.
    Gestionnaire,
    Formateur,
    Client,
    Stagiaire,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Admin, Role::Gestionnaire, Role::Formateur, Role::Client, Role::Stagiaire];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Gestionnaire => "gestionnaire",
            Role::Formateur => "formateur",
            Role::Client => "client",
            Role::Stagiaire => "stagiaire",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text.trim().to_lowercase())
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Administrateur",
            Role::Gestionnaire => "Gestionnaire",
            Role::Formateur => "Formateur",
            Role::Client => "Client",
            Role::Stagiaire => "Stagiaire",
        }
    }

    /// The training organisation's own people, who work in the back-office.
    pub fn is_staff(self) -> bool {
        matches!(self, Role::Admin | Role::Gestionnaire)
    }

    /// Trainees never have a password: they come in through personal links.
    pub fn uses_password(self) -> bool {
        self != Role::Stagiaire
    }
}

/// An e-mail address, trimmed and lower-cased so that one person has one account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("adresse e-mail invalide « {0} » : attendu prenom.nom@domaine.fr")]
pub struct InvalidEmail(pub String);

impl Email {
    pub fn parse(text: &str) -> Result<Email, InvalidEmail> {
        let text = text.trim();
        let bad = || InvalidEmail(text.to_owned());
        let (local, domain) = text.rsplit_once('@').ok_or_else(bad)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && local.chars().all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
        if text.len() <= 254 && domain_ok && local_ok {
            Ok(Email(text.to_lowercase()))
        } else {
            Err(bad())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Email {
    type Error = InvalidEmail;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Email::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

pub const MIN_PASSWORD_CHARS: usize = 12;
/// Argon2 hashes whatever it is given; a bound keeps one request from costing seconds.
pub const MAX_PASSWORD_BYTES: usize = 256;

/// The password policy (ANSSI-style length over composition rules), in French.
pub fn check_new_password(password: &str, confirmation: &str) -> Result<(), &'static str> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err("Le mot de passe doit comporter au moins 12 caractères.");
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err("Le mot de passe ne doit pas dépasser 256 octets.");
    }
    if password != confirmation {
        return Err("Les deux mots de passe ne sont pas identiques.");
    }
    Ok(())
}

/// Failed logins counted per account and per network address over this window.
pub const THROTTLE_WINDOW_MINUTES: i64 = 15;
/// Failures allowed before attempts are slowed.
pub const FREE_ATTEMPTS: u32 = 5;

/// When the next attempt may be made after `failures` recent failures, the last at `last`:
/// free for the first five, then a wait that doubles from 30 s up to 15 minutes. Slowing rather
/// than locking keeps an attacker from locking a real user out.
pub fn next_attempt_allowed(failures: u32, last: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if failures < FREE_ATTEMPTS {
        return None;
    }
    let extra = (failures - FREE_ATTEMPTS).min(5);
    let seconds = (30_i64 << extra).min(15 * 60);
    Some(last + Duration::seconds(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(Email::parse("  Agent.Caf@CAF.fr ").unwrap().as_str(), "agent.caf@caf.fr");
        for bad in ["", "agent", "agent@", "@caf.fr", "agent@caf", "a b@caf.fr", "agent@caf..fr", "agent@.caf.fr"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn roles_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("superuser"), None);
        assert!(Role::Gestionnaire.is_staff() && !Role::Formateur.is_staff());
    }

    #[test]
    fn password_policy() {
        assert!(check_new_password("court", "court").is_err());
        assert!(check_new_password("une phrase de passe", "une phrase de passf").is_err());
        assert!(check_new_password("une phrase de passe", "une phrase de passe").is_ok());
        assert!(check_new_password(&"é".repeat(200), &"é".repeat(200)).is_err());
    }

    #[test]
    fn throttling_starts_after_five_failures_and_grows() {
        let t = Utc::now();
        assert_eq!(next_attempt_allowed(4, t), None);
        assert_eq!(next_attempt_allowed(5, t), Some(t + Duration::seconds(30)));
        assert_eq!(next_attempt_allowed(6, t), Some(t + Duration::seconds(60)));
        assert_eq!(next_attempt_allowed(60, t), Some(t + Duration::seconds(900)));
    }

    proptest::proptest! {
        /// More failures never shorten the wait, and the wait never exceeds 15 minutes.
        #[test]
        fn throttling_grows_and_is_bounded(failures in 0u32..10_000) {
            let t = Utc::now();
            let now = next_attempt_allowed(failures, t);
            let more = next_attempt_allowed(failures.saturating_add(1), t);
            proptest::prop_assert!(more >= now);
            proptest::prop_assert!(now.is_none_or(|at| at <= t + Duration::minutes(15)));
        }

        /// Any text either parses to a lower-case address or is refused; it never panics.
        #[test]
        fn email_parsing_is_total(text in ".{0,80}") {
            if let Ok(email) = Email::parse(&text) {
                proptest::prop_assert_eq!(email.as_str(), email.as_str().to_lowercase());
                proptest::prop_assert!(email.as_str().contains('@'));
            }
        }
    }
}
