//! The assessment of what each trainee learnt (évaluation des acquis): per objective of the
//! program, acquired, being acquired or not acquired, with an optional remark, set by the
//! trainer at the end. The attestation de fin de formation states these results, and only
//! these: an objective left unassessed is not printed (REGULATIONS.md §2.8: results appear only
//! where an assessment was planned and made).

use serde::{Deserialize, Serialize};

use crate::FieldErrors;

/// How far an objective was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AcquisitionLevel {
    Acquired,
    InProgress,
    NotAcquired,
}

impl AcquisitionLevel {
    pub const ALL: [AcquisitionLevel; 3] = [AcquisitionLevel::Acquired, AcquisitionLevel::InProgress, AcquisitionLevel::NotAcquired];

    pub fn as_str(self) -> &'static str {
        match self {
            AcquisitionLevel::Acquired => "acquired",
            AcquisitionLevel::InProgress => "in_progress",
            AcquisitionLevel::NotAcquired => "not_acquired",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            AcquisitionLevel::Acquired => "acquis",
            AcquisitionLevel::InProgress => "en cours d'acquisition",
            AcquisitionLevel::NotAcquired => "non acquis",
        }
    }
}

/// One objective's result; the objective's words are kept, so that a later edit of the program
/// does not change what was assessed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectiveResult {
    pub objective: String,
    pub level: AcquisitionLevel,
}

/// A trainee's assessment: the objectives assessed, in the program's order, and a remark.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub results: Vec<ObjectiveResult>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remark: Option<String>,
}

/// A remark stays a sentence or two on the attestation.
pub const REMARK_MAX: usize = 400;

impl Assessment {
    pub fn is_empty(&self) -> bool {
        self.results.is_empty() && self.remark.is_none()
    }

    pub fn level_of(&self, objective: &str) -> Option<AcquisitionLevel> {
        self.results.iter().find(|r| r.objective == objective).map(|r| r.level)
    }

    /// What the attestation prints under « Résultats de l'évaluation des acquis », as light
    /// Markdown: one line per level naming the objectives by their number in `objectives` (the
    /// attestation lists them numbered just above: repeating a program's dozen objectives would
    /// double the page), an objective no longer in the list by its words, then the remark. None
    /// when nothing was assessed.
    pub fn results_text(&self, objectives: &[String]) -> Option<String> {
        if self.is_empty() {
            return None;
        }
        let mut text = Vec::new();
        for level in AcquisitionLevel::ALL {
            let of_level: Vec<&ObjectiveResult> = self.results.iter().filter(|r| r.level == level).collect();
            if of_level.is_empty() {
                continue;
            }
            let mut numbers: Vec<usize> = of_level.iter().filter_map(|r| objectives.iter().position(|o| *o == r.objective).map(|i| i + 1)).collect();
            numbers.sort_unstable();
            let mut named: Vec<String> = Vec::new();
            if !numbers.is_empty() {
                named.push(format!("{} {}", if numbers.len() > 1 { "objectifs" } else { "objectif" }, spans(&numbers)));
            }
            named.extend(of_level.iter().filter(|r| !objectives.contains(&r.objective)).map(|r| format!("« {} »", r.objective.trim_end_matches('.'))));
            let label = level.label();
            let mut capitalised = label[..1].to_uppercase();
            capitalised.push_str(&label[1..]);
            text.push(format!("- {capitalised} : {}.", named.join(" ; ")));
        }
        if let Some(remark) = &self.remark {
            if !text.is_empty() {
                text.push(String::new());
            }
            text.push(remark.clone());
        }
        Some(text.join("\n"))
    }
}

/// « 1 à 9 et 11 », « 2, 3 et 5 »: sorted numbers as French reads them, runs of three or more
/// as « a à b ».
fn spans(numbers: &[usize]) -> String {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for &n in numbers {
        match runs.last_mut() {
            Some((_, end)) if *end + 1 == n => *end = n,
            _ => runs.push((n, n)),
        }
    }
    let mut parts: Vec<String> = Vec::new();
    for (start, end) in runs {
        match end - start {
            0 => parts.push(start.to_string()),
            1 => parts.extend([start.to_string(), end.to_string()]),
            _ => parts.push(format!("{start} à {end}")),
        }
    }
    match parts.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} et {last}", rest.join(", ")),
        _ => parts.concat(),
    }
}

/// How many trainees reached each level on each objective (in `AcquisitionLevel::ALL`'s order),
/// for the session's results (Qualiopi 11: whether the objectives were reached).
pub fn summary<'a>(objectives: &[String], assessments: impl IntoIterator<Item = &'a Assessment>) -> Vec<(String, [usize; 3])> {
    let mut counts: Vec<(String, [usize; 3])> = objectives.iter().map(|o| (o.clone(), [0; 3])).collect();
    for assessment in assessments {
        for result in &assessment.results {
            if let Some((_, c)) = counts.iter_mut().find(|(o, _)| *o == result.objective) {
                c[AcquisitionLevel::ALL.iter().position(|l| *l == result.level).unwrap_or(0)] += 1;
            }
        }
    }
    counts
}

/// The form's field for a trainee's objective (`r12-o3`) and remark (`r12-remark`).
pub fn level_field(trainee: i64, objective: usize) -> String {
    format!("r{trainee}-o{}", objective + 1)
}

pub fn remark_field(trainee: i64) -> String {
    format!("r{trainee}-remark")
}

/// Reads the grid posted for some trainees (their ids) and the program's objectives: every
/// trainee's assessment, or the errors by field. An empty choice leaves the objective
/// unassessed; any other value than a level is refused (a forged form), as is a long remark.
pub fn read_grid(trainees: &[i64], objectives: &[String], form: &[(String, String)]) -> Result<Vec<(i64, Assessment)>, FieldErrors> {
    let value = |key: &str| form.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.trim());
    let mut errors = FieldErrors::default();
    let mut grid = Vec::new();
    for &trainee in trainees {
        let mut assessment = Assessment::default();
        for (i, objective) in objectives.iter().enumerate() {
            let key = level_field(trainee, i);
            match value(&key) {
                None | Some("") => {}
                Some(text) => match AcquisitionLevel::parse(text) {
                    Some(level) => assessment.results.push(ObjectiveResult { objective: objective.clone(), level }),
                    None => errors.add(&key, "Choisissez un niveau de la liste."),
                },
            }
        }
        let key = remark_field(trainee);
        match value(&key) {
            Some(text) if text.chars().count() > REMARK_MAX => {
                errors.add(&key, format!("Pas plus de {REMARK_MAX} caractères ({} saisis).", text.chars().count()))
            }
            Some(text) if !text.is_empty() => assessment.remark = Some(text.split_whitespace().collect::<Vec<_>>().join(" ")),
            _ => {}
        }
        grid.push((trainee, assessment));
    }
    if errors.is_empty() { Ok(grid) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn objectives() -> Vec<String> {
        vec!["Comprendre la CTG.".into(), "Conduire un diagnostic partagé".into()]
    }

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn a_grid_reads_each_trainees_levels_and_remark() {
        let form = pairs(&[("r7-o1", "acquired"), ("r7-o2", ""), ("r7-remark", "  Très investie.  "), ("r9-o2", "not_acquired")]);
        let grid = read_grid(&[7, 9], &objectives(), &form).unwrap();
        assert_eq!(grid[0].1.level_of("Comprendre la CTG."), Some(AcquisitionLevel::Acquired));
        assert_eq!(grid[0].1.level_of("Conduire un diagnostic partagé"), None);
        assert_eq!(grid[0].1.remark.as_deref(), Some("Très investie."));
        assert_eq!(grid[0].1.results_text(&objectives()).unwrap(), "- Acquis : objectif 1.\n\nTrès investie.");
        assert_eq!(grid[1].1.results_text(&objectives()).unwrap(), "- Non acquis : objectif 2.");
        // An objective the attestation no longer lists is named by its words.
        assert_eq!(grid[1].1.results_text(&objectives()[..1]).unwrap(), "- Non acquis : « Conduire un diagnostic partagé ».");
    }

    #[test]
    fn nothing_assessed_prints_nothing() {
        let grid = read_grid(&[7], &objectives(), &[]).unwrap();
        assert!(grid[0].1.is_empty());
        assert_eq!(grid[0].1.results_text(&objectives()), None);
    }

    #[test]
    fn a_forged_level_or_a_long_remark_is_refused_by_field() {
        let long = "a".repeat(REMARK_MAX + 1);
        let form = pairs(&[("r7-o1", "excellent"), ("r7-remark", long.as_str())]);
        let errors = read_grid(&[7], &objectives(), &form).unwrap_err();
        assert_eq!(errors.get("r7-o1"), Some("Choisissez un niveau de la liste."));
        assert!(errors.get("r7-remark").is_some_and(|e| e.contains("401 saisis")));
    }

    #[test]
    fn the_summary_counts_each_level_per_objective() {
        let grid = read_grid(&[1, 2, 3], &objectives(), &pairs(&[("r1-o1", "acquired"), ("r2-o1", "in_progress"), ("r3-o1", "acquired"), ("r3-o2", "not_acquired")])).unwrap();
        let summary = summary(&objectives(), grid.iter().map(|(_, a)| a));
        assert_eq!(summary[0], ("Comprendre la CTG.".to_owned(), [2, 1, 0]));
        assert_eq!(summary[1].1, [0, 0, 1]);
    }

    #[test]
    fn objectives_are_named_by_runs_of_numbers() {
        assert_eq!(spans(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13]), "1 à 9 et 11 à 13");
        assert_eq!(spans(&[2, 3, 5]), "2, 3 et 5");
        assert_eq!(spans(&[10]), "10");
        let twelve: Vec<String> = (1..=13).map(|i| format!("Objectif {i}")).collect();
        let results = twelve
            .iter()
            .enumerate()
            .map(|(i, o)| ObjectiveResult { objective: o.clone(), level: if i == 9 { AcquisitionLevel::InProgress } else { AcquisitionLevel::Acquired } })
            .collect();
        let text = Assessment { results, remark: None }.results_text(&twelve).unwrap();
        assert_eq!(text, "- Acquis : objectifs 1 à 9 et 11 à 13.\n- En cours d'acquisition : objectif 10.");
    }

    proptest! {
        #[test]
        fn any_posted_grid_reads_without_panicking_and_keeps_only_levels(form in proptest::collection::vec(("r[0-9]{1,2}-(o[0-9]|remark)", "\\PC{0,12}"), 0..20)) {
            if let Ok(grid) = read_grid(&[1, 2, 3], &objectives(), &form) {
                for (_, a) in grid {
                    prop_assert!(a.results.len() <= 2);
                    prop_assert!(a.results.iter().all(|r| objectives().contains(&r.objective)));
                }
            }
        }
    }
}
