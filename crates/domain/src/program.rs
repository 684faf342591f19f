//! The program sheet (« fiche programme »): every field of a catalogue page, typed.
//!
//! A sheet is stored whole as a document (JSON) per version; the columns that lists need are
//! derived from it by the store. Free text keeps its Markdown so that headings, lists and emphasis
//! survive from import to publication.

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::duration::Minutes;
use crate::money::Price;
use crate::slug::Slug;

/// INTRA: run for one client's agents; INTER: open to trainees of several employers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum ProgramKind {
    Intra,
    Inter,
}

impl ProgramKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProgramKind::Intra => "INTRA",
            ProgramKind::Inter => "INTER",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_uppercase().as_str() {
            "INTRA" => Some(ProgramKind::Intra),
            "INTER" => Some(ProgramKind::Inter),
            _ => None,
        }
    }
}

/// What a content section is about, when it holds an indicator-1 item. The section keeps its
/// place in the page; the typed field beside it (objectives, prerequisites) is what rules read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SectionRole {
    Objectives,
    Prerequisites,
    Audience,
    Methods,
    Trainer,
}

/// A section of free text, kept as Markdown (headings, lists, emphasis).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TextSection {
    /// The heading as written on the page (« Journée 1 – le 22 mars 2019 »).
    pub heading: String,
    pub markdown: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<SectionRole>,
}

impl TextSection {
    pub fn new(heading: impl Into<String>, markdown: impl Into<String>) -> Self {
        TextSection { heading: heading.into(), markdown: markdown.into(), role: None }
    }
}

/// Prerequisites: Qualiopi indicator 1 requires that their absence be stated explicitly, so
/// "not written" and « Aucun prérequis » are different states.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
#[serde(tag = "state", content = "items", rename_all = "snake_case", from = "PrerequisitesWire")]
pub enum Prerequisites {
    #[default]
    Unspecified,
    /// « Aucun prérequis ».
    NoneRequired,
    Required(Vec<String>),
}

/// How prerequisites arrive from outside (API writes): `items` is read only for the `required`
/// state, so a client that always sends the list is not refused for it.
#[derive(Deserialize)]
struct PrerequisitesWire {
    state: PrerequisitesState,
    #[serde(default)]
    items: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum PrerequisitesState {
    Unspecified,
    NoneRequired,
    Required,
}

impl From<PrerequisitesWire> for Prerequisites {
    fn from(wire: PrerequisitesWire) -> Self {
        match wire.state {
            PrerequisitesState::Unspecified => Prerequisites::Unspecified,
            PrerequisitesState::NoneRequired => Prerequisites::NoneRequired,
            PrerequisitesState::Required => Prerequisites::Required(wire.items.unwrap_or_default()),
        }
    }
}

/// A module or day announced on the sheet (« Module 1 : Journée 1 – Le 22 mars 2019 - Acculturation CTG »).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ScheduledDay {
    pub module: Option<u32>,
    pub day: Option<u32>,
    #[schema(value_type = Option<String>, format = Date, pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub date: Option<NaiveDate>,
    pub label: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
pub struct PracticalModalities {
    /// The « Modalités pratiques » text, including how to access the training (calendar, places).
    pub markdown: Option<String>,
    pub days: Vec<ScheduledDay>,
    /// Local time, `HH:MM:SS`.
    #[schema(value_type = Option<String>, pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$", example = "09:00:00")]
    pub daily_start: Option<NaiveTime>,
    #[schema(value_type = Option<String>, pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$", example = "17:00:00")]
    pub daily_end: Option<NaiveTime>,
    pub hours_per_day: Option<u32>,
    pub places: Vec<String>,
}

/// Announced duration. Stored as counts; « 6 jours » and « 42 heures » are computed at display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
pub struct ProgramDuration {
    pub days: Option<u32>,
    pub minutes: Option<Minutes>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
pub struct Prices {
    /// « Tarifs »: the price of a group for one day (INTRA).
    pub per_group_day: Option<Price>,
    /// « Tarif / Coût stagiaire ».
    pub per_trainee: Option<Price>,
    /// Pricing conditions written in words (« nous consulter », « selon devis »).
    pub conditions: Option<String>,
}

impl Prices {
    pub fn is_empty(&self) -> bool {
        self.per_group_day.is_none() && self.per_trainee.is_none() && self.conditions.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TrainerRef {
    /// Given name then family name (« Thierry CHEINE »).
    pub name: String,
    /// The provider that supplies the trainer (« ACCOLADES »), absent for in-house trainers.
    pub provider: Option<String>,
}

/// A head-count range, for the whole action or for some of its days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HeadcountRange {
    pub min: u32,
    pub max: u32,
    /// First and last day (1-based) this range applies to; absent when it applies to every day.
    pub first_day: Option<u32>,
    pub last_day: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
pub struct Headcount {
    pub min: Option<u32>,
    pub max: Option<u32>,
    pub per_day: Vec<HeadcountRange>,
}

impl Headcount {
    pub fn is_empty(&self) -> bool {
        self.min.is_none() && self.max.is_none() && self.per_day.is_empty()
    }
}

/// A satisfaction rate is never a bare number: it carries its respondents and its period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SatisfactionRate {
    /// Per mille, so that 94,5 % stays exact.
    pub per_mille: u32,
    pub respondents: u32,
    /// The period as written (« 2025 », « 12 derniers mois »).
    pub period: String,
}

impl SatisfactionRate {
    /// The value as French write it: « 94,5 % », « 75 % ».
    pub fn percent(&self) -> String {
        if self.per_mille.is_multiple_of(10) { format!("{} %", self.per_mille / 10) } else { format!("{},{} %", self.per_mille / 10, self.per_mille % 10) }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
pub struct EvaluationModalities {
    /// General text (« Modalités d'évaluation et sanction de la formation »).
    pub markdown: Option<String>,
    /// Évaluation en amont (positioning).
    pub upstream: Option<String>,
    /// Évaluation au cours de la formation.
    pub ongoing: Option<String>,
    /// Évaluation à chaud.
    pub hot: Option<String>,
    /// Évaluation à froid.
    pub cold: Option<String>,
    /// Attestations delivered (« Attestation de suivi : Feuille de présence »).
    pub certificates: Vec<TextSection>,
}

impl EvaluationModalities {
    pub fn is_empty(&self) -> bool {
        self.markdown.is_none()
            && self.upstream.is_none()
            && self.ongoing.is_none()
            && self.hot.is_none()
            && self.cold.is_none()
            && self.certificates.is_empty()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DelayUnit {
    Days,
    Weeks,
    Months,
}

/// A promised delay between a request and the answer or start (« 15 jours », « 1 mois »).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Delay {
    pub amount: u32,
    pub unit: DelayUnit,
}

impl Delay {
    pub fn label(&self) -> String {
        let unit = match (self.unit, self.amount) {
            (DelayUnit::Days, 1) => "jour",
            (DelayUnit::Days, _) => "jours",
            (DelayUnit::Weeks, 1) => "semaine",
            (DelayUnit::Weeks, _) => "semaines",
            (DelayUnit::Months, _) => "mois",
        };
        format!("{} {unit}", self.amount)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
pub struct AccessDelays {
    pub markdown: Option<String>,
    pub intra: Option<Delay>,
    pub inter: Option<Delay>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
pub struct Contacts {
    pub markdown: Option<String>,
    pub phones: Vec<String>,
    pub emails: Vec<String>,
}

impl Contacts {
    pub fn is_empty(&self) -> bool {
        self.markdown.is_none() && self.phones.is_empty() && self.emails.is_empty()
    }
}

/// The whole program sheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Program {
    /// The sheet's address (`/formations/{slug}`): lowercase letters, digits, single dashes.
    #[schema(value_type = String, pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$", min_length = 1, max_length = 100)]
    pub slug: Slug,
    pub title: String,
    pub kind: ProgramKind,
    /// The short label next to the kind (« CL » in « Intra CL »).
    pub tag: Option<String>,
    /// « Public » (sidebar): the audience in one line.
    pub audience: Option<String>,
    pub practical: PracticalModalities,
    pub category: Option<String>,
    pub prices: Prices,
    pub animation: Option<String>,
    pub trainers: Vec<TrainerRef>,
    pub headcount: Headcount,
    pub satisfaction: Option<SatisfactionRate>,
    /// « MAJ »: the date the sheet was last updated (set at publication; ignored in writes).
    #[schema(value_type = Option<String>, format = Date, pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub updated_on: Option<NaiveDate>,
    pub prerequisites: Prerequisites,
    pub objectives: Vec<String>,
    pub duration: ProgramDuration,
    /// « Contenu », subsection by subsection, in page order (objectives, audience and methods
    /// sections included, tagged with their role).
    pub content: Vec<TextSection>,
    /// « Méthodes mobilisées » written outside the content (the content's « Méthodes
    /// pédagogiques » section is tagged instead).
    pub methods: Option<String>,
    pub evaluation: EvaluationModalities,
    pub accessibility: Option<String>,
    pub access_delays: AccessDelays,
    pub contacts: Contacts,
    /// Sections whose heading the importer did not know: kept, never dropped.
    pub other_sections: Vec<TextSection>,
    /// Known sections that were present but empty on the source page.
    pub empty_sections: Vec<String>,
}

impl Program {
    pub fn section_with_role(&self, role: SectionRole) -> Option<&TextSection> {
        self.content.iter().find(|s| s.role == Some(role))
    }

    /// Whether the sheet says how it teaches, in either place.
    pub fn has_methods(&self) -> bool {
        self.methods.is_some() || self.section_with_role(SectionRole::Methods).is_some()
    }

    /// Total announced hours, for display (« 42 h »).
    pub fn total_hours(&self) -> Option<u32> {
        self.duration.minutes.map(|m| m.whole_hours())
    }
}

impl Program {
    /// A new sheet: a title, its address and its kind; everything else to be written.
    pub fn new(slug: Slug, title: String, kind: ProgramKind) -> Program {
        Program {
            slug,
            title,
            kind,
            tag: None,
            audience: None,
            practical: PracticalModalities::default(),
            category: None,
            prices: Prices::default(),
            animation: None,
            trainers: Vec::new(),
            headcount: Headcount::default(),
            satisfaction: None,
            updated_on: None,
            prerequisites: Prerequisites::Unspecified,
            objectives: Vec::new(),
            duration: ProgramDuration::default(),
            content: Vec::new(),
            methods: None,
            evaluation: EvaluationModalities::default(),
            accessibility: None,
            access_delays: AccessDelays::default(),
            contacts: Contacts::default(),
            other_sections: Vec::new(),
            empty_sections: Vec::new(),
        }
    }
}
