//! The questionnaire builder (steps, refusals with what was typed, saving, going back to the
//! model) and what trainees then answer; the client's and the trainer's appreciation of the
//! demo's session ended ten days ago, from their spaces, and the messages asking them for it;
//! the results with them, as a PDF
//! synthesis; and the certificates' ZIP prepared in the background with its progress.

use chrono::NaiveTime;
use forma_domain::account::Role;
use forma_domain::evaluation::{EvaluationKind, Questionnaire};
use forma_domain::half_day::{DaySchedule, Slot};
use forma_domain::questionnaire_editor::form_fields;

use crate::helpers::{SEED_SLUG, TestApp, as_demo, get_page, location, on_each_backend, post_form, unescaped};

fn form(pairs: &[(String, String)]) -> String {
    form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

fn with_action(fields: &[(String, String)], action: &str) -> String {
    let mut all = fields.to_vec();
    all.push(("action".into(), action.into()));
    form(&all)
}

fn tag(app: &TestApp) -> &'static str {
    if app.db.starts_with("sqlite") { "sqlite" } else { "pg" }
}

async fn staff(app: &TestApp, name: &str) -> reqwest::Client {
    let email = format!("{name}-{}@test.forma.test", tag(app));
    app.account(&email, Role::Gestionnaire, None).await;
    app.signed_in(&email).await
}

#[tokio::test]
async fn staff_build_a_questionnaire_that_trainees_then_answer() {
    on_each_backend(|app| async move {
        let staff = staff(&app, "questionnaires").await;
        let list = get_page(&app, &staff, &format!("/gestion/programmes/{SEED_SLUG}/questionnaires")).await;
        assert!(list.contains("Positionnement (avant la formation)") && list.contains("Modèle de Forma"), "{list}");
        // The demo wrote the seed's cold questionnaire in the builder.
        assert!(list.contains("Personnalisé, enregistré le"), "{list}");

        let path = format!("/gestion/programmes/{SEED_SLUG}/questionnaires/positionnement");
        let page = get_page(&app, &staff, &path).await;
        assert!(page.contains("Questionnaire de positionnement") && page.contains("modèle de Forma, pas encore personnalisé"), "{page}");
        let store = app.store().await;
        let objectives = store.program(SEED_SLUG).await.unwrap().unwrap().program.objectives;
        store.close().await;
        let model = Questionnaire::template(EvaluationKind::Positioning, &objectives);
        let mut fields = form_fields(&model);

        // A step shows the form again with a new, empty question; nothing is saved yet.
        let r = post_form(&app, &staff, &path, with_action(&fields, "ajouter-question:1")).await;
        assert_eq!(r.status(), 200);
        let page = unescaped(r).await;
        assert!(page.contains("name=\"s1-q3-label\" value=\"\"") && page.contains("elle sera prise en compte quand vous enregistrerez"), "{page}");
        assert!(get_page(&app, &staff, &format!("/gestion/programmes/{SEED_SLUG}/questionnaires")).await.matches("Modèle de Forma").count() >= 5);

        // Moving a question up swaps it with the one above, unsaved too.
        let label = |key: &str| fields.iter().find(|(k, _)| k == key).unwrap().1.clone();
        let (first, second) = (label("s1-q0-label"), label("s1-q1-label"));
        let r = post_form(&app, &staff, &path, with_action(&fields, "monter:1:1")).await;
        assert_eq!(r.status(), 200);
        let page = unescaped(r).await;
        assert!(
            page.contains(&format!("name=\"s1-q0-label\" value=\"{second}\"")) && page.contains(&format!("name=\"s1-q1-label\" value=\"{first}\"")),
            "{page}"
        );

        // Saving with the new question left blank is refused next to it, the rest as typed.
        fields.extend([
            ("s1-q3-key".to_owned(), "q1".to_owned()),
            ("s1-q3-label".to_owned(), String::new()),
            ("s1-q3-type".to_owned(), "single".to_owned()),
            ("s1-q3-options".to_owned(), "Accueil\nAccueil".to_owned()),
            ("s1-q3-required".to_owned(), "on".to_owned()),
        ]);
        fields.iter_mut().find(|(k, _)| k == "title").unwrap().1 = "Avant la formation CTG".into();
        let r = post_form(&app, &staff, &path, with_action(&fields, "enregistrer")).await;
        assert_eq!(r.status(), 422);
        let page = unescaped(r).await;
        assert!(
            page.contains("id=\"err-s1-q3-label\">Écrivez la question.")
                && page.contains("id=\"err-s1-q3-options\">Proposez au moins deux choix")
                && page.contains("value=\"Avant la formation CTG\""),
            "{page}"
        );

        // Corrected, it is saved and journaled; the list says so.
        fields.iter_mut().find(|(k, _)| k == "s1-q3-label").unwrap().1 = "Dans quel service travaillez-vous ?".into();
        fields.iter_mut().find(|(k, _)| k == "s1-q3-options").unwrap().1 = "Accueil\nAction sociale\nDirection".into();
        let r = post_form(&app, &staff, &path, with_action(&fields, "enregistrer")).await;
        assert_eq!(location(&r), format!("{path}?ok=questionnaire"));
        assert!(get_page(&app, &staff, &path).await.contains("questionnaire personnalisé"));

        // A trainee's positioning now asks it.
        let schedule = DaySchedule {
            morning: Some(Slot { start: NaiveTime::from_hms_opt(0, 1, 0).unwrap(), end: NaiveTime::from_hms_opt(23, 59, 0).unwrap() }),
            afternoon: None,
        };
        let base = 0x9e57_u128 + if tag(&app) == "pg" { 16 } else { 0 };
        let (_, _, registrations) = crate::helpers::session_today(&app, schedule, "Questionnée", &[("Nina", format!("q0-{}", tag(&app)))], base).await;
        let visitor = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let trainee = format!("/inscription/{}/evaluation/positionnement", registrations[0].1);
        let page = get_page(&app, &visitor, &trainee).await;
        assert!(
            page.contains("<h1>Avant la formation CTG</h1>")
                && page.contains("Dans quel service travaillez-vous ?")
                && page.contains(">Action sociale</label>"),
            "{page}"
        );
        let r = post_form(&app, &visitor, &trainee, form(&[("q1".into(), "1".into()), ("action".into(), "brouillon".into())])).await;
        assert!(location(&r).ends_with("?ok=evaluation-brouillon"));

        // The hot questionnaire cannot lose its overall question: the published rate needs it.
        let hot_path = format!("/gestion/programmes/{SEED_SLUG}/questionnaires/fin-de-formation");
        let mut hot = form_fields(&Questionnaire::template(EvaluationKind::Hot, &objectives));
        hot.retain(|(k, _)| k != "s0-q0-overall");
        let r = post_form(&app, &staff, &hot_path, with_action(&hot, "enregistrer")).await;
        assert_eq!(r.status(), 422);
        assert!(unescaped(r).await.contains("Gardez une question de satisfaction globale"));

        // Back to the model: the written one is gone, the draft keeps what it answered.
        let r = post_form(&app, &staff, &path, form(&[("action".into(), "modele".into())])).await;
        assert_eq!(location(&r), format!("{path}?ok=questionnaire-modele"));
        assert!(get_page(&app, &staff, &path).await.contains("modèle de Forma, pas encore personnalisé"));
        assert!(get_page(&app, &visitor, &trainee).await.contains("Dans quel service travaillez-vous ?"));

        let store = app.store().await;
        let journal = store.audit_events(Some("program"), 50).await.unwrap();
        let save = journal.iter().find(|e| e.action == "questionnaire_save" && e.actor.starts_with("questionnaires-")).expect("journaled save");
        assert!(save.after.as_ref().unwrap().0.to_string().contains("Dans quel service travaillez-vous ?"));
        assert!(journal.iter().any(|e| e.action == "questionnaire_reset"));
        store.close().await;
    })
    .await;
}

/// The demo's session ended ten days ago (CAF de l'Allier, Thierry CHEINE).
async fn recent_session(app: &TestApp) -> i64 {
    let store = app.store().await;
    let today = chrono::Utc::now().date_naive();
    let rows = store.sessions(None).await.unwrap();
    let id = rows.iter().find(|s| s.last_day == Some(today - chrono::Duration::days(10)) && s.program_slug != SEED_SLUG).expect("the demo's recent session").id;
    store.close().await;
    id
}

#[tokio::test]
async fn the_client_and_the_trainer_give_their_appreciation_and_the_synthesis_shows_it() {
    on_each_backend(|app| async move {
        let session = recent_session(&app).await;
        let store = app.store().await;
        let caf = store.users().await.unwrap().into_iter().find(|u| u.email == "contact.caf03@demo.forma.test").unwrap().client_id.unwrap();
        store.close().await;

        // The client contact finds the appreciation in the client space.
        let client = as_demo(&app, "contact.caf03@demo.forma.test").await;
        let space = get_page(&app, &client, &format!("/espace-client/{caf}")).await;
        let form_path = format!("/espace-client/{caf}/sessions/{session}/appreciation");
        assert!(space.contains("Votre appréciation des formations terminées") && space.contains(&form_path) && space.contains("à remplir"), "{space}");
        let page = get_page(&app, &client, &form_path).await;
        assert!(page.contains("Appréciation du commanditaire") && page.contains("← Espace client"), "{page}");
        let r = post_form(&app, &client, &form_path, "needs=4&action=envoyer".into()).await;
        assert_eq!(r.status(), 422);
        let page = unescaped(r).await;
        assert!(page.contains("id=\"err-satisfaction\">Répondez à cette question.") && page.contains("value=\"4\" checked"), "{page}");
        let r = post_form(&app, &client, &form_path, "needs=4&comment=Agents+ravis&action=brouillon".into()).await;
        assert_eq!(location(&r), format!("/espace-client/{caf}?ok=appreciation-brouillon"));
        assert!(get_page(&app, &client, &format!("/espace-client/{caf}")).await.contains("brouillon enregistré le"));
        let r = post_form(&app, &client, &form_path, "satisfaction=4&needs=4&comment=Agents+ravis&action=envoyer".into()).await;
        assert_eq!(location(&r), format!("/espace-client/{caf}?ok=appreciation"));
        assert!(get_page(&app, &client, &format!("/espace-client/{caf}?ok=appreciation")).await.contains("votre appréciation est envoyée"));
        assert_eq!(location(&client.get(format!("{}{form_path}", app.base)).send().await.unwrap()), format!("/espace-client/{caf}?ok=appreciation-envoyee"));

        // Another client's contact cannot reach it.
        let store = app.store().await;
        let other = store.create_client(&format!("CAF autre {}", tag(&app)), "test").await.unwrap();
        store.close().await;
        let email = format!("autre-client-{}@test.forma.test", tag(&app));
        app.account(&email, Role::Client, Some(other)).await;
        let stranger = app.signed_in(&email).await;
        let r = stranger.get(format!("{}/espace-client/{other}/sessions/{session}/appreciation", app.base)).send().await.unwrap();
        assert_eq!(r.status(), 404);

        // The trainer writes the session's review from the trainer space.
        let trainer = as_demo(&app, "thierry.cheine@demo.forma.test").await;
        let space = get_page(&app, &trainer, "/espace-formateur").await;
        let review = format!("/formateur/sessions/{session}/bilan");
        assert!(space.contains("Bilans de session") && space.contains(&review), "{space}");
        let r = post_form(&app, &trainer, &review, "group=4&organisation=3&comment=Salle+trop+petite&action=envoyer".into()).await;
        assert_eq!(location(&r), "/espace-formateur?ok=appreciation");
        // A trainer who did not lead it gets nothing.
        let email = format!("autre-formateur-{}@test.forma.test", tag(&app));
        app.account(&email, Role::Formateur, None).await;
        let r = app.signed_in(&email).await.get(format!("{}{review}", app.base)).send().await.unwrap();
        assert_eq!(r.status(), 404);

        // The results count them, the workbook has their sheets, the synthesis prints them.
        let staff = staff(&app, "synthese").await;
        let results = get_page(&app, &staff, &format!("/gestion/sessions/{session}/evaluations")).await;
        for expected in [
            "1 réponse envoyée sur 1 client (100 %)",
            "1 réponse envoyée sur 1 formateur (100 %)",
            "Agents ravis",
            "Salle trop petite",
            "5 réponses envoyées sur 5 stagiaires (100 %) — satisfaction globale : 80 % de satisfaits (5 répondants)",
        ] {
            assert!(results.contains(expected), "{expected} missing:\n{results}");
        }
        let xlsx = staff.get(format!("{}/gestion/sessions/{session}/evaluations.xlsx", app.base)).send().await.unwrap().bytes().await.unwrap().to_vec();
        let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).unwrap();
        use calamine::Reader;
        let rows: Vec<Vec<String>> = book.worksheet_range("Formateur").unwrap().rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
        assert!(rows.iter().any(|r| r[0] == "Thierry CHEINE" && r.iter().any(|c| c == "Salle trop petite")), "{rows:?}");

        let r = staff.get(format!("{}/gestion/sessions/{session}/evaluations.pdf", app.base)).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "application/pdf");
        let pdf = r.bytes().await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("synthese.pdf");
        std::fs::write(&file, &pdf).unwrap();
        let text = std::process::Command::new("pdftotext").args(["-layout"]).arg(&file).arg("-").output().unwrap();
        let text = String::from_utf8_lossy(&text.stdout).replace('\u{a0}', " ");
        for expected in ["Synthèse des évaluations", "Appréciation du client", "Appréciation du formateur", "Salle trop petite", "80 % de satisfaits"] {
            assert!(text.contains(expected), "{expected} missing from the PDF:\n{text}");
        }

        let store = app.store().await;
        let journal = store.audit_events(Some("session"), 50).await.unwrap();
        assert!(journal.iter().filter(|e| e.action == "evaluation_submit" && e.entity_id == session.to_string()).count() >= 2);
        store.close().await;
    })
    .await;
}

/// The client's and trainer's steps recorded for a session: (client, trainer).
async fn steps(store: &forma_store::Store, session: i64) -> (usize, usize) {
    let journal = store.audit_events(Some("session"), 500).await.unwrap();
    let ours: Vec<_> = journal.iter().filter(|e| e.action == "appreciation_invitation" && e.entity_id == session.to_string()).collect();
    let of = |kind: &str| ours.iter().filter(|e| e.after.as_ref().is_some_and(|a| a.0["kind"] == kind)).count();
    (of("client"), of("trainer"))
}

#[tokio::test]
async fn the_client_and_the_trainer_are_asked_at_the_end_then_reminded_until_they_answer() {
    let dir = tempfile::tempdir().unwrap();
    for url in &forma_store::testing::test_database_urls(dir.path()).await {
        // One mailbox per base: both demos have the same session numbers.
        let smtp = forma_mail::testing::SmtpServer::start();
        let app = crate::helpers::spawn_app_with_mail(url, Some(smtp.url())).await;
        let session = recent_session(&app).await;
        let store = app.store().await;
        let caf = store.users().await.unwrap().into_iter().find(|u| u.email == "contact.caf03@demo.forma.test").unwrap().client_id.unwrap();
        // The sweep as a node runs it, on the same base (the server's mail worker delivers).
        let state = forma_web::AppState::new(
            store.clone(),
            std::sync::Arc::new(forma_search::SearchIndex::new().unwrap()),
            forma_web::WebConfig { public_url: Some(app.base.clone()), ..forma_web::WebConfig::default() },
        );
        let now = chrono::Utc::now();
        // The session's last half-day started ten days ago: the invitations go at once, once
        // each however often the sweep runs (or whichever node runs it).
        forma_web::send_evaluation_reminders(&state, now).await.unwrap();
        forma_web::send_evaluation_reminders(&state, now).await.unwrap();
        assert_eq!(steps(&store, session).await, (1, 1));
        // (The server's own sweep may have sent them first: the link is the server's address.)
        let form_path = format!("/espace-client/{caf}/sessions/{session}/appreciation");
        let mail = crate::helpers::wait_mail(&smtp, "contact.caf03@demo.forma.test", "Votre appréciation de la formation", &form_path).await;
        let link = mail.plain.split_whitespace().find(|w| w.starts_with("http") && w.ends_with(&form_path)).expect("the form's address").to_owned();
        assert!(mail.plain.contains("s'achève") && mail.plain.contains("jusqu'au") && mail.html.contains(&format!("href=\"{link}\"")), "{}", mail.plain);
        let review = format!("/formateur/sessions/{session}/bilan");
        crate::helpers::wait_mail(&smtp, "thierry.cheine@demo.forma.test", "Votre bilan de la session", &review).await;
        // The link leads to the form once signed in.
        let client = as_demo(&app, "contact.caf03@demo.forma.test").await;
        assert!(get_page(&app, &client, &form_path).await.contains("Appréciation du commanditaire"));

        // The client answers; a day later only the trainer is reminded, seven days after the
        // opening again, then never.
        let r = post_form(&app, &client, &form_path, "satisfaction=3&needs=3&action=envoyer".into()).await;
        assert_eq!(location(&r), format!("/espace-client/{caf}?ok=appreciation"));
        forma_web::send_evaluation_reminders(&state, now + chrono::Duration::hours(12)).await.unwrap();
        assert_eq!(steps(&store, session).await, (1, 1), "never two messages within a day");
        forma_web::send_evaluation_reminders(&state, now + chrono::Duration::hours(25)).await.unwrap();
        assert_eq!(steps(&store, session).await, (1, 2));
        crate::helpers::wait_mail(&smtp, "thierry.cheine@demo.forma.test", "Rappel : votre bilan de la session", &review).await;
        forma_web::send_evaluation_reminders(&state, now + chrono::Duration::hours(50)).await.unwrap();
        forma_web::send_evaluation_reminders(&state, now + chrono::Duration::days(5)).await.unwrap();
        assert_eq!(steps(&store, session).await, (1, 3));
        // Past the 30 days, nothing more, even for a form never sent.
        forma_web::send_evaluation_reminders(&state, now + chrono::Duration::days(25)).await.unwrap();
        assert_eq!(steps(&store, session).await, (1, 3));
        assert!(smtp.received().iter().all(|m| !(m.to == "contact.caf03@demo.forma.test" && m.subject.starts_with("Rappel") && m.plain.contains(&form_path))));
        store.close().await;
    }
}

#[tokio::test]
async fn the_certificates_zip_is_prepared_in_the_background_with_its_progress() {
    on_each_backend(|app| async move {
        let store = app.store().await;
        let seed = store.agreements(None).await.unwrap().into_iter().find(|a| a.number.to_string() == "26/19").unwrap().session_id;
        let in_force = store.session_certificates(seed).await.unwrap().into_iter().filter(|c| c.in_force()).count();
        store.close().await;
        let staff = staff(&app, "archive").await;
        let page = get_page(&app, &staff, &format!("/gestion/sessions/{seed}/certificats")).await;
        assert!(page.contains(&format!("Préparer le ZIP des {in_force} documents en vigueur")), "{page}");
        let r = post_form(&app, &staff, &format!("/gestion/sessions/{seed}/certificats/archive"), String::new()).await;
        let archive = location(&r);
        assert!(archive.starts_with("/gestion/archives/"), "{archive}");
        let page = get_page(&app, &staff, &archive).await;
        assert!(page.contains("<progress id=\"archive-progress\"") && page.contains(&format!("max=\"{in_force}\"")), "{page}");

        // The script's view of the progress, until it is ready.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        let mut seen = Vec::new();
        loop {
            let p: serde_json::Value = staff.get(format!("{}{archive}/etat", app.base)).send().await.unwrap().json().await.unwrap();
            assert_eq!(p["total"], in_force);
            seen.push(p["done"].as_i64().unwrap());
            if p["status"] == "ready" {
                break;
            }
            assert_eq!(p["status"], "running");
            assert!(std::time::Instant::now() < deadline, "archive not ready: {seen:?}");
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        assert!(seen.windows(2).all(|w| w[0] <= w[1]), "progress went back: {seen:?}");
        let page = get_page(&app, &staff, &archive).await;
        assert!(page.contains("L'archive est prête.") && page.contains(&format!("{archive}/fichier")), "{page}");
        let zip = staff.get(format!("{}{archive}/fichier", app.base)).send().await.unwrap();
        assert_eq!(zip.headers()["content-type"], "application/zip");
        let bytes = zip.bytes().await.unwrap().to_vec();
        let mut reader = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(reader.len(), in_force);
        let mut first = Vec::new();
        std::io::Read::read_to_end(&mut reader.by_index(0).unwrap(), &mut first).unwrap();
        assert!(first.starts_with(b"%PDF"));
        // Another node would serve the same: the file is in the database.
        let store = app.store().await;
        let id: i64 = archive.rsplit('/').next().unwrap().parse().unwrap();
        assert_eq!(store.archive(id).await.unwrap().unwrap().status, "ready");
        assert!(store.audit_events(Some("session"), 20).await.unwrap().iter().any(|e| e.action == "certificates_archive"));
        store.close().await;

        // A run whose node stopped (untouched for ten minutes) reads « interrompue ».
        let ten_minutes_ago = (chrono::Utc::now() - chrono::Duration::minutes(10)).to_rfc3339();
        let sql = format!("UPDATE archives SET status = 'running', updated_at = '{ten_minutes_ago}' WHERE id = {id}");
        assert_eq!(forma_store::testing::raw_execute(&app.db, &sql).await, 1);
        let p: serde_json::Value = staff.get(format!("{}{archive}/etat", app.base)).send().await.unwrap().json().await.unwrap();
        assert_eq!(p["status"], "stalled");
        assert!(get_page(&app, &staff, &archive).await.contains("La préparation s'est interrompue"));
    })
    .await;
}
