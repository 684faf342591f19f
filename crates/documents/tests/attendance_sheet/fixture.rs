//! The attendance sheets of the seed action's first two days: 22 mars 2019 at Moulins, the
//! acculturation day for 40 people, both half-days signed and closed; 12 avril 2019 at Vichy,
//! six people, the afternoon still open. Signatures are drawn by a small deterministic « hand »
//! and go through the product's JSON form.
//!
//! Shared by `tests/attendance_sheet.rs` and `examples/attendance_sheet.rs`.

#![allow(dead_code)]

use chrono::{NaiveDate, NaiveTime};
use forma_documents::Organisation;
use forma_documents::attendance_sheet::{
    AttendanceSheetDocument, ClosedInfo, SheetCell, SheetDay, SheetHalfDay, SheetRow, SheetSigner,
    Strokes,
};

pub const TITLE: &str = "Accompagner la démarche de Convention Territoriale Globale";
pub const TRAINER: &str = "Thierry CHEINE";
pub const MORNING_HASH: &str = "3f9a5be07d1c44e2a9b0c3d8e1f27a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2dc21b";
pub const AFTERNOON_HASH: &str = "a17e0c9d8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a9e04";

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub fn time(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

const FIRST_NAMES: [&str; 20] = [
    "Camille",
    "François",
    "Léa",
    "Hugo",
    "Chloé",
    "Louis",
    "Manon",
    "Jules",
    "Inès",
    "Lucas",
    "Sarah",
    "Nathan",
    "Émilie",
    "Théo",
    "Zoé",
    "Maxime",
    "Anaïs",
    "Paul",
    "Clara",
    "Romain",
];

const LAST_NAMES: [&str; 40] = [
    "DUPONT",
    "ÉTIENNE",
    "MARTIN",
    "BERNARD",
    "THOMAS",
    "PETIT",
    "ROBERT",
    "RICHARD",
    "DURAND",
    "DUBOIS",
    "MOREAU",
    "LAURENT",
    "SIMON",
    "MICHEL",
    "LEFÈVRE",
    "LEROY",
    "ROUX",
    "DAVID",
    "BERTRAND",
    "MOREL",
    "FOURNIER",
    "GIRARD",
    "BONNET",
    "DUPUIS",
    "LAMBERT",
    "FONTAINE",
    "ROUSSEAU",
    "VINCENT",
    "MULLER",
    "LEFEBVRE",
    "FAURE",
    "ANDRÉ",
    "MERCIER",
    "BLANC",
    "GUÉRIN",
    "BOYER",
    "GARNIER",
    "CHEVALIER",
    "FRANÇOIS",
    "LEGRAND",
];

const EMPLOYERS: [&str; 3] = [
    "CAF de l'Allier",
    "CAF de l'Allier — pôle partenaires",
    "Conseil départemental de l'Allier",
];

/// « Camille DUPONT », « François ÉTIENNE »… 40 distinct names.
pub fn trainee_name(i: usize) -> String {
    format!("{} {}", FIRST_NAMES[i % 20], LAST_NAMES[i % 40])
}

/// A signature in the product's JSON form: a loopy line across a 300 × 100 pad, different for
/// each `seed`, and an underline.
pub fn signature_json(seed: u32) -> String {
    let phase = f64::from(seed) * 0.7;
    let mut line = Vec::new();
    let mut x = 20.0;
    while x <= 240.0 {
        let y = 50.0 + 28.0 * (x / 11.0 + phase).sin() * (x / 47.0).cos();
        line.push(format!("[{},{}]", x as u32, y.clamp(0.0, 100.0) as u32));
        x += 4.0;
    }
    let underline = format!(
        "[[30,{0}],[150,{1}],[270,{0}]]",
        85 - seed % 5,
        80 + seed % 7
    );
    format!(
        r#"{{"w":300,"h":100,"strokes":[[{}],{underline}]}}"#,
        line.join(",")
    )
}

pub fn signature(seed: u32) -> Option<Strokes> {
    Some(Strokes::from_json(&signature_json(seed)).expect("the fixture's signatures are valid"))
}

fn present(seed: u32, at: NaiveTime) -> SheetCell {
    SheetCell {
        status: Some("Présent".into()),
        signature: signature(seed),
        signed_at: Some(at),
        note: None,
    }
}

fn absent(status: &str) -> SheetCell {
    SheetCell {
        status: Some(status.into()),
        ..SheetCell::default()
    }
}

fn trainer(seed: u32, at: NaiveTime) -> Vec<SheetSigner> {
    vec![SheetSigner {
        name: TRAINER.into(),
        signature: signature(seed),
        signed_at: Some(at),
    }]
}

/// 22 mars 2019 at Moulins: 40 trainees, both half-days closed. Trainee 3 is absent in the
/// morning, 5 is late, 7 is excused all day, 9's afternoon was corrected, 11 signed with a dot.
pub fn acculturation_day() -> SheetDay {
    let rows =
        (0..40)
            .map(|i| {
                let seed = i as u32;
                let morning_at = time(8, 50 + (i as u32 % 10));
                let afternoon_at = time(13, 20 + (i as u32 % 10));
                let mut cells = vec![present(seed, morning_at), present(seed + 100, afternoon_at)];
                match i {
                    3 => cells[0] = absent("Absent"),
                    5 => {
                        cells[0].status = Some("Retard (arrivée 9 h 40)".into());
                        cells[0].signed_at = Some(time(9, 41));
                    }
                    7 => cells = vec![absent("Absence justifiée"), absent("Absence justifiée")],
                    9 => cells[1].note = Some(
                        "corrigé le 25/03/2019 par Thierry CHEINE : départ à 16 h noté par erreur"
                            .into(),
                    ),
                    11 => {
                        cells[1].signature =
                            Strokes::from_json(r#"{"w":300,"h":100,"strokes":[[[150,50]]]}"#)
                    }
                    _ => {}
                }
                SheetRow {
                    name: trainee_name(i),
                    employer: (i != 13).then(|| EMPLOYERS[i % 3].to_owned()),
                    cells,
                }
            })
            .collect();
    SheetDay {
        date: date(2019, 3, 22),
        module: Some("Module 1".into()),
        title: Some("Acculturation CTG".into()),
        venue: "CAF de l'Allier — site de Moulins, salle Allier (rez-de-chaussée), 8 rue Achille \
                Roche, 03000 Moulins"
            .into(),
        half_days: vec![
            SheetHalfDay {
                label: "Matin".into(),
                start: time(9, 0),
                end: time(12, 30),
                trainers: trainer(500, time(12, 32)),
                closed: Some(ClosedInfo {
                    on: date(2019, 3, 22),
                    at: time(12, 35),
                    by: TRAINER.into(),
                    chain_head: MORNING_HASH.into(),
                }),
            },
            SheetHalfDay {
                label: "Après-midi".into(),
                start: time(13, 30),
                end: time(17, 0),
                trainers: trainer(501, time(17, 2)),
                closed: Some(ClosedInfo {
                    on: date(2019, 3, 22),
                    at: time(17, 6),
                    by: TRAINER.into(),
                    chain_head: AFTERNOON_HASH.into(),
                }),
            },
        ],
        rows,
    }
}

/// 12 avril 2019 at Vichy: six trainees; the afternoon is still open and not yet
/// countersigned.
pub fn second_day() -> SheetDay {
    let rows = (0..6)
        .map(|i| SheetRow {
            name: trainee_name(i),
            employer: Some(EMPLOYERS[0].into()),
            cells: vec![
                present(200 + i as u32, time(8, 55)),
                if i == 2 {
                    SheetCell::default()
                } else {
                    present(300 + i as u32, time(13, 25))
                },
            ],
        })
        .collect();
    SheetDay {
        date: date(2019, 4, 12),
        module: Some("Module 1".into()),
        title: Some("Socle commun de la démarche CTG".into()),
        venue: "CAF de l'Allier — site de Vichy, salle des Célestins, 15 rue Lucas, 03200 Vichy"
            .into(),
        half_days: vec![
            SheetHalfDay {
                label: "Matin".into(),
                start: time(9, 0),
                end: time(12, 30),
                trainers: trainer(502, time(12, 31)),
                closed: Some(ClosedInfo {
                    on: date(2019, 4, 12),
                    at: time(12, 40),
                    by: TRAINER.into(),
                    chain_head: "0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a77e1"
                        .into(),
                }),
            },
            SheetHalfDay {
                label: "Après-midi".into(),
                start: time(13, 30),
                end: time(17, 0),
                trainers: vec![SheetSigner {
                    name: TRAINER.into(),
                    signature: None,
                    signed_at: None,
                }],
                closed: None,
            },
        ],
        rows,
    }
}

pub fn sheet(organisation: Organisation) -> AttendanceSheetDocument {
    AttendanceSheetDocument {
        generated_on: date(2019, 4, 15),
        organisation,
        training_title: TITLE.into(),
        session_reference: Some("Session n° 12".into()),
        convention_number: Some("26/19".into()),
        kind: "INTRA".into(),
        // Given out of order: the sheets come in date order.
        days: vec![second_day(), acculturation_day()],
    }
}
