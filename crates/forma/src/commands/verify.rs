//! `forma verify`: recomputes every session's attendance chain from the rows as they are and
//! reports each break (a row edited, removed or reordered; a closing whose recorded head is not
//! in the chain). Exit status 1 when anything is wrong, so that a scheduled run can alert.

use forma_store::Store;

pub async fn run(db: &str) -> anyhow::Result<()> {
    let store = Store::connect(db).await?;
    let reports = store.verify_attendance().await;
    store.close().await;
    let reports = reports?;
    if reports.is_empty() {
        println!("Émargements : toutes les chaînes sont intactes.");
        return Ok(());
    }
    for report in &reports {
        println!("{report}");
    }
    anyhow::bail!("{} anomalie(s) dans les chaînes d'émargement", reports.len())
}
