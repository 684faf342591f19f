//! Every route of the route table, walked with every persona: what the table allows works,
//! what it does not allow is refused (login page, 403, or 404 for another client's space).

use forma_domain::account::Role;
use forma_web::{Access, ROUTES};
use reqwest::Method;

use crate::helpers::{Persona, SEED_SLUG, on_each_backend};

fn allowed(persona: &Persona, access: Access, client_a: i64) -> bool {
    match access {
        Access::Public => true,
        Access::Roles(roles) => persona.role.is_some_and(|r| roles.contains(&r)),
        Access::ClientSpace => persona.role.is_some_and(Role::is_staff) || persona.client_id == Some(client_a),
        // Cookies never stand for an API token.
        Access::Token(_) => false,
    }
}

#[tokio::test]
async fn every_route_with_every_persona() {
    on_each_backend(|app| async move {
        let personas = app.personas().await;
        let client_a = personas.iter().find(|p| p.label == "client A").and_then(|p| p.client_id).unwrap();
        // A separate account for the routes that act on an account, so personas stay usable.
        let target = app.account("cible@test.forma.test", Role::Formateur, None).await;
        let plain = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let mut checked = 0;
        for persona in &personas {
            for (method, template, access) in ROUTES {
                let path = template
                    .replace("{slug}", SEED_SLUG)
                    .replace("{token}", &"0".repeat(32))
                    .replace("{client}", &client_a.to_string())
                    .replace("{id}", &target.to_string())
                    .replace("{number}", "1")
                    .replace("{day}", "1")
                    .replace("{half}", "matin")
                    .replace("{qr}", "0-00")
                    .replace("{code}", "0000000000000000")
                    .replace("{kind}", "fin-de-formation");
                let method = Method::from_bytes(method.as_bytes()).unwrap();
                let mut request = plain.request(method.clone(), format!("{}{path}", app.base));
                if let Some(id) = persona.user_id {
                    // A fresh session per request: logout and deactivation cannot leak between routes.
                    request = request.header("cookie", app.session_cookie(id).await);
                }
                if method != Method::GET {
                    request = request.header("content-type", "application/x-www-form-urlencoded").body("");
                }
                let response = request.send().await.unwrap();
                let status = response.status().as_u16();
                let location = response.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or("").to_owned();
                let to_login = (300..400).contains(&status) && location.starts_with("/connexion?suite=");
                let what = format!("{} {method} {path} ({access:?}) → {status} {location}", persona.label);
                if *access == Access::Public {
                    // Public forms answer their own errors (a login with no password is a 401).
                    assert!(status != 403 && !to_login && status < 500, "should be allowed: {what}");
                } else if allowed(persona, *access, client_a) {
                    assert!(![401, 403].contains(&status) && !to_login && status < 500, "should be allowed: {what}");
                } else if matches!(access, Access::Token(_)) {
                    assert_eq!(status, 401, "{what}");
                } else if persona.role.is_none() {
                    assert!(to_login, "anonymous should be sent to the login page: {what}");
                } else if *access == Access::ClientSpace && persona.role == Some(Role::Client) {
                    assert_eq!(status, 404, "another client's space is not revealed: {what}");
                } else {
                    assert_eq!(status, 403, "{what}");
                }
                checked += 1;
            }
        }
        assert_eq!(checked, ROUTES.len() * personas.len());
    })
    .await;
}

#[tokio::test]
async fn cross_site_posts_are_refused_even_when_signed_in() {
    on_each_backend(|app| async move {
        let id = app.account("admin-csrf@test.forma.test", Role::Admin, None).await;
        let cookie = app.session_cookie(id).await;
        let plain = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        for path in ["/gestion/categories", &format!("/gestion/programmes/{SEED_SLUG}/depublier"), "/connexion"] {
            let response = plain
                .post(format!("{}{path}", app.base))
                .header("cookie", &cookie)
                .header("origin", "https://attaquant.example")
                .header("sec-fetch-site", "cross-site")
                .header("content-type", "application/x-www-form-urlencoded")
                .body("name=Pirate")
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 403, "{path}");
        }
        // Nothing changed: the sheet is still public, no category « Pirate ».
        assert_eq!(app.get(&format!("/formations/{SEED_SLUG}")).await.status(), 200);
        let store = app.store().await;
        assert!(store.all_categories().await.unwrap().iter().all(|c| c.name != "Pirate"));
    })
    .await;
}

#[tokio::test]
async fn malformed_ids_in_addresses_are_french_404s() {
    on_each_backend(|app| async move {
        let id = app.account("admin-ids@test.forma.test", Role::Admin, None).await;
        let cookie = app.session_cookie(id).await;
        let plain = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        for path in ["/gestion/utilisateurs/abc", "/gestion/utilisateurs/99999", "/espace-client/x"] {
            let r = plain.get(format!("{}{path}", app.base)).header("cookie", &cookie).send().await.unwrap();
            assert_eq!(r.status(), 404, "{path}");
            assert!(r.text().await.unwrap().contains("Page introuvable"), "{path}");
        }
        let r = plain
            .post(format!("{}/gestion/programmes/{SEED_SLUG}/versions/un/restaurer", app.base))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
    })
    .await;
}
