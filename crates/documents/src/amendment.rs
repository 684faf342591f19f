//! The avenant: an amendment to a convention (added days, moved dates, a new price).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::{Organisation, Party, PlannedDay, Price};
use crate::render::{self, Obj};
use crate::{DocumentError, format};

/// One change brought by an avenant; each becomes an article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AmendmentChange {
    /// Days added to the planning.
    AddDays { days: Vec<PlannedDay> },
    /// Days moved: (from, to).
    MoveDates { moves: Vec<(NaiveDate, NaiveDate)> },
    /// A new price.
    ChangePrice { before: Price, after: Price },
}

/// Everything printed on an avenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmendmentDocument {
    /// The amended convention: « 26/19 ».
    pub convention_number: String,
    /// Avenant n° 1, 2…
    pub number: u32,
    pub issued_on: NaiveDate,
    pub organisation: Organisation,
    pub client: Party,
    pub program_title: String,
    pub reason: Option<String>,
    pub changes: Vec<AmendmentChange>,
    /// The planning as it stands after the avenant.
    pub days_after: Vec<PlannedDay>,
    /// `None` leaves the date after « Fait à …, le » blank, to be written by hand.
    pub signed_on: Option<NaiveDate>,
}

/// Renders the avenant as a PDF/A-2b file.
pub fn render(doc: &AmendmentDocument) -> Result<Vec<u8>, DocumentError> {
    render::pdf(render::AMENDMENT, inputs(doc)?.into_dict(), doc.issued_on)
}

fn change(change: &AmendmentChange) -> Result<Obj, DocumentError> {
    Ok(match change {
        AmendmentChange::AddDays { days } => {
            if days.is_empty() {
                return Err(DocumentError::InvalidData(
                    "l'avenant ajoute des journées mais n'en donne aucune".to_owned(),
                ));
            }
            let days = render::sorted_days(days)?;
            Obj::new().set("kind", "add_days").set(
                "rows",
                days.iter().map(|d| render::day_row(d)).collect::<Vec<_>>(),
            )
        }
        AmendmentChange::MoveDates { moves } => {
            if moves.is_empty() {
                return Err(DocumentError::InvalidData(
                    "l'avenant reporte des dates mais n'en donne aucune".to_owned(),
                ));
            }
            Obj::new().set("kind", "move_dates").set(
                "moves",
                moves
                    .iter()
                    .map(|(from, to)| {
                        Obj::new()
                            .set("from", format::date_with_weekday(*from))
                            .set("to", format::date_with_weekday(*to))
                    })
                    .collect::<Vec<_>>(),
            )
        }
        AmendmentChange::ChangePrice { before, after } => {
            before.check()?;
            after.check()?;
            Obj::new()
                .set("kind", "change_price")
                .set("before", render::price(before))
                .set("after", render::price(after))
        }
    })
}

fn inputs(doc: &AmendmentDocument) -> Result<Obj, DocumentError> {
    if doc.convention_number.trim().is_empty() {
        return Err(DocumentError::InvalidData(
            "l'avenant ne dit pas quelle convention il modifie".to_owned(),
        ));
    }
    if doc.changes.is_empty() {
        return Err(DocumentError::InvalidData(
            "l'avenant n'apporte aucune modification".to_owned(),
        ));
    }
    let changes = doc
        .changes
        .iter()
        .map(change)
        .collect::<Result<Vec<_>, _>>()?;
    let days_after = render::sorted_days(&doc.days_after)?;
    Ok(Obj::new()
        .set("convention_number", doc.convention_number.trim())
        .set("number", doc.number.to_string())
        .set("issued_on", format::date(doc.issued_on))
        .set("organisation", render::organisation(&doc.organisation))
        .set("client", render::party(&doc.client))
        .set("program_title", render::typo(&doc.program_title))
        .set("reason", render::text(doc.reason.as_deref()))
        .set("changes", changes)
        .set("planning", render::planning(&days_after))
        .set(
            "signature",
            render::signature(&doc.organisation, doc.signed_on),
        ))
}
