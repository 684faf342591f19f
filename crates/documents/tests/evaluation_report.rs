//! The synthèse des évaluations: the seed session's report (positioning and hot evaluation
//! answered, cold evaluation not yet) rendered and read back with poppler; the bars measured on
//! the rendered page.

mod common;

use std::io::Write;
use std::process::Command;

use common::{assert_contains, page_count, page_text, pdf_text, poppler, seed};
use forma_documents::DocumentError;
use forma_documents::evaluation_report::{
    self, EvaluationReport, ReportBar, ReportKind, ReportQuestion,
};

fn render(report: &EvaluationReport) -> Vec<u8> {
    evaluation_report::render(report).expect("the report renders")
}

#[test]
fn the_report_prints_rates_satisfaction_answers_and_progress() {
    let report = seed::evaluation_report();
    let pdf = render(&report);
    assert!(pdf.starts_with(b"%PDF"), "not a PDF");
    let text = pdf_text(&pdf);
    for needle in [
        // Letterhead and title block.
        "EGOC",
        "SIRET 123 456 782 00010",
        "Synthèse des évaluations",
        "Les chantiers locaux de la CTG : de l'acculturation à la mise en œuvre",
        "Session n° 12 — du 12 au 13 mars 2019, CAF de l'Allier, Moulins",
        "Formation animée par Thierry CHEINE — 8 stagiaires",
        "Synthèse établie le 20 mars 2019",
        // Each kind, its rate and satisfaction.
        "Positionnement (avant la formation)",
        "Taux de réponse : 6 réponses envoyées sur 8 stagiaires (75 %)",
        "Évaluation à chaud (fin de formation)",
        "Taux de réponse : 4 réponses envoyées sur 8 stagiaires (50 %), 1 brouillon en cours",
        "Satisfaction : 75 % de satisfaits (4 répondants)",
        "Évaluation à froid",
        "Taux de réponse : 0 réponse envoyée sur 8 stagiaires (0 %)",
        "Aucune réponse envoyée.",
        // A number's summary and free texts, accents and quotes as typed.
        "moyenne 8,5 (de 2 à 19)",
        "Comprendre ce qu'on attend de nous avec les « chantiers locaux ».",
        "Savoir répondre aux élus quand ils demandent \"la CTG, ça change quoi ?\"",
        "Il manquait une demi-journée pour finir le plan d'action : « on reste sur notre faim ».",
        // Progress.
        "Progression sur les objectifs",
        "Positionnement → fin",
        "1,8 → 3,8 sur 5",
        "1,5 → 3,5 sur 5",
        "1,3 → 3,0 sur 5",
    ] {
        assert_contains(&text, needle);
    }
    assert_eq!(
        text.matches("Aucune réponse envoyée.").count(),
        2,
        "only the cold evaluation has no answers (-layout and -raw)"
    );
    // Every question with its number of answers, every bar with its count and share.
    for kind in &report.kinds {
        for question in &kind.questions {
            let answered = match question.answered {
                n @ (0 | 1) => format!("({n} réponse)"),
                n => format!("({n} réponses)"),
            };
            assert_contains(&text, &format!("{} {answered}", question.label));
            for bar in &question.bars {
                assert_contains(
                    &text,
                    &format!("{} {} {}", bar.label, bar.count, bar.percent),
                );
            }
            for answer in &question.texts {
                assert_contains(&text, answer);
            }
        }
    }
    assert!(!text.contains("Pas encore de progression"), "{text}");
}

#[test]
fn kinds_without_answers_and_no_progress_say_so() {
    let mut report = seed::evaluation_report();
    for kind in &mut report.kinds {
        kind.questions.clear();
        kind.satisfaction = None;
    }
    report.progress.clear();
    report.trainers.clear();
    report.assessed = 0;
    report.acquisition.clear();
    let text = pdf_text(&render(&report));
    assert_eq!(
        text.matches("Aucune réponse envoyée.").count(),
        2 * report.kinds.len(),
        "one per kind (-layout and -raw): {text}"
    );
    assert_contains(
        &text,
        "Pas encore de progression mesurable (il faut le positionnement et l'évaluation de fin \
         de formation d'un même stagiaire).",
    );
    assert_contains(
        &text,
        "Le formateur n'a pas encore saisi l'évaluation des acquis des stagiaires.",
    );
    for absent in [
        "Satisfaction :",
        "Positionnement → fin",
        "animée par",
        "réponses)",
    ] {
        assert!(!text.contains(absent), "« {absent} » is printed: {text}");
    }
    assert_contains(&text, "8 stagiaires");
}

#[test]
fn the_trainers_assessment_is_counted_per_objective_and_level() {
    let text = pdf_text(&render(&seed::evaluation_report()));
    assert_contains(&text, "Évaluation des acquis");
    assert_contains(
        &text,
        "Niveau atteint sur chaque objectif selon le formateur : 7 stagiaires évalués sur 8 \
         stagiaires.",
    );
    assert_contains(&text, "Acquis En cours d'acquisition Non acquis");
    assert_contains(&text, "4 2 1");
}

/// A report of 40 closed questions and one question with 60 free texts.
fn long_report() -> EvaluationReport {
    let mut report = seed::evaluation_report();
    let template = report.kinds[1].questions[0].clone();
    let mut questions: Vec<ReportQuestion> = (1..=40)
        .map(|i| ReportQuestion {
            label: format!("Question n° {i} : êtes-vous satisfait de la séquence {i} ?"),
            ..template.clone()
        })
        .collect();
    questions.push(ReportQuestion {
        label: "Vos remarques et suggestions".into(),
        answered: 60,
        bars: Vec::new(),
        texts: (1..=60)
            .map(|i| {
                format!(
                    "Remarque n° {i} : la séquence était « utile » mais un peu longue, il faudrait \
                     davantage d'exemples tirés des territoires de l'Allier."
                )
            })
            .collect(),
    });
    report.kinds[1].questions = questions;
    report
}

#[test]
fn a_long_report_flows_over_several_pages() {
    let report = long_report();
    let pdf = render(&report);
    let pages = page_count(&pdf);
    assert!(pages >= 5, "{pages} pages");
    let text = pdf_text(&pdf);
    for i in [1, 17, 40] {
        assert_contains(
            &text,
            &format!("Question n° {i} : êtes-vous satisfait de la séquence {i} ? (4 réponses)"),
        );
    }
    for i in [1, 30, 60] {
        assert_contains(
            &text,
            &format!("Remarque n° {i} : la séquence était « utile »"),
        );
    }
    assert_contains(&text, "Progression sur les objectifs");
    // Later pages say what they are, and no chart is cut from its question: each page has as
    // many first and last bars as question headings.
    let second = common::flat(&page_text(&pdf, 2));
    assert_contains(&second, "EGOC Synthèse des évaluations");
    assert_contains(&second, &format!("page 2 / {pages}"));
    for page in 1..=pages {
        let text = common::flat(&page_text(&pdf, page));
        let headings = text.matches("Question n° ").count();
        assert_eq!(
            text.matches("Pas du tout satisfait").count(),
            headings,
            "page {page}: {text}"
        );
        assert_eq!(
            text.matches("Très satisfait").count(),
            headings,
            "page {page}: {text}"
        );
    }
}

#[test]
fn markup_in_the_data_is_printed_verbatim() {
    let evil = "#set text(red) *bold* $x$ ] _u_ <lab> @ref // x `raw` #(1+1)";
    let mut report = seed::evaluation_report();
    report.training_title = format!("Titre {evil}");
    report.session_label = "#pagebreak() ]) [".into();
    report.trainers = vec![format!("Formateur {evil}")];
    let kind = &mut report.kinds[1];
    kind.label = format!("Sorte {evil}");
    kind.rate = format!("Taux {evil}");
    kind.satisfaction = Some("#set page(width: 1cm)".into());
    kind.questions[0].label = format!("Question {evil}");
    kind.questions[0].bars[0].label = "*gras*".into();
    kind.questions[0].bars[0].percent = "$1$ %".into();
    kind.questions[8].texts.push(format!("Réponse {evil}"));
    report.progress[0].objective = format!("Objectif {evil}");
    report.progress[0].change = "#(1/0)".into();
    let text = pdf_text(&render(&report));
    for needle in [
        "Titre #set text(red) *bold* $x$ ] _u_ <lab> @ref // x `raw` #(1+1)",
        "#pagebreak() ]) [",
        "Formation animée par Formateur #set text(red) *bold*",
        "Sorte #set text(red) *bold*",
        "Taux de réponse : Taux #set text(red)",
        "Satisfaction : #set page(width: 1cm)",
        "Question #set text(red) *bold* $x$ ] _u_ <lab> @ref // x `raw` #(1+1)",
        "*gras* 0 $1$ %",
        "Réponse #set text(red) *bold*",
        "Objectif #set text(red) *bold*",
        "#(1/0)",
    ] {
        assert_contains(&text, needle);
    }
}

#[test]
fn pdf_is_pdf_a_2b_dated_from_issue_with_embedded_fonts() {
    let pdf = render(&seed::evaluation_report());
    let meta = poppler("pdfinfo", &["-meta"], &pdf);
    assert!(
        meta.contains("<pdfaid:part>2</pdfaid:part>") || meta.contains("pdfaid:part=\"2\""),
        "{meta}"
    );
    assert!(
        meta.contains("<pdfaid:conformance>B</pdfaid:conformance>")
            || meta.contains("pdfaid:conformance=\"B\""),
        "{meta}"
    );
    assert!(meta.contains("2019-03-20"), "no issue date in XMP: {meta}");
    let info = poppler("pdfinfo", &[], &pdf);
    assert_contains(
        &info,
        "Synthèse des évaluations — Les chantiers locaux de la CTG",
    );
    assert_contains(&info, "595.276 x 841.89 pts (A4)");
    let fonts = poppler("pdffonts", &[], &pdf);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty(), "{fonts}");
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(cols[cols.len() - 5], "yes", "font not embedded: {row}");
    }
}

/// Page 1 rendered in grey at `dpi` by pdftoppm: (width, height, one byte per pixel).
fn grey_page(pdf: &[u8], dpi: u32) -> (usize, usize, Vec<u8>) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let input = dir.path().join("report.pdf");
    std::fs::File::create(&input)
        .and_then(|mut f| f.write_all(pdf))
        .expect("write pdf");
    let status = Command::new("pdftoppm")
        .args(["-gray", "-r", &dpi.to_string(), "-singlefile"])
        .args(["-f", "1", "-l", "1"])
        .arg(&input)
        .arg(dir.path().join("page"))
        .status()
        .expect("pdftoppm (poppler-utils) must be installed");
    assert!(status.success(), "pdftoppm failed");
    let pgm = std::fs::read(dir.path().join("page.pgm")).expect("pdftoppm wrote the page");
    // Binary PGM: « P5 », width, height, maximum value, each followed by one white space.
    let mut fields = Vec::new();
    let mut start = 0;
    while fields.len() < 4 {
        let end = start
            + pgm[start..]
                .iter()
                .position(u8::is_ascii_whitespace)
                .unwrap();
        fields.push(String::from_utf8_lossy(&pgm[start..end]).into_owned());
        start = end + 1;
    }
    let (width, height) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    (width, height, pgm[start..].to_vec())
}

#[test]
fn bars_are_dark_and_as_long_as_their_share() {
    // One question whose bars are 4, 2, 1 and 0 of 4 answers.
    let mut report = seed::evaluation_report();
    report.kinds = vec![ReportKind {
        label: "Évaluation à chaud (fin de formation)".into(),
        rate: "4 réponses envoyées sur 8 stagiaires (50 %)".into(),
        satisfaction: None,
        questions: vec![ReportQuestion {
            label: "Le contenu".into(),
            answered: 4,
            bars: [
                ("A", 4, "100 %"),
                ("B", 2, "50 %"),
                ("C", 1, "25 %"),
                ("D", 0, "0 %"),
            ]
            .into_iter()
            .map(|(label, count, percent)| ReportBar {
                label: label.into(),
                count,
                percent: percent.into(),
            })
            .collect(),
            texts: Vec::new(),
        }],
    }];
    let (width, height, pixels) = grey_page(&render(&report), 150);
    // A bar is a band of rows whose longest dark run is the same length; text and rules make
    // runs that are short or one or two rows high.
    let longest_run = |y: usize| {
        let row = &pixels[y * width..(y + 1) * width];
        let (mut best, mut current) = (0usize, 0usize);
        for &p in row {
            current = if p < 100 { current + 1 } else { 0 };
            best = best.max(current);
        }
        best
    };
    let mut bands: Vec<(usize, usize)> = Vec::new(); // (run length, rows)
    for y in 0..height {
        let run = longest_run(y);
        match bands.last_mut() {
            Some((length, rows)) if run > 20 && run.abs_diff(*length) <= 2 => *rows += 1,
            _ => bands.push((run, 1)),
        }
    }
    let bars: Vec<usize> = bands
        .into_iter()
        .filter(|&(length, rows)| length > 20 && rows >= 8)
        .map(|(length, _)| length)
        .collect();
    assert_eq!(bars.len(), 3, "three bars drawn, none for 0: {bars:?}");
    let ratio = |a: usize, b: usize| a as f64 / b as f64;
    assert!((ratio(bars[0], bars[1]) - 2.0).abs() < 0.05, "{bars:?}");
    assert!((ratio(bars[0], bars[2]) - 4.0).abs() < 0.15, "{bars:?}");
}

#[test]
fn inconsistent_data_is_refused() {
    let mut report = seed::evaluation_report();
    report.kinds[1].questions[0].bars[2].count = 5;
    match evaluation_report::render(&report) {
        Err(DocumentError::InvalidData(message)) => {
            let message = common::flat(&message);
            assert!(
                message.contains("5 réponses pour la réponse « Satisfait », sur 4 répondants"),
                "{message}"
            );
        }
        other => panic!("a bar longer than its question is accepted: {other:?}"),
    }
    let mut report = seed::evaluation_report();
    report.training_title = "  ".into();
    assert!(matches!(
        evaluation_report::render(&report),
        Err(DocumentError::InvalidData(_))
    ));
}
