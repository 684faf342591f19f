//! Accommodation requests (handicap) end to end, through a real SMTP server: asked from the
//! personal page, the référent handicap is told (without the need), the back-office moves the
//! request forward only, the trainer and the venue's reception desk get the communicated note (never the need), and nobody but
//! the staff reads the request; registration lists and exports carry no health detail.

use chrono::NaiveDate;
use forma_domain::ProgramKind;
use forma_domain::account::Role;
use forma_domain::registration::TraineeInput;
use forma_domain::session::{PlannedDay, SessionPlan};
use forma_store::testing::raw_execute;

use crate::helpers::{SEED_SLUG, get_page, location, post_form, unescaped, wait_mail};

const NEED: &str = "Je suis atteinte de sclérose en plaques : fatigue importante l'après-midi, canne.";
const NOTE: &str = "Salle de plain-pied, une pause de 10 minutes par heure, place près de la porte.";

#[tokio::test]
async fn accommodation_request_from_personal_page_to_trainer_without_health_details() {
    let smtp = forma_mail::testing::SmtpServer::start();
    let dir = tempfile::tempdir().unwrap();
    let urls = forma_store::testing::test_database_urls(dir.path()).await;
    for url in &urls {
        let app = crate::helpers::spawn_app_with_mail(url, Some(smtp.url())).await;
        let tag = if url.starts_with("sqlite") { "sqlite" } else { "pg" };
        let trainer_email = format!("formatrice-{tag}@amenagement.test");
        raw_execute(
            url,
            &format!("INSERT INTO trainers (id, name, email, created_at) VALUES (601, 'Claire Formatrice', '{trainer_email}', '2026-01-01T00:00:00Z')"),
        )
        .await;
        let desk_email = format!("accueil-{tag}@amenagement.test");
        raw_execute(
            url,
            &format!("INSERT INTO venues (id, name, address, city, accessibility, email, created_at) VALUES (601, 'Maison des Aménagements', '1 rue', 'Moulins', '', '{desk_email}', '2026-01-01T00:00:00Z')"),
        )
        .await;
        let store = app.store().await;
        let plan = SessionPlan {
            kind: ProgramKind::Inter,
            client_id: None,
            capacity: Some(10),
            modules: vec![],
            days: vec![PlannedDay {
                venue_id: Some(601),
                place: "Moulins".into(),
                trainer_ids: vec![601],
                ..PlannedDay::on(NaiveDate::from_ymd_opt(2031, 6, 3).unwrap())
            }],
        };
        let session = store.create_session(SEED_SLUG, &plan.validated().unwrap(), "test").await.unwrap();
        let trainee = TraineeInput {
            first_name: "Jeanne".into(),
            last_name: "Amenagee".into(),
            email: format!("jeanne-{tag}@caf03.test"),
            employer: "CAF".into(),
            job_role: "Conseillère".into(),
            bpf_type: "private_employee".into(),
        }
        .validated()
        .unwrap();
        let token = format!("{:032x}", 0xacc0_u128 + u128::from(tag == "pg"));
        let registration = crate::helpers::register_with_link(&store, session, &trainee, &token).await;
        let personal = format!("/inscription/{token}");
        let visitor = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();

        // The personal page offers the optional form; an empty or too long need comes back 422.
        let page = get_page(&app, &visitor, &personal).await;
        assert!(page.contains("Besoin d'un aménagement ?") && page.contains(&format!("action=\"{personal}/amenagement\"")), "{page}");
        let r = post_form(&app, &visitor, &format!("{personal}/amenagement"), "besoin=++".into()).await;
        assert_eq!(r.status(), 422);
        assert!(unescaped(r).await.contains("id=\"err-besoin\" role=\"alert\">Décrivez votre besoin"));
        let long = "a".repeat(2001);
        let r = post_form(&app, &visitor, &format!("{personal}/amenagement"), format!("besoin={long}")).await;
        assert_eq!(r.status(), 422);
        let html = unescaped(r).await;
        assert!(html.contains("dépasse 2000 caractères") && html.contains(&long), "the need as typed is kept");

        let body = form_urlencoded::Serializer::new(String::new()).append_pair("besoin", NEED).finish();
        let r = post_form(&app, &visitor, &format!("{personal}/amenagement"), body.clone()).await;
        assert_eq!(location(&r), format!("{personal}?ok=amenagement"));
        let page = get_page(&app, &visitor, &format!("{personal}?ok=amenagement")).await;
        assert!(page.contains("Votre demande d'aménagement est transmise au référent handicap") && page.contains("Votre demande d'aménagement est reçue"));
        assert!(!page.contains("Besoin d'un aménagement ?"), "asked once");
        let again = post_form(&app, &visitor, &format!("{personal}/amenagement"), body).await;
        assert_eq!(again.status(), 409, "a second request is refused with a message");

        // The référent handicap (demo: handicap@demo.forma.test) is told, without the need.
        let back_office = format!("{}/gestion/amenagements", app.base);
        let mail = wait_mail(&smtp, "handicap@demo.forma.test", "Nouvelle demande d'aménagement", &back_office).await;
        assert!(mail.plain.contains(&back_office) && mail.html.contains(&back_office), "{}", mail.plain);
        for part in [&mail.plain, &mail.html, &mail.subject] {
            for secret in ["sclérose", "fatigue", "canne", "Jeanne", "Amenagee"] {
                assert!(!part.contains(secret), "« {secret} » in the référent's mail:\n{part}");
            }
        }

        // Back-office: the list, the detail with the need, the registrations page with a marker only.
        app.account(&format!("referente-{tag}@test.forma.test"), Role::Gestionnaire, None).await;
        let staff = app.signed_in(&format!("referente-{tag}@test.forma.test")).await;
        let list = get_page(&app, &staff, "/gestion/amenagements").await;
        let id: i64 = store.accommodation_requests().await.unwrap().iter().find(|r| r.registration_id == registration).unwrap().id;
        assert!(list.contains(&format!("href=\"/gestion/amenagements/{id}\"")) && list.contains("AMENAGEE Jeanne") && list.contains("reçue"));
        assert!(!list.contains("sclérose"), "the list does not show the need");
        let detail_path = format!("/gestion/amenagements/{id}");
        assert!(get_page(&app, &staff, &detail_path).await.contains("sclérose en plaques"));
        let registrations = get_page(&app, &staff, &format!("/gestion/sessions/{session}/inscriptions")).await;
        assert!(registrations.contains(&format!("href=\"/gestion/amenagements/{id}\"")) && registrations.contains("aménagement demandé"));
        assert!(!registrations.contains("sclérose"));
        let csv = staff.get(format!("{}/gestion/sessions/{session}/inscriptions.csv", app.base)).send().await.unwrap();
        assert_eq!(csv.status(), 200);
        let csv = String::from_utf8_lossy(&csv.bytes().await.unwrap()).into_owned();
        assert!(csv.contains("Amenagee") && !csv.contains("sclérose") && !csv.contains("fatigue") && !csv.contains("aménagement"), "{csv}");

        // Statuses in order: skipping and going back are refused; texts are required.
        let step = |fields: &[(&str, &str)]| form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
        let status_path = format!("{detail_path}/statut");
        let r = post_form(&app, &staff, &status_path, step(&[("status", "decided"), ("decision", "x")])).await;
        assert_eq!(r.status(), 409, "a step cannot be skipped");
        let r = post_form(&app, &staff, &status_path, step(&[("status", "analysed")])).await;
        assert_eq!(location(&r), format!("{detail_path}?ok=analysed"));
        let r = post_form(&app, &staff, &status_path, step(&[("status", "received")])).await;
        assert_eq!(r.status(), 409, "no going back");
        assert!(unescaped(r).await.contains("ne revient pas en arrière"));
        let r = post_form(&app, &staff, &status_path, step(&[("status", "decided"), ("decision", "  ")])).await;
        assert_eq!(r.status(), 422);
        assert!(unescaped(r).await.contains("id=\"err-decision\">Indiquez l'aménagement décidé"));
        let r = post_form(&app, &staff, &status_path, step(&[("status", "decided"), ("decision", "Tiers temps, salle accessible, pauses régulières.")])).await;
        assert_eq!(location(&r), format!("{detail_path}?ok=decided"));
        let page = get_page(&app, &staff, &detail_path).await;
        assert!(
            page.contains(&format!("Envoyée par courriel à : Claire Formatrice ({trainer_email}), l'accueil de Maison des Aménagements ({desk_email})")),
            "{page}"
        );
        let r = post_form(&app, &staff, &status_path, step(&[("status", "communicated"), ("note", "")])).await;
        assert_eq!(r.status(), 422);
        let r = post_form(&app, &staff, &status_path, step(&[("status", "communicated"), ("note", NOTE)])).await;
        assert_eq!(location(&r), format!("{detail_path}?ok=communicated"));
        let r = post_form(&app, &staff, &status_path, step(&[("status", "analysed")])).await;
        assert_eq!(r.status(), 409, "closed: no going back");
        let page = get_page(&app, &staff, &detail_path).await;
        assert!(page.contains("Demande close") && page.contains("communiquée au formateur et au lieu"));

        // The trainer and the venue's reception desk get the note, never the need.
        for to in [&trainer_email, &desk_email] {
            let mail = wait_mail(&smtp, to, "Aménagement à prévoir", "").await;
            assert!(mail.plain.contains(NOTE) && mail.plain.contains("Jeanne Amenagee"), "{}", mail.plain);
            for part in [&mail.plain, &mail.html] {
                for secret in ["sclérose", "fatigue", "canne"] {
                    assert!(!part.contains(secret), "« {secret} » in the mail to {to}:\n{part}");
                }
            }
        }
        let page = get_page(&app, &visitor, &personal).await;
        assert!(page.contains("transmis au formateur et au lieu"));

        // The journal has every step, and never the need nor the note.
        let journal = store.audit_events(Some("accommodation"), 20).await.unwrap();
        let actions: Vec<&str> = journal.iter().rev().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["accommodation_request", "accommodation_status", "accommodation_status", "accommodation_status"]);
        let dump = serde_json::to_string(&journal).unwrap();
        assert!(!dump.contains("sclérose") && !dump.contains("plain-pied") && dump.contains("need_length") && dump.contains(&trainer_email), "{dump}");

        // Only the staff: trainers, clients, trainees are refused, anonymous sent to sign in.
        let client_id = store.create_client(&format!("CAF Aménagements {tag}"), "test").await.unwrap();
        for (n, (role, client)) in [(Role::Formateur, None), (Role::Client, Some(client_id)), (Role::Stagiaire, None)].into_iter().enumerate() {
            let email = format!("persona{n}-{tag}@test.forma.test");
            // Trainees sign in by link: a session cookie stands for any of them.
            let user = app.account(&email, role, client).await;
            let cookie = app.session_cookie(user).await;
            for path in ["/gestion/amenagements".to_owned(), detail_path.clone()] {
                let r = visitor.get(format!("{}{path}", app.base)).header("cookie", &cookie).send().await.unwrap();
                assert!([403, 404].contains(&r.status().as_u16()), "{role:?} {path}: {}", r.status());
                assert!(!unescaped(r).await.contains("sclérose"));
            }
            let r = visitor
                .post(format!("{}{status_path}", app.base))
                .header("cookie", &cookie)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(step(&[("status", "analysed")]))
                .send()
                .await
                .unwrap();
            assert!([403, 404].contains(&r.status().as_u16()), "{role:?} POST: {}", r.status());
        }
        let r = visitor.get(format!("{}{detail_path}", app.base)).send().await.unwrap();
        assert!(location(&r).starts_with("/connexion"));
        store.close().await;
    }
    forma_store::testing::cleanup(&urls).await;
}
