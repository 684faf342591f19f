//! A trainee's convocation PDF, assembled from the registration, its session and the
//! organisation's settings (the PDF itself is the `documents` crate's typst template).

use forma_documents as docs;
use forma_documents::convocation::{Contact, ConvocationDay, ConvocationDocument, Trainee, Venue};
use forma_domain::organisation::Referent;
use forma_store::RegistrationRow;

use super::agreement_documents::{AssemblyError, day, lines, organisation, some};
use crate::state::AppState;

fn contact(referent: &Referent, role: &str) -> Option<Contact> {
    some(&referent.name).map(|name| Contact { name, role: Some(role.to_owned()), email: some(&referent.email), phone: some(&referent.phone) })
}

/// The convocation of `registration`; `personal_url` is the trainee's link, printed on it.
pub async fn convocation_pdf(state: &AppState, registration: &RegistrationRow, personal_url: &str) -> Result<Vec<u8>, AssemblyError> {
    let store = &state.store;
    let session = store.session(registration.session_id).await?.ok_or_else(|| AssemblyError::Missing(format!("session n° {}", registration.session_id)))?;
    let org = state.organisation();
    let mut days = Vec::new();
    for d in session.days.iter().filter(|d| registration.days.covers(d.id)) {
        let venue = match d.day.venue_id {
            Some(id) => store.venue(id).await?,
            None => None,
        };
        let venue = match venue {
            Some(v) => Venue {
                address_lines: lines(&v.address).into_iter().chain(some(&v.city).filter(|c| !v.address.contains(c.as_str()))).collect(),
                name: v.name,
                room: d.room_name.clone(),
                access: None,
                accessibility: some(&v.accessibility),
            },
            None => Venue { name: d.day.place.clone(), address_lines: vec![], room: None, access: None, accessibility: None },
        };
        days.push(ConvocationDay { day: day(&session, &d.day, Some(d), &|id| format!("formateur n° {id}")), venue });
    }
    let convention = store.agreements(Some(session.id)).await?.into_iter().find(|a| a.status != forma_domain::agreement::AgreementStatus::Cancelled);
    // Without a named référent handicap, the organisation itself answers accommodation requests.
    let disability = contact(&org.disability_referent, "Référent handicap").unwrap_or_else(|| Contact {
        name: org.name.clone(),
        role: Some("Référent handicap : à joindre à l'accueil de l'organisme".into()),
        email: some(&org.email),
        phone: some(&org.phone),
    });
    let document = ConvocationDocument {
        issued_on: crate::site::today(),
        organisation: organisation(&org),
        trainee: Trainee { full_name: format!("{} {}", registration.first_name, registration.last_name), employer: some(&registration.employer) },
        training_title: session.program_title.clone(),
        session_reference: Some(format!("Session n° {}", session.id)),
        convention_number: convention.map(|a| a.number.to_string()),
        kind: session.kind.as_str().to_owned(),
        days,
        prerequisites: None,
        organisation_contact: Some(Contact { name: org.name.clone(), role: Some("Organisme de formation".into()), email: some(&org.email), phone: some(&org.phone) }),
        client_contact: None,
        disability_referent: disability,
        pedagogical_referent: contact(&org.pedagogical_referent, "Référent pédagogique"),
        // Without a stored règlement intérieur, the personal page says how to get it.
        rules_url: if store.rules_updated_at().await?.is_some() {
            state.config.absolute_url(super::organisation::RULES_PATH)
        } else {
            format!("{personal_url}#reglement-interieur")
        },
        personal_url: personal_url.to_owned(),
    };
    Ok(tokio::task::spawn_blocking(move || docs::convocation::render(&document))
        .await
        .map_err(|e| AssemblyError::Missing(format!("rendu interrompu : {e}")))??)
}
