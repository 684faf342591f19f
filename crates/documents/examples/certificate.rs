//! Renders Inès MOREL's three certificates from the seed data, and a ZIP of them, into a
//! folder, to look at them, with a long attestation de suivi over two pages; then times the
//! certificats de réalisation of 20 trainees:
//!
//! ```sh
//! cargo run --example certificate -p forma-documents -- /tmp/out
//! pdftoppm -png -r 60 /tmp/out/certificat-realisation.pdf /tmp/out/certificat-realisation
//! ```

#[path = "../tests/common/seed.rs"]
mod seed;

use std::path::PathBuf;
use std::time::Instant;

use forma_documents::certificate::{self, CertificateKind};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "/tmp/out".into()));
    std::fs::create_dir_all(&out)?;

    let mut files = Vec::new();
    for (kind, name) in [
        (CertificateKind::Completion, "certificat-realisation.pdf"),
        (
            CertificateKind::Attestation,
            "attestation-fin-formation.pdf",
        ),
        (CertificateKind::Attendance, "attestation-suivi.pdf"),
    ] {
        let started = Instant::now();
        let pdf = certificate::render(&seed::certificate(kind))?;
        println!(
            "{} : {} octets en {:?}",
            kind.title(),
            pdf.len(),
            started.elapsed()
        );
        std::fs::write(out.join(name), &pdf)?;
        files.push((format!("MOREL Inès/{name}"), pdf));
    }
    // A long training: its attestation de suivi goes on to a second page.
    let mut long = seed::certificate(CertificateKind::Attendance);
    long.half_days = (1..=31)
        .flat_map(|day| {
            [
                format!("{day:02}/01/2019 matin (3 h 30)"),
                format!("{day:02}/01/2019 après-midi (3 h 30)"),
            ]
        })
        .collect();
    long.first_day = seed::date(2019, 1, 1);
    long.last_day = seed::date(2019, 1, 31);
    long.planned_minutes = 62 * 210;
    long.attended_minutes = 62 * 210;
    long.replaces = Some("2B7X-Q4LM-9PHD-CT30".into());
    std::fs::write(
        out.join("attestation-suivi-longue.pdf"),
        certificate::render(&long)?,
    )?;

    let archive = certificate::zip(&files)?;
    println!("archive : {} octets", archive.len());
    std::fs::write(out.join("certificats.zip"), archive)?;

    // Twenty trainees of a session, as a bulk issue renders them: typst memoises what does not
    // change from one to the next, so the same data twenty times would time nothing.
    let rounds = 20;
    let started = Instant::now();
    for i in 0..rounds {
        let mut doc = seed::certificate(CertificateKind::Completion);
        doc.trainee_name = format!("Stagiaire n° {i} MOREL");
        doc.code = format!("7KQ2-M9XD-4TBW-{i:04}");
        doc.verify_url = format!("https://formation.egoc.org/verifier/7KQ2M9XD4TBW{i:04}");
        certificate::render(&doc)?;
    }
    let elapsed = started.elapsed();
    println!(
        "{rounds} certificats de réalisation en {elapsed:?}, soit {:?} chacun",
        elapsed / rounds
    );
    println!("écrit dans {}", out.display());
    Ok(())
}
