//! The program sheet editor's form, both ways: a [`Program`] shown as the strings of an HTML
//! form, and a posted form read back into a [`Program`].
//!
//! Every field is kept as the text the user typed, so that a form refused by validation comes
//! back exactly as written. Lists (days, trainers, head-count ranges, text sections) are posted as
//! repeated field names, one value per row, so no JavaScript is needed to add a row: the page
//! always shows two empty rows more ([`EditorForm::with_blank_rows`]), and rows left empty are
//! dropped.
//!
//! Field names are shared by three parties that must agree: the template
//! (`templates/gestion/editor_fields.html`, which places each message next to its field),
//! [`EditorForm::from_data`] (which reads them; see [`FIELD_NAMES`]) and
//! `forma_domain::program_validation` (whose error names are the editor's).

use chrono::{NaiveDate, NaiveTime, Timelike};
use forma_domain::duration::Minutes;
use forma_domain::money::{Price, VatTreatment};
use forma_domain::program::{
    AccessDelays, Contacts, Delay, DelayUnit, EvaluationModalities, Headcount, HeadcountRange,
    PracticalModalities, Prerequisites, Prices, ProgramDuration, SatisfactionRate, ScheduledDay,
    SectionRole, TextSection, TrainerRef,
};
use forma_domain::program_validation::validate;
use forma_domain::{FieldErrors, Program, ProgramKind};

/// A urlencoded form body as posted, in order, repeated names included.
///
/// Line breaks are normalised to `\n` (browsers post textareas with `\r\n`); values are
/// otherwise untouched (not trimmed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormData(Vec<(String, String)>);

impl FormData {
    pub fn parse(body: &[u8]) -> FormData {
        FormData(
            form_urlencoded::parse(body)
                .map(|(name, value)| (name.into_owned(), normalise_newlines(&value)))
                .collect(),
        )
    }

    /// The first value posted under `name`, or "" when there is none.
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(n, _)| n == name).map_or("", |(_, v)| v.as_str())
    }

    /// Every value posted under `name`, in order (one per row for list fields).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0.iter().filter(|(n, _)| n == name).map(|(_, v)| v.as_str()).collect()
    }
}

fn normalise_newlines(text: &str) -> String {
    if text.contains('\r') { text.replace("\r\n", "\n").replace('\r', "\n") } else { text.to_owned() }
}

/// Every name the editor form posts and [`EditorForm::from_data`] reads. List fields (`day_*`,
/// `trainer_*`, `headcount_day_*`, `content_*`, `other_*`, `certificate_*`) are posted once
/// per row.
pub const FIELD_NAMES: &[&str] = &[
    // Identité
    "title",
    "kind",
    "tag",
    "category",
    // Public et prérequis
    "audience",
    "prerequisites_state",
    "prerequisites",
    // Objectifs
    "objectives",
    // Durée et modalités pratiques
    "duration_days",
    "duration_hours",
    "daily_start",
    "daily_end",
    "hours_per_day",
    "practical",
    "places",
    // Journées / modules (one per row)
    "day_module",
    "day_day",
    "day_date",
    "day_label",
    // Tarifs
    "price_group",
    "price_group_vat",
    "price_trainee",
    "price_trainee_vat",
    "price_conditions",
    // Effectifs
    "headcount_min",
    "headcount_max",
    "headcount_day_min",
    "headcount_day_max",
    "headcount_day_first",
    "headcount_day_last",
    // Formateurs
    "animation",
    "trainer_name",
    "trainer_provider",
    // Contenu (one per section)
    "content_heading",
    "content_role",
    "content_markdown",
    // Méthodes et évaluation
    "methods",
    "evaluation",
    "evaluation_upstream",
    "evaluation_ongoing",
    "evaluation_hot",
    "evaluation_cold",
    "certificate_heading",
    "certificate_role",
    "certificate_markdown",
    // Accessibilité
    "accessibility",
    // Délais d'accès
    "delay_intra",
    "delay_intra_unit",
    "delay_inter",
    "delay_inter_unit",
    "access_delays",
    // Contacts
    "contacts",
    "contact_phones",
    "contact_emails",
    // Taux de satisfaction
    "satisfaction",
    "satisfaction_respondents",
    "satisfaction_period",
    // Autres rubriques
    "other_heading",
    "other_role",
    "other_markdown",
];

/// Reads one field; in debug builds, checks that the name is one of [`FIELD_NAMES`] (which the
/// template test compares with the rendered form).
fn field<'a>(data: &'a FormData, name: &str) -> &'a str {
    debug_assert!(FIELD_NAMES.contains(&name), "{name} is missing from FIELD_NAMES");
    data.get(name)
}

/// The rows of a list posted as repeated names, one column per name; short columns are padded
/// with "".
fn rows<const N: usize>(data: &FormData, names: [&str; N]) -> Vec<[String; N]> {
    for name in names {
        debug_assert!(FIELD_NAMES.contains(&name), "{name} is missing from FIELD_NAMES");
    }
    let columns: Vec<Vec<&str>> = names.iter().map(|n| data.all(n)).collect();
    let len = columns.iter().map(Vec::len).max().unwrap_or(0);
    (0..len).map(|i| std::array::from_fn(|c| columns[c].get(i).copied().unwrap_or("").to_owned())).collect()
}

fn blank(text: &str) -> bool {
    text.trim().is_empty()
}

/// « Module 1 : Journée 1 – Le 22 mars 2019 - Acculturation CTG ».
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayRow {
    pub module: String,
    pub day: String,
    /// ISO date (`input type=date`); « 22/03/2019 » is also read.
    pub date: String,
    pub label: String,
}

impl DayRow {
    pub fn is_blank(&self) -> bool {
        [&self.module, &self.day, &self.date, &self.label].iter().all(|v| blank(v))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrainerRow {
    pub name: String,
    pub provider: String,
}

impl TrainerRow {
    pub fn is_blank(&self) -> bool {
        blank(&self.name) && blank(&self.provider)
    }
}

/// A head-count range for some days (« J1 à J3 : entre 15 et 20 personnes »).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeadcountRow {
    pub min: String,
    pub max: String,
    pub first_day: String,
    pub last_day: String,
}

impl HeadcountRow {
    pub fn is_blank(&self) -> bool {
        [&self.min, &self.max, &self.first_day, &self.last_day].iter().all(|v| blank(v))
    }
}

/// A text section: heading, Markdown, and its indicator-1 role (`""` for none, otherwise the
/// role's snake_case name).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SectionRow {
    pub heading: String,
    pub markdown: String,
    pub role: String,
}

impl SectionRow {
    /// A section without heading nor text is blank, whatever its role select says.
    pub fn is_blank(&self) -> bool {
        blank(&self.heading) && blank(&self.markdown)
    }
}

fn role_code(role: Option<SectionRole>) -> &'static str {
    match role {
        None => "",
        Some(SectionRole::Objectives) => "objectives",
        Some(SectionRole::Prerequisites) => "prerequisites",
        Some(SectionRole::Audience) => "audience",
        Some(SectionRole::Methods) => "methods",
        Some(SectionRole::Trainer) => "trainer",
    }
}

fn parse_role(code: &str) -> Result<Option<SectionRole>, ()> {
    Ok(Some(match code.trim() {
        "" => return Ok(None),
        "objectives" => SectionRole::Objectives,
        "prerequisites" => SectionRole::Prerequisites,
        "audience" => SectionRole::Audience,
        "methods" => SectionRole::Methods,
        "trainer" => SectionRole::Trainer,
        _ => return Err(()),
    }))
}

fn vat_code(vat: VatTreatment) -> &'static str {
    match vat {
        VatTreatment::Exempt => "exempt",
        VatTreatment::ExcludingVat => "excluding_vat",
        VatTreatment::IncludingVat => "including_vat",
        VatTreatment::Unstated => "unstated",
    }
}

fn parse_vat(code: &str) -> Option<VatTreatment> {
    match code.trim() {
        "exempt" => Some(VatTreatment::Exempt),
        "excluding_vat" => Some(VatTreatment::ExcludingVat),
        "including_vat" => Some(VatTreatment::IncludingVat),
        "unstated" | "" => Some(VatTreatment::Unstated),
        _ => None,
    }
}

fn unit_code(unit: DelayUnit) -> &'static str {
    match unit {
        DelayUnit::Days => "days",
        DelayUnit::Weeks => "weeks",
        DelayUnit::Months => "months",
    }
}

fn parse_unit(code: &str) -> Option<DelayUnit> {
    match code.trim() {
        "days" | "" => Some(DelayUnit::Days),
        "weeks" => Some(DelayUnit::Weeks),
        "months" => Some(DelayUnit::Months),
        _ => None,
    }
}

/// The whole sheet as typed in the form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EditorForm {
    // Identité
    pub title: String,
    /// `INTRA` or `INTER`.
    pub kind: String,
    pub tag: String,
    /// A category name, "" for none.
    pub category: String,
    // Public et prérequis
    pub audience: String,
    /// `unspecified`, `none` (« Aucun prérequis ») or `required`.
    pub prerequisites_state: String,
    /// One prerequisite per line (used when the state is `required`).
    pub prerequisites: String,
    // Objectifs
    /// One objective per line.
    pub objectives: String,
    // Durée et modalités pratiques
    pub duration_days: String,
    /// « 42 », « 42 h 30 » or « 42,5 ».
    pub duration_hours: String,
    /// `HH:MM`.
    pub daily_start: String,
    pub daily_end: String,
    pub hours_per_day: String,
    /// « Modalités pratiques » (Markdown).
    pub practical: String,
    /// One place per line.
    pub places: String,
    pub days: Vec<DayRow>,
    // Tarifs
    /// Amount in euros, French format (« 1 350,00 »).
    pub price_group: String,
    /// `exempt`, `excluding_vat`, `including_vat` or `unstated`.
    pub price_group_vat: String,
    pub price_trainee: String,
    pub price_trainee_vat: String,
    pub price_conditions: String,
    // Effectifs
    pub headcount_min: String,
    pub headcount_max: String,
    pub headcount_days: Vec<HeadcountRow>,
    // Formateurs
    /// « Modalités d'animation ».
    pub animation: String,
    pub trainers: Vec<TrainerRow>,
    // Contenu
    pub content: Vec<SectionRow>,
    // Méthodes et évaluation
    pub methods: String,
    pub evaluation: String,
    pub evaluation_upstream: String,
    pub evaluation_ongoing: String,
    pub evaluation_hot: String,
    pub evaluation_cold: String,
    pub certificates: Vec<SectionRow>,
    // Accessibilité
    pub accessibility: String,
    // Délais d'accès
    pub delay_intra: String,
    /// `days`, `weeks` or `months`.
    pub delay_intra_unit: String,
    pub delay_inter: String,
    pub delay_inter_unit: String,
    /// The access delays text (Markdown).
    pub access_delays: String,
    // Contacts
    /// The contacts text (Markdown).
    pub contacts: String,
    /// One phone number per line.
    pub contact_phones: String,
    /// One e-mail address per line.
    pub contact_emails: String,
    // Taux de satisfaction
    /// Percent, French format (« 94,5 »).
    pub satisfaction: String,
    pub satisfaction_respondents: String,
    pub satisfaction_period: String,
    // Autres rubriques
    pub other_sections: Vec<SectionRow>,
}

/// How many empty rows the form offers after the existing ones.
pub const BLANK_ROWS: usize = 2;

fn opt_text(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

fn opt_number(value: Option<u32>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

fn lines(items: &[String]) -> String {
    items.join("\n")
}

fn section_rows(sections: &[TextSection]) -> Vec<SectionRow> {
    sections
        .iter()
        .map(|s| SectionRow { heading: s.heading.clone(), markdown: s.markdown.clone(), role: role_code(s.role).to_owned() })
        .collect()
}

/// « 1 350,00 » (plain spaces, easy to retype), « -12,50 ».
pub fn format_amount(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let digits = (cents.unsigned_abs() / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(' ');
        }
        grouped.push(ch);
    }
    format!("{sign}{grouped},{:02}", cents.unsigned_abs() % 100)
}

/// « 42 » or « 42 h 30 ».
pub fn format_hours(minutes: Minutes) -> String {
    match minutes.0 % 60 {
        0 => (minutes.0 / 60).to_string(),
        m => format!("{} h {m:02}", minutes.0 / 60),
    }
}

/// « 94 » or « 94,5 ».
pub fn format_percent(per_mille: u32) -> String {
    match per_mille % 10 {
        0 => (per_mille / 10).to_string(),
        d => format!("{},{d}", per_mille / 10),
    }
}

fn format_time(time: Option<NaiveTime>) -> String {
    match time {
        None => String::new(),
        Some(t) if t.second() == 0 && t.nanosecond() == 0 => t.format("%H:%M").to_string(),
        Some(t) => t.format("%H:%M:%S").to_string(),
    }
}

/// Without spaces of any kind (French grouping uses U+202F or U+00A0).
fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// A decimal number (`,` or `.` as the separator) scaled by 10^`scale`; more decimals than
/// `scale` are refused unless they are zeros.
fn parse_scaled(text: &str, scale: u32) -> Option<i64> {
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = match text.split_once([',', '.']) {
        Some((w, f)) => (w, f),
        None => (text, ""),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !(fraction.is_empty() || digits(fraction)) || whole.len() > 15 {
        return None;
    }
    let (kept, rest) = fraction.split_at(fraction.len().min(scale as usize));
    if rest.bytes().any(|b| b != b'0') {
        return None;
    }
    let mut value: i64 = whole.parse().ok()?;
    for i in 0..scale as usize {
        let digit = kept.as_bytes().get(i).map_or(0, |b| i64::from(b - b'0'));
        value = value.checked_mul(10)?.checked_add(digit)?;
    }
    Some(if negative { -value } else { value })
}

/// Whether `whole` (sign included) groups its digits by three with `separator`: « 1.350.000 ».
fn grouped_by_thousands(whole: &str, separator: char) -> bool {
    let mut groups = whole.trim_start_matches('-').split(separator);
    let first = groups.next().unwrap_or("");
    (1..=3).contains(&first.len()) && groups.all(|g| g.len() == 3)
}

/// An amount in euros as a French user writes it: « 1 350,00 », « 1350 », « 1350.5 »,
/// « 1.350,00 », « 1.350 », « 1 350 € ». Returns cents. A separator is read as grouping
/// thousands only where it does (« 1.350 » is 1 350 €, « 1350.5 » is 1 350,50 €).
pub fn parse_amount(text: &str) -> Option<i64> {
    let s = squeeze(text);
    let s = s.strip_suffix('€').or_else(|| s.strip_suffix("EUR")).or_else(|| s.strip_suffix("eur")).unwrap_or(&s);
    let (comma, dot) = (s.matches(',').count(), s.matches('.').count());
    let ungroup = |decimal: char, group: char| -> Option<String> {
        let (whole, fraction) = match s.rsplit_once(decimal) {
            Some((w, f)) => (w, Some(f)),
            None => (s, None),
        };
        if !grouped_by_thousands(whole, group) {
            return None;
        }
        let whole = whole.replace(group, "");
        Some(match fraction {
            Some(f) => format!("{whole}.{f}"),
            None => whole,
        })
    };
    let normalised = match (comma, dot) {
        (0, 0) | (1, 0) => s.to_owned(),
        // « 1.350,00 »: dots group thousands, the comma is the decimal separator.
        (1, _) if s.rfind('.') < s.rfind(',') => ungroup(',', '.')?,
        // « 1,350.00 »
        (_, 1) if comma > 0 && s.rfind(',') < s.rfind('.') => ungroup('.', ',')?,
        // « 1.350.000 »
        (0, _) if dot > 1 => ungroup(',', '.')?,
        // « 1.350 » groups thousands; « 1350.5 » or « 1.35 » has decimals.
        (0, 1) => match ungroup(',', '.') {
            Some(whole) if s.split_once('.').is_some_and(|(_, after)| after.len() == 3) => whole,
            _ => s.to_owned(),
        },
        _ => return None,
    };
    parse_scaled(&normalised, 2)
}

/// « 42 », « 42 h », « 42 h 30 », « 42h30 », « 42:30 », « 42,5 », « 42 heures ». Returns minutes.
pub fn parse_hours(text: &str) -> Option<Minutes> {
    let s = squeeze(text).to_lowercase();
    let s = s.strip_suffix("heures").or_else(|| s.strip_suffix("heure")).unwrap_or(&s);
    let s = s.strip_suffix("min").or_else(|| s.strip_suffix("mn")).unwrap_or(s);
    if let Some((hours, minutes)) = s.split_once(['h', ':']) {
        let hours: u32 = hours.parse().ok()?;
        let minutes: u32 = if minutes.is_empty() { 0 } else { minutes.parse().ok()? };
        if minutes >= 60 {
            return None;
        }
        return Some(Minutes(hours.checked_mul(60)?.checked_add(minutes)?));
    }
    let hundredths = parse_scaled(s, 2)?;
    if hundredths < 0 || (hundredths * 60) % 100 != 0 {
        return None;
    }
    u32::try_from(hundredths * 60 / 100).ok().map(Minutes)
}

/// « 94,5 », « 94.5 % ». Returns per mille.
pub fn parse_percent(text: &str) -> Option<u32> {
    let s = squeeze(text);
    let s = s.strip_suffix('%').unwrap_or(&s);
    u32::try_from(parse_scaled(s, 1)?).ok()
}

/// `HH:MM` (what `input type=time` posts), `HH:MM:SS`, « 9h », « 9 h 30 ».
pub fn parse_time(text: &str) -> Option<NaiveTime> {
    let s = squeeze(text).to_lowercase();
    let mut parts = s.split([':', 'h']);
    let hours: u32 = parts.next()?.parse().ok()?;
    let minutes: u32 = match parts.next() {
        None | Some("") => 0,
        Some(m) => m.parse().ok()?,
    };
    let seconds: u32 = match parts.next() {
        None => 0,
        Some(sec) => sec.parse().ok()?,
    };
    if parts.next().is_some() {
        return None;
    }
    NaiveTime::from_hms_opt(hours, minutes, seconds)
}

/// ISO (`input type=date`) or « 22/03/2019 ».
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let s = text.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d").or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y")).ok()
}

fn parse_count(text: &str) -> Option<u32> {
    squeeze(text).parse().ok()
}

/// Optional text: blank is `None`, otherwise trimmed.
fn text_opt(value: &str) -> Option<String> {
    let t = value.trim();
    if t.is_empty() { None } else { Some(t.to_owned()) }
}

/// A one-per-line textarea: trimmed lines, blank lines dropped.
fn line_list(value: &str) -> Vec<String> {
    value.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

/// Reads the optional typed value of `field`; an unreadable value is reported with `message`
/// and read as absent, so that the rest of the sheet is still checked.
fn optional<T>(errors: &mut FieldErrors, field: &str, text: &str, parse: impl Fn(&str) -> Option<T>, message: &str) -> Option<T> {
    if blank(text) {
        return None;
    }
    let value = parse(text);
    if value.is_none() {
        errors.add(field, message);
    }
    value
}

const AMOUNT_MESSAGE: &str = "Montant illisible : écrivez par exemple 1 350,00";
const COUNT_HINT: &str = "écrivez un nombre entier, par exemple 12";

/// Validation errors name list rows by their index in the program; the form's index differs
/// when blank rows were skipped.
fn form_field(field: &str, lists: &[(&str, &[usize])]) -> String {
    for (prefix, indices) in lists {
        if let Some(rest) = field.strip_prefix(prefix)
            && let Ok(j) = rest.parse::<usize>()
            && let Some(i) = indices.get(j)
        {
            return format!("{prefix}{i}");
        }
    }
    field.to_owned()
}

fn sections(rows: &[SectionRow], list: &str, errors: &mut FieldErrors) -> (Vec<TextSection>, Vec<usize>) {
    let mut out = Vec::new();
    let mut indices = Vec::new();
    for (i, row) in rows.iter().enumerate().filter(|(_, r)| !r.is_blank()) {
        let role = parse_role(&row.role).unwrap_or_else(|()| {
            errors.add(format!("{list}_{i}"), format!("Partie {} : rôle inconnu.", i + 1));
            None
        });
        out.push(TextSection { heading: row.heading.trim().to_owned(), markdown: row.markdown.trim().to_owned(), role });
        indices.push(i);
    }
    (out, indices)
}

impl EditorForm {
    pub fn from_program(p: &Program) -> Self {
        let (prerequisites_state, prerequisites) = match &p.prerequisites {
            Prerequisites::Unspecified => ("unspecified", String::new()),
            Prerequisites::NoneRequired => ("none", String::new()),
            Prerequisites::Required(items) => ("required", lines(items)),
        };
        let price = |price: Option<Price>| match price {
            Some(p) => (format_amount(p.cents), vat_code(p.vat).to_owned()),
            None => (String::new(), vat_code(VatTreatment::Unstated).to_owned()),
        };
        let (price_group, price_group_vat) = price(p.prices.per_group_day);
        let (price_trainee, price_trainee_vat) = price(p.prices.per_trainee);
        let delay = |delay: Option<Delay>| match delay {
            Some(d) => (d.amount.to_string(), unit_code(d.unit).to_owned()),
            None => (String::new(), unit_code(DelayUnit::Days).to_owned()),
        };
        let (delay_intra, delay_intra_unit) = delay(p.access_delays.intra);
        let (delay_inter, delay_inter_unit) = delay(p.access_delays.inter);
        let (satisfaction, satisfaction_respondents, satisfaction_period) = match &p.satisfaction {
            Some(s) => (format_percent(s.per_mille), s.respondents.to_string(), s.period.clone()),
            None => Default::default(),
        };
        let practical = &p.practical;
        EditorForm {
            title: p.title.clone(),
            kind: p.kind.as_str().to_owned(),
            tag: opt_text(&p.tag),
            category: opt_text(&p.category),
            audience: opt_text(&p.audience),
            prerequisites_state: prerequisites_state.to_owned(),
            prerequisites,
            objectives: lines(&p.objectives),
            duration_days: opt_number(p.duration.days),
            duration_hours: p.duration.minutes.map(format_hours).unwrap_or_default(),
            daily_start: format_time(practical.daily_start),
            daily_end: format_time(practical.daily_end),
            hours_per_day: opt_number(practical.hours_per_day),
            practical: opt_text(&practical.markdown),
            places: lines(&practical.places),
            days: practical
                .days
                .iter()
                .map(|d| DayRow {
                    module: opt_number(d.module),
                    day: opt_number(d.day),
                    date: d.date.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default(),
                    label: opt_text(&d.label),
                })
                .collect(),
            price_group,
            price_group_vat,
            price_trainee,
            price_trainee_vat,
            price_conditions: opt_text(&p.prices.conditions),
            headcount_min: opt_number(p.headcount.min),
            headcount_max: opt_number(p.headcount.max),
            headcount_days: p
                .headcount
                .per_day
                .iter()
                .map(|r| HeadcountRow {
                    min: r.min.to_string(),
                    max: r.max.to_string(),
                    first_day: opt_number(r.first_day),
                    last_day: opt_number(r.last_day),
                })
                .collect(),
            animation: opt_text(&p.animation),
            trainers: p.trainers.iter().map(|t| TrainerRow { name: t.name.clone(), provider: opt_text(&t.provider) }).collect(),
            content: section_rows(&p.content),
            methods: opt_text(&p.methods),
            evaluation: opt_text(&p.evaluation.markdown),
            evaluation_upstream: opt_text(&p.evaluation.upstream),
            evaluation_ongoing: opt_text(&p.evaluation.ongoing),
            evaluation_hot: opt_text(&p.evaluation.hot),
            evaluation_cold: opt_text(&p.evaluation.cold),
            certificates: section_rows(&p.evaluation.certificates),
            accessibility: opt_text(&p.accessibility),
            delay_intra,
            delay_intra_unit,
            delay_inter,
            delay_inter_unit,
            access_delays: opt_text(&p.access_delays.markdown),
            contacts: opt_text(&p.contacts.markdown),
            contact_phones: lines(&p.contacts.phones),
            contact_emails: lines(&p.contacts.emails),
            satisfaction,
            satisfaction_respondents,
            satisfaction_period,
            other_sections: section_rows(&p.other_sections),
        }
    }

    /// The form as posted. Rows left entirely empty are dropped here, so that row numbers in
    /// error messages match the rows shown when the form comes back.
    pub fn from_data(data: &FormData) -> Self {
        let get = |name: &str| field(data, name).to_owned();
        let sections = |prefix: &str| -> Vec<SectionRow> {
            let names = [format!("{prefix}_heading"), format!("{prefix}_markdown"), format!("{prefix}_role")];
            rows(data, [names[0].as_str(), names[1].as_str(), names[2].as_str()])
                .into_iter()
                .map(|[heading, markdown, role]| SectionRow { heading, markdown, role })
                .filter(|r| !r.is_blank())
                .collect()
        };
        EditorForm {
            title: get("title"),
            kind: get("kind"),
            tag: get("tag"),
            category: get("category"),
            audience: get("audience"),
            prerequisites_state: get("prerequisites_state"),
            prerequisites: get("prerequisites"),
            objectives: get("objectives"),
            duration_days: get("duration_days"),
            duration_hours: get("duration_hours"),
            daily_start: get("daily_start"),
            daily_end: get("daily_end"),
            hours_per_day: get("hours_per_day"),
            practical: get("practical"),
            places: get("places"),
            days: rows(data, ["day_module", "day_day", "day_date", "day_label"])
                .into_iter()
                .map(|[module, day, date, label]| DayRow { module, day, date, label })
                .filter(|r| !r.is_blank())
                .collect(),
            price_group: get("price_group"),
            price_group_vat: get("price_group_vat"),
            price_trainee: get("price_trainee"),
            price_trainee_vat: get("price_trainee_vat"),
            price_conditions: get("price_conditions"),
            headcount_min: get("headcount_min"),
            headcount_max: get("headcount_max"),
            headcount_days: rows(data, ["headcount_day_min", "headcount_day_max", "headcount_day_first", "headcount_day_last"])
                .into_iter()
                .map(|[min, max, first_day, last_day]| HeadcountRow { min, max, first_day, last_day })
                .filter(|r| !r.is_blank())
                .collect(),
            animation: get("animation"),
            trainers: rows(data, ["trainer_name", "trainer_provider"])
                .into_iter()
                .map(|[name, provider]| TrainerRow { name, provider })
                .filter(|r| !r.is_blank())
                .collect(),
            content: sections("content"),
            methods: get("methods"),
            evaluation: get("evaluation"),
            evaluation_upstream: get("evaluation_upstream"),
            evaluation_ongoing: get("evaluation_ongoing"),
            evaluation_hot: get("evaluation_hot"),
            evaluation_cold: get("evaluation_cold"),
            certificates: sections("certificate"),
            accessibility: get("accessibility"),
            delay_intra: get("delay_intra"),
            delay_intra_unit: get("delay_intra_unit"),
            delay_inter: get("delay_inter"),
            delay_inter_unit: get("delay_inter_unit"),
            access_delays: get("access_delays"),
            contacts: get("contacts"),
            contact_phones: get("contact_phones"),
            contact_emails: get("contact_emails"),
            satisfaction: get("satisfaction"),
            satisfaction_respondents: get("satisfaction_respondents"),
            satisfaction_period: get("satisfaction_period"),
            other_sections: sections("other"),
        }
    }

    /// Adds [`BLANK_ROWS`] empty rows to every list, for the user to fill.
    pub fn with_blank_rows(mut self) -> Self {
        for _ in 0..BLANK_ROWS {
            self.days.push(DayRow::default());
            self.headcount_days.push(HeadcountRow::default());
            self.trainers.push(TrainerRow::default());
            self.content.push(SectionRow::default());
            self.certificates.push(SectionRow::default());
            self.other_sections.push(SectionRow::default());
        }
        self
    }

    /// The category options for the select: every existing name, plus the sheet's own when it
    /// is not among them (so that saving never drops it), as (name, selected).
    pub fn category_options(&self, categories: &[String]) -> Vec<(String, bool)> {
        let mut options: Vec<(String, bool)> = categories.iter().map(|c| (c.clone(), *c == self.category)).collect();
        if !blank(&self.category) && !categories.contains(&self.category) {
            options.push((self.category.clone(), true));
        }
        options
    }

    /// The sheet as typed, with slug, MAJ and empty sections kept from `base`. Every unreadable
    /// value is reported by field, then the sheet's rules
    /// ([`forma_domain::program_validation::validate`]) are checked too; the program is
    /// returned only when there is no error at all.
    pub fn to_program(&self, base: &Program) -> Result<Program, FieldErrors> {
        let mut e = FieldErrors::default();

        let kind = ProgramKind::parse(&self.kind).unwrap_or_else(|| {
            e.add("kind", "Choisissez INTRA ou INTER.");
            base.kind
        });

        let items = line_list(&self.prerequisites);
        let prerequisites = match self.prerequisites_state.trim() {
            "required" => Prerequisites::Required(items),
            state => {
                if !items.is_empty() {
                    e.add("prerequisites", "Vous avez listé des prérequis : choisissez « Prérequis suivants », ou videz la liste.");
                }
                match state {
                    "none" => Prerequisites::NoneRequired,
                    "unspecified" | "" => Prerequisites::Unspecified,
                    _ => {
                        e.add("prerequisites", "Choisissez une des trois réponses sur les prérequis.");
                        Prerequisites::Unspecified
                    }
                }
            }
        };

        let duration = ProgramDuration {
            days: optional(&mut e, "duration_days", &self.duration_days, parse_count, "Nombre de jours illisible : écrivez par exemple 6"),
            minutes: optional(&mut e, "duration_hours", &self.duration_hours, parse_hours, "Durée illisible : écrivez par exemple 42, 42 h 30 ou 42,5"),
        };

        let mut day_indices = Vec::new();
        let mut days = Vec::new();
        for (i, row) in self.days.iter().enumerate().filter(|(_, r)| !r.is_blank()) {
            let field = format!("day_{i}");
            let n = i + 1;
            let module = optional(&mut e, &field, &row.module, parse_count, &format!("Ligne {n} : numéro de module illisible, {COUNT_HINT}"));
            let day = optional(&mut e, &field, &row.day, parse_count, &format!("Ligne {n} : numéro de jour illisible, {COUNT_HINT}"));
            let date = optional(&mut e, &field, &row.date, parse_date, &format!("Ligne {n} : date illisible, écrivez par exemple 22/03/2019"));
            days.push(ScheduledDay { module, day, date, label: text_opt(&row.label) });
            day_indices.push(i);
        }
        let practical = PracticalModalities {
            markdown: text_opt(&self.practical),
            days,
            daily_start: optional(&mut e, "daily_start", &self.daily_start, parse_time, "Heure illisible : écrivez par exemple 09:00"),
            daily_end: optional(&mut e, "daily_end", &self.daily_end, parse_time, "Heure illisible : écrivez par exemple 17:00"),
            hours_per_day: optional(&mut e, "hours_per_day", &self.hours_per_day, parse_count, "Nombre d'heures illisible : écrivez par exemple 7"),
            places: line_list(&self.places),
        };

        let mut price = |field: &str, amount: &str, vat: &str| {
            let cents = optional(&mut e, field, amount, parse_amount, AMOUNT_MESSAGE)?;
            match parse_vat(vat) {
                Some(vat) => Some(Price { cents, vat }),
                None => {
                    e.add(field, "Choisissez le régime de TVA de ce tarif.");
                    None
                }
            }
        };
        let prices = Prices {
            per_group_day: price("price_group", &self.price_group, &self.price_group_vat),
            per_trainee: price("price_trainee", &self.price_trainee, &self.price_trainee_vat),
            conditions: text_opt(&self.price_conditions),
        };

        let count_message = format!("Effectif illisible : {COUNT_HINT}");
        let mut headcount_indices = Vec::new();
        let mut per_day = Vec::new();
        for (i, row) in self.headcount_days.iter().enumerate().filter(|(_, r)| !r.is_blank()) {
            let field = format!("headcount_day_{i}");
            let n = i + 1;
            let message = format!("Ligne {n} : effectif illisible, {COUNT_HINT}");
            let min = optional(&mut e, &field, &row.min, parse_count, &message);
            let max = optional(&mut e, &field, &row.max, parse_count, &message);
            let first_day = optional(&mut e, &field, &row.first_day, parse_count, &format!("Ligne {n} : premier jour illisible, {COUNT_HINT}"));
            let last_day = optional(&mut e, &field, &row.last_day, parse_count, &format!("Ligne {n} : dernier jour illisible, {COUNT_HINT}"));
            if (blank(&row.min) || blank(&row.max)) && e.get(&field).is_none() {
                e.add(&field, format!("Ligne {n} : indiquez l'effectif minimum et l'effectif maximum."));
            }
            per_day.push(HeadcountRange { min: min.unwrap_or(0), max: max.unwrap_or(0), first_day, last_day });
            headcount_indices.push(i);
        }
        let headcount = Headcount {
            min: optional(&mut e, "headcount_min", &self.headcount_min, parse_count, &count_message),
            max: optional(&mut e, "headcount_max", &self.headcount_max, parse_count, &count_message),
            per_day,
        };

        let mut trainer_indices = Vec::new();
        let mut trainers = Vec::new();
        for (i, row) in self.trainers.iter().enumerate().filter(|(_, r)| !r.is_blank()) {
            trainers.push(TrainerRef { name: row.name.trim().to_owned(), provider: text_opt(&row.provider) });
            trainer_indices.push(i);
        }

        let satisfaction = if [&self.satisfaction, &self.satisfaction_respondents, &self.satisfaction_period].iter().all(|v| blank(v)) {
            None
        } else {
            let per_mille = if blank(&self.satisfaction) {
                e.add("satisfaction", "Indiquez le taux en pourcentage, par exemple 94,5.");
                None
            } else {
                optional(&mut e, "satisfaction", &self.satisfaction, parse_percent, "Taux illisible : écrivez un pourcentage, par exemple 94,5")
            };
            let respondents = optional(&mut e, "satisfaction", &self.satisfaction_respondents, parse_count, "Nombre de répondants illisible : écrivez par exemple 52");
            per_mille.map(|per_mille| SatisfactionRate {
                per_mille,
                // Absent respondents are left to the rule that explains why they are needed.
                respondents: respondents.unwrap_or(0),
                period: self.satisfaction_period.trim().to_owned(),
            })
        };

        let mut delay = |field: &str, amount: &str, unit: &str| {
            let amount = optional(&mut e, field, amount, parse_count, &format!("Délai illisible : {COUNT_HINT}"))?;
            match parse_unit(unit) {
                Some(unit) => Some(Delay { amount, unit }),
                None => {
                    e.add(field, "Choisissez l'unité du délai : jours, semaines ou mois.");
                    None
                }
            }
        };
        let access_delays = AccessDelays {
            markdown: text_opt(&self.access_delays),
            intra: delay("delay_intra", &self.delay_intra, &self.delay_intra_unit),
            inter: delay("delay_inter", &self.delay_inter, &self.delay_inter_unit),
        };

        let (content, content_indices) = sections(&self.content, "content", &mut e);
        let (certificates, _) = sections(&self.certificates, "certificate", &mut e);
        let (other_sections, _) = sections(&self.other_sections, "other", &mut e);

        let program = Program {
            slug: base.slug.clone(),
            title: self.title.trim().to_owned(),
            kind,
            tag: text_opt(&self.tag),
            audience: text_opt(&self.audience),
            practical,
            category: text_opt(&self.category),
            prices,
            animation: text_opt(&self.animation),
            trainers,
            headcount,
            satisfaction,
            updated_on: base.updated_on,
            prerequisites,
            objectives: line_list(&self.objectives),
            duration,
            content,
            methods: text_opt(&self.methods),
            evaluation: EvaluationModalities {
                markdown: text_opt(&self.evaluation),
                upstream: text_opt(&self.evaluation_upstream),
                ongoing: text_opt(&self.evaluation_ongoing),
                hot: text_opt(&self.evaluation_hot),
                cold: text_opt(&self.evaluation_cold),
                certificates,
            },
            accessibility: text_opt(&self.accessibility),
            access_delays,
            contacts: Contacts {
                markdown: text_opt(&self.contacts),
                phones: line_list(&self.contact_phones),
                emails: line_list(&self.contact_emails),
            },
            other_sections,
            empty_sections: base.empty_sections.clone(),
        };

        // A field whose text could not be read already has its message; the rule about the
        // value read in its place would only confuse.
        let unreadable: Vec<String> = e.iter().map(|err| err.field.clone()).collect();
        let lists: [(&str, &[usize]); 4] = [
            ("headcount_day_", &headcount_indices),
            ("day_", &day_indices),
            ("trainer_", &trainer_indices),
            ("content_", &content_indices),
        ];
        for err in validate(&program).iter() {
            let field = form_field(&err.field, &lists);
            if !unreadable.contains(&field) {
                e.add(field, err.message.clone());
            }
        }
        if e.is_empty() { Ok(program) } else { Err(e) }
    }
}


#[cfg(test)]
mod tests {
    use crate::testing::{Tag, submit, tags};
    use super::*;
    use askama::Template;

    const SEED: &str = include_str!("../../../../fixtures/seed/caf03-ctg-acculturation.txt");

    /// The partial alone, as the editor page includes it.
    #[derive(Template)]
    #[template(path = "gestion/editor_fields.html")]
    struct FieldsOnly {
        form: EditorForm,
        errors: FieldErrors,
        categories: Vec<String>,
    }

    fn seed() -> Program {
        forma_domain::parse_catalogue_page(SEED).expect("seed parses")
    }

    fn demos() -> Vec<(String, Program)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../forma/demo/catalogue");
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .expect("demo catalogue")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "txt"))
            .collect();
        paths.sort();
        assert!(!paths.is_empty(), "no demo page in {}", dir.display());
        paths
            .into_iter()
            .map(|p| {
                let text = std::fs::read_to_string(&p).expect("demo page");
                let program = forma_domain::parse_catalogue_page(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
                (p.display().to_string(), program)
            })
            .collect()
    }

    fn body(pairs: &[(&str, &str)]) -> Vec<u8> {
        form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish().into_bytes()
    }

    fn render(form: EditorForm, errors: FieldErrors) -> String {
        FieldsOnly { form, errors, categories: vec!["Chantiers locaux".into(), "Accueil".into()] }.render().expect("renders")
    }

    fn controls(html: &str) -> Vec<Tag> {
        tags(html).into_iter().filter(|t| matches!(t.name.as_str(), "input" | "select" | "textarea")).collect()
    }

    // --- Round trips ---

    #[test]
    fn the_seed_round_trips() {
        let p = seed();
        assert_eq!(EditorForm::from_program(&p).to_program(&p), Ok(p.clone()));
        assert_eq!(EditorForm::from_program(&p).with_blank_rows().to_program(&p), Ok(p));
    }

    /// Values survive the form both ways, for every demo sheet (validation apart: see
    /// `demo_sheets_save_unchanged`).
    #[test]
    fn demo_sheets_round_trip_through_the_rendered_form() {
        for (path, p) in demos().into_iter().chain([("seed".to_owned(), seed())]) {
            let form = EditorForm::from_program(&p);
            let html = render(form.clone().with_blank_rows(), FieldErrors::default());
            let posted = EditorForm::from_data(&FormData::parse(&submit(&html)));
            assert_eq!(posted, form, "{path}");
        }
        let p = seed();
        let html = render(EditorForm::from_program(&p).with_blank_rows(), FieldErrors::default());
        assert_eq!(EditorForm::from_data(&FormData::parse(&submit(&html))).to_program(&p), Ok(p));
    }

    /// Saving an imported sheet without touching it gives it back unchanged. The one refusal
    /// tolerated here is a conflict inside the domain, not the form's: `program_validation`
    /// wants a heading on every content part, while the importer gives the text before a page's
    /// first heading an empty one (every demo page has such a part 1). Once the two agree,
    /// every page goes through the first arm and this test is the plain round trip.
    #[test]
    fn demo_sheets_save_unchanged() {
        for (path, p) in demos() {
            match EditorForm::from_program(&p).to_program(&p) {
                Ok(saved) => assert_eq!(saved, p, "{path}"),
                Err(errors) => {
                    for err in errors.iter() {
                        let untitled_part = err
                            .field
                            .strip_prefix("content_")
                            .and_then(|i| i.parse::<usize>().ok())
                            .is_some_and(|i| p.content[i].heading.trim().is_empty());
                        assert!(untitled_part, "{path}: {err:?}");
                    }
                }
            }
        }
    }

    // --- Reading the posted form ---

    #[test]
    fn french_amounts() {
        for text in ["1 350,00", "1\u{202f}350,00", "1\u{a0}350,00", "1350", "1350,0", "1 350 €", "1.350,00", "1350.00", "1.350", " 1350 "] {
            assert_eq!(parse_amount(text), Some(135_000), "{text:?}");
        }
        assert_eq!(parse_amount("1350.5"), Some(135_050));
        assert_eq!(parse_amount("390,5"), Some(39_050));
        assert_eq!(parse_amount("-12"), Some(-1_200));
        assert_eq!(parse_amount("1.350.000"), Some(135_000_000));
        assert_eq!(parse_amount("1,350.50"), Some(135_050));
        assert_eq!(parse_amount("1.35"), Some(135));
        for bad in ["", "abc", "12,345", "1,2,3", "1350,555", "12 €€", "€", "1,5.3", "1.35.0", "13.50,00"] {
            assert_eq!(parse_amount(bad), None, "{bad:?}");
        }
        assert_eq!(format_amount(135_000), "1 350,00");
        assert_eq!(format_amount(-1_205), "-12,05");
    }

    #[test]
    fn prices_are_read_in_cents_with_their_vat() {
        let base = seed();
        for amount in ["1 350,00", "1\u{202f}350,00", "1\u{a0}350,00"] {
            let mut form = EditorForm::from_program(&base);
            form.price_group = amount.into();
            form.price_group_vat = "exempt".into();
            let p = form.to_program(&base).expect("valid");
            assert_eq!(p.prices.per_group_day, Some(Price { cents: 135_000, vat: VatTreatment::Exempt }), "{amount:?}");
        }
    }

    #[test]
    fn durations_times_and_rates() {
        assert_eq!(parse_hours("42"), Some(Minutes(2520)));
        assert_eq!(parse_hours("42 h 30"), Some(Minutes(2550)));
        assert_eq!(parse_hours("42h30"), Some(Minutes(2550)));
        assert_eq!(parse_hours("42,5"), Some(Minutes(2550)));
        assert_eq!(parse_hours("42 h"), Some(Minutes(2520)));
        assert_eq!(parse_hours("42 heures"), Some(Minutes(2520)));
        assert_eq!(parse_hours("42,33"), None);
        assert_eq!(parse_hours("3 h 75"), None);
        assert_eq!(format_hours(Minutes(2550)), "42 h 30");
        assert_eq!(parse_time("09:00"), NaiveTime::from_hms_opt(9, 0, 0));
        assert_eq!(parse_time("9h30"), NaiveTime::from_hms_opt(9, 30, 0));
        assert_eq!(parse_time("25:00"), None);
        assert_eq!(parse_percent("94,5"), Some(945));
        assert_eq!(parse_percent("94.5 %"), Some(945));
        assert_eq!(parse_percent("94,55"), None);
        assert_eq!(format_percent(945), "94,5");
        assert_eq!(format_percent(940), "94");
        assert_eq!(parse_date("22/03/2019"), NaiveDate::from_ymd_opt(2019, 3, 22));
        assert_eq!(parse_date("2019-03-22"), NaiveDate::from_ymd_opt(2019, 3, 22));
    }

    #[test]
    fn repeated_names_are_rows_and_blank_rows_are_dropped() {
        let data = FormData::parse(&body(&[
            ("trainer_name", "Thierry CHEINE"),
            ("trainer_provider", "ACCOLADES"),
            ("trainer_name", " "),
            ("trainer_provider", ""),
            ("trainer_name", ""),
            ("trainer_provider", "COOP"),
            ("objectives", "Comprendre\r\n\r\nAgir\r\n"),
        ]));
        assert_eq!(data.all("trainer_name"), vec!["Thierry CHEINE", " ", ""]);
        assert_eq!(data.get("absent"), "");
        let form = EditorForm::from_data(&data);
        assert_eq!(form.objectives, "Comprendre\n\nAgir\n");
        assert_eq!(form.trainers.len(), 2, "the blank row is dropped");
        let errors = form.to_program(&seed()).unwrap_err();
        // The provider-only row is the form's second row now: the message lands there.
        assert_eq!(errors.get("trainer_1"), Some("Indiquez le nom du formateur."));
        assert!(errors.get("trainer_0").is_none());
    }

    #[test]
    fn validation_indices_follow_the_form_rows() {
        let base = seed();
        let mut form = EditorForm::from_program(&base);
        form.content.insert(0, SectionRow::default());
        // Program part 1 (a later part: only the introduction may go without a heading) is form row 2.
        form.content[2].heading = String::new();
        let errors = form.to_program(&base).unwrap_err();
        assert!(errors.get("content_2").is_some(), "{errors:?}");
        assert!(errors.get("content_1").is_none() && errors.get("content_0").is_none(), "{errors:?}");
    }

    #[test]
    fn unreadable_values_are_reported_by_field_and_kept() {
        let base = seed();
        let mut form = EditorForm::from_program(&base);
        form.price_group = "mille deux".into();
        form.duration_hours = "beaucoup".into();
        form.daily_start = "9 heures et quart".into();
        form.days[0].date = "32/13/2019".into();
        form.headcount_days[0].max = String::new();
        form.satisfaction = "94,5".into();
        form.delay_intra_unit = "siècles".into();
        let errors = form.to_program(&base).unwrap_err();
        assert_eq!(errors.get("price_group"), Some(AMOUNT_MESSAGE));
        assert_eq!(AMOUNT_MESSAGE, "Montant illisible : écrivez par exemple 1 350,00");
        for field in ["duration_hours", "daily_start", "day_0", "headcount_day_0", "satisfaction", "delay_intra"] {
            assert!(errors.get(field).is_some(), "{field}: {errors:?}");
        }
        // Exactly one message per unreadable field: the rules do not pile up on the value read
        // in its place.
        assert_eq!(errors.iter().filter(|e| e.field == "headcount_day_0").count(), 1);
        assert_eq!(form.price_group, "mille deux");
    }

    #[test]
    fn headcount_min_above_max_is_on_max() {
        let base = seed();
        let mut form = EditorForm::from_program(&base);
        form.headcount_min = "20".into();
        form.headcount_max = "10".into();
        let errors = form.to_program(&base).unwrap_err();
        assert!(errors.get("headcount_max").is_some(), "{errors:?}");
        assert!(errors.get("headcount_min").is_none());
    }

    #[test]
    fn prerequisites_states() {
        let base = seed();
        let mut form = EditorForm::from_program(&base);
        form.prerequisites_state = "none".into();
        assert_eq!(form.to_program(&base).expect("valid").prerequisites, Prerequisites::NoneRequired);
        form.prerequisites_state = "required".into();
        form.prerequisites = "Savoir lire\n\n  Connaître la CAF  \n".into();
        assert_eq!(
            form.to_program(&base).expect("valid").prerequisites,
            Prerequisites::Required(vec!["Savoir lire".into(), "Connaître la CAF".into()])
        );
        form.prerequisites = String::new();
        assert!(form.to_program(&base).unwrap_err().get("prerequisites").is_some());
        form.prerequisites_state = "none".into();
        form.prerequisites = "Savoir lire".into();
        assert!(form.to_program(&base).unwrap_err().get("prerequisites").is_some(), "contradiction");
        form.prerequisites_state = "unspecified".into();
        form.prerequisites = String::new();
        assert_eq!(form.to_program(&base).expect("valid").prerequisites, Prerequisites::Unspecified);
    }

    #[test]
    fn slug_maj_and_empty_sections_come_from_the_base() {
        let base = seed();
        let mut other = base.clone();
        other.slug = forma_domain::Slug::parse("autre-fiche").unwrap();
        other.updated_on = NaiveDate::from_ymd_opt(2020, 1, 1);
        other.empty_sections = vec!["Tarifs".into()];
        let p = EditorForm::from_program(&base).to_program(&other).expect("valid");
        assert_eq!((p.slug, p.updated_on, p.empty_sections), (other.slug, other.updated_on, other.empty_sections));
    }

    #[test]
    fn unknown_category_is_kept_as_an_option() {
        let form = EditorForm { category: "Ancienne".into(), ..EditorForm::default() };
        let options = form.category_options(&["Accueil".to_owned()]);
        assert_eq!(options, vec![("Accueil".to_owned(), false), ("Ancienne".to_owned(), true)]);
    }

    // --- The template ---

    #[test]
    fn a_refused_form_comes_back_as_typed_with_its_message() {
        let base = seed();
        let html_form = render(EditorForm::from_program(&base).with_blank_rows(), FieldErrors::default());
        // The user types an unreadable amount in the page as rendered and posts it.
        let mut posted = String::from_utf8(submit(&html_form)).unwrap();
        posted = posted.replacen("price_group=&", "price_group=12%2C3%2C4+%3Cb%3E&", 1);
        let form = EditorForm::from_data(&FormData::parse(posted.as_bytes()));
        assert_eq!(form.price_group, "12,3,4 <b>");
        let errors = form.to_program(&base).unwrap_err();
        let html = render(form.with_blank_rows(), errors);

        let price = controls(&html).into_iter().find(|t| t.attr("id") == Some("price_group")).expect("price input");
        assert_eq!(price.attr("name"), Some("price_group"));
        assert_eq!(price.attr("value"), Some("12,3,4 <b>"));
        assert_eq!(price.attr("aria-invalid"), Some("true"));
        let described: Vec<&str> = price.attr("aria-describedby").unwrap().split(' ').collect();
        assert_eq!(described[0], "err-price_group");
        assert!(html.contains("value=\"12,3,4 &#60;b&#62;\""), "escaped, never raw");
        assert!(html.contains("<p class=\"field-error\" id=\"err-price_group\">Montant illisible : écrivez par exemple 1 350,00</p>"));
        // The message follows the label.
        let label = html.find("<label for=\"price_group\">").unwrap();
        let message = html.find("id=\"err-price_group\"").unwrap();
        let input = html.find("id=\"price_group\"").unwrap();
        assert!(label < message && message < input);
        check_markup(&html);
    }

    #[test]
    fn row_and_section_errors_are_placed_on_their_row() {
        let base = seed();
        let mut errors = FieldErrors::default();
        errors.add("day_0", "Ligne 1 : date illisible");
        errors.add("content_2", "Chaque partie du contenu a un intitulé.");
        errors.add("missing_prices", "Tarifs : à renseigner avant publication (indicateur 1 Qualiopi).");
        let html = render(EditorForm::from_program(&base).with_blank_rows(), errors);
        for id in ["day_0", "day_0_day", "day_0_date", "day_0_label", "content_2", "content_2_role", "content_2_markdown"] {
            let control = controls(&html).into_iter().find(|t| t.attr("id") == Some(id)).unwrap_or_else(|| panic!("{id}"));
            assert_eq!(control.attr("aria-invalid"), Some("true"), "{id}");
        }
        assert!(html.contains("id=\"err-day_0\">Ligne 1 : date illisible</p>"));
        assert!(html.contains("id=\"missing_prices\">Tarifs"));
        check_markup(&html);
    }

    #[test]
    fn every_field_has_a_label_and_every_name_is_read() {
        let html = render(EditorForm::from_program(&seed()).with_blank_rows(), FieldErrors::default());
        check_markup(&html);
        let names: Vec<String> = controls(&html).iter().filter_map(|t| t.attr("name").map(str::to_owned)).collect();
        for name in FIELD_NAMES {
            assert!(names.iter().any(|n| n == name), "{name} is read but not in the form");
        }
        for name in &names {
            assert!(FIELD_NAMES.contains(&name.as_str()), "{name} is posted but never read");
        }
        // A new, empty sheet renders too.
        check_markup(&render(EditorForm::default().with_blank_rows(), FieldErrors::default()));
    }

    /// Labels, ids and descriptions that screen readers rely on; no inline style or script.
    fn check_markup(html: &str) {
        let all = tags(html);
        let mut ids: Vec<&str> = all.iter().filter_map(|t| t.attr("id")).collect();
        let count = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), count, "duplicate ids");
        let labels: Vec<&str> = all.iter().filter(|t| t.name == "label").map(|t| t.attr("for").expect("label for")).collect();
        let controls: Vec<&Tag> = all.iter().filter(|t| matches!(t.name.as_str(), "input" | "select" | "textarea")).collect();
        assert!(controls.len() > 60);
        for c in &controls {
            let id = c.attr("id").unwrap_or_else(|| panic!("<{}> without id: {:?}", c.name, c.attr("name")));
            assert!(labels.contains(&id), "no <label for=\"{id}\">");
        }
        for label in &labels {
            assert!(controls.iter().any(|c| c.attr("id") == Some(label)), "label for unknown id {label}");
        }
        for t in &all {
            if let Some(described) = t.attr("aria-describedby") {
                for id in described.split(' ') {
                    assert!(ids.binary_search(&id).is_ok(), "aria-describedby names unknown id {id:?}");
                }
            }
            assert!(t.attr("style").is_none() && t.name != "script", "inline style or script in <{}>", t.name);
            assert!(t.attrs.iter().all(|(a, _)| !a.starts_with("on")), "inline handler in <{}>", t.name);
        }
        let tables = all.iter().filter(|t| t.name == "table").count();
        assert_eq!(html.matches("<caption>").count(), tables, "each table has a caption");
        assert_eq!(html.matches("<th ").count(), html.matches("<th scope=\"col\">").count());
        assert_eq!(html.matches("<fieldset").count(), html.matches("<legend>").count());
    }
}

#[cfg(test)]
mod properties {
    use forma_domain::duration::Minutes;
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// What the form shows is read back to the same value.
        #[test]
        fn amounts_round_trip(cents in 0i64..100_000_000_000) {
            prop_assert_eq!(parse_amount(&format_amount(cents)), Some(cents));
        }

        #[test]
        fn hours_round_trip(minutes in 1u32..(365 * 24 * 60)) {
            prop_assert_eq!(parse_hours(&format_hours(Minutes(minutes))), Some(Minutes(minutes)));
        }

        #[test]
        fn percents_round_trip(per_mille in 0u32..=1000) {
            prop_assert_eq!(parse_percent(&format_percent(per_mille)), Some(per_mille));
        }

        /// Whatever a client posts, reading the form answers (a sheet or field errors), never panics.
        #[test]
        fn any_post_is_answered(pairs in proptest::collection::vec((prop::sample::select(FIELD_NAMES.to_vec()), ".{0,40}"), 0..40)) {
            let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(&pairs).finish();
            let base = forma_domain::Program::new(forma_domain::Slug::parse("essai").unwrap(), "Essai".into(), forma_domain::ProgramKind::Inter);
            let form = EditorForm::from_data(&FormData::parse(body.as_bytes()));
            let _ = form.to_program(&base);
        }

        #[test]
        fn any_bytes_parse(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = FormData::parse(&bytes);
        }
    }
}
