use std::sync::Arc;

use forma_search::SearchIndex;
use forma_store::Store;

use crate::cache::PageCache;
use crate::config::WebConfig;

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub search: Arc<SearchIndex>,
    pub config: Arc<WebConfig>,
    pub(crate) pages: Arc<PageCache>,
}

impl AppState {
    pub fn new(store: Store, search: Arc<SearchIndex>, config: WebConfig) -> Self {
        AppState { store, search, config: Arc::new(config), pages: Arc::new(PageCache::default()) }
    }

    /// Forgets rendered pages after a change to the catalogue or the sessions.
    pub fn catalogue_changed(&self) {
        self.pages.clear();
    }
}
