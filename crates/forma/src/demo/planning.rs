//! Demo planning: the seed page's own action rebuilt (CAF de l'Allier, convention 26/19, six days
//! in three modules from March to September 2019, Thierry CHEINE of Accolades in Moulins, Vichy
//! and Montluçon, then an avenant adding a seventh day), future INTRA sessions with their
//! conventions, and requests — one of them overdue — so that every planning page has something
//! to show.

use chrono::{Duration, NaiveDate};
use forma_domain::agreement::{AgreementPrice, AgreementStatus, PriceBasis};
use forma_domain::agreement_number::AgreementNumber;
use forma_domain::amendment::AmendmentChange;
use forma_domain::request::{AnswerChannel, NewRequest, Outcome};
use forma_domain::session::{DayHeadcount, PlannedDay, SessionPlan};
use forma_domain::{Program, ProgramKind};
use forma_store::{AgreementTerms, Answer, Store};

use super::directory::DemoDirectory;
use super::{ACTOR, next_weekday};

const PAYMENT: &str = "Facturation à l'issue de chaque module, sur la base des journées réalisées. Règlement à 30 jours à réception de la facture, par virement.";

fn date(y: i32, m: u32, d: u32) -> anyhow::Result<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| anyhow::anyhow!("date de démonstration invalide"))
}

struct Day {
    date: NaiveDate,
    module: u32,
    title: &'static str,
    venue: i64,
    room: i64,
    trainer: i64,
    headcount: (u32, u32),
    audience: &'static str,
}

fn planned(d: &Day) -> PlannedDay {
    PlannedDay {
        module: Some(d.module),
        title: d.title.into(),
        venue_id: Some(d.venue),
        room_id: Some(d.room),
        trainer_ids: vec![d.trainer],
        audience: d.audience.into(),
        headcount: Some(DayHeadcount { min: d.headcount.0, max: d.headcount.1 }),
        ..PlannedDay::on(d.date)
    }
}

fn terms(basis: PriceBasis, unit_cents: i64, quantity: u32, trainees: &str) -> AgreementTerms {
    AgreementTerms { price: AgreementPrice { basis, unit_cents, quantity, vat_rate_bp: None }, payment_terms: PAYMENT.into(), trainees: trainees.into() }
}

async fn plan(store: &Store, slug: &str, client: i64, modules: &[&str], days: &[Day]) -> anyhow::Result<i64> {
    let plan = SessionPlan {
        kind: ProgramKind::Intra,
        client_id: Some(client),
        capacity: days.iter().map(|d| d.headcount.1).max(),
        modules: modules.iter().map(|m| (*m).to_owned()).collect(),
        days: days.iter().map(planned).collect(),
    }
    .validated()
    .map_err(|e| anyhow::anyhow!("session de démonstration : {e:?}"))?;
    Ok(store.create_session(slug, &plan, ACTOR).await?)
}

/// Sends then signs a convention (or an avenant when `amendment`).
async fn sign(store: &Store, id: i64, sent: NaiveDate, signed: NaiveDate, amendment: bool) -> anyhow::Result<()> {
    if amendment {
        store.set_amendment_status(id, AgreementStatus::Sent, sent, ACTOR).await?;
        store.set_amendment_status(id, AgreementStatus::Signed, signed, ACTOR).await?;
    } else {
        store.set_agreement_status(id, AgreementStatus::Sent, sent, ACTOR).await?;
        store.set_agreement_status(id, AgreementStatus::Signed, signed, ACTOR).await?;
    }
    Ok(())
}

/// Loads the demo planning once (a base that already holds a convention is left alone).
/// Returns how many sessions it planned.
pub async fn load(store: &Store, programs: &[Program], dir: &DemoDirectory, today: NaiveDate) -> anyhow::Result<usize> {
    if !store.agreements(None).await?.is_empty() {
        return Ok(0);
    }
    let seed = programs.first().ok_or_else(|| anyhow::anyhow!("catalogue de démonstration vide"))?;
    let seed_slug = seed.slug.as_str();
    let (moulins, vichy, montlucon) = (dir.venue_moulins, dir.venue_vichy, dir.venue_montlucon);
    let thierry = dir.trainer_thierry;
    let all = "Conseillers techniques, managers et travailleurs sociaux";
    let day = |date, module, title, venue, room, headcount, audience| Day { date, module, title, venue, room, trainer: thierry, headcount, audience };
    let seed_days = [
        day(date(2019, 3, 22)?, 1, "Acculturation CTG", moulins, dir.room_allier, (30, 40), "CODIR élargi, conseillers techniques, managers, travailleurs sociaux"),
        day(date(2019, 4, 12)?, 1, "Socle commun de la démarche CTG", vichy, dir.room_sources, (15, 20), all),
        day(date(2019, 5, 17)?, 2, "Portraits de territoire", montlucon, dir.room_cher, (15, 20), all),
        day(date(2019, 6, 14)?, 2, "Co-animer un projet de territoire", moulins, dir.room_bourbonnais, (5, 8), "Conseillers techniques et encadrement"),
        day(date(2019, 9, 6)?, 3, "Organisation interne et transversalité", vichy, dir.room_sources, (15, 20), all),
        day(date(2019, 9, 27)?, 3, "Bilan et feuille de route", montlucon, dir.room_cher, (15, 20), all),
    ];
    let modules = ["Comprendre la Convention Territoriale Globale", "Construire le diagnostic partagé", "Piloter et évaluer le projet"];
    let seed_session = plan(store, seed_slug, dir.caf_allier, &modules, &seed_days).await?;
    let number = AgreementNumber::parse("26/19").map_err(|e| anyhow::anyhow!("{e}"))?;
    let trainees = "30 à 40 personnes pour la journée d'acculturation, puis 15 à 20 (5 à 8 pour l'encadrement)";
    let (convention, _) = store
        .create_agreement(seed_session, dir.caf_allier, Some(number), &terms(PriceBasis::PerGroupDay, 120_000, 6, trainees), date(2019, 2, 15)?, ACTOR)
        .await?;
    sign(store, convention, date(2019, 2, 18)?, date(2019, 2, 25)?, false).await?;
    let seventh = planned(&day(date(2019, 10, 18)?, 3, "Journée de restitution", moulins, dir.room_allier, (15, 20), all));
    let change = AmendmentChange::AddDays { days: vec![seventh] };
    let (avenant, _) = store.create_amendment(convention, &change, "Une journée de restitution demandée par le comité de pilotage", date(2019, 9, 16)?, ACTOR).await?;
    sign(store, avenant, date(2019, 9, 17)?, date(2019, 9, 20)?, true).await?;

    // Coming INTRA actions: one signed (Puy-de-Dôme, Claire Martin, after her leave), one sent.
    let other = programs.iter().find(|p| p.kind == ProgramKind::Intra && p.slug != seed.slug).unwrap_or(seed);
    let start = next_weekday(today + Duration::days(35));
    let second = next_weekday(start + Duration::days(7));
    let claire = |date, title| Day { date, module: 1, title, venue: dir.venue_clermont, room: dir.room_clermont_2, trainer: dir.trainer_claire, headcount: (10, 16), audience: "Agents d'accueil" };
    let puy = plan(store, other.slug.as_str(), dir.caf_puy_de_dome, &["Module unique"], &[claire(start, "Première journée"), claire(second, "Seconde journée")]).await?;
    let (signed, _) = store.create_agreement(puy, dir.caf_puy_de_dome, None, &terms(PriceBasis::PerGroupDay, 110_000, 2, "10 à 16 agents d'accueil"), today - Duration::days(20), ACTOR).await?;
    sign(store, signed, today - Duration::days(18), today - Duration::days(10), false).await?;
    let later = next_weekday(today + Duration::days(60));
    let allier = plan(store, seed_slug, dir.caf_allier, &["Acculturation des nouveaux agents"], &[day(later, 1, "Acculturation CTG — nouveaux agents", vichy, dir.room_sources, (15, 20), all)]).await?;
    let (sent, _) = store.create_agreement(allier, dir.caf_allier, None, &terms(PriceBasis::PerGroupDay, 120_000, 1, "15 à 20 agents"), today - Duration::days(3), ACTOR).await?;
    store.set_agreement_status(sent, AgreementStatus::Sent, today - Duration::days(2), ACTOR).await?;

    // Requests: one overdue, one due soon, one answered in time (it became the Vichy session).
    let request = |client, kind, received: NaiveDate, seats, contact: &str, message: &str| NewRequest {
        client_id: client,
        program_slug: seed_slug.to_owned(),
        kind,
        seats,
        received_on: received,
        due_on: None,
        contact: contact.into(),
        message: message.into(),
    };
    let wanted = [
        request(dir.caf_puy_de_dome, ProgramKind::Intra, today - Duration::days(20), None, "M. Durand, responsable formation", "Former les cadres de deux sites à la démarche CTG au printemps."),
        request(dir.caf_allier, ProgramKind::Inter, today - Duration::days(28), Some(3), "Mme Petit", "Trois places pour des agents arrivés récemment."),
        request(dir.caf_allier, ProgramKind::Intra, today - Duration::days(12), None, "Mme Martin, directrice", "Une session pour les nouveaux agents de Vichy."),
    ];
    let mut ids = Vec::new();
    for r in &wanted {
        let due = r.due_date(&seed.access_delays, today).map_err(|e| anyhow::anyhow!("demande de démonstration : {e:?}"))?;
        ids.push(store.create_request(r, due, ACTOR).await?);
    }
    let answer = Answer { answered_on: today - Duration::days(4), channel: AnswerChannel::Email, outcome: Outcome::Accepted, text: "Session proposée à Vichy, convention envoyée.".into(), session_id: Some(allier) };
    if let Some(&answered) = ids.last() {
        store.answer_request(answered, &answer, ACTOR).await?;
    }
    Ok(3)
}
