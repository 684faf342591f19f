//! Conventions and avenants over HTTP, on the seed's action: convention 26/19 for the CAF de
//! l'Allier, drafted, refused then corrected, sent, signed, printed; then an avenant adding a
//! seventh day, which the session follows once it is signed — PDFs, calendar and iCalendar feed.

use chrono::NaiveDate;
use forma_domain::ProgramKind;
use forma_domain::account::Role;
use forma_domain::session::{DayHeadcount, PlannedDay, SessionPlan};
use forma_store::testing::raw_execute;
use forma_web::testing::submit_form;

use crate::helpers::{SEED_SLUG, TestApp, on_each_empty_backend, post_form, with};

/// The seed action's directory (ids from 1001, clear of the demo's) and its six days.
pub async fn seed_action(app: &TestApp) -> (i64, i64) {
    for sql in [
        "INSERT INTO venues (id, name, address, city, created_at) VALUES (1001, 'Test — Moulins', '8 rue Achille Roche', 'Moulins', '2026-01-01T00:00:00Z')",
        "INSERT INTO rooms (id, venue_id, name, capacity) VALUES (1001, 1001, 'Salle Allier', 40), (1002, 1001, 'Salle Bourbonnais', 20)",
        "INSERT INTO providers (id, name, created_at) VALUES (1001, 'Accolades (test)', '2026-01-01T00:00:00Z')",
        "INSERT INTO trainers (id, name, provider_id, created_at) VALUES (1001, 'Thierry CHEINE', 1001, '2026-01-01T00:00:00Z')",
    ] {
        raw_execute(&app.db, sql).await;
    }
    let store = app.store().await;
    let seed = forma_domain::parse_catalogue_page(forma::demo::SEED_PAGE).unwrap();
    store.import_programs(&[seed], "test").await.unwrap();
    let client = store.create_client("CAF de l'Allier (test)", "test").await.unwrap();
    let day = |m: u32, d: u32, room: i64, module: u32, min: u32, max: u32| PlannedDay {
        module: Some(module),
        title: "Acculturation CTG".into(),
        venue_id: Some(1001),
        room_id: Some(room),
        trainer_ids: vec![1001],
        headcount: Some(DayHeadcount { min, max }),
        ..PlannedDay::on(NaiveDate::from_ymd_opt(2019, m, d).unwrap())
    };
    let plan = SessionPlan {
        kind: ProgramKind::Intra,
        client_id: Some(client),
        capacity: Some(40),
        modules: vec!["Comprendre".into(), "Diagnostiquer".into(), "Piloter".into()],
        days: vec![day(3, 22, 1001, 1, 30, 40), day(4, 12, 1002, 1, 15, 20), day(5, 17, 1002, 2, 15, 20), day(6, 14, 1002, 2, 5, 8), day(9, 6, 1002, 3, 15, 20), day(9, 27, 1002, 3, 15, 20)],
    };
    let session = store.create_session(SEED_SLUG, &plan.validated().unwrap(), "test").await.unwrap();
    store.close().await;
    (session, client)
}

fn pdf_text(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("pdftotext").arg("-raw").arg(&path).arg("-").output().expect("pdftotext (poppler-utils)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

async fn page(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let r = client.get(format!("{}{path}", app.base)).send().await.unwrap();
    assert_eq!(r.status(), 200, "{path}");
    r.text().await.unwrap()
}

#[tokio::test]
async fn the_seed_convention_and_its_avenant() {
    // Without the demo, which holds its own convention 26/19.
    on_each_empty_backend(|app| async move {
        app.account("gestion@test.forma.test", Role::Gestionnaire, None).await;
        let client = app.signed_in("gestion@test.forma.test").await;
        let (session, caf) = seed_action(&app).await;

        // The form proposes the INTRA client, one unit per day and the payment clause.
        let form = page(&app, &client, &format!("/gestion/conventions/nouvelle?session={session}")).await;
        let blank = submit_form(&form, "action=\"/gestion/conventions/nouvelle\"");
        let body = String::from_utf8(blank.clone()).unwrap();
        assert!(body.contains(&format!("client={caf}")) && body.contains("quantity=6"), "{body}");

        // A bad number and price come back with the values and French messages.
        let bad = with(&blank, &[("number", "26-19"), ("unit_price", "mille deux cents")]);
        let refused = post_form(&app, &client, "/gestion/conventions/nouvelle", bad).await;
        assert_eq!(refused.status(), 422);
        let html = refused.text().await.unwrap();
        assert!(html.contains("id=\"err-number\"") && html.contains("id=\"err-unit_price\""));
        assert!(html.contains("value=\"26-19\"") && html.contains("value=\"mille deux cents\""), "input kept");

        let good = with(&blank, &[("number", "26/19"), ("issued_on", "2019-02-15"), ("unit_price", "1 200,00")]);
        let created = post_form(&app, &client, "/gestion/conventions/nouvelle", good.clone()).await;
        assert_eq!(created.status(), 303);
        let location = created.headers()["location"].to_str().unwrap().to_owned();
        let id: i64 = location.trim_start_matches("/gestion/conventions/").split('?').next().unwrap().parse().unwrap();
        let again = post_form(&app, &client, "/gestion/conventions/nouvelle", good).await;
        assert_eq!(again.status(), 422, "26/19 is unique in 2019");
        assert!(again.text().await.unwrap().contains("26/19 est déjà attribué"));

        // Signing needs sending first; then the PDF carries the legal mentions.
        let show = format!("/gestion/conventions/{id}");
        let early = post_form(&app, &client, &format!("{show}/statut"), "status=signed&on=2019-02-20".into()).await;
        assert_eq!(early.status(), 422);
        assert!(early.text().await.unwrap().contains("ne peut pas devenir signée"));
        assert_eq!(post_form(&app, &client, &format!("{show}/statut"), "status=sent&on=2019-02-16".into()).await.status(), 303);
        assert_eq!(post_form(&app, &client, &format!("{show}/statut"), "status=signed&on=2019-02-20".into()).await.status(), 303);
        let html = page(&app, &client, &show).await;
        assert!(html.contains("figée à la signature") && html.contains("Signée le"));
        let pdf = client.get(format!("{}{show}/pdf", app.base)).send().await.unwrap();
        assert_eq!(pdf.headers()["content-type"], "application/pdf");
        let text = pdf_text(&pdf.bytes().await.unwrap());
        for needle in ["26/19", "D.6353-1", "CAF de l’Allier (test)", "22 mars 2019", "42 heures", "7 200,00", "Thierry CHEINE", "Annexe"] {
            assert!(text.replace('\'', "’").contains(needle), "convention PDF mentions {needle}");
        }

        // The avenant adds a seventh day; the session follows only once it is signed.
        let html = page(&app, &client, &show).await;
        let marker = format!("action=\"/gestion/conventions/{id}/avenants\"");
        let avenant = with(&submit_form(&html, &marker), &[("kind", "add_days"), ("day_date", "2019-10-18"), ("reason", "Journée de restitution"), ("issued_on", "2019-09-02")]);
        let clash = with(avenant.as_bytes(), &[("day_date", "2019-09-27")]);
        assert_eq!(post_form(&app, &client, &format!("{show}/avenants"), clash).await.status(), 422, "a day already planned");
        assert_eq!(post_form(&app, &client, &format!("{show}/avenants"), avenant).await.status(), 303);
        let store = app.store().await;
        let amendment = store.amendments(id).await.unwrap().remove(0);
        assert_eq!(store.session(session).await.unwrap().unwrap().days.len(), 6);
        let path = format!("/gestion/avenants/{}", amendment.id);
        assert_eq!(post_form(&app, &client, &format!("{path}/statut"), "status=sent&on=2019-09-03".into()).await.status(), 303);
        assert_eq!(post_form(&app, &client, &format!("{path}/statut"), "status=signed&on=2019-09-05".into()).await.status(), 303);
        let days = store.session(session).await.unwrap().unwrap().days;
        assert_eq!(days.len(), 7);
        assert_eq!(days[6].trainer_names, vec!["Thierry CHEINE".to_owned()], "the added day keeps the last day's trainer");
        let pdf = client.get(format!("{}{path}/pdf", app.base)).send().await.unwrap().bytes().await.unwrap();
        let text = pdf_text(&pdf);
        for needle in ["Avenant n° 1", "26/19", "18 octobre 2019", "demeurent inchangées"] {
            assert!(text.contains(needle), "avenant PDF mentions {needle}");
        }
        let journal = store.audit_events(Some("amendment"), 10).await.unwrap();
        assert_eq!(journal.len(), 3, "created, sent, signed");
        store.close().await;

        // The session's calendar and its iCalendar feed follow the avenant: seven days.
        let october = page(&app, &client, &format!("/gestion/calendrier?vue=mois&date=2019-10-01&session={session}")).await;
        assert!(october.contains(" 18 octobre 2019</span>") && october.contains("Test — Moulins"), "{october}");
        let (url, _) = crate::calendars::create_feed(&app, &client, &format!("/gestion/calendrier?session={session}")).await;
        let body = reqwest::get(&url).await.unwrap().text().await.unwrap();
        let calendar = ical::IcalParser::new(std::io::BufReader::new(body.as_bytes())).next().expect("a calendar").expect("valid iCalendar");
        assert_eq!(calendar.events.len(), 14, "seven days of two half-days");
        let starts: Vec<&ical::property::Property> = calendar.events.iter().filter_map(|e| crate::calendars::property(e, "DTSTART")).collect();
        let first = starts.iter().find(|p| p.value.as_deref() == Some("20190322T090000")).expect("day 1 starts at 9h, local time");
        let params = first.params.clone().unwrap_or_default();
        assert!(params.iter().any(|(k, v)| k == "TZID" && v.iter().any(|z| z == "Europe/Paris")), "{params:?}");
        assert!(starts.iter().any(|p| p.value.as_deref() == Some("20191018T133000")), "the added day's afternoon");
    })
    .await;
}
