//! The sheets list: every sheet, published or not, with its indicator-1 badge, filters by
//! status, completeness, category, kind and title words.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use forma_domain::completeness::is_outdated;
use forma_domain::text::fold;
use forma_store::ProgramRow;
use serde::Deserialize;

use super::layout::{Frame, internal, render};
use crate::auth::CurrentUser;
use crate::state::AppState;

#[derive(Clone)]
pub struct Row {
    pub slug: String,
    pub title: String,
    pub kind: &'static str,
    pub category: String,
    pub published: bool,
    pub has_draft: bool,
    pub updated_on: String,
    /// French labels of the missing indicator-1 items.
    pub missing: Vec<&'static str>,
    pub outdated: bool,
}

impl Row {
    /// From the listing columns alone: the list never decodes a sheet (see BENCHMARKS.md).
    pub fn from_stored(r: ProgramRow, today: chrono::NaiveDate) -> Row {
        Row {
            outdated: r.published && is_outdated(r.updated_on, today),
            slug: r.slug,
            title: r.title,
            kind: r.kind.as_str(),
            category: r.category.unwrap_or_default(),
            published: r.published,
            has_draft: r.has_draft,
            updated_on: r.updated_on.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_else(|| "—".into()),
            missing: r.missing.iter().map(|i| i.label()).collect(),
        }
    }

    pub fn complete(&self) -> bool {
        self.missing.is_empty() && !self.outdated
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    statut: String,
    #[serde(default)]
    completude: String,
    #[serde(default)]
    categorie: String,
    #[serde(default)]
    type_: String,
    #[serde(default)]
    q: String,
    ok: Option<String>,
}

#[derive(Template)]
#[template(path = "gestion/programs.html")]
struct ListPage {
    frame: Frame,
    rows: Vec<Row>,
    total: usize,
    categories: Vec<String>,
    statut: String,
    completude: String,
    categorie: String,
    type_: String,
    q: String,
}

pub async fn list(State(state): State<AppState>, current: CurrentUser, Query(query): Query<ListQuery>) -> Response {
    let Some(user) = current.user() else { return internal(&state, anyhow::anyhow!("session absente")) };
    let all = match state.store.program_rows().await {
        Ok(all) => all,
        Err(e) => return internal(&state, e.into()),
    };
    let today = crate::site::today();
    let words: Vec<String> = query.q.split_whitespace().map(fold).collect();
    let mut categories: Vec<String> = all.iter().filter_map(|r| r.category.clone()).collect();
    categories.sort();
    categories.dedup();
    let total = all.len();
    let rows: Vec<Row> = all
        .into_iter()
        .map(|r| Row::from_stored(r, today))
        .filter(|r| match query.statut.as_str() {
            "publiee" => r.published,
            "non-publiee" => !r.published,
            "brouillon" => r.has_draft,
            _ => true,
        })
        .filter(|r| match query.completude.as_str() {
            "complete" => r.complete(),
            "incomplete" => !r.complete(),
            _ => true,
        })
        .filter(|r| query.categorie.is_empty() || r.category == query.categorie)
        .filter(|r| query.type_.is_empty() || r.kind == query.type_)
        .filter(|r| {
            let title = fold(&r.title);
            words.iter().all(|w| title.contains(w.as_str()))
        })
        .collect();
    let frame = Frame::new(&state, user, "Fiches programme", "programmes").notice(query.ok.as_deref());
    render(
        &state,
        ListPage {
            frame,
            rows,
            total,
            categories,
            statut: query.statut,
            completude: query.completude,
            categorie: query.categorie,
            type_: query.type_,
            q: query.q,
        },
    )
}
