//! The synthèse des évaluations of a session: for each questionnaire (positioning, hot, cold…)
//! its response rate and satisfaction, each closed question's distribution as a bar chart, the
//! free-text answers, then the progress on each objective between positioning and the end of the
//! training. It is the printable form of the back-office results page, kept as evidence for
//! Qualiopi indicators 11 (assessment of what was learnt) and 30 (trainees' appraisal).
//!
//! The web layer computes the figures and words them (« 5 réponses envoyées sur 8 stagiaires
//! (63 %) »); this module only checks that they can make a sound chart and lays them out.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::Organisation;
use crate::render::{self, Obj};
use crate::{DocumentError, format};

/// Everything printed in the synthesis of a session's evaluations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluationReport {
    /// The letterhead, as on the other documents.
    pub organisation: Organisation,
    /// The program title: « Les chantiers locaux de la CTG : de l'acculturation à la mise en
    /// œuvre ».
    pub training_title: String,
    /// « Session n° 12 — du 12 au 13 mars 2019, CAF de l'Allier, Moulins ».
    pub session_label: String,
    /// « Thierry CHEINE ».
    pub trainers: Vec<String>,
    /// The confirmed trainees, whom the response rates are counted against.
    pub trainees: usize,
    /// Printed « Synthèse établie le … », and the PDF's date.
    pub issued_on: NaiveDate,
    /// One per questionnaire kind, in the order of the training.
    pub kinds: Vec<ReportKind>,
    /// Progress per objective between positioning and the end of the training.
    pub progress: Vec<ReportProgress>,
    /// How many trainees the trainer assessed (what they learnt, objective by objective).
    #[serde(default)]
    pub assessed: usize,
    /// Per objective, how many of them reached each level; empty when nobody was assessed.
    #[serde(default)]
    pub acquisition: Vec<ReportAcquisition>,
}

/// The results of one questionnaire kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportKind {
    /// « Évaluation à chaud (fin de formation) ».
    pub label: String,
    /// « 5 réponses envoyées sur 8 stagiaires (63 %) ».
    pub rate: String,
    /// « 75 % de satisfaits (4 répondants) », for a questionnaire with an overall satisfaction
    /// question.
    pub satisfaction: Option<String>,
    /// Empty while nobody has sent an answer.
    pub questions: Vec<ReportQuestion>,
}

/// The answers to one question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportQuestion {
    pub label: String,
    /// How many trainees answered it: the bars' 100 %.
    pub answered: usize,
    /// The distribution of a closed question, one bar per possible answer (may be empty).
    pub bars: Vec<ReportBar>,
    /// Free-text answers, or a number's summary line (may be empty).
    pub texts: Vec<String>,
}

/// One possible answer of a closed question and how many chose it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportBar {
    /// « Très satisfait ».
    pub label: String,
    /// At most the question's `answered` (a multiple choice's bars may add up to more).
    pub count: usize,
    /// « 63 % ».
    pub percent: String,
}

/// The progress on one objective, over the trainees who self-assessed both before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportProgress {
    pub objective: String,
    /// « 1,8 → 3,9 sur 5 ».
    pub change: String,
    pub trainees: usize,
}

/// How many assessed trainees reached each level on one objective.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportAcquisition {
    pub objective: String,
    pub acquired: usize,
    pub in_progress: usize,
    pub not_acquired: usize,
}

/// Renders the synthesis as a PDF/A-2b file, A4 portrait, as many pages as the answers need.
pub fn render(report: &EvaluationReport) -> Result<Vec<u8>, DocumentError> {
    render::pdf(
        render::EVALUATION_REPORT,
        inputs(report)?.into_dict(),
        report.issued_on,
    )
}

/// Past these, a question's free texts may not fit on one page with its chart: the question then
/// flows over the page break instead of overflowing the page.
const TOGETHER_MAX_TEXTS: usize = 8;
const TOGETHER_MAX_CHARS: usize = 1200;

/// The bar's length as a share of the track, `0.0..=1.0`.
fn share(count: usize, answered: usize) -> f64 {
    if answered == 0 {
        0.0
    } else {
        count as f64 / answered as f64
    }
}

/// « Thierry CHEINE », « A et B », « A, B et C ».
fn and_list(names: &[String]) -> Option<String> {
    match names {
        [] => None,
        [one] => Some(one.clone()),
        [init @ .., last] => Some(format!("{} et {last}", init.join(", "))),
    }
}

fn question(kind: &str, q: &ReportQuestion) -> Result<Obj, DocumentError> {
    let label = render::typo(&q.label);
    let mut bars = Vec::with_capacity(q.bars.len());
    for bar in &q.bars {
        if bar.count > q.answered {
            return Err(DocumentError::InvalidData(format!(
                "{kind}, question « {label} » : {} pour la réponse « {} », sur {}",
                format::count_noun(bar.count as u64, "réponse", "réponses"),
                render::typo(&bar.label),
                format::count_noun(q.answered as u64, "répondant", "répondants"),
            )));
        }
        bars.push(
            Obj::new()
                .set("label", render::typo(&bar.label))
                .set("count", format::group_thousands(bar.count as u64))
                .set("percent", render::typo(&bar.percent))
                .set("share", share(bar.count, q.answered)),
        );
    }
    let texts = render::lines(&q.texts);
    let chars: usize = texts.iter().map(|t| t.chars().count()).sum();
    Ok(Obj::new()
        .set("label", label)
        .set(
            "answered",
            format::count_noun(q.answered as u64, "réponse", "réponses"),
        )
        .set("bars", bars)
        .set(
            "together",
            texts.len() <= TOGETHER_MAX_TEXTS && chars <= TOGETHER_MAX_CHARS,
        )
        .set("texts", texts))
}

fn kind(kind: &ReportKind) -> Result<Obj, DocumentError> {
    let label = render::typo(&kind.label);
    let questions = kind
        .questions
        .iter()
        .map(|q| question(&label, q))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Obj::new()
        .set("label", label)
        .set("rate", render::text(Some(&kind.rate)))
        .set("satisfaction", render::text(kind.satisfaction.as_deref()))
        .set("questions", questions))
}

fn inputs(report: &EvaluationReport) -> Result<Obj, DocumentError> {
    let title = render::text(Some(&report.training_title)).ok_or_else(|| {
        DocumentError::InvalidData("la synthèse des évaluations n'a pas d'intitulé".to_owned())
    })?;
    let kinds = report
        .kinds
        .iter()
        .map(kind)
        .collect::<Result<Vec<_>, _>>()?;
    let progress: Vec<Obj> = report
        .progress
        .iter()
        .map(|p| {
            Obj::new()
                .set("objective", render::typo(&p.objective))
                .set("change", render::typo(&p.change))
                .set("trainees", format::group_thousands(p.trainees as u64))
        })
        .collect();
    let count = |n: usize| format::group_thousands(n as u64);
    let acquisition: Vec<Obj> = report
        .acquisition
        .iter()
        .map(|a| {
            Obj::new()
                .set("objective", render::typo(&a.objective))
                .set("acquired", count(a.acquired))
                .set("in_progress", count(a.in_progress))
                .set("not_acquired", count(a.not_acquired))
        })
        .collect();
    Ok(Obj::new()
        .set("organisation", render::organisation(&report.organisation))
        .set("title", title)
        .set("session", render::text(Some(&report.session_label)))
        .set("trainers", and_list(&render::lines(&report.trainers)))
        .set(
            "trainees",
            format::count_noun(report.trainees as u64, "stagiaire", "stagiaires"),
        )
        .set("issued_on", format::date(report.issued_on))
        .set("kinds", kinds)
        .set("progress", progress)
        .set(
            "assessed",
            format::count_noun(
                report.assessed as u64,
                "stagiaire évalué",
                "stagiaires évalués",
            ),
        )
        .set("acquisition", acquisition))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_a_share_of_the_answers() {
        assert_eq!(share(3, 4), 0.75);
        assert_eq!(share(4, 4), 1.0);
        assert_eq!(share(0, 4), 0.0);
        assert_eq!(share(0, 0), 0.0);
    }

    #[test]
    fn trainers_are_listed_in_french() {
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(and_list(&[]), None);
        assert_eq!(and_list(&names(&["A"])).as_deref(), Some("A"));
        assert_eq!(and_list(&names(&["A", "B"])).as_deref(), Some("A et B"));
        assert_eq!(
            and_list(&names(&["A", "B", "C"])).as_deref(),
            Some("A, B et C")
        );
    }
}
