//! Reading a catalogue page (the format of the seed: Markdown-like text with `##`/`###`/`####`
//! headings, bold, lists and links, as scraped from the training body's website) into a
//! [`Program`].
//!
//! The page is first cut into blocks (headings, rules, paragraphs) with their line numbers, then
//! each block is routed to a field by its heading. Values the prose states (« 6 jours »,
//! « 9h à 17h », « entre 15 et 20 personnes »…) are extracted by [`extract`]. Nothing is dropped:
//! a heading the importer does not know becomes an `other_sections` entry.

mod blocks;
mod extract;
mod headings;

use std::fmt;

use crate::program::{
    EvaluationModalities, Prerequisites, Program, ProgramDuration, ProgramKind, SectionRole,
    TextSection,
};
use crate::slug::Slug;

use blocks::{Block, Paragraph};
use headings::{SectionKind, recognise};

/// Why a page was refused, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// 1-based line number in the source file.
    pub line: usize,
    pub reason: String,
}

impl ImportError {
    fn at(line: usize, reason: impl Into<String>) -> Self {
        ImportError { line, reason: reason.into() }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ligne {} : {}", self.line, self.reason)
    }
}

impl std::error::Error for ImportError {}

/// Checks that raw bytes are a text page (UTF-8, no binary content) before parsing.
pub fn decode_page(bytes: &[u8]) -> Result<&str, ImportError> {
    let line_of = |offset: usize| bytes[..offset].iter().filter(|&&b| b == b'\n').count() + 1;
    if let Some(pos) = bytes.iter().position(|&b| b == 0) {
        return Err(ImportError::at(line_of(pos), "contenu binaire (octet nul) : ce n'est pas une page de catalogue en texte"));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        ImportError::at(line_of(e.valid_up_to()), "encodage illisible : le fichier doit être un texte UTF-8")
    })?;
    if let Some(pos) = text.find(|c: char| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}')) {
        return Err(ImportError::at(line_of(pos), "contenu binaire (caractère de contrôle) : ce n'est pas une page de catalogue en texte"));
    }
    if text.trim().is_empty() {
        return Err(ImportError::at(1, "le fichier est vide"));
    }
    Ok(text)
}

/// Where the walker is on the page: the sidebar/summary headings come before the title, the
/// content after `### Contenu`, and the trailer (accessibility, delays, contacts) after rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Zone {
    Top,
    Content,
    Trailer,
}

/// The section being filled, with the heading that opened it.
struct Open {
    kind: SectionKind,
    heading: String,
    line: usize,
    paragraphs: Vec<Paragraph>,
}

/// Parses one catalogue page.
pub fn parse_catalogue_page(text: &str) -> Result<Program, ImportError> {
    let blocks = blocks::split(text);
    let mut page = PageBuilder::default();
    let mut zone = Zone::Top;
    let mut open: Option<Open> = None;

    for block in blocks {
        match block {
            Block::Heading { level, text, line } => {
                if let Some(section) = open.take() {
                    page.close(section)?;
                }
                let known = recognise(&text, level);
                if level <= 2 && known.is_none() && page.title.is_none() {
                    let title = blocks::plain_text(&text);
                    if title.is_empty() {
                        return Err(ImportError::at(line, "le titre de la formation est vide"));
                    }
                    page.title = Some((title, line));
                    zone = Zone::Content;
                    continue;
                }
                let kind = known.unwrap_or(if level >= 4 { SectionKind::Content } else { SectionKind::Unknown });
                if kind == SectionKind::ContentStart {
                    zone = Zone::Content;
                }
                open = Some(Open { kind, heading: blocks::plain_text(&text), line, paragraphs: Vec::new() });
            }
            Block::Rule { .. } => {
                if let Some(section) = open.take() {
                    page.close(section)?;
                }
                if page.title.is_some() {
                    zone = Zone::Trailer;
                }
            }
            Block::Paragraph(paragraph) => {
                if let Some((kind, tag)) = blocks::kind_marker(&paragraph) {
                    page.kind.get_or_insert((kind, tag, paragraph.line));
                    continue;
                }
                if page.title.is_some() && page.updated_line.is_none() && paragraph.text.trim_start().starts_with("MAJ") {
                    page.set_updated_on(&paragraph)?;
                    continue;
                }
                if let Some(label) = blocks::pseudo_heading(&paragraph) {
                    let known = recognise(&label, 4)
                        .or_else(|| blocks::is_known_label(&label).then_some(SectionKind::Content));
                    if let Some(kind) = known {
                        if let Some(section) = open.take() {
                            page.close(section)?;
                        }
                        open = Some(Open { kind, heading: label, line: paragraph.line, paragraphs: Vec::new() });
                        continue;
                    }
                }
                match open.as_mut() {
                    Some(section) => section.paragraphs.push(paragraph),
                    None if zone == Zone::Trailer => {
                        open = Some(Open {
                            kind: SectionKind::Trailer,
                            heading: String::new(),
                            line: paragraph.line,
                            paragraphs: vec![paragraph],
                        });
                    }
                    None if page.title.is_some() => {
                        open = Some(Open {
                            kind: SectionKind::Content,
                            heading: String::new(),
                            line: paragraph.line,
                            paragraphs: vec![paragraph],
                        });
                    }
                    None => page.preamble.push(paragraph),
                }
            }
        }
    }
    if let Some(section) = open.take() {
        page.close(section)?;
    }
    page.finish()
}

/// Accumulates what the walker finds; [`PageBuilder::finish`] checks and assembles the sheet.
#[derive(Default)]
struct PageBuilder {
    kind: Option<(ProgramKind, Option<String>, usize)>,
    title: Option<(String, usize)>,
    updated_on: Option<chrono::NaiveDate>,
    updated_line: Option<usize>,
    preamble: Vec<Paragraph>,
    audience: Option<String>,
    practical: Option<String>,
    category: Option<String>,
    prices_group: Option<(String, usize)>,
    prices_trainee: Option<(String, usize)>,
    animation: Option<String>,
    trainers: Option<String>,
    headcount: Option<String>,
    satisfaction: Option<(String, usize)>,
    prerequisites: Prerequisites,
    objectives: Vec<String>,
    content: Vec<TextSection>,
    /// Content sections with the day number their heading names (« Journée 1 »).
    content_days: Vec<Option<u32>>,
    methods: Vec<String>,
    evaluation: EvaluationModalities,
    accessibility: Vec<String>,
    access_delays: Vec<String>,
    contacts: Vec<String>,
    other_sections: Vec<TextSection>,
    empty_sections: Vec<String>,
}

fn set_once(slot: &mut Option<String>, value: String) {
    if slot.is_none() {
        *slot = Some(value);
    }
}

impl PageBuilder {
    fn set_updated_on(&mut self, paragraph: &Paragraph) -> Result<(), ImportError> {
        match crate::french_date::find_date(&paragraph.text, None) {
            Some(date) => {
                self.updated_on = Some(date);
                self.updated_line = Some(paragraph.line);
                Ok(())
            }
            None => Err(ImportError::at(
                paragraph.line,
                format!("date de mise à jour illisible « {} » (attendu par exemple « MAJ : Mercredi 20 mai 2026 »)", paragraph.text.trim()),
            )),
        }
    }

    fn close(&mut self, section: Open) -> Result<(), ImportError> {
        let markdown = blocks::to_markdown(&section.paragraphs);
        if markdown.is_empty() && section.kind == SectionKind::Content && !section.heading.is_empty() {
            // A content heading whose text follows under a label line (« ANNEXE 1 … » then
            // « Programme »): the heading is part of the page's structure.
            self.content.push(TextSection::new(section.heading, String::new()));
            self.content_days.push(None);
            return Ok(());
        }
        if markdown.is_empty() {
            // A sidebar heading repeated at the end of the page with no body is the same empty
            // field; record it once.
            if !section.heading.is_empty()
                && section.kind != SectionKind::ContentStart
                && !self.empty_sections.contains(&section.heading)
                && !self.has_value(section.kind)
            {
                self.empty_sections.push(section.heading);
            }
            return Ok(());
        }
        let one_line = blocks::one_line(&section.paragraphs);
        match section.kind {
            SectionKind::Audience => set_once(&mut self.audience, one_line),
            SectionKind::Practical => set_once(&mut self.practical, markdown),
            SectionKind::Category => set_once(&mut self.category, one_line),
            SectionKind::PricesGroup => {
                self.prices_group.get_or_insert((one_line, section.line));
            }
            SectionKind::PricesTrainee => {
                self.prices_trainee.get_or_insert((one_line, section.line));
            }
            SectionKind::Animation => set_once(&mut self.animation, markdown),
            SectionKind::Trainers => set_once(&mut self.trainers, one_line),
            SectionKind::Headcount => set_once(&mut self.headcount, one_line),
            SectionKind::Satisfaction => {
                self.satisfaction.get_or_insert((one_line, section.line));
            }
            SectionKind::ContentStart => {
                // The text right under « Contenu », before its first subsection: the heading
                // is the content's own, not a subsection's.
                self.content.push(TextSection::new(String::new(), markdown));
                self.content_days.push(None);
            }
            SectionKind::Content => {
                let day = crate::patterns::day_heading()
                    .captures(&section.heading)
                    .and_then(|c| c[1].parse().ok());
                self.content.push(TextSection::new(section.heading, markdown));
                self.content_days.push(day);
            }
            SectionKind::Objectives => {
                self.objectives.extend(blocks::list_items(&section.paragraphs));
                if self.objectives.is_empty() {
                    self.objectives.push(one_line);
                }
                self.push_role(section.heading, markdown, SectionRole::Objectives);
            }
            SectionKind::Prerequisites => {
                self.prerequisites = extract::prerequisites(&section.paragraphs);
                self.push_role(section.heading, markdown, SectionRole::Prerequisites);
            }
            SectionKind::AudienceDetails => self.push_role(section.heading, markdown, SectionRole::Audience),
            SectionKind::Methods if section.heading.to_lowercase().contains("mobilis") => self.methods.push(markdown),
            SectionKind::Methods => self.push_role(section.heading, markdown, SectionRole::Methods),
            SectionKind::Trainer => self.push_role(section.heading, markdown, SectionRole::Trainer),
            SectionKind::Evaluation => extract::evaluation(&section.paragraphs, &mut self.evaluation),
            SectionKind::Accessibility => self.accessibility.push(markdown),
            SectionKind::AccessDelays => self.access_delays.push(markdown),
            SectionKind::Contacts => self.contacts.push(markdown),
            SectionKind::Trailer => {
                if extract::looks_like_contacts(&markdown) {
                    self.contacts.push(markdown);
                } else {
                    self.other_sections.push(TextSection::new(String::new(), markdown));
                }
            }
            SectionKind::Unknown => self.other_sections.push(TextSection::new(section.heading, markdown)),
        }
        Ok(())
    }

    fn push_role(&mut self, heading: String, markdown: String, role: SectionRole) {
        self.content.push(TextSection { heading, markdown, role: Some(role) });
        self.content_days.push(None);
    }

    fn has_value(&self, kind: SectionKind) -> bool {
        match kind {
            SectionKind::Audience => self.audience.is_some(),
            SectionKind::Practical => self.practical.is_some(),
            SectionKind::Category => self.category.is_some(),
            SectionKind::PricesGroup => self.prices_group.is_some(),
            SectionKind::PricesTrainee => self.prices_trainee.is_some(),
            SectionKind::Animation => self.animation.is_some(),
            SectionKind::Trainers => self.trainers.is_some(),
            SectionKind::Headcount => self.headcount.is_some(),
            SectionKind::Satisfaction => self.satisfaction.is_some(),
            _ => false,
        }
    }

    fn finish(self) -> Result<Program, ImportError> {
        let Some((title, title_line)) = self.title else {
            return Err(ImportError::at(
                1,
                "ce n'est pas une page de catalogue : aucun titre de formation (ligne commençant par « ## ») n'a été trouvé",
            ));
        };
        let Some((kind, tag, _)) = self.kind else {
            return Err(ImportError::at(
                1,
                "type de formation introuvable : la page doit indiquer « Intra » ou « Inter » sur une ligne seule avant le titre",
            ));
        };
        let slug = Slug::from_title(&title).ok_or_else(|| {
            ImportError::at(title_line, format!("le titre « {title} » ne contient ni lettre ni chiffre"))
        })?;

        let prices = extract::prices(self.prices_group.as_ref(), self.prices_trainee.as_ref())?;
        let satisfaction = match &self.satisfaction {
            Some((text, line)) => Some(extract::satisfaction(text, *line)?),
            None => None,
        };

        let content_text: Vec<(&str, Option<u32>)> = self
            .content
            .iter()
            .zip(&self.content_days)
            .map(|(s, day)| (s.markdown.as_str(), *day))
            .collect();
        let practical = extract::practical(self.practical.clone(), &self.content);
        let mut headcount = extract::headcount(self.headcount.as_deref(), &content_text);
        if headcount.min.is_none() {
            headcount.min = headcount.per_day.first().map(|r| r.min);
            headcount.max = headcount.per_day.first().map(|r| r.max);
        }
        let duration = extract::duration(self.practical.as_deref(), &self.content, practical.hours_per_day);

        let join = |parts: Vec<String>| if parts.is_empty() { None } else { Some(parts.join("\n\n")) };
        let contacts_md = join(self.contacts);
        let access_md = join(self.access_delays);

        Ok(Program {
            slug,
            title,
            kind,
            tag,
            audience: self.audience,
            practical,
            category: self.category,
            prices,
            animation: self.animation,
            trainers: self.trainers.as_deref().map(extract::trainers).unwrap_or_default(),
            headcount,
            satisfaction,
            updated_on: self.updated_on,
            prerequisites: self.prerequisites,
            objectives: self.objectives,
            duration: ProgramDuration { days: duration.0, minutes: duration.1 },
            content: self.content,
            methods: join(self.methods),
            evaluation: self.evaluation,
            accessibility: join(self.accessibility),
            access_delays: extract::access_delays(access_md),
            contacts: extract::contacts(contacts_md),
            other_sections: self
                .preamble
                .is_empty()
                .then(Vec::new)
                .unwrap_or_else(|| vec![TextSection::new(String::new(), blocks::to_markdown(&self.preamble))])
                .into_iter()
                .chain(self.other_sections)
                .collect(),
            empty_sections: self.empty_sections,
        })
    }
}

#[cfg(test)]
mod tests;
