//! Keeps this node's search index and page cache in step with the database when the catalogue
//! changes elsewhere: a `forma import` run while the server is up, or another node writing to
//! the same PostgreSQL. A cheap stamp query is polled; a rebuild happens only when it moves.

use forma_store::CatalogueStamp;

use crate::state::AppState;

async fn refresh(state: &AppState, last: &mut Option<CatalogueStamp>) -> anyhow::Result<bool> {
    let stamp = state.store.catalogue_stamp().await?;
    if last.is_some_and(|l| l == stamp) {
        return Ok(false);
    }
    let changed = last.is_some();
    if changed {
        let programs = state.store.all_programs().await?;
        state.search.rebuild(&programs)?;
        state.catalogue_changed();
        tracing::info!(programs = programs.len(), "catalogue modifié : index de recherche reconstruit");
    }
    *last = Some(stamp);
    Ok(changed)
}

/// Starts the watcher; it runs until the process ends.
pub fn spawn_catalogue_watcher(state: AppState) {
    let interval = state.config.refresh_interval;
    tokio::spawn(async move {
        let mut last = None;
        loop {
            if let Err(e) = refresh(&state, &mut last).await {
                tracing::warn!(error = %e, "vérification du catalogue impossible");
            }
            tokio::time::sleep(interval).await;
        }
    });
}
