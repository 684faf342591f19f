use std::net::SocketAddr;
use std::sync::Arc;

use forma_search::SearchIndex;
use forma_store::Store;
use forma_web::{AppState, Application, WebConfig};

/// Opens the store, loads the demo if asked and the base is empty, builds the search index and
/// binds the address. Tests use it with port 0.
pub async fn start(db: &str, config: WebConfig, demo: bool) -> anyhow::Result<Application> {
    start_with_mail(db, config, demo, None).await.map(|(app, _)| app)
}

/// As [`start`], with the mail worker when an SMTP server is configured. Returns the demo's
/// administrator login when the demo was just loaded.
pub async fn start_with_mail(
    db: &str,
    mut config: WebConfig,
    demo: bool,
    mail: Option<forma_mail::MailConfig>,
) -> anyhow::Result<(Application, Option<crate::demo::DemoLogin>)> {
    let store = Store::connect(db).await?;
    let mut login = None;
    if demo && store.count_programs().await? == 0 {
        let loaded = crate::demo::load(&store).await?;
        tracing::info!("{}", loaded.summary);
        login = loaded.admin;
    }
    let mailer = mail.map(forma_mail::Mailer::new).transpose()?;
    config.mail_enabled = mailer.is_some();
    let state = AppState::new(store.clone(), Arc::new(SearchIndex::new()?), config);
    state.reload_organisation().await?;
    forma_web::rebuild_search(&state).await?;
    if mailer.is_some() {
        // Reminders to non-respondents go out only where mail does: otherwise they would be
        // recorded as sent.
        let sweeper = state.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(forma_web::REMINDER_SWEEP_EVERY);
            loop {
                tick.tick().await;
                if let Err(e) = forma_web::send_evaluation_reminders(&sweeper, chrono::Utc::now()).await {
                    tracing::warn!(error = %e, "relances d'évaluation");
                }
            }
        });
    }
    if let Some(mailer) = mailer {
        let worker = forma_mail::spawn_worker(store, mailer, std::future::pending());
        let waker = worker.waker();
        let wake = state.mail_wake.clone();
        // Handlers nudge the state's notifier after queueing a message; pass it on.
        tokio::spawn(async move {
            loop {
                wake.notified().await;
                waker.wake();
            }
        });
    }
    Ok((Application::build(state).await?, login))
}

pub async fn run(
    db: &str,
    addr: SocketAddr,
    demo: bool,
    public_url: Option<String>,
    organisation_name: String,
    mail: Option<forma_mail::MailConfig>,
) -> anyhow::Result<()> {
    let (app, login) = start_with_mail(db, WebConfig { addr, public_url, organisation_name, ..WebConfig::default() }, demo, mail).await?;
    // The e2e suite and scripts read this line to find the port.
    println!("Forma écoute sur http://{}", app.local_addr()?);
    if let Some(login) = login {
        println!("Démonstration — gestion : http://{}/connexion", app.local_addr()?);
        println!("Identifiant : {}", login.email);
        println!("Mot de passe : {}", login.password);
    }
    use std::io::Write;
    std::io::stdout().flush()?;
    app.run_until_stopped(shutdown_signal()).await?;
    Ok(())
}

/// Ctrl-C or SIGTERM (a service manager stopping the server): finish the requests in flight.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("arrêt demandé : fin des requêtes en cours");
}
