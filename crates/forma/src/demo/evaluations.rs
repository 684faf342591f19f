//! Demo evaluations: the seed's action (2019) with every agent's positioning and hot evaluation
//! as they were sent then (history: outside the 12 months of the published rate), and today's
//! session with its positioning sent the day before and four hot evaluations already in, so that
//! the seed's sheet publishes a rate computed from answers. Two sessions of two other programs
//! ended 10 and 100 days ago publish theirs too; the older one has its client's appreciation
//! and its trainer's review, the recent one waits for them in the client and trainer spaces.
//! The seed's cold questionnaire is one written in the builder.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use forma_domain::ProgramKind;
use forma_domain::evaluation::{Answer, Answers, EvaluationKind, Question, QuestionKind, Questionnaire};
use forma_domain::registration::RegistrationStatus;
use forma_domain::session::{PlannedDay, SessionPlan};
use forma_store::{ResponseDraft, StakeholderDraft, Store};

use super::directory::DemoDirectory;

const ACTOR: &str = "demo";

/// Overall satisfaction of each agent of the seed action, in registration order (4: très
/// satisfait … 1: pas du tout); `None`: never sent.
const SEED_OVERALL: [Option<i64>; 8] = [Some(4), Some(4), Some(3), Some(4), Some(3), Some(2), Some(4), None];
/// Today's session: four of six have answered.
const TODAY_OVERALL: [Option<i64>; 6] = [Some(4), Some(3), Some(4), Some(2), None, None];

fn noon(day: NaiveDate) -> DateTime<Utc> {
    chrono_tz::Europe::Paris.from_local_datetime(&day.and_hms_opt(12, 0, 0).expect("noon")).single().map(|t| t.with_timezone(&Utc)).unwrap_or_else(Utc::now)
}

/// Answers every question of `q`: self-assessments at `mastery`, satisfaction at `overall`,
/// the rest with plausible values.
fn answers(q: &Questionnaire, mastery: i64, overall: i64, n: usize) -> Answers {
    let comments = ["Très concret, les échanges entre sites étaient utiles.", "Un peu dense le deuxième jour.", "J'aurais aimé plus d'exemples d'autres CAF."];
    q.questions()
        .filter_map(|question| {
            use forma_domain::evaluation::QuestionKind as K;
            let a = match &question.kind {
                K::SelfAssessment { .. } => Answer::Number(mastery),
                K::Satisfaction => Answer::Number(if question.overall { overall } else { overall.max(2) }),
                K::Scale => Answer::Number(4),
                K::SingleChoice { .. } => Answer::Number(0),
                K::MultipleChoice { .. } => Answer::Choices(vec![0]),
                K::Number { .. } => Answer::Number(3 + n as i64),
                K::Text if n.is_multiple_of(3) => return None,
                K::Text => Answer::Text(comments[n % comments.len()].to_owned()),
            };
            Some((question.key.clone(), a))
        })
        .collect()
}

async fn answer(
    store: &Store,
    registration: (i64, i64),
    kind: EvaluationKind,
    objectives: &[String],
    levels: (i64, i64),
    n: usize,
    at: DateTime<Utc>,
) -> anyhow::Result<()> {
    let q = Questionnaire::template(kind, objectives);
    let a = answers(&q, levels.0, levels.1, n);
    let draft = ResponseDraft {
        registration_id: registration.0,
        session_id: registration.1,
        kind,
        questionnaire: &serde_json::to_string(&q)?,
        answers: &serde_json::to_string(&a)?,
        overall: q.overall().map(|_| levels.1),
        submit: true,
        at,
    };
    store.save_evaluation(&draft, ACTOR).await?;
    Ok(())
}

pub async fn load(store: &Store, dir: &DemoDirectory, programs: &[forma_domain::Program], today: NaiveDate) -> anyhow::Result<()> {
    let Some(seed_slug) = programs.first().map(|p| p.slug.as_str()) else { return Ok(()) };
    let Some(seed) = store.agreements(None).await?.into_iter().find(|a| a.number.to_string() == "26/19").map(|a| a.session_id) else {
        return Ok(());
    };
    let objectives = store.program(seed_slug).await?.map(|p| p.program.objectives).unwrap_or_default();
    let confirmed = |rows: Vec<forma_store::RegistrationRow>| {
        rows.into_iter().filter(|r| r.status == RegistrationStatus::Confirmed).map(|r| (r.id, r.session_id)).collect::<Vec<_>>()
    };
    let seed_rows = confirmed(store.session_registrations(seed).await?);
    let Some(probe) = seed_rows.first() else { return Ok(()) };
    if !store.registration_evaluations(probe.0).await?.is_empty() {
        return Ok(());
    }
    let Some(seed_session) = store.session(seed).await? else { return Ok(()) };
    let (first, last) = (seed_session.days.first().map(|d| d.day.date), seed_session.days.last().map(|d| d.day.date));
    let (Some(first), Some(last)) = (first, last) else { return Ok(()) };
    for (n, registration) in seed_rows.iter().enumerate() {
        answer(store, *registration, EvaluationKind::Positioning, &objectives, (1 + (n % 2) as i64, 0), n, noon(first - Duration::days(5))).await?;
        if let Some(Some(overall)) = SEED_OVERALL.get(n) {
            answer(store, *registration, EvaluationKind::Hot, &objectives, (4, *overall), n, noon(last)).await?;
        }
    }
    // Today's session of the same program (planned by the attendance demo).
    let today_session = store.upcoming_sessions(today, Some(seed_slug), false, 50).await?.into_iter().find(|s| s.days.first().is_some_and(|d| d.date == today));
    if let Some(session) = today_session {
        let now = Utc::now();
        for (n, registration) in confirmed(store.session_registrations(session.id).await?).into_iter().enumerate() {
            answer(store, registration, EvaluationKind::Positioning, &objectives, (1 + (n % 3) as i64, 0), n, noon(today - Duration::days(1))).await?;
            if let Some(Some(overall)) = TODAY_OVERALL.get(n) {
                answer(store, registration, EvaluationKind::Hot, &objectives, (4, *overall), n, now - Duration::minutes(30 - n as i64 * 5)).await?;
            }
        }
    }
    let recent = PastSession { ended_days_ago: 10, trainer: dir.trainer_thierry, overall: &[4, 4, 3, 3, 2], stakeholders_answered: false };
    let older = PastSession { ended_days_ago: 100, trainer: dir.trainer_claire, overall: &[4, 3, 3, 1], stakeholders_answered: true };
    for (program, past) in programs.iter().skip(1).zip([recent, older]) {
        past_session(store, dir, program, &past, today).await?;
    }
    written_questionnaire(store, seed_slug, &objectives).await
}

/// A one-day session of another program, ended some days ago, with its hot evaluations.
struct PastSession {
    ended_days_ago: i64,
    trainer: i64,
    overall: &'static [i64],
    stakeholders_answered: bool,
}

async fn past_session(store: &Store, dir: &DemoDirectory, program: &forma_domain::Program, past: &PastSession, today: NaiveDate) -> anyhow::Result<()> {
    let day = today - Duration::days(past.ended_days_ago);
    let plan = SessionPlan {
        kind: ProgramKind::Intra,
        client_id: Some(dir.caf_allier),
        capacity: Some(12),
        modules: vec![],
        days: vec![PlannedDay { venue_id: Some(dir.venue_moulins), room_id: Some(dir.room_allier), trainer_ids: vec![past.trainer], ..PlannedDay::on(day) }],
    };
    let plan = plan.validated().map_err(|e| anyhow::anyhow!("session passée de démonstration : {e:?}"))?;
    let session = store.create_session(program.slug.as_str(), &plan, ACTOR).await?;
    for (n, overall) in past.overall.iter().enumerate() {
        let registration = super::attendance::register(store, session, Some(dir.caf_allier), n, "CAF de l'Allier").await?;
        answer(store, (registration, session), EvaluationKind::Hot, &program.objectives, (4, *overall), n, noon(day)).await?;
    }
    if past.stakeholders_answered {
        for (kind, respondent, by) in
            [(EvaluationKind::Client, dir.caf_allier, "contact.caf03@demo.forma.test"), (EvaluationKind::Trainer, past.trainer, "pedagogie@demo.forma.test")]
        {
            let q = Questionnaire::template(kind, &program.objectives);
            let a = answers(&q, 4, 4, 1);
            let draft = StakeholderDraft {
                session_id: session,
                kind,
                respondent_id: respondent,
                questionnaire: &serde_json::to_string(&q)?,
                answers: &serde_json::to_string(&a)?,
                submit: true,
                at: noon(day + Duration::days(2)),
            };
            store.save_stakeholder_response(&draft, by).await?;
        }
    }
    Ok(())
}

/// The seed's cold questionnaire as the organisation wrote it in the builder: the model plus a
/// question on the local projects started since.
async fn written_questionnaire(store: &Store, seed_slug: &str, objectives: &[String]) -> anyhow::Result<()> {
    let mut q = Questionnaire::template(EvaluationKind::Cold, objectives);
    if let Some(section) = q.sections.first_mut() {
        section.questions.insert(
            1,
            Question {
                key: "q1".into(),
                label: "Quels chantiers de la CTG avez-vous engagés depuis la formation ?".into(),
                kind: QuestionKind::Text,
                required: false,
                overall: false,
            },
        );
    }
    let q = q.validated(objectives.len()).map_err(|e| anyhow::anyhow!("questionnaire de démonstration : {e:?}"))?;
    store.save_questionnaire(seed_slug, EvaluationKind::Cold, &serde_json::to_string(&q)?, ACTOR).await?;
    Ok(())
}
