//! The back-office's side of program sheets: drafts, publication (a new version with its MAJ),
//! unpublication, version history and restore, and the categories.

use chrono::{DateTime, NaiveDate, Utc};
use forma_domain::{Program, ProgramKind, Slug};
use serde::Serialize;
use serde_json::json;
use sqlx::types::Json;

use crate::audit::record;
use crate::programs::{category_slug, sort_key};
use crate::{Store, StoreError, now, on_pool};

/// A sheet as the editor sees it: the pending draft when there is one, else the published text.
#[derive(Debug, Clone, PartialEq)]
pub struct EditableProgram {
    pub program: Program,
    pub published: bool,
    pub has_draft: bool,
    /// The number of the latest published version (0: never published).
    pub current_version: i64,
    pub category_slug: Option<String>,
    pub draft_modified_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct EditableRow {
    slug: String,
    status: String,
    current_version: i64,
    draft: Option<Json<Program>>,
    body: Option<Json<Program>>,
    category_slug: Option<String>,
    category_name: Option<String>,
    draft_modified_at: Option<DateTime<Utc>>,
}

impl EditableRow {
    fn into_editable(self) -> Option<EditableProgram> {
        let has_draft = self.draft.is_some();
        let mut program = self.draft.or(self.body)?.0;
        // The category is a classification managed on its own: its current name wins.
        if self.category_name.is_some() {
            program.category = self.category_name;
        }
        debug_assert_eq!(program.slug.as_str(), self.slug);
        Some(EditableProgram {
            program,
            published: self.status == "published",
            has_draft,
            current_version: self.current_version,
            category_slug: self.category_slug,
            draft_modified_at: self.draft_modified_at,
        })
    }
}

const EDITABLE_SELECT: &str = "SELECT p.slug, p.status, p.current_version, p.draft, v.body, c.slug AS category_slug, \
     c.name AS category_name, p.draft_modified_at FROM programs p \
     LEFT JOIN program_versions v ON v.program_id = p.id AND v.number = p.current_version \
     LEFT JOIN categories c ON c.id = p.category_id";

/// One line of the back-office list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProgramRow {
    pub slug: String,
    /// The published title, or the draft's for a sheet never published.
    pub title: String,
    pub kind: ProgramKind,
    pub category: Option<String>,
    pub published: bool,
    pub has_draft: bool,
    /// MAJ of the published version.
    pub updated_on: Option<NaiveDate>,
    /// Indicator-1 items missing from the text the editor shows (the draft when there is one).
    pub missing: Vec<forma_domain::Indicator1Item>,
}

#[derive(sqlx::FromRow)]
struct ProgramRowRaw {
    slug: String,
    title: String,
    kind: String,
    category: Option<String>,
    status: String,
    has_draft: bool,
    updated_on: Option<NaiveDate>,
    missing_items: Option<String>,
}

impl From<ProgramRowRaw> for ProgramRow {
    fn from(r: ProgramRowRaw) -> Self {
        ProgramRow {
            slug: r.slug,
            title: r.title,
            kind: ProgramKind::parse(&r.kind).unwrap_or(ProgramKind::Inter),
            category: r.category,
            published: r.status == "published",
            has_draft: r.has_draft,
            updated_on: r.updated_on,
            missing: r.missing_items.unwrap_or_default().split_whitespace().filter_map(forma_domain::Indicator1Item::parse).collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct VersionSummary {
    pub number: i64,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CategoryRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    /// Sheets in this category, published or not.
    pub programs: i64,
}

/// Finds the category by name (it may have been renamed since its slug was made), else
/// creates it. Returns its id.
macro_rules! category_id {
    ($tx:expr, $name:expr) => {
        async {
            let existing: Option<i64> =
                sqlx::query_scalar("SELECT id FROM categories WHERE name = $1").bind($name).fetch_optional(&mut *$tx).await?;
            match existing {
                Some(id) => Ok::<i64, sqlx::Error>(id),
                None => {
                    sqlx::query_scalar(
                        "INSERT INTO categories (slug, name) VALUES ($1, $2) \
                         ON CONFLICT (slug) DO UPDATE SET name = categories.name RETURNING id",
                    )
                    .bind(category_slug($name))
                    .bind($name)
                    .fetch_one(&mut *$tx)
                    .await
                }
            }
        }
    };
}
pub(crate) use category_id;

/// The indicator-1 codes a sheet lacks, as stored beside it.
pub(crate) fn missing_codes(program: &Program) -> String {
    forma_domain::completeness::missing_items(program).iter().map(|i| i.code()).collect::<Vec<_>>().join(" ")
}

fn body_json(program: &Program) -> Result<serde_json::Value, StoreError> {
    serde_json::to_value(program).map_err(|source| StoreError::Corrupt { slug: program.slug.to_string(), source })
}

impl Store {
    pub async fn editable_program(&self, slug: &str) -> Result<Option<EditableProgram>, StoreError> {
        let row = on_pool!(self, pool => {
            sqlx::query_as::<_, EditableRow>(sqlx::AssertSqlSafe(format!("{EDITABLE_SELECT} WHERE p.slug = $1")))
                .bind(slug)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.and_then(EditableRow::into_editable))
    }

    /// A new, unpublished sheet holding only its draft.
    pub async fn create_program(&self, program: &Program, actor: &str) -> Result<(), StoreError> {
        let body = body_json(program)?;
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let category_id = match &program.category {
                Some(name) => Some(category_id!(tx, name).await?),
                None => None,
            };
            let at = now();
            sqlx::query(
                "INSERT INTO programs (slug, title, sort_key, kind, category_id, status, current_version, created_at, modified_at, \
                 draft, draft_modified_at, missing_items) VALUES ($1, $2, $3, $4, $5, 'draft', 0, $6, $6, $7, $6, $8)",
            )
            .bind(program.slug.as_str())
            .bind(&program.title)
            .bind(sort_key(&program.title))
            .bind(program.kind.as_str())
            .bind(category_id)
            .bind(at)
            .bind(Json(&body))
            .bind(missing_codes(program))
            .execute(&mut *tx)
            .await
            .map_err(|e| match &e {
                sqlx::Error::Database(db) if db.is_unique_violation() => {
                    StoreError::Conflict("Une fiche utilise déjà cet identifiant : changez le titre ou l'identifiant.".into())
                }
                _ => StoreError::Database(e),
            })?;
            record!(tx, actor, "program", program.slug.as_str(), "create", None::<serde_json::Value>, Some(body))?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Saves the editor's text as the sheet's draft; the public page is unchanged until
    /// publication. An unpublished sheet's listing columns follow its draft.
    pub async fn save_draft(&self, program: &Program, actor: &str) -> Result<(), StoreError> {
        let body = body_json(program)?;
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let before: Option<(i64, String, Option<Json<serde_json::Value>>)> =
                sqlx::query_as("SELECT id, status, draft FROM programs WHERE slug = $1").bind(program.slug.as_str()).fetch_optional(&mut *tx).await?;
            let Some((id, status, draft)) = before else {
                return Err(StoreError::UnknownProgram(program.slug.to_string()));
            };
            let category_id = match &program.category {
                Some(name) => Some(category_id!(tx, name).await?),
                None => None,
            };
            let at = now();
            sqlx::query("UPDATE programs SET draft = $1, draft_modified_at = $2, missing_items = $3 WHERE id = $4")
                .bind(Json(&body))
                .bind(at)
                .bind(missing_codes(program))
                .bind(id)
                .execute(&mut *tx)
                .await?;
            // `modified_at` stays: it stamps the public catalogue, which a draft does not change.
            if status == "draft" {
                sqlx::query("UPDATE programs SET title = $1, sort_key = $2, kind = $3, category_id = $4 WHERE id = $5")
                    .bind(&program.title)
                    .bind(sort_key(&program.title))
                    .bind(program.kind.as_str())
                    .bind(category_id)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            record!(tx, actor, "program", program.slug.as_str(), "save_draft", draft.map(|d| d.0), Some(body))?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Publishes `program` as the sheet's next version, dated `today` (its MAJ), and drops the
    /// draft. The caller has checked indicator 1. Returns the new version number.
    pub async fn publish_program(&self, program: &Program, today: NaiveDate, actor: &str) -> Result<i64, StoreError> {
        let mut program = program.clone();
        program.updated_on = Some(today);
        let body = body_json(&program)?;
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let row: Option<(i64, i64)> = sqlx::query_as("SELECT id, current_version FROM programs WHERE slug = $1")
                .bind(program.slug.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            let Some((id, current)) = row else { return Err(StoreError::UnknownProgram(program.slug.to_string())) };
            let before: Option<(Json<serde_json::Value>,)> = sqlx::query_as("SELECT body FROM program_versions WHERE program_id = $1 AND number = $2")
                .bind(id)
                .bind(current)
                .fetch_optional(&mut *tx)
                .await?;
            // Versions only grow, even after a restore: the history is never rewritten.
            let number: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(number), 0) + 1 FROM program_versions WHERE program_id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
            let category_id = match &program.category {
                Some(name) => Some(category_id!(tx, name).await?),
                None => None,
            };
            let at = now();
            sqlx::query(
                "INSERT INTO program_versions (program_id, number, body, search_text, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(number)
            .bind(Json(&body))
            .bind(forma_domain::text::program_text(&program))
            .bind(at)
            .bind(actor)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "UPDATE programs SET title = $1, sort_key = $2, kind = $3, category_id = $4, updated_on = $5, current_version = $6, \
                 duration_days = $7, total_hours = $8, audience = $9, modified_at = $10, status = 'published', draft = NULL, \
                 draft_modified_at = NULL, missing_items = $12 WHERE id = $11",
            )
            .bind(&program.title)
            .bind(sort_key(&program.title))
            .bind(program.kind.as_str())
            .bind(category_id)
            .bind(program.updated_on)
            .bind(number)
            .bind(program.duration.days.map(i64::from))
            .bind(program.total_hours().map(i64::from))
            .bind(program.audience.as_deref())
            .bind(at)
            .bind(id)
            .bind(missing_codes(&program))
            .execute(&mut *tx)
            .await?;
            record!(tx, actor, "program", program.slug.as_str(), "publish", before.map(|b| b.0.0), Some(body))?;
            tx.commit().await?;
            Ok(number)
        })
    }

    /// Takes a sheet off the public site; its versions and draft stay.
    pub async fn unpublish_program(&self, slug: &str, actor: &str) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let done = sqlx::query("UPDATE programs SET status = 'draft', modified_at = $1 WHERE slug = $2 AND status = 'published'")
                .bind(now())
                .bind(slug)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound(format!("fiche publiée « {slug} »")));
            }
            record!(tx, actor, "program", slug, "unpublish", Some(json!({ "status": "published" })), Some(json!({ "status": "draft" })))?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Drops the pending draft: the editor shows the published text again.
    pub async fn discard_draft(&self, slug: &str, actor: &str) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let draft: Option<Option<Json<serde_json::Value>>> = sqlx::query_scalar("SELECT draft FROM programs WHERE slug = $1 AND current_version > 0")
                .bind(slug)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(Some(draft)) = draft else { return Err(StoreError::NotFound(format!("brouillon de « {slug} »"))) };
            let published: Json<Program> = sqlx::query_scalar(
                "SELECT v.body FROM programs p JOIN program_versions v ON v.program_id = p.id AND v.number = p.current_version WHERE p.slug = $1",
            )
            .bind(slug)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query("UPDATE programs SET draft = NULL, draft_modified_at = NULL, missing_items = $1 WHERE slug = $2")
                .bind(missing_codes(&published.0))
                .bind(slug)
                .execute(&mut *tx)
                .await?;
            record!(tx, actor, "program", slug, "discard_draft", Some(draft.0), None::<serde_json::Value>)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Every sheet for the back-office list, by title, from the listing columns alone.
    pub async fn program_rows(&self) -> Result<Vec<ProgramRow>, StoreError> {
        let rows = on_pool!(self, pool => {
            sqlx::query_as::<_, ProgramRowRaw>(
                "SELECT p.slug, p.title, p.kind, c.name AS category, p.status, p.draft IS NOT NULL AS has_draft, p.updated_on, \
                 p.missing_items FROM programs p LEFT JOIN categories c ON c.id = p.category_id ORDER BY p.sort_key, p.id",
            )
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(ProgramRow::from).collect())
    }

    /// Computes the stored indicator-1 items of sheets written before they were kept (or by an
    /// older version), once, at start.
    pub(crate) async fn backfill_missing_items(&self) -> Result<(), StoreError> {
        let rows = on_pool!(self, pool => {
            sqlx::query_as::<_, EditableRow>(sqlx::AssertSqlSafe(format!("{EDITABLE_SELECT} WHERE p.missing_items IS NULL")))
                .fetch_all(pool)
                .await?
        });
        for editable in rows.into_iter().filter_map(EditableRow::into_editable) {
            let codes = missing_codes(&editable.program);
            on_pool!(self, pool => {
                sqlx::query("UPDATE programs SET missing_items = $1 WHERE slug = $2")
                    .bind(&codes)
                    .bind(editable.program.slug.as_str())
                    .execute(pool)
                    .await?;
            });
        }
        Ok(())
    }

    pub async fn program_versions(&self, slug: &str) -> Result<Vec<VersionSummary>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as::<_, VersionSummary>(
                "SELECT v.number, v.created_at, v.created_by FROM program_versions v JOIN programs p ON p.id = v.program_id \
                 WHERE p.slug = $1 ORDER BY v.number DESC",
            )
            .bind(slug)
            .fetch_all(pool)
            .await?)
        })
    }

    pub async fn program_version(&self, slug: &str, number: i64) -> Result<Option<Program>, StoreError> {
        let row: Option<(Json<Program>,)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT v.body FROM program_versions v JOIN programs p ON p.id = v.program_id WHERE p.slug = $1 AND v.number = $2")
                .bind(slug)
                .bind(number)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(|r| r.0.0))
    }

    /// Makes version `number` the sheet's draft, to review and publish again.
    pub async fn restore_version(&self, slug: &str, number: i64, actor: &str) -> Result<(), StoreError> {
        let Some(program) = self.program_version(slug, number).await? else {
            return Err(StoreError::NotFound(format!("version {number} de « {slug} »")));
        };
        self.save_draft(&program, &format!("{actor} (restauration de la version {number})")).await
    }

    pub async fn all_categories(&self) -> Result<Vec<CategoryRow>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as::<_, CategoryRow>(
                "SELECT c.id, c.slug, c.name, (SELECT COUNT(*) FROM programs p WHERE p.category_id = c.id) AS programs \
                 FROM categories c ORDER BY c.name",
            )
            .fetch_all(pool)
            .await?)
        })
    }

    pub async fn create_category(&self, name: &str, actor: &str) -> Result<String, StoreError> {
        let slug = Slug::from_title(name).map(|s| s.to_string()).ok_or_else(|| StoreError::Conflict("Le nom doit contenir au moins une lettre.".into()))?;
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let id: i64 = sqlx::query_scalar("INSERT INTO categories (slug, name) VALUES ($1, $2) RETURNING id")
                .bind(&slug)
                .bind(name)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| match &e {
                    sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict("Cette catégorie existe déjà.".into()),
                    _ => StoreError::Database(e),
                })?;
            record!(tx, actor, "category", id.to_string(), "create", None::<serde_json::Value>, Some(json!({ "slug": slug, "name": name })))?;
            tx.commit().await?;
            Ok(slug)
        })
    }

    /// Renames a category; its slug (in public addresses) stays.
    pub async fn rename_category(&self, slug: &str, name: &str, actor: &str) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let old: Option<(i64, String)> = sqlx::query_as("SELECT id, name FROM categories WHERE slug = $1").bind(slug).fetch_optional(&mut *tx).await?;
            let Some((id, old_name)) = old else { return Err(StoreError::NotFound(format!("catégorie « {slug} »"))) };
            sqlx::query("UPDATE categories SET name = $1 WHERE id = $2")
                .bind(name)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(|e| match &e {
                    sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict("Une autre catégorie porte déjà ce nom.".into()),
                    _ => StoreError::Database(e),
                })?;
            // Public pages are cached by modification stamp: touch the sheets of this category.
            sqlx::query("UPDATE programs SET modified_at = $1 WHERE category_id = $2").bind(now()).bind(id).execute(&mut *tx).await?;
            record!(tx, actor, "category", id.to_string(), "rename", Some(json!({ "name": old_name })), Some(json!({ "name": name })))?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Deletes an empty category; refuses one that still holds sheets.
    pub async fn delete_category(&self, slug: &str, actor: &str) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let row: Option<(i64, String, i64)> = sqlx::query_as(
                "SELECT c.id, c.name, (SELECT COUNT(*) FROM programs p WHERE p.category_id = c.id) FROM categories c WHERE c.slug = $1",
            )
            .bind(slug)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((id, name, used)) = row else { return Err(StoreError::NotFound(format!("catégorie « {slug} »"))) };
            if used > 0 {
                return Err(StoreError::Conflict(format!("La catégorie « {name} » contient encore {used} fiche(s) : déplacez-les d'abord.")));
            }
            sqlx::query("DELETE FROM categories WHERE id = $1").bind(id).execute(&mut *tx).await?;
            record!(tx, actor, "category", id.to_string(), "delete", Some(json!({ "slug": slug, "name": name })), None::<serde_json::Value>)?;
            tx.commit().await?;
            Ok(())
        })
    }
}
