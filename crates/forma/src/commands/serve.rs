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
    let search = SearchIndex::new()?;
    search.rebuild(&store.all_programs().await?)?;
    let state = AppState::new(store, Arc::new(search), config);
    Ok(Application::build(state).await?)
}

pub async fn run(db: &str, addr: SocketAddr, demo: bool, public_url: Option<String>, organisation_name: String) -> anyhow::Result<()> {
    let app = start(db, WebConfig { addr, public_url, organisation_name }, demo).await?;
    // The e2e suite and scripts read this line to find the port.
    println!("Forma écoute sur http://{}", app.local_addr()?);
    use std::io::Write;
    std::io::stdout().flush()?;
    app.run_until_stopped(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
