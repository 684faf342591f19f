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
