//! The questionnaire builder of the back-office, as plain form fields: a questionnaire is read
//! from the posted form (every section and question by position), then one editing step is
//! applied — add or remove a section or a question, move a question — and the page shows the
//! result again. Nothing is saved until « Enregistrer », so the builder needs no script and no
//! step loses what was typed.
//!
//! Field names: `title`, `intro`; `s{i}-title`; `s{i}-q{j}-key`, `-label`, `-type`, `-options`
//! (one choice per line), `-min`, `-max`, `-objective`, `-required`, `-overall`.

use std::collections::BTreeMap;

use crate::FieldErrors;
use crate::evaluation::{EvaluationKind, Question, QuestionKind, Questionnaire, Section};

/// The question types offered by the builder: (form value, French label).
pub const TYPES: [(&str, &str); 7] = [
    ("satisfaction", "Satisfaction (4 niveaux)"),
    ("scale", "Échelle de 1 à 5"),
    ("single", "Choix unique"),
    ("multiple", "Choix multiples"),
    ("text", "Texte libre"),
    ("number", "Nombre"),
    ("self", "Auto-évaluation sur un objectif"),
];

/// The builder's value of a question kind.
pub fn type_of(kind: &QuestionKind) -> &'static str {
    match kind {
        QuestionKind::Satisfaction => "satisfaction",
        QuestionKind::Scale => "scale",
        QuestionKind::SingleChoice { .. } => "single",
        QuestionKind::MultipleChoice { .. } => "multiple",
        QuestionKind::Text => "text",
        QuestionKind::Number { .. } => "number",
        QuestionKind::SelfAssessment { .. } => "self",
    }
}

/// One step of the builder, from the button pressed (`action`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditorAction {
    Save,
    /// Shows the form again as posted: after a change of type, its settings appear.
    Refresh,
    AddSection,
    RemoveSection(usize),
    AddQuestion(usize),
    RemoveQuestion(usize, usize),
    MoveUp(usize, usize),
    MoveDown(usize, usize),
}

impl EditorAction {
    /// `enregistrer`, `actualiser`, `ajouter-rubrique`, `supprimer-rubrique:0`, `ajouter-question:0`,
    /// `supprimer-question:0:2`, `monter:0:2`, `descendre:0:2`; anything else saves.
    pub fn parse(value: &str) -> EditorAction {
        let mut parts = value.split(':');
        let name = parts.next().unwrap_or_default();
        let numbers: Vec<usize> = parts.filter_map(|p| p.parse().ok()).collect();
        match (name, numbers.as_slice()) {
            ("actualiser", []) => EditorAction::Refresh,
            ("ajouter-rubrique", []) => EditorAction::AddSection,
            ("supprimer-rubrique", [s]) => EditorAction::RemoveSection(*s),
            ("ajouter-question", [s]) => EditorAction::AddQuestion(*s),
            ("supprimer-question", [s, q]) => EditorAction::RemoveQuestion(*s, *q),
            ("monter", [s, q]) => EditorAction::MoveUp(*s, *q),
            ("descendre", [s, q]) => EditorAction::MoveDown(*s, *q),
            _ => EditorAction::Save,
        }
    }
}

/// The longest title, intro, label or option the builder keeps.
const FIELD_MAX: usize = 2000;
/// Bounds a posted form so that a crafted request cannot make a huge questionnaire.
const MAX_SECTIONS: usize = 30;
const MAX_QUESTIONS: usize = 60;

/// Reads the builder's form into a questionnaire of `kind`. Never fails: what cannot be read
/// (a minimum that is not a number) is reported, keyed as `Questionnaire::validated` keys its
/// errors, and the rest is kept so that the page shows it again.
pub fn read_form(kind: EvaluationKind, form: &[(String, String)]) -> (Questionnaire, FieldErrors) {
    let mut errors = FieldErrors::default();
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| clip(v)).unwrap_or_default();
    // Positions as posted; gaps (a removed section) are closed up.
    let mut sections: BTreeMap<usize, BTreeMap<usize, ()>> = BTreeMap::new();
    for (name, _) in form {
        let Some(rest) = name.strip_prefix('s') else { continue };
        let mut parts = rest.splitn(2, '-');
        let Some(Ok(s)) = parts.next().map(str::parse::<usize>) else { continue };
        if s >= MAX_SECTIONS {
            continue;
        }
        let questions = sections.entry(s).or_default();
        if let Some(q) = parts.next().and_then(|p| p.strip_prefix('q')).and_then(|p| p.split('-').next()).and_then(|p| p.parse::<usize>().ok())
            && q < MAX_QUESTIONS
        {
            questions.insert(q, ());
        }
    }
    let mut built = Vec::new();
    for (s, questions) in sections {
        let mut section = Section { title: field(&format!("s{s}-title")), questions: Vec::new() };
        for q in questions.into_keys() {
            let p = format!("s{s}-q{q}");
            let key = field(&format!("{p}-key"));
            let number = |suffix: &str, errors: &mut FieldErrors| -> Option<i64> {
                let raw = field(&format!("{p}-{suffix}")).replace(' ', "");
                if raw.is_empty() {
                    return None;
                }
                raw.parse::<i64>().map_err(|_| errors.add(format!("{key}-options"), "Le minimum et le maximum s'écrivent en chiffres.")).ok()
            };
            let options = || -> Vec<String> { field(&format!("{p}-options")).lines().map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()).collect() };
            let kind = match field(&format!("{p}-type")).as_str() {
                "satisfaction" => QuestionKind::Satisfaction,
                "scale" => QuestionKind::Scale,
                "single" => QuestionKind::SingleChoice { options: options() },
                "multiple" => QuestionKind::MultipleChoice { options: options() },
                "number" => QuestionKind::Number { min: number("min", &mut errors), max: number("max", &mut errors) },
                "self" => QuestionKind::SelfAssessment { objective: field(&format!("{p}-objective")).parse().unwrap_or(0) },
                _ => QuestionKind::Text,
            };
            let ticked = |suffix: &str| form.iter().any(|(k, v)| *k == format!("{p}-{suffix}") && !v.is_empty());
            section.questions.push(Question { key, label: field(&format!("{p}-label")), kind, required: ticked("required"), overall: ticked("overall") });
        }
        built.push(section);
    }
    let questionnaire = Questionnaire { kind, title: field("title"), intro: field("intro"), sections: built };
    (questionnaire, errors)
}

fn clip(value: &str) -> String {
    value.trim().chars().take(FIELD_MAX).collect()
}

/// A key no question of `q` uses: `q1`, `q2`…
fn fresh_key(q: &Questionnaire) -> String {
    (1..).map(|n| format!("q{n}")).find(|k| q.question(k).is_none()).unwrap_or_default()
}

/// Applies one builder step; out-of-range positions (a stale page) change nothing.
pub fn apply(q: &mut Questionnaire, action: EditorAction) {
    match action {
        EditorAction::Save | EditorAction::Refresh => {}
        EditorAction::AddSection => {
            let key = fresh_key(q);
            q.sections.push(Section {
                title: String::new(),
                questions: vec![Question { key, label: String::new(), kind: QuestionKind::Satisfaction, required: true, overall: false }],
            });
        }
        EditorAction::RemoveSection(s) if s < q.sections.len() => {
            q.sections.remove(s);
        }
        EditorAction::AddQuestion(s) if s < q.sections.len() => {
            let key = fresh_key(q);
            q.sections[s].questions.push(Question { key, label: String::new(), kind: QuestionKind::Satisfaction, required: true, overall: false });
        }
        EditorAction::RemoveQuestion(s, i) if q.sections.get(s).is_some_and(|sec| i < sec.questions.len()) => {
            q.sections[s].questions.remove(i);
        }
        EditorAction::MoveUp(s, i) => move_question(q, s, i, true),
        EditorAction::MoveDown(s, i) => move_question(q, s, i, false),
        _ => {}
    }
}

/// Moves a question one place up or down; past the edge of its section it goes to the end of
/// the previous section or the start of the next one.
fn move_question(q: &mut Questionnaire, s: usize, i: usize, up: bool) {
    let Some(len) = q.sections.get(s).map(|sec| sec.questions.len()) else { return };
    if i >= len {
        return;
    }
    match (up, i) {
        (true, 0) if s > 0 => {
            let question = q.sections[s].questions.remove(0);
            q.sections[s - 1].questions.push(question);
        }
        (true, 0) => {}
        (true, _) => q.sections[s].questions.swap(i, i - 1),
        (false, _) if i + 1 < len => q.sections[s].questions.swap(i, i + 1),
        (false, _) if s + 1 < q.sections.len() => {
            let question = q.sections[s].questions.remove(i);
            q.sections[s + 1].questions.insert(0, question);
        }
        (false, _) => {}
    }
}

/// The builder's form fields of a questionnaire: what `read_form` reads back into the same
/// questionnaire (tested), and what the page's fields hold.
pub fn form_fields(q: &Questionnaire) -> Vec<(String, String)> {
    let mut fields = vec![("title".to_owned(), q.title.clone()), ("intro".to_owned(), q.intro.clone())];
    for (s, section) in q.sections.iter().enumerate() {
        fields.push((format!("s{s}-title"), section.title.clone()));
        for (i, question) in section.questions.iter().enumerate() {
            let p = format!("s{s}-q{i}");
            fields.push((format!("{p}-key"), question.key.clone()));
            fields.push((format!("{p}-label"), question.label.clone()));
            fields.push((format!("{p}-type"), type_of(&question.kind).to_owned()));
            match &question.kind {
                QuestionKind::SingleChoice { options } | QuestionKind::MultipleChoice { options } => fields.push((format!("{p}-options"), options.join("\n"))),
                QuestionKind::Number { min, max } => {
                    fields.push((format!("{p}-min"), min.map(|m| m.to_string()).unwrap_or_default()));
                    fields.push((format!("{p}-max"), max.map(|m| m.to_string()).unwrap_or_default()));
                }
                QuestionKind::SelfAssessment { objective } => fields.push((format!("{p}-objective"), objective.to_string())),
                _ => {}
            }
            if question.required {
                fields.push((format!("{p}-required"), "on".to_owned()));
            }
            if question.overall {
                fields.push((format!("{p}-overall"), "on".to_owned()));
            }
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn objectives() -> Vec<String> {
        vec!["Comprendre la CTG".into(), "Conduire un diagnostic".into()]
    }

    #[test]
    fn every_template_reads_back_from_its_form() {
        for kind in EvaluationKind::ALL {
            let q = Questionnaire::template(kind, &objectives());
            let (read, errors) = read_form(kind, &form_fields(&q));
            assert!(errors.is_empty());
            assert_eq!(read, q, "{kind:?}");
        }
    }

    #[test]
    fn steps_add_remove_and_move_questions() {
        let mut q = Questionnaire::template(EvaluationKind::Hot, &objectives());
        let sections = q.sections.len();
        apply(&mut q, EditorAction::AddQuestion(0));
        assert_eq!(q.sections[0].questions.last().unwrap().key, "q1");
        apply(&mut q, EditorAction::AddSection);
        assert_eq!(q.sections.len(), sections + 1);
        assert_eq!(q.sections.last().unwrap().questions[0].key, "q2");
        // Up from the top of a section goes to the end of the one before.
        let first_of_second = q.sections[1].questions[0].key.clone();
        apply(&mut q, EditorAction::MoveUp(1, 0));
        assert_eq!(q.sections[0].questions.last().unwrap().key, first_of_second);
        let last = q.sections[0].questions.len() - 1;
        apply(&mut q, EditorAction::MoveDown(0, last));
        assert_eq!(q.sections[1].questions[0].key, first_of_second);
        apply(&mut q, EditorAction::MoveDown(0, 0));
        assert_eq!(q.sections[0].questions[1].key, "overall");
        apply(&mut q, EditorAction::RemoveQuestion(0, 1));
        assert!(q.question("overall").is_none());
        apply(&mut q, EditorAction::RemoveSection(99));
        apply(&mut q, EditorAction::MoveUp(0, 99));
        apply(&mut q, EditorAction::RemoveSection(0));
        assert_eq!(q.sections.len(), sections);
    }

    #[test]
    fn actions_are_read_from_the_button_and_default_to_saving() {
        assert_eq!(EditorAction::parse("monter:1:2"), EditorAction::MoveUp(1, 2));
        assert_eq!(EditorAction::parse("supprimer-question:0:3"), EditorAction::RemoveQuestion(0, 3));
        assert_eq!(EditorAction::parse("ajouter-rubrique"), EditorAction::AddSection);
        assert_eq!(EditorAction::parse("monter:x"), EditorAction::Save);
        assert_eq!(EditorAction::parse("enregistrer"), EditorAction::Save);
    }

    #[test]
    fn a_bad_bound_is_reported_on_its_question_and_the_rest_kept() {
        let q = Questionnaire::template(EvaluationKind::Positioning, &objectives());
        let mut fields = form_fields(&q);
        for (k, v) in &mut fields {
            if k.ends_with("-min") {
                *v = "zéro".into();
            }
        }
        let (read, errors) = read_form(EvaluationKind::Positioning, &fields);
        assert_eq!(errors.get("experience-options"), Some("Le minimum et le maximum s'écrivent en chiffres."));
        assert_eq!(read.question("experience").unwrap().kind, QuestionKind::Number { min: None, max: Some(50) });
    }

    #[test]
    fn the_hot_questionnaire_must_keep_its_overall_question() {
        let mut q = Questionnaire::template(EvaluationKind::Hot, &objectives());
        q.sections[0].questions[0].overall = false;
        let errors = q.validated(2).unwrap_err();
        assert!(errors.get("sections").unwrap().contains("satisfaction globale"));
    }

    proptest! {
        #[test]
        fn any_posted_form_reads_without_panicking(pairs in proptest::collection::vec(("s[0-9]{1,3}-q?[0-9]{0,3}-?[a-z]{0,9}|title|intro", "\\PC{0,30}"), 0..40)) {
            let (q, _) = read_form(EvaluationKind::Cold, &pairs);
            prop_assert!(q.sections.len() <= MAX_SECTIONS);
            prop_assert!(q.sections.iter().all(|s| s.questions.len() <= MAX_QUESTIONS));
        }

        #[test]
        fn steps_never_panic_and_keep_keys_unique(steps in proptest::collection::vec((0u8..7, 0usize..5, 0usize..6), 0..30)) {
            let mut q = Questionnaire::template(EvaluationKind::Hot, &objectives());
            for (step, s, i) in steps {
                let action = match step {
                    0 => EditorAction::AddSection,
                    1 => EditorAction::RemoveSection(s),
                    2 => EditorAction::AddQuestion(s),
                    3 => EditorAction::RemoveQuestion(s, i),
                    4 => EditorAction::MoveUp(s, i),
                    5 => EditorAction::MoveDown(s, i),
                    _ => EditorAction::Save,
                };
                apply(&mut q, action);
            }
            let keys: Vec<&str> = q.questions().map(|q| q.key.as_str()).collect();
            let distinct: std::collections::BTreeSet<&str> = keys.iter().copied().collect();
            prop_assert_eq!(keys.len(), distinct.len());
        }
    }
}
