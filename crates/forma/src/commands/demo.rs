use forma_store::Store;

pub async fn run(db: &str) -> anyhow::Result<()> {
    let store = Store::connect(db).await?;
    let loaded = crate::demo::load(&store).await?;
    store.close().await;
    println!("{loaded}");
    Ok(())
}
