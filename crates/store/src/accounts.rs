//! Accounts: client organisations, users, their login sessions, personal links, and failed
//! logins. Secrets (session tokens, link tokens) arrive here already hashed: the store never
//! sees a usable credential.

use chrono::{DateTime, Utc};
use forma_domain::account::{Email, Role};
use serde::Serialize;
use serde_json::json;

use crate::audit::record;
use crate::error::conflict_on_unique;
use crate::outbox::{OutgoingMail, enqueue};
use crate::{Store, StoreError, now, on_pool};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Client {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub client_id: Option<i64>,
    pub client_name: Option<String>,
    pub active: bool,
    pub has_password: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    email: String,
    name: String,
    role: String,
    client_id: Option<i64>,
    client_name: Option<String>,
    active: bool,
    password_hash: Option<String>,
    created_at: DateTime<Utc>,
}

impl UserRow {
    fn into_user(self) -> (User, Option<String>) {
        let user = User {
            id: self.id,
            email: self.email,
            name: self.name,
            // The column's CHECK constraint admits only known roles.
            role: Role::parse(&self.role).unwrap_or(Role::Stagiaire),
            client_id: self.client_id,
            client_name: self.client_name,
            active: self.active,
            has_password: self.password_hash.is_some(),
            created_at: self.created_at,
        };
        (user, self.password_hash)
    }
}

const USER_COLUMNS: &str = "u.id, u.email, u.name, u.role, u.client_id, c.name AS client_name, u.active, u.password_hash, u.created_at \
     FROM users u LEFT JOIN clients c ON c.id = u.client_id";

#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: Email,
    pub name: String,
    pub role: Role,
    pub client_id: Option<i64>,
}

/// What a personal link lets its holder do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkPurpose {
    /// First password of a new account; single use.
    SetPassword,
    /// « Mot de passe oublié »; single use.
    ResetPassword,
    /// A trainee's way in, reusable until it expires or is revoked.
    TraineeAccess,
}

impl LinkPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkPurpose::SetPassword => "set_password",
            LinkPurpose::ResetPassword => "reset_password",
            LinkPurpose::TraineeAccess => "trainee_access",
        }
    }

    fn parse(text: &str) -> LinkPurpose {
        match text {
            "set_password" => LinkPurpose::SetPassword,
            "reset_password" => LinkPurpose::ResetPassword,
            _ => LinkPurpose::TraineeAccess,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            LinkPurpose::SetPassword => "Création du mot de passe",
            LinkPurpose::ResetPassword => "Réinitialisation du mot de passe",
            LinkPurpose::TraineeAccess => "Accès à l'espace stagiaire",
        }
    }
}

/// A link to create: its token's hash, what it is for, until when.
#[derive(Debug, Clone)]
pub struct NewLink {
    pub token_hash: String,
    pub purpose: LinkPurpose,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinkSummary {
    pub purpose: LinkPurpose,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct LinkRow {
    purpose: String,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

/// Recent failed logins for an account or an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureCount {
    pub failures: u32,
    pub last: Option<DateTime<Utc>>,
}

fn user_json(user: &NewUser) -> serde_json::Value {
    json!({ "email": user.email.as_str(), "name": user.name, "role": user.role.as_str(), "client_id": user.client_id })
}

macro_rules! insert_link {
    ($tx:expr, $user_id:expr, $link:expr) => {
        sqlx::query("INSERT INTO personal_links (token_hash, user_id, purpose, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&$link.token_hash)
            .bind($user_id)
            .bind($link.purpose.as_str())
            .bind(now())
            .bind($link.expires_at)
            .execute(&mut *$tx)
            .await
    };
}

impl Store {
    pub async fn create_client(&self, name: &str, actor: &str) -> Result<i64, StoreError> {
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let id: i64 = sqlx::query_scalar("INSERT INTO clients (name, created_at) VALUES ($1, $2) RETURNING id")
                .bind(name)
                .bind(now())
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| conflict_on_unique(e, "Un client porte déjà ce nom."))?;
            record!(tx, actor, "client", id.to_string(), "create", None::<serde_json::Value>, Some(json!({ "name": name })))?;
            tx.commit().await?;
            Ok(id)
        })
    }

    pub async fn clients(&self) -> Result<Vec<Client>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as::<_, Client>("SELECT id, name FROM clients ORDER BY name").fetch_all(pool).await?)
        })
    }

    pub async fn client_by_name(&self, name: &str) -> Result<Option<Client>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as::<_, Client>("SELECT id, name FROM clients WHERE name = $1").bind(name).fetch_optional(pool).await?)
        })
    }

    pub async fn client(&self, id: i64) -> Result<Option<Client>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as::<_, Client>("SELECT id, name FROM clients WHERE id = $1").bind(id).fetch_optional(pool).await?)
        })
    }

    /// Creates an account with its first personal link (and the message carrying it, if any),
    /// all in one transaction: no account without its way in, no message without its account.
    pub async fn create_user(&self, user: &NewUser, link: &NewLink, mail: Option<&OutgoingMail>, actor: &str) -> Result<i64, StoreError> {
        let after = user_json(user);
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let at = now();
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO users (email, name, role, client_id, active, created_at, credentials_changed_at) \
                 VALUES ($1, $2, $3, $4, TRUE, $5, $5) RETURNING id",
            )
            .bind(user.email.as_str())
            .bind(&user.name)
            .bind(user.role.as_str())
            .bind(user.client_id)
            .bind(at)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| conflict_on_unique(e, "Un compte existe déjà avec cette adresse e-mail."))?;
            insert_link!(tx, id, link)?;
            if let Some(mail) = mail {
                enqueue!(tx, mail)?;
            }
            record!(tx, actor, "user", id.to_string(), "create", None::<serde_json::Value>, Some(after))?;
            tx.commit().await?;
            Ok(id)
        })
    }

    pub async fn users(&self) -> Result<Vec<User>, StoreError> {
        let rows = on_pool!(self, pool => {
            sqlx::query_as::<_, UserRow>(sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} ORDER BY u.name, u.id")))
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(|r| r.into_user().0).collect())
    }

    pub async fn user(&self, id: i64) -> Result<Option<User>, StoreError> {
        let row = on_pool!(self, pool => {
            sqlx::query_as::<_, UserRow>(sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} WHERE u.id = $1")))
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(|r| r.into_user().0))
    }

    /// The account and its password hash, for checking a login.
    pub async fn user_for_login(&self, email: &str) -> Result<Option<(User, Option<String>)>, StoreError> {
        let row = on_pool!(self, pool => {
            sqlx::query_as::<_, UserRow>(sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} WHERE u.email = $1")))
                .bind(email.trim().to_lowercase())
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(UserRow::into_user))
    }

    /// Deactivating an account also closes its sessions and its links.
    pub async fn set_user_active(&self, id: i64, active: bool, actor: &str) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let done = sqlx::query("UPDATE users SET active = $1 WHERE id = $2").bind(active).bind(id).execute(&mut *tx).await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound(format!("compte {id}")));
            }
            if !active {
                sqlx::query("DELETE FROM user_sessions WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
                sqlx::query("UPDATE personal_links SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL AND used_at IS NULL")
                    .bind(now())
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            let action = if active { "activate" } else { "deactivate" };
            record!(tx, actor, "user", id.to_string(), action, Some(json!({ "active": !active })), Some(json!({ "active": active })))?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Consumes a single-use link and sets the password it was for; every open session of the
    /// account is closed. Returns the account, or `None` when the link is unknown, used,
    /// revoked or expired.
    pub async fn set_password_with_link(&self, token_hash: &str, password_hash: &str) -> Result<Option<User>, StoreError> {
        let at = now();
        let user_id: Option<i64> = on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let user_id: Option<i64> = sqlx::query_scalar(
                "UPDATE personal_links SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND revoked_at IS NULL \
                 AND expires_at > $1 AND purpose IN ('set_password', 'reset_password') RETURNING user_id",
            )
            .bind(at)
            .bind(token_hash)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(id) = user_id {
                sqlx::query("UPDATE users SET password_hash = $1, credentials_changed_at = $2 WHERE id = $3 AND active")
                    .bind(password_hash)
                    .bind(at)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM user_sessions WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
                record!(tx, "lien personnel", "user", id.to_string(), "set_password", None::<serde_json::Value>, None::<serde_json::Value>)?;
            }
            tx.commit().await?;
            user_id
        });
        match user_id {
            Some(id) => self.user(id).await,
            None => Ok(None),
        }
    }

    /// Sets a password directly (the demo's administrator); sessions of the account close.
    pub async fn set_password(&self, user_id: i64, password_hash: &str, actor: &str) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            sqlx::query("UPDATE users SET password_hash = $1, credentials_changed_at = $2 WHERE id = $3")
                .bind(password_hash)
                .bind(now())
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM user_sessions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
            record!(tx, actor, "user", user_id.to_string(), "set_password", None::<serde_json::Value>, None::<serde_json::Value>)?;
            tx.commit().await?;
            Ok(())
        })
    }

    pub async fn count_users(&self) -> Result<i64, StoreError> {
        on_pool!(self, pool => { Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(pool).await?) })
    }

    /// Adds a personal link for an existing account, with the message that carries it.
    pub async fn create_link(&self, user_id: i64, link: &NewLink, mail: Option<&OutgoingMail>, actor: &str) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            insert_link!(tx, user_id, link)?;
            if let Some(mail) = mail {
                enqueue!(tx, mail)?;
            }
            let after = json!({ "purpose": link.purpose.as_str(), "expires_at": link.expires_at });
            record!(tx, actor, "user", user_id.to_string(), "link", None::<serde_json::Value>, Some(after))?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// The account a still-valid link belongs to, and what the link is for.
    pub async fn link_holder(&self, token_hash: &str) -> Result<Option<(User, LinkPurpose)>, StoreError> {
        let found: Option<(i64, String)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT l.user_id, l.purpose FROM personal_links l JOIN users u ON u.id = l.user_id \
                 WHERE l.token_hash = $1 AND l.used_at IS NULL AND l.revoked_at IS NULL AND l.expires_at > $2 AND u.active",
            )
            .bind(token_hash)
            .bind(now())
            .fetch_optional(pool)
            .await?
        });
        let Some((id, purpose)) = found else { return Ok(None) };
        Ok(self.user(id).await?.map(|u| (u, LinkPurpose::parse(&purpose))))
    }

    pub async fn user_links(&self, user_id: i64) -> Result<Vec<LinkSummary>, StoreError> {
        let rows = on_pool!(self, pool => {
            sqlx::query_as::<_, LinkRow>(
                "SELECT purpose, created_at, expires_at, used_at, revoked_at FROM personal_links WHERE user_id = $1 ORDER BY created_at DESC",
            )
            .bind(user_id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|r| LinkSummary {
                purpose: LinkPurpose::parse(&r.purpose),
                created_at: r.created_at,
                expires_at: r.expires_at,
                used_at: r.used_at,
                revoked_at: r.revoked_at,
            })
            .collect())
    }

    /// Revokes every open link of an account; returns how many.
    pub async fn revoke_links(&self, user_id: i64, actor: &str) -> Result<u64, StoreError> {
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let done = sqlx::query("UPDATE personal_links SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL AND used_at IS NULL")
                .bind(now())
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            record!(tx, actor, "user", user_id.to_string(), "revoke_links", None::<serde_json::Value>, Some(json!({ "revoked": done.rows_affected() })))?;
            tx.commit().await?;
            Ok(done.rows_affected())
        })
    }

    /// Opens a login session (the cookie holds the token; the store its hash). The journal
    /// names the account and how it came in (`how`: password, personal link).
    pub async fn open_session(&self, token_hash: &str, user: &User, expires_at: DateTime<Utc>, how: &str) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            sqlx::query("INSERT INTO user_sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
                .bind(token_hash)
                .bind(user.id)
                .bind(now())
                .bind(expires_at)
                .execute(&mut *tx)
                .await?;
            let after = json!({ "via": how, "expires_at": expires_at });
            record!(tx, &user.email, "user", user.id.to_string(), "login", None::<serde_json::Value>, Some(after))?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// The active account behind a session token, if the session is still open.
    pub async fn session_user(&self, token_hash: &str) -> Result<Option<User>, StoreError> {
        let row = on_pool!(self, pool => {
            sqlx::query_as::<_, UserRow>(sqlx::AssertSqlSafe(format!(
                "SELECT {USER_COLUMNS} JOIN user_sessions s ON s.user_id = u.id WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active"
            )))
            .bind(token_hash)
            .bind(now())
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(|r| r.into_user().0))
    }

    pub async fn close_session(&self, token_hash: &str) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("DELETE FROM user_sessions WHERE token_hash = $1").bind(token_hash).execute(pool).await?;
            Ok(())
        })
    }

    /// Removes lapsed sessions and failure records older than `before`; returns sessions removed.
    pub async fn purge_expired(&self, failures_before: DateTime<Utc>) -> Result<u64, StoreError> {
        on_pool!(self, pool => {
            let done = sqlx::query("DELETE FROM user_sessions WHERE expires_at <= $1").bind(now()).execute(pool).await?;
            sqlx::query("DELETE FROM login_failures WHERE at < $1").bind(failures_before).execute(pool).await?;
            Ok(done.rows_affected())
        })
    }

    pub async fn record_login_failure(&self, email: &str, address: &str) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("INSERT INTO login_failures (email, address, at) VALUES ($1, $2, $3)")
                .bind(email.trim().to_lowercase())
                .bind(address)
                .bind(now())
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// A successful login wipes the account's failure count: the slowing is for guessers.
    pub async fn clear_login_failures(&self, email: &str) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("DELETE FROM login_failures WHERE email = $1").bind(email.trim().to_lowercase()).execute(pool).await?;
            Ok(())
        })
    }

    /// Failed logins since `since` for this account or this address, whichever has more.
    pub async fn recent_failures(&self, email: &str, address: &str, since: DateTime<Utc>) -> Result<FailureCount, StoreError> {
        let email = email.trim().to_lowercase();
        let rows: Vec<(i64, Option<DateTime<Utc>>)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT COUNT(*), MAX(at) FROM login_failures WHERE email = $1 AND at > $3 \
                 UNION ALL SELECT COUNT(*), MAX(at) FROM login_failures WHERE address = $2 AND at > $3",
            )
            .bind(&email)
            .bind(address)
            .bind(since)
            .fetch_all(pool)
            .await?
        });
        let (count, last) = rows.into_iter().max_by_key(|r| r.0).unwrap_or((0, None));
        Ok(FailureCount { failures: u32::try_from(count).unwrap_or(u32::MAX), last })
    }

    /// Logs a refused login (throttled) in the audit trail.
    pub async fn record_throttled_login(&self, email: &str, address: &str, failures: u32) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let after = json!({ "email": email.trim().to_lowercase(), "address": address, "recent_failures": failures });
            record!(tx, "anonyme", "login", email.trim().to_lowercase(), "throttled", None::<serde_json::Value>, Some(after))?;
            tx.commit().await?;
            Ok(())
        })
    }
}
