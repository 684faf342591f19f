//! A session's certificates as one ZIP, prepared in the background with its progress shown
//! (`/gestion/archives/{id}`): the PDFs are laid out on every core of the node that received
//! the request, which writes its progress and then the file to the database, so that any node
//! serves the page, the progress and the download. A page without script shows a link to
//! refresh; with the script, the bar moves by itself.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Duration, Utc};
use forma_store::{ArchiveRow, CertificateRow};

use super::{file_name, pdfs_counted, stored_content};
use crate::auth::CurrentUser;
use crate::gestion::layout::{Frame, PathId, internal, not_found, render};
use crate::state::AppState;

/// A running archive that has not moved for this long was interrupted (its node stopped).
const STALLED_MINUTES: i64 = 5;

/// What the page and the script read.
#[derive(serde::Serialize)]
pub struct Progress {
    pub done: i64,
    pub total: i64,
    /// `running`, `ready`, `failed`, or `stalled`.
    pub status: &'static str,
}

fn progress(row: &ArchiveRow) -> Progress {
    let status = match row.status.as_str() {
        "ready" => "ready",
        "failed" => "failed",
        _ if Utc::now() - row.updated_at > Duration::minutes(STALLED_MINUTES) => "stalled",
        _ => "running",
    };
    Progress { done: row.done, total: row.total, status }
}

#[derive(Template)]
#[template(path = "certificates/archive.html")]
struct ArchivePage {
    frame: Frame,
    archive: ArchiveRow,
    progress: Progress,
    script: &'static str,
}

/// « Préparer le ZIP »: starts the archive of the documents in force and shows its progress.
pub async fn start(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let started = async {
        if state.store.session(id).await?.is_none() {
            return Ok(None);
        }
        let in_force: Vec<CertificateRow> = state.store.session_certificates(id).await?.into_iter().filter(|c| c.in_force()).collect();
        if in_force.is_empty() {
            return Ok(Some(Redirect::to(&format!("/gestion/sessions/{id}/certificats?ok=certificats-aucun")).into_response()));
        }
        let archive = state.store.create_archive(id, in_force.len() as i64, &user.email).await?;
        tokio::spawn(run(state.clone(), archive, in_force));
        Ok::<_, anyhow::Error>(Some(Redirect::to(&format!("/gestion/archives/{archive}")).into_response()))
    };
    match started.await {
        Ok(Some(r)) => r,
        Ok(None) => not_found(&state),
        Err(e) => internal(&state, e),
    }
}

/// Lays the PDFs out, writing the count to the database every half-second, then the ZIP.
async fn run(state: AppState, archive: i64, rows: Vec<CertificateRow>) {
    let laid_out = Arc::new(AtomicUsize::new(0));
    let reporter = {
        let (state, laid_out) = (state.clone(), laid_out.clone());
        tokio::spawn(async move {
            let mut reported = 0;
            loop {
                tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                let now = laid_out.load(Ordering::Relaxed);
                if now != reported {
                    reported = now;
                    if let Err(e) = state.store.archive_progress(archive, now as i64).await {
                        tracing::warn!(error = ?e, archive, "archive progress");
                    }
                }
            }
        })
    };
    let made = async {
        let refs: Vec<&CertificateRow> = rows.iter().collect();
        let names = refs.iter().map(|row| Ok(file_name(&stored_content(row)?))).collect::<anyhow::Result<Vec<_>>>()?;
        let files: Vec<(String, Vec<u8>)> = names.into_iter().zip(pdfs_counted(&state, &refs, laid_out.clone()).await?).collect();
        Ok::<_, anyhow::Error>(forma_documents::certificate::zip(&files)?)
    };
    let result = made.await;
    reporter.abort();
    let outcome = match &result {
        Ok(bytes) => state.store.finish_archive(archive, Ok(bytes)).await,
        Err(e) => {
            tracing::error!(error = ?e, archive, "certificates archive");
            state.store.finish_archive(archive, Err("Un document n'a pas pu être mis en page : l'erreur est dans le journal du serveur.")).await
        }
    };
    if let Err(e) = outcome {
        tracing::error!(error = ?e, archive, "archive not recorded");
    }
}

pub async fn show(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    match state.store.archive(id).await {
        Ok(Some(archive)) => {
            let frame = Frame::new(&state, user, format!("Certificats de la session n° {} (ZIP)", archive.session_id), "sessions");
            let mut response = render(&state, ArchivePage { frame, progress: progress(&archive), archive, script: crate::assets::ARCHIVE_SCRIPT_PATH });
            response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
            response
        }
        Ok(None) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}

/// The progress as JSON, for the page's script.
pub async fn status(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId) -> Response {
    if current.user().is_none() {
        return not_found(&state);
    }
    match state.store.archive(id).await {
        Ok(Some(archive)) => {
            let mut response = Json(progress(&archive)).into_response();
            response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
            response
        }
        Ok(None) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}

pub async fn download(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId) -> Response {
    if current.user().is_none() {
        return not_found(&state);
    }
    match state.store.archive_file(id).await {
        Ok(Some((session, bytes))) => {
            let mut response = ([(header::CONTENT_TYPE, "application/zip")], bytes).into_response();
            if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"certificats-session-{session}.zip\"")) {
                response.headers_mut().insert(header::CONTENT_DISPOSITION, value);
            }
            response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
            response
        }
        Ok(None) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}
