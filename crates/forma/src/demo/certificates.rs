//! Demo certificates: the seed's action (2019), every half-day closed, has its documents issued
//! the day after its last day — certificat de réalisation, attestation de fin de formation and
//! attestation de suivi for each agent —; one attestation is then revoked and one certificate
//! replaced, so that the verification page shows the three answers (valid, revoked, replaced).

use std::sync::Arc;

use chrono::Duration;
use forma_domain::certificate::CertificateKind;
use forma_search::SearchIndex;
use forma_store::Store;
use forma_web::{AppState, WebConfig};

const ACTOR: &str = "demo";

pub async fn load(store: &Store) -> anyhow::Result<()> {
    let Some(seed) = store.agreements(None).await?.into_iter().find(|a| a.number.to_string() == "26/19").map(|a| a.session_id) else {
        return Ok(());
    };
    if !store.session_certificates(seed).await?.is_empty() {
        return Ok(());
    }
    let Some(last_day) = store.session(seed).await?.and_then(|s| s.days.last().map(|d| d.day.date)) else { return Ok(()) };
    // The documents are made as the back-office makes them, with the organisation's settings;
    // the trainees are not mailed (the demo's addresses are fictitious).
    let state = AppState::new(store.clone(), Arc::new(SearchIndex::new()?), WebConfig::default());
    state.reload_organisation().await?;
    let issued_on = last_day + Duration::days(1);
    forma_web::issue_certificates(&state, seed, issued_on, false, ACTOR).await?;
    let issued = store.session_certificates(seed).await?;
    let mut of_kind = issued.iter().filter(|c| c.kind.0 == CertificateKind::Attendance);
    if let Some(c) = of_kind.next() {
        store.revoke_certificate(&c.code, "Délivrée par erreur : l'employeur n'a demandé que le certificat de réalisation.", ACTOR).await?;
    }
    if let Some(c) = issued.iter().find(|c| c.kind.0 == CertificateKind::Completion) {
        forma_web::replace_certificate(&state, c, issued_on + Duration::days(3), "Employeur précisé à la demande de la stagiaire (site de Moulins).", ACTOR)
            .await?;
    }
    Ok(())
}
