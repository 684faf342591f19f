use forma_store::Store;

pub async fn run(db: &str) -> anyhow::Result<()> {
    let store = Store::connect(db).await?;
    let loaded = crate::demo::load(&store).await?;
    store.close().await;
    println!("{}", loaded.summary);
    if let Some(login) = loaded.admin {
        println!("Gestion : identifiant {} — mot de passe {}", login.email, login.password);
    }
    Ok(())
}
