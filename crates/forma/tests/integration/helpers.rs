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
    spawn_app_with_mail(db, None).await
}

/// Starts the server with the demo on `db`, delivering mail to `smtp_url` when given.
pub async fn spawn_app_with_mail(db: &str, smtp_url: Option<String>) -> TestApp {
    spawn(db, true, smtp_url).await
}

async fn spawn(db: &str, demo: bool, smtp_url: Option<String>) -> TestApp {
    let config = WebConfig { addr: SocketAddr::from(([127, 0, 0, 1], 0)), refresh_interval: std::time::Duration::from_millis(200), ..WebConfig::default() };
    let mail = smtp_url.map(|url| forma_mail::MailConfig {
        poll_interval: std::time::Duration::from_millis(200),
        ..forma_mail::MailConfig::new(url, "EGOC <formation@egoc.test>")
    });
    let (app, _) = forma::start_with_mail(db, config, demo, mail).await.expect("start");
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

/// Runs `test` once per backend, each on a fresh database without the demo (no catalogue, no
/// accounts, empty directory).
pub async fn on_each_empty_backend<F, Fut>(test: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let urls = test_database_urls(dir.path()).await;
    for url in &urls {
        test(spawn(url, false, None).await).await;
    }
    cleanup(&urls).await;
}

/// A person for the authorization and back-office tests.
#[derive(Debug, Clone)]
pub struct Persona {
    pub label: &'static str,
    pub role: Option<forma_domain::account::Role>,
    pub client_id: Option<i64>,
    pub user_id: Option<i64>,
}

pub const TEST_PASSWORD: &str = "une phrase de passe de test";

impl TestApp {
    pub async fn store(&self) -> Store {
        Store::connect(&self.db).await.expect("database")
    }

    /// Creates an account with a password (through the same invitation path as the product).
    pub async fn account(&self, email: &str, role: forma_domain::account::Role, client_id: Option<i64>) -> i64 {
        let store = self.store().await;
        let user = forma_store::NewUser { email: forma_domain::account::Email::parse(email).unwrap(), name: format!("Test {}", role.label()), role, client_id };
        let invitation = forma_web::auth::invitation::invite(&store, &self.base, "EGOC", &user, false, "test").await.unwrap();
        let hash = forma_web::auth::password::Passwords::default().hash(TEST_PASSWORD.into()).await.unwrap();
        store.set_password(invitation.user_id, &hash, "test").await.unwrap();
        store.close().await;
        invitation.user_id
    }

    /// A fresh session cookie for the account, without going through the login form.
    pub async fn session_cookie(&self, user_id: i64) -> String {
        let store = self.store().await;
        let token = forma_web::auth::token::new_token();
        let expires = chrono::Utc::now() + chrono::Duration::hours(1);
        let user = store.user(user_id).await.unwrap().expect("account");
        store.open_session(&forma_web::auth::token::hash_token(&token), &user, expires, "test").await.unwrap();
        store.close().await;
        format!("forma_session={token}")
    }

    /// A client with a cookie jar, signed in through the login form.
    pub async fn signed_in(&self, email: &str) -> reqwest::Client {
        let client = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let response =
            client.post(format!("{}/connexion", self.base)).form(&[("email", email), ("password", TEST_PASSWORD), ("suite", "")]).send().await.unwrap();
        assert_eq!(response.status(), 303, "login of {email}");
        client
    }

    /// The staff and client personas of the authorization walk, created on this app.
    pub async fn personas(&self) -> Vec<Persona> {
        use forma_domain::account::Role;
        let store = self.store().await;
        let client_a = store.create_client("CAF Test A", "test").await.unwrap();
        let client_b = store.create_client("CAF Test B", "test").await.unwrap();
        store.close().await;
        let mut personas = vec![Persona { label: "anonyme", role: None, client_id: None, user_id: None }];
        for (label, role, client) in [
            ("admin", Role::Admin, None),
            ("gestionnaire", Role::Gestionnaire, None),
            ("formateur", Role::Formateur, None),
            ("stagiaire", Role::Stagiaire, None),
            ("client A", Role::Client, Some(client_a)),
            ("client B (autre organisation)", Role::Client, Some(client_b)),
        ] {
            let email = format!("{}@test.forma.test", label.replace([' ', '(', ')'], "-"));
            let id = self.account(&email, role, client).await;
            personas.push(Persona { label, role: Some(role), client_id: client, user_id: Some(id) });
        }
        personas
    }
}

/// A posted form body with some fields changed (or added).
pub fn with(body: &[u8], changes: &[(&str, &str)]) -> String {
    let mut pairs: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    for (name, value) in changes {
        match pairs.iter_mut().find(|(n, _)| n == name) {
            Some(pair) => pair.1 = (*value).to_owned(),
            None => pairs.push(((*name).to_owned(), (*value).to_owned())),
        }
    }
    form_urlencoded::Serializer::new(String::new()).extend_pairs(&pairs).finish()
}

/// Posts a urlencoded body with `client` (its cookies).
pub async fn post_form(app: &TestApp, client: &reqwest::Client, path: &str, body: String) -> reqwest::Response {
    client.post(format!("{}{path}", app.base)).header("content-type", "application/x-www-form-urlencoded").body(body).send().await.unwrap()
}

/// A page fetched with `client` (its cookies), which must answer 200; apostrophes and ampersands
/// unescaped, so that assertions read as the French text does.
pub async fn get_page(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let r = client.get(format!("{}{path}", app.base)).send().await.unwrap();
    assert_eq!(r.status(), 200, "{path}");
    unescaped(r).await
}

/// A response's body, apostrophes and ampersands unescaped.
pub async fn unescaped(r: reqwest::Response) -> String {
    r.text().await.unwrap().replace("&#39;", "'").replace("&#38;", "&")
}

/// Where a redirection leads.
pub fn location(r: &reqwest::Response) -> String {
    r.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or_default().to_owned()
}

/// Registers `trainee` to every day of `session` from the back-office, with the personal link
/// whose token is `token` (valid 30 days), as a convocation would give it.
pub async fn register_with_link(store: &Store, session: i64, trainee: &forma_domain::registration::NewTrainee, token: &str) -> i64 {
    let link =
        forma_store::RegistrationLink { token_hash: forma_web::auth::token::hash_token(token), expires_at: chrono::Utc::now() + chrono::Duration::days(30) };
    let new = forma_store::NewRegistration {
        session_id: session,
        trainee,
        client_id: None,
        days: forma_domain::registration::DayChoice::All,
        idempotency_key: None,
        origin: forma_store::RegistrationOrigin::BackOffice,
        link: Some(link),
        mail: None,
    };
    store.register(&new, "test").await.unwrap().registration_id
}

/// A one-day INTER session of the seed's program today (Paris), run on `schedule`, with one
/// confirmed registration per (first name, mailbox) — last name `last_name`, address
/// `{mailbox}@caf03.test` — each with a personal link whose token derives from `token_base`.
/// Gives the session, its day and the (registration, token) pairs.
pub async fn session_today(
    app: &TestApp,
    schedule: forma_domain::half_day::DaySchedule,
    last_name: &str,
    trainees: &[(&str, String)],
    token_base: u128,
) -> (i64, i64, Vec<(i64, String)>) {
    let today = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Paris).date_naive();
    let plan = forma_domain::session::SessionPlan {
        kind: forma_domain::ProgramKind::Inter,
        client_id: None,
        capacity: Some(10),
        modules: vec![],
        days: vec![forma_domain::session::PlannedDay { place: "Moulins".into(), schedule, ..forma_domain::session::PlannedDay::on(today) }],
    };
    let store = app.store().await;
    let session = store.create_session(SEED_SLUG, &plan.validated().unwrap(), "test").await.unwrap();
    let day = store.session(session).await.unwrap().unwrap().days[0].id;
    let mut registrations = Vec::new();
    for (n, (first_name, mailbox)) in trainees.iter().enumerate() {
        let trainee = forma_domain::registration::TraineeInput {
            first_name: (*first_name).into(),
            last_name: last_name.into(),
            email: format!("{mailbox}@caf03.test"),
            employer: "CAF de l'Allier".into(),
            job_role: "Technicien conseil".into(),
            bpf_type: "private_employee".into(),
        }
        .validated()
        .unwrap();
        let token = format!("{:032x}", token_base + n as u128);
        registrations.push((register_with_link(&store, session, &trainee, &token).await, token));
    }
    store.close().await;
    (session, day, registrations)
}

/// The message to `to` whose subject has `subject` and whose text part has `marker`.
pub async fn wait_mail(smtp: &forma_mail::testing::SmtpServer, to: &str, subject: &str, marker: &str) -> forma_mail::testing::Received {
    // Generous: the demo's own reminders and invitations are queued ahead at start, and a loaded
    // machine delivers them slowly; the wait ends as soon as the message is there.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        if let Some(m) = smtp.received().into_iter().find(|m| m.to == to && m.subject.contains(subject) && m.plain.contains(marker)) {
            return m;
        }
        assert!(std::time::Instant::now() < deadline, "no « {subject} » message to {to} within 60 s");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// A client with the session cookie of a demo account (they have no password).
pub async fn as_demo(app: &TestApp, email: &str) -> reqwest::Client {
    let store = app.store().await;
    let id = store.users().await.unwrap().into_iter().find(|u| u.email == email).expect("demo account").id;
    store.close().await;
    let cookie = app.session_cookie(id).await;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::COOKIE, cookie.parse().unwrap());
    reqwest::Client::builder().default_headers(headers).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}
