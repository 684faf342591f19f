use forma_web::{Access, ROUTES};

use crate::helpers::{SEED_SLUG, on_each_backend, spawn_app_with};

#[tokio::test]
async fn every_route_answers_anonymous_visitors() {
    on_each_backend(|app| async move {
        let public_pages = ROUTES.iter().filter(|(m, p, a)| *m == "GET" && *a == Access::Public && !p.contains("{token}") && !p.contains("{qr}") && !p.contains("logo"));
        // `{id}` in a public address is an upcoming INTER session's (its registration pages);
        // `{code}` is a certificate in force of the demo; addresses holding a credential (a
        // personal link, a scanned QR code) are walked by the authorization test.
        let store = app.store().await;
        let today = chrono::Utc::now().date_naive();
        let inter = store.upcoming_sessions(today, None, true, 1).await.unwrap()[0].id.to_string();
        let seed = store.agreements(None).await.unwrap().into_iter().find(|a| a.number.to_string() == "26/19").unwrap().session_id;
        let code = store.session_certificates(seed).await.unwrap().into_iter().find(|c| c.in_force()).unwrap().code;
        store.close().await;
        for (_, path, _) in public_pages {
            let path = path.replace("{slug}", SEED_SLUG).replace("{id}", &inter).replace("{code}", &code);
            let response = app.get(&path).await;
            assert_eq!(response.status(), 200, "{path}");
        }
    })
    .await;
}

#[tokio::test]
async fn security_headers_on_every_page() {
    on_each_backend(|app| async move {
        for path in ["/", "/formations", &format!("/formations/{SEED_SLUG}"), "/recherche?q=ctg", "/api/v1/programs", "/nulle-part"] {
            let response = app.get(path).await;
            let headers = response.headers();
            let csp = headers["content-security-policy"].to_str().unwrap();
            assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{path}: {csp}");
            assert_eq!(headers["x-content-type-options"], "nosniff");
            assert_eq!(headers["referrer-policy"], "strict-origin-when-cross-origin");
            assert_eq!(headers["x-frame-options"], "DENY");
        }
    })
    .await;
}

#[tokio::test]
async fn pages_are_compressed_for_browsers_that_ask() {
    on_each_backend(|app| async move {
        let url = format!("{}/formations/{SEED_SLUG}", app.base);
        let gz = app.client.get(&url).header("accept-encoding", "gzip").send().await.unwrap();
        assert_eq!(gz.headers()["content-encoding"], "gzip");
        let compressed = gz.bytes().await.unwrap().len();
        let plain = app.client.get(&url).send().await.unwrap();
        assert!(plain.headers().get("content-encoding").is_none());
        let full = plain.bytes().await.unwrap().len();
        assert!(compressed * 2 < full, "{compressed} vs {full}");
    })
    .await;
}

#[tokio::test]
async fn cross_site_posts_are_refused_and_bodies_are_bounded() {
    on_each_backend(|app| async move {
        let cross = app
            .client
            .post(format!("{}/recherche", app.base))
            .header("origin", "https://malveillant.example")
            .header("sec-fetch-site", "cross-site")
            .body("q=x")
            .send()
            .await
            .unwrap();
        assert_eq!(cross.status(), 403, "cross-site POST refused");
        let same = app.client.post(format!("{}/recherche", app.base)).header("sec-fetch-site", "same-origin").body("q=x").send().await.unwrap();
        assert_eq!(same.status(), 405, "same-site POST reaches the router (/recherche has no POST route)");
        let huge = app
            .client
            .post(format!("{}/api/v1/programs", app.base))
            .header("sec-fetch-site", "same-origin")
            .body(vec![b'x'; 2 * 1024 * 1024])
            .send()
            .await
            .unwrap();
        assert_eq!(huge.status(), 413);
    })
    .await;
}

#[tokio::test]
async fn markup_in_a_sheet_is_shown_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let urls = forma_store::testing::test_database_urls(dir.path()).await;
    for url in &urls {
        let app = spawn_app_with(url, |store| async move {
            let page = forma::demo::SEED_PAGE
                .replace("## 2019- Formation", "## <script>alert(1)</script> Formation")
                .replace("Chantiers locaux", "Chantiers <img src=x onerror=alert(2)>")
                .replace("- Positionner la CAF 03", "- <b onclick=alert(3)>Positionner</b> [lien](javascript:alert(4)) la CAF 03");
            let program = forma_domain::parse_catalogue_page(&page).unwrap();
            store.import_programs(&[program], "test").await.unwrap();
        })
        .await;
        let list = app.html("/formations?per_page=100").await;
        let slug = "script-alert-1-script-formation-action-accompagnement-du-pole-service-aux-partenaires-et";
        assert!(list.contains("&#60;script&#62;alert(1)&#60;/script&#62; Formation"), "{url}: the title is shown as text");
        for path in [format!("/formations/{slug}"), "/formations".into(), "/recherche?q=alert".into(), "/".into()] {
            let html = app.html(&path).await;
            assert!(!html.contains("<script"), "{path}");
            assert!(!html.contains("<img src=x"), "{path}");
            assert!(!html.contains("<b onclick"), "{path}");
            assert!(!html.contains("javascript:"), "{path}");
        }
        assert!(app.html(&format!("/formations/{slug}")).await.contains("&lt;b onclick=alert(3)&gt;"));
    }
    forma_store::testing::cleanup(&urls).await;
}
