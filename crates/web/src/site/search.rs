use std::collections::HashMap;

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;

use forma_store::CategoryCount;
use serde::Deserialize;

use super::layout::Layout;
use super::{page_number, respond};
use crate::error::SiteError;
use crate::state::AppState;

/// Ten results a page, as search engines do; each shown result costs an excerpt.
const PER_PAGE: u32 = 10;
/// Longer input is cut: nobody types more, and it bounds the work per request.
const MAX_QUERY_CHARS: usize = 200;

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    q: Option<String>,
    page: Option<String>,
}

/// A result as listed: the hit and its excerpt.
pub struct ResultView {
    pub slug: String,
    pub title: String,
    pub excerpt_html: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    layout: Layout,
    query: String,
    total: usize,
    partial: bool,
    hits: Vec<ResultView>,
    categories: Vec<CategoryCount>,
    page: u32,
    total_pages: u32,
    first_rank: u32,
    previous_href: Option<String>,
    next_href: Option<String>,
}

fn href(query: &str, page: u32) -> String {
    let encoded: String = query
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("/recherche?q={encoded}&page={page}")
}

pub async fn search(State(state): State<AppState>, query: Result<Query<SearchQuery>, QueryRejection>) -> Response {
    let Query(params) = query.unwrap_or_else(|_| Query(Default::default()));
    let text: String = params.q.unwrap_or_default().trim().chars().take(MAX_QUERY_CHARS).collect();
    let page = page_number(params.page.as_deref());
    let result = async {
        let offset = ((page - 1) * PER_PAGE) as usize;
        let results = if text.is_empty() { Default::default() } else { state.search.search(&text, offset, PER_PAGE as usize)? };
        let categories = if results.total == 0 { state.store.categories().await? } else { Vec::new() };
        // The index keeps no text: excerpts are cut from the stored sheets shown on this page.
        let slugs: Vec<String> = results.hits.iter().map(|h| h.slug.clone()).collect();
        let mut texts: HashMap<String, String> = state.store.program_texts(&slugs).await?.into_iter().collect();
        let hits = results
            .hits
            .into_iter()
            .map(|hit| {
                let excerpt_html = match (&results.excerpter, texts.remove(&hit.slug)) {
                    (Some(excerpter), Some(text)) => excerpter.excerpt_html(&text),
                    _ => String::new(),
                };
                ResultView { slug: hit.slug, title: hit.title, excerpt_html }
            })
            .collect();
        let total_pages = (results.total as u32).div_ceil(PER_PAGE).max(1);
        let title = if text.is_empty() { "Rechercher une formation".to_owned() } else { format!("Recherche « {text} »") };
        let mut layout = state.layout( title, "");
        layout.query = text.clone();
        Ok::<_, SiteError>(SearchPage {
            layout,
            total: results.total,
            partial: results.partial,
            hits,
            categories,
            page,
            total_pages,
            first_rank: (page - 1) * PER_PAGE + 1,
            previous_href: (page > 1).then(|| href(&text, page - 1)),
            next_href: (page < total_pages).then(|| href(&text, page + 1)),
            query: text,
        })
    }
    .await;
    respond(&state, result)
}
