use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use forma_domain::organisation::Organisation;
use forma_store::CatalogueStamp;
use tokio::sync::Notify;

use forma_search::SearchIndex;
use forma_store::Store;

use crate::auth::password::Passwords;
use crate::cache::PageCache;
use crate::config::WebConfig;

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub search: Arc<SearchIndex>,
    pub config: Arc<WebConfig>,
    pub(crate) pages: Arc<PageCache>,
    pub(crate) passwords: Passwords,
    /// The organisation's settings, read by every page; replaced when saved.
    organisation: Arc<RwLock<Arc<Organisation>>>,
    /// Wakes the mail worker after a message is queued, so that it goes out without waiting
    /// for the next poll.
    pub mail_wake: Arc<Notify>,
    has_logo: Arc<AtomicBool>,
    /// The catalogue stamp this node's search index was built from.
    indexed: Arc<RwLock<Option<CatalogueStamp>>>,
    /// The key of the rotating presence codes, shared by every node (read once from the store).
    pub(crate) presence_secret: Arc<tokio::sync::OnceCell<Vec<u8>>>,
    /// The certificates' signing key, shared by every node (read once from the store).
    pub(crate) certificate_signer: Arc<tokio::sync::OnceCell<forma_domain::certificate::CertificateSigner>>,
    /// Wrong presence codes per registration on this node (see `attendance::trainee`).
    pub(crate) code_failures: Arc<std::sync::Mutex<std::collections::HashMap<i64, (u32, std::time::Instant)>>>,
}

impl AppState {
    pub fn new(store: Store, search: Arc<SearchIndex>, config: WebConfig) -> Self {
        let organisation = Arc::new(RwLock::new(Arc::new(Organisation::named(&config.organisation_name))));
        AppState {
            store,
            search,
            config: Arc::new(config),
            pages: Arc::new(PageCache::default()),
            passwords: Passwords::default(),
            organisation,
            mail_wake: Arc::new(Notify::new()),
            has_logo: Arc::new(AtomicBool::new(false)),
            indexed: Arc::new(RwLock::new(None)),
            presence_secret: Arc::new(tokio::sync::OnceCell::new()),
            certificate_signer: Arc::new(tokio::sync::OnceCell::new()),
            code_failures: Arc::new(std::sync::Mutex::new(std::collections::HashMap::new())),
        }
    }

    pub fn organisation(&self) -> Arc<Organisation> {
        self.organisation.read().map(|o| o.clone()).unwrap_or_else(|poisoned| poisoned.into_inner().clone())
    }

    pub fn organisation_name(&self) -> String {
        self.organisation().name.clone()
    }

    /// The frame of a public page.
    pub fn layout(&self, page_title: impl Into<String>, section: &'static str) -> crate::site::layout::Layout {
        let mut layout = crate::site::layout::Layout::new(self.organisation(), page_title, section);
        layout.logo = self.has_logo();
        layout
    }

    pub(crate) fn indexed_stamp(&self) -> Option<CatalogueStamp> {
        *self.indexed.read().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn set_indexed_stamp(&self, stamp: CatalogueStamp) {
        *self.indexed.write().unwrap_or_else(|p| p.into_inner()) = Some(stamp);
    }

    /// Whether the organisation has a logo, for the pages' header.
    pub fn has_logo(&self) -> bool {
        self.has_logo.load(Ordering::Relaxed)
    }

    /// Reads the saved settings (if any) into this node; pages are rendered again.
    pub async fn reload_organisation(&self) -> Result<(), forma_store::StoreError> {
        self.has_logo.store(self.store.has_logo().await?, Ordering::Relaxed);
        if let Some(saved) = self.store.organisation().await? {
            match self.organisation.write() {
                Ok(mut o) => *o = Arc::new(saved),
                Err(poisoned) => *poisoned.into_inner() = Arc::new(saved),
            }
            self.pages.clear();
        }
        Ok(())
    }

    /// Forgets rendered pages after a change to the catalogue or the sessions.
    pub fn catalogue_changed(&self) {
        self.pages.clear();
    }
}
