//! The registrations export: CSV parsed back with the csv crate, XLSX opened with calamine (an
//! independent reader) and its sheet XML read for the layout.

mod common;

use std::io::{Cursor, Read};

use calamine::{Data, DataType, Reader, Xlsx};
use common::seed;
use forma_documents::registrations::{self, HEADERS, RegistrationRow};

const BOM: &[u8] = b"\xEF\xBB\xBF";

fn parse_csv(bytes: &[u8]) -> Vec<Vec<String>> {
    let body = bytes.strip_prefix(BOM).expect("the CSV starts with a BOM");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .from_reader(body);
    reader
        .records()
        .map(|r| {
            r.expect("a valid record")
                .iter()
                .map(str::to_owned)
                .collect()
        })
        .collect()
}

#[test]
fn csv_is_for_french_spreadsheets() {
    let rows = seed::registrations();
    let bytes = registrations::csv(&rows);
    assert!(bytes.starts_with(BOM));
    let text = std::str::from_utf8(&bytes).expect("UTF-8");
    // CRLF line ends only, and `;` between values.
    assert!(text.ends_with("\r\n"));
    assert_eq!(text.matches('\n').count(), text.matches("\r\n").count());
    let first_line = text.trim_start_matches('\u{feff}').lines().next().unwrap();
    assert_eq!(first_line, HEADERS.join(";"));
    assert_eq!(
        first_line,
        "Nom;Prénom;Courriel;Employeur;Fonction;Type de stagiaire (BPF);Statut;Journées;\
         Date d'inscription;Motif d'annulation"
    );

    let records = parse_csv(&bytes);
    assert_eq!(records.len(), 1 + rows.len());
    assert!(records.iter().all(|r| r.len() == HEADERS.len()));
    assert_eq!(
        records[1],
        [
            "DUPONT",
            "Camille",
            "camille.dupont@caf03.example",
            "CAF de l'Allier",
            "Conseillère technique",
            "Salarié d'employeur privé",
            "confirmée",
            "toutes",
            "20/02/2019",
            "",
        ]
    );
    // Accents, a `;` inside a value.
    assert_eq!(records[2][0], "ÉTIENNE");
    assert_eq!(records[2][1], "François");
    assert_eq!(records[2][7], "22/03/2019, 12/04/2019");
    assert_eq!(records[3][0], "LEFÈVRE");
    assert_eq!(records[3][6], "annulée");
    assert_eq!(
        records[3][9],
        "Arrêt maladie; reportée à la session d'automne"
    );
    // `"` and `;` quoted correctly; formula-looking values neutralised with `'`.
    assert_eq!(records[4][3], "Cabinet \"Conseil; Audit\"");
    assert!(
        text.contains("\"Cabinet \"\"Conseil; Audit\"\"\""),
        "{text}"
    );
    assert_eq!(records[4][0], "'=1+1");
    assert_eq!(records[4][4], "'@chef");
    assert_eq!(records[4][6], "en liste d'attente (3)");
}

#[test]
fn csv_without_rows_has_its_headers() {
    let records = parse_csv(&registrations::csv(&[]));
    assert_eq!(records.len(), 1);
    assert_eq!(records[0], HEADERS);
}

fn open_xlsx(bytes: Vec<u8>) -> Xlsx<Cursor<Vec<u8>>> {
    Xlsx::new(Cursor::new(bytes)).expect("calamine opens the workbook")
}

fn sheet_xml(bytes: &[u8]) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("an XLSX is a zip");
    let mut xml = String::new();
    archive
        .by_name("xl/worksheets/sheet1.xml")
        .expect("one sheet")
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

fn string(cell: &Data) -> &str {
    cell.get_string()
        .unwrap_or_else(|| panic!("not a string: {cell:?}"))
}

#[test]
fn xlsx_reads_back_with_an_independent_reader() {
    let rows = seed::registrations();
    let bytes = registrations::xlsx(&rows, "Session 12 — CTG").expect("the workbook is written");
    let mut book = open_xlsx(bytes);
    assert_eq!(book.sheet_names(), ["Session 12 — CTG"]);
    let range = book.worksheet_range("Session 12 — CTG").unwrap();
    assert_eq!(range.get_size(), (1 + rows.len(), HEADERS.len()));
    let header: Vec<&str> = (0..HEADERS.len())
        .map(|c| string(range.get((0, c)).unwrap()))
        .collect();
    assert_eq!(header, HEADERS);

    assert_eq!(string(range.get((1, 0)).unwrap()), "DUPONT");
    assert_eq!(string(range.get((2, 0)).unwrap()), "ÉTIENNE");
    assert_eq!(string(range.get((2, 7)).unwrap()), "22/03/2019, 12/04/2019");
    assert_eq!(string(range.get((3, 6)).unwrap()), "annulée");
    assert_eq!(
        string(range.get((3, 9)).unwrap()),
        "Arrêt maladie; reportée à la session d'automne"
    );
    assert_eq!(
        string(range.get((4, 3)).unwrap()),
        "Cabinet \"Conseil; Audit\""
    );
    // A formula-looking value is a plain string cell, as typed, and no cell holds a formula.
    assert_eq!(string(range.get((4, 0)).unwrap()), "=1+1");
    assert_eq!(string(range.get((4, 4)).unwrap()), "@chef");
    let formulas = book.worksheet_formula("Session 12 — CTG").unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "{formulas:?}"
    );
    // No cancel reason: an empty cell.
    assert_eq!(range.get((1, 9)), Some(&Data::Empty));

    // The registration date is a real date.
    for (r, row) in rows.iter().enumerate() {
        let cell = range.get((r + 1, 8)).unwrap();
        assert!(cell.is_datetime(), "not a date: {cell:?}");
        assert_eq!(cell.as_date(), Some(row.registered_on));
    }
}

#[test]
fn xlsx_layout_bold_frozen_header_filter_widths_and_date_format() {
    let rows = seed::registrations();
    let bytes = registrations::xlsx(&rows, "Inscrits").unwrap();
    let xml = sheet_xml(&bytes);
    assert!(
        xml.contains(
            r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
        ),
        "{xml}"
    );
    assert!(xml.contains(r#"<autoFilter ref="A1:J5"/>"#), "{xml}");
    // Every column has a width (neighbours of equal width share a `<col>`); the e-mail column
    // is wider than the first-name column.
    assert!(xml.contains(r#"<col min="1" "#), "{xml}");
    assert!(xml.contains(r#" max="10" "#), "{xml}");
    let width = |col: usize| -> f64 {
        let start = xml.find(&format!(r#"<col min="{col}" "#)).expect("a <col>");
        let rest = &xml[start..];
        let rest = &rest[rest.find("width=\"").unwrap() + 7..];
        rest[..rest.find('"').unwrap()].parse().unwrap()
    };
    assert!(width(3) > width(2) + 10.0, "{xml}");

    let mut archive = zip::ZipArchive::new(Cursor::new(&bytes)).unwrap();
    let mut styles = String::new();
    archive
        .by_name("xl/styles.xml")
        .unwrap()
        .read_to_string(&mut styles)
        .unwrap();
    assert!(styles.contains("<b/>"), "no bold font: {styles}");
    assert!(styles.contains(r#"formatCode="dd/mm/yyyy""#), "{styles}");
}

#[test]
fn xlsx_sheet_titles_are_made_valid_and_empty_lists_still_export() {
    let bytes =
        registrations::xlsx(&[], "CTG [CAF] 03/2019: inscrits à la session de printemps").unwrap();
    let mut book = open_xlsx(bytes);
    let name = registrations::sheet_name("CTG [CAF] 03/2019: inscrits à la session de printemps");
    assert_eq!(name, "CTG -CAF- 03-2019- inscrits à l");
    assert_eq!(book.sheet_names(), vec![name.clone()]);
    let range = book.worksheet_range(&name).unwrap();
    assert_eq!(range.get_size(), (1, HEADERS.len()));
}

#[test]
fn long_values_keep_reasonable_widths() {
    let mut rows: Vec<RegistrationRow> = seed::registrations();
    rows[0].cancel_reason = Some("x".repeat(500));
    let xml = sheet_xml(&registrations::xlsx(&rows, "Inscrits").unwrap());
    // Widths are capped at 50 characters (Excel stores a little more for padding).
    for width in xml.split("width=\"").skip(1) {
        let value: f64 = width.split('"').next().unwrap().parse().unwrap();
        assert!(value <= 52.0, "{value} in {xml}");
    }
}
