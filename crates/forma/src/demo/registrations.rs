//! Demo registrations: agents registered to the coming INTRA action, one INTER session full with
//! its waiting list (a cancellation has just offered a seat to the first in line), and a public
//! registration still waiting for its address to be confirmed.

use chrono::NaiveDate;
use forma_domain::ProgramKind;
use forma_domain::registration::{BpfTraineeType, DayChoice, TraineeInput};
use forma_store::{NewRegistration, NoOfferMail, RegistrationOrigin, Store};

const ACTOR: &str = "demo";

const FIRST: [&str; 12] = ["Camille", "Julien", "Nadia", "Thomas", "Sophie", "Karim", "Élodie", "Nicolas", "Inès", "Pierre", "Laura", "Mehdi"];
const LAST: [&str; 12] = ["Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Girard", "Roux", "Fournier", "Mercier", "Blanc", "Garnier", "Chevalier"];

fn person(n: usize, employer: &str, role: &str) -> TraineeInput {
    let (first, last) = (FIRST[n % FIRST.len()], LAST[(n * 5 + n / FIRST.len()) % LAST.len()]);
    let email = format!("{}.{}{}@demo.forma.test", ascii(first), ascii(last), n);
    TraineeInput {
        first_name: first.into(),
        last_name: last.into(),
        email,
        employer: employer.into(),
        job_role: role.into(),
        bpf_type: BpfTraineeType::PrivateEmployee.as_str().into(),
    }
}

fn ascii(text: &str) -> String {
    text.to_lowercase().replace(['é', 'è'], "e").replace('ï', "i")
}

async fn register(store: &Store, session: i64, client: Option<i64>, input: &TraineeInput, origin: RegistrationOrigin) -> anyhow::Result<i64> {
    let trainee = input.validated().map_err(|e| anyhow::anyhow!("stagiaire de démonstration : {e:?}"))?;
    let new = NewRegistration { session_id: session, trainee: &trainee, client_id: client, days: DayChoice::All, idempotency_key: None, origin, link: None, mail: None };
    Ok(store.register(&new, ACTOR).await?.registration_id)
}

/// Loads the demo registrations once (sessions that already hold some are left alone).
pub async fn load(store: &Store, today: NaiveDate) -> anyhow::Result<()> {
    let upcoming = store.upcoming_sessions(today, None, false, 500).await?;
    for s in &upcoming {
        if !store.session_registrations(s.id).await?.is_empty() {
            return Ok(());
        }
    }
    // The coming INTRA action: its client's agents.
    if let Some(intra) = upcoming.iter().find(|s| s.kind == ProgramKind::Intra) {
        let client = store.session(intra.id).await?.and_then(|d| d.client_id);
        for n in 0..10 {
            register(store, intra.id, client, &person(n, "CAF du Puy-de-Dôme", "Agent d'accueil"), RegistrationOrigin::BackOffice).await?;
        }
    }
    // The first INTER session with a limit: full, three waiting, then one cancels.
    let inter: Vec<_> = upcoming.iter().filter(|s| s.kind == ProgramKind::Inter && s.capacity.is_some()).collect();
    if let Some(full) = inter.first() {
        let places = full.seats_left.unwrap_or(0) as usize;
        let mut first = None;
        for n in 0..places + 3 {
            let id = register(store, full.id, None, &person(20 + n, "CAF de l'Allier", "Technicien conseil"), RegistrationOrigin::BackOffice).await?;
            first.get_or_insert(id);
        }
        if let Some(id) = first {
            store.cancel_registration(id, "Arrêt maladie", &NoOfferMail, ACTOR).await?;
        }
    }
    // A public registration whose address is not confirmed yet.
    if let Some(other) = inter.get(1) {
        register(store, other.id, None, &person(40, "CAF de l'Allier", "Travailleuse sociale"), RegistrationOrigin::Public).await?;
        for n in 0..4 {
            register(store, other.id, None, &person(41 + n, "CAF de l'Allier", "Conseillère technique"), RegistrationOrigin::BackOffice).await?;
        }
    }
    Ok(())
}
