//! `forma check`: Qualiopi indicator 1 for every published sheet.

use forma_domain::completeness::check;
use forma_store::Store;

pub async fn run(db: &str, today: Option<chrono::NaiveDate>, json: bool) -> anyhow::Result<()> {
    let store = Store::connect(db).await?;
    let programs = store.all_programs().await?;
    store.close().await;
    let today = today.unwrap_or_else(|| chrono::Local::now().date_naive());
    let (mut complete, mut outdated) = (0, 0);
    for p in &programs {
        let c = check(p, today);
        complete += usize::from(c.is_complete());
        outdated += usize::from(c.outdated);
        if json {
            println!(
                "{}",
                serde_json::json!({ "slug": p.slug, "title": p.title, "missing": c.missing, "outdated": c.outdated, "updated_on": p.updated_on })
            );
            continue;
        }
        let state = if c.is_complete() { "complète" } else { "incomplète" };
        let mut line = format!("{}\t{state}", p.slug);
        if !c.missing.is_empty() {
            line.push_str(&format!("\tmanque : {}", c.missing_codes().join(", ")));
        }
        if c.outdated {
            match p.updated_on {
                Some(d) => line.push_str(&format!("\tMAJ du {d} : plus de 12 mois")),
                None => line.push_str("\tsans date de mise à jour"),
            }
        }
        println!("{line}");
    }
    if !json {
        println!(
            "{} fiche{} : {complete} complète{}, {} incomplète{} ; {outdated} à mettre à jour (MAJ de plus de 12 mois)",
            programs.len(),
            if programs.len() > 1 { "s" } else { "" },
            if complete > 1 { "s" } else { "" },
            programs.len() - complete,
            if programs.len() - complete > 1 { "s" } else { "" },
        );
    }
    Ok(())
}
