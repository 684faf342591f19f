//! Sessions and conventions through the API: scoped tokens, the same validation and conflict
//! rules as the back-office, and the journal under the token's name.

use serde_json::{Value, json};

use crate::helpers::{SEED_SLUG, TestApp, on_each_backend};

async fn token(app: &TestApp, name: &str, scopes: &[&str]) -> String {
    let secret = format!("forma_{}", forma_web::auth::token::new_token());
    let store = app.store().await;
    store.create_api_token(name, &forma_web::auth::token::hash_token(&secret), scopes, "test").await.unwrap();
    store.close().await;
    secret
}

#[tokio::test]
async fn plan_a_session_then_its_convention() {
    on_each_backend(|app| async move {
        let reader = token(&app, "lecture", &["planning:read"]).await;
        let writer = token(&app, "planification", &["planning:write", "planning:read"]).await;
        let store = app.store().await;
        let client = store.create_client("CAF du Cantal", "test").await.unwrap();
        let trainer = store.trainers().await.unwrap()[0].id;
        store.close().await;
        let sessions = format!("{}/api/v1/sessions", app.base);
        let body = json!({
            "program": SEED_SLUG, "kind": "INTRA", "client_id": client, "capacity": 20,
            "modules": ["Module unique"],
            "days": [{ "date": "2031-03-20", "module": 1, "title": "Acculturation", "place": "Aurillac", "trainer_ids": [trainer], "headcount_min": 10, "headcount_max": 20 }]
        });
        assert_eq!(app.client.post(&sessions).json(&body).send().await.unwrap().status(), 401);
        assert_eq!(app.client.post(&sessions).bearer_auth(&reader).json(&body).send().await.unwrap().status(), 403);

        let mut inter_with_client = body.clone();
        inter_with_client["kind"] = json!("INTER");
        let refused = app.client.post(&sessions).bearer_auth(&writer).json(&inter_with_client).send().await.unwrap();
        assert_eq!(refused.status(), 422);
        let problem: Value = refused.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], "client");

        let created = app.client.post(&sessions).bearer_auth(&writer).json(&body).send().await.unwrap();
        assert_eq!(created.status(), 201);
        let session: Value = created.json().await.unwrap();
        assert_eq!(session["total_minutes"], 420, "a 9h–17h day is 7 h");
        let id = session["id"].as_i64().unwrap();
        let read: Value = app.client.get(format!("{sessions}/{id}")).bearer_auth(&reader).send().await.unwrap().json().await.unwrap();
        assert_eq!(read["days"][0]["morning"]["start"], "09:00:00");

        // The same trainer, the same day, elsewhere: a blocking conflict.
        let mut clash = body.clone();
        clash["days"][0]["place"] = json!("Mauriac");
        let refused = app.client.post(&sessions).bearer_auth(&writer).json(&clash).send().await.unwrap();
        assert_eq!(refused.status(), 422);
        assert!(refused.text().await.unwrap().contains("est déjà en formation"));

        let conventions = format!("{}/api/v1/conventions", app.base);
        let convention = json!({ "session_id": id, "client_id": client, "number": "3/31", "issued_on": "2031-01-10", "basis": "per_group_day", "unit_cents": 120000, "quantity": 1, "payment_terms": "30 jours" });
        let created = app.client.post(&conventions).bearer_auth(&writer).json(&convention).send().await.unwrap();
        assert_eq!(created.status(), 201);
        let created: Value = created.json().await.unwrap();
        assert_eq!((created["number"].as_str(), created["status"].as_str()), (Some("3/31"), Some("draft")));
        assert_eq!(app.client.post(&conventions).bearer_auth(&writer).json(&convention).send().await.unwrap().status(), 409, "3/31 is taken");
        let status = format!("{conventions}/{}/status", created["id"]);
        let early = app.client.post(&status).bearer_auth(&writer).json(&json!({ "status": "signed", "on": "2026-01-05" })).send().await.unwrap();
        assert_eq!(early.status(), 409, "sent before signed");
        let sent: Value = app.client.post(&status).bearer_auth(&writer).json(&json!({ "status": "sent" })).send().await.unwrap().json().await.unwrap();
        assert_eq!(sent["status"], "sent");
        let list: Value = app.client.get(&conventions).bearer_auth(&reader).send().await.unwrap().json().await.unwrap();
        assert!(list.as_array().unwrap().iter().any(|c| c["number"] == "3/31"));
        let store = app.store().await;
        let journal = store.audit_events(Some("agreement"), 50).await.unwrap();
        assert!(journal.iter().any(|e| e.actor == "api:planification" && e.action == "sent"));
        store.close().await;
    })
    .await;
}
