//! The directory (clients, sites, contacts, venues, rooms, providers, trainers, documents,
//! unavailabilities) on SQLite and, when FORMA_TEST_POSTGRES_URL is set, on PostgreSQL.

use chrono::NaiveDate;
use forma_domain::ProgramKind;
use forma_domain::directory::{
    ClientDetails, ClientForm, ContactForm, DocumentKind, DocumentUpload, NewContact, NewDocument, NewProvider, NewRoom, NewSite, NewTrainer,
    NewUnavailability, NewVenue, ProviderForm, RoomForm, SiteForm, TrainerForm, UnavailabilityForm, VenueForm,
};
use forma_domain::parse_catalogue_page;
use forma_domain::session::{PlannedDay, SessionPlan};
use forma_store::testing::{each_backend, raw_execute};
use forma_store::{Store, StoreError};

const SEED: &str = include_str!("../../../fixtures/seed/caf03-ctg-acculturation.txt");

fn client(name: &str, siret: &str) -> ClientDetails {
    ClientDetails::validate(&ClientForm {
        name: name.into(),
        address: "8 rue Achille Roche, 03000 Moulins".into(),
        siret: siret.into(),
        email: "accueil@caf03.test".into(),
        phone: "04 70 20 00 00".into(),
        representative: "Mme Dupont, directrice".into(),
    })
    .unwrap()
}

fn site(name: &str) -> NewSite {
    NewSite::validate(&SiteForm { name: name.into(), address: String::new() }).unwrap()
}

fn venue(name: &str, city: &str, site: Option<i64>) -> NewVenue {
    NewVenue::validate(&VenueForm {
        name: name.into(),
        address: "1 rue de la Paix".into(),
        city: city.into(),
        accessibility: "Plain-pied, parking réservé.".into(),
        email: String::new(),
        client_site: site.map(|s| s.to_string()).unwrap_or_default(),
    })
    .unwrap()
}

fn room(name: &str, capacity: u32) -> NewRoom {
    NewRoom::validate(&RoomForm { name: name.into(), capacity: capacity.to_string(), ..RoomForm::blank() }).unwrap()
}

fn trainer(name: &str, provider: Option<i64>) -> NewTrainer {
    NewTrainer::validate(&TrainerForm {
        name: name.into(),
        provider: provider.map(|p| p.to_string()).unwrap_or_default(),
        qualifications: "Consultant, formateur".into(),
        ..TrainerForm::blank()
    })
    .unwrap()
}

fn off(first: &str, last: &str, reason: &str) -> NewUnavailability {
    NewUnavailability::validate(&UnavailabilityForm { first_day: first.into(), last_day: last.into(), reason: reason.into() }).unwrap()
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

async fn journal(store: &Store, entity: &str) -> Vec<(String, String)> {
    store.audit_events(Some(entity), 100).await.unwrap().into_iter().map(|e| (e.action, e.actor)).collect()
}

#[tokio::test]
async fn clients_sites_and_contacts() {
    each_backend(|store, url| async move {
        let old = store.create_client("CAF du Cher", "test").await.unwrap();
        let id = store.create_client_details(&client("CAF de l'Allier", "73282932000074"), "test").await.unwrap();
        let record = store.client_details(id).await.unwrap().unwrap();
        assert_eq!(record.siret.as_deref(), Some("73282932000074"), "{url}");
        assert_eq!(record.representative.as_deref(), Some("Mme Dupont, directrice"));
        // The plain list that accounts use still sees every client.
        let names: Vec<_> = store.clients().await.unwrap().into_iter().map(|c| c.name).collect();
        assert_eq!(names, ["CAF de l'Allier", "CAF du Cher"]);
        assert_eq!(store.client(old).await.unwrap().unwrap().name, "CAF du Cher");
        assert_eq!(store.client_details(old).await.unwrap().unwrap().address, "");

        let same = store.create_client_details(&client("CAF du Cher", ""), "test").await;
        assert!(matches!(same, Err(StoreError::Conflict(ref m)) if m == "Un client porte déjà ce nom."), "{same:?}");
        let renamed = store.update_client(id, &client("CAF du Cher", ""), "test").await;
        assert!(matches!(renamed, Err(StoreError::Conflict(_))));
        store.update_client(id, &ClientDetails::named("CAF de l'Allier (03)"), "gestion@test").await.unwrap();
        let record = store.client_details(id).await.unwrap().unwrap();
        assert_eq!((record.name.as_str(), record.siret, record.email), ("CAF de l'Allier (03)", None, None));
        assert!(matches!(store.update_client(9999, &ClientDetails::named("X"), "t").await, Err(StoreError::NotFound(_))));

        for name in ["Moulins", "Vichy", "Montluçon"] {
            store.add_client_site(id, &site(name), "test").await.unwrap();
        }
        let twice = store.add_client_site(id, &site("Vichy"), "test").await;
        assert!(matches!(twice, Err(StoreError::Conflict(ref m)) if m == "Ce client a déjà un site de ce nom."));
        assert!(matches!(store.add_client_site(9999, &site("Vichy"), "test").await, Err(StoreError::NotFound(_))), "{url}");
        store.add_client_site(old, &site("Vichy"), "test").await.unwrap();
        let sites = store.client_sites(id).await.unwrap();
        assert_eq!(sites.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["Montluçon", "Moulins", "Vichy"]);
        assert_eq!(store.all_client_sites().await.unwrap().len(), 4);

        let contact = NewContact::validate(&ContactForm {
            name: "Mme Dupont".into(),
            job_title: "Responsable formation".into(),
            email: "dupont@caf03.test".into(),
            phone: String::new(),
        })
        .unwrap();
        let contact_id = store.add_client_contact(id, &contact, "test").await.unwrap();
        let contacts = store.client_contacts(id).await.unwrap();
        assert_eq!((contacts.len(), contacts[0].email.as_deref()), (1, Some("dupont@caf03.test")));

        let summaries = store.client_summaries().await.unwrap();
        let allier = summaries.iter().find(|s| s.id == id).unwrap();
        assert_eq!((allier.sites, allier.contacts), (3, 1));

        // A venue on a deleted site stays, no longer tied to it.
        let vichy = sites.iter().find(|s| s.name == "Vichy").unwrap().id;
        let venue_id = store.create_venue(&venue("CAF — Vichy", "Vichy", Some(vichy)), "test").await.unwrap();
        assert_eq!(store.delete_client_site(vichy, "test").await.unwrap(), id);
        assert_eq!(store.venue(venue_id).await.unwrap().unwrap().client_site_id, None);
        assert_eq!(store.delete_client_contact(contact_id, "test").await.unwrap(), id);
        assert!(store.client_contacts(id).await.unwrap().is_empty());
        assert!(matches!(store.delete_client_contact(contact_id, "test").await, Err(StoreError::NotFound(_))));

        assert_eq!(journal(&store, "client").await.len(), 3, "create, create, update");
        let update = &store.audit_events(Some("client"), 1).await.unwrap()[0];
        assert_eq!((update.action.as_str(), update.actor.as_str()), ("update", "gestion@test"));
        assert_eq!(update.before.as_ref().unwrap().0["siret"], "73282932000074");
        assert_eq!(journal(&store, "client_site").await.iter().filter(|(a, _)| a == "delete").count(), 1);
        assert_eq!(journal(&store, "client_contact").await.len(), 2);
    })
    .await;
}

/// A session with one day; returns the session's id.
async fn planned_session(store: &Store) -> i64 {
    let seed = parse_catalogue_page(SEED).unwrap();
    store.import_programs(std::slice::from_ref(&seed), "test").await.unwrap();
    let day = PlannedDay { place: "Moulins".into(), ..PlannedDay::on(d(2027, 3, 22)) };
    let client = store.create_client("CAF du Cher", "test").await.unwrap();
    let session = SessionPlan { kind: ProgramKind::Intra, client_id: Some(client), capacity: Some(20), modules: vec![], days: vec![day] };
    store.create_session(seed.slug.as_str(), &session, "test").await.unwrap()
}

#[tokio::test]
async fn venues_and_rooms() {
    each_backend(|store, url| async move {
        let moulins = store.create_venue(&venue("CAF de l'Allier — Moulins", "Moulins", None), "test").await.unwrap();
        let clermont = store.create_venue(&venue("Centre EGOC — Clermont-Ferrand", "Clermont-Ferrand", None), "test").await.unwrap();
        let same = store.create_venue(&venue("Centre EGOC — Clermont-Ferrand", "Clermont", None), "test").await;
        assert!(matches!(same, Err(StoreError::Conflict(ref m)) if m == "Un lieu porte déjà ce nom."));
        assert!(matches!(store.create_venue(&venue("Ailleurs", "Vichy", Some(4242)), "test").await, Err(StoreError::NotFound(_))), "{url}");
        let mut changed = venue("CAF de l'Allier — Moulins", "Moulins", None);
        changed.accessibility = "Ascenseur.".into();
        store.update_venue(moulins, &changed, "test").await.unwrap();
        assert_eq!(store.venue(moulins).await.unwrap().unwrap().accessibility, "Ascenseur.");
        assert_eq!(store.venues().await.unwrap().iter().map(|v| v.id).collect::<Vec<_>>(), [moulins, clermont]);

        let allier = store.add_room(moulins, &room("Salle Allier", 40), "test").await.unwrap();
        let bourbonnais = store.add_room(moulins, &room("Salle Bourbonnais", 20), "test").await.unwrap();
        store.add_room(clermont, &room("Salle 1", 12), "test").await.unwrap();
        assert!(matches!(store.add_room(moulins, &room("Salle Allier", 10), "test").await, Err(StoreError::Conflict(_))));
        let rooms = store.rooms(moulins).await.unwrap();
        assert_eq!(rooms.iter().map(|r| (r.name.as_str(), r.capacity, r.accessible)).collect::<Vec<_>>(), [("Salle Allier", 40, true), ("Salle Bourbonnais", 20, true)]);
        let mut smaller = room("Salle Bourbonnais", 18);
        smaller.accessible = false;
        assert_eq!(store.update_room(bourbonnais, &smaller, "test").await.unwrap(), moulins);
        let r = store.room(bourbonnais).await.unwrap().unwrap();
        assert_eq!((r.capacity, r.accessible), (18, false));
        let all = store.all_rooms().await.unwrap();
        assert_eq!(all.iter().map(|(r, v)| (r.name.as_str(), v.as_str())).collect::<Vec<_>>(), [
            ("Salle Allier", "CAF de l'Allier — Moulins"),
            ("Salle Bourbonnais", "CAF de l'Allier — Moulins"),
            ("Salle 1", "Centre EGOC — Clermont-Ferrand"),
        ]);

        // A room used by a training day stays; so does its venue.
        let session = planned_session(&store).await;
        raw_execute(&url, &format!("UPDATE session_days SET room_id = {allier}, venue_id = {moulins} WHERE session_id = {session}")).await;
        let refused = store.delete_room(allier, "test").await;
        assert!(matches!(refused, Err(StoreError::Conflict(ref m)) if m.contains("ne peut pas être supprimée")), "{url}: {refused:?}");
        assert!(matches!(store.delete_venue(moulins, "test").await, Err(StoreError::Conflict(ref m)) if m.contains("ne peut pas être supprimé")));
        raw_execute(&url, &format!("UPDATE session_days SET venue_id = NULL WHERE session_id = {session}")).await;
        assert!(matches!(store.delete_venue(moulins, "test").await, Err(StoreError::Conflict(_))), "{url}: its room is still used");
        assert_eq!(store.delete_room(bourbonnais, "test").await.unwrap(), moulins);
        assert!(store.room(bourbonnais).await.unwrap().is_none());
        store.delete_venue(clermont, "test").await.unwrap();
        assert!(store.venue(clermont).await.unwrap().is_none());
        assert_eq!(store.all_rooms().await.unwrap().len(), 1, "a deleted venue's rooms go with it");

        let rooms_journal = journal(&store, "room").await;
        assert_eq!(rooms_journal.iter().map(|(a, _)| a.as_str()).collect::<Vec<_>>(), ["delete", "update", "create", "create", "create"]);
        assert_eq!(journal(&store, "venue").await.iter().map(|(a, _)| a.as_str()).collect::<Vec<_>>(), ["delete", "update", "create", "create"]);
    })
    .await;
}

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

#[tokio::test]
async fn providers_trainers_documents_and_unavailabilities() {
    each_backend(|store, url| async move {
        let accolades = store.create_provider(&NewProvider::validate(&ProviderForm { name: "Accolades".into(), ..ProviderForm::default() }).unwrap(), "test").await.unwrap();
        let again = store.create_provider(&NewProvider::validate(&ProviderForm { name: "Accolades".into(), ..ProviderForm::default() }).unwrap(), "test").await;
        assert!(matches!(again, Err(StoreError::Conflict(ref m)) if m == "Un prestataire porte déjà ce nom."));
        assert_eq!(store.providers().await.unwrap()[0].name, "Accolades");
        assert_eq!(store.provider(accolades).await.unwrap().unwrap().id, accolades);

        let thierry = store.create_trainer(&trainer("Thierry CHEINE", Some(accolades)), "test").await.unwrap();
        let claire = store.create_trainer(&trainer("Claire Martin", None), "test").await.unwrap();
        assert!(matches!(store.create_trainer(&trainer("X", Some(999)), "test").await, Err(StoreError::NotFound(_))), "{url}");
        let trainers = store.trainers().await.unwrap();
        assert_eq!(
            trainers.iter().map(|t| (t.name.as_str(), t.provider_name.as_deref(), t.active)).collect::<Vec<_>>(),
            [("Claire Martin", None, true), ("Thierry CHEINE", Some("Accolades"), true)]
        );
        assert!(store.trainer(claire).await.unwrap().unwrap().is_internal());

        // An account is tied to one trainer at most.
        let account = store
            .create_user(
                &forma_store::NewUser { email: forma_domain::account::Email::parse("t@test.fr").unwrap(), name: "T".into(), role: forma_domain::account::Role::Formateur, client_id: None },
                &forma_store::NewLink { token_hash: "h".into(), purpose: forma_store::LinkPurpose::SetPassword, expires_at: chrono::Utc::now() },
                None,
                "test",
            )
            .await
            .unwrap();
        let mut with_account = trainer("Thierry CHEINE", Some(accolades));
        with_account.user_id = Some(account);
        store.update_trainer(thierry, &with_account, "test").await.unwrap();
        let mut inactive = trainer("Claire Martin", None);
        inactive.user_id = Some(account);
        assert!(matches!(store.update_trainer(claire, &inactive, "test").await, Err(StoreError::Conflict(ref m)) if m.contains("déjà rattaché")));
        inactive.user_id = None;
        inactive.active = false;
        store.update_trainer(claire, &inactive, "test").await.unwrap();
        assert!(!store.trainer(claire).await.unwrap().unwrap().active);
        assert_eq!(store.trainer(thierry).await.unwrap().unwrap().user_id, Some(account));

        let upload = DocumentUpload { kind: "cv".into(), title: "CV 2026".into(), valid_until: "2027-12-31".into(), filename: "cv.pdf".into(), content: PDF.to_vec() };
        let doc = store.add_trainer_document(thierry, &NewDocument::validate(&upload).unwrap(), "test").await.unwrap();
        let listed = store.trainer_documents(thierry).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!((listed[0].kind, listed[0].size, listed[0].valid_until), (DocumentKind::Cv, PDF.len() as u64, Some(d(2027, 12, 31))));
        let (meta, bytes) = store.trainer_document(doc).await.unwrap().unwrap();
        assert_eq!((meta.content_type.as_str(), bytes.as_slice()), ("application/pdf", PDF), "{url}: bytes round-trip");
        assert!(store.trainer_document(doc + 1000).await.unwrap().is_none());
        assert_eq!(store.delete_trainer_document(doc, "test").await.unwrap(), thierry);
        assert!(store.trainer_documents(thierry).await.unwrap().is_empty());
        let journaled = store.audit_events(Some("trainer_document"), 10).await.unwrap();
        assert_eq!(journaled.len(), 2);
        assert_eq!(journaled[0].before.as_ref().unwrap().0["filename"], "cv.pdf");
        assert!(journaled[1].after.as_ref().unwrap().0.get("content").is_none(), "no bytes in the journal");

        let holidays = store.add_unavailability(claire, &off("2026-07-13", "2026-07-24", "Congés"), "test").await.unwrap();
        store.add_unavailability(claire, &off("2026-09-01", "2026-09-01", ""), "test").await.unwrap();
        store.add_unavailability(thierry, &off("2026-07-20", "2026-07-21", "Autre mission"), "test").await.unwrap();
        assert_eq!(store.trainer_unavailabilities(claire).await.unwrap().len(), 2);
        let july = store.unavailabilities_between(d(2026, 7, 24), d(2026, 8, 31)).await.unwrap();
        assert_eq!(july, [(claire, d(2026, 7, 13), d(2026, 7, 24), "Congés".to_owned())], "{url}: overlap on the last day");
        let week = store.unavailabilities_between(d(2026, 7, 1), d(2026, 7, 20)).await.unwrap();
        assert_eq!(week.iter().map(|u| u.0).collect::<Vec<_>>(), [thierry, claire], "by trainer");
        assert!(store.unavailabilities_between(d(2026, 7, 25), d(2026, 8, 31)).await.unwrap().is_empty());
        assert_eq!(store.delete_unavailability(holidays, "test").await.unwrap(), claire);
        assert!(matches!(store.delete_unavailability(holidays, "test").await, Err(StoreError::NotFound(_))));
        assert_eq!(journal(&store, "trainer_unavailability").await.len(), 4);
        assert_eq!(journal(&store, "trainer").await.len(), 4);
        assert_eq!(journal(&store, "provider").await.len(), 1);
    })
    .await;
}
