use std::net::SocketAddr;

use forma_store::Store;
use forma_store::testing::{cleanup, test_database_urls};
use forma_web::WebConfig;

pub const SEED_SLUG: &str = "2019-formation-action-accompagnement-du-pole-service-aux-partenaires-et-accompagnement-social-ctg";

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub db: String,
}

impl TestApp {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(format!("{}{path}", self.base)).send().await.expect("request")
    }

    pub async fn html(&self, path: &str) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        response.text().await.unwrap()
    }
}

/// Prepares the database with `setup`, then starts the server with the demo on `db`.
pub async fn spawn_app_with<F, Fut>(db: &str, setup: F) -> TestApp
where
    F: FnOnce(Store) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let store = Store::connect(db).await.expect("database");
    setup(store.clone()).await;
    store.close().await;
    let config = WebConfig {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        refresh_interval: std::time::Duration::from_millis(200),
        ..WebConfig::default()
    };
    let app = forma::start(db, config, true).await.expect("start");
    let addr = app.local_addr().unwrap();
    tokio::spawn(app.run_until_stopped(std::future::pending()));
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    TestApp { base: format!("http://{addr}"), client, db: db.to_owned() }
}

/// Runs `test` once per backend, each on a fresh database with the demo loaded.
pub async fn on_each_backend<F, Fut>(test: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let urls = test_database_urls(dir.path()).await;
    for url in &urls {
        let app = spawn_app_with(url, |_| async {}).await;
        test(app).await;
    }
    cleanup(&urls).await;
}
