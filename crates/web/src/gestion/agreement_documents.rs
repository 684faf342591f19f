//! Convention and avenant PDFs: the stored convention, its session, client, program version and
//! the organisation's settings, mapped into the documents crate's plain data.

use chrono::NaiveDate;
use forma_documents as docs;
use forma_domain::Program;
use forma_domain::agreement::{AgreementPrice, PriceBasis};
use forma_domain::amendment::AmendmentChange;
use forma_domain::organisation::Organisation;
use forma_domain::program::Prerequisites;
use forma_domain::session::PlannedDay;
use forma_store::{Agreement, Amendment, ClientRecord, DayDetail, SessionDetail, Store};

use crate::state::AppState;

/// Exemption wording printed when a convention charges no VAT.
const VAT_EXEMPTION: &str = "Exonération de TVA, article 261-4-4° a du code général des impôts";

const FOLLOW_UP: &str = "Une feuille d'émargement est signée par demi-journée par chaque stagiaire et par le formateur. \
     Le positionnement des stagiaires est recueilli avant la formation ; une évaluation à chaud est réalisée à la fin \
     de la formation et une évaluation à froid quelques mois plus tard.";

const SANCTION: &str = "À l'issue de la formation, l'organisme délivre à chaque stagiaire une attestation de fin de formation \
     (objectifs, nature, durée, résultats de l'évaluation des acquis) et adresse au client le certificat de réalisation.";

pub(crate) fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

pub(crate) fn some(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// « Vichy » from an address whose last line is « 03200 Vichy ».
fn city_of(address: &str) -> String {
    let last = address.lines().rev().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    match last.split_once(' ') {
        Some((code, city)) if code.len() == 5 && code.bytes().all(|b| b.is_ascii_digit()) => city.trim().to_owned(),
        _ => last.to_owned(),
    }
}

pub fn organisation(org: &Organisation) -> docs::Organisation {
    docs::Organisation {
        party: docs::Party {
            name: org.name.clone(),
            address_lines: lines(&org.address),
            siret: some(&org.siret),
            representative: None,
            email: some(&org.email),
            phone: some(&org.phone),
        },
        nda: some(&org.nda),
        city: city_of(&org.address),
    }
}

fn client(party: &ClientRecord) -> docs::Party {
    docs::Party {
        name: party.name.clone(),
        address_lines: lines(&party.address),
        siret: party.siret.clone().filter(|s| !s.trim().is_empty()),
        representative: party.representative.clone().filter(|s| !s.trim().is_empty()),
        email: party.email.clone().filter(|s| !s.trim().is_empty()),
        phone: party.phone.clone().filter(|s| !s.trim().is_empty()),
    }
}

pub fn price(price: &AgreementPrice) -> docs::Price {
    docs::Price {
        basis: match price.basis {
            PriceBasis::PerGroupDay => docs::PriceBasis::PerGroupDay,
            PriceBasis::PerTrainee => docs::PriceBasis::PerTrainee,
            PriceBasis::Flat => docs::PriceBasis::Flat,
        },
        unit_cents: price.unit_cents,
        quantity: price.quantity,
        vat_rate_basis_points: price.vat_rate_bp,
        vat_exemption_note: price.vat_rate_bp.is_none().then(|| VAT_EXEMPTION.to_owned()),
    }
}

/// A planned day as documents print it; names come from the stored day when there is one.
pub(crate) fn day(session: &SessionDetail, planned: &PlannedDay, stored: Option<&DayDetail>, trainer_names: &dyn Fn(i64) -> String) -> docs::PlannedDay {
    let module = planned.module.map(|m| match session.modules.get(m as usize - 1) {
        Some(title) => format!("Module {m} : {title}"),
        None => format!("Module {m}"),
    });
    // A day not stored yet (an avenant's) is named after a stored day in the same room.
    let named = stored.or_else(|| session.days.iter().find(|d| planned.venue_id.is_some() && d.day.venue_id == planned.venue_id && d.day.room_id == planned.room_id));
    let place = match named {
        Some(d) => match (&d.venue_name, &d.room_name) {
            (Some(v), Some(r)) => format!("{v} — {r}"),
            (Some(v), None) => v.clone(),
            _ => planned.place.clone(),
        },
        None => planned.place.clone(),
    };
    docs::PlannedDay {
        date: planned.date,
        module,
        title: some(&planned.title),
        morning: planned.schedule.morning.map(|s| (s.start, s.end)),
        afternoon: planned.schedule.afternoon.map(|s| (s.start, s.end)),
        place,
        trainers: match stored {
            Some(d) => d.trainer_names.clone(),
            None => planned.trainer_ids.iter().map(|&id| trainer_names(id)).collect(),
        },
        audience: some(&planned.audience),
        headcount: planned.headcount.map(|h| (h.min, h.max)),
    }
}

fn session_days(session: &SessionDetail) -> Vec<docs::PlannedDay> {
    session.days.iter().map(|d| day(session, &d.day, Some(d), &|id| format!("formateur n° {id}"))).collect()
}

/// `fallback_date` stands for a version published before MAJ dates were recorded.
fn annex(program: &Program, version: i64, fallback_date: NaiveDate) -> docs::AnnexedProgram {
    let mut sections: Vec<(String, String)> = program
        .content
        .iter()
        .filter(|s| !s.markdown.trim().is_empty())
        .map(|s| (s.heading.clone(), s.markdown.clone()))
        .collect();
    if let Some(methods) = program.methods.as_deref().and_then(some) {
        sections.push(("Méthodes mobilisées".into(), methods));
    }
    if let Some(evaluation) = program.evaluation.markdown.as_deref().and_then(some) {
        sections.push(("Modalités d'évaluation".into(), evaluation));
    }
    if let Some(access) = program.accessibility.as_deref().and_then(some) {
        sections.push(("Accessibilité".into(), access));
    }
    docs::AnnexedProgram {
        title: program.title.clone(),
        version: u32::try_from(version).unwrap_or(0),
        updated_on: program.updated_on.unwrap_or(fallback_date),
        objectives: program.objectives.clone(),
        audience: program.audience.clone(),
        prerequisites: match &program.prerequisites {
            Prerequisites::Unspecified => None,
            Prerequisites::NoneRequired => Some("Aucun prérequis".into()),
            Prerequisites::Required(items) => Some(items.join("\n")),
        },
        duration: crate::site::duration_label(program.duration.days, program.duration.minutes.map(|m| m.whole_hours())),
        sections,
    }
}

/// Why a document could not be assembled.
#[derive(Debug, thiserror::Error)]
pub enum AssemblyError {
    #[error(transparent)]
    Store(#[from] forma_store::StoreError),
    #[error("élément manquant : {0}")]
    Missing(String),
    #[error(transparent)]
    Document(#[from] docs::DocumentError),
}

async fn parts(store: &Store, agreement: &Agreement) -> Result<(SessionDetail, ClientRecord), AssemblyError> {
    let session = store.session(agreement.session_id).await?.ok_or_else(|| AssemblyError::Missing(format!("session n° {}", agreement.session_id)))?;
    let party = store.client_details(agreement.client_id).await?.ok_or_else(|| AssemblyError::Missing(format!("client n° {}", agreement.client_id)))?;
    Ok((session, party))
}

/// The convention's PDF, with the program version it annexes.
pub async fn convention_pdf(state: &AppState, agreement: &Agreement) -> Result<Vec<u8>, AssemblyError> {
    let (session, party) = parts(&state.store, agreement).await?;
    let program = state
        .store
        .program_version(&agreement.program_slug, agreement.program_version)
        .await?
        .ok_or_else(|| AssemblyError::Missing(format!("version {} de la fiche", agreement.program_version)))?;
    let document = docs::convention::ConventionDocument {
        number: agreement.number.to_string(),
        issued_on: agreement.issued_on,
        kind: session.kind.as_str().to_owned(),
        organisation: organisation(&state.organisation()),
        client: client(&party),
        program: annex(&program, agreement.program_version, agreement.issued_on),
        days: session_days(&session),
        trainees: some(&agreement.trainees),
        price: price(&agreement.price),
        payment_terms: agreement.payment_terms.clone(),
        follow_up: FOLLOW_UP.into(),
        sanction: SANCTION.into(),
        signed_on: agreement.signed_on,
    };
    Ok(tokio::task::spawn_blocking(move || docs::convention::render(&document))
        .await
        .map_err(|e| AssemblyError::Missing(format!("rendu interrompu : {e}")))??)
}

/// The avenant's PDF: its change, and the planning as it stands once the avenant applies.
pub async fn amendment_pdf(state: &AppState, agreement: &Agreement, amendment: &Amendment) -> Result<Vec<u8>, AssemblyError> {
    let (session, party) = parts(&state.store, agreement).await?;
    let trainers: Vec<(i64, String)> = session.days.iter().flat_map(|d| d.day.trainer_ids.iter().copied().zip(d.trainer_names.iter().cloned())).collect();
    let name = |id: i64| trainers.iter().find(|t| t.0 == id).map_or_else(|| format!("formateur n° {id}"), |t| t.1.clone());
    let change = match &amendment.change {
        AmendmentChange::AddDays { days } => docs::amendment::AmendmentChange::AddDays { days: days.iter().map(|d| day(&session, d, None, &name)).collect() },
        AmendmentChange::MoveDates { moves } => docs::amendment::AmendmentChange::MoveDates { moves: moves.iter().map(|m| (m.from, m.to)).collect() },
        AmendmentChange::ChangePrice { before, after } => docs::amendment::AmendmentChange::ChangePrice { before: price(before), after: price(after) },
    };
    // Once signed, the session already holds the change; before, show it applied.
    let days_after = if amendment.signed_on.is_some() {
        session_days(&session)
    } else {
        match amendment.change.apply(&session.plan()) {
            Ok(plan) => plan
                .days
                .iter()
                .map(|planned| {
                    let stored = session.days.iter().find(|d| d.day == *planned);
                    day(&session, planned, stored, &name)
                })
                .collect(),
            Err(_) => session_days(&session),
        }
    };
    let document = docs::amendment::AmendmentDocument {
        convention_number: agreement.number.to_string(),
        number: amendment.number,
        issued_on: amendment.issued_on,
        organisation: organisation(&state.organisation()),
        client: client(&party),
        program_title: agreement.program_title.clone(),
        reason: some(&amendment.reason),
        changes: vec![change],
        days_after,
        signed_on: amendment.signed_on,
    };
    Ok(tokio::task::spawn_blocking(move || docs::amendment::render(&document))
        .await
        .map_err(|e| AssemblyError::Missing(format!("rendu interrompu : {e}")))??)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_city_comes_from_the_postcode_line() {
        assert_eq!(city_of("12 rue de Paris\n03200 Vichy"), "Vichy");
        assert_eq!(city_of("Clermont-Ferrand"), "Clermont-Ferrand");
        assert_eq!(city_of(""), "");
    }
}
