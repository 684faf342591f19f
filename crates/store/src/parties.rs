//! A client as a party to a contract: what a convention prints about them.

use serde::Serialize;

use crate::{Store, StoreError, on_pool};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ClientParty {
    pub name: String,
    pub address: String,
    pub siret: Option<String>,
    pub representative: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

impl Store {
    pub async fn client_party(&self, client_id: i64) -> Result<Option<ClientParty>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as::<_, ClientParty>("SELECT name, address, siret, representative, email, phone FROM clients WHERE id = $1")
                .bind(client_id)
                .fetch_optional(pool)
                .await?)
        })
    }
}
