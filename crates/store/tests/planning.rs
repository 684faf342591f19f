//! Planning on both backends: sessions with modules, half-days, rooms and trainers; conflicts;
//! calendars; requests and their promised dates; conventions, avenants and calendar feeds.

use chrono::{Duration, NaiveDate, Utc};
use forma_domain::ProgramKind;
use forma_domain::agreement::{AgreementPrice, AgreementStatus, PriceBasis};
use forma_domain::agreement_number::AgreementNumber;
use forma_domain::amendment::{AmendmentChange, DateMove};
use forma_domain::conflicts::{ConflictKind, Severity, any_blocking};
use forma_domain::parse_catalogue_page;
use forma_domain::request::{AnswerChannel, NewRequest, Outcome};
use forma_domain::session::{DayHeadcount, PlannedDay, SessionPlan};
use forma_store::testing::{each_backend, raw_execute};
use forma_store::{AgreementTerms, Answer, CalendarScope, Store, StoreError};

const SEED: &str = include_str!("../../../fixtures/seed/caf03-ctg-acculturation.txt");

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Venue 1 (Moulins) with room 1 (40 places) and room 2 (20); trainer 1 of provider 1 and
/// internal trainer 2, unavailable 1–15 June 2019.
async fn directory(url: &str) {
    for sql in [
        "INSERT INTO venues (id, name, address, city, created_at) VALUES (1, 'CAF de l''Allier — Moulins', '8 rue Achille Roche', 'Moulins', '2026-01-01T00:00:00Z')",
        "INSERT INTO rooms (id, venue_id, name, capacity) VALUES (1, 1, 'Salle Allier', 40), (2, 1, 'Salle Bourbonnais', 20)",
        "INSERT INTO venues (id, name, address, city, created_at) VALUES (2, 'CAF de l''Allier — Vichy', '', 'Vichy', '2026-01-01T00:00:00Z')",
        "INSERT INTO rooms (id, venue_id, name, capacity) VALUES (3, 2, 'Salle des Sources', 25)",
        "INSERT INTO providers (id, name, created_at) VALUES (1, 'Accolades', '2026-01-01T00:00:00Z')",
        "INSERT INTO trainers (id, name, provider_id, created_at) VALUES (1, 'Thierry CHEINE', 1, '2026-01-01T00:00:00Z'), (2, 'Claire Martin', NULL, '2026-01-01T00:00:00Z')",
        "INSERT INTO trainer_unavailabilities (trainer_id, first_day, last_day, reason) VALUES (2, '2019-06-01', '2019-06-15', 'congés')",
    ] {
        raw_execute(url, sql).await;
    }
    if url.starts_with("postgres") {
        for table in ["venues", "rooms", "providers", "trainers"] {
            raw_execute(url, &format!("SELECT setval(pg_get_serial_sequence('{table}', 'id'), 100)")).await;
        }
    }
}

fn seed_day(y: i32, m: u32, d: u32, module: u32, room: i64, trainers: &[i64], headcount: (u32, u32)) -> PlannedDay {
    PlannedDay {
        module: Some(module),
        title: "Acculturation CTG".into(),
        venue_id: Some(if room == 3 { 2 } else { 1 }),
        room_id: Some(room),
        trainer_ids: trainers.to_vec(),
        audience: "agents d'accueil".into(),
        headcount: Some(DayHeadcount { min: headcount.0, max: headcount.1 }),
        ..PlannedDay::on(date(y, m, d))
    }
}

async fn seed_session(store: &Store, client: i64) -> (String, i64) {
    let seed = parse_catalogue_page(SEED).unwrap();
    store.import_programs(std::slice::from_ref(&seed), "test").await.unwrap();
    let plan = SessionPlan {
        kind: ProgramKind::Intra,
        client_id: Some(client),
        capacity: Some(40),
        modules: vec!["Comprendre la CTG".into(), "Construire le diagnostic".into(), "Piloter le projet".into()],
        days: vec![
            seed_day(2019, 3, 22, 1, 1, &[1], (30, 40)),
            seed_day(2019, 4, 5, 1, 2, &[1], (15, 20)),
            seed_day(2019, 5, 17, 2, 3, &[1], (15, 20)),
            seed_day(2019, 6, 7, 2, 2, &[1], (5, 8)),
            seed_day(2019, 9, 13, 3, 2, &[1], (5, 8)),
            seed_day(2019, 9, 27, 3, 2, &[1], (5, 8)),
        ],
    }
    .validated()
    .unwrap();
    let id = store.create_session(seed.slug.as_str(), &plan, "planner").await.unwrap();
    (seed.slug.to_string(), id)
}

#[tokio::test]
async fn a_session_keeps_its_modules_half_days_rooms_and_trainers() {
    each_backend(|store, url| async move {
        directory(&url).await;
        let client = store.create_client("CAF de l'Allier", "test").await.unwrap();
        let (_, id) = seed_session(&store, client).await;
        let session = store.session(id).await.unwrap().unwrap();
        assert_eq!(session.client_name.as_deref(), Some("CAF de l'Allier"), "{url}");
        assert_eq!(session.program_version, Some(1));
        assert_eq!(session.modules.len(), 3);
        assert_eq!(session.days.len(), 6);
        let first = &session.days[0];
        assert_eq!(first.day.date, date(2019, 3, 22));
        assert_eq!(first.day.module, Some(1));
        assert_eq!(first.day.schedule.minutes().whole_hours(), 7);
        assert_eq!(first.venue_name.as_deref(), Some("CAF de l'Allier — Moulins"));
        assert_eq!((first.room_name.as_deref(), first.room_capacity), (Some("Salle Allier"), Some(40)));
        assert_eq!(first.trainer_names, vec!["Thierry CHEINE".to_owned()]);
        assert_eq!(first.day.headcount, Some(DayHeadcount { min: 30, max: 40 }));
        assert_eq!(session.plan().total().whole_hours(), 42);

        // Editing a day keeps its id; a room of another venue is refused.
        let mut moved = first.day.clone();
        moved.schedule.afternoon = None;
        store.update_session_day(id, first.id, &moved, "planner").await.unwrap();
        let again = store.session(id).await.unwrap().unwrap();
        assert_eq!(again.days[0].id, first.id);
        assert_eq!(again.days[0].day.schedule.minutes().0, 210);
        let mut wrong = moved.clone();
        wrong.room_id = Some(3);
        assert!(matches!(store.update_session_day(id, first.id, &wrong, "planner").await, Err(StoreError::Conflict(_))));
        let onto = PlannedDay { date: date(2019, 4, 5), ..moved.clone() };
        assert!(matches!(store.update_session_day(id, first.id, &onto, "planner").await, Err(StoreError::Conflict(_))), "one day per date");

        // Days can be added and removed, never the last one.
        let extra = store.add_session_day(id, &seed_day(2019, 10, 4, 3, 2, &[1], (5, 8)), "planner").await.unwrap();
        assert_eq!(store.session(id).await.unwrap().unwrap().days.len(), 7);
        store.delete_session_day(id, extra, "planner").await.unwrap();
        store.update_session_header(id, Some(35), &["A".into(), "B".into()], "planner").await.unwrap();
        let header = store.session(id).await.unwrap().unwrap();
        assert_eq!((header.capacity, header.modules.len()), (Some(35), 2));
        assert_eq!(header.days.last().unwrap().day.module, None, "the third module's days lose their module");
        let journal = store.audit_events(Some("session"), 20).await.unwrap();
        let actions: Vec<&str> = journal.iter().map(|e| e.action.as_str()).collect();
        for action in ["create", "update_day", "add_day", "delete_day", "update"] {
            assert!(actions.contains(&action), "{action} journaled: {actions:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn conflicts_and_calendars_across_sessions() {
    each_backend(|store, url| async move {
        directory(&url).await;
        let client = store.create_client("CAF de l'Allier", "test").await.unwrap();
        let (slug, id) = seed_session(&store, client).await;

        // Another session on 22 March 2019 with the same trainer and room.
        let clash = seed_day(2019, 3, 22, 1, 1, &[1], (30, 40));
        let found = store.plan_conflicts(std::slice::from_ref(&clash), None, &[]).await.unwrap();
        let kinds: Vec<&ConflictKind> = found.iter().map(|c| &c.kind).collect();
        assert!(matches!(kinds[..], [ConflictKind::TrainerDoubleBooked { .. }, ConflictKind::RoomDoubleBooked { .. }]), "{url}: {kinds:?}");
        assert!(found[0].message.contains(&format!("session n° {id}")));

        // The session's own day is not a conflict with itself when it is edited.
        let session = store.session(id).await.unwrap().unwrap();
        let keep: Vec<i64> = session.days.iter().skip(1).map(|d| d.id).collect();
        assert!(store.plan_conflicts(std::slice::from_ref(&clash), Some(id), &keep).await.unwrap().is_empty());

        // Claire Martin's leave, Whit Monday and a room too small.
        let mut other = seed_day(2019, 6, 10, 1, 2, &[2], (30, 40));
        other.module = None;
        let found = store.plan_conflicts(&[other], None, &[]).await.unwrap();
        assert!(any_blocking(&found));
        assert!(found.iter().any(|c| c.kind == ConflictKind::TrainerUnavailable { trainer_id: 2, reason: "congés".into() }));
        assert!(found.iter().any(|c| matches!(c.kind, ConflictKind::RoomTooSmall { capacity: 20, needed: 30, .. })));
        assert!(found.iter().any(|c| c.severity == Severity::Warning && matches!(c.kind, ConflictKind::PublicHoliday { .. })));

        // A second session in Vichy the same day as day 3, other trainer: calendars per scope.
        let plan = SessionPlan {
            kind: ProgramKind::Inter,
            client_id: None,
            capacity: Some(12),
            modules: vec![],
            days: vec![PlannedDay { trainer_ids: vec![2], venue_id: Some(2), room_id: Some(3), ..PlannedDay::on(date(2019, 5, 17)) }],
        };
        assert!(any_blocking(&store.plan_conflicts(&plan.days, None, &[]).await.unwrap()), "room 3 is taken on 17 May");
        let second = store.create_session(&slug, &plan, "planner").await.unwrap();
        let may = |scope| store.calendar_days(date(2019, 5, 1), date(2019, 5, 31), scope);
        assert_eq!(may(CalendarScope::All).await.unwrap().len(), 2);
        assert_eq!(may(CalendarScope::Trainer(1)).await.unwrap()[0].session_id, id);
        assert_eq!(may(CalendarScope::Trainer(2)).await.unwrap()[0].session_id, second);
        assert_eq!(may(CalendarScope::Venue(2)).await.unwrap().len(), 2);
        assert_eq!(may(CalendarScope::Venue(1)).await.unwrap().len(), 0);
        assert_eq!(store.calendar_days(date(2019, 1, 1), date(2019, 12, 31), CalendarScope::Session(id)).await.unwrap().len(), 6);
        store.set_session_cancelled(second, true, "planner").await.unwrap();
        assert_eq!(may(CalendarScope::All).await.unwrap().len(), 1, "cancelled sessions leave calendars");
    })
    .await;
}

#[tokio::test]
async fn requests_are_due_within_the_promised_delay() {
    each_backend(|store, url| async move {
        let client = store.create_client("CAF de l'Allier", "test").await.unwrap();
        let seed = parse_catalogue_page(SEED).unwrap();
        store.import_programs(std::slice::from_ref(&seed), "test").await.unwrap();
        let request = NewRequest {
            client_id: client,
            program_slug: seed.slug.to_string(),
            kind: ProgramKind::Intra,
            seats: None,
            received_on: date(2026, 11, 20),
            due_on: None,
            contact: "Mme Dupont".into(),
            message: "Former 40 agents".into(),
        };
        let today = date(2026, 11, 29);
        let due = request.due_date(&seed.access_delays, today).unwrap();
        assert_eq!(due, date(2026, 12, 5), "{url}: 15 days");
        let id = store.create_request(&request, due, "planner").await.unwrap();
        let late = NewRequest { received_on: date(2026, 10, 1), ..request.clone() };
        let late_id = store.create_request(&late, late.due_date(&seed.access_delays, today).unwrap(), "planner").await.unwrap();
        let open = store.requests(true).await.unwrap();
        assert_eq!(open.iter().map(|r| r.id).collect::<Vec<_>>(), vec![late_id, id], "soonest due first");
        assert_eq!(open[0].deadline(today).label(), "en retard de 44 jours");

        let answer = Answer { answered_on: date(2026, 11, 29), channel: AnswerChannel::Email, outcome: Outcome::Accepted, text: "Dates proposées".into(), session_id: None };
        store.answer_request(id, &answer, "planner").await.unwrap();
        assert!(matches!(store.answer_request(id, &answer, "planner").await, Err(StoreError::Conflict(_))), "answered once");
        let answered = store.request(id).await.unwrap().unwrap();
        assert_eq!((answered.answer_channel, answered.outcome), (Some(AnswerChannel::Email), Some(Outcome::Accepted)));
        assert_eq!(answered.deadline(today).label(), "répondu dans le délai");
        assert_eq!(store.requests(true).await.unwrap().len(), 1);
        assert_eq!(store.audit_events(Some("request"), 10).await.unwrap().len(), 3);
    })
    .await;
}

fn terms() -> AgreementTerms {
    AgreementTerms {
        price: AgreementPrice { basis: PriceBasis::PerGroupDay, unit_cents: 120_000, quantity: 6, vat_rate_bp: None },
        payment_terms: "À réception de facture, à 30 jours.".into(),
        trainees: "15 à 40 agents selon les journées".into(),
    }
}

#[tokio::test]
async fn conventions_are_numbered_per_year_and_frozen_at_signature() {
    each_backend(|store, url| async move {
        directory(&url).await;
        let client = store.create_client("CAF de l'Allier", "test").await.unwrap();
        let (slug, id) = seed_session(&store, client).await;
        let n2619 = AgreementNumber::parse("26/19").unwrap();
        let (agreement, number) = store.create_agreement(id, client, Some(n2619), &terms(), date(2019, 2, 15), "planner").await.unwrap();
        assert_eq!(number.to_string(), "26/19", "{url}");
        let duplicate = store.create_agreement(id, client, Some(n2619), &terms(), date(2019, 2, 15), "planner").await;
        assert!(matches!(duplicate, Err(StoreError::Conflict(m)) if m.contains("26/19")));

        // The next number of a year follows the highest; a new year starts again at 1.
        let other = store.create_client("CAF du Puy-de-Dôme", "test").await.unwrap();
        let (_, next) = store.create_agreement(id, other, None, &terms(), date(2019, 3, 1), "planner").await.unwrap();
        assert_eq!(next.to_string(), "27/19");
        let third = store.create_client("CAF du Cantal", "test").await.unwrap();
        let (_, first_2020) = store.create_agreement(id, third, None, &terms(), date(2020, 1, 6), "planner").await.unwrap();
        assert_eq!(first_2020.to_string(), "1/20");

        // draft → sent → signed; the version annexed until then follows publications.
        assert!(matches!(store.set_agreement_status(agreement, AgreementStatus::Signed, date(2019, 2, 20), "planner").await, Err(StoreError::Conflict(_))));
        store.set_agreement_status(agreement, AgreementStatus::Sent, date(2019, 2, 16), "planner").await.unwrap();
        let mut changed = parse_catalogue_page(SEED).unwrap();
        changed.accessibility = Some("Locaux accessibles.".into());
        store.import_programs(&[changed.clone()], "test").await.unwrap();
        assert_eq!(store.agreement(agreement).await.unwrap().unwrap().program_version, 2, "follows until signed");
        store.set_agreement_status(agreement, AgreementStatus::Signed, date(2019, 2, 20), "planner").await.unwrap();
        changed.accessibility = Some("Locaux accessibles de plain-pied.".into());
        store.import_programs(&[changed], "test").await.unwrap();
        let signed = store.agreement(agreement).await.unwrap().unwrap();
        assert_eq!((signed.status, signed.program_version, signed.signed_on), (AgreementStatus::Signed, 2, Some(date(2019, 2, 20))), "frozen");
        assert!(store.program_version(&slug, 2).await.unwrap().is_some());
        assert!(matches!(store.update_agreement_terms(agreement, &terms(), "planner").await, Err(StoreError::Conflict(_))), "signed terms change by avenant");
        assert_eq!(store.agreement_by_number(n2619).await.unwrap().unwrap().id, agreement);
        assert_eq!(store.agreements(Some(id)).await.unwrap().len(), 3);
    })
    .await;
}

#[tokio::test]
async fn a_signed_avenant_changes_the_session_and_the_price() {
    each_backend(|store, url| async move {
        directory(&url).await;
        let client = store.create_client("CAF de l'Allier", "test").await.unwrap();
        let (_, id) = seed_session(&store, client).await;
        let (agreement, _) = store.create_agreement(id, client, AgreementNumber::parse("26/19").ok(), &terms(), date(2019, 2, 15), "planner").await.unwrap();
        let seventh = seed_day(2019, 10, 4, 3, 2, &[1], (5, 8));
        let add = AmendmentChange::AddDays { days: vec![seventh] };
        assert!(matches!(store.create_amendment(agreement, &add, "", date(2019, 9, 1), "planner").await, Err(StoreError::Conflict(_))), "{url}: unsigned");
        store.set_agreement_status(agreement, AgreementStatus::Sent, date(2019, 2, 16), "planner").await.unwrap();
        store.set_agreement_status(agreement, AgreementStatus::Signed, date(2019, 2, 20), "planner").await.unwrap();

        let (first, number) = store.create_amendment(agreement, &add, "Une journée de restitution", date(2019, 9, 1), "planner").await.unwrap();
        assert_eq!(number, 1);
        assert!(matches!(store.create_amendment(agreement, &add, "", date(2019, 9, 1), "planner").await, Err(StoreError::Conflict(_))), "one pending at a time");
        assert_eq!(store.session(id).await.unwrap().unwrap().days.len(), 6, "not before signature");
        store.set_amendment_status(first, AgreementStatus::Sent, date(2019, 9, 2), "planner").await.unwrap();
        store.set_amendment_status(first, AgreementStatus::Signed, date(2019, 9, 5), "planner").await.unwrap();
        let session = store.session(id).await.unwrap().unwrap();
        assert_eq!(session.days.len(), 7);
        assert_eq!(session.days[6].day.date, date(2019, 10, 4));
        assert_eq!(session.days[6].trainer_names, vec!["Thierry CHEINE".to_owned()]);

        // Swapping two dates goes through; then a price change.
        let swap = AmendmentChange::MoveDates { moves: vec![DateMove { from: date(2019, 9, 13), to: date(2019, 9, 27) }, DateMove { from: date(2019, 9, 27), to: date(2019, 9, 13) }] };
        let (second, number) = store.create_amendment(agreement, &swap, "", date(2019, 9, 6), "planner").await.unwrap();
        assert_eq!(number, 2);
        store.set_amendment_status(second, AgreementStatus::Sent, date(2019, 9, 6), "planner").await.unwrap();
        store.set_amendment_status(second, AgreementStatus::Signed, date(2019, 9, 7), "planner").await.unwrap();
        assert_eq!(store.session(id).await.unwrap().unwrap().days.len(), 7);
        let before = terms().price;
        let after = AgreementPrice { quantity: 7, ..before };
        let (third, _) = store.create_amendment(agreement, &AmendmentChange::ChangePrice { before, after }, "", date(2019, 9, 8), "planner").await.unwrap();
        store.set_amendment_status(third, AgreementStatus::Sent, date(2019, 9, 8), "planner").await.unwrap();
        store.set_amendment_status(third, AgreementStatus::Signed, date(2019, 9, 9), "planner").await.unwrap();
        assert_eq!(store.agreement(agreement).await.unwrap().unwrap().price.total_excl_tax_cents(), 840_000);
        let history = store.amendments(agreement).await.unwrap();
        assert_eq!(history.iter().map(|a| (a.number, a.status)).collect::<Vec<_>>(), vec![(1, AgreementStatus::Signed), (2, AgreementStatus::Signed), (3, AgreementStatus::Signed)]);
        assert_eq!(history[0].reason, "Une journée de restitution");
        assert!(store.audit_events(Some("session"), 20).await.unwrap().iter().filter(|e| e.action == "amend").count() == 3);
    })
    .await;
}

#[tokio::test]
async fn calendar_feeds_open_while_live() {
    each_backend(|store, url| async move {
        let scope = CalendarScope::Trainer(7);
        let id = store.create_calendar_feed(scope, "hash-a", Utc::now() + Duration::days(365), "planner").await.unwrap();
        store.create_calendar_feed(scope, "hash-old", Utc::now() - Duration::days(1), "planner").await.unwrap();
        assert_eq!(store.calendar_feed_scope("hash-a").await.unwrap(), Some(scope), "{url}");
        assert_eq!(store.calendar_feed_scope("hash-old").await.unwrap(), None, "expired");
        assert_eq!(store.calendar_feed_scope("nope").await.unwrap(), None);
        store.revoke_calendar_feed(id, "planner").await.unwrap();
        assert_eq!(store.calendar_feed_scope("hash-a").await.unwrap(), None, "revoked");
        assert_eq!(store.calendar_feeds(scope).await.unwrap().len(), 2);
    })
    .await;
}
