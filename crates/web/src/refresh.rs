//! Keeps this node's search index and page cache in step with the database when the catalogue
//! changes elsewhere: a `forma import` run while the server is up, or another node writing to
//! the same PostgreSQL. A cheap stamp query is polled; a rebuild happens only when it moves.

use crate::state::AppState;

async fn refresh(state: &AppState) -> anyhow::Result<()> {
    let stamp = state.store.catalogue_stamp().await?;
    let last = state.indexed_stamp();
    if last.is_some_and(|l| l == stamp) {
        return Ok(());
    }
    if last.is_none_or(|l| l.organisation_modified != stamp.organisation_modified) {
        state.reload_organisation().await?;
    }
    // The search index holds sheets only: a session's change just empties the page cache.
    if last.is_none_or(|l| (l.programs, l.last_modified) != (stamp.programs, stamp.last_modified)) {
        rebuild_search(state).await?;
        tracing::info!(programs = state.search.len(), "catalogue modifié : index de recherche reconstruit");
    } else {
        state.set_indexed_stamp(stamp);
        tracing::info!("sessions modifiées : pages publiques rafraîchies");
    }
    state.catalogue_changed();
    Ok(())
}

/// Removes lapsed login sessions and old failed-login records, hourly.
pub fn spawn_session_sweeper(state: AppState) {
    tokio::spawn(async move {
        loop {
            let window = chrono::Utc::now() - chrono::Duration::minutes(forma_domain::account::THROTTLE_WINDOW_MINUTES);
            match state.store.purge_expired(window).await {
                Ok(n) if n > 0 => tracing::info!(sessions = n, "sessions expirées supprimées"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "nettoyage des sessions impossible"),
            }
            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
        }
    });
}

/// Starts the watcher; it compares the database's stamp with the one this node's index was built
/// from (recorded by every rebuild), so a change made during start-up or by this node's own
/// writes is neither missed nor indexed twice. It runs until the process ends.
pub fn spawn_catalogue_watcher(state: AppState) {
    let interval = state.config.refresh_interval;
    tokio::spawn(async move {
        loop {
            if let Err(e) = refresh(&state).await {
                tracing::warn!(error = %e, "vérification du catalogue impossible");
            }
            tokio::time::sleep(interval).await;
        }
    });
}

/// Rebuilds the search index from the store, a batch of sheets at a time so that a large
/// catalogue never sits in memory whole. Records the catalogue's stamp as read before the
/// rebuild: whatever changes after it moves the stamp again.
pub async fn rebuild_search(state: &AppState) -> anyhow::Result<()> {
    let stamp = state.store.catalogue_stamp().await?;
    let mut rebuild = state.search.start_rebuild()?;
    state
        .store
        .for_each_program_batch(REBUILD_BATCH, |batch| rebuild.add(&batch).map_err(anyhow::Error::from))
        .await?;
    rebuild.finish()?;
    state.set_indexed_stamp(stamp);
    Ok(())
}

const REBUILD_BATCH: u32 = 200;

/// After a write from this node: the search index and the page cache follow at once, without
/// waiting for the watcher (other nodes catch up through it).
pub async fn after_catalogue_write(state: &AppState) {
    if let Err(e) = rebuild_search(state).await {
        tracing::error!(error = ?e, "reconstruction de l'index de recherche impossible");
    }
    state.catalogue_changed();
}
