//! A program sheet prepared for its page: every field in the seed page's order, Markdown
//! rendered (safely), values formatted in French, and empty fields left out rather than shown as
//! blank headings.

use forma_domain::Program;
use forma_domain::french_date::long_date;
use forma_domain::program::{HeadcountRange, Prerequisites, SectionRole};

use crate::markdown::to_html;

pub struct Item {
    pub heading: String,
    pub html: String,
}

pub struct Section {
    pub id: String,
    pub heading: String,
    pub html: String,
}

pub struct SheetView {
    pub slug: String,
    pub title: String,
    pub kind: &'static str,
    pub tag: Option<String>,
    pub category_link: Option<(String, String)>,
    /// ISO date and French label.
    pub updated_on: Option<(String, String)>,
    pub summary: Vec<Item>,
    pub prerequisites_html: Option<String>,
    pub objectives: Vec<String>,
    pub content: Vec<Section>,
    pub methods_html: Option<String>,
    /// The content section that describes the methods (anchor id and heading), pointed to from
    /// the « Méthodes mobilisées » heading that Qualiopi readers look for.
    pub methods_link: Option<(String, String)>,
    pub evaluation: Vec<Item>,
    pub accessibility_html: Option<String>,
    pub access_delays_html: Option<String>,
    pub access_delays_summary: String,
    pub has_contacts: bool,
    pub contacts_html: Option<String>,
    /// Display form and `tel:` link.
    pub phones: Vec<(String, String)>,
    pub emails: Vec<String>,
    pub other: Vec<Section>,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn paragraph(text: &str) -> String {
    format!("<p>{}</p>", escape(text))
}

fn item(heading: &str, html: String) -> Item {
    Item { heading: heading.to_owned(), html }
}

fn range_label(r: &HeadcountRange) -> String {
    let people = format!("entre {} et {} personnes", r.min, r.max);
    match (r.first_day, r.last_day) {
        (Some(a), Some(b)) if a != b => format!("Journées {a} à {b} : {people}"),
        (Some(a), _) => format!("Journée {a} : {people}"),
        _ => format!("Toutes les journées : {people}"),
    }
}

fn summary(p: &Program) -> Vec<Item> {
    let mut items = Vec::new();
    if let Some(a) = &p.audience {
        items.push(item("Public", paragraph(a)));
    }
    if let Some(md) = &p.practical.markdown {
        items.push(item("Modalités pratiques", to_html(md)));
    }
    if let Some(c) = &p.category {
        items.push(item("Catégorie", paragraph(c)));
    }
    if let Some(price) = &p.prices.per_group_day {
        items.push(item("Tarifs", paragraph(&format!("{} par jour pour un groupe", price.label()))));
    } else if let Some(conditions) = &p.prices.conditions {
        items.push(item("Tarifs", paragraph(conditions)));
    }
    if let Some(md) = &p.animation {
        items.push(item("Modalités d'animation", to_html(md)));
    }
    if !p.trainers.is_empty() {
        let names: Vec<String> = p
            .trainers
            .iter()
            .map(|t| match &t.provider {
                Some(provider) => format!("<li>{} ({})</li>", escape(&t.name), escape(provider)),
                None => format!("<li>{}</li>", escape(&t.name)),
            })
            .collect();
        let heading = if p.trainers.len() > 1 { "Formateurs" } else { "Formateur" };
        items.push(item(heading, format!("<ul class=\"plain\">{}</ul>", names.concat())));
    }
    let h = &p.headcount;
    if !h.is_empty() {
        let mut lines = Vec::new();
        if let (Some(min), Some(max)) = (h.min, h.max) {
            lines.push(format!("Entre {min} et {max} personnes"));
        }
        if h.per_day.len() > 1 || h.per_day.first().is_some_and(|r| r.first_day.is_some()) {
            lines.extend(h.per_day.iter().map(range_label));
        }
        let html: Vec<String> = lines.iter().map(|l| format!("<li>{}</li>", escape(l))).collect();
        items.push(item("Effectif", format!("<ul class=\"plain\">{}</ul>", html.concat())));
    }
    if let Some(rate) = &p.satisfaction {
        let value = rate.percent();
        let period = if rate.period.is_empty() { String::new() } else { format!(", période : {}", rate.period) };
        items.push(item(
            "Taux de satisfaction",
            paragraph(&format!("{value} de stagiaires satisfaits ({} répondants{period})", rate.respondents)),
        ));
    }
    if let Some(price) = &p.prices.per_trainee {
        items.push(item("Tarif / Coût stagiaire", paragraph(&format!("{} par stagiaire", price.label()))));
    }
    let duration = super::views::duration_label(p.duration.days, p.total_hours());
    if !duration.is_empty() {
        items.push(item("Durée", paragraph(&duration)));
    }
    if let (Some(start), Some(end)) = (p.practical.daily_start, p.practical.daily_end) {
        let per_day = p.practical.hours_per_day.map(|h| format!(", soit {h} heures par jour")).unwrap_or_default();
        items.push(item("Horaires", paragraph(&format!("De {} à {}{per_day}", start.format("%H:%M"), end.format("%H:%M")))));
    }
    if !p.practical.places.is_empty() {
        items.push(item("Lieux", paragraph(&p.practical.places.join(", "))));
    }
    items
}

fn evaluation(p: &Program) -> Vec<Item> {
    let e = &p.evaluation;
    let mut items = Vec::new();
    for (heading, text) in [
        ("Évaluation en amont", &e.upstream),
        ("Évaluation au cours de la formation", &e.ongoing),
        ("Évaluation à chaud", &e.hot),
        ("Évaluation à froid", &e.cold),
    ] {
        if let Some(t) = text {
            items.push(item(heading, to_html(t)));
        }
    }
    for c in &e.certificates {
        items.push(item(&c.heading, to_html(&c.markdown)));
    }
    if let Some(md) = &e.markdown {
        items.push(item("Bilan et sanction de la formation", to_html(md)));
    }
    items
}

fn section_id(index: usize) -> String {
    format!("section-{}", index + 1)
}

impl SheetView {
    pub fn new(p: &Program, category_slug: Option<&str>) -> Self {
        let has_role = |role| p.section_with_role(role).is_some();
        let prerequisites_html = if has_role(SectionRole::Prerequisites) {
            None
        } else {
            match &p.prerequisites {
                Prerequisites::Unspecified => None,
                Prerequisites::NoneRequired => Some(paragraph("Aucun prérequis.")),
                Prerequisites::Required(items) => Some(format!(
                    "<ul>{}</ul>",
                    items.iter().map(|i| format!("<li>{}</li>", escape(i))).collect::<String>()
                )),
            }
        };
        let objectives = if has_role(SectionRole::Objectives) { Vec::new() } else { p.objectives.clone() };
        let delays = &p.access_delays;
        let access_delays_summary = match (delays.intra, delays.inter) {
            (Some(a), Some(b)) if a == b => format!("Délai d'accès : {}", a.label()),
            (Some(a), Some(b)) => format!("Délai d'accès : {} en INTRA, {} pour les sessions INTER", a.label(), b.label()),
            (Some(a), None) => format!("Délai d'accès : {}", a.label()),
            (None, Some(b)) => format!("Délai d'accès pour les sessions INTER : {}", b.label()),
            (None, None) => String::new(),
        };
        let access_delays_html = delays.markdown.as_deref().map(to_html).or_else(|| {
            (!access_delays_summary.is_empty()).then(String::new)
        });
        SheetView {
            slug: p.slug.to_string(),
            title: p.title.clone(),
            kind: p.kind.as_str(),
            tag: p.tag.clone(),
            category_link: p
                .category
                .as_ref()
                .zip(category_slug)
                .map(|(name, slug)| (format!("/formations?categorie={slug}"), name.clone())),
            updated_on: p.updated_on.map(|d| (d.to_string(), long_date(d))),
            summary: summary(p),
            prerequisites_html,
            objectives,
            content: p
                .content
                .iter()
                .enumerate()
                .map(|(i, s)| Section { id: section_id(i), heading: s.heading.clone(), html: to_html(&s.markdown) })
                .collect(),
            methods_html: p.methods.as_deref().map(to_html),
            methods_link: p
                .content
                .iter()
                .position(|s| s.role == Some(SectionRole::Methods))
                .map(|i| (section_id(i), p.content[i].heading.clone())),
            evaluation: evaluation(p),
            accessibility_html: p.accessibility.as_deref().map(to_html),
            access_delays_html,
            access_delays_summary,
            has_contacts: !p.contacts.is_empty(),
            contacts_html: p.contacts.markdown.as_deref().map(to_html),
            phones: p.contacts.phones.iter().map(|ph| (ph.clone(), format!("tel:+33{}", ph.replace(' ', "").trim_start_matches('0')))).collect(),
            emails: p.contacts.emails.clone(),
            other: p
                .other_sections
                .iter()
                .enumerate()
                .map(|(i, s)| Section { id: format!("autre-{}", i + 1), heading: s.heading.clone(), html: to_html(&s.markdown) })
                .collect(),
        }
    }
}
