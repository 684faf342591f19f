//! Demo attendance: the seed's action (2019) completed, every half-day signed by its trainees and
//! closed by Thierry CHEINE — one trainee late, one excused, one absent (with its alert and
//! follow-up), one correction after the closing —; and a session running today, its morning
//! being signed, so that the trainer's screen, the sheet PDF and `forma verify` show at once.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use forma_domain::ProgramKind;
use forma_domain::attendance::{AttendanceStatus, Presence};
use forma_domain::half_day::HalfDay;
use forma_domain::registration::{BpfTraineeType, DayChoice, TraineeInput};
use forma_domain::session::{PlannedDay, SessionPlan};
use forma_domain::signature::Strokes;
use forma_store::{HalfDaySlot, NewAttendance, NewRegistration, NoAbsenceMail, RegistrationOrigin, Store};

use super::directory::DemoDirectory;

const ACTOR: &str = "demo";
const THIERRY: &str = "thierry.cheine@demo.forma.test";

const AGENTS: [(&str, &str, &str); 8] = [
    ("Anne", "Perrin", "Conseillère technique"),
    ("Bruno", "Lacroix", "Manager"),
    ("Chloé", "Vidal", "Travailleuse sociale"),
    ("David", "Renaud", "Conseiller technique"),
    ("Emma", "Royer", "Travailleuse sociale"),
    ("Fabien", "Colin", "Manager"),
    ("Gaëlle", "Marchand", "Conseillère technique"),
    ("Hugo", "Brunet", "Travailleur social"),
];

/// A handwriting-like squiggle, different for each person.
fn signature(n: usize) -> anyhow::Result<Strokes> {
    let (loops, height, slant) = (1.0 + (n % 4) as f64, 12.0 + (n * 7 % 20) as f64, (n % 3) as f64 - 1.0);
    let points: Vec<String> = (0..40)
        .map(|i| {
            let x = 20 + i * 6;
            let t = i as f64 / 39.0 * std::f64::consts::TAU * loops;
            let y = 50.0 - slant * (i as f64 - 20.0) + t.sin() * height + (t * 2.7 + n as f64).cos() * 6.0;
            format!("[{x},{}]", y.clamp(5.0, 95.0).round() as i64)
        })
        .collect();
    let underline = format!("[[{},80],[{},82]]", 40 + n * 4, 220 + n * 5);
    Strokes::parse(&format!("{{\"w\":300,\"h\":100,\"strokes\":[[{}],{underline}]}}", points.join(","))).map_err(|e| anyhow::anyhow!("signature de démonstration : {e}"))
}

/// `time` on `day`, Paris time, as an instant.
fn paris(day: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    chrono_tz::Europe::Paris.from_local_datetime(&day.and_time(time)).earliest().map_or_else(|| day.and_time(time).and_utc(), |t| t.with_timezone(&Utc))
}

fn at(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN)
}

pub(super) async fn register(store: &Store, session: i64, client: Option<i64>, n: usize, employer: &str) -> anyhow::Result<i64> {
    let (first, last, role) = AGENTS[n];
    let ascii = |s: &str| s.to_lowercase().replace(['é', 'ë'], "e");
    let trainee = TraineeInput {
        first_name: first.into(),
        last_name: last.to_uppercase(),
        email: format!("{}.{}@caf03.demo.forma.test", ascii(first), ascii(last)),
        employer: employer.into(),
        job_role: role.into(),
        bpf_type: BpfTraineeType::PrivateEmployee.as_str().into(),
    }
    .validated()
    .map_err(|e| anyhow::anyhow!("stagiaire de démonstration : {e:?}"))?;
    let new = NewRegistration { session_id: session, trainee: &trainee, client_id: client, days: DayChoice::All, idempotency_key: None, origin: RegistrationOrigin::BackOffice, link: None, mail: None };
    Ok(store.register(&new, ACTOR).await?.registration_id)
}

fn sign_with(n: usize, method: &str) -> anyhow::Result<NewAttendance> {
    Ok(NewAttendance {
        signature: Some(signature(n)?),
        method: Some(method.into()),
        ip: Some(format!("192.0.2.{}", 10 + n)),
        user_agent: Some("Mozilla/5.0 (Linux; Android 14) Mobile".into()),
        ..NewAttendance::default()
    })
}

/// Loads the demo attendance once: nothing happens if any attendance is recorded.
pub async fn load(store: &Store, dir: &DemoDirectory, seed_slug: &str, today: NaiveDate) -> anyhow::Result<()> {
    // The seed's action is the one under convention 26/19.
    let Some(seed) = store.agreements(None).await?.into_iter().find(|a| a.number.to_string() == "26/19").map(|a| a.session_id) else {
        return Ok(());
    };
    if !store.session_attendance(seed).await?.is_empty() {
        return Ok(());
    }
    let session = store.session(seed).await?.ok_or_else(|| anyhow::anyhow!("session de démonstration introuvable"))?;
    let mut registrations = Vec::new();
    for n in 0..AGENTS.len() {
        registrations.push(register(store, session.id, Some(dir.caf_allier), n, "CAF de l'Allier").await?);
    }
    let closing = NewAttendance { trainer_id: Some(dir.trainer_thierry), signature: Some(signature(9)?), method: Some("trainer".into()), ..NewAttendance::default() };
    let mut absent = None;
    for (d, day) in session.days.iter().enumerate() {
        for half in [HalfDay::Morning, HalfDay::Afternoon] {
            let Some(slot) = (match half {
                HalfDay::Morning => day.day.schedule.morning,
                HalfDay::Afternoon => day.day.schedule.afternoon,
            }) else {
                continue;
            };
            let place = HalfDaySlot { session_id: session.id, day_id: day.id, day: day.day.date, half_day: half };
            for (n, registration) in registrations.iter().enumerate() {
                // Day 3: Chloé is excused (training elsewhere); day 5 afternoon: Hugo missing.
                if (d == 2 && n == 2) || (d == 4 && half == HalfDay::Afternoon && n == 7) {
                    continue;
                }
                let when = paris(day.day.date, slot.start) - Duration::minutes(8) + Duration::seconds((n * 47) as i64);
                store.sign_attendance(place, *registration, &sign_with(n, if n % 3 == 0 { "code" } else { "qr" })?, when).await?;
            }
            let mut marks = Vec::new();
            if d == 1 && half == HalfDay::Morning {
                let late = Presence { arrival: Some(slot.start + Duration::minutes(40)), ..Presence::new(AttendanceStatus::Late) };
                marks.push(NewAttendance { registration_id: Some(registrations[3]), trainer_id: Some(dir.trainer_thierry), presence: Some(late), method: Some("trainer".into()), ..NewAttendance::default() });
            }
            if d == 2 {
                let excused = Presence { justification: Some("Formation obligatoire à la CNAF le même jour".into()), ..Presence::new(AttendanceStatus::ExcusedAbsence) };
                marks.push(NewAttendance { registration_id: Some(registrations[2]), trainer_id: Some(dir.trainer_thierry), presence: Some(excused), method: Some("trainer".into()), ..NewAttendance::default() });
            }
            if !marks.is_empty() {
                store.mark_attendance(place, &marks, THIERRY, paris(day.day.date, slot.start + Duration::minutes(45))).await?;
            }
            let closed_at = paris(day.day.date, slot.end + Duration::minutes(5));
            store.close_half_day(place, &registrations, &closing, None, &NoAbsenceMail, THIERRY, closed_at).await?;
            if d == 4 && half == HalfDay::Afternoon {
                absent = Some(place);
            }
        }
    }
    // The absence was followed up; a late arrival was corrected after the closing.
    if let Some(alert) = store.attendance_alerts(10).await?.into_iter().find(|a| Some(a.day) == absent.map(|p| p.day)) {
        store.follow_up_alert(alert.id, "Appel le lendemain : rendez-vous médical imprévu, reprend à la journée suivante.", true, "gestion@demo.forma.test").await?;
    }
    if let Some(first) = session.days.first() {
        let place = HalfDaySlot { session_id: session.id, day_id: first.id, day: first.day.date, half_day: HalfDay::Afternoon };
        let left = Presence { departure: Some(at(16, 30)), ..Presence::new(AttendanceStatus::LeftEarly) };
        let correction = NewAttendance {
            registration_id: Some(registrations[5]),
            trainer_id: Some(dir.trainer_thierry),
            presence: Some(left),
            method: Some("trainer".into()),
            reason: Some("Départ à 16 h 30 pour un rendez-vous médical, signalé par le stagiaire le lendemain".into()),
            ..NewAttendance::default()
        };
        store.correct_attendance(place, &correction, THIERRY, paris(first.day.date + Duration::days(1), at(9, 10))).await?;
    }
    today_session(store, dir, seed_slug, today).await
}

/// A session running today: agents of the CAF de l'Allier, the morning being signed.
async fn today_session(store: &Store, dir: &DemoDirectory, seed_slug: &str, today: NaiveDate) -> anyhow::Result<()> {
    let plan = SessionPlan {
        kind: ProgramKind::Intra,
        client_id: Some(dir.caf_allier),
        capacity: Some(12),
        modules: vec![],
        days: vec![PlannedDay {
            title: "Journée en cours (démonstration de l'émargement)".into(),
            venue_id: Some(dir.venue_moulins),
            room_id: Some(dir.room_bourbonnais),
            trainer_ids: vec![dir.trainer_thierry],
            ..PlannedDay::on(today)
        }],
    };
    let plan = plan.validated().map_err(|e| anyhow::anyhow!("session du jour : {e:?}"))?;
    let id = store.create_session(seed_slug, &plan, ACTOR).await?;
    let mut registrations = Vec::new();
    for n in 0..6 {
        registrations.push(register(store, id, Some(dir.caf_allier), n, "CAF de l'Allier").await?);
    }
    let Some(day) = store.session(id).await?.and_then(|s| s.days.first().cloned()) else { return Ok(()) };
    let place = HalfDaySlot { session_id: id, day_id: day.id, day: today, half_day: HalfDay::Morning };
    let now = Utc::now();
    for (n, registration) in registrations.iter().enumerate().take(4) {
        let when = (paris(today, at(8, 52)) + Duration::minutes(n as i64 * 2)).min(now);
        store.sign_attendance(place, *registration, &sign_with(n, "qr")?, when).await?;
    }
    Ok(())
}
