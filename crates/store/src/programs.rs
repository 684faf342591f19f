//! Program sheets: import (all-or-nothing, re-import updates), listing, reading.

use chrono::{DateTime, NaiveDate, Utc};
use forma_domain::{Program, ProgramKind, Slug};
use serde::Serialize;
use sqlx::types::Json;

use crate::audit::record;
use crate::editing::{category_id, missing_codes};
use crate::{Store, StoreError, now, on_pool};

/// What an import run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

#[derive(Debug, Clone, Default)]
pub struct ProgramFilter {
    pub category: Option<String>,
    pub kind: Option<ProgramKind>,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

/// One line of the catalogue listing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProgramSummary {
    pub slug: String,
    pub title: String,
    pub kind: ProgramKind,
    pub category_slug: Option<String>,
    pub category: Option<String>,
    pub updated_on: Option<NaiveDate>,
    pub duration_days: Option<u32>,
    pub total_hours: Option<u32>,
    pub audience: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProgramPage {
    pub items: Vec<ProgramSummary>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StoredProgram {
    pub program: Program,
    pub category_slug: Option<String>,
    pub version: i64,
    pub modified_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CategoryCount {
    pub slug: String,
    pub name: String,
    pub programs: i64,
}

/// Changes when the public catalogue does (a sheet written, a session added): nodes compare it
/// to know when to refresh their search index and page cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct CatalogueStamp {
    pub programs: i64,
    pub last_modified: Option<DateTime<Utc>>,
    /// The latest journal entry about a session: every change to what the public session lists
    /// show (dates, places, capacity, a cancellation) is journaled, so any such change moves it.
    pub session_event: Option<i64>,
    /// The organisation's settings, shown on every page.
    pub organisation_modified: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct ListedRow {
    slug: String,
    title: String,
    kind: String,
    updated_on: Option<NaiveDate>,
    duration_days: Option<i64>,
    total_hours: Option<i64>,
    audience: Option<String>,
    category_slug: Option<String>,
    category_name: Option<String>,
}

impl From<ListedRow> for ProgramSummary {
    fn from(row: ListedRow) -> Self {
        ProgramSummary {
            slug: row.slug,
            title: row.title,
            kind: ProgramKind::parse(&row.kind).unwrap_or(ProgramKind::Inter),
            category_slug: row.category_slug,
            category: row.category_name,
            updated_on: row.updated_on,
            duration_days: row.duration_days.and_then(|d| u32::try_from(d).ok()),
            total_hours: row.total_hours.and_then(|h| u32::try_from(h).ok()),
            audience: row.audience,
        }
    }
}

/// The columns a listing needs, kept beside the sheet so that lists never decode its body.
const LISTED_COLUMNS: &str = "p.slug, p.title, p.kind, p.updated_on, p.duration_days, p.total_hours, p.audience, \
     c.slug AS category_slug, c.name AS category_name";

#[derive(sqlx::FromRow)]
struct ExistingRow {
    id: i64,
    current_version: i64,
    /// Absent for a sheet created in the back-office and never published.
    body: Option<Json<serde_json::Value>>,
}

#[derive(sqlx::FromRow)]
struct StoredRow {
    body: Json<Program>,
    category_slug: Option<String>,
    category_name: Option<String>,
    current_version: i64,
    modified_at: DateTime<Utc>,
}

/// French titles sort without regard to accents or case, the same on both backends.
pub(crate) fn sort_key(title: &str) -> String {
    deunicode::deunicode(title).to_lowercase()
}

pub(crate) fn category_slug(name: &str) -> String {
    Slug::from_title(name).map(|s| s.to_string()).unwrap_or_else(|| "sans-categorie".into())
}

impl Store {
    /// Writes a whole import run in one transaction: either every sheet is stored or none is.
    /// A sheet whose slug exists is updated (new version) when its content changed.
    pub async fn import_programs(&self, programs: &[Program], actor: &str) -> Result<ImportSummary, StoreError> {
        on_pool!(self, pool => {
            let mut summary = ImportSummary::default();
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            for program in programs {
                let body = serde_json::to_value(program).map_err(|source| StoreError::Corrupt { slug: program.slug.to_string(), source })?;
                let category_id: Option<i64> = match &program.category {
                    Some(name) => Some(category_id!(tx, name).await?),
                    None => None,
                };
                let existing = sqlx::query_as::<_, ExistingRow>(
                    "SELECT p.id, p.current_version, v.body FROM programs p \
                     LEFT JOIN program_versions v ON v.program_id = p.id AND v.number = p.current_version WHERE p.slug = $1",
                )
                    .bind(program.slug.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
                let at = now();
                let (id, version, before) = match existing {
                    Some(row) if row.body.as_ref().is_some_and(|b| b.0 == body) => {
                        summary.unchanged += 1;
                        continue;
                    }
                    Some(row) => {
                        sqlx::query(
                            "UPDATE programs SET title = $1, sort_key = $2, kind = $3, category_id = $4, updated_on = $5, \
                             current_version = $6, duration_days = $7, total_hours = $8, audience = $9, modified_at = $10, \
                             status = 'published', missing_items = CASE WHEN draft IS NULL THEN $12 ELSE missing_items END WHERE id = $11",
                        )
                        .bind(&program.title)
                        .bind(sort_key(&program.title))
                        .bind(program.kind.as_str())
                        .bind(category_id)
                        .bind(program.updated_on)
                        .bind(row.current_version + 1)
                        .bind(program.duration.days.map(i64::from))
                        .bind(program.total_hours().map(i64::from))
                        .bind(program.audience.as_deref())
                        .bind(at)
                        .bind(row.id)
                        .bind(missing_codes(program))
                        .execute(&mut *tx)
                        .await?;
                        summary.updated += 1;
                        (row.id, row.current_version + 1, row.body.map(|b| b.0))
                    }
                    None => {
                        let id: i64 = sqlx::query_scalar(
                            "INSERT INTO programs (slug, title, sort_key, kind, category_id, status, updated_on, current_version, \
                             duration_days, total_hours, audience, created_at, modified_at, missing_items) \
                             VALUES ($1, $2, $3, $4, $5, 'published', $6, 1, $7, $8, $9, $10, $10, $11) RETURNING id",
                        )
                        .bind(program.slug.as_str())
                        .bind(&program.title)
                        .bind(sort_key(&program.title))
                        .bind(program.kind.as_str())
                        .bind(category_id)
                        .bind(program.updated_on)
                        .bind(program.duration.days.map(i64::from))
                        .bind(program.total_hours().map(i64::from))
                        .bind(program.audience.as_deref())
                        .bind(at)
                        .bind(missing_codes(program))
                        .fetch_one(&mut *tx)
                        .await?;
                        summary.created += 1;
                        (id, 1, None)
                    }
                };
                sqlx::query(
                    "INSERT INTO program_versions (program_id, number, body, search_text, created_at, created_by) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                    .bind(id)
                    .bind(version)
                    .bind(Json(&body))
                    .bind(forma_domain::text::program_text(program))
                    .bind(at)
                    .bind(actor)
                    .execute(&mut *tx)
                    .await?;
                let action = if before.is_some() { "update" } else { "create" };
                record!(tx, actor, "program", program.slug.as_str(), action, before, Some(body))?;
            }
            tx.commit().await?;
            // Fresh statistics after a bulk change: without them SQLite's planner prefers the
            // status index over the unique slug index for `slug IN (…)` and scans every sheet.
            if summary.created + summary.updated > 0 {
                sqlx::query("ANALYZE programs").execute(pool).await?;
                sqlx::query("ANALYZE program_versions").execute(pool).await?;
            }
            Ok(summary)
        })
    }

    pub async fn list_programs(&self, filter: &ProgramFilter) -> Result<ProgramPage, StoreError> {
        let per_page = filter.per_page.clamp(1, 200);
        let page = filter.page.max(1);
        let offset = i64::from(page - 1) * i64::from(per_page);
        let kind = filter.kind.map(ProgramKind::as_str);
        on_pool!(self, pool => {
            let total: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM programs p WHERE p.status = 'published' \
                 AND ($1 IS NULL OR p.category_id = (SELECT id FROM categories WHERE slug = $1)) AND ($2 IS NULL OR p.kind = $2)",
            )
            .bind(filter.category.as_deref())
            .bind(kind)
            .fetch_one(pool)
            .await?;
            let rows = sqlx::query_as::<_, ListedRow>(sqlx::AssertSqlSafe(format!(
                "SELECT {LISTED_COLUMNS} FROM programs p LEFT JOIN categories c ON c.id = p.category_id \
                 WHERE p.status = 'published' AND ($1 IS NULL OR p.category_id = (SELECT id FROM categories WHERE slug = $1)) \
                 AND ($2 IS NULL OR p.kind = $2) ORDER BY p.sort_key, p.id LIMIT $3 OFFSET $4",
            )))
            .bind(filter.category.as_deref())
            .bind(kind)
            .bind(i64::from(per_page))
            .bind(offset)
            .fetch_all(pool)
            .await?;
            Ok(ProgramPage { items: rows.into_iter().map(ProgramSummary::from).collect(), total: total as u64, page, per_page })
        })
    }

    /// The plain text of the given published sheets (slug, text), in one query: search results
    /// cut their excerpts from it. Unknown slugs are skipped.
    pub async fn program_texts(&self, slugs: &[String]) -> Result<Vec<(String, String)>, StoreError> {
        if slugs.is_empty() {
            return Ok(Vec::new());
        }
        on_pool!(self, pool => {
            let mut query = sqlx::QueryBuilder::new(
                "SELECT p.slug, v.search_text FROM programs p JOIN program_versions v ON v.program_id = p.id AND v.number = p.current_version \
                 WHERE p.status = 'published' AND p.slug IN (",
            );
            let mut list = query.separated(", ");
            for slug in slugs {
                list.push_bind(slug);
            }
            query.push(")");
            Ok(query.build_query_as().fetch_all(pool).await?)
        })
    }

    /// A published sheet by its slug.
    pub async fn program(&self, slug: &str) -> Result<Option<StoredProgram>, StoreError> {
        let row = on_pool!(self, pool => {
            sqlx::query_as::<_, StoredRow>(
                "SELECT v.body, c.slug AS category_slug, c.name AS category_name, p.current_version, p.modified_at \
                 FROM programs p JOIN program_versions v ON v.program_id = p.id AND v.number = p.current_version \
                 LEFT JOIN categories c ON c.id = p.category_id \
                 WHERE p.status = 'published' AND p.slug = $1",
            )
            .bind(slug)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(|r| StoredProgram {
            // A renamed category shows its current name on every version.
            program: Program { category: r.category_name.or(r.body.0.category.clone()), ..r.body.0 },
            category_slug: r.category_slug,
            version: r.current_version,
            modified_at: r.modified_at,
        }))
    }

    /// Published sheets in pages of `batch`, by title, handed to `each` one batch at a time so
    /// that a large catalogue never sits in memory whole (search index rebuild, reports).
    pub async fn for_each_program_batch<E: From<StoreError>>(
        &self,
        batch: u32,
        mut each: impl FnMut(Vec<Program>) -> Result<(), E>,
    ) -> Result<(), E> {
        let batch = batch.max(1);
        let mut after: Option<(String, i64)> = None;
        loop {
            let rows = self.program_batch(after.as_ref(), batch).await?;
            let Some(last) = rows.last() else { return Ok(()) };
            after = Some((last.1.clone(), last.2));
            let full = rows.len() == batch as usize;
            each(rows.into_iter().map(|r| r.0.0).collect())?;
            if !full {
                return Ok(());
            }
        }
    }

    /// One page of published sheets after `after` (sort key, id), keyset-paginated.
    async fn program_batch(&self, after: Option<&(String, i64)>, batch: u32) -> Result<Vec<(Json<Program>, String, i64)>, StoreError> {
        let (key, id) = after.cloned().unwrap_or_default();
        on_pool!(self, pool => {
            Ok(sqlx::query_as(
                "SELECT v.body, p.sort_key, p.id FROM programs p \
                 JOIN program_versions v ON v.program_id = p.id AND v.number = p.current_version \
                 WHERE p.status = 'published' AND ($1 = FALSE OR p.sort_key > $2 OR (p.sort_key = $2 AND p.id > $3)) \
                 ORDER BY p.sort_key, p.id LIMIT $4",
            )
            .bind(after.is_some())
            .bind(&key)
            .bind(id)
            .bind(i64::from(batch))
            .fetch_all(pool)
            .await?)
        })
    }

    /// Every published sheet, by title.
    pub async fn all_programs(&self) -> Result<Vec<Program>, StoreError> {
        let mut all = Vec::new();
        self.for_each_program_batch(500, |batch| {
            all.extend(batch);
            Ok::<_, StoreError>(())
        })
        .await?;
        Ok(all)
    }

    pub async fn catalogue_stamp(&self) -> Result<CatalogueStamp, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as::<_, CatalogueStamp>(
                "SELECT (SELECT COUNT(*) FROM programs) AS programs, \
                 (SELECT MAX(modified_at) FROM programs) AS last_modified, \
                 (SELECT MAX(id) FROM audit_events WHERE entity = 'session') AS session_event, \
                 (SELECT MAX(modified_at) FROM organisation) AS organisation_modified",
            )
            .fetch_one(pool)
            .await?)
        })
    }

    pub async fn count_programs(&self) -> Result<u64, StoreError> {
        let n: i64 = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM programs").fetch_one(pool).await?
        });
        Ok(n as u64)
    }

    /// Categories that hold at least one published sheet, by name.
    pub async fn categories(&self) -> Result<Vec<CategoryCount>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as::<_, CategoryCount>(
                "SELECT c.slug, c.name, n.programs FROM categories c JOIN \
                 (SELECT category_id, COUNT(*) AS programs FROM programs WHERE status = 'published' GROUP BY category_id) n \
                 ON n.category_id = c.id ORDER BY c.name",
            )
            .fetch_all(pool)
            .await?)
        })
    }

    /// How many versions a sheet has had (1 after its first import).
    pub async fn program_version_count(&self, slug: &str) -> Result<i64, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_scalar(
                "SELECT COUNT(*) FROM program_versions v JOIN programs p ON p.id = v.program_id WHERE p.slug = $1",
            )
            .bind(slug)
            .fetch_one(pool)
            .await?)
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sort_key_folds_french() {
        assert_eq!(super::sort_key("Écrits professionnels"), "ecrits professionnels");
        assert!(super::sort_key("Élan") < super::sort_key("Fin"));
    }
}
