//! Structured values read out of the prose of a page: durations, hours, places, head-counts,
//! prices, delays, trainers, phone numbers.

use chrono::NaiveTime;

use super::ImportError;
use super::blocks::{Paragraph, list_items, plain_text};
use crate::duration::{Minutes, total_minutes};
use crate::money::{Price, VatTreatment};
use crate::patterns;
use crate::program::{
    AccessDelays, Contacts, Delay, DelayUnit, EvaluationModalities, Headcount, HeadcountRange,
    PracticalModalities, Prerequisites, Prices, SatisfactionRate, ScheduledDay, TextSection,
    TrainerRef,
};

fn folded(text: &str) -> String {
    deunicode::deunicode(text).to_lowercase()
}

pub fn prerequisites(paragraphs: &[Paragraph]) -> Prerequisites {
    let all = plain_text(&paragraphs.iter().map(|p| p.text.as_str()).collect::<Vec<_>>().join(" "));
    let f = folded(&all);
    let none = ["aucun prerequis", "aucun pre-requis", "aucun pre requis", "pas de prerequis", "sans prerequis", "aucune connaissance prealable"];
    if none.iter().any(|n| f.contains(n)) {
        return Prerequisites::NoneRequired;
    }
    let items = list_items(paragraphs);
    if items.is_empty() { Prerequisites::Required(vec![all]) } else { Prerequisites::Required(items) }
}

/// « **Evaluation à chaud** : … » lines go to their slot; the rest is the general text.
pub fn evaluation(paragraphs: &[Paragraph], into: &mut EvaluationModalities) {
    let mut general: Vec<String> = Vec::new();
    // Where the last paragraph went, so that a sentence the scrape split across blank lines
    // (it then starts in lowercase) continues it.
    let mut last_was_certificate = false;
    for p in paragraphs {
        let text = p.lines.iter().map(|l| l.trim()).collect::<Vec<_>>().join(" ");
        let labelled = text.strip_prefix("**").and_then(|rest| rest.split_once("**"));
        let Some((label, rest)) = labelled else {
            let continues = text.starts_with(char::is_lowercase);
            match (continues, last_was_certificate, into.certificates.last_mut(), general.last_mut()) {
                (true, true, Some(cert), _) => {
                    cert.markdown.push(' ');
                    cert.markdown.push_str(&plain_text(&text));
                }
                (true, false, _, Some(prev)) => {
                    prev.push(' ');
                    prev.push_str(&text);
                }
                _ => {
                    general.push(text);
                    last_was_certificate = false;
                }
            }
            continue;
        };
        last_was_certificate = false;
        let value = plain_text(rest.trim_start_matches([' ', ':', '\u{a0}']).trim());
        let l = folded(label);
        let slot = if l.contains("amont") || l.contains("positionnement") {
            &mut into.upstream
        } else if l.contains("cours") {
            &mut into.ongoing
        } else if l.contains("chaud") {
            &mut into.hot
        } else if l.contains("froid") {
            &mut into.cold
        } else if l.contains("attestation") || l.contains("certificat") {
            into.certificates.push(TextSection::new(plain_text(label), value));
            last_was_certificate = true;
            continue;
        } else {
            general.push(text);
            continue;
        };
        *slot = Some(value);
    }
    if !general.is_empty() {
        let text = general.join("\n\n");
        into.markdown = Some(match into.markdown.take() {
            Some(before) => format!("{before}\n\n{text}"),
            None => text,
        });
    }
}

pub fn looks_like_contacts(markdown: &str) -> bool {
    patterns::phone().is_match(markdown) || patterns::email().is_match(markdown) || folded(markdown).contains("contact")
}

fn vat_of(text: &str) -> VatTreatment {
    let f = folded(text);
    if f.contains("exonere") || f.contains("net de tva") || f.contains("net de taxe") || f.contains("non assujetti") || f.contains(" net") {
        VatTreatment::Exempt
    } else if f.contains("ttc") {
        VatTreatment::IncludingVat
    } else if f.contains(" ht") || f.contains("hors taxe") {
        VatTreatment::ExcludingVat
    } else {
        VatTreatment::Unstated
    }
}

fn parse_price(text: &str, line: usize) -> Result<Option<Price>, ImportError> {
    let Some(caps) = patterns::price().captures(text) else { return Ok(None) };
    let raw: String = caps[1].chars().filter(|c| !c.is_whitespace() && *c != '.' && *c != '\u{202f}').collect();
    let (euros, cents) = match raw.split_once(',') {
        Some((e, c)) => (e.to_owned(), format!("{c:0<2}")),
        None => (raw, "00".to_owned()),
    };
    let unreadable = || ImportError::at(line, format!("montant illisible ou trop élevé « {} »", &caps[0]));
    let euros: i64 = euros.parse().map_err(|_| unreadable())?;
    let cents: i64 = cents.parse().map_err(|_| unreadable())?;
    let total = euros.checked_mul(100).and_then(|e| e.checked_add(cents)).ok_or_else(unreadable)?;
    Ok(Some(Price { cents: total, vat: vat_of(text) }))
}

pub fn prices(group: Option<&(String, usize)>, trainee: Option<&(String, usize)>) -> Result<Prices, ImportError> {
    let mut prices = Prices::default();
    let mut conditions = Vec::new();
    if let Some((text, line)) = group {
        prices.per_group_day = parse_price(text, *line)?;
        if prices.per_group_day.is_none() {
            conditions.push(text.clone());
        }
    }
    if let Some((text, line)) = trainee {
        prices.per_trainee = parse_price(text, *line)?;
        if prices.per_trainee.is_none() {
            conditions.push(text.clone());
        }
    }
    if !conditions.is_empty() {
        prices.conditions = Some(conditions.join(" "));
    }
    Ok(prices)
}

pub fn satisfaction(text: &str, line: usize) -> Result<SatisfactionRate, ImportError> {
    let percent = patterns::percent().captures(text).ok_or_else(|| {
        ImportError::at(line, format!("taux de satisfaction sans pourcentage « {text} » (attendu par exemple « 94 % (52 répondants, 2025) »)"))
    })?;
    let value: f64 = percent[1].replace(',', ".").parse().map_err(|_| ImportError::at(line, "pourcentage illisible"))?;
    if value > 100.0 {
        return Err(ImportError::at(line, format!("taux de satisfaction supérieur à 100 % « {text} »")));
    }
    let respondents = patterns::respondents()
        .captures(text)
        .and_then(|c| c[1].parse().ok())
        .ok_or_else(|| ImportError::at(line, format!("taux de satisfaction sans nombre de répondants « {text} » : un taux seul ne peut pas être publié")))?;
    let period = text
        .rsplit_once(',')
        .map(|(_, p)| p.trim_end_matches([')', ' ']).trim().to_owned())
        .filter(|p| !p.is_empty() && !p.contains('%'))
        .unwrap_or_default();
    Ok(SatisfactionRate { per_mille: (value * 10.0).round() as u32, respondents, period })
}

fn time(hours: &str, minutes: Option<&str>) -> Option<NaiveTime> {
    NaiveTime::from_hms_opt(hours.parse().ok()?, minutes.map_or(Some(0), |m| m.parse().ok())?, 0)
}

/// Paragraphs of the content whose text starts with a bold label (« **Lieu :** … »).
fn labelled<'a>(content: &'a [TextSection], label: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    content.iter().flat_map(|s| s.markdown.split("\n\n")).filter(move |p| {
        let f = folded(p.trim_start_matches(['*', '-', ' ']));
        f.starts_with(label)
    })
}

pub fn practical(markdown: Option<String>, content: &[TextSection]) -> PracticalModalities {
    let all_text: Vec<&str> = markdown.iter().map(String::as_str).chain(content.iter().map(|s| s.markdown.as_str())).collect();
    let hours_per_day = all_text
        .iter()
        .find_map(|t| patterns::hours_per_day().captures(t))
        .and_then(|c| c[1].parse().ok());
    let schedule = labelled(content, "horaire").chain(all_text.iter().copied()).find_map(|t| patterns::daily_hours().captures(t));
    let (daily_start, daily_end) = match schedule {
        Some(c) => (time(&c[1], c.get(2).map(|m| m.as_str())), time(&c[3], c.get(4).map(|m| m.as_str()))),
        None => (None, None),
    };
    let places = labelled(content, "lieu")
        .find_map(|p| {
            let open = p.find('(')?;
            let close = p[open..].find(')')? + open;
            Some(
                p[open + 1..close]
                    .split([',', ';'])
                    .flat_map(|s| s.split(" et "))
                    .map(|s| plain_text(s).trim().to_owned())
                    .filter(|s| s.starts_with(char::is_uppercase))
                    .collect::<Vec<_>>(),
            )
        })
        .unwrap_or_default();
    PracticalModalities { days: scheduled_days(content), markdown, daily_start, daily_end, hours_per_day, places }
}

/// « Module 1 : Journée 1 – Le 22 mars 2019 - Acculturation CTG » lines and « Journée N – … »
/// headings, merged by day number.
fn scheduled_days(content: &[TextSection]) -> Vec<ScheduledDay> {
    let mut days: Vec<ScheduledDay> = Vec::new();
    let mut add = |day: ScheduledDay| {
        if let Some(existing) = days.iter_mut().find(|d| d.day.is_some() && d.day == day.day) {
            existing.module = existing.module.or(day.module);
            existing.date = existing.date.or(day.date);
            if existing.label.is_none() {
                existing.label = day.label;
            }
        } else {
            days.push(day);
        }
    };
    let label_after = |text: &str, from: usize| {
        let rest = plain_text(&text[from..]);
        let rest = rest.trim_start_matches([' ', '-', '–', '—', ':', ',']).trim();
        if rest.is_empty() { None } else { Some(rest.to_owned()) }
    };
    for section in content {
        for line in section.markdown.lines() {
            let plain = plain_text(line.trim_start_matches(['-', '*', ' ']));
            if let Some(c) = patterns::module_day().captures(&plain)
                && c.get(0).is_some_and(|m| m.start() == 0)
            {
                let date_match = patterns::french_date().find(&plain);
                let date = crate::french_date::find_date(&plain, None);
                let from = date_match.map_or(c.get(0).map_or(0, |m| m.end()), |m| m.end());
                add(ScheduledDay {
                    module: c[1].parse().ok(),
                    day: c.get(2).and_then(|d| d.as_str().parse().ok()),
                    date,
                    label: label_after(&plain, from),
                });
            }
        }
        if let Some(c) = patterns::day_heading().captures(&section.heading) {
            let heading = &section.heading;
            let date_match = patterns::french_date().find(heading);
            let from = date_match.map_or(c.get(0).map_or(0, |m| m.end()), |m| m.end());
            add(ScheduledDay {
                module: None,
                day: c[1].parse().ok(),
                date: crate::french_date::find_date(heading, None),
                label: label_after(heading, from).filter(|l| patterns::french_date().find(l).is_none()),
            });
        }
    }
    days
}

pub fn duration(practical: Option<&str>, content: &[TextSection], hours_per_day: Option<u32>) -> (Option<u32>, Option<Minutes>) {
    let days = labelled(content, "duree")
        .chain(practical)
        .find_map(|t| patterns::days_count().captures(t))
        .and_then(|c| c[1].parse().ok())
        .or_else(|| {
            let n = content.iter().filter(|s| patterns::day_heading().is_match(&s.heading)).count() as u32;
            (n > 0).then_some(n)
        });
    let minutes = match (days, hours_per_day) {
        (Some(d), Some(h)) => Some(total_minutes(d, h)),
        _ => labelled(content, "duree")
            .chain(practical)
            .find_map(|t| patterns::hours_total().captures(t))
            .and_then(|c| c[1].parse().ok())
            .map(Minutes::from_hours),
    };
    (days, minutes)
}

/// Head-count ranges from the summary and the content. A range applies to the days named just
/// before it (« pour J1 à J3 (entre 15 et 20 personnes) »), or to the day of its section.
pub fn headcount(summary: Option<&str>, content: &[(&str, Option<u32>)]) -> Headcount {
    let mut headcount = Headcount::default();
    if let Some(c) = summary.and_then(|s| patterns::headcount().captures(s)) {
        headcount.min = c[1].parse().ok();
        headcount.max = c[2].parse().ok();
    }
    for (text, section_day) in content {
        let text = plain_text(text);
        let mut previous_end = 0;
        for c in patterns::headcount().captures_iter(&text) {
            let whole = c.get(0).expect("group 0");
            let (Ok(min), Ok(max)) = (c[1].parse::<u32>(), c[2].parse::<u32>()) else { continue };
            let before = &text[previous_end..whole.start()];
            let named = patterns::day_range().captures_iter(before).last();
            let (first_day, last_day) = match named {
                Some(d) => {
                    let first = d[1].parse().ok();
                    (first, d.get(2).and_then(|m| m.as_str().parse().ok()).or(first))
                }
                None => (*section_day, *section_day),
            };
            previous_end = whole.end();
            let range = HeadcountRange { min: min.min(max), max: max.max(min), first_day, last_day };
            if !headcount.per_day.contains(&range) {
                headcount.per_day.push(range);
            }
        }
    }
    headcount
}

/// « ACCOLADES - CHEINE Thierry » → Thierry CHEINE, provided by ACCOLADES. Several trainers are
/// separated by « ; ».
pub fn trainers(text: &str) -> Vec<TrainerRef> {
    text.split(';')
        .filter_map(|entry| {
            let entry = entry.trim();
            if entry.is_empty() {
                return None;
            }
            let (provider, person) = match entry.split_once(" - ").or_else(|| entry.split_once(" – ")) {
                Some((p, n)) => (Some(p.trim().to_owned()), n.trim()),
                None => (None, entry),
            };
            let words: Vec<&str> = person.split_whitespace().collect();
            let is_family = |w: &&str| w.chars().any(char::is_alphabetic) && !w.chars().any(char::is_lowercase);
            let family: Vec<&str> = words.iter().copied().filter(is_family).collect();
            let given: Vec<&str> = words.iter().copied().filter(|w| !is_family(w)).collect();
            let name = if family.is_empty() || given.is_empty() {
                words.join(" ")
            } else {
                format!("{} {}", given.join(" "), family.join(" "))
            };
            Some(TrainerRef { name, provider })
        })
        .collect()
}

fn delay_of(amount: &str, unit: &str) -> Option<Delay> {
    let unit = match folded(unit).as_str() {
        u if u.starts_with("jour") => DelayUnit::Days,
        u if u.starts_with("semaine") => DelayUnit::Weeks,
        _ => DelayUnit::Months,
    };
    Some(Delay { amount: amount.parse().ok()?, unit })
}

/// « réponse dans les 15 jours (1 mois pour les sessions INTER) »: the delay named for a kind
/// applies to it; the other one applies to the rest.
pub fn access_delays(markdown: Option<String>) -> AccessDelays {
    let mut delays = AccessDelays { markdown, ..AccessDelays::default() };
    let Some(text) = delays.markdown.as_deref().map(plain_text) else { return delays };
    let mut general = None;
    for c in patterns::delay().captures_iter(&text) {
        let Some(delay) = delay_of(&c[1], &c[2]) else { continue };
        let after = folded(&text[c.get(0).expect("group 0").end()..]);
        let after = after.trim_start();
        if after.starts_with("pour les sessions inter") || after.starts_with("pour l'inter") || after.starts_with("en inter") {
            delays.inter.get_or_insert(delay);
        } else if after.starts_with("pour les sessions intra") || after.starts_with("pour l'intra") || after.starts_with("en intra") {
            delays.intra.get_or_insert(delay);
        } else {
            general.get_or_insert(delay);
        }
    }
    if let Some(general) = general {
        delays.intra.get_or_insert(general);
        delays.inter.get_or_insert(general);
    }
    delays
}

pub fn contacts(markdown: Option<String>) -> Contacts {
    let mut contacts = Contacts { markdown, ..Contacts::default() };
    if let Some(text) = contacts.markdown.as_deref() {
        for m in patterns::phone().find_iter(text) {
            let digits: String = m.as_str().chars().filter(char::is_ascii_digit).collect();
            let national = match digits.strip_prefix("33") {
                Some(rest) if m.as_str().starts_with('+') => format!("0{rest}"),
                _ => digits,
            };
            let pretty = national.as_bytes().chunks(2).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ");
            if !contacts.phones.contains(&pretty) {
                contacts.phones.push(pretty);
            }
        }
        for m in patterns::email().find_iter(text) {
            let email = m.as_str().to_lowercase();
            if !contacts.emails.contains(&email) {
                contacts.emails.push(email);
            }
        }
    }
    contacts
}
