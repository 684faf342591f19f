//! A workbook of plain text tables, one sheet each: what the back-office exports besides the
//! registration lists (the answers to a session's evaluations, …). Every cell is written as a
//! string, which spreadsheet software never evaluates, so nothing a trainee typed becomes a
//! formula.

use rust_xlsxwriter::{DocProperties, Format, FormatBorder, Workbook};

use crate::DocumentError;
use crate::registrations::{sheet_name, xlsx_error};

/// One sheet: its name (made valid by [`sheet_name`]), a header row and the rows under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// The tables as an XLSX workbook titled `title`: each sheet with its bold header row frozen at
/// the top, an autofilter, and widths fitted to the content.
pub fn xlsx(title: &str, tables: &[Table]) -> Result<Vec<u8>, DocumentError> {
    let mut workbook = Workbook::new();
    workbook.set_properties(&DocProperties::new().set_title(title));
    let header = Format::new()
        .set_bold()
        .set_background_color("#E8E8E8")
        .set_border_bottom(FormatBorder::Thin)
        .set_text_wrap();
    for table in tables {
        let sheet = workbook.add_worksheet();
        sheet
            .set_name(sheet_name(&table.name))
            .map_err(xlsx_error)?;
        let mut widths: Vec<usize> = table
            .headers
            .iter()
            .map(|h| h.chars().count().min(30) + 3)
            .collect();
        for (col, title) in (0u16..).zip(&table.headers) {
            sheet
                .write_string_with_format(0, col, title, &header)
                .map_err(xlsx_error)?;
        }
        for (r, row) in (1u32..).zip(&table.rows) {
            for (col, value) in (0u16..).zip(row) {
                if !value.is_empty() {
                    sheet.write_string(r, col, value).map_err(xlsx_error)?;
                }
                if let Some(w) = widths.get_mut(usize::from(col)) {
                    *w = (*w).max(value.chars().count() + 1);
                }
            }
        }
        for (col, width) in (0u16..).zip(&widths) {
            sheet
                .set_column_width(col, (*width).clamp(8, 60) as f64)
                .map_err(xlsx_error)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(xlsx_error)?;
        if !table.headers.is_empty() {
            let last_row = u32::try_from(table.rows.len()).unwrap_or(u32::MAX);
            sheet
                .autofilter(0, 0, last_row, (table.headers.len() - 1) as u16)
                .map_err(xlsx_error)?;
        }
    }
    workbook.save_to_buffer().map_err(xlsx_error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Reader, Xlsx};

    #[test]
    fn tables_read_back_as_text() {
        let tables = [
            Table {
                name: "Positionnement".into(),
                headers: vec!["Stagiaire".into(), "Attentes".into()],
                rows: vec![
                    vec!["Inès MOREL".into(), "=1+1".into()],
                    vec!["Karim BENALI".into(), String::new()],
                ],
            },
            Table {
                name: "Fin de formation: à chaud".into(),
                headers: vec!["Stagiaire".into()],
                rows: vec![],
            },
        ];
        let bytes = xlsx("Évaluations", &tables).unwrap();
        let mut book: Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(
            book.sheet_names(),
            vec![
                "Positionnement".to_owned(),
                "Fin de formation- à chaud".to_owned()
            ]
        );
        let range = book.worksheet_range("Positionnement").unwrap();
        assert_eq!(
            range.get_value((1, 1)).map(|c| c.to_string()),
            Some("=1+1".to_owned())
        );
        assert_eq!(
            range.get_value((2, 0)).map(|c| c.to_string()),
            Some("Karim BENALI".to_owned())
        );
    }
}
