//! Fresh databases for tests: a temporary SQLite file always, and a new PostgreSQL database when
//! `FORMA_TEST_POSTGRES_URL` names a server (CI sets it).

use rand::Rng;
use sqlx::Connection;

/// The environment variable that turns the PostgreSQL half of the suite on.
pub const POSTGRES_ENV: &str = "FORMA_TEST_POSTGRES_URL";

/// Creates an empty database on the server at `admin_url` and returns its URL.
pub async fn fresh_postgres_url(admin_url: &str) -> Result<String, sqlx::Error> {
    let name = format!("forma_test_{:016x}", rand::rng().random::<u64>());
    let mut conn = sqlx::PgConnection::connect(admin_url).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await?;
    conn.close().await?;
    let base = admin_url.split('?').next().unwrap_or(admin_url);
    let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
    Ok(format!("{server}/{name}"))
}

/// Drops a database made by [`fresh_postgres_url`].
pub async fn drop_postgres_database(admin_url: &str, url: &str) -> Result<(), sqlx::Error> {
    let Some((_, name)) = url.rsplit_once('/') else { return Ok(()) };
    if !name.starts_with("forma_test_") {
        return Ok(());
    }
    let mut conn = sqlx::PgConnection::connect(admin_url).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))).execute(&mut conn).await?;
    conn.close().await
}

/// The database URLs a test should run against: SQLite in `dir`, plus PostgreSQL when configured.
pub async fn test_database_urls(dir: &std::path::Path) -> Vec<String> {
    let mut urls = vec![format!("sqlite://{}", dir.join("forma.db").display())];
    if let Ok(admin) = std::env::var(POSTGRES_ENV) {
        urls.push(fresh_postgres_url(&admin).await.expect("create a PostgreSQL test database"));
    }
    urls
}

/// Drops the PostgreSQL databases among `urls`.
pub async fn cleanup(urls: &[String]) {
    if let Ok(admin) = std::env::var(POSTGRES_ENV) {
        for url in urls.iter().filter(|u| u.starts_with("postgres")) {
            let _ = drop_postgres_database(&admin, url).await;
        }
    }
}

/// Runs `test` once per backend (SQLite always, PostgreSQL when configured), each on a fresh,
/// migrated database, with the store and its URL; drops the PostgreSQL databases afterwards.
pub async fn each_backend<F, Fut>(test: F)
where
    F: Fn(crate::Store, String) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let dir = tempfile::tempdir().expect("temporary directory");
    let urls = test_database_urls(dir.path()).await;
    if std::env::var(POSTGRES_ENV).is_err() {
        eprintln!("{POSTGRES_ENV} not set: PostgreSQL half skipped");
    }
    for url in &urls {
        let store = crate::Store::connect(url).await.unwrap_or_else(|e| panic!("{url}: {e}"));
        test(store.clone(), url.clone()).await;
        store.close().await;
    }
    cleanup(&urls).await;
}

/// Runs one SQL statement on the database at `url` outside the store (to set up states the
/// store itself never writes, such as rows from an older version); returns the rows affected.
pub async fn raw_execute(url: &str, sql: &str) -> u64 {
    let store = crate::Store::connect(url).await.expect("database");
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    let affected = crate::on_pool!(store, pool => sqlx::query(sql).execute(pool).await.expect("statement").rows_affected());
    store.close().await;
    affected
}
