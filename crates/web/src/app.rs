//! The application seam: bind the configured address (port 0 in tests), report the real one,
//! serve until told to stop.

use std::future::Future;
use std::net::SocketAddr;

use tokio::net::TcpListener;

use crate::router::router;
use crate::state::AppState;

pub struct Application {
    listener: TcpListener,
    router: axum::Router,
}

impl Application {
    pub async fn build(mut state: AppState) -> std::io::Result<Self> {
        let listener = TcpListener::bind(state.config.addr).await?;
        // Links in messages name the real address when no public one is configured (port 0).
        let mut config = (*state.config).clone();
        config.addr = listener.local_addr()?;
        state.config = std::sync::Arc::new(config);
        crate::refresh::spawn_catalogue_watcher(state.clone());
        crate::refresh::spawn_session_sweeper(state.clone());
        crate::offer_mail::spawn_offer_sweeper(state.clone());
        Ok(Application { listener, router: router(state) })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub async fn run_until_stopped(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        axum::serve(self.listener, self.router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown)
            .await
    }
}
