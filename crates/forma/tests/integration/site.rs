use crate::helpers::{SEED_SLUG, on_each_backend};

#[tokio::test]
async fn public_journey_pages_render() {
    on_each_backend(|app| async move {
        let home = app.html("/").await;
        assert!(home.contains("<html lang=\"fr\">"));
        assert!(home.contains("Chantiers locaux"), "{}: categories on the home page", app.db);
        assert!(home.contains("Prochaines sessions INTER"));
        assert!(home.contains("role=\"search\""));

        let list = app.html("/formations").await;
        assert!(list.contains("33 formations"), "{}", app.db);
        assert!(list.contains("Page suivante"));
        let filtered = app.html("/formations?categorie=chantiers-locaux&type=INTRA").await;
        assert!(filtered.contains(SEED_SLUG));
        assert!(!filtered.contains("<span class=\"badge\">INTER</span>"));
        // A hand-edited query string shows the catalogue, not an error.
        assert!(app.html("/formations?page=abc&type=xyz&categorie=%3Cscript%3E").await.contains("33 formations"));

        let sessions = app.html("/sessions").await;
        assert!(sessions.contains("<table>"));
        assert!(sessions.contains("places disponibles"));
        assert!(!sessions.contains(SEED_SLUG), "INTRA sessions are never public");
    })
    .await;
}

#[tokio::test]
async fn the_seed_sheet_shows_every_field_in_order() {
    on_each_backend(|app| async move {
        let html = app.html(&format!("/formations/{SEED_SLUG}")).await;
        let order = [
            "<h1>2019- Formation /Action- Accompagnement du pôle",
            "MAJ : <time datetime=\"2026-05-20\">20 mai 2026</time>",
            "<h3>Public</h3>",
            "<h3>Modalités pratiques</h3>",
            "<h3>Catégorie</h3>",
            "<h3>Formateur</h3>",
            "Thierry CHEINE (ACCOLADES)",
            "Journées 1 à 3 : entre 15 et 20 personnes",
            "6 jours (42 h)",
            "Moulins, Vichy, Montluçon",
            "ANNEXE 1 A LA CONVENTION",
            "Objectifs Généraux",
            "<strong>Donner un sens nouveau",
            "Journée 1 – le 22 mars 2019",
            "Méthodes pédagogiques",
            "<h2 id=\"methodes\">Méthodes mobilisées</h2>",
            "Modalités d'évaluation",
            "Évaluation à froid",
            "Attestation de participation",
            "Accessibilité</h2>",
            "Délai d&#39;accès : 15 jours en INTRA, 1 mois pour les sessions INTER",
            "href=\"tel:+33299298242\"",
        ];
        let mut from = 0;
        for needle in order {
            let found = html[from..].find(needle).unwrap_or_else(|| panic!("{}: « {needle} » after position {from}", app.db));
            from += found + needle.len();
        }
        // Empty fields are not shown as blank headings.
        for absent in ["<h3>Tarifs</h3>", "<h3>Effectif</h3>\n        <ul class=\"plain\"></ul>", "Tarif / Coût stagiaire"] {
            assert!(!html.contains(absent), "{absent}");
        }
        // The seed page states no rate; the demo's hot evaluations of today give one, computed.
        assert!(html.contains("75 % de stagiaires satisfaits (4 répondants, période : 12 derniers mois"), "the computed rate");
    })
    .await;
}

#[tokio::test]
async fn search_finds_the_seed_and_helps_when_nothing_matches() {
    on_each_backend(|app| async move {
        for q in ["equipes+pluridisciplinaires", "conventions+territoriales", "acculturation"] {
            let html = app.html(&format!("/recherche?q={q}")).await;
            assert!(html.contains(&format!("/formations/{SEED_SLUG}")), "{q}");
            assert!(html.contains("<mark>"), "{q}");
        }
        let none = app.html("/recherche?q=zzzzqqq").await;
        assert!(none.contains("Aucune formation ne correspond à « zzzzqqq »"));
        assert!(none.contains("/formations?categorie="), "suggests categories");
        let empty = app.html("/recherche?q=").await;
        assert!(empty.contains("Saisissez un ou plusieurs mots"));
        let long = "a".repeat(5000);
        assert_eq!(app.get(&format!("/recherche?q={long}")).await.status(), 200);
    })
    .await;
}

#[tokio::test]
async fn unknown_pages_are_french_404s() {
    on_each_backend(|app| async move {
        for path in ["/formations/nexiste-pas", "/nulle-part"] {
            let response = app.get(path).await;
            assert_eq!(response.status(), 404);
            let html = response.text().await.unwrap();
            assert!(html.contains("<h1>Page introuvable</h1>"));
        }
    })
    .await;
}
