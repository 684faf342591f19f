//! Writing sheets through the API with scoped tokens: same validation and journal as the forms.

use serde_json::{Value, json};

use crate::helpers::{SEED_SLUG, on_each_backend};

async fn token(app: &crate::helpers::TestApp, name: &str, scopes: &[&str]) -> String {
    let secret = format!("forma_{}", forma_web::auth::token::new_token());
    let store = app.store().await;
    store.create_api_token(name, &forma_web::auth::token::hash_token(&secret), scopes, "test").await.unwrap();
    store.close().await;
    secret
}

#[tokio::test]
async fn create_update_publish_with_scoped_tokens() {
    on_each_backend(|app| async move {
        let writer = token(&app, "outil-catalogue", &["programs:write"]).await;
        let publisher = token(&app, "outil-publication", &["programs:publish"]).await;
        let seed: Value = app.get(&format!("/api/v1/programs/{SEED_SLUG}")).await.json().await.unwrap();
        // The detail is the sheet plus read-only fields, which a write ignores.
        let mut sheet = seed.clone();
        sheet["slug"] = json!("formation-creee-par-api");
        sheet["title"] = json!("Formation créée par l'API");
        let url = format!("{}/api/v1/programs", app.base);

        let anonymous = app.client.post(&url).json(&sheet).send().await.unwrap();
        assert_eq!(anonymous.status(), 401);
        assert_eq!(anonymous.headers()["content-type"], "application/problem+json");
        let wrong_scope = app.client.post(&url).bearer_auth(&publisher).json(&sheet).send().await.unwrap();
        assert_eq!(wrong_scope.status(), 403);

        let mut invalid = sheet.clone();
        invalid["title"] = json!("  ");
        invalid["headcount"]["min"] = json!(30);
        invalid["headcount"]["max"] = json!(10);
        let refused = app.client.post(&url).bearer_auth(&writer).json(&invalid).send().await.unwrap();
        assert_eq!(refused.status(), 422);
        let problem: Value = refused.json().await.unwrap();
        let fields: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert!(fields.contains(&"title") && fields.contains(&"headcount_max"), "{problem}");

        let created = app.client.post(&url).bearer_auth(&writer).json(&sheet).send().await.unwrap();
        assert_eq!(created.status(), 201);
        assert_eq!(app.get("/api/v1/programs/formation-creee-par-api").await.status(), 404, "a draft is not public");
        let again = app.client.post(&url).bearer_auth(&writer).json(&sheet).send().await.unwrap();
        assert_eq!(again.status(), 409);

        // The seed lacks prerequisites and prices: publication is refused and says so.
        let publish = format!("{}/api/v1/programs/formation-creee-par-api/publication", app.base);
        let refused = app.client.post(&publish).bearer_auth(&publisher).send().await.unwrap();
        assert_eq!(refused.status(), 422);
        let problem: Value = refused.json().await.unwrap();
        let missing: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(missing, vec!["prerequisites", "prices"]);

        sheet["prerequisites"] = json!({ "state": "none_required" });
        sheet["prices"]["per_trainee"] = json!({ "cents": 45000, "vat": "exempt" });
        let put = format!("{}/api/v1/programs/formation-creee-par-api", app.base);
        let updated = app.client.put(&put).bearer_auth(&writer).json(&sheet).send().await.unwrap();
        assert_eq!(updated.status(), 200);
        let published = app.client.post(&publish).bearer_auth(&publisher).send().await.unwrap();
        assert_eq!(published.status(), 200);
        let outcome: Value = published.json().await.unwrap();
        assert_eq!(outcome["version"], 1);
        let public: Value = app.get("/api/v1/programs/formation-creee-par-api").await.json().await.unwrap();
        assert_eq!(public["updated_on"], outcome["updated_on"]);
        assert_eq!(public["qualiopi"]["missing"], json!([]));

        let mut renamed = sheet.clone();
        renamed["slug"] = json!("autre-identifiant");
        let refused = app.client.put(&put).bearer_auth(&writer).json(&renamed).send().await.unwrap();
        assert_eq!(refused.status(), 422, "the slug never changes");
        let problem: Value = refused.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], "slug");

        let store = app.store().await;
        let events = store.audit_events(Some("program"), 20).await.unwrap();
        let ours: Vec<(&str, &str)> = events.iter().filter(|e| e.entity_id == "formation-creee-par-api").map(|e| (e.actor.as_str(), e.action.as_str())).collect();
        assert!(ours.contains(&("api:outil-catalogue", "create")), "{ours:?}");
        assert!(ours.contains(&("api:outil-catalogue", "save_draft")), "{ours:?}");
        assert!(ours.contains(&("api:outil-publication", "publish")), "{ours:?}");

        store.revoke_api_token(1, "test").await.unwrap();
        let revoked = app.client.put(&put).bearer_auth(&writer).json(&sheet).send().await.unwrap();
        assert_eq!(revoked.status(), 401, "a revoked token opens nothing");
    })
    .await;
}

#[tokio::test]
async fn the_openapi_document_declares_the_writes_and_their_token() {
    on_each_backend(|app| async move {
        let doc: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
        assert!(doc["paths"]["/api/v1/programs"]["post"].is_object());
        assert!(doc["paths"]["/api/v1/programs/{slug}"]["put"].is_object());
        assert!(doc["paths"]["/api/v1/programs/{slug}/publication"]["post"].is_object());
        assert_eq!(doc["components"]["securitySchemes"]["jeton"]["scheme"], "bearer");
    })
    .await;
}
