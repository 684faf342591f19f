//! `forma token add`: an API token created from the command line (automation, the contract test).

use anyhow::bail;
use forma_store::Store;
use forma_web::auth::access::SCOPES;
use forma_web::auth::token::{API_TOKEN_PREFIX, hash_token, new_token};

use super::cli_actor;

pub async fn add(db: &str, name: &str, scopes: &[String]) -> anyhow::Result<()> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        bail!("le nom du jeton compte de 1 à 80 caractères");
    }
    if let Some(unknown) = scopes.iter().find(|s| !SCOPES.iter().any(|(code, _)| code == s)) {
        let known: Vec<&str> = SCOPES.iter().map(|(code, _)| *code).collect();
        bail!("portée inconnue « {unknown} » : {}", known.join(", "));
    }
    let store = Store::connect(db).await?;
    let secret = format!("{API_TOKEN_PREFIX}{}", new_token());
    let scopes: Vec<&str> = scopes.iter().map(String::as_str).collect();
    store.create_api_token(name, &hash_token(&secret), &scopes, &cli_actor("token")).await?;
    store.close().await;
    println!("{secret}");
    Ok(())
}
