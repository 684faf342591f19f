//! Slugs: the public identifier of a sheet in URLs (`/formations/{slug}`).

use std::fmt;

use serde::{Deserialize, Serialize};

/// Lowercase ASCII letters, digits and single dashes; 1 to 100 characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

pub const MAX_SLUG_LEN: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("identifiant invalide « {0} » : lettres minuscules sans accent, chiffres et tirets uniquement")]
pub struct InvalidSlug(pub String);

impl Slug {
    pub fn parse(text: &str) -> Result<Self, InvalidSlug> {
        let ok = !text.is_empty()
            && text.len() <= MAX_SLUG_LEN
            && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !text.starts_with('-')
            && !text.ends_with('-')
            && !text.contains("--");
        if ok { Ok(Slug(text.to_owned())) } else { Err(InvalidSlug(text.to_owned())) }
    }

    /// Derives a slug from a title: accents folded, words joined by dashes, cut at a word boundary.
    /// Returns `None` when the title holds no letter or digit at all.
    pub fn from_title(title: &str) -> Option<Self> {
        let folded = deunicode::deunicode(title).to_lowercase();
        let mut slug = String::new();
        for word in folded.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
            let extra = if slug.is_empty() { word.len() } else { word.len() + 1 };
            if slug.len() + extra > MAX_SLUG_LEN {
                if slug.is_empty() {
                    slug.push_str(&word[..MAX_SLUG_LEN]);
                }
                break;
            }
            if !slug.is_empty() {
                slug.push('-');
            }
            slug.push_str(word);
        }
        Slug::parse(&slug).ok()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Slug {
    type Error = InvalidSlug;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Slug::parse(&value)
    }
}

impl From<Slug> for String {
    fn from(value: Slug) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn from_french_title() {
        let s = Slug::from_title("Gérer les situations « de tension » à l'accueil").unwrap();
        assert_eq!(s.as_str(), "gerer-les-situations-de-tension-a-l-accueil");
        assert!(Slug::from_title("« — »").is_none());
    }

    #[test]
    fn rejects_bad_slugs() {
        for bad in ["", "A", "a--b", "-a", "a-", "é", "a b", "../x"] {
            assert!(Slug::parse(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn any_title_gives_a_valid_slug_or_none(title in "\\PC{0,300}") {
            if let Some(slug) = Slug::from_title(&title) {
                prop_assert!(Slug::parse(slug.as_str()).is_ok());
                prop_assert!(slug.as_str().len() <= MAX_SLUG_LEN);
            }
        }

        #[test]
        fn slug_is_idempotent(title in "[a-zA-Zéèàç' -]{1,80}") {
            if let Some(slug) = Slug::from_title(&title) {
                prop_assert_eq!(Slug::from_title(slug.as_str()), Some(slug.clone()));
            }
        }
    }
}
