//! Registrations over HTTP as a gestionnaire registers people: never more seats than a day holds,
//! however many register at the same moment; the rest waits in arrival order; a form sent twice
//! registers once; a cancellation offers the seat to the first who can take it; an offer that
//! lapses passes on; reordering the list needs a reason; everything is journaled.

use chrono::NaiveDate;
use forma_domain::ProgramKind;
use forma_domain::account::Role;
use forma_domain::registration::{DayChoice, RegistrationStatus};
use forma_domain::session::{DayHeadcount, PlannedDay, SessionPlan};
use forma_store::testing::raw_execute;
use forma_web::testing::submit_form;

use crate::helpers::{SEED_SLUG, TestApp, get_page, location, on_each_backend, post_form, unescaped, with};

const RULES: &str = "/organisme/reglement-interieur.pdf";

/// An INTER session of `places` places over two days, the second one limited to `second_max`.
async fn session(app: &TestApp, places: u32, second_max: u32) -> (i64, [i64; 2]) {
    let day = |d: u32| PlannedDay { place: "Moulins".into(), ..PlannedDay::on(NaiveDate::from_ymd_opt(2031, 5, d).unwrap()) };
    let plan = SessionPlan {
        kind: ProgramKind::Inter,
        client_id: None,
        capacity: Some(places),
        modules: vec![],
        days: vec![day(12), PlannedDay { headcount: Some(DayHeadcount { min: 1, max: second_max }), ..day(13) }],
    };
    let store = app.store().await;
    let id = store.create_session(SEED_SLUG, &plan.validated().unwrap(), "test").await.unwrap();
    let days = store.session(id).await.unwrap().unwrap().days.iter().map(|d| d.id).collect::<Vec<_>>();
    store.close().await;
    (id, [days[0], days[1]])
}

fn person(n: usize) -> [(String, String); 6] {
    [
        ("first_name".into(), format!("Agent{n}")),
        ("last_name".into(), "Concurrent".into()),
        ("email".into(), format!("agent{n}@caf03.test")),
        ("employer".into(), "CAF de l'Allier".into()),
        ("job_role".into(), "Technicien conseil".into()),
        ("bpf_type".into(), "private_employee".into()),
    ]
}

fn body(fields: &[(String, String)], key: &str) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    s.extend_pairs(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    s.append_pair("jours", "toutes").append_pair("cle", key);
    s.finish()
}

/// Registers person `n` through the back-office form of `path`, with some fields changed;
/// returns where the answer redirects.
async fn register_by_form(app: &TestApp, client: &reqwest::Client, path: &str, n: usize, changes: &[(&str, &str)]) -> String {
    let page = get_page(app, client, path).await;
    let mut fields: Vec<(String, String)> = person(n).into();
    for (name, value) in changes {
        match fields.iter_mut().find(|(k, _)| k == name) {
            Some(field) => field.1 = (*value).to_owned(),
            None => fields.push(((*name).to_owned(), (*value).to_owned())),
        }
    }
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = post_form(app, client, path, with(&submit_form(&page, &format!("action=\"{path}\"")), &fields)).await;
    assert_eq!(r.status(), 303, "person {n}");
    location(&r)
}

#[tokio::test]
async fn two_hundred_at_once_for_twenty_places() {
    on_each_backend(|app| async move {
        let (id, _) = session(&app, 20, 20).await;
        app.account("ruee@test.forma.test", Role::Gestionnaire, None).await;
        let client = app.signed_in("ruee@test.forma.test").await;
        let path = format!("/gestion/sessions/{id}/inscriptions");
        let attempts: Vec<_> = (0..200).map(|n| {
            let (client, url) = (client.clone(), format!("{}{path}", app.base));
            let body = body(&person(n), &format!("{n:032x}"));
            tokio::spawn(async move {
                client.post(url).header("content-type", "application/x-www-form-urlencoded").body(body).send().await.map(|r| r.status().as_u16())
            })
        }).collect();
        let mut statuses = Vec::new();
        for attempt in attempts {
            statuses.push(attempt.await.unwrap().unwrap());
        }
        assert!(statuses.iter().all(|s| *s == 303), "every attempt answered with a redirect, no 5xx: {statuses:?}");

        let store = app.store().await;
        let rows = store.session_registrations(id).await.unwrap();
        assert_eq!(rows.len(), 200);
        let confirmed = rows.iter().filter(|r| r.status == RegistrationStatus::Confirmed).count();
        assert_eq!(confirmed, 20, "{}: exactly the places", app.db);
        let mut waiting: Vec<_> = rows.iter().filter(|r| r.status == RegistrationStatus::Waitlisted).collect();
        assert_eq!(waiting.len(), 180);
        // Arrival order: positions 1..=180 follow the order in which registrations were written.
        waiting.sort_by_key(|r| r.id);
        let positions: Vec<i64> = waiting.iter().map(|r| r.waitlist_position.unwrap()).collect();
        assert_eq!(positions, (1..=180).collect::<Vec<i64>>());
        assert!(rows.iter().filter(|r| r.status == RegistrationStatus::Confirmed).all(|c| waiting.iter().all(|w| c.id < w.id)), "the first arrived got the seats");
        assert_eq!(store.seats_left(id).await.unwrap(), Some(0));
        store.close().await;
    })
    .await;
}

#[tokio::test]
async fn a_form_sent_twice_registers_once_and_bad_input_comes_back() {
    on_each_backend(|app| async move {
        let (id, [first, _]) = session(&app, 3, 3).await;
        app.account("double@test.forma.test", Role::Gestionnaire, None).await;
        let client = app.signed_in("double@test.forma.test").await;
        let path = format!("/gestion/sessions/{id}/inscriptions");
        let page = get_page(&app, &client, &path).await;
        assert!(page.contains("Aucune inscription pour le moment."));
        let form = submit_form(&page, &format!("action=\"{path}\""));

        // Refused: no name, a bad address, no day ticked; values kept, messages by the fields.
        let bad = with(&form, &[("first_name", "Léa"), ("email", "lea-at-caf"), ("jours", "choisis")]);
        let r = post_form(&app, &client, &path, bad).await;
        assert_eq!(r.status(), 422);
        let html = crate::helpers::unescaped(r).await;
        assert!(html.contains("id=\"err-reg-last_name\">Indiquez le nom."));
        assert!(html.contains("id=\"err-reg-email\">Adresse e-mail invalide"));
        assert!(html.contains("id=\"err-reg-journees\">Cochez au moins une journée"));
        assert!(html.contains("value=\"Léa\"") && html.contains("value=\"lea-at-caf\""), "values kept");

        // The same form twice: one registration, for the first day only.
        let good = with(&submit_form(&html, &format!("action=\"{path}\"")), &[("last_name", "Martin"), ("email", "lea.martin@caf03.test"), ("journees", &first.to_string())]);
        let r = post_form(&app, &client, &path, good.clone()).await;
        assert_eq!(location(&r), format!("{path}?ok=inscrit"));
        let again = post_form(&app, &client, &path, good).await;
        assert_eq!(location(&again), format!("{path}?ok=deja"));
        let store = app.store().await;
        let rows = store.session_registrations(id).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].days, DayChoice::Some(vec![first]));
        let page = get_page(&app, &client, &format!("{path}?ok=deja")).await;
        assert!(page.contains("MARTIN Léa") && page.contains("12/05/2031"));

        // The same person a second time (a new form): refused, the message shown.
        let page = get_page(&app, &client, &path).await;
        let twice = with(&submit_form(&page, &format!("action=\"{path}\"")), &[("first_name", "Léa"), ("last_name", "Martin"), ("email", "LEA.MARTIN@caf03.test")]);
        let r = post_form(&app, &client, &path, twice).await;
        assert_eq!(r.status(), 422);
        assert!(crate::helpers::unescaped(r).await.contains("Cette personne est déjà inscrite à cette session"));
        store.close().await;
    })
    .await;
}

#[tokio::test]
async fn a_freed_seat_is_offered_first_eligible_first_and_lapses_to_the_next() {
    on_each_backend(|app| async move {
        // Day 1: 2 places; day 2: 1 place.
        let (id, [first, second]) = session(&app, 2, 1).await;
        app.account("attente@test.forma.test", Role::Gestionnaire, None).await;
        let client = app.signed_in("attente@test.forma.test").await;
        let path = format!("/gestion/sessions/{id}/inscriptions");
        let register = |n: usize, days: Option<i64>| {
            let (app, client, path) = (&app, &client, &path);
            async move {
                let day = days.map(|d| d.to_string()).unwrap_or_default();
                let changes: &[(&str, &str)] = if days.is_some() { &[("jours", "choisis"), ("journees", &day)] } else { &[] };
                register_by_form(app, client, path, n, changes).await
            }
        };
        assert!(register(1, None).await.ends_with("ok=inscrit"), "both days");
        assert!(register(2, Some(first)).await.ends_with("ok=inscrit"), "day 1 only");
        assert!(register(3, None).await.ends_with("ok=attente"), "day 1 is full");
        assert!(register(4, Some(second)).await.ends_with("ok=attente"), "day 2 is full");
        assert!(register(5, Some(second)).await.ends_with("ok=attente"));

        let store = app.store().await;
        let rows = store.session_registrations(id).await.unwrap();
        let id_of = |n: usize| rows.iter().find(|r| r.first_name == format!("Agent{n}")).unwrap().id;
        let (a1, a2, a3, a4, a5) = (id_of(1), id_of(2), id_of(3), id_of(4), id_of(5));

        // Reordering needs a reason: 5 before 4.
        let r = post_form(&app, &client, &format!("/gestion/inscriptions/{a5}/rang"), "rang=1&motif=".into()).await;
        assert_eq!(r.status(), 422);
        assert!(crate::helpers::unescaped(r).await.contains("Indiquez pourquoi l'ordre de la liste d'attente change."));
        let r = post_form(&app, &client, &format!("/gestion/inscriptions/{a5}/rang"), "rang=1&motif=Priorit%C3%A9+du+service".into()).await;
        assert_eq!(location(&r), format!("{path}?ok=rang"));

        // Agent 1 cancels (a reason is required): a seat frees up on each day. Agent 5, moved to
        // the head of the list, fits (day 2): offered. Agent 3 (both days) no longer fits day 2.
        let r = post_form(&app, &client, &format!("/gestion/inscriptions/{a1}/annuler"), "motif=".into()).await;
        assert_eq!(r.status(), 422);
        let r = post_form(&app, &client, &format!("/gestion/inscriptions/{a1}/annuler"), "motif=Arr%C3%AAt+maladie".into()).await;
        assert_eq!(location(&r), format!("{path}?ok=annulee-offre"));
        let status = |rows: &[forma_store::RegistrationRow], id: i64| rows.iter().find(|r| r.id == id).unwrap().status;
        let rows = store.session_registrations(id).await.unwrap();
        assert_eq!(status(&rows, a5), RegistrationStatus::Offered);
        assert_eq!((status(&rows, a3), status(&rows, a4)), (RegistrationStatus::Waitlisted, RegistrationStatus::Waitlisted));
        let page = get_page(&app, &client, &path).await;
        assert!(page.contains("place proposée jusqu'au"));

        // Agent 5's offer lapses: it expires and the seats go to agent 3, first in line who fits.
        raw_execute(&app.db, &format!("UPDATE registrations SET offer_expires_at = '2020-01-01T00:00:00+00:00' WHERE id = {a5}")).await;
        let offered = store.sweep_offers(&forma_store::NoOfferMail, "test").await.unwrap();
        assert_eq!(offered, vec![a3]);
        let rows = store.session_registrations(id).await.unwrap();
        assert_eq!(status(&rows, a5), RegistrationStatus::Expired);
        assert_eq!(status(&rows, a4), RegistrationStatus::Waitlisted);

        // Agent 3 accepts (recorded by the gestionnaire); agent 2 keeps day 1 throughout.
        let r = post_form(&app, &client, &format!("/gestion/inscriptions/{a3}/accepter"), String::new()).await;
        assert_eq!(location(&r), format!("{path}?ok=acceptee"));
        let again = post_form(&app, &client, &format!("/gestion/inscriptions/{a3}/accepter"), String::new()).await;
        assert_eq!(again.status(), 409);
        let rows = store.session_registrations(id).await.unwrap();
        assert_eq!((status(&rows, a3), status(&rows, a2)), (RegistrationStatus::Confirmed, RegistrationStatus::Confirmed));
        assert_eq!(store.seats_left(id).await.unwrap(), Some(0), "both days are full again");

        // Every move is journaled.
        let journal = store.audit_events(Some("registration"), 100).await.unwrap();
        for action in ["create", "waitlist_move", "cancel", "offer", "offer_expired", "accept_offer"] {
            assert!(journal.iter().any(|e| e.action == action), "{action} journaled");
        }
        assert!(journal.iter().any(|e| e.action == "waitlist_move" && e.after.as_ref().is_some_and(|a| a.0["reason"] == "Priorité du service")));
        store.close().await;
    })
    .await;
}

/// Waits for the message to `to` whose subject contains `subject`, delivered by the real SMTP
/// server; returns its personal link (`/inscription/…`).
async fn link_in_mail(smtp: &forma_mail::testing::SmtpServer, app: &TestApp, to: &str, subject: &str) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let message = loop {
        if let Some(m) = smtp.received().into_iter().find(|m| m.to == to && m.subject.contains(subject)) {
            break m;
        }
        assert!(std::time::Instant::now() < deadline, "no « {subject} » message to {to} within 20 s");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let link = message.plain.split_whitespace().find(|w| w.starts_with(&format!("{}/inscription/", app.base))).expect("the link in the text part").to_owned();
    assert!(message.html.contains(&link));
    link
}

#[tokio::test]
async fn public_registration_is_confirmed_by_mail_and_a_declined_offer_passes_on() {
    let smtp = forma_mail::testing::SmtpServer::start();
    let dir = tempfile::tempdir().unwrap();
    let urls = forma_store::testing::test_database_urls(dir.path()).await;
    for url in &urls {
        let app = crate::helpers::spawn_app_with_mail(url, Some(smtp.url())).await;
        let tag = if url.starts_with("sqlite") { "sqlite" } else { "pg" };
        // One place: the first confirmed address takes it, the next waits.
        let (id, _) = session(&app, 1, 1).await;
        let sessions = app.html("/sessions").await;
        assert!(sessions.contains(&format!("href=\"/sessions/{id}/inscription\"")), "the public list links to the form");
        let form = app.html(&format!("/sessions/{id}/inscription")).await;
        assert!(form.contains("1 place disponible"));

        let path = format!("{}/sessions/{id}/inscription", app.base);
        let no_mail = app.client.post(&path).form(&[("first_name", "Sans"), ("last_name", "Adresse"), ("bpf_type", "other")]).send().await.unwrap();
        assert_eq!(no_mail.status(), 422);
        let html = no_mail.text().await.unwrap().replace("&#39;", "'");
        assert!(html.contains("id=\"err-email\">Indiquez votre adresse e-mail") && html.contains("value=\"Sans\""));

        let mut links = Vec::new();
        for who in ["premiere", "seconde"] {
            let email = format!("{who}-{tag}@caf03.test");
            let r = app.client.post(&path).form(&[("first_name", who), ("last_name", "Publique"), ("email", email.as_str()), ("bpf_type", "private_employee")]).send().await.unwrap();
            assert_eq!(r.status(), 303);
            assert_eq!(r.headers()["location"], format!("/sessions/{id}/inscription/envoyee").as_str());
            links.push(link_in_mail(&smtp, &app, &email, "Confirmez votre inscription").await);
        }
        // Applying again with the same address (the first message lost): the same answer, and a
        // fresh link to the same registration replaces the first one.
        let email = format!("seconde-{tag}@caf03.test");
        let r = app.client.post(&path).form(&[("first_name", "seconde"), ("last_name", "Publique"), ("email", email.as_str()), ("bpf_type", "private_employee")]).send().await.unwrap();
        assert_eq!(r.headers()["location"], format!("/sessions/{id}/inscription/envoyee").as_str());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while smtp.received().iter().filter(|m| m.to == email).count() < 2 {
            assert!(std::time::Instant::now() < deadline, "no second message");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let fresh = smtp.received().into_iter().filter(|m| m.to == email).map(|m| m.plain).find(|p| !p.contains(&links[1])).expect("a new link");
        assert_eq!(app.get(&links[1].replace(&app.base, "")).await.status(), 404, "the old link no longer works");
        links[1] = fresh.split_whitespace().find(|w| w.starts_with(&format!("{}/inscription/", app.base))).unwrap().to_owned();
        let store = app.store().await;
        assert_eq!(store.session_registrations(id).await.unwrap().len(), 2, "still one registration each");
        assert!(store.session_registrations(id).await.unwrap().iter().all(|r| r.status == RegistrationStatus::Pending), "nothing held before confirmation");
        assert_eq!(store.seats_left(id).await.unwrap(), Some(1));

        // Opening the link confirms nothing (mail scanners open links); the button does.
        let page = app.html(&links[1].replace(&app.base, "")).await;
        assert!(page.contains("adresse à confirmer") && page.contains("Confirmer mon inscription"));
        for link in [&links[1], &links[0]] {
            let r = app.client.post(format!("{link}/confirmer")).send().await.unwrap();
            assert_eq!(r.status(), 303);
        }
        let rows = store.session_registrations(id).await.unwrap();
        let by = |who: &str| rows.iter().find(|r| r.first_name == who).unwrap().clone();
        assert_eq!(by("seconde").status, RegistrationStatus::Confirmed, "the first to confirm gets the seat");
        assert_eq!((by("premiere").status, by("premiere").waitlist_position), (RegistrationStatus::Waitlisted, Some(1)));
        let again = app.client.post(format!("{}/confirmer", links[1])).send().await.unwrap();
        assert_eq!(again.status(), 409, "confirmed once");

        // « seconde » cancels from her link: « premiere » is offered the seat by mail, declines it.
        let r = app.client.post(format!("{}/annuler", links[1])).form(&[("motif", "Empêchement")]).send().await.unwrap();
        assert_eq!(r.status(), 303);
        let offer = link_in_mail(&smtp, &app, &format!("premiere-{tag}@caf03.test"), "Une place s'est libérée").await;
        let page = app.html(&offer.replace(&app.base, "")).await;
        assert!(page.contains("Accepter la place") && page.contains("Laisser la place"));
        let r = app.client.post(format!("{offer}/refuser")).send().await.unwrap();
        assert_eq!(r.status(), 303);
        let rows = store.session_registrations(id).await.unwrap();
        assert!(rows.iter().all(|r| r.status == RegistrationStatus::Cancelled), "{rows:?}");
        assert_eq!(store.seats_left(id).await.unwrap(), Some(1));
        // Unknown or used-up links: the French 404.
        assert_eq!(app.get("/inscription/00000000000000000000000000000000").await.status(), 404);
        store.close().await;
    }
    forma_store::testing::cleanup(&urls).await;
}

#[tokio::test]
async fn the_minimum_head_count_calls_for_a_decision_shown_in_the_planning() {
    on_each_backend(|app| async move {
        // Day 2 needs at least 3 people (« effectif 3 à 5 »); the session starts 12 May 2031.
        let day = |d: u32, min: u32| PlannedDay { place: "Vichy".into(), headcount: Some(DayHeadcount { min, max: 5 }), ..PlannedDay::on(NaiveDate::from_ymd_opt(2031, 5, d).unwrap()) };
        let plan = SessionPlan { kind: ProgramKind::Inter, client_id: None, capacity: None, modules: vec![], days: vec![day(12, 1), day(13, 3)] };
        let store = app.store().await;
        let id = store.create_session(SEED_SLUG, &plan.validated().unwrap(), "test").await.unwrap();
        app.account("seuil@test.forma.test", Role::Gestionnaire, None).await;
        let client = app.signed_in("seuil@test.forma.test").await;
        let path = format!("/gestion/sessions/{id}/inscriptions");
        let page = get_page(&app, &client, &path).await;
        assert!(page.contains("0 inscrit pour 3 au minimum ; décision (confirmer ou annuler) au plus tard le 28 avril 2031"), "the decision date: 14 days before");
        for n in 0..3 {
            register_by_form(&app, &client, &path, 60 + n, &[]).await;
        }
        let list = get_page(&app, &client, "/gestion/sessions").await;
        assert!(list.contains("seuil atteint : 3 inscrits pour 3 au minimum"), "the planning shows it");
        let r = post_form(&app, &client, &format!("/gestion/sessions/{id}/confirmer"), String::new()).await;
        assert_eq!(location(&r), format!("{path}?ok=confirmee"));
        assert_eq!(post_form(&app, &client, &format!("/gestion/sessions/{id}/confirmer"), String::new()).await.status(), 409);
        let list = get_page(&app, &client, "/gestion/sessions").await;
        assert!(list.contains(&format!("confirmée le {}", forma_domain::french_date::long_date(chrono::Utc::now().with_timezone(&chrono_tz::Europe::Paris).date_naive()))));
        assert!(store.audit_events(Some("session"), 50).await.unwrap().iter().any(|e| e.action == "confirm" && e.entity_id == id.to_string()));
        store.close().await;
    })
    .await;
}

#[tokio::test]
async fn registration_lists_export_as_csv_and_xlsx() {
    use std::io::Cursor;
    use calamine::{Reader, Xlsx};
    on_each_backend(|app| async move {
        let (id, _) = session(&app, 1, 1).await;
        app.account("export@test.forma.test", Role::Gestionnaire, None).await;
        let client = app.signed_in("export@test.forma.test").await;
        let path = format!("/gestion/sessions/{id}/inscriptions");
        for n in [70, 71] {
            register_by_form(&app, &client, &path, n, &[("employer", "=HYPERLINK(\"x\"); Cabinet")]).await;
        }
        let page = get_page(&app, &client, &path).await;
        assert!(page.contains(&format!("href=\"{path}.csv\"")) && page.contains(&format!("href=\"{path}.xlsx\"")));

        let csv = client.get(format!("{}{path}.csv", app.base)).send().await.unwrap();
        assert_eq!(csv.status(), 200);
        assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
        assert_eq!(csv.headers()["cache-control"], "no-store");
        let bytes = csv.bytes().await.unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 BOM");
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[0].starts_with("Nom;Prénom;Courriel"));
        assert!(lines.iter().any(|l| l.contains(";inscrit;")) && lines.iter().any(|l| l.contains("en liste d'attente (n° 1)")));
        assert!(text.contains("\"'=HYPERLINK(\"\"x\"\"); Cabinet\""), "a formula is neutralised and quoted: {text}");

        let xlsx = client.get(format!("{}{path}.xlsx", app.base)).send().await.unwrap();
        assert_eq!(xlsx.status(), 200);
        let mut book: Xlsx<_> = Xlsx::new(Cursor::new(xlsx.bytes().await.unwrap().to_vec())).unwrap();
        let sheet = book.worksheet_range(&format!("Session {id}")).unwrap();
        assert_eq!(sheet.height(), 3);
        assert_eq!(sheet.get((0, 0)).unwrap().to_string(), "Nom");
        let statuses: Vec<String> = (1..3).map(|r| sheet.get((r, 6)).unwrap().to_string()).collect();
        assert!(statuses.contains(&"inscrit".to_owned()), "{statuses:?}");

        // Staff only.
        let anonymous = app.get(&format!("{path}.xlsx")).await;
        assert_ne!(anonymous.status(), 200);
    })
    .await;
}

/// The convocation PDF behind a personal link: its bytes, and its text (pdftotext, whitespace folded).
async fn convocation(app: &TestApp, dir: &std::path::Path, link: &str, name: &str) -> (Vec<u8>, String) {
    let pdf = app.get(&format!("{}/convocation.pdf", link.replace(&app.base, ""))).await;
    assert_eq!(pdf.status(), 200);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let bytes = pdf.bytes().await.unwrap().to_vec();
    let file = dir.join(format!("convocation-{name}.pdf"));
    std::fs::write(&file, &bytes).unwrap();
    // Kept for a look at the page (pdftoppm) after the run.
    let _ = std::fs::write(std::env::temp_dir().join(format!("forma-convocation-{name}.pdf")), &bytes);
    let text = std::process::Command::new("pdftotext").args(["-layout", file.to_str().unwrap(), "-"]).output().unwrap();
    (bytes, String::from_utf8_lossy(&text.stdout).split_whitespace().collect::<Vec<_>>().join(" "))
}

#[tokio::test]
async fn convocations_go_out_by_mail_are_logged_and_their_pdf_downloads() {
    let smtp = forma_mail::testing::SmtpServer::start();
    let dir = tempfile::tempdir().unwrap();
    let urls = forma_store::testing::test_database_urls(dir.path()).await;
    for url in &urls {
        let app = crate::helpers::spawn_app_with_mail(url, Some(smtp.url())).await;
        let tag = if url.starts_with("sqlite") { "sqlite" } else { "pg" };
        let (id, _) = session(&app, 2, 2).await;
        app.account(&format!("convoc-{tag}@test.forma.test"), Role::Gestionnaire, None).await;
        let client = app.signed_in(&format!("convoc-{tag}@test.forma.test")).await;
        let path = format!("/gestion/sessions/{id}/inscriptions");
        // Two registered (one without an address), one waiting.
        for (n, email) in [(80, format!("convoque-{tag}@caf03.test")), (81, String::new()), (82, format!("attente-{tag}@caf03.test"))] {
            register_by_form(&app, &client, &path, n, &[("email", &email)]).await;
        }
        let page = get_page(&app, &client, &path).await;
        assert!(page.contains("aucune envoyée. 1 inscrit avec une adresse e-mail n'a pas encore reçu la sienne.") && page.contains("Envoyer les convocations (1)"));

        let r = post_form(&app, &client, &format!("/gestion/sessions/{id}/convocations"), String::new()).await;
        assert_eq!(location(&r), format!("{path}?ok=convocations"));
        let to = format!("convoque-{tag}@caf03.test");
        let link = link_in_mail(&smtp, &app, &to, "Votre convocation à la formation").await;
        assert!(!smtp.received().iter().any(|m| m.to == format!("attente-{tag}@caf03.test")), "nobody waiting is convoked");
        let visitor = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        // The demo stores a règlement intérieur; without one, the convocation says how to get it.
        assert!(convocation(&app, dir.path(), &link, &format!("{tag}-demo")).await.1.contains(&format!("{}{RULES}", app.base)));
        raw_execute(url, "UPDATE organisation SET rules_pdf = NULL, rules_updated_at = NULL").await;
        let (bytes, text) = convocation(&app, dir.path(), &link, tag).await;
        for expected in ["Agent80", "12 mai 2031", "13 mai 2031", "9 h 00", &link, &format!("{link}#reglement-interieur")] {
            assert!(text.contains(expected), "{expected} missing from the convocation:\n{text}");
        }
        assert!(get_page(&app, &visitor, &link.replace(&app.base, "")).await.contains("vous pouvez le demander à tout moment"));

        // Once the règlement intérieur is stored, convocations and the personal page point to it.
        let rules = |bytes: Vec<u8>| reqwest::multipart::Form::new().part("rules", reqwest::multipart::Part::bytes(bytes).file_name("reglement.pdf"));
        let upload = |bytes: Vec<u8>| client.post(format!("{}/gestion/organisme/reglement-interieur", app.base)).multipart(rules(bytes)).send();
        assert_eq!(app.get(RULES).await.status(), 404);
        let refused = upload(b"<html>pas un PDF</html>".to_vec()).await.unwrap();
        assert_eq!(refused.status(), 422);
        assert!(unescaped(refused).await.contains("id=\"err-rules\">Format accepté : PDF."));
        let settings = "name=EGOC+Formation&nda=84+03+00000+03&email=contact%40egoc.test";
        assert_eq!(post_form(&app, &client, "/gestion/organisme", settings.into()).await.status(), 303);
        assert_eq!(location(&upload(bytes.to_vec()).await.unwrap()), "/gestion/organisme?ok=reglement");
        let served = app.get(RULES).await;
        assert_eq!(served.headers()["content-type"], "application/pdf");
        assert_eq!(served.bytes().await.unwrap(), bytes, "served as uploaded, to anyone");
        assert!(get_page(&app, &client, "/gestion/organisme").await.contains(&format!("href=\"{RULES}\">le consulter (PDF)")));
        assert!(get_page(&app, &visitor, &link.replace(&app.base, "")).await.contains(&format!("href=\"{RULES}\">Lire le règlement intérieur (PDF)")));
        let (_, text) = convocation(&app, dir.path(), &link, &format!("{tag}-rules")).await;
        assert!(text.contains(&format!("{}{RULES}", app.base)) && !text.contains("#reglement-interieur"), "{text}");
        let journal = app.store().await.audit_events(Some("organisation"), 10).await.unwrap();
        assert!(journal.iter().any(|e| e.action == "rules" && e.after.as_ref().is_some_and(|a| a["bytes"] == bytes.len())));

        // Resending logs a second sending; the delivery shows once the worker sent it.
        let registration = get_page(&app, &client, &path).await;
        let store = app.store().await;
        let rid = store.session_registrations(id).await.unwrap().into_iter().find(|r| r.first_name == "Agent80").unwrap().id;
        assert!(registration.contains(&format!("action=\"/gestion/inscriptions/{rid}/convocation\"")) && registration.contains("Renvoyer"));
        let r = post_form(&app, &client, &format!("/gestion/inscriptions/{rid}/convocation"), String::new()).await;
        assert_eq!(location(&r), format!("{path}?ok=convocation"));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let sent = store.session_convocations(id).await.unwrap();
            if sent.len() == 2 && sent.iter().all(|c| c.delivery == forma_store::MailStatus::Sent) {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "{sent:?}");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(app.get(&format!("{}/convocation.pdf", link.replace(&app.base, ""))).await.status(), 404, "the first link was replaced");
        let page = get_page(&app, &client, &path).await;
        assert!(page.contains("2 envois : 2 remises"), "the log and its delivery");
        let journal = store.audit_events(Some("registration"), 100).await.unwrap();
        assert_eq!(journal.iter().filter(|e| e.action == "convocation").count(), 2);
        store.close().await;
    }
    forma_store::testing::cleanup(&urls).await;
}

#[tokio::test]
async fn a_client_contact_registers_and_sees_only_their_own_agents() {
    on_each_backend(|app| async move {
        let (id, _) = session(&app, 10, 10).await;
        let store = app.store().await;
        let (a, b) = (store.create_client("Caf Espace A", "test").await.unwrap(), store.create_client("Caf Espace B", "test").await.unwrap());
        store.close().await;
        app.account("contact-a@test.forma.test", Role::Client, Some(a)).await;
        app.account("contact-b@test.forma.test", Role::Client, Some(b)).await;
        let (ca, cb) = (app.signed_in("contact-a@test.forma.test").await, app.signed_in("contact-b@test.forma.test").await);

        let space = get_page(&app, &ca, &format!("/espace-client/{a}")).await;
        assert!(space.contains(&format!("href=\"/espace-client/{a}/sessions/{id}\"")), "the INTER session is open to the client's agents");
        let page_path = format!("/espace-client/{a}/sessions/{id}");
        let page = get_page(&app, &ca, &page_path).await;
        assert!(page.contains("Aucun de vos agents n'est inscrit à cette session."));
        let form = format!("action=\"/espace-client/{a}/sessions/{id}/inscriptions\"");
        let post_path = format!("/espace-client/{a}/sessions/{id}/inscriptions");
        let r = post_form(&app, &ca, &post_path, with(&submit_form(&page, &form), &[("first_name", "Anne"), ("last_name", "")])).await;
        assert_eq!(r.status(), 422);
        let html = crate::helpers::unescaped(r).await;
        assert!(html.contains("id=\"err-agent-last_name\">Indiquez le nom.") && html.contains("value=\"Anne\""));
        let r = post_form(&app, &ca, &post_path, with(&submit_form(&page, &form), &[("first_name", "Anne"), ("last_name", "Agent"), ("email", "anne.agent@caf-a.test"), ("job_role", "Gestionnaire conseil")])).await;
        assert_eq!(location(&r), format!("{page_path}?ok=inscrit"));
        let page = get_page(&app, &ca, &page_path).await;
        assert!(page.contains("AGENT Anne") && page.contains("inscrit"));

        // The other client sees nothing of it, and cannot cancel it.
        let other = get_page(&app, &cb, &format!("/espace-client/{b}/sessions/{id}")).await;
        assert!(!other.contains("AGENT Anne") && other.contains("Aucun de vos agents"));
        let store = app.store().await;
        let rows = store.session_registrations(id).await.unwrap();
        assert_eq!((rows.len(), rows[0].client_id, rows[0].employer.as_str()), (1, Some(a), "Caf Espace A"), "the employer is the client");
        let rid = rows[0].id;
        let r = post_form(&app, &cb, &format!("/espace-client/{b}/inscriptions/{rid}/annuler"), "motif=Pirate".into()).await;
        assert_eq!(r.status(), 404);
        let r = post_form(&app, &cb, &format!("/espace-client/{a}/inscriptions/{rid}/annuler"), "motif=Pirate".into()).await;
        assert_eq!(r.status(), 404, "another client's space is not revealed");
        assert_eq!(store.session_registrations(id).await.unwrap()[0].status, RegistrationStatus::Confirmed);

        // Its own contact cancels it, with a reason.
        let r = post_form(&app, &ca, &format!("/espace-client/{a}/inscriptions/{rid}/annuler"), "motif=".into()).await;
        assert_eq!(r.status(), 422);
        let r = post_form(&app, &ca, &format!("/espace-client/{a}/inscriptions/{rid}/annuler"), "motif=Cong%C3%A9s".into()).await;
        assert_eq!(location(&r), format!("{page_path}?ok=annulee"));
        assert_eq!(store.session_registrations(id).await.unwrap()[0].status, RegistrationStatus::Cancelled);
        let journal = store.audit_events(Some("registration"), 50).await.unwrap();
        assert!(journal.iter().any(|e| e.action == "cancel" && e.actor == "contact-a@test.forma.test"));
        store.close().await;
    })
    .await;
}
