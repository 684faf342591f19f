//! Sessions in the back-office over HTTP, as a planner works: create from a published program,
//! be refused (with the values kept) for a missing client, a double-booked trainer or a room too
//! small, resolve the conflict and save; see warnings; edit, add and delete days; cancel.

use forma_domain::account::Role;
use forma_web::testing::{submit_form, tags};

use crate::helpers::{SEED_SLUG, TestApp, get_page as get, location, on_each_backend, post_form as post, with};

/// What screen readers rely on: unique ids, a label for each control, descriptions that exist,
/// a legend per fieldset, a caption per table; no inline script or style.
fn check_markup(html: &str) {
    let all = tags(html);
    let mut ids: Vec<&str> = all.iter().filter_map(|t| t.attr("id")).collect();
    let count = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), count, "duplicate ids");
    let labels: Vec<&str> = all.iter().filter(|t| t.name == "label").filter_map(|t| t.attr("for")).collect();
    for c in all.iter().filter(|t| matches!(t.name.as_str(), "input" | "select" | "textarea") && t.attr("type") != Some("hidden")) {
        let id = c.attr("id").unwrap_or_else(|| panic!("<{}> without id: {:?}", c.name, c.attr("name")));
        assert!(labels.contains(&id), "no <label for=\"{id}\">");
    }
    for t in &all {
        if let Some(described) = t.attr("aria-describedby") {
            for id in described.split(' ') {
                assert!(ids.binary_search(&id).is_ok(), "aria-describedby names unknown id {id:?}");
            }
        }
        assert!(t.attr("style").is_none() && t.name != "script", "inline style or script in <{}>", t.name);
    }
    assert_eq!(html.matches("<fieldset").count(), html.matches("<legend>").count(), "a legend per fieldset");
    assert_eq!(html.matches("<table").count(), html.matches("<caption").count(), "a caption per table");
}

/// Ids of what the test plans with.
struct Directory {
    client: i64,
    big_room: i64,
    small_room: i64,
    thierry: i64,
    claire: i64,
}

/// A venue with a 40-place and an 8-place room, two trainers (one of a provider) and a client.
async fn directory(app: &TestApp) -> Directory {
    use forma_store::testing::raw_execute;
    for sql in [
        "INSERT INTO venues (name, address, city, created_at) VALUES ('Maison des associations', '8 rue Achille Roche', 'Moulins', '2026-01-01T00:00:00Z')",
        "INSERT INTO rooms (venue_id, name, capacity) SELECT id, 'Grande salle', 40 FROM venues WHERE name = 'Maison des associations'",
        "INSERT INTO rooms (venue_id, name, capacity) SELECT id, 'Petite salle', 8 FROM venues WHERE name = 'Maison des associations'",
        "INSERT INTO providers (name, created_at) VALUES ('Accolades TEST', '2026-01-01T00:00:00Z')",
        "INSERT INTO trainers (name, provider_id, created_at) SELECT 'Thierry TEST', id, '2026-01-01T00:00:00Z' FROM providers WHERE name = 'Accolades TEST'",
        "INSERT INTO trainers (name, provider_id, created_at) VALUES ('Claire TEST', NULL, '2026-01-01T00:00:00Z')",
    ] {
        raw_execute(&app.db, sql).await;
    }
    let store = app.store().await;
    let client = store.create_client("CAF Test Sessions", "test").await.unwrap();
    let choices = store.planning_choices().await.unwrap();
    store.close().await;
    let room = |name: &str| choices.rooms.iter().find(|r| r.name == name).unwrap().id;
    let trainer = |name: &str| choices.trainers.iter().find(|t| t.name == name).unwrap().id;
    assert!(choices.programs.iter().any(|p| p.slug == SEED_SLUG), "the seed sheet is published");
    Directory { client, big_room: room("Grande salle"), small_room: room("Petite salle"), thierry: trainer("Thierry TEST"), claire: trainer("Claire TEST") }
}

/// The session id a creation redirected to.
fn created(r: &reqwest::Response) -> i64 {
    assert_eq!(r.status(), 303, "created");
    let to = location(r);
    let id = to.trim_start_matches("/gestion/sessions/").split('?').next().unwrap();
    id.parse().unwrap_or_else(|_| panic!("redirect to the session: {to}"))
}

const NEW: &str = "action=\"/gestion/sessions/nouvelle\"";

async fn new_form(app: &TestApp, client: &reqwest::Client) -> Vec<u8> {
    let page = get(app, client, "/gestion/sessions/nouvelle").await;
    assert!(page.contains("<legend>Journée 3</legend>"), "three rows to start with");
    check_markup(&page);
    submit_form(&page, NEW)
}

#[tokio::test]
async fn create_be_refused_resolve_and_see_the_session() {
    on_each_backend(|app| async move {
        let dir = directory(&app).await;
        app.account("planif@test.forma.test", Role::Gestionnaire, None).await;
        let client = app.signed_in("planif@test.forma.test").await;
        let blank = new_form(&app, &client).await;
        let (thierry, claire, big, small) = (dir.thierry.to_string(), dir.claire.to_string(), dir.big_room.to_string(), dir.small_room.to_string());

        // INTRA without a client: 422, the French message next to the field, values kept.
        let intra = with(
            &blank,
            &[
                ("program", SEED_SLUG),
                ("kind", "INTRA"),
                ("capacity", "12"),
                ("modules", "Comprendre la CTG\nConstruire le diagnostic"),
                ("days[0].date", "2031-03-10"),
                ("days[0].module", "1"),
                ("days[0].title", "Acculturation « CTG »"),
                ("days[0].room", &big),
                ("days[0].trainers", &thierry),
                ("days[0].headcount_min", "10"),
                ("days[0].headcount_max", "12"),
                ("days[1].date", "2031-03-11"),
                ("days[1].module", "2"),
                ("days[1].place", "Vichy"),
            ],
        );
        let refused = post(&app, &client, "/gestion/sessions/nouvelle", intra.clone()).await;
        assert_eq!(refused.status(), 422);
        let html = refused.text().await.unwrap();
        assert!(html.contains("role=\"alert\""), "an error summary");
        assert!(html.contains("id=\"err-client\">Une session INTRA est organisée pour un client : choisissez-le.</p>"), "message next to the field");
        assert!(html.contains("aria-describedby=\"err-client hint-client\""));
        assert!(html.contains("value=\"Acculturation « CTG »\""), "the typed title is kept, escaped by askama");
        assert!(html.contains("value=\"2031-03-11\"") && html.contains("value=\"Vichy\"") && html.contains("value=\"12\""));
        assert!(html.contains(&format!("value=\"{thierry}\" checked")), "the trainer stays checked");
        check_markup(&html);

        // With its client: created, 2 days of 7 h.
        let intra = with(&submit_form(&html, NEW), &[("client", &dir.client.to_string())]);
        let first = created(&post(&app, &client, "/gestion/sessions/nouvelle", intra).await);
        let page = get(&app, &client, &format!("/gestion/sessions/{first}?ok=session-creee")).await;
        assert!(page.contains("Session créée."));
        assert!(page.contains("2 jours, 14 h"), "total hours from the half-days");
        assert!(page.contains("planifiée d'après la version"));
        assert!(page.contains("CAF Test Sessions") && page.contains("INTRA"));
        assert!(page.contains("lundi 10 mars 2031") && page.contains("Module 1 : Comprendre la CTG"));
        assert!(page.contains("Maison des associations, salle « Grande salle » (40 places)"));
        assert!(page.contains("Thierry TEST") && page.contains("10 à 12 personnes"));
        assert!(page.contains("09:00–12:30 et 13:30–17:00 (7 h)"));
        assert!(page.contains(&format!("/gestion/conventions/nouvelle?session={first}")) && page.contains(&format!("/gestion/calendrier?session={first}")));
        check_markup(&page);

        // Another session with the same trainer the same morning: refused, the conflict next
        // to its day, the values kept.
        let inter = with(
            &blank,
            &[
                ("program", SEED_SLUG),
                ("kind", "INTER"),
                ("days[0].date", "2031-03-10"),
                ("days[0].afternoon_start", ""),
                ("days[0].afternoon_end", ""),
                ("days[0].place", "Montluçon"),
                ("days[0].trainers", &thierry),
            ],
        );
        let refused = post(&app, &client, "/gestion/sessions/nouvelle", inter).await;
        assert_eq!(refused.status(), 422);
        let html = refused.text().await.unwrap();
        assert!(html.contains("Thierry TEST est déjà en formation le lundi 10 mars 2031"), "{html}");
        assert!(html.contains(&format!("session n° {first}")));
        assert!(html.contains("id=\"day0-conflicts\""), "next to the day");
        assert!(html.contains("aria-describedby=\"day0-conflicts\""), "the date names its conflicts");
        assert!(html.contains("value=\"Montluçon\""));
        check_markup(&html);

        // The planner picks another trainer on the refused form: created.
        let resolved = with(&submit_form(&html, NEW), &[("days[0].trainers", &claire)]);
        let second = created(&post(&app, &client, "/gestion/sessions/nouvelle", resolved).await);
        let page = get(&app, &client, &format!("/gestion/sessions/{second}")).await;
        assert!(page.contains("Claire TEST") && page.contains("1 jour, 3 h 30"), "a morning only");

        // A day on 1 May: a warning, not a refusal; shown on the session's page.
        let holiday = with(&blank, &[("program", SEED_SLUG), ("kind", "INTER"), ("days[0].date", "2031-05-01"), ("days[0].place", "Moulins")]);
        let third = created(&post(&app, &client, "/gestion/sessions/nouvelle", holiday).await);
        let page = get(&app, &client, &format!("/gestion/sessions/{third}")).await;
        assert!(page.contains("Le jeudi 1er mai 2031 est un jour férié (Fête du Travail)."), "warning shown");
        assert!(page.contains("badge-warn\">Avertissement"));

        // A room too small for the day's minimum head-count: refused.
        let crowded = with(
            &blank,
            &[("program", SEED_SLUG), ("kind", "INTER"), ("days[0].date", "2031-03-12"), ("days[0].room", &small), ("days[0].headcount_min", "10"), ("days[0].headcount_max", "15")],
        );
        let refused = post(&app, &client, "/gestion/sessions/nouvelle", crowded).await;
        assert_eq!(refused.status(), 422);
        let html = refused.text().await.unwrap();
        assert!(html.contains("La salle « Petite salle » (8 places) est trop petite"), "{html}");
        assert!(html.contains(&format!("value=\"{small}\" selected")), "the room stays chosen");

        // « Ajouter une ligne » without JavaScript: one more row, nothing checked nor saved.
        let more = with(&blank, &[("action", "ligne"), ("days[0].title", "Gardée")]);
        let r = post(&app, &client, "/gestion/sessions/nouvelle", more).await;
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        assert!(html.contains("<legend>Journée 4</legend>") && html.contains("value=\"Gardée\"") && !html.contains("role=\"alert\""));

        // Planned from a client's request: program, kind, client and seats filled in.
        let store = app.store().await;
        let today = chrono::Utc::now().date_naive();
        let request = forma_domain::request::NewRequest {
            client_id: dir.client,
            program_slug: SEED_SLUG.into(),
            kind: forma_domain::ProgramKind::Intra,
            seats: Some(9),
            received_on: today,
            due_on: None,
            contact: String::new(),
            message: String::new(),
        };
        let request = store.create_request(&request, today + chrono::Duration::days(10), "test").await.unwrap();
        store.close().await;
        let page = get(&app, &client, &format!("/gestion/sessions/nouvelle?demande={request}")).await;
        assert!(page.contains(&format!("après la demande n° {request} de CAF Test Sessions")));
        let prefilled = String::from_utf8(submit_form(&page, NEW)).unwrap();
        for pair in ["kind=INTRA", &format!("client={}", dir.client), "capacity=9", "program=2019-formation"] {
            assert!(prefilled.contains(pair), "{pair} in {prefilled}");
        }

        // The list shows them; the journal has them.
        let list = get(&app, &client, "/gestion/sessions").await;
        for id in [first, second, third] {
            assert!(list.contains(&format!("href=\"/gestion/sessions/{id}\"")), "{id} listed");
        }
        assert!(list.contains("du 10 mars 2031 au 11 mars 2031"));
        check_markup(&list);
        let store = app.store().await;
        let journal = store.audit_events(Some("session"), 50).await.unwrap();
        assert!(journal.iter().filter(|e| e.action == "create" && e.actor == "planif@test.forma.test").count() >= 3);
        store.close().await;
    })
    .await;
}

#[tokio::test]
async fn days_are_added_edited_deleted_and_a_session_cancelled() {
    on_each_backend(|app| async move {
        let dir = directory(&app).await;
        app.account("planif2@test.forma.test", Role::Gestionnaire, None).await;
        let client = app.signed_in("planif2@test.forma.test").await;
        let blank = new_form(&app, &client).await;
        let place = "Montluçon, salle des fêtes";
        let one_day = with(&blank, &[("program", SEED_SLUG), ("kind", "INTER"), ("capacity", "15"), ("days[0].date", "2031-06-02"), ("days[0].place", place), ("days[0].trainers", &dir.claire.to_string())]);
        let id = created(&post(&app, &client, "/gestion/sessions/nouvelle", one_day).await);
        let session_path = format!("/gestion/sessions/{id}");
        assert!(app.html("/sessions").await.contains("Montluçon, salle des fêtes"), "public while planned");

        // The last day cannot be deleted.
        let session = app.store().await.session(id).await.unwrap().unwrap();
        let only = session.days[0].id;
        let refused = post(&app, &client, &format!("{session_path}/journees/{only}/supprimer"), String::new()).await;
        assert_eq!(refused.status(), 422);
        assert!(refused.text().await.unwrap().contains("Une session garde au moins une journée : annulez-la plutôt."));

        // Add a day from the session's page (its form starts from the last day's place).
        let page = get(&app, &client, &session_path).await;
        let marker = format!("action=\"{session_path}/journees\"");
        let add = with(&submit_form(&page, &marker), &[("days[0].date", "2031-06-03"), ("days[0].trainers", &dir.claire.to_string())]);
        assert!(add.contains("Montlu%C3%A7on"), "prefilled with the last day's place: {add}");
        let r = post(&app, &client, &format!("{session_path}/journees"), add.clone()).await;
        assert_eq!(r.status(), 303);
        let page = get(&app, &client, &session_path).await;
        assert!(page.contains("2 jours, 14 h"));

        // The same date again: refused on the add form, values kept.
        let r = post(&app, &client, &format!("{session_path}/journees"), with(add.as_bytes(), &[("days[0].title", "Doublon")])).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("figure deux fois") && html.contains("value=\"Doublon\""));
        check_markup(&html);

        // Edit a day: an unreadable head-count keeps every typed value.
        let session = app.store().await.session(id).await.unwrap().unwrap();
        let second = session.days[1].id;
        let edit_path = format!("{session_path}/journees/{second}");
        let page = get(&app, &client, &edit_path).await;
        let form_marker = format!("action=\"{edit_path}\"");
        let body = with(&submit_form(&page, &form_marker), &[("days[0].title", "Diagnostic partagé"), ("days[0].headcount_min", "douze"), ("days[0].headcount_max", "15")]);
        let r = post(&app, &client, &edit_path, body.clone()).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("id=\"err-day0-headcount\""), "message next to the head-count");
        assert!(html.contains("value=\"Diagnostic partagé\"") && html.contains("value=\"douze\""));
        assert!(html.contains(&format!("value=\"{}\" checked", dir.claire)));
        check_markup(&html);

        // Fixed, the afternoon dropped, another trainer: saved.
        let body = with(
            &submit_form(&html, &form_marker),
            &[("days[0].headcount_min", "12"), ("days[0].afternoon_start", ""), ("days[0].afternoon_end", ""), ("days[0].trainers", &dir.thierry.to_string())],
        );
        let r = post(&app, &client, &edit_path, body).await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
        let page = get(&app, &client, &session_path).await;
        assert!(page.contains("2 jours, 10 h 30") && page.contains("Diagnostic partagé") && page.contains("12 à 15 personnes"));
        let stored = app.store().await.session(id).await.unwrap().unwrap();
        assert_eq!(stored.days[1].id, second, "the day keeps its id");
        assert_eq!(stored.days[1].day.trainer_ids, vec![dir.thierry]);

        // A day that is not this session's: 404.
        assert_eq!(client.get(format!("{}{session_path}/journees/999999", app.base)).send().await.unwrap().status(), 404);

        // Header: capacity and modules; an unreadable capacity is refused.
        let r = post(&app, &client, &session_path, "capacity=beaucoup&modules=Un".into()).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("id=\"err-header-capacity\""));
        let r = post(&app, &client, &session_path, "capacity=20&modules=Premier+module%0D%0ASecond+module".into()).await;
        assert_eq!(r.status(), 303);
        let page = get(&app, &client, &session_path).await;
        assert!(page.contains("<li>Second module</li>") && page.contains("<option value=\"2\">Module 2 : Second module</option>"));

        // Delete the second day.
        let r = post(&app, &client, &format!("{session_path}/journees/{second}/supprimer"), String::new()).await;
        assert_eq!(r.status(), 303);
        assert!(get(&app, &client, &session_path).await.contains("1 jour, 7 h"));

        // Cancel: gone from the public page, marked in the list; reinstate brings it back.
        let r = post(&app, &client, &format!("{session_path}/annuler"), String::new()).await;
        assert_eq!(r.status(), 303);
        assert!(!app.html("/sessions").await.contains(place), "a cancelled session is not public");
        let list = get(&app, &client, "/gestion/sessions").await;
        assert!(list.contains("annulée"));
        assert!(get(&app, &client, &session_path).await.contains("Rétablir la session"));

        // Its trainer is free again: another session takes her that day. Reinstating is then
        // refused until that other session goes.
        let taken = with(&blank, &[("program", SEED_SLUG), ("kind", "INTER"), ("days[0].date", "2031-06-02"), ("days[0].place", "Vichy"), ("days[0].trainers", &dir.claire.to_string())]);
        let other = created(&post(&app, &client, "/gestion/sessions/nouvelle", taken).await);
        let r = post(&app, &client, &format!("{session_path}/retablir"), String::new()).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("ne peut pas être rétablie") && html.contains("Claire TEST est déjà en formation le lundi 2 juin 2031"));
        assert_eq!(post(&app, &client, &format!("/gestion/sessions/{other}/annuler"), String::new()).await.status(), 303);
        let r = post(&app, &client, &format!("{session_path}/retablir"), String::new()).await;
        assert_eq!(r.status(), 303);
        assert!(app.html("/sessions").await.contains(place));
    })
    .await;
}

#[tokio::test]
async fn a_session_planned_from_a_request_is_linked_to_it() {
    on_each_backend(|app| async move {
        let dir = directory(&app).await;
        let store = app.store().await;
        let today = chrono::Utc::now().date_naive();
        let request = forma_domain::request::NewRequest {
            client_id: dir.client,
            program_slug: SEED_SLUG.into(),
            kind: forma_domain::ProgramKind::Intra,
            seats: Some(14),
            received_on: today,
            due_on: None,
            contact: "Mme Demande".into(),
            message: String::new(),
        };
        let request = store.create_request(&request, today + chrono::Duration::days(15), "test").await.unwrap();
        store.close().await;
        app.account("demande-session@test.forma.test", Role::Gestionnaire, None).await;
        let client = app.signed_in("demande-session@test.forma.test").await;

        // The request offers to plan; the form comes prefilled and carries the request.
        let page = get(&app, &client, &format!("/gestion/demandes/{request}")).await;
        assert!(page.contains(&format!("href=\"/gestion/sessions/nouvelle?demande={request}\"")));
        let page = get(&app, &client, &format!("/gestion/sessions/nouvelle?demande={request}")).await;
        assert!(page.contains(&format!("D'après la demande n° {request} de CAF Test Sessions")));
        assert!(page.contains(&format!("name=\"demande\" value=\"{request}\"")) && page.contains("value=\"14\""));
        check_markup(&page);
        let form = submit_form(&page, NEW);

        // A refused form keeps the request.
        let refused = post(&app, &client, "/gestion/sessions/nouvelle", with(&form, &[("days[0].date", "2031-06-02"), ("days[0].room", "999999")])).await;
        assert_eq!(refused.status(), 422);
        let html = refused.text().await.unwrap();
        assert!(html.contains(&format!("name=\"demande\" value=\"{request}\"")), "the request survives a refusal");
        let body = with(&submit_form(&html, NEW), &[("days[0].room", &dir.big_room.to_string()), ("days[0].trainers", &dir.claire.to_string())]);
        let session = created(&post(&app, &client, "/gestion/sessions/nouvelle", body).await);

        // Linked both ways, the answer still to record, prefilled with the session.
        let page = get(&app, &client, &format!("/gestion/sessions/{session}")).await;
        assert!(page.contains(&format!("Demande n° {request} de CAF Test Sessions</a> — réponse à enregistrer")));
        let page = get(&app, &client, &format!("/gestion/demandes/{request}")).await;
        assert!(page.contains(&format!("<dt>Session planifiée</dt><dd><a href=\"/gestion/sessions/{session}\">")));
        assert!(page.contains(&format!("id=\"answer-session\" name=\"session\" inputmode=\"numeric\" value=\"{session}\"")));
        assert!(!page.contains("nouvelle?demande="), "planned once");
        let answer = with(&submit_form(&page, &format!("action=\"/gestion/demandes/{request}/reponse\"")), &[("channel", "email"), ("outcome", "accepted"), ("session", "")]);
        assert_eq!(post(&app, &client, &format!("/gestion/demandes/{request}/reponse"), answer).await.status(), 303);
        let page = get(&app, &client, &format!("/gestion/sessions/{session}")).await;
        assert!(page.contains(&format!("Demande n° {request} de CAF Test Sessions</a>")) && !page.contains("réponse à enregistrer"), "an answer without a session number keeps the link");

        // A second session for the same request does not steal the link.
        let again = get(&app, &client, &format!("/gestion/sessions/nouvelle?demande={request}")).await;
        let body = with(&submit_form(&again, NEW), &[("days[0].date", "2031-06-09"), ("days[0].place", "Vichy")]);
        let other = created(&post(&app, &client, "/gestion/sessions/nouvelle", body).await);
        let store = app.store().await;
        assert_eq!(store.request(request).await.unwrap().unwrap().session_id, Some(session));
        assert!(store.session_requests(other).await.unwrap().is_empty());
        let journal = store.audit_events(Some("request"), 50).await.unwrap();
        assert_eq!(journal.iter().filter(|e| e.action == "link_session" && e.entity_id == request.to_string()).count(), 1);
        store.close().await;
    })
    .await;
}

/// Another node (here: the store, written directly) changes a session: this server's cached
/// sheet page follows through the watcher, for a cancellation as for a creation.
#[tokio::test]
async fn cached_public_pages_follow_sessions_changed_by_another_node() {
    use forma_domain::session::{PlannedDay, SessionPlan};
    on_each_backend(|app| async move {
        let sheet = format!("/formations/{SEED_SLUG}");
        let shows = |page: &str| page.contains("Yzeure TEST");
        let until = |want: bool| {
            let app = &app;
            let sheet = &sheet;
            async move {
                // The watcher polls every 200 ms; the whole suite runs in parallel, so allow it time.
                for _ in 0..200 {
                    if shows(&app.html(sheet).await) == want {
                        return true;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                false
            }
        };
        assert!(!shows(&app.html(&sheet).await), "cached without the session");
        let date = chrono::Utc::now().date_naive() + chrono::Duration::days(90);
        let plan = SessionPlan {
            kind: forma_domain::ProgramKind::Inter,
            client_id: None,
            capacity: Some(12),
            modules: vec![],
            days: vec![PlannedDay { place: "Yzeure TEST".into(), ..PlannedDay::on(date) }],
        };
        let store = app.store().await;
        let id = store.create_session(SEED_SLUG, &plan.validated().unwrap(), "autre-noeud").await.unwrap();
        assert!(until(true).await, "{}: a session created elsewhere appears", app.db);
        store.set_session_cancelled(id, true, "autre-noeud").await.unwrap();
        assert!(until(false).await, "{}: a session cancelled elsewhere disappears", app.db);
        store.close().await;
    })
    .await;
}
