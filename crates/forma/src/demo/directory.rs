//! The demo directory: the CAF de l'Allier with its three sites and the CAF du Puy-de-Dôme as
//! clients, venues with rooms, the cooperative Accolades with Thierry CHEINE, and an internal
//! trainer, Claire Martin, with one declared unavailability. Each entry is looked up by name
//! before it is created, so loading twice changes nothing; the ids are returned for the
//! planning demo.

use anyhow::Context;
use chrono::{Duration, NaiveDate};
use forma_domain::directory::{
    ClientDetails, ClientForm, ContactForm, NewContact, NewProvider, NewRoom, NewSite, NewTrainer, NewUnavailability, NewVenue, ProviderForm,
    RoomForm, SiteForm, TrainerForm, UnavailabilityForm, VenueForm,
};
use forma_domain::validation::FieldErrors;
use forma_store::Store;

use super::ACTOR;

/// Ids of what the demo directory holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoDirectory {
    pub caf_allier: i64,
    pub site_moulins: i64,
    pub site_vichy: i64,
    pub site_montlucon: i64,
    pub caf_puy_de_dome: i64,
    pub site_clermont: i64,
    pub venue_moulins: i64,
    pub venue_vichy: i64,
    pub venue_montlucon: i64,
    pub venue_clermont: i64,
    /// « Salle Allier », 40 places (Moulins).
    pub room_allier: i64,
    /// « Salle Bourbonnais », 20 places (Moulins).
    pub room_bourbonnais: i64,
    /// « Salle des Sources », 25 places (Vichy).
    pub room_sources: i64,
    /// « Salle du Cher », 20 places (Montluçon).
    pub room_cher: i64,
    /// « Salle 1 », 12 places (Clermont-Ferrand).
    pub room_clermont_1: i64,
    /// « Salle 2 », 16 places (Clermont-Ferrand).
    pub room_clermont_2: i64,
    pub provider_accolades: i64,
    pub trainer_thierry: i64,
    pub trainer_claire: i64,
}

pub const CAF_ALLIER: &str = "CAF de l'Allier";
const THIERRY_ACCOUNT: &str = "thierry.cheine@demo.forma.test";

fn checked<T>(what: &str, result: Result<T, FieldErrors>) -> anyhow::Result<T> {
    result.map_err(|e| anyhow::anyhow!("{what} de démonstration invalide : {e:?}"))
}

async fn client(store: &Store, form: ClientForm) -> anyhow::Result<i64> {
    let details = checked("client", ClientDetails::validate(&form))?;
    match store.client_by_name(&details.name).await? {
        // Created by the accounts' demo with its name only: give it its details, once.
        Some(c) => {
            let stored = store.client_details(c.id).await?.context("client de démonstration")?;
            if stored.address.is_empty() {
                store.update_client(c.id, &details, ACTOR).await?;
            }
            Ok(c.id)
        }
        None => Ok(store.create_client_details(&details, ACTOR).await?),
    }
}

async fn site(store: &Store, client: i64, name: &str, address: &str) -> anyhow::Result<i64> {
    if let Some(s) = store.client_sites(client).await?.into_iter().find(|s| s.name == name) {
        return Ok(s.id);
    }
    let site = checked("site", NewSite::validate(&SiteForm { name: name.into(), address: address.into() }))?;
    Ok(store.add_client_site(client, &site, ACTOR).await?)
}

async fn contact(store: &Store, client: i64, form: ContactForm) -> anyhow::Result<()> {
    if store.client_contacts(client).await?.iter().any(|c| c.name == form.name) {
        return Ok(());
    }
    let contact = checked("contact", NewContact::validate(&form))?;
    store.add_client_contact(client, &contact, ACTOR).await?;
    Ok(())
}

async fn venue(store: &Store, name: &str, address: &str, city: &str, site: Option<i64>, accessibility: &str) -> anyhow::Result<i64> {
    if let Some(v) = store.venues().await?.into_iter().find(|v| v.name == name) {
        return Ok(v.id);
    }
    let form = VenueForm {
        name: name.into(),
        address: address.into(),
        city: city.into(),
        accessibility: accessibility.into(),
        // Each venue's reception desk, so that accommodations decided in the demo reach it.
        email: forma_domain::slug::Slug::from_title(city).map(|s| format!("accueil.{}@demo.forma.test", s.as_str())).unwrap_or_default(),
        client_site: site.map(|s| s.to_string()).unwrap_or_default(),
    };
    Ok(store.create_venue(&checked("lieu", NewVenue::validate(&form))?, ACTOR).await?)
}

async fn room(store: &Store, venue: i64, name: &str, capacity: u32) -> anyhow::Result<i64> {
    if let Some(r) = store.rooms(venue).await?.into_iter().find(|r| r.name == name) {
        return Ok(r.id);
    }
    let form = RoomForm { name: name.into(), capacity: capacity.to_string(), ..RoomForm::blank() };
    Ok(store.add_room(venue, &checked("salle", NewRoom::validate(&form))?, ACTOR).await?)
}

async fn trainer(store: &Store, form: TrainerForm) -> anyhow::Result<i64> {
    if let Some(t) = store.trainers().await?.into_iter().find(|t| t.name == form.name) {
        return Ok(t.id);
    }
    Ok(store.create_trainer(&checked("formateur", NewTrainer::validate(&form))?, ACTOR).await?)
}

const ACCESSIBLE: &str = "Locaux de plain-pied accessibles en fauteuil roulant ; places de stationnement réservées. \
     Pour tout besoin d'aménagement, contactez notre référente handicap.";

/// Loads the directory; `today` places Claire Martin's unavailability in the coming weeks.
pub async fn load(store: &Store, today: NaiveDate) -> anyhow::Result<DemoDirectory> {
    let caf_allier = client(
        store,
        ClientForm {
            name: CAF_ALLIER.into(),
            address: "8 rue Achille Roche, 03000 Moulins".into(),
            email: "formation@caf03.demo.forma.test".into(),
            phone: "04 70 00 00 03".into(),
            representative: "Mme la directrice de la CAF de l'Allier".into(),
            ..ClientForm::default()
        },
    )
    .await?;
    let site_moulins = site(store, caf_allier, "Moulins", "8 rue Achille Roche, 03000 Moulins").await?;
    let site_vichy = site(store, caf_allier, "Vichy", "2 rue des Sources, 03200 Vichy").await?;
    let site_montlucon = site(store, caf_allier, "Montluçon", "5 avenue du Cher, 03100 Montluçon").await?;
    contact(
        store,
        caf_allier,
        ContactForm {
            name: "Camille Caf".into(),
            job_title: "Responsable formation".into(),
            email: "contact.caf03@demo.forma.test".into(),
            phone: "04 70 00 00 13".into(),
        },
    )
    .await?;

    let caf_puy_de_dome = client(
        store,
        ClientForm {
            name: "CAF du Puy-de-Dôme".into(),
            address: "3 rue de la République, 63000 Clermont-Ferrand".into(),
            email: "formation@caf63.demo.forma.test".into(),
            ..ClientForm::default()
        },
    )
    .await?;
    let site_clermont = site(store, caf_puy_de_dome, "Clermont-Ferrand", "3 rue de la République, 63000 Clermont-Ferrand").await?;

    let venue_moulins = venue(store, "CAF de l'Allier — Moulins", "8 rue Achille Roche, 03000 Moulins", "Moulins", Some(site_moulins), ACCESSIBLE).await?;
    let venue_vichy = venue(store, "CAF de l'Allier — Vichy", "2 rue des Sources, 03200 Vichy", "Vichy", Some(site_vichy), ACCESSIBLE).await?;
    let venue_montlucon = venue(
        store,
        "CAF de l'Allier — Montluçon",
        "5 avenue du Cher, 03100 Montluçon",
        "Montluçon",
        Some(site_montlucon),
        "Salle au premier étage, desservie par un ascenseur.",
    )
    .await?;
    let venue_clermont = venue(
        store,
        "Centre EGOC — Clermont-Ferrand",
        "10 rue de la Formation, 63000 Clermont-Ferrand",
        "Clermont-Ferrand",
        None,
        "Tramway arrêt « Jaude » à 300 m ; locaux de plain-pied, boucle magnétique en salle 1.",
    )
    .await?;
    let room_allier = room(store, venue_moulins, "Salle Allier", 40).await?;
    let room_bourbonnais = room(store, venue_moulins, "Salle Bourbonnais", 20).await?;
    let room_sources = room(store, venue_vichy, "Salle des Sources", 25).await?;
    let room_cher = room(store, venue_montlucon, "Salle du Cher", 20).await?;
    let room_clermont_1 = room(store, venue_clermont, "Salle 1", 12).await?;
    let room_clermont_2 = room(store, venue_clermont, "Salle 2", 16).await?;

    let provider_accolades = match store.providers().await?.into_iter().find(|p| p.name == "Accolades") {
        Some(p) => p.id,
        None => {
            let form = ProviderForm {
                name: "Accolades".into(),
                address: "Société coopérative — 1 place de la Coopération, 03000 Moulins".into(),
                email: "contact@accolades.demo.forma.test".into(),
                ..ProviderForm::default()
            };
            store.create_provider(&checked("prestataire", NewProvider::validate(&form))?, ACTOR).await?
        }
    };
    // Thierry's account exists when the demo created the accounts.
    let thierry_account = store.user_for_login(THIERRY_ACCOUNT).await?.map(|(u, _)| u.id.to_string()).unwrap_or_default();
    let trainer_thierry = trainer(
        store,
        TrainerForm {
            name: "Thierry CHEINE".into(),
            email: THIERRY_ACCOUNT.into(),
            provider: provider_accolades.to_string(),
            account: thierry_account,
            qualifications: "Consultant formateur : conduite du changement, démarches partenariales, convention territoriale globale.".into(),
            ..TrainerForm::blank()
        },
    )
    .await?;
    let trainer_claire = trainer(
        store,
        TrainerForm {
            name: "Claire Martin".into(),
            email: "pedagogie@demo.forma.test".into(),
            phone: "04 70 00 00 00".into(),
            qualifications: "Référente pédagogique ; accueil des publics, relation de service.".into(),
            ..TrainerForm::blank()
        },
    )
    .await?;
    if store.trainer_unavailabilities(trainer_claire).await?.is_empty() {
        let first = today + Duration::days(21);
        let form = UnavailabilityForm { first_day: first.to_string(), last_day: (first + Duration::days(4)).to_string(), reason: "Congés".into() };
        store.add_unavailability(trainer_claire, &checked("indisponibilité", NewUnavailability::validate(&form))?, ACTOR).await?;
    }

    Ok(DemoDirectory {
        caf_allier,
        site_moulins,
        site_vichy,
        site_montlucon,
        caf_puy_de_dome,
        site_clermont,
        venue_moulins,
        venue_vichy,
        venue_montlucon,
        venue_clermont,
        room_allier,
        room_bourbonnais,
        room_sources,
        room_cher,
        room_clermont_1,
        room_clermont_2,
        provider_accolades,
        trainer_thierry,
        trainer_claire,
    })
}
