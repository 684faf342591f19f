//! The convocation: the letter that calls a trainee to the days they are registered for, with
//! the venue, hours, trainers, contacts, the référent handicap and the règlement intérieur.
//!
//! There is no legal template; the convocation is one of the proofs of Qualiopi indicator 9
//! (information on the conditions in which the training takes place).

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::{Organisation, PlannedDay};
use crate::render::{self, Obj};
use crate::{DocumentError, format};

/// The person called to the training. No civility: the letter opens with « Madame, Monsieur ».
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trainee {
    /// « Camille DUPONT ».
    pub full_name: String,
    /// « CAF de l'Allier »; `None` for a trainee who comes on their own account.
    pub employer: Option<String>,
}

/// Someone to turn to: a contact, a référent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// « Marie LEROY ».
    pub name: String,
    /// What they do, when it helps: « assistante de formation », « service RH ».
    pub role: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// Where a day takes place, in full.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Venue {
    /// « CAF de l'Allier — site de Moulins ».
    pub name: String,
    pub address_lines: Vec<String>,
    /// « Salle Allier (rez-de-chaussée) ».
    pub room: Option<String>,
    /// How to get there: parking, public transport, reception desk…
    pub access: Option<String>,
    /// Accessibility of the premises: « de plain-pied, accessible en fauteuil roulant ».
    pub accessibility: Option<String>,
}

/// One of the trainee's days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConvocationDay {
    /// Date, module, title, half-days and trainers are printed. `place`, `audience` and
    /// `headcount` belong to the convention and are not: the venue says where.
    pub day: PlannedDay,
    pub venue: Venue,
}

/// Everything printed on a convocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConvocationDocument {
    pub issued_on: NaiveDate,
    pub organisation: Organisation,
    pub trainee: Trainee,
    /// « Accompagner la démarche de Convention Territoriale Globale ».
    pub training_title: String,
    /// « Session n° 12 ».
    pub session_reference: Option<String>,
    /// « 26/19 », for a session under a convention.
    pub convention_number: Option<String>,
    /// « INTRA » or « INTER ».
    pub kind: String,
    /// Only the days the trainee is registered for; at least one.
    pub days: Vec<ConvocationDay>,
    /// A reminder of the prerequisites, when there are any.
    pub prerequisites: Option<String>,
    /// The training body's contact for this session.
    pub organisation_contact: Option<Contact>,
    /// The client's contact (employer side), for an INTRA session usually.
    pub client_contact: Option<Contact>,
    /// The référent handicap, to whom an accommodation is asked for.
    pub disability_referent: Contact,
    pub pedagogical_referent: Option<Contact>,
    /// Where the règlement intérieur can be read.
    pub rules_url: String,
    /// The trainee's personal link (documents, questionnaires, attendance); printed, and as a
    /// QR code.
    pub personal_url: String,
}

/// Renders the convocation as a PDF/A-2b file.
pub fn render(doc: &ConvocationDocument) -> Result<Vec<u8>, DocumentError> {
    render::pdf(render::CONVOCATION, inputs(doc)?.into_dict(), doc.issued_on)
}

/// « formation intra-entreprise » / « formation inter-entreprises ».
pub fn kind_label(kind: &str) -> String {
    match kind.trim().to_uppercase().as_str() {
        "INTRA" => "formation intra-entreprise".to_owned(),
        "INTER" => "formation inter-entreprises".to_owned(),
        _ => format!("formation {}", kind.trim()),
    }
}

fn contact(c: &Contact) -> Obj {
    Obj::new()
        .set("name", render::typo(&c.name))
        .set("role", render::text(c.role.as_deref()))
        .set("email", render::verbatim(c.email.as_deref()))
        .set("phone", render::verbatim(c.phone.as_deref()))
}

fn venue(v: &Venue) -> Obj {
    Obj::new()
        .set("name", render::typo(&v.name))
        .set("address", render::lines(&v.address_lines))
        .set("access", render::text(v.access.as_deref()))
        .set("accessibility", render::text(v.accessibility.as_deref()))
}

/// A required URL: trimmed, non-blank.
fn url(value: &str, what: &str) -> Result<String, DocumentError> {
    render::verbatim(Some(value))
        .ok_or_else(|| DocumentError::InvalidData(format!("la convocation n'a pas de {what}")))
}

fn inputs(doc: &ConvocationDocument) -> Result<Obj, DocumentError> {
    if doc.training_title.trim().is_empty() {
        return Err(DocumentError::InvalidData(
            "la formation n'a pas d'intitulé".to_owned(),
        ));
    }
    if doc.trainee.full_name.trim().is_empty() {
        return Err(DocumentError::InvalidData(
            "le stagiaire convoqué n'a pas de nom".to_owned(),
        ));
    }
    if doc.days.is_empty() {
        return Err(DocumentError::InvalidData(
            "la convocation ne donne aucune journée".to_owned(),
        ));
    }
    if doc.disability_referent.name.trim().is_empty() {
        return Err(DocumentError::InvalidData(
            "le référent handicap n'a pas de nom".to_owned(),
        ));
    }
    let rules_url = url(&doc.rules_url, "lien vers le règlement intérieur")?;
    let personal_url = url(&doc.personal_url, "lien personnel du stagiaire")?;

    let planned: Vec<PlannedDay> = doc.days.iter().map(|d| d.day.clone()).collect();
    let sorted = render::sorted_days(&planned)?;
    // Back to the convocation days, in date order (sorting is stable on equal keys).
    let mut days: Vec<&ConvocationDay> = doc.days.iter().collect();
    days.sort_by_key(|d| (d.day.date, d.day.half_days().next().map(|(start, _)| start)));

    // Each venue is described once, in the order of the days.
    let mut venues: Vec<&Venue> = Vec::new();
    for d in &days {
        let same = |v: &&Venue| {
            v.name.trim() == d.venue.name.trim() && v.address_lines == d.venue.address_lines
        };
        if !venues.iter().any(same) {
            venues.push(&d.venue);
        }
    }
    let rows: Vec<Obj> = days
        .iter()
        .map(|d| {
            let hours: Vec<String> = d
                .day
                .half_days()
                .map(|(start, end)| format::time_range(start, end))
                .collect();
            let place = match render::text(d.venue.room.as_deref()) {
                Some(room) => format!("{}, {room}", render::typo(&d.venue.name)),
                None => render::typo(&d.venue.name),
            };
            Obj::new()
                .set("date", format::date_with_weekday(d.day.date))
                .set("module", render::text(d.day.module.as_deref()))
                .set("title", render::text(d.day.title.as_deref()))
                .set("hours", hours.join(" et "))
                .set("place", place)
                .set("trainers", render::lines(&d.day.trainers))
        })
        .collect();
    // Every trainer once, in the order they first appear.
    let mut seen = BTreeSet::new();
    let trainers: Vec<String> = days
        .iter()
        .flat_map(|d| render::lines(&d.day.trainers))
        .filter(|t| seen.insert(t.clone()))
        .collect();

    Ok(Obj::new()
        .set("issued_on", format::date(doc.issued_on))
        .set("organisation", render::organisation(&doc.organisation))
        .set(
            "trainee",
            Obj::new()
                .set("name", render::typo(&doc.trainee.full_name))
                .set("employer", render::text(doc.trainee.employer.as_deref())),
        )
        .set("title", render::typo(&doc.training_title))
        .set("session", render::text(doc.session_reference.as_deref()))
        .set(
            "convention_number",
            render::verbatim(doc.convention_number.as_deref()),
        )
        .set("kind", doc.kind.trim())
        .set("kind_label", kind_label(&doc.kind))
        .set("planning", render::planning(&sorted))
        .set("days", rows)
        .set("venues", venues.into_iter().map(venue).collect::<Vec<_>>())
        .set("trainers", trainers)
        .set("prerequisites", render::text(doc.prerequisites.as_deref()))
        .set(
            "organisation_contact",
            doc.organisation_contact.as_ref().map(contact),
        )
        .set("client_contact", doc.client_contact.as_ref().map(contact))
        .set("disability_referent", contact(&doc.disability_referent))
        .set(
            "pedagogical_referent",
            doc.pedagogical_referent.as_ref().map(contact),
        )
        .set("rules_url", rules_url)
        .set("personal_qr", render::qr_svg(&personal_url))
        .set("personal_url", personal_url))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_labels() {
        assert_eq!(kind_label(" intra "), "formation intra-entreprise");
        assert_eq!(kind_label("INTER"), "formation inter-entreprises");
        assert_eq!(kind_label("sur mesure"), "formation sur mesure");
    }
}
