//! Issued certificates and their history. A certificate is never edited nor deleted: it is
//! revoked (withdrawn, with a reason) or replaced (a corrected one takes over, with a reason),
//! and its code keeps answering on the verification page either way.

use chrono::{DateTime, Utc};
use forma_domain::certificate::CertificateKind;
use serde::Serialize;

use crate::audit::record;
use crate::{OutgoingMail, Store, StoreError, now, on_pool};

/// A certificate to store, its content already canonical and signed.
#[derive(Debug, Clone)]
pub struct NewCertificate {
    pub registration_id: i64,
    pub session_id: i64,
    pub kind: CertificateKind,
    /// The 16 characters, as in addresses.
    pub code: String,
    /// The canonical content (UTF-8 of `CertificateContent::canonical`).
    pub content: String,
    /// Ed25519 signature of the content, hex.
    pub signature: String,
}

/// A stored certificate with where it stands.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct CertificateRow {
    pub id: i64,
    pub code: String,
    pub registration_id: i64,
    pub session_id: i64,
    #[sqlx(try_from = "String")]
    pub kind: StoredKind,
    pub content: String,
    pub signature: String,
    pub issued_at: DateTime<Utc>,
    pub issued_by: String,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_reason: Option<String>,
    pub replaced_at: Option<DateTime<Utc>>,
    pub replaced_reason: Option<String>,
    /// The code of the certificate that replaces this one.
    pub replaced_by_code: Option<String>,
}

impl CertificateRow {
    pub fn in_force(&self) -> bool {
        self.revoked_at.is_none() && self.replaced_at.is_none()
    }
}

/// The kind as stored, read back through the domain's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct StoredKind(pub CertificateKind);

impl TryFrom<String> for StoredKind {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        CertificateKind::parse(&s).map(StoredKind).ok_or_else(|| format!("unknown certificate kind {s}"))
    }
}

const SELECT: &str = "SELECT c.id, c.code, c.registration_id, c.session_id, c.kind, c.content, c.signature, c.issued_at, c.issued_by, \
     c.revoked_at, c.revoked_reason, c.replaced_at, c.replaced_reason, n.code AS replaced_by_code \
     FROM certificates c LEFT JOIN certificates n ON n.id = c.replaced_by";

/// Inserts one certificate in `tx`, giving its id (a macro: the transaction's type differs per backend).
macro_rules! insert {
    ($tx:expr, $c:expr, $actor:expr) => {
        sqlx::query_scalar(
            "INSERT INTO certificates (code, registration_id, session_id, kind, content, signature, issued_at, issued_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(&$c.code)
        .bind($c.registration_id)
        .bind($c.session_id)
        .bind($c.kind.as_str())
        .bind(&$c.content)
        .bind(&$c.signature)
        .bind(now())
        .bind($actor)
        .fetch_one(&mut *$tx)
    };
}

const IN_FORCE: &str = "Un certificat de ce type est déjà en vigueur pour ce stagiaire : remplacez-le plutôt que d'en délivrer un second.";

impl Store {
    /// Stores freshly issued certificates, all or none, each recorded in the journal, with the
    /// messages that tell the trainees.
    pub async fn issue_certificates(&self, certificates: &[NewCertificate], mails: &[OutgoingMail], actor: &str) -> Result<Vec<i64>, StoreError> {
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let mut ids = Vec::with_capacity(certificates.len());
            for c in certificates {
                let id: i64 = insert!(tx, c, actor).await.map_err(|e| crate::error::conflict_on_unique(e, IN_FORCE))?;
                record!(tx, actor, "certificate", id.to_string(), "issue", None::<serde_json::Value>, Some(audit_of(c)))?;
                ids.push(id);
            }
            for mail in mails {
                crate::outbox::enqueue!(tx, mail)?;
            }
            tx.commit().await?;
            Ok(ids)
        })
    }

    /// Withdraws a certificate in force; its code will say « révoqué » with the reason.
    pub async fn revoke_certificate(&self, code: &str, reason: &str, actor: &str) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let done = sqlx::query(
                "UPDATE certificates SET revoked_at = $1, revoked_by = $2, revoked_reason = $3 \
                 WHERE code = $4 AND revoked_at IS NULL AND replaced_at IS NULL",
            )
            .bind(now())
            .bind(actor)
            .bind(reason)
            .bind(code)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if done == 0 {
                return Err(StoreError::Conflict("Ce certificat n'est plus en vigueur : il a déjà été révoqué ou remplacé.".into()));
            }
            record!(tx, actor, "certificate", code, "revoke", None::<serde_json::Value>, Some(serde_json::json!({ "reason": reason })))?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Replaces the certificate `code` (in force) by `next`, in one transaction: the old one
    /// points to the new one and says why.
    pub async fn replace_certificate(&self, code: &str, next: &NewCertificate, reason: &str, actor: &str) -> Result<i64, StoreError> {
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let old: Option<i64> = sqlx::query_scalar(
                "UPDATE certificates SET replaced_at = $1, replaced_reason = $2 WHERE code = $3 AND revoked_at IS NULL AND replaced_at IS NULL RETURNING id",
            )
            .bind(now())
            .bind(reason)
            .bind(code)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(old) = old else {
                return Err(StoreError::Conflict("Ce certificat n'est plus en vigueur : il a déjà été révoqué ou remplacé.".into()));
            };
            let id: i64 = insert!(tx, next, actor).await.map_err(|e| crate::error::conflict_on_unique(e, IN_FORCE))?;
            sqlx::query("UPDATE certificates SET replaced_by = $1 WHERE id = $2").bind(id).bind(old).execute(&mut *tx).await?;
            let mut after = audit_of(next);
            after["replaces"] = serde_json::json!(code);
            after["reason"] = serde_json::json!(reason);
            record!(tx, actor, "certificate", id.to_string(), "replace", None::<serde_json::Value>, Some(after))?;
            tx.commit().await?;
            Ok(id)
        })
    }

    pub async fn certificate_by_code(&self, code: &str) -> Result<Option<CertificateRow>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as::<_, CertificateRow>(sqlx::AssertSqlSafe(format!("{SELECT} WHERE c.code = $1"))).bind(code).fetch_optional(pool).await?)
        })
    }

    /// Every certificate of a session, history included, oldest first.
    pub async fn session_certificates(&self, session_id: i64) -> Result<Vec<CertificateRow>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as::<_, CertificateRow>(sqlx::AssertSqlSafe(format!("{SELECT} WHERE c.session_id = $1 ORDER BY c.id")))
                .bind(session_id)
                .fetch_all(pool)
                .await?)
        })
    }

    /// A trainee's certificates in force, for their personal page.
    pub async fn registration_certificates(&self, registration_id: i64) -> Result<Vec<CertificateRow>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as::<_, CertificateRow>(sqlx::AssertSqlSafe(format!(
                "{SELECT} WHERE c.registration_id = $1 AND c.revoked_at IS NULL AND c.replaced_at IS NULL ORDER BY c.kind"
            )))
            .bind(registration_id)
            .fetch_all(pool)
            .await?)
        })
    }
}

/// What the journal keeps of an issued certificate: which one and for whom, and a digest of its
/// content (the content itself is in the certificate's row).
fn audit_of(c: &NewCertificate) -> serde_json::Value {
    use sha2::Digest;
    serde_json::json!({
        "code": c.code,
        "kind": c.kind.as_str(),
        "registration_id": c.registration_id,
        "session_id": c.session_id,
        "content_sha256": format!("{:x}", sha2::Sha256::digest(c.content.as_bytes())),
    })
}
