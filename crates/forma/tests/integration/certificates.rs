//! Certificates from attendance: nothing to issue while a half-day is open; after the closing,
//! each trainee who attended gets three documents, told by e-mail through a real SMTP server;
//! the public verification page says valid, revoked or replaced, and « non authentique » after
//! a row is edited in the database; the signature checks with openssl against the published key.

use chrono::{NaiveTime, Utc};
use forma_domain::account::Role;
use forma_domain::half_day::{DaySchedule, HalfDay, Slot};
use forma_store::testing::raw_execute;
use forma_store::{HalfDaySlot, NewAttendance};

use crate::helpers::{TestApp, get_page, location, post_form, unescaped};

fn time(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

fn form(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

/// A one-day session today (9:00–12:30, 13:30–17:00) with three trainees; gives the session,
/// its day and the (registration, token) pairs.
async fn session_with_trainees(app: &TestApp, tag: &str) -> (i64, i64, Vec<(i64, String)>) {
    let schedule =
        DaySchedule { morning: Some(Slot { start: time(9, 0), end: time(12, 30) }), afternoon: Some(Slot { start: time(13, 30), end: time(17, 0) }) };
    let trainees: Vec<(&str, String)> = [("Alice", "alice"), ("Bruno", "bruno"), ("Chloé", "chloe")].iter().map(|(f, m)| (*f, format!("{m}-{tag}"))).collect();
    crate::helpers::session_today(app, schedule, "Certifiée", &trainees, 0xce70 + if tag == "pg" { 16 } else { 0 }).await
}

/// The codes of the certificates listed on the back-office page, in table order.
fn codes_on(page: &str) -> Vec<String> {
    page.match_indices("/gestion/certificats/").map(|(at, m)| page[at + m.len()..].chars().take_while(char::is_ascii_alphanumeric).collect()).collect()
}

#[tokio::test]
async fn certificates_are_issued_from_attendance_verified_revoked_and_replaced() {
    let smtp = forma_mail::testing::SmtpServer::start();
    let dir = tempfile::tempdir().unwrap();
    let urls = forma_store::testing::test_database_urls(dir.path()).await;
    for url in &urls {
        let app = crate::helpers::spawn_app_with_mail(url, Some(smtp.url())).await;
        let tag = if url.starts_with("sqlite") { "sqlite" } else { "pg" };
        app.account(&format!("certif-{tag}@test.forma.test"), Role::Gestionnaire, None).await;
        let staff = app.signed_in(&format!("certif-{tag}@test.forma.test")).await;
        let visitor = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let (session, day, trainees) = session_with_trainees(&app, tag).await;
        let path = format!("/gestion/sessions/{session}/certificats");

        // Nothing can be certified while the half-days are open.
        let page = get_page(&app, &staff, &path).await;
        assert!(page.contains("2 demi-journées pas encore closes") && page.contains("Aucun document n'est prêt à délivrer"), "{page}");
        assert_eq!(location(&post_form(&app, &staff, &path, String::new()).await), format!("{path}?ok=certificats-aucun"));

        // Alice attends all day, Bruno the morning only, Chloé never comes.
        let store = app.store().await;
        let today = store.session(session).await.unwrap().unwrap().days[0].day.date;
        for half in [HalfDay::Morning, HalfDay::Afternoon] {
            let slot = HalfDaySlot { session_id: session, day_id: day, day: today, half_day: half };
            store.sign_attendance(slot, trainees[0].0, &NewAttendance::default(), Utc::now()).await.unwrap();
            if half == HalfDay::Morning {
                store.sign_attendance(slot, trainees[1].0, &NewAttendance::default(), Utc::now()).await.unwrap();
            }
        }
        for half in ["matin", "apres-midi"] {
            let r = post_form(&app, &staff, &format!("/formateur/emargement/{day}/{half}/cloturer"), form(&[("confirm", "1")])).await;
            assert_eq!(r.status(), 303, "closing the {half}: {}", r.text().await.unwrap());
        }

        let page = get_page(&app, &staff, &path).await;
        assert!(page.contains("7 h sur 7 h") && page.contains("3 h 30 sur 7 h") && page.contains("Aucune heure suivie"), "{page}");
        assert!(page.contains("Délivrer les 6 documents prêts"), "{page}");
        assert_eq!(location(&post_form(&app, &staff, &path, String::new()).await), format!("{path}?ok=certificats"));
        let page = get_page(&app, &staff, &path).await;
        let codes = codes_on(&page);
        assert_eq!(codes.len(), 6, "{page}");
        // Issuing again finds nothing more to issue.
        assert_eq!(location(&post_form(&app, &staff, &path, String::new()).await), format!("{path}?ok=certificats-aucun"));

        // Bruno is told by e-mail, with the address of each document; Chloé gets nothing.
        let to = format!("bruno-{tag}@caf03.test");
        let mail = crate::helpers::wait_mail(&smtp, &to, "Vos documents de fin de formation", "").await;
        let links: Vec<&str> = mail.plain.split_whitespace().filter(|w| w.starts_with(&format!("{}/verifier/", app.base))).collect();
        assert_eq!(links.len(), 3, "{}", mail.plain);
        assert!(!smtp.received().iter().any(|m| m.to == format!("chloe-{tag}@caf03.test")), "Chloé attended nothing: no document");

        // The document behind the link is the certificat de réalisation with Bruno's hours.
        let completion_link =
            mail.plain.lines().find(|l| l.starts_with("Certificat de réalisation : ")).unwrap().trim_start_matches("Certificat de réalisation : ").trim();
        let pdf = visitor.get(completion_link).send().await.unwrap();
        assert_eq!(pdf.status(), 200);
        assert_eq!(pdf.headers()["content-type"], "application/pdf");
        let file = dir.path().join(format!("certificat-{tag}.pdf"));
        std::fs::write(&file, pdf.bytes().await.unwrap()).unwrap();
        let _ = std::fs::copy(&file, std::env::temp_dir().join(format!("forma-certificat-{tag}.pdf")));
        let text = std::process::Command::new("pdftotext").args(["-layout", file.to_str().unwrap(), "-"]).output().unwrap();
        let text = String::from_utf8_lossy(&text.stdout).split_whitespace().collect::<Vec<_>>().join(" ");
        let code = completion_link.trim_end_matches("/document.pdf").rsplit('/').next().unwrap().to_owned();
        let grouped = format!("{}-{}-{}-{}", &code[..4], &code[4..8], &code[8..12], &code[12..]);
        for expected in ["Bruno", "CERTIFIÉE", "3 h 30", &grouped, "salarié(e) de l’entreprise CAF de l’Allier", "☒ action de formation"] {
            assert!(text.contains(expected), "{expected} missing from the certificate:\n{text}");
        }

        // Its QR code, read from the page as a phone would, leads to its verification page.
        let page = dir.path().join(format!("page-{tag}"));
        assert!(std::process::Command::new("pdftoppm").args(["-png", "-r", "150", "-f", "1", "-l", "1"]).arg(&file).arg(&page).status().unwrap().success());
        let scanned = std::process::Command::new("zbarimg")
            .args(["-q", "--raw"])
            .arg(dir.path().join(format!("page-{tag}-1.png")))
            .output()
            .expect("zbarimg (zbar-tools)");
        assert_eq!(String::from_utf8_lossy(&scanned.stdout).trim(), format!("{}/verifier/{code}", app.base));

        // Anyone checks it without an account.
        let check = unescaped(visitor.get(format!("{}/verifier/{code}", app.base)).send().await.unwrap()).await;
        assert!(
            check.contains("Certificat de réalisation valide") && check.contains("Bruno Certifiée") && check.contains("3 h 30 suivies sur 7 h prévues"),
            "{check}"
        );
        // Typed by hand (lower case, dashes), the code leads to the same page.
        let typed = visitor.get(format!("{}/verifier?code={}", app.base, grouped.to_lowercase())).send().await.unwrap();
        assert_eq!(location(&typed), format!("/verifier/{code}"));
        let bad = visitor.get(format!("{}/verifier?code=ABC-123", app.base)).send().await.unwrap();
        assert_eq!(bad.status(), 422);
        let bad = unescaped(bad).await;
        assert!(bad.contains("id=\"err-code\">Ce code n'a pas la forme") && bad.contains("value=\"ABC-123\""), "{bad}");
        let unknown = visitor.get(format!("{}/verifier/0000000000000000", app.base)).send().await.unwrap();
        assert_eq!(unknown.status(), 404);
        assert!(unescaped(unknown).await.contains("Aucun document ne porte ce code"));

        // The signature checks with openssl against the published key.
        let pem = visitor.get(format!("{}/verifier/cle-publique.pem", app.base)).send().await.unwrap().text().await.unwrap();
        let row = store.certificate_by_code(&code).await.unwrap().unwrap();
        std::fs::write(dir.path().join("key.pem"), &pem).unwrap();
        std::fs::write(dir.path().join("content"), row.content.as_bytes()).unwrap();
        let signature: Vec<u8> = (0..row.signature.len()).step_by(2).map(|i| u8::from_str_radix(&row.signature[i..i + 2], 16).unwrap()).collect();
        std::fs::write(dir.path().join("signature"), &signature).unwrap();
        let openssl = |content: &str| {
            std::process::Command::new("openssl")
                .current_dir(dir.path())
                .args(["pkeyutl", "-verify", "-pubin", "-inkey", "key.pem", "-rawin", "-in", content, "-sigfile", "signature"])
                .output()
                .unwrap()
        };
        let verified = openssl("content");
        assert!(verified.status.success(), "{}{}", String::from_utf8_lossy(&verified.stdout), String::from_utf8_lossy(&verified.stderr));
        std::fs::write(dir.path().join("edited"), row.content.replace("Bruno", "Brunette")).unwrap();
        assert!(!openssl("edited").status.success());

        // The trainee's personal page lists the three documents.
        let personal = get_page(&app, &visitor, &format!("/inscription/{}", trainees[1].1)).await;
        assert!(personal.contains("Vos documents de fin de formation") && personal.contains(&format!("/verifier/{code}/document.pdf")), "{personal}");

        // Revoking needs a reason, and keeps what was chosen.
        let change = format!("{path}/modifier");
        let r = post_form(&app, &staff, &change, form(&[("code", &code), ("reason", " "), ("action", "revoquer")])).await;
        assert_eq!(r.status(), 422);
        let refused = unescaped(r).await;
        assert!(refused.contains("id=\"err-reason\">Indiquez la raison") && refused.contains(&format!("value=\"{code}\" selected")), "{refused}");
        let r = post_form(&app, &staff, &change, form(&[("code", &code), ("reason", "Délivré par erreur."), ("action", "revoquer")])).await;
        assert_eq!(location(&r), format!("{path}?ok=certificat-revoque"));
        let check = unescaped(visitor.get(format!("{}/verifier/{code}", app.base)).send().await.unwrap()).await;
        assert!(check.contains("Certificat de réalisation révoqué") && check.contains("Délivré par erreur."), "{check}");
        assert_eq!(visitor.get(completion_link).send().await.unwrap().status(), 410);
        // Once revoked, it cannot be revoked again.
        let r = post_form(&app, &staff, &change, form(&[("code", &code), ("reason", "Encore."), ("action", "revoquer")])).await;
        assert_eq!(r.status(), 422);

        // Replacing: the old code points to the new one, which says what it replaces.
        let page = get_page(&app, &staff, &path).await;
        let alice = codes_on(&page)[0].clone();
        let r = post_form(&app, &staff, &change, form(&[("code", &alice), ("reason", "Nom d'usage corrigé."), ("action", "remplacer")])).await;
        assert_eq!(location(&r), format!("{path}?ok=certificat-remplace"));
        let old = unescaped(visitor.get(format!("{}/verifier/{alice}", app.base)).send().await.unwrap()).await;
        assert!(old.contains("remplacé") && old.contains("Nom d'usage corrigé.") && old.contains("Le document en vigueur porte le code"), "{old}");
        let successor = store.certificate_by_code(&alice).await.unwrap().unwrap().replaced_by_code.unwrap();
        let new = unescaped(visitor.get(format!("{}/verifier/{successor}", app.base)).send().await.unwrap()).await;
        assert!(new.contains("valide") && new.contains(&format!("/verifier/{alice}")), "{new}");
        let page = get_page(&app, &staff, &path).await;
        assert!(page.contains("Historique") && page.contains("révoqué le") && page.contains("remplacé le"), "{page}");

        // A row edited in the database no longer verifies.
        raw_execute(url, &format!("UPDATE certificates SET content = REPLACE(content, 'Alice', 'Alicia') WHERE code = '{successor}'")).await;
        let forged = unescaped(visitor.get(format!("{}/verifier/{successor}", app.base)).send().await.unwrap()).await;
        assert!(forged.contains("Document non authentique") && !forged.contains("Alicia"), "{forged}");

        // The documents in force, as one ZIP: Alice's replaced one counts once, Bruno's revoked one not.
        let zip = staff.get(format!("{}{path}.zip", app.base)).send().await.unwrap();
        assert_eq!(zip.status(), 200);
        assert_eq!(zip.headers()["content-type"], "application/zip");
        let bytes = zip.bytes().await.unwrap().to_vec();
        let mut archive = ::zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(archive.len(), 5, "Alice's three (one replaced), Bruno's two in force");
        for i in 0..archive.len() {
            let mut file = archive.by_index(i).unwrap();
            let name = file.name().unwrap().into_owned();
            assert!(name.ends_with(".pdf") && name.contains("certifiee"), "{name}");
            let mut pdf = Vec::new();
            std::io::Read::read_to_end(&mut file, &mut pdf).unwrap();
            assert!(pdf.starts_with(b"%PDF-"));
        }

        // The journal keeps who issued, revoked and replaced what.
        let journal = store.audit_events(Some("certificate"), 50).await.unwrap();
        assert!(journal.iter().any(|e| e.action == "revoke" && e.entity_id == code));
        assert!(journal.iter().any(|e| e.action == "replace"));
        assert!(journal.iter().filter(|e| e.action == "issue" && e.actor == format!("certif-{tag}@test.forma.test")).count() >= 6);
        store.close().await;
    }
}

#[tokio::test]
async fn the_demo_shows_valid_revoked_and_replaced_certificates() {
    crate::helpers::on_each_backend(|app| async move {
        let store = app.store().await;
        let seed = store.agreements(None).await.unwrap().into_iter().find(|a| a.number.to_string() == "26/19").unwrap().session_id;
        let certificates = store.session_certificates(seed).await.unwrap();
        assert_eq!(certificates.len(), 8 * 3 + 1, "three documents per agent, plus one replacement");
        assert_eq!(certificates.iter().filter(|c| c.revoked_at.is_some()).count(), 1);
        assert_eq!(certificates.iter().filter(|c| c.replaced_at.is_some()).count(), 1);
        for c in certificates.iter().take(3) {
            let page = unescaped(app.get(&format!("/verifier/{}", c.code)).await).await;
            assert!(page.contains("Délivré par") && !page.contains("non authentique"), "{page}");
        }
        store.close().await;
    })
    .await;
}

/// A certificate's text, as staff download it.
async fn pdf_text(app: &TestApp, staff: &reqwest::Client, code: &str) -> String {
    let r = staff.get(format!("{}/gestion/certificats/{code}/pdf", app.base)).send().await.unwrap();
    assert_eq!(r.status(), 200, "{code}");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("document.pdf");
    std::fs::write(&file, r.bytes().await.unwrap()).unwrap();
    let text = std::process::Command::new("pdftotext").args(["-layout", file.to_str().unwrap(), "-"]).output().unwrap();
    String::from_utf8_lossy(&text.stdout).split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test]
async fn the_trainer_assesses_what_was_learnt_and_the_attestation_prints_it() {
    crate::helpers::on_each_backend(|app| async move {
        let tag = if app.db.starts_with("sqlite") { "sqlite" } else { "pg" };
        let store = app.store().await;
        let seed = store.agreements(None).await.unwrap().into_iter().find(|a| a.number.to_string() == "26/19").unwrap().session_id;
        let agents: Vec<_> = store
            .session_registrations(seed)
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.status == forma_domain::registration::RegistrationStatus::Confirmed)
            .collect();
        let (first, last) = (agents[0].clone(), agents[agents.len() - 1].clone());
        let session = store.session(seed).await.unwrap().unwrap();
        let objectives = store.program_version(&session.program_slug, session.program_version.unwrap()).await.unwrap().unwrap().objectives;
        let attestation_of = |certificates: &[forma_store::CertificateRow], registration: i64| {
            certificates
                .iter()
                .find(|c| c.registration_id == registration && c.kind.0 == forma_domain::certificate::CertificateKind::Attestation && c.in_force())
                .map(|c| c.code.clone())
                .unwrap()
        };
        let certificates = store.session_certificates(seed).await.unwrap();
        store.close().await;
        let email = format!("acquis-{tag}@test.forma.test");
        app.account(&email, Role::Gestionnaire, None).await;
        let staff = app.signed_in(&email).await;

        // The demo's attestations print Thierry's assessment; the agent he left unassessed has none.
        let text = pdf_text(&app, &staff, &attestation_of(&certificates, first.id)).await;
        assert!(text.contains("évaluation des acquis") && text.contains("Acquis : objectifs 1 à") && text.contains("diagnostic partagé de son territoire avec aisance"), "{text}");
        let text = pdf_text(&app, &staff, &attestation_of(&certificates, last.id)).await;
        assert!(!text.contains("évaluation des acquis"), "{text}");

        // Thierry's space lists his recent sessions to assess (not the 2019 one: past 60 days);
        // his form shows what he set.
        let trainer = crate::helpers::as_demo(&app, "thierry.cheine@demo.forma.test").await;
        let space = get_page(&app, &trainer, "/espace-formateur").await;
        let listed: Vec<&str> = space.match_indices("/formateur/sessions/").map(|(at, _)| &space[at..]).filter_map(|rest| rest.split('"').next()).filter(|h| h.ends_with("/acquis")).collect();
        assert!(space.contains("Évaluation des acquis") && !listed.is_empty() && !listed.contains(&format!("/formateur/sessions/{seed}/acquis").as_str()), "{space}");
        assert!(space.contains("0 stagiaire évalué sur"), "{space}");
        let path = format!("/formateur/sessions/{seed}/acquis");
        let page = get_page(&app, &trainer, &path).await;
        let (f1, l1) = (format!("r{}-o1", first.id), format!("r{}-o1", last.id));
        assert!(page.contains("← Espace formateur") && page.contains(&format!("{} {}", first.first_name, first.last_name)), "{page}");
        assert!(page.contains(&format!("id=\"{f1}\" name=\"{f1}\"")) && page.contains("<option value=\"acquired\" selected>acquis</option>"), "{page}");
        assert!(page.contains("En cours de formation"), "the program's planned evaluation is recalled: {page}");

        // A forged level is refused next to its field, with what was typed kept.
        let mut fields: Vec<(String, String)> = (1..=objectives.len()).map(|i| (format!("r{}-o{i}", first.id), "acquired".to_owned())).collect();
        fields.push((format!("r{}-remark", first.id), "Très  investie.".to_owned()));
        let mut forged = fields.clone();
        forged.push((l1.clone(), "excellent".to_owned()));
        let encode = |pairs: &[(String, String)]| form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
        let r = post_form(&app, &trainer, &path, encode(&forged)).await;
        assert_eq!(r.status(), 422);
        let page = unescaped(r).await;
        assert!(page.contains(&format!("id=\"err-{l1}\">Choisissez un niveau de la liste.")) && page.contains("Très  investie."), "{page}");

        // Saved: the first agent's remark changes, the last one is assessed; the others, not
        // posted, are left unassessed.
        fields.push((l1.clone(), "not_acquired".to_owned()));
        let r = post_form(&app, &trainer, &path, encode(&fields)).await;
        assert_eq!(location(&r), format!("{path}?ok=acquis-{}", agents.len()));
        let page = get_page(&app, &trainer, &location(&r)).await;
        assert!(page.contains("Évaluation des acquis enregistrée (") && page.contains("<option value=\"not_acquired\" selected>non acquis</option>"), "{page}");
        assert!(page.contains("l'organisme les remplacera"), "a trainer does not replace certificates: {page}");
        let store = app.store().await;
        let journal = store.audit_events(Some("registration"), 200).await.unwrap();
        assert!(journal.iter().any(|e| e.action == "assessment" && e.entity_id == last.id.to_string() && e.actor == "thierry.cheine@demo.forma.test"));

        // The session's results count the levels per objective.
        let results = get_page(&app, &staff, &format!("/gestion/sessions/{seed}/evaluations")).await;
        let first_objective = format!("<tr><th scope=\"row\">{}</th><td>1</td><td>0</td><td>1</td></tr>", objectives[0].replace('\'', "&#39;").replace('"', "&#34;"));
        assert!(results.contains("2 stagiaires évalués sur") && unescaped_html(&results).contains(&unescaped_html(&first_objective)), "{results}");

        let xlsx = staff.get(format!("{}/gestion/sessions/{seed}/evaluations.xlsx", app.base)).send().await.unwrap().bytes().await.unwrap().to_vec();
        let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).unwrap();
        use calamine::Reader;
        let rows: Vec<Vec<String>> = book.worksheet_range("Acquis").unwrap().rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
        assert_eq!(rows[0][1], objectives[0]);
        let row = rows.iter().find(|r| r[0] == format!("{} {}", last.first_name, last.last_name)).expect("the last agent's row");
        assert_eq!((row[1].as_str(), row[2].as_str()), ("non acquis", ""), "{rows:?}");
        let row = rows.iter().find(|r| r[0] == format!("{} {}", first.first_name, first.last_name)).expect("the first agent's row");
        assert_eq!((row[1].as_str(), row.last().unwrap().as_str()), ("acquis", "Très investie."), "{rows:?}");

        // The back-office sees the attestations to replace, replaces the last agent's, and
        // the new one prints the result.
        let certificates_page = get_page(&app, &staff, &format!("/gestion/sessions/{seed}/certificats")).await;
        assert!(certificates_page.contains("Évaluation des acquis : 2 stagiaires évalués sur") && certificates_page.contains("telle qu'elle est maintenant"), "{certificates_page}");
        let old = attestation_of(&store.session_certificates(seed).await.unwrap(), last.id);
        let change = format!("/gestion/sessions/{seed}/certificats/modifier");
        let r = post_form(&app, &staff, &change, form(&[("code", &old), ("reason", "Évaluation des acquis portée."), ("action", "remplacer")])).await;
        assert!(location(&r).starts_with(&format!("/gestion/sessions/{seed}/certificats?ok=")), "{}", location(&r));
        let new = attestation_of(&store.session_certificates(seed).await.unwrap(), last.id);
        assert_ne!(new, old);
        let text = pdf_text(&app, &staff, &new).await;
        assert!(text.contains("évaluation des acquis") && text.contains("Non acquis : objectif 1."), "{text}");
        assert!(unescaped(app.get(&format!("/verifier/{new}")).await).await.contains("Délivré par"));

        // Another trainer cannot reach the form.
        let other = format!("autre-formateur-acquis-{tag}@test.forma.test");
        app.account(&other, Role::Formateur, None).await;
        let r = app.signed_in(&other).await.get(format!("{}{path}", app.base)).send().await.unwrap();
        assert_eq!(r.status(), 404);
        store.close().await;
    })
    .await;
}

/// Apostrophes and quotes as the page's escaping may write them, put back.
fn unescaped_html(text: &str) -> String {
    text.replace("&#39;", "'").replace("&#34;", "\"").replace("&quot;", "\"").replace("&amp;", "&")
}
