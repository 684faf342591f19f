//! Renders the seed action's convention n° 26/19, its avenant n° 1, a trainee's convocation, an
//! iCalendar feed of its half-days and its registrations (CSV, XLSX) into a folder, to look at
//! them:
//!
//! ```sh
//! cargo run --example render -p forma-documents -- /tmp/out
//! pdftoppm -png -r 60 /tmp/out/convention-26-19.pdf /tmp/out/convention
//! ```

#[path = "../tests/common/seed.rs"]
mod seed;

use std::path::PathBuf;
use std::time::Instant;

use chrono::{TimeZone, Utc};
use forma_documents::ical::{self, CalendarEvent};
use forma_documents::{amendment, convention, convocation, registrations};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "/tmp/out".into()));
    std::fs::create_dir_all(&out)?;

    let doc = seed::convention();
    for round in 1..=3 {
        let started = Instant::now();
        let pdf = convention::render(&doc)?;
        println!(
            "convention n° {} : {} octets en {:?} (rendu {round})",
            doc.number,
            pdf.len(),
            started.elapsed()
        );
        std::fs::write(out.join("convention-26-19.pdf"), &pdf)?;
    }

    let avenant = seed::amendment();
    let started = Instant::now();
    let pdf = amendment::render(&avenant)?;
    println!(
        "avenant n° {} : {} octets en {:?}",
        avenant.number,
        pdf.len(),
        started.elapsed()
    );
    std::fs::write(out.join("avenant-1-26-19.pdf"), &pdf)?;

    let convocation = seed::convocation();
    let started = Instant::now();
    let pdf = convocation::render(&convocation)?;
    println!(
        "convocation : {} octets en {:?}",
        pdf.len(),
        started.elapsed()
    );
    std::fs::write(out.join("convocation-dupont.pdf"), &pdf)?;

    let rows = seed::registrations();
    std::fs::write(out.join("inscriptions.csv"), registrations::csv(&rows))?;
    std::fs::write(
        out.join("inscriptions.xlsx"),
        registrations::xlsx(&rows, "Session 12")?,
    )?;

    let updated = Utc.with_ymd_and_hms(2019, 2, 15, 10, 0, 0).unwrap();
    let mut events = Vec::new();
    for (i, day) in avenant.days_after.iter().enumerate() {
        for (half, slot) in [("matin", day.morning), ("apres-midi", day.afternoon)] {
            let Some((start, end)) = slot else { continue };
            events.push(CalendarEvent {
                uid: format!("day-{}-{half}@forma", i + 1),
                summary: format!(
                    "{} — {}",
                    day.module.clone().unwrap_or_default(),
                    day.title.clone().unwrap_or_default()
                ),
                description: Some(format!(
                    "Convention n° {}\nFormateur : {}",
                    doc.number,
                    day.trainers.join(", ")
                )),
                location: Some(day.place.clone()),
                date: day.date,
                start,
                end,
                updated,
            });
        }
    }
    let ics = ical::calendar("Formation CTG — CAF de l'Allier", &events);
    std::fs::write(out.join("ctg-caf03.ics"), ics)?;
    println!("écrit dans {}", out.display());
    Ok(())
}
