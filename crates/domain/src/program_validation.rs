//! The rules a program sheet must respect before it is saved, whoever writes it (back-office
//! form, API, import). Field names are the editor's, so messages land next to their field.

use crate::account::Email;
use crate::program::{Prerequisites, Program};
use crate::validation::FieldErrors;

pub const MAX_TITLE_CHARS: usize = 200;
/// Generous bounds that still catch a slipped digit (42 000 heures).
const MAX_DAYS: u32 = 365;
const MAX_HEADCOUNT: u32 = 1000;

fn blank(text: &str) -> bool {
    text.trim().is_empty()
}

/// Every problem of `program`, by field.
pub fn validate(program: &Program) -> FieldErrors {
    let mut e = FieldErrors::default();
    if blank(&program.title) {
        e.add("title", "Le titre est obligatoire.");
    } else if program.title.chars().count() > MAX_TITLE_CHARS {
        e.add("title", "Le titre ne doit pas dépasser 200 caractères.");
    }
    if program.objectives.iter().any(|o| blank(o)) {
        e.add("objectives", "Un objectif ne peut pas être vide.");
    }
    if let Prerequisites::Required(items) = &program.prerequisites
        && (items.is_empty() || items.iter().any(|i| blank(i)))
    {
        e.add("prerequisites", "Listez au moins un prérequis, ou choisissez « Aucun prérequis ».");
    }
    if let Some(days) = program.duration.days
        && !(1..=MAX_DAYS).contains(&days)
    {
        e.add("duration_days", "La durée en jours doit être comprise entre 1 et 365.");
    }
    if let Some(minutes) = program.duration.minutes
        && (minutes.0 == 0 || minutes.0 > MAX_DAYS * 24 * 60)
    {
        e.add("duration_hours", "La durée en heures doit être positive et plausible.");
    }
    let practical = &program.practical;
    if let (Some(start), Some(end)) = (practical.daily_start, practical.daily_end)
        && end <= start
    {
        e.add("daily_end", "L'heure de fin doit suivre l'heure de début.");
    }
    if let Some(hours) = practical.hours_per_day
        && !(1..=12).contains(&hours)
    {
        e.add("hours_per_day", "Une journée de formation compte entre 1 et 12 heures.");
    }
    for (i, day) in practical.days.iter().enumerate() {
        if day.module.is_none() && day.day.is_none() && day.date.is_none() && day.label.as_deref().is_none_or(blank) {
            e.add(format!("day_{i}"), "Ligne vide : renseignez le module, le jour, la date ou l'intitulé.");
        }
    }
    for (field, price) in [("price_group", program.prices.per_group_day), ("price_trainee", program.prices.per_trainee)] {
        if let Some(p) = price
            && p.cents < 0
        {
            e.add(field, "Un tarif ne peut pas être négatif.");
        }
    }
    let h = &program.headcount;
    for (field, value) in [("headcount_min", h.min), ("headcount_max", h.max)] {
        if let Some(v) = value
            && !(1..=MAX_HEADCOUNT).contains(&v)
        {
            e.add(field, "L'effectif doit être compris entre 1 et 1000.");
        }
    }
    if let (Some(min), Some(max)) = (h.min, h.max)
        && min > max
    {
        e.add("headcount_max", "L'effectif maximum doit être au moins égal au minimum.");
    }
    for (i, range) in h.per_day.iter().enumerate() {
        let field = format!("headcount_day_{i}");
        if range.min > range.max || range.max == 0 {
            e.add(field, "Effectif du jour : le maximum doit être positif et au moins égal au minimum.");
        } else if let (Some(first), Some(last)) = (range.first_day, range.last_day)
            && (first == 0 || first > last)
        {
            e.add(field, "Jours concernés : le premier jour doit précéder le dernier.");
        } else if let (Some(last), Some(days)) = (range.last_day, program.duration.days)
            && last > days
        {
            e.add(field, format!("Jours concernés : la formation ne compte que {days} jour(s)."));
        }
    }
    if let Some(rate) = &program.satisfaction {
        if rate.per_mille > 1000 {
            e.add("satisfaction", "Le taux de satisfaction ne peut pas dépasser 100 %.");
        } else if rate.respondents == 0 {
            e.add("satisfaction", "Indiquez le nombre de répondants : un taux sans effectif n'est pas publiable.");
        } else if blank(&rate.period) {
            e.add("satisfaction", "Indiquez la période du taux (par exemple « 2025 »).");
        }
    }
    for (field, delay) in [("delay_intra", program.access_delays.intra), ("delay_inter", program.access_delays.inter)] {
        if let Some(d) = delay
            && !(1..=365).contains(&d.amount)
        {
            e.add(field, "Le délai doit être compris entre 1 et 365.");
        }
    }
    if let Some(bad) = program.contacts.emails.iter().find(|m| Email::parse(m).is_err()) {
        e.add("contact_emails", format!("Adresse e-mail invalide : « {bad} »."));
    }
    for (i, t) in program.trainers.iter().enumerate() {
        if blank(&t.name) {
            e.add(format!("trainer_{i}"), "Indiquez le nom du formateur.");
        }
    }
    // The text before the first heading (an introduction) has none; every later part has one.
    for (i, s) in program.content.iter().enumerate().skip(1) {
        if blank(&s.heading) {
            e.add(format!("content_{i}"), "Chaque partie du contenu, après l'introduction, a un intitulé.");
        }
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_catalogue_page;
    use crate::program::HeadcountRange;

    const SEED: &str = include_str!("../../../fixtures/seed/caf03-ctg-acculturation.txt");

    #[test]
    fn the_seed_is_valid() {
        let program = parse_catalogue_page(SEED).unwrap();
        assert_eq!(validate(&program), FieldErrors::default());
    }

    #[test]
    fn each_rule_names_its_field() {
        let mut p = parse_catalogue_page(SEED).unwrap();
        p.title = "  ".into();
        p.headcount.min = Some(20);
        p.headcount.max = Some(10);
        p.headcount.per_day.push(HeadcountRange { min: 5, max: 8, first_day: Some(4), last_day: Some(9) });
        p.prerequisites = Prerequisites::Required(vec![]);
        p.contacts.emails.push("pas-une-adresse".into());
        let errors = validate(&p);
        for field in ["title", "headcount_max", "prerequisites", "contact_emails"] {
            assert!(errors.get(field).is_some(), "{field}: {errors:?}");
        }
        let last = p.headcount.per_day.len() - 1;
        assert!(errors.get(&format!("headcount_day_{last}")).unwrap().contains("6 jour"));
    }
}
