//! Demo certificates: the seed's action (2019), every half-day closed, has its documents issued
//! the day after its last day — certificat de réalisation, attestation de fin de formation and
//! attestation de suivi for each agent —; one attestation is then revoked and one certificate
//! replaced, so that the verification page shows the three answers (valid, revoked, replaced).
//! Before, Thierry CHEINE assessed what each agent learnt but the last, so the attestations de
//! fin de formation print their results (and the last one's shows none).

use std::sync::Arc;

use chrono::Duration;
use forma_domain::assessment::{AcquisitionLevel, Assessment, ObjectiveResult};
use forma_domain::certificate::CertificateKind;
use forma_domain::registration::RegistrationStatus;
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
    let Some(session) = store.session(seed).await? else { return Ok(()) };
    let Some(last_day) = session.days.last().map(|d| d.day.date) else { return Ok(()) };
    // The documents are made as the back-office makes them, with the organisation's settings;
    // the trainees are not mailed (the demo's addresses are fictitious).
    let state = AppState::new(store.clone(), Arc::new(SearchIndex::new()?), WebConfig::default());
    state.reload_organisation().await?;
    assess(&state, &session).await?;
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

/// Thierry's assessment of the agents: everything acquired for most, the last objective being
/// acquired for one, a remark for the first; the last agent is left unassessed.
async fn assess(state: &AppState, session: &forma_store::SessionDetail) -> anyhow::Result<()> {
    let Some(objectives) = forma_web::program_of(state, session).await?.map(|p| p.objectives) else { return Ok(()) };
    let store = &state.store;
    let agents: Vec<i64> =
        store.session_registrations(session.id).await?.into_iter().filter(|r| r.status == RegistrationStatus::Confirmed).map(|r| r.id).collect();
    let mut grid = Vec::new();
    for (n, id) in agents.iter().enumerate().take(agents.len().saturating_sub(1)) {
        let results = objectives
            .iter()
            .enumerate()
            .map(|(i, objective)| {
                let level = if n == 1 && i + 1 == objectives.len() { AcquisitionLevel::InProgress } else { AcquisitionLevel::Acquired };
                ObjectiveResult { objective: objective.clone(), level }
            })
            .collect();
        let remark = (n == 0).then(|| "A conduit le diagnostic partagé de son territoire avec aisance lors de la mise en situation.".to_owned());
        grid.push((*id, Some(serde_json::to_string(&Assessment { results, remark })?)));
    }
    store.save_assessments(session.id, &grid, "thierry.cheine@demo.forma.test").await?;
    Ok(())
}
