use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use forma_domain::ProgramKind;
use forma_store::{CategoryCount, ProgramFilter};
use serde::Deserialize;

use super::layout::Layout;
use super::views::duration_label;
use super::{page_number, respond};
use crate::error::SiteError;
use crate::state::AppState;

pub const PER_PAGE: u32 = 24;

/// Query strings are read leniently: a stale or hand-edited link shows the catalogue, not an error.
#[derive(Deserialize, Default)]
pub struct CatalogueQuery {
    categorie: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    page: Option<String>,
}

pub struct ListedProgram {
    pub slug: String,
    pub title: String,
    pub kind: &'static str,
    pub category: Option<String>,
    pub duration: String,
    pub audience: Option<String>,
}

#[derive(Template)]
#[template(path = "formations.html")]
struct CataloguePage {
    layout: Layout,
    categories: Vec<CategoryCount>,
    selected_category: String,
    selected_kind: String,
    items: Vec<ListedProgram>,
    total: u64,
    page: u32,
    total_pages: u32,
    previous_href: Option<String>,
    next_href: Option<String>,
}

fn href(category: &str, kind: &str, page: u32) -> String {
    let mut params = Vec::new();
    if !category.is_empty() {
        params.push(format!("categorie={category}"));
    }
    if !kind.is_empty() {
        params.push(format!("type={kind}"));
    }
    if page > 1 {
        params.push(format!("page={page}"));
    }
    if params.is_empty() { "/formations".into() } else { format!("/formations?{}", params.join("&")) }
}

pub async fn catalogue(State(state): State<AppState>, query: Result<Query<CatalogueQuery>, QueryRejection>) -> Response {
    let Query(query) = query.unwrap_or_else(|_| Query(Default::default()));
    let page = async {
        let categories = state.store.categories().await?;
        // Only a known category slug reaches the query (and the links built from it).
        let category = query.categorie.filter(|c| categories.iter().any(|k| &k.slug == c)).unwrap_or_default();
        let kind = query.kind.as_deref().and_then(ProgramKind::parse);
        let page = page_number(query.page.as_deref());
        let filter = ProgramFilter {
            category: (!category.is_empty()).then(|| category.clone()),
            kind,
            page,
            per_page: PER_PAGE,
        };
        let listing = state.store.list_programs(&filter).await?;
        let total_pages = listing.total.div_ceil(u64::from(PER_PAGE)).max(1) as u32;
        let kind_str = kind.map(ProgramKind::as_str).unwrap_or_default();
        let title = match categories.iter().find(|c| c.slug == category) {
            Some(c) => format!("Formations — {}", c.name),
            None => "Nos formations".to_owned(),
        };
        Ok::<_, SiteError>(CataloguePage {
            layout: state.layout( title, "formations"),
            items: listing
                .items
                .into_iter()
                .map(|p| ListedProgram {
                    duration: duration_label(p.duration_days, p.total_hours),
                    slug: p.slug,
                    title: p.title,
                    kind: p.kind.as_str(),
                    category: p.category,
                    audience: p.audience,
                })
                .collect(),
            total: listing.total,
            page,
            total_pages,
            previous_href: (page > 1).then(|| href(&category, kind_str, page - 1)),
            next_href: (page < total_pages).then(|| href(&category, kind_str, page + 1)),
            selected_category: category,
            selected_kind: kind_str.to_owned(),
            categories,
        })
    }
    .await;
    respond(&state, page)
}
