//! A client (« commanditaire », e.g. a CAF) with its sites (Moulins, Vichy, Montluçon) and the
//! people to talk to there.

use serde::{Deserialize, Serialize};

use super::fields::{MAX_LINE_CHARS, optional_email, optional_phone, optional_siret, optional_text, required_name, text};
use crate::account::Email;
use crate::validation::FieldErrors;

/// The client form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClientForm {
    pub name: String,
    pub address: String,
    pub siret: String,
    pub email: String,
    pub phone: String,
    /// Who signs for the client: « Mme Dupont, directrice ».
    pub representative: String,
}

/// A client's identity and how to reach it, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClientDetails {
    pub name: String,
    pub address: String,
    /// 14 digits.
    pub siret: Option<String>,
    pub email: Option<Email>,
    /// « 04 70 20 00 00 ».
    pub phone: Option<String>,
    pub representative: Option<String>,
}

impl ClientDetails {
    pub fn validate(form: &ClientForm) -> Result<ClientDetails, FieldErrors> {
        let mut e = FieldErrors::default();
        let details = ClientDetails {
            name: required_name(&mut e, "name", &form.name, "Le nom du client est obligatoire."),
            address: text(&mut e, "address", &form.address, MAX_LINE_CHARS),
            siret: optional_siret(&mut e, "siret", &form.siret),
            email: optional_email(&mut e, "email", &form.email),
            phone: optional_phone(&mut e, "phone", &form.phone),
            representative: optional_text(&mut e, "representative", &form.representative, MAX_LINE_CHARS),
        };
        e.into_result().map(|()| details)
    }

    /// A client known only by its name.
    pub fn named(name: &str) -> ClientDetails {
        ClientDetails { name: name.trim().to_owned(), address: String::new(), siret: None, email: None, phone: None, representative: None }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SiteForm {
    pub name: String,
    pub address: String,
}

/// One of a client's establishments (« Vichy »).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewSite {
    pub name: String,
    pub address: String,
}

impl NewSite {
    pub fn validate(form: &SiteForm) -> Result<NewSite, FieldErrors> {
        let mut e = FieldErrors::default();
        let site = NewSite {
            name: required_name(&mut e, "name", &form.name, "Le nom du site est obligatoire (par exemple « Vichy »)."),
            address: text(&mut e, "address", &form.address, MAX_LINE_CHARS),
        };
        e.into_result().map(|()| site)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactForm {
    pub name: String,
    pub job_title: String,
    pub email: String,
    pub phone: String,
}

/// A person at the client: who asks for trainings, who signs, who follows attendance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewContact {
    pub name: String,
    pub job_title: String,
    pub email: Option<Email>,
    pub phone: Option<String>,
}

impl NewContact {
    pub fn validate(form: &ContactForm) -> Result<NewContact, FieldErrors> {
        let mut e = FieldErrors::default();
        let contact = NewContact {
            name: required_name(&mut e, "name", &form.name, "Le nom du contact est obligatoire."),
            job_title: text(&mut e, "job_title", &form.job_title, MAX_LINE_CHARS),
            email: optional_email(&mut e, "email", &form.email),
            phone: optional_phone(&mut e, "phone", &form.phone),
        };
        e.into_result().map(|()| contact)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caf() -> ClientForm {
        ClientForm {
            name: "  CAF de l'Allier ".into(),
            address: "8 rue Achille Roche, 03000 Moulins".into(),
            siret: "732 829 320 00074".into(),
            email: "Accueil@CAF03.test".into(),
            phone: "+33 4 70 20 00 00".into(),
            representative: "".into(),
        }
    }

    #[test]
    fn a_client_is_normalised() {
        let c = ClientDetails::validate(&caf()).unwrap();
        assert_eq!(c.name, "CAF de l'Allier");
        assert_eq!(c.siret.as_deref(), Some("73282932000074"));
        assert_eq!(c.email.as_ref().map(Email::as_str), Some("accueil@caf03.test"));
        assert_eq!(c.phone.as_deref(), Some("04 70 20 00 00"));
        assert_eq!(c.representative, None);
    }

    #[test]
    fn each_bad_field_has_its_french_message() {
        let form = ClientForm { name: " ".into(), siret: "123".into(), email: "caf".into(), phone: "12".into(), ..caf() };
        let e = ClientDetails::validate(&form).unwrap_err();
        assert_eq!(e.get("name"), Some("Le nom du client est obligatoire."));
        assert_eq!(e.get("siret"), Some("Le SIRET comporte 14 chiffres."));
        assert!(e.get("email").is_some_and(|m| m.contains("e-mail")));
        assert!(e.get("phone").is_some());
        let e = ClientDetails::validate(&ClientForm { siret: "73282932000075".into(), ..caf() }).unwrap_err();
        assert!(e.get("siret").is_some_and(|m| m.contains("clé de contrôle")));
        let e = ClientDetails::validate(&ClientForm { name: "x".repeat(121), ..caf() }).unwrap_err();
        assert_eq!(e.get("name"), Some("120 caractères au plus."));
    }

    #[test]
    fn sites_and_contacts() {
        assert_eq!(NewSite::validate(&SiteForm { name: " Vichy ".into(), address: String::new() }).unwrap().name, "Vichy");
        assert!(NewSite::validate(&SiteForm::default()).unwrap_err().get("name").is_some());
        let c = NewContact::validate(&ContactForm { name: "Mme Dupont".into(), job_title: "Directrice".into(), email: String::new(), phone: String::new() })
            .unwrap();
        assert_eq!((c.email, c.phone), (None, None));
        let e = NewContact::validate(&ContactForm { name: String::new(), email: "x@".into(), ..ContactForm::default() }).unwrap_err();
        assert_eq!(e.len(), 2);
    }
}
