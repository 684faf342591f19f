//! Training requests over HTTP, as a gestionnaire: the promised date comes from the sheet's access
//! delay (the seed page: 15 days INTRA, 1 month INTER), late and soon-due requests lead the list
//! and the dashboard, bad input comes back 422 with French messages and the values typed, and a
//! request is answered once.

use chrono::{Duration, Months, NaiveDate};
use forma_domain::account::Role;
use forma_domain::french_date::long_date;
use forma_domain::parse_catalogue_page;
use forma_domain::program::AccessDelays;
use forma_web::testing::submit_form;

use crate::helpers::{SEED_SLUG, TestApp, get_page as get, location, on_each_backend, post_form as post, unescaped as text, with};

const SEED: &str = include_str!("../../../../fixtures/seed/caf03-ctg-acculturation.txt");
const FORM: &str = "action=\"/gestion/demandes\"";

fn today() -> NaiveDate {
    chrono::Utc::now().with_timezone(&chrono_tz::Europe::Paris).date_naive()
}

/// Records a request through the form; returns its id.
async fn record(app: &TestApp, client: &reqwest::Client, changes: &[(&str, &str)]) -> i64 {
    let page = get(app, client, "/gestion/demandes").await;
    let body = with(&submit_form(&page, FORM), changes);
    let r = post(app, client, "/gestion/demandes", body).await;
    assert_eq!(r.status(), 303, "{changes:?}: {}", r.text().await.unwrap_or_default());
    let to = location(&r);
    assert!(to.starts_with("/gestion/demandes/") && to.ends_with("?ok=demande"), "{to}");
    to["/gestion/demandes/".len()..to.find('?').unwrap()].parse().unwrap()
}

#[tokio::test]
async fn requests_are_promised_within_the_sheet_delay_and_answered_once() {
    on_each_backend(|app| async move {
        app.account("demandes@test.forma.test", Role::Gestionnaire, None).await;
        let client = app.signed_in("demandes@test.forma.test").await;
        let store = app.store().await;
        let caf = store.client_by_name("CAF de l'Allier").await.unwrap().expect("demo client").id.to_string();
        // A published sheet that states no access delay.
        let mut silent = parse_catalogue_page(SEED).unwrap();
        silent.title = "Fiche sans délai d'accès".into();
        silent.slug = forma_domain::Slug::from_title(&silent.title).unwrap();
        silent.access_delays = AccessDelays::default();
        store.import_programs(std::slice::from_ref(&silent), "test").await.unwrap();
        store.close().await;

        // The demo's own requests aside, nothing waits yet, and the dashboard says so.
        forma_store::testing::raw_execute(&app.db, "DELETE FROM requests").await;
        assert!(get(&app, &client, "/gestion").await.contains("Aucune demande en attente"));
        let page = get(&app, &client, "/gestion/demandes").await;
        assert!(page.contains("Aucune demande en attente."));
        assert!(page.contains(&format!("value=\"{}\"", today())), "received today by default");
        assert!(page.contains("Seulement si la fiche ne précise pas de délai d'accès"), "the hint says when the date is used");

        // INTRA on the seed sheet: 15 days.
        let received = today() - Duration::days(2);
        let intra = record(&app, &client, &[("client", &caf), ("program", SEED_SLUG), ("kind", "INTRA"), ("received_on", &received.to_string()), ("contact", "Mme Dupont, responsable formation"), ("message", "Former 40 agents d'accueil")]).await;
        let detail = get(&app, &client, &format!("/gestion/demandes/{intra}?ok=demande")).await;
        let due = received + Duration::days(15);
        assert!(
            detail.contains(&format!("Demande enregistrée : réponse promise le {} (délai de la fiche : 15 jours).", long_date(due))),
            "the promise and where it comes from"
        );
        assert!(detail.contains("réponse attendue sous 13 jours"));

        // INTER, 40 days ago: one month, so overdue.
        let old = today() - Duration::days(40);
        let inter = record(&app, &client, &[("client", &caf), ("program", SEED_SLUG), ("kind", "INTER"), ("seats", "3"), ("received_on", &old.to_string())]).await;
        let inter_due = old.checked_add_months(Months::new(1)).unwrap();
        let late = (today() - inter_due).num_days();
        let detail = get(&app, &client, &format!("/gestion/demandes/{inter}")).await;
        assert!(detail.contains(&format!("réponse promise le {} (délai de la fiche : 1 mois)", long_date(inter_due))));
        assert!(detail.contains(&format!("en retard de {late} jours")));
        assert!(detail.contains("3 places demandées"));

        // INTRA due in two days.
        let soon_received = today() - Duration::days(13);
        let soon = record(&app, &client, &[("client", &caf), ("program", SEED_SLUG), ("kind", "INTRA"), ("received_on", &soon_received.to_string())]).await;

        // The list: late first (in red), then due soon (orange), then the rest.
        let list = get(&app, &client, "/gestion/demandes").await;
        let at = |id: i64| list.find(&format!("href=\"/gestion/demandes/{id}\"")).unwrap_or_else(|| panic!("request {id} listed"));
        assert!(at(inter) < at(soon) && at(soon) < at(intra), "by due date");
        assert!(list.contains(&format!("<span class=\"badge badge-danger\">en retard de {late} jours</span>")));
        assert!(list.contains("<span class=\"badge badge-warn\">réponse attendue sous 2 jours</span>"));
        assert!(list.contains("En attente (3)"));

        // The dashboard: the count, the late one then the one due soon; the others are not urgent.
        let dashboard = get(&app, &client, "/gestion").await;
        let block = &dashboard[dashboard.find("Demandes à traiter").expect("block")..dashboard.find("Brouillons en cours").unwrap()];
        assert!(block.contains("<strong>3</strong> demandes en attente"));
        let (late_at, soon_at) = (block.find(&format!("/gestion/demandes/{inter}\"")).expect("late listed"), block.find(&format!("/gestion/demandes/{soon}\"")).expect("soon listed"));
        assert!(late_at < soon_at, "overdue first");
        assert!(!block.contains(&format!("/gestion/demandes/{intra}\"")), "not due within 3 days");

        // Bad input: 422, French messages next to the fields, values kept; nothing recorded.
        let page = get(&app, &client, "/gestion/demandes").await;
        let form = submit_form(&page, FORM);
        let tomorrow = (today() + Duration::days(1)).to_string();
        let r = post(&app, &client, "/gestion/demandes", with(&form, &[("client", &caf), ("program", SEED_SLUG), ("received_on", &tomorrow), ("contact", "M. Futur")])).await;
        assert_eq!(r.status(), 422);
        let html = text(r).await;
        assert!(html.contains("id=\"err-received_on\">La date de réception ne peut pas être dans le futur."));
        assert!(html.contains("value=\"M. Futur\"") && html.contains(&format!("value=\"{tomorrow}\"")), "values kept");
        assert!(html.contains(&format!("<option value=\"{caf}\" selected>")), "the client stays chosen");

        let r = post(&app, &client, "/gestion/demandes", with(&form, &[("client", &caf), ("program", SEED_SLUG), ("kind", "INTER"), ("seats", "0")])).await;
        assert_eq!(r.status(), 422);
        let html = text(r).await;
        assert!(html.contains("id=\"err-seats\">Le nombre de places demandées va de 1 à 1 000."));
        assert!(html.contains("name=\"seats\" inputmode=\"numeric\" value=\"0\""));
        assert!(html.contains("id=\"kind-inter\" name=\"kind\" value=\"INTER\" checked"));

        let r = post(&app, &client, "/gestion/demandes", with(&form, &[("client", ""), ("program", ""), ("received_on", "31/02/2026")])).await;
        assert_eq!(r.status(), 422);
        let html = text(r).await;
        assert!(html.contains("id=\"err-client\">Choisissez le client"));
        assert!(html.contains("id=\"err-program\">Choisissez la formation demandée"));
        assert!(html.contains("id=\"err-received_on\">Date illisible"));
        assert!(html.contains("value=\"31/02/2026\""));

        // A sheet without a delay: the promised date must be typed, and is then used.
        let silent_slug = silent.slug.to_string();
        let r = post(&app, &client, "/gestion/demandes", with(&form, &[("client", &caf), ("program", &silent_slug), ("message", "Sans délai")])).await;
        assert_eq!(r.status(), 422);
        let html = text(r).await;
        assert!(html.contains("id=\"err-due_on\">La fiche ne précise pas de délai d'accès : indiquez la date de réponse promise."));
        assert!(html.contains("Sans délai</textarea>"), "message kept");
        let typed = today() + Duration::days(20);
        let before = today() - Duration::days(1);
        let r = post(&app, &client, "/gestion/demandes", with(&form, &[("client", &caf), ("program", &silent_slug), ("due_on", &before.to_string()), ("received_on", &today().to_string())])).await;
        assert_eq!(r.status(), 422);
        assert!(text(r).await.contains("La date de réponse promise suit la date de réception."));
        let typed_id = record(&app, &client, &[("client", &caf), ("program", &silent_slug), ("due_on", &typed.to_string())]).await;
        let detail = get(&app, &client, &format!("/gestion/demandes/{typed_id}")).await;
        assert!(detail.contains(&format!("réponse promise le {} (date indiquée à l'enregistrement)", long_date(typed))));

        // Answering: a date before reception is refused, then the answer is recorded once.
        let answer_form = |page: &str, id: i64| submit_form(page, &format!("action=\"/gestion/demandes/{id}/reponse\""));
        let page = get(&app, &client, &format!("/gestion/demandes/{intra}")).await;
        let path = format!("/gestion/demandes/{intra}/reponse");
        let early = (received - Duration::days(1)).to_string();
        let r = post(&app, &client, &path, with(&answer_form(&page, intra), &[("answered_on", &early), ("channel", "email"), ("outcome", "accepted"), ("text", "Dates proposées")])).await;
        assert_eq!(r.status(), 422);
        let html = text(r).await;
        assert!(html.contains(&format!("id=\"err-answered_on\">La réponse ne peut pas précéder la réception de la demande ({}).", long_date(received))));
        assert!(html.contains("Dates proposées</textarea>") && html.contains("id=\"channel-email\" name=\"channel\" value=\"email\" checked"), "values kept");
        let r = post(&app, &client, &path, with(&answer_form(&page, intra), &[("channel", "email"), ("outcome", "accepted"), ("session", "999999")])).await;
        assert_eq!(r.status(), 422);
        assert!(text(r).await.contains("id=\"err-session\">Aucune session ne porte le n° 999999."));
        let r = post(&app, &client, &path, with(&answer_form(&page, intra), &[("outcome", "")])).await;
        assert_eq!(r.status(), 422);
        let html = text(r).await;
        assert!(html.contains("id=\"err-channel\">Indiquez comment la réponse a été donnée.") && html.contains("id=\"err-outcome\">Indiquez l'issue de la demande."));

        let good = with(&answer_form(&page, intra), &[("channel", "email"), ("outcome", "accepted"), ("text", "Dates proposées : mars 2027")]);
        let r = post(&app, &client, &path, good.clone()).await;
        assert_eq!(r.status(), 303);
        assert_eq!(location(&r), format!("/gestion/demandes/{intra}?ok=reponse"));
        let detail = get(&app, &client, &location(&r)).await;
        assert!(detail.contains("Réponse enregistrée."));
        assert!(detail.contains("répondu dans le délai") && detail.contains("courriel") && detail.contains("acceptée"));
        assert!(!detail.contains(&format!("action=\"{path}\"")), "no second form");
        let again = post(&app, &client, &path, good).await;
        assert_eq!(again.status(), 409);
        assert!(text(again).await.contains(&format!("Cette demande a déjà reçu une réponse, le {} : une demande ne reçoit qu'une réponse.", long_date(today()))));

        // The late one answered today: late by as many days.
        let page = get(&app, &client, &format!("/gestion/demandes/{inter}")).await;
        let r = post(&app, &client, &format!("/gestion/demandes/{inter}/reponse"), with(&answer_form(&page, inter), &[("channel", "phone"), ("outcome", "proposal")])).await;
        assert_eq!(r.status(), 303);

        // Answered requests leave the default list; « toutes » shows how they were answered.
        let list = get(&app, &client, "/gestion/demandes").await;
        assert!(!list.contains(&format!("href=\"/gestion/demandes/{intra}\"")) && list.contains("En attente (2)"));
        let all = get(&app, &client, "/gestion/demandes?toutes=1").await;
        assert!(all.contains("<span class=\"badge badge-ok\">répondu dans le délai</span>"));
        assert!(all.contains(&format!("répondu avec {late} jours de retard")));
        let dashboard = get(&app, &client, "/gestion").await;
        assert!(dashboard.contains("<strong>2</strong> demandes en attente"));

        // The journal has them.
        let store = app.store().await;
        let journal: Vec<_> = store.audit_events(Some("request"), 50).await.unwrap().into_iter().filter(|e| e.actor != "demo").collect();
        assert_eq!(journal.iter().filter(|e| e.action == "answer").count(), 2);
        assert!(journal.iter().all(|e| e.actor == "demandes@test.forma.test"));
        store.close().await;
    })
    .await;
}
