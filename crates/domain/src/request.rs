//! Demandes de formation (requests): a client asks for an INTRA action or for INTER seats; the
//! answer is promised within the program's access delay for that kind (« réponse dans les 15
//! jours », « 1 mois pour les sessions INTER »), and answering records when and how.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::FieldErrors;
use crate::access_delay::due_date;
use crate::program::{AccessDelays, Delay, ProgramKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AnswerChannel {
    Email,
    Phone,
    Letter,
    Meeting,
}

impl AnswerChannel {
    pub const ALL: [AnswerChannel; 4] = [Self::Email, Self::Phone, Self::Letter, Self::Meeting];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Phone => "phone",
            Self::Letter => "letter",
            Self::Meeting => "meeting",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Email => "courriel",
            Self::Phone => "téléphone",
            Self::Letter => "courrier",
            Self::Meeting => "rendez-vous",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The action will take place (a session follows).
    Accepted,
    Declined,
    /// Another date, format or price proposed.
    Proposal,
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [Self::Accepted, Self::Declined, Self::Proposal];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Declined => "declined",
            Self::Proposal => "proposal",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Accepted => "acceptée",
            Self::Declined => "déclinée",
            Self::Proposal => "contre-proposition",
        }
    }
}

/// The delay a program promises for a request of this kind. A sheet that states only one delay
/// is taken at its word for both kinds.
pub fn promised_delay(delays: &AccessDelays, kind: ProgramKind) -> Option<Delay> {
    match kind {
        ProgramKind::Intra => delays.intra.or(delays.inter),
        ProgramKind::Inter => delays.inter.or(delays.intra),
    }
}

/// A request as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRequest {
    pub client_id: i64,
    pub program_slug: String,
    pub kind: ProgramKind,
    pub seats: Option<u32>,
    pub received_on: NaiveDate,
    /// Set by hand only when the sheet promises no delay.
    pub due_on: Option<NaiveDate>,
    pub contact: String,
    pub message: String,
}

impl NewRequest {
    /// The promised answer date: from the sheet's delay when it states one (a date typed by hand
    /// is then ignored, the promise is the sheet's), else the date typed.
    pub fn due_date(&self, delays: &AccessDelays, today: NaiveDate) -> Result<NaiveDate, FieldErrors> {
        let mut errors = FieldErrors::default();
        if self.received_on > today {
            errors.add("received_on", "La date de réception ne peut pas être dans le futur.");
        }
        if self.seats == Some(0) || self.seats.is_some_and(|s| s > 1000) {
            errors.add("seats", "Le nombre de places demandées va de 1 à 1 000.");
        }
        if self.contact.chars().count() > 200 {
            errors.add("contact", "Le contact fait 200 caractères au plus.");
        }
        if self.message.chars().count() > 5000 {
            errors.add("message", "La demande fait 5 000 caractères au plus.");
        }
        let due = match promised_delay(delays, self.kind) {
            Some(delay) => due_date(self.received_on, delay),
            None => match self.due_on {
                Some(d) if d >= self.received_on => Some(d),
                Some(_) => {
                    errors.add("due_on", "La date de réponse promise suit la date de réception.");
                    None
                }
                None => {
                    errors.add("due_on", "La fiche ne précise pas de délai d'accès : indiquez la date de réponse promise.");
                    None
                }
            },
        };
        errors.into_result()?;
        due.ok_or_else(|| {
            let mut e = FieldErrors::default();
            e.add("received_on", "Date hors calendrier.");
            e
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::DelayUnit;

    fn date(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2019, m, d).unwrap()
    }

    fn request(kind: ProgramKind) -> NewRequest {
        NewRequest {
            client_id: 1,
            program_slug: "ctg".into(),
            kind,
            seats: None,
            received_on: date(2, 20),
            due_on: None,
            contact: String::new(),
            message: String::new(),
        }
    }

    fn seed_delays() -> AccessDelays {
        AccessDelays {
            markdown: None,
            intra: Some(Delay { amount: 15, unit: DelayUnit::Days }),
            inter: Some(Delay { amount: 1, unit: DelayUnit::Months }),
        }
    }

    #[test]
    fn the_promise_follows_the_kind() {
        let today = date(12, 31);
        assert_eq!(request(ProgramKind::Intra).due_date(&seed_delays(), today), Ok(date(3, 7)));
        assert_eq!(request(ProgramKind::Inter).due_date(&seed_delays(), today), Ok(date(3, 20)));
        let only_intra = AccessDelays { inter: None, ..seed_delays() };
        assert_eq!(request(ProgramKind::Inter).due_date(&only_intra, today), Ok(date(3, 7)));
    }

    #[test]
    fn without_a_delay_the_date_is_typed() {
        let none = AccessDelays::default();
        let today = date(12, 31);
        let errors = request(ProgramKind::Intra).due_date(&none, today).unwrap_err();
        assert!(errors.get("due_on").unwrap().contains("indiquez la date"));
        let typed = NewRequest { due_on: Some(date(3, 1)), ..request(ProgramKind::Intra) };
        assert_eq!(typed.due_date(&none, today), Ok(date(3, 1)));
        let future = NewRequest { received_on: date(12, 31), ..request(ProgramKind::Intra) };
        assert!(future.due_date(&seed_delays(), date(6, 1)).unwrap_err().get("received_on").is_some());
    }
}
