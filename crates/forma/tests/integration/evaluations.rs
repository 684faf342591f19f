//! Evaluations from the personal link: positioning kept as a draft, refused with the typed
//! values, then sent; two more hot evaluations move the satisfaction rate published on the
//! program's sheet and in the API (the demo's session of today already has four).

use chrono::NaiveTime;
use forma_domain::half_day::{DaySchedule, Slot};

use crate::helpers::{SEED_SLUG, TestApp, get_page, location, on_each_backend, post_form, unescaped};

fn time(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

fn form(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

/// A one-day session today whose only half-day started at 00:01: positioning and the hot
/// evaluation are both open. Gives the session and the trainees' personal paths.
async fn session_today(app: &TestApp, tag: &str) -> (i64, Vec<String>) {
    let schedule = DaySchedule { morning: Some(Slot { start: time(0, 1), end: time(23, 59) }), afternoon: None };
    let trainees: Vec<(&str, String)> = ["Inès", "Karim"].iter().enumerate().map(|(n, f)| (*f, format!("eval{n}-{tag}"))).collect();
    let (session, _, registrations) = crate::helpers::session_today(app, schedule, "Évaluée", &trainees, 0xe7a1 + if tag == "pg" { 16 } else { 0 }).await;
    (session, registrations.into_iter().map(|(_, token)| format!("/inscription/{token}")).collect())
}

#[tokio::test]
async fn trainees_answer_evaluations_and_the_published_rate_follows() {
    on_each_backend(|app| async move {
        let tag = if app.db.starts_with("sqlite") { "sqlite" } else { "pg" };
        let visitor = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let (session, paths) = session_today(&app, tag).await;
        let (ines, karim) = (&paths[0], &paths[1]);

        let personal = get_page(&app, &visitor, ines).await;
        assert!(
            personal.contains("Vos évaluations") && personal.contains("Positionnement (avant la formation)") && personal.contains("à remplir"),
            "{personal}"
        );
        let positioning = format!("{ines}/evaluation/positionnement");
        let page = get_page(&app, &visitor, &positioning).await;
        assert!(page.contains("Questionnaire de positionnement") && page.contains("name=\"o1\"") && page.contains("Je sais faire seul"), "{page}");

        // A wrong value comes back next to its question, typed as it was; nothing is saved.
        let r = post_form(&app, &visitor, &positioning, form(&[("o1", "2"), ("experience", "douze"), ("action", "brouillon")])).await;
        assert_eq!(r.status(), 422);
        let page = unescaped(r).await;
        assert!(
            page.contains("id=\"err-experience\">Indiquez un nombre entier")
                && page.contains("value=\"douze\"")
                && page.contains("id=\"o1-2\" name=\"o1\" value=\"2\" checked"),
            "{page}"
        );

        // A draft keeps what was answered.
        let r = post_form(&app, &visitor, &positioning, form(&[("o1", "2"), ("expectations", "Mieux connaître la CTG"), ("action", "brouillon")])).await;
        assert_eq!(location(&r), format!("{ines}?ok=evaluation-brouillon"));
        assert!(get_page(&app, &visitor, ines).await.contains("brouillon enregistré le"));
        let page = get_page(&app, &visitor, &positioning).await;
        assert!(page.contains("value=\"2\" checked") && page.contains(">Mieux connaître la CTG</textarea>"), "{page}");

        // Sending needs every required question.
        let r = post_form(&app, &visitor, &positioning, form(&[("o1", "2"), ("action", "envoyer")])).await;
        assert_eq!(r.status(), 422);
        assert!(unescaped(r).await.contains("id=\"err-o2\">Répondez à cette question."));
        let objectives = {
            let store = app.store().await;
            let n = store.program(SEED_SLUG).await.unwrap().unwrap().program.objectives.len();
            store.close().await;
            n
        };
        let keys: Vec<String> = (1..=objectives).map(|i| format!("o{i}")).collect();
        let mut all: Vec<(&str, &str)> = keys.iter().map(|k| (k.as_str(), "2")).collect();
        all.extend([("expectations", "Mieux connaître la CTG"), ("action", "envoyer")]);
        assert_eq!(location(&post_form(&app, &visitor, &positioning, form(&all)).await), format!("{ines}?ok=evaluation"));
        assert!(get_page(&app, &visitor, ines).await.contains("envoyé le"));
        // Sent is final: the form leads back to the personal page.
        assert_eq!(location(&visitor.get(format!("{}{positioning}", app.base)).send().await.unwrap()), format!("{ines}?ok=evaluation-envoyee"));

        // The demo's session of today already has four hot evaluations (three satisfied).
        let sheet = unescaped(app.get(&format!("/formations/{SEED_SLUG}")).await).await;
        assert!(sheet.contains("75 % de stagiaires satisfaits (4 répondants, période : 12 derniers mois, au "), "{sheet}");
        // Two more: one satisfied, one not — 4 of 6.
        for (path, overall) in [(ines, "4"), (karim, "2")] {
            let hot = format!("{path}/evaluation/fin-de-formation");
            let mut answers: Vec<(&str, &str)> = vec![("overall", overall), ("content", "3"), ("trainer", "4"), ("organisation", "3"), ("action", "envoyer")];
            answers.extend(keys.iter().map(|k| (k.as_str(), "4")));
            assert_eq!(location(&post_form(&app, &visitor, &hot, form(&answers)).await), format!("{path}?ok=evaluation"));
        }
        let sheet = unescaped(app.get(&format!("/formations/{SEED_SLUG}")).await).await;
        assert!(sheet.contains("66,7 % de stagiaires satisfaits (6 répondants, période : 12 derniers mois, au "), "{sheet}");
        let api: serde_json::Value = app.get(&format!("/api/v1/programs/{SEED_SLUG}")).await.json().await.unwrap();
        assert_eq!(api["satisfaction"]["per_mille"], 667);
        assert_eq!(api["satisfaction"]["respondents"], 6);

        // The back-office sees the response rates, the distributions and the progress.
        app.account(&format!("resultats-{tag}@test.forma.test"), forma_domain::account::Role::Gestionnaire, None).await;
        let staff = app.signed_in(&format!("resultats-{tag}@test.forma.test")).await;
        let results = get_page(&app, &staff, &format!("/gestion/sessions/{session}/evaluations")).await;
        for expected in [
            "1 réponse envoyée sur 2 stagiaires (50 %)",
            "2 réponses envoyées sur 2 stagiaires (100 %) — satisfaction globale : 50 % de satisfaits (2 répondants)",
            "2,0 → 4,0 sur 5",
            "Mieux connaître la CTG",
            "<rect x=\"0\" y=\"0\" width=\"100\" height=\"14\" fill=\"#1f3a8a\"/>",
        ] {
            assert!(results.contains(expected), "{expected} missing from the results:\n{results}");
        }

        // Every answer, trainee by trainee, in a workbook.
        let xlsx = staff.get(format!("{}/gestion/sessions/{session}/evaluations.xlsx", app.base)).send().await.unwrap();
        assert_eq!(xlsx.status(), 200);
        let bytes = xlsx.bytes().await.unwrap().to_vec();
        let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        use calamine::Reader;
        assert_eq!(book.sheet_names(), ["Positionnement", "Fin de formation", "À froid", "Client", "Formateur", "Acquis"].map(str::to_owned).to_vec());
        let hot = book.worksheet_range("Fin de formation").unwrap();
        let rows: Vec<Vec<String>> = hot.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
        assert_eq!(rows[0][..3], ["Stagiaire".to_owned(), "État".to_owned(), "Dans l'ensemble, êtes-vous satisfait de la formation ?".to_owned()]);
        assert!(rows.iter().any(|r| r[0] == "Inès Évaluée" && r[1].starts_with("envoyé le") && r[2] == "Très satisfait"), "{rows:?}");
        assert!(rows.iter().any(|r| r[0] == "Karim Évaluée" && r[2] == "Peu satisfait"), "{rows:?}");

        // Per trainer: the demo's sessions of today and of ten days ago are Thierry CHEINE's (7
        // satisfied of 9), the one of a hundred days ago Claire Martin's (3 of 4); the session
        // of this test has no trainer.
        let trainers = get_page(&app, &staff, "/gestion/formateurs").await;
        assert!(trainers.contains("Satisfaction (12 mois)") && trainers.contains("<td>77,8 % (9 répondants)</td>"), "{trainers}");
        assert!(trainers.contains("<td>75 % (4 répondants)</td>"), "{trainers}");

        let store = app.store().await;
        let journal = store.audit_events(Some("registration"), 50).await.unwrap();
        assert!(journal.iter().filter(|e| e.action == "evaluation_submit").count() >= 3);
        assert!(journal.iter().any(|e| e.action == "evaluation_draft"));
        store.close().await;
    })
    .await;
}

#[tokio::test]
async fn non_respondents_are_reminded_twice_with_a_link_to_their_questionnaire() {
    let smtp = forma_mail::testing::SmtpServer::start();
    let dir = tempfile::tempdir().unwrap();
    for url in &forma_store::testing::test_database_urls(dir.path()).await {
        let app = crate::helpers::spawn_app_with_mail(url, Some(smtp.url())).await;
        let tag = if url.starts_with("sqlite") { "sqlite" } else { "pg" };
        let schedule = DaySchedule { morning: Some(Slot { start: time(0, 1), end: time(23, 59) }), afternoon: None };
        let trainees: Vec<(&str, String)> = ["Léa", "Marc"].iter().enumerate().map(|(n, f)| (*f, format!("relance{n}-{tag}"))).collect();
        let base = 0x5e1a_u128 + if tag == "pg" { 16 } else { 0 };
        let (_, _, registrations) = crate::helpers::session_today(&app, schedule, "Relancé", &trainees, base).await;
        let ours: Vec<String> = registrations.iter().map(|(id, _)| id.to_string()).collect();
        let store = app.store().await;
        // The sweep as a node runs it, on the same base (the server's mail worker delivers).
        let state = forma_web::AppState::new(
            store.clone(),
            std::sync::Arc::new(forma_search::SearchIndex::new().unwrap()),
            forma_web::WebConfig { public_url: Some(app.base.clone()), ..forma_web::WebConfig::default() },
        );
        let queued = |who: String| {
            let store = store.clone();
            async move {
                store
                    .outbox_entries(None, 500)
                    .await
                    .unwrap()
                    .into_iter()
                    .filter(|m| m.recipient == who && m.subject == "Rappel : votre avis sur la formation")
                    .count()
            }
        };
        let (lea, marc) = (format!("relance0-{tag}@caf03.test"), format!("relance1-{tag}@caf03.test"));
        let now = chrono::Utc::now();
        // Nothing is due before three days; then one reminder per open questionnaire (the
        // positioning closed with the first day; the hot evaluation is open), however often the
        // sweep runs.
        forma_web::send_evaluation_reminders(&state, now).await.unwrap();
        assert_eq!(queued(lea.clone()).await, 0);
        let later = now + chrono::Duration::days(4);
        forma_web::send_evaluation_reminders(&state, later).await.unwrap();
        forma_web::send_evaluation_reminders(&state, later).await.unwrap();
        assert_eq!((queued(lea.clone()).await, queued(marc.clone()).await), (1, 1));

        // Léa answers from the reminder, as received: its link opens the questionnaire without
        // the personal link.
        let mail = crate::helpers::wait_mail(&smtp, &lea, "Rappel : votre avis sur la formation", "Évaluation à chaud (fin de formation)").await;
        let link = mail.plain.split_whitespace().find(|w| w.starts_with(&format!("{}/evaluation/", app.base))).expect("the reminder's link").to_owned();
        let path = link.replace(&app.base, "");
        let visitor = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let page = get_page(&app, &visitor, &path).await;
        assert!(page.contains("Évaluation de fin de formation") && !page.contains("Mon inscription"), "{page}");
        let objectives = store.program(SEED_SLUG).await.unwrap().unwrap().program.objectives.len();
        let keys: Vec<String> = (1..=objectives).map(|i| format!("o{i}")).collect();
        let mut answers: Vec<(&str, &str)> = vec![("overall", "4"), ("content", "4"), ("trainer", "4"), ("organisation", "3"), ("action", "envoyer")];
        answers.extend(keys.iter().map(|k| (k.as_str(), "4")));
        assert_eq!(location(&post_form(&app, &visitor, &path, form(&answers)).await), format!("{path}?ok=evaluation"));
        assert!(get_page(&app, &visitor, &path).await.contains("Vos réponses à ce questionnaire sont déjà envoyées"));

        // Seven days on: a second reminder for Marc only; then never again.
        forma_web::send_evaluation_reminders(&state, now + chrono::Duration::days(8)).await.unwrap();
        assert_eq!((queued(lea.clone()).await, queued(marc.clone()).await), (1, 2));
        forma_web::send_evaluation_reminders(&state, now + chrono::Duration::days(20)).await.unwrap();
        assert_eq!(queued(marc.clone()).await, 2);
        // (The demo's trainees are reminded by the same sweeps; only these two are counted.)
        let journal = store.audit_events(Some("registration"), 500).await.unwrap();
        assert_eq!(journal.iter().filter(|e| e.action == "evaluation_reminder" && ours.contains(&e.entity_id)).count(), 3);
        store.close().await;
    }
}

/// The cold reminders recorded for a session's registrations.
async fn cold_reminders(store: &forma_store::Store, session: i64) -> usize {
    let ours: Vec<String> = store.session_registrations(session).await.unwrap().iter().map(|r| r.id.to_string()).collect();
    let journal = store.audit_events(Some("registration"), 2000).await.unwrap();
    journal
        .iter()
        .filter(|e| e.action == "evaluation_reminder" && ours.contains(&e.entity_id) && e.after.as_ref().is_some_and(|a| a.0["kind"] == "cold"))
        .count()
}

#[tokio::test]
async fn the_cold_evaluation_opens_after_the_organisations_delay() {
    on_each_backend(|app| async move {
        let store = app.store().await;
        // The demo's session ended 100 days ago: with the default 60 days its cold evaluation
        // closed at 90; with 90 days it opened 10 days ago, so its non-respondents are reminded.
        let today = chrono::Utc::now().date_naive();
        let rows = store.sessions(None).await.unwrap();
        let old = rows.iter().find(|s| s.last_day == Some(today - chrono::Duration::days(100))).expect("the demo's session of 100 days ago").id;
        let state = forma_web::AppState::new(
            store.clone(),
            std::sync::Arc::new(forma_search::SearchIndex::new().unwrap()),
            forma_web::WebConfig { public_url: Some(app.base.clone()), ..forma_web::WebConfig::default() },
        );
        state.reload_organisation().await.unwrap();
        forma_web::send_evaluation_reminders(&state, chrono::Utc::now()).await.unwrap();
        assert_eq!(cold_reminders(&store, old).await, 0);

        let mut org = store.organisation().await.unwrap().unwrap();
        org.cold_evaluation_days = "90".into();
        store.save_organisation(&org, "test").await.unwrap();
        state.reload_organisation().await.unwrap();
        forma_web::send_evaluation_reminders(&state, chrono::Utc::now()).await.unwrap();
        assert!(cold_reminders(&store, old).await > 0, "the cold evaluation is open with a 90-day delay");
        store.close().await;
    })
    .await;
}
