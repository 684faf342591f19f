//! Accounts: login and logout, throttled failures, personal links (password and trainee).

use forma_domain::account::{Email, Role};
use forma_store::NewUser;

use crate::helpers::{TEST_PASSWORD, on_each_backend};

#[tokio::test]
async fn login_logout_and_wrong_password() {
    on_each_backend(|app| async move {
        app.account("gestion@test.forma.test", Role::Gestionnaire, None).await;
        let response = app
            .client
            .post(format!("{}/connexion", app.base))
            .form(&[("email", "Gestion@Test.forma.test"), ("password", "mauvais mot de passe"), ("suite", "")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
        let html = response.text().await.unwrap();
        assert!(html.contains("Adresse e-mail ou mot de passe incorrect."), "{html}");
        assert!(html.contains("value=\"Gestion@Test.forma.test\""), "the typed address is kept");

        let client = app.signed_in("gestion@test.forma.test").await;
        let dashboard = client.get(format!("{}/gestion", app.base)).send().await.unwrap();
        assert_eq!(dashboard.status(), 200);
        assert_eq!(dashboard.headers()["cache-control"], "no-store", "personal pages are never cached");
        assert!(dashboard.text().await.unwrap().contains("Tableau de bord"));
        let cookie_check = app
            .client
            .post(format!("{}/connexion", app.base))
            .form(&[("email", "gestion@test.forma.test"), ("password", TEST_PASSWORD), ("suite", "/gestion/journal")])
            .send()
            .await
            .unwrap();
        assert_eq!(cookie_check.headers()["location"], "/gestion/journal", "back to the page asked for");
        let set_cookie = cookie_check.headers()["set-cookie"].to_str().unwrap();
        assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"), "{set_cookie}");
        assert!(!set_cookie.contains("Secure"), "plain HTTP in tests: no Secure flag");

        let store = app.store().await;
        let logins = store.audit_events(Some("user"), 20).await.unwrap();
        assert!(logins.iter().any(|e| e.action == "login" && e.actor == "gestion@test.forma.test"), "the journal names who logged in");
        let logout = client.post(format!("{}/deconnexion", app.base)).send().await.unwrap();
        assert_eq!(logout.status(), 303);
        let after = client.get(format!("{}/gestion", app.base)).send().await.unwrap();
        assert_eq!(after.status(), 303, "the session is closed on the server");
        // An open redirect is not followed.
        let evil = app
            .client
            .post(format!("{}/connexion", app.base))
            .form(&[("email", "gestion@test.forma.test"), ("password", TEST_PASSWORD), ("suite", "//attaquant.example/")])
            .send()
            .await
            .unwrap();
        assert_eq!(evil.headers()["location"], "/gestion");
    })
    .await;
}

#[tokio::test]
async fn repeated_failures_slow_further_attempts_and_are_logged() {
    on_each_backend(|app| async move {
        app.account("cible@test.forma.test", Role::Admin, None).await;
        for _ in 0..5 {
            let r = app
                .client
                .post(format!("{}/connexion", app.base))
                .form(&[("email", "cible@test.forma.test"), ("password", "essai au hasard")])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 401);
        }
        // Even the right password must wait now.
        let r = app
            .client
            .post(format!("{}/connexion", app.base))
            .form(&[("email", "cible@test.forma.test"), ("password", TEST_PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 429);
        assert!(r.headers().contains_key("retry-after"));
        assert!(r.text().await.unwrap().contains("Trop de tentatives"));
        let store = app.store().await;
        let events = store.audit_events(Some("login"), 10).await.unwrap();
        assert!(events.iter().any(|e| e.action == "throttled" && e.entity_id == "cible@test.forma.test"), "{events:?}");
    })
    .await;
}

#[tokio::test]
async fn password_link_is_single_use_and_checked() {
    on_each_backend(|app| async move {
        let store = app.store().await;
        let user = NewUser { email: Email::parse("nouveau@test.forma.test").unwrap(), name: "Nouvel Arrivant".into(), role: Role::Formateur, client_id: None };
        let invitation = forma_web::auth::invitation::invite(&store, &app.base, "EGOC", &user, false, "test").await.unwrap();
        let path = invitation.link.strip_prefix(&app.base).unwrap().to_owned();
        assert!(path.starts_with("/mot-de-passe/"));
        let page = app.get(&path).await;
        assert_eq!(page.status(), 200);
        assert_eq!(page.headers()["referrer-policy"], "no-referrer");
        assert!(page.text().await.unwrap().contains("Bienvenue, Nouvel Arrivant"));
        let short = app.client.post(format!("{}{path}", app.base)).form(&[("password", "court"), ("confirmation", "court")]).send().await.unwrap();
        assert_eq!(short.status(), 422);
        assert!(short.text().await.unwrap().contains("au moins 12 caractères"));
        let good = app
            .client
            .post(format!("{}{path}", app.base))
            .form(&[("password", TEST_PASSWORD), ("confirmation", TEST_PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(good.status(), 303);
        assert_eq!(app.get(&path).await.status(), 404, "a used link is dead");
        let client = app.signed_in("nouveau@test.forma.test").await;
        let space = client.get(format!("{}/espace-formateur", app.base)).send().await.unwrap();
        assert_eq!(space.status(), 200);
        assert_eq!(app.get(&format!("/mot-de-passe/{}", "f".repeat(32))).await.status(), 404, "an unknown link");
    })
    .await;
}

#[tokio::test]
async fn trainee_link_opens_the_space_until_revoked() {
    on_each_backend(|app| async move {
        let store = app.store().await;
        let user = NewUser { email: Email::parse("agent@test.forma.test").unwrap(), name: "Alex Agent".into(), role: Role::Stagiaire, client_id: None };
        let invitation = forma_web::auth::invitation::invite(&store, &app.base, "EGOC", &user, false, "test").await.unwrap();
        let path = invitation.link.strip_prefix(&app.base).unwrap().to_owned();
        assert!(path.starts_with("/acces/") && path.len() == "/acces/".len() + 32);
        let jar = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let open = jar.get(format!("{}{path}", app.base)).send().await.unwrap();
        assert_eq!(open.status(), 303);
        assert_eq!(open.headers()["location"], "/mon-espace");
        let space = jar.get(format!("{}/mon-espace", app.base)).send().await.unwrap();
        assert_eq!(space.status(), 200);
        assert!(space.text().await.unwrap().contains("Bonjour Alex Agent"));
        // Reusable until revoked, as it comes from the convocation message.
        assert_eq!(app.get(&path).await.status(), 303);
        assert!(invitation.valid_until > chrono::Utc::now() + chrono::Duration::days(90));
        store.revoke_links(invitation.user_id, "test").await.unwrap();
        assert_eq!(app.get(&path).await.status(), 404);
        // A trainee link never sets a password.
        assert_eq!(app.get(&path.replace("/acces/", "/mot-de-passe/")).await.status(), 404);
    })
    .await;
}

#[tokio::test]
async fn forgotten_password_arrives_by_mail_through_a_real_smtp_server() {
    let smtp = forma_mail::testing::SmtpServer::start();
    let dir = tempfile::tempdir().unwrap();
    let urls = forma_store::testing::test_database_urls(dir.path()).await;
    for url in &urls {
        let app = crate::helpers::spawn_app_with_mail(url, Some(smtp.url())).await;
        let email = format!("oubli-{}@test.forma.test", if url.starts_with("sqlite") { "sqlite" } else { "pg" });
        app.account(&email, Role::Gestionnaire, None).await;
        for address in [email.as_str(), "personne@test.forma.test"] {
            let r = app.client.post(format!("{}/mot-de-passe/oubli", app.base)).form(&[("email", address)]).send().await.unwrap();
            assert_eq!(r.status(), 303, "the same answer whether the account exists or not");
            assert_eq!(r.headers()["location"], "/connexion?ok=oubli");
        }
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        let message = loop {
            if let Some(m) = smtp.received().into_iter().find(|m| m.to == email) {
                break m;
            }
            assert!(std::time::Instant::now() < deadline, "no reset message delivered within 20 s");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        };
        // (The demo's own messages go out meanwhile: only these two addresses are counted.)
        let received = smtp.received();
        assert_eq!(received.iter().filter(|m| m.to == email).count(), 1);
        assert!(received.iter().all(|m| m.to != "personne@test.forma.test"), "nothing is sent for an unknown address");
        assert!(message.subject.contains("Réinitialisation de votre mot de passe"), "{message:?}");
        let link = message.plain.split_whitespace().find(|w| w.starts_with(&format!("{}/mot-de-passe/", app.base))).expect("the link in the text part").to_owned();
        assert!(message.html.contains(&link));
        let new_password = "un nouveau mot de passe solide";
        let r = app.client.post(&link).form(&[("password", new_password), ("confirmation", new_password)]).send().await.unwrap();
        assert_eq!(r.status(), 303);
        let login = app.client.post(format!("{}/connexion", app.base)).form(&[("email", email.as_str()), ("password", new_password)]).send().await.unwrap();
        assert_eq!(login.status(), 303);
        assert_eq!(login.headers()["location"], "/gestion");
        let store = app.store().await;
        let sent = store.outbox_entries(Some(forma_store::MailStatus::Sent), 500).await.unwrap();
        assert_eq!(sent.iter().filter(|m| m.recipient == email).count(), 1);
    }
    forma_store::testing::cleanup(&urls).await;
}
