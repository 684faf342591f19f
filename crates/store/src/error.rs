#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("adresse de base de données invalide « {0} » : attendu sqlite://FICHIER ou postgres://…")]
    BadUrl(String),
    #[error("base de données : {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration du schéma : {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("fiche enregistrée illisible ({slug}) : {source}")]
    Corrupt { slug: String, source: serde_json::Error },
    #[error("formation introuvable : {0}")]
    UnknownProgram(String),
    /// A unique value already taken (an e-mail address, a category name, a slug): the message
    /// is for the user, next to the field.
    #[error("{0}")]
    Conflict(String),
    #[error("introuvable : {0}")]
    NotFound(String),
}

/// A unique value already taken becomes a [`StoreError::Conflict`] with `message` (French, for
/// the user); anything else stays a database error.
pub(crate) fn conflict_on_unique(e: sqlx::Error, message: &str) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(message.to_owned()),
        _ => StoreError::Database(e),
    }
}

/// As [`conflict_on_unique`], and a reference to a row that does not exist (a site, a provider,
/// an account chosen in a list and deleted meanwhile) becomes a [`StoreError::NotFound`] naming `what`.
pub(crate) fn conflict_or_missing(e: sqlx::Error, message: &str, what: &str) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::NotFound(what.to_owned()),
        _ => conflict_on_unique(e, message),
    }
}
