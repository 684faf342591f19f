//! Renders the attendance sheets of the seed action's first two days, signed and blank, into a
//! folder, to look at them:
//!
//! ```sh
//! cargo run --example attendance_sheet -p forma-documents -- /tmp/out
//! pdftoppm -png -r 60 /tmp/out/emargement-signe.pdf /tmp/out/emargement-signe
//! ```

#[path = "../tests/common/seed.rs"]
mod seed;

#[path = "../tests/attendance_sheet/fixture.rs"]
mod fixture;

use std::path::PathBuf;
use std::time::Instant;

use forma_documents::attendance_sheet;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "/tmp/out".into()));
    std::fs::create_dir_all(&out)?;
    let doc = fixture::sheet(seed::organisation());

    for round in 1..=2 {
        let started = Instant::now();
        let pdf = attendance_sheet::render(&doc)?;
        println!(
            "feuille d'émargement signée : {} octets en {:?} (rendu {round})",
            pdf.len(),
            started.elapsed()
        );
        std::fs::write(out.join("emargement-signe.pdf"), &pdf)?;
    }
    let started = Instant::now();
    let pdf = attendance_sheet::render_blank(&doc, 5)?;
    println!(
        "feuille d'émargement vierge : {} octets en {:?}",
        pdf.len(),
        started.elapsed()
    );
    std::fs::write(out.join("emargement-vierge.pdf"), &pdf)?;
    println!("écrit dans {}", out.display());
    Ok(())
}
