/// What the frame of every page needs.
pub struct Layout {
    pub organisation: String,
    pub page_title: String,
    pub description: String,
    /// Which main navigation entry is current (« accueil », « formations », « sessions »).
    pub section: &'static str,
    /// The search words, kept in the header's search box.
    pub query: String,
    pub stylesheet: &'static str,
}

impl Layout {
    pub fn new(organisation: &str, page_title: impl Into<String>, section: &'static str) -> Self {
        Layout {
            organisation: organisation.to_owned(),
            page_title: page_title.into(),
            description: String::new(),
            section,
            query: String::new(),
            stylesheet: crate::assets::STYLESHEET_PATH,
        }
    }

    pub fn described(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }
}
