//! Providers and trainers. A trainer without a provider is internal to the organisation; one
//! with a provider is subcontracted (BPF, Qualiopi indicator 27).

use forma_domain::account::Email;
use forma_domain::directory::{NewProvider, NewTrainer};
use serde::Serialize;

use crate::audit::record;
use crate::error::conflict_or_missing;
use crate::{Store, StoreError, now, on_pool};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Provider {
    pub id: i64,
    pub name: String,
    pub siret: Option<String>,
    pub address: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Trainer {
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// `None`: internal.
    pub provider_id: Option<i64>,
    pub provider_name: Option<String>,
    /// The trainer's account (profile « formateur »), when they have one.
    pub user_id: Option<i64>,
    pub qualifications: String,
    pub active: bool,
}

impl Trainer {
    pub fn is_internal(&self) -> bool {
        self.provider_id.is_none()
    }
}

const PROVIDER_COLUMNS: &str = "SELECT id, name, siret, address, email, phone FROM providers";
const TRAINER_COLUMNS: &str = "SELECT t.id, t.name, t.email, t.phone, t.provider_id, p.name AS provider_name, t.user_id, t.qualifications, t.active \
     FROM trainers t LEFT JOIN providers p ON p.id = t.provider_id";
const SAME_ACCOUNT: &str = "Ce compte est déjà rattaché à un autre formateur.";
const MISSING_REFERENCE: &str = "prestataire ou compte";

fn email(value: &Option<Email>) -> Option<&str> {
    value.as_ref().map(Email::as_str)
}

impl Store {
    pub async fn create_provider(&self, provider: &NewProvider, actor: &str) -> Result<i64, StoreError> {
        let after = serde_json::to_value(provider).ok();
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO providers (name, siret, address, email, phone, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(&provider.name)
            .bind(&provider.siret)
            .bind(&provider.address)
            .bind(email(&provider.email))
            .bind(&provider.phone)
            .bind(now())
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| crate::error::conflict_on_unique(e, "Un prestataire porte déjà ce nom."))?;
            record!(tx, actor, "provider", id.to_string(), "create", None::<serde_json::Value>, after)?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Every provider by name.
    pub async fn providers(&self) -> Result<Vec<Provider>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as::<_, Provider>(sqlx::AssertSqlSafe(format!("{PROVIDER_COLUMNS} ORDER BY name"))).fetch_all(pool).await?)
        })
    }

    pub async fn provider(&self, id: i64) -> Result<Option<Provider>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as::<_, Provider>(sqlx::AssertSqlSafe(format!("{PROVIDER_COLUMNS} WHERE id = $1"))).bind(id).fetch_optional(pool).await?)
        })
    }

    pub async fn create_trainer(&self, trainer: &NewTrainer, actor: &str) -> Result<i64, StoreError> {
        let after = serde_json::to_value(trainer).ok();
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO trainers (name, email, phone, provider_id, user_id, qualifications, active, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(&trainer.name)
            .bind(email(&trainer.email))
            .bind(&trainer.phone)
            .bind(trainer.provider_id)
            .bind(trainer.user_id)
            .bind(&trainer.qualifications)
            .bind(trainer.active)
            .bind(now())
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| conflict_or_missing(e, SAME_ACCOUNT, MISSING_REFERENCE))?;
            record!(tx, actor, "trainer", id.to_string(), "create", None::<serde_json::Value>, after)?;
            tx.commit().await?;
            Ok(id)
        })
    }

    pub async fn update_trainer(&self, id: i64, trainer: &NewTrainer, actor: &str) -> Result<(), StoreError> {
        let after = serde_json::to_value(trainer).ok();
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let before = sqlx::query_as::<_, Trainer>(sqlx::AssertSqlSafe(format!("{TRAINER_COLUMNS} WHERE t.id = $1")))
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("formateur {id}")))?;
            sqlx::query(
                "UPDATE trainers SET name = $1, email = $2, phone = $3, provider_id = $4, user_id = $5, qualifications = $6, active = $7 WHERE id = $8",
            )
            .bind(&trainer.name)
            .bind(email(&trainer.email))
            .bind(&trainer.phone)
            .bind(trainer.provider_id)
            .bind(trainer.user_id)
            .bind(&trainer.qualifications)
            .bind(trainer.active)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(|e| conflict_or_missing(e, SAME_ACCOUNT, MISSING_REFERENCE))?;
            record!(tx, actor, "trainer", id.to_string(), "update", serde_json::to_value(before).ok(), after)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Every trainer, active or not, by name.
    pub async fn trainers(&self) -> Result<Vec<Trainer>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as::<_, Trainer>(sqlx::AssertSqlSafe(format!("{TRAINER_COLUMNS} ORDER BY t.name, t.id"))).fetch_all(pool).await?)
        })
    }

    pub async fn trainer(&self, id: i64) -> Result<Option<Trainer>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as::<_, Trainer>(sqlx::AssertSqlSafe(format!("{TRAINER_COLUMNS} WHERE t.id = $1"))).bind(id).fetch_optional(pool).await?)
        })
    }
}
