//! Certificates (certificat de réalisation, attestation de fin de formation, attestation de
//! suivi), issued from the hours actually attended over closed half-days, each signed with the
//! organisation's Ed25519 key and verifiable by anyone at `/verifier/{code}`.
//!
//! - [`manage`]: the session's certificates in the back-office: issue, revoke, replace, ZIP;
//! - [`verify`]: the public verification pages and the published public key;
//! - the trainee's personal page lists theirs (`site::registration`).

pub mod archive;
pub mod manage;
pub mod verify;

use anyhow::Context;
use chrono::NaiveDate;
use forma_domain::certificate::{
    ActionFacts, ActionNature, Beneficiary, CONTENT_FORMAT, CertificateContent, CertificateKind, CertificateSigner, Issuer, VerificationCode,
};
use forma_domain::program::Program;
use forma_store::{CertificateRow, NewCertificate, SessionDetail};

use forma_documents::certificate as docs;

use crate::attendance::sheet::TraineeGrid;
use crate::gestion::agreement_documents::some;
use crate::state::AppState;

/// The name of the signing key's seed among the application secrets.
const SIGNING_KEY: &str = "certificate_signing_key";

/// Where the public key is published, as a standard PEM file.
pub const PUBLIC_KEY_PATH: &str = "/verifier/cle-publique.pem";

/// The organisation's signing key, made once for all nodes and read once per node.
pub async fn signer(state: &AppState) -> anyhow::Result<&CertificateSigner> {
    state
        .certificate_signer
        .get_or_try_init(|| async {
            let seed = state.store.app_secret(SIGNING_KEY).await?;
            let seed: [u8; 32] = seed.as_slice().try_into().context("certificate signing key is not 32 bytes")?;
            Ok::<_, anyhow::Error>(CertificateSigner::from_seed(&seed))
        })
        .await
}

/// A fresh verification code: 80 random bits.
pub fn fresh_code() -> VerificationCode {
    VerificationCode::from_bytes(rand::random())
}

/// The verification page of `code`, absolute: printed and drawn as a QR code.
pub fn verify_url(state: &AppState, code: &VerificationCode) -> String {
    state.config.absolute_url(&format!("/verifier/{}", code.as_str()))
}

/// What the session's program says, as the session was planned from it.
pub async fn program_of(state: &AppState, session: &SessionDetail) -> Result<Option<Program>, forma_store::StoreError> {
    Ok(match session.program_version {
        Some(version) => state.store.program_version(&session.program_slug, version).await?,
        None => state.store.program(&session.program_slug).await?.map(|p| p.program),
    })
}

/// Everything one certificate states, frozen now.
pub struct Issue<'a> {
    pub session: &'a SessionDetail,
    pub program: Option<&'a Program>,
    pub trainee: &'a TraineeGrid,
    /// What the trainer assessed of this trainee, if anything.
    pub assessment: Option<&'a forma_domain::assessment::Assessment>,
    pub kind: CertificateKind,
    pub issued_on: NaiveDate,
    pub replaces: Option<VerificationCode>,
}

impl Issue<'_> {
    pub fn content(&self, state: &AppState, code: VerificationCode) -> CertificateContent {
        let org = state.organisation();
        let registration = &self.trainee.registration;
        let days: Vec<_> = self.session.days.iter().filter(|d| registration.days.covers(d.id)).collect();
        let mut places: Vec<String> = Vec::new();
        for d in &days {
            let place = d.venue_name.clone().unwrap_or_else(|| d.day.place.clone());
            if !place.trim().is_empty() && !places.contains(&place) {
                places.push(place);
            }
        }
        let objectives = self.program.map(|p| p.objectives.clone()).unwrap_or_default();
        let first_day = days.first().map(|d| d.day.date).unwrap_or(self.issued_on);
        let last_day = days.last().map(|d| d.day.date).unwrap_or(first_day);
        CertificateContent {
            format: CONTENT_FORMAT,
            kind: self.kind,
            code,
            issued_on: self.issued_on,
            issuer: Issuer {
                name: org.name.clone(),
                address: crate::gestion::agreement_documents::lines(&org.address).join("\n"),
                nda: some(&org.nda),
                siret: some(&org.siret),
                // The settings name no legal representative yet: the administrative referent
                // signs for the organisation.
                representative: some(&org.administrative_referent.name),
                city: crate::gestion::agreement_documents::organisation(&org).city,
            },
            beneficiary: Beneficiary {
                first_name: registration.first_name.clone(),
                last_name: registration.last_name.clone(),
                employer: some(&registration.employer),
            },
            action: ActionFacts {
                title: self.session.program_title.clone(),
                nature: ActionNature::Training,
                objectives: objectives.clone(),
                first_day,
                last_day,
                place: (!places.is_empty()).then(|| places.join(" ; ")),
                planned_minutes: self.trainee.totals.total.planned.0,
                attended_minutes: self.trainee.totals.total.attended.0,
                half_days: self.trainee.attended.clone(),
            },
            // Only the attestation de fin de formation states them, and only what the trainer
            // assessed: nothing is printed for a trainee left unassessed.
            results: if self.kind == CertificateKind::Attestation { self.assessment.and_then(|a| a.results_text(&objectives)) } else { None },
            replaces: self.replaces.clone(),
        }
    }

    /// The certificate to store: its content, fresh code and signature.
    pub async fn signed(&self, state: &AppState) -> anyhow::Result<NewCertificate> {
        let content = self.content(state, fresh_code());
        let signature = signer(state).await?.sign(&content);
        Ok(NewCertificate {
            registration_id: self.trainee.registration.id,
            session_id: self.session.id,
            kind: self.kind,
            code: content.code.as_str().to_owned(),
            content: String::from_utf8(content.canonical()).context("canonical content is UTF-8")?,
            signature,
        })
    }
}

/// The stored content of a certificate, read back (it must still be canonical).
pub fn stored_content(row: &CertificateRow) -> anyhow::Result<CertificateContent> {
    CertificateContent::from_canonical(row.content.as_bytes()).with_context(|| format!("certificate {} has a damaged content", row.code))
}

/// Lays a stored certificate out as its PDF.
pub async fn pdf(state: &AppState, row: &CertificateRow) -> anyhow::Result<Vec<u8>> {
    pdfs(state, &[row]).await?.pop().context("one certificate laid out")
}

/// Lays out many stored certificates at once, on every core (in one blocking task): a
/// session's ZIP takes the time of its certificates divided by the cores, not their sum.
pub async fn pdfs(state: &AppState, rows: &[&CertificateRow]) -> anyhow::Result<Vec<Vec<u8>>> {
    pdfs_counted(state, rows, std::sync::Arc::default()).await
}

/// `pdfs`, counting the documents laid out in `laid_out` as they come (the archive's progress).
pub async fn pdfs_counted(
    state: &AppState,
    rows: &[&CertificateRow],
    laid_out: std::sync::Arc<std::sync::atomic::AtomicUsize>,
) -> anyhow::Result<Vec<Vec<u8>>> {
    let fingerprint = signer(state).await?.public_key().hex();
    let docs = rows.iter().map(|row| Ok(document(state, &stored_content(row)?, &fingerprint))).collect::<anyhow::Result<Vec<_>>>()?;
    let rendered = tokio::task::spawn_blocking(move || {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(docs.len()).max(1);
        let next = std::sync::atomic::AtomicUsize::new(0);
        let mut done: Vec<(usize, Result<Vec<u8>, forma_documents::DocumentError>)> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    scope.spawn(|| {
                        let mut mine = Vec::new();
                        loop {
                            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            let Some(doc) = docs.get(i) else { break mine };
                            mine.push((i, docs::render(doc)));
                            laid_out.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                    })
                })
                .collect();
            workers.into_iter().flat_map(|w| w.join().unwrap_or_default()).collect()
        });
        done.sort_by_key(|(i, _)| *i);
        done.into_iter().map(|(_, pdf)| pdf).collect::<Result<Vec<_>, _>>()
    })
    .await??;
    Ok(rendered)
}

/// The PDF's file name: « certificat-de-realisation-morel-ines-7KQ2M9XD.pdf ».
pub fn file_name(content: &CertificateContent) -> String {
    let who = forma_domain::slug::Slug::from_title(&format!("{} {}", content.beneficiary.last_name, content.beneficiary.first_name));
    let who = who.as_ref().map_or("stagiaire", |s| s.as_str());
    format!("{}-{who}-{}.pdf", content.kind.file_stem(), &content.code.as_str()[..8])
}

fn document(state: &AppState, content: &CertificateContent, fingerprint: &str) -> docs::CertificateDocument {
    // The letterhead is the issuer as frozen in the content; only the contact lines, which the
    // certificate does not attest, come from today's settings.
    let org = state.organisation();
    let issuer = &content.issuer;
    let organisation = forma_documents::Organisation {
        party: forma_documents::Party {
            name: issuer.name.clone(),
            address_lines: crate::gestion::agreement_documents::lines(&issuer.address),
            siret: issuer.siret.clone(),
            representative: issuer.representative.clone(),
            email: crate::gestion::agreement_documents::some(&org.email),
            phone: crate::gestion::agreement_documents::some(&org.phone),
        },
        nda: issuer.nda.clone(),
        city: issuer.city.clone(),
    };
    docs::CertificateDocument {
        kind: match content.kind {
            CertificateKind::Completion => docs::CertificateKind::Completion,
            CertificateKind::Attestation => docs::CertificateKind::Attestation,
            CertificateKind::Attendance => docs::CertificateKind::Attendance,
        },
        organisation,
        trainee_name: format!("{} {}", content.beneficiary.first_name, content.beneficiary.last_name.to_uppercase()),
        employer: content.beneficiary.employer.clone(),
        training_title: content.action.title.clone(),
        nature: match content.action.nature {
            ActionNature::Training => docs::ActionNature::Training,
            ActionNature::SkillsAssessment => docs::ActionNature::SkillsAssessment,
            ActionNature::Vae => docs::ActionNature::Vae,
            ActionNature::Apprenticeship => docs::ActionNature::Apprenticeship,
        },
        objectives: content.action.objectives.clone(),
        first_day: content.action.first_day,
        last_day: content.action.last_day,
        place: content.action.place.clone(),
        planned_minutes: content.action.planned_minutes,
        attended_minutes: content.action.attended_minutes,
        half_days: content.action.half_days.clone(),
        results: content.results.clone(),
        issued_on: content.issued_on,
        code: content.code.grouped(),
        verify_url: verify_url(state, &content.code),
        replaces: content.replaces.as_ref().map(VerificationCode::grouped),
        public_key_fingerprint: fingerprint[..16].to_owned(),
    }
}
