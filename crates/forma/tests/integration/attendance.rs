//! Attendance end to end, on each backend: trainees sign a half-day from their personal link
//! with the typed code or by scanning the QR code (the cookie left by the personal link says who
//! signs), the trainer sets a status and closes with a countersignature, the unsigned trainee is
//! marked absent and an alert goes out, a correction after the closing shows as such, the sheet
//! PDF carries it all, and `forma verify` names a row edited behind Forma's back.

use chrono::{NaiveTime, Utc};
use forma_domain::ProgramKind;
use forma_domain::account::Role;
use forma_domain::half_day::{DaySchedule, HalfDay, Slot};
use forma_domain::presence_code::{HalfDayKey, qr_token};
use forma_domain::registration::TraineeInput;
use forma_domain::session::{PlannedDay, SessionPlan};
use forma_store::testing::raw_execute;

use crate::helpers::{SEED_SLUG, TestApp, get_page, location, on_each_backend, post_form, unescaped};

const SIGNATURE: &str = r#"{"w":300,"h":100,"strokes":[[[10,50],[60,20],[120,70],[200,30]],[[40,80],[220,82]]]}"#;

fn time(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

struct Fixture {
    session: i64,
    day: i64,
    /// (registration id, personal token, name)
    trainees: Vec<(i64, String, String)>,
    trainer: reqwest::Client,
    staff: reqwest::Client,
}

/// A session running today (one half-day spanning the whole day, so that signing is open
/// whatever the hour), led by a trainer who has an account, with three registered trainees.
async fn fixture(app: &TestApp, tag: &str) -> Fixture {
    let trainer_user = app.account(&format!("formatrice-{tag}@emargement.test"), Role::Formateur, None).await;
    app.account(&format!("gestion-{tag}@emargement.test"), Role::Gestionnaire, None).await;
    raw_execute(&app.db, &format!("INSERT INTO trainers (id, name, email, user_id, created_at) VALUES (701, 'Claire EMARGE', 'claire-{tag}@emargement.test', {trainer_user}, '2026-01-01T00:00:00Z')")).await;
    let today = Utc::now().with_timezone(&chrono_tz::Europe::Paris).date_naive();
    let whole_day = DaySchedule { morning: Some(Slot { start: time(0, 1), end: time(23, 59) }), afternoon: None };
    let plan = SessionPlan {
        kind: ProgramKind::Inter,
        client_id: None,
        capacity: Some(10),
        modules: vec![],
        days: vec![PlannedDay { place: "Moulins".into(), trainer_ids: vec![701], schedule: whole_day, ..PlannedDay::on(today) }],
    };
    let store = app.store().await;
    let session = store.create_session(SEED_SLUG, &plan.validated().unwrap(), "test").await.unwrap();
    let day = store.session(session).await.unwrap().unwrap().days[0].id;
    let mut trainees = Vec::new();
    for (n, name) in ["Alice", "Bruno", "Chloé"].into_iter().enumerate() {
        let trainee = TraineeInput {
            first_name: name.into(),
            last_name: "Signataire".into(),
            email: format!("{}-{tag}@caf03.test", n),
            employer: "CAF de l'Allier".into(),
            job_role: "Technicien conseil".into(),
            bpf_type: "private_employee".into(),
        }
        .validated()
        .unwrap();
        let token = format!("{:032x}", 0xe3a0_u128 + n as u128 + if tag == "pg" { 16 } else { 0 });
        let id = crate::helpers::register_with_link(&store, session, &trainee, &token).await;
        trainees.push((id, token, format!("{name} Signataire")));
    }
    store.close().await;
    let trainer = app.signed_in(&format!("formatrice-{tag}@emargement.test")).await;
    let staff = app.signed_in(&format!("gestion-{tag}@emargement.test")).await;
    Fixture { session, day, trainees, trainer, staff }
}

fn phone() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).user_agent("Mozilla/5.0 (Android 14; Mobile) test").build().unwrap()
}

/// The 6-digit code on the trainer's screen.
fn code_on(screen: &str) -> String {
    // The digits follow the words a screen reader reads before them.
    let at = screen.find("class=\"code-digits\"").expect("a code on the screen");
    let label = "Code : </span>";
    let digits = at + screen[at..].find(label).expect("the code's spoken label") + label.len();
    screen[digits..].chars().take_while(char::is_ascii_digit).collect()
}

fn form(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

#[tokio::test]
async fn a_half_day_is_signed_closed_corrected_printed_and_verified() {
    on_each_backend(|app| async move {
        let tag = if app.db.starts_with("sqlite") { "sqlite" } else { "pg" };
        let f = fixture(&app, tag).await;
        let screen_path = format!("/formateur/emargement/{}/matin", f.day);

        // The trainer's list and screen: the code, nobody signed yet.
        assert!(get_page(&app, &f.trainer, "/formateur/emargement").await.contains(&format!("href=\"{screen_path}\"")));
        let screen = get_page(&app, &f.trainer, &screen_path).await;
        assert!(screen.contains("0 signature sur 3 stagiaires attendus") && screen.contains("<svg role=\"img\""), "{screen}");
        let code = code_on(&screen);
        assert_eq!(code.len(), 6, "{screen}");
        // Another trainer does not open a day they do not lead.
        app.account(&format!("autre-{tag}@emargement.test"), Role::Formateur, None).await;
        let other = app.signed_in(&format!("autre-{tag}@emargement.test")).await;
        assert_eq!(other.get(format!("{}{screen_path}", app.base)).send().await.unwrap().status(), 404);

        // Alice types the code on her personal page: a wrong code, no signature, then both.
        let (alice, alice_token, _) = f.trainees[0].clone();
        let alice_phone = phone();
        let personal = format!("/inscription/{alice_token}");
        let page = get_page(&app, &alice_phone, &personal).await;
        assert!(page.contains("Code de présence") && page.contains(&format!("action=\"{personal}/emarger\"")), "{page}");
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let sign = |code: &str, signature: &str, confirm: &str| form(&[("day", &f.day.to_string()), ("half", "matin"), ("code", code), ("signature", signature), ("confirm", confirm)]);
        let r = post_form(&app, &alice_phone, &format!("{personal}/emarger"), sign(wrong, SIGNATURE, "")).await;
        assert_eq!(r.status(), 422);
        let html = unescaped(r).await;
        assert!(html.contains("id=\"err-code\">Ce code n'est pas le bon") && html.contains(&format!("value=\"{wrong}\"")), "{html}");
        let r = post_form(&app, &alice_phone, &format!("{personal}/emarger"), sign(&code, "", "")).await;
        assert_eq!(r.status(), 422);
        assert!(unescaped(r).await.contains("id=\"err-signature\">Tracez votre signature"));
        let r = post_form(&app, &alice_phone, &format!("{personal}/emarger"), sign(&code, "{\"w\":3", "")).await;
        assert_eq!(r.status(), 422, "a broken drawing is refused, never a panic");
        let r = post_form(&app, &alice_phone, &format!("{personal}/emarger"), sign(&code, SIGNATURE, "")).await;
        assert_eq!(location(&r), format!("{personal}?ok=emargement"));
        assert!(get_page(&app, &alice_phone, &format!("{personal}?ok=emargement")).await.contains("Votre signature est enregistrée"));
        let again = post_form(&app, &alice_phone, &format!("{personal}/emarger"), sign(&code, SIGNATURE, "")).await;
        assert_eq!(again.status(), 409, "one signature per half-day");
        // Guessing codes: after ten wrong ones, even the right code waits.
        let (chloe_token, chloe_phone) = (f.trainees[2].1.clone(), phone());
        let chloe_page = format!("/inscription/{chloe_token}/emarger");
        for _ in 0..9 {
            assert_eq!(post_form(&app, &chloe_phone, &chloe_page, sign(wrong, "", "1")).await.status(), 422);
        }
        assert_eq!(post_form(&app, &chloe_phone, &chloe_page, sign(wrong, "", "1")).await.status(), 422);
        let r = post_form(&app, &chloe_phone, &chloe_page, sign(&code, "", "1")).await;
        assert_eq!(r.status(), 429);
        assert!(unescaped(r).await.contains("Trop de codes erronés"));

        // Bruno scans the QR code: his phone knows him once he opened his personal link.
        let (bruno, bruno_token, _) = f.trainees[1].clone();
        let secret = app.store().await.app_secret("presence_codes").await.unwrap();
        let key = HalfDayKey { half_day_id: f.day, half_day: HalfDay::Morning };
        let scanned = format!("/emargement/{}/matin/{}", f.day, qr_token(&secret, key, Utc::now()));
        let bruno_phone = phone();
        assert_eq!(bruno_phone.get(format!("{}{scanned}", app.base)).send().await.unwrap().status(), 403, "unknown phone");
        get_page(&app, &bruno_phone, &format!("/inscription/{bruno_token}")).await;
        let stale = format!("/emargement/{}/matin/{}", f.day, qr_token(&secret, key, Utc::now() - chrono::Duration::minutes(5)));
        let r = bruno_phone.get(format!("{}{stale}", app.base)).send().await.unwrap();
        assert_eq!(r.status(), 410);
        assert!(unescaped(r).await.contains("Ce QR code a expiré"));
        assert_eq!(bruno_phone.get(format!("{}/emargement/{}/matin/12-deadbeef", app.base, f.day)).send().await.unwrap().status(), 400);
        let page = get_page(&app, &bruno_phone, &scanned).await;
        assert!(page.contains("Vous signez pour <strong>Bruno Signataire</strong>"), "{page}");
        let r = post_form(&app, &bruno_phone, &scanned, form(&[("signature", ""), ("confirm", "1")])).await;
        assert_eq!(location(&r), format!("/inscription/{bruno_token}?ok=emargement"));

        // The trainer sees two signatures, marks Bruno late, closes; Chloé, unsigned, is absent.
        assert!(get_page(&app, &f.trainer, &format!("{screen_path}/direct")).await.contains("2 signatures sur 3"));
        let late = form(&[("registration", &bruno.to_string()), ("status", "late"), ("arrival", "00:30"), ("departure", ""), ("justification", "")]);
        let r = post_form(&app, &f.trainer, &format!("{screen_path}/statut"), late.replace("00%3A30", "")).await;
        assert_eq!(r.status(), 422);
        assert!(unescaped(r).await.contains("id=\"err-arrival\">Indiquez l'heure d'arrivée"));
        assert_eq!(location(&post_form(&app, &f.trainer, &format!("{screen_path}/statut"), late).await), format!("{screen_path}?ok=statut"));
        let r = post_form(&app, &f.trainer, &format!("{screen_path}/cloturer"), form(&[("signature", "")])).await;
        assert_eq!(r.status(), 422, "a closing is countersigned");
        let r = post_form(&app, &f.trainer, &format!("{screen_path}/cloturer"), form(&[("signature", SIGNATURE)])).await;
        assert_eq!(location(&r), format!("{screen_path}?ok=cloture"));
        let screen = get_page(&app, &f.trainer, &screen_path).await;
        assert!(screen.contains("Demi-journée close le") && screen.contains("Retard (arrivée 0 h 30)") && screen.contains("Absent"), "{screen}");
        let r = post_form(&app, &alice_phone, &format!("{personal}/emarger"), sign(&code, SIGNATURE, "")).await;
        assert_eq!(r.status(), 409, "closed");

        // The absence raised an alert, mailed to the organisation, followed up in the back-office.
        let (chloe, _, _) = f.trainees[2].clone();
        let store = app.store().await;
        let alerts = store.attendance_alerts(50).await.unwrap();
        let alert = alerts.iter().find(|a| a.registration_id == chloe).expect("an alert for the absent trainee");
        assert!(alerts.iter().all(|a| a.registration_id != alice && a.registration_id != bruno));
        let queued = store.outbox_entries(None, 50).await.unwrap();
        assert!(queued.iter().any(|m| m.subject == "Absence à une demi-journée de formation" && m.recipient == "contact@demo.forma.test"), "{queued:?}");
        let page = get_page(&app, &f.staff, "/gestion/suivi-assiduite").await;
        assert!(page.contains("Chloé Signataire — absent"), "{page}");
        let r = post_form(&app, &f.staff, &format!("/gestion/suivi-assiduite/{}", alert.id), form(&[("note", " ")])).await;
        assert_eq!(r.status(), 422);
        let r = post_form(&app, &f.staff, &format!("/gestion/suivi-assiduite/{}", alert.id), form(&[("note", "Appelée : panne de voiture."), ("resolve", "1")])).await;
        assert_eq!(location(&r), "/gestion/suivi-assiduite?ok=suivi");
        assert!(get_page(&app, &f.staff, "/gestion/suivi-assiduite").await.contains("Appelée : panne de voiture."));

        // After the closing a change is a correction, with its reason.
        let excused = form(&[("registration", &chloe.to_string()), ("status", "excused"), ("justification", "Panne de voiture"), ("reason", "")]);
        assert_eq!(post_form(&app, &f.trainer, &format!("{screen_path}/statut"), excused.clone()).await.status(), 422);
        let excused = excused.replace("reason=", "reason=Justificatif+re%C3%A7u");
        assert_eq!(location(&post_form(&app, &f.trainer, &format!("{screen_path}/statut"), excused).await), format!("{screen_path}?ok=correctif"));
        let grid = get_page(&app, &f.staff, &format!("/gestion/sessions/{}/emargement", f.session)).await;
        assert!(grid.contains("Absence justifiée : Panne de voiture") && grid.contains("corrigé le") && grid.contains("Justificatif reçu"), "{grid}");
        assert!(grid.contains("Présent (signé)") && grid.contains("close le"), "{grid}");

        // The sheet PDF carries the names, statuses, closing and chain head.
        let r = f.staff.get(format!("{}/gestion/sessions/{}/emargement.pdf", app.base, f.session)).send().await.unwrap();
        assert_eq!(r.headers()["content-type"], "application/pdf");
        let bytes = r.bytes().await.unwrap();
        let file = std::env::temp_dir().join(format!("forma-emargement-{tag}.pdf"));
        std::fs::write(&file, &bytes).unwrap();
        let text = std::process::Command::new("pdftotext").args(["-layout", file.to_str().unwrap(), "-"]).output().unwrap();
        let text = String::from_utf8_lossy(&text.stdout).split_whitespace().collect::<Vec<_>>().join(" ");
        let head = store.half_day_states(f.session).await.unwrap()[0].chain_head.clone().unwrap();
        for expected in ["Alice Signataire", "Bruno Signataire", "Chloé Signataire", "Claire EMARGE", &head[..4]] {
            assert!(text.contains(expected), "{expected} missing from the sheet:\n{text}");
        }
        let blank = f.staff.get(format!("{}/gestion/sessions/{}/emargement-vierge.pdf", app.base, f.session)).send().await.unwrap();
        assert_eq!(blank.status(), 200);

        // The chains verify; a row edited behind Forma's back is named, by the store and the CLI.
        assert_eq!(store.verify_attendance().await.unwrap(), Vec::<String>::new());
        let ok = std::process::Command::new(env!("CARGO_BIN_EXE_forma")).args(["--db", &app.db, "verify"]).output().unwrap();
        assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
        let row: i64 = {
            let records = store.session_attendance(f.session).await.unwrap();
            records.iter().find(|r| r.event.registration_id == Some(chloe) && r.event.kind == forma_domain::attendance_chain::EventKind::Mark).unwrap().id
        };
        raw_execute(&app.db, &format!("UPDATE attendance_events SET status = 'present' WHERE id = {row}")).await;
        let reports = store.verify_attendance().await.unwrap();
        assert_eq!(reports.len(), 1, "{reports:?}");
        assert!(reports[0].contains(&format!("ligne {row}")), "{reports:?}");
        let broken = std::process::Command::new(env!("CARGO_BIN_EXE_forma")).args(["--db", &app.db, "verify"]).output().unwrap();
        assert!(!broken.status.success());
        assert!(String::from_utf8_lossy(&broken.stdout).contains(&format!("ligne {row}")));
        store.close().await;
    })
    .await;
}

#[tokio::test]
async fn a_paper_sheet_is_entered_with_its_scan_and_closes_the_half_day() {
    on_each_backend(|app| async move {
        let tag = if app.db.starts_with("sqlite") { "sqlite" } else { "pg" };
        let f = fixture(&app, &format!("{tag}-paper")).await;
        let path = format!("/gestion/emargement/{}/matin/papier", f.day);
        let grid = get_page(&app, &f.staff, &format!("/gestion/sessions/{}/emargement", f.session)).await;
        assert!(grid.contains(&format!("href=\"{path}\"")), "{grid}");
        let page = get_page(&app, &f.staff, &path).await;
        assert!(page.contains("Feuille d'émargement papier") && page.contains("Chloé Signataire"), "{page}");
        let (a, b, c) = (f.trainees[0].0, f.trainees[1].0, f.trainees[2].0);
        let statuses = |form: reqwest::multipart::Form| {
            form.text(format!("{a}-status"), "present")
                .text(format!("{b}-status"), "late")
                .text(format!("{b}-arrival"), "01:15")
                .text(format!("{c}-status"), "excused")
                .text(format!("{c}-justification"), "Arrêt maladie")
        };
        let post = |form: reqwest::multipart::Form| f.staff.post(format!("{}{path}", app.base)).multipart(form).send();
        // No scan: refused, what was typed kept.
        let r = post(statuses(reqwest::multipart::Form::new())).await.unwrap();
        assert_eq!(r.status(), 422);
        let html = unescaped(r).await;
        assert!(html.contains("id=\"err-scan\">Joignez la feuille signée") && html.contains("value=\"Arrêt maladie\""), "{html}");
        // A file that is not a scan: refused.
        let text = reqwest::multipart::Part::bytes(b"pas une image".to_vec()).file_name("feuille.txt");
        let r = post(statuses(reqwest::multipart::Form::new().part("scan", text))).await.unwrap();
        assert_eq!(r.status(), 422);
        assert!(unescaped(r).await.contains("Formats acceptés : PDF, PNG ou JPEG."));
        // A late arrival without its time: refused by the field.
        let png = b"\x89PNG\r\n\x1a\nscan".to_vec();
        let form = reqwest::multipart::Form::new()
            .part("scan", reqwest::multipart::Part::bytes(png.clone()).file_name("feuille.png"))
            .text(format!("{a}-status"), "present")
            .text(format!("{b}-status"), "late")
            .text(format!("{c}-status"), "absent");
        let r = post(form).await.unwrap();
        assert_eq!(r.status(), 422);
        assert!(unescaped(r).await.contains(&format!("id=\"err-{b}-arrival\">Indiquez l'heure d'arrivée")));
        // The sheet: its scan, the statuses, the closing; nothing can be signed any more.
        let r = post(statuses(reqwest::multipart::Form::new().part("scan", reqwest::multipart::Part::bytes(png.clone()).file_name("feuille.png")))).await.unwrap();
        assert_eq!(location(&r), format!("/gestion/sessions/{}/emargement?ok=papier", f.session));
        let grid = get_page(&app, &f.staff, &format!("/gestion/sessions/{}/emargement", f.session)).await;
        assert!(grid.contains("Retard (arrivée 1 h 15)") && grid.contains("Absence justifiée : Arrêt maladie") && grid.contains("close le"), "{grid}");
        let scan = f.staff.get(format!("{}/gestion/emargement/{}/matin/feuille-numerisee", app.base, f.day)).send().await.unwrap();
        assert_eq!(scan.headers()["content-type"], "image/png");
        assert_eq!(scan.bytes().await.unwrap().to_vec(), png);
        let store = app.store().await;
        let records = store.session_attendance(f.session).await.unwrap();
        let kinds: Vec<&str> = records.iter().map(|r| r.event.kind.as_str()).collect();
        assert_eq!(kinds, ["upload", "upload", "upload", "close"]);
        assert!(records.iter().all(|r| r.event.method.as_deref() == Some("paper")));
        assert!(store.verify_attendance().await.unwrap().is_empty());
        assert_eq!(post(statuses(reqwest::multipart::Form::new().part("scan", reqwest::multipart::Part::bytes(png).file_name("feuille.png")))).await.unwrap().status(), 422, "closed");
        store.close().await;
    })
    .await;
}

#[tokio::test]
async fn simultaneous_signatures_keep_one_unbroken_chain() {
    on_each_backend(|app| async move {
        let tag = if app.db.starts_with("sqlite") { "sqlite" } else { "pg" };
        let f = fixture(&app, &format!("{tag}-burst")).await;
        let store = app.store().await;
        let session = store.session(f.session).await.unwrap().unwrap();
        let slot = forma_store::HalfDaySlot { session_id: f.session, day_id: f.day, day: session.days[0].day.date, half_day: HalfDay::Morning };
        let signs = f.trainees.iter().map(|(id, _, _)| {
            let (store, id) = (store.clone(), *id);
            let new = forma_store::NewAttendance { method: Some("code".into()), ..Default::default() };
            async move { store.sign_attendance(slot, id, &new, Utc::now()).await }
        });
        for result in futures_join_all(signs).await {
            result.unwrap();
        }
        let records = store.session_attendance(f.session).await.unwrap();
        assert_eq!(records.iter().map(|r| r.event.seq).collect::<Vec<_>>(), vec![1, 2, 3]);
        assert!(store.verify_attendance().await.unwrap().is_empty());
        store.close().await;
    })
    .await;
}

/// Runs the futures at once (tokio tasks), in order of their results.
async fn futures_join_all<F, T>(futures: impl Iterator<Item = F>) -> Vec<T>
where
    F: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}
