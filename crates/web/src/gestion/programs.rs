//! The sheets list: every sheet, published or not, with its indicator-1 badge, filters by
//! status, completeness, category, kind and title words.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use forma_domain::completeness::check;
use forma_store::EditableProgram;
use serde::Deserialize;

use super::layout::{Frame, internal, render};
use crate::auth::CurrentUser;
use crate::state::AppState;

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
    pub fn from_editable(e: &EditableProgram, today: chrono::NaiveDate) -> Row {
        let completeness = check(&e.program, today);
        Row {
            slug: e.program.slug.to_string(),
            title: e.program.title.clone(),
            kind: e.program.kind.as_str(),
            category: e.program.category.clone().unwrap_or_default(),
            published: e.published,
            has_draft: e.has_draft,
            updated_on: e.program.updated_on.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_else(|| "—".into()),
            missing: completeness.missing.iter().map(|i| i.label()).collect(),
            outdated: completeness.outdated,
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
    let all = match state.store.editable_programs().await {
        Ok(all) => all,
        Err(e) => return internal(&state, e.into()),
    };
    let today = crate::site::today();
    let words: Vec<String> = query.q.split_whitespace().map(|w| deunicode_lower(w)).collect();
    let mut categories: Vec<String> = all.iter().filter_map(|e| e.program.category.clone()).collect();
    categories.sort();
    categories.dedup();
    let total = all.len();
    let rows: Vec<Row> = all
        .iter()
        .map(|e| Row::from_editable(e, today))
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
            let title = deunicode_lower(&r.title);
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

fn deunicode_lower(text: &str) -> String {
    forma_domain::text::fold(text)
}
