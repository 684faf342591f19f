use std::net::SocketAddr;
use std::sync::Arc;

use forma_search::SearchIndex;
use forma_store::Store;
use forma_web::{AppState, Application, WebConfig};

/// Opens the store, loads the demo if asked and the base is empty, builds the search index and
/// binds the address. Tests use it with port 0.
pub async fn start(db: &str, config: WebConfig, demo: bool) -> anyhow::Result<Application> {
    let store = Store::connect(db).await?;
    if demo && store.count_programs().await? == 0 {
        let loaded = crate::demo::load(&store).await?;
        tracing::info!("{loaded}");
    }
    let state = AppState::new(store, Arc::new(SearchIndex::new()?), config);
    forma_web::rebuild_search(&state).await?;
    Ok(Application::build(state).await?)
}

pub async fn run(db: &str, addr: SocketAddr, demo: bool, public_url: Option<String>, organisation_name: String) -> anyhow::Result<()> {
    let app = start(db, WebConfig { addr, public_url, organisation_name, ..WebConfig::default() }, demo).await?;
    // The e2e suite and scripts read this line to find the port.
    println!("Forma écoute sur http://{}", app.local_addr()?);
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
