//! The training organisation's settings (one row), its logo and its règlement intérieur.

use chrono::{DateTime, Utc};
use forma_domain::organisation::Organisation;
use sqlx::types::Json;

use crate::audit::record;
use crate::{Store, StoreError, now, on_pool};

impl Store {
    /// The saved settings, or `None` before anyone saved them.
    pub async fn organisation(&self) -> Result<Option<Organisation>, StoreError> {
        let row: Option<(Json<Organisation>,)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT body FROM organisation WHERE id = 1").fetch_optional(pool).await?
        });
        Ok(row.map(|r| r.0.0))
    }

    pub async fn save_organisation(&self, organisation: &Organisation, actor: &str) -> Result<(), StoreError> {
        let after = serde_json::to_value(organisation).ok();
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let before: Option<(Json<serde_json::Value>,)> =
                sqlx::query_as("SELECT body FROM organisation WHERE id = 1").fetch_optional(&mut *tx).await?;
            sqlx::query(
                "INSERT INTO organisation (id, body, modified_at) VALUES (1, $1, $2) \
                 ON CONFLICT (id) DO UPDATE SET body = excluded.body, modified_at = excluded.modified_at",
            )
            .bind(Json(organisation))
            .bind(now())
            .execute(&mut *tx)
            .await?;
            record!(tx, actor, "organisation", "1", "update", before.map(|b| b.0.0), after)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Stores the logo (settings must exist first). `None` removes it.
    pub async fn set_logo(&self, logo: Option<(&[u8], &str)>, actor: &str) -> Result<(), StoreError> {
        let (bytes, mime) = logo.map_or((None, None), |(b, m)| (Some(b), Some(m)));
        let after = logo.map(|(b, m)| serde_json::json!({ "type": m, "bytes": b.len() }));
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let done = sqlx::query("UPDATE organisation SET logo = $1, logo_type = $2, modified_at = $3 WHERE id = 1")
                .bind(bytes)
                .bind(mime)
                .bind(now())
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound("paramètres de l'organisme".into()));
            }
            record!(tx, actor, "organisation", "1", "logo", None::<serde_json::Value>, after)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Whether a logo is stored, without reading it.
    pub async fn has_logo(&self) -> Result<bool, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_scalar::<_, bool>("SELECT logo IS NOT NULL FROM organisation WHERE id = 1").fetch_optional(pool).await?.unwrap_or(false))
        })
    }

    pub async fn logo(&self) -> Result<Option<(Vec<u8>, String)>, StoreError> {
        let row: Option<(Option<Vec<u8>>, Option<String>)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT logo, logo_type FROM organisation WHERE id = 1").fetch_optional(pool).await?
        });
        Ok(row.and_then(|(bytes, mime)| Some((bytes?, mime?))))
    }

    /// Replaces the règlement intérieur (a PDF; settings must exist first). The journal keeps its
    /// size and digest, so an auditor can tell which version was in force when.
    pub async fn set_rules(&self, pdf: &[u8], actor: &str) -> Result<DateTime<Utc>, StoreError> {
        use sha2::Digest;
        let digest: String = sha2::Sha256::digest(pdf).iter().map(|b| format!("{b:02x}")).collect();
        let after = serde_json::json!({ "bytes": pdf.len(), "sha256": digest });
        let at = now();
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let done = sqlx::query("UPDATE organisation SET rules_pdf = $1, rules_updated_at = $2, modified_at = $2 WHERE id = 1")
                .bind(pdf)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound("paramètres de l'organisme".into()));
            }
            record!(tx, actor, "organisation", "1", "rules", None::<serde_json::Value>, Some(after))?;
            tx.commit().await?;
            Ok(at)
        })
    }

    /// When the règlement intérieur was last replaced, without reading it; `None` when none is stored.
    pub async fn rules_updated_at(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let row: Option<(Option<DateTime<Utc>>,)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT rules_updated_at FROM organisation WHERE id = 1 AND rules_pdf IS NOT NULL").fetch_optional(pool).await?
        });
        Ok(row.and_then(|r| r.0))
    }

    /// The règlement intérieur and when it was stored.
    pub async fn rules(&self) -> Result<Option<(Vec<u8>, DateTime<Utc>)>, StoreError> {
        type Stored = (Option<Vec<u8>>, Option<DateTime<Utc>>);
        let row: Option<Stored> = on_pool!(self, pool => {
            sqlx::query_as("SELECT rules_pdf, rules_updated_at FROM organisation WHERE id = 1").fetch_optional(pool).await?
        });
        Ok(row.and_then(|(pdf, at)| Some((pdf?, at?))))
    }
}
