//! Where training happens: a venue (the organisation's premises, or a client's site) and its
//! rooms, with their capacity and accessibility.

use serde::{Deserialize, Serialize};

use super::fields::{MAX_LINE_CHARS, MAX_TEXT_CHARS, optional_email, optional_id, required, required_name, text, ticked};
use crate::account::Email;
use crate::validation::FieldErrors;

pub const MAX_ROOM_CAPACITY: u32 = 1000;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct VenueForm {
    pub name: String,
    pub address: String,
    pub city: String,
    pub accessibility: String,
    /// The reception desk's address: accommodations decided for a trainee are sent there.
    pub email: String,
    /// The client site's id, empty for the organisation's own premises.
    pub client_site: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewVenue {
    pub name: String,
    pub address: String,
    pub city: String,
    /// Access for people with disabilities, parking, transport: shown on convocations.
    pub accessibility: String,
    /// The reception desk, told of accommodations decided for trainees (handicap).
    pub email: Option<Email>,
    pub client_site_id: Option<i64>,
}

impl NewVenue {
    pub fn validate(form: &VenueForm) -> Result<NewVenue, FieldErrors> {
        let mut e = FieldErrors::default();
        let venue = NewVenue {
            name: required_name(&mut e, "name", &form.name, "Le nom du lieu est obligatoire."),
            address: required(&mut e, "address", &form.address, MAX_LINE_CHARS, "L'adresse du lieu est obligatoire."),
            city: required_name(&mut e, "city", &form.city, "La ville est obligatoire."),
            accessibility: text(&mut e, "accessibility", &form.accessibility, MAX_TEXT_CHARS),
            email: optional_email(&mut e, "email", &form.email),
            client_site_id: optional_id(&mut e, "client_site", &form.client_site, "Choisissez un site dans la liste."),
        };
        e.into_result().map(|()| venue)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RoomForm {
    pub name: String,
    pub capacity: String,
    /// A checkbox: sent when ticked.
    pub accessible: String,
}

impl RoomForm {
    /// An empty form for a new room, « accessible » ticked.
    pub fn blank() -> RoomForm {
        RoomForm { accessible: "on".into(), ..RoomForm::default() }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewRoom {
    pub name: String,
    /// Seats, 1 to [`MAX_ROOM_CAPACITY`].
    pub capacity: u32,
    /// Reachable and usable by a person in a wheelchair.
    pub accessible: bool,
}

impl NewRoom {
    pub fn validate(form: &RoomForm) -> Result<NewRoom, FieldErrors> {
        let mut e = FieldErrors::default();
        let name = required_name(&mut e, "name", &form.name, "Le nom de la salle est obligatoire.");
        let capacity = form.capacity.trim().parse::<u32>().ok().filter(|c| (1..=MAX_ROOM_CAPACITY).contains(c));
        if capacity.is_none() {
            e.add("capacity", "La capacité est un nombre de places entre 1 et 1000.");
        }
        match (capacity, e.is_empty()) {
            (Some(capacity), true) => Ok(NewRoom { name, capacity, accessible: ticked(&form.accessible) }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_venue_needs_name_address_and_city() {
        let e = NewVenue::validate(&VenueForm::default()).unwrap_err();
        assert!(e.get("name").is_some() && e.get("address").is_some() && e.get("city").is_some());
        let v = NewVenue::validate(&VenueForm {
            name: "CAF de l'Allier — Vichy".into(),
            address: "3 rue Lucas".into(),
            city: "Vichy".into(),
            accessibility: "Plain-pied.".into(),
            email: " accueil.vichy@caf03.example.fr ".into(),
            client_site: "4".into(),
        })
        .unwrap();
        assert_eq!(v.client_site_id, Some(4));
        assert_eq!(v.email.as_ref().map(|e| e.as_str()), Some("accueil.vichy@caf03.example.fr"));
        let e = NewVenue::validate(&VenueForm { email: "accueil@".into(), ..VenueForm::default() }).unwrap_err();
        assert_eq!(e.get("email"), Some("Adresse e-mail invalide (prenom.nom@domaine.fr)."));
        let e = NewVenue::validate(&VenueForm { client_site: "abc".into(), ..VenueForm::default() }).unwrap_err();
        assert_eq!(e.get("client_site"), Some("Choisissez un site dans la liste."));
    }

    #[test]
    fn room_capacity_is_bounded() {
        let room = |capacity: &str| NewRoom::validate(&RoomForm { name: "Salle Allier".into(), capacity: capacity.into(), accessible: String::new() });
        assert_eq!(room("40").unwrap(), NewRoom { name: "Salle Allier".into(), capacity: 40, accessible: false });
        assert_eq!(room(" 1000 ").unwrap().capacity, 1000);
        for bad in ["0", "1001", "-3", "douze", ""] {
            assert_eq!(room(bad).unwrap_err().get("capacity"), Some("La capacité est un nombre de places entre 1 et 1000."), "{bad}");
        }
        assert!(NewRoom::validate(&RoomForm { name: "Salle".into(), capacity: "12".into(), ..RoomForm::blank() }).unwrap().accessible);
    }
}
