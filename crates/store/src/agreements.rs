//! Conventions (agreements) and their avenants (amendments). A convention is numbered within its
//! year, annexes the program version it was signed with, and once signed changes only through
//! avenants; signing an avenant applies its change to the session and the convention.

use chrono::NaiveDate;
use forma_domain::agreement::{AgreementPrice, AgreementStatus, PriceBasis};
use forma_domain::agreement_number::AgreementNumber;
use forma_domain::amendment::AmendmentChange;
use serde::Serialize;
use sqlx::types::Json;

use crate::audit::record;
use crate::sessions::write_day;
use crate::{Store, StoreError, now, on_pool};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Agreement {
    pub id: i64,
    pub number: AgreementNumber,
    pub session_id: i64,
    pub client_id: i64,
    pub client_name: String,
    pub program_slug: String,
    pub program_title: String,
    pub status: AgreementStatus,
    pub price: AgreementPrice,
    pub payment_terms: String,
    pub trainees: String,
    /// The annexed program version: frozen at signature, the latest published one before.
    pub program_version: i64,
    pub issued_on: NaiveDate,
    pub sent_on: Option<NaiveDate>,
    pub signed_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Amendment {
    pub id: i64,
    pub agreement_id: i64,
    pub number: u32,
    pub change: AmendmentChange,
    pub reason: String,
    pub status: AgreementStatus,
    pub issued_on: NaiveDate,
    pub sent_on: Option<NaiveDate>,
    pub signed_on: Option<NaiveDate>,
}

/// The terms of a convention as the planner writes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgreementTerms {
    pub price: AgreementPrice,
    pub payment_terms: String,
    /// Who is trained (« 15 à 20 agents par journée », or names).
    pub trainees: String,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    year: i64,
    sequence: i64,
    session_id: i64,
    client_id: i64,
    client_name: String,
    slug: String,
    title: String,
    status: String,
    price_basis: String,
    unit_cents: i64,
    quantity: i64,
    vat_rate_bp: Option<i64>,
    payment_terms: String,
    trainees: String,
    program_version: i64,
    current_version: i64,
    issued_on: NaiveDate,
    sent_on: Option<NaiveDate>,
    signed_on: Option<NaiveDate>,
}

const SELECT: &str = "SELECT a.id, a.year, a.sequence, a.session_id, a.client_id, c.name AS client_name, p.slug, p.title, a.status, \
     a.price_basis, a.unit_cents, a.quantity, a.vat_rate_bp, a.payment_terms, a.trainees, a.program_version, p.current_version, \
     a.issued_on, a.sent_on, a.signed_on \
     FROM agreements a JOIN clients c ON c.id = a.client_id JOIN sessions s ON s.id = a.session_id JOIN programs p ON p.id = s.program_id";

impl From<Row> for Agreement {
    fn from(r: Row) -> Self {
        let status = AgreementStatus::parse(&r.status).unwrap_or(AgreementStatus::Draft);
        Agreement {
            id: r.id,
            number: AgreementNumber { year: i32::try_from(r.year).unwrap_or(0), sequence: u32::try_from(r.sequence).unwrap_or(0) },
            session_id: r.session_id,
            client_id: r.client_id,
            client_name: r.client_name,
            program_slug: r.slug,
            program_title: r.title,
            status,
            price: AgreementPrice {
                basis: PriceBasis::parse(&r.price_basis).unwrap_or(PriceBasis::Flat),
                unit_cents: r.unit_cents,
                quantity: u32::try_from(r.quantity).unwrap_or(0),
                vat_rate_bp: r.vat_rate_bp.and_then(|v| u32::try_from(v).ok()),
            },
            payment_terms: r.payment_terms,
            trainees: r.trainees,
            program_version: if status == AgreementStatus::Signed { r.program_version } else { r.current_version.max(r.program_version) },
            issued_on: r.issued_on,
            sent_on: r.sent_on,
            signed_on: r.signed_on,
        }
    }
}

#[derive(sqlx::FromRow)]
struct AmendmentRow {
    id: i64,
    agreement_id: i64,
    number: i64,
    change: Json<AmendmentChange>,
    reason: String,
    status: String,
    issued_on: NaiveDate,
    sent_on: Option<NaiveDate>,
    signed_on: Option<NaiveDate>,
}

impl From<AmendmentRow> for Amendment {
    fn from(r: AmendmentRow) -> Self {
        Amendment {
            id: r.id,
            agreement_id: r.agreement_id,
            number: u32::try_from(r.number).unwrap_or(0),
            change: r.change.0,
            reason: r.reason,
            status: AgreementStatus::parse(&r.status).unwrap_or(AgreementStatus::Draft),
            issued_on: r.issued_on,
            sent_on: r.sent_on,
            signed_on: r.signed_on,
        }
    }
}

const AMENDMENT_SELECT: &str =
    "SELECT id, agreement_id, number, change, reason, status, issued_on, sent_on, signed_on FROM amendments";

fn taken(number: AgreementNumber) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| crate::error::conflict_on_unique(e, &format!("Le numéro {number} est déjà attribué, ou ce client a déjà une convention pour cette session."))
}

impl Store {
    /// Creates a draft convention for a session and one of its clients. Without `number`, the
    /// next number of the issue year is given.
    pub async fn create_agreement(
        &self,
        session_id: i64,
        client_id: i64,
        number: Option<AgreementNumber>,
        terms: &AgreementTerms,
        issued_on: NaiveDate,
        actor: &str,
    ) -> Result<(i64, AgreementNumber), StoreError> {
        use chrono::Datelike;
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let version: i64 = sqlx::query_scalar("SELECT p.current_version FROM sessions s JOIN programs p ON p.id = s.program_id WHERE s.id = $1")
                .bind(session_id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("session n° {session_id}")))?;
            let number = match number {
                Some(n) => n,
                None => {
                    let last: Option<i64> = sqlx::query_scalar("SELECT MAX(sequence) FROM agreements WHERE year = $1")
                        .bind(i64::from(issued_on.year()))
                        .fetch_one(&mut *tx)
                        .await?;
                    let last = last.map(|s| AgreementNumber { year: issued_on.year(), sequence: u32::try_from(s).unwrap_or(0) });
                    AgreementNumber::next(issued_on.year(), last)
                }
            };
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO agreements (year, sequence, session_id, client_id, price_basis, unit_cents, quantity, vat_rate_bp, \
                 payment_terms, trainees, program_version, issued_on, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
            )
            .bind(i64::from(number.year))
            .bind(i64::from(number.sequence))
            .bind(session_id)
            .bind(client_id)
            .bind(terms.price.basis.as_str())
            .bind(terms.price.unit_cents)
            .bind(i64::from(terms.price.quantity))
            .bind(terms.price.vat_rate_bp.map(i64::from))
            .bind(terms.payment_terms.trim())
            .bind(terms.trainees.trim())
            .bind(version)
            .bind(issued_on)
            .bind(now())
            .fetch_one(&mut *tx)
            .await
            .map_err(taken(number))?;
            let after = serde_json::json!({ "number": number.to_string(), "session_id": session_id, "client_id": client_id, "terms": terms });
            record!(tx, actor, "agreement", id.to_string(), "create", None::<serde_json::Value>, Some(after))?;
            tx.commit().await?;
            Ok((id, number))
        })
    }

    pub async fn agreement(&self, id: i64) -> Result<Option<Agreement>, StoreError> {
        let row: Option<Row> = on_pool!(self, pool => {
            sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(format!("{SELECT} WHERE a.id = $1"))).bind(id).fetch_optional(pool).await?
        });
        Ok(row.map(Agreement::from))
    }

    pub async fn agreement_by_number(&self, number: AgreementNumber) -> Result<Option<Agreement>, StoreError> {
        let row: Option<Row> = on_pool!(self, pool => {
            sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(format!("{SELECT} WHERE a.year = $1 AND a.sequence = $2")))
                .bind(i64::from(number.year))
                .bind(i64::from(number.sequence))
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(Agreement::from))
    }

    /// Conventions, the most recent numbers first; `session_id` keeps one session's.
    pub async fn agreements(&self, session_id: Option<i64>) -> Result<Vec<Agreement>, StoreError> {
        let rows: Vec<Row> = on_pool!(self, pool => {
            sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(format!("{SELECT} WHERE ($1 IS NULL OR a.session_id = $1) ORDER BY a.year DESC, a.sequence DESC")))
                .bind(session_id)
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(Agreement::from).collect())
    }

    /// Changes the terms of a draft convention.
    pub async fn update_agreement_terms(&self, id: i64, terms: &AgreementTerms, actor: &str) -> Result<(), StoreError> {
        let Some(before) = self.agreement(id).await? else { return Err(StoreError::NotFound(format!("convention n° {id}"))) };
        if !before.status.is_editable() {
            return Err(StoreError::Conflict(format!(
                "La convention {} est {} : ses conditions ne changent plus que par avenant.",
                before.number,
                before.status.label()
            )));
        }
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            sqlx::query(
                "UPDATE agreements SET price_basis = $1, unit_cents = $2, quantity = $3, vat_rate_bp = $4, payment_terms = $5, trainees = $6 \
                 WHERE id = $7 AND status = 'draft'",
            )
            .bind(terms.price.basis.as_str())
            .bind(terms.price.unit_cents)
            .bind(i64::from(terms.price.quantity))
            .bind(terms.price.vat_rate_bp.map(i64::from))
            .bind(terms.payment_terms.trim())
            .bind(terms.trainees.trim())
            .bind(id)
            .execute(&mut *tx)
            .await?;
            let before = serde_json::json!({ "price": before.price, "payment_terms": before.payment_terms, "trainees": before.trainees });
            record!(tx, actor, "agreement", id.to_string(), "update", Some(before), serde_json::to_value(terms).ok())?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Moves a convention along draft → sent → signed (or back to draft, or cancelled). Signing
    /// freezes the annexed program version: the one published that day.
    pub async fn set_agreement_status(&self, id: i64, next: AgreementStatus, on: NaiveDate, actor: &str) -> Result<(), StoreError> {
        let Some(current) = self.agreement(id).await? else { return Err(StoreError::NotFound(format!("convention n° {id}"))) };
        if !current.status.can_become(next) {
            return Err(StoreError::Conflict(format!(
                "Une convention {} ne peut pas devenir {}.",
                current.status.label(),
                next.label()
            )));
        }
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let changed = sqlx::query(
                "UPDATE agreements SET status = $1, \
                 sent_on = CASE WHEN $1 = 'sent' THEN $2 WHEN $1 = 'draft' THEN NULL ELSE sent_on END, \
                 signed_on = CASE WHEN $1 = 'signed' THEN $2 ELSE NULL END, \
                 program_version = CASE WHEN $1 = 'signed' THEN $3 ELSE program_version END \
                 WHERE id = $4 AND status = $5",
            )
            .bind(next.as_str())
            .bind(on)
            .bind(current.program_version)
            .bind(id)
            .bind(current.status.as_str())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed == 0 {
                return Err(StoreError::Conflict("La convention vient d'être modifiée par quelqu'un d'autre : rechargez la page.".into()));
            }
            let after = serde_json::json!({ "status": next.as_str(), "on": on, "program_version": current.program_version });
            record!(tx, actor, "agreement", id.to_string(), next.as_str(), Some(serde_json::json!({ "status": current.status.as_str() })), Some(after))?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Drafts the next avenant of a signed convention.
    pub async fn create_amendment(&self, agreement_id: i64, change: &AmendmentChange, reason: &str, issued_on: NaiveDate, actor: &str) -> Result<(i64, u32), StoreError> {
        let Some(agreement) = self.agreement(agreement_id).await? else { return Err(StoreError::NotFound(format!("convention n° {agreement_id}"))) };
        if agreement.status != AgreementStatus::Signed {
            return Err(StoreError::Conflict("Un avenant modifie une convention signée : signez d'abord la convention, ou modifiez-la directement.".into()));
        }
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM amendments WHERE agreement_id = $1 AND status IN ('draft', 'sent')")
                .bind(agreement_id)
                .fetch_one(&mut *tx)
                .await?;
            if pending > 0 {
                return Err(StoreError::Conflict("Un avenant est déjà en cours : faites-le signer ou annulez-le avant d'en rédiger un autre.".into()));
            }
            let number: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(number), 0) + 1 FROM amendments WHERE agreement_id = $1")
                .bind(agreement_id)
                .fetch_one(&mut *tx)
                .await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO amendments (agreement_id, number, kind, change, reason, issued_on, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(agreement_id)
            .bind(number)
            .bind(change.kind())
            .bind(Json(change))
            .bind(reason.trim())
            .bind(issued_on)
            .bind(now())
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| crate::error::conflict_on_unique(e, "Cet avenant vient d'être créé par quelqu'un d'autre : rechargez la page."))?;
            record!(tx, actor, "amendment", id.to_string(), "create", None::<serde_json::Value>, serde_json::to_value(change).ok())?;
            tx.commit().await?;
            Ok((id, u32::try_from(number).unwrap_or(0)))
        })
    }

    pub async fn amendments(&self, agreement_id: i64) -> Result<Vec<Amendment>, StoreError> {
        let rows: Vec<AmendmentRow> = on_pool!(self, pool => {
            sqlx::query_as::<_, AmendmentRow>(sqlx::AssertSqlSafe(format!("{AMENDMENT_SELECT} WHERE agreement_id = $1 ORDER BY number")))
                .bind(agreement_id)
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(Amendment::from).collect())
    }

    pub async fn amendment(&self, id: i64) -> Result<Option<Amendment>, StoreError> {
        let row: Option<AmendmentRow> = on_pool!(self, pool => {
            sqlx::query_as::<_, AmendmentRow>(sqlx::AssertSqlSafe(format!("{AMENDMENT_SELECT} WHERE id = $1"))).bind(id).fetch_optional(pool).await?
        });
        Ok(row.map(Amendment::from))
    }

    /// Moves an avenant along; signing applies its change (days added or moved in the session,
    /// the convention's price) in the same transaction. The caller has checked that the change
    /// still fits the session (`AmendmentChange::apply`) and its conflicts.
    pub async fn set_amendment_status(&self, id: i64, next: AgreementStatus, on: NaiveDate, actor: &str) -> Result<(), StoreError> {
        let Some(current) = self.amendment(id).await? else { return Err(StoreError::NotFound(format!("avenant n° {id}"))) };
        if !current.status.can_become(next) {
            return Err(StoreError::Conflict(format!("Un avenant {} ne peut pas devenir {}.", current.status.label(), next.label())));
        }
        let Some(agreement) = self.agreement(current.agreement_id).await? else {
            return Err(StoreError::NotFound(format!("convention n° {}", current.agreement_id)));
        };
        let session_id = agreement.session_id;
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let changed = sqlx::query(
                "UPDATE amendments SET status = $1, \
                 sent_on = CASE WHEN $1 = 'sent' THEN $2 WHEN $1 = 'draft' THEN NULL ELSE sent_on END, \
                 signed_on = CASE WHEN $1 = 'signed' THEN $2 ELSE NULL END WHERE id = $3 AND status = $4",
            )
            .bind(next.as_str())
            .bind(on)
            .bind(id)
            .bind(current.status.as_str())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed == 0 {
                return Err(StoreError::Conflict("L'avenant vient d'être modifié par quelqu'un d'autre : rechargez la page.".into()));
            }
            if next == AgreementStatus::Signed {
                match &current.change {
                    AmendmentChange::AddDays { days } => {
                        for day in days {
                            write_day!(tx, session_id, day, None);
                        }
                    }
                    AmendmentChange::MoveDates { moves } => {
                        // Through a date no session day uses, so that swapping two days never
                        // meets the one-day-per-date rule half-way.
                        for (i, m) in moves.iter().enumerate() {
                            let parking = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN) + chrono::Duration::days(i as i64);
                            sqlx::query("UPDATE session_days SET day_date = $1 WHERE session_id = $2 AND day_date = $3")
                                .bind(parking)
                                .bind(session_id)
                                .bind(m.from)
                                .execute(&mut *tx)
                                .await?;
                        }
                        for (i, m) in moves.iter().enumerate() {
                            let parking = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN) + chrono::Duration::days(i as i64);
                            sqlx::query("UPDATE session_days SET day_date = $1 WHERE session_id = $2 AND day_date = $3")
                                .bind(m.to)
                                .bind(session_id)
                                .bind(parking)
                                .execute(&mut *tx)
                                .await
                                .map_err(|e| crate::error::conflict_on_unique(e, "La session a déjà une journée à cette date."))?;
                        }
                    }
                    AmendmentChange::ChangePrice { after, .. } => {
                        sqlx::query("UPDATE agreements SET price_basis = $1, unit_cents = $2, quantity = $3, vat_rate_bp = $4 WHERE id = $5")
                            .bind(after.basis.as_str())
                            .bind(after.unit_cents)
                            .bind(i64::from(after.quantity))
                            .bind(after.vat_rate_bp.map(i64::from))
                            .bind(current.agreement_id)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                record!(tx, actor, "session", session_id.to_string(), "amend", None::<serde_json::Value>, serde_json::to_value(&current.change).ok())?;
            }
            let after = serde_json::json!({ "status": next.as_str(), "on": on });
            record!(tx, actor, "amendment", id.to_string(), next.as_str(), Some(serde_json::json!({ "status": current.status.as_str() })), Some(after))?;
            tx.commit().await?;
            Ok(())
        })
    }
}
