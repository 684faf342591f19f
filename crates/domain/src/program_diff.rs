//! Field-by-field comparison of two versions of a sheet, for the back-office's « comparer ».
//! Works on the sheet's JSON form so that every field, present and future, is compared.

use serde::Serialize;
use serde_json::Value;

use crate::program::Program;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    /// Path in the sheet (`prices.per_trainee.cents`, `objectives[2]`).
    pub path: String,
    /// The French name of the top-level field.
    pub label: &'static str,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// French names of the sheet's fields, in the editor's order.
pub fn field_label(top: &str) -> &'static str {
    match top {
        "slug" => "Identifiant (adresse)",
        "title" => "Titre",
        "kind" => "Type (INTRA / INTER)",
        "tag" => "Étiquette",
        "audience" => "Public",
        "practical" => "Modalités pratiques",
        "category" => "Catégorie",
        "prices" => "Tarifs",
        "animation" => "Animation",
        "trainers" => "Formateurs",
        "headcount" => "Effectifs",
        "satisfaction" => "Taux de satisfaction",
        "updated_on" => "MAJ",
        "prerequisites" => "Prérequis",
        "objectives" => "Objectifs",
        "duration" => "Durée",
        "content" => "Contenu",
        "methods" => "Méthodes mobilisées",
        "evaluation" => "Modalités d'évaluation",
        "accessibility" => "Accessibilité",
        "access_delays" => "Délais d'accès",
        "contacts" => "Contacts",
        "other_sections" => "Autres rubriques",
        "empty_sections" => "Rubriques vides",
        _ => "Autre",
    }
}

fn flatten(prefix: String, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let path = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                flatten(path, v, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                flatten(format!("{prefix}[{i}]"), v, out);
            }
        }
        Value::Null => {}
        Value::String(s) => out.push((prefix, s.clone())),
        other => out.push((prefix, other.to_string())),
    }
}

fn leaves(program: &Program) -> Vec<(String, String)> {
    let mut out = Vec::new();
    // A sheet always serialises; an empty list shows nothing changed rather than failing.
    if let Ok(value) = serde_json::to_value(program) {
        flatten(String::new(), &value, &mut out);
    }
    out
}

/// What changed from `before` to `after`, leaf by leaf, in the sheet's field order.
pub fn diff(before: &Program, after: &Program) -> Vec<FieldChange> {
    let old = leaves(before);
    let new = leaves(after);
    let old_map: std::collections::HashMap<&str, &str> = old.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let new_map: std::collections::HashMap<&str, &str> = new.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut paths: Vec<&str> = new.iter().map(|(k, _)| k.as_str()).collect();
    paths.extend(old.iter().map(|(k, _)| k.as_str()).filter(|k| !new_map.contains_key(k)));
    let mut changes = Vec::new();
    for path in paths {
        let (b, a) = (old_map.get(path).copied(), new_map.get(path).copied());
        if b != a {
            let top = path.split(['.', '[']).next().unwrap_or(path);
            changes.push(FieldChange {
                path: path.to_owned(),
                label: field_label(top),
                before: b.map(str::to_owned),
                after: a.map(str::to_owned),
            });
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_catalogue_page;

    const SEED: &str = include_str!("../../../fixtures/seed/caf03-ctg-acculturation.txt");

    #[test]
    fn identical_sheets_have_no_change() {
        let p = parse_catalogue_page(SEED).unwrap();
        assert!(diff(&p, &p).is_empty());
    }

    #[test]
    fn changes_are_named_field_by_field() {
        let before = parse_catalogue_page(SEED).unwrap();
        let mut after = before.clone();
        after.title = "Nouveau titre".into();
        after.objectives.push("Un objectif de plus".into());
        after.audience = None;
        let changes = diff(&before, &after);
        let title = changes.iter().find(|c| c.path == "title").unwrap();
        assert_eq!(title.label, "Titre");
        assert_eq!(title.after.as_deref(), Some("Nouveau titre"));
        let added = changes.iter().find(|c| c.path.starts_with("objectives[")).unwrap();
        assert_eq!((added.before.as_deref(), added.after.as_deref()), (None, Some("Un objectif de plus")));
        assert!(changes.iter().any(|c| c.path == "audience" && c.after.is_none()));
        assert_eq!(changes.len(), 3);
    }
}
