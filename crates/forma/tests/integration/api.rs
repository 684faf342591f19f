use serde_json::Value;

use crate::helpers::{SEED_SLUG, on_each_backend};

#[tokio::test]
async fn programs_list_and_detail() {
    on_each_backend(|app| async move {
        let page: Value = app.get("/api/v1/programs?per_page=10&page=2").await.json().await.unwrap();
        assert_eq!(page["total"], 33, "{}", app.db);
        assert_eq!(page["items"].as_array().unwrap().len(), 10);
        assert_eq!(page["page"], 2);
        let local: Value = app.get("/api/v1/programs?category=chantiers-locaux&kind=INTRA&per_page=100").await.json().await.unwrap();
        assert!(local["items"].as_array().unwrap().iter().all(|i| i["kind"] == "INTRA" && i["category"] == "Chantiers locaux"));

        let detail: Value = app.get(&format!("/api/v1/programs/{SEED_SLUG}")).await.json().await.unwrap();
        assert_eq!(detail["slug"], SEED_SLUG);
        assert_eq!(detail["kind"], "INTRA");
        assert_eq!(detail["qualiopi"]["missing"], serde_json::json!(["prerequisites", "prices"]));
        assert_eq!(detail["duration"]["days"], 6);
        assert_eq!(detail["duration"]["minutes"], 42 * 60);
        assert_eq!(detail["practical"]["places"], serde_json::json!(["Moulins", "Vichy", "Montluçon"]));
        assert_eq!(detail["access_delays"]["inter"], serde_json::json!({ "amount": 1, "unit": "months" }));
        assert_eq!(detail["contacts"]["phones"][0], "02 99 29 82 42");
        assert_eq!(detail["trainers"][0]["provider"], "ACCOLADES");
        assert_eq!(detail["updated_on"], "2026-05-20");
        assert!(detail["content"].as_array().unwrap().len() >= 8);

        let categories: Value = app.get("/api/v1/categories").await.json().await.unwrap();
        assert!(categories.as_array().unwrap().len() >= 5);
        let sessions: Value = app.get("/api/v1/sessions").await.json().await.unwrap();
        let sessions = sessions.as_array().unwrap();
        assert!(sessions.len() >= 10);
        assert!(sessions.iter().all(|s| s["kind"] == "INTER"));
        assert!(sessions[0]["days"][0]["start"].as_str().unwrap().starts_with("09:00"));
    })
    .await;
}

#[tokio::test]
async fn errors_are_problem_details() {
    on_each_backend(|app| async move {
        for (path, status) in [
            ("/api/v1/programs/nexiste-pas", 404),
            ("/api/v1/nulle-part", 404),
            ("/api/v1/programs?kind=BOTH", 400),
            ("/api/v1/programs?page=abc", 400),
            ("/api/v1/programs?per_page=1000", 400),
            ("/api/v1/programs?page=0", 400),
            ("/api/v1/programs?kind=", 400),
            ("/api/v1/programs?kind=intra", 400),
            ("/api/v1/programs?page=2147483648", 400),
            ("/api/v1/sessions?from=demain", 400),
        ] {
            let response = app.get(path).await;
            assert_eq!(response.status(), status, "{path}");
            assert_eq!(response.headers()["content-type"], "application/problem+json", "{path}");
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["status"], status);
            assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()));
        }
    })
    .await;
}

#[tokio::test]
async fn openapi_document_lists_the_routes() {
    on_each_backend(|app| async move {
        let doc: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
        for path in ["/api/v1/programs", "/api/v1/programs/{slug}", "/api/v1/categories", "/api/v1/sessions"] {
            assert!(doc["paths"][path]["get"].is_object(), "{path} documented");
        }
        assert!(doc["components"]["schemas"]["Problem"].is_object());
        assert!(doc["components"]["schemas"]["ProgramDetail"].is_object());
    })
    .await;
}
