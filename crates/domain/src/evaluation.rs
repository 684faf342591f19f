//! Evaluations (Qualiopi indicators 8, 11 and 30): questionnaires by kind — positioning before
//! the training, during it, hot at the end, cold months later, and the client's and the
//! trainer's appreciation — with sections and typed questions, some tied to the program's
//! objectives (self-assessment); answers read from a form, a half-filled one kept as a draft;
//! the satisfaction rate published on the sheet; and the reminders to non-respondents.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::FieldErrors;
use crate::program::SatisfactionRate;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvaluationKind {
    /// Évaluation en amont: where the trainee stands before (indicator 8).
    Positioning,
    /// En cours de formation.
    Ongoing,
    /// À chaud, at the end of the last day.
    Hot,
    /// À froid, some weeks after the end (60 days by default).
    Cold,
    /// The client's appreciation (the CAF that ordered the action).
    Client,
    /// The trainer's appreciation of the session.
    Trainer,
}

impl EvaluationKind {
    pub const ALL: [EvaluationKind; 6] =
        [EvaluationKind::Positioning, EvaluationKind::Ongoing, EvaluationKind::Hot, EvaluationKind::Cold, EvaluationKind::Client, EvaluationKind::Trainer];

    pub fn as_str(self) -> &'static str {
        match self {
            EvaluationKind::Positioning => "positioning",
            EvaluationKind::Ongoing => "ongoing",
            EvaluationKind::Hot => "hot",
            EvaluationKind::Cold => "cold",
            EvaluationKind::Client => "client",
            EvaluationKind::Trainer => "trainer",
        }
    }

    pub fn parse(s: &str) -> Option<EvaluationKind> {
        EvaluationKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            EvaluationKind::Positioning => "Positionnement (avant la formation)",
            EvaluationKind::Ongoing => "Évaluation en cours de formation",
            EvaluationKind::Hot => "Évaluation à chaud (fin de formation)",
            EvaluationKind::Cold => "Évaluation à froid",
            EvaluationKind::Client => "Appréciation du client",
            EvaluationKind::Trainer => "Appréciation du formateur",
        }
    }

    /// Who answers it: the trainees, or one person for the session.
    pub fn by_trainees(self) -> bool {
        matches!(self, EvaluationKind::Positioning | EvaluationKind::Ongoing | EvaluationKind::Hot | EvaluationKind::Cold)
    }
}

/// The four levels of a satisfaction question, from the worst.
pub const SATISFACTION_LEVELS: [&str; 4] = ["Pas du tout satisfait", "Peu satisfait", "Satisfait", "Très satisfait"];

/// The five levels of a self-assessment, from « je ne sais pas faire » to « je sais l'expliquer ».
pub const MASTERY_LEVELS: [&str; 5] =
    ["Aucune connaissance", "Notions", "Je sais faire avec de l'aide", "Je sais faire seul", "Je sais l'expliquer à d'autres"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum QuestionKind {
    /// Four levels (SATISFACTION_LEVELS); « satisfied » is one of the top two.
    Satisfaction,
    /// 1 to 5.
    Scale,
    SingleChoice {
        options: Vec<String>,
    },
    MultipleChoice {
        options: Vec<String>,
    },
    Text,
    Number {
        min: Option<i64>,
        max: Option<i64>,
    },
    /// Where the trainee stands on one of the program's objectives (index into them), on
    /// MASTERY_LEVELS: asked at positioning and at the end, the difference is the progress.
    SelfAssessment {
        objective: usize,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// Stable key within the questionnaire (« q3 »): answers are stored under it.
    pub key: String,
    pub label: String,
    pub kind: QuestionKind,
    pub required: bool,
    /// The overall satisfaction question the published rate is computed from (one at most, of
    /// kind Satisfaction).
    #[serde(default)]
    pub overall: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub title: String,
    pub questions: Vec<Question>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Questionnaire {
    pub kind: EvaluationKind,
    pub title: String,
    pub intro: String,
    pub sections: Vec<Section>,
}

impl Questionnaire {
    pub fn questions(&self) -> impl Iterator<Item = &Question> {
        self.sections.iter().flat_map(|s| s.questions.iter())
    }

    pub fn question(&self, key: &str) -> Option<&Question> {
        self.questions().find(|q| q.key == key)
    }

    /// The overall satisfaction question, if the questionnaire has one.
    pub fn overall(&self) -> Option<&Question> {
        self.questions().find(|q| q.overall)
    }

    /// Checks a questionnaire as built in the editor; errors are keyed by question (`q3-label`,
    /// `q3-options`) or by `title`/`sections`.
    pub fn validated(self, objectives: usize) -> Result<Questionnaire, FieldErrors> {
        let mut errors = FieldErrors::default();
        if self.title.trim().is_empty() {
            errors.add("title", "Donnez un titre au questionnaire.");
        }
        if self.questions().next().is_none() {
            errors.add("sections", "Ajoutez au moins une question.");
        }
        let mut keys = BTreeSet::new();
        let mut overall = 0;
        for (s, section) in self.sections.iter().enumerate() {
            if section.title.trim().is_empty() {
                errors.add(format!("section-{s}-title"), "Donnez un titre à la rubrique.");
            }
            for q in &section.questions {
                if !keys.insert(q.key.as_str()) || q.key.is_empty() || !q.key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                    errors.add(format!("{}-label", q.key), "Identifiant de question invalide ou en double.");
                }
                if q.label.trim().is_empty() {
                    errors.add(format!("{}-label", q.key), "Écrivez la question.");
                }
                match &q.kind {
                    QuestionKind::SingleChoice { options } | QuestionKind::MultipleChoice { options } => {
                        let distinct: BTreeSet<&str> = options.iter().map(|o| o.trim()).collect();
                        if options.len() < 2 || distinct.len() != options.len() || distinct.contains("") {
                            errors.add(format!("{}-options", q.key), "Proposez au moins deux choix, tous différents et non vides.");
                        }
                    }
                    QuestionKind::Number { min: Some(min), max: Some(max) } if min > max => {
                        errors.add(format!("{}-options", q.key), "Le minimum dépasse le maximum.");
                    }
                    QuestionKind::SelfAssessment { objective } if *objective >= objectives => {
                        errors.add(format!("{}-options", q.key), "Cette auto-évaluation renvoie à un objectif que la fiche n'a pas.");
                    }
                    _ => {}
                }
                if q.overall {
                    overall += 1;
                    if q.kind != QuestionKind::Satisfaction {
                        errors.add(format!("{}-label", q.key), "La question de satisfaction globale doit être une question de satisfaction.");
                    }
                }
            }
        }
        if overall > 1 {
            errors.add("sections", "Une seule question peut être la satisfaction globale.");
        }
        if overall == 0 && self.kind == EvaluationKind::Hot {
            errors.add("sections", "Gardez une question de satisfaction globale : le taux publié sur la fiche est calculé à partir d'elle.");
        }
        if errors.is_empty() { Ok(self) } else { Err(errors) }
    }

    /// The starting questionnaire of a kind, for a program with these objectives: what the
    /// editor opens with, and what a session uses when nobody wrote another.
    pub fn template(kind: EvaluationKind, objectives: &[String]) -> Questionnaire {
        let q = |key: &str, label: &str, kind: QuestionKind, required: bool| Question { key: key.into(), label: label.into(), kind, required, overall: false };
        let self_assessment = |prefix: &str| -> Vec<Question> {
            objectives.iter().enumerate().map(|(i, o)| q(&format!("{prefix}{}", i + 1), o, QuestionKind::SelfAssessment { objective: i }, true)).collect()
        };
        let section = |title: &str, questions: Vec<Question>| Section { title: title.into(), questions };
        let (title, intro, sections) = match kind {
            EvaluationKind::Positioning => (
                "Questionnaire de positionnement",
                "Avant la formation, situez-vous sur chacun de ses objectifs : le formateur adapte le contenu au groupe. Il n'y a pas de bonne ou de mauvaise réponse.",
                vec![
                    section("Où en êtes-vous sur les objectifs de la formation ?", self_assessment("o")),
                    section(
                        "Vos attentes",
                        vec![
                            q(
                                "experience",
                                "Depuis combien d'années exercez-vous votre fonction ?",
                                QuestionKind::Number { min: Some(0), max: Some(50) },
                                false,
                            ),
                            q("expectations", "Qu'attendez-vous de cette formation ?", QuestionKind::Text, false),
                            q("needs", "Avez-vous un besoin particulier pour suivre la formation (accessibilité, horaires) ?", QuestionKind::Text, false),
                        ],
                    ),
                ],
            ),
            EvaluationKind::Ongoing => (
                "Point d'étape",
                "À mi-parcours : dites-nous comment se passe la formation, pour l'ajuster s'il le faut.",
                vec![section(
                    "Le déroulement",
                    vec![
                        q(
                            "pace",
                            "Le rythme vous convient-il ?",
                            QuestionKind::SingleChoice { options: vec!["Trop lent".into(), "Adapté".into(), "Trop rapide".into()] },
                            true,
                        ),
                        q("useful", "Les contenus vous sont-ils utiles ?", QuestionKind::Scale, true),
                        q("adjust", "Que faudrait-il ajuster ?", QuestionKind::Text, false),
                    ],
                )],
            ),
            EvaluationKind::Hot => (
                "Évaluation de fin de formation",
                "Votre avis compte : il sert à améliorer la formation et le taux de satisfaction publié en tient compte.",
                vec![
                    section(
                        "Votre satisfaction",
                        vec![
                            Question {
                                overall: true,
                                ..q("overall", "Dans l'ensemble, êtes-vous satisfait de la formation ?", QuestionKind::Satisfaction, true)
                            },
                            q("content", "Le contenu", QuestionKind::Satisfaction, true),
                            q("trainer", "L'animation par le formateur", QuestionKind::Satisfaction, true),
                            q("organisation", "L'organisation (convocation, salle, horaires)", QuestionKind::Satisfaction, true),
                        ],
                    ),
                    section("Où en êtes-vous maintenant sur les objectifs ?", self_assessment("o")),
                    section(
                        "Vos remarques",
                        vec![
                            q(
                                "recommend",
                                "Recommanderiez-vous cette formation à un collègue ?",
                                QuestionKind::SingleChoice { options: vec!["Oui".into(), "Non".into(), "Je ne sais pas".into()] },
                                false,
                            ),
                            q("comment", "Vos remarques et suggestions", QuestionKind::Text, false),
                        ],
                    ),
                ],
            ),
            EvaluationKind::Cold => (
                "Évaluation à froid",
                "Quelques semaines après la formation : qu'en avez-vous fait dans votre travail ?",
                vec![section(
                    "Dans votre travail",
                    vec![
                        q(
                            "applied",
                            "Avez-vous mis en pratique ce que vous avez appris ?",
                            QuestionKind::SingleChoice {
                                options: vec!["Oui, souvent".into(), "Oui, parfois".into(), "Pas encore".into(), "Non, ce n'est pas applicable".into()],
                            },
                            true,
                        ),
                        q("satisfaction", "Avec le recul, êtes-vous satisfait de la formation ?", QuestionKind::Satisfaction, true),
                        q(
                            "obstacles",
                            "Qu'est-ce qui a freiné la mise en pratique ?",
                            QuestionKind::MultipleChoice {
                                options: vec!["Le temps".into(), "Les outils".into(), "L'organisation du service".into(), "Rien".into()],
                            },
                            false,
                        ),
                        q("comment", "Vos remarques", QuestionKind::Text, false),
                    ],
                )],
            ),
            EvaluationKind::Client => (
                "Appréciation du commanditaire",
                "La formation de vos agents s'est achevée : votre appréciation nous aide à l'améliorer.",
                vec![section(
                    "Votre appréciation",
                    vec![
                        q("satisfaction", "Êtes-vous satisfait de la formation délivrée à vos agents ?", QuestionKind::Satisfaction, true),
                        q("needs", "A-t-elle répondu aux besoins exprimés dans votre demande ?", QuestionKind::Scale, true),
                        q("comment", "Vos remarques", QuestionKind::Text, false),
                    ],
                )],
            ),
            EvaluationKind::Trainer => (
                "Bilan du formateur",
                "Votre regard sur la session : le groupe, l'organisation, ce qu'il faudrait changer.",
                vec![section(
                    "La session",
                    vec![
                        q("group", "Le groupe a-t-il atteint les objectifs ?", QuestionKind::Scale, true),
                        q("organisation", "L'organisation (salle, matériel, informations reçues)", QuestionKind::Satisfaction, true),
                        q("comment", "Ce qu'il faudrait changer", QuestionKind::Text, false),
                    ],
                )],
            ),
        };
        Questionnaire { kind, title: title.into(), intro: intro.into(), sections }
    }
}

/// One answer, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Answer {
    /// A level (satisfaction 1–4, scale and self-assessment 1–5), a number, or a choice's index.
    Number(i64),
    /// The chosen options of a multiple choice.
    Choices(Vec<usize>),
    Text(String),
}

/// The answers of one person, by question key.
pub type Answers = BTreeMap<String, Answer>;

/// The longest free-text answer kept.
pub const TEXT_MAX: usize = 4000;

/// Reads a submitted form (field name = question key; a multiple choice sends its key once per
/// ticked option). A `draft` keeps whatever is valid and only refuses what is wrong; a final
/// answer also needs every required question. Errors are keyed by question, in French.
pub fn read_answers(questionnaire: &Questionnaire, form: &[(String, String)], draft: bool) -> (Answers, FieldErrors) {
    let mut answers = Answers::new();
    let mut errors = FieldErrors::default();
    for q in questionnaire.questions() {
        let values: Vec<&str> = form.iter().filter(|(k, _)| *k == q.key).map(|(_, v)| v.trim()).filter(|v| !v.is_empty()).collect();
        let Some(first) = values.first().copied() else {
            if q.required && !draft {
                errors.add(q.key.clone(), "Répondez à cette question.");
            }
            continue;
        };
        let level = |max: i64| match first.parse::<i64>() {
            Ok(n) if (1..=max).contains(&n) => Ok(Answer::Number(n)),
            _ => Err("Choisissez une des réponses proposées.".to_owned()),
        };
        let read = match &q.kind {
            QuestionKind::Satisfaction => level(SATISFACTION_LEVELS.len() as i64),
            QuestionKind::Scale => level(5),
            QuestionKind::SelfAssessment { .. } => level(MASTERY_LEVELS.len() as i64),
            QuestionKind::SingleChoice { options } => match first.parse::<usize>() {
                Ok(i) if i < options.len() => Ok(Answer::Number(i as i64)),
                _ => Err("Choisissez une des réponses proposées.".to_owned()),
            },
            QuestionKind::MultipleChoice { options } => {
                let chosen: Result<BTreeSet<usize>, _> = values.iter().map(|v| v.parse::<usize>().ok().filter(|i| *i < options.len()).ok_or(())).collect();
                chosen.map(|c| Answer::Choices(c.into_iter().collect())).map_err(|()| "Choisissez parmi les réponses proposées.".to_owned())
            }
            QuestionKind::Text if first.chars().count() > TEXT_MAX => Err(format!("Votre réponse ne doit pas dépasser {TEXT_MAX} caractères.")),
            QuestionKind::Text => Ok(Answer::Text(first.to_owned())),
            QuestionKind::Number { min, max } => match first.replace(' ', "").parse::<i64>() {
                Ok(n) if min.is_some_and(|m| n < m) => Err(format!("Indiquez un nombre d'au moins {}.", min.unwrap_or_default())),
                Ok(n) if max.is_some_and(|m| n > m) => Err(format!("Indiquez un nombre d'au plus {}.", max.unwrap_or_default())),
                Ok(n) => Ok(Answer::Number(n)),
                Err(_) => Err("Indiquez un nombre entier, en chiffres.".to_owned()),
            },
        };
        match read {
            Ok(a) => {
                answers.insert(q.key.clone(), a);
            }
            Err(message) => errors.add(q.key.clone(), message),
        }
    }
    (answers, errors)
}

/// Whether a satisfaction level (1–4) counts as satisfied: « Satisfait » or « Très satisfait ».
pub fn is_satisfied(level: i64) -> bool {
    level >= 3
}

/// One respondent's answer to the overall question of a hot evaluation, with when they answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverallAnswer {
    pub answered_on: NaiveDate,
    pub level: i64,
}

/// How many months the published rate looks back.
pub const RATE_MONTHS: u32 = 12;

/// The published satisfaction rate: the share of respondents who answered « Satisfait » or
/// « Très satisfait » to the overall question of the hot evaluation, over the 12 months up to
/// `today` (answered on or after the same day a year before). None without respondents: no
/// rate is published rather than a meaningless one.
pub fn satisfaction_rate(answers: impl IntoIterator<Item = OverallAnswer>, today: NaiveDate) -> Option<SatisfactionRate> {
    let since = today.checked_sub_months(chrono::Months::new(RATE_MONTHS)).unwrap_or(NaiveDate::MIN);
    let (mut respondents, mut satisfied) = (0u32, 0u32);
    for a in answers.into_iter().filter(|a| a.answered_on > since && a.answered_on <= today && (1..=4).contains(&a.level)) {
        respondents += 1;
        satisfied += u32::from(is_satisfied(a.level));
    }
    (respondents > 0).then(|| SatisfactionRate {
        // Rounded to the nearest per mille, half up.
        per_mille: ((u64::from(satisfied) * 2000 + u64::from(respondents)) / (2 * u64::from(respondents))) as u32,
        respondents,
        period: format!("12 derniers mois, au {}", crate::french_date::long_date(today)),
    })
}

/// When to remind someone who has not answered: `after_days` after the invitation (3 and 7 by
/// default), then never. Gives the instant of the next reminder, or None when they are done.
pub fn next_reminder(invited_at: DateTime<Utc>, reminders_sent: usize, after_days: &[i64]) -> Option<DateTime<Utc>> {
    after_days.get(reminders_sent).map(|d| invited_at + Duration::days(*d))
}

pub const DEFAULT_REMINDERS: [i64; 2] = [3, 7];

/// The cold evaluation is sent this many days after the last day, unless set otherwise.
pub const DEFAULT_COLD_DAYS: i64 = 60;

/// How many answered each choice (or level) of a closed question, in the order shown; free
/// text and numbers have no distribution.
pub fn distribution<'a>(question: &Question, answers: impl IntoIterator<Item = &'a Answers>) -> Option<Vec<(String, usize)>> {
    let labels: Vec<String> = match &question.kind {
        QuestionKind::Satisfaction => SATISFACTION_LEVELS.iter().map(|s| s.to_string()).collect(),
        QuestionKind::Scale => (1..=5).map(|n| n.to_string()).collect(),
        QuestionKind::SelfAssessment { .. } => MASTERY_LEVELS.iter().map(|s| s.to_string()).collect(),
        QuestionKind::SingleChoice { options } | QuestionKind::MultipleChoice { options } => options.clone(),
        QuestionKind::Text | QuestionKind::Number { .. } => return None,
    };
    let offset = usize::from(!matches!(question.kind, QuestionKind::SingleChoice { .. } | QuestionKind::MultipleChoice { .. }));
    let mut counts = vec![0usize; labels.len()];
    for a in answers {
        match a.get(&question.key) {
            Some(Answer::Number(n)) => {
                if let Some(c) = usize::try_from(*n).ok().and_then(|n| n.checked_sub(offset)).and_then(|i| counts.get_mut(i)) {
                    *c += 1;
                }
            }
            Some(Answer::Choices(chosen)) => {
                for i in chosen {
                    if let Some(c) = counts.get_mut(*i) {
                        *c += 1;
                    }
                }
            }
            _ => {}
        }
    }
    Some(labels.into_iter().zip(counts).collect())
}

/// Progress on one objective: the mean self-assessment at positioning and at the end, over the
/// trainees who answered both (so that a late arrival does not skew it), and how many they are.
pub fn objective_progress(pairs: impl IntoIterator<Item = (i64, i64)>) -> Option<(f64, f64, usize)> {
    let (mut before, mut after, mut n) = (0i64, 0i64, 0usize);
    for (b, a) in pairs {
        before += b;
        after += a;
        n += 1;
    }
    (n > 0).then(|| (before as f64 / n as f64, after as f64 / n as f64, n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn objectives() -> Vec<String> {
        vec!["Comprendre la CTG".into(), "Conduire un diagnostic".into()]
    }

    #[test]
    fn every_template_is_valid_and_the_hot_one_has_the_overall_question() {
        for kind in EvaluationKind::ALL {
            let q = Questionnaire::template(kind, &objectives()).validated(2).unwrap();
            assert_eq!(q.kind, kind);
            assert_eq!(q.overall().is_some(), kind == EvaluationKind::Hot, "{kind:?}");
        }
        let positioning = Questionnaire::template(EvaluationKind::Positioning, &objectives());
        assert_eq!(positioning.questions().filter(|q| matches!(q.kind, QuestionKind::SelfAssessment { .. })).count(), 2);
        // A program without objectives still gets usable questionnaires.
        assert!(Questionnaire::template(EvaluationKind::Hot, &[]).validated(0).is_ok());
    }

    #[test]
    fn a_badly_built_questionnaire_is_refused_field_by_field() {
        let mut q = Questionnaire::template(EvaluationKind::Hot, &objectives());
        q.title = " ".into();
        q.sections[0].questions[1].overall = true;
        q.sections[2].questions[0].kind = QuestionKind::SingleChoice { options: vec!["Oui".into(), "Oui".into()] };
        q.sections[1].questions[0].kind = QuestionKind::SelfAssessment { objective: 7 };
        let errors = q.validated(2).unwrap_err();
        assert!(errors.get("title").is_some());
        assert!(errors.get("sections").unwrap().contains("Une seule question"));
        assert!(errors.get("recommend-options").is_some());
        assert!(errors.get("o1-options").unwrap().contains("objectif"));
    }

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn answers_are_read_and_checked_and_a_draft_keeps_what_is_valid() {
        let q = Questionnaire::template(EvaluationKind::Hot, &objectives());
        let (answers, errors) = read_answers(&q, &form(&[("overall", "4"), ("content", "9"), ("comment", "  Très bien  ")]), true);
        assert_eq!(answers.get("overall"), Some(&Answer::Number(4)));
        assert_eq!(answers.get("comment"), Some(&Answer::Text("Très bien".into())));
        assert_eq!(errors.get("content"), Some("Choisissez une des réponses proposées."));
        assert!(errors.get("trainer").is_none(), "a draft may leave required questions");
        let (_, errors) = read_answers(&q, &form(&[("overall", "4")]), false);
        assert_eq!(errors.get("trainer"), Some("Répondez à cette question."));
        assert_eq!(errors.get("o2"), Some("Répondez à cette question."));

        let cold = Questionnaire::template(EvaluationKind::Cold, &[]);
        let (answers, errors) = read_answers(&cold, &form(&[("obstacles", "0"), ("obstacles", "2"), ("obstacles", "0"), ("applied", "1")]), true);
        assert_eq!(answers.get("obstacles"), Some(&Answer::Choices(vec![0, 2])));
        assert!(errors.is_empty());
        let (_, errors) = read_answers(&cold, &form(&[("obstacles", "7")]), true);
        assert!(errors.get("obstacles").is_some());

        let positioning = Questionnaire::template(EvaluationKind::Positioning, &objectives());
        let (_, errors) = read_answers(&positioning, &form(&[("experience", "douze")]), true);
        assert_eq!(errors.get("experience"), Some("Indiquez un nombre entier, en chiffres."));
        let (_, errors) = read_answers(&positioning, &form(&[("experience", "70")]), true);
        assert_eq!(errors.get("experience"), Some("Indiquez un nombre d'au plus 50."));
        let long = "x".repeat(TEXT_MAX + 1);
        let (_, errors) = read_answers(&positioning, &form(&[("expectations", &long)]), true);
        assert!(errors.get("expectations").is_some());
    }

    #[test]
    fn the_rate_counts_the_top_two_levels_over_twelve_months() {
        let today = day(2026, 11, 29);
        let answers = [
            OverallAnswer { answered_on: day(2026, 11, 1), level: 4 },
            OverallAnswer { answered_on: day(2026, 6, 1), level: 3 },
            OverallAnswer { answered_on: day(2026, 2, 1), level: 2 },
            // A year ago to the day is outside; older too.
            OverallAnswer { answered_on: day(2025, 11, 29), level: 1 },
            OverallAnswer { answered_on: day(2024, 1, 1), level: 1 },
        ];
        let rate = satisfaction_rate(answers, today).unwrap();
        assert_eq!((rate.per_mille, rate.respondents), (667, 3));
        assert_eq!(rate.period, "12 derniers mois, au 29 novembre 2026");
        assert_eq!(satisfaction_rate([], today), None);
        assert_eq!(satisfaction_rate([OverallAnswer { answered_on: day(2020, 1, 1), level: 4 }], today), None);
    }

    #[test]
    fn reminders_come_after_three_and_seven_days_then_stop() {
        let invited = DateTime::parse_from_rfc3339("2026-11-02T10:00:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(next_reminder(invited, 0, &DEFAULT_REMINDERS), Some(invited + Duration::days(3)));
        assert_eq!(next_reminder(invited, 1, &DEFAULT_REMINDERS), Some(invited + Duration::days(7)));
        assert_eq!(next_reminder(invited, 2, &DEFAULT_REMINDERS), None);
    }

    #[test]
    fn distributions_follow_the_levels_and_choices() {
        let hot = Questionnaire::template(EvaluationKind::Hot, &objectives());
        let a: Vec<Answers> = [4, 4, 3, 1].iter().map(|l| Answers::from([("overall".to_string(), Answer::Number(*l))])).collect();
        let d = distribution(hot.overall().unwrap(), &a).unwrap();
        assert_eq!(d.iter().map(|(_, n)| *n).collect::<Vec<_>>(), vec![1, 0, 1, 2]);
        assert_eq!(d[3].0, "Très satisfait");
        assert_eq!(distribution(hot.question("comment").unwrap(), &a), None);
        assert_eq!(objective_progress([(1, 3), (2, 4)]), Some((1.5, 3.5, 2)));
        assert_eq!(objective_progress([]), None);
    }

    proptest! {
        #[test]
        fn the_rate_is_a_share_of_the_respondents_in_the_period(levels in proptest::collection::vec((1i64..=4, 0i64..800), 0..60)) {
            let today = day(2026, 11, 29);
            let answers: Vec<OverallAnswer> = levels.iter().map(|(l, ago)| OverallAnswer { answered_on: today - Duration::days(*ago), level: *l }).collect();
            let inside: Vec<&OverallAnswer> = answers.iter().filter(|a| a.answered_on > day(2025, 11, 29)).collect();
            match satisfaction_rate(answers.clone(), today) {
                None => prop_assert!(inside.is_empty()),
                Some(rate) => {
                    prop_assert_eq!(rate.respondents as usize, inside.len());
                    prop_assert!(rate.per_mille <= 1000);
                    let satisfied = inside.iter().filter(|a| is_satisfied(a.level)).count() as f64;
                    prop_assert!((f64::from(rate.per_mille) - 1000.0 * satisfied / inside.len() as f64).abs() <= 0.5);
                }
            }
        }

        #[test]
        fn one_more_satisfied_answer_never_lowers_the_rate(levels in proptest::collection::vec(1i64..=4, 1..60)) {
            let today = day(2026, 11, 29);
            let answers: Vec<OverallAnswer> = levels.iter().map(|l| OverallAnswer { answered_on: today, level: *l }).collect();
            let before = satisfaction_rate(answers.clone(), today).unwrap();
            let mut more = answers;
            more.push(OverallAnswer { answered_on: today, level: 4 });
            let after = satisfaction_rate(more, today).unwrap();
            prop_assert!(after.per_mille >= before.per_mille);
            prop_assert_eq!(after.respondents, before.respondents + 1);
        }

        #[test]
        fn reading_never_panics_and_keeps_only_known_questions(pairs in proptest::collection::vec(("[a-z0-9]{1,12}", "\\PC{0,20}"), 0..30), draft: bool) {
            let q = Questionnaire::template(EvaluationKind::Hot, &objectives());
            let form: Vec<(String, String)> = pairs;
            let (answers, _) = read_answers(&q, &form, draft);
            prop_assert!(answers.keys().all(|k| q.question(k).is_some()));
        }
    }
}
