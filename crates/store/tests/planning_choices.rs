//! What the session forms choose from, on both backends: published programs only, clients,
//! venues with their rooms, trainers with their provider.

use forma_domain::{Program, ProgramKind, Slug, parse_catalogue_page};
use forma_store::testing::{each_backend, raw_execute};

const SEED: &str = include_str!("../../../fixtures/seed/caf03-ctg-acculturation.txt");

#[tokio::test]
async fn the_forms_choose_among_published_programs_and_the_directory() {
    each_backend(|store, url| async move {
        let seed = parse_catalogue_page(SEED).unwrap();
        store.import_programs(std::slice::from_ref(&seed), "test").await.unwrap();
        let draft = Program::new(Slug::parse("brouillon-seul").unwrap(), "Brouillon seul".into(), ProgramKind::Inter);
        store.create_program(&draft, "test").await.unwrap();
        let client = store.create_client("CAF de l'Allier", "test").await.unwrap();
        for sql in [
            "INSERT INTO venues (name, city, created_at) VALUES ('Vichy — Centre', 'Vichy', '2026-01-01T00:00:00Z'), ('Moulins — Siège', 'Moulins', '2026-01-01T00:00:00Z')",
            "INSERT INTO rooms (venue_id, name, capacity) SELECT id, 'Salle B', 12 FROM venues WHERE city = 'Moulins'",
            "INSERT INTO rooms (venue_id, name, capacity) SELECT id, 'Salle A', 30 FROM venues WHERE city = 'Moulins'",
            "INSERT INTO rooms (venue_id, name, capacity) SELECT id, 'Sources', 20 FROM venues WHERE city = 'Vichy'",
            "INSERT INTO providers (name, created_at) VALUES ('Accolades', '2026-01-01T00:00:00Z')",
            "INSERT INTO trainers (name, provider_id, created_at) SELECT 'Thierry CHEINE', id, '2026-01-01T00:00:00Z' FROM providers",
            "INSERT INTO trainers (name, active, created_at) VALUES ('Claire Martin', FALSE, '2026-01-01T00:00:00Z')",
        ] {
            raw_execute(&url, sql).await;
        }
        let choices = store.planning_choices().await.unwrap();
        let slugs: Vec<&str> = choices.programs.iter().map(|p| p.slug.as_str()).collect();
        assert_eq!(slugs, vec![seed.slug.as_str()], "{url}: published only");
        assert_eq!(choices.programs[0].kind, seed.kind);
        assert_eq!(choices.clients.iter().map(|c| c.id).collect::<Vec<_>>(), vec![client]);
        let venues: Vec<&str> = choices.venues.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(venues, vec!["Moulins — Siège", "Vichy — Centre"]);
        let rooms: Vec<(&str, u32)> = choices.rooms.iter().map(|r| (r.name.as_str(), r.capacity)).collect();
        assert_eq!(rooms, vec![("Salle A", 30), ("Salle B", 12), ("Sources", 20)], "by venue, then name");
        let moulins = choices.venues[0].id;
        assert_eq!(choices.rooms_of(moulins).count(), 2);
        assert_eq!(choices.room(choices.rooms[2].id).map(|r| r.venue_id), Some(choices.venues[1].id));
        let trainers: Vec<(&str, Option<&str>, bool)> = choices.trainers.iter().map(|t| (t.name.as_str(), t.provider.as_deref(), t.active)).collect();
        assert_eq!(trainers, vec![("Claire Martin", None, false), ("Thierry CHEINE", Some("Accolades"), true)]);
    })
    .await;
}
