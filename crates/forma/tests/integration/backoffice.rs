//! The back-office over HTTP: editing a sheet (validation with the input kept, draft, refused
//! then accepted publication, new MAJ on the public page), versions, comparison, restore, the
//! journal, categories and the organisation settings.

use forma_domain::account::Role;
use forma_web::testing::submit_form;

use crate::helpers::{SEED_SLUG, TestApp, on_each_backend, post_form, with};

async fn editor(app: &TestApp, client: &reqwest::Client) -> String {
    let r = client.get(format!("{}/gestion/programmes/{SEED_SLUG}", app.base)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    r.text().await.unwrap()
}


#[tokio::test]
async fn edit_fail_fix_publish_and_find_it_in_the_journal() {
    on_each_backend(|app| async move {
        app.account("gestion@test.forma.test", Role::Gestionnaire, None).await;
        let client = app.signed_in("gestion@test.forma.test").await;
        let marker = format!("action=\"/gestion/programmes/{SEED_SLUG}\" class=\"editor\"");
        let page = editor(&app, &client).await;
        assert!(page.contains("manque Prérequis, Tarifs"), "the badge names the missing items");
        let original = submit_form(&page, &marker);
        let editor_path = format!("/gestion/programmes/{SEED_SLUG}");

        // An unreadable price: 422, the message next to the field, every typed value kept.
        let bad = with(&original, &[("title", "Acculturation CTG (2026)"), ("price_trainee", "douze euros")]);
        let refused = post_form(&app, &client, &editor_path, bad).await;
        assert_eq!(refused.status(), 422);
        let html = refused.text().await.unwrap();
        assert!(html.contains("id=\"err-price_trainee\""), "message next to the field");
        assert!(html.contains("value=\"douze euros\""), "the typed price is kept");
        assert!(html.contains("value=\"Acculturation CTG (2026)\""), "the typed title is kept");
        let public = app.html(&format!("/formations/{SEED_SLUG}")).await;
        assert!(!public.contains("Acculturation CTG (2026)"), "nothing was saved");

        // Fixed: saved as a draft; the public page is unchanged.
        let fixed = with(&original, &[("title", "Acculturation CTG (2026)"), ("price_trainee", "450"), ("price_trainee_vat", "exempt")]);
        let saved = post_form(&app, &client, &editor_path, fixed).await;
        assert_eq!(saved.status(), 303);
        assert!(!app.html(&format!("/formations/{SEED_SLUG}")).await.contains("Acculturation CTG (2026)"));
        let preview = client.get(format!("{}{editor_path}/apercu", app.base)).send().await.unwrap().text().await.unwrap();
        assert!(preview.contains("Acculturation CTG (2026)") && preview.contains("pas encore publiée"));

        // Prerequisites still missing: publication refused, and it says which.
        let refused = post_form(&app, &client, &format!("{editor_path}/publier"), String::new()).await;
        assert_eq!(refused.status(), 422);
        let html = refused.text().await.unwrap();
        assert!(html.contains("Publication refusée") && html.contains("Prérequis"), "names the missing item");
        assert!(!html.contains("<li>Tarifs</li>"), "prices were given");

        let page = editor(&app, &client).await;
        let body = with(&submit_form(&page, &marker), &[("prerequisites_state", "none")]);
        assert_eq!(post_form(&app, &client, &editor_path, body).await.status(), 303);
        let published = post_form(&app, &client, &format!("{editor_path}/publier"), String::new()).await;
        assert_eq!(published.status(), 303);
        let public = app.html(&format!("/formations/{SEED_SLUG}")).await;
        let today = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Paris).date_naive();
        assert!(public.contains("Acculturation CTG (2026)"));
        assert!(public.contains(&format!("datetime=\"{today}\"")), "MAJ is today");
        assert!(public.contains("Aucun prérequis"));

        // Versions: the import (1) and this publication (2), compared field by field.
        let versions = client.get(format!("{}{editor_path}/versions", app.base)).send().await.unwrap().text().await.unwrap();
        assert!(versions.contains("Restaurer la version 1") && versions.contains("Restaurer la version 2"));
        let diff = client.get(format!("{}{editor_path}/comparer?de=1&a=2", app.base)).send().await.unwrap().text().await.unwrap();
        assert!(diff.contains("Titre") && diff.contains("Acculturation CTG (2026)") && diff.contains("Tarifs") && diff.contains("MAJ"));
        let restored = post_form(&app, &client, &format!("{editor_path}/versions/1/restaurer"), String::new()).await;
        assert_eq!(restored.status(), 303);
        let page = editor(&app, &client).await;
        assert!(page.contains("brouillon en cours"));
        let link = format!("{editor_path}/comparer?de=2&amp;a=brouillon");
        assert!(page.contains(&link), "the editor links the draft to its comparison");
        let draft_diff = client.get(format!("{}{editor_path}/comparer?de=2&a=brouillon", app.base)).send().await.unwrap().text().await.unwrap();
        assert!(draft_diff.contains("Acculturation CTG (2026)"), "the restored draft differs from version 2 by its title");
        assert!(!app.html(&format!("/formations/{SEED_SLUG}")).await.contains("2019- Formation /Action"), "restore only fills the draft");

        // The journal shows who did what, with the values before and after.
        let journal = client
            .get(format!("{}/gestion/journal?objet=program&identifiant={SEED_SLUG}&auteur=gestion%40test", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        for action in ["save_draft", "publish"] {
            assert!(journal.contains(&format!("<code>{action}</code></td>")), "{action} in the journal");
        }
        assert!(journal.contains("gestion@test.forma.test"));
        assert!(journal.contains("Publication <code>publish</code>"), "actions have French names");
        assert!(journal.contains("Acculturation CTG (2026)"), "after values are shown");
    })
    .await;
}

#[tokio::test]
async fn new_sheet_categories_and_organisation_settings() {
    on_each_backend(|app| async move {
        app.account("admin@test.forma.test", Role::Admin, None).await;
        let client = app.signed_in("admin@test.forma.test").await;
        let empty = post_form(&app, &client, "/gestion/programmes/nouvelle", "title=&slug=&kind=INTER".into()).await;
        assert_eq!(empty.status(), 422);
        assert!(empty.text().await.unwrap().contains("Le titre est obligatoire."));
        let created = post_form(&app, &client, "/gestion/programmes/nouvelle", "title=Gestion+des+conflits&slug=&kind=INTER".into()).await;
        assert_eq!(created.status(), 303);
        assert_eq!(created.headers()["location"], "/gestion/programmes/gestion-des-conflits?ok=cree");
        assert_eq!(app.get("/formations/gestion-des-conflits").await.status(), 404, "not public before publication");
        let twice = post_form(&app, &client, "/gestion/programmes/nouvelle", "title=Gestion+des+conflits&slug=&kind=INTER".into()).await;
        assert_eq!(twice.status(), 422);
        let list = client.get(format!("{}/gestion/programmes?statut=non-publiee", app.base)).send().await.unwrap().text().await.unwrap();
        assert!(list.contains("Gestion des conflits") && list.contains("1 fiche sur"));

        let r = post_form(&app, &client, "/gestion/categories", "name=Management".into()).await;
        assert_eq!(r.status(), 303);
        let dup = post_form(&app, &client, "/gestion/categories", "name=Management".into()).await;
        assert_eq!(dup.status(), 422);
        assert!(dup.text().await.unwrap().contains("Cette catégorie existe déjà."));
        let renamed = post_form(&app, &client, "/gestion/categories/chantiers-locaux", "name=Chantiers+locaux+CAF".into()).await;
        assert_eq!(renamed.status(), 303);
        let sheet = app.html(&format!("/formations/{SEED_SLUG}")).await;
        assert!(sheet.contains("Chantiers locaux CAF"), "the public sheet shows the new name");
        let in_use = post_form(&app, &client, "/gestion/categories/chantiers-locaux/supprimer", String::new()).await;
        assert_eq!(in_use.status(), 422);

        let bad = post_form(&app, &client, "/gestion/organisme", "name=EGOC&siret=123&nda=84030000003&email=contact%40egoc.test&cold_evaluation_days=7".into()).await;
        assert_eq!(bad.status(), 422);
        let html = bad.text().await.unwrap();
        assert!(html.contains("Le SIRET comporte 14 chiffres.") && html.contains("value=\"123\""));
        assert!(html.contains("id=\"err-cold_evaluation_days\">Indiquez un nombre de jours entre 14 et 365") && html.contains("value=\"7\""), "{html}");
        let good = post_form(
            &app,
            &client,
            "/gestion/organisme",
            "name=EGOC+Formation&siret=732+829+320+00074&nda=84+03+00000+03&phone=0470000000&email=contact%40egoc.test&disability_name=Nadia+Robert&disability_email=handicap%40egoc.test&cold_evaluation_days=+90".into(),
        )
        .await;
        assert_eq!(good.status(), 303);
        let store = app.store().await;
        assert_eq!(store.organisation().await.unwrap().map(|o| o.cold_days()), Some(90));
        store.close().await;
        let home = app.html("/").await;
        assert!(home.contains("EGOC Formation") && home.contains("84030000003") && home.contains("04 70 00 00 00"));
        assert!(app.html("/accessibilite").await.contains("Nadia Robert"), "the référent handicap is public");
        let logo = reqwest::multipart::Form::new().part("logo", reqwest::multipart::Part::bytes(b"GIF89a".to_vec()).file_name("logo.gif"));
        let refused = client.post(format!("{}/gestion/organisme/logo", app.base)).multipart(logo).send().await.unwrap();
        assert_eq!(refused.status(), 422);
        let png = b"\x89PNG\r\n\x1a\n0000".to_vec();
        let logo = reqwest::multipart::Form::new().part("logo", reqwest::multipart::Part::bytes(png.clone()).file_name("logo.png"));
        assert_eq!(client.post(format!("{}/gestion/organisme/logo", app.base)).multipart(logo).send().await.unwrap().status(), 303);
        let served = app.get("/organisme/logo").await;
        assert_eq!(served.headers()["content-type"], "image/png");
        assert_eq!(served.bytes().await.unwrap().to_vec(), png);
        assert!(app.html("/").await.contains("src=\"/organisme/logo\""));
    })
    .await;
}

#[tokio::test]
async fn without_smtp_the_new_account_link_is_shown_once_to_the_administrator() {
    on_each_backend(|app| async move {
        app.account("admin-comptes@test.forma.test", Role::Admin, None).await;
        let client = app.signed_in("admin-comptes@test.forma.test").await;
        let bad = post_form(&app, &client, "/gestion/utilisateurs", "email=pas-une-adresse&name=&role=client&client=".into()).await;
        assert_eq!(bad.status(), 422);
        let html = bad.text().await.unwrap();
        for message in ["Adresse e-mail invalide", "Le nom est obligatoire.", "rattaché à un client"] {
            assert!(html.contains(message), "{message}");
        }
        assert!(html.contains("value=\"pas-une-adresse\""), "the typed address is kept");

        let created = post_form(&app, &client, "/gestion/utilisateurs", "email=agent.demo%40caf03.test&name=Agent+Demo&role=stagiaire&client=".into()).await;
        assert_eq!(created.status(), 200, "no SMTP server: the page shows the link instead of redirecting");
        assert_eq!(created.headers()["cache-control"], "no-store");
        let html = created.text().await.unwrap();
        let start = html.find(&format!("value=\"{}/acces/", app.base)).expect("the trainee link is shown") + "value=\"".len();
        let link = &html[start..start + html[start..].find('"').unwrap()];
        let jar = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let opened = jar.get(link).send().await.unwrap();
        assert_eq!(opened.headers()["location"], "/mon-espace");
        let list = client.get(format!("{}/gestion/utilisateurs", app.base)).send().await.unwrap().text().await.unwrap();
        assert!(list.contains("agent.demo@caf03.test"));
        assert!(!list.contains(link), "the link is not in the list");
        let store = app.store().await;
        assert_eq!(store.outbox_counts().await.unwrap().pending, 1, "the message still waits in the outbox");
    })
    .await;
}

#[tokio::test]
async fn tokens_accounts_and_dead_messages_are_managed_in_the_back_office() {
    on_each_backend(|app| async move {
        app.account("admin-outils@test.forma.test", Role::Admin, None).await;
        let client = app.signed_in("admin-outils@test.forma.test").await;

        // A token created in the back-office is shown once, works on the API, and stops when revoked.
        let refused = post_form(&app, &client, "/gestion/jetons", "name=".into()).await;
        assert_eq!(refused.status(), 422);
        assert!(refused.text().await.unwrap().contains("Choisissez au moins une portée."));
        let created = post_form(&app, &client, "/gestion/jetons", "name=outil-test&scope=programs%3Apublish".into()).await;
        assert_eq!(created.status(), 200);
        let html = created.text().await.unwrap();
        let start = html.find("value=\"forma_").expect("the secret is shown") + "value=\"".len();
        let secret = html[start..start + html[start..].find('"').unwrap()].to_owned();
        let publish = format!("{}/api/v1/programs/{SEED_SLUG}/publication", app.base);
        let answer = app.client.post(&publish).bearer_auth(&secret).send().await.unwrap();
        assert_eq!(answer.status(), 422, "authenticated: the seed's missing items are reported");
        let again = client.get(format!("{}/gestion/jetons", app.base)).send().await.unwrap().text().await.unwrap();
        assert!(!again.contains(&secret), "the secret is never shown again");
        let store = app.store().await;
        let id = store.api_tokens().await.unwrap().into_iter().find(|t| t.name == "outil-test").unwrap().id;
        assert_eq!(post_form(&app, &client, &format!("/gestion/jetons/{id}/revoquer"), String::new()).await.status(), 303);
        assert_eq!(app.client.post(&publish).bearer_auth(&secret).send().await.unwrap().status(), 401);

        // Deactivating an account closes its sessions at once.
        let other = app.account("formateur-parti@test.forma.test", Role::Formateur, None).await;
        let trainer = app.signed_in("formateur-parti@test.forma.test").await;
        assert_eq!(trainer.get(format!("{}/espace-formateur", app.base)).send().await.unwrap().status(), 200);
        let off = post_form(&app, &client, &format!("/gestion/utilisateurs/{other}/activation"), "active=0".into()).await;
        assert_eq!(off.status(), 303);
        assert_eq!(trainer.get(format!("{}/espace-formateur", app.base)).send().await.unwrap().status(), 303, "back to the login page");
        let login = app
            .client
            .post(format!("{}/connexion", app.base))
            .form(&[("email", "formateur-parti@test.forma.test"), ("password", crate::helpers::TEST_PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(login.status(), 401, "a deactivated account cannot sign in");

        // A message given up by the worker can be sent again from « Courriels ».
        let mail = forma_store::OutgoingMail { recipient: "x@test.forma.test".into(), subject: "Essai".into(), text: "t".into(), html: "<p>t</p>".into() };
        let mail_id = store.enqueue_mail(&mail).await.unwrap();
        store.claim_due_mail(10, std::time::Duration::from_secs(60)).await.unwrap();
        store.mark_mail_failed(mail_id, "550 refusé", None).await.unwrap();
        let page = client.get(format!("{}/gestion/courriels?statut=dead", app.base)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("550 refusé") && page.contains(&format!("/gestion/courriels/{mail_id}/renvoyer")));
        assert_eq!(post_form(&app, &client, &format!("/gestion/courriels/{mail_id}/renvoyer"), String::new()).await.status(), 303);
        assert_eq!(store.outbox_counts().await.unwrap().dead, 0);
        assert_eq!(post_form(&app, &client, &format!("/gestion/courriels/{mail_id}/renvoyer"), String::new()).await.status(), 404, "only a dead message is sent again");
        let events = store.audit_events(Some("mail"), 10).await.unwrap();
        assert!(events.iter().any(|e| e.action == "requeue" && e.actor == "admin-outils@test.forma.test"));
    })
    .await;
}
