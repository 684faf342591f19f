//! Helpers shared by the integration tests: the seed data and PDF text extraction with poppler.

#![allow(dead_code)]

pub mod seed;

use std::io::Write;
use std::process::Command;

/// Runs a poppler tool on the PDF bytes and returns its standard output.
pub fn poppler(tool: &str, args: &[&str], pdf: &[u8]) -> String {
    let mut file = tempfile::Builder::new()
        .suffix(".pdf")
        .tempfile()
        .expect("temporary file");
    file.write_all(pdf).expect("write pdf");
    let path = file.path().to_str().expect("utf-8 path").to_owned();
    let mut command = Command::new(tool);
    command.args(args).arg(&path);
    if tool == "pdftotext" {
        command.arg("-");
    }
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{tool} (poppler-utils) must be installed: {e}"));
    assert!(
        output.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8 output")
}

/// `pdftotext -layout` of the whole document.
pub fn layout_text(pdf: &[u8]) -> String {
    poppler("pdftotext", &["-layout"], pdf)
}

/// Everything poppler reads from the PDF, flattened by [`flat`]: the `-layout` text (page
/// order, lines as laid out) then the `-raw` text (content order, which keeps each table cell's
/// lines together). Phrases are searched for in either.
pub fn pdf_text(pdf: &[u8]) -> String {
    let layout = flat(&layout_text(pdf));
    let raw = flat(&poppler("pdftotext", &["-raw"], pdf));
    format!("{layout}\n==== -raw ====\n{raw}")
}

/// `pdftotext -layout` of one page (1-based).
pub fn page_text(pdf: &[u8], page: usize) -> String {
    let page = page.to_string();
    poppler("pdftotext", &["-layout", "-f", &page, "-l", &page], pdf)
}

/// The text with every run of white space (no-break spaces included) made one space, and
/// typographic apostrophes made straight, so that phrases can be searched for.
pub fn flat(text: &str) -> String {
    text.replace('’', "'")
        .split(|c: char| c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Number of pages, from pdfinfo.
pub fn page_count(pdf: &[u8]) -> usize {
    let info = poppler("pdfinfo", &[], pdf);
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo gives the page count")
}

#[track_caller]
pub fn assert_contains(haystack: &str, needle: &str) {
    assert!(
        haystack.contains(needle),
        "« {needle} » is missing from:\n{haystack}"
    );
}
