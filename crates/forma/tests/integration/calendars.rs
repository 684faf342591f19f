//! Calendars over HTTP, as a gestionnaire: month and week views per trainer and per venue, public
//! holidays, and secret iCalendar feeds — shown once, readable without an account, read here with
//! an independent parser (the `ical` crate), refused once revoked.

use std::io::BufReader;

use chrono::{Datelike, Duration, NaiveDate};
use forma_domain::ProgramKind;
use forma_domain::account::Role;
use forma_domain::half_day::DaySchedule;
use forma_domain::session::{PlannedDay, SessionPlan};
use forma_store::testing::raw_execute;
use forma_web::testing::submit_form;

use crate::helpers::{SEED_SLUG, TestApp, get_page as get, on_each_backend};

const MONTHS: [&str; 12] = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"];

fn today() -> NaiveDate {
    chrono::Utc::now().with_timezone(&chrono_tz::Europe::Paris).date_naive()
}

/// Venue 501 (room 501) and trainer 501; venue 502 (room 502) and trainer 502.
async fn directory(url: &str) {
    for sql in [
        "INSERT INTO venues (id, name, address, city, created_at) VALUES (501, 'Maison des associations', '1 place d''Allier', 'Moulins', '2026-01-01T00:00:00Z')",
        "INSERT INTO rooms (id, venue_id, name, capacity) VALUES (501, 501, 'Salle Allier', 40)",
        "INSERT INTO venues (id, name, address, city, created_at) VALUES (502, 'Centre des Sources', '', 'Vichy', '2026-01-01T00:00:00Z')",
        "INSERT INTO rooms (id, venue_id, name, capacity) VALUES (502, 502, 'Salle des Sources', 25)",
        "INSERT INTO providers (id, name, created_at) VALUES (501, 'Accolades TEST', '2026-01-01T00:00:00Z')",
        "INSERT INTO trainers (id, name, provider_id, created_at) VALUES (501, 'Thierry TEST', 501, '2026-01-01T00:00:00Z'), (502, 'Claire TEST', NULL, '2026-01-01T00:00:00Z')",
    ] {
        raw_execute(url, sql).await;
    }
}

fn day(date: NaiveDate, venue: i64, trainer: i64) -> PlannedDay {
    PlannedDay { venue_id: Some(venue), room_id: Some(venue), trainer_ids: vec![trainer], ..PlannedDay::on(date) }
}

struct Planned {
    year: i32,
    /// Trainer 501 at venue 501: the 10th of November (whole day) and the 12th (morning).
    first: i64,
    /// Trainer 502 at venue 502: the 10th of November.
    second: i64,
    title: String,
}

async fn plan(app: &TestApp) -> Planned {
    directory(&app.db).await;
    let today = today();
    // A November still to come (the feeds cover the coming two years), with the 11th a holiday.
    let year = if today.month() < 11 { today.year() } else { today.year() + 1 };
    let date = |d: u32| NaiveDate::from_ymd_opt(year, 11, d).unwrap();
    let store = app.store().await;
    let client = store.client_by_name("CAF de l'Allier").await.unwrap().expect("demo client").id;
    let morning_only = PlannedDay { schedule: DaySchedule { afternoon: None, ..DaySchedule::default() }, ..day(date(12), 501, 501) };
    let first = SessionPlan { kind: ProgramKind::Intra, client_id: Some(client), capacity: Some(20), modules: vec![], days: vec![day(date(10), 501, 501), morning_only] };
    let first = store.create_session(SEED_SLUG, &first.validated().unwrap(), "test").await.unwrap();
    let second = SessionPlan { kind: ProgramKind::Inter, client_id: None, capacity: Some(12), modules: vec![], days: vec![day(date(10), 502, 502)] };
    let second = store.create_session(SEED_SLUG, &second.validated().unwrap(), "test").await.unwrap();
    let title = store.program(SEED_SLUG).await.unwrap().unwrap().program.title;
    store.close().await;
    Planned { year, first, second, title }
}

fn session_link(id: i64) -> String {
    format!("href=\"/gestion/sessions/{id}\"")
}

#[tokio::test]
async fn month_and_week_views_per_trainer_and_venue() {
    on_each_backend(|app| async move {
        app.account("planning@test.forma.test", Role::Gestionnaire, None).await;
        let client = app.signed_in("planning@test.forma.test").await;
        let p = plan(&app).await;
        let (first, second) = (session_link(p.first), session_link(p.second));
        let nov = format!("{}-11-01", p.year);

        // Month view of trainer 501: a Monday-to-Sunday grid captioned with the month.
        let month = get(&app, &client, &format!("/gestion/calendrier?vue=mois&date={nov}&formateur=501")).await;
        assert!(month.contains(&format!("<caption>novembre {}</caption>", p.year)), "caption");
        assert!(month.contains("<th scope=\"col\">lundi</th>") && month.contains("<th scope=\"col\">dimanche</th>"));
        assert!(month.contains("Calendrier — Thierry TEST"));
        assert_eq!(month.matches(&first).count(), 2, "two days of the first session");
        assert!(!month.contains(&second), "another trainer's session is not in this calendar");
        assert!(month.contains("Maison des associations, Salle Allier") && month.contains("Formateur : Thierry TEST"));
        assert!(month.contains("9 h – 17 h") && month.contains("9 h – 12 h 30"), "hours of the day");
        assert!(month.contains("Armistice 1918 (jour férié)"), "holiday marked");
        assert!(month.contains(&format!(" 11 novembre {}</span>", p.year)), "each cell names its date for screen readers");
        assert!(month.contains(&format!("date={}-10-01&formateur=501\">Mois précédent", p.year)), "previous month keeps the scope");
        assert!(month.contains(&format!("date={}-12-01&formateur=501\">Mois suivant", p.year)));
        assert!(month.contains("<option value=\"501\" selected>Thierry TEST (Accolades TEST)</option>"), "the select shows the trainer");

        // The venue's calendar holds the other session only.
        let venue = get(&app, &client, &format!("/gestion/calendrier?date={nov}&lieu=502")).await;
        assert!(venue.contains(&second) && !venue.contains(&first));
        assert!(venue.contains("Calendrier — Centre des Sources"));
        let everything = get(&app, &client, &format!("/gestion/calendrier?date={nov}")).await;
        assert!(everything.contains(&first) && everything.contains(&second));

        // Week view: seven columns, a row per half-day; the morning-only day has no afternoon.
        let tuesday = NaiveDate::from_ymd_opt(p.year, 11, 10).unwrap();
        let monday = tuesday - Duration::days(i64::from(tuesday.weekday().num_days_from_monday()));
        let week = get(&app, &client, &format!("/gestion/calendrier?vue=semaine&date={tuesday}&formateur=501")).await;
        assert!(week.contains("<caption>semaine du "), "caption");
        assert_eq!(week.matches("<th scope=\"col\"").count(), 8, "a header for the half-days and seven days");
        assert!(week.contains(&format!("<time datetime=\"{monday}\">lundi {} {}</time>", monday.day(), MONTHS[monday.month0() as usize])));
        assert!(week.contains("<th scope=\"row\">Matin</th>") && week.contains("<th scope=\"row\">Après-midi</th>"));
        assert_eq!(week.matches(&first).count(), 3, "10th morning and afternoon, 12th morning");
        assert!(week.contains("9 h – 12 h 30") && week.contains("13 h 30 – 17 h"));
        assert!(!week.contains(&second));
        assert!(week.contains("Armistice 1918 (jour férié)"));
        let other_week = get(&app, &client, &format!("/gestion/calendrier?vue=semaine&date={tuesday}&lieu=502")).await;
        assert_eq!(other_week.matches(&second).count(), 2);
        assert!(!other_week.contains(&first));

        // Unknown or malformed scopes are not found.
        let r = client.get(format!("{}/gestion/calendrier?formateur=999999", app.base)).send().await.unwrap();
        assert_eq!(r.status(), 404);
        let r = client.get(format!("{}/gestion/calendrier?lieu=abc", app.base)).send().await.unwrap();
        assert_eq!(r.status(), 404);
        // A session's calendar.
        let own = get(&app, &client, &format!("/gestion/calendrier?date={nov}&session={}", p.first)).await;
        assert!(own.contains(&format!("Calendrier — session n° {} — ", p.first)) && !own.contains(&second));
    })
    .await;
}

/// The text of a property value, RFC 5545 escapes undone.
fn unescape(value: &str) -> String {
    value.replace("\\n", "\n").replace("\\,", ",").replace("\\;", ";").replace("\\\\", "\\")
}

pub(crate) fn property<'a>(event: &'a ical::parser::ical::component::IcalEvent, name: &str) -> Option<&'a ical::property::Property> {
    event.properties.iter().find(|p| p.name == name)
}

pub(crate) async fn create_feed(app: &TestApp, client: &reqwest::Client, calendar: &str) -> (String, String) {
    let page = get(app, client, calendar).await;
    let body = submit_form(&page, "action=\"/gestion/calendrier/flux\"");
    let r = client
        .post(format!("{}/gestion/calendrier/flux", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store", "the secret is not kept by caches");
    let html = r.text().await.unwrap().replace("&#39;", "'");
    assert!(html.contains("Adresse d'abonnement créée.") && html.contains("ne sera plus jamais affichée"));
    let start = html.find("id=\"new-feed\" readonly value=\"").expect("address shown") + "id=\"new-feed\" readonly value=\"".len();
    let url = html[start..start + html[start..].find('"').unwrap()].to_owned();
    assert!(url.starts_with(&format!("{}/agenda/", app.base)) && url.ends_with(".ics"), "{url}");
    let token = url.rsplit('/').next().unwrap().trim_end_matches(".ics").to_owned();
    (url, token)
}

#[tokio::test]
async fn secret_feeds_are_shown_once_read_without_account_and_revocable() {
    on_each_backend(|app| async move {
        app.account("agenda@test.forma.test", Role::Gestionnaire, None).await;
        let client = app.signed_in("agenda@test.forma.test").await;
        let p = plan(&app).await;
        let calendar = format!("/gestion/calendrier?date={}-11-01&formateur=501", p.year);
        assert!(get(&app, &client, &calendar).await.contains("Créer une adresse d'abonnement"));
        assert!(!get(&app, &client, "/gestion/calendrier").await.contains("Créer une adresse d'abonnement"), "only for a chosen calendar");

        let (url, token) = create_feed(&app, &client, &calendar).await;
        // Shown once: the calendar page lists the feed, never its address.
        let page = get(&app, &client, &calendar).await;
        assert!(!page.contains(&token));
        assert!(page.contains("<td>active</td>") && page.contains("Révoquer"));

        // Read without an account.
        let anonymous = reqwest::Client::new();
        let r = anonymous.get(&url).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "text/calendar; charset=utf-8");
        assert_eq!(r.headers()["cache-control"], "private, max-age=300");
        let body = r.text().await.unwrap();
        let parsed = ical::IcalParser::new(BufReader::new(body.as_bytes())).next().expect("a calendar").expect("valid iCalendar");
        let mut starts: Vec<(String, String)> = parsed
            .events
            .iter()
            .map(|e| {
                let start = property(e, "DTSTART").expect("DTSTART");
                let tzid = start.params.as_ref().and_then(|ps| ps.iter().find(|(k, _)| k == "TZID")).map(|(_, v)| v.join(",")).unwrap_or_default();
                (tzid, start.value.clone().unwrap_or_default())
            })
            .collect();
        starts.sort();
        let y = p.year;
        let paris = |v: String| ("Europe/Paris".to_owned(), v);
        assert_eq!(starts, vec![paris(format!("{y}1110T090000")), paris(format!("{y}1110T133000")), paris(format!("{y}1112T090000"))], "one event per half-day, Paris time");
        for event in &parsed.events {
            assert_eq!(unescape(property(event, "SUMMARY").unwrap().value.as_deref().unwrap()), p.title);
            assert!(unescape(property(event, "LOCATION").unwrap().value.as_deref().unwrap()).contains("Salle Allier"));
            let description = unescape(property(event, "DESCRIPTION").unwrap().value.as_deref().unwrap());
            assert!(description.contains("Thierry TEST") && description.contains(&format!("/gestion/sessions/{}", p.first)), "{description}");
            let uid = property(event, "UID").unwrap().value.clone().unwrap();
            assert!(uid.starts_with("day-") && (uid.ends_with("-matin@forma") || uid.ends_with("-apres-midi@forma")), "{uid}");
            let end = property(event, "DTEND").unwrap();
            assert!(end.params.as_ref().is_some_and(|ps| ps.iter().any(|(k, v)| k == "TZID" && v == &["Europe/Paris".to_owned()])));
        }

        // The venue's feed holds the other session.
        let (venue_url, _) = create_feed(&app, &client, &format!("/gestion/calendrier?date={}-11-01&lieu=502", p.year)).await;
        let venue_body = anonymous.get(&venue_url).send().await.unwrap().text().await.unwrap();
        let venue = ical::IcalParser::new(BufReader::new(venue_body.as_bytes())).next().unwrap().unwrap();
        assert_eq!(venue.events.len(), 2);
        assert!(!venue_body.contains(&format!("/gestion/sessions/{}", p.first)));

        // Revoked: 404; a random token or a malformed address: 404 too.
        let page = get(&app, &client, &calendar).await;
        let start = page.find("action=\"/gestion/calendrier/flux/").expect("revoke form") + "action=\"/gestion/calendrier/flux/".len();
        let feed_id = &page[start..start + page[start..].find('/').unwrap()];
        let r = client.post(format!("{}/gestion/calendrier/flux/{feed_id}/revoquer", app.base)).send().await.unwrap();
        assert_eq!(r.status(), 303);
        let back = r.headers()["location"].to_str().unwrap().to_owned();
        assert!(back.contains("formateur=501") && back.ends_with("ok=flux-revoque"), "{back}");
        let page = get(&app, &client, &back).await;
        assert!(page.contains("Adresse d'abonnement révoquée") && page.contains("<td>révoquée</td>"));
        assert_eq!(anonymous.get(&url).send().await.unwrap().status(), 404);
        assert_eq!(anonymous.get(&venue_url).send().await.unwrap().status(), 200, "other feeds stay");
        let random = format!("{}/agenda/{:032x}.ics", app.base, rand::random::<u128>());
        assert_eq!(anonymous.get(&random).send().await.unwrap().status(), 404);
        assert_eq!(anonymous.get(format!("{}/agenda/{token}", app.base)).send().await.unwrap().status(), 404, "the address ends with .ics");

        // A feed needs a chosen calendar.
        let r = client
            .post(format!("{}/gestion/calendrier/flux", app.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("scope=&id=")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().replace("&#39;", "'").contains("Choisissez d'abord un formateur, un lieu ou une session"));

        let store = app.store().await;
        let journal = store.audit_events(Some("calendar_feed"), 10).await.unwrap();
        assert_eq!(journal.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), vec!["revoke", "create", "create"]);
        store.close().await;
    })
    .await;
}
