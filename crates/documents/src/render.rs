//! The shared typst engine, and the conversion of plain data into typst values.
//!
//! Templates receive one dictionary in `sys.inputs`; every leaf is a string already formatted in
//! French (or `none`), so templates only lay out. Strings are text for typst, never markup: a
//! client called `*bold*` prints with its asterisks.

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use qrcode::QrCode;
use qrcode::render::svg;
use typst::diag::SourceDiagnostic;
use typst::foundations::{Bytes, Datetime, Dict, IntoValue, Value};
use typst::{World, WorldExt};
use typst_as_lib::{TypstAsLibError, TypstEngine};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use crate::model::{AnnexedProgram, Organisation, Party, PlannedDay, Price};
use crate::{DocumentError, format};

/// Template file names, as the templates `#import` each other.
pub(crate) const CONVENTION: &str = "convention.typ";
pub(crate) const AMENDMENT: &str = "avenant.typ";
pub(crate) const CONVOCATION: &str = "convocation.typ";
pub(crate) const ATTENDANCE_SHEET: &str = "attendance_sheet.typ";
/// Compiled in its own world (`certificate.rs`), not by [`ENGINE`].
pub(crate) const CERTIFICATE: &str = "certificate.typ";
pub(crate) const EVALUATION_REPORT: &str = "evaluation_report.typ";
const COMMON: &str = "common.typ";

static ENGINE: LazyLock<TypstEngine> = LazyLock::new(|| {
    TypstEngine::builder()
        .fonts(typst_assets::fonts())
        .with_static_source_file_resolver([
            (COMMON, include_str!("../templates/common.typ")),
            (CONVENTION, include_str!("../templates/convention.typ")),
            (AMENDMENT, include_str!("../templates/avenant.typ")),
            (CONVOCATION, include_str!("../templates/convocation.typ")),
            (
                ATTENDANCE_SHEET,
                include_str!("../templates/attendance_sheet.typ"),
            ),
            (
                EVALUATION_REPORT,
                include_str!("../templates/evaluation_report.typ"),
            ),
        ])
        .build()
});

/// Compiles `template` with `inputs` and exports it as PDF/A-2b dated `issued_on`.
pub(crate) fn pdf(
    template: &'static str,
    inputs: Dict,
    issued_on: NaiveDate,
) -> Result<Vec<u8>, DocumentError> {
    let document: PagedDocument =
        ENGINE
            .compile_with_input(template, inputs)
            .output
            .map_err(|error| DocumentError::Template {
                template,
                message: typst_error(&ENGINE, template, &error),
            })?;
    export(&document, template, issued_on)
}

/// Exports `document`, compiled from `template`, as PDF/A-2b dated `issued_on`.
pub(crate) fn export(
    document: &PagedDocument,
    template: &'static str,
    issued_on: NaiveDate,
) -> Result<Vec<u8>, DocumentError> {
    let date = Datetime::from_ymd_hms(
        issued_on.year(),
        issued_on.month() as u8,
        issued_on.day() as u8,
        0,
        0,
        0,
    )
    .ok_or_else(|| {
        DocumentError::InvalidData(format!("date d'émission hors limites : {issued_on}"))
    })?;
    let standards =
        PdfStandards::new(&[PdfStandard::A_2b]).map_err(|error| DocumentError::Pdf {
            template,
            message: error.message().to_string(),
        })?;
    let options = PdfOptions {
        ident: typst::foundations::Smart::Auto,
        timestamp: Some(Timestamp::new_utc(date)),
        standards,
        ..PdfOptions::default()
    };
    typst_pdf::pdf(document, &options).map_err(|diagnostics| DocumentError::Pdf {
        template,
        message: diagnostics_text(&diagnostics),
    })
}

fn diagnostics_text(diagnostics: &[SourceDiagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| with_hints(d.message.to_string(), d))
        .collect::<Vec<_>>()
        .join(" ; ")
}

fn with_hints(mut text: String, diagnostic: &SourceDiagnostic) -> String {
    for hint in &diagnostic.hints {
        text.push_str(" (");
        text.push_str(hint.v.as_str());
        text.push(')');
    }
    text
}

/// The compiler's messages, each with the template file and line it points to, so that whoever
/// edited a template can find the mistake: « convention.typ, ligne 12 : unknown variable: x ».
fn typst_error(engine: &TypstEngine, template: &str, error: &TypstAsLibError) -> String {
    let TypstAsLibError::TypstSource(diagnostics) = error else {
        return error.to_string();
    };
    let located = engine.with_world(template, |world| located_errors(world, diagnostics));
    located.unwrap_or_else(|_| diagnostics_text(diagnostics))
}

/// The messages of [`typst_error`], located in the sources of `world`.
pub(crate) fn located_errors(world: &dyn World, diagnostics: &[SourceDiagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| {
            let place = d
                .span
                .id()
                .zip(world.range(d.span))
                .and_then(|(id, range)| {
                    let source = world.source(id).ok()?;
                    let line = source.text().get(..range.start)?.matches('\n').count() + 1;
                    let file = id.vpath().file_name().unwrap_or("?").to_owned();
                    Some(format!("{file}, ligne {line} : "))
                });
            with_hints(format!("{}{}", place.unwrap_or_default(), d.message), d)
        })
        .collect::<Vec<_>>()
        .join(" ; ")
}

/// The QR code of `url` as an SVG image, black on white, without a quiet zone (the template
/// leaves room around it). `None` when the text is too long for a QR code.
pub(crate) fn qr_svg(url: &str) -> Option<Bytes> {
    let code = QrCode::new(url.as_bytes()).ok()?;
    let image = code
        .render::<svg::Color<'_>>()
        .quiet_zone(false)
        .min_dimensions(200, 200)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build();
    Some(Bytes::new(image.into_bytes()))
}

/// The QR code of `url` as a PNG with one pixel per module, without quiet zone like
/// [`qr_svg`] (the template leaves white around it); `None` when the text is too long for a QR
/// code. Laid out with `scaling: "pixelated"` it prints as sharp as the SVG, and a document made
/// in bulk (certificates) embeds it faster than typst converts the SVG's paths (measured by the
/// certificates benchmark: about 2 ms of 12 per certificate).
pub(crate) fn qr_png(url: &str) -> Option<Bytes> {
    let (side, dark) = qr_modules(url)?;
    let pixels: Vec<u8> = dark.iter().map(|&d| if d { 0 } else { 255 }).collect();
    let mut png = Vec::new();
    let mut encoder = png::Encoder::new(&mut png, side as u32, side as u32);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    // typst decodes the image and the PDF compresses it again: compressing here only costs time
    // (a deflate set-up per certificate).
    encoder.set_compression(png::Compression::NoCompression);
    let mut writer = encoder.write_header().ok()?;
    writer.write_image_data(&pixels).ok()?;
    writer.finish().ok()?;
    Some(Bytes::new(png))
}

/// The modules of `url`'s QR code, row by row, `true` when dark, and its width: module for
/// module what `QrCode::new` makes (smallest version, error correction M, the mask of least
/// penalty, the first of equals), but the eight masks are scored by [`mask_penalty`] instead of
/// the crate, whose scoring allocates for every module and took 8 % of a certificate's time
/// (certificates benchmark). `None` when the text is too long for a QR code.
pub(crate) fn qr_modules(url: &str) -> Option<(usize, Vec<bool>)> {
    use qrcode::canvas::{Canvas, MaskPattern};
    let ec_level = qrcode::EcLevel::M;
    let bits = qrcode::bits::encode_auto(url.as_bytes(), ec_level).ok()?;
    let version = bits.version();
    let (data, ec) = qrcode::ec::construct_codewords(&bits.into_bytes(), version, ec_level).ok()?;
    let mut canvas = Canvas::new(version, ec_level);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&data, &ec);
    let side = usize::try_from(version.width()).ok()?;
    let mut best: Option<(u16, Vec<bool>)> = None;
    // The crate's order, which decides between masks of equal penalty.
    for pattern in [
        MaskPattern::Checkerboard,
        MaskPattern::HorizontalLines,
        MaskPattern::VerticalLines,
        MaskPattern::DiagonalLines,
        MaskPattern::LargeCheckerboard,
        MaskPattern::Fields,
        MaskPattern::Diamonds,
        MaskPattern::Meadow,
    ] {
        let mut masked = canvas.clone();
        masked.apply_mask(pattern);
        let dark: Vec<bool> = masked
            .into_colors()
            .into_iter()
            .map(|c| c == qrcode::Color::Dark)
            .collect();
        let penalty = mask_penalty(side, &dark);
        if best.as_ref().is_none_or(|(least, _)| penalty < *least) {
            best = Some((penalty, dark));
        }
    }
    best.map(|(_, dark)| (side, dark))
}

/// The penalty of a masked QR code (ISO/IEC 18004 § 7.8.3) exactly as the `qrcode` crate
/// (0.14) computes it, wrapping `u16` arithmetic included, so that the same mask is chosen:
/// runs of five or more modules of one colour (length − 2), 2 × 2 blocks of one colour (3),
/// finder-like patterns without four light modules on a side (40 each, less the 9 × 40 of the
/// three finder patterns themselves), and the distance of the dark share from 50 %.
fn mask_penalty(side: usize, dark: &[bool]) -> u16 {
    const FINDER: [bool; 7] = [true, false, true, true, true, false, true];
    // Columns as rows, so that both are scanned as slices.
    let columns: Vec<bool> = (0..side * side)
        .map(|i| dark[(i % side) * side + i / side])
        .collect();
    let mut total: u16 = 0;
    for lines in [dark, &columns] {
        let (mut runs, mut finders) = (0u16, 0u16);
        for line in lines.chunks_exact(side) {
            for run in line.chunk_by(|a, b| a == b).filter(|run| run.len() >= 5) {
                runs = runs.wrapping_add(run.len() as u16 - 2);
            }
            for j in 0..side - 6 {
                if line[j..j + 7] == FINDER {
                    let before = line[j.saturating_sub(4)..j].contains(&true);
                    let after = line[j + 7..(j + 11).min(side)].contains(&true);
                    if !before || !after {
                        finders = finders.wrapping_add(40);
                    }
                }
            }
        }
        total = total
            .wrapping_add(runs)
            .wrapping_add(finders.wrapping_sub(360));
    }
    for (row, below) in dark.chunks_exact(side).zip(dark.chunks_exact(side).skip(1)) {
        for x in 0..side - 1 {
            let here = row[x];
            if row[x + 1] == here && below[x] == here && below[x + 1] == here {
                total = total.wrapping_add(3);
            }
        }
    }
    let ratio = dark.iter().filter(|&&d| d).count() * 200 / dark.len();
    total.wrapping_add(ratio.abs_diff(100) as u16)
}

/// `Some` non-blank value, trimmed but otherwise untouched (identifiers, e-mail addresses).
pub(crate) fn verbatim(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// A typst dictionary built field by field.
#[derive(Default, Clone)]
pub(crate) struct Obj(Dict);

impl Obj {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    pub(crate) fn set(mut self, key: &str, value: impl IntoValue) -> Self {
        self.0.insert(key.into(), value.into_value());
        self
    }

    pub(crate) fn into_dict(self) -> Dict {
        self.0
    }
}

impl IntoValue for Obj {
    fn into_value(self) -> Value {
        Value::Dict(self.0)
    }
}

/// Text as printed: trimmed, with the typographic apostrophe of French print (’ for ').
pub(crate) fn typo(value: &str) -> String {
    value.trim().replace('\'', "’")
}

/// `Some` non-blank text, as printed; `None` otherwise (templates test for `none`).
pub(crate) fn text(value: Option<&str>) -> Option<String> {
    value.map(str::trim).filter(|v| !v.is_empty()).map(typo)
}

/// Non-blank lines, as printed.
pub(crate) fn lines(values: &[String]) -> Vec<String> {
    values
        .iter()
        .map(|v| typo(v))
        .filter(|v| !v.is_empty())
        .collect()
}

pub(crate) fn party(party: &Party) -> Obj {
    Obj::new()
        .set("name", typo(&party.name))
        .set("address", lines(&party.address_lines))
        .set(
            "siret",
            verbatim(party.siret.as_deref()).map(|s| format::siret(&s)),
        )
        .set("representative", text(party.representative.as_deref()))
        .set("email", verbatim(party.email.as_deref()))
        .set("phone", verbatim(party.phone.as_deref()))
}

pub(crate) fn organisation(org: &Organisation) -> Obj {
    party(&org.party)
        .set("nda", verbatim(org.nda.as_deref()))
        .set("city", typo(&org.city))
}

/// Checks the days and returns them sorted by date (then start time).
pub(crate) fn sorted_days(days: &[PlannedDay]) -> Result<Vec<&PlannedDay>, DocumentError> {
    for day in days {
        day.check()?;
    }
    let mut sorted: Vec<&PlannedDay> = days.iter().collect();
    sorted.sort_by_key(|d| (d.date, d.half_days().next().map(|(start, _)| start)));
    Ok(sorted)
}

/// One row of the planning table.
pub(crate) fn day_row(day: &PlannedDay) -> Obj {
    let hours: Vec<String> = day
        .half_days()
        .map(|(start, end)| format::time_range(start, end))
        .collect();
    Obj::new()
        .set("weekday", format::weekday(day.date))
        .set("date", format::date(day.date))
        .set("module", text(day.module.as_deref()))
        .set("title", text(day.title.as_deref()))
        .set("hours", hours)
        .set("duration", format::duration_short(day.minutes()))
        .set("place", typo(&day.place))
        .set("trainers", lines(&day.trainers))
        .set("audience", text(day.audience.as_deref()))
        .set(
            "headcount",
            day.headcount.map(|(min, max)| format::headcount(min, max)),
        )
}

/// The planning table and its summary: number of days, total hours, first and last date.
pub(crate) fn planning(days: &[&PlannedDay]) -> Obj {
    let minutes: u32 = days.iter().map(|d| d.minutes()).sum();
    Obj::new()
        .set("rows", days.iter().map(|d| day_row(d)).collect::<Vec<_>>())
        .set("count", format::days(days.len()))
        .set("hours", format::duration_long(minutes))
        .set(
            "first",
            days.first().map(|d| format::date_with_weekday(d.date)),
        )
        .set(
            "last",
            days.last().map(|d| format::date_with_weekday(d.date)),
        )
        .set(
            "single_day",
            days.first().map(|d| d.date) == days.last().map(|d| d.date),
        )
}

pub(crate) fn price(price: &Price) -> Obj {
    Obj::new()
        .set("basis", price.basis.label())
        .set("unit", format::money(price.unit_cents))
        .set("quantity", price.basis.quantity(price.quantity))
        .set("excl", format::money(price.total_excl_tax_cents()))
        .set("vat_label", typo(&price.vat_label()))
        .set(
            "vat",
            price
                .vat_rate_basis_points
                .map(|_| format::money(price.vat_cents())),
        )
        .set("incl", format::money(price.total_incl_tax_cents()))
}

/// A section body cut into blocks `{kind, runs}`: `kind` is `"para"`, `"item"` (a line
/// starting with « - », « * », « + », « • » or « – ») or `"heading"` (a line starting with
/// « # »); `runs` are `{text, strong}`. Program sheets are written in plain text or in light
/// Markdown, so `**bold**` prints bold, `[text](address)` prints its text, `\*` prints `*` and
/// rules (`---`) are dropped; anything else prints as written.
pub(crate) fn blocks(body: &str) -> Vec<Obj> {
    let mut blocks = Vec::new();
    for line in body.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if line.chars().all(|c| matches!(c, '-' | '*' | '_' | ' ')) && line.len() >= 3 {
            continue; // a Markdown rule
        }
        let (kind, text) = if let Some(rest) = line.strip_prefix('#') {
            ("heading", rest.trim_start_matches('#').trim())
        } else if let Some(rest) = ["- ", "* ", "+ ", "• ", "– "]
            .iter()
            .find_map(|marker| line.strip_prefix(marker))
        {
            ("item", rest.trim())
        } else {
            ("para", line)
        };
        let runs = runs(text);
        if runs.is_empty() {
            continue;
        }
        blocks.push(Obj::new().set("kind", kind).set("runs", runs));
    }
    blocks
}

/// Inline text cut into `{text, strong}` runs (see [`blocks`]).
fn runs(text: &str) -> Vec<Obj> {
    let mut runs = Vec::new();
    let mut current = String::new();
    let mut strong = false;
    let mut rest = text;
    // Spaces between runs matter (« **Horaire :** de 9 h »): runs are not trimmed.
    let flush = |current: &mut String, strong: bool, runs: &mut Vec<Obj>| {
        if !current.is_empty() {
            let text = std::mem::take(current).replace('\'', "’");
            runs.push(Obj::new().set("text", text).set("strong", strong));
        }
    };
    while let Some(c) = rest.chars().next() {
        // `\*`: the character itself.
        if c == '\\'
            && let Some(next) = rest[1..].chars().next()
            && next.is_ascii_punctuation()
        {
            current.push(next);
            rest = &rest[1 + next.len_utf8()..];
            continue;
        }
        // `**` or `__` opens or closes bold, when a closing mark follows (or bold is open).
        if rest.starts_with("**") || rest.starts_with("__") {
            let mark = &rest[..2];
            if strong || rest[2..].contains(mark) {
                flush(&mut current, strong, &mut runs);
                strong = !strong;
                rest = &rest[2..];
                continue;
            }
        }
        // `[text](address)`: the text.
        if c == '['
            && let Some(close) = rest.find("](")
            && let Some(end) = rest[close..].find(')')
        {
            current.push_str(&rest[1..close]);
            rest = &rest[close + end + 1..];
            continue;
        }
        current.push(c);
        rest = &rest[c.len_utf8()..];
    }
    flush(&mut current, strong, &mut runs);
    runs
}

pub(crate) fn section(heading: &str, body: &str) -> Obj {
    Obj::new()
        .set("heading", typo(heading))
        .set("blocks", blocks(body))
}

pub(crate) fn program(program: &AnnexedProgram) -> Obj {
    Obj::new()
        .set("title", typo(&program.title))
        .set("version", program.version.to_string())
        .set("updated_on", format::date(program.updated_on))
        .set("objectives", lines(&program.objectives))
        .set("audience", text(program.audience.as_deref()))
        .set("prerequisites", text(program.prerequisites.as_deref()))
        .set("duration", text(Some(&program.duration)))
        .set(
            "sections",
            program
                .sections
                .iter()
                .filter(|(_, body)| !body.trim().is_empty())
                .map(|(heading, body)| section(heading, body))
                .collect::<Vec<_>>(),
        )
}

/// « Fait à Vichy, le … »: the signature date when known, `none` for a blank to fill by hand.
pub(crate) fn signature(org: &Organisation, signed_on: Option<NaiveDate>) -> Obj {
    Obj::new()
        .set("city", typo(&org.city))
        .set("date", signed_on.map(format::date))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_errors_say_where_they_are() {
        let engine = TypstEngine::builder()
            .fonts(typst_assets::fonts())
            .with_static_source_file_resolver([(
                "essai.typ",
                "#let a = 1\n\nTexte #inconnue et la suite.\n",
            )])
            .build();
        let error = engine
            .compile::<_, PagedDocument>("essai.typ")
            .output
            .expect_err("the variable is unknown");
        let message = typst_error(&engine, "essai.typ", &error);
        assert!(message.starts_with("essai.typ, ligne 3 : "), "{message}");
        assert!(message.contains("inconnue"), "{message}");
    }

    #[test]
    fn qr_codes_are_svg_and_too_long_texts_have_none() {
        let svg = qr_svg("https://forma.example/s/abc123").expect("a QR code");
        let text = std::str::from_utf8(svg.as_slice()).unwrap();
        assert!(text.contains("<svg"), "{text}");
        assert!(qr_svg(&"x".repeat(8000)).is_none());
    }

    /// Blocks as (kind, [(text, strong)]) for comparisons.
    fn plain(body: &str) -> Vec<(String, Vec<(String, bool)>)> {
        let text = |v: &Value| match v {
            Value::Str(s) => s.to_string(),
            other => panic!("not a string: {other:?}"),
        };
        blocks(body)
            .into_iter()
            .map(|b| {
                let d = b.into_dict();
                let runs = match d.get("runs").unwrap() {
                    Value::Array(runs) => runs
                        .iter()
                        .map(|r| match r {
                            Value::Dict(r) => (
                                text(r.get("text").unwrap()),
                                r.get("strong").unwrap() == &Value::Bool(true),
                            ),
                            other => panic!("not a run: {other:?}"),
                        })
                        .collect(),
                    other => panic!("not runs: {other:?}"),
                };
                (text(d.get("kind").unwrap()), runs)
            })
            .collect()
    }

    fn run(text: &str, strong: bool) -> (String, bool) {
        (text.to_owned(), strong)
    }

    #[test]
    fn plain_text_bodies_become_paragraphs_and_items() {
        assert_eq!(
            plain("Intro :\n- un\n•  deux\n\n  Fin.  \n5 * 3 = 15"),
            vec![
                ("para".to_owned(), vec![run("Intro :", false)]),
                ("item".to_owned(), vec![run("un", false)]),
                ("item".to_owned(), vec![run("deux", false)]),
                ("para".to_owned(), vec![run("Fin.", false)]),
                ("para".to_owned(), vec![run("5 * 3 = 15", false)]),
            ]
        );
    }

    #[test]
    fn light_markdown_is_understood() {
        assert_eq!(
            plain(
                "#### Journée 1\n**Horaire :** de 9h à 17h\n---\n* voir [le site](http://x.fr) \\*\nun **gras non fermé"
            ),
            vec![
                ("heading".to_owned(), vec![run("Journée 1", false)]),
                (
                    "para".to_owned(),
                    vec![run("Horaire :", true), run(" de 9h à 17h", false)]
                ),
                ("item".to_owned(), vec![run("voir le site *", false)]),
                ("para".to_owned(), vec![run("un **gras non fermé", false)]),
            ]
        );
    }
}
