//! The client directory: a client's details, its sites and its contacts. The plain list that
//! accounts need (`clients()`, `client()`, `create_client`) stays in `accounts.rs`.

use forma_domain::account::Email;
use forma_domain::directory::{ClientDetails, NewContact, NewSite};
use serde::Serialize;

use crate::audit::record;
use crate::error::{conflict_on_unique, conflict_or_missing};
use crate::{Store, StoreError, now, on_pool};

/// A client with everything the back-office and documents (conventions) show about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ClientRecord {
    pub id: i64,
    pub name: String,
    pub address: String,
    pub siret: Option<String>,
    /// Who signs for the client: « Mme Dupont, directrice ».
    pub representative: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// One line of the clients list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ClientSummary {
    pub id: i64,
    pub name: String,
    pub address: String,
    pub sites: i64,
    pub contacts: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ClientSite {
    pub id: i64,
    pub client_id: i64,
    pub name: String,
    pub address: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ClientContact {
    pub id: i64,
    pub client_id: i64,
    pub name: String,
    pub job_title: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

const CLIENT_COLUMNS: &str = "SELECT id, name, address, siret, representative, email, phone FROM clients";
const SAME_NAME: &str = "Un client porte déjà ce nom.";

fn email(value: &Option<Email>) -> Option<&str> {
    value.as_ref().map(Email::as_str)
}

impl Store {
    /// Creates a client with its details.
    pub async fn create_client_details(&self, details: &ClientDetails, actor: &str) -> Result<i64, StoreError> {
        let after = serde_json::to_value(details).ok();
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO clients (name, address, siret, representative, email, phone, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(&details.name)
            .bind(&details.address)
            .bind(&details.siret)
            .bind(&details.representative)
            .bind(email(&details.email))
            .bind(&details.phone)
            .bind(now())
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| conflict_on_unique(e, SAME_NAME))?;
            record!(tx, actor, "client", id.to_string(), "create", None::<serde_json::Value>, after)?;
            tx.commit().await?;
            Ok(id)
        })
    }

    pub async fn update_client(&self, id: i64, details: &ClientDetails, actor: &str) -> Result<(), StoreError> {
        let after = serde_json::to_value(details).ok();
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let before = sqlx::query_as::<_, ClientRecord>(sqlx::AssertSqlSafe(format!("{CLIENT_COLUMNS} WHERE id = $1")))
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("client {id}")))?;
            sqlx::query(
                "UPDATE clients SET name = $1, address = $2, siret = $3, representative = $4, email = $5, phone = $6 WHERE id = $7",
            )
            .bind(&details.name)
            .bind(&details.address)
            .bind(&details.siret)
            .bind(&details.representative)
            .bind(email(&details.email))
            .bind(&details.phone)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(|e| conflict_on_unique(e, SAME_NAME))?;
            record!(tx, actor, "client", id.to_string(), "update", serde_json::to_value(before).ok(), after)?;
            tx.commit().await?;
            Ok(())
        })
    }

    pub async fn client_details(&self, id: i64) -> Result<Option<ClientRecord>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as::<_, ClientRecord>(sqlx::AssertSqlSafe(format!("{CLIENT_COLUMNS} WHERE id = $1")))
                .bind(id)
                .fetch_optional(pool)
                .await?)
        })
    }

    /// Every client by name, with how many sites and contacts it has.
    pub async fn client_summaries(&self) -> Result<Vec<ClientSummary>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as::<_, ClientSummary>(
                "SELECT c.id, c.name, c.address, \
                 (SELECT COUNT(*) FROM client_sites s WHERE s.client_id = c.id) AS sites, \
                 (SELECT COUNT(*) FROM client_contacts k WHERE k.client_id = c.id) AS contacts \
                 FROM clients c ORDER BY c.name",
            )
            .fetch_all(pool)
            .await?)
        })
    }

    pub async fn add_client_site(&self, client_id: i64, site: &NewSite, actor: &str) -> Result<i64, StoreError> {
        let after = serde_json::json!({ "client_id": client_id, "name": site.name, "address": site.address });
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let id: i64 = sqlx::query_scalar("INSERT INTO client_sites (client_id, name, address) VALUES ($1, $2, $3) RETURNING id")
                .bind(client_id)
                .bind(&site.name)
                .bind(&site.address)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| conflict_or_missing(e, "Ce client a déjà un site de ce nom.", "client"))?;
            record!(tx, actor, "client_site", id.to_string(), "create", None::<serde_json::Value>, Some(after))?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// A client's sites by name.
    pub async fn client_sites(&self, client_id: i64) -> Result<Vec<ClientSite>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as::<_, ClientSite>("SELECT id, client_id, name, address FROM client_sites WHERE client_id = $1 ORDER BY name")
                .bind(client_id)
                .fetch_all(pool)
                .await?)
        })
    }

    /// Every client's sites, with the client's name, by client then site.
    pub async fn all_client_sites(&self) -> Result<Vec<(ClientSite, String)>, StoreError> {
        let rows: Vec<(i64, i64, String, String, String)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT s.id, s.client_id, s.name, s.address, c.name FROM client_sites s JOIN clients c ON c.id = s.client_id \
                 ORDER BY c.name, s.name",
            )
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(|(id, client_id, name, address, client)| (ClientSite { id, client_id, name, address }, client)).collect())
    }

    /// Deletes a site (a venue on it is kept, no longer tied to it); returns its client's id.
    pub async fn delete_client_site(&self, id: i64, actor: &str) -> Result<i64, StoreError> {
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let site = sqlx::query_as::<_, ClientSite>("SELECT id, client_id, name, address FROM client_sites WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("site {id}")))?;
            sqlx::query("DELETE FROM client_sites WHERE id = $1").bind(id).execute(&mut *tx).await?;
            record!(tx, actor, "client_site", id.to_string(), "delete", serde_json::to_value(&site).ok(), None::<serde_json::Value>)?;
            tx.commit().await?;
            Ok(site.client_id)
        })
    }

    pub async fn add_client_contact(&self, client_id: i64, contact: &NewContact, actor: &str) -> Result<i64, StoreError> {
        let mut after = serde_json::to_value(contact).unwrap_or_default();
        after["client_id"] = client_id.into();
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO client_contacts (client_id, name, job_title, email, phone, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(client_id)
            .bind(&contact.name)
            .bind(&contact.job_title)
            .bind(email(&contact.email))
            .bind(&contact.phone)
            .bind(now())
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| conflict_or_missing(e, "Ce contact existe déjà.", "client"))?;
            record!(tx, actor, "client_contact", id.to_string(), "create", None::<serde_json::Value>, Some(after))?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// A client's contacts by name.
    pub async fn client_contacts(&self, client_id: i64) -> Result<Vec<ClientContact>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as::<_, ClientContact>(
                "SELECT id, client_id, name, job_title, email, phone FROM client_contacts WHERE client_id = $1 ORDER BY name, id",
            )
            .bind(client_id)
            .fetch_all(pool)
            .await?)
        })
    }

    /// Deletes a contact; returns its client's id.
    pub async fn delete_client_contact(&self, id: i64, actor: &str) -> Result<i64, StoreError> {
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let contact = sqlx::query_as::<_, ClientContact>("SELECT id, client_id, name, job_title, email, phone FROM client_contacts WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("contact {id}")))?;
            sqlx::query("DELETE FROM client_contacts WHERE id = $1").bind(id).execute(&mut *tx).await?;
            record!(tx, actor, "client_contact", id.to_string(), "delete", serde_json::to_value(&contact).ok(), None::<serde_json::Value>)?;
            tx.commit().await?;
            Ok(contact.client_id)
        })
    }
}
