//! A session's registrations as a spreadsheet: CSV for French spreadsheet software, or XLSX.
//!
//! Both have the same columns, with French headers ([`HEADERS`]). Every cell is text except the
//! registration date, so nothing a trainee typed can become a formula: in CSV a value starting
//! with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with `'` (OWASP's advice
//! against CSV injection); in XLSX cells are written as strings, which spreadsheet software never
//! evaluates.

use chrono::NaiveDate;
use rust_xlsxwriter::{DocProperties, Format, FormatBorder, Workbook, XlsxError};
use serde::{Deserialize, Serialize};

use crate::{DocumentError, format};

/// One registration, as listed for the back office. Labels are already French.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationRow {
    pub last_name: String,
    pub first_name: String,
    pub email: String,
    pub employer: String,
    /// « Conseillère technique ».
    pub job_role: String,
    /// The trainee's type for the BPF: « Salarié d'employeur privé »…
    pub bpf_type: String,
    /// « confirmée », « en liste d'attente (3) », « annulée »…
    pub status: String,
    /// « toutes » or « 22/03/2019, 12/04/2019 ».
    pub days: String,
    pub registered_on: NaiveDate,
    pub cancel_reason: Option<String>,
}

/// The column headers, in order.
pub const HEADERS: [&str; 10] = [
    "Nom",
    "Prénom",
    "Courriel",
    "Employeur",
    "Fonction",
    "Type de stagiaire (BPF)",
    "Statut",
    "Journées",
    "Date d'inscription",
    "Motif d'annulation",
];

/// Index of the date column in [`HEADERS`].
const DATE_COLUMN: usize = 8;

/// The UTF-8 byte order mark, which tells spreadsheet software the file is UTF-8.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The text cells of a row (the date column empty).
fn cells(row: &RegistrationRow) -> [&str; 10] {
    [
        &row.last_name,
        &row.first_name,
        &row.email,
        &row.employer,
        &row.job_role,
        &row.bpf_type,
        &row.status,
        &row.days,
        "",
        row.cancel_reason.as_deref().unwrap_or(""),
    ]
    .map(str::trim)
}

/// Whether spreadsheet software could take the value for a formula: it starts (after blanks)
/// with `=`, `+`, `-` or `@`, or it starts with a tab or a carriage return.
pub fn looks_like_formula(value: &str) -> bool {
    value.starts_with(['\t', '\r']) || value.trim_start().starts_with(['=', '+', '-', '@'])
}

/// The value as a CSV cell: prefixed with `'` when it looks like a formula.
fn neutralised(value: &str) -> String {
    if looks_like_formula(value) {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

/// The registrations as CSV for French spreadsheet software: UTF-8 with a byte order mark, `;`
/// between values, CRLF line ends, a header line, dates as « 22/03/2019 ».
pub fn csv(rows: &[RegistrationRow]) -> Vec<u8> {
    let mut writer = ::csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(::csv::Terminator::CRLF)
        .from_writer(BOM.to_vec());
    let mut write = |record: Vec<String>| {
        writer
            .write_record(&record)
            .expect("writing CSV to memory cannot fail");
    };
    write(HEADERS.iter().map(|h| (*h).to_owned()).collect());
    for row in rows {
        let mut record: Vec<String> = cells(row).into_iter().map(neutralised).collect();
        record[DATE_COLUMN] = format::date_numeric(row.registered_on);
        write(record);
    }
    writer
        .into_inner()
        .expect("flushing CSV to memory cannot fail")
}

/// A valid worksheet name from `title`: Excel forbids `[ ] : * ? / \`, a leading or trailing
/// apostrophe, and more than 31 characters. Blank gives « Inscriptions ».
pub fn sheet_name(title: &str) -> String {
    let cleaned: String = title
        .chars()
        .map(|c| match c {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '-',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    let name: String = cleaned
        .trim()
        .trim_matches('\'')
        .trim()
        .chars()
        .take(31)
        .collect();
    let name = name.trim_end().trim_end_matches('\'').to_owned();
    if name.is_empty() {
        "Inscriptions".to_owned()
    } else {
        name
    }
}

pub(crate) fn xlsx_error(error: XlsxError) -> DocumentError {
    DocumentError::Spreadsheet(error.to_string())
}

/// The registrations as an XLSX workbook of one sheet named after `sheet_title` (made valid by
/// [`sheet_name`]): bold header row frozen at the top, an autofilter on every column, widths
/// fitted to the content, registration dates as real dates shown « 22/03/2019 ».
pub fn xlsx(rows: &[RegistrationRow], sheet_title: &str) -> Result<Vec<u8>, DocumentError> {
    let mut workbook = Workbook::new();
    let name = sheet_name(sheet_title);
    workbook.set_properties(&DocProperties::new().set_title(&name));
    let sheet = workbook.add_worksheet();
    sheet.set_name(&name).map_err(xlsx_error)?;

    let header = Format::new()
        .set_bold()
        .set_background_color("#E8E8E8")
        .set_border_bottom(FormatBorder::Thin);
    let date = Format::new().set_num_format("dd/mm/yyyy");

    // Width in characters: the longest value of the column, within bounds, plus room for the
    // autofilter button.
    let mut widths: Vec<usize> = HEADERS.iter().map(|h| h.chars().count() + 3).collect();
    widths[DATE_COLUMN] = widths[DATE_COLUMN].max(12);

    for (col, title) in (0u16..).zip(HEADERS) {
        sheet
            .write_string_with_format(0, col, title, &header)
            .map_err(xlsx_error)?;
    }
    for (r, row) in (1u32..).zip(rows) {
        for (col, value) in (0u16..).zip(cells(row)) {
            let index = usize::from(col);
            if index == DATE_COLUMN {
                sheet
                    .write_date_with_format(r, col, row.registered_on, &date)
                    .map_err(xlsx_error)?;
            } else {
                if !value.is_empty() {
                    sheet.write_string(r, col, value).map_err(xlsx_error)?;
                }
                widths[index] = widths[index].max(value.chars().count() + 1);
            }
        }
    }
    for (col, width) in (0u16..).zip(&widths) {
        sheet
            .set_column_width(col, (*width).clamp(8, 50) as f64)
            .map_err(xlsx_error)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(xlsx_error)?;
    let last_row = u32::try_from(rows.len()).unwrap_or(u32::MAX);
    sheet
        .autofilter(0, 0, last_row, (HEADERS.len() - 1) as u16)
        .map_err(xlsx_error)?;
    workbook.save_to_buffer().map_err(xlsx_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_looking_values() {
        for value in ["=1+1", "+33 6", "-2", "@SUM(A1)", "\tx", "\rx", "  =A1"] {
            assert!(looks_like_formula(value), "{value:?}");
        }
        for value in ["Dupont", "a=b", "", "'=1", "1+1"] {
            assert!(!looks_like_formula(value), "{value:?}");
        }
        assert_eq!(neutralised("=1+1"), "'=1+1");
        assert_eq!(neutralised("Dupont"), "Dupont");
    }

    #[test]
    fn sheet_names_are_made_valid() {
        assert_eq!(sheet_name("Session 12"), "Session 12");
        assert_eq!(sheet_name("CTG [CAF] 03/2019?"), "CTG -CAF- 03-2019-");
        assert_eq!(sheet_name("  'titre'  "), "titre");
        assert_eq!(sheet_name(""), "Inscriptions");
        assert_eq!(sheet_name("'''"), "Inscriptions");
        let long = sheet_name(&"é".repeat(40));
        assert_eq!(long.chars().count(), 31);
    }
}
