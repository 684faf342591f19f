use std::sync::Arc;

use forma_domain::organisation::Organisation;

/// What the frame of every page needs.
pub struct Layout {
    pub organisation: String,
    /// The organisation's settings, for the footer (NDA, SIRET, contacts).
    pub org: Arc<Organisation>,
    pub page_title: String,
    pub description: String,
    /// Which main navigation entry is current (« accueil », « formations », « sessions »).
    pub section: &'static str,
    /// The search words, kept in the header's search box.
    pub query: String,
    pub stylesheet: &'static str,
    /// Whether to show the organisation's logo in the header.
    pub logo: bool,
}

impl Layout {
    pub fn new(org: Arc<Organisation>, page_title: impl Into<String>, section: &'static str) -> Self {
        Layout {
            organisation: org.name.clone(),
            org,
            page_title: page_title.into(),
            description: String::new(),
            section,
            query: String::new(),
            stylesheet: crate::assets::STYLESHEET_PATH,
            logo: false,
        }
    }

    pub fn described(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }
}
