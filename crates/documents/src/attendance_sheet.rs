//! The feuille d'émargement: for each training day, every trainee's signature per half-day and
//! the trainer's countersignature, the proof of attendance and of the hours billed that funded
//! actions must keep (R.6332-26 C. trav.).
//!
//! Two forms share one layout. [`render`] prints the electronic signatures as they were
//! collected, with each half-day's closing (who closed it, when, and the head of the signature
//! hash chain), so that the paper copy can be checked against the store. [`render_blank`]
//! prints the same sheet with the names only and empty cells, to be signed by hand when the
//! electronic attendance cannot be used, with extra rows for trainees who were not registered.

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use typst::foundations::Bytes;

use crate::convocation::kind_label;
use crate::model::Organisation;
use crate::render::{self, Obj};
use crate::{DocumentError, format};

/// Everything printed on the attendance sheets of a session: one sheet (one page or more) per
/// day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendanceSheetDocument {
    /// The day the sheet is produced; printed in the footer and dated in the PDF.
    pub generated_on: NaiveDate,
    pub organisation: Organisation,
    /// « Accompagner la démarche de Convention Territoriale Globale ».
    pub training_title: String,
    /// « Session n° 12 ».
    pub session_reference: Option<String>,
    /// « 26/19 », for a session under a convention.
    pub convention_number: Option<String>,
    /// « INTRA » or « INTER ».
    pub kind: String,
    /// At least one; printed in date order.
    pub days: Vec<SheetDay>,
}

/// One training day: its sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetDay {
    pub date: NaiveDate,
    /// « Module 1 ».
    pub module: Option<String>,
    /// « Acculturation CTG ».
    pub title: Option<String>,
    /// In one line: « CAF de l'Allier — site de Moulins, salle Allier, 8 rue Achille Roche,
    /// 03000 Moulins ».
    pub venue: String,
    /// One or two, in order; the table has one signature column per half-day.
    pub half_days: Vec<SheetHalfDay>,
    /// The trainees registered for the day, printed in this order.
    pub rows: Vec<SheetRow>,
}

/// A half-day of a training day, in local civil time (Europe/Paris).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetHalfDay {
    /// « Matin », « Après-midi ».
    pub label: String,
    pub start: NaiveTime,
    pub end: NaiveTime,
    /// Who taught it, with their countersignature once given.
    pub trainers: Vec<SheetSigner>,
    /// `None` while the half-day is still open.
    pub closed: Option<ClosedInfo>,
}

/// A trainer and their signature for a half-day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetSigner {
    /// « Thierry CHEINE ».
    pub name: String,
    pub signature: Option<Strokes>,
    /// Local time of the signature: printed « signé à 12 h 32 ».
    pub signed_at: Option<NaiveTime>,
}

/// The closing of a half-day: after it, its signatures can no longer change, and the head of
/// the hash chain is what a later check compares with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosedInfo {
    /// Local date and time of the closing.
    pub on: NaiveDate,
    pub at: NaiveTime,
    /// Who closed it: « Thierry CHEINE ».
    pub by: String,
    /// The head of the signature hash chain, in hexadecimal.
    pub chain_head: String,
}

/// One trainee's line on a day's sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetRow {
    /// « Camille DUPONT ».
    pub name: String,
    /// « CAF de l'Allier »; `None` for a trainee who comes on their own account.
    pub employer: Option<String>,
    /// One per half-day of the day, in the same order.
    pub cells: Vec<SheetCell>,
}

/// A trainee's attendance for one half-day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetCell {
    /// As the attendance record words it: « Présent », « Absent », « Retard (arrivée 9 h 40) »,
    /// « Absence justifiée ». Printed as given, so that this crate does not keep its own list of
    /// statuses beside the domain's.
    pub status: Option<String>,
    pub signature: Option<Strokes>,
    /// Local time of the signature: printed « signé à 9 h 04 ».
    pub signed_at: Option<NaiveTime>,
    /// « corrigé le 25/03/2019 par Thierry CHEINE : arrivée notée par erreur ».
    pub note: Option<String>,
}

/// A handwritten signature as the signature pad records it, in the product's JSON form
/// `{"w":300,"h":100,"strokes":[[[x,y],[x,y],…],…]}`: integer points within `0..=w` × `0..=h`,
/// one list per pen stroke.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Strokes {
    pub w: u32,
    pub h: u32,
    pub strokes: Vec<Vec<(u32, u32)>>,
}

impl Strokes {
    /// Reads the JSON form; `None` when it is not that form, when the pad has no area, or when
    /// no point was drawn (such a « signature » would print as an empty cell that looks signed).
    pub fn from_json(json: &str) -> Option<Strokes> {
        let strokes: Strokes = serde_json::from_str(json).ok()?;
        let drawn = strokes.strokes.iter().any(|s| !s.is_empty());
        (strokes.w > 0 && strokes.h > 0 && drawn).then_some(strokes)
    }

    /// The signature as an SVG image, black ink on a transparent background, the size of the
    /// pad. A stroke that is a single point (a dot, a full stop after the initials) is drawn as
    /// a dot: a zero-length path would not print. Points outside the pad are brought back to
    /// its edge rather than dropped, so that no ink the signer saw goes missing.
    pub fn to_svg(&self) -> String {
        let (w, h) = (self.w.max(1), self.h.max(1));
        // A pen about 1 % of the pad: a signature pad is some 300 px wide and drawn with a
        // 2–3 px line, which prints like a fine felt pen at signature size.
        let pen = (f64::from(w.max(h)) / 100.0).max(1.0);
        // The margin keeps the half of the line that lies beyond the pad's edge.
        let margin = pen / 2.0;
        let mut path = String::new();
        let mut dots = String::new();
        for stroke in &self.strokes {
            let points: Vec<(u32, u32)> =
                stroke.iter().map(|&(x, y)| (x.min(w), y.min(h))).collect();
            let Some(&(x0, y0)) = points.first() else {
                continue;
            };
            if points.iter().all(|&p| p == (x0, y0)) {
                dots.push_str(&format!(
                    r##"<circle cx="{x0}" cy="{y0}" r="{margin}" fill="#000"/>"##
                ));
                continue;
            }
            path.push_str(&format!("M{x0} {y0}"));
            for &(x, y) in &points[1..] {
                path.push_str(&format!(" L{x} {y}"));
            }
            path.push(' ');
        }
        let path = if path.is_empty() {
            String::new()
        } else {
            format!(
                r##"<path d="{}" fill="none" stroke="#000" stroke-width="{pen}" stroke-linecap="round" stroke-linejoin="round"/>"##,
                path.trim_end()
            )
        };
        format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{vw}" height="{vh}" viewBox="{m} {m} {vw} {vh}">{path}{dots}</svg>"#,
            m = -margin,
            vw = f64::from(w) + pen,
            vh = f64::from(h) + pen,
        )
    }
}

/// Renders the attendance sheets with the electronic signatures, as a PDF/A-2b file: A4
/// landscape, one sheet per day (more pages when the trainees do not fit, the table header
/// repeated).
pub fn render(doc: &AttendanceSheetDocument) -> Result<Vec<u8>, DocumentError> {
    render::pdf(
        render::ATTENDANCE_SHEET,
        inputs(doc, Form::Signed)?.into_dict(),
        doc.generated_on,
    )
}

/// Renders the same sheets to print and sign by hand: names printed, signature cells, statuses
/// and closings left empty, and `walk_in_rows` empty numbered rows at the end of each day for
/// trainees who come without being registered.
pub fn render_blank(
    doc: &AttendanceSheetDocument,
    walk_in_rows: usize,
) -> Result<Vec<u8>, DocumentError> {
    render::pdf(
        render::ATTENDANCE_SHEET,
        inputs(doc, Form::Blank { walk_in_rows })?.into_dict(),
        doc.generated_on,
    )
}

#[derive(Clone, Copy)]
enum Form {
    Signed,
    Blank { walk_in_rows: usize },
}

/// « 3f9a…c21b »: enough to compare by eye; the full value is printed once, small.
fn short_hash(hash: &str) -> String {
    let chars: Vec<char> = hash.chars().collect();
    if chars.len() <= 12 {
        return hash.to_owned();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

fn signature_image(strokes: Option<&Strokes>) -> Option<Bytes> {
    strokes.map(|s| Bytes::new(s.to_svg().into_bytes()))
}

fn signer(s: &SheetSigner, form: Form) -> Obj {
    let signed = matches!(form, Form::Signed);
    Obj::new()
        .set("name", render::typo(&s.name))
        .set(
            "signature",
            signed
                .then(|| signature_image(s.signature.as_ref()))
                .flatten(),
        )
        .set(
            "signed_at",
            signed.then_some(s.signed_at).flatten().map(format::time),
        )
}

fn cell(c: &SheetCell, form: Form) -> Obj {
    if matches!(form, Form::Blank { .. }) {
        return empty_cell();
    }
    Obj::new()
        .set("status", render::text(c.status.as_deref()))
        .set("signature", signature_image(c.signature.as_ref()))
        .set("signed_at", c.signed_at.map(format::time))
        .set("note", render::text(c.note.as_deref()))
}

fn empty_cell() -> Obj {
    Obj::new()
        .set("status", Option::<String>::None)
        .set("signature", Option::<Bytes>::None)
        .set("signed_at", Option::<String>::None)
        .set("note", Option::<String>::None)
}

fn check_day(day: &SheetDay) -> Result<(), DocumentError> {
    let date = format::date_with_weekday(day.date);
    let invalid =
        |what: String| DocumentError::InvalidData(format!("la journée du {date} : {what}"));
    if day.half_days.is_empty() {
        return Err(invalid("aucune demi-journée".to_owned()));
    }
    if day.venue.trim().is_empty() {
        return Err(invalid("aucun lieu".to_owned()));
    }
    for half in &day.half_days {
        if half.label.trim().is_empty() {
            return Err(invalid("une demi-journée n'a pas de nom".to_owned()));
        }
        if half.end <= half.start {
            return Err(invalid(format!(
                "la demi-journée « {} » finit ({}) avant de commencer ({})",
                half.label.trim(),
                format::time(half.end),
                format::time(half.start)
            )));
        }
        if half.trainers.iter().any(|t| t.name.trim().is_empty()) {
            return Err(invalid(format!(
                "un formateur de la demi-journée « {} » n'a pas de nom",
                half.label.trim()
            )));
        }
    }
    if day.half_days.windows(2).any(|w| w[1].start < w[0].end) {
        return Err(invalid(
            "les demi-journées se chevauchent ou ne sont pas dans l'ordre".to_owned(),
        ));
    }
    for row in &day.rows {
        if row.name.trim().is_empty() {
            return Err(invalid("un stagiaire n'a pas de nom".to_owned()));
        }
        if row.cells.len() != day.half_days.len() {
            return Err(invalid(format!(
                "la ligne de {} a {} case(s) pour {} demi-journée(s)",
                row.name.trim(),
                row.cells.len(),
                day.half_days.len()
            )));
        }
    }
    Ok(())
}

fn half_day(h: &SheetHalfDay, form: Form) -> Obj {
    let closed = match form {
        Form::Signed => h.closed.as_ref(),
        Form::Blank { .. } => None,
    };
    Obj::new()
        .set("label", render::typo(&h.label))
        .set("hours", format::time_range(h.start, h.end))
        .set(
            "trainers",
            h.trainers
                .iter()
                .map(|t| signer(t, form))
                .collect::<Vec<_>>(),
        )
        .set(
            "closing",
            closed.map(|c| {
                format!(
                    "demi-journée close le {} à {} par {} — empreinte\u{a0}: {}",
                    format::date_numeric(c.on),
                    format::time(c.at),
                    render::typo(&c.by),
                    short_hash(c.chain_head.trim())
                )
            }),
        )
        .set(
            "chain_head",
            closed.and_then(|c| render::verbatim(Some(&c.chain_head))),
        )
}

fn day(d: &SheetDay, form: Form) -> Obj {
    let mut rows: Vec<Obj> = d
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            Obj::new()
                .set("number", (i + 1).to_string())
                .set("name", Some(render::typo(&r.name)))
                .set("employer", render::text(r.employer.as_deref()))
                .set(
                    "cells",
                    r.cells.iter().map(|c| cell(c, form)).collect::<Vec<_>>(),
                )
        })
        .collect();
    if let Form::Blank { walk_in_rows } = form {
        for i in 0..walk_in_rows {
            rows.push(
                Obj::new()
                    .set("number", (d.rows.len() + i + 1).to_string())
                    .set("name", Option::<String>::None)
                    .set("employer", Option::<String>::None)
                    .set(
                        "cells",
                        d.half_days.iter().map(|_| empty_cell()).collect::<Vec<_>>(),
                    ),
            );
        }
    }
    Obj::new()
        .set("date", format::date_with_weekday(d.date))
        .set("module", render::text(d.module.as_deref()))
        .set("title", render::text(d.title.as_deref()))
        .set("venue", render::typo(&d.venue))
        .set(
            "half_days",
            d.half_days
                .iter()
                .map(|h| half_day(h, form))
                .collect::<Vec<_>>(),
        )
        .set(
            "registered",
            format::count_noun(
                d.rows.len() as u64,
                "stagiaire inscrit",
                "stagiaires inscrits",
            ),
        )
        .set("rows", rows)
}

fn inputs(doc: &AttendanceSheetDocument, form: Form) -> Result<Obj, DocumentError> {
    if doc.training_title.trim().is_empty() {
        return Err(DocumentError::InvalidData(
            "la formation n'a pas d'intitulé".to_owned(),
        ));
    }
    if doc.days.is_empty() {
        return Err(DocumentError::InvalidData(
            "la feuille d'émargement ne donne aucune journée".to_owned(),
        ));
    }
    for d in &doc.days {
        check_day(d)?;
    }
    let mut days: Vec<&SheetDay> = doc.days.iter().collect();
    days.sort_by_key(|d| (d.date, d.half_days.first().map(|h| h.start)));

    let mut references = Vec::new();
    if let Some(session) = render::text(doc.session_reference.as_deref()) {
        references.push(session);
    }
    if let Some(number) = render::verbatim(doc.convention_number.as_deref()) {
        references.push(format!("convention n°\u{a0}{number}"));
    }
    references.push(kind_label(&doc.kind));

    Ok(Obj::new()
        .set("blank", matches!(form, Form::Blank { .. }))
        .set("generated_on", format::date(doc.generated_on))
        .set("organisation", render::organisation(&doc.organisation))
        .set("title", render::typo(&doc.training_title))
        .set("references", references.join(" — "))
        .set(
            "days",
            days.into_iter().map(|d| day(d, form)).collect::<Vec<_>>(),
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strokes_are_read_from_the_product_json() {
        let s = Strokes::from_json(r#"{"w":300,"h":100,"strokes":[[[10,20],[30,40]],[[5,5]]]}"#)
            .expect("valid strokes");
        assert_eq!((s.w, s.h), (300, 100));
        assert_eq!(s.strokes, vec![vec![(10, 20), (30, 40)], vec![(5, 5)]]);
        for bad in [
            "",
            "{}",
            r#"{"w":0,"h":100,"strokes":[[[1,1]]]}"#,
            r#"{"w":300,"h":100,"strokes":[]}"#,
            r#"{"w":300,"h":100,"strokes":[[]]}"#,
            r#"{"w":300,"h":100,"strokes":[[[-1,2]]]}"#,
            r#"{"w":300,"h":100,"strokes":[[[1.5,2]]]}"#,
        ] {
            assert_eq!(Strokes::from_json(bad), None, "{bad}");
        }
    }

    #[test]
    fn svg_draws_lines_and_dots_inside_the_pad() {
        let s = Strokes {
            w: 300,
            h: 100,
            strokes: vec![
                vec![(10, 20), (30, 40), (900, 50)],
                vec![(5, 5)],
                vec![(7, 7), (7, 7)],
                vec![],
            ],
        };
        let svg = s.to_svg();
        assert!(
            svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
            "{svg}"
        );
        assert!(svg.contains(r#"d="M10 20 L30 40 L300 50""#), "{svg}");
        assert!(svg.contains(r#"stroke-linecap="round""#), "{svg}");
        assert_eq!(svg.matches("<circle").count(), 2, "{svg}");
        assert!(svg.contains(r#"cx="5" cy="5""#), "{svg}");
        // A signature that is only a dot still has something to print.
        let dot = Strokes {
            w: 300,
            h: 100,
            strokes: vec![vec![(150, 50)]],
        }
        .to_svg();
        assert!(dot.contains("<circle") && !dot.contains("<path"), "{dot}");
    }

    #[test]
    fn hashes_are_shortened_for_the_eye() {
        assert_eq!(
            short_hash("3f9a0000000000000000000000000000000000000000000000000000c21b"),
            "3f9a…c21b"
        );
        assert_eq!(short_hash("abc123"), "abc123");
    }
}
