//! The directory over HTTP with a gestionnaire's session: clients with sites and contacts,
//! venues with rooms, providers and trainers with documents and unavailabilities; refused forms
//! come back 422 with the typed values and a French message next to the field; every write is
//! journaled. Then the demo's directory, loaded twice.

use forma_domain::account::Role;
use forma_store::AuditFilter;
use reqwest::multipart::{Form, Part};

use crate::helpers::{TestApp, on_each_backend, on_each_empty_backend};

const GESTION: &str = "gestion@test.forma.test";

async fn gestionnaire(app: &TestApp) -> reqwest::Client {
    app.account(GESTION, Role::Gestionnaire, None).await;
    app.signed_in(GESTION).await
}

async fn post(app: &TestApp, client: &reqwest::Client, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    client.post(format!("{}{path}", app.base)).form(fields).send().await.unwrap()
}

/// Posts a form that must succeed; returns where it redirects.
async fn posted(app: &TestApp, client: &reqwest::Client, path: &str, fields: &[(&str, &str)]) -> String {
    let r = post(app, client, path, fields).await;
    let status = r.status();
    let location = r.headers().get("location").map(|l| l.to_str().unwrap().to_owned());
    assert_eq!(status, 303, "{path}: {}", r.text().await.unwrap_or_default());
    location.unwrap()
}

/// Posts a form that must be refused; returns the page.
async fn refused(app: &TestApp, client: &reqwest::Client, path: &str, fields: &[(&str, &str)]) -> String {
    let r = post(app, client, path, fields).await;
    assert_eq!(r.status(), 422, "{path}");
    r.text().await.unwrap()
}

async fn page(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let r = client.get(format!("{}{path}", app.base)).send().await.unwrap();
    assert_eq!(r.status(), 200, "{path}");
    r.text().await.unwrap()
}

/// The id in `/gestion/…/{id}?ok=…`.
fn id_in(location: &str) -> i64 {
    location.split('?').next().unwrap().rsplit('/').next().unwrap().parse().unwrap()
}

/// Journal entries for `entity`, as (action, actor).
async fn journal(app: &TestApp, entity: &str) -> Vec<(String, String)> {
    let store = app.store().await;
    let events = store.audit_events(Some(entity), 100).await.unwrap();
    store.close().await;
    events.into_iter().rev().map(|e| (e.action, e.actor)).collect()
}

fn actions(entries: &[(String, String)]) -> Vec<&str> {
    assert!(entries.iter().all(|(_, actor)| actor == GESTION), "every write is the gestionnaire's: {entries:?}");
    entries.iter().map(|(a, _)| a.as_str()).collect()
}

#[tokio::test]
async fn a_client_with_its_sites_and_a_contact() {
    on_each_empty_backend(|app| async move {
        let client = gestionnaire(&app).await;
        let location = posted(&app, &client, "/gestion/clients", &[("name", "CAF de l'Allier"), ("address", "8 rue Achille Roche, 03000 Moulins")]).await;
        assert!(location.ends_with("?ok=client"), "{location}");
        let id = id_in(&location);
        let path = format!("/gestion/clients/{id}");
        for site in ["Moulins", "Vichy", "Montluçon"] {
            assert_eq!(posted(&app, &client, &format!("{path}/sites"), &[("name", site)]).await, format!("{path}?ok=site"));
        }
        let contact = [("name", "Mme Dupont"), ("job_title", "Responsable formation"), ("email", "dupont@caf03.test"), ("phone", "0470200000")];
        assert_eq!(posted(&app, &client, &format!("{path}/contacts"), &contact).await, format!("{path}?ok=contact"));

        let html = page(&app, &client, &format!("{path}?ok=contact")).await;
        assert!(html.contains("Contact ajouté."), "the notice");
        for text in ["<th scope=\"row\">Moulins</th>", "<th scope=\"row\">Vichy</th>", "<th scope=\"row\">Montluçon</th>", "Mme Dupont", "04 70 20 00 00"] {
            assert!(html.contains(text), "{text}");
        }
        assert!(html.contains(&format!("href=\"/espace-client/{id}\"")), "a link to the client's space");
        let list = page(&app, &client, "/gestion/clients").await;
        assert!(list.contains(&format!("<a href=\"{path}\">CAF de l&#39;Allier</a>")) && list.contains("<td>3</td>"), "{list}");

        // A bad SIRET: 422, the typed values kept, the message next to the field.
        let details = [("name", "CAF de l'Allier (03)"), ("address", "8 rue Achille Roche"), ("siret", "732 829 320"), ("email", ""), ("phone", ""), ("representative", "")];
        let html = refused(&app, &client, &path, &details).await;
        assert!(html.contains("<span class=\"field-error\" id=\"err-client-siret\">Le SIRET comporte 14 chiffres.</span>"), "{html}");
        assert!(html.contains("value=\"732 829 320\"") && html.contains("aria-describedby=\"hint-client-siret err-client-siret\""));
        assert!(html.contains("value=\"CAF de l&#39;Allier (03)\""), "the other typed values are kept");
        assert!(html.contains("role=\"alert\""));
        let store = app.store().await;
        assert_eq!(store.client_details(id).await.unwrap().unwrap().name, "CAF de l'Allier", "nothing saved");
        let details = [("name", "CAF de l'Allier"), ("address", "8 rue Achille Roche, 03000 Moulins"), ("siret", "732 829 320 00074"), ("representative", "Mme Dupont")];
        posted(&app, &client, &path, &details).await;
        assert_eq!(store.client_details(id).await.unwrap().unwrap().siret.as_deref(), Some("73282932000074"));

        // The same site twice is refused; a site and a contact are deleted.
        let html = refused(&app, &client, &format!("{path}/sites"), &[("name", "Vichy")]).await;
        assert!(html.contains("Ce client a déjà un site de ce nom.") && html.contains("value=\"Vichy\""));
        assert!(refused(&app, &client, &format!("{path}/contacts"), &[("name", ""), ("email", "dupont@")]).await.contains("id=\"err-contact-email\""));
        let vichy = store.client_sites(id).await.unwrap().into_iter().find(|s| s.name == "Vichy").unwrap().id;
        assert_eq!(posted(&app, &client, &format!("/gestion/clients/sites/{vichy}/supprimer"), &[]).await, format!("{path}?ok=site-supprime"));
        let contact_id = store.client_contacts(id).await.unwrap()[0].id;
        posted(&app, &client, &format!("/gestion/clients/contacts/{contact_id}/supprimer"), &[]).await;
        assert_eq!(store.client_sites(id).await.unwrap().len(), 2);
        assert!(store.client_contacts(id).await.unwrap().is_empty());
        store.close().await;

        assert_eq!(actions(&journal(&app, "client").await), ["create", "update"]);
        assert_eq!(actions(&journal(&app, "client_site").await), ["create", "create", "create", "delete"]);
        assert_eq!(actions(&journal(&app, "client_contact").await), ["create", "delete"]);
        let html = page(&app, &client, "/gestion/journal?objet=client_site").await;
        assert!(html.contains("Site d&#39;un client"), "the journal names the entity in French");
    })
    .await;
}

#[tokio::test]
async fn a_venue_with_its_rooms() {
    on_each_empty_backend(|app| async move {
        let client = gestionnaire(&app).await;
        let venue = [("name", "Centre EGOC — Clermont-Ferrand"), ("address", "10 rue de la Formation"), ("city", ""), ("accessibility", "Plain-pied.")];
        let html = refused(&app, &client, "/gestion/lieux", &venue).await;
        assert!(html.contains("La ville est obligatoire.") && html.contains("value=\"Centre EGOC — Clermont-Ferrand\""));
        // The reception desk's address is checked, and kept as typed when refused.
        let venue = [("name", "Centre EGOC — Clermont-Ferrand"), ("address", "10 rue de la Formation"), ("city", "Clermont-Ferrand"), ("email", "accueil@"), ("accessibility", "Plain-pied.")];
        let html = refused(&app, &client, "/gestion/lieux", &venue).await;
        assert!(html.contains("id=\"err-venue-email\">Adresse e-mail invalide") && html.contains("value=\"accueil@\""), "{html}");
        let venue = [("name", "Centre EGOC — Clermont-Ferrand"), ("address", "10 rue de la Formation"), ("city", "Clermont-Ferrand"), ("email", "accueil@egoc.test"), ("accessibility", "Plain-pied.")];
        let location = posted(&app, &client, "/gestion/lieux", &venue).await;
        let id = id_in(&location);
        let path = format!("/gestion/lieux/{id}");
        assert!(refused(&app, &client, "/gestion/lieux", &venue).await.contains("Un lieu porte déjà ce nom."));
        assert_eq!(app.store().await.venue(id).await.unwrap().unwrap().email.as_deref(), Some("accueil@egoc.test"));

        posted(&app, &client, &format!("{path}/salles"), &[("name", "Salle 1"), ("capacity", "12"), ("accessible", "on")]).await;
        posted(&app, &client, &format!("{path}/salles"), &[("name", "Salle 2"), ("capacity", "16"), ("accessible", "on")]).await;
        // Capacity 0 is refused, with the typed values.
        let html = refused(&app, &client, &format!("{path}/salles"), &[("name", "Salle 3"), ("capacity", "0")]).await;
        assert!(html.contains("<span class=\"field-error\" id=\"err-room-capacity\">La capacité est un nombre de places entre 1 et 1000.</span>"), "{html}");
        assert!(html.contains("value=\"Salle 3\"") && html.contains("value=\"0\""));

        let store = app.store().await;
        let rooms = store.rooms(id).await.unwrap();
        assert_eq!(rooms.iter().map(|r| (r.name.as_str(), r.capacity, r.accessible)).collect::<Vec<_>>(), [("Salle 1", 12, true), ("Salle 2", 16, true)]);
        let salle1 = rooms[0].id;
        // Edited: 14 places, not accessible (the box unticked).
        assert_eq!(posted(&app, &client, &format!("/gestion/lieux/salles/{salle1}"), &[("name", "Salle 1"), ("capacity", "14")]).await, format!("{path}?ok=salle"));
        let room = store.room(salle1).await.unwrap().unwrap();
        assert_eq!((room.capacity, room.accessible), (14, false));
        let html = refused(&app, &client, &format!("/gestion/lieux/salles/{salle1}"), &[("name", "Salle 1"), ("capacity", "2000")]).await;
        assert!(html.contains(&format!("id=\"err-room-{salle1}-capacity\"")) && html.contains("value=\"2000\""));

        let html = page(&app, &client, &path).await;
        assert!(html.contains("Salle 1 — 14 places, non accessible") && html.contains("<caption>Salles de Centre EGOC — Clermont-Ferrand</caption>"));
        let list = page(&app, &client, "/gestion/lieux").await;
        assert!(list.contains(&format!("<a href=\"{path}\">Centre EGOC — Clermont-Ferrand</a>")) && list.contains("<td>16</td>"));

        // A room planned for a training day cannot be deleted, nor its venue.
        let seed = forma_domain::parse_catalogue_page(forma::demo::SEED_PAGE).unwrap();
        store.import_programs(std::slice::from_ref(&seed), "test").await.unwrap();
        let day = forma_domain::session::PlannedDay {
            place: "Clermont-Ferrand".into(),
            ..forma_domain::session::PlannedDay::on(chrono::NaiveDate::from_ymd_opt(2027, 3, 22).unwrap())
        };
        let cantal = store.create_client("CAF du Cantal", "test").await.unwrap();
        let session = forma_domain::session::SessionPlan { kind: forma_domain::ProgramKind::Intra, client_id: Some(cantal), capacity: Some(12), modules: vec![], days: vec![day] };
        let session = store.create_session(seed.slug.as_str(), &session, "test").await.unwrap();
        forma_store::testing::raw_execute(&app.db, &format!("UPDATE session_days SET room_id = {salle1} WHERE session_id = {session}")).await;
        let html = refused(&app, &client, &format!("/gestion/lieux/salles/{salle1}/supprimer"), &[]).await;
        assert!(html.contains(&format!("id=\"err-room-{salle1}-delete\">Cette salle est prévue pour des journées de formation")), "{html}");
        assert!(refused(&app, &client, &format!("{path}/supprimer"), &[]).await.contains("Ce lieu est prévu pour des journées de formation"));
        let salle2 = store.rooms(id).await.unwrap()[1].id;
        assert_eq!(posted(&app, &client, &format!("/gestion/lieux/salles/{salle2}/supprimer"), &[]).await, format!("{path}?ok=salle-supprimee"));
        assert_eq!(store.rooms(id).await.unwrap().len(), 1);
        store.close().await;

        assert_eq!(actions(&journal(&app, "venue").await), ["create"]);
        assert_eq!(actions(&journal(&app, "room").await), ["create", "create", "update", "delete"]);
    })
    .await;
}

const PDF: &[u8] = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n";

fn upload(kind: &str, title: &str, filename: &str, bytes: Vec<u8>) -> Form {
    Form::new()
        .text("kind", kind.to_owned())
        .text("title", title.to_owned())
        .text("valid_until", "")
        .part("file", Part::bytes(bytes).file_name(filename.to_owned()).mime_str("application/pdf").unwrap())
}

#[tokio::test]
async fn trainers_of_a_provider_with_documents_and_unavailabilities() {
    on_each_empty_backend(|app| async move {
        let client = gestionnaire(&app).await;
        assert_eq!(posted(&app, &client, "/gestion/prestataires", &[("name", "Accolades"), ("siret", "")]).await, "/gestion/formateurs?ok=prestataire");
        let html = refused(&app, &client, "/gestion/prestataires", &[("name", "Accolades")]).await;
        assert!(html.contains("Un prestataire porte déjà ce nom."));
        let store = app.store().await;
        let accolades = store.providers().await.unwrap()[0].id;
        let provider = accolades.to_string();

        let thierry = [("name", "Thierry CHEINE"), ("provider", provider.as_str()), ("email", "thierry@accolades.test"), ("active", "on")];
        let location = posted(&app, &client, "/gestion/formateurs", &thierry).await;
        let thierry = id_in(&location);
        posted(&app, &client, "/gestion/formateurs", &[("name", "Claire Martin"), ("provider", ""), ("active", "on")]).await;
        let html = refused(&app, &client, "/gestion/formateurs", &[("name", "Paul"), ("provider", "99999")]).await;
        assert!(html.contains("Choisissez un prestataire dans la liste"));
        let list = page(&app, &client, "/gestion/formateurs").await;
        assert!(list.contains(&format!("<a href=\"/gestion/formateurs/{thierry}\">Thierry CHEINE</a></th>\n      <td>Accolades</td>")), "{list}");
        assert!(list.contains("Claire Martin</a></th>\n      <td>interne</td>"));
        let trainer = store.trainer(thierry).await.unwrap().unwrap();
        assert_eq!((trainer.provider_name.as_deref(), trainer.active), (Some("Accolades"), true));

        // A PDF CV goes up and comes back byte for byte, as an attachment.
        let path = format!("/gestion/formateurs/{thierry}");
        let r = client.post(format!("{}{path}/documents", app.base)).multipart(upload("cv", "CV de Thierry", "cv-thierry.pdf", PDF.to_vec())).send().await.unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()["location"], format!("{path}?ok=document").as_str());
        let documents = store.trainer_documents(thierry).await.unwrap();
        assert_eq!((documents.len(), documents[0].title.as_str()), (1, "CV de Thierry"));
        let r = client.get(format!("{}/gestion/formateurs/documents/{}", app.base, documents[0].id)).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "application/pdf");
        assert!(r.headers()["content-disposition"].to_str().unwrap().starts_with("attachment; filename=\"cv-thierry.pdf\""));
        assert_eq!(r.bytes().await.unwrap().as_ref(), PDF, "byte-identical");
        let html = page(&app, &client, &path).await;
        assert!(html.contains(&format!("<a href=\"/gestion/formateurs/documents/{}\">CV de Thierry</a>", documents[0].id)));

        // A program renamed .pdf is refused, the form kept.
        let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff".to_vec();
        let r = client.post(format!("{}{path}/documents", app.base)).multipart(upload("qualification", "Diplôme", "diplome.pdf", exe)).send().await.unwrap();
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("<span class=\"field-error\" id=\"err-document-file\">Formats acceptés : PDF, PNG ou JPEG.</span>"), "{html}");
        assert!(html.contains("value=\"Diplôme\"") && html.contains("<option value=\"qualification\" selected>"));
        // Too large: refused with the French message up to the route's limit, 413 beyond it.
        let mut big = PDF.to_vec();
        big.resize(6 * 1024 * 1024, b' ');
        let r = client.post(format!("{}{path}/documents", app.base)).multipart(upload("cv", "", "gros.pdf", big.clone())).send().await.unwrap();
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("Le document ne doit pas dépasser 5 Mo."));
        big.resize(9 * 1024 * 1024, b' ');
        let r = client.post(format!("{}{path}/documents", app.base)).multipart(upload("cv", "", "enorme.pdf", big)).send().await.unwrap();
        assert_eq!(r.status(), 413);
        assert_eq!(store.trainer_documents(thierry).await.unwrap().len(), 1);
        assert_eq!(posted(&app, &client, &format!("/gestion/formateurs/documents/{}/supprimer", documents[0].id), &[]).await, format!("{path}?ok=document-supprime"));
        assert!(store.trainer_documents(thierry).await.unwrap().is_empty());

        // Unavailabilities: the last day before the first is refused.
        let html = refused(&app, &client, &format!("{path}/indisponibilites"), &[("first_day", "2026-07-17"), ("last_day", "2026-07-13"), ("reason", "Congés")]).await;
        assert!(html.contains("<span class=\"field-error\" id=\"err-unavailability-last_day\">La date de fin doit être le même jour que la date de début ou après.</span>"), "{html}");
        assert!(html.contains("value=\"2026-07-17\"") && html.contains("value=\"Congés\""));
        posted(&app, &client, &format!("{path}/indisponibilites"), &[("first_day", "2026-07-13"), ("last_day", "2026-07-17"), ("reason", "Congés")]).await;
        assert!(page(&app, &client, &path).await.contains("du 13 juillet 2026 au 17 juillet 2026"));
        let first = chrono::NaiveDate::from_ymd_opt(2026, 7, 15).unwrap();
        let seen = store.unavailabilities_between(first, first).await.unwrap();
        assert_eq!(seen.iter().map(|u| (u.0, u.3.as_str())).collect::<Vec<_>>(), [(thierry, "Congés")]);
        let off = store.trainer_unavailabilities(thierry).await.unwrap()[0].id;
        posted(&app, &client, &format!("/gestion/formateurs/indisponibilites/{off}/supprimer"), &[]).await;
        assert!(store.trainer_unavailabilities(thierry).await.unwrap().is_empty());

        // The trainer's details are edited; deactivated by unticking « actif ».
        posted(&app, &client, &path, &[("name", "Thierry CHEINE"), ("provider", provider.as_str()), ("qualifications", "Conduite du changement")]).await;
        assert!(!store.trainer(thierry).await.unwrap().unwrap().active);
        store.close().await;

        assert_eq!(actions(&journal(&app, "provider").await), ["create"]);
        assert_eq!(actions(&journal(&app, "trainer").await), ["create", "create", "update"]);
        assert_eq!(actions(&journal(&app, "trainer_document").await), ["create", "delete"]);
        assert_eq!(actions(&journal(&app, "trainer_unavailability").await), ["create", "delete"]);
        let html = page(&app, &client, "/gestion/journal?objet=trainer_document").await;
        assert!(html.contains("Document d&#39;un formateur"));
    })
    .await;
}

#[tokio::test]
async fn the_demo_directory_is_complete_and_loads_once() {
    on_each_backend(|app| async move {
        let store = app.store().await;
        let allier = store.client_by_name("CAF de l'Allier").await.unwrap().unwrap().id;
        assert_eq!(store.client_details(allier).await.unwrap().unwrap().address, "8 rue Achille Roche, 03000 Moulins");
        let sites: Vec<_> = store.client_sites(allier).await.unwrap().into_iter().map(|s| s.name).collect();
        assert_eq!(sites, ["Montluçon", "Moulins", "Vichy"]);
        assert_eq!(store.client_contacts(allier).await.unwrap().len(), 1);
        let puy = store.client_by_name("CAF du Puy-de-Dôme").await.unwrap().unwrap().id;
        assert_eq!(store.client_sites(puy).await.unwrap().len(), 1);
        let rooms: Vec<_> = store.all_rooms().await.unwrap().into_iter().map(|(r, v)| (v, r.name, r.capacity)).collect();
        let expected = [
            ("CAF de l'Allier — Montluçon", "Salle du Cher", 20),
            ("CAF de l'Allier — Moulins", "Salle Allier", 40),
            ("CAF de l'Allier — Moulins", "Salle Bourbonnais", 20),
            ("CAF de l'Allier — Vichy", "Salle des Sources", 25),
            ("Centre EGOC — Clermont-Ferrand", "Salle 1", 12),
            ("Centre EGOC — Clermont-Ferrand", "Salle 2", 16),
        ];
        assert_eq!(rooms, expected.map(|(v, r, c)| (v.to_owned(), r.to_owned(), c)));
        let trainers = store.trainers().await.unwrap();
        let thierry = trainers.iter().find(|t| t.name == "Thierry CHEINE").unwrap();
        assert_eq!(thierry.provider_name.as_deref(), Some("Accolades"));
        assert!(thierry.user_id.is_some(), "tied to the demo's formateur account");
        let claire = trainers.iter().find(|t| t.name == "Claire Martin").unwrap();
        assert!(claire.is_internal());
        assert_eq!(store.trainer_unavailabilities(claire.id).await.unwrap().len(), 1);

        let before = store.audit_journal(&AuditFilter { page: 1, per_page: 1, ..AuditFilter::default() }).await.unwrap().total;
        let again = forma::demo::load(&store).await.unwrap();
        let after = store.audit_journal(&AuditFilter { page: 1, per_page: 1, ..AuditFilter::default() }).await.unwrap().total;
        assert_eq!(before, after, "loading the demo again writes nothing");
        assert_eq!((again.directory.caf_allier, again.directory.trainer_claire), (allier, claire.id));
        assert_eq!(store.venue(again.directory.venue_vichy).await.unwrap().unwrap().client_site_id, Some(again.directory.site_vichy));
        store.close().await;

        // The pages show it.
        app.account(GESTION, Role::Gestionnaire, None).await;
        let client = app.signed_in(GESTION).await;
        let html = page(&app, &client, "/gestion/formateurs").await;
        assert!(html.contains("Thierry CHEINE") && html.contains("<td>Accolades</td>") && html.contains("<td>interne</td>"));
        assert!(page(&app, &client, "/gestion/lieux").await.contains("CAF de l&#39;Allier — Vichy"));
        assert!(page(&app, &client, &format!("/gestion/clients/{allier}")).await.contains("Montluçon"));
    })
    .await;
}
