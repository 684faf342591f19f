//! A session's certificates in the back-office (`/gestion/sessions/{id}/certificats`): who can
//! have which document and why not yet, issuing the missing ones in one go (each trainee is told
//! by e-mail), revoking or replacing one with a reason, the PDFs one by one or as a ZIP.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use forma_domain::FieldErrors;
use forma_domain::certificate::{CertificateKind, VerificationCode, refusal};
use forma_store::{CertificateRow, StoreError};
use serde::Deserialize;

use super::{Issue, file_name, pdf, program_of, stored_content};
use crate::attendance::sheet::{SessionGrid, session_grid};
use crate::auth::CurrentUser;
use crate::auth::invitation::until;
use crate::gestion::layout::{Frame, NoticeQuery, PathId, done, internal, invalid, not_found, render};
use crate::state::AppState;

/// The longest reason kept for a revocation or a replacement.
pub const REASON_MAX: usize = 500;

/// One document of one trainee, as the table shows it.
pub enum Slot {
    /// In force: its code and where to download it.
    Issued { code: String, grouped: String },
    /// Can be issued now.
    Ready,
    /// Withdrawn on purpose: not offered again (its code is in the history).
    Revoked,
    /// Why not yet.
    NotYet(String),
}

pub struct TraineeLine {
    pub name: String,
    pub hours: String,
    pub slots: Vec<Slot>,
}

/// A certificate no longer in force, with why.
pub struct PastLine {
    pub code: String,
    pub grouped: String,
    pub label: &'static str,
    pub name: String,
    pub what: String,
}

#[derive(Template)]
#[template(path = "certificates/session.html")]
struct SessionPage {
    frame: Frame,
    session_id: i64,
    title: String,
    kinds: Vec<&'static str>,
    lines: Vec<TraineeLine>,
    ready: usize,
    issued: usize,
    /// (code, « Attestation de suivi — Inès Morel (7KQ2-…) »), for the revoke/replace form.
    in_force: Vec<(String, String)>,
    past: Vec<PastLine>,
    errors: FieldErrors,
    typed: ChangeForm,
    reason_max: usize,
    /// Trainees with an assessment of what they learnt, out of the session's.
    assessed: (usize, usize),
    /// Trainees whose attestation in force does not state their assessment as it is now (issued
    /// before it was set or changed): to replace.
    stale: Vec<String>,
}

/// The session's trainees, their certificates in force by kind, and every certificate.
struct Situation {
    grid: SessionGrid,
    certificates: Vec<CertificateRow>,
    /// Someone signs for the organisation (the certificat de réalisation names them).
    signatory: bool,
    /// The program version the session was planned from (its objectives go on the attestation).
    program: Option<forma_domain::Program>,
    /// What the trainer assessed of each trainee (by registration): the attestation prints it.
    assessments: HashMap<i64, forma_domain::assessment::Assessment>,
}

impl Situation {
    async fn load(state: &AppState, id: i64) -> Result<Option<Situation>, StoreError> {
        let Some(grid) = session_grid(state, id).await? else { return Ok(None) };
        let certificates = state.store.session_certificates(id).await?;
        let signatory = !state.organisation().administrative_referent.name.trim().is_empty();
        let program = program_of(state, &grid.session).await?;
        let assessments = crate::evaluations::assessment::session_assessments(state, id).await?;
        Ok(Some(Situation { grid, certificates, signatory, program, assessments }))
    }

    /// Why this trainee cannot have this document yet, if so.
    fn why_not(&self, kind: CertificateKind, trainee: &crate::attendance::sheet::TraineeGrid) -> Option<String> {
        refusal(kind, trainee.open, trainee.totals.total.attended.0).or_else(|| match kind {
            CertificateKind::Completion if !self.signatory => Some("Renseignez le référent administratif dans Organisme : il signe le certificat.".into()),
            CertificateKind::Attestation if self.program.as_ref().is_none_or(|p| p.objectives.is_empty()) => {
                Some("La fiche programme n'indique pas d'objectifs : l'attestation les reprend.".into())
            }
            _ => None,
        })
    }

    fn in_force(&self) -> HashMap<(i64, CertificateKind), &CertificateRow> {
        self.certificates.iter().filter(|c| c.in_force()).map(|c| ((c.registration_id, c.kind.0), c)).collect()
    }

    /// Whether the trainee's document of this kind was revoked and nothing replaced it.
    fn revoked(&self, registration: i64, kind: CertificateKind) -> bool {
        self.certificates.iter().any(|c| c.registration_id == registration && c.kind.0 == kind && c.revoked_at.is_some())
    }

    /// The (trainee index, kind) pairs that can be issued now: nothing in force, nothing revoked
    /// (a revocation is a decision, not a gap to fill), and the rule allows it.
    fn ready(&self) -> Vec<(usize, CertificateKind)> {
        let in_force = self.in_force();
        let mut ready = Vec::new();
        for (i, t) in self.grid.trainees.iter().enumerate() {
            for kind in CertificateKind::ALL {
                let id = t.registration.id;
                if !in_force.contains_key(&(id, kind)) && !self.revoked(id, kind) && self.why_not(kind, t).is_none() {
                    ready.push((i, kind));
                }
            }
        }
        ready
    }
}

async fn page(
    state: &AppState,
    user: &forma_store::User,
    id: i64,
    notice: Option<&str>,
    errors: FieldErrors,
    typed: ChangeForm,
) -> Result<Option<SessionPage>, StoreError> {
    let Some(situation) = Situation::load(state, id).await? else { return Ok(None) };
    let in_force = situation.in_force();
    let names: HashMap<i64, String> =
        situation.grid.trainees.iter().map(|t| (t.registration.id, format!("{} {}", t.registration.first_name, t.registration.last_name))).collect();
    let lines = situation
        .grid
        .trainees
        .iter()
        .map(|t| TraineeLine {
            name: names.get(&t.registration.id).cloned().unwrap_or_default(),
            hours: t.totals.total.label(),
            slots: CertificateKind::ALL
                .into_iter()
                .map(|kind| match in_force.get(&(t.registration.id, kind)) {
                    Some(c) => Slot::Issued { code: c.code.clone(), grouped: grouped(&c.code) },
                    None if situation.revoked(t.registration.id, kind) => Slot::Revoked,
                    None => match situation.why_not(kind, t) {
                        Some(why) => Slot::NotYet(why),
                        None => Slot::Ready,
                    },
                })
                .collect(),
        })
        .collect();
    let who = |c: &CertificateRow| names.get(&c.registration_id).cloned().unwrap_or_else(|| format!("inscription n° {}", c.registration_id));
    let mut current: Vec<&CertificateRow> = situation.certificates.iter().filter(|c| c.in_force()).collect();
    current.sort_by_key(|c| (who(c), c.kind.0));
    let past = situation
        .certificates
        .iter()
        .filter(|c| !c.in_force())
        .map(|c| PastLine {
            code: c.code.clone(),
            grouped: grouped(&c.code),
            label: c.kind.0.label(),
            name: who(c),
            what: match (&c.revoked_at, &c.replaced_at) {
                (Some(at), _) => format!("révoqué le {} : {}", until(*at), c.revoked_reason.clone().unwrap_or_default()),
                (None, Some(at)) => format!(
                    "remplacé le {} par {} : {}",
                    until(*at),
                    c.replaced_by_code.as_deref().map(grouped).unwrap_or_default(),
                    c.replaced_reason.clone().unwrap_or_default()
                ),
                (None, None) => String::new(),
            },
        })
        .collect();
    let assessed = situation.grid.trainees.iter().filter(|t| situation.assessments.contains_key(&t.registration.id)).count();
    let stale = current
        .iter()
        .filter(|c| c.kind.0 == CertificateKind::Attestation)
        .filter(|c| {
            stored_content(c).is_ok_and(|content| {
                content.results != situation.assessments.get(&c.registration_id).and_then(|a| a.results_text(&content.action.objectives))
            })
        })
        .map(|c| who(c))
        .collect();
    let frame = Frame::new(state, user, format!("Certificats — session n° {id}"), "sessions").notice(notice);
    Ok(Some(SessionPage {
        frame,
        session_id: id,
        title: situation.grid.session.program_title.clone(),
        kinds: CertificateKind::ALL.iter().map(|k| k.label()).collect(),
        ready: situation.ready().len(),
        issued: current.len(),
        in_force: current.iter().map(|c| (c.code.clone(), format!("{} — {} ({})", c.kind.0.label(), who(c), grouped(&c.code)))).collect(),
        lines,
        past,
        errors,
        typed,
        reason_max: REASON_MAX,
        assessed: (assessed, situation.grid.trainees.len()),
        stale,
    }))
}

fn grouped(code: &str) -> String {
    VerificationCode::parse(code).map(|c| c.grouped()).unwrap_or_else(|_| code.to_owned())
}

pub async fn show(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId, Query(q): Query<NoticeQuery>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    match page(&state, user, id, q.ok.as_deref(), FieldErrors::default(), ChangeForm::default()).await {
        Ok(Some(p)) => render(&state, p),
        Ok(None) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}

/// Issues every certificate of the session that can be issued now and is not yet, dated
/// `issued_on`; `notify` tells each trainee by e-mail. Gives how many were issued (`None`: no
/// such session).
pub async fn issue_ready(state: &AppState, id: i64, issued_on: chrono::NaiveDate, notify: bool, actor: &str) -> anyhow::Result<Option<usize>> {
    let Some(situation) = Situation::load(state, id).await? else { return Ok(None) };
    let mut certificates = Vec::new();
    for (i, kind) in situation.ready() {
        let issue = Issue {
            session: &situation.grid.session,
            program: situation.program.as_ref(),
            trainee: &situation.grid.trainees[i],
            assessment: situation.assessments.get(&situation.grid.trainees[i].registration.id),
            kind,
            issued_on,
            replaces: None,
        };
        certificates.push(issue.signed(state).await?);
    }
    let mails = if notify { mails(state, &situation, &certificates) } else { Vec::new() };
    state.store.issue_certificates(&certificates, &mails, actor).await?;
    if !mails.is_empty() {
        state.mail_wake.notify_one();
    }
    Ok(Some(certificates.len()))
}

/// Issues every certificate that can be issued now and is not yet, and tells each trainee.
pub async fn issue(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId) -> Response {
    if current.user().is_none() {
        return not_found(&state);
    }
    let today = Utc::now().with_timezone(&chrono_tz::Europe::Paris).date_naive();
    match issue_ready(&state, id, today, true, &current.actor()).await {
        Ok(Some(0)) => done(&format!("/gestion/sessions/{id}/certificats"), "certificats-aucun"),
        Ok(Some(_)) => done(&format!("/gestion/sessions/{id}/certificats"), "certificats"),
        Ok(None) => not_found(&state),
        Err(e) => match e.downcast::<StoreError>() {
            Ok(StoreError::Conflict(_)) => done(&format!("/gestion/sessions/{id}/certificats"), "certificats-deja"),
            Ok(e) => internal(&state, e.into()),
            Err(e) => internal(&state, e),
        },
    }
}

/// One message per trainee with an address, listing their new documents.
fn mails(state: &AppState, situation: &Situation, certificates: &[forma_store::NewCertificate]) -> Vec<forma_store::OutgoingMail> {
    let org = state.organisation_name();
    situation
        .grid
        .trainees
        .iter()
        .filter(|t| !t.registration.email.trim().is_empty())
        .filter_map(|t| {
            let list: Vec<String> = certificates
                .iter()
                .filter(|c| c.registration_id == t.registration.id)
                .map(|c| format!("{} : {}", c.kind.label(), state.config.absolute_url(&format!("/verifier/{}/document.pdf", c.code))))
                .collect();
            (!list.is_empty()).then(|| {
                let name = format!("{} {}", t.registration.first_name, t.registration.last_name);
                forma_mail::messages::certificates_issued(&org, &t.registration.email, &name, &situation.grid.session.program_title, &list.join("\n"))
            })
        })
        .collect()
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub reason: String,
    /// `revoquer` or `remplacer`: the button pressed.
    #[serde(default)]
    pub action: String,
}

/// Revokes a certificate, or replaces it by one issued again from today's data (a corrected
/// name, a corrected attendance), with the reason either way.
pub async fn change(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId, Form(form): Form<ChangeForm>) -> Response {
    let Some(user) = current.user() else { return not_found(&state) };
    let reason = form.reason.trim().to_owned();
    let mut errors = FieldErrors::default();
    let target = match state.store.certificate_by_code(&form.code).await {
        Ok(c) => c.filter(|c| c.session_id == id && c.in_force()),
        Err(e) => return internal(&state, e.into()),
    };
    if target.is_none() {
        errors.add("code", "Choisissez un certificat en vigueur de cette session.");
    }
    if reason.is_empty() {
        errors.add("reason", "Indiquez la raison : elle est affichée sur la page de vérification.");
    } else if reason.chars().count() > REASON_MAX {
        errors.add("reason", format!("La raison ne doit pas dépasser {REASON_MAX} caractères."));
    }
    if !matches!(form.action.as_str(), "revoquer" | "remplacer") {
        errors.add("action", "Choisissez de révoquer ou de remplacer le certificat.");
    }
    let (Some(target), true) = (target, errors.is_empty()) else {
        return match page(&state, user, id, None, errors, form).await {
            Ok(Some(p)) => invalid(&state, p),
            Ok(None) => not_found(&state),
            Err(e) => internal(&state, e.into()),
        };
    };
    let path = format!("/gestion/sessions/{id}/certificats");
    let result = if form.action == "revoquer" {
        state.store.revoke_certificate(&target.code, &reason, &current.actor()).await.map(|()| "certificat-revoque").map_err(anyhow::Error::from)
    } else {
        let today = Utc::now().with_timezone(&chrono_tz::Europe::Paris).date_naive();
        replace(&state, &target, today, &reason, &current.actor()).await.map(|()| "certificat-remplace")
    };
    match result {
        Ok(notice) => done(&path, notice),
        Err(e) => match e.downcast::<StoreError>() {
            Ok(StoreError::Conflict(message)) => {
                let mut errors = FieldErrors::default();
                errors.add("code", message);
                match page(&state, user, id, None, errors, form).await {
                    Ok(Some(p)) => invalid(&state, p),
                    Ok(None) => not_found(&state),
                    Err(e) => internal(&state, e.into()),
                }
            }
            Ok(e) => internal(&state, e.into()),
            Err(e) => internal(&state, e),
        },
    }
}

/// Replaces a certificate in force by one issued again from today's data, dated `issued_on`.
pub async fn replace(state: &AppState, old: &CertificateRow, issued_on: chrono::NaiveDate, reason: &str, actor: &str) -> anyhow::Result<()> {
    let situation = Situation::load(state, old.session_id).await?.ok_or_else(|| StoreError::Conflict("La session de ce certificat n'existe plus.".into()))?;
    let trainee = situation
        .grid
        .trainees
        .iter()
        .find(|t| t.registration.id == old.registration_id)
        .ok_or_else(|| StoreError::Conflict("Ce stagiaire n'est plus inscrit à la session : révoquez le certificat plutôt.".into()))?;
    if let Some(why) = situation.why_not(old.kind.0, trainee) {
        return Err(StoreError::Conflict(format!("Impossible d'établir un nouveau document : {why} Révoquez celui-ci si besoin.")).into());
    }
    let previous = stored_content(old)?;
    let issue = Issue {
        session: &situation.grid.session,
        program: situation.program.as_ref(),
        trainee,
        assessment: situation.assessments.get(&trainee.registration.id),
        kind: old.kind.0,
        issued_on,
        replaces: Some(previous.code),
    };
    let next = issue.signed(state).await?;
    state.store.replace_certificate(&old.code, &next, reason, actor).await?;
    Ok(())
}

/// One certificate's PDF, for the back-office (any certificate, even revoked: it is evidence).
pub async fn document(State(state): State<AppState>, current: CurrentUser, Path(code): Path<String>) -> Response {
    if current.user().is_none() {
        return not_found(&state);
    }
    match state.store.certificate_by_code(&code).await {
        Ok(Some(row)) => pdf_response(&state, &row).await,
        Ok(None) => not_found(&state),
        Err(e) => internal(&state, e.into()),
    }
}

pub async fn pdf_response(state: &AppState, row: &CertificateRow) -> Response {
    let made = async { Ok::<_, anyhow::Error>((pdf(state, row).await?, file_name(&stored_content(row)?))) };
    match made.await {
        Ok((bytes, name)) => private(crate::gestion::conventions::pdf_response(bytes, &name)),
        Err(e) => internal(state, e),
    }
}

fn private(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    response
}

/// Every certificate in force of the session, as one ZIP of PDFs.
pub async fn zip(State(state): State<AppState>, current: CurrentUser, PathId(id): PathId) -> Response {
    if current.user().is_none() {
        return not_found(&state);
    }
    let made = async {
        if state.store.session(id).await?.is_none() {
            return Ok(None);
        }
        let certificates = state.store.session_certificates(id).await?;
        let in_force: Vec<&CertificateRow> = certificates.iter().filter(|c| c.in_force()).collect();
        let names = in_force.iter().map(|row| Ok(file_name(&stored_content(row)?))).collect::<anyhow::Result<Vec<_>>>()?;
        let files: Vec<(String, Vec<u8>)> = names.into_iter().zip(super::pdfs(&state, &in_force).await?).collect();
        Ok::<_, anyhow::Error>(Some(forma_documents::certificate::zip(&files)?))
    };
    match made.await {
        Ok(Some(bytes)) => {
            let disposition = format!("attachment; filename=\"certificats-session-{id}.zip\"");
            let mut response = ([(header::CONTENT_TYPE, "application/zip")], bytes).into_response();
            if let Ok(value) = HeaderValue::from_str(&disposition) {
                response.headers_mut().insert(header::CONTENT_DISPOSITION, value);
            }
            private(response)
        }
        Ok(None) => not_found(&state),
        Err(e) => internal(&state, e),
    }
}
