//! The same story on SQLite and, when FORMA_TEST_POSTGRES_URL is set, on PostgreSQL.

use chrono::NaiveDate;
use forma_domain::ProgramKind;
use forma_domain::parse_catalogue_page;
use forma_domain::session::{PlannedDay, SessionPlan};
use forma_store::testing::{POSTGRES_ENV, cleanup, each_backend, test_database_urls};
use forma_store::{ProgramFilter, Store, StoreError};
use sqlx::Connection;

const SEED: &str = include_str!("../../../fixtures/seed/caf03-ctg-acculturation.txt");

fn demo_pages() -> Vec<forma_domain::Program> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../forma/demo/catalogue");
    let mut paths: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    paths.iter().map(|p| parse_catalogue_page(&std::fs::read_to_string(p).unwrap()).unwrap()).collect()
}

#[tokio::test]
async fn import_reimport_and_versions() {
    each_backend(|store, url| async move {
        let seed = parse_catalogue_page(SEED).unwrap();
        let mut all = vec![seed.clone()];
        all.extend(demo_pages());
        let first = store.import_programs(&all, "test").await.unwrap();
        assert_eq!((first.created, first.updated, first.unchanged), (all.len(), 0, 0), "{url}");

        let again = store.import_programs(&all, "test").await.unwrap();
        assert_eq!((again.created, again.updated, again.unchanged), (0, 0, all.len()), "{url}");
        assert_eq!(store.count_programs().await.unwrap(), all.len() as u64);

        let mut changed = seed.clone();
        changed.accessibility = Some("Locaux accessibles de plain-pied.".into());
        let third = store.import_programs(&[changed.clone()], "test").await.unwrap();
        assert_eq!((third.created, third.updated), (0, 1));
        assert_eq!(store.program_version_count(seed.slug.as_str()).await.unwrap(), 2);

        let stored = store.program(seed.slug.as_str()).await.unwrap().unwrap();
        assert_eq!(stored.program, changed, "{url}: the sheet round-trips whole");
        assert_eq!(stored.version, 2);
        assert_eq!(stored.category_slug.as_deref(), Some("chantiers-locaux"));

        let events = store.audit_events(Some("program"), 1000).await.unwrap();
        assert_eq!(events.len(), all.len() + 1, "one event per write");
        let update = &events[0];
        assert_eq!((update.action.as_str(), update.actor.as_str()), ("update", "test"));
        assert!(update.before.is_some() && update.after.is_some());
    })
    .await;
}

#[tokio::test]
async fn listing_filters_and_pages() {
    each_backend(|store, url| async move {
        let mut all = vec![parse_catalogue_page(SEED).unwrap()];
        all.extend(demo_pages());
        store.import_programs(&all, "test").await.unwrap();

        let page1 = store.list_programs(&ProgramFilter { page: 1, per_page: 10, ..Default::default() }).await.unwrap();
        assert_eq!(page1.total, all.len() as u64, "{url}");
        assert_eq!(page1.items.len(), 10);
        let titles: Vec<String> = page1.items.iter().map(|i| deunicode_lower(&i.title)).collect();
        let mut sorted = titles.clone();
        sorted.sort();
        assert_eq!(titles, sorted, "{url}: sorted by title without regard to accents");
        let last = store.list_programs(&ProgramFilter { page: 4, per_page: 10, ..Default::default() }).await.unwrap();
        assert_eq!(last.items.len(), all.len() - 30);

        let local = store
            .list_programs(&ProgramFilter { category: Some("chantiers-locaux".into()), page: 1, per_page: 50, ..Default::default() })
            .await
            .unwrap();
        assert!(local.total >= 5);
        assert!(local.items.iter().all(|i| i.category.as_deref() == Some("Chantiers locaux")));

        let intra = store
            .list_programs(&ProgramFilter { kind: Some(ProgramKind::Intra), page: 1, per_page: 200, ..Default::default() })
            .await
            .unwrap();
        assert!(intra.items.iter().all(|i| i.kind == ProgramKind::Intra));
        assert!(intra.total > 0 && intra.total < all.len() as u64);

        let categories = store.categories().await.unwrap();
        assert!(categories.len() >= 5);
        assert_eq!(categories.iter().map(|c| c.programs).sum::<i64>(), all.len() as i64);
        assert!(store.program("nexiste-pas").await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn batches_walk_every_sheet_once_in_title_order() {
    each_backend(|store, url| async move {
        let mut all = vec![parse_catalogue_page(SEED).unwrap()];
        all.extend(demo_pages());
        store.import_programs(&all, "test").await.unwrap();
        let mut seen = Vec::new();
        let mut sizes = Vec::new();
        store
            .for_each_program_batch(7, |batch| {
                sizes.push(batch.len());
                seen.extend(batch.into_iter().map(|p| p.slug.to_string()));
                Ok::<_, StoreError>(())
            })
            .await
            .unwrap();
        assert_eq!(sizes, vec![7, 7, 7, 7, 5], "{url}");
        let listed = store.list_programs(&ProgramFilter { page: 1, per_page: 200, ..Default::default() }).await.unwrap();
        assert_eq!(seen, listed.items.iter().map(|i| i.slug.clone()).collect::<Vec<_>>());
    })
    .await;
}

fn deunicode_lower(s: &str) -> String {
    deunicode::deunicode(s).to_lowercase()
}

fn plan(kind: ProgramKind, client_id: Option<i64>, capacity: Option<u32>, dates: &[NaiveDate]) -> SessionPlan {
    let days = dates.iter().map(|&d| PlannedDay { place: "Moulins".into(), ..PlannedDay::on(d) }).collect();
    SessionPlan { kind, client_id, capacity, modules: vec![], days }
}

#[tokio::test]
async fn sessions_upcoming_and_public() {
    each_backend(|store, url| async move {
        let seed = parse_catalogue_page(SEED).unwrap();
        let inter = demo_pages().into_iter().find(|p| p.kind == ProgramKind::Inter).unwrap();
        store.import_programs(&[seed.clone(), inter.clone()], "test").await.unwrap();
        let d = |m, dd| NaiveDate::from_ymd_opt(2027, m, dd).unwrap();
        let client = store.create_client("CAF de l'Allier", "test").await.unwrap();
        let past = plan(ProgramKind::Inter, None, Some(12), &[NaiveDate::from_ymd_opt(2019, 3, 22).unwrap()]);
        store.create_session(inter.slug.as_str(), &past, "test").await.unwrap();
        let later = plan(ProgramKind::Inter, None, Some(12), &[d(4, 8), d(4, 9)]);
        let soon = plan(ProgramKind::Inter, None, None, &[d(2, 1)]);
        let intra = plan(ProgramKind::Intra, Some(client), Some(20), &[d(3, 22)]);
        let later_id = store.create_session(inter.slug.as_str(), &later, "test").await.unwrap();
        let soon_id = store.create_session(inter.slug.as_str(), &soon, "test").await.unwrap();
        store.create_session(seed.slug.as_str(), &intra, "test").await.unwrap();

        let from = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let public = store.upcoming_sessions(from, None, true, 50).await.unwrap();
        assert_eq!(public.len(), 2, "{url}: past and INTRA sessions are not public");
        assert_eq!(public[0].first_day(), Some(d(2, 1)), "soonest first");
        assert_eq!(public[1].id, later_id);
        assert_eq!(public[1].days.len(), 2);
        assert_eq!(public[1].seats_left, Some(12));
        let all = store.upcoming_sessions(from, Some(seed.slug.as_str()), false, 50).await.unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].kind, ProgramKind::Intra);

        let unknown = store.create_session("nexiste-pas", &plan(ProgramKind::Inter, None, None, &[d(1, 5)]), "test").await;
        assert!(matches!(unknown, Err(StoreError::UnknownProgram(_))));
        assert_eq!(store.audit_events(Some("session"), 10).await.unwrap().len(), 4);

        store.set_session_cancelled(soon_id, true, "test").await.unwrap();
        let public = store.upcoming_sessions(from, None, true, 50).await.unwrap();
        assert_eq!(public.len(), 1, "{url}: a cancelled session is no longer advertised");
    })
    .await;
}

#[tokio::test]
async fn audit_log_is_append_only() {
    each_backend(|store, url| async move {
        store.import_programs(&[parse_catalogue_page(SEED).unwrap()], "test").await.unwrap();
        store.close().await;
        let refused = if url.starts_with("sqlite") {
            let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
            let update = sqlx::query("UPDATE audit_events SET actor = 'x'").execute(&mut conn).await;
            let delete = sqlx::query("DELETE FROM audit_events").execute(&mut conn).await;
            update.is_err() && delete.is_err()
        } else {
            let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
            let update = sqlx::query("UPDATE audit_events SET actor = 'x'").execute(&mut conn).await;
            let delete = sqlx::query("DELETE FROM audit_events").execute(&mut conn).await;
            update.is_err() && delete.is_err()
        };
        assert!(refused, "{url}: the audit log cannot be rewritten");
    })
    .await;
}

#[tokio::test]
async fn schemas_match_between_backends() {
    let Ok(admin) = std::env::var(POSTGRES_ENV) else {
        eprintln!("{POSTGRES_ENV} not set: schema comparison skipped");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let urls = test_database_urls(dir.path()).await;
    let sqlite = Store::connect(&urls[0]).await.unwrap();
    let pg = Store::connect(&urls[1]).await.unwrap();
    sqlite.close().await;
    pg.close().await;
    let mut conn = sqlx::SqliteConnection::connect(&urls[0]).await.unwrap();
    let mut lite: Vec<(String, String)> = sqlx::query_as(
        "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let mut conn = sqlx::PgConnection::connect(&urls[1]).await.unwrap();
    let mut postgres: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    lite.sort();
    postgres.sort();
    assert_eq!(lite, postgres, "the two migration folders describe the same tables and columns");
    cleanup(&urls).await;
    let _ = admin;
}

#[tokio::test]
async fn the_list_keeps_each_sheet_missing_items_through_drafts_and_publication() {
    use forma_domain::Indicator1Item::{Prerequisites, Prices};
    use forma_domain::program::Prerequisites as Prereq;
    each_backend(|store, url| async move {
        let seed = parse_catalogue_page(SEED).unwrap();
        store.import_programs(std::slice::from_ref(&seed), "test").await.unwrap();
        let row = |rows: Vec<forma_store::ProgramRow>| rows.into_iter().find(|r| r.slug == seed.slug.as_str()).unwrap();
        assert_eq!(row(store.program_rows().await.unwrap()).missing, vec![Prerequisites, Prices], "{url}");

        let mut draft = seed.clone();
        draft.prerequisites = Prereq::NoneRequired;
        store.save_draft(&draft, "test").await.unwrap();
        let listed = row(store.program_rows().await.unwrap());
        assert!(listed.has_draft && listed.published, "{url}");
        assert_eq!(listed.missing, vec![Prices], "{url}: the badge follows the draft");

        store.discard_draft(seed.slug.as_str(), "test").await.unwrap();
        assert_eq!(row(store.program_rows().await.unwrap()).missing, vec![Prerequisites, Prices], "{url}: back to the published text");

        // Rows written before the column existed are computed when the store opens.
        store.save_draft(&draft, "test").await.unwrap();
        let pool_url = url.clone();
        let raw = forma_store::testing::raw_execute(&pool_url, "UPDATE programs SET missing_items = NULL").await;
        assert!(raw > 0, "{url}");
        let reopened = Store::connect(&url).await.unwrap();
        assert_eq!(row(reopened.program_rows().await.unwrap()).missing, vec![Prices], "{url}: backfilled from the draft");
        reopened.close().await;
    })
    .await;
}
