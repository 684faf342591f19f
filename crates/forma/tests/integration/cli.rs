use std::path::Path;
use std::process::{Command, Output};

use forma_store::Store;
use forma_store::testing::{cleanup, test_database_urls};

fn forma(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_forma")).arg("--db").arg(db).args(args).env("RUST_LOG", "warn").output().expect("run forma")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn write(dir: &Path, name: &str, content: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path.display().to_string()
}

#[tokio::test]
async fn import_is_all_or_nothing_and_reimport_updates() {
    let dir = tempfile::tempdir().unwrap();
    let urls = test_database_urls(dir.path()).await;
    let seed = write(dir.path(), "seed.txt", forma::demo::SEED_PAGE.as_bytes());
    let demo: Vec<String> = forma::demo::DEMO_PAGES.iter().take(3).map(|(name, text)| write(dir.path(), name, text.as_bytes())).collect();
    let empty = write(dir.path(), "vide.txt", b"   \n");
    let binary = write(dir.path(), "image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR");
    let letter = write(dir.path(), "courrier.txt", "Madame, Monsieur,\n\nVeuillez trouver ci-joint…\n".as_bytes());
    let latin1 = write(dir.path(), "latin1.txt", b"Inter\n\n## Formation s\xe9curit\xe9\n");
    let missing = dir.path().join("absent.txt").display().to_string();

    for url in &urls {
        // A run with bad files writes nothing, and names every bad file with its line.
        let mut args = vec!["import", seed.as_str()];
        args.extend([empty.as_str(), binary.as_str(), letter.as_str(), latin1.as_str(), missing.as_str()]);
        let out = forma(url, &args);
        assert!(!out.status.success(), "{url}");
        let err = text(&out.stderr);
        assert!(err.contains(&format!("{empty}:1 : le fichier est vide")), "{err}");
        assert!(err.contains(&format!("{binary}:3 : contenu binaire")), "{err}");
        assert!(err.contains(&format!("{letter}:1 : ce n'est pas une page de catalogue")), "{err}");
        assert!(err.contains(&format!("{latin1}:3 : encodage illisible")), "{err}");
        assert!(err.contains(&format!("{missing}:0 : fichier illisible")), "{err}");
        assert!(err.contains("import refusé : 5 fichiers en erreur sur 6, rien n'a été enregistré"), "{err}");
        let store = Store::connect(url).await.unwrap();
        assert_eq!(store.count_programs().await.unwrap(), 0, "{url}: nothing written");
        store.close().await;

        let mut args = vec!["import", seed.as_str()];
        args.extend(demo.iter().map(String::as_str));
        let out = forma(url, &args);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(text(&out.stdout).trim(), "4 fiches importées : 4 créées, 0 mise à jour, 0 inchangée");

        let out = forma(url, &["import", seed.as_str()]);
        assert_eq!(text(&out.stdout).trim(), "1 fiche importée : 0 créée, 0 mise à jour, 1 inchangée");

        let changed = write(dir.path(), "seed-v2.txt", forma::demo::SEED_PAGE.replace("Chantiers locaux", "Chantiers locaux 2026").as_bytes());
        let out = forma(url, &["import", changed.as_str()]);
        assert_eq!(text(&out.stdout).trim(), "1 fiche importée : 0 créée, 1 mise à jour, 0 inchangée");
        let store = Store::connect(url).await.unwrap();
        assert_eq!(store.count_programs().await.unwrap(), 4, "{url}: no duplicate");
        let events = store.audit_events(Some("program"), 100).await.unwrap();
        assert_eq!(events.len(), 5);
        assert!(events[0].actor.starts_with("cli:import:"));
        store.close().await;

        // The same page twice in one run is refused.
        let copy = write(dir.path(), "copie.txt", forma::demo::SEED_PAGE.as_bytes());
        let out = forma(url, &["import", seed.as_str(), copy.as_str()]);
        assert!(!out.status.success());
        assert!(text(&out.stderr).contains("même identifiant"));
    }
    cleanup(&urls).await;
}

#[tokio::test]
async fn check_reports_indicator_1_for_every_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let urls = test_database_urls(dir.path()).await;
    for url in &urls {
        assert!(forma(url, &["demo"]).status.success());
        let out = forma(url, &["check", "--today", "2026-11-29"]);
        assert!(out.status.success());
        let stdout = text(&out.stdout);
        let seed_line = stdout.lines().find(|l| l.starts_with("2019-formation")).unwrap();
        assert_eq!(seed_line.split('\t').collect::<Vec<_>>()[1..], ["incomplète", "manque : prerequisites, prices"]);
        assert_eq!(stdout.lines().count(), 34, "33 sheets and a total line");
        let total = stdout.lines().last().unwrap();
        assert!(total.starts_with("33 fiches : "), "{total}");
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let outdated = forma::demo::catalogue().unwrap().iter().filter(|p| forma_domain::completeness::check(p, today).outdated).count();
        assert!(outdated >= 3);
        assert!(total.contains(&format!("{outdated} à mettre à jour")), "{total}");

        let out = forma(url, &["check", "--json", "--today", "2027-06-01"]);
        let seed: serde_json::Value = text(&out.stdout).lines().map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()).find(|v| v["slug"].as_str().unwrap().starts_with("2019")).unwrap();
        assert_eq!(seed["missing"], serde_json::json!(["prerequisites", "prices"]));
        assert_eq!(seed["outdated"], true);

        // Loading the demo twice changes nothing.
        let out = forma(url, &["demo"]);
        assert!(text(&out.stdout).contains("0 créées, 33 inchangées), 0 sessions ajoutées"), "{}", text(&out.stdout));
    }
    cleanup(&urls).await;
}

#[test]
fn bad_database_urls_are_explained() {
    let out = forma("mysql://localhost/x", &["check"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("adresse de base de données invalide"));
}

#[tokio::test]
async fn a_running_server_sees_sheets_imported_by_the_cli() {
    crate::helpers::on_each_backend(|app| async move {
        let dir = tempfile::tempdir().unwrap();
        let page = forma::demo::SEED_PAGE.replace("## 2019- Formation", "## Xylophonie territoriale 2027 Formation");
        let file = write(dir.path(), "nouvelle.txt", page.as_bytes());
        assert!(app.html("/recherche?q=xylophonie").await.contains("Aucune formation ne correspond"));
        let out = forma(&app.db, &["import", file.as_str()]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let mut found = false;
        // The watcher polls every 200 ms; the whole suite runs in parallel, so allow it time.
        for _ in 0..200 {
            if app.html("/recherche?q=xylophonie").await.contains("/formations/xylophonie-territoriale-2027") {
                found = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(found, "{}: the search index follows the database", app.db);
        assert!(app.html("/formations").await.contains("34 formations"));
    })
    .await;
}

#[test]
fn forma_toml_sits_below_flags_and_environment() {
    let dir = tempfile::tempdir().unwrap();
    let from_file = dir.path().join("depuis-fichier.db");
    std::fs::write(dir.path().join("forma.toml"), format!("database_url = \"sqlite://{}\"\n", from_file.display())).unwrap();
    let run = |env_db: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_forma"));
        command.current_dir(dir.path()).env_remove("FORMA_CONFIG").env_remove("FORMA_DATABASE_URL").arg("demo");
        if let Some(db) = env_db {
            command.env("FORMA_DATABASE_URL", db);
        }
        command.output().unwrap()
    };
    assert!(run(None).status.success());
    assert!(from_file.exists(), "the file's database is used");
    let from_env = dir.path().join("depuis-env.db");
    assert!(run(Some(&format!("sqlite://{}", from_env.display()))).status.success());
    assert!(from_env.exists(), "the environment wins over the file");

    std::fs::write(dir.path().join("forma.toml"), "port = 8080\n").unwrap();
    let out = run(None);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("unknown field `port`"), "{}", text(&out.stderr));
}
