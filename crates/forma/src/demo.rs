//! Demo data: the seed page (the real CAF de l'Allier action), the demo catalogue written for
//! Forma, and dated INTER sessions in the coming months, so that `forma serve --demo` shows
//! every capability without setup.

use anyhow::Context;
use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Weekday};
use forma_domain::half_day::DaySchedule;
use forma_domain::session::{PlannedDay, SessionPlan};
use forma_domain::{Program, ProgramKind, parse_catalogue_page};
use forma_domain::account::{Email, Role};
use forma_domain::organisation::{Organisation, Referent};
use forma_store::{NewUser, Store};

pub mod attendance;
pub mod certificates;
pub mod directory;
pub mod evaluations;
pub mod planning;
pub mod registrations;
pub use directory::DemoDirectory;

include!(concat!(env!("OUT_DIR"), "/demo_pages.rs"));

pub const SEED_PAGE: &str = include_str!("../../../fixtures/seed/caf03-ctg-acculturation.txt");

const ACTOR: &str = "demo";

/// The seed and the demo catalogue, parsed.
pub fn catalogue() -> anyhow::Result<Vec<Program>> {
    let mut programs = vec![parse_catalogue_page(SEED_PAGE).context("page d'origine")?];
    for (name, text) in DEMO_PAGES {
        programs.push(parse_catalogue_page(text).with_context(|| format!("page de démonstration {name}"))?);
    }
    Ok(programs)
}

fn next_weekday(mut date: NaiveDate) -> NaiveDate {
    while matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
        date += Duration::days(1);
    }
    date
}

/// Consecutive working days from `start`.
fn working_days(start: NaiveDate, count: u32, place: &str, program: &Program) -> Vec<PlannedDay> {
    let start_time = program.practical.daily_start.unwrap_or(NaiveTime::from_hms_opt(9, 0, 0).expect("valid"));
    let end_time = program.practical.daily_end.unwrap_or(NaiveTime::from_hms_opt(17, 0, 0).expect("valid"));
    let mut days = Vec::new();
    let mut date = next_weekday(start);
    while days.len() < count as usize {
        let schedule = DaySchedule::from_envelope(start_time, end_time);
        days.push(PlannedDay { schedule, place: place.to_owned(), ..PlannedDay::on(date) });
        date = next_weekday(date + Duration::days(1));
    }
    days
}

/// INTER sessions spread over the next months, relative to `today` so that the demo always
/// shows upcoming dates. (The seed's own INTRA action is planned with its client, venues and
/// trainers by the planning demo.)
pub fn sessions(programs: &[Program], today: NaiveDate) -> Vec<(String, SessionPlan)> {
    let mut out = Vec::new();
    let inter: Vec<&Program> = programs.iter().filter(|p| p.kind == ProgramKind::Inter).collect();
    for (i, p) in inter.iter().enumerate().take(14) {
        let places = if p.practical.places.is_empty() { vec!["Moulins".to_owned()] } else { p.practical.places.clone() };
        let place = &places[i % places.len()];
        let start = today + Duration::days(10 + 9 * i as i64);
        let days = p.duration.days.unwrap_or(1).clamp(1, 5);
        let capacity = p.headcount.max.or(Some(12));
        out.push((p.slug.to_string(), SessionPlan { kind: ProgramKind::Inter, client_id: None, capacity, modules: vec![], days: working_days(start, days, place, p) }));
        if i % 3 == 0 {
            let later = today + Duration::days(100 + 7 * i as i64);
            let other = &places[(i + 1) % places.len()];
            out.push((p.slug.to_string(), SessionPlan { kind: ProgramKind::Inter, client_id: None, capacity, modules: vec![], days: working_days(later, days, other, p) }));
        }
    }
    out
}

/// The demo administrator's login, printed once at start.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub email: String,
    pub password: String,
}

pub struct DemoLoaded {
    pub summary: String,
    /// Present when the accounts were created by this run.
    pub admin: Option<DemoLogin>,
    /// The directory's ids (clients, sites, venues, rooms, provider, trainers).
    pub directory: DemoDirectory,
}

pub const DEMO_ADMIN: &str = "admin@demo.forma.test";

/// The demo organisation: EGOC as on the seed page; identifiers are fictitious but well-formed.
fn organisation() -> Organisation {
    let referent = |name: &str, email: &str| Referent { name: name.into(), email: email.into(), phone: "04 70 00 00 00".into() };
    Organisation {
        name: "EGOC".into(),
        nda: "84030000003".into(),
        siret: "12345678900007".into(),
        address: "1 rue de la Formation\n03000 Moulins".into(),
        phone: "04 70 00 00 00".into(),
        email: "contact@demo.forma.test".into(),
        pedagogical_referent: referent("Claire Martin", "pedagogie@demo.forma.test"),
        administrative_referent: referent("Paul Bernard", "administration@demo.forma.test"),
        disability_referent: referent("Nadia Robert", "handicap@demo.forma.test"),
        cold_evaluation_days: "60".into(),
    }
}

/// Settings, a client and one account per role; the administrator gets a random password,
/// the others their personal links (unused in the demo).
async fn accounts(store: &Store) -> anyhow::Result<Option<DemoLogin>> {
    if store.count_users().await? > 0 {
        return Ok(None);
    }
    let mut org = organisation();
    org.validate().map_err(|e| anyhow::anyhow!("organisme de démonstration invalide : {e:?}"))?;
    store.save_organisation(&org, ACTOR).await?;
    // Convocations and personal pages link to it; the file says it stands in for the real one.
    store.set_rules(include_bytes!("../../../fixtures/reglement-interieur-demo.pdf"), ACTOR).await?;
    let client = store.create_client(directory::CAF_ALLIER, ACTOR).await?;
    let base = "http://127.0.0.1:8080";
    let people = [
        (DEMO_ADMIN, "Administratrice Démo", Role::Admin, None),
        ("gestion@demo.forma.test", "Gaëlle Gestion", Role::Gestionnaire, None),
        ("thierry.cheine@demo.forma.test", "Thierry CHEINE", Role::Formateur, None),
        ("contact.caf03@demo.forma.test", "Camille Caf", Role::Client, Some(client)),
        ("agent.caf03@demo.forma.test", "Alex Agent", Role::Stagiaire, None),
    ];
    let mut admin_id = None;
    for (email, name, role, client_id) in people {
        let user = NewUser { email: Email::parse(email).map_err(|e| anyhow::anyhow!("{e}"))?, name: name.into(), role, client_id };
        let invitation = forma_web::auth::invitation::invite(store, base, &org.name, &user, false, ACTOR).await?;
        if role == Role::Admin {
            admin_id = Some(invitation.user_id);
        }
    }
    let password = forma_web::auth::token::new_token()[..16].to_owned();
    let hash = forma_web::auth::password::Passwords::default().hash(password.clone()).await?;
    if let Some(id) = admin_id {
        store.set_password(id, &hash, ACTOR).await?;
    }
    Ok(Some(DemoLogin { email: DEMO_ADMIN.into(), password }))
}

/// Loads the demo into the store. Importing is idempotent; sessions are added only to a base
/// that has none, accounts only to a base without any, directory entries only when no entry
/// bears their name, so running it twice changes nothing.
pub async fn load(store: &Store) -> anyhow::Result<DemoLoaded> {
    let programs = catalogue()?;
    let summary = store.import_programs(&programs, ACTOR).await?;
    let today = chrono::Utc::now().date_naive();
    let mut created = 0;
    if store.upcoming_sessions(NaiveDate::from_ymd_opt(1900, 1, 1).expect("valid"), None, false, 1).await?.is_empty() {
        for (slug, session) in sessions(&programs, today) {
            let session = session.validated().map_err(|e| anyhow::anyhow!("session de démonstration : {e:?}"))?;
            store.create_session(&slug, &session, ACTOR).await?;
            created += 1;
        }
    }
    let admin = accounts(store).await?;
    let directory = directory::load(store, today).await?;
    created += planning::load(store, &programs, &directory, today).await?;
    registrations::load(store, today).await?;
    if let Some(seed) = programs.first() {
        attendance::load(store, &directory, seed.slug.as_str(), today).await?;
        certificates::load(store).await?;
        evaluations::load(store, &directory, &programs, today).await?;
    }
    let summary = format!(
        "Démonstration : {} fiches ({} créées, {} inchangées), {created} sessions ajoutées{}, annuaire (clients, lieux, formateurs), demandes, conventions, inscriptions, émargements, évaluations et certificats en place",
        programs.len(),
        summary.created,
        summary.unchanged,
        if admin.is_some() { ", organisme, client et comptes créés" } else { "" }
    );
    Ok(DemoLoaded { summary, admin, directory })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_catalogue_is_large_and_varied() {
        let programs = catalogue().unwrap();
        assert!(programs.len() >= 30);
        let mut categories: Vec<_> = programs.iter().filter_map(|p| p.category.clone()).collect();
        categories.sort();
        categories.dedup();
        assert!(categories.len() >= 5);
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let sessions = sessions(&programs, today);
        assert!(sessions.iter().filter(|(_, s)| s.kind == ProgramKind::Inter && s.days[0].date > today).count() >= 10);
        for (_, s) in &sessions {
            assert!(s.days.iter().all(|d| !matches!(d.date.weekday(), Weekday::Sat | Weekday::Sun)));
            assert!(s.clone().validated().is_ok());
        }
    }
}
